/* hostq.c -- DNS lookup tool with the options, output and exit codes of BIND 9.18's host. */
#include <sys/socket.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "hostq.h"
#include "lookup.h"
#include "version.h"

#define RESOLV_CONF	"/etc/resolv.conf"
#define OPTSTRING	":46aAc:CdDilm:nN:p:rR:st:TUvVwW:"

static const char usage_text[] =
"Usage: hostq [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
"            [-R number] [-m flag] [-p port] hostname [server]\n";

/* The option lines of the usage text, each indented by seven spaces. */
static const char usage_options[] =
"-a is equivalent to -v -t ANY\n"
"-A is like -a but omits RRSIG, NSEC, NSEC3\n"
"-c specifies query class for non-IN data\n"
"-C compares SOA records on authoritative nameservers\n"
"-d is equivalent to -v\n"
"-l lists all hosts in a domain, using AXFR\n"
"-m set memory debugging flag (accepted and ignored)\n"
"-N changes the number of dots allowed before root lookup is done\n"
"-p specifies the port on the server to query\n"
"-r disables recursive processing\n"
"-R specifies number of retries for UDP packets\n"
"-s a SERVFAIL response should stop query\n"
"-t specifies the query type\n"
"-T enables TCP/IP mode\n"
"-U enables UDP mode\n"
"-v enables verbose output\n"
"-V print version number and exit\n"
"-w specifies to wait forever for a reply\n"
"-W specifies how long to wait for a reply (seconds)\n"
"-4 use IPv4 query transport only\n"
"-6 use IPv6 query transport only\n"
"--sweep hostsfile [server[#port] ...] compares A, AAAA, PTR with a hosts file\n";

/* The reply buffer is 64 KiB: keep it off the stack. */
static struct hostq_reply	reply;

static void
hostq_usage(FILE *f, int status)
{
	const char	*p;

	fputs(usage_text, f);
	for (p = usage_options; *p != '\0'; p++) {
		if (p == usage_options || p[-1] == '\n')
			fputs("       ", f);
		fputc(*p, f);
	}
	exit(status);
}

/* Print "hostq: message" on stderr and exit with status, as host's fatal().
 * The message is fmt with arg for its one %s, if it has one. */
static void __attribute__((noreturn))
hostq_fatal(int status, const char *fmt, const char *arg)
{
	fputs("hostq: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(status);
}

int
hostq_atoi(const char *s)
{
	unsigned int	n = 0;
	int		neg = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (unsigned int)(*s++ - '0');
	return (int)(neg ? 0 - n : n);
}

static void
hostq_set_type(struct hostq *h, const char *arg)
{
	uint16_t	type;

	if (strncasecmp(arg, "ixfr=", 5) == 0) {
		type = DNS_TYPE_IXFR;
		h->ixfr_serial = (uint32_t)strtoul(arg + 5, NULL, 10);
	} else if (dnswire_type_from_text(arg, &type) == -1)
		hostq_fatal(2, "invalid type: %s\n", arg);	/* host adds an empty line */
	if (h->qtype != DNS_TYPE_AXFR || !h->list_zone)
		h->qtype = type;
	if (type == DNS_TYPE_AXFR) {
		h->list_any = 1;
		h->verbose = 1;
		h->tcp = 1;
	} else if (type == DNS_TYPE_IXFR) {
		h->tcp = 1;
	} else if (type == DNS_TYPE_ANY && !h->tcp_set)
		h->tcp = 1;
	h->default_lookups = 0;
}

static void
hostq_set_any(struct hostq *h, int almost)
{
	h->list_almost_all |= almost;
	if (!h->list_zone)
		h->qtype = DNS_TYPE_ANY;
	h->list_any = 1;
	h->verbose = 1;
	h->default_lookups = 0;
}

static void
hostq_option(struct hostq *h, int c, const char *arg)
{
	int	n;

	switch (c) {
	case '4':
	case '6':
		if (h->family != 0 && h->family != (c == '4' ? AF_INET : AF_INET6))
			hostq_fatal(1, "only one of -4 and -6 allowed", NULL);
		h->family = c == '4' ? AF_INET : AF_INET6;
		break;
	case 'a':
	case 'A':
		hostq_set_any(h, c == 'A');
		break;
	case 'c':
		if (dnswire_class_from_text(arg, &h->qclass) == -1)
			hostq_fatal(2, "invalid class: %s\n", arg);
		h->default_lookups = 0;
		break;
	case 'C':
		h->compare_soa = 1;
		h->default_lookups = 0;
		break;
	case 'd':
	case 'v':
		h->verbose = 1;
		break;
	case 'l':
		h->list_zone = 1;
		h->qtype = DNS_TYPE_AXFR;
		h->tcp = 1;
		break;
	case 'N':
		h->ndots = hostq_atoi(arg);
		break;
	case 'p':
		h->port = (uint16_t)hostq_atoi(arg);
		break;
	case 'r':
		h->recurse = 0;
		break;
	case 'R':
		n = hostq_atoi(arg);
		h->tries = n + 1 < 2 ? 2 : n + 1;
		break;
	case 's':
		h->servfail_stops = 1;
		break;
	case 't':
		hostq_set_type(h, arg);
		break;
	case 'T':
	case 'U':
		h->tcp = c == 'T';
		h->tcp_set = 1;
		break;
	case 'V':
		fprintf(stderr, "hostq %s\n", EDGEBOX_VERSION);
		exit(0);
	case 'w':
		h->timeout = HOSTQ_WAIT_FOREVER;
		break;
	case 'W':
		n = hostq_atoi(arg);
		h->timeout = n < 1 ? 1 : n;
		if (h->timeout > INT_MAX / 1000)	/* kept in milliseconds later */
			h->timeout = HOSTQ_WAIT_FOREVER;
		break;
	case 'D':	/* debugging of host itself */
	case 'i':	/* IP6.INT, long gone */
	case 'm':	/* memory debugging */
	case 'n':
		break;
	}
}

static void
hostq_parse_options(struct hostq *h, int argc, char **argv)
{
	int	c;

	/* host rejects --help as an illegal option; hostq prints the usage. */
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		hostq_usage(stdout, 0);
	opterr = 0;
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		if (c == '?') {
			fprintf(stderr, "hostq: illegal option -- %c\n", optopt);
			hostq_usage(stderr, 1);
		}
		if (c == ':') {
			fprintf(stderr, "hostq: option requires an argument -- %c\n", optopt);
			hostq_usage(stderr, 1);
		}
		hostq_option(h, c, optarg);
	}
}

/* The server argument: a numeric address, else a name looked up as
 * getaddrinfo does. */
static void
hostq_set_server(struct hostq *h, const char *arg)
{
	struct hostq_server *s = &h->servers[0];

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", arg);
	h->nservers = 1;
	h->listed_server = 1;
	if (netaddr_parse(arg, &s->addr) == 0) {
		if (h->family == AF_INET && s->addr.family == AF_INET6)
			hostq_fatal(1, "couldn't get address for '%s': address family not supported",
			    arg);
		return;
	}
	if (lookup_addrs(arg, h->family == 0 ? AF_UNSPEC : h->family, &lookup_system_conf,
	    &s->addr, 1) < 0)
		hostq_fatal(1, "couldn't get address for '%s': not found", arg);
}

/* Why a name is rejected, in BIND's words. */
static const char *
hostq_name_error(const char *text)
{
	const char	*p, *label = text;

	if (*text == '\0')
		return "unexpected end of input";
	for (p = text; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label && *p == '.' && p[1] != '\0')
				return "empty label";
			if (p - label > DNS_LABEL_MAX)
				return "label too long";
			if (*p == '\0')
				break;
			label = p + 1;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return strlen(text) > DNS_NAME_MAX ? "ran out of space" : "bad escape";
}

static int
hostq_count_dots(const char *text)
{
	int	n = 0;

	for (; *text != '\0'; text++)
		if (*text == '.')
			n++;
	return n;
}

int
hostq_searched(const struct hostq *h, const char *text, int use_search)
{
	return use_search && hostq_count_dots(text) >= h->ndots;
}

int
hostq_candidates(const struct hostq *h, const char *text, int use_search,
    uint8_t names[][DNS_NAME_MAX])
{
	char	full[2 * DNS_NAME_TEXT_MAX];
	size_t	len = strlen(text);
	int	n, i, as_is_first;

	if (dnswire_name_from_text(text, names[0]) == -1)
		return 0;
	if (!use_search || (len > 0 && text[len - 1] == '.'))
		return 1;
	as_is_first = hostq_count_dots(text) >= h->ndots;
	n = as_is_first;	/* else the search names overwrite names[0] */
	for (i = 0; i < h->nsearch; i++) {
		snprintf(full, sizeof(full), "%s.%s", text, h->search[i]);
		if (dnswire_name_from_text(full, names[n]) != -1)
			n++;
	}
	if (!as_is_first)
		dnswire_name_from_text(text, names[n++]);
	return n;
}

int
hostq_query_candidates(struct hostq *h, const char *text, int use_search,
    uint16_t qtype, struct hostq_reply *r, uint8_t names[][DNS_NAME_MAX],
    char qtext[static DNS_NAME_TEXT_MAX])
{
	int	n, i;

	n = hostq_candidates(h, text, use_search, names);
	for (i = 0; i < n; i++) {
		output_name(names[i], qtext, DNS_NAME_TEXT_MAX);
		if (exchange_query(h, qtext, names[i], qtype, r) == -1)
			return -1;
		if (DNS_FLAGS_RCODE(r->msg[3]) != DNS_RCODE_NXDOMAIN)
			break;
	}
	if (n == 0)
		return -1;
	return i < n ? i : n - 1;
}

/* Follow the CNAME chain from name through the answer, as host does before
 * its AAAA and MX lookups. */
static void
hostq_chase(const struct hostq_reply *r, uint8_t name[static DNS_NAME_MAX])
{
	struct dnswire_parser	p;
	struct dnswire_rr	rr;
	size_t			len;
	int			rounds, found;

	dnswire_parser_init(&p, r->msg, r->len);
	for (rounds = p.hdr.count[DNS_SECTION_ANSWER]; rounds > 0; rounds--) {
		found = 0;
		dnswire_parser_init(&p, r->msg, r->len);
		while (dnswire_parse_rr(&p, &rr) == 1) {
			if (rr.section != DNS_SECTION_ANSWER || rr.type != DNS_TYPE_CNAME ||
			    !dnswire_name_equal(rr.name, name))
				continue;
			if (dnswire_rdata_name(r->msg, r->len, &rr, rr.rdoff, name, &len) == -1)
				return;
			found = 1;
			break;
		}
		if (!found)
			return;
	}
}

/*
 * One lookup through the search list.  NXDOMAIN for one candidate moves
 * to the next silently; the last reply is printed.  Returns the rcode, or
 * -1 when no server replied.  With chase set, it is replaced by the end
 * of the CNAME chain.
 */
static int
hostq_lookup(struct hostq *h, const char *text, int use_search, uint16_t qtype,
    uint8_t *chase)
{
	uint8_t		names[HOSTQ_MAXSEARCH + 1][DNS_NAME_MAX];
	char		qtext[DNS_NAME_TEXT_MAX];
	int		i, rcode;

	i = hostq_query_candidates(h, text, use_search, qtype, &reply, names, qtext);
	if (i == -1)
		return -1;
	if ((rcode = output_message(h, &reply, text)) == -1)
		return -1;
	output_received(h, &reply);
	if (rcode == DNS_RCODE_NXDOMAIN && hostq_searched(h, text, use_search))
		output_received(h, &reply);
	if (rcode == DNS_RCODE_NOERROR && chase != NULL) {
		memcpy(chase, names[i], DNS_NAME_MAX);
		hostq_chase(&reply, chase);
	}
	return rcode;
}

#define HOSTQ_XFR_NO_SOA	-2	/* the transfer did not start with an SOA */

struct hostq_xfr {
	const char	*text;
	int		 messages;
	int		 records;	/* answer records so far */
	uint32_t	 serial;	/* of the first SOA */
	int		 serial_seen;	/* SOAs with that serial */
	int		 incremental;	/* IXFR reply made of differences */
	struct hostq_reply last;	/* length, server and time for the "Received" line */
};

/* The serial of an SOA record, or 0 when its RDATA is malformed. */
static uint32_t
hostq_soa_serial(const struct hostq_reply *r, const struct dnswire_rr *rr)
{
	uint8_t		 name[DNS_NAME_MAX];
	const uint8_t	*p;
	size_t		 off = rr->rdoff, len;
	int		 n, i;

	for (i = 0; i < 2; i++) {
		if ((n = dnswire_rdata_name(r->msg, r->len, rr, off, name, &len)) == -1)
			return 0;
		off += (size_t)n;
	}
	if (off + 4 > rr->rdoff + rr->rdlength)
		return 0;
	p = r->msg + off;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Print one message of a zone transfer.  A transfer starts with an SOA and
 * ends with the same SOA again (RFC 5936); an IXFR reply made of
 * differences has that serial once more in between (RFC 1995), and one
 * that holds a single SOA means the zone is unchanged.  Returns 1 for
 * more, 0 at the end, -1 when the transfer failed, or HOSTQ_XFR_NO_SOA
 * when the first record is not an SOA.
 */
static int
hostq_xfr_message(struct hostq *h, const struct hostq_reply *r, void *arg)
{
	struct hostq_xfr	*x = arg;
	struct dnswire_parser	 p;
	struct dnswire_rr	 rr;
	int			 rcode;

	x->messages++;
	x->last.len = r->len;
	x->last.server = r->server;
	x->last.elapsed_ms = r->elapsed_ms;
	rcode = output_message(h, r, x->text);
	/* -l does not search, -t AXFR does. */
	if (rcode == DNS_RCODE_NXDOMAIN && hostq_searched(h, x->text, !h->list_zone))
		output_received(h, r);
	if (rcode != DNS_RCODE_NOERROR)
		return -1;
	dnswire_parser_init(&p, r->msg, r->len);
	while (dnswire_parse_rr(&p, &rr) == 1) {
		if (rr.section != DNS_SECTION_ANSWER)
			continue;
		if (++x->records == 1) {
			if (rr.type != DNS_TYPE_SOA)
				return HOSTQ_XFR_NO_SOA;
			x->serial = hostq_soa_serial(r, &rr);
			x->serial_seen = 1;
			continue;
		}
		if (x->records == 2)
			x->incremental = h->qtype == DNS_TYPE_IXFR && rr.type == DNS_TYPE_SOA;
		if (rr.type == DNS_TYPE_SOA && hostq_soa_serial(r, &rr) == x->serial &&
		    ++x->serial_seen == (x->incremental ? 3 : 2))
			return 0;
	}
	if (x->records == 0)
		return -1;
	return h->qtype == DNS_TYPE_IXFR && x->records == 1 ? 0 : 1;
}

static void
hostq_transfer(struct hostq *h, const char *text)
{
	static struct hostq_xfr	x;	/* holds a 64 KiB reply */
	uint8_t			name[DNS_NAME_MAX];
	int			r;

	memset(&x, 0, sizeof(x));
	x.text = text;
	dnswire_name_from_text(text, name);
	r = exchange_axfr(h, text, name, hostq_xfr_message, &x);
	if (r == HOSTQ_XFR_NO_SOA)
		printf("; Transfer failed.  Didn't start with SOA answer.\n");
	else if (r == -1 && x.messages > 0)
		printf("; Transfer failed.\n");
	else if (r == 0)
		output_received(h, &x.last);
}

/* Keep the resolv.conf servers that -4 or -6 allow, silently as host
 * does; without any, ask ::1 and 127.0.0.1 (those that are allowed). */
static void
hostq_default_servers(struct hostq *h)
{
	static const char *const loopback[] = { "::1", "127.0.0.1" };
	struct hostq_server	*s;
	int			 i, n = 0;

	for (i = 0; i < h->nservers; i++)
		if (h->family == 0 || h->servers[i].addr.family == h->family)
			h->servers[n++] = h->servers[i];
	h->nservers = n;
	if (n > 0)
		return;
	for (i = 0; i < 2; i++) {
		s = &h->servers[h->nservers];
		if (netaddr_parse(loopback[i], &s->addr) == -1 ||
		    (h->family != 0 && s->addr.family != h->family))
			continue;
		snprintf(s->name, sizeof(s->name), "%s", loopback[i]);
		h->nservers++;
	}
}

static void
hostq_defaults(struct hostq *h)
{
	memset(h, 0, sizeof(*h));
	h->default_lookups = 1;
	h->recurse = 1;
	h->ndots = -1;
	h->port = 53;
	h->qtype = DNS_TYPE_A;
	h->qclass = DNS_CLASS_IN;
	h->seen_error = -1;
}

int
hostq_main(int argc, char **argv)
{
	struct hostq		h;
	struct netaddr		addr;
	uint8_t			chased[DNS_NAME_MAX];
	char			rev[DNS_NAME_TEXT_MAX], chasetext[DNS_NAME_TEXT_MAX];
	const char		*text;
	int			reverse, rcode, sweep;

	hostq_defaults(&h);
	for (sweep = 1; sweep < argc; sweep++)
		if (strcmp(argv[sweep], "--sweep") == 0)
			break;
	if (sweep < argc) {
		/* Options before --sweep; the hosts file and servers after it. */
		hostq_parse_options(&h, sweep, argv);
		if (optind != sweep || sweep + 1 >= argc) {
			fprintf(stderr, "hostq: missing hosts file after --sweep\n");
			hostq_usage(stderr, 2);
		}
		return sweep_run(&h, argv[sweep + 1], argc - sweep - 2, argv + sweep + 2);
	}
	hostq_parse_options(&h, argc, argv);
	if (optind >= argc)
		hostq_usage(stderr, 1);
	text = argv[optind];
	if (optind + 1 < argc)
		hostq_set_server(&h, argv[optind + 1]);
	resolvconf_read(&h, RESOLV_CONF, !h.listed_server);
	if (!h.listed_server)
		hostq_default_servers(&h);
	if (h.ndots < 0)
		h.ndots = 1;
	if (h.tries == 0)
		h.tries = 2;

	/* XXX: on a terminal, host 9.18 with libidn2 converts a non-ASCII name
	 * to punycode before the lookup, unless IDN_DISABLE is set.  hostq sends
	 * the UTF-8 octets as they are, as host does when stdout is no terminal. */
	reverse = netaddr_parse(text, &addr) == 0;
	if (reverse) {
		/* With the final dot, as host prints it in "Host ... not found". */
		netaddr_reverse_name(&addr, rev, sizeof(rev) - 1);
		memcpy(rev + strlen(rev), ".", 2);
		text = rev;
		h.qtype = DNS_TYPE_PTR;
		h.default_lookups = 0;
	} else if (*text == '\0' || dnswire_name_from_text(text, chased) == -1) {
		fprintf(stderr, "hostq: '%s' is not a legal name (%s)\n", text,
		    hostq_name_error(text));
		return 1;
	}
	/* Fully buffered; exit() flushes it. */
	setvbuf(stdout, NULL, _IOFBF, 0);

	if (h.compare_soa) {
		compare_soa(&h, text, !reverse);
		return h.seen_error == 0 ? 0 : 1;
	}
	if (h.qtype == DNS_TYPE_AXFR || h.qtype == DNS_TYPE_IXFR) {
		hostq_transfer(&h, text);
		return h.seen_error == 0 ? 0 : 1;
	}
	rcode = hostq_lookup(&h, text, !reverse, h.qtype, h.default_lookups ? chased : NULL);
	if (h.default_lookups && rcode == DNS_RCODE_NOERROR) {
		output_name(chased, chasetext, sizeof(chasetext));
		hostq_lookup(&h, chasetext, 0, DNS_TYPE_AAAA, NULL);
		hostq_lookup(&h, chasetext, 0, DNS_TYPE_MX, NULL);
	}
	return h.seen_error == 0 ? 0 : 1;
}
