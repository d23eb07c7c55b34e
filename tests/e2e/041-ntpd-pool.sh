#!/bin/sh
# ntpd's pool handling and initstepslew against chronyd servers inside a
# private network namespace: its own loopback, a resolv.conf naming no real
# server, and a hosts file this script edits (ip netns exec mounts it over
# /etc/hosts).  Every daemon runs with -x, so no clock is changed.
#   - a pool that resolves to fewer addresses than maxsources is looked up
#     again until it has them;
#   - a pool member that stops replying is replaced by a new address;
#   - initstepslew polls its own hosts before the server lines start.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd chronyd
e2e_require_netns
e2e_timeout 120 "$@"
NTPD="$B/ntpd"
NTPCTL="$B/ntpctl"
[ -x "$NTPD" ] || skip "$NTPD is missing; run make"
is_placeholder ntpd && skip "applet ntpd is not built yet"

e2e_init
T=$E2E_TMP
mkdir -m 700 "$T/chrony"
P=$((24000 + ($$ % 4000) * 10 + 7))

ns_add pool
ns_resolv pool "nameserver 127.0.0.1" "options timeout:1 attempts:1"
HOSTS="/etc/netns/$(ns pool)/hosts"
printf '127.0.0.1 localhost\n127.0.0.2 pool.edgebox.test\n127.0.0.1 init.edgebox.test\n' \
    >"$HOSTS"

# chronyd_up NAME ADDRESS PORT: a chronyd -x serving local stratum 5 on ADDRESS.
chronyd_up() {
	{
		echo "local stratum 5"
		echo "allow 127.0.0.0/8"
		echo "port $3"
		echo "bindaddress $2"
		echo "cmdport 0"
		echo "bindcmdaddress $T/chrony/$1.sock"
		echo "pidfile $T/chrony/$1.pid"
		echo "driftfile $T/chrony/$1.drift"
		echo "user root"
	} >"$T/$1.conf"
	daemon_start pool "$T/$1.log" chronyd -x -d -f "$T/$1.conf"
}

chronyd_up a 127.0.0.2 "$P"
A_PID=$E2E_PID
chronyd_up b 127.0.0.3 "$P"
chronyd_up init 127.0.0.1 123

# --- initstepslew polls its own host first --------------------------------

daemon_start pool "$T/ntpd.log" "$NTPD" -x -d -t 100 "initstepslew 0.5 init.edgebox.test" \
    "pool pool.edgebox.test port $P maxsources 2 minpoll -2 maxpoll -2" \
    "bindcmdaddress $T/ntpd.sock" "port 0"
NTPD_PID=$E2E_PID
# line_of REGEX: the number of the first line of the ntpd log that matches, or 0.
line_of() {
	_n=$(grep -n "$1" "$T/ntpd.log" | head -n 1 | cut -d: -f1)
	echo "${_n:-0}"
}
if wait_until 15 file_has "$T/ntpd.log" 'added NTP source 127\.0\.0\.2 port' &&
    file_has "$T/ntpd.log" 'initstepslew: clock off by [-+]0\.0.* left alone (read-only)' &&
    [ "$(line_of 'added NTP source 127\.0\.0\.1 port 123')" -gt 0 ] &&
    [ "$(line_of 'added NTP source 127\.0\.0\.1 port 123')" -lt "$(line_of 'initstepslew: clock off')" ] &&
    [ "$(line_of 'initstepslew: clock off')" -lt "$(line_of 'added NTP source 127\.0\.0\.2')" ]; then
	pass "initstepslew measures its own host before the pool is used"
else
	fail "initstepslew measures its own host before the pool is used" "$(cat "$T/ntpd.log")"
fi

# --- a pool with too few addresses is looked up again ----------------------

if wait_until 5 file_has "$T/ntpd.log" 'retrying pool\.edgebox\.test in 8 seconds'; then
	pass "a pool with one address of maxsources 2 is retried"
else
	fail "a pool with one address of maxsources 2 is retried" "$(cat "$T/ntpd.log")"
fi
echo "127.0.0.3 pool.edgebox.test" >>"$HOSTS"

# has_sources WANT UNWANTED: ntpctl sources lists WANT and not UNWANTED (regexes).
has_sources() {
	ns_exec pool "$NTPCTL" -h "$T/ntpd.sock" sources >"$T/sources.out" 2>&1 &&
	    file_has "$T/sources.out" "$1" && ! file_has "$T/sources.out" "$2"
}
if wait_until 15 has_sources '^\^[*+] 127\.0\.0\.3 ' 'no-such-line'; then
	pass "the second address is added on a later lookup"
else
	fail "the second address is added on a later lookup" \
	    "$(cat "$T/sources.out" "$T/ntpd.log")"
fi

# --- a member that stops replying is replaced ------------------------------

daemon_stop "$A_PID"
echo "127.0.0.4 pool.edgebox.test" >>"$HOSTS"
chronyd_up c 127.0.0.4 "$P"
if wait_until 15 has_sources '^\^[*+] 127\.0\.0\.4 ' ' 127\.0\.0\.2 ' &&
    file_has "$T/ntpd.log" 'NTP source 127\.0\.0\.2 of pool\.edgebox\.test is unreachable' &&
    file_has "$T/ntpd.log" 'replacing NTP source 127\.0\.0\.2 of pool\.edgebox\.test'; then
	pass "the unreachable member 127.0.0.2 is replaced by 127.0.0.4"
else
	fail "the unreachable member 127.0.0.2 is replaced by 127.0.0.4" \
	    "$(cat "$T/sources.out" "$T/ntpd.log")"
fi
check "ntpd keeps running" daemon_alive "$NTPD_PID"
daemon_stop "$NTPD_PID"

exit "$E2E_FAIL"
