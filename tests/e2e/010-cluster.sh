#!/bin/sh
# The reference cluster in network namespaces: x-k3s-m-1 runs ntpd and dnsd
# on the reference configs, two nodes run ntpd as clients, and an
# "upstream" host stands in for pool.ntp.org and 8.8.8.8.  From every node,
# hostq must print what BIND's host prints, dnsd must answer what dnsmasq
# answers on the same config, names outside the cluster are forwarded and
# cached, both clients synchronise to x-k3s-m-1, and chronyd -Q measures
# x-k3s-m-1's time within 1 ms of the local clock.
#
# E2E_PEERS=1 runs the peers in edgebox's roles (dnsmasq as dnsd, chronyd -x
# as ntpd, chronyc as ntpctl, host as hostq); every check must pass then as
# well, which tests the harness itself.  E2E_KEEP=1 keeps the logs.
#
# Two networks on two bridges in namespace "sw", neither connected to the
# host.  The test network br0:
#	up	192.168.7.250	upstream: chronyd -x (local stratum 2), dnsmasq
#	m1	192.168.7.11, 192.168.6.200	x-k3s-m-1: ntpd, dnsd
#	n1	192.168.7.21, 192.168.6.21	x-k3s-n-1: ntpd client
#	n2	192.168.7.22, 192.168.6.22	x-k3s-n-2: ntpd client
# and its mirror br1, the reference, where dnsmasq runs on dnsd's config:
#	rup	192.168.7.250	upstream dnsmasq, started like up's
#	rm1	192.168.7.11, 192.168.6.200	dnsmasq
#	rn1	192.168.7.21, 192.168.6.21	client
#
# dnsmasq.conf says listen-address=192.168.6.200,127.0.0.1, so dnsmasq
# ignores queries sent to 192.168.7.11: the clients must ask 192.168.6.200,
# the address the server carries for DNS.  The clients get an address in
# 192.168.6.0/24 on the same link, as the server has one there.
#
# resolv.conf: x-k3s-m-1 uses "nameserver 127.0.0.1", as a dnsmasq host
# does.  The clients use "search edge.example.org" (for a single domain,
# "domain edge.example.org" acts the same) and "nameserver 192.168.6.200".
# So a short name goes through the search list on a client and is asked
# as a bare name on the server, and both paths are checked.

. "$(dirname "$0")/lib.sh"
e2e_timeout "${E2E_TIME_LIMIT:-300}"
e2e_require_netns
e2e_require_cmd chronyd dnsmasq host dig ss awk

DATA=$(cd "$(dirname "$0")/../data" && pwd)
BA=$(cd "$B" 2>/dev/null && pwd) || skip "no build folder $B"
DOMAIN=edge.example.org
UP=192.168.7.250
M1=192.168.7.11
DNS=192.168.6.200

if [ -n "$E2E_PEERS" ]; then
	DNSD="dnsmasq"
	NTPD="chronyd -u root"
	NTPCTL="chronyc -n"
	HOSTQ="host"
else
	for a in dnsd hostq ntpd ntpctl; do
		[ -x "$BA/$a" ] || skip "$BA/$a is missing; run make"
		is_placeholder "$a" && skip "applet $a is not built yet"
	done
	DNSD="$BA/dnsd"
	NTPD="$BA/ntpd"
	NTPCTL="$BA/ntpctl"
	HOSTQ="$BA/hostq"
fi

e2e_init
T=$E2E_TMP
mkdir "$T/up" "$T/m1" "$T/n1" "$T/n2" "$T/rup" "$T/rm1" "$T/q"
# chronyd accepts a command socket only in a folder that others cannot
# enter, while dnsd, which drops privileges, must still read its config
# on SIGHUP: so every node's folder is public and its ctl folder private.
for node in up m1 n1 n2; do
	mkdir -m 700 "$T/$node/ctl"
done
cp "$DATA/hosts" "$T/hosts"
chmod 644 "$T/hosts"

# --- configuration --------------------------------------------------------

# ntpd_conf SRC DIR: copy a reference chrony config into DIR/ntpd.conf with
# every path private to DIR.  The sed rewrites pool.ntp.org to the upstream
# host, because no test may send a packet to a real address, and the
# driftfile from /var/lib/chrony to DIR, because that file belongs to this
# machine.  The appended lines move the command socket and the pid file out
# of /run for the same reason; "cmdport 0" only closes the UDP command port.
ntpd_conf() {
	sed -e "s/pool\.ntp\.org/$UP/g" \
	    -e "s|^driftfile .*|driftfile $2/ntpd.drift|" "$1" >"$2/ntpd.conf"
	printf 'bindcmdaddress %s\npidfile %s\n' "$2/ctl/ntpd.sock" "$2/ntpd.pid" \
	    >>"$2/ntpd.conf"
}

# dnsd_conf DIR: copy the reference dnsmasq.conf into DIR/dnsd.conf.  The
# sed sends forwarded queries to the upstream host in place of 8.8.8.8.
# Inside a namespace /etc/hosts is still this machine's file, so the test
# data's hosts file comes in through no-hosts plus addn-hosts, and the pid
# file goes to DIR.  listen-address=192.168.6.200,127.0.0.1 stays: both
# addresses exist in the namespace.
dnsd_conf() {
	sed -e "s/^server=8\.8\.8\.8\$/server=$UP/" "$DATA/dnsmasq.conf" >"$1/dnsd.conf"
	printf 'no-hosts\naddn-hosts=%s\npid-file=%s\n' "$T/hosts" "$1/dnsd.pid" \
	    >>"$1/dnsd.conf"
	chmod 644 "$1/dnsd.conf"
}

cat >"$T/up/chrony.conf" <<EOF
local stratum 2
allow all
cmdport 0
bindcmdaddress /
pidfile $T/up/chronyd.pid
driftfile $T/up/chrony.drift
EOF
ntpd_conf "$DATA/chrony-server.conf" "$T/m1"
ntpd_conf "$DATA/chrony-client.conf" "$T/n1"
ntpd_conf "$DATA/chrony-client.conf" "$T/n2"
dnsd_conf "$T/m1"
dnsd_conf "$T/rm1"

# --- network --------------------------------------------------------------

net_up() {
	switch_add br0 br1 &&
	ns_add up && ns_attach up br0 "$UP/24" &&
	ns_add m1 && ns_attach m1 br0 "$M1/24" "$DNS/24" &&
	ns_add n1 && ns_attach n1 br0 192.168.7.21/24 192.168.6.21/24 &&
	ns_add n2 && ns_attach n2 br0 192.168.7.22/24 192.168.6.22/24 &&
	ns_add rup && ns_attach rup br1 "$UP/24" &&
	ns_add rm1 && ns_attach rm1 br1 "$M1/24" "$DNS/24" &&
	ns_add rn1 && ns_attach rn1 br1 192.168.7.21/24 192.168.6.21/24
}
if ! net_up; then
	fail "namespaces and bridges set up"
	exit 1
fi
for node in up m1 rup rm1; do
	ns_resolv "$node" "nameserver 127.0.0.1"
done
for node in n1 n2 rn1; do
	ns_resolv "$node" "search $DOMAIN" "nameserver $DNS"
done

# --- daemons --------------------------------------------------------------

# upstream_dns NAME: the upstream DNS server in namespace NAME.  It has
# records for a few outside names and returns NXDOMAIN for every other
# name, as a public resolver would.  It logs every query so that the cache
# check can count what dnsd forwarded.
upstream_dns() {
	daemon_start "$1" "$T/$1/dnsmasq.log" dnsmasq -d -C /dev/null --no-resolv \
	    --no-hosts --listen-address="$UP" --bind-interfaces --local-ttl=300 \
	    --log-queries --pid-file="$T/$1/dnsmasq.pid" --address=/#/ \
	    --host-record=www.outside.test,192.0.2.80 \
	    --host-record="$CACHED",192.0.2.81
}
# A name that only the cache check looks up.
CACHED=www.cache.outside.test

# Every chronyd here runs with -u root: Debian's build would switch to
# _chrony, which cannot write to the root-owned temporary folders.
daemon_start up "$T/up/chronyd.log" chronyd -x -d -u root -f "$T/up/chrony.conf"
upstream_dns up
upstream_dns rup
daemon_start rm1 "$T/rm1/dnsmasq.log" dnsmasq -d -C "$T/rm1/dnsd.conf"
REF_DNSD=$E2E_PID

daemon_start m1 "$T/m1/dnsd.log" $DNSD -d -C "$T/m1/dnsd.conf"
M1_DNSD=$E2E_PID
daemon_start m1 "$T/m1/ntpd.log" $NTPD -x -d -f "$T/m1/ntpd.conf"
M1_NTPD=$E2E_PID
daemon_start n1 "$T/n1/ntpd.log" $NTPD -x -d -f "$T/n1/ntpd.conf"
N1_NTPD=$E2E_PID
daemon_start n2 "$T/n2/ntpd.log" $NTPD -x -d -f "$T/n2/ntpd.conf"
N2_NTPD=$E2E_PID

# listening NAME PROTO ADDR:PORT LOG WHAT: one check that a daemon is up.
listening() {
	if wait_until 10 is_listening "$1" "$2" "$3"; then
		pass "$5 listens on $2 $3"
	else
		fail "$5 listens on $2 $3" "$(tail -n 20 "$4")"
	fi
}
listening up udp "$UP:53" "$T/up/dnsmasq.log" "upstream dnsmasq"
listening up udp "0.0.0.0:123" "$T/up/chronyd.log" "upstream chronyd"
listening rup udp "$UP:53" "$T/rup/dnsmasq.log" "reference upstream dnsmasq"
listening rm1 udp "$DNS:53" "$T/rm1/dnsmasq.log" "reference dnsmasq"
listening m1 udp "127.0.0.1:53" "$T/m1/dnsd.log" "dnsd"
listening m1 udp "$DNS:53" "$T/m1/dnsd.log" "dnsd"
listening m1 udp "0.0.0.0:123" "$T/m1/ntpd.log" "x-k3s-m-1 ntpd"

# --- DNS: hostq against host, dnsd against dnsmasq -------------------------

# lookup NODE TOOL QUERY OUT: run one lookup inside NODE; the output goes to
# OUT and the exit status is appended as a last line.  QUERY may hold
# options before the name ("-T etcd").
lookup() {
	ns_exec "$1" timeout 20 $2 $3 >"$4" 2>&1
	echo "exit $?" >>"$4"
}

# same_lines A B: the files hold the same lines, in any order.  dnsmasq
# rotates the records of a name with several addresses (etcd, apiserver)
# from one answer to the next, and host prints them in the order received.
same_lines() {
	sort "$1" >"$1.sorted"
	sort "$2" >"$2.sorted"
	cmp -s "$1.sorted" "$2.sorted"
}

# compare_lookup NODE REFNODE QUERY: hostq and host on NODE must print the
# same and exit alike, and host on NODE (asking dnsd) must print what host
# on REFNODE (asking dnsmasq on the same config) prints.
compare_lookup() {
	_base="$T/q/$1-$(echo "$3" | tr ' :/' '___')"
	lookup "$1" "$HOSTQ" "$3" "$_base.hostq"
	lookup "$1" host "$3" "$_base.host"
	lookup "$2" host "$3" "$_base.ref"
	if same_lines "$_base.host" "$_base.hostq"; then
		pass "$1: hostq $3 prints what host prints"
	else
		fail "$1: hostq $3 prints what host prints" \
		    "$(show_diff "$_base.host" "$_base.hostq")"
	fi
	if same_lines "$_base.ref" "$_base.host"; then
		pass "$1: dnsd answers $3 as dnsmasq does"
	else
		fail "$1: dnsd answers $3 as dnsmasq does" \
		    "$(show_diff "$_base.ref" "$_base.host")"
	fi
}

# answers NODE SERVER: a DNS server answers the node at all, so that a dead
# server costs one failed check and not a timeout per lookup.
answers() {
	ns_exec "$1" dig +time=2 +tries=2 +short x-k3s-m-1 "@$2" 2>&1 |
	    grep -qx "$M1"
}

NAMES=$(awk '!/^#/ { for (i = 2; i <= NF; i++) if (!seen[$i]++) print $i }' "$DATA/hosts")
ADDRS=$(awk '!/^#/ && NF > 1 && !seen[$1]++ { print $1 }' "$DATA/hosts")

# The reference answers must hold the hosts file, or a broken setup would
# make every comparison agree on "not found".
lookup rm1 host x-k3s-n-1 "$T/q/sanity"
check "dnsmasq reference resolves x-k3s-n-1" \
    grep -q "^x-k3s-n-1 has address 192.168.7.21\$" "$T/q/sanity"
lookup rn1 host x-k3s-n-1 "$T/q/sanity-rn1"
check "reference client expands x-k3s-n-1 with the search list" \
    grep -q "^x-k3s-n-1.$DOMAIN has address 192.168.7.21\$" "$T/q/sanity-rn1"

for node in m1 n1 n2; do
	case $node in
	m1) refnode=rm1 server=127.0.0.1 ;;
	*) refnode=rn1 server=$DNS ;;
	esac
	if ! answers "$node" "$server"; then
		fail "$node: dnsd answers at $server" "$(tail -n 20 "$T/m1/dnsd.log")"
		continue
	fi
	# A hostq that hangs would take the whole time limit, one lookup at a time.
	ns_exec "$node" timeout 10 "$HOSTQ" x-k3s-m-1 >"$T/q/$node-first" 2>&1
	if [ $? -eq 124 ]; then
		fail "$node: hostq x-k3s-m-1 ends within 10 s"
		continue
	fi
	for name in $NAMES; do
		compare_lookup "$node" "$refnode" "$name"
		compare_lookup "$node" "$refnode" "$name.$DOMAIN"
	done
	for addr in $ADDRS; do
		compare_lookup "$node" "$refnode" "$addr"
	done
	compare_lookup "$node" "$refnode" "nosuch.$DOMAIN"
	compare_lookup "$node" "$refnode" nosuch
	compare_lookup "$node" "$refnode" 192.168.7.99
	compare_lookup "$node" "$refnode" "-T etcd"
	compare_lookup "$node" "$refnode" "etcd $DNS"
	compare_lookup "$node" "$refnode" "192.168.7.12 $DNS"
	compare_lookup "$node" "$refnode" "-T 192.168.7.22"
	compare_lookup "$node" "$refnode" www.outside.test
	compare_lookup "$node" "$refnode" www.nosuch.test
done

# dnsmasq ignores queries to an address that is not a listen-address (dig
# times out); a server bound to the listen addresses only makes the kernel
# refuse them.  Either way no answer comes back.
unanswered() {
	grep -q "no servers could be reached" "$1" && ! grep -q "status:" "$1"
}
ns_exec rn1 dig +time=1 +tries=1 x-k3s-m-1 "@$M1" >"$T/q/unlisted.ref" 2>&1
ns_exec n1 dig +time=1 +tries=1 x-k3s-m-1 "@$M1" >"$T/q/unlisted" 2>&1
check "dnsmasq reference leaves queries to $M1 unanswered" unanswered "$T/q/unlisted.ref"
check "dnsd leaves queries to $M1 unanswered" unanswered "$T/q/unlisted"

# --- DNS: forwarding and the cache ----------------------------------------

# dig_answer NAME OUT SERVER: the answer section from node n1.
dig_answer() {
	ns_exec n1 dig +time=3 +tries=1 +noall +answer "$1" "@$3" >"$2" 2>&1
}

# answer_of FILE: the records of dig +noall +answer without the TTL.
answer_of() {
	awk '{ $2 = ""; print }' "$1"
}

ttl_of() {
	awk 'NR == 1 { print $2 }' "$1"
}

# upstream_count TYPE NAME: how many queries for NAME reached the upstream from dnsd.
upstream_count() {
	grep -c "query\[$1\] $2 from $M1\$" "$T/up/dnsmasq.log"
}

# counter NAME: the last value of a counter in dnsd's SIGUSR1 report, as
# "NAME 12" (dnsd: "forwarded 12", "cache hits 3"; dnsmasq: "queries
# forwarded 12").  Returns 1 when no new report appeared within 3 s.
counter() {
	_lines=$(grep -c "forwarded [0-9]" "$T/m1/dnsd.log")
	kill -USR1 "$M1_DNSD"
	wait_until 3 sh -c "[ \$(grep -c 'forwarded [0-9]' '$T/m1/dnsd.log') -gt $_lines ]" ||
	    return 1
	sed -n "s/.*$1 \([0-9][0-9]*\).*/\1/p" "$T/m1/dnsd.log" | tail -n 1
}

dig_answer "$CACHED" "$T/q/dig.up" "$UP"
dig_answer "$CACHED" "$T/q/dig.1" "$DNS"
fwd1=$(counter forwarded)
hits1=$(counter "cache hits")
sleep 2
dig_answer "$CACHED" "$T/q/dig.2" "$DNS"
fwd2=$(counter forwarded)
hits2=$(counter "cache hits")
sleep 0.5
check "upstream answers $CACHED" grep -q "192.0.2.81" "$T/q/dig.up"
if [ "$(answer_of "$T/q/dig.1")" = "$(answer_of "$T/q/dig.up")" ]; then
	pass "dnsd forwards $CACHED with the upstream's answer"
else
	fail "dnsd forwards $CACHED with the upstream's answer" \
	    "$(cat "$T/q/dig.up" "$T/q/dig.1")"
fi
if [ "$(answer_of "$T/q/dig.2")" = "$(answer_of "$T/q/dig.up")" ]; then
	pass "dnsd answers $CACHED again"
else
	fail "dnsd answers $CACHED again" "$(cat "$T/q/dig.2")"
fi
t1=$(ttl_of "$T/q/dig.1")
t2=$(ttl_of "$T/q/dig.2")
if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" -le "$t1" ] && [ "$t1" -le 300 ]; then
	pass "cached TTL counts down ($t1 then $t2)"
else
	fail "cached TTL counts down" "first TTL '$t1', second '$t2', upstream 300"
fi
n=$(upstream_count A "$CACHED")
if [ "$n" -eq 1 ]; then
	pass "second lookup of $CACHED comes from the cache"
else
	fail "second lookup of $CACHED comes from the cache" \
	    "the upstream saw $n queries for it from dnsd"
fi
if [ -n "$fwd1" ] && [ "$fwd1" = "$fwd2" ]; then
	pass "SIGUSR1 report: second lookup not forwarded"
else
	fail "SIGUSR1 report: second lookup not forwarded" \
	    "forwarded before '$fwd1', after '$fwd2'"
fi
if [ -z "$E2E_PEERS" ]; then
	if [ -n "$hits1" ] && [ -n "$hits2" ] && [ "$hits2" -gt "$hits1" ]; then
		pass "SIGUSR1 report counts the cache hit"
	else
		fail "SIGUSR1 report counts the cache hit" \
		    "cache hits before '$hits1', after '$hits2'"
	fi
fi
n=$(grep -c "query\[[A-Z]*\] [^ ]*$DOMAIN from $M1\$" "$T/up/dnsmasq.log")
check "names under local=/$DOMAIN/ are never forwarded" test "$n" -eq 0

# --- DNS: a node added to the hosts file, then SIGHUP ----------------------

# dnsd and the reference dnsmasq read the same hosts file.  On SIGHUP both
# must reread it, as an operator expects after adding a node.
NEW=x-k3s-n-4
printf '192.168.7.24\t%s\n' "$NEW" >>"$T/hosts"
kill -HUP "$M1_DNSD" "$REF_DNSD"
# new_node_known NODE: the node resolves the new name through its server.
new_node_known() {
	ns_exec "$1" dig +time=1 +tries=1 +short "$NEW.$DOMAIN" "@$DNS" | grep -qx 192.168.7.24
}
check "reference dnsmasq rereads the hosts file on SIGHUP" wait_until 5 new_node_known rn1
check "dnsd rereads the hosts file on SIGHUP" wait_until 5 new_node_known n1
compare_lookup n1 rn1 "$NEW"
compare_lookup n1 rn1 192.168.7.24

# --- NTP ------------------------------------------------------------------

# synced_to NODE ADDR: the node's ntpd tracks ADDR with leap status Normal.
synced_to() {
	ns_exec "$1" timeout 5 $NTPCTL -h "$T/$1/ctl/ntpd.sock" tracking \
	    >"$T/$1/tracking.txt" 2>&1 &&
	grep -q "^Reference ID *: [0-9A-F]* ($2)" "$T/$1/tracking.txt" &&
	grep -q "^Leap status *: Normal" "$T/$1/tracking.txt"
}

# sync_check NODE ADDR WHAT: wait up to 40 s for synced_to.
sync_check() {
	if wait_until 40 synced_to "$1" "$2"; then
		pass "$3 synchronises to $2"
	else
		fail "$3 synchronises to $2" \
		    "$(cat "$T/$1/tracking.txt"; tail -n 15 "$T/$1/ntpd.log")"
	fi
}

sync_check m1 "$UP" "x-k3s-m-1"
sync_check n1 "$M1" "x-k3s-n-1"
sync_check n2 "$M1" "x-k3s-n-2"

# The upstream serves stratum 2 (local stratum 2), so x-k3s-m-1 is at 3
# and its clients at 4.
for pair in m1:3 n1:4 n2:4; do
	node=${pair%:*}
	stratum=${pair#*:}
	if grep -q "^Stratum *: $stratum\$" "$T/$node/tracking.txt"; then
		pass "$node: ntpctl tracking shows stratum $stratum"
	else
		fail "$node: ntpctl tracking shows stratum $stratum" "$(cat "$T/$node/tracking.txt")"
	fi
done

# What a service that needs the time (etcd, k3s) runs before it starts:
# at most 20 tries 1 s apart, and the clients are synchronised already.
for node in n1 n2; do
	if ns_exec "$node" timeout 30 $NTPCTL -h "$T/$node/ctl/ntpd.sock" waitsync 20 0 0 1 \
	    >"$T/$node/waitsync.txt" 2>&1; then
		pass "$node: ntpctl waitsync returns 0"
	else
		fail "$node: ntpctl waitsync returns 0" "$(cat "$T/$node/waitsync.txt")"
	fi
done

for node in n1 n2; do
	ns_exec "$node" timeout 5 $NTPCTL -h "$T/$node/ctl/ntpd.sock" sources \
	    >"$T/$node/sources.txt" 2>&1
	if grep -q "^\^\* *$M1 " "$T/$node/sources.txt"; then
		pass "$node: ntpctl sources marks $M1 selected"
	else
		fail "$node: ntpctl sources marks $M1 selected" "$(cat "$T/$node/sources.txt")"
	fi
done

# chronyd -Q in a client namespace measures x-k3s-m-1 without touching the
# clock.  ntpd -x serves the local clock, so the offset is the network path
# and timestamping error only.
cat >"$T/n1/chrony-q.conf" <<EOF
server $M1 iburst
cmdport 0
bindcmdaddress /
pidfile $T/n1/chrony-q.pid
EOF
ns_exec n1 timeout 40 chronyd -Q -u root -t 30 -f "$T/n1/chrony-q.conf" \
    >"$T/n1/chrony-q.log" 2>&1
off=$(sed -n 's/.*System clock wrong by \([-0-9.e+]*\) seconds.*/\1/p' "$T/n1/chrony-q.log" | tail -n 1)
if [ -n "$off" ] && awk -v o="$off" 'BEGIN { exit !(o < 0.001 && o > -0.001) }'; then
	pass "chronyd -Q measures x-k3s-m-1 within 1 ms ($off s)"
else
	fail "chronyd -Q measures x-k3s-m-1 within 1 ms" "$(tail -n 10 "$T/n1/chrony-q.log")"
fi

# chrony-server.conf allows 192.168.7.0/24 only.  From 192.168.6.21, an
# address that reaches x-k3s-m-1 (the DNS checks above used it), chronyd -Q
# must get no time.
cat >"$T/n1/chrony-deny.conf" <<EOF
server $DNS iburst
cmdport 0
bindcmdaddress /
pidfile $T/n1/chrony-deny.pid
EOF
ns_exec n1 timeout 20 chronyd -Q -u root -t 8 -f "$T/n1/chrony-deny.conf" \
    >"$T/n1/chrony-deny.log" 2>&1
if grep -q "System clock wrong" "$T/n1/chrony-deny.log"; then
	fail "x-k3s-m-1 ntpd denies 192.168.6.21, outside allow" \
	    "$(tail -n 5 "$T/n1/chrony-deny.log")"
else
	pass "x-k3s-m-1 ntpd denies 192.168.6.21, outside allow"
fi

# stat_of FILE LABEL: the number after "LABEL :" in ntpctl serverstats.
stat_of() {
	sed -n "s/^$2 *: *\([0-9][0-9]*\)\$/\1/p" "$1"
}
ns_exec m1 timeout 5 $NTPCTL -h "$T/m1/ctl/ntpd.sock" serverstats >"$T/m1/serverstats.txt" 2>&1
n=$(stat_of "$T/m1/serverstats.txt" "NTP packets received")
if [ -n "$n" ] && [ "$n" -gt 0 ]; then
	pass "x-k3s-m-1 serverstats counts the clients' requests ($n)"
else
	fail "x-k3s-m-1 serverstats counts the clients' requests" \
	    "$(cat "$T/m1/serverstats.txt")"
fi
if [ -z "$E2E_PEERS" ]; then
	n=$(stat_of "$T/m1/serverstats.txt" "NTP packets rejected (ACL)")
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then
		pass "x-k3s-m-1 serverstats counts the denied requests ($n)"
	else
		fail "x-k3s-m-1 serverstats counts the denied requests" \
		    "$(cat "$T/m1/serverstats.txt")"
	fi
fi

# --- the daemons survived, and stop on SIGTERM ----------------------------

for pair in "dnsd:$M1_DNSD" "x-k3s-m-1 ntpd:$M1_NTPD" "x-k3s-n-1 ntpd:$N1_NTPD" \
    "x-k3s-n-2 ntpd:$N2_NTPD"; do
	what=${pair%:*}
	pid=${pair##*:}
	check "$what still runs" daemon_alive "$pid"
	kill "$pid" 2>/dev/null
	if wait_until 3 has_exited "$pid"; then
		pass "$what exits on SIGTERM"
	else
		fail "$what exits on SIGTERM"
	fi
done

exit $E2E_FAIL
