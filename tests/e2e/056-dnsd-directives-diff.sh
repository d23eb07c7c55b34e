#!/bin/sh
# Directives against dnsmasq, on loopback.  dnsd and dnsmasq read one
# config that uses most of the directives dnsd implements (address=,
# host-record, cname, mx-host, srv-host, txt-record, ptr-record, local=,
# server=/domain/, bogus-priv, domain-needed, expand-hosts, domain=,
# addn-hosts with a file and a directory, conf-file, conf-dir with a
# suffix filter, neg-ttl, max-ttl, max-cache-ttl, edns-packet-max) and
# forward the rest to one upstream dnsmasq.  For each question the rcode
# and the answer records (dig +short, sorted) must be the same.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd dig dnsmasq
e2e_timeout 120 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

e2e_init
T=$E2E_TMP
# Fixed ports below the ephemeral range, in a band no other script uses.
BASE=$((26000 + ($$ % 200) * 10 + 5))
P_UP=$BASE
P_REF=$((BASE + 1))
P_DNSD=$((BASE + 2))

mkdir "$T/hosts.d" "$T/conf.d"
printf '192.168.50.1 gw\n192.168.50.2 nas nas-alias\nfd00::2 nas\n' >"$T/hosts"
printf '192.168.50.10 pi1\n' >"$T/hosts.d/pis"
printf '192.168.50.11 pi2\n' >"$T/hosts.d/more"
printf 'host-record=from-include.lab.test,192.168.50.20\n' >"$T/include.conf"
printf 'address=/confdir.test/192.0.2.77\n' >"$T/conf.d/a.conf"
printf 'address=/skipped.test/192.0.2.78\n' >"$T/conf.d/b.bak"
cat >"$T/conf" <<EOF
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$T/hosts
addn-hosts=$T/hosts.d
domain=lab.test
expand-hosts
local=/lab.test/
server=127.0.0.1#$P_UP
server=/corp.test/127.0.0.1#$P_UP
address=/ads.test/0.0.0.0
address=/blocked.test/
address=/v6only.test/fd00::66
host-record=hr.lab.test,192.168.50.30,fd00::30
cname=www.lab.test,nas.lab.test
mx-host=lab.test,mail.lab.test,10
mx-host=lab.test,mail2.lab.test,20
srv-host=_ldap._tcp.lab.test,ldap.lab.test,389,1,5
txt-record=txt.lab.test,"hello world","second string"
ptr-record=99.50.168.192.in-addr.arpa,printer.lab.test
bogus-priv
domain-needed
neg-ttl=60
max-ttl=120
max-cache-ttl=200
edns-packet-max=1232
conf-file=$T/include.conf
conf-dir=$T/conf.d,.bak
user=root
pid-file=
EOF
printf '10.5.5.5 fwd.example\n10.5.5.6 a.corp.test\n' >"$T/up.hosts"
chmod -R a+rX "$T"

local_start "$T/up.out" dnsmasq -k --port="$P_UP" --listen-address=127.0.0.1 \
    --bind-interfaces --no-resolv --no-hosts --addn-hosts="$T/up.hosts" \
    --local-ttl=300 --cache-size=0 --pid-file= --log-facility=-
UP_PID=$E2E_PID
local_start "$T/ref.out" dnsmasq -k --port="$P_REF" -C "$T/conf" --log-facility=-
REF_PID=$E2E_PID
local_start "$T/dnsd.out" "$DNSD" -d --port="$P_DNSD" -C "$T/conf"
DNSD_PID=$E2E_PID

answers() {	# answers PORT: succeed once the server answers gw
	[ "$(dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short gw.lab.test A 2>/dev/null)" = 192.168.50.1 ]
}
check "dnsmasq starts on the config" wait_until 10 answers "$P_REF"
check "dnsd starts on the config" wait_until 10 answers "$P_DNSD"

# result PORT NAME TYPE: the rcode, then the answer records sorted.
result() {
	dig @127.0.0.1 -p "$1" +time=2 +tries=1 "$2" "$3" >"$T/dig.out" 2>&1
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$T/dig.out"
	dig @127.0.0.1 -p "$1" +time=2 +tries=1 +short "$2" "$3" 2>&1 | sort
}

while read -r name type why; do
	ref=$(result "$P_REF" "$name" "$type")
	got=$(result "$P_DNSD" "$name" "$type")
	if [ "$got" = "$ref" ]; then
		pass "$why: $name $type as dnsmasq"
	else
		fail "$why: $name $type as dnsmasq" "dnsmasq: $ref
dnsd:    $got"
	fi
done <<EOF
gw.lab.test A hosts file with expand-hosts
gw A hosts file, short name
nas-alias.lab.test A second name of a hosts line
nas.lab.test AAAA IPv6 line of a hosts file
pi1.lab.test A addn-hosts directory
pi2 A addn-hosts directory, second file
2.50.168.192.in-addr.arpa PTR PTR from a hosts line
hr.lab.test A host-record
hr.lab.test AAAA host-record
30.50.168.192.in-addr.arpa PTR host-record PTR
www.lab.test A cname to a hosts name
lab.test MX mx-host
_ldap._tcp.lab.test SRV srv-host
txt.lab.test TXT txt-record
99.50.168.192.in-addr.arpa PTR ptr-record
x.ads.test A address= with an address
y.blocked.test A address= without address
v6only.test AAAA address= IPv6
nosuch.lab.test A local= domain
from-include.lab.test A conf-file include
q.confdir.test A conf-dir file
q.skipped.test A conf-dir suffix filter
1.0.0.10.in-addr.arpa PTR bogus-priv
1.0.0.127.in-addr.arpa PTR bogus-priv loopback
plainname A domain-needed
fwd.example A forwarded
a.corp.test A server=/domain/
EOF

# Where dnsd differs on purpose: an address= domain is dnsd's own, so the
# type it has no address for gets NODATA and is never forwarded, the way
# a hosts name does.  dnsmasq 2.86 and later forward that query (here
# the upstream refuses it).
for q in "x.ads.test AAAA" "v6only.test A"; do
	set -- $q
	got=$(result "$P_DNSD" "$1" "$2")
	check "address= for the other type: $1 $2 gets NODATA, never forwarded (dnsmasq: $(result "$P_REF" "$1" "$2" | tr '\n' ' '))" \
	    test "$got" = NOERROR
done

# TTLs: max-ttl caps what clients see.
ttl() {	# ttl PORT NAME TYPE: the TTL of the first answer
	dig @127.0.0.1 -p "$1" +time=2 +tries=1 +noall +answer "$2" "$3" | awk 'NR == 1 { print $2 }'
}
check "max-ttl: a forwarded answer's TTL is capped at 120 ($(ttl "$P_DNSD" fwd.example A))" \
    test "$(ttl "$P_DNSD" fwd.example A)" -le 120
check "max-ttl caps forwarded answers as dnsmasq ($(ttl "$P_REF" fwd.example A))" \
    test "$(ttl "$P_REF" fwd.example A)" -le 120
daemon_stop "$REF_PID"
daemon_stop "$DNSD_PID"
daemon_stop "$UP_PID"
exit $E2E_FAIL
