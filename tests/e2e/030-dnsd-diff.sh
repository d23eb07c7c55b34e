#!/bin/sh
# dnsd against Debian's dnsmasq, both on loopback with the reference
# dnsmasq.conf and hosts file: the same questions to both, compared by
# rcode, flags and the sorted answer set.  Each server forwards to its own
# dnsmasq "upstream" on loopback that serves a few outside.test names, so
# the upstream's query log shows what each one forwarded.  Where dnsd
# differs from dnsmasq on purpose, the case says so and checks the RFC
# rule instead.  Everything stays on 127.0.0.1; the reference config's
# server=8.8.8.8 and listen-address=192.168.6.200 are rewritten first.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd dnsmasq dig python3
[ "$(id -u)" -eq 0 ] || skip "dnsmasq and dnsd drop privileges only as root"
e2e_timeout 180 "$@"
DATA=tests/data
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"
DOMAIN=edge.example.org

e2e_init
T=$E2E_TMP
mkdir "$T/q" "$T/run"
# dnsd runs as dnsd after start-up (nobody where that user does not exist)
# and removes its pid file at exit.
chmod 777 "$T/run"

# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; each script has its own band of 4000.
BASE=$((10000 + ($$ % 400) * 10))
P_UPREF=$BASE		# upstream of dnsmasq
P_UPDNSD=$((BASE + 1))	# upstream of dnsd
P_REF=$((BASE + 2))	# dnsmasq under comparison
P_DNSD=$((BASE + 3))	# dnsd
P_DEAD=$((BASE + 4))	# an upstream that reads queries and never answers
P_BAD=$((BASE + 5))	# dnsbad.py: an upstream that misbehaves on request

# --- the upstreams --------------------------------------------------------

upstream_conf() {	# upstream_conf PORT LOG
	cat <<EOF
port=$1
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
user=root
pid-file=
local-ttl=300
local=/outside.test/
host-record=www.outside.test,10.9.9.9,fd00::9
host-record=mail.outside.test,10.9.9.10
host-record=www.fail.test,10.7.7.7
host-record=www2.fail.test,10.7.7.8
txt-record=txt.outside.test,"hello world"
addn-hosts=$T/outside.hosts
log-queries
log-facility=$2
EOF
}
# A name with 100 addresses: its reply over UDP is truncated even with EDNS(0).
i=1
while [ $i -le 100 ]; do
	echo "10.100.0.$i huge.outside.test"
	i=$((i + 1))
done >"$T/outside.hosts"
upstream_conf "$P_UPREF" "$T/upref.log" >"$T/upref.conf"
upstream_conf "$P_UPDNSD" "$T/updnsd.log" >"$T/updnsd.conf"
local_start "$T/upref.out" dnsmasq -k -C "$T/upref.conf"
local_start "$T/updnsd.out" dnsmasq -k -C "$T/updnsd.conf"
# The silent upstream prints the name of each query it reads.
local_start "$T/dead.out" python3 -u -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
end = time.time() + 170
while time.time() < end:
	s.settimeout(1)
	try:
		q = s.recv(4096)
	except socket.timeout:
		continue
	labels, i = [], 12
	while i < len(q) and 0 < q[i] < 64:
		labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
		i += 1 + q[i]
	print(".".join(labels).lower())
' "$P_DEAD"
local_start "$T/bad.out" python3 "$(dirname "$0")/dnsbad.py" "$P_BAD"

# --- the two servers on the reference config -------------------------------

# server_conf UPPORT PORT PIDFILE: the reference config with the upstream
# and the listen address rewritten to loopback, the test's hosts files in
# place of /etc/hosts, and a domain whose upstream never answers.
server_conf() {
	sed -e "s/^server=8\.8\.8\.8\$/server=127.0.0.1#$1/" \
	    -e 's/^listen-address=.*/listen-address=127.0.0.1/' "$DATA/dnsmasq.conf"
	cat <<EOF
port=$2
bind-interfaces
no-resolv
no-hosts
addn-hosts=$T/hosts
addn-hosts=$T/extra.hosts
server=/dead.test/127.0.0.1#$P_DEAD
server=/fail.test/127.0.0.1#$P_DEAD
server=/fail.test/127.0.0.1#$1
server=/bad.test/127.0.0.1#$P_BAD
pid-file=$3
EOF
}
cp "$DATA/hosts" "$T/hosts"
# A name with 40 addresses: more than fits in 512 bytes.
i=1
while [ $i -le 40 ]; do
	echo "10.40.0.$i big"
	i=$((i + 1))
done >"$T/extra.hosts"
chmod 644 "$T/hosts" "$T/extra.hosts"
server_conf "$P_UPREF" "$P_REF" "$T/ref.pid" >"$T/ref.conf"
server_conf "$P_UPDNSD" "$P_DNSD" "$T/run/dnsd.pid" >"$T/dnsd.conf"
chmod 644 "$T/ref.conf" "$T/dnsd.conf"

check "dnsd --test accepts the test config" \
    sh -c "'$DNSD' -C '$T/dnsd.conf' --test 2>&1 | grep -qx 'dnsd: syntax check OK.'"
local_start "$T/ref.out" dnsmasq -k --user=root -C "$T/ref.conf"
local_start "$T/dnsd.log" "$DNSD" -d -C "$T/dnsd.conf"
DNSD_PID=$E2E_PID

answers() {	# answers PORT NAME: succeed once the server answers
	dig @127.0.0.1 -p "$1" +time=1 +tries=1 "$2" >/dev/null 2>&1
}
# The upstreams are probed with a name that no case queries, so the query
# log counts only what the servers forwarded.
wait_until 5 answers "$P_UPREF" probe.outside.test || fail "upstream of dnsmasq starts"
wait_until 5 answers "$P_UPDNSD" probe.outside.test || fail "upstream of dnsd starts"
wait_until 5 answers "$P_REF" x-adm || fail "dnsmasq starts" "$(cat "$T/ref.out")"
wait_until 5 answers "$P_DNSD" x-adm || fail "dnsd starts" "$(cat "$T/dnsd.log")"

# --- comparing answers ----------------------------------------------------

N=0
# ask TAG DIGARGS...: the same question to dnsmasq and dnsd; the replies go
# to $T/q/TAG.ref and $T/q/TAG.dnsd.
ask() {
	_tag=$1
	shift
	dig @127.0.0.1 -p "$P_REF" +time=3 +tries=1 "$@" >"$T/q/$_tag.ref" 2>&1
	dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 "$@" >"$T/q/$_tag.dnsd" 2>&1
}

status_of() {
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$1"
}

flags_of() {
	sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' "$1"
}

# answers_of FILE: the answer section, owner in lower case, without TTLs, sorted.
answers_of() {
	sed -n '/^;; ANSWER SECTION:/,/^$/p' "$1" | grep -v '^;;' | grep -v '^$' |
	    awk '{ $1 = tolower($1); $2 = ""; print }' | sort
}

authority_of() {
	sed -n '/^;; AUTHORITY SECTION:/,/^$/p' "$1" | grep -v '^;;' | grep -v '^$'
}

ttl_of() {	# the TTL of the first answer
	sed -n '/^;; ANSWER SECTION:/{n;p;}' "$1" | awk '{ print $2 }'
}

# same WHAT TAG: rcode, flags and answers of dnsd equal dnsmasq's.
same() {
	_r=$T/q/$2.ref
	_d=$T/q/$2.dnsd
	if [ -n "$(status_of "$_r")" ] && [ "$(status_of "$_r")" = "$(status_of "$_d")" ] &&
	    [ "$(flags_of "$_r")" = "$(flags_of "$_d")" ] &&
	    [ "$(answers_of "$_r")" = "$(answers_of "$_d")" ]; then
		pass "$1"
	else
		fail "$1" "$(show_diff "$_r" "$_d")"
	fi
}

# same_negative WHAT TAG ZONE: dnsmasq and dnsd agree on the rcode and on
# an empty answer.  dnsd differs on purpose: its negative answers are
# authoritative (AA) and carry the SOA of ZONE in the authority section.
# Resolvers behind it may then cache them (RFC 2308 3 and 5), which
# dnsmasq's answers, with neither, do not allow.
same_negative() {
	_r=$T/q/$2.ref
	_d=$T/q/$2.dnsd
	if [ -n "$(status_of "$_r")" ] && [ "$(status_of "$_r")" = "$(status_of "$_d")" ] &&
	    [ -z "$(answers_of "$_d")" ] && [ -z "$(answers_of "$_r")" ] &&
	    flags_of "$_d" | grep -q 'aa' &&
	    authority_of "$_d" | grep -q "^$3\.[[:space:]].*IN[[:space:]]*SOA"; then
		pass "$1"
	else
		fail "$1" "$(show_diff "$_r" "$_d")"
	fi
}

# forwarded_by_dnsd NAME: how many queries for NAME reached dnsd's upstream.
forwarded_by_dnsd() {
	grep -c "query\[[A-Z]*\] $1 from" "$T/updnsd.log"
}

NAMES=$(awk '!/^#/ { for (i = 2; i <= NF; i++) if (!seen[$i]++) print $i }' "$DATA/hosts")
ADDRS=$(awk '!/^#/ && NF > 1 && !seen[$1]++ { print $1 }' "$DATA/hosts")

# The reference must hold the hosts file, or every comparison would agree
# on "not found".
ask sanity x-k3s-n-1
check "dnsmasq answers x-k3s-n-1 from the hosts file" \
    grep -q '192\.168\.7\.21$' "$T/q/sanity.ref"

for name in $NAMES; do
	ask "a-$name" "$name" A
	same "A $name as dnsmasq" "a-$name"
	ask "a-$name-full" "$name.$DOMAIN" A
	same "A $name.$DOMAIN as dnsmasq" "a-$name-full"
done
for addr in $ADDRS; do
	ask "ptr-$addr" -x "$addr"
	same "PTR $addr as dnsmasq" "ptr-$addr"
done
# Every node has IPv4 only: AAAA of the full name is NODATA from both.
for name in $NAMES; do
	[ "$name" = localhost ] && continue
	ask "aaaa-$name" "$name.$DOMAIN" AAAA
	same_negative "AAAA $name.$DOMAIN: NODATA as dnsmasq, with AA and SOA" \
	    "aaaa-$name" "$DOMAIN"
done
ask aaaa-localhost localhost AAAA
same "AAAA localhost as dnsmasq" aaaa-localhost
ask ptr-v6 -x ::1
same "PTR ::1 as dnsmasq" ptr-v6
ask case ETCD.Edge.Example.ORG A
same "mixed-case name as dnsmasq" case
check "question case is echoed in the answer" \
    grep -q '^ETCD\.Edge\.Example\.ORG\..*192\.168\.7\.1[123]$' "$T/q/case.dnsd"

# Round robin: all three etcd addresses, the first one changing per query.
ask rr etcd A
same "etcd round-robin set as dnsmasq" rr
firsts=$(for i in 1 2 3; do
	dig @127.0.0.1 -p "$P_DNSD" +short etcd A | head -n 1
done | sort -u | wc -l)
check "dnsd rotates the etcd addresses per query" test "$firsts" -ge 2

# Names dnsd holds, asked for a type they lack.
ask nodata-full "x-adm.$DOMAIN" AAAA
same_negative "AAAA x-adm.$DOMAIN: NODATA as dnsmasq, with AA and SOA" nodata-full "$DOMAIN"
# dnsmasq forwards other types of a short hosts name.  dnsd answers NODATA
# itself because the name exists in its data (RFC 2308 2.2), so it never
# forwards such a query.
for type in AAAA MX; do
	dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 x-adm "$type" >"$T/q/short-$type.dnsd"
	if [ "$(status_of "$T/q/short-$type.dnsd")" = NOERROR ] &&
	    [ -z "$(answers_of "$T/q/short-$type.dnsd")" ] &&
	    authority_of "$T/q/short-$type.dnsd" | grep -q 'SOA'; then
		pass "$type x-adm: NODATA with SOA (RFC 2308), not forwarded as dnsmasq does"
	else
		fail "$type x-adm: NODATA with SOA (RFC 2308), not forwarded as dnsmasq does" \
		    "$(cat "$T/q/short-$type.dnsd")"
	fi
done
check "dnsd forwarded no query for x-adm" test "$(forwarded_by_dnsd x-adm)" -eq 0

# Unknown names under local=/edge.example.org/.
ask nx "nosuch.$DOMAIN" A
same_negative "nosuch.$DOMAIN: NXDOMAIN as dnsmasq, with AA and SOA" nx "$DOMAIN"
check "dnsd forwarded no query for nosuch.$DOMAIN" \
    test "$(forwarded_by_dnsd "nosuch.$DOMAIN")" -eq 0

# Forwarding and the cache.
ask fwd www.outside.test A
same "forwarded A www.outside.test as dnsmasq" fwd
check "forwarded answer holds the upstream's address" \
    grep -q '10\.9\.9\.9$' "$T/q/fwd.dnsd"
sleep 1.2
ask fwd2 www.outside.test A
same "cached A www.outside.test as dnsmasq" fwd2
t1=$(ttl_of "$T/q/fwd.dnsd")
t2=$(ttl_of "$T/q/fwd2.dnsd")
check "cached TTL counts down ($t1 then $t2)" test "${t2:-999}" -lt "${t1:-0}"
check "dnsd asked its upstream once for www.outside.test" \
    test "$(forwarded_by_dnsd www.outside.test)" -eq 1
ask fwd-aaaa www.outside.test AAAA
same "forwarded AAAA www.outside.test as dnsmasq" fwd-aaaa
ask fwd-txt txt.outside.test TXT
same "forwarded TXT txt.outside.test as dnsmasq" fwd-txt
ask fwd-nx nosuch.outside.test A
same "forwarded NXDOMAIN nosuch.outside.test as dnsmasq" fwd-nx
ask fwd-tcp +tcp mail.outside.test A
same "forwarded over TCP mail.outside.test as dnsmasq" fwd-tcp

# A client over TCP gets the whole answer even when the upstream's UDP
# reply is truncated: dnsd asks the upstream again over TCP.
ask huge-tcp +tcp huge.outside.test A
same "forwarded 100 addresses over TCP as dnsmasq" huge-tcp
check "all 100 forwarded addresses over TCP" \
    test "$(answers_of "$T/q/huge-tcp.dnsd" | wc -l)" -eq 100
ask huge-udp +ignore huge.outside.test A
check "forwarded truncated reply over UDP keeps TC" \
    sh -c "sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' '$T/q/huge-udp.dnsd' | grep -q tc"

# ANY (RFC 8482).  dnsd differs from dnsmasq 2.90 on purpose, so only dnsd
# is checked: a local name gets one RRset (A before AAAA), and a name dnsd
# would forward gets a synthesized HINFO "RFC8482" "" without a query
# upstream, unless the DO bit asks for DNSSEC records.
dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 localhost ANY >"$T/q/any-local.dnsd" 2>&1
check "ANY localhost: the A record only (RFC 8482 4.1)" \
    test "$(answers_of "$T/q/any-local.dnsd")" = "localhost.  IN A 127.0.0.1"
dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 etcd ANY >"$T/q/any-rr.dnsd" 2>&1
check "ANY etcd: the whole A set of three" \
    test "$(answers_of "$T/q/any-rr.dnsd" | grep -c ' IN A 192\.168\.7\.1[123]$')" -eq 3 -a \
    "$(answers_of "$T/q/any-rr.dnsd" | wc -l)" -eq 3
dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 any.outside.test ANY >"$T/q/any-fwd.dnsd" 2>&1
check "ANY any.outside.test: a synthesized HINFO (RFC 8482 4.2)" \
    test "$(answers_of "$T/q/any-fwd.dnsd")" = 'any.outside.test.  IN HINFO "RFC8482" ""'
check "ANY any.outside.test: NOERROR" test "$(status_of "$T/q/any-fwd.dnsd")" = NOERROR
check "dnsd forwarded no ANY query for any.outside.test" \
    test "$(forwarded_by_dnsd any.outside.test)" -eq 0
timeout 10 host -W 3 -p "$P_DNSD" -t ANY localhost 127.0.0.1 >"$T/q/any-host.dnsd" 2>&1
check "host -t ANY localhost: IPv4 address only" \
    sh -c "grep -q 'localhost has address 127\.0\.0\.1' '$T/q/any-host.dnsd' &&
    ! grep -q 'IPv6' '$T/q/any-host.dnsd'"
dig @127.0.0.1 -p "$P_DNSD" +time=3 +tries=1 +dnssec do.outside.test ANY \
    >"$T/q/any-do.dnsd" 2>&1
check "ANY with the DO bit is forwarded" test "$(forwarded_by_dnsd do.outside.test)" -eq 1
[ "$E2E_FAIL" -eq 0 ] || cat "$T/q/any-local.dnsd" "$T/q/any-fwd.dnsd" "$T/q/any-host.dnsd"

# An upstream that never answers: dnsd gives up with SERVFAIL (RFC 1035
# 4.1.1: the server could not process the query) about a second after its
# last try.  dnsmasq stays silent, so only dnsd is checked.
start=$(date +%s%N)
dig @127.0.0.1 -p "$P_DNSD" +time=5 +tries=1 x.dead.test A >"$T/q/dead.dnsd" 2>&1
ms=$((($(date +%s%N) - start) / 1000000))
check "silent upstream: SERVFAIL" test "$(status_of "$T/q/dead.dnsd")" = SERVFAIL
check "silent upstream: SERVFAIL within 2.5 s (took $ms ms)" test "$ms" -lt 2500

# Failover: the first server for fail.test never answers, the second does.
# The next query goes to the second one first, because the first failed
# a moment ago.
ask failover www.fail.test A
same "failover to the second server as dnsmasq" failover
start=$(date +%s%N)
ask failover2 www2.fail.test A
ms=$((($(date +%s%N) - start) / 1000000))
same "after failover as dnsmasq" failover2
check "after failover the answering server goes first (took $ms ms)" \
    sh -c "grep -qx 'www\.fail\.test' '$T/dead.out' && ! grep -qx 'www2\.fail\.test' '$T/dead.out'"

# An upstream that misbehaves (dnsbad.py answers by the first label).  A
# reply with the wrong ID or no DNS message at all is ignored, so the
# query ends in SERVFAIL after the timeout; an upstream's SERVFAIL and
# REFUSED reach the client; a truncated reply reaches a UDP client with
# TC, and a TCP client gets the answer dnsd fetched over TCP.
bad() {	# bad NAME [DIGARGS...]: ask dnsd, reply in $T/q/bad-NAME
	_n=$1
	shift
	dig @127.0.0.1 -p "$P_DNSD" +time=4 +tries=1 "$@" "$_n.bad.test" A \
	    >"$T/q/bad-$_n" 2>&1
}
wait_until 5 sh -c "dig @127.0.0.1 -p $P_BAD +time=1 +tries=1 ok.bad.test >/dev/null" ||
    fail "dnsbad.py starts" "$(cat "$T/bad.out")"
bad ok
check "misbehaving upstream: a normal reply is relayed" grep -q '10\.8\.8\.8$' "$T/q/bad-ok"
bad badid
check "reply with a wrong ID is ignored: SERVFAIL" test "$(status_of "$T/q/bad-badid")" = SERVFAIL
bad garbage
check "reply that is no DNS message is ignored: SERVFAIL" \
    test "$(status_of "$T/q/bad-garbage")" = SERVFAIL
bad servfail
check "upstream SERVFAIL reaches the client" test "$(status_of "$T/q/bad-servfail")" = SERVFAIL
bad refused
check "upstream REFUSED reaches the client" test "$(status_of "$T/q/bad-refused")" = REFUSED
bad tc +ignore
check "truncated upstream reply reaches a UDP client with TC" \
    sh -c "sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' '$T/q/bad-tc' | grep -q tc"
bad tc +tcp
check "truncated upstream reply: a TCP client gets the TCP answer" \
    grep -q '10\.9\.9\.9$' "$T/q/bad-tc"
kill -USR1 "$DNSD_PID"
sleep 0.3
check "stray replies are counted" grep -q 'stray replies [1-9]' "$T/dnsd.log"

# TCP, truncation and EDNS(0).
ask tcp +tcp "x-k3s-m-1.$DOMAIN" A
same "A over TCP as dnsmasq" tcp
ask big-tcp +tcp big A
same "40 addresses over TCP as dnsmasq" big-tcp
check "all 40 addresses over TCP" test "$(answers_of "$T/q/big-tcp.dnsd" | wc -l)" -eq 40
ask big-udp +noedns +ignore big A
check "40 addresses over UDP without EDNS: TC set" \
    sh -c "flags_of() { sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' \"\$1\"; }; flags_of '$T/q/big-udp.dnsd' | grep -q tc"
check "truncated reply fits in 512 bytes" \
    sh -c "grep -q 'MSG SIZE  rcvd: \([0-9]\|[0-9][0-9]\|[1-4][0-9][0-9]\|50[0-9]\|51[0-2]\)\$' '$T/q/big-udp.dnsd'"
check "truncated reply keeps a partial answer" test "$(answers_of "$T/q/big-udp.dnsd" | wc -l)" -gt 0
# Several TCP clients at once, two queries back to back on one
# connection, and an idle connection closed by dnsd after its timeout.
tcp_clients() {	# tcp_clients PORT: print one line per result
	python3 - "$1" <<'EOF'
import socket, struct, sys, time
port = int(sys.argv[1])
def query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    q += struct.pack("!HH", 1, 1)
    return struct.pack("!H", len(q)) + q
def read_exact(s, n):
    data = b""
    while len(data) < n:
        part = s.recv(n - len(data))
        if not part:
            return None
        data += part
    return data
def read_reply(s):
    head = read_exact(s, 2)
    return read_exact(s, struct.unpack("!H", head)[0]) if head else None
def reply_id(r):
    return struct.unpack("!H", r[:2])[0] if r else -1
conns = [socket.create_connection(("127.0.0.1", port), timeout=5) for i in range(3)]
for i, c in enumerate(conns):
    c.sendall(query(100 + i, "x-adm"))
print("parallel", sorted(reply_id(read_reply(c)) for c in conns) == [100, 101, 102])
conns[0].sendall(query(7, "etcd") + query(8, "x-mon-1"))
r1 = read_reply(conns[0])
r2 = read_reply(conns[0])
print("pipelined", reply_id(r1) == 7 and reply_id(r2) == 8)
for c in conns:
    c.close()
idle = socket.create_connection(("127.0.0.1", port), timeout=20)
start = time.time()
try:
    closed = idle.recv(1) == b""
except socket.timeout:
    closed = False
print("idle", closed and 8 < time.time() - start < 15)
EOF
}
tcp_clients "$P_DNSD" >"$T/q/tcp-clients" 2>&1
check "three TCP clients at once" grep -qx 'parallel True' "$T/q/tcp-clients"
check "two queries back to back on one TCP connection" \
    grep -qx 'pipelined True' "$T/q/tcp-clients"
check "idle TCP connection closed after about 10 s" grep -qx 'idle True' "$T/q/tcp-clients"

ask edns x-adm A
check "EDNS(0) reply advertises 1232 bytes" grep -q 'udp: 1232$' "$T/q/edns.dnsd"

# Malformed and unsupported queries.
# dnsmasq answers other opcodes with REFUSED; dnsd with NOTIMP, the rcode
# RFC 1035 4.1.1 gives for a kind of query the server does not support.
ask notimp +opcode=status x-adm
check "opcode STATUS: NOTIMP (RFC 1035; dnsmasq: $(status_of "$T/q/notimp.ref"))" \
    test "$(status_of "$T/q/notimp.dnsd")" = NOTIMP
# A query whose question is cut short in the middle of the name.
rawq() {	# rawq PORT: print the rcode of the reply to a malformed query, or "none"
	python3 - "$1" <<'EOF'
import socket, sys
q = bytes.fromhex("abcd01000001000000000000") + b"\x05x-ad"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
try:
    r = s.recv(4096)
    print(r[3] & 15)
except socket.timeout:
    print("none")
EOF
}
r_ref=$(rawq "$P_REF")
r_dnsd=$(rawq "$P_DNSD")
check "malformed question: FORMERR (dnsmasq: $r_ref)" test "$r_dnsd" = 1
check "dnsd still answers after malformed input" answers "$P_DNSD" x-adm
# Queries longer than dnsd's 128-byte receive head: a question for a
# 255-byte name under outside.test (the upstream returns NXDOMAIN), padded by
# an EDNS(0) option (RFC 7830) to SIZE bytes.  The name crosses the end of
# the head, so a reply that echoes it shows the datagram was put together.
# Up to 1232 bytes it is answered; a longer datagram is cut and dropped.
bigq() {	# bigq PORT SIZE: print "RCODE QUESTION-MATCH ID-MATCH", or "none"
	python3 - "$1" "$2" <<'EOF'
import socket, struct, sys
name = b"".join(bytes([len(l)]) + l for l in [b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 48, b"outside", b"test"]) + b"\x00"
assert len(name) == 255
head = bytes.fromhex("beef01000001000000000001") + name + struct.pack("!HH", 1, 1)
pad = int(sys.argv[2]) - len(head) - 11 - 4
q = head + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, pad + 4) + struct.pack("!HH", 12, pad) + bytes(pad)
assert len(q) == int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
try:
    r = s.recv(4096)
    print(r[3] & 15, r[12:12 + len(name)] == name, r[0:2] == q[0:2])
except socket.timeout:
    print("none")
EOF
}
for size in 300 1000 1232; do
	check "a $size-byte query is answered (NXDOMAIN, its question echoed)" \
	    test "$(bigq "$P_DNSD" $size)" = "3 True True"
done
check "a 1300-byte query is dropped" test "$(bigq "$P_DNSD" 1300)" = none
check "dnsd still answers after a long query" answers "$P_DNSD" x-adm

# --- CHAOS TXT statistics ---------------------------------------------------

chaos() {	# chaos PORT NAME: the TXT strings of NAME in class CHAOS
	dig @127.0.0.1 -p "$1" +time=2 +tries=1 +short CH TXT "$2"
}
check "cachesize.bind: the same as dnsmasq's ($(chaos "$P_DNSD" cachesize.bind))" \
    test "$(chaos "$P_DNSD" cachesize.bind)" = "$(chaos "$P_REF" cachesize.bind)"
check "servers.bind: ADDR#PORT SENT FAILED per upstream, as dnsmasq writes it" \
    sh -c "dig @127.0.0.1 -p $P_DNSD +short CH TXT servers.bind |
	grep -Eq '^\"127\\.0\\.0\\.1#$P_UPDNSD [0-9]+ [0-9]+\"( |\$)'"
for n in insertions evictions misses hits; do
	check "$n.bind: a count" sh -c "dig @127.0.0.1 -p $P_DNSD +short CH TXT $n.bind |
	    grep -Eqx '\"[0-9]+\"'"
done
r_ref=$(dig @127.0.0.1 -p "$P_REF" +time=2 +tries=1 CH TXT nosuch.bind | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
check "an unknown CHAOS name: NOTIMP, as from dnsmasq ($r_ref)" sh -c \
    "dig @127.0.0.1 -p $P_DNSD +time=2 +tries=1 CH TXT nosuch.bind | grep -q 'status: $r_ref,'"

# --- dnsd --explain ---------------------------------------------------------

# explain NAME [TYPE]: dnsd's explanation on the running config.
explain() {
	"$DNSD" -C "$T/dnsd.conf" --explain "$@" 2>/dev/null
}
l_adm=$(grep -n 'x-adm$' "$T/hosts" | cut -d: -f1)
l_up=$(grep -n "^server=127.0.0.1#$P_UPDNSD\$" "$T/dnsd.conf" | cut -d: -f1)
l_dead=$(grep -n '^server=/dead.test/' "$T/dnsd.conf" | cut -d: -f1)
l_local=$(grep -n '^local=/edge.example.org/' "$T/dnsd.conf" | cut -d: -f1)
explain x-adm.edge.example.org >"$T/q/explain.adm"
check "--explain names the hosts line of a local name" \
    grep -qx "  $T/hosts:$l_adm: 192.168.7.1 x-adm (expand-hosts adds the domain)" "$T/q/explain.adm"
check "--explain gives the answer of a local name" \
    grep -qx '  x-adm.edge.example.org. 0 IN A 192.168.7.1' "$T/q/explain.adm"
explain 1.7.168.192.in-addr.arpa PTR >"$T/q/explain.ptr"
check "--explain traces a PTR to its hosts line" \
    grep -qx "  $T/hosts:$l_adm: 192.168.7.1 x-adm (PTR to the line's first name)" "$T/q/explain.ptr"
explain x-adm.edge.example.org MX >"$T/q/explain.mx"
check "--explain says a local name without the type gets NODATA" \
    grep -q 'with no MX record, so it gets NODATA' "$T/q/explain.mx"
explain nosuch.edge.example.org >"$T/q/explain.local"
check "--explain names the local= line of a local domain" \
    grep -q "^why: local=/edge.example.org/ .* at $T/dnsd.conf:$l_local:" "$T/q/explain.local"
explain www.example.org AAAA >"$T/q/explain.fwd"
check "--explain names the upstream of a forwarded name and its server= line" \
    grep -qx "  127.0.0.1#$P_UPDNSD from $T/dnsd.conf:$l_up" "$T/q/explain.fwd"
explain x.dead.test >"$T/q/explain.dead"
check "--explain names the server=/domain/ line that routes a name" \
    grep -q "^why: server=/dead.test/ at $T/dnsd.conf:$l_dead is the most specific" \
    "$T/q/explain.dead"
check "--explain rejects an unknown type" \
    sh -c "! '$DNSD' -C '$T/dnsd.conf' --explain x-adm NOSUCHTYPE 2>/dev/null"

# --- signals --------------------------------------------------------------

echo "192.168.7.99	x-new" >>"$T/hosts"
kill -HUP "$DNSD_PID"
sleep 0.5
check "SIGHUP rereads the hosts files" \
    sh -c "dig @127.0.0.1 -p $P_DNSD +short x-new | grep -qx 192.168.7.99"
# Start-up and reload code leaves dnsd's memory once it is done.
r=$(init_rss "$DNSD_PID")
[ "$r" = none ] || check "after the reload dnsd holds no init code ($r KiB)" test "$r" = 0
echo "no-such-option" >>"$T/dnsd.conf"
kill -HUP "$DNSD_PID"
sleep 0.5
check "invalid config on SIGHUP is logged with FILE:LINE" \
    grep -q "$T/dnsd.conf:[0-9]*: unknown option 'no-such-option'" "$T/dnsd.log"
check "invalid config on SIGHUP keeps the old one" \
    sh -c "dig @127.0.0.1 -p $P_DNSD +short x-new | grep -qx 192.168.7.99"
kill -USR1 "$DNSD_PID"
sleep 0.3
check "SIGUSR1 logs the counters" grep -q 'queries [0-9]*, answered locally' "$T/dnsd.log"
check "SIGUSR1 logs the counts of each upstream, in dnsmasq's words" \
    grep -Eq "server 127\.0\.0\.1#$P_UPDNSD: queries sent [1-9][0-9]*, retried or failed [0-9]+\$" \
    "$T/dnsd.log"
check "pid file holds dnsd's pid" test "$(cat "$T/run/dnsd.pid" 2>/dev/null)" = "$DNSD_PID"
kill "$DNSD_PID"
wait_until 3 has_exited "$DNSD_PID"
check "SIGTERM stops dnsd" has_exited "$DNSD_PID"
check "SIGTERM removes the pid file" test ! -e "$T/run/dnsd.pid"

# The main hosts file from DNSD_HOSTS_FILE (no-hosts not set), with -k:
# foreground, logging to syslog.
P_HOSTS=$((BASE + 6))
printf 'port=%s\nlisten-address=127.0.0.1\nno-resolv\nexpand-hosts\ndomain=%s\npid-file=\n' \
    "$P_HOSTS" "$DOMAIN" >"$T/hostsfile.conf"
chmod 644 "$T/hostsfile.conf"
DNSD_HOSTS_FILE="$T/hosts" local_start "$T/hostsfile.out" "$DNSD" -k -C "$T/hostsfile.conf"
HOSTS_PID=$E2E_PID
if wait_until 5 answers "$P_HOSTS" x-adm; then
	check "DNSD_HOSTS_FILE replaces /etc/hosts" \
	    sh -c "dig @127.0.0.1 -p $P_HOSTS +short x-k3s-n-2.$DOMAIN | grep -qx 192.168.7.22"
else
	fail "dnsd -k with DNSD_HOSTS_FILE starts" "$(cat "$T/hostsfile.out")"
fi
daemon_stop "$HOSTS_PID"

# --- forwarding depth: coalescing, dns-forward-max, DNSSEC bits, EDE -------

# dnsslow.py answers every query after 0.5 s and logs it, so a burst of
# queries is in flight at once.  Both servers forward to it, with names of
# their own (NAME-ref, NAME-dnsd), and get the same bursts from dnsburst.py.
P_SLOW=$((BASE + 7))
P_FWREF=$((BASE + 8))
P_FWDNSD=$((BASE + 9))
local_start "$T/slow.out" python3 "$(dirname "$0")/dnsslow.py" "$P_SLOW" 0.5 "$T/slow.log"
SLOW_PID=$E2E_PID
fwd_conf() {	# fwd_conf PORT [OPTION...]: the options, then dnsslow.py as a server
	_port=$1
	shift
	printf 'port=%s\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n' "$_port"
	for _o in "$@"; do
		echo "$_o"
	done
	printf 'server=127.0.0.1#%s\npid-file=\n' "$P_SLOW"
}
fwd_start() {	# fwd_start [OPTION...]: dnsmasq and dnsd on fwd_conf
	fwd_conf "$P_FWREF" "$@" >"$T/fwref.conf"
	fwd_conf "$P_FWDNSD" "$@" >"$T/fwdnsd.conf"
	chmod 644 "$T/fwref.conf" "$T/fwdnsd.conf"
	local_start "$T/fwref.out" dnsmasq -k -C "$T/fwref.conf" --log-facility=-
	FWREF_PID=$E2E_PID
	local_start "$T/fwdnsd.out" "$DNSD" -d -C "$T/fwdnsd.conf"
	FWDNSD_PID=$E2E_PID
	wait_until 5 answers "$P_FWREF" probe-ref.slow.test || fail "forwarding dnsmasq starts"
	wait_until 5 answers "$P_FWDNSD" probe-dnsd.slow.test || fail "forwarding dnsd starts"
}
fwd_stop() {
	daemon_stop "$FWREF_PID"
	daemon_stop "$FWDNSD_PID"
}
burst() {	# burst TAG COUNT NAME: the burst to both servers, NAME without -ref/-dnsd
	python3 "$(dirname "$0")/dnsburst.py" "$P_FWREF" "$2" "$3-ref.slow.test" >"$T/q/$1.ref"
	python3 "$(dirname "$0")/dnsburst.py" "$P_FWDNSD" "$2" "$3-dnsd.slow.test" >"$T/q/$1.dnsd"
}
# same_as_ref WHAT TAG COUNT: dnsd's burst summary equals dnsmasq's.  When
# dnsmasq, the reference, answered fewer than COUNT (it drops queries on a
# loaded machine), there is nothing to compare; the checks of dnsd's own
# answers that follow still apply.
same_as_ref() {
	if grep -q "^sent $3 answered $3 " "$T/q/$2.ref"; then
		check "$1" test "$(cat "$T/q/$2.dnsd")" = "$(cat "$T/q/$2.ref")"
	else
		echo "note: $1: not compared, dnsmasq $(cat "$T/q/$2.ref")"
	fi
}
upstream_saw() {	# upstream_saw REGEX: how many queries dnsslow.py logged
	grep -c "$1" "$T/slow.log"
}

if wait_until 5 answers "$P_SLOW" probe.slow.test; then
	fwd_start dns-forward-max=1100
	# 50 clients ask one name at once: one upstream query answers them all.
	burst same 50 same
	same_as_ref "coalescing: every client answered as dnsmasq" same 50
	check "coalescing: all 50 right" grep -q 'answered 50 .* right 50$' "$T/q/same.dnsd"
	check "coalescing: one upstream query as dnsmasq ($(upstream_saw '^same-ref\.'))" \
	    test "$(upstream_saw '^same-dnsd\.')" -eq 1 -a "$(upstream_saw '^same-ref\.')" -eq 1
	# dns-forward-max=1100: 1100 names in flight at once, all answered.
	burst deep 1100 'd%d'
	same_as_ref "dns-forward-max=1100: all 1100 in flight answered as dnsmasq" deep 1100
	check "dns-forward-max=1100: all 1100 right" grep -q 'answered 1100 .* right 1100$' \
	    "$T/q/deep.dnsd"
	check "dns-forward-max=1100: 1100 upstream queries" \
	    test "$(upstream_saw '^d[0-9]*-dnsd\.')" -eq 1100
	# The DO bit reaches the upstream, and its RRSIG the client; the reply
	# carries DO (RFC 3225 3) and a CD query gets CD back (RFC 4035 3.2.2).
	ask_fwd() {	# ask_fwd TAG NAME DIGARGS...
		_tag=$1
		_name=$2
		shift 2
		dig @127.0.0.1 -p "$P_FWREF" +time=3 +tries=1 "$@" "$_name" A >"$T/q/$_tag.ref" 2>&1
		dig @127.0.0.1 -p "$P_FWDNSD" +time=3 +tries=1 "$@" "$_name" A >"$T/q/$_tag.dnsd" 2>&1
	}
	ask_fwd do sig.slow.test +dnssec
	same "DO query: RRSIG passed through as dnsmasq" do
	check "DO query: the RRSIG reaches the client" grep -q 'IN[[:space:]]*RRSIG' "$T/q/do.dnsd"
	check "DO query: the reply has DO" grep -q 'EDNS: version: 0, flags: do;' "$T/q/do.dnsd"
	ask_fwd cd cd.slow.test +cd
	same "CD query: CD copied as dnsmasq" cd
	fwd_stop
	# The default dns-forward-max: dnsmasq's 150 refuses the rest of a
	# burst of 300, dnsd's 1024 forwards it all.
	fwd_start
	burst max 300 'm%d'
	check "default dns-forward-max: dnsd answers all 300 right (dnsmasq: $(cat "$T/q/max.ref"))" \
	    grep -q 'answered 300 noerror 300 servfail 0 refused 0 other 0 right 300$' \
	    "$T/q/max.dnsd"
	check "default dns-forward-max: 300 upstream queries" \
	    test "$(upstream_saw '^m[0-9]*-dnsd\.')" -eq 300
	fwd_stop
	# dns-forward-max=150: the rest of a burst of 300 is REFUSED, as dnsmasq.
	fwd_start dns-forward-max=150
	burst cap 300 'c%d'
	check "dns-forward-max=150: 150 answered, 150 REFUSED as dnsmasq" \
	    test "$(cat "$T/q/cap.dnsd")" = "$(cat "$T/q/cap.ref")"
	check "dns-forward-max=150: 150 right, 150 REFUSED" \
	    grep -q 'answered 300 noerror 150 servfail 0 refused 150 other 0 right 150$' \
	    "$T/q/cap.dnsd"
	check "dns-forward-max=150: 150 upstream queries" \
	    test "$(upstream_saw '^c[0-9]*-dnsd\.')" -eq 150
	fwd_stop
	# all-servers: the silent upstream, listed first, is asked at the same
	# time as the slow one, so the answer comes after 0.5 s, not after the
	# 1 s timeout of the first.
	fwd_start all-servers "server=127.0.0.1#$P_DEAD"
	for s in ref dnsd; do
		[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
		start=$(date +%s%N)
		dig @127.0.0.1 -p "$p" +time=3 +tries=1 "all-$s.slow.test" A >"$T/q/all.$s" 2>&1
		eval "ms_$s=$((($(date +%s%N) - start) / 1000000))"
	done
	check "all-servers: the first good answer as dnsmasq" \
	    sh -c "grep -q '10\.1\.0\.0\$' '$T/q/all.ref' && grep -q '10\.1\.0\.0\$' '$T/q/all.dnsd'"
	check "all-servers: answered in under 900 ms (dnsd $ms_dnsd ms, dnsmasq $ms_ref ms)" \
	    test "$ms_dnsd" -lt 900
	fwd_stop
	# stop-dns-rebind: dnsslow.py answers with 10.1.0.0, a private address,
	# so the client gets NOERROR without records, except under a
	# rebind-domain-ok domain.
	fwd_start stop-dns-rebind rebind-domain-ok=/ok.slow.test/
	ask_fwd rebind x.slow.test
	same "stop-dns-rebind: a private address is dropped as dnsmasq" rebind
	check "stop-dns-rebind: NOERROR without records" sh -c \
	    "grep -q 'status: NOERROR' '$T/q/rebind.dnsd' && grep -q 'ANSWER: 0,' '$T/q/rebind.dnsd'"
	ask_fwd rebind-ok y.ok.slow.test
	same "rebind-domain-ok: the private address passes as dnsmasq" rebind-ok
	check "rebind-domain-ok: the address reaches the client" \
	    grep -q '10\.1\.0\.0$' "$T/q/rebind-ok.dnsd"
	fwd_stop
	# Fastest first (dnsmasq's rule): without strict-order the 50th query
	# goes to every server; the first to answer (dnsbad.py, at once) is
	# asked first from then on, ahead of the slow one listed first.
	{ fwd_conf "$P_FWDNSD"; echo "server=127.0.0.1#$P_BAD"; } >"$T/fwdnsd.conf"
	local_start "$T/fwdnsd.out" "$DNSD" -d -C "$T/fwdnsd.conf"
	FWDNSD_PID=$E2E_PID
	wait_until 5 answers "$P_FWDNSD" probe-dnsd.slow.test || fail "forwarding dnsd starts"
	python3 "$(dirname "$0")/dnsburst.py" "$P_FWDNSD" 60 'f%d.fast.test' >/dev/null
	start=$(date +%s%N)
	dig @127.0.0.1 -p "$P_FWDNSD" +time=3 +tries=1 after.fast.test A >"$T/q/fast.dnsd" 2>&1
	ms=$((($(date +%s%N) - start) / 1000000))
	check "fastest first: the fast server answers after the probe (took $ms ms)" \
	    sh -c "grep -q '10\.8\.8\.8\$' '$T/q/fast.dnsd' && test $ms -lt 400"
	check "fastest first: the slow server did not see the later query" \
	    test "$(upstream_saw '^after\.fast\.test ')" -eq 0
	daemon_stop "$FWDNSD_PID"
else
	fail "dnsslow.py starts" "$(cat "$T/slow.out")"
fi

# No upstream answers: SERVFAIL with Extended DNS Error 22, No Reachable
# Authority (RFC 8914 4.23), for a client that sent EDNS; a client without
# EDNS gets no OPT record (RFC 6891 7).  dnsmasq stays silent here.
printf 'port=%s\nlisten-address=127.0.0.1\nno-resolv\nno-hosts\nserver=127.0.0.1#%s\npid-file=\n' \
    "$P_FWDNSD" "$P_DEAD" >"$T/ede.conf"
chmod 644 "$T/ede.conf"
local_start "$T/ede.out" "$DNSD" -d -C "$T/ede.conf"
EDE_PID=$E2E_PID
wait_until 5 file_has "$T/ede.out" "listening on" || fail "dnsd for the EDE checks starts"
dig @127.0.0.1 -p "$P_FWDNSD" +time=5 +tries=1 ede.dead.test A >"$T/q/ede.dnsd" 2>&1
check "no upstream answers: SERVFAIL" test "$(status_of "$T/q/ede.dnsd")" = SERVFAIL
check "no upstream answers: EDE 22 (No Reachable Authority)" \
    grep -q 'EDE: 22' "$T/q/ede.dnsd"
dig @127.0.0.1 -p "$P_FWDNSD" +time=5 +tries=1 +noedns ede2.dead.test A >"$T/q/ede2.dnsd" 2>&1
check "no upstream answers, no EDNS: SERVFAIL" test "$(status_of "$T/q/ede2.dnsd")" = SERVFAIL
check "no upstream answers, no EDNS: no OPT record" \
    sh -c "! grep -q 'OPT PSEUDOSECTION' '$T/q/ede2.dnsd'"
daemon_stop "$EDE_PID"

# --- files read again when they change: resolv-file and hostsdir= --------

# Each server reads its own resolv-file and hostsdir=.  resolv.conf has no
# port, so the upstream here is a dnsmasq on port 53 of a loopback address
# of its own.  dnsmasq notices the changes by polling (resolv-file) and
# inotify (hostsdir), dnsd by polling both every 2 s.
RSV=127.0.0.$((100 + $$ % 100))
printf 'port=53\nlisten-address=%s\nbind-interfaces\nno-resolv\nno-hosts\nuser=root\n' "$RSV" \
    >"$T/rsv.conf"
printf 'pid-file=\nhost-record=www.resolv.test,10.6.6.6\n' >>"$T/rsv.conf"
local_start "$T/rsv.out" dnsmasq -k -C "$T/rsv.conf"
RSV_PID=$E2E_PID
for s in ref dnsd; do
	mkdir "$T/hd.$s"
	echo "nameserver 127.0.0.$((99 - $$ % 50))" >"$T/resolv.$s"
	[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
	printf 'port=%s\nlisten-address=127.0.0.1\nbind-interfaces\nno-hosts\nuser=root\n' \
	    "$p" >"$T/watch.$s.conf"
	printf 'pid-file=\nresolv-file=%s\nhostsdir=%s\n' "$T/resolv.$s" "$T/hd.$s" \
	    >>"$T/watch.$s.conf"
done
local_start "$T/watch.ref.out" dnsmasq -k -C "$T/watch.ref.conf" --log-facility=-
WREF_PID=$E2E_PID
local_start "$T/watch.dnsd.out" "$DNSD" -d -C "$T/watch.dnsd.conf"
WDNSD_PID=$E2E_PID
answer_is() {	# answer_is PORT NAME ADDR: the first address of NAME is ADDR
	test "$(dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short "$2" A | head -1)" = "$3"
}
rsv_up() {
	dig @"$RSV" +time=1 +tries=1 +short www.resolv.test A | grep -q 10.6.6.6
}
if wait_until 5 rsv_up; then
	sleep 1
	for s in ref dnsd; do
		echo "nameserver $RSV" >"$T/resolv.$s"
	done
	for s in ref dnsd; do
		[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
		check "resolv-file rewritten: the new server answers ($s)" \
		    wait_until 8 answer_is "$p" www.resolv.test 10.6.6.6
	done
	for s in ref dnsd; do
		echo "10.5.5.5 a-hd" >"$T/hd.$s/one"
	done
	for s in ref dnsd; do
		[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
		check "hostsdir: a new file is read ($s)" wait_until 8 answer_is "$p" a-hd 10.5.5.5
	done
	for s in ref dnsd; do
		echo "10.5.5.6 a-hd" >"$T/hd.$s/one"
	done
	for s in ref dnsd; do
		[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
		check "hostsdir: a changed file is read again ($s)" \
		    wait_until 8 answer_is "$p" a-hd 10.5.5.6
	done
	rm -f "$T/hd.ref/one" "$T/hd.dnsd/one"
	for s in ref dnsd; do
		[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
		check "hostsdir: the names of a removed file are gone ($s)" \
		    wait_until 8 answer_is "$p" a-hd ""
	done
else
	fail "upstream on $RSV port 53 starts" "$(cat "$T/rsv.out")"
fi
daemon_stop "$WREF_PID"
daemon_stop "$WDNSD_PID"
daemon_stop "$RSV_PID"

# --- domain=DOMAIN,RANGE, local-service and log-facility=FILE --------------

# With expand-hosts a hosts name gets the domain of the first domain=
# range holding its address, else domain= (dnsmasq chooses the same way);
# domain=...,CIDR,local also makes that domain and the subnet's reverse
# zone local.  local-service
# without listen-address answers the loopback client, and log-facility=
# with a path logs the queries to that file.
printf '10.5.1.7 alpha\n192.168.9.3 beta\n10.9.9.9 gamma\n' >"$T/range.hosts"
for s in ref dnsd; do
	[ $s = ref ] && p=$P_FWREF || p=$P_FWDNSD
	printf 'port=%s\nlocal-service\nno-resolv\nno-hosts\naddn-hosts=%s\nexpand-hosts\n' \
	    "$p" "$T/range.hosts" >"$T/range.$s.conf"
	printf 'domain=main.test\ndomain=lab.test,10.5.0.0/16,local\n' >>"$T/range.$s.conf"
	printf 'domain=home.test,192.168.9.1,192.168.9.50\nlog-queries\nuser=root\n' \
	    >>"$T/range.$s.conf"
	printf 'pid-file=\nlog-facility=%s\n' "$T/range.$s.log" >>"$T/range.$s.conf"
done
local_start "$T/range.ref.out" dnsmasq -k -C "$T/range.ref.conf"
RREF_PID=$E2E_PID
local_start "$T/range.dnsd.out" "$DNSD" -k -C "$T/range.dnsd.conf"
RDNSD_PID=$E2E_PID
if wait_until 5 answers "$P_FWREF" alpha.lab.test && wait_until 5 answers "$P_FWDNSD" alpha.lab.test
then
	for n in alpha.lab.test beta.home.test gamma.main.test alpha.main.test x.lab.test; do
		dig @127.0.0.1 -p "$P_FWREF" +time=2 +tries=1 "$n" A >"$T/q/range-$n.ref" 2>&1
		dig @127.0.0.1 -p "$P_FWDNSD" +time=2 +tries=1 "$n" A >"$T/q/range-$n.dnsd" 2>&1
		[ $n = x.lab.test ] || same "domain= by address range: $n as dnsmasq" "range-$n"
	done
	# As for local=, dnsd's NXDOMAIN carries AA and the SOA (RFC 2308 3).
	check "domain=DOMAIN,CIDR,local: NXDOMAIN as dnsmasq" test \
	    "$(status_of "$T/q/range-x.lab.test.ref")" = "$(status_of "$T/q/range-x.lab.test.dnsd")"
	check "domain=DOMAIN,CIDR: the name in the subnet's domain" \
	    grep -q '10\.5\.1\.7$' "$T/q/range-alpha.lab.test.dnsd"
	check "domain=DOMAIN,START,END: the name in the range's domain" \
	    grep -q '192\.168\.9\.3$' "$T/q/range-beta.home.test.dnsd"
	check "domain=DOMAIN,CIDR,local: other names there are NXDOMAIN" \
	    test "$(status_of "$T/q/range-x.lab.test.dnsd")" = NXDOMAIN
	# The reverse zone of the subnet is local too: the PTR of a hosts
	# address comes from the hosts file, and any other address in the
	# subnet gets NXDOMAIN.  There is no upstream, so a PTR query that
	# went on to be forwarded would get REFUSED instead.
	for n in 7.1.5.10.in-addr.arpa 1.200.5.10.in-addr.arpa; do
		dig @127.0.0.1 -p "$P_FWREF" +time=2 +tries=1 "$n" PTR >"$T/q/range-$n.ref" 2>&1
		dig @127.0.0.1 -p "$P_FWDNSD" +time=2 +tries=1 "$n" PTR >"$T/q/range-$n.dnsd" 2>&1
	done
	same "domain=DOMAIN,CIDR,local: PTR of a hosts address as dnsmasq" \
	    range-7.1.5.10.in-addr.arpa
	check "domain=DOMAIN,CIDR,local: PTR of another address is NXDOMAIN in dnsmasq" \
	    test "$(status_of "$T/q/range-1.200.5.10.in-addr.arpa.ref")" = NXDOMAIN
	check "domain=DOMAIN,CIDR,local: PTR of another address is NXDOMAIN in dnsd" \
	    test "$(status_of "$T/q/range-1.200.5.10.in-addr.arpa.dnsd")" = NXDOMAIN
	check "log-facility=FILE: queries logged there as by dnsmasq" sh -c \
	    "grep -q 'query\[A\] alpha.lab.test from 127.0.0.1' '$T/range.ref.log' &&
	    grep -q 'query\[A\] alpha.lab.test from 127.0.0.1' '$T/range.dnsd.log'"
else
	fail "servers with domain ranges start" "$(cat "$T/range.ref.out" "$T/range.dnsd.out")"
fi
daemon_stop "$RREF_PID"
daemon_stop "$RDNSD_PID"

# --- the unchanged reference config ----------------------------------------

out=$("$DNSD" -C "$DATA/dnsmasq.conf" --test 2>&1)
check "dnsd --test accepts the unchanged reference config" \
    test "$out" = "dnsd: syntax check OK."
printf 'no-resolv\nfrobnicate=1\ncache-size=lots\n' >"$T/bad.conf"
"$DNSD" -C "$T/bad.conf" --test >"$T/bad.out" 2>&1
rc=$?
check "--test on a bad config exits 1" test "$rc" -eq 1
check "--test names the unknown option with FILE:LINE" \
    grep -q "$T/bad.conf:2: unknown option 'frobnicate'" "$T/bad.out"
check "--test names the bad value with FILE:LINE" \
    grep -q "$T/bad.conf:3: .*'lots'" "$T/bad.out"

# listen-address=192.168.6.200 is not on this host: dnsd must refuse to
# start and name it.  It runs in an empty network namespace, so even a
# broken dnsd could send nothing anywhere.  Loopback must be up there: in a
# namespace without any address, Linux lets a socket bind every address.
if ip -br addr 2>/dev/null | grep -q '192\.168\.6\.200/'; then
	echo "SKIP: this host carries 192.168.6.200"
elif command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
	    timeout 10 "$DNSD" -d -C "$DATA/dnsmasq.conf" --no-resolv \
	    --pid-file="$T/ref-run.pid" >"$T/absent.out" 2>&1
	rc=$?
	check "reference config without 192.168.6.200: exits non-zero" test "$rc" -ne 0 -a "$rc" -ne 124
	check "reference config without 192.168.6.200: the error names it" \
	    grep -q '192\.168\.6\.200' "$T/absent.out"
else
	echo "SKIP: unshare -n is not available"
fi

exit $E2E_FAIL
