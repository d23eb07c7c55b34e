/*
 * lookup.c -- host name lookups for ntpd and hostq: a numeric address, the
 * hosts file, then the nameservers of resolv.conf.
 *
 * It replaces musl's getaddrinfo, so that the binary carries none of
 * musl's resolver.  It keeps the rules of musl 1.2.3 (src/network/
 * lookup_name.c, resolvconf.c, res_msend.c, res_mkquery.c, dns_parse.c):
 * names resolve to the same addresses, in the same order, with the same
 * errors.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lookup.h"

#define LOOKUP_HOSTS_LINE_MAX	512	/* a longer hosts line is read in pieces */
#define LOOKUP_QUERY_MAX	(12 + 255 + 4)
#define LOOKUP_REPLY_MAX	512	/* musl 1.2.3 reads no more of a reply */
#define LOOKUP_TYPE_A		1
#define LOOKUP_TYPE_AAAA	28

const struct lookup_conf lookup_system_conf = { "/etc/hosts", "/etc/resolv.conf", 53 };

union lookup_sockaddr {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

/*
 * Parse a numeric address as musl's __lookup_ipliteral does: IPv4 in every
 * form inet_aton takes ("127.1"), or IPv6 with an optional zone index after
 * '%', a number or, for a link-local address, an interface name.  Returns
 * 1, 0 when s is no address, or EAI_NONAME for an address of the other
 * family or an unknown zone.
 */
static int
parse_literal(const char *s, int family, struct lookup_addr *a)
{
	char			 tmp[64];
	const char		*zone;
	char			*end;
	unsigned long long	 scope = 0;

	memset(a, 0, sizeof(*a));
	if (inet_aton(s, &a->addr.u.v4)) {
		if (family == AF_INET6)
			return EAI_NONAME;
		a->addr.family = AF_INET;
		return 1;
	}
	zone = strchr(s, '%');
	if (zone != NULL && zone - s < (ptrdiff_t)sizeof(tmp)) {
		memcpy(tmp, s, (size_t)(zone - s));
		tmp[zone - s] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET6, s, &a->addr.u.v6) != 1)
		return 0;
	if (family == AF_INET)
		return EAI_NONAME;
	a->addr.family = AF_INET6;
	if (zone == NULL)
		return 1;
	zone++;
	if (isdigit((unsigned char)*zone))
		scope = strtoull(zone, &end, 10);
	if (!isdigit((unsigned char)*zone) || *end != '\0') {
		if (!IN6_IS_ADDR_LINKLOCAL(&a->addr.u.v6) &&
		    !IN6_IS_ADDR_MC_LINKLOCAL(&a->addr.u.v6))
			return EAI_NONAME;
		if ((scope = if_nametoindex(zone)) == 0)
			return EAI_NONAME;
	}
	if (scope > UINT_MAX)
		return EAI_NONAME;
	a->scope = (unsigned int)scope;
	return 1;
}

/* Whether name is a word of line after its first byte, with white space on
 * both sides.  musl compares case-sensitively, and so does this. */
static int
hosts_line_has(const char *line, const char *name, size_t len)
{
	const char	*p;

	if (line[0] == '\0')
		return 0;
	for (p = line + 1; *p != '\0'; p++)
		if (isspace((unsigned char)p[-1]) && strncmp(p, name, len) == 0 &&
		    isspace((unsigned char)p[len]))
			return 1;
	return 0;
}

/* The addresses of every line of the hosts file at path that names name.
 * Returns how many, or EAI_NONAME when lines name it with addresses of the
 * other family only, or EAI_SYSTEM when the file cannot be read. */
static int
lookup_hosts(const char *path, const char *name, int family,
    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS])
{
	char	 line[LOOKUP_HOSTS_LINE_MAX], *p;
	size_t	 len = strlen(name);
	FILE	*f;
	int	 n = 0, other_family = 0, r;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : EAI_SYSTEM;
	while (n < LOOKUP_MAX_ADDRS && fgets(line, sizeof(line), f) != NULL) {
		if ((p = strchr(line, '#')) != NULL) {
			p[0] = '\n';
			p[1] = '\0';
		}
		if (!hosts_line_has(line, name, len))
			continue;
		for (p = line; *p != '\0' && !isspace((unsigned char)*p); p++)
			;
		*p = '\0';
		r = parse_literal(line, family, &addrs[n]);
		if (r == 1)
			n++;
		else if (r < 0)
			other_family = EAI_NONAME;
	}
	fclose(f);
	return n > 0 ? n : other_family;
}

/* Set *value from "key:N" on an options line: its first "key:", when a
 * digit follows, capped at max. */
static void
resolv_option(const char *line, const char *key, unsigned long max, unsigned int *value)
{
	size_t		len = strlen(key);
	unsigned long	v;

	for (; *line != '\0'; line++)
		if (strncmp(line, key, len) == 0)
			break;
	if (*line == '\0' || !isdigit((unsigned char)line[len]))
		return;
	v = strtoul(line + len, NULL, 10);
	*value = (unsigned int)(v > max ? max : v);
}

/* One line of resolv.conf, with its newline.  A keyword counts only at the
 * start of the line, as in musl, and there is no comment syntax. */
static void
resolv_line(struct lookup_resolv *rc, char *line)
{
	char	*p, *end;

	if (strncmp(line, "options", 7) == 0 && isspace((unsigned char)line[7])) {
		resolv_option(line, "ndots:", 15, &rc->ndots);
		resolv_option(line, "attempts:", 10, &rc->attempts);
		resolv_option(line, "timeout:", 60, &rc->timeout);
		return;
	}
	if (strncmp(line, "nameserver", 10) == 0 && isspace((unsigned char)line[10])) {
		if (rc->nns == LOOKUP_MAXNS)
			return;
		for (p = line + 11; isspace((unsigned char)*p); p++)
			;
		for (end = p; *end != '\0' && !isspace((unsigned char)*end); end++)
			;
		*end = '\0';
		if (parse_literal(p, AF_UNSPEC, &rc->ns[rc->nns]) > 0)
			rc->nns++;
		return;
	}
	if ((strncmp(line, "domain", 6) == 0 || strncmp(line, "search", 6) == 0) &&
	    isspace((unsigned char)line[6])) {
		for (p = line + 7; isspace((unsigned char)*p); p++)
			;
		memcpy(rc->search, p, strlen(p) + 1);
	}
}

/* Read resolv.conf at path; a missing file leaves the defaults, and no
 * nameserver line means 127.0.0.1.  Returns 0, or -1 when path exists but
 * cannot be opened. */
static int
resolv_read(const char *path, struct lookup_resolv *rc)
{
	char	 line[LOOKUP_LINE_MAX];
	FILE	*f;
	int	 c;

	memset(rc, 0, sizeof(*rc));
	rc->ndots = 1;
	rc->attempts = 2;
	rc->timeout = 5;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
			return -1;
	} else {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strchr(line, '\n') == NULL && !feof(f)) {
				/* Skip a line too long for the buffer. */
				while ((c = getc(f)) != '\n' && c != EOF)
					;
				continue;
			}
			resolv_line(rc, line);
		}
		fclose(f);
	}
	if (rc->nns == 0) {
		parse_literal("127.0.0.1", AF_UNSPEC, &rc->ns[0]);
		rc->nns = 1;
	}
	return 0;
}

long
lookup_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint16_t
lookup_query_id(void)
{
	uint16_t	id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint16_t)(lookup_now_ms() ^ getpid());
	return id;
}

/*
 * Build a query for name as musl's res_mkquery does: RD set, class IN,
 * one final dot dropped and the name's bytes taken as they are (no
 * escapes).  Returns its length, or -1 for a name of more than 253 bytes or
 * with an empty or a longer than 63 bytes label.
 */
static int
make_query(uint8_t q[static LOOKUP_QUERY_MAX], const char *name, uint8_t type, uint16_t id)
{
	size_t	len = strnlen(name, 255), i = 0, n;
	uint8_t	*p = q + 12;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > 253)
		return -1;
	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;		/* RD */
	q[5] = 1;		/* one question */
	while (i < len) {
		for (n = 0; i + n < len && name[i + n] != '.'; n++)
			;
		if (n == 0 || n > 63)
			return -1;
		*p++ = (uint8_t)n;
		memcpy(p, name + i, n);
		p += n;
		i += n + 1;
	}
	*p++ = 0;
	*p++ = 0;
	*p++ = type;
	*p++ = 0;
	*p++ = 1;
	return (int)(p - q);
}

/* Fill ns with the nameservers as sockaddrs of family, IPv4 ones mapped
 * into IPv6 under AF_INET6.  Returns their length. */
static socklen_t
resolv_sockaddrs(const struct lookup_resolv *rc, int family, uint16_t port,
    union lookup_sockaddr ns[static LOOKUP_MAXNS])
{
	const struct netaddr	*a;
	int			 i;

	memset(ns, 0, LOOKUP_MAXNS * sizeof(ns[0]));
	for (i = 0; i < rc->nns; i++) {
		a = &rc->ns[i].addr;
		if (family == AF_INET && a->family == AF_INET) {
			ns[i].sin.sin_family = AF_INET;
			ns[i].sin.sin_port = htons(port);
			ns[i].sin.sin_addr = a->u.v4;
		} else if (family == AF_INET6) {
			ns[i].sin6.sin6_family = AF_INET6;
			ns[i].sin6.sin6_port = htons(port);
			if (a->family == AF_INET) {
				ns[i].sin6.sin6_addr.s6_addr[10] = 0xff;
				ns[i].sin6.sin6_addr.s6_addr[11] = 0xff;
				memcpy(&ns[i].sin6.sin6_addr.s6_addr[12], &a->u.v4, 4);
			} else {
				ns[i].sin6.sin6_addr = a->u.v6;
				ns[i].sin6.sin6_scope_id = rc->ns[i].scope;
			}
		}
		/* An IPv6 server without IPv6 sockets stays AF_UNSPEC: its
		 * sends fail. */
	}
	return family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* A UDP socket on the wildcard address of the nameservers' family: IPv6
 * when one of them is IPv6 and the kernel has IPv6, else IPv4.  Returns the
 * socket, or -1. */
static int
resolv_socket(const struct lookup_resolv *rc, int *family)
{
	union lookup_sockaddr	any;
	int			fd, i, off = 0;

	*family = AF_INET;
	for (i = 0; i < rc->nns; i++)
		if (rc->ns[i].addr.family == AF_INET6)
			*family = AF_INET6;
	fd = socket(*family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1 && *family == AF_INET6 && errno == EAFNOSUPPORT) {
		*family = AF_INET;
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	if (fd == -1)
		return -1;
	memset(&any, 0, sizeof(any));
	any.sa.sa_family = (sa_family_t)*family;
	if (bind(fd, &any.sa, *family == AF_INET6 ? sizeof(any.sin6) : sizeof(any.sin)) == -1) {
		close(fd);
		return -1;
	}
	if (*family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	return fd;
}

/* The queries of one name (A, AAAA or both) and their replies. */
struct lookup_exchange {
	int			 fd;
	union lookup_sockaddr	 ns[LOOKUP_MAXNS];
	int			 nns;
	socklen_t		 nslen;		/* of each ns entry */
	int			 nq;
	uint8_t			 query[2][LOOKUP_QUERY_MAX];
	int			 qlen[2];
	uint8_t			 reply[2][LOOKUP_REPLY_MAX];
	int			 rlen[2];	/* 0 until a reply is taken */
	int			 answered;
	int			 servfail_resends;	/* left in this round */
};

/*
 * Read the datagrams waiting on the socket.  A reply is taken when it comes
 * from a nameserver's address and port, has the ID of a query without a
 * reply and the rcode NOERROR or NXDOMAIN.  After a SERVFAIL the query goes
 * to that server again at once, while resends are left in this round.
 * Other rcodes are ignored.  Returns 1 once every query has a reply.
 */
static int
receive_replies(struct lookup_exchange *x)
{
	union lookup_sockaddr	from;
	uint8_t			buf[LOOKUP_REPLY_MAX];
	socklen_t		fromlen;
	ssize_t			n;
	int			i, j, rcode;

	for (;;) {
		memset(&from, 0, sizeof(from));
		fromlen = x->nslen;
		if ((n = recvfrom(x->fd, buf, sizeof(buf), 0, &from.sa, &fromlen)) == -1)
			return 0;
		if (n < 4)
			continue;
		for (j = 0; j < x->nns && memcmp(&x->ns[j], &from, x->nslen) != 0; j++)
			;
		for (i = 0; i < x->nq && memcmp(buf, x->query[i], 2) != 0; i++)
			;
		if (j == x->nns || i == x->nq || x->rlen[i] != 0)
			continue;
		rcode = buf[3] & 15;
		if (rcode == 2 && x->servfail_resends > 0) {
			x->servfail_resends--;
			sendto(x->fd, x->query[i], (size_t)x->qlen[i], MSG_NOSIGNAL, &x->ns[j].sa,
			    x->nslen);
		}
		if (rcode != 0 && rcode != 3)
			continue;
		memcpy(x->reply[i], buf, (size_t)n);
		x->rlen[i] = (int)n;
		if (++x->answered == x->nq)
			return 1;
	}
}

/* Send every query without a reply to every nameserver. */
static void
send_round(struct lookup_exchange *x)
{
	int	i, j;

	for (i = 0; i < x->nq; i++)
		for (j = 0; j < x->nns && x->rlen[i] == 0; j++)
			sendto(x->fd, x->query[i], (size_t)x->qlen[i], MSG_NOSIGNAL, &x->ns[j].sa,
			    x->nslen);
	x->servfail_resends = 2 * x->nq;
}

/*
 * Send the queries to all nameservers at once and wait for one reply to
 * each, as musl's __res_msend_rc does.  The queries without a reply go out
 * again every timeout / attempts seconds until the timeout.  Returns 0
 * with x->rlen[i] set to the length of reply i (0 for none), or -1 when no
 * socket could be opened.
 */
static int
send_queries(const struct lookup_resolv *rc, uint16_t port, struct lookup_exchange *x)
{
	struct pollfd	pfd;
	long		start, now, sent, timeout, interval;
	int		family;

	if ((x->fd = resolv_socket(rc, &family)) == -1)
		return -1;
	x->nns = rc->nns;
	x->nslen = resolv_sockaddrs(rc, family, port, x->ns);
	x->answered = 0;
	memset(x->rlen, 0, sizeof(x->rlen));
	timeout = 1000L * rc->timeout;
	/* NOTE: musl divides by zero here for "options attempts:0". */
	interval = timeout / (rc->attempts > 0 ? rc->attempts : 1);
	pfd.fd = x->fd;
	pfd.events = POLLIN;
	start = now = lookup_now_ms();
	sent = now - interval;
	for (; now - start < timeout; now = lookup_now_ms()) {
		if (now - sent >= interval) {
			send_round(x);
			sent = now;
		}
		if (poll(&pfd, 1, (int)(sent + interval - now)) > 0 && receive_replies(x))
			break;
	}
	close(x->fd);
	return 0;
}

/*
 * Skip a name in a reply as musl's __dns_parse does: every byte from 1 to
 * 127 counts as part of it, and it ends at a zero byte or a compression
 * pointer.  Returns the position after the name, or NULL when the name
 * runs to less than 6 bytes before the end or the pointer is invalid.
 */
static const uint8_t *
skip_name(const uint8_t *p, const uint8_t *end)
{
	while (p < end && *p >= 1 && *p <= 127)
		p++;
	if (end - p < 6 || *p > 193 || (*p == 193 && p[1] == 255))
		return NULL;
	return p + (*p == 0 ? 1 : 2);
}

/*
 * Add the A and AAAA records of a reply's answer section to addrs, read as
 * musl's __dns_parse and lookup_name.c read them: by the low byte of the
 * type, in any class, whatever the owner name.  A reply with more than 64
 * questions and answers gives nothing, and the records end at the first
 * malformed one, at an A or AAAA record of the wrong length, or when addrs
 * is full.  Unlike musl, a record is dropped when its data runs past the
 * end of the reply.
 */
static void
parse_answers(const uint8_t *msg, int len, struct lookup_addr addrs[static LOOKUP_MAX_ADDRS],
    int *n)
{
	const uint8_t	*p = msg + 12, *end = msg + len;
	int		 qdcount, ancount, rdlen;

	if (len < 12 || (msg[3] & 15) != 0)
		return;
	qdcount = msg[4] << 8 | msg[5];
	ancount = msg[6] << 8 | msg[7];
	if (qdcount + ancount > 64)
		return;
	for (; qdcount > 0; qdcount--) {
		if ((p = skip_name(p, end)) == NULL)
			return;
		p += 4;		/* type and class */
	}
	for (; ancount > 0; ancount--) {
		if ((p = skip_name(p, end)) == NULL || end - p < 10)
			return;
		rdlen = p[8] << 8 | p[9];
		if (end - p - 10 < rdlen || *n == LOOKUP_MAX_ADDRS)
			return;
		if (p[1] == LOOKUP_TYPE_A || p[1] == LOOKUP_TYPE_AAAA) {
			if (rdlen != (p[1] == LOOKUP_TYPE_A ? 4 : 16))
				return;
			memset(&addrs[*n], 0, sizeof(addrs[0]));
			addrs[*n].addr.family = p[1] == LOOKUP_TYPE_A ? AF_INET : AF_INET6;
			memcpy(addrs[*n].addr.u.bytes, p + 10, (size_t)rdlen);
			(*n)++;
		}
		p += 10 + rdlen;
	}
}

/* Ask the nameservers for the A and AAAA records of name (one of them
 * under AF_INET or AF_INET6).  Returns the number of addresses, 0 for
 * NXDOMAIN, EAI_NONAME for an invalid name or no addresses, EAI_AGAIN when
 * a query got no reply, or EAI_SYSTEM without a socket. */
static int
query_dns(const struct lookup_resolv *rc, uint16_t port, const char *name, int family,
    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS])
{
	static const uint8_t	types[2] = { LOOKUP_TYPE_A, LOOKUP_TYPE_AAAA };
	static const int	skip_under[2] = { AF_INET6, AF_INET };
	struct lookup_exchange	x;
	uint16_t		id = lookup_query_id();
	int			i, n = 0;

	x.nq = 0;
	for (i = 0; i < 2; i++) {
		if (family == skip_under[i])
			continue;
		/* Distinct IDs tell the replies apart. */
		x.qlen[x.nq] = make_query(x.query[x.nq], name, types[i], (uint16_t)(id + x.nq));
		if (x.qlen[x.nq] == -1)
			return EAI_NONAME;
		x.nq++;
	}
	if (send_queries(rc, port, &x) == -1)
		return EAI_SYSTEM;
	/* In query order: a missing reply before an NXDOMAIN wins. */
	for (i = 0; i < x.nq; i++) {
		if (x.rlen[i] == 0)
			return EAI_AGAIN;
		if ((x.reply[i][3] & 15) == 3)
			return 0;
	}
	for (i = 0; i < x.nq; i++)
		parse_answers(x.reply[i], x.rlen[i], addrs, &n);
	return n > 0 ? n : EAI_NONAME;
}

/*
 * Look name up in DNS through the search list, as musl does.  A name with
 * fewer than ndots dots and no final dot is tried with each search domain
 * first.  The first reply that is not NXDOMAIN ends the search, even one
 * without addresses (EAI_NONAME).  Then the name as given is asked.
 */
static int
query_dns_search(const struct lookup_conf *conf, const char *name, int family,
    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS])
{
	struct lookup_resolv	 rc;
	char			 full[256];
	const char		*p, *end;
	size_t			 len, dots = 0;
	int			 n;

	if (resolv_read(conf->resolv_conf, &rc) == -1)
		return EAI_SYSTEM;
	for (len = 0; name[len] != '\0'; len++)
		if (name[len] == '.')
			dots++;
	if (dots >= rc.ndots || name[len - 1] == '.')
		rc.search[0] = '\0';
	if (name[len - 1] == '.')
		len--;
	if (len == 0 || name[len - 1] == '.')
		return EAI_NONAME;
	for (p = rc.search; ; p = end) {
		while (isspace((unsigned char)*p))
			p++;
		for (end = p; *end != '\0' && !isspace((unsigned char)*end); end++)
			;
		if (end == p)
			break;
		if ((size_t)(end - p) >= sizeof(full) - len - 1)
			continue;
		snprintf(full, sizeof(full), "%.*s.%.*s", (int)len, name, (int)(end - p), p);
		if ((n = query_dns(&rc, conf->port, full, family, addrs)) != 0)
			return n;
	}
	return query_dns(&rc, conf->port, name, family, addrs);
}

/*
 * The precedence and label table of RFC 6724 as musl has it, without the
 * deprecated site-local, 6bone and IPv4-compatible entries.  An address
 * matches an entry when its first len bytes equal prefix and its next
 * byte, under mask, equals the next byte of prefix.  The last entry
 * matches all addresses.
 */
static const struct lookup_policy {
	uint8_t	prefix[16];
	uint8_t	len, mask, precedence, label;
} lookup_policies[] = {
	{ { [15] = 1 }, 15, 0xff, 50, 0 },		/* ::1 */
	{ { [10] = 0xff, [11] = 0xff }, 11, 0xff, 35, 4 },	/* ::ffff:0:0/96 */
	{ { 0x20, 0x02 }, 1, 0xff, 30, 2 },		/* 2002::/16 */
	{ { 0x20, 0x01 }, 3, 0xff, 5, 5 },		/* 2001::/32 */
	{ { 0xfc }, 0, 0xfe, 3, 13 },			/* fc00::/7 */
	{ { 0 }, 0, 0, 40, 1 },				/* ::/0 */
};

static const struct lookup_policy *
policy_of(const struct in6_addr *a)
{
	const struct lookup_policy	*p;

	for (p = lookup_policies; ; p++)
		if (memcmp(a->s6_addr, p->prefix, p->len) == 0 &&
		    (a->s6_addr[p->len] & p->mask) == p->prefix[p->len])
			return p;
}

static int
scope_of(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_MULTICAST(a))
		return a->s6_addr[1] & 15;
	if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a))
		return 2;
	if (IN6_IS_ADDR_SITELOCAL(a))
		return 5;
	return 14;
}

/* The number of leading bits that s and d share. */
static int
common_prefix(const struct in6_addr *s, const struct in6_addr *d)
{
	int	i;

	for (i = 0; i < 128; i++)
		if ((s->s6_addr[i / 8] ^ d->s6_addr[i / 8]) & (128 >> (i % 8)))
			break;
	return i;
}

#define KEY_USABLE		0x40000000
#define KEY_MATCHING_SCOPE	0x20000000
#define KEY_MATCHING_LABEL	0x10000000
#define KEY_PRECEDENCE_SHIFT	20
#define KEY_SCOPE_SHIFT		16
#define KEY_PREFIX_SHIFT	8

/*
 * Compute the sort key of destination a, the index-th address found, by
 * the rules of RFC 6724 that musl keeps (1, 2, 5, 6, 8, 9 and 10).  In
 * order of weight: usable, matching scope, matching label, precedence,
 * smaller scope, longer common prefix with the source address, then the
 * order found.  The kernel picks the source address for a UDP socket
 * connected to a, and connecting sends no packet.
 */
static int
sort_key(const struct lookup_addr *a, int index)
{
	union lookup_sockaddr		 dst, src;
	struct in6_addr			 d6, s6;
	const struct lookup_policy	*policy;
	socklen_t			 len;
	int				 fd, key = 0, scope;

	memset(&dst, 0, sizeof(dst));
	memset(&d6, 0, sizeof(d6));
	memset(&s6, 0, sizeof(s6));
	if (a->addr.family == AF_INET6) {
		dst.sin6.sin6_family = AF_INET6;
		dst.sin6.sin6_port = 65535;
		dst.sin6.sin6_scope_id = a->scope;
		dst.sin6.sin6_addr = a->addr.u.v6;
		d6 = a->addr.u.v6;
		len = sizeof(dst.sin6);
	} else {
		dst.sin.sin_family = AF_INET;
		dst.sin.sin_port = 65535;
		dst.sin.sin_addr = a->addr.u.v4;
		d6.s6_addr[10] = d6.s6_addr[11] = 0xff;
		memcpy(&d6.s6_addr[12], &a->addr.u.v4, 4);
		s6.s6_addr[10] = s6.s6_addr[11] = 0xff;
		len = sizeof(dst.sin);
	}
	policy = policy_of(&d6);
	scope = scope_of(&d6);
	if ((fd = socket(a->addr.family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP)) != -1) {
		if (connect(fd, &dst.sa, len) == 0) {
			key |= KEY_USABLE;
			memset(&src, 0, sizeof(src));
			if (getsockname(fd, &src.sa, &len) == 0) {
				if (a->addr.family == AF_INET6)
					s6 = src.sin6.sin6_addr;
				else
					memcpy(&s6.s6_addr[12], &src.sin.sin_addr, 4);
				if (scope == scope_of(&s6))
					key |= KEY_MATCHING_SCOPE;
				if (policy->label == policy_of(&s6)->label)
					key |= KEY_MATCHING_LABEL;
				key |= common_prefix(&s6, &d6) << KEY_PREFIX_SHIFT;
			}
		}
		close(fd);
	}
	key |= policy->precedence << KEY_PRECEDENCE_SHIFT;
	key |= (15 - scope) << KEY_SCOPE_SHIFT;
	key |= LOOKUP_MAX_ADDRS - index;
	return key;
}

/* Sort addrs by their keys, largest first, when there is an IPv6 one among
 * them: musl leaves a list of IPv4 addresses in the order found. */
static void
sort_addrs(struct lookup_addr *addrs, int n)
{
	struct lookup_addr	tmp;
	int			i, j, ipv6 = 0;

	for (i = 0; i < n; i++)
		ipv6 |= addrs[i].addr.family == AF_INET6;
	if (!ipv6)
		return;
	for (i = 0; i < n; i++)
		addrs[i].key = sort_key(&addrs[i], i);
	for (i = 1; i < n; i++) {
		tmp = addrs[i];
		for (j = i; j > 0 && addrs[j - 1].key < tmp.key; j--)
			addrs[j] = addrs[j - 1];
		addrs[j] = tmp;
	}
}

int
lookup_addrs(const char *name, int family, const struct lookup_conf *conf,
    struct netaddr *out, int max)
{
	struct lookup_addr	addrs[LOOKUP_MAX_ADDRS];
	size_t			len = strnlen(name, 255);
	int			n, i;

	if (len == 0 || len >= 255)
		return EAI_NONAME;
	n = parse_literal(name, family, &addrs[0]);
	if (n == 0)
		n = lookup_hosts(conf->hosts, name, family, addrs);
	if (n == 0)
		n = query_dns_search(conf, name, family, addrs);
	if (n <= 0)
		return n < 0 ? n : EAI_NONAME;
	if (family != AF_INET)
		sort_addrs(addrs, n);
	for (i = 0; i < n && i < max; i++) {
		out[i] = addrs[i].addr;
		/* As getaddrinfo's callers did with netaddr_from_sockaddr. */
		if (out[i].family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&out[i].u.v6)) {
			out[i].family = AF_INET;
			memmove(out[i].u.bytes, out[i].u.bytes + 12, 4);
			memset(out[i].u.bytes + 4, 0, 12);
		}
	}
	return i;
}

#ifndef EDGEBOX_STATIC
/* The fuzz harness's ways in (see lookup.h); the static build leaves them
 * out, so that the functions they call stay inlined. */
int
lookup_read_hosts(const char *path, const char *name, int family,
    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS])
{
	return lookup_hosts(path, name, family, addrs);
}

int
lookup_read_resolv(const char *path, struct lookup_resolv *rc)
{
	return resolv_read(path, rc);
}

void
lookup_read_answers(const uint8_t *msg, int len,
    struct lookup_addr addrs[static LOOKUP_MAX_ADDRS], int *n)
{
	parse_answers(msg, len, addrs, n);
}
#endif
