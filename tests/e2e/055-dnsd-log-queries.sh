#!/bin/sh
# log-queries against dnsmasq, on loopback.  dnsd and dnsmasq read the
# same config (a hosts file, address=, local=, cname=, one upstream) and
# get the same questions: local names, NODATA, a CNAME, address= and
# local= domains, a PTR, forwarded names, a cached answer and upstream
# errors.  The lines each logs (without its prefix) must be the same:
# "query[TYPE] NAME from ADDR", "forwarded NAME to ADDR", and "SOURCE NAME
# is VALUE" with the hosts file, config, reply or cached as SOURCE.
. "$(dirname "$0")/lib.sh"

e2e_require_cmd dig dnsmasq
e2e_timeout 60 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

e2e_init
T=$E2E_TMP
# Fixed ports below the ephemeral range, in a band no other script uses.
BASE=$((26000 + ($$ % 200) * 10))
P_UP=$BASE
P_REF=$((BASE + 1))
P_DNSD=$((BASE + 2))

printf '192.168.9.1 h1\n192.168.9.2 h2 h2b\n' >"$T/hosts"
printf '10.5.5.5 fwd.example\n' >"$T/up.hosts"
cat >"$T/conf" <<EOF
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$T/hosts
server=127.0.0.1#$P_UP
log-queries
address=/ads.test/0.0.0.0
local=/loc.test/
cname=c1.test,h1
domain-needed
user=root
pid-file=
EOF
chmod 644 "$T/hosts" "$T/up.hosts" "$T/conf"

# The upstream answers fwd.example for 300 s and refuses other names.
local_start "$T/up.out" dnsmasq -k --port="$P_UP" --listen-address=127.0.0.1 \
    --bind-interfaces --no-resolv --no-hosts --addn-hosts="$T/up.hosts" \
    --local-ttl=300 --cache-size=0 --pid-file= --log-facility=-
UP_PID=$E2E_PID
local_start "$T/ref.out" dnsmasq -k --port="$P_REF" -C "$T/conf" --log-facility=-
REF_PID=$E2E_PID
local_start "$T/dnsd.out" "$DNSD" -d --port="$P_DNSD" -C "$T/conf"
DNSD_PID=$E2E_PID

# The servers are probed with h2, which no case below asks, so that the
# probes' lines can be left out of the comparison.
answers() {	# answers PORT: succeed once the server answers h2
	[ "$(dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short h2 A 2>/dev/null)" = 192.168.9.2 ]
}
check "dnsmasq answers" wait_until 10 answers "$P_REF"
check "dnsd answers" wait_until 10 answers "$P_DNSD"

for p in "$P_REF" "$P_DNSD"; do
	while read -r name type; do
		dig @127.0.0.1 -p "$p" +time=2 +tries=1 "$name" "$type" >/dev/null 2>&1
	done <<EOF
h1 A
h1 AAAA
c1.test A
x.ads.test A
y.loc.test A
h2b A
1.9.168.192.in-addr.arpa PTR
fwd.example A
fwd.example A
nx.example A
Fwd.Example AAAA
EOF
done
sleep 0.3
daemon_stop "$REF_PID"
daemon_stop "$DNSD_PID"
daemon_stop "$UP_PID"

# The query lines and what follows them, without the program's prefix.
sed -n 's/^dnsmasq\[[0-9]*\]: //p' "$T/ref.out" | sed -n '/^query\[/,$p' |
    grep -v '^exiting\| h2 \| h2$' >"$T/ref.lines"
sed -n 's/^dnsd: //p' "$T/dnsd.out" | sed -n '/^query\[/,$p' |
    grep -v '^exiting\|^signal\| h2 \| h2$' >"$T/dnsd.lines"
check "dnsmasq logged the queries" test "$(grep -c '^query\[' "$T/ref.lines")" -eq 11
if diff "$T/ref.lines" "$T/dnsd.lines" >"$T/diff"; then
	pass "log-queries: dnsd writes the lines dnsmasq writes"
else
	fail "log-queries: dnsd writes the lines dnsmasq writes" "$(cat "$T/diff")"
fi
check "log-queries: a hosts answer names the hosts file" \
    grep -qx "$T/hosts h1 is 192.168.9.1" "$T/dnsd.lines"
check "log-queries: a cached answer says cached" \
    grep -qx 'cached fwd.example is 10.5.5.5' "$T/dnsd.lines"
exit $E2E_FAIL
