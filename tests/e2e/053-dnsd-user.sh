#!/bin/sh
# The user dnsd switches to, on loopback.  Each dnsd runs in a mount
# namespace of its own where the test's passwd and group files are bound
# over /etc/passwd and /etc/group, so the user dnsd exists or not without
# a change to this machine's files.  Without user= dnsd runs as dnsd, or
# as nobody with a warning when dnsd does not exist; a user= that names a
# missing user stops it with a message that names the user.  A pid file in
# a root-owned directory stays after SIGTERM, as dnsmasq's does, and the
# exit prints no error about it.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd unshare python3
[ "$(id -u)" -eq 0 ] || skip "switching users and mount namespaces need root"
id nobody >/dev/null 2>&1 || skip "this machine has no user nobody"
e2e_timeout 60 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"
unshare -m true 2>/dev/null || skip "unshare -m failed: no mount namespaces here"

e2e_init
T=$E2E_TMP
# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them.  This script shares the band of
# 052-dnsd-reload-load.sh, which uses the first two ports of every ten.
PORT=$((28000 + ($$ % 400) * 10 + 5))
UID_DNSD=64953
UID_NOBODY=$(id -u nobody)
mkdir "$T/piddir"	# root's, mode 755: dnsd cannot remove files in it later
chmod 755 "$T/piddir"

# The machine's files without a dnsd entry, and copies with one.
grep -v '^dnsd:' /etc/passwd >"$T/passwd.without"
grep -v '^dnsd:' /etc/group >"$T/group.without"
cp "$T/passwd.without" "$T/passwd.with"
cp "$T/group.without" "$T/group.with"
echo "dnsd:x:$UID_DNSD:$UID_DNSD:dnsd:/var/empty:/sbin/nologin" >>"$T/passwd.with"
echo "dnsd:x:$UID_DNSD:" >>"$T/group.with"
chmod 644 "$T"/passwd.* "$T"/group.*

# run_dnsd TAG FILES [OPTION...]: start dnsd on PORT with FILES (with or
# without) as /etc/passwd and /etc/group; its log is $T/TAG.log.
run_dnsd() {
	_tag=$1 _files=$2
	shift 2
	printf 'port=%s\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n' \
	    "$PORT" >"$T/$_tag.conf"
	# -k with log-facility=- logs to stderr without the debug messages.
	printf 'address=/user.test/192.0.2.7\nlog-facility=-\n' >>"$T/$_tag.conf"
	for _o in "$@"; do
		echo "$_o" >>"$T/$_tag.conf"
	done
	chmod 644 "$T/$_tag.conf"
	# unshare and sh exec in place, so E2E_PID is dnsd's PID.
	local_start "$T/$_tag.log" unshare -m --propagation private sh -c \
	    'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' \
	    sh "$T/passwd.$_files" "$T/group.$_files" "$DNSD" -k -C "$T/$_tag.conf"
}

# uid_of PID / gid_of PID: the effective uid or gid of PID.
uid_of() {
	awk '/^Uid:/ { print $3 }' "/proc/$1/status" 2>/dev/null
}

gid_of() {
	awk '/^Gid:/ { print $3 }' "/proc/$1/status" 2>/dev/null
}

# answers: dnsd on PORT answers user.test.
answers() {
	python3 - "$PORT" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x04user\x04test\x00" + \
    struct.pack("!HH", 1, 1)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
msg = s.recv(512)
sys.exit(0 if msg[:2] == b"\x42\x42" and msg.endswith(socket.inet_aton("192.0.2.7")) else 1)
EOF
}

# stop_dnsd PID: SIGTERM, then wait for the exit; sets RC to its status.
stop_dnsd() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	RC=$?
}

# --- no user=, and the user dnsd exists --------------------------------------

run_dnsd with with "pid-file=$T/piddir/with.pid"
PID=$E2E_PID
wait_until 5 answers || fail "dnsd starts with the user dnsd" "$(cat "$T/with.log")"
check "without user=, dnsd runs as the user dnsd" test "$(uid_of "$PID")" = "$UID_DNSD"
check "without group=, dnsd runs with the group dnsd" test "$(gid_of "$PID")" = "$UID_DNSD"
check "no warning when the user dnsd exists" sh -c "! grep -q 'does not exist' '$T/with.log'"
check "the pid file holds dnsd's pid" test "$(cat "$T/piddir/with.pid" 2>/dev/null)" = "$PID"
stop_dnsd "$PID"
check "SIGTERM: dnsd exits with status 0 ($RC)" test "$RC" -eq 0
check "the pid file in a root-owned directory stays, as dnsmasq's does" \
    test -f "$T/piddir/with.pid"
check "no error about the pid file at exit" \
    sh -c "! grep -Eq 'cannot remove|pid file' '$T/with.log'"
[ "$E2E_FAIL" -eq 0 ] || cat "$T/with.log"

# --- no user=, and the user dnsd is missing ---------------------------------

run_dnsd without without
PID=$E2E_PID
wait_until 5 answers || fail "dnsd starts without the user dnsd" "$(cat "$T/without.log")"
check "without the user dnsd, dnsd runs as nobody" test "$(uid_of "$PID")" = "$UID_NOBODY"
check "the warning names the missing user, nobody and user=" \
    grep -q 'user dnsd does not exist, so dnsd runs as nobody.*user=' "$T/without.log"
stop_dnsd "$PID"
check "SIGTERM: dnsd as nobody exits with status 0 ($RC)" test "$RC" -eq 0
[ "$E2E_FAIL" -eq 0 ] || cat "$T/without.log"

# --- user= names a missing user ---------------------------------------------

run_dnsd missing without user=edgebox-no-such-user
PID=$E2E_PID
wait_until 5 has_exited "$PID"
check "user=edgebox-no-such-user: dnsd does not start" has_exited "$PID"
stop_dnsd "$PID"
check "user=edgebox-no-such-user: exit status is not 0 ($RC)" test "$RC" -ne 0
check "user=edgebox-no-such-user: the message names the user" \
    grep -q "user 'edgebox-no-such-user' does not exist" "$T/missing.log"
[ "$E2E_FAIL" -eq 0 ] || cat "$T/missing.log"

# --- user= names an existing user -------------------------------------------

run_dnsd named without user=nobody
PID=$E2E_PID
wait_until 5 answers || fail "dnsd starts with user=nobody" "$(cat "$T/named.log")"
check "user=nobody: dnsd runs as nobody" test "$(uid_of "$PID")" = "$UID_NOBODY"
check "user=nobody: no warning" sh -c "! grep -q 'does not exist' '$T/named.log'"
stop_dnsd "$PID"

# --- user=root keeps root ---------------------------------------------------

run_dnsd root without user=root
PID=$E2E_PID
wait_until 5 answers || fail "dnsd starts with user=root" "$(cat "$T/root.log")"
check "user=root: dnsd keeps root" test "$(uid_of "$PID")" = 0
stop_dnsd "$PID"

exit $E2E_FAIL
