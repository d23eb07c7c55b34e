#!/bin/sh
# hostq against BIND's host: the same arguments go through both tools.
# The servers are dnsmasq on loopback (records of many kinds, and an
# authoritative zone) and a misbehaving server (error rcodes, timeouts,
# truncation, bad IDs, malformed replies).  A namespace of our own then
# covers resolv.conf: search lists, several servers, no server at all.
# Stdout, stderr and the exit status must match once query IDs and round
# trip times are masked.
. "$(dirname "$0")/lib.sh"
e2e_timeout 400 "$@"

e2e_require_cmd host dnsmasq python3 ss
[ -x "$B/hostq" ] || skip "$B/hostq is not built"
is_placeholder hostq && skip "hostq is still the placeholder"
e2e_init
T=$E2E_TMP
HERE=$(cd "$(dirname "$0")" && pwd)
# A private copy, named so the multicall binary runs hostq, keeps the test
# steady while the build directory is being rebuilt.
cp "$B/edgebox" "$T/hostq" || exit 1
HOSTQ=$T/hostq

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
local=/1.10.in-addr.arpa/
host-record=beta.test,10.1.0.20,fd00::20
host-record=xn--bcher-kva.test,10.1.0.60
cname=xn--caf-dma.test,xn--bcher-kva.test
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
dns-rr=x25.test,19,0c333131303631373030393536
dns-rr=isdn.test,20,0f31353038363230323830303332313703303034
dns-rr=isdn1.test,20,0f313530383632303238303033323137
dns-rr=rt.test,21,000a0572656c6179047465737400
dns-rr=nsap.test,22,47000580005a0000000001e133ffffff00016100
dns-rr=sig.test,24,000108020000012c65920080656a73803039047465737400000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627
dns-rr=key.test,25,01000308000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
dns-rr=px.test,26,000a01610474657374000162047465737400
dns-rr=gpos.test,27,082d33322e36383832083131362e383635320431302e30
dns-rr=a6.test,38,0000000000000000000000000000000000
dns-rr=smimea.test,53,030101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
dns-rr=csync.test,62,000007e80003000460000008
dns-rr=zonemd.test,63,000007e80101000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f
dns-rr=nid.test,104,000a0014ffff00000001
dns-rr=l32.test,105,000a0a010203
dns-rr=l64.test,106,000a2001000000000001
dns-rr=lp.test,107,000a036c3634047465737400
dns-rr=eui48.test,108,00005e0053aa
dns-rr=eui64.test,109,00005e0000000001
dns-rr=ta.test,32768,30390802000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
dns-rr=dlv.test,32769,30390802000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
dns-rr=avc.test,258,116170702d6e616d653a574f4c4647414e470c627573696e6573733d796573
dns-rr=doa.test,259,0000000000000001020a746578742f706c61696e68656c6c6f
dns-rr=amtrelay.test,260,0a81c0000201
dns-rr=resinfo.test,261,08716e616d656d696e0c6578746572723d31352d3137
dns-rr=ipseckey.test,45,0a0102c0000226000102030405060708090a0b0c0d0e0f10111213
dns-rr=ipseckey2.test,45,0a0002000102030405060708090a0b0c0d0e0f10111213
dns-rr=ipseckey3.test,45,0a0302026777047465737400000102030405060708090a0b0c0d0e0f10111213
dns-rr=talink.test,58,01610474657374000162047465737400
dns-rr=uinfo.test,100,68656c6c6f
dns-rr=nimloc.test,32,0102
dns-rr=atma.test,34,013132333435
dns-rr=eid.test,31,0102
dns-rr=ninfo.test,56,0568656c6c6f
dns-rr=apl.test,42,00011803c0a82000023081ff
dns-rr=cdsdel.test,59,0000000000
dns-rr=dsbad.test,43,303908020102030405
dns-rr=aplbad.test,42,00023082ff00
dns-rr=2t7b4g4vsa5smi47k61mv5bv1a22bojr.test,50,0101000a04aabbccdd14000102030405060708090a0b0c0d0e0f1011121300026201
dns-rr=afsdb.test,18,000103646231047465737400
dns-rr=caa2.test,257,8005696F6465666D61696C746F3A61406222632E6E6574
dns-rr=cdnskey.test,60,0101030D000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F
dns-rr=cds.test,59,30390D02000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
dns-rr=cert.test,37,0001303908000102030405
dns-rr=cert2.test,37,00FD0001FF00010203
dns-rr=dhcid.test,49,000102030405060708090A
dns-rr=dname.test,39,0474617267047465737400
dns-rr=ds1.test,43,303908010102030405060708090A0B0C0D0E0F1011121314
dns-rr=emptytxt.test,16,00
dns-rr=hinfo.test,13,0341524D054C696E7578
dns-rr=https.test,65,00010000010006026832026833
dns-rr=kx.test,36,000a026b78047465737400
dns-rr=loc.test,29,0012161389D0C8B880725A6800989680
dns-rr=loc2.test,29,00330000700000007FFFFFFF00986F28
dns-rr=minfo.test,14,026161047465737400026262047465737400
dns-rr=naptr.test,35,0064000a0175074532552b7369701b215e2e2a24217369703a696e666f406578616d706c652e636f6d2100
dns-rr=nsec.test,47,04686f73740474657374000006400100000003
dns-rr=nsec3param.test,51,0100000A04AABBCCDD
dns-rr=null.test,10,DEADBEEF
dns-rr=openpgp.test,61,000102030405060708090A
dns-rr=rp.test,17,0561646D696E04746573740004696E666F047465737400
dns-rr=rrsig.test,46,00010D020000003C659200806563A78030390474657374000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F
dns-rr=spf.test,99,0b763d73706631202d616c6c
dns-rr=sshfp1.test,44,01010102030405060708090A0B0C0D0E0F1011121314
dns-rr=svcb.test,64,0001000001000302683200030002005000040004C0000201
dns-rr=svcb2.test,64,0001037376630474657374000000000200010001000302683200020000000500030102030006001020010db8000000000000000000000001000700082f717b3f646e737d
dns-rr=svcb3.test,64,0001000001000a0568322c683303615c6213ea000561625c2263fde80000
dns-rr=svcb4.test,64,000003666F6F047465737400
dns-rr=svcb5.test,64,000200000100030268320005003c000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b
dns-rr=tlsa.test,52,030101000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
dns-rr=txtesc.test,16,0C610962225C3B28294024FF7F00
dns-rr=uri.test,256,000A00016674703A2F2F6674702E6578616D706C652E636F6D2F
dns-rr=wks.test,11,0A00000106E0
dns-rr=nsapptr.test,23,0474617267047465737400
dns-rr=sink.test,40,010203
dns-rr=sink2.test,40,010203000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
dns-rr=nxt.test,30,046e6578740474657374004006
dns-rr=nxt2.test,30,046e657874047465737400
dns-rr=nxt3.test,30,046e6578740474657374007fffffffffffffff00000000000f0001
dns-rr=nxtzero.test,30,046e6578740474657374004000
dns-rr=nxtbit0.test,30,046e6578740474657374008040
dns-rr=nxtlong.test,30,046e6578740474657374000000000000000000000000000000000001
dns-rr=hip.test,55,10020004200107b80000000000000000000000000102030404727673310474657374000472767332047465737400
dns-rr=hip2.test,55,10020004200107b800000000000000000000000001020304
dns-rr=hipnokey.test,55,10020000200107b8000000000000000000000000
dns-rr=tkey.test,249,0468736d61005f5e10005f5e1000000300000004010203040000
dns-rr=tkey2.test,249,0468736d61005f5e10005f5e100000030010000401020304000201ff
dns-rr=tkey3.test,249,0468736d61005f5e10005f5e1000000300170000000000
dns-rr=wallet.test,262,0342544303616263
dns-rr=rkey.test,57,000003080001020304
dns-rr=rkeyflags.test,57,010003080001020304
dns-rr=type0.test,0,0102
dns-rr=tsig.test,250,0102
dns-rr=dsync.test,66,003b0114df0474617267047465737400
dns-rr=dsync2.test,66,00000214df00
dns-rr=dsyncextra.test,66,ff00ff0035047461726704746573740004
dns-rr=dsynccut.test,66,0001010035
dns-rr=hhit.test,67,000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
dns-rr=hhitempty.test,67,
dns-rr=brid.test,68,00010203
dns-rr=locv1.test,29,0102030405060708
dns-rr=aplother.test,42,000318020102
dns-rr=eui48long.test,108,0102030405060708
dns-rr=caabadtag.test,257,0102030405060708
dns-rr=atmabad.test,34,0102030405060708
dns-rr=zonemdshort.test,63,0102030405060708
dns-rr=sshfpshort.test,44,0102030405060708
dns-rr=nsec3empty.test,50,
dns-rr=x25bad.test,19,0102030405060708
dns-rr=isdnextra.test,20,0102030405060708
dns-rr=amtrelaycut.test,260,0102030405060708
dns-rr=l32long.test,105,0102030405060708
dns-rr=nscut.test,2,0102030405060708
dns-rr=dhcidempty.test,49,
dns-rr=axfrrr.test,252,0102
dns-rr=sigfar.test,46,00010D0200000E10FF0000C06563A78030390474657374000102030405060708
dns-rr=keynokey.test,25,C0000301
dns-rr=keynokeydata.test,25,C000030101
dns-rr=dnskeyempty.test,48,01000308
dns-rr=atmafmt2.test,34,0200040100
dns-rr=amtrelay4.test,260,0a04c0000201
dns-rr=amtrelaylong.test,260,0a01c000020101
dns-rr=ipseckey4.test,45,0a0402c0000201
dns-rr=a6range.test,38,c8
dns-rr=nsecempty.test,47,046e657874047465737400
dns-rr=ds3.test,43,303908030102
dns-rr=caataglong.test,257,00ff7f3a0f
dns-rr=certempty.test,37,0001303908
dns-rr=nslabel.test,2,4061626300
dns-rr=nsforward.test,2,c0ff
dns-rr=nscutptr.test,2,c0
dns-rr=tilde.test,2,407e202000
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
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	HAVE_V6=1
	local_start "$T/dnsmasq6.log" dnsmasq --conf-file="$T/dnsmasq.conf" \
	    --keep-in-foreground --user=root --pid-file="$T/dnsmasq6.pid" --port="$P" \
	    --listen-address=::1 --bind-interfaces
fi
local_start "$T/auth.log" dnsmasq_cmd auth "$PAUTH"
local_start "$T/dnsbad.log" python3 "$HERE/dnsbad.py" "$PBAD"
listening() {
	ss -Hlun "sport = :$1" | grep -q .
}
wait_until 5 listening "$P" || { fail "dnsmasq listens on 127.0.0.1#$P" "$(cat "$T/dnsmasq.log")"; exit 1; }
wait_until 5 listening "$PAUTH" || { fail "dnsmasq listens on 127.0.0.1#$PAUTH" "$(cat "$T/auth.log")"; exit 1; }
wait_until 5 listening "$PBAD" || { fail "dnsbad.py listens on 127.0.0.1#$PBAD" "$(cat "$T/dnsbad.log")"; exit 1; }

# Mask what differs between any two runs: query IDs, also in the first
# line of a bad packet's hex dump, and round-trip times.  hostq names
# itself where host does.
normalize() {
	sed -e 's/id: [0-9]*$/id: ID/' -e 's/ in [0-9]* ms$/ in N ms/' \
	    -e 's/expected ID [0-9]*, got [0-9]*/expected ID ID, got ID/' \
	    -e 's/^host: /hostq: /' -e 's/^Usage: host /Usage: hostq /' "$1" |
	awk 'dump { $0 = "xx xx" substr($0, 6, 52) ".." substr($0, 60); dump = 0 }
	    /^[0-9]+ bytes$/ { dump = 1 } { print }'
}

# compare MODE WHAT RUNNER ARGS...: run "RUNNER host ARGS" and "RUNNER
# hostq ARGS" and compare.  MODE is exact, sort (the server picks the
# record order), pairs (sort, with each line that starts with a tab joined
# to the line before it: -C prints its answers in the order they arrive,
# as "Nameserver ADDR:" and a tab-indented line) or usage (only the first
# stderr line: the option summaries differ).
compare() {
	_mode=$1
	_what=$2
	_runner=$3
	shift 3
	"$_runner" host "$@" >"$T/h.out" 2>"$T/h.err"
	_hrc=$?
	"$_runner" "$HOSTQ" "$@" >"$T/q.out" 2>"$T/q.err"
	_qrc=$?
	for _f in h.out h.err q.out q.err; do
		normalize "$T/$_f" >"$T/$_f.n"
	done
	case $_mode in
	sort)
		sort "$T/h.out.n" >"$T/h.out.s" && mv "$T/h.out.s" "$T/h.out.n"
		sort "$T/q.out.n" >"$T/q.out.s" && mv "$T/q.out.s" "$T/q.out.n"
		;;
	pairs)
		for _f in h.out q.out; do
			awk '/^\t/ { prev = prev $0; next }
			    NR > 1 { print prev } { prev = $0 } END { if (NR) print prev }' \
			    "$T/$_f.n" | sort >"$T/$_f.s" && mv "$T/$_f.s" "$T/$_f.n"
		done
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

at_v6() {
	_tool=$1
	shift
	"$_tool" -p "$P" "$@" ::1
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
good exact ALPHA.Test
good exact WWW.TEST
good exact -t a Alpha.test
good exact -c in alpha.test

# Internationalized names.  With stdout not a terminal, as here, host 9.18
# sends a non-ASCII name as its raw UTF-8 octets and prints punycode names
# unchanged.
good exact -t A bücher.test
good exact -v -t A bücher.test
good exact BÜCHER.test
good exact xn--caf-dma.test
good exact -v xn--caf-dma.test

# Reverse lookups.
good exact 10.1.0.9
good exact 10.1.0.1
good exact fd00::6
good exact 10.1.0.99
good exact 10.1.0.98
good exact -v 10.1.0.98
good exact fd00::99
good exact 10.1.0.9.
good exact ::ffff:10.1.0.9
good exact -t A 10.1.0.9
good exact -a 10.1.0.9

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

# Every other type dnsmasq can serve, in each type's presentation format.
for _spec in \
    NSEC3:2t7b4g4vsa5smi47k61mv5bv1a22bojr.test \
    AFSDB:afsdb.test \
    CAA:caa2.test \
    CDNSKEY:cdnskey.test \
    CDS:cds.test \
    CERT:cert.test \
    CERT:cert2.test \
    DHCID:dhcid.test \
    DNAME:dname.test \
    DS:ds1.test \
    TXT:emptytxt.test \
    HINFO:hinfo.test \
    HTTPS:https.test \
    KX:kx.test \
    LOC:loc.test \
    LOC:loc2.test \
    MINFO:minfo.test \
    NAPTR:naptr.test \
    NSEC:nsec.test \
    NSEC3PARAM:nsec3param.test \
    NULL:null.test \
    OPENPGPKEY:openpgp.test \
    RP:rp.test \
    RRSIG:rrsig.test \
    SPF:spf.test \
    SSHFP:sshfp1.test \
    SVCB:svcb.test \
    SVCB:svcb2.test \
    SVCB:svcb3.test \
    SVCB:svcb4.test \
    SVCB:svcb5.test \
    TLSA:tlsa.test \
    TXT:txtesc.test \
    URI:uri.test \
    WKS:wks.test \
    TYPE19:x25.test \
    TYPE20:isdn.test \
    TYPE20:isdn1.test \
    TYPE21:rt.test \
    TYPE22:nsap.test \
    TYPE24:sig.test \
    TYPE25:key.test \
    TYPE26:px.test \
    TYPE27:gpos.test \
    TYPE38:a6.test \
    TYPE53:smimea.test \
    TYPE62:csync.test \
    TYPE63:zonemd.test \
    TYPE104:nid.test \
    TYPE105:l32.test \
    TYPE106:l64.test \
    TYPE107:lp.test \
    TYPE108:eui48.test \
    TYPE109:eui64.test \
    TYPE32768:ta.test \
    TYPE32769:dlv.test \
    TYPE258:avc.test \
    TYPE259:doa.test \
    TYPE260:amtrelay.test \
    TYPE261:resinfo.test \
    TYPE45:ipseckey.test \
    TYPE45:ipseckey2.test \
    TYPE45:ipseckey3.test \
    TYPE58:talink.test \
    TYPE100:uinfo.test \
    TYPE32:nimloc.test \
    TYPE34:atma.test \
    TYPE31:eid.test \
    TYPE56:ninfo.test \
    TYPE42:apl.test \
    TYPE59:cdsdel.test \
    TYPE43:dsbad.test \
    TYPE42:aplbad.test \
    NSAP-PTR:nsapptr.test \
    SINK:sink.test \
    SINK:sink2.test \
    NXT:nxt.test \
    NXT:nxt2.test \
    NXT:nxt3.test \
    NXT:nxtzero.test \
    NXT:nxtbit0.test \
    NXT:nxtlong.test \
    HIP:hip.test \
    HIP:hip2.test \
    HIP:hipnokey.test \
    TKEY:tkey.test \
    TKEY:tkey2.test \
    TKEY:tkey3.test \
    WALLET:wallet.test \
    TYPE262:wallet.test \
    RKEY:rkey.test \
    RKEY:rkeyflags.test \
    TYPE0:type0.test \
    TYPE250:tsig.test \
    DSYNC:dsync.test \
    DSYNC:dsync2.test \
    DSYNC:dsyncextra.test \
    DSYNC:dsynccut.test \
    HHIT:hhit.test \
    HHIT:hhitempty.test \
    BRID:brid.test \
    LOC:locv1.test \
    APL:aplother.test \
    EUI48:eui48long.test \
    CAA:caabadtag.test \
    ATMA:atmabad.test \
    ZONEMD:zonemdshort.test \
    SSHFP:sshfpshort.test \
    NSEC3:nsec3empty.test \
    X25:x25bad.test \
    ISDN:isdnextra.test \
    AMTRELAY:amtrelaycut.test \
    L32:l32long.test \
    NS:nscut.test \
    DHCID:dhcidempty.test \
    RRSIG:sigfar.test \
    KEY:keynokey.test \
    KEY:keynokeydata.test \
    DNSKEY:dnskeyempty.test \
    ATMA:atmafmt2.test \
    AMTRELAY:amtrelay4.test \
    AMTRELAY:amtrelaylong.test \
    IPSECKEY:ipseckey4.test \
    A6:a6range.test \
    NSEC:nsecempty.test \
    DS:ds3.test \
    CAA:caataglong.test \
    CERT:certempty.test \
    NS:nslabel.test \
    NS:nsforward.test \
    NS:nscutptr.test \
    NS:tilde.test; do
	good exact -t "${_spec%%:*}" "${_spec#*:}"
done

# Verbose output in dig's layout.
good sort -a multi.test
good exact -a nothere.test
good exact -v alpha.test
good sort -v -t MX mail.test
good exact -d www.test
good exact -v nothere.test
good exact -v -N 3 nothere.test
good exact -v -N 3 nothere.test.
good exact -v -N 2 nothere.test.
good exact -v -t A a-very-long-host-name-for-columns.test
good exact -v -t A abcdefghijklmnopqrstu.test
good exact -v -t TXT quote.test
good exact -v 10.1.0.9
good exact -v -t CAA caa.test
good exact -v -t NSAP-PTR nsapptr.test
good exact -v -t NXT nxt3.test
good exact -v -t HIP hip.test
good exact -v -t TKEY tkey2.test
good exact -v -t SINK sink2.test
good exact -v -t DSYNC dsync.test
good exact -v -t HHIT hhit.test
good exact -v -t LOC locv1.test
good exact locv1.test

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

# A server on ::1.
if [ -n "$HAVE_V6" ]; then
	compare exact "alpha.test ::1" at_v6 alpha.test
	compare exact "-v -t MX mail.test ::1" at_v6 -v -t MX mail.test
	compare exact "-6 alpha.test ::1" at_v6 -6 alpha.test
	compare usage "-4 alpha.test ::1" at_v6 -4 alpha.test
	compare exact "-T www.test ::1" at_v6 -T www.test
fi

# Zone transfers that dnsmasq refuses.
good exact -l test
good exact -t AXFR test
good exact -t IXFR test
good exact -t AXFR axfrrr.test
good exact -t AXFR nothere.test

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
good exact "$(printf '%064d' 0).test"
good exact "$(printf '%060d.%060d.%060d.%060d.%060d' 1 2 3 4 5).test"
good exact 'bad\\x.test'
good exact 'a\\.b.test'
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
bad exact -W 1 wrongq.x
bad exact -W 1 -T wrongq.x
bad exact noqr.x
bad exact -v noqr.x
bad exact edns.x
bad exact -v edns.x
bad exact badvers.x
bad exact -v badvers.x
bad exact cut.x
bad exact -v cut.x
bad exact trailing.x
bad exact loop.x
bad exact -W 1 aonly.x
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

	# Several servers: 127.0.0.2 has nothing listening, 127.0.0.3 runs
	# the misbehaving server, 127.0.0.1 dnsmasq.
	daemon_start client "$T/dnsbad-ns.log" python3 "$HERE/dnsbad.py" "$P" 127.0.0.3
	ns_bad_listening() {
		ns_exec client ss -Hlun "sport = :$P" | grep -q 127.0.0.3
	}
	wait_until 5 ns_bad_listening || fail "dnsbad.py listens inside the namespace"
	ns_resolv client "options timeout:1" "nameserver 127.0.0.2" "nameserver 127.0.0.1"
	compare exact "dead first server: alpha.test" inside alpha.test
	compare exact "dead first server: -v -t MX mail.test" inside -v -t MX mail.test
	ns_resolv client "options timeout:1" "nameserver 127.0.0.3" "nameserver 127.0.0.1"
	compare exact "SERVFAIL then next server" inside servfail.x
	compare exact "SERVFAIL with -s" inside -s servfail.x
	compare exact "timeout then next server" inside timeout.x
	compare exact "REFUSED from the first server" inside refused.x
	ns_resolv client "options timeout:1 attempts:1" "nameserver 127.0.0.3"
	compare exact "attempts:1 in resolv.conf" inside timeout.x
	ns_resolv client "options timeout:1 attempts:3" "nameserver 127.0.0.3"
	compare exact "attempts:3 in resolv.conf" inside timeout.x
	ns_resolv client "domain test" "nameserver 127.0.0.1"
	compare exact "domain line: alpha" inside alpha
	ns_resolv client "search nx.test test" "options ndots:0" "nameserver 127.0.0.1"
	compare exact "ndots:0: alpha" inside alpha
	compare exact "-N 1 beats ndots:0: alpha" inside -N 1 alpha
	ns_resolv client "nameserver 127.0.0.1" "options debug"
	compare exact "options debug" inside alpha.test

	# Retries are shared by all servers: 2, 1 and 1 attempts here.
	ns_resolv client "options timeout:1" "nameserver 127.0.0.2" \
	    "nameserver 127.0.0.4" "nameserver 127.0.0.5"
	compare exact "three dead servers" inside alpha.test
	compare exact "three dead servers: -R 3" inside -R 3 alpha.test
	compare exact "three dead servers: -T" inside -T alpha.test
	compare exact "three dead servers: -v -T" inside -v -T alpha.test
	compare exact "three dead servers: -l" inside -l test
	compare exact "three dead servers: -6" inside -6 alpha.test
	# Without nameserver lines host asks ::1, then 127.0.0.1.
	ns_resolv client "options timeout:1"
	compare exact "no nameserver lines" inside alpha.test
	compare exact "no nameserver lines: -4" inside -4 alpha.test
	compare exact "no nameserver lines: -6" inside -6 alpha.test
	compare exact "no nameserver lines: -v -T" inside -v -T alpha.test
	ns_resolv client "nameserver 127.0.0.2" "nameserver ::1"
	compare exact "-4 keeps the IPv4 server" inside -4 -W 1 alpha.test
	compare exact "-6 keeps the IPv6 server" inside -6 -W 1 alpha.test

	# -C asks the servers of the NS records for the SOA, and host finds
	# their addresses with the system resolver: port 53 of the server in
	# resolv.conf.  Three zones, each served by dnsauth.py on port 53:
	# c.test by two servers with different serials, one.test by one,
	# half.test by one that runs and a last one that does not, and bad.test
	# by servers that refuse, fail, never reply or do not exist.
	daemon_start client "$T/auth-c.log" python3 "$HERE/dnsauth.py" 53 c.test \
	    ns1=127.0.0.11,ns2=127.0.0.12 127.0.0.11=1 127.0.0.12=2
	# The same zone on port $P with other serials, for -p.
	daemon_start client "$T/auth-cp.log" python3 "$HERE/dnsauth.py" "$P" c.test \
	    ns1=127.0.0.11,ns2=127.0.0.12 127.0.0.11=7 127.0.0.12=8
	daemon_start client "$T/auth-one.log" python3 "$HERE/dnsauth.py" 53 one.test \
	    ns1=127.0.0.31 127.0.0.31=2024010101
	daemon_start client "$T/auth-half.log" python3 "$HERE/dnsauth.py" 53 half.test \
	    ns1=127.0.0.41,ns2=127.0.0.42 127.0.0.41=3
	daemon_start client "$T/auth-bad.log" python3 "$HERE/dnsauth.py" 53 bad.test \
	    ns1=127.0.0.21,ns3=127.0.0.23,ns4=127.0.0.24,ns5=127.0.0.25,ns6=none,ns7=127.0.0.26 \
	    127.0.0.21=5 127.0.0.24=refused 127.0.0.25=silent 127.0.0.26=servfail
	ns_auth_listening() {
		for _a in 127.0.0.11 127.0.0.12 127.0.0.31 127.0.0.41 127.0.0.21 127.0.0.26; do
			ns_exec client ss -Hlun "sport = :53" | grep -q "$_a:53" || return 1
		done
		ns_exec client ss -Hlun "sport = :$P" | grep -q "127.0.0.12:$P"
	}
	wait_until 5 ns_auth_listening || fail "dnsauth.py listens inside the namespace"
	at_ns() {	# at_ns TOOL ARGS...: inside the namespace, default port
		_tool=$1
		shift
		ns_exec client "$_tool" "$@"
	}
	ns_resolv client "nameserver 127.0.0.11" "options timeout:1"
	compare pairs "-C: two servers, two serials" at_ns -C c.test
	compare pairs "-C -p: servers on another port" at_ns -C -p "$P" c.test
	compare exact "-C: NXDOMAIN" at_ns -C nx.c.test
	compare exact "-C -v: NXDOMAIN" at_ns -C -v nx.c.test
	compare exact "-C: no NS records" at_ns -C ns1.c.test
	compare exact "-C: REFUSED" at_ns -C other.example
	compare exact "-C -v: REFUSED" at_ns -C -v other.example
	ns_resolv client "search test" "nameserver 127.0.0.11" "options timeout:1"
	compare pairs "-C: search list" at_ns -C c
	# host 9.18 reports a zone with one server address as unreachable.
	ns_resolv client "nameserver 127.0.0.31" "options timeout:1"
	compare exact "-C: one server" at_ns -C one.test
	compare exact "-C -v: one server" at_ns -C -v one.test
	compare exact "-C: server argument" at_ns -C one.test 127.0.0.31
	compare exact "-C -r: one server" at_ns -C -r one.test
	# XXX: no -C -T case here: host 9.18.49 hung after its TCP queries in
	# two runs (a dead last server, and failing servers), and when the
	# connection to the last server fails it prints the other answers or
	# gives up, by timing.
	ns_resolv client "nameserver 127.0.0.41" "options timeout:1"
	compare pairs "-C: last server down" at_ns -C half.test
	# A zone with an IPv6 server, which -4 leaves out and -6 keeps alone.
	if ns_exec client ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
		daemon_start client "$T/auth-six.log" python3 "$HERE/dnsauth.py" 53 six.test \
		    ns1=127.0.0.51,ns2=::1,ns3=127.0.0.52 127.0.0.51=1 ::1=2 127.0.0.52=3
		ns_six_listening() {
			ns_exec client ss -Hlun "sport = :53" | grep -q '\[::1\]:53'
		}
		wait_until 5 ns_six_listening || fail "dnsauth.py listens on ::1 inside the namespace"
		ns_resolv client "nameserver 127.0.0.51" "options timeout:1"
		compare pairs "-C: IPv4 and IPv6 servers" at_ns -C six.test
		compare pairs "-C -4: IPv4 servers only" at_ns -C -4 six.test
		compare pairs "-C -6: IPv6 server only" at_ns -C -6 six.test
	fi
	# An NS reply cut short is a bad packet.
	daemon_start client "$T/auth-cut.log" python3 "$HERE/dnsauth.py" 53 c.test \
	    ns1=127.0.0.11,ns2=127.0.0.12 127.0.0.61=cut
	ns_cut_listening() {
		ns_exec client ss -Hlun "sport = :53" | grep -q '127.0.0.61:53'
	}
	wait_until 5 ns_cut_listening || fail "dnsauth.py listens on 127.0.0.61"
	ns_resolv client "nameserver 127.0.0.61" "options timeout:1"
	compare exact "-C: NS reply cut short" at_ns -C c.test
	compare exact "-C -v: NS reply cut short" at_ns -C -v c.test
	# A malformed SOA reply ends the lookup: host drops its other queries,
	# so the silent server gets no timeout line.
	daemon_start client "$T/auth-bs.log" python3 "$HERE/dnsauth.py" 53 bs.test \
	    ns1=127.0.0.71,ns2=127.0.0.73 127.0.0.71=cut 127.0.0.72=4 127.0.0.73=silent
	ns_bs_listening() {
		ns_exec client ss -Hlun "sport = :53" | grep -q '127.0.0.73:53'
	}
	wait_until 5 ns_bs_listening || fail "dnsauth.py listens on 127.0.0.73"
	ns_resolv client "nameserver 127.0.0.72" "options timeout:1"
	compare exact "-C: SOA reply cut short" at_ns -C -W 1 bs.test
	ns_resolv client "nameserver 127.0.0.21"
	compare pairs "-C: failing servers" at_ns -C -W 1 bad.test
	compare pairs "-C -v: failing servers" at_ns -C -v -W 1 bad.test
else
	echo "SKIP: search list checks need root and network namespaces"
fi

exit "$E2E_FAIL"
