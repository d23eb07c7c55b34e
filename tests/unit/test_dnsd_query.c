/* test_dnsd_query.c -- dnsd's answers: local data, negative answers, truncation, errors, relay. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnswire.h"
#include "version.h"
#include "../../applets/dnsd/dnsd.h"

#define OPT_BYTES	11	/* an OPT record without options */

static struct dnsd_conf		conf;
static struct dnsd_state	st;
static char			tmpdir[64];
static uint8_t			out[DNS_MSG_MAX];
static struct dnsd_confrec	recs[2];
static char			mx_owner[] = "mail.lab.test", mx_target[] = "mx1.lab.test";
static char			srv_owner[] = "_ldap._tcp.lab.test", srv_target[] = "ldap.lab.test";

static void
quiet(void *arg, int is_error, const char *msg)
{
}

static int
setup(void **state)
{
	char		 path[128];
	FILE		*f;
	int		 i;

	strcpy(tmpdir, "/tmp/test_dnsd_query.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/hosts", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "192.0.2.1 gw\n192.0.2.11 rr\n192.0.2.12 rr\n192.0.2.13 rr\n");
	fprintf(f, "fd00::21 dual\n192.0.2.21 dual\nfd00::22 six\n");
	fprintf(f, "192.0.2.31 mix\n192.0.2.32 mix\n192.0.2.33 mix\nfd00::31 mix\nfd00::32 mix\n");
	for (i = 1; i <= 40; i++)
		fprintf(f, "10.40.0.%d big\n", i);
	fclose(f);

	dnsconf_defaults(&conf);
	conf.no_hosts = 1;
	conf.expand_hosts = 1;
	strcpy(conf.domain, "lab.test");
	strcpy(conf.addn_hosts[conf.naddn_hosts++], path);
	conf.local_ttl = 7;
	conf.servers[0].route = ROUTE_LOCAL;
	strcpy(conf.servers[0].domain, "lab.test");
	conf.servers[1].route = ROUTE_FORWARD;
	netaddr_parse("192.0.2.53", &conf.servers[1].addr);
	conf.servers[1].port = 53;
	conf.servers[2].route = ROUTE_FORWARD;
	strcpy(conf.servers[2].domain, "corp.test");
	netaddr_parse("192.0.2.54", &conf.servers[2].addr);
	conf.servers[2].port = 5353;
	conf.nservers = 3;
	strcpy(conf.addresses[0].domain, "ads.test");
	netaddr_parse("0.0.0.0", &conf.addresses[0].addr);
	strcpy(conf.addresses[1].domain, "block.test");
	conf.addresses[1].addr.family = AF_UNSPEC;
	conf.naddresses = 2;
	memset(recs, 0, sizeof(recs));
	recs[0].owner = mx_owner;
	recs[0].type = DNS_TYPE_MX;
	recs[0].target = mx_target;
	recs[0].pref = 10;
	recs[0].ttl = RECORDS_LOCAL_TTL;
	recs[1].owner = srv_owner;
	recs[1].type = DNS_TYPE_SRV;
	recs[1].target = srv_target;
	recs[1].pref = 1;
	recs[1].weight = 5;
	recs[1].port = 389;
	recs[1].ttl = 600;
	conf.records = recs;
	conf.nrecords = 2;

	memset(&st, 0, sizeof(st));
	st.conf = &conf;
	if (query_setup(&st) == -1 || hosts_build(&st.records, &conf, "/nonexistent", quiet,
	    NULL) == -1 || cache_init(&st.cache, 16) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	records_free(&st.records);
	cache_free(&st.cache);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Build a query; edns 0 means none. */
static size_t
make_query(uint8_t *buf, const char *name, uint16_t qtype, uint16_t edns)
{
	uint8_t	wire[DNS_NAME_MAX];
	int	len;

	assert_int_not_equal(dnswire_name_from_text(name, wire), -1);
	len = dnswire_query(buf, 512, 0x1234, DNS_FLAG_RD, wire, qtype, DNS_CLASS_IN, edns);
	assert_true(len > 0);
	return (size_t)len;
}

struct result {
	enum query_verdict	verdict;
	size_t			len;
	struct dnswire_header	hdr;
	int			answers;
	int			soa;		/* SOA records in the authority section */
	uint32_t		soa_minimum;
	char			soa_owner[DNS_NAME_TEXT_MAX];
	int			opt;
	uint32_t		first_ttl;
	uint16_t		first_type;
	uint16_t		types;		/* answer records whose type differs from the first */
	uint8_t			first_a[4];
	uint8_t			first_owner[DNS_NAME_MAX];
};

static void
read_reply(struct result *r)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			k;

	assert_int_equal(dnswire_parser_init(&p, out, r->len), 0);
	r->hdr = p.hdr;
	while ((k = dnswire_parse_rr(&p, &rr)) == 1) {
		if (rr.section == DNS_SECTION_ANSWER) {
			if (r->answers > 0 && rr.type != r->first_type)
				r->types++;
			if (r->answers++ == 0) {
				r->first_ttl = rr.ttl;
				r->first_type = rr.type;
				memcpy(r->first_owner, out + rr.nameoff, rr.namelen < DNS_NAME_MAX ?
				    rr.namelen : DNS_NAME_MAX);
				if (rr.type == DNS_TYPE_A)
					memcpy(r->first_a, out + rr.rdoff, 4);
			}
		}
		if (rr.section == DNS_SECTION_AUTHORITY && rr.type == DNS_TYPE_SOA) {
			r->soa++;
			r->soa_minimum = (uint32_t)out[rr.rdoff + rr.rdlength - 4] << 24 |
			    (uint32_t)out[rr.rdoff + rr.rdlength - 3] << 16 |
			    (uint32_t)out[rr.rdoff + rr.rdlength - 2] << 8 |
			    out[rr.rdoff + rr.rdlength - 1];
			dnswire_name_to_text(rr.name, r->soa_owner, sizeof(r->soa_owner), 0);
		}
		if (rr.type == DNS_TYPE_OPT)
			r->opt++;
	}
	assert_int_equal(k, 0);
}

/* Run one query (UDP unless tcp) through parse and answer. */
static void
run(const uint8_t *msg, size_t len, int tcp, struct result *r)
{
	struct query	q;

	memset(r, 0, sizeof(*r));
	r->verdict = query_parse(&st, msg, len, tcp, &q, out, sizeof(out), &r->len);
	if (r->verdict == QUERY_FORWARD)
		r->verdict = query_answer(&st, &q, out, sizeof(out), &r->len, 1000.0);
	if (r->verdict == QUERY_REPLY)
		read_reply(r);
}

static void
ask(const char *name, uint16_t qtype, uint16_t edns, struct result *r)
{
	uint8_t	msg[512];
	size_t	len = make_query(msg, name, qtype, edns);

	run(msg, len, 0, r);
}

static void
test_local_a(void **state)
{
	struct result	r;

	ask("gw.lab.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(r.hdr.id, 0x1234);
	assert_true(r.hdr.flags & DNS_FLAG_QR);
	assert_true(r.hdr.flags & DNS_FLAG_AA);
	assert_true(r.hdr.flags & DNS_FLAG_RD);
	assert_true(r.hdr.flags & DNS_FLAG_RA);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_ttl, 7);
	assert_memory_equal(r.first_a, "\xc0\x00\x02\x01", 4);
	assert_int_equal(r.opt, 0);
	ask("gw", DNS_TYPE_A, 1232, &r);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.opt, 1);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Parse the first answer record of the last reply into rr. */
static void
first_answer(const struct result *r, struct dnswire_rr *rr)
{
	struct dnswire_parser	p;

	assert_int_equal(dnswire_parser_init(&p, out, r->len), 0);
	assert_int_equal(dnswire_parse_rr(&p, rr), 1);
	while (rr->section != DNS_SECTION_ANSWER)
		assert_int_equal(dnswire_parse_rr(&p, rr), 1);
}

/* Assert that the name at out[off] reads as want. */
static void
assert_name_at(const struct result *r, size_t off, const char *want)
{
	uint8_t	name[DNS_NAME_MAX];
	char	text[DNS_NAME_TEXT_MAX];
	size_t	len;

	assert_true(dnswire_name_unpack(out, r->len, off, name, &len) > 0);
	assert_int_equal(dnswire_name_to_text(name, text, sizeof(text), 0), (int)strlen(want));
	assert_string_equal(text, want);
}

/* mx-host and srv-host answers carry their numbers and target. */
static void
test_local_mx_srv(void **state)
{
	struct result		r;
	struct dnswire_rr	rr;

	ask("mail.lab.test", DNS_TYPE_MX, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_type, DNS_TYPE_MX);
	assert_int_equal(r.first_ttl, 7);
	first_answer(&r, &rr);
	assert_int_equal(get16(out + rr.rdoff), 10);
	assert_name_at(&r, rr.rdoff + 2, "mx1.lab.test");

	ask("_ldap._tcp.lab.test", DNS_TYPE_SRV, 0, &r);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_type, DNS_TYPE_SRV);
	assert_int_equal(r.first_ttl, 600);
	first_answer(&r, &rr);
	assert_int_equal(get16(out + rr.rdoff), 1);
	assert_int_equal(get16(out + rr.rdoff + 2), 5);
	assert_int_equal(get16(out + rr.rdoff + 4), 389);
	assert_name_at(&r, rr.rdoff + 6, "ldap.lab.test");
}

/* RFC 8482 4.1: ANY for a local name gets one RRset. */
static void
test_any_local_one_rrset(void **state)
{
	struct result	r;

	ask("dual", DNS_TYPE_ANY, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_type, DNS_TYPE_A);
	assert_memory_equal(r.first_a, "\xc0\x00\x02\x15", 4);

	/* A round-robin set comes whole. */
	ask("rr", DNS_TYPE_ANY, 1232, &r);
	assert_int_equal(r.answers, 3);
	assert_int_equal(r.first_type, DNS_TYPE_A);
	assert_int_equal(r.types, 0);
	assert_int_equal(r.opt, 1);

	/* Without A records, the AAAA set. */
	ask("six", DNS_TYPE_ANY, 0, &r);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_type, DNS_TYPE_AAAA);

	/* address=/ads.test/0.0.0.0 */
	ask("x.ads.test", DNS_TYPE_ANY, 0, &r);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_type, DNS_TYPE_A);
	assert_memory_equal(r.first_a, "\0\0\0\0", 4);

	/* local=/lab.test/ and no such name: NXDOMAIN as for other types. */
	ask("nosuch.lab.test", DNS_TYPE_ANY, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NXDOMAIN);
	assert_int_equal(r.answers, 0);
}

/* RFC 8482 4.2: ANY for a name dnsd forwards gets a synthesized HINFO. */
static void
test_any_forwarded_hinfo(void **state)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	struct query		q;
	uint8_t			msg[512];
	size_t			len, outlen = 0;

	len = make_query(msg, "www.example.com", DNS_TYPE_ANY, 1232);
	assert_int_equal(query_parse(&st, msg, len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	assert_int_equal(query_answer(&st, &q, out, sizeof(out), &outlen, 1000.0),
	    QUERY_FORWARD);
	assert_int_equal(query_any_synthesized(&q), 1);
	len = query_any_reply(&st, &q, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(dnswire_parser_init(&p, out, len), 0);
	assert_int_equal(p.hdr.id, 0x1234);
	assert_int_equal(DNS_FLAGS_RCODE(p.hdr.flags), DNS_RCODE_NOERROR);
	assert_false(p.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(p.hdr.count[DNS_SECTION_ANSWER], 1);
	assert_int_equal(p.hdr.count[DNS_SECTION_ADDITIONAL], 1);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.section, DNS_SECTION_ANSWER);
	assert_int_equal(rr.type, DNS_TYPE_HINFO);
	assert_int_equal(rr.ttl, QUERY_ANY_TTL);
	assert_int_equal(rr.rdlength, 9);
	assert_memory_equal(out + rr.rdoff, "\x07RFC8482\x00", 9);

	/* max-ttl caps its TTL like every other. */
	conf.max_ttl = 60;
	len = query_any_reply(&st, &q, out, sizeof(out));
	conf.max_ttl = 0;
	assert_int_equal(dnswire_parser_init(&p, out, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.ttl, 60);

	/* Other types, and ANY with the DO bit, go upstream. */
	q.qtype = DNS_TYPE_A;
	assert_int_equal(query_any_synthesized(&q), 0);
	q.qtype = DNS_TYPE_ANY;
	q.dnssec_ok = 1;
	assert_int_equal(query_any_synthesized(&q), 0);
	q.dnssec_ok = 0;
	q.flags |= DNS_FLAG_CD;
	assert_int_equal(query_any_synthesized(&q), 0);
}

static void
test_question_case_echoed(void **state)
{
	struct result	r;
	uint8_t		wire[DNS_NAME_MAX];

	ask("GW.Lab.TEST", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.answers, 1);
	dnswire_name_from_text("GW.Lab.TEST", wire);
	/* The owner is a pointer to the question, which keeps the case. */
	assert_memory_equal(out + DNS_HEADER_LEN, wire, dnswire_name_len(wire));
}

/* The question is read once into its sent and lower-case forms and the
 * hash the names index and the cache use. */
static void
test_question_lower_and_hash(void **state)
{
	struct query	q;
	uint8_t		msg[512], want[DNS_NAME_MAX];
	size_t		len, outlen = 0;

	len = make_query(msg, "Mixed.CASE.Example", DNS_TYPE_AAAA, 1232);
	assert_int_equal(query_parse(&st, msg, len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	dnswire_name_from_text("Mixed.CASE.Example", want);
	assert_memory_equal(q.name, want, dnswire_name_len(want));
	dnswire_name_lower(want);
	assert_memory_equal(q.lname, want, dnswire_name_len(want));
	assert_int_equal(q.hash, dnswire_name_hash(want));
	assert_int_equal(q.qtype, DNS_TYPE_AAAA);
	assert_true(q.edns);
	/* A compression pointer in the question is malformed: FORMERR. */
	msg[DNS_HEADER_LEN] = 0xc0;
	msg[DNS_HEADER_LEN + 1] = DNS_HEADER_LEN;
	assert_int_equal(query_parse(&st, msg, len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_REPLY);
	assert_int_equal(out[3] & 0xf, DNS_RCODE_FORMERR);
}

/* A reply for name with one address in the answer section. */
static size_t
address_reply(uint8_t *msg, const char *name, const char *addr)
{
	struct dnswire_builder	b;
	struct netaddr		a;
	uint8_t			wire[DNS_NAME_MAX];

	assert_int_not_equal(dnswire_name_from_text(name, wire), -1);
	assert_int_equal(netaddr_parse(addr, &a), 0);
	assert_int_equal(dnswire_builder_init(&b, msg, 512, 0), 0);
	dnswire_builder_header(&b, 1, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA);
	assert_int_equal(dnswire_builder_question(&b, wire, a.family == AF_INET ?
	    DNS_TYPE_A : DNS_TYPE_AAAA, DNS_CLASS_IN), 0);
	if (a.family == AF_INET)
		assert_int_equal(dnswire_builder_a(&b, DNS_SECTION_ANSWER, wire, 60,
		    a.u.bytes), 0);
	else
		assert_int_equal(dnswire_builder_aaaa(&b, DNS_SECTION_ANSWER, wire, 60,
		    a.u.bytes), 0);
	return dnswire_builder_finish(&b);
}

/* Whether stop-dns-rebind drops the reply for name with addr. */
static int
rebind(const char *name, const char *addr)
{
	struct query	q;
	uint8_t		msg[512], reply[512];
	size_t		len, rlen, outlen = 0;

	len = make_query(msg, name, DNS_TYPE_A, 0);
	assert_int_equal(query_parse(&st, msg, len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	rlen = address_reply(reply, name, addr);
	return query_rebind(&st, &q, reply, rlen);
}

static void
test_rebind_ranges(void **state)
{
	assert_int_equal(rebind("a.test", "10.1.2.3"), 0);	/* off by default */
	conf.stop_dns_rebind = 1;
	strcpy(conf.rebind_ok[0], "ok.test");
	conf.nrebind_ok = 1;
	assert_int_equal(query_setup(&st), 0);
	assert_int_equal(rebind("a.test", "10.1.2.3"), 1);
	assert_int_equal(rebind("a.test", "172.31.0.1"), 1);
	assert_int_equal(rebind("a.test", "172.32.0.1"), 0);
	assert_int_equal(rebind("a.test", "192.168.9.9"), 1);
	assert_int_equal(rebind("a.test", "100.64.0.1"), 1);
	assert_int_equal(rebind("a.test", "169.254.1.1"), 1);
	assert_int_equal(rebind("a.test", "192.0.2.7"), 1);
	assert_int_equal(rebind("a.test", "127.0.0.1"), 1);
	assert_int_equal(rebind("a.test", "93.184.216.34"), 0);
	assert_int_equal(rebind("a.test", "fd00::1"), 1);
	assert_int_equal(rebind("a.test", "fe80::1"), 1);
	assert_int_equal(rebind("a.test", "::ffff:192.168.1.1"), 1);
	assert_int_equal(rebind("a.test", "2001:db8::1"), 0);
	/* Under rebind-domain-ok, and for loopback with rebind-localhost-ok. */
	assert_int_equal(rebind("x.OK.test", "10.1.2.3"), 0);
	conf.rebind_localhost_ok = 1;
	assert_int_equal(rebind("a.test", "127.0.0.1"), 0);
	assert_int_equal(rebind("a.test", "::1"), 0);
	assert_int_equal(rebind("a.test", "10.0.0.1"), 1);
	conf.stop_dns_rebind = conf.rebind_localhost_ok = 0;
	conf.nrebind_ok = 0;
}

static void
test_nodata_and_nxdomain(void **state)
{
	struct result	r;

	ask("gw.lab.test", DNS_TYPE_AAAA, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_true(r.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(r.answers, 0);
	assert_int_equal(r.soa, 1);
	assert_string_equal(r.soa_owner, "lab.test");
	assert_int_equal(r.soa_minimum, 7);

	/* A short hosts name lacking the type: NODATA, never forwarded. */
	ask("gw", DNS_TYPE_MX, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_int_equal(r.soa, 1);

	ask("nosuch.lab.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NXDOMAIN);
	assert_true(r.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(r.soa, 1);
	assert_string_equal(r.soa_owner, "lab.test");

	/* The local domain itself has names below it: NODATA. */
	ask("lab.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_int_equal(r.answers, 0);
}

/* A name that repeats its own suffix must not be compressed against the
 * part of itself not written yet (a pointer loop). */
static void
test_repeated_suffix_name(void **state)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct result		r;
	uint8_t			wire[DNS_NAME_MAX];

	ask("nosuch.lab.test.lab.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NXDOMAIN);
	assert_int_equal(dnswire_parser_init(&p, out, r.len), 0);
	assert_int_equal(dnswire_parse_question(&p, &qu), 1);
	dnswire_name_from_text("nosuch.lab.test.lab.test", wire);
	assert_true(dnswire_name_equal(qu.name, wire));
	assert_int_equal(r.soa, 1);
}

static void
test_address_domains(void **state)
{
	struct result	r;

	ask("x.ads.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.answers, 1);
	assert_memory_equal(r.first_a, "\0\0\0\0", 4);
	ask("ads.test", DNS_TYPE_AAAA, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_int_equal(r.answers, 0);
	ask("deep.block.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NXDOMAIN);
}

static void
test_round_robin(void **state)
{
	struct result	r;
	uint8_t		firsts[3];
	int		i;

	for (i = 0; i < 3; i++) {
		ask("rr.lab.test", DNS_TYPE_A, 0, &r);
		assert_int_equal(r.answers, 3);
		firsts[i] = r.first_a[3];
	}
	assert_true(firsts[0] != firsts[1]);
	assert_true(firsts[1] != firsts[2]);
	assert_true(firsts[0] != firsts[2]);
}

/* Write the TXT strings of the first answer of the last reply to text,
 * each followed by a space. */
static void
answer_strings(const struct result *r, char *text, size_t cap)
{
	struct dnswire_rr	rr;
	size_t			off, n = 0, len;

	first_answer(r, &rr);
	text[0] = '\0';
	for (off = rr.rdoff; off < rr.rdoff + rr.rdlength; off += 1 + len) {
		len = out[off];
		assert_true(n + len + 2 <= cap);
		memcpy(text + n, out + off + 1, len);
		n += len;
		text[n++] = ' ';
		text[n] = '\0';
	}
}

/* address=/test/ with server=/corp.test/: the more specific domain
 * decides, as in dnsmasq, so corp.test names are forwarded. */
static void
test_address_under_server(void **state)
{
	struct result	r;

	strcpy(conf.addresses[2].domain, "test");
	netaddr_parse("1.2.3.4", &conf.addresses[2].addr);
	conf.naddresses = 3;
	assert_int_equal(query_setup(&st), 0);
	ask("a.corp.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_FORWARD);
	ask("other.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_memory_equal(r.first_a, "\1\2\3\4", 4);
	/* A local name or a narrower address= still wins. */
	ask("x.ads.test", DNS_TYPE_A, 0, &r);
	assert_memory_equal(r.first_a, "\0\0\0\0", 4);
	conf.naddresses = 2;
	assert_int_equal(query_setup(&st), 0);
}

/* bogus-priv: reverse names of dnsmasq's private ranges get NXDOMAIN,
 * others go upstream. */
static void
test_bogus_priv(void **state)
{
	static const char *const priv[] = {
		"1.0.0.10.in-addr.arpa", "1.0.16.172.in-addr.arpa", "1.0.31.172.in-addr.arpa",
		"1.1.168.192.in-addr.arpa", "1.1.254.169.in-addr.arpa", "1.0.0.127.in-addr.arpa",
		"1.0.0.0.in-addr.arpa", "5.2.0.192.in-addr.arpa", "5.100.51.198.in-addr.arpa",
		"5.113.0.203.in-addr.arpa", "255.255.255.255.in-addr.arpa",
	};
	static const char *const pub[] = {
		"1.1.1.1.in-addr.arpa", "1.0.32.172.in-addr.arpa", "1.0.15.172.in-addr.arpa",
		"5.3.0.192.in-addr.arpa",
	};
	struct result	r;
	size_t		i;

	conf.bogus_priv = 1;
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		ask(priv[i], DNS_TYPE_PTR, 0, &r);
		assert_int_equal(r.verdict, QUERY_REPLY);
		assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NXDOMAIN);
	}
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
		ask(pub[i], DNS_TYPE_PTR, 0, &r);
		assert_int_equal(r.verdict, QUERY_FORWARD);
	}
	conf.bogus_priv = 0;
	ask(priv[0], DNS_TYPE_PTR, 0, &r);
	assert_int_equal(r.verdict, QUERY_FORWARD);
}

/* query_private_reverse: each of dnsmasq's private reverse zones and
 * 172.16/12 label by label, the zones' own names, and near misses. */
static void
test_private_reverse_names(void **state)
{
	static const struct {
		const char	*name;
		int		 private;
	} cases[] = {
		{ "10.in-addr.arpa", 1 }, { "1.2.3.10.In-Addr.Arpa", 1 },
		{ "168.192.in-addr.arpa", 1 }, { "254.169.in-addr.arpa", 1 },
		{ "127.in-addr.arpa", 1 }, { "0.in-addr.arpa", 1 },
		{ "2.0.192.in-addr.arpa", 1 }, { "100.51.198.in-addr.arpa", 1 },
		{ "113.0.203.in-addr.arpa", 1 }, { "255.255.255.255.in-addr.arpa", 1 },
		{ "d.f.ip6.arpa", 1 }, { "1.D.F.IP6.ARPA", 1 }, { "8.e.f.ip6.arpa", 1 },
		{ "9.e.f.ip6.arpa", 1 }, { "a.e.f.ip6.arpa", 1 }, { "b.e.f.ip6.arpa", 1 },
		{ "x.16.172.in-addr.arpa", 1 }, { "31.172.in-addr.arpa", 1 },
		{ "in-addr.arpa", 0 }, { "ip6.arpa", 0 }, { "arpa", 0 }, { "", 0 },
		{ "11.in-addr.arpa", 0 }, { "100.in-addr.arpa", 0 }, { "c.e.f.ip6.arpa", 0 },
		{ "e.f.ip6.arpa", 0 }, { "f.ip6.arpa", 0 }, { "10.in-addr.arpa.x", 0 },
		{ "172.in-addr.arpa", 0 }, { "15.172.in-addr.arpa", 0 },
		{ "32.172.in-addr.arpa", 0 }, { "016.172.in-addr.arpa", 0 },
		{ "1.6.172.in-addr.arpa", 0 }, { "116.172.in-addr.arpa", 0 },
		{ "16.172.in-addr.arpa.x", 0 }, { "16.173.in-addr.arpa", 0 },
		{ "2.0.192.ip6.arpa", 0 }, { "10.ip6.arpa", 0 },
	};
	uint8_t	wire[DNS_NAME_MAX];
	char	name[64];
	size_t	i;
	int	k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(dnswire_name_from_text(cases[i].name, wire), -1);
		if (query_private_reverse(wire) != cases[i].private)
			fail_msg("%s: want %d", cases[i].name, cases[i].private);
	}
	for (k = 0; k < 300; k++) {
		snprintf(name, sizeof(name), "9.%d.172.In-Addr.Arpa", k);
		assert_int_not_equal(dnswire_name_from_text(name, wire), -1);
		if (query_private_reverse(wire) != (k >= 16 && k <= 31))
			fail_msg("%s: want %d", name, k >= 16 && k <= 31);
	}
}

/* Class CHAOS: dnsmasq's statistics names; others get NOTIMP. */
static void
test_chaos_names(void **state)
{
	struct result	r;
	uint8_t		msg[512], wire[DNS_NAME_MAX];
	char		text[256];
	int		len;

	assert_true(dnswire_name_from_text("CacheSize.Bind", wire) > 0);
	len = dnswire_query(msg, sizeof(msg), 7, DNS_FLAG_RD, wire, DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	run(msg, (size_t)len, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOERROR);
	assert_true(r.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_ttl, 0);
	answer_strings(&r, text, sizeof(text));
	assert_string_equal(text, "16 ");

	/* hits.bind counts local answers too, as dnsmasq does. */
	assert_true(dnswire_name_from_text("hits.bind", wire) > 0);
	len = dnswire_query(msg, sizeof(msg), 7, DNS_FLAG_RD, wire, DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	st.stats.local = 5;
	st.cache.hits = 2;
	run(msg, (size_t)len, 0, &r);
	answer_strings(&r, text, sizeof(text));
	assert_string_equal(text, "7 ");

	assert_true(dnswire_name_from_text("servers.bind", wire) > 0);
	len = dnswire_query(msg, sizeof(msg), 7, DNS_FLAG_RD, wire, DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	st.server_queries[1] = 5;
	st.server_failures[1] = 2;
	run(msg, (size_t)len, 0, &r);
	st.server_queries[1] = st.server_failures[1] = 0;
	answer_strings(&r, text, sizeof(text));
	assert_string_equal(text, "192.0.2.53#53 5 2 192.0.2.54#5353 0 0 ");

	len = dnswire_query(msg, sizeof(msg), 7, DNS_FLAG_RD, wire, DNS_TYPE_A, DNS_CLASS_CH, 0);
	run(msg, (size_t)len, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOTIMP);
	assert_true(dnswire_name_from_text("nosuch.bind", wire) > 0);
	len = dnswire_query(msg, sizeof(msg), 7, DNS_FLAG_RD, wire, DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	run(msg, (size_t)len, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOTIMP);
}

/* Build a query for name in class qclass with opcode and, unless
 * edns_version is -1, an OPT record (payload 1232, DO set) of that
 * version. */
static size_t
make_raw_query(uint8_t *buf, size_t cap, const char *name, uint16_t qtype,
    uint16_t qclass, unsigned int opcode, int edns_version)
{
	struct dnswire_builder	b;
	uint8_t			wire[DNS_NAME_MAX];

	assert_int_not_equal(dnswire_name_from_text(name, wire), -1);
	assert_int_equal(dnswire_builder_init(&b, buf, cap, 0), 0);
	dnswire_builder_header(&b, 0xbeef, (uint16_t)(DNS_FLAG_RD | opcode << 11));
	assert_int_equal(dnswire_builder_question(&b, wire, qtype, qclass), 0);
	if (edns_version >= 0)
		assert_int_equal(dnswire_builder_opt(&b, 1232, 0, (uint8_t)edns_version,
		    DNS_EDNS_DO, NULL, 0), 0);
	return dnswire_builder_finish(&b);
}

/* Assert that the last reply is the bytes of want (hex). */
static void
assert_reply_hex(const struct result *r, const char *want)
{
	char	hex[2 * 512 + 1];
	size_t	i;

	assert_int_equal(r->verdict, QUERY_REPLY);
	assert_true(r->len <= 512);
	for (i = 0; i < r->len; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	hex[2 * r->len] = '\0';
	assert_string_equal(hex, want);
}

/* The error replies and the CHAOS answers, byte for byte as recorded
 * from dnsd, because no e2e test compares them with dnsmasq in full. */
static void
test_error_and_chaos_bytes(void **state)
{
	static const struct {
		const char	*name;
		uint16_t	 qtype, qclass;
		unsigned int	 opcode;
		int		 edns_version;
		const char	*reply;
	} cases[] = {
		{ "gw", DNS_TYPE_A, DNS_CLASS_IN, DNS_OPCODE_STATUS, -1,
		    "beef91840000000000000000" },
		{ "gw", DNS_TYPE_A, DNS_CLASS_IN, DNS_OPCODE_STATUS, 0,
		    "beef91840000000000000000" },
		{ "lab.test", DNS_TYPE_AXFR, DNS_CLASS_IN, 0, -1,
		    "beef81850001000000000000036c616204746573740000fc0001" },
		{ "lab.test", DNS_TYPE_IXFR, DNS_CLASS_IN, 0, 0,
		    "beef81850001000000000001036c616204746573740000fb000100002904d000"
		    "0000000000" },
		{ "gw", DNS_TYPE_A, DNS_CLASS_IN, 0, 1,
		    "beef81800001000000000001026777000001000100002904d0010000000000" },
		{ "CacheSize.Bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef8580000100010000000009436163686553697a650442696e640000100003"
		    "c00c00100003000000000003023136" },
		{ "insertions.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef858000010001000000000a696e73657274696f6e730462696e6400001000"
		    "03c00c001000030000000000020133" },
		{ "evictions.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, 0,
		    "beef85800001000100000001096576696374696f6e730462696e640000100003"
		    "c00c00100003000000000002013400002904d0000000000000" },
		{ "misses.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef85800001000100000000066d69737365730462696e640000100003c00c00"
		    "1000030000000000020135" },
		{ "hits.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef8580000100010000000004686974730462696e640000100003c00c001000"
		    "0300000000000403313036" },
		{ "auth.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef8580000100010000000004617574680462696e640000100003c00c001000"
		    "030000000000020130" },
		{ "servers.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, 0,
		    "beef8580000100010000000107736572766572730462696e640000100003c00c"
		    "0010000300000000002f113139322e302e322e3533233533203820391c313932"
		    "2e302e322e353423353335332034303030303030303030203000002904d00000"
		    "00000000" },
		{ "servers.bind", DNS_TYPE_A, DNS_CLASS_CH, 0, -1,
		    "beef8184000100000000000007736572766572730462696e640000010003" },
		{ "nosuch.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, 0,
		    "beef81840001000000000001066e6f737563680462696e640000100003000029"
		    "04d0000000000000" },
		{ "bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef818400010000000000000462696e640000100003" },
		{ "x.hits.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef81840001000000000000017804686974730462696e640000100003" },
		{ "hits.bind.x", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef8184000100000000000004686974730462696e6401780000100003" },
		{ "hits", DNS_TYPE_TXT, DNS_CLASS_CH, 0, -1,
		    "beef8184000100000000000004686974730000100003" },
	};
	struct result	r;
	uint8_t		msg[512];
	size_t		len, i;

	st.cache.inserts = 3;
	st.cache.evictions = 4;
	st.cache.misses = 5;
	st.cache.hits = 6;
	st.stats.local = 100;
	st.server_queries[1] = 8;
	st.server_failures[1] = 9;
	st.server_queries[2] = 4000000000UL;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = make_raw_query(msg, sizeof(msg), cases[i].name, cases[i].qtype,
		    cases[i].qclass, cases[i].opcode, cases[i].edns_version);
		run(msg, len, 0, &r);
		/* Each local answer counts in hits.bind: keep it fixed. */
		st.stats.local = 100;
		assert_reply_hex(&r, cases[i].reply);
	}

	/* A header without a question: FORMERR without one. */
	memset(msg, 0, DNS_HEADER_LEN);
	msg[0] = 0xbe;
	msg[1] = 0xef;
	msg[2] = 0x01;
	run(msg, DNS_HEADER_LEN, 0, &r);
	assert_reply_hex(&r, "beef81810000000000000000");

	/* Two OPT records: FORMERR, without an OPT in the reply. */
	len = make_raw_query(msg, sizeof(msg), "gw", DNS_TYPE_A, DNS_CLASS_IN, 0, 0);
	memcpy(msg + len, msg + len - OPT_BYTES, OPT_BYTES);
	msg[11] = 2;
	run(msg, len + OPT_BYTES, 0, &r);
	assert_reply_hex(&r, "beef818100010000000000000267770000010001");

	/* The CHAOS names in class IN are not dnsd's own. */
	len = make_raw_query(msg, sizeof(msg), "cachesize.bind", DNS_TYPE_TXT, DNS_CLASS_IN, 0,
	    -1);
	run(msg, len, 0, &r);
	assert_int_equal(r.verdict, QUERY_FORWARD);

	/* version.bind names the release. */
	len = make_raw_query(msg, sizeof(msg), "version.bind", DNS_TYPE_TXT, DNS_CLASS_CH, 0,
	    -1);
	run(msg, len, 0, &r);
	answer_strings(&r, (char *)msg, sizeof(msg));
	assert_string_equal((char *)msg, "edgebox-" EDGEBOX_VERSION " ");

	st.cache.inserts = st.cache.evictions = st.cache.misses = st.cache.hits = 0;
	st.stats.local = 0;
	st.server_queries[1] = st.server_failures[1] = st.server_queries[2] = 0;
}

/* Log a reply with one PTR answer whose owner is owner, as log-queries
 * does, and store the line written to stderr in line. */
static void
log_ptr_line(const char *owner, char *line, size_t cap)
{
	struct dnswire_builder	 b;
	uint8_t			 msg[512], wire[DNS_NAME_MAX], target[DNS_NAME_MAX];
	char			 path[128];
	FILE			*f;
	size_t			 len;
	int			 saved, fd;

	assert_int_not_equal(dnswire_name_from_text(owner, wire), -1);
	assert_int_not_equal(dnswire_name_from_text("host.test", target), -1);
	assert_int_equal(dnswire_builder_init(&b, msg, sizeof(msg), 0), 0);
	dnswire_builder_header(&b, 1, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA);
	assert_int_equal(dnswire_builder_question(&b, wire, DNS_TYPE_PTR, DNS_CLASS_IN), 0);
	assert_int_equal(dnswire_builder_name_rr(&b, DNS_SECTION_ANSWER, wire, DNS_TYPE_PTR,
	    60, target), 0);
	len = dnswire_builder_finish(&b);

	snprintf(path, sizeof(path), "%s/log", tmpdir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	query_log_reply(&st, "reply", msg, len);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(line, (int)cap, f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
}

/* log-queries names a PTR answer by its address only when the owner is
 * the canonical reverse name of one; any other owner stays a name. */
static void
test_log_reply_ptr_owner(void **state)
{
	static const struct {
		const char	*owner, *shown;
	} cases[] = {
		{ "4.3.2.1.in-addr.arpa", "1.2.3.4" },
		{ "1.0.0.127.In-Addr.ARPA", "127.0.0.1" },
		{ "255.0.10.0.in-addr.arpa", "0.10.0.255" },
		{ "04.3.2.1.in-addr.arpa", "04.3.2.1.in-addr.arpa" },
		{ "256.3.2.1.in-addr.arpa", "256.3.2.1.in-addr.arpa" },
		{ "1234.3.2.1.in-addr.arpa", "1234.3.2.1.in-addr.arpa" },
		{ "x.3.2.1.in-addr.arpa", "x.3.2.1.in-addr.arpa" },
		{ "4.3.2.1.in-addr.arpb", "4.3.2.1.in-addr.arpb" },
		{ "4.3.2.1.ip6.arpa.x", "4.3.2.1.ip6.arpa.x" },
		{ "3.2.1.in-addr.arpa", "3.2.1.in-addr.arpa" },
		{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		    "2001:db8::1" },
		{ "F.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA",
		    "2001:db8::f" },
		{ "10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		    "10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
		{ "g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		    "g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
		{ "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
		{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.in6.arpa",
		    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.in6.arpa" },
	};
	char	line[512], want[512];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		log_ptr_line(cases[i].owner, line, sizeof(line));
		snprintf(want, sizeof(want), "edgebox: reply %s is host.test", cases[i].shown);
		assert_string_equal(line, want);
	}
}

/* A client asks A and AAAA in turn: the A set still rotates. */
static void
test_round_robin_two_types(void **state)
{
	struct result	r;
	uint8_t		firsts[3];
	int		i;

	for (i = 0; i < 3; i++) {
		ask("mix.lab.test", DNS_TYPE_A, 0, &r);
		assert_int_equal(r.answers, 3);
		firsts[i] = r.first_a[3];
		ask("mix.lab.test", DNS_TYPE_AAAA, 0, &r);
		assert_int_equal(r.answers, 2);
	}
	assert_true(firsts[0] != firsts[1]);
	assert_true(firsts[1] != firsts[2]);
	assert_true(firsts[0] != firsts[2]);
}

static void
test_forward_routes(void **state)
{
	struct result	r;
	uint8_t		wire[DNS_NAME_MAX];
	int		idx[4];

	ask("www.example.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_FORWARD);
	dnswire_name_from_text("www.example.test", wire);
	assert_int_equal(query_route(&st, wire, idx, 4, 100.0), 1);
	assert_int_equal(idx[0], 1);
	dnswire_name_from_text("a.corp.test", wire);
	assert_int_equal(query_route(&st, wire, idx, 4, 100.0), 1);
	assert_int_equal(idx[0], 2);
	dnswire_name_from_text("other.lab.test", wire);
	assert_int_equal(query_route(&st, wire, idx, 4, 100.0), 0);

	/* server=//IP takes the names without a dot, and only those. */
	conf.servers[3].route = ROUTE_FORWARD;
	conf.servers[3].unqualified = 1;
	netaddr_parse("192.0.2.55", &conf.servers[3].addr);
	conf.servers[3].port = 53;
	conf.nservers = 4;
	dnswire_name_from_text("printer", wire);
	assert_int_equal(query_route(&st, wire, idx, 4, 100.0), 1);
	assert_int_equal(idx[0], 3);
	dnswire_name_from_text("www.example.test", wire);
	assert_int_equal(query_route(&st, wire, idx, 4, 100.0), 1);
	assert_int_equal(idx[0], 1);
	conf.nservers = 3;
}

static void
test_truncation(void **state)
{
	struct result	r;
	uint8_t		msg[512];
	size_t		len;

	ask("big", DNS_TYPE_A, 0, &r);
	assert_true(r.hdr.flags & DNS_FLAG_TC);
	assert_true(r.len <= 512);
	assert_true(r.answers > 0 && r.answers < 40);
	ask("big", DNS_TYPE_A, 1232, &r);
	assert_false(r.hdr.flags & DNS_FLAG_TC);
	assert_int_equal(r.answers, 40);
	assert_int_equal(r.opt, 1);
	/* Over TCP no limit applies. */
	len = make_query(msg, "big", DNS_TYPE_A, 0);
	run(msg, len, 1, &r);
	assert_false(r.hdr.flags & DNS_FLAG_TC);
	assert_int_equal(r.answers, 40);
}

static void
test_malformed(void **state)
{
	struct result	r;
	uint8_t		msg[512];
	size_t		len;
	unsigned long	before = st.stats.malformed;

	/* Shorter than a header: dropped. */
	run((const uint8_t *)"\x12\x34\x01", 3, 0, &r);
	assert_int_equal(r.verdict, QUERY_DROP);

	/* A response: dropped. */
	len = make_query(msg, "gw", DNS_TYPE_A, 0);
	msg[2] |= 0x80;
	run(msg, len, 0, &r);
	assert_int_equal(r.verdict, QUERY_DROP);

	/* The question cut in the middle of the name: FORMERR. */
	len = make_query(msg, "gw.lab.test", DNS_TYPE_A, 0);
	run(msg, 16, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_FORMERR);
	assert_int_equal(r.hdr.id, 0x1234);

	/* Two questions: FORMERR. */
	len = make_query(msg, "gw", DNS_TYPE_A, 0);
	msg[5] = 2;
	run(msg, len, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_FORMERR);

	/* An additional count that promises a missing record: FORMERR. */
	len = make_query(msg, "gw", DNS_TYPE_A, 0);
	msg[11] = 1;
	run(msg, len, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_FORMERR);
	assert_true(st.stats.malformed >= before + 4);
}

static void
test_unsupported(void **state)
{
	struct result		r;
	struct dnswire_builder	b;
	struct dnswire_edns	edns;
	uint8_t			msg[512], wire[DNS_NAME_MAX];
	size_t			len;

	len = make_query(msg, "gw", DNS_TYPE_A, 0);
	msg[2] = (uint8_t)((msg[2] & 0x87) | (DNS_OPCODE_STATUS << 3));
	run(msg, len, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_NOTIMP);
	assert_int_equal(DNS_FLAGS_OPCODE(r.hdr.flags), DNS_OPCODE_STATUS);

	ask("lab.test", DNS_TYPE_AXFR, 0, &r);
	assert_int_equal(DNS_FLAGS_RCODE(r.hdr.flags), DNS_RCODE_REFUSED);

	/* EDNS version 1: BADVERS (16) through the OPT's extended rcode. */
	dnswire_name_from_text("gw", wire);
	dnswire_builder_init(&b, msg, sizeof(msg), 0);
	dnswire_builder_header(&b, 0x4321, DNS_FLAG_RD);
	dnswire_builder_question(&b, wire, DNS_TYPE_A, DNS_CLASS_IN);
	dnswire_builder_opt(&b, 1232, 0, 1, 0, NULL, 0);
	len = dnswire_builder_finish(&b);
	run(msg, len, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(r.opt, 1);
	assert_int_equal(dnswire_edns_find(out, r.len, &edns), 1);
	assert_int_equal(edns.version, 0);
	assert_int_equal(dnswire_rcode(&r.hdr, &edns), DNS_RCODE_BADVERS);
}

/* An upstream reply: one A record (TTL 300) and, for negative replies,
 * an SOA with the given TTL and minimum. */
static size_t
upstream_reply(uint8_t *buf, size_t cap, const char *name, unsigned int rcode,
    int with_answer, uint32_t soa_ttl, uint32_t soa_min, int edns)
{
	struct dnswire_builder	b;
	struct dnswire_soa	soa;
	uint8_t			wire[DNS_NAME_MAX], zone[DNS_NAME_MAX];
	static const uint8_t	addr[4] = { 10, 9, 9, 9 };

	dnswire_name_from_text(name, wire);
	dnswire_name_from_text("example.test", zone);
	dnswire_builder_init(&b, buf, cap, 0);
	dnswire_builder_header(&b, 0x9999, (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA |
	    DNS_FLAG_AA | rcode));
	dnswire_builder_question(&b, wire, DNS_TYPE_A, DNS_CLASS_IN);
	if (with_answer)
		dnswire_builder_a(&b, DNS_SECTION_ANSWER, wire, 300, addr);
	if (soa_ttl > 0) {
		memset(&soa, 0, sizeof(soa));
		soa.mname = zone;
		soa.rname = zone;
		soa.minimum = soa_min;
		dnswire_builder_soa(&b, DNS_SECTION_AUTHORITY, zone, soa_ttl, &soa);
	}
	if (edns)
		dnswire_builder_opt(&b, 4096, 0, 0, 0, NULL, 0);
	return dnswire_builder_finish(&b);
}

static void
test_relay(void **state)
{
	struct query	q;
	struct result	r;
	uint8_t		msg[512], up[512];
	size_t		len, uplen, qlen;

	qlen = make_query(msg, "WWW.Example.Test", DNS_TYPE_A, 1232);
	assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len),
	    QUERY_FORWARD);
	uplen = upstream_reply(up, sizeof(up), "www.example.test", 0, 1, 0, 0, 1);
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, uplen, 0, 100, out, sizeof(out));
	assert_true(r.len > 0);
	read_reply(&r);
	assert_int_equal(r.hdr.id, 0x1234);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_ttl, 200);
	assert_int_equal(r.opt, 1);			/* ours, in place of the upstream's */
	assert_true(r.hdr.flags & DNS_FLAG_AA);
	assert_memory_equal(out + DNS_HEADER_LEN, msg + DNS_HEADER_LEN,
	    dnswire_name_len(msg + DNS_HEADER_LEN));

	/* From the cache: AA goes, TTLs never wrap below 0. */
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, uplen, 1, 1000, out, sizeof(out));
	read_reply(&r);
	assert_false(r.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(r.first_ttl, 0);

	/* A client without EDNS gets no OPT. */
	qlen = make_query(msg, "www.example.test", DNS_TYPE_A, 0);
	query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len);
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, uplen, 0, 0, out, sizeof(out));
	read_reply(&r);
	assert_int_equal(r.opt, 0);
	assert_int_equal(r.answers, 1);
}

/* Set the TTL of the first answer record of msg. */
static void
set_answer_ttl(uint8_t *msg, size_t len, uint32_t ttl)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;

	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	while (dnswire_parse_rr(&p, &rr) == 1 && rr.section != DNS_SECTION_ANSWER)
		;
	assert_int_equal(rr.section, DNS_SECTION_ANSWER);
	msg[rr.rdoff - 6] = (uint8_t)(ttl >> 24);
	msg[rr.rdoff - 5] = (uint8_t)(ttl >> 16);
	msg[rr.rdoff - 4] = (uint8_t)(ttl >> 8);
	msg[rr.rdoff - 3] = (uint8_t)ttl;
}

/* RFC 2181 8: a TTL with the most significant bit set counts as 0, so
 * the reply is not cached and its record is relayed with TTL 0. */
static void
test_ttl_top_bit(void **state)
{
	uint8_t		msg[512], up[512];
	size_t		qlen, uplen, len;
	struct query	q;
	struct result	r;

	(void)state;
	uplen = upstream_reply(up, sizeof(up), "www.example.test", 0, 1, 0, 0, 0);
	set_answer_ttl(up, uplen, 0x80000005u);
	assert_int_equal(query_cache_ttl(&st, up, uplen), 0);
	qlen = make_query(msg, "www.example.test", DNS_TYPE_A, 0);
	assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len),
	    QUERY_FORWARD);
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, uplen, 0, 0, out, sizeof(out));
	read_reply(&r);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_ttl, 0);
	/* The largest TTL without that bit stays as it is. */
	uplen = upstream_reply(up, sizeof(up), "www.example.test", 0, 1, 0, 0, 0);
	set_answer_ttl(up, uplen, 0x7fffffffu);
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, uplen, 0, 0, out, sizeof(out));
	read_reply(&r);
	assert_int_equal(r.first_ttl, 0x7fffffff);
}

static void
test_cache_ttl(void **state)
{
	uint8_t	up[512];
	size_t	len;

	len = upstream_reply(up, sizeof(up), "a.example.test", 0, 1, 0, 0, 1);
	assert_int_equal(query_cache_ttl(&st, up, len), 300);
	/* Negative: the lower of the SOA's TTL and its minimum (RFC 2308). */
	len = upstream_reply(up, sizeof(up), "a.example.test", DNS_RCODE_NXDOMAIN, 0, 900, 60, 0);
	assert_int_equal(query_cache_ttl(&st, up, len), 60);
	len = upstream_reply(up, sizeof(up), "a.example.test", 0, 0, 30, 600, 0);
	assert_int_equal(query_cache_ttl(&st, up, len), 30);
	/* Without an SOA only neg-ttl makes it cacheable. */
	len = upstream_reply(up, sizeof(up), "a.example.test", DNS_RCODE_NXDOMAIN, 0, 0, 0, 0);
	assert_int_equal(query_cache_ttl(&st, up, len), 0);
	conf.neg_ttl = 45;
	assert_int_equal(query_cache_ttl(&st, up, len), 45);
	conf.no_negcache = 1;
	assert_int_equal(query_cache_ttl(&st, up, len), 0);
	conf.no_negcache = 0;
	conf.neg_ttl = -1;
	len = upstream_reply(up, sizeof(up), "a.example.test", DNS_RCODE_SERVFAIL, 0, 0, 0, 0);
	assert_int_equal(query_cache_ttl(&st, up, len), 0);
	len = upstream_reply(up, sizeof(up), "a.example.test", 0, 1, 0, 0, 0);
	up[2] |= DNS_FLAG_TC >> 8;
	assert_int_equal(query_cache_ttl(&st, up, len), 0);
}

static void
test_ttl_limits(void **state)
{
	struct query	q;
	struct result	r;
	uint8_t		up[512], msg[512];
	size_t		len, qlen;

	len = upstream_reply(up, sizeof(up), "a.example.test", 0, 1, 0, 0, 0);
	conf.min_cache_ttl = 600;
	assert_int_equal(query_cache_ttl(&st, up, len), 600);
	conf.min_cache_ttl = 0;
	conf.max_cache_ttl = 100;
	assert_int_equal(query_cache_ttl(&st, up, len), 100);
	conf.max_cache_ttl = 0;

	/* max-ttl caps what clients see, from upstream and from local data. */
	conf.max_ttl = 50;
	qlen = make_query(msg, "a.example.test", DNS_TYPE_A, 0);
	assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len),
	    QUERY_FORWARD);
	len = upstream_reply(up, sizeof(up), "a.example.test", 0, 1, 0, 0, 0);
	memset(&r, 0, sizeof(r));
	r.len = query_relay(&q, up, len, 0, 0, out, sizeof(out));
	read_reply(&r);
	assert_int_equal(r.first_ttl, 50);
	conf.max_ttl = 3;
	ask("gw.lab.test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.first_ttl, 3);
	ask("gw.lab.test", DNS_TYPE_AAAA, 0, &r);
	assert_int_equal(r.soa_minimum, 3);
	conf.max_ttl = 0;
}

static void
test_cache_hit(void **state)
{
	struct result	r;
	uint8_t		up[512], wire[DNS_NAME_MAX];
	size_t		len;

	len = upstream_reply(up, sizeof(up), "cached.example.test", 0, 1, 0, 0, 0);
	dnswire_name_from_text("cached.example.test", wire);
	assert_int_equal(cache_store(&st.cache, wire, DNS_TYPE_A, DNS_CLASS_IN, up, len, 300,
	    990.0), 0);
	ask("Cached.Example.Test", DNS_TYPE_A, 0, &r);
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(r.answers, 1);
	assert_int_equal(r.first_ttl, 290);
	assert_false(r.hdr.flags & DNS_FLAG_AA);
	assert_int_equal(r.hdr.id, 0x1234);
}

/* max-cache-ttl caps the TTL a cache hit shows, as in dnsmasq: a reply
 * with TTL 300 cached under max-cache-ttl=100 shows 90 after 10 s. */
static void
test_cache_hit_max_cache_ttl(void **state)
{
	struct query	q;
	struct result	r;
	uint8_t		up[512], msg[512];
	size_t		len, qlen, outlen;

	conf.max_cache_ttl = 100;
	qlen = make_query(msg, "capped.example.test", DNS_TYPE_A, 0);
	assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	len = upstream_reply(up, sizeof(up), "capped.example.test", 0, 1, 0, 0, 0);
	assert_int_equal(query_cache_ttl(&st, up, len), 100);
	assert_int_equal(query_cache_store(&st, &q, up, len, 100, 990.0), 0);
	ask("capped.example.test", DNS_TYPE_A, 0, &r);
	conf.max_cache_ttl = 0;
	assert_int_equal(r.verdict, QUERY_REPLY);
	assert_int_equal(r.first_ttl, 90);
}

/* Store up in the empty cache with query_cache_store (fast) or
 * cache_store, then look q up at now.  Returns the length of the reply in
 * buf, or 0 when q would go upstream. */
static size_t
answer_stored(struct query *q, const uint8_t *up, size_t uplen, int fast, double now,
    uint8_t *buf)
{
	size_t	len = 0;
	int	r;

	cache_clear(&st.cache);
	if (fast)
		r = query_cache_store(&st, q, up, uplen, 600, 990.0);
	else
		r = cache_store(&st.cache, q->lname, q->qtype, q->qclass, up, uplen, 600, 990.0);
	if (r == -1 || query_answer(&st, q, buf, DNS_MSG_MAX, &len, now) != QUERY_REPLY)
		return 0;
	return len;
}

/* Answer q from up stored either way and check that both replies are the
 * same bytes.  Returns the length of the reply, which is left in out. */
static size_t
same_hit_both_ways(struct query *q, const uint8_t *up, size_t uplen, double now)
{
	uint8_t	slow[DNS_MSG_MAX];
	size_t	slowlen, fastlen;

	slowlen = answer_stored(q, up, uplen, 0, now, slow);
	fastlen = answer_stored(q, up, uplen, 1, now, out);
	assert_int_equal(fastlen, slowlen);
	assert_memory_equal(out, slow, slowlen);
	return fastlen;
}

/* Whether the entry query_cache_store made for q keeps its TTL offsets,
 * which is what lets a hit skip the walk over the records. */
static int
stored_with_ttls(const struct query *q, const uint8_t *up, size_t uplen)
{
	const struct cache_entry	*e;

	cache_clear(&st.cache);
	assert_int_equal(query_cache_store(&st, q, up, uplen, 600, 990.0), 0);
	e = cache_lookup_lower(&st.cache, q->lname, q->hash, q->qtype, q->qclass, 991.0);
	assert_non_null(e);
	return e->ttls != NULL;
}

/*
 * A hit on an entry from query_cache_store must give the bytes of
 * query_relay on the reply as it came.  That is the client's ID, RD bit
 * and question case, TTLs counted down and capped by max-ttl, and our
 * OPT record for a client with EDNS.
 */
static void
test_cache_fast_relay(void **state)
{
	struct query	q;
	uint8_t		msg[512], up[512];
	size_t		qlen, uplen, len;
	int		variant, edns, reply;
	static const char *const names[] = { "www.example.test", "WWW.Example.TEST" };

	for (reply = 0; reply < 4; reply++) {
		uplen = upstream_reply(up, sizeof(up), "www.example.test",
		    reply == 2 ? DNS_RCODE_NXDOMAIN : 0, reply != 2, reply >= 2 ? 900 : 0, 60,
		    reply % 2);
		for (variant = 0; variant < 16; variant++) {
			edns = variant & 1;
			qlen = make_query(msg, names[(variant >> 1) & 1], DNS_TYPE_A,
			    edns ? 1232 : 0);
			if (variant & 4)
				msg[2] |= DNS_FLAG_RD >> 8;
			else
				msg[2] &= (uint8_t)~(DNS_FLAG_RD >> 8);
			conf.max_ttl = (variant & 8) ? 100 : 0;
			assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len),
			    QUERY_FORWARD);
			assert_true(stored_with_ttls(&q, up, uplen));
			assert_true(same_hit_both_ways(&q, up, uplen, 991.0 + variant * 37) >
			    DNS_HEADER_LEN);
			assert_memory_equal(out + DNS_HEADER_LEN, msg + DNS_HEADER_LEN, q.namelen);
		}
	}
	conf.max_ttl = 0;
}

/* Build upstream replies for www.example.test that the cached relay's fast
 * path must handle as query_relay does; a comment gives each one's reason. */
static size_t
special_reply(uint8_t *buf, size_t cap, int kind)
{
	struct dnswire_builder	b;
	uint8_t			www[DNS_NAME_MAX], alias[DNS_NAME_MAX], addr[4] = { 10, 1, 0, 0 };
	size_t			len;
	int			k;

	dnswire_name_from_text("www.example.test", www);
	dnswire_name_from_text("alias.example.test", alias);
	dnswire_builder_init(&b, buf, cap, 0);
	dnswire_builder_header(&b, 0x9999, (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA));
	dnswire_builder_question(&b, www, DNS_TYPE_A, DNS_CLASS_IN);
	switch (kind) {
	case 0:
	case 3:
		/* 40 addresses: more than 512 bytes, so a client without EDNS
		 * gets the answers cut and TC.  70 are more TTLs than an entry
		 * keeps offsets of. */
		for (k = 0; k < (kind == 0 ? 40 : 70); k++) {
			addr[3] = (uint8_t)k;
			dnswire_builder_a(&b, DNS_SECTION_ANSWER, www, 300 + (uint32_t)k, addr);
		}
		return dnswire_builder_finish(&b);
	case 1:
		/* A CNAME chain: the A record's owner may point into the
		 * CNAME's RDATA. */
		dnswire_builder_name_rr(&b, DNS_SECTION_ANSWER, www, DNS_TYPE_CNAME, 120, alias);
		dnswire_builder_a(&b, DNS_SECTION_ANSWER, alias, 60, addr);
		dnswire_builder_opt(&b, 4096, 0, 0, 0, NULL, 0);
		return dnswire_builder_finish(&b);
	default:
		/* The second owner points at the first record's TTL, whose zero
		 * byte reads as the root name: after a countdown it may not
		 * read at all, so the entry keeps no TTL offsets. */
		dnswire_builder_a(&b, DNS_SECTION_ANSWER, www, 0x00000100, addr);
		len = dnswire_builder_finish(&b);
		memcpy(buf + len, "\xc0\x00\0\1\0\1\0\0\0\x20\0\4\x0a\1\0\2", 16);
		buf[len + 1] = (uint8_t)(len - 10);
		buf[7] = 2;
		return len + 16;
	}
}

static void
test_cache_fast_relay_forms(void **state)
{
	struct query	q;
	uint8_t		msg[512], up[1232];
	size_t		qlen, uplen, len;
	int		kind, edns, tcp;

	for (kind = 0; kind < 4; kind++) {
		uplen = special_reply(up, sizeof(up), kind);
		for (edns = 0; edns < 2; edns++)
			for (tcp = 0; tcp < 2; tcp++) {
				qlen = make_query(msg, "Www.Example.Test", DNS_TYPE_A,
				    edns ? 1232 : 0);
				assert_int_equal(query_parse(&st, msg, qlen, tcp, &q, out, sizeof(out),
				    &len), QUERY_FORWARD);
				assert_int_equal(stored_with_ttls(&q, up, uplen), kind < 2);
				assert_true(same_hit_both_ways(&q, up, uplen, 1100.0) > DNS_HEADER_LEN);
				/* Only the big replies to a plain UDP client are cut. */
				assert_int_equal((out[2] & (DNS_FLAG_TC >> 8)) != 0,
				    (kind == 0 || kind == 3) && !edns && !tcp);
			}
	}
}

/* Upstream replies with random bytes changed, as the fuzzer sends them:
 * a hit on query_cache_store's form must give query_relay's bytes. */
static void
test_cache_fast_relay_random(void **state)
{
	struct query	q;
	uint8_t		msg[512], up[1232];
	size_t		qlen, uplen, len;
	unsigned int	seed = 99;
	int		i, k, flips, served = 0;

	for (i = 0; i < 20000; i++) {
		qlen = make_query(msg, "www.example.test", DNS_TYPE_A, i % 2 ? 1232 : 0);
		assert_int_equal(query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &len),
		    QUERY_FORWARD);
		if (i % 3 == 0)
			uplen = special_reply(up, sizeof(up), (i / 3) % 4);
		else
			uplen = upstream_reply(up, sizeof(up), "www.example.test",
			    (unsigned int)(i % 4), i % 3, (uint32_t)(i % 2) * 60, 30, i % 2);
		flips = rand_r(&seed) % 3;
		for (k = 0; k < flips; k++)
			up[DNS_HEADER_LEN + rand_r(&seed) % (uplen - DNS_HEADER_LEN)] =
			    (uint8_t)rand_r(&seed);
		served += same_hit_both_ways(&q, up, uplen, 1234.0) > 0;
	}
	/* Most replies still come from the cache, so the test compared replies. */
	assert_true(served > 10000);
}

/*
 * Random byte flips, truncations and length changes of valid queries and
 * upstream replies: every result must be a verdict or a relay length
 * within the buffer, never a crash (run under SANITIZE=1 for the memory
 * checks), and a reply must start with the query's ID.
 */
static void
test_random_mutations(void **state)
{
	struct result	r;
	struct query	q;
	uint8_t		msg[600], up[600];
	size_t		len, uplen, qlen, rlen;
	unsigned int	seed = 4242;
	int		i, flips, k;
	static const char *const names[] = { "gw", "rr.lab.test", "big", "nosuch.lab.test",
	    "x.ads.test", "www.example.test" };

	for (i = 0; i < 20000; i++) {
		len = make_query(msg, names[i % 6], (uint16_t)(1 + rand_r(&seed) % 40),
		    (uint16_t)(rand_r(&seed) % 2 ? 1232 : 0));
		flips = rand_r(&seed) % 4;
		for (k = 0; k < flips; k++)
			msg[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			len = (size_t)rand_r(&seed) % (len + 1);
		run(msg, len, rand_r(&seed) % 2, &r);
		if (r.verdict == QUERY_REPLY) {
			assert_true(r.len >= DNS_HEADER_LEN);
			assert_int_equal(out[0], msg[0]);
			assert_int_equal(out[1], msg[1]);
		}

		qlen = make_query(msg, names[i % 6], DNS_TYPE_A, 1232);
		if (query_parse(&st, msg, qlen, 0, &q, out, sizeof(out), &rlen) != QUERY_FORWARD)
			fail();
		uplen = upstream_reply(up, sizeof(up), names[i % 6], (unsigned int)(i % 4),
		    i % 3, (uint32_t)(i % 2) * 60, 30, i % 2);
		flips = 1 + rand_r(&seed) % 4;
		for (k = 0; k < flips; k++)
			up[rand_r(&seed) % uplen] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			uplen = (size_t)rand_r(&seed) % (uplen + 1);
		(void)query_cache_ttl(&st, up, uplen);
		rlen = query_relay(&q, up, uplen, i % 2, (uint32_t)(i % 500), out, sizeof(out));
		assert_true(rlen <= sizeof(out));
		if (rlen > 0) {
			assert_true(rlen >= DNS_HEADER_LEN);
			assert_int_equal(out[0], 0x12);
			assert_int_equal(out[1], 0x34);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_local_a),
		cmocka_unit_test(test_local_mx_srv),
		cmocka_unit_test(test_question_case_echoed),
		cmocka_unit_test(test_any_local_one_rrset),
		cmocka_unit_test(test_any_forwarded_hinfo),
		cmocka_unit_test(test_question_lower_and_hash),
		cmocka_unit_test(test_rebind_ranges),
		cmocka_unit_test(test_nodata_and_nxdomain),
		cmocka_unit_test(test_repeated_suffix_name),
		cmocka_unit_test(test_address_domains),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_round_robin_two_types),
		cmocka_unit_test(test_chaos_names),
		cmocka_unit_test(test_error_and_chaos_bytes),
		cmocka_unit_test(test_log_reply_ptr_owner),
		cmocka_unit_test(test_bogus_priv),
		cmocka_unit_test(test_private_reverse_names),
		cmocka_unit_test(test_address_under_server),
		cmocka_unit_test(test_cache_hit_max_cache_ttl),
		cmocka_unit_test(test_forward_routes),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_cache_ttl),
		cmocka_unit_test(test_ttl_top_bit),
		cmocka_unit_test(test_ttl_limits),
		cmocka_unit_test(test_cache_hit),
		cmocka_unit_test(test_cache_fast_relay),
		cmocka_unit_test(test_cache_fast_relay_forms),
		cmocka_unit_test(test_cache_fast_relay_random),
		cmocka_unit_test(test_random_mutations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
