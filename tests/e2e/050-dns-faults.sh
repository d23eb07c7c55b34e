#!/bin/sh
# dnsd under faults, all on loopback: an upstream killed and restarted
# during a query loop (failover, then the first server used again once its
# 30 s penalty is over), forged upstream replies (wrong ID, wrong question,
# wrong source port and address) while a query waits, SIGHUP every 0.5 s
# during a query loop, and a reload with an invalid config.  The upstreams
# are Debian's dnsmasq and a python3 fake; every loop is bounded in time.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd dnsmasq python3
[ "$(id -u)" -eq 0 ] || skip "dnsmasq and dnsd drop privileges only as root"
e2e_timeout 110 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

e2e_init
T=$E2E_TMP
mkdir "$T/run"
chmod 777 "$T/run"

# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; each script has its own band of 4000.
BASE=$((18000 + ($$ % 400) * 10))
P_A=$BASE		# first upstream (dnsmasq): up.test is 10.0.0.1
P_B=$((BASE + 1))	# second upstream (dnsmasq): up.test is 10.0.0.2
P_FAKE=$((BASE + 2))	# python3 fake upstream: forges replies, answers slowly
P_D1=$((BASE + 3))	# dnsd for the failover checks
P_D2=$((BASE + 4))	# dnsd for the forgery and reload checks

# --- helpers written to the test folder -------------------------------------

# qloop.py PORT SECONDS OUT NAME...: query dnsd one question at a time for
# SECONDS (at most 2 s wait each, 20 ms apart), cycling through the names;
# "%N" in a name becomes the query number, so nothing is served from a
# cache.  Writes "time latency rcode first-A name" per query ("-" for a
# timeout).
cat >"$T/qloop.py" <<EOF
import random, socket, sys, time
sys.path.insert(0, "$(cd "$(dirname "$0")" && pwd)")
from dnsq import a_records, query
EOF
cat >>"$T/qloop.py" <<'EOF'

port, seconds, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
names = sys.argv[4:]

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + seconds
n = 0
with open(out, "w") as f:
    while time.time() < end:
        name = names[n % len(names)].replace("%N", str(n))
        n += 1
        qid = random.randrange(65536)
        s.sendto(query(qid, name), ("127.0.0.1", port))
        sent = time.time()
        result = None
        while result is None:
            left = sent + 2.0 - time.time()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                msg = s.recv(4096)
            except socket.timeout:
                break
            if len(msg) >= 12 and msg[:2] == qid.to_bytes(2, "big"):
                rcode, addrs = a_records(msg)
                result = (rcode, addrs[0] if addrs else "none")
        if result is None:
            f.write("%.3f - - - %s\n" % (sent, name))
        else:
            f.write("%.3f %.3f %d %s %s\n" % (sent, time.time() - sent, result[0],
                                             result[1], name))
        f.flush()
        time.sleep(0.02)
EOF

# fake.py PORT SECONDS: an upstream for spoof.test and slow.test.  For each
# spoof.test query it first sends forged replies (wrong ID, wrong question,
# right ID from another port, right ID from 127.0.0.2), all with the
# address 10.66.6.6, then the real reply 10.0.0.53.  slow.test is answered
# after 0.8 s, with 10.0.0.54, and each such query is logged on arrival.
cat >"$T/fake.py" <<'EOF'
import socket, struct, sys, time

port, seconds = int(sys.argv[1]), float(sys.argv[2])

def reply(qid, question, addr):
    return (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question +
            b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(addr))

def question_of(msg):
    off = 12
    while msg[off] != 0:
        off += msg[off] + 1
    return msg[12:off + 5]

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
other.bind(("127.0.0.1", 0))
other_addr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
other_addr.bind(("127.0.0.2", port))
slow = []
end = time.time() + seconds
while time.time() < end:
    s.settimeout(0.05)
    try:
        msg, peer = s.recvfrom(4096)
    except socket.timeout:
        msg = None
    now = time.time()
    for due, data, to in [x for x in slow if x[0] <= now]:
        s.sendto(data, to)
        slow.remove((due, data, to))
    if msg is None or len(msg) < 17:
        continue
    qid = struct.unpack("!H", msg[:2])[0]
    q = question_of(msg)
    if b"\x04slow\x04test\x00" in q:
        slow.append((now + 0.8, reply(qid, q, "10.0.0.54"), peer))
        with open(sys.argv[3], "a") as f:
            f.write("slow %d\n" % qid)
        continue
    wrong_q = b"\x04evil" + q
    s.sendto(reply(qid ^ 0x5555, q, "10.66.6.6"), peer)
    s.sendto(reply(qid, wrong_q, "10.66.6.6"), peer)
    other.sendto(reply(qid, q, "10.66.6.6"), peer)
    other_addr.sendto(reply(qid, q, "10.66.6.6"), peer)
    time.sleep(0.05)
    s.sendto(reply(qid, q, "10.0.0.53"), peer)
    with open(sys.argv[3], "a") as f:
        f.write("forged 4 for %d\n" % qid)
EOF

# --- upstreams and the two dnsd --------------------------------------------

upstream_conf() {	# upstream_conf PORT ADDRESS LOG
	cat <<EOF
port=$1
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
user=root
pid-file=
address=/up.test/$2
log-queries
log-facility=$3
EOF
}
upstream_conf "$P_A" 10.0.0.1 "$T/upA.log" >"$T/upA.conf"
upstream_conf "$P_B" 10.0.0.2 "$T/upB.log" >"$T/upB.conf"
local_start "$T/upA.out" dnsmasq -k -C "$T/upA.conf"
PID_A=$E2E_PID
local_start "$T/upB.out" dnsmasq -k -C "$T/upB.conf"
PID_B=$E2E_PID
local_start "$T/fake.out" python3 "$T/fake.py" "$P_FAKE" 100 "$T/fake.log"

cp tests/data/hosts "$T/hosts"
dnsd_conf() {	# dnsd_conf PORT NAME
	cat <<EOF
port=$1
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$T/hosts
cache-size=0
server=127.0.0.1#$P_A
server=127.0.0.1#$P_B
server=/spoof.test/127.0.0.1#$P_FAKE
server=/slow.test/127.0.0.1#$P_FAKE
host-record=reload.test,10.1.1.1
pid-file=$T/run/$2.pid
EOF
}
dnsd_conf "$P_D1" d1 >"$T/d1.conf"
dnsd_conf "$P_D2" d2 >"$T/d2.conf"
chmod 644 "$T/hosts" "$T/d1.conf" "$T/d2.conf"
local_start "$T/d1.log" "$DNSD" -d -C "$T/d1.conf"
D1=$E2E_PID
local_start "$T/d2.log" "$DNSD" -d -C "$T/d2.conf"
D2=$E2E_PID

answers() {	# answers PORT NAME: one query answered within 1 s
	python3 "$T/qloop.py" "$1" 0.01 "$T/probe.out" "$2" &&
	    ! grep -q ' - - - ' "$T/probe.out"
}
wait_until 5 answers "$P_A" probe.up.test || fail "first upstream starts"
wait_until 5 answers "$P_B" probe.up.test || fail "second upstream starts"
wait_until 5 answers "$P_D1" x-adm || fail "dnsd 1 starts" "$(cat "$T/d1.log")"
wait_until 5 answers "$P_D2" x-adm || fail "dnsd 2 starts" "$(cat "$T/d2.log")"

# stat NAME LOG: the last value of a counter from dnsd's SIGUSR1 line.
stat() {
	sed -n "s/.*[ ,]$1 \([0-9]*\).*/\1/p" "$2" | tail -n 1
}

# --- an upstream dies and returns during a query loop (dnsd 1) ---------------

python3 "$T/qloop.py" "$P_D1" 9 "$T/failover.out" 'q%N.up.test' &
LOOP=$!
sleep 2
T_KILL=$(date +%s.%N)
daemon_stop "$PID_A"
sleep 4
T_BACK=$(date +%s.%N)
local_start "$T/upA2.out" dnsmasq -k -C "$T/upA.conf"
wait "$LOOP"

# judge.py FILE T_KILL T_BACK: the verdicts on the query loop, one per line.
python3 - "$T/failover.out" "$T_KILL" "$T_BACK" >"$T/failover.verdict" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
kill, back = float(sys.argv[2]), float(sys.argv[3])
before = [r for r in rows if float(r[0]) < kill - 0.1]
down = [r for r in rows if kill + 0.1 < float(r[0]) < back]
lost = [r for r in rows if r[1] == "-"]
print("before %d down %d lost %d" % (len(before), len(down), len(lost)))
# Without strict-order dnsd asks the upstream that answered a probe
# first, as dnsmasq does, so either one may answer before the kill.
print("before_answered", int(bool(before) and all(r[2] == "0" and r[3] in ("10.0.0.1", "10.0.0.2") for r in before)))
print("no_loss", int(not lost))
slowest = max([float(r[1]) for r in down if r[1] != "-"] or [99])
print("down_fast", int(bool(down) and slowest <= 1.0), "slowest %.3f" % slowest)
ok = [r for r in down if r[2] == "0"]
print("down_second", int(len(ok) >= 5 and all(r[3] == "10.0.0.2" for r in ok)))
print("down_rcodes", int(all(r[2] in ("0", "2") for r in down)))
EOF
v() {
	grep -q "^$1 1" "$T/failover.verdict"
}
check "failover: every query is answered while both run" v before_answered
check "failover: no query is lost while an upstream dies" v no_loss
check "failover: every query answered within 1 s after the kill" v down_fast
check "failover: answers come from the second upstream" v down_second
check "failover: only NOERROR or SERVFAIL while one is down" v down_rcodes
[ "$E2E_FAIL" -eq 0 ] || sed 's/^/    /' "$T/failover.verdict"

# --- forged replies while a query waits (dnsd 2) -----------------------------

kill -USR1 "$D2"
sleep 0.3
STRAY0=$(stat 'stray replies' "$T/d2.log")
python3 "$T/qloop.py" "$P_D2" 1.5 "$T/spoof.out" 'a%N.spoof.test'
kill -USR1 "$D2"
sleep 0.3
STRAY1=$(stat 'stray replies' "$T/d2.log")
NSPOOF=$(wc -l <"$T/spoof.out")
check "forged replies: each query gets the real answer" \
    test "$NSPOOF" -ge 3 -a "$(grep -c ' 0 10\.0\.0\.53 ' "$T/spoof.out")" -eq "$NSPOOF"
check "forged replies: the forged address never reaches the client" \
    sh -c "! grep -q 10.66.6.6 '$T/spoof.out'"
# Wrong ID and wrong question reach dnsd's socket and are counted; the
# replies from another port or address are dropped by the connected socket.
check "forged replies: wrong ID and wrong question are counted" \
    test "$((STRAY1 - STRAY0))" -ge "$((2 * NSPOOF))"
[ "$E2E_FAIL" -eq 0 ] || { cat "$T/spoof.out"; echo "stray $STRAY0 -> $STRAY1"; }

# --- SIGHUP every 0.5 s during a query loop (dnsd 2) -------------------------

python3 "$T/qloop.py" "$P_D2" 6 "$T/hup.out" x-adm 'h%N.up.test' reload.test etcd &
LOOP=$!
i=0
while [ $i -lt 11 ]; do
	sleep 0.5
	kill -HUP "$D2"
	i=$((i + 1))
done
wait "$LOOP"
NHUP=$(grep -c 'reloaded:' "$T/d2.log")
check "reload loop: dnsd reloaded at least 10 times" test "$NHUP" -ge 10
check "reload loop: no query lost" sh -c "! grep -q ' - - - ' '$T/hup.out'"
python3 - "$T/hup.out" >"$T/hup.verdict" <<'EOF'
import sys
want = {"x-adm": "192.168.7.1", "reload.test": "10.1.1.1"}
bad = 0
for r in (l.split() for l in open(sys.argv[1])):
    if r[1] == "-":
        continue
    name, addr = r[4], r[3]
    if name.endswith(".up.test"):
        expect = ("10.0.0.1", "10.0.0.2")
    elif name == "etcd":
        expect = ("192.168.7.11", "192.168.7.12", "192.168.7.13")
    else:
        expect = (want[name],)
    if r[2] != "0" or addr not in expect:
        bad += 1
        print("wrong", " ".join(r))
print("bad", bad)
EOF
check "reload loop: every answer is right" grep -qx 'bad 0' "$T/hup.verdict"
[ "$E2E_FAIL" -eq 0 ] || head -n 5 "$T/hup.verdict"

# A query waiting for a slow upstream (0.8 s) while dnsd reloads: the
# reload comes once the upstream has the query.
python3 "$T/qloop.py" "$P_D2" 0.01 "$T/inflight.out" w1.slow.test &
LOOP=$!
i=0
while ! file_has "$T/fake.log" '^slow' && [ $i -lt 100 ]; do
	sleep 0.02
	i=$((i + 1))
done
kill -HUP "$D2"
wait "$LOOP"
check "reload: a query in flight still gets its answer" \
    grep -q ' 0 10\.0\.0\.54 ' "$T/inflight.out"
[ "$E2E_FAIL" -eq 0 ] || cat "$T/inflight.out"

# --- an invalid config on reload keeps the old one (dnsd 2) ------------------

cp "$T/d2.conf" "$T/d2.good"
{
	echo 'host-record=new.test,10.2.2.2'
	echo 'cache-size=lots'
} >>"$T/d2.conf"
kill -HUP "$D2"
wait_until 3 file_has "$T/d2.log" 'keeping the old one' ||
    fail "invalid reload: dnsd says it keeps the old config" "$(tail -n 5 "$T/d2.log")"
python3 "$T/qloop.py" "$P_D2" 0.5 "$T/bad.out" reload.test new.test x-adm
check "invalid reload: the old records still answer" grep -q ' 0 10\.1\.1\.1 reload.test' "$T/bad.out"
check "invalid reload: the hosts file still answers" grep -q ' 0 192\.168\.7\.1 x-adm' "$T/bad.out"
check "invalid reload: nothing of the invalid config is served" \
    sh -c "! grep -q '10\.2\.2\.2' '$T/bad.out'"
check "invalid reload: dnsd still runs" daemon_alive "$D2"
# The same record in a valid config is served after the next reload.
sed '/^cache-size=lots$/d' "$T/d2.conf" >"$T/d2.next"
cat "$T/d2.next" >"$T/d2.conf"
kill -HUP "$D2"
sleep 0.5
python3 "$T/qloop.py" "$P_D2" 0.2 "$T/good.out" new.test
check "valid reload: the new record answers" grep -q ' 0 10\.2\.2\.2 new.test' "$T/good.out"

# --- the first upstream is used again after its penalty (dnsd 1) -------------

# Without strict-order a failed server goes last for 30 s after its last
# failure (SERVER_PENALTY), which was just before it came back.  The second
# upstream now replies 20 ms late, so that the first one wins every probe.
# With two equal servers on loopback the winner would be left to chance.
daemon_stop "$PID_B"
local_start "$T/slowB.out" python3 tests/e2e/dnsslow.py "$P_B" 0.02 "$T/slowB.log"
wait_until 5 answers "$P_B" probe.up.test || fail "slow second upstream starts"
NOW=$(date +%s.%N)
WAIT=$(python3 -c "print(max(0.0, $T_BACK + 30.5 - $NOW))")
sleep "$WAIT"
# dnsd then prefers whichever upstream wins a probe (every 50th query, or
# the first after 20 s), so the first one may take a few probes to be
# chosen again: query in 3 s rounds, at most 8 of them.
: >"$T/return.out"
round=0
while [ $round -lt 8 ]; do
	round=$((round + 1))
	python3 "$T/qloop.py" "$P_D1" 3 "$T/return.round" "r$round-%N.up.test"
	cat "$T/return.round" >>"$T/return.out"
	grep -q ' 0 10\.0\.0\.1 ' "$T/return.round" && break
done
check "return: the first upstream answers again after the penalty" \
    grep -q ' 0 10\.0\.0\.1 ' "$T/return.out"
check "return: no query lost" sh -c "! grep -q ' - - - ' '$T/return.out'"

exit $E2E_FAIL
