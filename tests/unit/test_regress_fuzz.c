/* test_regress_fuzz.c -- every input the fuzz harnesses found to break a rule, replayed (tests/fuzz/crashes/). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dnswire.h"
#include "../../applets/dnsd/dnsd.h"

/* Whether a message reads to its end: questions, records, RDATA in bounds. */
static int
parses(const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct dnswire_rr	rr;
	int			k;

	if (dnswire_parser_init(&p, msg, len) == -1)
		return 0;
	while ((k = dnswire_parse_question(&p, &qu)) == 1)
		;
	if (k == -1)
		return 0;
	while ((k = dnswire_parse_rr(&p, &rr)) == 1)
		;
	return k == 0;
}

/*
 * tests/fuzz/crashes/dnsreply-trailing-pointer (fuzz_dnsreply): a reply
 * to _443._tcp.example.com TLSA whose one answer has the owner pointer
 * 0xc00e.  Offset 14 is inside the question name, and read as a label
 * length there (0x34) the name runs on past the answer into bytes after
 * the last record.  The reply parses; query_relay drops the trailing
 * bytes, so its copy points past its own end and does not parse.
 */
static const uint8_t trailing_pointer[] = {
	0x00, 0x18, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x5f, 0x34, 0x34, 0x33, 0x04, 0x5f, 0x74, 0x63, 0x70, 0x07, 0x65,
	0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00,
	0x34, 0x00, 0x01, 0xc0, 0x0e, 0x00, 0x32, 0x00, 0x01, 0x00, 0x00, 0x01,
	0x25, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x23, 0x03, 0x01, 0x01, 0x00, 0x01,
	0x00, 0x02, 0x58, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x36, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xf9, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

/* Relay up as dnsd's forwarder would (from the cache when age > 0) to a
 * client that asked qname/qtype without EDNS, with max-ttl set to max_ttl.
 * Returns the reply's length (0: not relayed). */
static size_t
relay(const uint8_t *up, size_t uplen, const char *qname, uint16_t qtype, long max_ttl,
    uint32_t age, uint8_t *out, size_t cap)
{
	static struct dnsd_conf		conf;
	static struct dnsd_state	st;
	struct query			q;
	uint8_t				qbuf[512], name[DNS_NAME_MAX];
	size_t				outlen;
	int				qlen;

	dnsconf_defaults(&conf);
	conf.no_hosts = 1;
	conf.max_ttl = max_ttl;
	memset(&st, 0, sizeof(st));
	st.conf = &conf;
	assert_int_equal(query_setup(&st), 0);
	assert_true(dnswire_name_from_text(qname, name) > 0);
	qlen = dnswire_query(qbuf, sizeof(qbuf), 0x4242, DNS_FLAG_RD, name, qtype,
	    DNS_CLASS_IN, 0);
	assert_true(qlen > 0);
	memset(&q, 0, sizeof(q));
	assert_int_equal(query_parse(&st, qbuf, (size_t)qlen, 0, &q, out, cap, &outlen),
	    QUERY_FORWARD);
	return query_relay(&q, up, uplen, age > 0, age, out, cap);
}

static void
test_relay_trailing_pointer(void **state)
{
	static uint8_t	out[DNS_MSG_MAX];
	size_t		outlen;

	(void)state;
	/* The input itself is a message that parses. */
	assert_true(parses(trailing_pointer, sizeof(trailing_pointer)));
	outlen = relay(trailing_pointer, sizeof(trailing_pointer), "_443._tcp.example.com",
	    DNS_TYPE_TLSA, 0, 0, out, sizeof(out));
	/* Relayed or refused (0), but never a message that does not parse. */
	if (outlen > 0)
		assert_true(parses(out, outlen));
}

/*
 * tests/fuzz/crashes/dnsreply-opt-pointer (fuzz_dnsreply): the same fault
 * through a record the relay drops.  The second answer's owner points
 * (0xc030) into the first answer's RDATA, where a 45-byte label runs on
 * into the upstream's OPT record.  query_relay replaces that OPT with its
 * own (or none), and its copy then points past its end.
 */
static const uint8_t opt_pointer[] = {
	0x00, 0x09, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
	0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d,
	0x00, 0x00, 0x02, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x00, 0x61, 0x10, 0x00,
	0x00, 0x06, 0x28, 0x00, 0x14, 0x01, 0x61, 0x0c, 0x69, 0x61, 0x6e, 0x61,
	0x2d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xf2, 0x6e, 0x65, 0x74,
	0x00, 0xc0, 0x30, 0x00, 0x19, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00,
	0x14, 0x01, 0x62, 0x0c, 0x69, 0x61, 0x6e, 0x61, 0x2d, 0x73, 0x65, 0x72,
	0x76, 0x65, 0x72, 0x73, 0x03, 0x6e, 0x65, 0x87, 0xff, 0x00, 0x00, 0x29,
	0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08,
	0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02
};

static void
test_relay_opt_pointer(void **state)
{
	static uint8_t	out[DNS_MSG_MAX];
	size_t		outlen;

	(void)state;
	assert_true(parses(opt_pointer, sizeof(opt_pointer)));
	outlen = relay(opt_pointer, sizeof(opt_pointer), "example.com", DNS_TYPE_NS, 0, 0,
	    out, sizeof(out));
	if (outlen > 0)
		assert_true(parses(out, outlen));
}

/*
 * tests/fuzz/crashes/dnsreply-ttl-pointer (fuzz_dnsreply): a third way.
 * The second answer's owner points (0xc027) into the TTL of the first
 * answer, where 0x01 0x2c 0x00 reads as the name ",".  Served from the
 * cache with max-ttl=600, the relay rewrites that TTL to 0x00000258, and
 * the owner then reads on as labels past the end of the copy.
 */
static const uint8_t ttl_pointer[] = {
	0x00, 0x03, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63,
	0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00,
	0x01, 0x00, 0xe9, 0x01, 0x2c, 0x00, 0x06, 0x03, 0x77, 0x77, 0x77, 0xc0,
	0x0e, 0xc0, 0x27, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x04, 0xc0, 0x01, 0x02, 0x03
};

static void
test_relay_ttl_pointer(void **state)
{
	static uint8_t	out[DNS_MSG_MAX];
	size_t		outlen;

	(void)state;
	assert_true(parses(ttl_pointer, sizeof(ttl_pointer)));
	outlen = relay(ttl_pointer, sizeof(ttl_pointer), "w.example.com", DNS_TYPE_A, 600, 1,
	    out, sizeof(out));
	if (outlen > 0)
		assert_true(parses(out, outlen));
}

static void
quiet(void *arg, int is_error, const char *msg)
{
	(void)arg;
	(void)is_error;
	(void)msg;
}

/*
 * tests/fuzz/crashes/dnsconf-host-record-five (fuzz_dnsconf): h_host_record
 * parsed each address into addrs[naddrs] before checking that fewer than 4
 * were taken, so a fifth address was written past the array on the stack
 * (AddressSanitizer: stack-buffer-overflow).  Fixed with a spare slot.
 */
static void
test_host_record_five_addresses(void **state)
{
	static struct dnsd_conf	 conf;
	struct conf_parser	 p;
	struct conf_directive	*table;
	size_t			 ntable;

	(void)state;
	dnsconf_defaults(&conf);
	table = dnsconf_table_new(&ntable);
	assert_non_null(table);
	conf_init(&p, CONF_DNSMASQ, table, ntable, &conf);
	p.sink = quiet;
	conf_parse_line(&p, "fuzz", 1,
	    "host-record=h.test,192.0.2.1,192.0.2.2,2001:db8::3,192.0.2.4,192.0.2.5");
	assert_int_equal(p.errors, 1);
	assert_int_equal(conf.nrecords, 0);
	/* Four addresses are still fine. */
	conf_parse_line(&p, "fuzz", 2, "host-record=h.test,192.0.2.1,192.0.2.2,2001:db8::3,"
	    "192.0.2.4,60");
	assert_int_equal(p.errors, 1);
	assert_int_equal(conf.nrecords, 4);
	dnsconf_free(&conf);
	free(table);
}

/*
 * tests/fuzz/crashes/dnsquery-lookup-overread (fuzz_dnsquery): a PTR query
 * for a long ip6.arpa name whose probe in the name index met a shorter
 * owner with the same first byte; records_lookup_lower compared the query's
 * length of bytes and read past the end of the pool (AddressSanitizer:
 * heap-buffer-overflow).  The owner "a" is probed here with its own hash.
 */
static void
test_lookup_shorter_owner(void **state)
{
	struct records	r;
	struct netaddr	addr;
	uint8_t		owner[DNS_NAME_MAX], longer[DNS_NAME_MAX];

	(void)state;
	records_init(&r);
	assert_int_equal(netaddr_parse("192.0.2.1", &addr), 0);
	assert_int_equal(records_add_host(&r, "a", &addr, 0, 60), 0);
	assert_int_equal(records_finish(&r), 0);
	assert_true(dnswire_name_from_text("a", owner) > 0);
	assert_true(dnswire_name_from_text("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z",
	    longer) > 0);
	assert_non_null(records_lookup_lower(&r, owner, dnswire_name_hash(owner)));
	assert_null(records_lookup_lower(&r, longer, dnswire_name_hash(owner)));
	records_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_trailing_pointer),
		cmocka_unit_test(test_relay_opt_pointer),
		cmocka_unit_test(test_relay_ttl_pointer),
		cmocka_unit_test(test_host_record_five_addresses),
		cmocka_unit_test(test_lookup_shorter_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
