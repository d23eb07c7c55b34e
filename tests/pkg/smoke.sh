#!/bin/sh
# Smoke test of a built binary, runnable without root and under qemu-user.
# It checks the multicall dispatch, each applet through its link, and the
# config checks on the reference and default configs.  Then it sends one DNS
# query on loopback (dnsd and hostq) and runs NTP on loopback (ntpd -x,
# ntpctl, ntpd -Q).
# Usage: tests/pkg/smoke.sh BUILD_DIR   (RUN=qemu-aarch64-static runs the
# binary under an emulator).  Prints PASS:/FAIL: lines and a summary.
O=${1:-build}
RUN=${RUN:-}
passed=0
failed=0
tmp=$(mktemp -d)
dnsd_pid=
ntpd_pid=

cleanup() {
	[ -n "$dnsd_pid" ] && kill "$dnsd_pid" 2>/dev/null
	[ -n "$ntpd_pid" ] && kill "$ntpd_pid" 2>/dev/null
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

# Each applet through its link prints a usage text.  The status may be 1:
# BIND's host, which hostq follows, rejects --help as an unknown option.
for a in ntpd ntpctl dnsd hostq; do
	run "$a" --help
	if [ "$rc" -le 1 ] && grep -qi "usage" "$tmp/out"; then
		pass "$a --help prints a usage text"
	else
		fail "$a --help (status $rc): $(head -n 3 "$tmp/out")"
	fi
done

# Config checks of the reference configs and the installed defaults.
for f in tests/data/chrony-client.conf tests/data/chrony-server.conf etc/ntpd.conf; do
	run ntpd -p -f "$f"
	if [ "$rc" -eq 0 ]; then
		pass "ntpd -p accepts $f"
	else
		fail "ntpd -p -f $f (status $rc): $(head -n 5 "$tmp/out")"
	fi
done
for f in tests/data/dnsmasq.conf etc/dnsd.conf; do
	run dnsd --test -C "$f"
	if [ "$rc" -eq 0 ]; then
		pass "dnsd --test accepts $f"
	else
		fail "dnsd --test -C $f (status $rc): $(head -n 5 "$tmp/out")"
	fi
done

# One query on loopback: hostq asks dnsd for a local record.
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

# NTP on loopback: an ntpd that never changes the clock (-x) serves the
# local clock, ntpctl reads its state, and ntpd -Q measures against it once.
ntp_port=$((port + 1))
$RUN "$O/ntpd" -x -d "port $ntp_port" "bindaddress 127.0.0.1" "allow 127.0.0.1" \
    "local stratum 10" "bindcmdaddress $tmp/ntpd.sock" >"$tmp/ntpd.log" 2>&1 &
ntpd_pid=$!
i=0
while [ $i -lt 20 ] && [ ! -S "$tmp/ntpd.sock" ]; do
	sleep 0.5
	i=$((i + 1))
done
run ntpctl -h "$tmp/ntpd.sock" tracking
if [ "$rc" -eq 0 ] && grep -q "^Leap status" "$tmp/out"; then
	pass "ntpctl tracking reads ntpd's state"
else
	fail "ntpctl tracking (status $rc): $(head -n 3 "$tmp/out") / ntpd: $(head -n 5 "$tmp/ntpd.log")"
fi
run ntpd -Q -t 20 "server 127.0.0.1 port $ntp_port iburst" "cmdport 0"
if [ "$rc" -eq 0 ] && grep -q "System clock wrong by .* seconds" "$tmp/out"; then
	pass "ntpd -Q measures the loopback server"
else
	fail "ntpd -Q against 127.0.0.1 port $ntp_port (status $rc): $(head -n 5 "$tmp/out")"
fi
run ntpctl -h "$tmp/ntpd.sock" serverstats
replies=$(sed -n 's/^NTP replies sent *: *//p' "$tmp/out")
if [ "${replies:-0}" -gt 0 ]; then
	pass "ntpd served $replies replies"
else
	fail "ntpctl serverstats (status $rc): $(head -n 5 "$tmp/out")"
fi
kill "$ntpd_pid" 2>/dev/null
wait "$ntpd_pid" 2>/dev/null
ntpd_pid=

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
