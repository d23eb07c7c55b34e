/* fuzz_dnsquery.c -- libFuzzer harness: each input is a client's query to dnsd's real query handler (parse, local answer, cache, routing); every reply must parse. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsfuzz.h"

static uint8_t	out[DNS_MSG_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static double		now = 1000.0;
	struct query		q;
	enum query_verdict	v;
	size_t			outlen = 0;
	int			idx[FORWARD_TRIES], n, i, tcp;

	if (dnsfuzz_st.conf == NULL)
		dnsfuzz_setup();
	now += 1.0;
	/* The ID is arbitrary to dnsd, so its low bit picks UDP or TCP. */
	tcp = size >= 2 && (data[1] & 1);
	memset(&q, 0, sizeof(q));
	v = query_parse(&dnsfuzz_st, data, size, tcp, &q, out, sizeof(out), &outlen);
	if (v == QUERY_DROP)
		return 0;
	if (v == QUERY_REPLY) {
		dnsfuzz_check_reply(NULL, out, outlen, sizeof(out));
		return 0;
	}
	netaddr_parse("127.0.0.1", &q.from);
	v = query_answer(&dnsfuzz_st, &q, out, sizeof(out), &outlen, now);
	if (v == QUERY_REPLY) {
		dnsfuzz_check_reply(&q, out, outlen, sizeof(out));
		return 0;
	}
	if (v != QUERY_FORWARD)
		return 0;
	n = query_route(&dnsfuzz_st, q.name, idx, FORWARD_TRIES, now);
	if (n < 0 || n > FORWARD_TRIES)
		abort();
	for (i = 0; i < n; i++)
		if (idx[i] < 0 || idx[i] >= dnsfuzz_conf.nservers)
			abort();
	(void)query_may_forward(&dnsfuzz_st, &q.from);
	outlen = query_error(&q, DNS_RCODE_SERVFAIL, out, sizeof(out));
	dnsfuzz_check_reply(&q, out, outlen, sizeof(out));
	return 0;
}
