#!/bin/sh
# ntpd -x against misbehaving NTP servers on loopback, one python3 fake per
# address: one sends a forged reply (wrong origin timestamp, clock 1000 s
# ahead) before each real one, one sends RATE kiss-o'-death packets for a
# while, one answers DENY after a few polls, and one falls silent for 4 s
# and returns.  ntpd polls every 0.25 s (minpoll -2) and exits by itself
# after 14 s; it runs with -x, so the clock of this machine never changes.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd python3
e2e_timeout 60 "$@"
NTPD="$B/ntpd"
[ -x "$NTPD" ] || skip "$NTPD is missing; run make"
is_placeholder ntpd && skip "applet ntpd is not built yet"

e2e_init
T=$E2E_TMP
# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; each script has its own band of 4000.
PORT=$((22000 + ($$ % 400) * 10 + 7))
RUN=14

# fake.py PORT SECONDS LOG: four servers, one per address.  Each request is
# logged as "ADDRESS TIME n=N what-was-sent".
cat >"$T/fake.py" <<'EOF'
import select, socket, struct, sys, time

port, seconds, log = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
EPOCH = 2208988800
start = time.time()

def ntp(t):
    return int((t + EPOCH) * 4294967296) & 0xffffffffffffffff

def reply(req, stratum=2, refid=b"\x7f\x00\x00\x01", ahead=0.0, origin=None, leap=0):
    rx = time.time() + ahead
    vn = (req[0] >> 3) & 7
    org = req[40:48] if origin is None else struct.pack("!Q", origin)
    poll = struct.unpack("!b", req[2:3])[0]
    return (struct.pack("!BBbbII4s", (leap << 6) | (vn << 3) | 4, stratum, poll, -20,
                        0x100, 0x100, refid) + struct.pack("!Q", ntp(rx - 10)) + org +
            struct.pack("!QQ", ntp(rx), ntp(time.time() + ahead)))

socks = {}
for addr in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    socks[s] = [addr, 0]
out = open(log, "w")
while time.time() < start + seconds:
    ready, _, _ = select.select(list(socks), [], [], 0.2)
    for s in ready:
        req, peer = s.recvfrom(1024)
        if len(req) < 48:
            continue
        addr = socks[s][0]
        socks[s][1] += 1
        n = socks[s][1]
        now = time.time() - start
        what = "good"
        if addr == "127.0.0.1":
            # The forgery first: origin off by one, a clock 1000 s ahead.
            bad = struct.unpack("!Q", req[40:48])[0] ^ 1
            s.sendto(reply(req, ahead=1000.0, origin=bad), peer)
            s.sendto(reply(req), peer)
            what = "forged+good"
        elif addr == "127.0.0.2" and 4 <= n <= 6:
            s.sendto(reply(req, stratum=0, refid=b"RATE", leap=3), peer)
            what = "RATE"
        elif addr == "127.0.0.3" and n >= 4:
            s.sendto(reply(req, stratum=0, refid=b"DENY", leap=3), peer)
            what = "DENY"
        elif addr == "127.0.0.4" and 3.0 <= now < 7.0:
            what = "silent"
        else:
            s.sendto(reply(req), peer)
        out.write("%s %.3f n=%d %s\n" % (addr, now, n, what))
        out.flush()
EOF

{
	for a in 1 2 3 4; do
		echo "server 127.0.0.$a port $PORT minpoll -2 maxpoll 2"
	done
	echo "port 0"
	echo "cmdport 0"
	echo "bindcmdaddress $T/ntpd.sock"
	echo "pidfile $T/ntpd.pid"
	echo "driftfile $T/ntpd.drift"
} >"$T/ntpd.conf"

local_start "$T/fake.out" python3 "$T/fake.py" "$PORT" $((RUN + 3)) "$T/fake.log"
FAKE=$E2E_PID
sleep 0.5
local_start "$T/ntpd.log" timeout $((RUN + 10)) "$NTPD" -x -d -d -t "$RUN" -f "$T/ntpd.conf"
NTPD_PID=$E2E_PID
wait "$NTPD_PID"
rc=$?
check "ntpd -x -t $RUN exits by itself with status 0" test "$rc" -eq 0
daemon_stop "$FAKE"

# --- forged replies: wrong origin timestamp ----------------------------------

N1=$(grep -c '^127\.0\.0\.1 ' "$T/fake.log")
DROPPED=$(grep -c 'dropped a reply from 127\.0\.0\.1 that matches no request' "$T/ntpd.log")
# The offsets measured from 127.0.0.1, in seconds.
sed -n 's/.*NTP source 127\.0\.0\.1: offset \([-+0-9.e]*\) .*/\1/p' "$T/ntpd.log" >"$T/off1"
check "forged origin: ntpd polled the forging server" test "$N1" -ge 5
check "forged origin: each forged reply is dropped" test "$DROPPED" -ge $((N1 - 1))
check "forged origin: the real replies give samples" test "$(wc -l <"$T/off1")" -ge 3
check "forged origin: no sample is 1000 s off" \
    awk '{ if ($1 > 1 || $1 < -1) bad = 1 } END { exit bad }' "$T/off1"

# --- kiss-o'-death RATE and DENY ----------------------------------------------

# gap ADDR FROM TO: the mean time between requests FROM..TO (by number).
gap() {
	awk -v a="$1" -v from="$2" -v to="$3" '
	    $1 == a { sub("n=", "", $3); t[$3] = $2 }
	    END { if (!(to in t) || !(from in t)) { print 0; exit }
		printf "%.3f\n", (t[to] - t[from]) / (to - from) }' "$T/fake.log"
}
check "RATE: ntpd logs the kiss-o'-death" file_has "$T/ntpd.log" '127\.0\.0\.2 sent a RATE'
G_BEFORE=$(gap 127.0.0.2 1 4)
G_AFTER=$(gap 127.0.0.2 6 8)
if awk -v b="$G_BEFORE" -v a="$G_AFTER" 'BEGIN { exit !(a > 0 && b > 0 && a >= 2 * b) }'; then
	pass "RATE: the poll interval grows (${G_BEFORE} s, then ${G_AFTER} s between requests)"
else
	fail "RATE: the poll interval grows" "${G_BEFORE} s, then ${G_AFTER} s; $(grep '^127\.0\.0\.2' "$T/fake.log" | head -n 10)"
fi
check "RATE: no sample from a kiss-o'-death packet" \
    sh -c "! grep -q 'NTP source 127\.0\.0\.2 is not synchronised' '$T/ntpd.log'"

check "DENY: ntpd logs that it stops polling" file_has "$T/ntpd.log" '127\.0\.0\.3 denied access'
N3=$(grep -c '^127\.0\.0\.3 ' "$T/fake.log")
check "DENY: no request after the first DENY ($N3 requests)" test "$N3" -eq 4

# --- a source that falls silent and returns ------------------------------------

awk '$1 == "127.0.0.4" && $2 >= 7.5 { print }' "$T/fake.log" >"$T/back.log"
check "silent source: ntpd keeps polling it while silent" \
    sh -c "grep -c '^127\.0\.0\.4 .* silent' '$T/fake.log' | grep -qv '^[01]\$'"
check "silent source: ntpd polls it again after it returns" test -s "$T/back.log"
# ntpd logs a sample for each good reply, so the samples must match the
# good replies (less one that may still be in flight when ntpd exits).
GOOD4=$(grep -c '^127\.0\.0\.4 .* good' "$T/fake.log")
S4=$(grep -c 'NTP source 127\.0\.0\.4: offset' "$T/ntpd.log")
BACKGOOD=$(grep -c 'good' "$T/back.log")
check "silent source: samples resume after it returns ($BACKGOOD good replies, $S4 of $GOOD4 samples)" \
    test "$BACKGOOD" -ge 1 -a "$S4" -ge $((GOOD4 - 1))

exit $E2E_FAIL
