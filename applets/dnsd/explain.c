/* explain.c -- dnsd --explain NAME [TYPE]: the answer to a question and the rule behind it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"

/* Hosts lines that give the name asked, collected while the table is
 * built and printed after the answer (allocated by explain). */
#define HITS_MAX	16

static char		want_text[DNSD_NAME_MAX];
static uint8_t		want_wire[DNS_NAME_MAX];
static char		(*hits)[DNSD_PATH_MAX + DNSD_NAME_MAX + 64];
static int		nhits;

/* Note a hosts line: "  FILE:LINE: ADDRESS NAME" and the reason, which
 * is empty or starts with a blank. */
static void
add_hit(const char *path, int line, const char *addr, const char *name, const char *reason)
{
	if (nhits < HITS_MAX)
		snprintf(hits[nhits], sizeof(hits[nhits]), "  %s:%d: %s %s%s\n", path, line,
		    addr, name, reason);
	nhits++;
}

/* A hosts_trace hook: note the lines whose name, or whose address for
 * the PTR of the line's first name, is the name asked. */
static void
trace_host(const char *path, int line, const char *name, const char *domain,
    const struct netaddr *addr, int ptr)
{
	char	full[DNSD_NAME_MAX], text[NETADDR_STRLEN];
	uint8_t	rev[DNS_NAME_MAX];
	int	qualify = domain != NULL && domain[0] != '\0' && strchr(name, '.') == NULL;

	netaddr_format(addr, text);
	if (strcmp(name, want_text) == 0) {
		add_hit(path, line, text, name, "");
		return;
	}
	if (qualify && snprintf(full, sizeof(full), "%s.%s", name, domain) < (int)sizeof(full) &&
	    strcmp(full, want_text) == 0) {
		add_hit(path, line, text, name, " (expand-hosts adds the domain)");
		return;
	}
	if (ptr && dnswire_name_reverse(addr, rev) != -1 && dnswire_name_equal(rev, want_wire))
		add_hit(path, line, text, name, " (PTR to the line's first name)");
}

static void
print_hosts_hits(void)
{
	int	i;

	for (i = 0; i < nhits && i < HITS_MAX; i++)
		fputs(hits[i], stdout);
	if (nhits > HITS_MAX)
		printf("  ... and %d more hosts lines\n", nhits - HITS_MAX);
}

/* Print the config records (host-record, cname, mx-host, srv-host,
 * txt-record, ptr-record) whose owner is the name asked.  Returns their
 * number. */
static int
print_config_records(const struct dnsd_conf *c)
{
	char	canon[DNSD_NAME_MAX], full[DNSD_NAME_MAX];
	int	i, n = 0;

	for (i = 0; i < c->nrecords; i++) {
		if (records_canon(c->records[i].owner, canon) == -1)
			continue;
		if (strcmp(canon, want_text) != 0 && (c->domain[0] == '\0' ||
		    snprintf(full, sizeof(full), "%s.%s", canon, c->domain) >= (int)sizeof(full) ||
		    strcmp(full, want_text) != 0))
			continue;
		printf("  %s: a config record for %s\n", dnsconf_origin_text(c, c->records[i].origin),
		    c->records[i].owner);
		n++;
	}
	return n;
}

/* Print the answer records of the reply in out, one per line. */
static void
print_answer(const uint8_t *out, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	char			owner[DNS_NAME_TEXT_MAX], type[DNS_TYPE_TEXT_MAX], rdata[1024];

	if (dnswire_parser_init(&p, out, len) == -1)
		return;
	while (dnswire_parse_rr(&p, &rr) == 1) {
		if (rr.section != DNS_SECTION_ANSWER)
			continue;
		if (dnswire_name_to_text(rr.name, owner, sizeof(owner), 1) == -1 ||
		    dnswire_rdata_to_text(out, len, &rr, rdata, sizeof(rdata)) < 0)
			continue;
		printf("  %s %u IN %s %s\n", owner, rr.ttl, dnswire_type_name(rr.type, type),
		    rdata);
	}
}

/* Print why local data answers the question: the first rule that
 * applies, in the order of query_answer. */
static void
explain_local(struct dnsd_state *st, uint16_t qtype, const struct dnswire_header *h,
    int answers)
{
	const struct dnsd_conf	*c = st->conf;
	struct records_name	*n = records_lookup(&st->records, want_wire);
	char			 type[DNS_TYPE_TEXT_MAX];
	int			 i;

	if (qtype == DNS_TYPE_AXFR || qtype == DNS_TYPE_IXFR) {
		printf("why: dnsd serves no zone transfers (REFUSED)\n");
		return;
	}
	if (n != NULL && n->count == 0) {
		printf("why: %s exists only because names below it do (an empty non-terminal, "
		    "RFC 8020), so it gets NODATA and is never forwarded\n", want_text);
		return;
	}
	if (n != NULL) {
		printf("why: %s is a local name", want_text);
		if (answers == 0)
			printf(" with no %s record, so it gets NODATA and is never forwarded",
			    dnswire_type_name(qtype, type));
		printf("; it comes from:\n");
		(void)print_config_records(c);
		print_hosts_hits();
		return;
	}
	if ((i = query_best_address(st, want_wire)) != -1) {
		printf("why: address=/%s/ at %s covers %s%s\n",
		    c->addresses[i].domain[0] != '\0' ? c->addresses[i].domain : "#",
		    dnsconf_origin_text(c, c->addresses[i].origin), want_text,
		    DNS_FLAGS_RCODE(h->flags) == DNS_RCODE_NXDOMAIN ? " with no address: NXDOMAIN" :
		    "");
		return;
	}
	if ((i = query_best_server(st, want_wire)) != -1 && c->servers[i].route == ROUTE_LOCAL) {
		printf("why: local=/%s/ (or server=/%s/) at %s: only local data answers names "
		    "in it, so %s is not forwarded\n", c->servers[i].domain, c->servers[i].domain,
		    dnsconf_origin_text(c, c->servers[i].origin), want_text);
		return;
	}
	if (c->bogus_priv && query_private_reverse(want_wire)) {
		printf("why: bogus-priv at %s: a reverse name of a private range is not "
		    "forwarded\n", dnsconf_origin_text(c, c->bogus_priv_at));
		return;
	}
	if (c->domain_needed && dnswire_name_labels(want_wire) <= 1) {
		printf("why: domain-needed at %s: a name without a dot is not forwarded\n",
		    dnsconf_origin_text(c, c->domain_needed_at));
		return;
	}
	printf("why: no rule of the config matches; dnsd answered it itself\n");
}

/* Print why the question is forwarded, and to which servers. */
static void
explain_forward(struct dnsd_state *st)
{
	const struct dnsd_conf	*c = st->conf;
	char			 addr[NETADDR_STRLEN];
	int			 idx[FORWARD_TRIES], n, i, best = query_best_server(st, want_wire);

	n = query_route(st, want_wire, idx, FORWARD_TRIES, 0);
	if (best != -1 && c->servers[best].route == ROUTE_FORWARD)
		printf("why: server=/%s/ at %s is the most specific domain rule for %s\n",
		    c->servers[best].domain, dnsconf_origin_text(c, c->servers[best].origin),
		    want_text);
	else if (best != -1)
		printf("why: server=/%s/# at %s sends %s to the default upstreams\n",
		    c->servers[best].domain, dnsconf_origin_text(c, c->servers[best].origin),
		    want_text);
	else
		printf("why: no local data or domain rule matches %s, so it goes to the default "
		    "upstreams\n", want_text);
	if (n == 0) {
		printf("  no upstream server is configured for it: clients get SERVFAIL\n");
		return;
	}
	for (i = 0; i < n; i++)
		printf("  %s#%u from %s\n", netaddr_format(&c->servers[idx[i]].addr, addr),
		    c->servers[idx[i]].port, dnsconf_origin_text(c, c->servers[idx[i]].origin));
}

static void
print_sink(void *arg, int is_error, const char *msg)
{
	fprintf(stderr, "dnsd: %s\n", msg);
}

int
explain(struct dnsd_conf *c, const char *hostsfile, const char *name, const char *type)
{
	struct dnsd_state		*st;
	struct dnswire_parser		p;
	struct query			q;
	uint8_t				msg[DNS_HEADER_LEN + DNS_NAME_MAX + 4 + 11];
	uint8_t				out[DNS_MSG_MAX];
	char				text[DNS_TYPE_TEXT_MAX];
	enum query_verdict		v;
	uint16_t			qtype = DNS_TYPE_A;
	size_t				outlen = 0;
	int				len, answers = 0, status = 1;

	if (type != NULL && dnswire_type_from_text(type, &qtype) == -1) {
		fprintf(stderr, "dnsd: --explain: unknown record type \"%s\"; use a type such as "
		    "A, AAAA, MX or TYPE65\n", type);
		return 1;
	}
	if (records_canon(name, want_text) == -1 || want_text[0] == '\0' ||
	    dnswire_name_from_text(want_text, want_wire) == -1) {
		fprintf(stderr, "dnsd: --explain: invalid name \"%s\"\n", name);
		return 1;
	}
	/* On the heap: in .bss, its 36 KiB would shift the server's own
	 * variables across more pages. */
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (hits = calloc(HITS_MAX, sizeof(*hits))) == NULL) {
		fprintf(stderr, "dnsd: --explain: out of memory\n");
		goto out;
	}
	st->conf = c;
	if (query_setup(st) == -1) {
		fprintf(stderr, "dnsd: invalid domain name in the configuration\n");
		goto out;
	}
	hosts_trace = trace_host;
	len = hosts_build(&st->records, c, hostsfile, print_sink, NULL);
	hosts_trace = NULL;
	if (len == -1)
		goto out;

	len = dnswire_query(msg, sizeof(msg), 0, DNS_FLAG_RD, want_wire, qtype, DNS_CLASS_IN, 0);
	v = len > 0 ? query_parse(st, msg, (size_t)len, 0, &q, out, sizeof(out), &outlen) :
	    QUERY_DROP;
	if (v == QUERY_FORWARD)
		v = query_answer(st, &q, out, sizeof(out), &outlen, 0);
	printf("%s %s: ", want_text, dnswire_type_name(qtype, text));
	if (v == QUERY_FORWARD) {
		printf("forwarded to an upstream server\n");
		explain_forward(st);
	} else if (v == QUERY_REPLY && dnswire_parser_init(&p, out, outlen) == 0) {
		answers = p.hdr.count[DNS_SECTION_ANSWER];
		printf("answered by dnsd, %s, %d answer record%s%s\n",
		    dnswire_rcode_name(DNS_FLAGS_RCODE(p.hdr.flags), text), answers,
		    answers == 1 ? "" : "s", p.hdr.flags & DNS_FLAG_AA ? ", authoritative" : "");
		print_answer(out, outlen);
		explain_local(st, qtype, &p.hdr, answers);
	} else
		printf("dropped\n");
	records_free(&st->records);
	status = 0;
out:
	free(st);
	free(hits);
	hits = NULL;
	return status;
}
