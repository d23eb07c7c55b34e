/* fuzz_dnsreply.c -- libFuzzer harness: each input is an upstream's reply, read as hostq prints it and as dnsd's forwarder caches and relays it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dnsfuzz.h"
#include "../../applets/hostq/hostq.h"

static struct hostq		h;
static struct hostq_reply	reply;
static struct hostq_server	server;
static uint8_t			qbuf[512], out[DNS_MSG_MAX];

/* hostq prints every reply; output_message must survive any of them. */
static void
hostq_side(const uint8_t *data, size_t size, int verbose)
{
	memset(&h, 0, sizeof(h));
	h.verbose = verbose;
	h.recurse = 1;
	h.ndots = 1;
	h.qtype = DNS_TYPE_A;
	h.qclass = DNS_CLASS_IN;
	h.port = 53;
	h.seen_error = -1;
	snprintf(server.name, sizeof(server.name), "127.0.0.1");
	netaddr_parse("127.0.0.1", &server.addr);
	memcpy(reply.msg, data, size);
	reply.len = size;
	reply.server = &server;
	reply.elapsed_ms = 1;
	(void)output_message(&h, &reply, "fuzz.test");
	if (verbose)
		output_received(&h, &reply);
	fflush(stdout);
}

/* dnsd's forwarder: a client asked the reply's question; the reply is
 * cached and relayed (forward.c's answer), then served from the cache. */
static void
forwarder_side(const uint8_t *data, size_t size, int edns, int tcp, double now)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct query		q, q2;
	size_t			outlen;
	uint32_t		ttl;
	int			qlen;

	/* Each input starts with an empty cache, so that a crash replays alone. */
	cache_clear(&dnsfuzz_st.cache);
	if (dnswire_parser_init(&p, data, size) == -1 || !(p.hdr.flags & DNS_FLAG_QR) ||
	    p.hdr.count[DNS_SECTION_QUESTION] != 1 || dnswire_parse_question(&p, &qu) != 1)
		return;
	qlen = dnswire_query(qbuf, sizeof(qbuf), 0x4242, DNS_FLAG_RD, qu.name, qu.qtype,
	    qu.qclass, edns ? 1232 : 0);
	if (qlen < 0)
		return;
	memset(&q, 0, sizeof(q));
	if (query_parse(&dnsfuzz_st, qbuf, (size_t)qlen, tcp, &q, out, sizeof(out),
	    &outlen) != QUERY_FORWARD)
		return;
	netaddr_parse("127.0.0.1", &q.from);
	if ((ttl = query_cache_ttl(&dnsfuzz_st, data, size)) > 0) {
		/* As forward.c stores it: with the offsets of its TTL fields
		 * when it has them, so the hit below takes the fast relay. */
		(void)query_cache_store(&dnsfuzz_st, &q, data, size, ttl, now);
		if (cache_check(&dnsfuzz_st.cache) == -1)
			abort();
	}
	outlen = query_relay(&q, data, size, 0, 0, out, sizeof(out));
	if (outlen > 0)
		dnsfuzz_check_reply(&q, out, outlen, sizeof(out));
	/* The same question again, a second later: from the cache when stored. */
	q2 = q;
	q2.id = 0x1717;
	if (query_answer(&dnsfuzz_st, &q2, out, sizeof(out), &outlen, now + 1.0) ==
	    QUERY_REPLY) {
		dnsfuzz_check_reply(&q2, out, outlen, sizeof(out));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static double	now = 1000.0;
	uint8_t		mode;

	if (dnsfuzz_st.conf == NULL) {
		dnsfuzz_setup();
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
	}
	if (size > DNS_MSG_MAX)
		return 0;
	now += 100.0;
	/* The reply's ID is arbitrary to both readers: its low bits pick the mode. */
	mode = size >= 2 ? data[1] : 0;
	(void)dnsfuzz_walk(data, size);
	hostq_side(data, size, mode & 1);
	forwarder_side(data, size, mode & 2, mode & 4, now);
	return 0;
}
