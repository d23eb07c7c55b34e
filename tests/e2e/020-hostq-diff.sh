#!/bin/sh
# hostq against BIND's host: the same arguments through both, against
# dnsmasq on loopback (records of many kinds) and a misbehaving server
# (SERVFAIL, REFUSED, timeouts, truncation, bad IDs), then a namespace whose
# resolv.conf has a search list and no server on the command line.  Stdout,
# stderr and the exit status must match, after masking query IDs and times.
. "$(dirname "$0")/lib.sh"
e2e_timeout 400 "$@"

e2e_require_cmd host dnsmasq python3 ss
[ -x "$B/hostq" ] || skip "$B/hostq is not built"
is_placeholder hostq && skip "hostq is still the placeholder"
e2e_init
T=$E2E_TMP
HERE=$(cd "$(dirname "$0")" && pwd)

# Two free high ports next to each other, and one that stays closed.
free_port() {
	! ss -Hlnut "sport = :$1" | grep -q .
}
P=$((26000 + ($$ % 400) * 4))
while ! free_port "$P" || ! free_port $((P + 1)) || ! free_port $((P + 2)) ||
    ! free_port $((P + 3)); do
	P=$((P + 4))
done
PBAD=$((P + 1))
PCLOSED=$((P + 2))
PAUTH=$((P + 3))

cat >"$T/hosts" <<'EOF'
10.1.0.1 alpha.test alpha
10.1.0.2 multi.test
10.1.0.3 multi.test
10.1.0.4 multi.test
fd00::6 v6only.test
10.1.0.7 dual.test
fd00::7 dual.test
10.1.0.50 a-very-long-host-name-for-columns.test
10.1.0.51 abcdefghijklmnopqrstu.test
EOF
cat >"$T/dnsmasq.conf" <<EOF
no-resolv
no-hosts
addn-hosts=$T/hosts
local=/nx.test/
local=/test/
host-record=beta.test,10.1.0.20,fd00::20
mx-host=mail.test,mx1.test,10
mx-host=mail.test,mx2.test,20
host-record=mx1.test,10.1.0.30
srv-host=_ldap._tcp.test,ldap.test,389,1,5
txt-record=txt.test,"v=spf1 -all","second string"
txt-record=quote.test,"a \"quoted\" string; with (specials)"
cname=www.test,alpha.test
cname=chain.test,www.test
ptr-record=9.0.1.10.in-addr.arpa,ptr9.test
caa-record=caa.test,0,issue,ca.example.net
dns-rr=unknown.test,65280,0A000001
dns-rr=unk2.test,65281,000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20
dns-rr=ds.test,43,30390802000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
dns-rr=key.test,48,01000308000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C
dns-rr=sshfp.test,44,0102000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
EOF

# The same records served authoritatively, for SOA, NS and zone transfers.
cat >"$T/auth.conf" <<EOF
no-resolv
no-hosts
addn-hosts=$T/hosts
auth-server=ns.test,lo
auth-zone=test
auth-soa=2024010101,hostmaster.test
auth-peer=127.0.0.1
host-record=beta.test,10.1.0.20,fd00::20
mx-host=mail.test,mx1.test,10
txt-record=txt.test,"hello"
cname=www.test,alpha.test
EOF

dnsmasq_cmd() {	# dnsmasq_cmd CONF PORT
	exec dnsmasq --conf-file="$T/$1.conf" --keep-in-foreground --user=root \
	    --pid-file="$T/$1.pid" --port="$2" --listen-address=127.0.0.1 \
	    --bind-interfaces
}

local_start "$T/dnsmasq.log" dnsmasq_cmd dnsmasq "$P"
local_start "$T/auth.log" dnsmasq_cmd auth "$PAUTH"
local_start "$T/dnsbad.log" python3 "$HERE/dnsbad.py" "$PBAD"
listening() {
	ss -Hlun "sport = :$1" | grep -q .
}
wait_until 5 listening "$P" || { fail "dnsmasq listens on 127.0.0.1#$P" "$(cat "$T/dnsmasq.log")"; exit 1; }
wait_until 5 listening "$PAUTH" || { fail "dnsmasq listens on 127.0.0.1#$PAUTH" "$(cat "$T/auth.log")"; exit 1; }
wait_until 5 listening "$PBAD" || { fail "dnsbad.py listens on 127.0.0.1#$PBAD" "$(cat "$T/dnsbad.log")"; exit 1; }

# Mask what differs between any two runs: query IDs and round-trip times;
# hostq names itself where host does.
normalize() {
	sed -e 's/id: [0-9]*$/id: ID/' -e 's/ in [0-9]* ms$/ in N ms/' \
	    -e 's/expected ID [0-9]*, got [0-9]*/expected ID ID, got ID/' \
	    -e 's/^host: /hostq: /' -e 's/^Usage: host /Usage: hostq /' "$1"
}

# compare MODE WHAT RUNNER ARGS...: run "RUNNER host ARGS" and "RUNNER
# hostq ARGS" and compare.  MODE is exact, sort (the server picks the
# record order) or usage (only the first stderr line: the option summaries
# differ).
compare() {
	_mode=$1
	_what=$2
	_runner=$3
	shift 3
	"$_runner" host "$@" >"$T/h.out" 2>"$T/h.err"
	_hrc=$?
	"$_runner" "$B/hostq" "$@" >"$T/q.out" 2>"$T/q.err"
	_qrc=$?
	for _f in h.out h.err q.out q.err; do
		normalize "$T/$_f" >"$T/$_f.n"
	done
	case $_mode in
	sort)
		sort "$T/h.out.n" >"$T/h.out.s" && mv "$T/h.out.s" "$T/h.out.n"
		sort "$T/q.out.n" >"$T/q.out.s" && mv "$T/q.out.s" "$T/q.out.n"
		;;
	usage)
		head -n 1 "$T/h.err.n" >"$T/h.err.s" && mv "$T/h.err.s" "$T/h.err.n"
		head -n 1 "$T/q.err.n" >"$T/q.err.s" && mv "$T/q.err.s" "$T/q.err.n"
		;;
	esac
	if [ "$_hrc" -gt 2 ]; then
		fail "$_what" "host itself failed (exit status $_hrc): $(cat "$T/h.err")"
	elif [ "$_hrc" -ne "$_qrc" ]; then
		fail "$_what" "exit status: host $_hrc, hostq $_qrc
$(show_diff "$T/h.out.n" "$T/q.out.n")"
	elif ! cmp -s "$T/h.out.n" "$T/q.out.n"; then
		fail "$_what" "stdout differs:
$(show_diff "$T/h.out.n" "$T/q.out.n")"
	elif ! cmp -s "$T/h.err.n" "$T/q.err.n"; then
		fail "$_what" "stderr differs:
$(show_diff "$T/h.err.n" "$T/q.err.n")"
	else
		pass "$_what"
	fi
}

# Runners: TOOL -p PORT ARGS 127.0.0.1.  The server is always given, so no
# lookup reaches the resolver in /etc/resolv.conf.
at_good() {
	_tool=$1
	shift
	"$_tool" -p "$P" "$@" 127.0.0.1
}

at_bad() {
	_tool=$1
	shift
	"$_tool" -p "$PBAD" "$@" 127.0.0.1
}

at_auth() {
	_tool=$1
	shift
	"$_tool" -p "$PAUTH" "$@" 127.0.0.1
}

at_closed() {
	_tool=$1
	shift
	"$_tool" -p "$PCLOSED" "$@" 127.0.0.1
}

good() {	# good MODE ARGS...: against dnsmasq
	_mode=$1
	shift
	compare "$_mode" "$*" at_good "$@"
}

auth() {	# auth MODE ARGS...: against the authoritative dnsmasq
	_mode=$1
	shift
	compare "$_mode" "$* (authoritative)" at_auth "$@"
}

bad() {		# bad MODE ARGS...: against the misbehaving server
	_mode=$1
	shift
	compare "$_mode" "$* (misbehaving server)" at_bad "$@"
}

# Default lookups: A, then AAAA and MX of the end of the CNAME chain.
good exact alpha.test
good sort multi.test
good exact v6only.test
good exact dual.test
good exact beta.test
good sort mail.test
good exact www.test
good exact chain.test
good exact nothere.test
good exact nothere.nx.test
good exact nothere.test.
good exact alpha.test.
good exact alpha
good exact .

# Reverse lookups.
good exact 10.1.0.9
good exact 10.1.0.1
good exact fd00::6
good exact 10.1.0.99

# Query types and their presentation.
good sort -t MX mail.test
good exact -t mx alpha.test
good exact -t TXT txt.test
good exact -t TXT quote.test
good exact -t SRV _ldap._tcp.test
good exact -t AAAA alpha.test
good exact -t CAA caa.test
good exact -t TYPE65280 unknown.test
good exact -t TYPE65281 unk2.test
good exact -t DS ds.test
good exact -t DNSKEY key.test
good exact -t SSHFP sshfp.test
good exact -t SOA test
good exact -t NS test
good exact -t PTR 9.0.1.10.in-addr.arpa
good exact -t CNAME www.test
good exact -t A www.test
good exact -t TYPE1 alpha.test
good sort -t ANY dual.test
good sort -U -t ANY dual.test
good exact -c CH -t TXT version.bind
good exact -t A nothere.test

# Verbose output in dig's layout.
good sort -a multi.test
good exact -a nothere.test
good exact -v alpha.test
good sort -v -t MX mail.test
good exact -d www.test
good exact -v nothere.test
good exact -v -t A a-very-long-host-name-for-columns.test
good exact -v -t A abcdefghijklmnopqrstu.test
good exact -v -t TXT quote.test
good exact -v 10.1.0.9
good exact -v -t CAA caa.test

# Transport and query flags.
good exact -r alpha.test
good exact -T alpha.test
good sort -T mail.test
good exact -R 3 -W 2 alpha.test
good exact -N 3 alpha.test
good exact -s alpha.test
good exact -w alpha.test
good exact -4 alpha.test
good exact -6 alpha.test

# Zone transfers that dnsmasq refuses.
good exact -l test
good exact -t AXFR test
good exact -t IXFR test

# Authoritative answers: SOA in the authority section, zone transfers.
auth exact alpha.test
auth exact -v alpha.test
auth exact nothere.test
auth exact -v nothere.test
auth exact -t SOA test
auth exact -v -t SOA test
auth exact -t NS test
auth exact -t TXT txt.test
auth exact www.test
auth sort -l test
auth sort -l -a test
auth sort -l -A test
auth sort -v -l test
auth sort -t AXFR test
auth exact -t IXFR=1 test
auth exact -v -t IXFR=5 test

# Bad arguments.
good usage -t bogus alpha.test
good usage -c bogus alpha.test
good usage -4 -6 alpha.test
good usage -x alpha.test
good usage a..b
good usage ""
noargs() {
	"$1"
}
optonly() {
	"$1" -t
}
compare usage "no arguments" noargs
compare usage "option without its argument" optonly

# Error replies, timeouts and truncation.
bad exact servfail.x
bad exact refused.x
bad exact notimp.x
bad exact yxdomain.x
bad exact formerr.x
bad exact -t MX servfail.x
bad exact -s servfail.x
bad exact -v servfail.x
bad exact ok.x
bad exact tc.x
bad exact -U tc.x
bad exact -v tc.x
bad exact -W 1 timeout.x
bad exact -W 1 -R 2 timeout.x
bad exact -v -W 1 timeout.x
bad exact -W 1 -T timeout.x
bad exact -W 1 badid.x
bad exact -W 1 garbage.x
bad exact -W 1 tconly.x
compare exact "-W 1 alpha.test (closed port)" at_closed -W 1 alpha.test
compare exact "-T -W 1 alpha.test (closed port)" at_closed -T -W 1 alpha.test

# Without a server argument: resolv.conf's servers and search list, in a
# namespace of our own so nothing reaches this machine's resolver.
if [ "$(id -u)" -eq 0 ] && ip netns add "$E2E_ID-probe" 2>/dev/null; then
	ip netns del "$E2E_ID-probe"
	ns_add client
	ns_resolv client "search nx.test test" "options ndots:2 timeout:1" \
	    "nameserver 127.0.0.1"
	daemon_start client "$T/dnsmasq-ns.log" dnsmasq --conf-file="$T/dnsmasq.conf" \
	    --keep-in-foreground --user=root --pid-file="$T/dnsmasq-ns.pid" \
	    --port="$P" --listen-address=127.0.0.1 --bind-interfaces
	ns_listening() {
		ns_exec client ss -Hlun "sport = :$P" | grep -q .
	}
	wait_until 5 ns_listening || fail "dnsmasq listens inside the namespace"
	inside() {	# inside TOOL ARGS...
		_tool=$1
		shift
		ns_exec client "$_tool" -p "$P" "$@"
	}
	compare exact "search list: alpha" inside alpha
	compare sort "search list: multi" inside multi
	compare exact "search list: www" inside www
	compare exact "search list: nothere" inside nothere
	compare exact "search list: -v nothere" inside -v nothere
	compare exact "search list: alpha.test" inside alpha.test
	compare exact "search list: -t MX mail" inside -t MX mail
	compare exact "resolv.conf server: 10.1.0.9" inside 10.1.0.9
	compare exact "resolv.conf server: -v beta" inside -v beta
else
	echo "SKIP: search list checks need root and network namespaces"
fi

exit "$E2E_FAIL"
