#!/bin/sh
# The multicall binary: dispatch by link name and by argument, --list,
# --install, the exit status for an unknown applet, and static linking.
B=${BUILD:-build}
E=$B/edgebox
fail=0
check() {	# check WHAT COMMAND...: PASS when the command succeeds
	what=$1
	shift
	if "$@"; then echo "PASS: $what"; else echo "FAIL: $what"; fail=1; fi
}

check "edgebox --list names the four applets" \
	test "$($E --list | tr '\n' ' ')" = "dnsd hostq ntpctl ntpd "

$E no-such-applet >/dev/null 2>"$B/err.txt"
rc=$?
check "unknown applet exits 127" test "$rc" -eq 127
check "unknown applet message names it" grep -q "applet not found: no-such-applet" "$B/err.txt"
check "unknown applet prints one line" test "$(wc -l <"$B/err.txt")" -eq 1

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
check "edgebox --install makes the links" $E --install "$dir"
for a in dnsd hostq ntpctl ntpd; do
	check "$a link points at the binary" test "$(readlink "$dir/$a")" = "$(readlink -f "$E")"
	check "$a --help by link name exits 0" sh -c "'$dir/$a' --help >/dev/null 2>&1"
	check "edgebox $a --help exits 0" sh -c "'$E' $a --help >/dev/null 2>&1"
	check "$a --help prints a usage line" sh -c "'$E' $a --help 2>&1 | grep -qi usage"
done
check "a second --install keeps existing files and fails" sh -c "! '$E' --install '$dir' 2>/dev/null"

if [ -z "$RUN" ] && [ "$SANITIZE" != 1 ] && command -v file >/dev/null 2>&1; then
	check "the binary is statically linked" sh -c "file -L '$E' | grep -q 'statically linked'"
fi
exit $fail
