#!/bin/sh
# The man pages against the code: each page renders without groff warnings,
# its SYNOPSIS has the option letters of the applet's usage line, and the
# ntpd and dnsd pages name every directive their tables implement.
B=${BUILD:-build}
fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

pass() {
	echo "PASS: $*"
}

failed() {
	echo "FAIL: $*"
	fail=1
}

if ! command -v groff >/dev/null 2>&1; then
	echo "091-manpages: groff not found"
	exit 77
fi

for page in docs/man/*.[18]; do
	warnings=$(groff -mandoc -ww -z "$page" 2>&1)
	if [ -z "$warnings" ]; then
		pass "$page renders without warnings"
	else
		failed "$page: $warnings"
	fi
done

# help_letters APPLET: the option letters of the usage line's "[-abc]" and
# "[-f FILE]" groups and of the explanation lines that start with "-x".
help_letters() {
	"$B/$1" --help >"$tmp" 2>&1
	{
		sed -n '/^[Uu]sage:/,/^[[:space:]]*-/p' "$tmp" | grep -v '^[[:space:]]*-' |
		    grep -o '\[-[A-Za-z0-9]*' | sed 's/^\[-//'
		sed -n 's/^[[:space:]]*-\([A-Za-z0-9]\)[[:space:],].*/\1/p' "$tmp"
	} | fold -w 1 | sort -u | tr -d '\n'
}

# man_letters PAGE: the option letters of the page's .Op Fl lines, sorted.
man_letters() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$1" |
	    sed -n 's/^\.Op Fl \([A-Za-z0-9]*\).*/\1/p' | fold -w 1 | sort -u | tr -d '\n'
}

for pair in ntpd:edgebox-ntpd.8 ntpctl:edgebox-ntpctl.8 dnsd:edgebox-dnsd.8 hostq:hostq.1; do
	applet=${pair%%:*}
	page=docs/man/${pair#*:}
	want=$(help_letters "$applet")
	have=$(man_letters "$page")
	if [ -n "$want" ] && [ "$want" = "$have" ]; then
		pass "$page has the options of $applet --help"
	else
		failed "$page options '$have', $applet --help options '$want'"
	fi
done

# named NAME PAGE: NAME is one of the .Ic words of PAGE.
named() {
	sed -n 's/^\.Ic //p' "$2" | tr ' ,' '\n\n' | grep -qx "$1"
}

# directives FILE HANDLER_PREFIX: names of the table rows with a handler
# (a field that starts with HANDLER_PREFIX after the name).
directives() {
	sed -n "s/^[[:space:]]*{ \"\([a-z-]*\)\", [^\"]* $2[a-z_]*[ ,].*/\1/p" "$1"
}

missing=
for d in $(directives applets/ntpd/config.c do_); do
	named "$d" docs/man/edgebox-ntpd.8 || missing="$missing $d"
done
if [ -z "$missing" ]; then
	pass "edgebox-ntpd.8 names every implemented directive"
else
	failed "edgebox-ntpd.8 does not name:$missing"
fi

missing=
for d in $(directives applets/dnsd/dnsconf.c h_); do
	case $d in help|version|test) continue ;; esac
	named "$d" docs/man/edgebox-dnsd.8 || missing="$missing $d"
done
if [ -z "$missing" ]; then
	pass "edgebox-dnsd.8 names every implemented directive"
else
	failed "edgebox-dnsd.8 does not name:$missing"
fi
exit $fail
