/* exchange.c -- hostq's queries over UDP and TCP, with host's retries and error lines. */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostq.h"
#include "lookup.h"
#include "sock.h"

/* Largest query hostq builds: one question and, for IXFR, one SOA. */
#define QUERY_MAX	1024

/* Outcome of one attempt. */
#define XCHG_OK		0
#define XCHG_FAILED	-1	/* error line printed, try again */
#define XCHG_CONNECT	-2	/* TCP connect failed */
#define XCHG_ABORT	-3	/* the lookup ends without more lines */

/* Print one of host's diagnostic lines on stdout, unless h->quiet is set. */
static void __attribute__((format(printf, 2, 3)))
exchange_print(const struct hostq *h, const char *fmt, ...)
{
	va_list	ap;

	if (h->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Error text as BIND words it (isc_result_totext): errno values and their
 * texts in the same order, then strerror for the others. */
static const int	errtext_codes[] = {
	ETIMEDOUT, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ECONNRESET, 0,
};
static const char	errtext_texts[] =
    "timed out\0connection refused\0network unreachable\0host unreachable\0"
    "connection reset\0end of file";

static const char *
exchange_errtext(int err)
{
	const char	*text = errtext_texts;
	size_t		 i;

	for (i = 0; i < sizeof(errtext_codes) / sizeof(errtext_codes[0]); i++) {
		if (errtext_codes[i] == err)
			return text;
		text += strlen(text) + 1;
	}
	return strerror(err);
}

static void
exchange_commerror(const struct hostq *h, const struct hostq_server *s, int err)
{
	char	addr[NETADDR_STRLEN];

	exchange_print(h, ";; communications error to %s#%u: %s\n",
	    netaddr_format(&s->addr, addr), h->port, exchange_errtext(err));
}

static int
exchange_timeout_ms(const struct hostq *h, int tcp)
{
	if (h->timeout == HOSTQ_WAIT_FOREVER)
		return -1;
	if (h->timeout > 0)
		return h->timeout * 1000;
	return (tcp ? HOSTQ_TIMEOUT_TCP : HOSTQ_TIMEOUT_UDP) * 1000;
}

/* The deadline of an exchange that starts at start, or -1 for none. */
static long
exchange_deadline(const struct hostq *h, int tcp, long start)
{
	int	timeout = exchange_timeout_ms(h, tcp);

	return timeout < 0 ? -1 : start + timeout;
}

/* host's "Trying" line of verbose mode. */
static void
exchange_trying(const struct hostq *h, const char *qtext)
{
	if (h->verbose)
		exchange_print(h, "Trying \"%s\"\n", qtext);
}

/* Wait for events on fd until the deadline (-1: none).  Returns poll's
 * revents, or 0 on timeout. */
static int
exchange_wait(int fd, short events, long deadline)
{
	struct pollfd	pfd;
	int		wait, r;

	for (;;) {
		wait = deadline < 0 ? -1 : (int)(deadline - lookup_now_ms());
		if (deadline >= 0 && wait < 0)
			wait = 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, wait);
		if (r == -1 && errno == EINTR)
			continue;
		return r <= 0 ? 0 : pfd.revents;
	}
}

/* Whether the reply's question is the query's: host prints the question
 * it got otherwise, and ignores the reply.  Returns 1 when it matches. */
static int
exchange_same_question(const struct hostq *h, const uint8_t *query, size_t qlen,
    const struct hostq_reply *reply)
{
	struct dnswire_parser	qp, rp;
	struct dnswire_question	q, r;
	char			name[DNS_NAME_TEXT_MAX];
	char			type[DNS_TYPE_TEXT_MAX], rclass[DNS_TYPE_TEXT_MAX];

	if (dnswire_parser_init(&qp, query, qlen) == -1 ||
	    dnswire_parse_question(&qp, &q) != 1)
		return 1;
	if (dnswire_parser_init(&rp, reply->msg, reply->len) == -1 ||
	    dnswire_parse_question(&rp, &r) != 1)
		return 1;	/* an empty or broken question is reported later */
	if (dnswire_name_equal(q.name, r.name) && q.qtype == r.qtype && q.qclass == r.qclass)
		return 1;
	output_name(r.name, name, sizeof(name));
	exchange_print(h, ";; ;; Question section mismatch: got %s/%s/%s\n", name,
	    dnswire_type_name(r.qtype, type), dnswire_class_name(r.qclass, rclass));
	return 0;
}

/* host's warning for a reply without the QR bit, which it still uses. */
static void
exchange_check_qr(const struct hostq *h, const struct hostq_reply *reply)
{
	if (!(reply->msg[2] & 0x80))
		exchange_print(h, ";; Warning: query response not set\n");
}

/* Open a UDP socket to s and send the query.  Returns the socket, or -1
 * after printing host's error line. */
static int
exchange_udp_send(const struct hostq *h, const struct hostq_server *s, const uint8_t *query,
    size_t qlen)
{
	int	fd, err;

	if ((fd = sock_connect(&s->addr, h->port, SOCK_DGRAM)) == -1) {
		exchange_commerror(h, s, errno);
		return -1;
	}
	if (send(fd, query, qlen, 0) == -1) {
		err = errno;
		close(fd);
		exchange_commerror(h, s, err);
		return -1;
	}
	return fd;
}

/* Read one datagram from the readable socket fd.  Returns XCHG_OK with the
 * reply filled, XCHG_FAILED after printing host's error line, or 1 when
 * the datagram was ignored (a warning is printed) and the wait goes on. */
static int
exchange_udp_receive(const struct hostq *h, const struct hostq_server *s, int fd,
    const uint8_t *query, size_t qlen, struct hostq_reply *reply)
{
	struct dnswire_header	hdr;
	ssize_t			n;
	uint16_t		id = (uint16_t)(query[0] << 8 | query[1]);

	n = recv(fd, reply->msg, sizeof(reply->msg), 0);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 1;
		exchange_commerror(h, s, errno);
		return XCHG_FAILED;
	}
	if (dnswire_header_read(reply->msg, (size_t)n, &hdr) == -1) {
		exchange_print(h, ";; Warning: short (< header size) message received\n");
		return 1;
	}
	if (hdr.id != id) {
		exchange_print(h, ";; Warning: ID mismatch: expected ID %u, got %u\n", id, hdr.id);
		return 1;
	}
	reply->len = (size_t)n;
	if (!exchange_same_question(h, query, qlen, reply))
		return 1;
	exchange_check_qr(h, reply);
	reply->server = s;
	return XCHG_OK;
}

static int
exchange_udp(const struct hostq *h, const struct hostq_server *s, const uint8_t *query,
    size_t qlen, struct hostq_reply *reply)
{
	long	start, deadline;
	int	fd, r;

	start = lookup_now_ms();
	deadline = exchange_deadline(h, 0, start);
	if ((fd = exchange_udp_send(h, s, query, qlen)) == -1)
		return XCHG_FAILED;
	do {
		if (exchange_wait(fd, POLLIN, deadline) == 0) {
			close(fd);
			exchange_commerror(h, s, ETIMEDOUT);
			return XCHG_FAILED;
		}
	} while ((r = exchange_udp_receive(h, s, fd, query, qlen, reply)) == 1);
	close(fd);
	reply->elapsed_ms = lookup_now_ms() - start;
	return r;
}

/* Read (or with writing set, write) exactly len bytes before the deadline.
 * Returns 0, or -1 with *err set to the errno value, or to 0 when a read
 * hits the end of file. */
static int
exchange_io(int fd, uint8_t *buf, size_t len, long deadline, int *err, int writing)
{
	size_t	done = 0;
	ssize_t	n;

	while (done < len) {
		if (exchange_wait(fd, writing ? POLLOUT : POLLIN, deadline) == 0) {
			*err = ETIMEDOUT;
			return -1;
		}
		if (writing)
			n = write(fd, buf + done, len - done);
		else
			n = read(fd, buf + done, len - done);
		if (n == 0 && !writing) {
			*err = 0;
			return -1;
		}
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*err = errno;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Connect over TCP; on failure print host's line.  Returns the fd or -1. */
static int
exchange_tcp_connect(const struct hostq *h, const struct hostq_server *s, const char *qtext,
    long deadline)
{
	char		addr[NETADDR_STRLEN];
	socklen_t	len = sizeof(int);
	int		fd, err = 0, ev;

	if ((fd = sock_connect(&s->addr, h->port, SOCK_STREAM)) == -1)
		err = errno;
	else if ((ev = exchange_wait(fd, POLLOUT, deadline)) == 0)
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		return fd;
	if (fd != -1)
		close(fd);
	netaddr_format(&s->addr, addr);
	exchange_print(h, ";; Connection to %s#%u(%s) for %s failed: %s.\n", addr, h->port, addr,
	    qtext, exchange_errtext(err));
	return -1;
}

/* Send one query over an open TCP connection and read one message. */
static int
exchange_tcp_message(const struct hostq *h, const struct hostq_server *s, int fd,
    long deadline, struct hostq_reply *reply)
{
	uint8_t	lenbuf[2];
	size_t	len;
	int	err;

	if (exchange_io(fd, lenbuf, 2, deadline, &err, 0) == -1) {
		exchange_commerror(h, s, err);
		return XCHG_FAILED;
	}
	len = (size_t)(lenbuf[0] << 8 | lenbuf[1]);
	if (exchange_io(fd, reply->msg, len, deadline, &err, 0) == -1) {
		exchange_commerror(h, s, err);
		return XCHG_FAILED;
	}
	reply->len = len;
	reply->server = s;
	return XCHG_OK;
}

static int
exchange_tcp_send(const struct hostq *h, const struct hostq_server *s, int fd,
    const uint8_t *query, size_t qlen, long deadline)
{
	uint8_t	out[2 + QUERY_MAX];
	int	err;

	if (qlen > QUERY_MAX)
		return XCHG_FAILED;
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, query, qlen);
	if (exchange_io(fd, out, qlen + 2, deadline, &err, 1) == -1) {
		exchange_commerror(h, s, err);
		return XCHG_FAILED;
	}
	return XCHG_OK;
}

/* Send the query over the connected socket fd, read the reply and close fd. */
static int
exchange_tcp_query(const struct hostq *h, const struct hostq_server *s, int fd,
    const uint8_t *query, size_t qlen, long start, long deadline, struct hostq_reply *reply)
{
	int	r;

	r = exchange_tcp_send(h, s, fd, query, qlen, deadline);
	if (r == XCHG_OK)
		r = exchange_tcp_message(h, s, fd, deadline, reply);
	close(fd);
	if (r == XCHG_OK && !exchange_same_question(h, query, qlen, reply))
		r = XCHG_ABORT;		/* over TCP host gives up at once */
	else if (r == XCHG_OK)
		exchange_check_qr(h, reply);
	reply->elapsed_ms = lookup_now_ms() - start;
	return r;
}

static int
exchange_tcp(const struct hostq *h, const struct hostq_server *s, const char *qtext,
    const uint8_t *query, size_t qlen, struct hostq_reply *reply)
{
	long	start = lookup_now_ms(), deadline = exchange_deadline(h, 1, start);
	int	fd;

	if ((fd = exchange_tcp_connect(h, s, qtext, deadline)) == -1)
		return XCHG_CONNECT;
	return exchange_tcp_query(h, s, fd, query, qlen, start, deadline, reply);
}

/* Whether server s may be used under -4 / -6; prints host's note if not. */
static int
exchange_family_ok(const struct hostq *h, const struct hostq_server *s)
{
	char	addr[NETADDR_STRLEN];

	if (h->family == 0 || h->family == s->addr.family)
		return 1;
	netaddr_format(&s->addr, addr);
	if (s->addr.family == AF_INET)
		exchange_print(h, ";; Skipping mapped address '::ffff:%s'\n", addr);
	else
		exchange_print(h, ";; Skipping IPv6 address '%s'\n", addr);
	return 0;
}

/* One attempt at server s, repeated over TCP when the UDP reply is
 * truncated.  Returns XCHG_OK or the failure. */
static int
exchange_attempt(struct hostq *h, const struct hostq_server *s, const char *qtext,
    const uint8_t *query, size_t qlen, struct hostq_reply *reply)
{
	int	r;

	if (h->tcp)
		return exchange_tcp(h, s, qtext, query, qlen, reply);
	r = exchange_udp(h, s, query, qlen, reply);
	if (r != XCHG_OK || !(reply->msg[2] & (DNS_FLAG_TC >> 8)))
		return r;
	/* Truncated: host repeats the query over TCP, even with -U. */
	exchange_trying(h, qtext);
	/* Later lookups (AAAA, MX) start over TCP, as host's do. */
	h->tcp = 1;
	return exchange_tcp(h, s, qtext, query, qlen, reply);
}

/*
 * After failure r at server *i: the retries are shared by all servers, as
 * in host.  A failed attempt is repeated at the same server while more
 * than one try is left, then each further server gets one attempt, so -R 1
 * (two tries) with three dead servers makes four attempts: 2, 1 and 1.
 */
static void
exchange_after_failure(const struct hostq *h, int r, int *i, int *tries, const char *qtext)
{
	if (*tries <= 1) {
		(*i)++;
		return;
	}
	(*tries)--;
	/* host prints these before it connects to the same server again. */
	if (r == XCHG_CONNECT) {
		exchange_print(h, ";; no servers could be reached\n");
		exchange_trying(h, qtext);
	}
}

/* host's last line when every server failed, or none could be used under
 * -4 or -6 (usable 0).  Returns -1. */
static int
exchange_give_up(const struct hostq *h, int usable)
{
	exchange_print(h, "%s", usable == 0 ? ";; No acceptable nameservers\n" :
	    ";; no servers could be reached\n");
	return -1;
}

static int	exchange_xfr_attempt(struct hostq *, const struct hostq_server *,
		    const char *, const uint8_t *, size_t,
		    int (*)(struct hostq *, const struct hostq_reply *, void *), void *, int *);

/*
 * Send the query to the servers in turn, with host's retries.  Without
 * each, the result is 0 with the reply filled.  With each, a zone is
 * transferred and the result is each's last value.  Returns the result,
 * or -1 when no server could be reached.
 */
static int
exchange_servers(struct hostq *h, const char *qtext, const uint8_t *query, size_t qlen,
    struct hostq_reply *reply,
    int (*each)(struct hostq *, const struct hostq_reply *, void *), void *arg)
{
	int		i = 0, r, usable = 0, tries = h->tries, result = -1;
	unsigned int	rcode;

	exchange_trying(h, qtext);
	while (i < h->nservers) {
		if (!exchange_family_ok(h, &h->servers[i])) {
			i++;
			continue;
		}
		usable++;
		if (each != NULL) {
			r = exchange_xfr_attempt(h, &h->servers[i], qtext, query, qlen, each, arg,
			    &result);
			if (r == XCHG_OK)
				return result;
		} else
			r = exchange_attempt(h, &h->servers[i], qtext, query, qlen, reply);
		if (r == XCHG_ABORT)
			return -1;
		if (r == XCHG_OK) {
			rcode = DNS_FLAGS_RCODE(reply->msg[3]);
			/* A stub resolver moves on after SERVFAIL, unless -s is given. */
			if (rcode != DNS_RCODE_SERVFAIL || h->servfail_stops ||
			    i + 1 >= h->nservers)
				return 0;
			i++;
		} else
			exchange_after_failure(h, r, &i, &tries, qtext);
	}
	return exchange_give_up(h, usable);
}

int
exchange_query(struct hostq *h, const char *qtext, const uint8_t *qname, uint16_t qtype,
    struct hostq_reply *reply)
{
	uint8_t		query[DNS_HEADER_LEN + DNS_NAME_MAX + 4];
	int		qlen;

	qlen = dnswire_query(query, sizeof(query), lookup_query_id(),
	    h->recurse ? DNS_FLAG_RD : 0, qname, qtype, h->qclass, 0);
	if (qlen == -1)
		return -1;
	return exchange_servers(h, qtext, query, (size_t)qlen, reply, NULL, NULL);
}

static void
exchange_close_all(struct pollfd *pfd, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (pfd[i].fd != -1) {
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
}

/*
 * The TCP side of exchange_parallel.  host 9.18 connects to the servers one
 * after the other and ends the whole lookup, before any reply is read, when
 * the connection to the last server fails.  Returns the number of replies.
 * NOTE: that is host 9.18.49's usual outcome on loopback, but by timing it
 * sometimes prints the replies that came first, and it sometimes hangs
 * over TCP, so the differential suite does not run -C -T.
 */
static int
exchange_parallel_tcp(struct hostq *h, const struct hostq_server *servers, int nservers,
    const char *qtext, const uint8_t *query, size_t qlen, struct hostq_reply *reply,
    int (*each)(struct hostq *, const struct hostq_reply *))
{
	int	fds[HOSTQ_SOA_SERVERS_MAX];
	long	start = lookup_now_ms(), deadline = exchange_deadline(h, 1, start);
	int	i, replies = 0;

	for (i = 0; i < nservers; i++)
		fds[i] = exchange_tcp_connect(h, &servers[i], qtext, deadline);
	for (i = 0; i < nservers; i++) {
		if (fds[i] == -1)
			continue;
		if (fds[nservers - 1] == -1) {
			close(fds[i]);
			continue;
		}
		if (exchange_tcp_query(h, &servers[i], fds[i], query, qlen, start, deadline,
		    reply) != XCHG_OK)
			continue;
		replies++;
		if (each(h, reply) == -1) {
			while (++i < nservers)
				if (fds[i] != -1)
					close(fds[i]);
			break;
		}
	}
	return replies;
}

/*
 * Send the query to every server at once, as host -C does, and call each
 * for every reply in the order the replies arrive.  Every server gets one
 * attempt.  The servers that send no reply before the timeout get their
 * ";; communications error" lines last, in the order given.  When each
 * returns -1 the lookup ends there and the other queries are dropped.  With
 * -T the servers are asked over TCP one after the other.  Returns the
 * number of replies.
 */
int
exchange_parallel(struct hostq *h, const struct hostq_server *servers, int nservers,
    const char *qtext, const uint8_t *qname, uint16_t qtype, struct hostq_reply *reply,
    int (*each)(struct hostq *, const struct hostq_reply *))
{
	struct pollfd	pfd[HOSTQ_SOA_SERVERS_MAX];
	uint8_t		query[DNS_HEADER_LEN + DNS_NAME_MAX + 4];
	long		start, deadline;
	int		qlen, i, pending = 0, replies = 0, wait, r;

	qlen = dnswire_query(query, sizeof(query), lookup_query_id(),
	    h->recurse ? DNS_FLAG_RD : 0, qname, qtype, h->qclass, 0);
	if (qlen == -1 || nservers > HOSTQ_SOA_SERVERS_MAX)
		return 0;
	exchange_trying(h, qtext);
	if (h->tcp)
		return exchange_parallel_tcp(h, servers, nservers, qtext, query, (size_t)qlen,
		    reply, each);
	start = lookup_now_ms();
	deadline = exchange_deadline(h, 0, start);
	for (i = 0; i < nservers; i++) {
		pfd[i].fd = exchange_udp_send(h, &servers[i], query, (size_t)qlen);
		pfd[i].events = POLLIN;
		pending += pfd[i].fd != -1;
	}
	while (pending > 0) {
		wait = deadline < 0 ? -1 : (int)(deadline - lookup_now_ms());
		if (deadline >= 0 && wait <= 0)
			break;
		if (poll(pfd, (nfds_t)nservers, wait) == -1 && errno != EINTR)
			break;
		for (i = 0; i < nservers; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			r = exchange_udp_receive(h, &servers[i], pfd[i].fd, query, (size_t)qlen,
			    reply);
			if (r == 1)
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			pending--;
			if (r != XCHG_OK)
				continue;
			replies++;
			reply->elapsed_ms = lookup_now_ms() - start;
			if (each(h, reply) == -1) {
				/* host cancels the queries still out, silently. */
				exchange_close_all(pfd, nservers);
				return replies;
			}
		}
	}
	for (i = 0; i < nservers; i++)
		if (pfd[i].fd != -1) {
			close(pfd[i].fd);
			exchange_commerror(h, &servers[i], ETIMEDOUT);
		}
	return replies;
}

#define XFR_QUERY_MAX	(DNS_HEADER_LEN + 2 * DNS_NAME_MAX + 4 + 10 + 2 + 20)

/* An AXFR query, or an IXFR query carrying the client's SOA serial in the
 * authority section (RFC 1995), both without RD as host sends them. */
static int
exchange_xfr_query(const struct hostq *h, uint16_t id, const uint8_t *qname, uint8_t *buf,
    size_t cap)
{
	static const uint8_t	root[1] = { 0 };
	struct dnswire_builder	b;
	int			i;

	if (dnswire_builder_init(&b, buf, cap, 0) == -1)
		return -1;
	dnswire_builder_header(&b, id, 0);
	if (dnswire_builder_question(&b, qname, h->qtype, h->qclass) == -1)
		return -1;
	if (h->qtype == DNS_TYPE_IXFR) {
		if (dnswire_builder_rr_begin(&b, DNS_SECTION_AUTHORITY, qname, DNS_TYPE_SOA,
		    h->qclass, 0) == -1)
			return -1;
		dnswire_builder_rdata_name(&b, root, 0);
		dnswire_builder_rdata_name(&b, root, 0);
		dnswire_builder_rdata_u32(&b, h->ixfr_serial);
		for (i = 0; i < 4; i++)
			dnswire_builder_rdata_u32(&b, 0);
		if (dnswire_builder_rr_end(&b) == -1)
			return -1;
	}
	return (int)dnswire_builder_finish(&b);
}

/* One zone transfer attempt at s.  Returns XCHG_OK once a message came,
 * with *result set to the callback's last value (0 at the end, -1 when the
 * transfer failed), or the failure before the first message. */
static int
exchange_xfr_attempt(struct hostq *h, const struct hostq_server *s, const char *qtext,
    const uint8_t *query, size_t qlen,
    int (*each)(struct hostq *, const struct hostq_reply *, void *), void *arg,
    int *result)
{
	static struct hostq_reply	reply;
	struct dnswire_header		hdr;
	long				start = lookup_now_ms();
	long				deadline = exchange_deadline(h, 1, start);
	int				fd, r = -1, messages = 0;
	uint16_t			id = (uint16_t)(query[0] << 8 | query[1]);

	if ((fd = exchange_tcp_connect(h, s, qtext, deadline)) == -1)
		return XCHG_CONNECT;
	if (exchange_tcp_send(h, s, fd, query, qlen, deadline) != XCHG_OK) {
		close(fd);
		return XCHG_FAILED;
	}
	/* Read messages until the callback reports the end of the transfer;
	 * the timeout applies to each message. */
	do {
		deadline = exchange_deadline(h, 1, lookup_now_ms());
		if (exchange_tcp_message(h, s, fd, deadline, &reply) != XCHG_OK) {
			close(fd);
			if (messages == 0)
				return XCHG_FAILED;
			*result = -1;
			return XCHG_OK;
		}
		messages++;
		reply.elapsed_ms = lookup_now_ms() - start;
		if (dnswire_header_read(reply.msg, reply.len, &hdr) == -1 || hdr.id != id) {
			exchange_commerror(h, s, EPROTO);
			break;
		}
		r = each(h, &reply, arg);
	} while (r == 1);
	close(fd);
	*result = r;
	return XCHG_OK;
}

int
exchange_axfr(struct hostq *h, const char *qtext, const uint8_t *qname,
    int (*each)(struct hostq *, const struct hostq_reply *, void *), void *arg)
{
	uint8_t	query[XFR_QUERY_MAX];
	int	qlen;

	if ((qlen = exchange_xfr_query(h, lookup_query_id(), qname, query, sizeof(query))) == -1)
		return -1;
	return exchange_servers(h, qtext, query, (size_t)qlen, NULL, each, arg);
}
