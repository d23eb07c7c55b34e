/* test_dnswire.c -- unit tests for the DNS message codec, malformed input included. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

static const uint8_t	root[1] = { 0 };

static int
wire(const char *text, uint8_t out[static DNS_NAME_MAX])
{
	int	n = dnswire_name_from_text(text, out);

	assert_true(n > 0);
	return n;
}

static void
test_name_from_text(void **state)
{
	uint8_t	out[DNS_NAME_MAX];
	char	text[400];
	int	i;

	assert_int_equal(dnswire_name_from_text("www.example.com", out), 17);
	assert_memory_equal(out, "\3www\7example\3com\0", 17);
	assert_int_equal(dnswire_name_from_text("www.example.com.", out), 17);
	assert_memory_equal(out, "\3www\7example\3com\0", 17);
	assert_int_equal(dnswire_name_from_text(".", out), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(dnswire_name_from_text("", out), 1);
	assert_int_equal(dnswire_name_from_text("a\\.b.c", out), 7);
	assert_memory_equal(out, "\3a.b\1c\0", 7);
	assert_int_equal(dnswire_name_from_text("\\000\\255x", out), 5);
	assert_memory_equal(out, "\3\0\377x\0", 5);

	assert_int_equal(dnswire_name_from_text("a..b", out), -1);
	assert_int_equal(dnswire_name_from_text(".a", out), -1);
	assert_int_equal(dnswire_name_from_text("a..", out), -1);
	assert_int_equal(dnswire_name_from_text("a\\25", out), -1);
	assert_int_equal(dnswire_name_from_text("a\\256", out), -1);
	assert_int_equal(dnswire_name_from_text("a\\", out), -1);

	/* 63-byte labels pass, 64 fail. */
	memset(text, 'x', 63);
	text[63] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), 65);
	text[63] = 'x';
	text[64] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), -1);

	/* 127 one-byte labels make 255 bytes; one more label is too long. */
	for (i = 0; i < 127; i++) {
		text[2 * i] = 'a';
		text[2 * i + 1] = '.';
	}
	text[254] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), 255);
	text[253] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), 255);
	text[253] = '.';
	text[254] = 'b';
	text[255] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), -1);
	/* Three 63-byte labels and one of 62 make 256 bytes. */
	memset(text, 'y', 255);
	text[63] = text[127] = text[191] = '.';
	text[254] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), -1);
	text[253] = '\0';
	assert_int_equal(dnswire_name_from_text(text, out), 255);
}

static void
test_name_to_text(void **state)
{
	uint8_t	name[DNS_NAME_MAX];
	char	text[DNS_NAME_TEXT_MAX];
	char	back[DNS_NAME_TEXT_MAX];
	uint8_t	again[DNS_NAME_MAX];
	int	i, n;

	wire("www.example.com", name);
	assert_int_equal(dnswire_name_to_text(name, text, sizeof(text), 1), 16);
	assert_string_equal(text, "www.example.com.");
	assert_int_equal(dnswire_name_to_text(name, text, sizeof(text), 0), 15);
	assert_string_equal(text, "www.example.com");
	assert_int_equal(dnswire_name_to_text(root, text, sizeof(text), 0), 1);
	assert_string_equal(text, ".");

	memcpy(name, "\7a.b c\"@\0", 9);
	assert_true(dnswire_name_to_text(name, text, sizeof(text), 1) > 0);
	assert_string_equal(text, "a\\.b\\032c\\\"\\@.");

	/* Too small a buffer fails instead of cutting the name. */
	wire("www.example.com", name);
	assert_int_equal(dnswire_name_to_text(name, text, 16, 1), -1);
	assert_int_equal(dnswire_name_to_text(name, text, 17, 1), 16);

	/* Every byte value survives text and back. */
	for (i = 0; i < 256; i += 4) {
		name[0] = 4;
		name[1] = (uint8_t)i;
		name[2] = (uint8_t)(i + 1);
		name[3] = (uint8_t)(i + 2);
		name[4] = (uint8_t)(i + 3);
		name[5] = 0;
		assert_true(dnswire_name_to_text(name, back, sizeof(back), 1) > 0);
		n = dnswire_name_from_text(back, again);
		assert_int_equal(n, 6);
		assert_memory_equal(again, name, 6);
	}

	/* The worst case fits DNS_NAME_TEXT_MAX. */
	memset(name, 0, sizeof(name));
	for (i = 0; i < 3; i++)
		name[64 * i] = 63;
	name[192] = 61;
	name[254] = 0;
	n = dnswire_name_to_text(name, text, sizeof(text), 1);
	assert_int_equal(n, 4 * 250 + 4);
}

static void
test_name_compare(void **state)
{
	uint8_t	a[DNS_NAME_MAX], b[DNS_NAME_MAX], z[DNS_NAME_MAX];

	wire("WWW.Example.COM", a);
	wire("www.example.com.", b);
	assert_true(dnswire_name_equal(a, b));
	assert_int_equal(dnswire_name_hash(a), dnswire_name_hash(b));
	dnswire_name_lower(a);
	assert_memory_equal(a, b, 17);
	assert_int_equal(dnswire_name_labels(a), 3);
	assert_int_equal(dnswire_name_labels(root), 0);
	assert_int_equal(dnswire_name_len(a), 17);

	wire("example.com", z);
	assert_true(dnswire_name_is_subdomain(a, z));
	assert_true(dnswire_name_is_subdomain(z, z));
	assert_true(dnswire_name_is_subdomain(z, root));
	assert_false(dnswire_name_is_subdomain(z, a));
	wire("xample.com", z);
	assert_false(dnswire_name_is_subdomain(a, z));
	wire("www.example.co", b);
	assert_false(dnswire_name_equal(a, b));
}

static void
test_name_reverse(void **state)
{
	struct netaddr	a;
	uint8_t		name[DNS_NAME_MAX];
	char		text[DNS_NAME_TEXT_MAX];

	assert_int_equal(netaddr_parse("192.168.7.11", &a), 0);
	assert_true(dnswire_name_reverse(&a, name) > 0);
	dnswire_name_to_text(name, text, sizeof(text), 1);
	assert_string_equal(text, "11.7.168.192.in-addr.arpa.");
	assert_int_equal(netaddr_parse("2001:db8::1", &a), 0);
	assert_int_equal(dnswire_name_reverse(&a, name), 64 + 10);
	dnswire_name_to_text(name, text, sizeof(text), 0);
	assert_string_equal(text,
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

/* A message with a header and then the given bytes at offset 12. */
static size_t
msg_with(uint8_t *msg, const void *body, size_t len)
{
	memset(msg, 0, DNS_HEADER_LEN);
	memcpy(msg + DNS_HEADER_LEN, body, len);
	return DNS_HEADER_LEN + len;
}

static void
test_name_unpack(void **state)
{
	uint8_t	msg[600], out[DNS_NAME_MAX];
	size_t	len, outlen;
	int	i;

	/* "foo.com" at 12, "www" + pointer to 12 at 21. */
	len = msg_with(msg, "\3foo\3com\0\3www\xc0\x0c", 15);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), 9);
	assert_int_equal(outlen, 9);
	assert_int_equal(dnswire_name_unpack(msg, len, 21, out, &outlen), 6);
	assert_int_equal(outlen, 13);
	assert_memory_equal(out, "\3www\3foo\3com\0", 13);

	/* A pointer to itself, forward, into the header, cut short. */
	len = msg_with(msg, "\xc0\x0c", 2);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\xc0\x0e\0", 3);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\3www\xc0\x02", 6);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\3www\xc0", 5);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);

	/* Two names pointing at each other, although each pointer points backwards. */
	len = msg_with(msg, "\1a\xc0\x10\1b\xc0\x0c", 8);
	assert_int_equal(dnswire_name_unpack(msg, len, 16, out, &outlen), -1);
	/* A pointer back into its own run of labels loops without the rule. */
	len = msg_with(msg, "\1a\xc0\x0c", 4);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);

	/* A label running past the end, a missing root, the 0x40/0x80 types. */
	len = msg_with(msg, "\5ab", 3);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\2ab", 3);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\x41" "ab\0", 4);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	len = msg_with(msg, "\x81" "ab\0", 4);
	assert_int_equal(dnswire_name_unpack(msg, len, 12, out, &outlen), -1);
	assert_int_equal(dnswire_name_unpack(msg, len, len, out, &outlen), -1);

	/* Names over 255 bytes, written out and built from pointers. */
	for (i = 0; i < 128; i++) {
		msg[12 + 2 * i] = 1;
		msg[12 + 2 * i + 1] = 'x';
	}
	msg[12 + 256] = 0;
	assert_int_equal(dnswire_name_unpack(msg, 12 + 257, 12, out, &outlen), -1);
	assert_int_equal(dnswire_name_unpack(msg, 12 + 257, 14, out, &outlen), 255);
	assert_int_equal(outlen, 255);
	msg[12 + 257] = 1;
	msg[12 + 258] = 'y';
	msg[12 + 259] = 0xc0;
	msg[12 + 260] = 14;
	assert_int_equal(dnswire_name_unpack(msg, 12 + 261, 12 + 257, out, &outlen), -1);
}

static void
test_query_roundtrip(void **state)
{
	uint8_t			msg[512], name[DNS_NAME_MAX];
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_rr	rr;
	struct dnswire_edns	e;
	int			len;

	wire("x-k3s-m-1.cluster.local", name);
	len = dnswire_query(msg, sizeof(msg), 0xbeef, DNS_FLAG_RD, name, DNS_TYPE_AAAA,
	    DNS_CLASS_IN, 1232);
	assert_true(len > 0);
	assert_int_equal(dnswire_parser_init(&p, msg, (size_t)len), 0);
	assert_int_equal(p.hdr.id, 0xbeef);
	assert_int_equal(p.hdr.flags, DNS_FLAG_RD);
	assert_int_equal(p.hdr.count[DNS_SECTION_QUESTION], 1);
	assert_int_equal(p.hdr.count[DNS_SECTION_ADDITIONAL], 1);
	assert_int_equal(dnswire_parse_question(&p, &q), 1);
	assert_true(dnswire_name_equal(q.name, name));
	assert_int_equal(q.qtype, DNS_TYPE_AAAA);
	assert_int_equal(q.qclass, DNS_CLASS_IN);
	assert_int_equal(dnswire_parse_question(&p, &q), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.type, DNS_TYPE_OPT);
	assert_int_equal(rr.section, DNS_SECTION_ADDITIONAL);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 0);
	assert_int_equal(p.off, (size_t)len);
	assert_int_equal(dnswire_edns_find(msg, (size_t)len, &e), 1);
	assert_int_equal(e.udp_size, 1232);
	assert_int_equal(e.version, 0);

	/* Without EDNS, and into a buffer too small. */
	len = dnswire_query(msg, sizeof(msg), 1, 0, name, DNS_TYPE_A, DNS_CLASS_IN, 0);
	assert_int_equal(len, 12 + 25 + 4);
	assert_int_equal(dnswire_edns_find(msg, (size_t)len, &e), 0);
	assert_int_equal(dnswire_query(msg, 40, 1, 0, name, DNS_TYPE_A, DNS_CLASS_IN, 0), -1);
	assert_int_equal(dnswire_query(msg, 41, 1, 0, name, DNS_TYPE_A, DNS_CLASS_IN, 0), 41);
	assert_int_equal(dnswire_query(msg, 51, 1, 0, name, DNS_TYPE_A, DNS_CLASS_IN, 512), -1);
	assert_int_equal(dnswire_query(msg, 52, 1, 0, name, DNS_TYPE_A, DNS_CLASS_IN, 512), 52);
}

static void
test_parser_bad(void **state)
{
	uint8_t			msg[64];
	struct dnswire_parser	p;
	struct dnswire_question	q;
	struct dnswire_rr	rr;
	size_t			len;

	memset(msg, 0, sizeof(msg));
	assert_int_equal(dnswire_parser_init(&p, msg, 11), -1);

	/* Counts that promise more than the message holds. */
	len = msg_with(msg, "\1a\0\0\1\0\1", 7);
	msg[5] = 2;
	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	assert_int_equal(dnswire_parse_question(&p, &q), 1);
	assert_int_equal(dnswire_parse_question(&p, &q), -1);
	msg[5] = 1;
	msg[7] = 1;
	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), -1);

	/* A question cut inside its type and class. */
	assert_int_equal(dnswire_parser_init(&p, msg, len - 1), 0);
	msg[7] = 0;
	assert_int_equal(dnswire_parse_question(&p, &q), -1);

	/* RDATA past the end, then just inside it. */
	len = msg_with(msg, "\0\0\1\0\1\0\0\0\0\0\4\1\2\3", 14);
	msg[5] = 0;
	msg[7] = 1;
	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), -1);
	msg[len++] = 4;
	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.rdlength, 4);
	assert_int_equal(rr.rdoff, 12 + 11);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 0);
	/* A record header cut short. */
	assert_int_equal(dnswire_parser_init(&p, msg, 12 + 10), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), -1);
}

/* Parse every record of msg; returns how many, or -1. */
static int
count_rrs(const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			n = 0, r;

	assert_int_equal(dnswire_parser_init(&p, msg, len), 0);
	while ((r = dnswire_parse_rr(&p, &rr)) == 1)
		n++;
	return r == -1 ? -1 : n;
}

static void
test_builder_compression(void **state)
{
	uint8_t			buf[512], name[DNS_NAME_MAX], mx[DNS_NAME_MAX];
	uint8_t			host[DNS_NAME_MAX];
	static const uint8_t	a4[4] = { 192, 168, 7, 11 };
	struct dnswire_builder	b;
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	size_t			len, outlen;
	uint8_t			out[DNS_NAME_MAX];

	wire("Cluster.Local", name);
	wire("mail.cluster.local", mx);
	wire("x-k3s-m-1.cluster.local", host);
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	dnswire_builder_header(&b, 7, DNS_FLAG_QR | DNS_FLAG_AA);
	assert_int_equal(dnswire_builder_question(&b, name, DNS_TYPE_MX, DNS_CLASS_IN), 0);
	assert_int_equal(dnswire_builder_mx(&b, DNS_SECTION_ANSWER, name, 60, 10, mx), 0);
	assert_int_equal(dnswire_builder_a(&b, DNS_SECTION_ADDITIONAL, mx, 60, a4), 0);
	assert_int_equal(dnswire_builder_a(&b, DNS_SECTION_ADDITIONAL, host, 60, a4), 0);
	len = dnswire_builder_finish(&b);
	/* Question 15+4; MX owner pointer 2+10, RDATA 2+"mail"+pointer;
	 * A owner pointer 2+10+4; A owner "x-k3s-m-1"+pointer 12+10+4. */
	assert_int_equal(len, 12 + 19 + 12 + 9 + 16 + 26);
	assert_false(b.truncated);
	assert_int_equal(count_rrs(buf, len), 3);

	assert_int_equal(dnswire_parser_init(&p, buf, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.type, DNS_TYPE_MX);
	assert_true(dnswire_name_equal(rr.name, name));
	assert_int_equal(dnswire_rdata_name(buf, len, &rr, rr.rdoff + 2, out, &outlen), 7);
	assert_true(dnswire_name_equal(out, mx));
	/* The RDATA name may not start outside its record. */
	assert_int_equal(dnswire_rdata_name(buf, len, &rr, rr.rdoff + rr.rdlength, out,
	    &outlen), -1);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_true(dnswire_name_equal(rr.name, mx));
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_true(dnswire_name_equal(rr.name, host));

	/* Records go in section order only; questions before records. */
	assert_int_equal(dnswire_builder_a(&b, DNS_SECTION_ANSWER, host, 60, a4), -1);
	assert_int_equal(dnswire_builder_question(&b, name, DNS_TYPE_A, DNS_CLASS_IN), -1);
	assert_false(b.truncated);
}

static void
test_builder_truncation(void **state)
{
	uint8_t			buf[512], name[DNS_NAME_MAX];
	uint8_t			a4[4] = { 10, 0, 0, 0 };
	struct dnswire_builder	b;
	struct dnswire_edns	e;
	size_t			len;
	int			i, added = 0;

	wire("many.example", name);
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 100), 0);
	b.reserve = 11;
	dnswire_builder_header(&b, 1, DNS_FLAG_QR);
	assert_int_equal(dnswire_builder_question(&b, name, DNS_TYPE_A, DNS_CLASS_IN), 0);
	for (i = 0; i < 10; i++) {
		a4[3] = (uint8_t)i;
		if (dnswire_builder_a(&b, DNS_SECTION_ANSWER, name, 0, a4) == 0)
			added++;
	}
	/* 12 + 18 + n * 16 + 11 <= 100 allows 3 records. */
	assert_int_equal(added, 3);
	assert_true(b.truncated);
	assert_int_equal(b.len, 12 + 18 + 3 * 16);
	assert_int_equal(dnswire_builder_opt(&b, 1232, 0, 0, DNS_EDNS_DO, NULL, 0), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(len, 12 + 18 + 3 * 16 + 11);
	assert_int_equal(count_rrs(buf, len), 4);
	assert_int_equal(dnswire_edns_find(buf, len, &e), 1);
	assert_int_equal(e.flags, DNS_EDNS_DO);
	assert_int_equal(e.udp_size, 1232);

	/* An RDATA name crossing the limit rolls back the whole record. */
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 30), 0);
	assert_int_equal(dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, root,
	    DNS_TYPE_CNAME, DNS_CLASS_IN, 0), 0);
	assert_int_equal(dnswire_builder_rdata_name(&b, name, 1), -1);
	assert_int_equal(dnswire_builder_rr_end(&b), -1);
	assert_true(b.truncated);
	assert_int_equal(b.len, 12);
	assert_int_equal(b.hdr.count[DNS_SECTION_ANSWER], 0);
	/* Compression offsets of the rolled-back record are gone. */
	assert_int_equal(b.ncomp, 0);
	assert_int_equal(dnswire_builder_init(&b, buf, 11, 0), -1);
}

static void
test_builder_txt_soa(void **state)
{
	uint8_t			buf[1024], name[DNS_NAME_MAX], ns[DNS_NAME_MAX];
	uint8_t			mbox[DNS_NAME_MAX];
	char			longstr[300], text[1200];
	const char		*strs[2];
	size_t			lens[2], len;
	struct dnswire_builder	b;
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	struct dnswire_soa	soa = { NULL, NULL, 2024, 3600, 900, 604800, 86400 };

	wire("example", name);
	wire("ns.example", ns);
	wire("hostmaster.example", mbox);
	soa.mname = ns;
	soa.rname = mbox;
	memset(longstr, 'z', sizeof(longstr));
	strs[0] = "v=spf1 \"quoted\" \\";
	lens[0] = strlen(strs[0]);
	strs[1] = longstr;
	lens[1] = 300;
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_txt(&b, DNS_SECTION_ANSWER, name, 5, strs, lens, 2), 0);
	assert_int_equal(dnswire_builder_soa(&b, DNS_SECTION_AUTHORITY, name, 5, &soa), 0);
	len = dnswire_builder_finish(&b);

	assert_int_equal(dnswire_parser_init(&p, buf, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.rdlength, 1 + lens[0] + 1 + 255 + 1 + 45);
	assert_true(dnswire_rdata_to_text(buf, len, &rr, text, sizeof(text)) > 0);
	assert_memory_equal(text, "\"v=spf1 \\\"quoted\\\" \\\\\" \"zzz", 27);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	assert_int_equal(rr.section, DNS_SECTION_AUTHORITY);
	assert_true(dnswire_rdata_to_text(buf, len, &rr, text, sizeof(text)) > 0);
	assert_string_equal(text, "ns.example. hostmaster.example. 2024 3600 900 604800 86400");
}

/* Build one answer record of the given type from raw RDATA and render it. */
static int
render(uint16_t type, const void *rdata, size_t rdlen, char *text, size_t textlen)
{
	static uint8_t		buf[2048];
	struct dnswire_builder	b;
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	size_t			len;
	uint8_t			name[DNS_NAME_MAX];

	wire("example.org", name);
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_question(&b, name, type, DNS_CLASS_IN), 0);
	assert_int_equal(dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, name, type,
	    DNS_CLASS_IN, 300), 0);
	assert_int_equal(dnswire_builder_rdata_bytes(&b, rdata, rdlen), 0);
	assert_int_equal(dnswire_builder_rr_end(&b), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_parser_init(&p, buf, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	return dnswire_rdata_to_text(buf, len, &rr, text, textlen);
}

static void
test_render_addresses(void **state)
{
	static const struct {
		const char	*bytes;
		const char	*text;
	} v6[] = {
		{ "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", "2001:db8::1" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", "::1" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "::" },
		{ "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\xa8\7\x0b", "::ffff:192.168.7.11" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0\1\2\3\4", "::1.2.3.4" },
		{ "\x20\x01\0\0\0\1\0\0\0\0\0\1\0\0\0\1", "2001:0:1::1:0:1" },
		{ "\x20\x01\x0d\xb8\0\0\0\1\0\1\0\1\0\1\0\1", "2001:db8:0:1:1:1:1:1" },
		{ "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "fe80::" },
		{ "\x20\x01\x0d\xb8\0\0\0\0\0\1\0\0\0\0\0\1", "2001:db8::1:0:0:1" },
	};
	char	text[128];
	size_t	i;

	assert_int_equal(render(DNS_TYPE_A, "\xc0\xa8\7\x0b", 4, text, sizeof(text)), 12);
	assert_string_equal(text, "192.168.7.11");
	assert_int_equal(render(DNS_TYPE_A, "\xc0\xa8\7", 3, text, sizeof(text)), -1);
	assert_int_equal(render(DNS_TYPE_A, "\xc0\xa8\7\1\1", 5, text, sizeof(text)), -1);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		assert_true(render(DNS_TYPE_AAAA, v6[i].bytes, 16, text, sizeof(text)) > 0);
		assert_string_equal(text, v6[i].text);
	}
	assert_int_equal(render(DNS_TYPE_AAAA, v6[0].bytes, 15, text, sizeof(text)), -1);
}

static void
test_render_types(void **state)
{
	char	text[512];
	uint8_t	key[100];
	int	i;

	assert_true(render(DNS_TYPE_MX, "\0\x0a\4mail\7example\3org\0", 20, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "10 mail.example.org.");
	assert_true(render(DNS_TYPE_SRV, "\0\1\0\2\x01\xbb\3www\0", 11, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "1 2 443 www.");
	assert_true(render(DNS_TYPE_CAA, "\0\5issueca.example", 17, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "0 issue \"ca.example\"");
	assert_true(render(DNS_TYPE_TXT, "\3a\x01\x7f\0", 5, text, sizeof(text)) > 0);
	assert_string_equal(text, "\"a\\001\\127\" \"\"");
	assert_true(render(DNS_TYPE_HINFO, "\3ARM\5Linux", 10, text, sizeof(text)) > 0);
	assert_string_equal(text, "\"ARM\" \"Linux\"");
	/* An unknown digest type takes any length; SHA-256 (2) needs 32 bytes. */
	assert_true(render(DNS_TYPE_DS, "\x30\x39\x08\x63\xde\xad\xbe\xef", 8, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "12345 8 99 DEADBEEF");
	assert_int_equal(render(DNS_TYPE_DS, "\x30\x39\x08\x02\xde\xad\xbe\xef", 8, text,
	    sizeof(text)), -1);
	assert_int_equal(render(DNS_TYPE_DS, "\x30\x39\x08\x63", 4, text, sizeof(text)), -1);
	assert_true(render(DNS_TYPE_NAPTR, "\0\144\0\12\1u\7E2U+sip\0\0", 16, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "100 10 \"u\" \"E2U+sip\" \"\" .");

	/* Base64 and hex are split into 56-character words. */
	for (i = 0; i < 100; i++)
		key[i] = (uint8_t)i;
	key[0] = 1;
	key[1] = 0;
	key[2] = 3;
	key[3] = 8;
	assert_true(render(DNS_TYPE_DNSKEY, key, 4 + 45, text, sizeof(text)) > 0);
	assert_string_equal(text, "256 3 8 "
	    "BAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywt Li8w");
	assert_true(render(DNS_TYPE_DNSKEY, key, 4 + 1, text, sizeof(text)) > 0);
	assert_string_equal(text, "256 3 8 BA==");
	assert_true(render(DNS_TYPE_DNSKEY, key, 4 + 2, text, sizeof(text)) > 0);
	assert_string_equal(text, "256 3 8 BAU=");
	assert_true(render(DNS_TYPE_SSHFP, key, 2 + 32, text, sizeof(text)) > 0);
	assert_string_equal(text, "1 0 0308040506070809"
	    "0A0B0C0D0E0F101112131415161718191A1B1C1D 1E1F2021");
	/* Fingerprint type 1 (SHA-1) must be 20 bytes. */
	key[1] = 1;
	assert_int_equal(render(DNS_TYPE_SSHFP, key, 2 + 32, text, sizeof(text)), -1);
	assert_true(render(DNS_TYPE_SSHFP, key, 2 + 20, text, sizeof(text)) > 0);
	assert_string_equal(text, "1 1 0308040506070809"
	    "0A0B0C0D0E0F101112131415");
	key[1] = 0;

	/* RFC 3597 for unknown types; an NSEC type bitmap; an RRSIG. */
	assert_true(render(65280, "\x0a\0\0\1", 4, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 4 0A000001");
	assert_true(render(65280, "", 0, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 0");
	assert_true(render(DNS_TYPE_NSEC, "\1a\0\0\6\x40\x01\0\0\0\3", 11, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "a. A MX RRSIG NSEC");
	assert_true(render(DNS_TYPE_RRSIG,
	    "\0\1\x0d\2\0\0\x0e\x10\x65\x92\x00\x80\x65\x6a\x73\x80\x30\x39\0\xab", 20,
	    text, sizeof(text)) > 0);
	assert_string_equal(text, "A 13 2 3600 20240101000000 20231202000000 12345 . qw==");
	/* A name running out of its RDATA, bytes left over. */
	assert_int_equal(render(DNS_TYPE_MX, "\0\x0a\4mail", 7, text, sizeof(text)), -1);
	assert_int_equal(render(DNS_TYPE_CNAME, "\0\0", 2, text, sizeof(text)), -1);
	/* Output buffers that are too small. */
	assert_int_equal(render(DNS_TYPE_A, "\1\2\3\4", 4, text, 7), -1);
	assert_int_equal(render(DNS_TYPE_A, "\1\2\3\4", 4, text, 8), 7);
}

static void
test_render_newer_types(void **state)
{
	char	text[512];

	/* Expected strings are what host 9.18 printed for the same RDATA. */
	assert_true(render(DNS_TYPE_LOC,
	    "\x00\x12\x16\x13\x89\xd0\xc8\xb8\x80\x72\x5a\x68\x00\x98\x96\x80", 16,
	    text, sizeof(text)) > 0);
	assert_string_equal(text, "45 44 37.816 N 2 4 54.248 E 0.00m 1m 10000m 10m");
	assert_true(render(DNS_TYPE_LOC,
	    "\x00\x33\x00\x00\x70\x00\x00\x00\x7f\xff\xff\xff\x00\x98\x6f\x28", 16,
	    text, sizeof(text)) > 0);
	assert_string_equal(text, "74 33 55.456 S 0 0 0.001 W -100.72m 30m 0.00m 0.00m");
	/* A mantissa of 10 is out of range. */
	assert_int_equal(render(DNS_TYPE_LOC,
	    "\x00\xa2\x16\x13\x89\xd0\xc8\xb8\x80\x72\x5a\x68\x00\x98\x96\x80", 16,
	    text, sizeof(text)), -1);

	assert_true(render(DNS_TYPE_SVCB,
	    "\x00\x01\x00\x00\x01\x00\x03\x02h2\x00\x03\x00\x02\x00\x50"
	    "\x00\x04\x00\x04\xc0\x00\x02\x01", 24, text, sizeof(text)) > 0);
	assert_string_equal(text, "1 . alpn=\"h2\" port=80 ipv4hint=192.0.2.1");
	assert_true(render(DNS_TYPE_HTTPS,
	    "\x00\x01\x00\x00\x01\x00\x0a\x05h2,h3\x03\x61\\b\x13\xea\x00\x00", 21,
	    text, sizeof(text)) > 0);
	assert_string_equal(text, "1 . alpn=\"h2\\\\,h3,a\\\\\\\\b\" key5098");
	/* An alpn id running past its parameter. */
	assert_int_equal(render(DNS_TYPE_SVCB, "\x00\x01\x00\x00\x01\x00\x02\x05h", 9,
	    text, sizeof(text)), -1);

	assert_true(render(DNS_TYPE_WKS, "\x0a\x00\x00\x01\x06\xe0", 6, text,
	    sizeof(text)) > 0);
	assert_string_equal(text, "10.0.0.1 6 0 1 2");
	assert_true(render(DNS_TYPE_CERT, "\x00\x01\x30\x39\x08\x00\x01\x02\x03\x04\x05", 11,
	    text, sizeof(text)) > 0);
	assert_string_equal(text, "PKIX 12345 RSASHA256 AAECAwQF");

	/* NSEC bitmaps with a trailing zero octet or windows out of order. */
	assert_int_equal(render(DNS_TYPE_NSEC, "\0\0\2\x40\0", 5, text, sizeof(text)), -1);
	assert_int_equal(render(DNS_TYPE_NSEC, "\0\1\1\x40\0\1\x40", 7, text,
	    sizeof(text)), -1);
	assert_true(render(DNS_TYPE_NSEC, "\0\0\1\x40\1\1\x40", 7, text, sizeof(text)) > 0);
	assert_string_equal(text, ". A CAA");
}

/* Build one answer record of the given type and return the check's verdict. */
static const char *
check(uint16_t type, const void *rdata, size_t rdlen)
{
	static uint8_t		buf[2048];
	struct dnswire_builder	b;
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	size_t			len;

	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, root, type,
	    DNS_CLASS_IN, 300), 0);
	assert_int_equal(dnswire_builder_rdata_bytes(&b, rdata, rdlen), 0);
	assert_int_equal(dnswire_builder_rr_end(&b), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_parser_init(&p, buf, len), 0);
	assert_int_equal(dnswire_parse_rr(&p, &rr), 1);
	return dnswire_rdata_check(buf, len, &rr);
}

static void
test_rdata_check(void **state)
{
	uint8_t	ds[4 + 33] = { 0x30, 0x39, 8, 2 };

	assert_null(check(DNS_TYPE_A, "\1\2\3\4", 4));
	assert_string_equal(check(DNS_TYPE_A, "\1\2\3", 3), "unexpected end of input");
	assert_string_equal(check(DNS_TYPE_A, "\1\2\3\4\5", 5), "extra input data");
	assert_null(check(DNS_TYPE_DS, ds, 4 + 32));
	assert_string_equal(check(DNS_TYPE_DS, ds, 4 + 33), "extra input data");
	assert_string_equal(check(DNS_TYPE_DS, ds, 4 + 31), "unexpected end of input");
	assert_string_equal(check(DNS_TYPE_NSEC, "\0\0\2\x40\0", 5), "FORMERR");
	assert_null(check(65280, "", 0));
}

/* Types host 9.18 prints in presentation form, with the rules BIND uses
 * to reject their RDATA. */
static void
test_render_legacy_types(void **state)
{
	static const uint8_t	nxt[] = "\4next\4test\0\x40\x06";
	static const uint8_t	hip[] = "\x04\x02\0\4\x20\x01\x07\xb8\1\2\3\4\4rvs1\4test";
	static const uint8_t	tkey[] = "\4hsma\0\x5f\x5e\x10\0\x5f\x5e\x10\0\0\3\0\x10"
				    "\0\4\1\2\3\4\0\2\1\xff";
	static const uint8_t	dsync[] = "\0\x3b\1\x14\xdf\4targ\4test";
	char			text[256];

	assert_true(render(DNS_TYPE_NXT, nxt, sizeof(nxt) - 1, text, sizeof(text)) > 0);
	assert_string_equal(text, "next.test. A HINFO MINFO");
	assert_true(render(DNS_TYPE_HIP, hip, sizeof(hip), text, sizeof(text)) > 0);
	assert_string_equal(text, "2 200107B8 AQIDBA== rvs1.test.");
	assert_true(render(DNS_TYPE_TKEY, tkey, sizeof(tkey) - 1, text, sizeof(text)) > 0);
	assert_string_equal(text, "hsma. 1600000000 1600000000 3 BADSIG 4 AQIDBA== 2 Af8=");
	assert_true(render(DNS_TYPE_DSYNC, dsync, sizeof(dsync), text, sizeof(text)) > 0);
	assert_string_equal(text, "CDS NOTIFY 5343 targ.test.");
	assert_true(render(DNS_TYPE_SINK, "\1\2\3", 3, text, sizeof(text)) > 0);
	assert_string_equal(text, "1 2 3");
	assert_true(render(DNS_TYPE_SINK, "\1\2\3\xde\xad", 5, text, sizeof(text)) > 0);
	assert_string_equal(text, "1 2 3 3q0=");
	assert_true(render(DNS_TYPE_NSAP_PTR, "\4targ\4test", 11, text, sizeof(text)) > 0);
	assert_string_equal(text, "targ.test.");
	assert_true(render(DNS_TYPE_WALLET, "\3BTC\3abc", 8, text, sizeof(text)) > 0);
	assert_string_equal(text, "\"BTC\" \"abc\"");
	assert_true(render(DNS_TYPE_HHIT, "\1\2\3", 3, text, sizeof(text)) > 0);
	assert_string_equal(text, "AQID");
	/* Another LOC version, or an APL family beyond IPv4 and IPv6, is
	 * printed in the generic form. */
	assert_true(render(DNS_TYPE_LOC, "\1\2", 2, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 2 0102");
	assert_true(render(DNS_TYPE_APL, "\0\3\x18\2\1\2", 6, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 6 000318020102");

	assert_string_equal(check(DNS_TYPE_NXT, "\4next\0\x40\0", 8), "bad bitmap");
	assert_string_equal(check(DNS_TYPE_NXT, "\4next\0\x80\x40", 8), "bad bitmap");
	assert_string_equal(check(DNS_TYPE_HIP, "\x04\x02\0\0\1\2\3\4", 8), "FORMERR");
	assert_string_equal(check(DNS_TYPE_RKEY, "\1\0\3\x08\1\2", 6), "FORMERR");
	assert_null(check(DNS_TYPE_RKEY, "\0\0\3\x08\1\2", 6));
	assert_string_equal(check(DNS_TYPE_EUI48, "\1\2\3\4\5\6\7\x08", 8), "FORMERR");
	assert_string_equal(check(DNS_TYPE_CAA, "\0\2a-b", 5), "FORMERR");
	assert_string_equal(check(DNS_TYPE_HHIT, "", 0), "unexpected end of input");
	assert_string_equal(check(DNS_TYPE_NS, "\1\2\3", 3), "unexpected end of input");
	assert_string_equal(check(DNS_TYPE_L32, "\0\1\2\3\4\5\6", 7), "FORMERR");
}

/* The obsolete mailbox types that 020-hostq-diff does not serve, and
 * types that host 9.18 prints in the generic form, as it printed them. */
static void
test_render_mailbox_types(void **state)
{
	static const uint16_t	mailbox[] = {
		DNS_TYPE_MD, DNS_TYPE_MF, DNS_TYPE_MB, DNS_TYPE_MG, DNS_TYPE_MR
	};
	char			text[64];
	size_t			i;

	for (i = 0; i < sizeof(mailbox) / sizeof(mailbox[0]); i++) {
		assert_int_equal(render(mailbox[i], "\4mail\4test", 11, text, sizeof(text)), 10);
		assert_string_equal(text, "mail.test.");
		assert_int_equal(render(mailbox[i], "\4mail", 5, text, sizeof(text)), -1);
	}
	assert_true(render(DNS_TYPE_UID, "\1\2\3\4", 4, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 4 01020304");
	assert_true(render(DNS_TYPE_UNSPEC, "\1\2", 2, text, sizeof(text)) > 0);
	assert_string_equal(text, "\\# 2 0102");
}

static void
test_edns(void **state)
{
	uint8_t			buf[512];
	static const uint8_t	opts[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 0, 0 };
	struct dnswire_builder	b;
	struct dnswire_edns	e;
	struct dnswire_header	h;
	size_t			len, pos = 0, dataoff;
	uint16_t		code, datalen;

	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	dnswire_builder_header(&b, 1, DNS_FLAG_QR | DNS_RCODE_NOERROR);
	assert_int_equal(dnswire_builder_opt(&b, 4096, 1, 0, 0, opts, sizeof(opts)), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_edns_find(buf, len, &e), 1);
	assert_int_equal(dnswire_header_read(buf, len, &h), 12);
	assert_int_equal(dnswire_rcode(&h, &e), DNS_RCODE_BADVERS);
	assert_int_equal(dnswire_rcode(&h, NULL), 0);
	assert_int_equal(dnswire_edns_option(buf, &e, &pos, &code, &dataoff, &datalen), 1);
	assert_int_equal(code, 10);
	assert_int_equal(datalen, 8);
	assert_int_equal(buf[dataoff], 1);
	assert_int_equal(dnswire_edns_option(buf, &e, &pos, &code, &dataoff, &datalen), 1);
	assert_int_equal(code, 3);
	assert_int_equal(datalen, 0);
	assert_int_equal(dnswire_edns_option(buf, &e, &pos, &code, &dataoff, &datalen), 0);

	/* An option that overruns the RDATA. */
	buf[len - 1] = 1;
	assert_int_equal(dnswire_edns_find(buf, len, &e), -1);
	/* An option header cut short. */
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_opt(&b, 512, 0, 0, 0, opts, 3), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_edns_find(buf, len, &e), -1);

	/* Two OPT records, and one in the answer section. */
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_opt(&b, 512, 0, 0, 0, NULL, 0), 0);
	assert_int_equal(dnswire_builder_opt(&b, 512, 0, 0, 0, NULL, 0), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_edns_find(buf, len, &e), -1);
	assert_int_equal(dnswire_builder_init(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(dnswire_builder_rr_begin(&b, DNS_SECTION_ANSWER, root, DNS_TYPE_OPT,
	    512, 0), 0);
	assert_int_equal(dnswire_builder_rr_end(&b), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(dnswire_edns_find(buf, len, &e), -1);
	/* An OPT whose owner is not the root. */
	buf[12] = 0xc0;
	assert_int_equal(dnswire_edns_find(buf, len, &e), -1);
}

/* The type names, their ranges and their formats are parallel tables: a
 * type missing from one shifts every later name.  Names from the IANA
 * registry across all ranges, and a round trip for every type. */
static void
test_type_names_aligned(void **state)
{
	static const struct {
		uint16_t	 type;
		const char	*name;
	} iana[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 13, "HINFO" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
		{ 33, "SRV" }, { 35, "NAPTR" }, { 39, "DNAME" }, { 41, "OPT" },
		{ 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
		{ 50, "NSEC3" }, { 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 99, "SPF" }, { 250, "TSIG" }, { 252, "AXFR" }, { 255, "ANY" },
		{ 256, "URI" }, { 257, "CAA" }, { 32768, "TA" }, { 32769, "DLV" },
	};
	char		buf[DNS_TYPE_TEXT_MAX];
	uint16_t	v;
	size_t		i;
	unsigned int	t;

	for (i = 0; i < sizeof(iana) / sizeof(iana[0]); i++)
		assert_string_equal(dnswire_type_name(iana[i].type, buf), iana[i].name);
	for (t = 0; t <= UINT16_MAX; t++) {
		assert_int_equal(dnswire_type_from_text(dnswire_type_name((uint16_t)t, buf), &v), 0);
		assert_int_equal(v, t);
	}
}

static void
test_mnemonics(void **state)
{
	char		buf[DNS_TYPE_TEXT_MAX];
	uint16_t	v;

	assert_string_equal(dnswire_type_name(DNS_TYPE_AAAA, buf), "AAAA");
	assert_string_equal(dnswire_type_name(65280, buf), "TYPE65280");
	assert_int_equal(dnswire_type_from_text("mx", &v), 0);
	assert_int_equal(v, DNS_TYPE_MX);
	assert_int_equal(dnswire_type_from_text("TYPE257", &v), 0);
	assert_int_equal(v, DNS_TYPE_CAA);
	assert_int_equal(dnswire_type_from_text("type65535", &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(dnswire_type_from_text("TYPE65536", &v), -1);
	assert_int_equal(dnswire_type_from_text("TYPE", &v), -1);
	assert_int_equal(dnswire_type_from_text("TYPE1x", &v), -1);
	assert_int_equal(dnswire_type_from_text("BOGUS", &v), -1);
	assert_string_equal(dnswire_class_name(DNS_CLASS_CH, buf), "CH");
	assert_string_equal(dnswire_class_name(7, buf), "CLASS7");
	assert_int_equal(dnswire_class_from_text("chaos", &v), -1);
	assert_int_equal(dnswire_class_from_text("ch", &v), 0);
	assert_int_equal(v, DNS_CLASS_CH);
	assert_string_equal(dnswire_rcode_name(3, buf), "NXDOMAIN");
	assert_string_equal(dnswire_rcode_name(12, buf), "RESERVED12");
	assert_string_equal(dnswire_rcode_name(16, buf), "BADVERS");
	assert_string_equal(dnswire_rcode_name(4000, buf), "4000");
	assert_string_equal(dnswire_opcode_name(5, buf), "UPDATE");
	assert_string_equal(dnswire_opcode_name(9, buf), "RESERVED9");
}

/* Run a message through every decoder; none may read outside it. */
static void
exercise(const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_question	q;
	static const uint16_t	every_type[] = {
		DNS_TYPE_A, DNS_TYPE_NS, DNS_TYPE_SOA, DNS_TYPE_WKS, DNS_TYPE_HINFO,
		DNS_TYPE_MX, DNS_TYPE_TXT, DNS_TYPE_RP, DNS_TYPE_AAAA, DNS_TYPE_LOC,
		DNS_TYPE_SRV, DNS_TYPE_NAPTR, DNS_TYPE_CERT, DNS_TYPE_DS, DNS_TYPE_SSHFP,
		DNS_TYPE_RRSIG, DNS_TYPE_NSEC, DNS_TYPE_DNSKEY, DNS_TYPE_NSEC3,
		DNS_TYPE_NSEC3PARAM, DNS_TYPE_TLSA, DNS_TYPE_SVCB, DNS_TYPE_URI,
		DNS_TYPE_CAA, DNS_TYPE_A6, DNS_TYPE_APL, DNS_TYPE_IPSECKEY, DNS_TYPE_AMTRELAY,
		DNS_TYPE_ATMA, DNS_TYPE_NID, DNS_TYPE_EUI48, DNS_TYPE_CSYNC, DNS_TYPE_SIG,
		DNS_TYPE_DOA, DNS_TYPE_HTTPS, 65280,
	};
	struct dnswire_rr	rr, other;
	struct dnswire_edns	e;
	char			text[8192];
	uint8_t			name[DNS_NAME_MAX];
	size_t			off, namelen, i;

	if (dnswire_parser_init(&p, msg, len) == -1)
		return;
	while (dnswire_parse_question(&p, &q) == 1)
		assert_true(q.namelen <= DNS_NAME_MAX);
	while (dnswire_parse_rr(&p, &rr) == 1) {
		assert_true(rr.rdoff + rr.rdlength <= len);
		dnswire_rdata_to_text(msg, len, &rr, text, sizeof(text));
		/* The same RDATA read as every type with its own renderer. */
		other = rr;
		for (i = 0; i < sizeof(every_type) / sizeof(every_type[0]); i++) {
			other.type = every_type[i];
			dnswire_rdata_to_text(msg, len, &other, text, sizeof(text));
			dnswire_rdata_check(msg, len, &other);
		}
		assert_true(dnswire_name_to_text(rr.name, text, sizeof(text), 1) > 0);
		if (rr.type == DNS_TYPE_OPT)
			dnswire_edns_from_rr(msg, len, &rr, &e);
	}
	dnswire_edns_find(msg, len, &e);
	for (off = 0; off < len; off += 7)
		if (dnswire_name_unpack(msg, len, off, name, &namelen) > 0)
			assert_true(namelen <= DNS_NAME_MAX);
}

/* A valid reply with many record kinds, to mutate. */
static size_t
sample_reply(uint8_t *buf, size_t cap)
{
	uint8_t			name[DNS_NAME_MAX], t[DNS_NAME_MAX];
	static const uint8_t	a4[4] = { 10, 1, 2, 3 };
	static const uint8_t	a6[16] = { 0x20, 1, 0xd, 0xb8, [15] = 1 };
	const char		*s[1] = { "hello" };
	size_t			l[1] = { 5 };
	struct dnswire_builder	b;
	struct dnswire_soa	soa = { NULL, NULL, 1, 2, 3, 4, 5 };

	wire("node.cluster.local", name);
	wire("other.cluster.local", t);
	soa.mname = t;
	soa.rname = name;
	assert_int_equal(dnswire_builder_init(&b, buf, cap, 0), 0);
	dnswire_builder_question(&b, name, DNS_TYPE_ANY, DNS_CLASS_IN);
	dnswire_builder_a(&b, DNS_SECTION_ANSWER, name, 1, a4);
	dnswire_builder_aaaa(&b, DNS_SECTION_ANSWER, name, 1, a6);
	dnswire_builder_mx(&b, DNS_SECTION_ANSWER, name, 1, 5, t);
	dnswire_builder_srv(&b, DNS_SECTION_ANSWER, name, 1, 1, 2, 3, t);
	dnswire_builder_txt(&b, DNS_SECTION_ANSWER, name, 1, s, l, 1);
	dnswire_builder_name_rr(&b, DNS_SECTION_ANSWER, name, DNS_TYPE_CNAME, 1, t);
	dnswire_builder_soa(&b, DNS_SECTION_AUTHORITY, name, 1, &soa);
	dnswire_builder_opt(&b, 1232, 0, 0, 0, (const uint8_t *)"\0\12\0\2ab", 6);
	return dnswire_builder_finish(&b);
}

static void
test_random_messages(void **state)
{
	uint8_t		good[1024], msg[1024];
	uint8_t		*heap;
	size_t		goodlen, len, i;
	int		round, n, j;

	srandom(20261204);
	goodlen = sample_reply(good, sizeof(good));
	assert_int_equal(count_rrs(good, goodlen), 8);
	for (round = 0; round < 4000; round++) {
		if (round % 4 == 0) {
			/* Pure noise with a plausible header. */
			len = (size_t)(random() % 300);
			for (i = 0; i < len; i++)
				msg[i] = (uint8_t)random();
			if (len >= 12)
				for (i = 4; i < 12; i++)
					msg[i] = (uint8_t)(i % 2 == 0 ? 0 : random() % 8);
		} else {
			/* A valid reply with a few bytes changed, or cut short. */
			memcpy(msg, good, goodlen);
			len = goodlen;
			n = 1 + (int)(random() % 6);
			for (j = 0; j < n; j++)
				msg[random() % (long)len] = (uint8_t)(random() %
				    (round % 3 == 0 ? 256 : 8) | (random() % 5 == 0 ? 0xc0 : 0));
			if (round % 5 == 0)
				len = (size_t)(random() % (long)len);
		}
		/* An exact-size heap copy lets the sanitizer catch overreads. */
		heap = malloc(len == 0 ? 1 : len);
		assert_non_null(heap);
		memcpy(heap, msg, len);
		exercise(heap, len);
		free(heap);
	}
}

/* Check dnswire_name_copy_lower against a byte-wise copy and lowering, and
 * its hash against dnswire_name_hash of both cases, for names of every
 * length from the root to 255 bytes. */
static void
test_name_copy_lower(void **state)
{
	static const char	chars[] = "aZ-_09mQ\xc3\x80@[`{";
	uint8_t			src[DNS_NAME_MAX], name[DNS_NAME_MAX], lname[DNS_NAME_MAX];
	uint8_t			want[DNS_NAME_MAX];
	size_t			len, off, label, k, round;
	uint32_t		h;

	(void)state;
	srand(7);
	for (round = 0; round < 20; round++) {
		for (len = 1; len <= DNS_NAME_MAX; len++) {
			/* Labels of random length that end exactly at len - 1. */
			for (off = 0; off < len - 1; off += label + 1) {
				label = 1 + (size_t)rand() % 63;
				if (off + 1 + label > len - 1)
					label = len - 2 - off;
				if (label == 0) {	/* one byte left: no room for a label */
					break;
				}
				src[off] = (uint8_t)label;
				for (k = 1; k <= label; k++)
					src[off + k] = (uint8_t)chars[(size_t)rand() % (sizeof(chars) - 1)];
			}
			if (off != len - 1)
				continue;	/* this length cannot end a name here */
			src[len - 1] = 0;
			assert_int_equal(dnswire_name_len(src), len);
			memset(name, 0xee, sizeof(name));
			memset(lname, 0xee, sizeof(lname));
			h = dnswire_name_copy_lower(src, len, name, lname);
			assert_memory_equal(name, src, len);
			for (k = 0; k < len; k++)
				want[k] = src[k] >= 'A' && src[k] <= 'Z' ? (uint8_t)(src[k] + 32) : src[k];
			assert_memory_equal(lname, want, len);
			/* Nothing written past the name. */
			if (len < DNS_NAME_MAX) {
				assert_int_equal(name[len], 0xee);
				assert_int_equal(lname[len], 0xee);
			}
			assert_int_equal(h, dnswire_name_hash(src));
			assert_int_equal(h, dnswire_name_hash(want));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_from_text),
		cmocka_unit_test(test_name_to_text),
		cmocka_unit_test(test_name_compare),
		cmocka_unit_test(test_name_reverse),
		cmocka_unit_test(test_name_unpack),
		cmocka_unit_test(test_query_roundtrip),
		cmocka_unit_test(test_parser_bad),
		cmocka_unit_test(test_builder_compression),
		cmocka_unit_test(test_builder_truncation),
		cmocka_unit_test(test_builder_txt_soa),
		cmocka_unit_test(test_render_addresses),
		cmocka_unit_test(test_render_types),
		cmocka_unit_test(test_render_newer_types),
		cmocka_unit_test(test_rdata_check),
		cmocka_unit_test(test_render_legacy_types),
		cmocka_unit_test(test_render_mailbox_types),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_mnemonics),
		cmocka_unit_test(test_type_names_aligned),
		cmocka_unit_test(test_random_messages),
		cmocka_unit_test(test_name_copy_lower),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
