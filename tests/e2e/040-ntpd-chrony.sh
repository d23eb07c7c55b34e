#!/bin/sh
# ntpd against chronyd on loopback.  A chronyd with "local stratum 3" is
# the upstream, ntpd -x synchronises to it and serves time, and chronyd -Q
# then measures ntpd as a server, as ntpsec's ntpdig does in a private
# namespace.  Every daemon runs with -x (or -Q) and ntpdig gets neither
# -S nor -s, so the clock of this machine is never changed.  ntpd -p, which opens no
# socket, is checked on config errors and on the reference configs.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd chronyd awk
[ "$(id -u)" -eq 0 ] || skip "chronyd keeps its sockets only as root"
e2e_timeout 210 "$@"
NTPD="$B/ntpd"
NTPCTL="$B/ntpctl"
[ -x "$NTPD" ] || skip "$NTPD is missing; run make"
is_placeholder ntpd && skip "applet ntpd is not built yet"

e2e_init
T=$E2E_TMP
# chronyd refuses a socket folder that others can write or that it does not own.
mkdir -m 700 "$T/chrony"

# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; each script has its own band of 4000.
BASE=$((14000 + ($$ % 400) * 10))
P_UP=$BASE		# chronyd upstream
P_NTPD=$((BASE + 1))	# ntpd as a server
P_BARE=$((BASE + 2))	# ntpd with no source and no local stratum
P_UP2=$((BASE + 3))	# second chronyd upstream, on 127.0.0.2
P_FAKE=$((BASE + 4))	# a server 5 s ahead, on 127.0.0.3
P_SEL=$((BASE + 5))	# ntpd choosing among the three
P_HOOK=$((BASE + 6))	# chronyd upstream that stops, for the hooks

# chronyd_conf NAME LINE...: a private chronyd config with its own pid, drift and socket.
chronyd_conf() {
	_name=$1
	shift
	{
		printf '%s\n' "$@"
		echo "cmdport 0"
		echo "bindcmdaddress $T/chrony/$_name.sock"
		echo "pidfile $T/chrony/$_name.pid"
		echo "driftfile $T/chrony/$_name.drift"
		echo "user root"
	} >"$T/$_name.conf"
}

# chronyd_q NAME: run chronyd -Q on config NAME (which must exist), log in NAME.log.
chronyd_q() {
	[ -f "$T/$1.conf" ] || return 1
	timeout 30 chronyd -Q -t 10 -f "$T/$1.conf" >"$T/$1.log" 2>&1
}

# offset_of LOG: the seconds from "System clock wrong by X seconds".
offset_of() {
	sed -n 's/.*System clock wrong by \([-+0-9.e]*\) seconds.*/\1/p' "$1" | tail -n 1
}

# is_below X LIMIT: succeed when |X| < LIMIT.
is_below() {
	[ -n "$1" ] && awk -v x="$1" -v l="$2" 'BEGIN { exit !((x < 0 ? -x : x) < l) }'
}

# --- config checks (no sockets) ------------------------------------------

printf 'server 127.0.0.1 iburst\nfrobnicate 1\nmakestep 1\nallow 300.1.2.3\n' >"$T/bad.conf"
"$NTPD" -p -f "$T/bad.conf" >"$T/bad.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/bad.out" "$T/bad.conf:2: .*frobnicate" &&
    file_has "$T/bad.out" "$T/bad.conf:3: .*makestep" &&
    file_has "$T/bad.out" "$T/bad.conf:4: .*300.1.2.3"; then
	pass "ntpd -p reports every config error as FILE:LINE and exits 1"
else
	fail "ntpd -p reports every config error as FILE:LINE and exits 1" \
	    "exit $rc: $(cat "$T/bad.out")"
fi

for f in tests/data/chrony-server.conf tests/data/chrony-client.conf; do
	if "$NTPD" -p -f "$f" >"$T/p.out" 2>&1 && file_has "$T/p.out" '^pool '; then
		pass "ntpd -p accepts $(basename "$f") unchanged"
	else
		fail "ntpd -p accepts $(basename "$f") unchanged" "$(cat "$T/p.out")"
	fi
done

"$NTPCTL" >"$T/usage.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/usage.out" '^usage: ntpctl'; then
	pass "ntpctl without a command prints usage"
else
	fail "ntpctl without a command prints usage" "exit $rc: $(cat "$T/usage.out")"
fi

"$NTPCTL" -h "$T/none.sock" waitsync 2 0 0 0.2 >"$T/nowait.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c 'cannot connect' "$T/nowait.out")" -eq 2 ]; then
	pass "waitsync without ntpd gives up after its 2 tries"
else
	fail "waitsync without ntpd gives up after its 2 tries" "exit $rc: $(cat "$T/nowait.out")"
fi

# --- the time floor on disk (ntpd -x: the clock is never changed) ----------
# A time file a day ahead makes -s want to step forward; -x keeps the clock.
# A corrupt drift file and a time file that cannot be written each log a
# warning, and ntpd runs on.

echo $(($(date +%s) + 86400)) >"$T/ahead.time"
timeout 10 "$NTPD" -x -d -s -t 1 "timefile $T/ahead.time" "port 0" \
    "bindcmdaddress $T/floor.sock" >"$T/floor.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && file_has "$T/floor.log" '-s: clock is 86[34][0-9][0-9] seconds behind'; then
	pass "ntpd -x -s finds the clock a day behind the time file and leaves it"
else
	fail "ntpd -x -s finds the clock a day behind the time file and leaves it" \
	    "exit $rc: $(cat "$T/floor.log")"
fi

echo "not a number" >"$T/corrupt.drift"
echo "garbage" >"$T/corrupt.time"
timeout 10 "$NTPD" -x -d -s -t 1 "driftfile $T/corrupt.drift" "timefile $T/corrupt.time" \
    "port 0" "bindcmdaddress $T/floor.sock" >"$T/corrupt.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c 'drift file .* is not' "$T/corrupt.log")" -eq 1 ] &&
    [ "$(grep -c 'invalid time file' "$T/corrupt.log")" -eq 1 ]; then
	pass "corrupt drift and time files log one warning each and ntpd runs on"
else
	fail "corrupt drift and time files log one warning each and ntpd runs on" \
	    "exit $rc: $(cat "$T/corrupt.log")"
fi

# --- chronyd upstream and ntpd -x synchronising to it --------------------

chronyd_conf up "local stratum 3" "allow 127.0.0.1" "port $P_UP"
local_start "$T/up.log" chronyd -x -d -f "$T/up.conf"
UP_PID=$E2E_PID

{
	echo "server 127.0.0.1 port $P_UP iburst"
	echo "allow 127.0.0.1"
	echo "port $P_NTPD"
	echo "bindaddress 127.0.0.1"
	echo "bindcmdaddress $T/ntpd.sock"
	echo "pidfile $T/ntpd.pid"
	echo "driftfile $T/ntpd.drift"
	echo "timefile $T/ntpd.time"
	echo "cmdport 0"
} >"$T/ntpd.conf"
local_start "$T/ntpd.log" "$NTPD" -x -d -f "$T/ntpd.conf"
NTPD_PID=$E2E_PID

is_synced() {
	"$NTPCTL" -h "$T/ntpd.sock" tracking >"$T/tracking.out" 2>&1 &&
	    file_has "$T/tracking.out" '^Leap status     : Normal$'
}

if wait_until 15 is_synced; then
	pass "ntpd -x synchronises to chronyd within 15 s"
else
	fail "ntpd -x synchronises to chronyd within 15 s" \
	    "$(cat "$T/tracking.out" "$T/ntpd.log" 2>/dev/null | tail -n 20)"
fi
check "tracking names 127.0.0.1 as the reference" \
    file_has "$T/tracking.out" '^Reference ID    : 7F000001 (127.0.0.1)$'
check "tracking reports stratum 4 under a stratum 3 server" \
    file_has "$T/tracking.out" '^Stratum         : 4$'
r=$(init_rss "$NTPD_PID")
[ "$r" = none ] || check "a running ntpd holds no init code ($r KiB)" test "$r" = 0

"$NTPCTL" -h "$T/ntpd.sock" sources >"$T/sources.out" 2>&1
if file_has "$T/sources.out" '^\^\* 127\.0\.0\.1  *3  ' &&
    file_has "$T/sources.out" '^MS Name/IP address         Stratum Poll Reach LastRx Last sample'; then
	pass "sources lists the upstream as the selected source"
else
	fail "sources lists the upstream as the selected source" "$(cat "$T/sources.out")"
fi

"$NTPCTL" -h "$T/ntpd.sock" sourcestats >"$T/stats.out" 2>&1
check "sourcestats has a row for the upstream" file_has "$T/stats.out" '^127\.0\.0\.1  '

if "$NTPCTL" -h "$T/ntpd.sock" waitsync 3 0.01 0 1 >"$T/waitsync.out" 2>&1; then
	pass "waitsync returns 0 once synchronised"
else
	fail "waitsync returns 0 once synchronised" "$(cat "$T/waitsync.out")"
fi

# --- the same layout as chronyc --------------------------------------------

if command -v chronyc >/dev/null 2>&1; then
	chronyc -h "$T/chrony/up.sock" tracking >"$T/ref-tracking.out" 2>&1
	chronyc -h "$T/chrony/up.sock" sources >"$T/ref-sources.out" 2>&1
	cut -c1-18 "$T/ref-tracking.out" >"$T/ref-fields"
	cut -c1-18 "$T/tracking.out" >"$T/our-fields"
	if [ -s "$T/ref-fields" ] && cmp -s "$T/ref-fields" "$T/our-fields"; then
		pass "tracking has chronyc's field names in chronyc's order"
	else
		fail "tracking has chronyc's field names in chronyc's order" \
		    "$(show_diff "$T/ref-fields" "$T/our-fields")"
	fi
	head -n 2 "$T/ref-sources.out" >"$T/ref-head"
	head -n 2 "$T/sources.out" >"$T/our-head"
	if [ -s "$T/ref-head" ] && cmp -s "$T/ref-head" "$T/our-head"; then
		pass "sources has chronyc's header"
	else
		fail "sources has chronyc's header" "$(show_diff "$T/ref-head" "$T/our-head")"
	fi
fi

# --- malformed requests to the server --------------------------------------

python3 - "$P_NTPD" <<'PYEOF'
import os, random, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
random.seed(4)
for n in list(range(0, 48, 3)) + [47, 49, 50, 51]:
    s.sendto(os.urandom(n), ("127.0.0.1", int(sys.argv[1])))
# Well-formed but not a request: mode 4 and version 0.
s.sendto(bytes([0x24]) + bytes(47), ("127.0.0.1", int(sys.argv[1])))
s.sendto(bytes([0x03]) + bytes(47), ("127.0.0.1", int(sys.argv[1])))
PYEOF
sleep 0.5
"$NTPCTL" -h "$T/ntpd.sock" serverstats >"$T/malformed.out" 2>&1
if daemon_alive "$NTPD_PID" &&
    awk -F: '/^NTP packets dropped/ { n = $2 + 0 } END { exit !(n >= 22) }' "$T/malformed.out"; then
	pass "ntpd drops and counts 22 malformed requests"
else
	fail "ntpd drops and counts 22 malformed requests" "$(cat "$T/malformed.out")"
fi

# --- chronyd -Q measures ntpd as a server ---------------------------------

chronyd_conf q "server 127.0.0.1 port $P_NTPD iburst"
chronyd_q q
off=$(offset_of "$T/q.log")
if is_below "$off" 0.001; then
	pass "chronyd -Q measures ntpd's time within 1 ms ($off s)"
else
	fail "chronyd -Q measures ntpd's time within 1 ms" "$(cat "$T/q.log")"
fi

"$NTPCTL" -h "$T/ntpd.sock" serverstats >"$T/serverstats.out" 2>&1
if awk -F: '/^NTP replies sent/ { n = $2 + 0 } END { exit !(n >= 1) }' "$T/serverstats.out"; then
	pass "serverstats counts the replies to chronyd"
else
	fail "serverstats counts the replies to chronyd" "$(cat "$T/serverstats.out")"
fi

# --- chronyc's other commands: activity, clients, makestep, burst, online ---
# A chronyd -x client of the same upstream is the reference.  chronyc
# queries it and ntpctl queries ntpd, and their -c reports must have the
# same fields of the same kinds.  A second ntpd -x polls every 0.5 s, so
# that offline and online show within seconds.  It runs under strace,
# which records every call that could change the clock.

chronyd_conf cl "server 127.0.0.1 port $P_UP iburst minpoll 0 maxpoll 0" "port 0"
local_start "$T/cl.log" chronyd -x -d -f "$T/cl.conf"
CL_PID=$E2E_PID
CLOCK_CALLS=clock_settime,settimeofday,adjtimex,clock_adjtime
CLOCK_RE="($(echo $CLOCK_CALLS | tr , '|'))\\("
TRACE=
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: a sanitizer build's ntpd would
	# report that as an error, so its leak check is off for this one run.
	TRACE="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	TRACE="$TRACE strace -f -q -e signal=none -e trace=$CLOCK_CALLS -o $T/act.strace"
fi
local_start "$T/act.log" $TRACE "$NTPD" -x -d -t 90 \
    "server 127.0.0.1 port $P_UP minpoll -1 maxpoll -1" "bindcmdaddress $T/act.sock" \
    "pidfile $T/act.pid" "port 0"
ACT_PID=$E2E_PID
ACTCTL="$NTPCTL -h $T/act.sock"
activity_has() {
	$ACTCTL -c activity >"$T/act.csv" 2>&1 && file_has "$T/act.csv" "^$1\$"
}
chronyc_cl() {
	timeout 5 chronyc -h "$T/chrony/cl.sock" "$@"
}
cl_synced() {
	chronyc_cl -c sources 2>/dev/null | grep -q '^\^,\*,'
}
act_synced() {
	$ACTCTL -c sources 2>/dev/null | grep -q '^\^,\*,'
}
if wait_until 20 cl_synced && wait_until 10 act_synced; then
	pass "a chronyd -x and a second ntpd -x select the upstream"
else
	fail "a chronyd -x and a second ntpd -x select the upstream" \
	    "$(cat "$T/cl.log" "$T/act.log")"
fi

# csv_kinds FILE: each line's fields as kinds (hex, integer, decimal with
# its number of places, text), so that two reports with other values compare.
csv_kinds() {
	awk -F, '{
		out = ""
		for (i = 1; i <= NF; i++) {
			f = $i
			if (f ~ /^[0-9A-F]{8}$/ && f ~ /[A-F]/) k = "H"
			else if (f ~ /^-?[0-9]+$/) k = "I"
			else if (f ~ /^-?[0-9]+\.[0-9]+$/) { split(f, p, "."); k = "D" length(p[2]) }
			else if (f ~ /^[0-9.]+$/ || f ~ /:/) k = "A"
			else k = "T"
			out = out (i > 1 ? "," : "") k
		}
		print out
	}' "$1"
}

# same_csv WHAT REF OURS: PASS when both reports have lines of the same kinds.
same_csv() {
	csv_kinds "$2" >"$2.kinds"
	csv_kinds "$3" >"$3.kinds"
	if [ -s "$2.kinds" ] && cmp -s "$2.kinds" "$3.kinds"; then
		pass "$1"
	else
		fail "$1" "$(cat "$2" "$3"; show_diff "$2.kinds" "$3.kinds")"
	fi
}

for cmd in tracking sources sourcestats activity; do
	chronyc_cl -c $cmd >"$T/ref-c-$cmd.out" 2>&1
	$ACTCTL -c $cmd >"$T/c-$cmd.out" 2>&1
	same_csv "$cmd -c has chronyc -c's fields" "$T/ref-c-$cmd.out" "$T/c-$cmd.out"
done
check "tracking -c names the reference by address" \
    file_has "$T/c-tracking.out" '^7F000001,127\.0\.0\.1,4,[0-9]*\.[0-9]\{9\},.*,Normal$'

# Both count an iburst as a burst: wait until both have ended theirs.
wait_until 15 sh -c "timeout 5 chronyc -h '$T/chrony/cl.sock' -c activity | grep -q '^1,0,0,0,0\$'"
wait_until 15 activity_has 1,0,0,0,0
chronyc_cl activity >"$T/ref-activity.out" 2>&1
$ACTCTL activity >"$T/activity.out" 2>&1
if [ -s "$T/ref-activity.out" ] && cmp -s "$T/ref-activity.out" "$T/activity.out"; then
	pass "activity prints what chronyc prints for one online source"
else
	fail "activity prints what chronyc prints for one online source" \
	    "$(show_diff "$T/ref-activity.out" "$T/activity.out")"
fi

for cmd in sources sourcestats; do
	chronyc_cl -n $cmd -v >"$T/ref-v-$cmd.out" 2>&1
	$ACTCTL -n $cmd -v >"$T/v-$cmd.out" 2>&1
	grep -v '^[\^]\|^127' "$T/ref-v-$cmd.out" >"$T/ref-v-$cmd.head"
	grep -v '^[\^]\|^127' "$T/v-$cmd.out" >"$T/v-$cmd.head"
	if [ -s "$T/ref-v-$cmd.head" ] && cmp -s "$T/ref-v-$cmd.head" "$T/v-$cmd.head"; then
		pass "$cmd -v has chronyc's legend and header"
	else
		fail "$cmd -v has chronyc's legend and header" \
		    "$(show_diff "$T/ref-v-$cmd.head" "$T/v-$cmd.head")"
	fi
done

# clients: the upstream chronyd and ntpd (queried by chronyd -Q above) both
# list 127.0.0.1 as a client, and their columns must end at the same places.
timeout 5 chronyc -h "$T/chrony/up.sock" -n clients >"$T/ref-clients.out" 2>&1
timeout 5 chronyc -h "$T/chrony/up.sock" -c clients >"$T/ref-c-clients.out" 2>&1
"$NTPCTL" -h "$T/ntpd.sock" clients >"$T/clients.out" 2>&1
"$NTPCTL" -h "$T/ntpd.sock" -c clients >"$T/c-clients.out" 2>&1
column_ends() {
	awk -v want="$2" '$1 == want {
		out = ""
		for (i = 1; i <= length($0); i++)
			if (substr($0, i, 1) != " " && (i == length($0) || substr($0, i + 1, 1) == " "))
				out = out " " i
		print out
		exit
	}' "$1"
}
head -n 2 "$T/ref-clients.out" >"$T/ref-clients.head"
head -n 2 "$T/clients.out" >"$T/clients.head"
ref_ends=$(column_ends "$T/ref-clients.out" 127.0.0.1)
our_ends=$(column_ends "$T/clients.out" 127.0.0.1)
if cmp -s "$T/ref-clients.head" "$T/clients.head" && [ -n "$ref_ends" ] &&
    [ "$ref_ends" = "$our_ends" ]; then
	pass "clients has chronyc's header and columns"
else
	fail "clients has chronyc's header and columns" \
	    "$(cat "$T/ref-clients.out" "$T/clients.out")"
fi
same_csv "clients -c has chronyc -c's fields" "$T/ref-c-clients.out" "$T/c-clients.out"
if awk -F, '$1 == "127.0.0.1" && $2 >= 1 { found = 1 } END { exit !found }' "$T/c-clients.out"; then
	pass "clients counts the requests of chronyd -Q"
else
	fail "clients counts the requests of chronyd -Q" "$(cat "$T/c-clients.out")"
fi

# makestep: chronyd -x and ntpd -x both reply "500 Failure" without
# arguments and "200 OK" with them, and neither changes the clock.
for args in "" "0.1 1"; do
	chronyc_cl makestep $args >"$T/ref-makestep.out" 2>&1
	ref_rc=$?
	$ACTCTL makestep $args >"$T/makestep.out" 2>&1
	rc=$?
	what="makestep${args:+ $args} answers as chronyd -x does"
	if [ -s "$T/makestep.out" ] && cmp -s "$T/ref-makestep.out" "$T/makestep.out" &&
	    [ "$rc" -eq "$ref_rc" ]; then
		pass "$what: $(cat "$T/makestep.out")"
	else
		fail "$what" "chronyc exit $ref_rc: $(cat "$T/ref-makestep.out");" \
		    "ntpctl exit $rc: $(cat "$T/makestep.out")"
	fi
done
$ACTCTL makestep -1 1 >"$T/badstep.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/badstep.out" "invalid makestep arguments '-1 1'"; then
	pass "makestep with a negative threshold names the arguments"
else
	fail "makestep with a negative threshold names the arguments" \
	    "exit $rc: $(cat "$T/badstep.out")"
fi

# burst, offline and online, as the activity counts and LastRx show them.
# last_rx: seconds since the source's last sample.
last_rx() {
	$ACTCTL -c sources 2>/dev/null | awk -F, 'NR == 1 { print $7 }'
}
if $ACTCTL burst 2/4 >"$T/burst.out" 2>&1 && file_has "$T/burst.out" '^200 OK$' &&
    activity_has 0,0,1,0,0 && wait_until 15 activity_has 1,0,0,0,0; then
	pass "burst 2/4 runs and the source returns to online"
else
	fail "burst 2/4 runs and the source returns to online" "$(cat "$T/burst.out" "$T/act.csv")"
fi
chronyc_cl burst 1/2 127.0.0.9 >"$T/ref-nosource.out" 2>&1
ref_rc=$?
$ACTCTL burst 1/2 127.0.0.9 >"$T/nosource.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && [ "$ref_rc" -eq 1 ] && cmp -s "$T/ref-nosource.out" "$T/nosource.out"; then
	pass "burst to an unknown address: $(cat "$T/nosource.out"), as chronyc"
else
	fail "burst to an unknown address fails as chronyc" \
	    "chronyc exit $ref_rc: $(cat "$T/ref-nosource.out"); ntpctl exit $rc: $(cat "$T/nosource.out")"
fi

$ACTCTL offline 127.0.0.0/8 >"$T/offline.out" 2>&1
sleep 3
rx=$(last_rx)
if file_has "$T/offline.out" '^200 OK$' && activity_has 0,1,0,0,0 && [ "${rx:-0}" -ge 2 ]; then
	pass "offline 127.0.0.0/8 stops the polls (last sample ${rx} s ago)"
else
	fail "offline 127.0.0.0/8 stops the polls" "$(cat "$T/offline.out" "$T/act.csv"); LastRx '$rx'"
fi
if $ACTCTL burst 3/3 >/dev/null 2>&1 && activity_has 0,0,0,1,0 &&
    wait_until 10 activity_has 0,1,0,0,0; then
	pass "a burst while offline returns to offline"
else
	fail "a burst while offline returns to offline" "$(cat "$T/act.csv")"
fi
polled_again() {
	rx=$(last_rx)
	[ -n "$rx" ] && [ "$rx" -le 1 ]
}
if $ACTCTL online 255.0.0.0/127.0.0.0 >"$T/online.out" 2>&1 &&
    file_has "$T/online.out" '^200 OK$' && activity_has 1,0,0,0,0 && wait_until 5 polled_again; then
	pass "online MASK/ADDRESS starts the polls again"
else
	fail "online MASK/ADDRESS starts the polls again" "$(cat "$T/online.out" "$T/act.csv")"
fi
$ACTCTL offline 192.0.2.0/24 >"$T/offline-none.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/offline-none.out" '^503 No such source$'; then
	pass "offline of a subnet without sources: 503 No such source"
else
	fail "offline of a subnet without sources: 503 No such source" \
	    "exit $rc: $(cat "$T/offline-none.out")"
fi

# Stop ntpd itself; strace then ends with it.
daemon_stop "$(cat "$T/act.pid" 2>/dev/null)"
daemon_stop "$ACT_PID"
daemon_stop "$CL_PID"
if [ -n "$TRACE" ]; then
	if ! file_has "$T/act.strace" 'exited with'; then
		fail "ntpd -x makes no call that sets or adjusts the clock" \
		    "strace recorded no exit: $(cat "$T/act.strace" "$T/act.log")"
	elif grep -E "^[0-9]+ +$CLOCK_RE" "$T/act.strace" >"$T/act.calls"; then
		fail "ntpd -x makes no call that sets or adjusts the clock" "$(cat "$T/act.calls")"
	else
		pass "ntpd -x makes no call that sets or adjusts the clock"
	fi
	# The same strace records such a call: a read-only adjtimex from python
	# (glibc makes it a clock_adjtime call).
	strace -qq -e signal=none -e trace=$CLOCK_CALLS -o "$T/probe.strace" python3 -c \
	    'import ctypes; b = ctypes.create_string_buffer(512); ctypes.CDLL(None).adjtimex(b)'
	check "strace records the clock calls of a probe" grep -Eq "^$CLOCK_RE" "$T/probe.strace"
else
	echo "note: strace is not installed; the clock calls of ntpd -x are not checked"
fi

# --- ntpd -Q against chronyd, side by side with chronyd -Q ----------------

timeout 30 "$NTPD" -Q -t 20 "server 127.0.0.1 port $P_UP iburst" >"$T/nq.log" 2>&1
rc=$?
noff=$(offset_of "$T/nq.log")
chronyd_conf cq "server 127.0.0.1 port $P_UP iburst"
chronyd_q cq
coff=$(offset_of "$T/cq.log")
if [ "$rc" -eq 0 ] && is_below "$noff" 0.001 && is_below "$coff" 0.001; then
	pass "ntpd -Q and chronyd -Q both measure under 1 ms ($noff s, $coff s)"
else
	fail "ntpd -Q and chronyd -Q both measure under 1 ms" \
	    "ntpd exit $rc: $(cat "$T/nq.log"); chronyd: $(cat "$T/cq.log")"
fi

# --- a falseticker among three sources ------------------------------------
# Two chronyd servers agree; a small server 5 s ahead must be rejected.

chronyd_conf up2 "local stratum 3" "allow 127.0.0.1" "port $P_UP2" "bindaddress 127.0.0.2"
local_start "$T/up2.log" chronyd -x -d -f "$T/up2.conf"
cat >"$T/fake.py" <<'PYEOF'
import socket, struct, sys, time
# Reply to NTP client requests with the time 5 s ahead, stratum 2.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.3", int(sys.argv[1])))
def ntp(t):
    t += 2208988800 + 5.0
    return struct.pack("!II", int(t), int((t % 1) * 2**32))
while True:
    req, peer = s.recvfrom(512)
    if len(req) < 48 or req[0] & 7 != 3:
        continue
    rx = time.time()
    head = struct.pack("!BBbbII4s", 0x24, 2, 6, -20, 0, 0, b"FAKE")
    s.sendto(head + ntp(rx - 10) + req[40:48] + ntp(rx) + ntp(time.time()), peer)
PYEOF
local_start "$T/fake.log" python3 "$T/fake.py" "$P_FAKE"
local_start "$T/sel.log" "$NTPD" -x -d -t 60 "server 127.0.0.1 port $P_UP iburst" \
    "server 127.0.0.2 port $P_UP2 iburst" "server 127.0.0.3 port $P_FAKE iburst" \
    "bindcmdaddress $T/sel.sock" "port 0"
has_falseticker() {
	"$NTPCTL" -h "$T/sel.sock" sources >"$T/sel.out" 2>&1 &&
	    file_has "$T/sel.out" '^\^x 127\.0\.0\.3 ' &&
	    file_has "$T/sel.out" '^\^[*+-] 127\.0\.0\.1 ' &&
	    file_has "$T/sel.out" '^\^[*+-] 127\.0\.0\.2 '
}
# Under load a chronyd may be shown '-' (acceptable but not combined); what
# matters is that neither of them is rejected.
if wait_until 15 has_falseticker; then
	pass "the server 5 s ahead is marked x, neither chronyd is"
else
	fail "the server 5 s ahead is marked x, neither chronyd is" \
	    "$(cat "$T/sel.out" "$T/sel.log")"
fi
sel_synced() {
	"$NTPCTL" -h "$T/sel.sock" tracking >"$T/sel.tracking" 2>&1 &&
	    file_has "$T/sel.tracking" '^Leap status     : Normal$'
}
check "ntpd -x synchronises with the falseticker among its sources" wait_until 10 sel_synced
sys=$(sed -n 's/^System time     : \([0-9.]*\) seconds.*/\1/p' "$T/sel.tracking")
if is_below "$sys" 0.001; then
	pass "the falseticker does not move the measured offset ($sys s)"
else
	fail "the falseticker does not move the measured offset" "$(cat "$T/sel.tracking")"
fi
# Checked with Telegraf's parser below: the falseticker is a peer not valid.
"$NTPCTL" -h "$T/sel.sock" -s all >"$T/sel-openntpd.out" 2>&1

# --- hooks and the marker file on sync and loss of sync --------------------
# ntpd -x polls a chronyd every 0.25 s; when that chronyd stops, eight
# unanswered polls end the synchronisation.  A hook writes its argument and
# environment to a file.

mkdir "$T/hooks"
printf '#!/bin/sh\n{ echo "arg=$1"; env | grep "^EDGEBOX_" | sort; echo end; } >>"%s"\n' \
    "$T/hook.out" >"$T/hooks/50-record"
chmod 755 "$T/hooks/50-record"
chronyd_conf hookup "local stratum 3" "allow 127.0.0.1" "port $P_HOOK"
local_start "$T/hookup.log" chronyd -x -d -f "$T/hookup.conf"
HOOKUP_PID=$E2E_PID
local_start "$T/hookntpd.log" "$NTPD" -x -d -t 60 \
    "server 127.0.0.1 port $P_HOOK minpoll -2 maxpoll -2" "hookdir $T/hooks" \
    "syncfile $T/ntpd.synced" "bindcmdaddress $T/hook.sock" "port 0"
HOOKNTPD_PID=$E2E_PID
if wait_until 10 test -f "$T/ntpd.synced" && file_has "$T/ntpd.synced" '^127\.0\.0\.1$'; then
	pass "the marker file names the source once ntpd -x is synchronised"
else
	fail "the marker file names the source once ntpd -x is synchronised" \
	    "$(cat "$T/hookntpd.log")"
fi
if wait_until 5 file_has "$T/hook.out" '^end$' && file_has "$T/hook.out" '^arg=sync$' &&
    file_has "$T/hook.out" '^EDGEBOX_EVENT=sync$' &&
    file_has "$T/hook.out" '^EDGEBOX_SOURCE=127\.0\.0\.1$' &&
    file_has "$T/hook.out" '^EDGEBOX_NEW_TIME=[0-9]*\.[0-9]\{9\}$' &&
    file_has "$T/hook.out" '^EDGEBOX_OFFSET=[-+]0\.00' && ! file_has "$T/hook.out" 'step'; then
	pass "the hook runs on sync with the source, times and offset, and no step under -x"
else
	fail "the hook runs on sync with the source, times and offset, and no step under -x" \
	    "$(cat "$T/hook.out" "$T/hookntpd.log" 2>/dev/null)"
fi
daemon_stop "$HOOKUP_PID"
lost_sync() {
	[ ! -e "$T/ntpd.synced" ] && file_has "$T/hook.out" '^EDGEBOX_EVENT=unsync$'
}
if wait_until 10 lost_sync && daemon_alive "$HOOKNTPD_PID" &&
    file_has "$T/hook.out" '^EDGEBOX_REASON=no selectable sources$' &&
    [ "$(grep -c '^end$' "$T/hook.out")" -eq 2 ]; then
	pass "losing the source removes the marker and runs the hook once for unsync"
else
	fail "losing the source removes the marker and runs the hook once for unsync" \
	    "$(cat "$T/hook.out" "$T/hookntpd.log" 2>/dev/null)"
fi
daemon_stop "$HOOKNTPD_PID"

# --- ratelimit: a burst, then drops and RATE kisses ------------------------

P_RL=$((BASE + 7))
local_start "$T/rl.log" "$NTPD" -x -d -t 60 "local stratum 5" "allow 127.0.0.1" \
    "port $P_RL" "bindaddress 127.0.0.1" "ratelimit interval 3 burst 4 leak 2" \
    "bindcmdaddress $T/rl.sock"
wait_until 5 test -S "$T/rl.sock"
python3 - "$P_RL" >"$T/rl.out" <<'PYEOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
normal = kod = other = 0
sizes = set()
for i in range(12):
    req = bytes([0x23]) + bytes(39) + struct.pack("!Q", 1000 + i)
    s.sendto(req, ("127.0.0.1", int(sys.argv[1])))
    try:
        rep = s.recv(512)
    except socket.timeout:
        continue
    sizes.add(len(rep))
    if rep[1] == 0 and rep[12:16] == b"RATE" and rep[24:32] == req[40:48]:
        kod += 1
    elif rep[1] == 5 and rep[24:32] == req[40:48]:
        normal += 1
    else:
        other += 1
print("normal=%d kod=%d other=%d sizes=%s" % (normal, kod, other, sorted(sizes)))
PYEOF
if file_has "$T/rl.out" '^normal=4 kod=2 other=0 sizes=\[48\]$'; then
	pass "ratelimit burst 4 leak 2: 4 replies, then 2 RATE kisses for 8 requests"
else
	fail "ratelimit burst 4 leak 2: 4 replies, then 2 RATE kisses for 8 requests" \
	    "$(cat "$T/rl.out" "$T/rl.log")"
fi
"$NTPCTL" -h "$T/rl.sock" serverstats >"$T/rl.stats" 2>&1
check "serverstats counts 8 rate limited requests" \
    file_has "$T/rl.stats" '^NTP packets rate limited   : 8$'

# --- an unsynchronised ntpd: chronyd finds no usable source ---------------

local_start "$T/bare.log" "$NTPD" -x -d -t 60 "allow 127.0.0.1" "port $P_BARE" \
    "bindcmdaddress $T/bare.sock"
wait_until 5 test -S "$T/bare.sock"
chronyd_conf bq "server 127.0.0.1 port $P_BARE iburst"
chronyd_q bq
if file_has "$T/bq.log" 'No suitable source' && [ -z "$(offset_of "$T/bq.log")" ]; then
	pass "an unsynchronised ntpd is not used as a source"
else
	fail "an unsynchronised ntpd is not used as a source" "$(cat "$T/bq.log")"
fi

# --- a name that resolves only later, inside a private namespace ----------
# The namespace has its own loopback and resolv.conf (a name server that
# does not exist), and ip netns exec mounts the hosts file written here
# over /etc/hosts, so a name resolves once this script adds it there.

if ip netns add "$E2E_ID-probe" 2>/dev/null; then
	ip netns del "$E2E_ID-probe"
	ns_add res
	ns_resolv res "nameserver 127.0.0.1" "options timeout:1 attempts:1"
	printf '127.0.0.1 localhost\n127.0.0.2 time.edgebox.test\n' >"/etc/netns/$(ns res)/hosts"
	chronyd_conf nsup "local stratum 5" "allow 127.0.0.1" "port $P_UP"
	daemon_start res "$T/nsup.log" chronyd -x -d -f "$T/nsup.conf"
	daemon_start res "$T/res.log" "$NTPD" -x -d -t 60 \
	    "pool ntp.edgebox.test port $P_UP iburst" "bindcmdaddress $T/res.sock"
	RES_PID=$E2E_PID
	if wait_until 10 file_has "$T/res.log" 'retrying ntp.edgebox.test in 8 seconds' &&
	    daemon_alive "$RES_PID"; then
		pass "an unresolvable name is retried and ntpd keeps running"
	else
		fail "an unresolvable name is retried and ntpd keeps running" "$(cat "$T/res.log")"
	fi
	ns_exec res "$NTPCTL" -h "$T/res.sock" -s all >"$T/res-unresolved.out" 2>&1
	if file_has "$T/res-unresolved.out" '^0/1 peers valid, clock unsynced$' &&
	    file_has "$T/res-unresolved.out" '^not resolved from pool ntp\.edgebox\.test$' &&
	    file_has "$T/res-unresolved.out" '^    1  2  -  *[0-8]s  *[248]s  *---- peer not valid ----$'; then
		pass "ntpctl -s all lists the unresolved pool as OpenNTPD does"
	else
		fail "ntpctl -s all lists the unresolved pool as OpenNTPD does" \
		    "$(cat "$T/res-unresolved.out")"
	fi
	# Append, so the file mounted over /etc/hosts shows the new line.
	echo "127.0.0.1 ntp.edgebox.test" >>"/etc/netns/$(ns res)/hosts"
	ns_synced() {
		ns_exec res "$NTPCTL" -h "$T/res.sock" tracking >"$T/res.out" 2>&1 &&
		    file_has "$T/res.out" '^Stratum         : 6$'
	}
	if wait_until 20 ns_synced; then
		pass "the pool name resolves on a retry and ntpd synchronises"
	else
		fail "the pool name resolves on a retry and ntpd synchronises" \
		    "$(cat "$T/res.out" "$T/res.log")"
	fi
	ns_exec res "$NTPCTL" -h "$T/res.sock" -s peers >"$T/res-peers.out" 2>&1
	check "ntpctl -s peers names the pool as OpenNTPD does" \
	    file_has "$T/res-peers.out" '^127\.0\.0\.1 from pool ntp\.edgebox\.test$'

	# ntpctl shows a server line's host name, and its address with -n and -c.
	daemon_start res "$T/named.log" "$NTPD" -x -d -t 60 \
	    "server time.edgebox.test port $P_UP iburst" "bindcmdaddress $T/named.sock" "port 0"
	named_ctl() {
		ns_exec res "$NTPCTL" -h "$T/named.sock" "$@"
	}
	named_synced() {
		named_ctl sources >"$T/named.out" 2>&1 &&
		    file_has "$T/named.out" '^\^\* time\.edgebox\.test  '
	}
	if wait_until 15 named_synced &&
	    named_ctl -n sources | grep -q '^\^\* 127\.0\.0\.2  ' &&
	    named_ctl -c sources | grep -q '^\^,\*,127\.0\.0\.2,' &&
	    named_ctl sourcestats | grep -q '^time\.edgebox\.test  '; then
		pass "sources shows the server's name, -n and -c its address"
	else
		fail "sources shows the server's name, -n and -c its address" \
		    "$(cat "$T/named.out" "$T/named.log")"
	fi
	if named_ctl tracking | grep -q '^Reference ID    : 7F000002 (time\.edgebox\.test)$' &&
	    named_ctl -n tracking | grep -q '^Reference ID    : 7F000002 (127\.0\.0\.2)$'; then
		pass "tracking names the reference, -n gives its address"
	else
		fail "tracking names the reference, -n gives its address" \
		    "$(named_ctl tracking 2>&1 | head -n 1) / $(named_ctl -n tracking 2>&1 | head -n 1)"
	fi
else
	echo "note: no network namespaces here; name resolution checks not run"
fi

# --- OpenNTPD's ntpctl -s, as Telegraf's openntpd input parses it ---------
# openntpd.py reads "ntpctl -s all" as Telegraf's parser does: the status
# line split at ", ", then after "peer" and its column header, two lines per
# peer, the second split at blanks (an optional "*", then wt tl st next poll
# offset delay jitter).  It prints the fields it found.

cat >"$T/openntpd.py" <<'PYEOF'
import sys
lines = [l for l in open(sys.argv[1]).read().split("\n") if l.strip()]
status, peers, section, i = {}, [], "", 0
while i < len(lines):
    line = lines[i].strip()
    i += 1
    if line in ("peer", "sensor"):
        section = line
        i += 1
        continue
    if section == "":
        for part in line.split(", "):
            if part.endswith("peers valid"):
                v, t = part.split()[0].split("/")
                status["peers_valid"], status["peers_total"] = int(v), int(t)
            elif part == "clock synced":
                status["clock_synced"] = 1
            elif part.startswith("stratum "):
                status["stratum"] = int(part[8:])
        status.setdefault("clock_synced", 0)
    elif section == "peer":
        head = line.split()
        f = lines[i].split()
        i += 1
        peer = {"remote": head[0] if head[0] != "not" else head[-1]}
        if "*" in f[0]:
            peer["state_prefix"] = f.pop(0)
        peer["stratum"] = f[2]
        for key, n in (("wt", 0), ("tl", 1), ("next", 3), ("poll", 4)):
            peer[key] = int(f[n].rstrip("s"))
        for key, n in (("offset", 5), ("delay", 6), ("jitter", 7)):
            if n < len(f) and f[n] not in ("-", "----", "peer", "not", "valid"):
                peer[key] = float(f[n][:-2] if f[n].endswith("ms") else "x")
        peers.append(peer)
print("status", " ".join("%s=%s" % kv for kv in sorted(status.items())))
for p in peers:
    print("peer", " ".join("%s=%s" % kv for kv in sorted(p.items())))
PYEOF
"$NTPCTL" -h "$T/ntpd.sock" -s all >"$T/openntpd-all.out" 2>&1
python3 "$T/openntpd.py" "$T/openntpd-all.out" >"$T/openntpd.fields" 2>&1
if file_has "$T/openntpd.fields" \
    '^status clock_synced=1 peers_total=1 peers_valid=1 stratum=4$'; then
	pass "ntpctl -s all: the status line parses as Telegraf's"
else
	fail "ntpctl -s all: the status line parses as Telegraf's" \
	    "$(cat "$T/openntpd-all.out" "$T/openntpd.fields")"
fi
if file_has "$T/openntpd.fields" \
    '^peer delay=[0-9.]* jitter=[0-9.]* next=[0-9]* offset=-\{0,1\}0\.[0-9]* poll=64 remote=127\.0\.0\.1 state_prefix=\* stratum=3 tl=\([6-9]\|10\) wt=1$'; then
	pass "ntpctl -s all: the peer's eight columns parse as Telegraf's"
else
	fail "ntpctl -s all: the peer's eight columns parse as Telegraf's" \
	    "$(cat "$T/openntpd-all.out" "$T/openntpd.fields")"
fi
python3 "$T/openntpd.py" "$T/sel-openntpd.out" >"$T/sel-openntpd.fields" 2>&1
if file_has "$T/sel-openntpd.fields" '^status clock_synced=1 peers_total=3 peers_valid=2 stratum=4$' &&
    file_has "$T/sel-openntpd.fields" '^peer next=[0-9]* poll=64 remote=127\.0\.0\.3 stratum=2 tl=[2-5] wt=1$' &&
    file_has "$T/sel-openntpd.out" '^ *1  [2-5]  2 .*  ---- peer not valid ----$'; then
	pass "ntpctl -s all: the falseticker is a peer not valid, as Telegraf reads it"
else
	fail "ntpctl -s all: the falseticker is a peer not valid, as Telegraf reads it" \
	    "$(cat "$T/sel-openntpd.out" "$T/sel-openntpd.fields")"
fi
"$NTPCTL" -h "$T/ntpd.sock" -s status >"$T/openntpd-status.out" 2>&1
"$NTPCTL" -h "$T/ntpd.sock" -s peers >"$T/openntpd-peers.out" 2>&1
if [ "$(cat "$T/openntpd-status.out")" = "1/1 peers valid, clock synced, stratum 4" ] &&
    file_has "$T/openntpd-peers.out" '^127\.0\.0\.1 $' &&
    [ "$(head -n 2 "$T/openntpd-peers.out")" = "$(printf 'peer\n   wt tl st  next  poll          offset       delay      jitter')" ]; then
	pass "ntpctl -s status and -s peers print OpenNTPD's lines"
else
	fail "ntpctl -s status and -s peers print OpenNTPD's lines" \
	    "$(cat "$T/openntpd-status.out" "$T/openntpd-peers.out")"
fi
"$NTPCTL" -h "$T/ntpd.sock" -s Sensors >"$T/openntpd-sensors.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$T/openntpd-sensors.out")" = "no sensors configured" ]; then
	pass "ntpctl -s Sensors: no sensors configured, as OpenNTPD without sensors"
else
	fail "ntpctl -s Sensors: no sensors configured, as OpenNTPD without sensors" \
	    "exit $rc: $(cat "$T/openntpd-sensors.out")"
fi
"$NTPCTL" -h "$T/ntpd.sock" -s bogus >"$T/openntpd-bad.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/openntpd-bad.out" "unknown -s report 'bogus'"; then
	pass "ntpctl -s with an unknown report names it"
else
	fail "ntpctl -s with an unknown report names it" "exit $rc: $(cat "$T/openntpd-bad.out")"
fi

# --- a server that never replies does not hold back the first update ------
# Both servers are polled together, so the silent one always has a request
# in flight when the other replies.

P_SILENT=$((BASE + 8))	# nothing listens there
local_start "$T/silent.log" "$NTPD" -x -d -t 60 "server 127.0.0.1 port $P_UP iburst" \
    "server 127.0.0.4 port $P_SILENT iburst" "bindcmdaddress $T/silent.sock" "port 0"
SILENT_PID=$E2E_PID
silent_synced() {
	"$NTPCTL" -h "$T/silent.sock" -s status >"$T/silent.out" 2>&1 &&
	    file_has "$T/silent.out" '^1/2 peers valid, clock synced, stratum 4$'
}
if wait_until 15 silent_synced; then
	pass "ntpd -x synchronises with one of its two servers silent"
else
	fail "ntpd -x synchronises with one of its two servers silent" \
	    "$(cat "$T/silent.out"; "$NTPCTL" -h "$T/silent.sock" sources 2>&1)"
fi
daemon_stop "$SILENT_PID"

# --- ntpctl steps: ntpd -x never steps, so the list is empty --------------

"$NTPCTL" -h "$T/ntpd.sock" steps >"$T/steps.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$T/steps.out")" -eq 2 ] &&
    file_has "$T/steps.out" '^Old time (UTC)  *New time (UTC)  *Offset (s)  *Ago  Reason  *Source$'; then
	pass "ntpctl steps prints its header and no step under -x"
else
	fail "ntpctl steps prints its header and no step under -x" "exit $rc: $(cat "$T/steps.out")"
fi
"$NTPCTL" -h "$T/ntpd.sock" -c steps >"$T/steps.csv" 2>&1
rc=$?
check "ntpctl -c steps prints nothing under -x (exit $rc)" test "$rc" -eq 0 -a ! -s "$T/steps.csv"

# --- ntpctl -j: JSON with -c's fields under names --------------------------
# jsoncheck.py COMMAND JSON CSV: the JSON parses, has the documented keys in
# -c's order, as many rows as -c and the same text in its text fields.

cat >"$T/jsoncheck.py" <<'PYEOF'
import collections, csv, json, sys
keys = {
    "tracking": "reference_id address stratum ref_time system_time last_offset "
        "rms_offset frequency_ppm residual_frequency_ppm skew_ppm root_delay "
        "root_dispersion update_interval leap_status",
    "sources": "mode state name stratum poll reach last_rx adjusted_offset "
        "measured_offset error",
    "sourcestats": "name samples runs span frequency_ppm frequency_skew_ppm offset std_dev",
    "activity": "online offline burst_online burst_offline unknown_address",
    "clients": "address ntp_packets ntp_drops ntp_interval ntp_limited_interval ntp_last "
        "command_packets command_drops command_interval command_last",
    "serverstats": "ntp_packets_received ntp_packets_dropped command_packets_received "
        "command_packets_dropped ntp_packets_rejected ntp_packets_rate_limited "
        "ntp_replies_sent",
    "steps": "old_time new_time offset ago reason source",
}
cmd = sys.argv[1]
doc = json.load(open(sys.argv[2]), object_pairs_hook=collections.OrderedDict)
rows = list(csv.reader(open(sys.argv[3])))
objs = doc if isinstance(doc, list) else [doc]
assert len(objs) == len(rows), "%d JSON rows, %d CSV rows" % (len(objs), len(rows))
for obj, row in zip(objs, rows):
    assert list(obj) == keys[cmd].split(), "keys %s" % list(obj)
    assert len(row) == len(obj), "CSV fields %s" % row
    for (k, v), f in zip(obj.items(), row):
        if isinstance(v, str):
            assert v == f, "%s: JSON %r, CSV %r" % (k, v, f)
print("%s: %d rows" % (cmd, len(objs)))
PYEOF
for cmd in tracking sources sourcestats activity clients serverstats steps; do
	"$NTPCTL" -h "$T/ntpd.sock" -j $cmd >"$T/j-$cmd.json" 2>&1
	"$NTPCTL" -h "$T/ntpd.sock" -c $cmd >"$T/j-$cmd.csv" 2>&1
	if python3 "$T/jsoncheck.py" $cmd "$T/j-$cmd.json" "$T/j-$cmd.csv" >"$T/j-$cmd.out" 2>&1; then
		pass "ntpctl -j $cmd parses and matches -c ($(cat "$T/j-$cmd.out"))"
	else
		fail "ntpctl -j $cmd parses and matches -c" \
		    "$(cat "$T/j-$cmd.json" "$T/j-$cmd.csv" "$T/j-$cmd.out")"
	fi
done
if python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))
sys.exit(not (t["stratum"] == 4 and t["leap_status"] == "Normal" and
    any(r["address"] == "127.0.0.1" and r["ntp_packets"] >= 1 for r in c)))' \
    "$T/j-tracking.json" "$T/j-clients.json"; then
	pass "ntpctl -j: stratum 4, Normal, and the client 127.0.0.1"
else
	fail "ntpctl -j: stratum 4, Normal, and the client 127.0.0.1" \
	    "$(cat "$T/j-tracking.json" "$T/j-clients.json")"
fi
"$NTPCTL" -h "$T/ntpd.sock" -c -j tracking >"$T/cj.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && file_has "$T/cj.out" 'give one of them'; then
	pass "ntpctl -c -j is rejected"
else
	fail "ntpctl -c -j is rejected" "exit $rc: $(cat "$T/cj.out")"
fi

# --- shutdown --------------------------------------------------------------

daemon_stop "$NTPD_PID"
check "ntpd removes its pid file at exit" test ! -e "$T/ntpd.pid"
check "ntpd writes its drift file at exit" file_has "$T/ntpd.drift" '^ *[-0-9.]* *[0-9.]*$'
saved=$(cat "$T/ntpd.time" 2>/dev/null)
if [ -n "$saved" ] && [ $((saved - $(date +%s))) -le 2 ] && [ $(($(date +%s) - saved)) -le 5 ]; then
	pass "ntpd saves the synchronised time to its time file at exit"
else
	fail "ntpd saves the synchronised time to its time file at exit" "time file: '$saved'"
fi
daemon_stop "$UP_PID"

# --- ntpsec's ntpdig queries ntpd's server ---------------------------------
# ntpdig always sends to port 123 (its -p is the number of samples), so
# ntpd runs on port 123 in a namespace of this script's own.  ntpdig only
# prints the offset: it sets the clock only with -S or -s, never given here.

if ! command -v ntpdig >/dev/null 2>&1; then
	echo "note: ntpdig (ntpsec) is not installed; the ntpdig checks are not run"
elif ! ip netns add "$E2E_ID-probe" 2>/dev/null; then
	echo "note: no network namespaces here; the ntpdig checks are not run"
else
	ip netns del "$E2E_ID-probe"
	ns_add dig
	ns_resolv dig "nameserver 127.0.0.1" "options timeout:1 attempts:1"
	daemon_start dig "$T/dig-ntpd.log" "$NTPD" -x -d -t 60 "local stratum 7" \
	    "allow 127.0.0.1" "bindcmdaddress $T/dig.sock"
	DIG_PID=$E2E_PID
	wait_until 5 test -S "$T/dig.sock"
	ns_exec dig timeout 20 ntpdig -j -t 3 127.0.0.1 >"$T/dig.json" 2>"$T/dig.err"
	rc=$?
	# Fields of ntpdig -j: offset (seconds), stratum, leap, adjusted.
	if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(not (r["stratum"] == 7 and r["leap"] == "no-leap" and
    abs(r["offset"]) < 1.0 and r["adjusted"] is False))' "$T/dig.json"; then
		pass "ntpdig gets stratum 7 and an offset under 1 s from ntpd: $(cat "$T/dig.json")"
	else
		fail "ntpdig gets stratum 7 and an offset under 1 s from ntpd" \
		    "exit $rc: $(cat "$T/dig.json" "$T/dig.err" "$T/dig-ntpd.log")"
	fi
	ns_exec dig timeout 20 ntpdig -t 3 127.0.0.1 >"$T/dig.out" 2>&1
	if file_has "$T/dig.out" ' [-+]0\.[0-9]* +/- [0-9.]* 127\.0\.0\.1 s7 no-leap$'; then
		pass "ntpdig prints the offset, stratum 7 and no-leap: $(cat "$T/dig.out")"
	else
		fail "ntpdig prints the offset, stratum 7 and no-leap" "$(cat "$T/dig.out")"
	fi
	ns_exec dig "$NTPCTL" -h "$T/dig.sock" -c clients >"$T/dig-clients.csv" 2>&1
	if awk -F, '$1 == "127.0.0.1" && $2 >= 2 { found = 1 } END { exit !found }' \
	    "$T/dig-clients.csv"; then
		pass "clients counts the requests of ntpdig"
	else
		fail "clients counts the requests of ntpdig" "$(cat "$T/dig-clients.csv")"
	fi
	daemon_stop "$DIG_PID"

	# Without a source or local stratum, ntpd replies unsynchronised (leap 3,
	# stratum 0 as chronyd does), and ntpdig drops the reply.
	daemon_start dig "$T/dig-bare.log" "$NTPD" -x -d -t 60 "allow 127.0.0.1" \
	    "bindcmdaddress $T/dig-bare.sock"
	DIG_PID=$E2E_PID
	wait_until 5 test -S "$T/dig-bare.sock"
	ns_exec dig timeout 20 ntpdig -t 3 127.0.0.1 >"$T/dig-bare.out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && file_has "$T/dig-bare.out" 'Response dropped' &&
	    file_has "$T/dig-bare.out" 'no eligible servers'; then
		pass "ntpdig rejects an unsynchronised ntpd: $(grep 'dropped' "$T/dig-bare.out")"
	else
		fail "ntpdig rejects an unsynchronised ntpd" "exit $rc: $(cat "$T/dig-bare.out")"
	fi
	daemon_stop "$DIG_PID"
fi

# --- confdir and sourcedir, read by ntpd -p (no sockets) --------------------

mkdir -p "$T/conf.d" "$T/vendor.d" "$T/sources.d"
echo "server 127.0.0.1 port $P_UP iburst" >"$T/conf.d/10-up.conf"
echo "server 127.0.0.9" >"$T/vendor.d/10-up.conf"
echo "makestep 0.5 2" >"$T/vendor.d/20-step.conf"
echo "server 127.0.0.2 port $P_UP2" >"$T/sources.d/lo.sources"
echo "server 127.0.0.8" >"$T/sources.d/lo.conf"
timeout 10 "$NTPD" -p "confdir $T/conf.d $T/vendor.d" "sourcedir $T/sources.d" \
    >"$T/dirs.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && file_has "$T/dirs.out" "^server 127\.0\.0\.1 port $P_UP .* iburst$" &&
    file_has "$T/dirs.out" "^server 127\.0\.0\.2 port $P_UP2 " &&
    file_has "$T/dirs.out" '^makestep 0\.5 2$' && ! file_has "$T/dirs.out" '127\.0\.0\.[89]'; then
	pass "ntpd -p reads confdir and sourcedir, the first directory winning"
else
	fail "ntpd -p reads confdir and sourcedir, the first directory winning" \
	    "exit $rc: $(cat "$T/dirs.out")"
fi

exit "$E2E_FAIL"
