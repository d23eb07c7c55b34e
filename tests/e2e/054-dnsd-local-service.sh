#!/bin/sh
# local-service in network namespaces: dnsd answers a client on a subnet
# of its own interfaces and ignores one from another subnet, as dnsmasq
# does.  Three namespaces share one bridge.  The server has 10.77.1.1/24,
# the near client 10.77.1.2/24, and the far client 10.88.0.2/24 with a
# host route to the server (and the server one back), so its packets
# arrive but its address lies in no subnet of the server.  Then
# except-interface=eth0: dnsd and dnsmasq answer on the server's other
# interfaces and not on eth0.
. "$(dirname "$0")/lib.sh"

e2e_require_netns
e2e_require_cmd dig
e2e_timeout 60 "$@"
DNSD="$B/dnsd"
[ -x "$DNSD" ] || skip "$DNSD is missing; run make"
is_placeholder dnsd && skip "applet dnsd is not built yet"

e2e_init
T=$E2E_TMP
SRV=10.77.1.1

switch_add br0 || { fail "bridge namespace created"; exit 1; }
for n in srv near far; do
	ns_add $n || { fail "namespace $n created"; exit 1; }
done
ns_attach srv br0 $SRV/24 &&
    ns_attach near br0 10.77.1.2/24 &&
    ns_attach far br0 10.88.0.2/24 &&
    ip -n "$(ns far)" route add $SRV/32 dev eth0 &&
    ip -n "$(ns srv)" route add 10.88.0.2/32 dev eth0 ||
    { fail "test network set up"; exit 1; }

printf '10.77.1.50 svc.lab.test\n' >"$T/hosts"
chmod 644 "$T/hosts"
# Port 53 for dnsd, 5353 for dnsmasq: both listen on every address,
# because local-service applies only without listen-address or interface.
for s in dnsd ref; do
	[ $s = dnsd ] && p=53 || p=5353
	printf 'port=%s\nlocal-service\nno-resolv\nno-hosts\naddn-hosts=%s\n' "$p" "$T/hosts" \
	    >"$T/$s.conf"
	printf 'user=root\npid-file=\n' >>"$T/$s.conf"
done

daemon_start srv "$T/dnsd.out" "$DNSD" -k -C "$T/dnsd.conf"
DNSD_PID=$E2E_PID
HAVE_REF=0
if command -v dnsmasq >/dev/null 2>&1; then
	daemon_start srv "$T/ref.out" dnsmasq -k -C "$T/ref.conf" --log-facility=-
	REF_PID=$E2E_PID
	HAVE_REF=1
fi

# ask NS PORT: the A records of svc.lab.test that NS gets from the server.
ask() {
	ns_exec "$1" dig @$SRV -p "$2" +time=1 +tries=1 +short svc.lab.test A 2>&1
}

answers_near() {
	[ "$(ask near "$1")" = 10.77.1.50 ]
}

if wait_until 10 answers_near 53; then
	pass "local-service: a client on the local subnet gets the answer"
else
	fail "local-service: a client on the local subnet gets the answer" \
	    "$(ask near 53; cat "$T/dnsd.out")"
fi

# The far client reaches the server: a query to a closed port comes back
# as ICMP port unreachable, which dig reports as a refused connection.
out=$(ns_exec far dig @$SRV -p 54 +time=2 +tries=1 svc.lab.test A 2>&1)
case $out in
*refused*) pass "far client reaches the server (ICMP from a closed port)" ;;
*) fail "far client reaches the server (ICMP from a closed port)" "$out" ;;
esac

out=$(ask far 53)
case $out in
*"timed out"* | *"no servers could be reached"*)
	pass "local-service: a client from another subnet gets no reply" ;;
*) fail "local-service: a client from another subnet gets no reply" "$out" ;;
esac
check "local-service: dnsd still runs after the ignored query" daemon_alive "$DNSD_PID"

if [ $HAVE_REF = 1 ]; then
	if wait_until 10 answers_near 5353; then
		pass "dnsmasq: a client on the local subnet gets the answer"
	else
		fail "dnsmasq: a client on the local subnet gets the answer" \
		    "$(ask near 5353; cat "$T/ref.out")"
	fi
	out=$(ask far 5353)
	case $out in
	*"timed out"* | *"no servers could be reached"*)
		pass "dnsmasq: a client from another subnet gets no reply, as from dnsd" ;;
	*) fail "dnsmasq: a client from another subnet gets no reply, as from dnsd" "$out" ;;
	esac
	daemon_stop "$REF_PID"
fi
daemon_stop "$DNSD_PID"

# except-interface=eth0 without listen-address or interface: every other
# interface (here lo and a veth pair of its own) is served, eth0 is not, as
# in dnsmasq.
ip -n "$(ns srv)" link add x0 type veth peer name x1 &&
    ip -n "$(ns srv)" addr add 10.99.0.1/24 dev x0 &&
    ip -n "$(ns srv)" link set x0 up && ip -n "$(ns srv)" link set x1 up ||
    fail "second interface added to the server"
for s in dnsd ref; do
	[ $s = dnsd ] && p=5454 || p=5455
	printf 'port=%s\nexcept-interface=eth0\nno-resolv\nno-hosts\naddn-hosts=%s\n' "$p" \
	    "$T/hosts" >"$T/$s-except.conf"
	printf 'user=root\npid-file=\n' >>"$T/$s-except.conf"
done
daemon_start srv "$T/dnsd-except.out" "$DNSD" -k -C "$T/dnsd-except.conf"
DNSD_PID=$E2E_PID
ask_lo() {	# ask_lo PORT [ADDR]: the answer the server itself gets from ADDR
	ns_exec srv dig @"${2:-127.0.0.1}" -p "$1" +time=1 +tries=1 +short svc.lab.test A 2>&1
}
answers_lo() {
	[ "$(ask_lo "$1")" = 10.77.1.50 ]
}
if wait_until 10 answers_lo 5454; then
	pass "except-interface: dnsd answers on the other interfaces"
else
	fail "except-interface: dnsd answers on the other interfaces" \
	    "$(ask_lo 5454; cat "$T/dnsd-except.out")"
fi
out=$(ask_lo 5454 10.99.0.1)
check "except-interface: dnsd answers on a non-loopback interface it does not exclude ($out)" \
    test "$out" = 10.77.1.50
out=$(ask near 5454)
check "except-interface: dnsd does not answer on the excepted interface ($out)" \
    test "$out" != 10.77.1.50
daemon_stop "$DNSD_PID"
if [ $HAVE_REF = 1 ]; then
	daemon_start srv "$T/ref-except.out" dnsmasq -k -C "$T/ref-except.conf" --log-facility=-
	REF_PID=$E2E_PID
	check "except-interface: dnsmasq answers on the other interfaces too" \
	    wait_until 10 answers_lo 5455
	out=$(ask_lo 5455 10.99.0.1)
	check "except-interface: dnsmasq answers on the second interface too ($out)" \
	    test "$out" = 10.77.1.50
	out=$(ask near 5455)
	check "except-interface: dnsmasq does not answer on the excepted interface either ($out)" \
	    test "$out" != 10.77.1.50
	daemon_stop "$REF_PID"
fi
exit $E2E_FAIL
