#!/bin/sh
# hostq --sweep against dnsmasq serving tests/data/hosts: a clean sweep,
# a hosts file with a wrong address and an unknown name, an unreadable
# file, and a server that never replies.
. "$(dirname "$0")/lib.sh"
e2e_timeout 60 "$@"

e2e_require_cmd dnsmasq python3 ss timeout
[ -x "$B/hostq" ] || skip "$B/hostq is not built"
is_placeholder hostq && skip "hostq is still the placeholder"
e2e_init
T=$E2E_TMP
HOSTQ=$(cd "$B" && pwd)/hostq
HOSTS=$(cd "$(dirname "$0")/../data" && pwd)/hosts

free_port() {
	! ss -Hlnut "sport = :$1" | grep -q .
}
P=$((27000 + ($$ % 400) * 2))
while ! free_port "$P" || ! free_port $((P + 1)); do
	P=$((P + 2))
done
PSILENT=$((P + 1))

local_start "$T/dnsmasq.log" dnsmasq --port="$P" --listen-address=127.0.0.1 \
    --bind-interfaces --no-resolv --no-hosts --addn-hosts="$HOSTS" \
    --domain=edge.example.org --expand-hosts --local=/edge.example.org/ \
    --keep-in-foreground --pid-file="$T/dnsmasq.pid"
# A UDP socket that reads queries and never replies.
local_start "$T/silent.log" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recvfrom(4096)
' "$PSILENT"
_i=0
while ! ss -Hlnu "sport = :$P" | grep -q . || ! ss -Hlnu "sport = :$PSILENT" | grep -q .; do
	[ "$_i" -lt 50 ] || { fail "dnsmasq and the silent server listen" "$(cat "$T/dnsmasq.log")"; exit 1; }
	sleep 0.1
	_i=$((_i + 1))
done

# 1. The file the server reads: no problems.
timeout 20 "$HOSTQ" --sweep "$HOSTS" "127.0.0.1#$P" >"$T/out1" 2>&1
rc=$?
if [ "$rc" -eq 0 ] &&
    grep -qx 'sweep: 16 names, 15 addresses, 1 servers, 0 problems' "$T/out1" &&
    [ "$(wc -l <"$T/out1")" -eq 1 ]; then
	pass "sweep of the served hosts file is clean"
else
	fail "sweep of the served hosts file is clean (exit $rc)" "$(cat "$T/out1")"
fi

# 2. A wrong address, a wrong reverse name and a name the server lacks.
cat >"$T/hosts2" <<'EOT'
# deliberately wrong
192.168.7.99	x-adm
192.168.7.11	etcd
192.168.7.12	etcd
192.168.7.20	x-k3s-n-0
192.168.7.21	x-k3s-n-9
10.9.9.9	nosuch.edge.example.org
EOT
timeout 20 "$HOSTQ" -p "$P" --sweep "$T/hosts2" 127.0.0.1 >"$T/out2" 2>&1
rc=$?
row() {
	grep -Eq "^127\.0\.0\.1 +$1 +$2 +$3 +$4\$" "$T/out2"
}
check "wrong file exits 1" [ "$rc" -eq 1 ]
check "MISMATCH row for the wrong address" row MISMATCH x-adm 192.168.7.99 192.168.7.1
check "MISMATCH row for the round-robin name missing one address" \
    row MISMATCH etcd 192.168.7.11,192.168.7.12 '192.168.7.1[123],192.168.7.1[123],192.168.7.1[123]'
check "NXDOMAIN row for the unknown name" row NXDOMAIN nosuch.edge.example.org 10.9.9.9 NXDOMAIN
check "WRONG-PTR row for the wrong reverse name" \
    row WRONG-PTR 192.168.7.21 x-k3s-n-9 x-k3s-n-1.edge.example.org
check "MISSING-PTR row for the unknown address" row MISSING-PTR 10.9.9.9 nosuch.edge.example.org '[A-Z]+'
check "no row for the correct lines" sh -c "! grep -Eq 'x-k3s-n-0|192\\.168\\.7\\.20 ' '$T/out2'"
check "summary counts the second file" \
    grep -qx 'sweep: 5 names, 6 addresses, 1 servers, [1-9][0-9]* problems' "$T/out2"
[ "$E2E_FAIL" -eq 0 ] || cat "$T/out2"

# 3. An unreadable hosts file.
timeout 5 "$HOSTQ" --sweep "$T/no-such-hosts" "127.0.0.1#$P" >"$T/out3" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "$T/no-such-hosts" "$T/out3"; then
	pass "unreadable hosts file exits 2 naming the file"
else
	fail "unreadable hosts file exits 2 naming the file (exit $rc)" "$(cat "$T/out3")"
fi

# 4. A server that never replies: one NO-ANSWER row within -W 1 and 2 tries,
# and the working server after it is still swept.
start=$(date +%s)
timeout 20 "$HOSTQ" -W 1 --sweep "$HOSTS" "127.0.0.1#$PSILENT" "127.0.0.1#$P" >"$T/out4" 2>&1
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 1 ] && [ "$took" -le 5 ] &&
    [ "$(grep -c "^127\.0\.0\.1#$PSILENT  *NO-ANSWER" "$T/out4")" -eq 1 ] &&
    [ "$(grep -c NO-ANSWER "$T/out4")" -eq 1 ] &&
    grep -qx 'sweep: 16 names, 15 addresses, 2 servers, 1 problems' "$T/out4"; then
	pass "silent server gives one NO-ANSWER row within the timeout"
else
	fail "silent server gives one NO-ANSWER row within the timeout (exit $rc, ${took}s)" \
	    "$(cat "$T/out4")"
fi
# The timeouts of the silent server print host's ";; communications error"
# lines in a normal lookup, but a sweep keeps them out of the table.
check "no diagnostic lines in the table" sh -c "! grep -q '^;;' '$T/out4'"

# 5. A bad server argument.
timeout 5 "$HOSTQ" --sweep "$HOSTS" "not-an-address" >"$T/out5" 2>&1
check "bad server argument exits 2" [ $? -eq 2 ]

exit "$E2E_FAIL"
