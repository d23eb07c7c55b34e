#!/bin/sh
# dnsd reloads under load, on loopback: a load generator (dnsperf when it
# is installed, else rounds of dnsburst.py) and an answer checker query
# dnsd for 10 s while the script sends SIGHUP every second.  Between the
# signals the hosts file changes, and one reload meets an invalid config,
# which dnsd must reject while it keeps serving the old one.  Every query
# must be answered, and every answer must be one that the config of that
# moment allows.  The upstream is Debian's dnsmasq; cache-size=0 sends
# every forwarded name upstream, so queries are in flight at each reload.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd dnsmasq python3
[ "$(id -u)" -eq 0 ] || skip "dnsmasq and dnsd drop privileges only as root"
e2e_timeout 90 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

e2e_init
T=$E2E_TMP
HERE=$(dirname "$0")
LOAD_SECONDS=10

# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; each script has its own band of 4000.
BASE=$((28000 + ($$ % 400) * 10))
P_UP=$BASE		# upstream dnsmasq: every name under up.test is 10.1.0.0
P_DNSD=$((BASE + 1))

cat >"$T/up.conf" <<EOF
port=$P_UP
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
user=root
pid-file=
address=/up.test/10.1.0.0
EOF
local_start "$T/up.out" dnsmasq -k -C "$T/up.conf"

# The hosts file: h1 ... h20 never change; "moving" flips between
# 10.4.0.1 and 10.4.0.2 on each rewrite.
write_hosts() {	# write_hosts LAST-OCTET-OF-MOVING
	i=1
	while [ $i -le 20 ]; do
		echo "10.3.0.$i h$i"
		i=$((i + 1))
	done
	echo "10.4.0.$1 moving"
}
write_hosts 1 >"$T/hosts"
cat >"$T/dnsd.conf" <<EOF
port=$P_DNSD
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$T/hosts
cache-size=0
server=127.0.0.1#$P_UP
user=root
pid-file=
EOF
cp "$T/dnsd.conf" "$T/dnsd.good"
local_start "$T/dnsd.log" "$DNSD" -d -C "$T/dnsd.conf"
D=$E2E_PID

# check.py PORT SECONDS [ADDRESS]: one query at a time for SECONDS,
# cycling through forwarded and local names; every answer is compared with
# the addresses allowed for its name.  With ADDRESS only "moving" is asked,
# and only ADDRESS is right for it.  Prints "sent N answered N wrong N" and
# the first wrong answers.
cat >"$T/check.py" <<EOF
import random, socket, sys, time
sys.path.insert(0, "$(cd "$HERE" && pwd)")
from dnsq import a_records, query
EOF
cat >>"$T/check.py" <<'EOF'

port, seconds = int(sys.argv[1]), float(sys.argv[2])
only = sys.argv[3] if len(sys.argv) > 3 else None

def allowed(name):
    if name.endswith(".up.test"):
        return ["10.1.0.0"]
    if name == "moving":
        return [only] if only else ["10.4.0.1", "10.4.0.2"]
    return ["10.3.0.%s" % name[1:]]

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + seconds
sent = answered = wrong = 0
shown = []
while time.time() < end:
    k = sent % 4
    name = ("moving" if only or k == 1 else "c%d.up.test" % sent if k == 0 else
            "h%d" % (sent % 20 + 1))
    sent += 1
    qid = random.randrange(65536)
    s.sendto(query(qid, name), ("127.0.0.1", port))
    deadline = time.time() + 3.0
    while True:
        left = deadline - time.time()
        if left <= 0:
            shown.append("lost %s" % name)
            break
        s.settimeout(left)
        try:
            msg = s.recv(4096)
        except socket.timeout:
            continue
        if len(msg) < 12 or msg[:2] != qid.to_bytes(2, "big"):
            continue
        answered += 1
        rcode, addrs = a_records(msg)
        if rcode != 0 or len(addrs) != 1 or addrs[0] not in allowed(name):
            wrong += 1
            shown.append("wrong %s rcode %d %s" % (name, rcode, addrs))
        break
    time.sleep(0.0002)
print("sent %d answered %d wrong %d" % (sent, answered, wrong))
for line in shown[:5]:
    print(line)
EOF

answers() {
	python3 "$T/check.py" "$P_DNSD" 0.05 >"$T/probe.out" &&
	    grep -q 'wrong 0$' "$T/probe.out" &&
	    ! grep -q '^sent 0 ' "$T/probe.out" &&
	    awk '$2 != $4 { exit 1 }' "$T/probe.out"
}
wait_until 5 answers || fail "dnsd starts" "$(cat "$T/dnsd.log" "$T/probe.out")"

# --- the load, the checker and the reloads ----------------------------------

if command -v dnsperf >/dev/null 2>&1; then
	LOADER=dnsperf
	i=0
	while [ $i -lt 500 ]; do
		echo "q$i.up.test A"
		echo "h$((i % 20 + 1)) A"
		i=$((i + 1))
	done >"$T/queries"
	# At most 100 queries outstanding (dnsperf's default), 2000 a second:
	# no socket buffer on the way overflows, so a lost query is dnsd's.
	timeout $((LOAD_SECONDS + 15)) dnsperf -s 127.0.0.1 -p "$P_DNSD" -d "$T/queries" \
	    -l "$LOAD_SECONDS" -Q 2000 -t 3 >"$T/load.out" 2>&1 &
else
	LOADER=dnsburst.py
	# Rounds of 500 queries (dnsburst.py paces them) until the time is up.
	(
		end=$(($(date +%s) + LOAD_SECONDS))
		r=0
		while [ "$(date +%s)" -lt $end ]; do
			timeout 15 python3 "$HERE/dnsburst.py" "$P_DNSD" 500 "b$r-%d.up.test" 3
			r=$((r + 1))
		done
	) >"$T/load.out" 2>&1 &
fi
LOAD=$!
timeout $((LOAD_SECONDS + 10)) python3 "$T/check.py" "$P_DNSD" "$LOAD_SECONDS" \
    >"$T/check.out" 2>&1 &
CHECK=$!

n=0
while [ $n -lt $LOAD_SECONDS ]; do
	sleep 1
	n=$((n + 1))
	case $n in
	3)	write_hosts 2 >"$T/hosts.new" && mv "$T/hosts.new" "$T/hosts" ;;
	5)	write_hosts 1 >"$T/hosts.new" && mv "$T/hosts.new" "$T/hosts" ;;
	6)	echo 'cache-size=lots' >>"$T/dnsd.conf" ;;
	7)	cp "$T/dnsd.good" "$T/dnsd.conf"
		write_hosts 2 >"$T/hosts.new" && mv "$T/hosts.new" "$T/hosts" ;;
	esac
	kill -HUP "$D"
done
wait "$CHECK"
wait "$LOAD"

# --- verdicts ---------------------------------------------------------------

check "reload under load: dnsd still runs" daemon_alive "$D"
NRELOAD=$(grep -c 'reloaded:' "$T/dnsd.log")
NKEPT=$(grep -c 'keeping the old one' "$T/dnsd.log")
check "reload under load: $((LOAD_SECONDS - 1)) valid reloads took effect" \
    test "$NRELOAD" -eq $((LOAD_SECONDS - 1))
check "reload under load: the invalid config was rejected once" test "$NKEPT" -eq 1

check "reload under load: the checker got every answer" \
    awk '/^sent/ { ok = $2 > 0 && $2 == $4 } END { exit !ok }' "$T/check.out"
check "reload under load: every answer was right" grep -q '^sent .* wrong 0$' "$T/check.out"
# The last hosts file names 10.4.0.2, and later reloads read it.
python3 "$T/check.py" "$P_DNSD" 0.2 10.4.0.2 >"$T/moved.out" 2>&1
check "reload under load: the last hosts file is served" grep -q '^sent [1-9].* wrong 0$' "$T/moved.out"
[ "$E2E_FAIL" -eq 0 ] || cat "$T/check.out"

if [ $LOADER = dnsperf ]; then
	SENT=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$T/load.out")
	LOST=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$T/load.out")
	NOERROR=$(sed -n 's/^ *Response codes: *NOERROR \([0-9]*\).*/\1/p' "$T/load.out")
	echo "dnsperf: sent ${SENT:-?}, lost ${LOST:-?}, NOERROR ${NOERROR:-?}"
	check "reload under load: dnsperf sent queries" test "${SENT:-0}" -gt 0
	check "reload under load: dnsperf lost no query" test "${LOST:-1}" -eq 0
	check "reload under load: every dnsperf answer is NOERROR" \
	    test "${NOERROR:-0}" -eq "${SENT:-1}"
else
	echo "dnsburst.py: $(grep -c '^sent' "$T/load.out") rounds of 500 queries"
	check "reload under load: dnsburst.py ran" grep -q '^sent [1-9]' "$T/load.out"
	check "reload under load: every burst query got the right answer" \
	    awk '/^sent/ { if ($2 != $4 || $2 != $14) bad = 1 } END { exit bad }' "$T/load.out"
fi
[ "$E2E_FAIL" -eq 0 ] || { cat "$T/load.out"; tail -n 20 "$T/dnsd.log"; }

exit $E2E_FAIL
