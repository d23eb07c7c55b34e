/* test_netaddr.c -- address parsing, prefixes, reverse names and access lists. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netaddr.h"

static struct netaddr
addr(const char *s)
{
	struct netaddr	a;

	assert_int_equal(netaddr_parse(s, &a), 0);
	return a;
}

static void
parse_and_format(void **state)
{
	char		buf[NETADDR_STRLEN];
	struct netaddr	a;

	a = addr("192.168.7.11");
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(netaddr_format(&a, buf), "192.168.7.11");
	a = addr("fe80::1");
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(netaddr_format(&a, buf), "fe80::1");
	assert_int_equal(netaddr_parse("pool.ntp.org", &a), -1);
	assert_int_equal(netaddr_parse("192.168.7.256", &a), -1);
	assert_int_equal(netaddr_parse("", &a), -1);
}

static void
parse_cidr(void **state)
{
	struct netaddr	a;
	int		len;

	assert_int_equal(netaddr_parse_cidr("192.168.7.0/24", &a, &len), 0);
	assert_int_equal(len, 24);
	assert_int_equal(netaddr_parse_cidr("10.1.2.3", &a, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(netaddr_parse_cidr("192.168.7", &a, &len), 0);
	assert_int_equal(len, 24);
	assert_true(netaddr_equal(&a, &(struct netaddr){ 0 }) == 0);
	assert_int_equal(netaddr_parse_cidr("2001:db8::/32", &a, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(netaddr_parse_cidr("10.0.0.0/33", &a, &len), -1);
	assert_int_equal(netaddr_parse_cidr("10.0.0.0/", &a, &len), -1);
	assert_int_equal(netaddr_parse_cidr("10.0.0.0/-1", &a, &len), -1);
	assert_int_equal(netaddr_parse_cidr("10..0", &a, &len), -1);
	assert_int_equal(netaddr_parse_cidr("/8", &a, &len), -1);
	assert_int_equal(netaddr_parse_cidr("1.2.3.4.5", &a, &len), -1);
}

static void
parse_port(void **state)
{
	struct netaddr	a;
	uint16_t	port = 53;

	assert_int_equal(netaddr_parse_port("8.8.8.8", '#', &a, &port), 0);
	assert_int_equal(port, 53);
	assert_int_equal(netaddr_parse_port("127.0.0.1#5353", '#', &a, &port), 0);
	assert_int_equal(port, 5353);
	assert_int_equal(netaddr_parse_port("::1#54", '#', &a, &port), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(port, 54);
	assert_int_equal(netaddr_parse_port("127.0.0.1#0", '#', &a, &port), -1);
	assert_int_equal(netaddr_parse_port("127.0.0.1#70000", '#', &a, &port), -1);
	assert_int_equal(netaddr_parse_port("127.0.0.1#", '#', &a, &port), -1);
}

static void
prefix_match(void **state)
{
	struct netaddr	net = addr("192.168.7.0"), in = addr("192.168.7.200");
	struct netaddr	out = addr("192.168.8.1"), v6 = addr("::1");

	assert_true(netaddr_in_prefix(&net, 24, &in));
	assert_false(netaddr_in_prefix(&net, 24, &out));
	assert_true(netaddr_in_prefix(&net, 16, &out));
	assert_false(netaddr_in_prefix(&net, 0, &v6));
	net = addr("192.168.7.128");
	assert_true(netaddr_in_prefix(&net, 25, &in));
	assert_false(netaddr_in_prefix(&net, 25, &(struct netaddr){ AF_INET, { { htonl(0xc0a8077f) } } }));
}

static void
reverse_names(void **state)
{
	char		buf[128];
	struct netaddr	a = addr("192.168.7.11");

	assert_int_equal(netaddr_reverse_name(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "11.7.168.192.in-addr.arpa");
	a = addr("2001:db8::567:89ab");
	assert_int_equal(netaddr_reverse_name(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(netaddr_reverse_name(&a, buf, 20), -1);
}

static void
sockaddr_round_trip(void **state)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct netaddr		 a = addr("10.1.2.3"), b;
	socklen_t		 len;
	uint16_t		 port = 0;

	assert_int_equal(netaddr_to_sockaddr(&a, 123, &ss, &len), 0);
	assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&ss, &b, &port), 0);
	assert_true(netaddr_equal(&a, &b));
	assert_int_equal(port, 123);
	/* An IPv4 client seen on a dual-stack socket comes back as IPv4. */
	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6->sin6_addr);
	assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&ss, &b, NULL), 0);
	assert_true(netaddr_equal(&a, &b));
}

static void
acl_most_specific_wins(void **state)
{
	struct acl	acl;
	struct netaddr	net, a;
	int		len;

	memset(&acl, 0, sizeof(acl));
	a = addr("192.168.7.21");
	assert_false(acl_allows(&acl, &a));	/* closed by default */
	netaddr_parse_cidr("192.168.7.0/24", &net, &len);
	acl_add(&acl, &net, len, 1, 0);
	assert_true(acl_allows(&acl, &a));
	assert_false(acl_allows(&acl, &(struct netaddr){ 0 }));
	netaddr_parse_cidr("192.168.7.16/28", &net, &len);
	acl_add(&acl, &net, len, 0, 0);
	assert_false(acl_allows(&acl, &a));
	a = addr("192.168.7.11");
	assert_true(acl_allows(&acl, &a));
	a = addr("10.0.0.1");
	assert_false(acl_allows(&acl, &a));
	/* "allow all" replaces every narrower rule. */
	acl_add(&acl, NULL, 0, 1, 1);
	a = addr("192.168.7.21");
	assert_true(acl_allows(&acl, &a));
	assert_int_equal(acl.count, 1);
	a = addr("::1");
	assert_true(acl_allows(&acl, &a));
}

/* A rule's precomputed mask gives what netaddr_in_prefix returns, for every
 * prefix length of both families and addresses that differ in one bit. */
static void
acl_masks_match_prefix(void **state)
{
	struct acl	acl;
	struct netaddr	net, a;
	int		family, len, bit, maxlen;

	net = addr("2001:db8:aaaa:5555:ffff:0:1234:8001");
	for (family = 0; family < 2; family++) {
		if (family == 1)
			net = addr("198.51.100.129");
		maxlen = net.family == AF_INET ? 32 : 128;
		for (len = 0; len <= maxlen; len++) {
			memset(&acl, 0, sizeof(acl));
			assert_int_equal(acl_add(&acl, &net, len, 1, 0), 0);
			for (bit = 0; bit < maxlen; bit++) {
				a = net;
				a.u.bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
				assert_int_equal(acl_allows(&acl, &a), bit >= len);
				assert_int_equal(acl_allows(&acl, &a),
				    netaddr_in_prefix(&net, len, &a));
			}
			assert_true(acl_allows(&acl, &net));
		}
	}
	/* A rule of one family never matches the other, even at prefix 0. */
	memset(&acl, 0, sizeof(acl));
	net = addr("0.0.0.0");
	assert_int_equal(acl_add(&acl, &net, 0, 1, 0), 0);
	assert_true(acl_allows(&acl, &(struct netaddr){ .family = AF_INET }));
	a = addr("::");
	assert_false(acl_allows(&acl, &a));
}

static void
acl_full(void **state)
{
	struct acl	acl;
	struct netaddr	a = addr("10.0.0.1");
	int		i;

	memset(&acl, 0, sizeof(acl));
	for (i = 0; i < ACL_MAX; i++)
		assert_int_equal(acl_add(&acl, &a, 32, 1, 0), 0);
	assert_int_equal(acl_add(&acl, &a, 32, 1, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_format),
		cmocka_unit_test(parse_cidr),
		cmocka_unit_test(parse_port),
		cmocka_unit_test(prefix_match),
		cmocka_unit_test(reverse_names),
		cmocka_unit_test(sockaddr_round_trip),
		cmocka_unit_test(acl_most_specific_wins),
		cmocka_unit_test(acl_masks_match_prefix),
		cmocka_unit_test(acl_full),
	};

	return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
