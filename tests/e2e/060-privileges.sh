#!/bin/sh
# Least privilege of the running daemons.  ntpd and dnsd start as root in a
# network namespace of their own, bind the privileged ports 123 and 53 and
# then switch to nobody.  The check reads /proc/PID/status: user and group
# ids, supplementary groups, the capability sets and no_new_privs.  ntpd
# runs with -x, so it keeps no CAP_SYS_TIME and never changes the clock
# (test_privs checks that CAP_SYS_TIME alone is kept without -x).
. "$(dirname "$0")/lib.sh"

e2e_require_netns
e2e_require_cmd ss stat
e2e_timeout 60 "$@"
NTPD="$B/ntpd"
DNSD="$B/dnsd"
HOSTQ="$B/hostq"
[ -x "$NTPD" ] && [ -x "$DNSD" ] || skip "build the binary first (make)"
id nobody >/dev/null 2>&1 || skip "this machine has no user nobody"

e2e_init
T=$E2E_TMP
UID_NOBODY=$(id -u nobody)
GID_NOBODY=$(id -g nobody)
ns_add priv || exit 1

# status_field PID NAME: the value of one line of /proc/PID/status, with
# its tabs turned into spaces.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' ' | sed 's/ *$//'
}

# check_dropped DAEMON PID: every id is nobody's, no group but nobody's own,
# empty capability sets and no_new_privs set.
check_dropped() {
	_d=$1
	_pid=$2
	check "$_d runs as nobody (real, effective, saved, fs uid)" \
	    test "$(status_field "$_pid" Uid)" = "$UID_NOBODY $UID_NOBODY $UID_NOBODY $UID_NOBODY"
	check "$_d runs with nobody's group" \
	    test "$(status_field "$_pid" Gid)" = "$GID_NOBODY $GID_NOBODY $GID_NOBODY $GID_NOBODY"
	_groups=$(status_field "$_pid" Groups)
	check "$_d keeps no supplementary group of root (groups: $_groups)" \
	    test "${_groups:-$GID_NOBODY}" = "$GID_NOBODY"
	for _set in CapInh CapPrm CapEff CapAmb; do
		_v=$(status_field "$_pid" "$_set")
		# Old kernels have no CapAmb line; an absent set is an empty one.
		check "$_d has an empty $_set set" \
		    test "${_v:-0000000000000000}" = 0000000000000000
	done
	check "$_d has no_new_privs set" test "$(status_field "$_pid" NoNewPrivs)" = 1
}

# --- ntpd -----------------------------------------------------------------
daemon_start priv "$T/ntpd.log" "$NTPD" -x -d -u nobody "local stratum 8" \
    "allow 127.0.0.1" "bindcmdaddress $T/ntpd.sock" "pidfile $T/ntpd.pid" \
    "driftfile $T/ntpd.drift"
NTPD_PID=$E2E_PID
if wait_until 10 is_listening priv udp 0.0.0.0:123 && wait_until 5 test -S "$T/ntpd.sock"; then
	pass "ntpd binds port 123 as root before the switch"
else
	fail "ntpd binds port 123 as root before the switch" "$(cat "$T/ntpd.log")"
fi
sleep 0.5
if daemon_alive "$NTPD_PID"; then
	check_dropped ntpd "$NTPD_PID"
	owner=$(stat -c '%u:%g %a' "$T/ntpd.sock")
	check "the control socket is nobody's with mode 0660 ($owner)" \
	    test "$owner" = "$UID_NOBODY:$GID_NOBODY 660"
	if ns_exec priv "$B/ntpctl" -h "$T/ntpd.sock" tracking >"$T/tracking.out" 2>&1; then
		pass "ntpctl as root still talks to ntpd after the switch"
	else
		fail "ntpctl as root still talks to ntpd after the switch" "$(cat "$T/tracking.out")"
	fi
else
	fail "ntpd keeps running after it switched to nobody" "$(cat "$T/ntpd.log")"
fi
daemon_stop "$NTPD_PID"

# --- dnsd -----------------------------------------------------------------
cat >"$T/dnsd.conf" <<EOF
no-resolv
no-hosts
listen-address=127.0.0.1
bind-interfaces
user=nobody
pid-file=$T/dnsd.pid
address=/priv.test/192.0.2.53
EOF
daemon_start priv "$T/dnsd.log" "$DNSD" -k -C "$T/dnsd.conf"
DNSD_PID=$E2E_PID
if wait_until 10 is_listening priv udp 127.0.0.1:53 && wait_until 5 is_listening priv tcp 127.0.0.1:53; then
	pass "dnsd binds port 53 (UDP and TCP) as root before the switch"
else
	fail "dnsd binds port 53 (UDP and TCP) as root before the switch" "$(cat "$T/dnsd.log")"
fi
sleep 0.5
if daemon_alive "$DNSD_PID"; then
	check_dropped dnsd "$DNSD_PID"
	ns_exec priv "$HOSTQ" -t A priv.test 127.0.0.1 >"$T/q.out" 2>&1
	check "dnsd answers after the switch" file_has "$T/q.out" '^priv\.test has address 192\.0\.2\.53$'
	ns_exec priv "$HOSTQ" -T -t A priv.test 127.0.0.1 >"$T/qt.out" 2>&1
	check "dnsd answers over TCP after the switch" \
	    file_has "$T/qt.out" '^priv\.test has address 192\.0\.2\.53$'
else
	fail "dnsd keeps running after it switched to nobody" "$(cat "$T/dnsd.log")"
fi

exit "$E2E_FAIL"
