/* dnsfuzz.h -- what the DNS harnesses share: a dnsd set up in memory from config lines and a hosts file, and a reply checker. */
#ifndef EDGEBOX_DNSFUZZ_H
#define EDGEBOX_DNSFUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "dnswire.h"
#include "../../applets/dnsd/dnsd.h"

static struct dnsd_conf		dnsfuzz_conf;
static struct dnsd_state	dnsfuzz_st;

/* A config like the reference one (tests/data/dnsmasq.conf) with every
 * kind of local record, upstreams on loopback and no file but the hosts file. */
static const char *const dnsfuzz_lines[] = {
	"no-hosts",
	"no-resolv",
	"domain=edge.example.org",
	"expand-hosts",
	"local=/edge.example.org/",
	"server=127.0.0.1#5353",
	"server=/corp.test/127.0.0.2",
	"server=/local.test/",
	"address=/ads.test/0.0.0.0",
	"address=/block.test/",
	"host-record=h.test,192.0.2.5,2001:db8::5",
	"cname=alias.test,h.test",
	"cname=loop.test,loop.test",
	"mx-host=mx.test,h.test,10",
	"srv-host=_ldap._tcp.test,h.test,389,1,2",
	"txt-record=txt.test,\"v=spf1 -all\",\"two\"",
	"ptr-record=5.2.0.192.in-addr.arpa,h.test",
	"cache-size=64",
	"local-ttl=5",
	"neg-ttl=30",
	"max-ttl=600",
	NULL
};

static const char dnsfuzz_hosts[] =
	"127.0.0.1\tlocalhost\n"
	"::1\tlocalhost ip6-localhost\n"
	"192.168.7.11\tx-k3s-m-1 etcd apiserver\n"
	"192.168.7.12\tx-k3s-m-2 etcd apiserver\n"
	"192.168.7.13\tx-k3s-m-3 etcd\n"
	"fd00::7:11\tx-k3s-m-1\n"
	"192.168.7.20\tnode.sub.edge.example.org\n";

/* Build dnsd's state once, as dnsd's start() does. */
static void
dnsfuzz_setup(void)
{
	struct conf_parser	 p;
	struct conf_directive	*table;
	size_t			 ntable;
	const char		*path;
	char			 line[128];
	int			 i;

	fuzz_silence();
	path = fuzz_file_write((const uint8_t *)dnsfuzz_hosts, sizeof(dnsfuzz_hosts) - 1);
	dnsconf_defaults(&dnsfuzz_conf);
	if ((table = dnsconf_table_new(&ntable)) == NULL)
		abort();
	conf_init(&p, CONF_DNSMASQ, table, ntable, &dnsfuzz_conf);
	p.sink = fuzz_quiet;
	for (i = 0; dnsfuzz_lines[i] != NULL; i++)
		conf_parse_line(&p, "fuzz", i + 1, dnsfuzz_lines[i]);
	snprintf(line, sizeof(line), "addn-hosts=%s", path);
	conf_parse_line(&p, "fuzz", i + 1, line);
	free(table);
	if (p.errors != 0)
		abort();
	memset(&dnsfuzz_st, 0, sizeof(dnsfuzz_st));
	dnsfuzz_st.conf = &dnsfuzz_conf;
	dnsfuzz_st.hostsfile = "/nonexistent";
	if (query_setup(&dnsfuzz_st) == -1 ||
	    hosts_build(&dnsfuzz_st.records, &dnsfuzz_conf, "/nonexistent", fuzz_quiet, NULL) == -1 ||
	    dnsfuzz_st.records.nrrs == 0 ||
	    cache_init(&dnsfuzz_st.cache, (size_t)dnsfuzz_conf.cache_size) == -1)
		abort();
}

/*
 * Read a message the way host or the forwarder would: every question and
 * record, the text of every RDATA, the EDNS options.  Returns the number
 * of records, or -1 when the message is malformed.
 */
static int
dnsfuzz_walk(const uint8_t *msg, size_t len)
{
	static char		text[8192];
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct dnswire_rr	rr;
	struct dnswire_edns	edns;
	size_t			pos = 0, dataoff;
	uint16_t		code, datalen;
	int			k, n = 0, bad = 0;

	if (dnswire_parser_init(&p, msg, len) == -1)
		return -1;
	while ((k = dnswire_parse_question(&p, &qu)) == 1)
		if (dnswire_name_to_text(qu.name, text, sizeof(text), 1) == -1)
			abort();
	if (k == -1)
		return -1;
	while ((k = dnswire_parse_rr(&p, &rr)) == 1) {
		n++;
		if (rr.rdoff + rr.rdlength > len)
			abort();
		if (dnswire_name_to_text(rr.name, text, sizeof(text), 1) == -1)
			abort();
		if (dnswire_rdata_to_text(msg, len, &rr, text, sizeof(text)) == -1)
			bad = 1;
		else if (memchr(text, '\0', sizeof(text)) == NULL)
			abort();
	}
	if (k == -1)
		return -1;
	if (dnswire_edns_find(msg, len, &edns) == 1) {
		while ((k = dnswire_edns_option(msg, &edns, &pos, &code, &dataoff,
		    &datalen)) == 1)
			if (dataoff + datalen > len)
				abort();
	}
	return bad ? -2 : n;
}

/* The offset where the last record of msg ends (0 when malformed). */
static size_t
dnsfuzz_records_end(const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			k;

	if (dnswire_parser_init(&p, msg, len) == -1)
		return 0;
	while ((k = dnswire_parse_rr(&p, &rr)) == 1)
		;
	return k == 0 ? p.off : 0;
}

/* The number of byte pairs in msg that could be name pointers (to an
 * earlier offset).  Errs towards more. */
static int
dnsfuzz_pointer_count(const uint8_t *msg, size_t len)
{
	size_t	i;
	int	n = 0;

	for (i = DNS_HEADER_LEN; i + 1 < len; i++)
		if ((msg[i] & 0xc0) == 0xc0 && ((size_t)(msg[i] & 0x3f) << 8 | msg[i + 1]) < i)
			n++;
	return n;
}

/* A reply that dnsd built must be well formed, answer the query's ID and
 * question, and fit the client's limit. */
static void
dnsfuzz_check_reply(const struct query *q, const uint8_t *out, size_t outlen, size_t cap)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;

	if (outlen < DNS_HEADER_LEN || outlen > cap) {
		fprintf(stderr, "reply of %zu bytes\n", outlen);
		abort();
	}
	if (q != NULL && q->limit > 0 && outlen > q->limit && !q->tcp) {
		fprintf(stderr, "reply of %zu bytes over the client's limit of %zu\n", outlen,
		    q->limit);
		abort();
	}
	if (dnsfuzz_walk(out, outlen) == -1) {
		fprintf(stderr, "dnsd built a malformed reply of %zu bytes\n", outlen);
		abort();
	}
	if (dnswire_parser_init(&p, out, outlen) == -1 || !(p.hdr.flags & DNS_FLAG_QR))
		abort();
	if (q == NULL)
		return;
	if (p.hdr.id != q->id)
		abort();
	if (q->has_question && p.hdr.count[DNS_SECTION_QUESTION] == 1) {
		if (dnswire_parse_question(&p, &qu) != 1 || qu.qtype != q->qtype ||
		    qu.qclass != q->qclass || !dnswire_name_equal(qu.name, q->name)) {
			fprintf(stderr, "reply answers another question\n");
			abort();
		}
	}
}

#endif
