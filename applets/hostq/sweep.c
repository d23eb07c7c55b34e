/* sweep.c -- hostq --sweep: compare servers' A, AAAA and PTR records with a hosts file. */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hostq.h"

#define SWEEP_LINE_NAMES	16	/* names kept per hosts line */
#define SWEEP_SET_MAX		32	/* addresses compared per lookup */
#define SWEEP_SLOW_MS		200
#define SWEEP_SLOW_TEXT		"<=200ms"	/* SWEEP_SLOW_MS as the table shows it */
#define SWEEP_TIMEOUT		2	/* seconds per try when -W is not given */
#define SWEEP_FIELD		512

/* One line of the hosts file. */
struct sweep_line {
	struct netaddr	addr;
	char		names[SWEEP_LINE_NAMES][DNS_NAME_TEXT_MAX];
	int		nnames;
};

struct sweep {
	struct hostq		*h;
	struct sweep_line	*lines;
	int			 nlines;
	const char		*server;	/* as given, for the table */
	int			 problems;
	int			 header_done;
};

/* The reply buffer is 64 KiB: keep it off the stack. */
static struct hostq_reply	sweep_reply;

/* Read the hosts file, where each line is an address and then names, and '#'
 * starts a comment.  Lines with an invalid address are reported and skipped.
 * Returns 0, or -1 with errno set when the file cannot be read. */
static int
sweep_read_hosts(struct sweep *s, const char *path)
{
	struct sweep_line	*l, *grown;
	FILE			*f;
	char			 buf[4096], *p, *tok, *save;
	int			 lineno = 0, err;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		lineno++;
		if ((p = strchr(buf, '#')) != NULL)
			*p = '\0';
		if ((tok = strtok_r(buf, " \t\r\n", &save)) == NULL)
			continue;
		grown = realloc(s->lines, (size_t)(s->nlines + 1) * sizeof(*s->lines));
		if (grown == NULL) {
			fclose(f);
			errno = ENOMEM;
			return -1;
		}
		s->lines = grown;
		l = &s->lines[s->nlines];
		memset(l, 0, sizeof(*l));
		if (netaddr_parse(tok, &l->addr) == -1) {
			fprintf(stderr, "hostq: %s:%d: invalid address '%s', line skipped\n",
			    path, lineno, tok);
			continue;
		}
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL &&
		    l->nnames < SWEEP_LINE_NAMES)
			snprintf(l->names[l->nnames++], DNS_NAME_TEXT_MAX, "%s", tok);
		if (l->nnames > 0)
			s->nlines++;
	}
	err = ferror(f) ? EIO : 0;
	fclose(f);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

static void
sweep_problem(struct sweep *s, const char *kind, const char *what, const char *expected,
    const char *got)
{
	if (!s->header_done) {
		printf("%-21s %-11s %-30s %-24s %s\n", "SERVER", "KIND", "NAME/ADDRESS",
		    "EXPECTED", "GOT");
		s->header_done = 1;
	}
	printf("%-21s %-11s %-30s %-24s %s\n", s->server, kind, what, expected, got);
	s->problems++;
}

/* Send one query through exchange_query, which prints nothing because
 * sweep_run sets h->quiet.  Returns the rcode, or -1 when the server sent
 * no reply. */
static int
sweep_query(struct sweep *s, const char *qtext, const uint8_t *qname, uint16_t qtype)
{
	int	r;

	r = exchange_query(s->h, qtext, qname, qtype, &sweep_reply);
	if (r == -1)
		return -1;
	if (sweep_reply.elapsed_ms > SWEEP_SLOW_MS) {
		char	took[32];

		snprintf(took, sizeof(took), "%ldms", sweep_reply.elapsed_ms);
		sweep_problem(s, "SLOW", qtext, SWEEP_SLOW_TEXT, took);
	}
	return (int)DNS_FLAGS_RCODE(sweep_reply.msg[3]);
}

/* Append text to a comma-separated list in buf. */
static void
sweep_join(char *buf, size_t len, const char *text)
{
	size_t	used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "", text);
}

static int
sweep_in_set(const struct netaddr *set, int n, const struct netaddr *a)
{
	int	i;

	for (i = 0; i < n; i++)
		if (netaddr_equal(&set[i], a))
			return 1;
	return 0;
}

static int
sweep_has_name(const struct sweep_line *l, const char *name)
{
	int	i;

	for (i = 0; i < l->nnames; i++)
		if (strcasecmp(l->names[i], name) == 0)
			return 1;
	return 0;
}

/* Collect the addresses of one family listed for name, without repeats. */
static int
sweep_expected(const struct sweep *s, const char *name, int family, struct netaddr *set)
{
	int	i, n = 0;

	for (i = 0; i < s->nlines && n < SWEEP_SET_MAX; i++)
		if (s->lines[i].addr.family == family && sweep_has_name(&s->lines[i], name) &&
		    !sweep_in_set(set, n, &s->lines[i].addr))
			set[n++] = s->lines[i].addr;
	return n;
}

/* Collect the A or AAAA addresses of the reply's answer section. */
static int
sweep_answer_addrs(uint16_t qtype, struct netaddr *set)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	int			n = 0;
	size_t			alen = qtype == DNS_TYPE_A ? 4 : 16;

	if (dnswire_parser_init(&p, sweep_reply.msg, sweep_reply.len) == -1)
		return 0;
	while (n < SWEEP_SET_MAX && dnswire_parse_rr(&p, &rr) == 1) {
		if (rr.section != DNS_SECTION_ANSWER || rr.type != qtype || rr.rdlength != alen)
			continue;
		memset(&set[n], 0, sizeof(set[n]));
		set[n].family = qtype == DNS_TYPE_A ? AF_INET : AF_INET6;
		memcpy(set[n].u.bytes, sweep_reply.msg + rr.rdoff, alen);
		n++;
	}
	return n;
}

static void
sweep_set_text(const struct netaddr *set, int n, char *buf, size_t len)
{
	char	addr[NETADDR_STRLEN];
	int	i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		sweep_join(buf, len, netaddr_format(&set[i], addr));
	if (n == 0)
		snprintf(buf, len, "-");
}

/* Look name up for one family and compare the reply with the file.
 * Returns 0, 1 when the name does not exist, or -1 when no reply came. */
static int
sweep_check_name(struct sweep *s, const char *name, int family)
{
	struct netaddr	want[SWEEP_SET_MAX], got[SWEEP_SET_MAX];
	uint8_t		qname[DNS_NAME_MAX];
	char		wtext[SWEEP_FIELD], gtext[SWEEP_FIELD], rc[DNS_TYPE_TEXT_MAX];
	uint16_t	qtype = family == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA;
	int		nwant, ngot, i, rcode, same;

	if ((nwant = sweep_expected(s, name, family, want)) == 0)
		return 0;
	sweep_set_text(want, nwant, wtext, sizeof(wtext));
	if (dnswire_name_from_text(name, qname) == -1) {
		sweep_problem(s, "MISMATCH", name, wtext, "bad name");
		return 0;
	}
	if ((rcode = sweep_query(s, name, qname, qtype)) == -1)
		return -1;
	if (rcode == DNS_RCODE_NXDOMAIN) {
		sweep_problem(s, "NXDOMAIN", name, wtext, "NXDOMAIN");
		return 1;
	}
	if (rcode != DNS_RCODE_NOERROR) {
		sweep_problem(s, "MISMATCH", name, wtext, dnswire_rcode_name((unsigned)rcode, rc));
		return 0;
	}
	ngot = sweep_answer_addrs(qtype, got);
	same = ngot == nwant;
	for (i = 0; same && i < ngot; i++)
		same = sweep_in_set(want, nwant, &got[i]);
	if (!same) {
		sweep_set_text(got, ngot, gtext, sizeof(gtext));
		sweep_problem(s, "MISMATCH", name, wtext, gtext);
	}
	return 0;
}

/* Whether the PTR target (text, no final dot) is a listed name, or a
 * listed name with a domain appended. */
static int
sweep_ptr_matches(const char *target, const char *listed)
{
	size_t	len = strlen(listed);

	if (len > 0 && listed[len - 1] == '.')
		len--;
	return strncasecmp(target, listed, len) == 0 &&
	    (target[len] == '\0' || target[len] == '.');
}

/* Write every name listed for address a into buf, comma-separated. */
static void
sweep_names_text(const struct sweep *s, const struct netaddr *a, char *buf, size_t len)
{
	int	i, j;

	buf[0] = '\0';
	for (i = 0; i < s->nlines; i++)
		if (netaddr_equal(&s->lines[i].addr, a))
			for (j = 0; j < s->lines[i].nnames; j++)
				sweep_join(buf, len, s->lines[i].names[j]);
}

/* Look up the PTR of address a and check that it is one of the names
 * listed for a.  Returns 0, or -1 when no reply came. */
static int
sweep_check_addr(struct sweep *s, const struct netaddr *a)
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	uint8_t			qname[DNS_NAME_MAX], target[DNS_NAME_MAX];
	char			qtext[DNS_NAME_TEXT_MAX], ttext[DNS_NAME_TEXT_MAX];
	char			atext[NETADDR_STRLEN], wtext[SWEEP_FIELD], gtext[SWEEP_FIELD];
	char			rc[DNS_TYPE_TEXT_MAX];
	size_t			tlen;
	int			rcode, i, j, nptr = 0, match = 0;

	netaddr_format(a, atext);
	sweep_names_text(s, a, wtext, sizeof(wtext));
	if (dnswire_name_reverse(a, qname) == -1)
		return 0;
	output_name(qname, qtext, sizeof(qtext));
	if ((rcode = sweep_query(s, qtext, qname, DNS_TYPE_PTR)) == -1)
		return -1;
	gtext[0] = '\0';
	if (rcode == DNS_RCODE_NOERROR &&
	    dnswire_parser_init(&p, sweep_reply.msg, sweep_reply.len) == 0) {
		while (dnswire_parse_rr(&p, &rr) == 1) {
			if (rr.section != DNS_SECTION_ANSWER || rr.type != DNS_TYPE_PTR ||
			    dnswire_rdata_name(sweep_reply.msg, sweep_reply.len, &rr, rr.rdoff,
			    target, &tlen) == -1)
				continue;
			nptr++;
			output_name(target, ttext, sizeof(ttext));
			sweep_join(gtext, sizeof(gtext), ttext);
			for (i = 0; i < s->nlines; i++) {
				if (!netaddr_equal(&s->lines[i].addr, a))
					continue;
				for (j = 0; j < s->lines[i].nnames; j++)
					match |= sweep_ptr_matches(ttext, s->lines[i].names[j]);
			}
		}
	}
	if (nptr == 0)
		sweep_problem(s, "MISSING-PTR", atext, wtext, rcode == DNS_RCODE_NOERROR ?
		    "no PTR" : dnswire_rcode_name((unsigned)rcode, rc));
	else if (!match)
		sweep_problem(s, "WRONG-PTR", atext, wtext, gtext);
	return 0;
}

/* Whether line i is the first to list its address. */
static int
sweep_first_addr(const struct sweep *s, int i)
{
	int	k;

	for (k = 0; k < i; k++)
		if (netaddr_equal(&s->lines[k].addr, &s->lines[i].addr))
			return 0;
	return 1;
}

/* Whether name j of line i is listed there for the first time. */
static int
sweep_first_name(const struct sweep *s, int i, int j)
{
	int	k, m;

	for (m = 0; m < j; m++)
		if (strcasecmp(s->lines[i].names[m], s->lines[i].names[j]) == 0)
			return 0;
	for (k = 0; k < i; k++)
		if (sweep_has_name(&s->lines[k], s->lines[i].names[j]))
			return 0;
	return 1;
}

/* Run every check against the server set in h.  Returns -1 as soon as a
 * query gets no reply. */
static int
sweep_server(struct sweep *s)
{
	const char	*name;
	int		 i, j, r;

	for (i = 0; i < s->nlines; i++)
		for (j = 0; j < s->lines[i].nnames; j++) {
			if (!sweep_first_name(s, i, j))
				continue;
			name = s->lines[i].names[j];
			if ((r = sweep_check_name(s, name, AF_INET)) == -1)
				return -1;
			if (r == 0 && sweep_check_name(s, name, AF_INET6) == -1)
				return -1;
		}
	for (i = 0; i < s->nlines; i++)
		if (sweep_first_addr(s, i) && sweep_check_addr(s, &s->lines[i].addr) == -1)
			return -1;
	return 0;
}

static void
sweep_counts(const struct sweep *s, int *names, int *addrs)
{
	int	i, j;

	*names = *addrs = 0;
	for (i = 0; i < s->nlines; i++) {
		*addrs += sweep_first_addr(s, i);
		for (j = 0; j < s->lines[i].nnames; j++)
			*names += sweep_first_name(s, i, j);
	}
}

int
sweep_run(struct hostq *h, const char *path, int nservers, char **servers)
{
	static char	*loopback[] = { "127.0.0.1" };
	struct sweep	 s;
	struct hostq_server *srv = &h->servers[0];
	uint16_t	 port, default_port = h->port;
	int		 i, nnames, naddrs;

	memset(&s, 0, sizeof(s));
	s.h = h;
	if (nservers == 0) {
		servers = loopback;
		nservers = 1;
	}
	for (i = 0; i < nservers; i++)
		if (netaddr_parse_port(servers[i], '#', &srv->addr, &port) == -1) {
			fprintf(stderr, "hostq: invalid server '%s': expected ADDR or ADDR#PORT\n",
			    servers[i]);
			return 2;
		}
	if (sweep_read_hosts(&s, path) == -1) {
		fprintf(stderr, "hostq: cannot read hosts file %s: %s\n", path, strerror(errno));
		free(s.lines);
		return 2;
	}
	if (h->timeout == 0)
		h->timeout = SWEEP_TIMEOUT;
	if (h->tries == 0)
		h->tries = 2;
	/* The ";;" lines of exchange.c would break the table. */
	h->quiet = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < nservers; i++) {
		memset(srv, 0, sizeof(*srv));
		port = default_port;
		netaddr_parse_port(servers[i], '#', &srv->addr, &port);
		snprintf(srv->name, sizeof(srv->name), "%s", servers[i]);
		h->nservers = 1;
		h->port = port;
		h->tcp = h->tcp_set ? h->tcp : 0;
		s.server = servers[i];
		if (sweep_server(&s) == -1)
			sweep_problem(&s, "NO-ANSWER", "-", "an answer", "no reply");
	}
	sweep_counts(&s, &nnames, &naddrs);
	printf("sweep: %d names, %d addresses, %d servers, %d problems\n", nnames, naddrs,
	    nservers, s.problems);
	free(s.lines);
	return s.problems == 0 ? 0 : 1;
}
