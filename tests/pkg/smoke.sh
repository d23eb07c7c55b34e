#!/bin/sh
# Smoke test of a built binary, runnable without root and under qemu-user:
# the multicall dispatch, each applet through its link, a config check of
# the reference configs, and one DNS query on loopback (dnsd and hostq).
# Usage: tests/pkg/smoke.sh BUILD_DIR   (RUN=qemu-aarch64-static runs the
# binary under an emulator).  Prints PASS:/FAIL: lines and a summary.
O=${1:-build}
RUN=${RUN:-}
passed=0
failed=0
tmp=$(mktemp -d)
dnsd_pid=

cleanup() {
	[ -n "$dnsd_pid" ] && kill "$dnsd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() {
	echo "PASS: $*"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# run NAME ARGS...: run the applet link O/NAME, output in $tmp/out, status in $rc.
run() {
	_name=$1
	shift
	$RUN "$O/$_name" "$@" >"$tmp/out" 2>&1
	rc=$?
}

# The dispatcher.
run edgebox --list
if [ "$rc" -eq 0 ] && [ "$(tr '\n' ' ' <"$tmp/out")" = "dnsd hostq ntpctl ntpd " ]; then
	pass "edgebox --list names the four applets"
else
	fail "edgebox --list (status $rc): $(tr '\n' ' ' <"$tmp/out")"
fi

version=$(sed -n 's/.*EDGEBOX_VERSION[^"]*"\([^"]*\)".*/\1/p' core/version.h)
run edgebox --version
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "edgebox $version" ]; then
	pass "edgebox --version prints $version"
else
	fail "edgebox --version (status $rc): $(cat "$tmp/out")"
fi

run edgebox no-such-applet
if [ "$rc" -eq 127 ]; then
	pass "unknown applet exits 127"
else
	fail "unknown applet exits $rc, expected 127"
fi

# Each applet through its link prints a usage text.  hostq behaves like
# BIND's host, which prints its usage and exits 1 when given no name.
for a in ntpd ntpctl dnsd; do
	run "$a" --help
	if [ "$rc" -eq 0 ] && grep -qi "usage" "$tmp/out"; then
		pass "$a --help prints a usage text"
	else
		fail "$a --help (status $rc): $(head -n 3 "$tmp/out")"
	fi
done
run hostq
if [ "$rc" -eq 1 ] && grep -qi "usage: hostq" "$tmp/out"; then
	pass "hostq without arguments prints a usage text and exits 1"
else
	fail "hostq without arguments (status $rc): $(head -n 3 "$tmp/out")"
fi

# Config checks of the reference configs and the installed defaults.
for f in tests/data/dnsmasq.conf etc/dnsd.conf; do
	run dnsd --test -C "$f"
	if [ "$rc" -eq 0 ]; then
		pass "dnsd --test accepts $f"
	else
		fail "dnsd --test -C $f (status $rc): $(head -n 5 "$tmp/out")"
	fi
done

# One query on loopback: dnsd answers a local record, hostq asks for it.
# no-resolv keeps dnsd from reading /etc/resolv.conf, so nothing is forwarded.
port=$((20000 + $$ % 20000))
cat >"$tmp/dnsd.conf" <<EOF
listen-address=127.0.0.1
port=$port
no-resolv
no-hosts
pid-file=
address=/smoke.test/127.0.0.53
EOF
$RUN "$O/dnsd" -k -C "$tmp/dnsd.conf" >"$tmp/dnsd.log" 2>&1 &
dnsd_pid=$!
i=0
answer=
while [ $i -lt 20 ]; do
	$RUN "$O/hostq" -p "$port" -W 1 smoke.test 127.0.0.1 >"$tmp/out" 2>&1 && {
		answer=$(cat "$tmp/out")
		break
	}
	sleep 0.5
	i=$((i + 1))
done
if printf '%s\n' "$answer" | grep -q "^smoke.test has address 127.0.0.53$"; then
	pass "dnsd answers hostq on loopback"
else
	fail "dnsd/hostq on 127.0.0.1 port $port: $(cat "$tmp/out") / dnsd: $(head -n 5 "$tmp/dnsd.log")"
fi
kill "$dnsd_pid" 2>/dev/null
wait "$dnsd_pid" 2>/dev/null
dnsd_pid=

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
