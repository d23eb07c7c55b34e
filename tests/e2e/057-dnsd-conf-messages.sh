#!/bin/sh
# dnsd's messages for bad configs, byte for byte.  Every directive dnsd
# reads gets a file of its own with lines that take each of its error
# and warning paths.  More lines cover the limits of the handlers, the
# command line, the hosts files and --explain.  The output of dnsd --test
# and dnsd --explain, with the temporary folder replaced by T, must equal
# 057-dnsd-conf-messages.expected.  UPDATE=1 rewrites that file instead,
# after an intended change of a message.  Nothing here binds a socket.
. "$(dirname "$0")/lib.sh"

e2e_timeout 120 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

EXPECTED="$(dirname "$0")/057-dnsd-conf-messages.expected"
e2e_init
T=$E2E_TMP
OUT=$T/out
: >"$OUT"

# run TITLE ARG...: append dnsd's output and exit status to $OUT.
run() {
	_title=$1
	shift
	echo "== $_title" >>"$OUT"
	"$DNSD" "$@" >"$T/run.out" 2>&1
	_rc=$?
	sed "s|$T|T|g" "$T/run.out" >>"$OUT"
	echo "exit $_rc" >>"$OUT"
}

# test_lines TITLE LINE...: one config of these lines through --test.
test_lines() {
	_title=$1
	shift
	printf '%s\n' "$@" >"$T/lines.conf"
	run "$_title" --test -C "$T/lines.conf"
}

# numbered N LINE: LINE once for each of 0 to N-1, with each @ in it
# replaced by the number.  The lines must not contain blanks.
numbered() {
	awk -v n="$1" -v line="$2" \
	    'BEGIN { for (i = 0; i < n; i++) { s = line; gsub(/@/, i, s); print s } }'
}

# Every name of dnsd's directive table, with each shape of value.
for name in \
    add-cpe-id add-mac add-subnet addn-hosts address alias all-servers \
    auth-peer auth-sec-servers auth-server auth-soa auth-ttl auth-zone \
    bind-dynamic bind-interfaces bogus-nxdomain bogus-priv bootp-dynamic \
    bridge-interface caa-record cache-rr cache-size clear-on-reload cname \
    conf-dir conf-file conf-script connmark-allowlist connmark-allowlist-enable \
    conntrack dhcp-alternate-port dhcp-authoritative dhcp-boot dhcp-broadcast \
    dhcp-circuitid dhcp-client-update dhcp-duid dhcp-fqdn dhcp-generate-names \
    dhcp-host dhcp-hostsdir dhcp-hostsfile dhcp-ignore dhcp-ignore-clid \
    dhcp-ignore-names dhcp-lease-max dhcp-leasefile dhcp-luascript dhcp-mac \
    dhcp-match dhcp-name-match dhcp-no-override dhcp-option dhcp-option-force \
    dhcp-optsdir dhcp-optsfile dhcp-proxy dhcp-pxe-vendor dhcp-range \
    dhcp-rapid-commit dhcp-relay dhcp-remoteid dhcp-reply-delay dhcp-script \
    dhcp-scriptuser dhcp-sequential-ip dhcp-subscrid dhcp-ttl dhcp-userclass \
    dhcp-vendorclass dns-forward-max dns-loop-detect dns-rr dnssec \
    dnssec-check-unsigned dnssec-debug dnssec-limits dnssec-no-timecheck \
    dnssec-timestamp domain domain-needed dumpfile dumpmask dynamic-host \
    edns-packet-max enable-dbus enable-ra enable-tftp enable-ubus \
    except-interface expand-hosts fast-dns-retry filter-A filter-AAAA filter-rr \
    filterwin2k group help host-record hostsdir ignore-address interface \
    interface-name ipset keep-in-foreground leasefile-ro listen-address local \
    local-service local-ttl localise-queries localmx log-async log-debug \
    log-dhcp log-facility log-queries max-cache-ttl max-port \
    max-tcp-connections max-ttl min-cache-ttl min-port mx-host mx-target \
    naptr-record neg-ttl nftset no-daemon no-dhcp-interface no-dhcpv4-interface \
    no-dhcpv6-interface no-hosts no-ident no-negcache no-ping no-poll no-resolv \
    no-round-robin pid-file port port-limit proxy-dnssec ptr-record pxe-prompt \
    pxe-service query-port quiet-dhcp quiet-dhcp6 quiet-ra quiet-tftp ra-param \
    read-ethers rebind-domain-ok rebind-localhost-ok resolv-file rev-server \
    script-arp script-on-renewal selfmx server servers-file shared-network \
    srv-host stop-dns-rebind strict-order strip-mac strip-subnet synth-domain \
    tag-if test tftp-lowercase tftp-max tftp-mtu tftp-no-blocksize tftp-no-fail \
    tftp-port-range tftp-root tftp-secure tftp-single-port tftp-unique-root \
    trust-anchor txt-record umbrella use-stale-cache user version; do
	case $name in
	conf-file|conf-dir) ok="$T/none" ;;
	*) ok=x ;;
	esac
	test_lines "$name" "$name" "$name=" "$name=$ok" "$name=-1" "$name=0" \
	    "$name=99999999999" "$name=x,y" "$name=a,b,c,d,e,f,g,h,i" "$name=/" \
	    "$name=/a/" "$name=/a/b" "$name=/a*/1.2.3.4" "$name=1.2.3.4" \
	    "$name=a..b" "$name=a,1.2.3.4" "$name=\"x y\"" "$name=$name"
done

# The paths of each handler that the loop above does not reach.
test_lines server "server=1.2.3.4@eth0" "server=1.2.3.4#0" "server=1.2.3.4#70000" \
    "server=//" "server=//1.2.3.4" "server=//a/" "server=/a/#" "server=/a/b/" \
    "server=/a/b/c/d/e/f/g/h/i/1.2.3.4" "server=/#/1.2.3.4" "server=/a/1.2.3.4#53x" \
    "server=/$(printf '%0300d' 0)/1.2.3.4" "server=a/b" "local=/lan/" \
    "server=$(printf '%0200d' 0)"
# shellcheck disable=SC2046 # one argument for each line
test_lines "server count" $(numbered 34 "server=/d@.test/127.0.0.@")
test_lines address "address=a" "address=/a/bad" "address=/#/" "address=/a/#" \
    "address=/a/1.2.3.4" "address=/a/b/fd00::1" "address=/#/1.2.3.4" "address=/a"
# shellcheck disable=SC2046 # one argument for each line
test_lines "address count" $(numbered 66 "address=/d@.test/127.0.0.1")
test_lines cname "cname=a,b,300" "cname=a,300" "cname=a,b,c" "cname=a..b,c" \
    "cname=a,b..c" "cname=a,b,99999999999" "cname=a,b,-1"
test_lines host-record "host-record=h,1.2.3.1,1.2.3.2,fd00::3,1.2.3.4,1.2.3.5" \
    "host-record=a,b,c,d,e,f,g,h,i,1.2.3.4" "host-record=a,1.2.3.4,bad" \
    "host-record=a,1.2.3.4,60" "host-record=a,1.2.3.4,99999999999" "host-record=a" \
    "host-record=1.2.3.4" "host-record=a..b,1.2.3.4" "host-record=a,1.2.3.4,fd00::1,60"
test_lines domain "domain=#" "domain=a..b" "domain=lan,192.168.0.0/24,local" \
    "domain=lan,192.168.0.0/20,local" "domain=lan,10.0.0.1,10.0.0.9,local" \
    "domain=lan,10.0.0.1,10.0.0.9" "domain=lan,eth0" "domain=lan,bad/x" \
    "domain=lan,fd00::/64,local" "domain=lan,fd00::/62,local" \
    "domain=lan,0.0.0.0/0,local" "domain=lan,10.0.0.0/8,local" "domain=lan,10.0.0.1,fd00::1" \
    "domain=lan,10.0.0.0/32,local" "domain=lan,10.0.0.0/16" "domain=lan,fd00::/128,local" \
    "domain=lan,a,b,c" "domain=lan"
# shellcheck disable=SC2046 # one argument for each line
test_lines "domain count" $(numbered 18 "domain=d@.test,10.@.0.0/16")
test_lines log-facility "log-facility=LOCAL0" "log-facility=bogus" "log-facility=-" \
    "log-facility=/var/log/dnsd" "log-facility=/$(printf '%0300d' 0)" "log-facility=uucp" \
    "log-facility=AuthPriv" "log-facility=local8"
test_lines log-queries "log-queries=extra" "log-queries=proto" "log-queries=auth" \
    "log-queries=bogus" "log-queries"
test_lines mx-host "mx-host=a,5" "mx-host=a,b,5" "mx-host=a,b,99999" "mx-host=a,b,c" \
    "mx-host=a,b..c" "mx-host=a,70000" "mx-host=a,b" "mx-host=a..b"
test_lines ptr-record "ptr-record=a" "ptr-record=a,b" "ptr-record=a..b,c" "ptr-record=a,b..c"
long=$(printf '%0256d' 0)
mid=$(printf '%0250d' 0)
test_lines txt-record "txt-record=a,$long" "txt-record=a" "txt-record=a,x,y" \
    "txt-record=a,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid,$mid" \
    "txt-record=a..b,x"
test_lines srv-host "srv-host=_a._tcp.b" "srv-host=_a._tcp.b,c,70000" \
    "srv-host=_a._tcp.b,c,1,70000" "srv-host=_a._tcp.b,c,1,2,70000" \
    "srv-host=_a._tcp.b,c..d" "srv-host=_a._tcp.b,c,1,2,3"
test_lines rebind-domain-ok "rebind-domain-ok=/a/b" "rebind-domain-ok=a" \
    "rebind-domain-ok=/a/" "rebind-domain-ok=a..b" "rebind-domain-ok=/a/b/"
# shellcheck disable=SC2046 # one argument for each line
test_lines "rebind-domain-ok count" $(numbered 34 "rebind-domain-ok=d@.test")
test_lines listen-address "listen-address=127.0.0.1,bad" \
    "listen-address=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6" \
    "listen-address=127.0.1.1,127.0.1.2,127.0.1.3,127.0.1.4,127.0.1.5,127.0.1.6" \
    "listen-address=127.0.2.1,127.0.2.2,127.0.2.3,127.0.2.4,127.0.2.5,127.0.2.6"
test_lines interface "interface=eth*" "except-interface=a*" \
    "interface=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q" \
    "except-interface=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q" \
    "interface=$(printf '%040d' 0)"
# shellcheck disable=SC2046 # one argument for each line
test_lines "addn-hosts count" $(numbered 18 "addn-hosts=$T/h@") \
    $(numbered 18 "hostsdir=$T/d@") "addn-hosts=/$(printf '%0300d' 0)" \
    "hostsdir=/$(printf '%0300d' 0)"
test_lines cache-size "cache-size=99999999" "cache-size=10000" "cache-size=10001"
test_lines paths "user=" "group=" "pid-file=" "resolv-file=" "user=$long" \
    "group=$long" "pid-file=$long" "resolv-file=$long"
test_lines checks "expand-hosts" "bind-interfaces"
test_lines "check with domain" "expand-hosts" "domain=lan" "bind-interfaces" \
    "listen-address=127.0.0.1"
test_lines quoting 'server="1.2.3.4' '=x' ' = ' 'port = 53 # comment' \
    'txt-record=a,"x,y",z' 'txt-record=a,"\e\b\n\t\\\""' \
    "port=$(printf '%03000d' 0)" 'dhcp-range=1' 'dhcp-range=2' ' # comment' '#x'

# Includes: conf-file, conf-dir with filters, missing files, nesting.
mkdir "$T/conf.d"
printf 'port=1\nbogus\n' >"$T/conf.d/a.conf"
printf 'port=2\n' >"$T/conf.d/b.skip"
printf 'port=3\n' >"$T/conf.d/c.read"
printf 'port=4\n' >"$T/conf.d/.hidden"
printf 'port=5\n' >"$T/conf.d/d~"
printf 'port=6\n' >"$T/conf.d/#e#"
test_lines conf-dir "conf-dir=$T/conf.d" "conf-dir=$T/conf.d,.skip" \
    "conf-dir=$T/conf.d,*.read" "conf-dir=$T/conf.d,.conf,*.skip,*.read" \
    "conf-dir=$T/none" "conf-file=$T/none" "conf-file=$T/conf.d/a.conf"
printf 'conf-file=%s/self.conf\n' "$T" >"$T/self.conf"
run "conf-file nesting" --test -C "$T/self.conf"

# The command line.
printf 'port=5353\n' >"$T/main.conf"
printf 'bogus\n' >"$T/second.conf"
run "no -C" --test -C "$T/main.conf" -p
run "-p0" --test -C "$T/main.conf" -p0
run "--port" --test -C "$T/main.conf" --port
run "--port value" --test -C "$T/main.conf" --port 99999
run "--bogus" --test -C "$T/main.conf" --bogus
run "-Z" --test -C "$T/main.conf" -Z
run "extra" --test -C "$T/main.conf" extra -
run "-kd" --test -C "$T/main.conf" -kdZ
run "-kp" --test -C "$T/main.conf" -kp5353 -q -o -n
run "--server" --test -C "$T/main.conf" --server=1.2.3.4@x --server 1.2.3.5 -S 1.2.3.6#0
run "long value" --test -C "$T/main.conf" "--cache-size=$(printf '%03000d' 0)"
run "long name" --test -C "$T/main.conf" "--$(printf '%070d' 0)=1"
run "two -C" --test -C "$T/main.conf" -C "$T/second.conf" --conf-file="$T/none"
run "-C missing" --test -C "$T/none"
run "-- end" --test -C "$T/main.conf" -- --bogus
run "every short option" --test -C "$T/main.conf" -D -E -H "$T/h" -N -P 1232 -R \
    -S 1.2.3.4 -T 5 -W _a._tcp.b -Y t.test -a 127.0.0.1 -b -c 100 -g root -h \
    -i lo -m mx.test -o -p 5353 -q -r "$T/resolv" -s lan -u root -x "$T/pid" -z \
    -7 "$T/conf.d"
run "-v" -C "$T/main.conf" -v
run "--version" -C "$T/main.conf" --version
run "-w" -C "$T/main.conf" -w
run "--help=x" --test -C "$T/main.conf" --help=x

# Hosts files with errors, then --explain over a config of every kind.
{
	printf '127.0.0.1\tlocalhost\n'
	printf '192.168.50.1 gw gw-alias\n'
	printf '192.168.50.2 nas\n'
	printf 'fd00::2 nas\n'
	printf 'bad-address nas\n'
	printf '192.168.50.3 bad..name ok\n'
	printf '192.168.50.4\n'
	printf '192.168.50.5 %s\n' "$(printf '%03000d' 0)"
	printf '192.168.50.6 shortname # comment\n'
} >"$T/hosts"
mkdir "$T/hosts.d"
printf '192.168.50.10 pi1\nbad pi2\n' >"$T/hosts.d/pis"
printf '192.168.50.20 extra\n' >"$T/extra"
printf 'nameserver 127.0.0.53\nnameserver bad\nnameserver 127.0.0.1\n' >"$T/resolv"
cat >"$T/explain.conf" <<EOF
resolv-file=$T/resolv
listen-address=127.0.0.1
addn-hosts=$T/extra
addn-hosts=$T/none
hostsdir=$T/hosts.d
domain=lan
expand-hosts
domain-needed
bogus-priv
host-record=rec.test,10.1.1.1,fd00::1,300
cname=alias.test,rec.test
mx-host=mx.test,mail.test,10
srv-host=_sip._tcp.test,sip.test,5060,1,2
txt-record=txt.test,"hello world",second
ptr-record=4.3.2.1.in-addr.arpa,ptr.test
address=/ads.test/
address=/any.test/#
address=/fixed.test/10.9.9.9
local=/corp.test/
server=/fwd.test/127.0.0.9#5353
server=/def.test/#
server=/sub.corp.test/127.0.0.10
server=127.0.0.11
domain=sub.lan,10.5.0.0/16,local
EOF
export DNSD_HOSTS_FILE="$T/hosts"
for q in "nas" "nas.lan AAAA" "gw-alias.lan" "pi1" "extra.lan" "rec.test" \
    "rec.test AAAA" "alias.test" "mx.test MX" "_sip._tcp.test SRV" "txt.test TXT" \
    "4.3.2.1.in-addr.arpa PTR" "1.50.168.192.in-addr.arpa PTR" "ads.test" \
    "x.any.test AAAA" "fixed.test" "fixed.test AAAA" "www.corp.test" "a.fwd.test" \
    "a.def.test" "a.sub.corp.test" "example.com" "singlelabel" \
    "5.0.168.192.in-addr.arpa PTR" "9.9.5.10.in-addr.arpa PTR" "lan" "nas AXFR" \
    "nas BOGUS" "a..b" "nas TYPE65" "nas.lan NS" "nas.lan MX" "localhost"; do
	# shellcheck disable=SC2086 # the name and the type are two arguments
	run "explain $q" -C "$T/explain.conf" --explain $q
done
printf 'no-resolv\n' >"$T/empty.conf"
run "explain without upstreams" -C "$T/empty.conf" --explain example.com
run "explain with config errors" -C "$T/second.conf" --explain example.com
run "explain missing name" -C "$T/empty.conf" --explain
unset DNSD_HOSTS_FILE

if [ "$UPDATE" = 1 ]; then
	cp "$OUT" "$EXPECTED"
	pass "wrote $EXPECTED"
elif diff -u "$EXPECTED" "$OUT" >"$T/diff"; then
	pass "every message equals $(basename "$EXPECTED") ($(wc -l <"$OUT") lines)"
else
	fail "messages differ from $(basename "$EXPECTED")" "$(head -n 60 "$T/diff")"
fi
exit $E2E_FAIL
