/* compare.c -- hostq -C: the SOA record from every authoritative server of a zone, as host prints it. */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "hostq.h"
#include "lookup.h"

/* The addresses of the zone's name servers, which all get the SOA query. */
static struct hostq_server	compare_servers[HOSTQ_SOA_SERVERS_MAX];
static int			compare_nservers;

/* The reply buffer is 64 KiB: keep it off the stack. */
static struct hostq_reply	compare_reply;

/* The name as typed, for the "not found: 3(NXDOMAIN)" line. */
static const char		*compare_text;

/*
 * Add the addresses of one NS name.  host 9.18 looks them up with the
 * system resolver (getaddrinfo; here lookup_addrs), not with the server it asked for the NS
 * records, and it reports a name without addresses on stdout and goes on.
 */
static void
compare_add_servers(const struct hostq *h, const char *nsname)
{
	struct netaddr		 addrs[HOSTQ_NS_ADDRS_MAX];
	struct hostq_server	*s;
	int			 n, i;

	n = lookup_addrs(nsname, h->family == 0 ? AF_UNSPEC : h->family, &lookup_system_conf,
	    addrs, HOSTQ_NS_ADDRS_MAX);
	if (n < 0) {
		printf("couldn't get address for '%s': not found\n", nsname);
		return;
	}
	for (i = 0; i < n && compare_nservers < HOSTQ_SOA_SERVERS_MAX; i++) {
		s = &compare_servers[compare_nservers++];
		memset(s, 0, sizeof(*s));
		s->addr = addrs[i];
		/* The "Name:" line of "Using domain server:" shows the NS name. */
		snprintf(s->name, sizeof(s->name), "%.255s", nsname);
	}
}

/* Collect the servers named by the NS records of the answer section. */
static void
compare_collect(const struct hostq *h, const struct hostq_reply *r)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	uint8_t			target[DNS_NAME_MAX];
	char			text[DNS_NAME_TEXT_MAX];
	size_t			len;

	compare_nservers = 0;
	if (dnswire_parser_init(&p, r->msg, r->len) == -1)
		return;
	while (dnswire_parse_rr(&p, &rr) == 1) {
		if (rr.section != DNS_SECTION_ANSWER || rr.type != DNS_TYPE_NS)
			continue;
		if (dnswire_rdata_name(r->msg, r->len, &rr, rr.rdoff, target, &len) == -1)
			continue;
		output_name(target, text, sizeof(text));
		compare_add_servers(h, text);
	}
}

/* Print one SOA reply.  A malformed one ends the lookup (-1), because host
 * cancels its other queries after a bad packet. */
static int
compare_print(struct hostq *h, const struct hostq_reply *r)
{
	if (output_message(h, r, compare_text) == -1)
		return -1;
	output_received(h, r);
	return 0;
}

void
compare_soa(struct hostq *h, const char *text, int use_search)
{
	uint8_t		names[HOSTQ_MAXSEARCH + 1][DNS_NAME_MAX];
	char		qtext[DNS_NAME_TEXT_MAX];
	int		i;
	unsigned int	rcode;

	compare_text = text;
	h->qclass = DNS_CLASS_IN;
	i = hostq_query_candidates(h, text, use_search, DNS_TYPE_NS, &compare_reply, names,
	    qtext);
	if (i == -1 || output_check(h, &compare_reply) == -1)
		return;
	rcode = DNS_FLAGS_RCODE(compare_reply.msg[3]);

	/* host prints the NS reply itself only for NXDOMAIN.  Other error
	 * replies and an answer without NS records end the lookup silently,
	 * with exit status 1. */
	if (rcode == DNS_RCODE_NXDOMAIN) {
		if (compare_print(h, &compare_reply) == 0 && hostq_searched(h, text, use_search))
			output_received(h, &compare_reply);
		return;
	}
	if (rcode != DNS_RCODE_NOERROR) {
		output_received(h, &compare_reply);
		return;
	}
	/* host resolves the NS names before its "Received" line. */
	compare_collect(h, &compare_reply);
	output_received(h, &compare_reply);
	if (compare_nservers == 0)
		return;

	/*
	 * NOTE: host 9.18.49 gives up on a zone with a single server address:
	 * it ends the lookup right after sending that one query, before the
	 * reply, and reports the server as unreachable.  hostq copies that.
	 */
	if (compare_nservers == 1) {
		if (h->verbose)
			printf("Trying \"%s\"\n", qtext);
	} else {
		/* The SOA queries go out without RD, as host's follow-up lookups. */
		h->recurse = 0;
		if (exchange_parallel(h, compare_servers, compare_nservers, qtext, names[i],
		    DNS_TYPE_SOA, &compare_reply, compare_print) > 0)
			return;
	}
	printf(";; NS servers could not be reached\n");
	h->seen_error = 1;
}
