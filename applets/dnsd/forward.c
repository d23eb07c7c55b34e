/* forward.c -- dnsd's upstream queries: one UDP socket each, retries, failover, caching. */
#include <sys/random.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd.h"
#include "dnswire.h"
#include "log.h"
#include "loop.h"

#define UPSTREAM_BUF	4096	/* we advertise DNSD_EDNS_SIZE; a little more is tolerated */
#define TCP_BUFS	8	/* upstream TCP queries at once (for truncated replies) */
#define TCP_BUF_SIZE	(2 + DNS_MSG_MAX)

/* A TCP retry of a truncated UDP reply, for a client that asked over TCP. */
struct upstream_tcp {
	int		 fd;		/* -1: none */
	int		 server;	/* index into the pending's servers */
	int		 connected;
	uint8_t		*buf;		/* one of tcp_bufs */
	size_t		 len;
};

struct pending {
	int			in_use;
	struct query		q;
	struct forward_client	client;
	struct netaddr		addr[FORWARD_TRIES];
	uint16_t		port[FORWARD_TRIES];
	int			server[FORWARD_TRIES];	/* index in conf->servers */
	int			nservers;
	int			next;		/* next server to try */
	int			fd[FORWARD_TRIES];	/* one socket per try in flight */
	uint16_t		id[FORWARD_TRIES];
	int			inflight;
	uint64_t		timer;
	unsigned int		last_rcode;	/* sent when every server failed */
	struct upstream_tcp	tcp;
};

static struct pending	 pending[FORWARD_MAX];
static int		 npending;	/* slots set up so far; the rest are untouched */
static struct dnsd_state *state;
static forward_reply_cb	 deliver;
static uint8_t		 upbuf[UPSTREAM_BUF];
static uint8_t		 outbuf[DNS_MSG_MAX];
static uint8_t		*tcp_bufs[TCP_BUFS];
static int		 tcp_buf_used[TCP_BUFS];

/*
 * Random 16-bit values, from getrandom(2) in batches.  getrandom blocks
 * only until the kernel's pool is first initialised, and forward_init
 * fills the batch at start-up, so the packet path never waits for it.
 */
static uint16_t	random_pool[128];
static size_t	random_left;

static void
random_fill(void)
{
	ssize_t	n;

	while ((n = getrandom(random_pool, sizeof(random_pool), 0)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(random_pool))
		fatal("getrandom");
	random_left = sizeof(random_pool) / sizeof(random_pool[0]);
}

static uint16_t
random16(void)
{
	if (random_left == 0)
		random_fill();
	return random_pool[--random_left];
}

int
forward_init(struct dnsd_state *st, forward_reply_cb cb)
{
	state = st;
	deliver = cb;
	random_fill();
	npending = 0;
	return 0;
}

/* A free slot, set up on first use so that an idle dnsd does not touch
 * the whole table.  Returns NULL when every slot is busy. */
static struct pending *
slot_get(void)
{
	struct pending	*pq;
	int		 i;

	for (i = 0; i < npending; i++)
		if (!pending[i].in_use)
			return &pending[i];
	if (npending == FORWARD_MAX)
		return NULL;
	pq = &pending[npending++];
	memset(pq, 0, sizeof(*pq));
	for (i = 0; i < FORWARD_TRIES; i++)
		pq->fd[i] = -1;
	pq->tcp.fd = -1;
	return pq;
}

int
forward_pending(void)
{
	int	i, n = 0;

	for (i = 0; i < npending; i++)
		n += pending[i].in_use;
	return n;
}

/* Note that server k of pq failed (or, with ok, answered). */
static void
mark_server(struct pending *pq, int k, int ok)
{
	state->server_failed[pq->server[k]] = ok ? 0 : loop_now();
}

static void
close_try(struct pending *pq, int k)
{
	if (pq->fd[k] == -1)
		return;
	loop_del_fd(pq->fd[k]);
	close(pq->fd[k]);
	pq->fd[k] = -1;
	pq->inflight--;
}

static void
close_tcp(struct pending *pq)
{
	int	i;

	if (pq->tcp.fd == -1)
		return;
	loop_del_fd(pq->tcp.fd);
	close(pq->tcp.fd);
	pq->tcp.fd = -1;
	for (i = 0; i < TCP_BUFS; i++)
		if (tcp_bufs[i] == pq->tcp.buf) {
			tcp_buf_used[i] = 0;
			free(tcp_bufs[i]);
			tcp_bufs[i] = NULL;
		}
	pq->tcp.buf = NULL;
}

static void
release(struct pending *pq)
{
	int	k;

	close_tcp(pq);
	for (k = 0; k < FORWARD_TRIES; k++)
		close_try(pq, k);
	loop_cancel_timer(pq->timer);
	pq->in_use = 0;
}

static void	on_reply(int, short, void *);
static void	on_tcp(int, short, void *);
static void	on_timeout(void *);

/* Send the query to server k over a fresh socket: a new source port and ID
 * per try, so a forged reply has to guess both (RFC 5452). */
static int
send_try(struct pending *pq, int k)
{
	uint8_t	msg[DNS_HEADER_LEN + DNS_NAME_MAX + 4 + 11];
	char	buf[NETADDR_STRLEN];
	int	len, fd;

	pq->id[k] = random16();
	len = dnswire_query(msg, sizeof(msg), pq->id[k], DNS_FLAG_RD, pq->q.name,
	    pq->q.qtype, pq->q.qclass, DNSD_EDNS_SIZE);
	if (len == -1)
		return -1;
	if ((fd = sock_connect(&pq->addr[k], pq->port[k], SOCK_DGRAM)) == -1) {
		log_warn("upstream %s#%u: socket", netaddr_format(&pq->addr[k], buf),
		    pq->port[k]);
		return -1;
	}
	if (send(fd, msg, (size_t)len, 0) != len || loop_add_fd(fd, POLLIN, on_reply, pq) == -1) {
		log_debug("upstream %s#%u: send: %s", netaddr_format(&pq->addr[k], buf),
		    pq->port[k], strerror(errno));
		close(fd);
		return -1;
	}
	pq->fd[k] = fd;
	pq->inflight++;
	state->stats.forwarded++;
	if (state->conf->log_queries) {
		char	name[DNS_NAME_TEXT_MAX];

		if (dnswire_name_to_text(pq->q.name, name, sizeof(name), 0) == -1)
			strcpy(name, "?");
		log_info("forwarded %s to %s#%u", name, netaddr_format(&pq->addr[k], buf),
		    pq->port[k]);
	}
	return 0;
}

static void
finish_fail(struct pending *pq)
{
	size_t	len;

	if (pq->last_rcode == DNS_RCODE_SERVFAIL)
		state->stats.servfail++;
	len = query_error(&pq->q, pq->last_rcode, outbuf, sizeof(outbuf));
	if (len > 0)
		deliver(&pq->client, outbuf, len);
	release(pq);
}

/* Try the next servers until one send succeeds; with all-servers, send to
 * every one at once.  Gives up with the last rcode when none is left. */
static void
advance(struct pending *pq)
{
	int	sent = 0;

	while (pq->next < pq->nservers) {
		if (send_try(pq, pq->next) == 0) {
			pq->next++;
			sent = 1;
			if (!state->conf->all_servers)
				break;
		} else {
			mark_server(pq, pq->next++, 0);
			state->stats.upstream_failures++;
		}
	}
	if (!sent && pq->inflight == 0) {
		finish_fail(pq);
		return;
	}
	loop_cancel_timer(pq->timer);
	pq->timer = loop_add_timer(FORWARD_TIMEOUT, on_timeout, pq);
}

static void
on_timeout(void *arg)
{
	struct pending	*pq = arg;
	int		 k;

	pq->timer = 0;
	state->stats.upstream_failures += (unsigned long)pq->inflight;
	if (pq->tcp.fd != -1) {
		state->stats.upstream_failures++;
		mark_server(pq, pq->tcp.server, 0);
		close_tcp(pq);
	}
	for (k = 0; k < FORWARD_TRIES; k++)
		if (pq->fd[k] != -1) {
			mark_server(pq, k, 0);
			close_try(pq, k);
		}
	advance(pq);
}

int
forward_start(const struct query *q, const struct forward_client *client,
    const int *idx, int n)
{
	struct pending	*pq;
	int		 i;

	if (n == 0 || (pq = slot_get()) == NULL)
		return -1;
	pq->in_use = 1;
	pq->q = *q;
	pq->client = *client;
	pq->nservers = n < FORWARD_TRIES ? n : FORWARD_TRIES;
	for (i = 0; i < pq->nservers; i++) {
		pq->addr[i] = state->conf->servers[idx[i]].addr;
		pq->port[i] = state->conf->servers[idx[i]].port;
		pq->server[i] = idx[i];
	}
	pq->next = 0;
	pq->inflight = 0;
	pq->timer = 0;
	pq->last_rcode = DNS_RCODE_SERVFAIL;
	advance(pq);
	return 0;
}

/* Whether msg answers the query we sent as try k: the ID and the one
 * question must match (the connected socket already checked the source). */
static int
matches(const struct pending *pq, int k, const uint8_t *msg, size_t len)
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;

	if (dnswire_parser_init(&p, msg, len) == -1 || p.hdr.id != pq->id[k] ||
	    !(p.hdr.flags & DNS_FLAG_QR) || p.hdr.count[DNS_SECTION_QUESTION] != 1 ||
	    dnswire_parse_question(&p, &qu) != 1)
		return 0;
	return qu.qtype == pq->q.qtype && qu.qclass == pq->q.qclass &&
	    dnswire_name_equal(qu.name, pq->q.name);
}

static int
try_of(const struct pending *pq, int fd)
{
	int	k;

	for (k = 0; k < FORWARD_TRIES; k++)
		if (pq->fd[k] == fd)
			return k;
	return -1;
}

static void	answer(struct pending *, int, const uint8_t *, size_t);
static int	start_tcp(struct pending *, int);

static void
on_reply(int fd, short revents, void *arg)
{
	struct pending	*pq = arg;
	ssize_t		 n;
	size_t		 len;
	unsigned int	 rcode;
	int		 k;

	if ((k = try_of(pq, fd)) == -1)
		return;
	if ((n = recv(fd, upbuf, sizeof(upbuf), 0)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* ECONNREFUSED: an ICMP error; go on without waiting. */
		log_debug("upstream reply: %s", strerror(errno));
		state->stats.upstream_failures++;
		mark_server(pq, k, 0);
		close_try(pq, k);
		if (pq->inflight == 0)
			advance(pq);
		return;
	}
	len = (size_t)n;
	if (!matches(pq, k, upbuf, len)) {
		state->stats.bad_replies++;
		return;
	}
	rcode = DNS_FLAGS_RCODE(((uint16_t)upbuf[2] << 8) | upbuf[3]);
	if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED ||
	    rcode == DNS_RCODE_NOTIMP || rcode == DNS_RCODE_FORMERR) {
		state->stats.upstream_failures++;
		pq->last_rcode = rcode == DNS_RCODE_REFUSED ? rcode : DNS_RCODE_SERVFAIL;
		mark_server(pq, k, 0);
		close_try(pq, k);
		if (pq->inflight == 0)
			advance(pq);
		return;
	}
	mark_server(pq, k, 1);
	if ((upbuf[2] & (DNS_FLAG_TC >> 8)) && pq->q.tcp && start_tcp(pq, k) == 0)
		return;
	answer(pq, k, upbuf, len);
}

/* Cache and relay a valid reply from server k, or go on to the next
 * server when it cannot be relayed. */
static void
answer(struct pending *pq, int k, const uint8_t *msg, size_t len)
{
	uint8_t		lname[DNS_NAME_MAX];
	size_t		outlen;
	uint32_t	ttl;

	if ((ttl = query_cache_ttl(state, msg, len)) > 0) {
		memcpy(lname, pq->q.name, dnswire_name_len(pq->q.name));
		dnswire_name_lower(lname);
		(void)cache_store(&state->cache, lname, pq->q.qtype, pq->q.qclass, msg, len,
		    ttl, loop_now());
	}
	outlen = query_relay(&pq->q, msg, len, 0, 0, outbuf, sizeof(outbuf));
	if (outlen == 0) {
		state->stats.malformed++;
		close_tcp(pq);
		if (k >= 0)
			close_try(pq, k);
		if (pq->inflight == 0)
			advance(pq);
		return;
	}
	deliver(&pq->client, outbuf, outlen);
	release(pq);
}

/* The UDP reply from server k was truncated and the client asked over
 * TCP: ask the same server again over TCP.  Returns 0, or -1 when no TCP
 * buffer or socket is free (the truncated reply is relayed instead). */
static int
start_tcp(struct pending *pq, int k)
{
	int	i, fd;

	for (i = 0; i < TCP_BUFS && tcp_buf_used[i]; i++)
		;
	if (i == TCP_BUFS || pq->tcp.fd != -1)
		return -1;
	/* Allocated per retry: this is the rare path of truncated replies. */
	if ((tcp_bufs[i] = malloc(TCP_BUF_SIZE)) == NULL)
		return -1;
	if ((fd = sock_connect(&pq->addr[k], pq->port[k], SOCK_STREAM)) == -1) {
		free(tcp_bufs[i]);
		tcp_bufs[i] = NULL;
		return -1;
	}
	if (loop_add_fd(fd, POLLOUT, on_tcp, pq) == -1) {
		close(fd);
		free(tcp_bufs[i]);
		tcp_bufs[i] = NULL;
		return -1;
	}
	tcp_buf_used[i] = 1;
	pq->tcp.fd = fd;
	pq->tcp.buf = tcp_bufs[i];
	pq->tcp.len = 0;
	pq->tcp.connected = 0;
	pq->tcp.server = k;
	close_try(pq, k);
	loop_cancel_timer(pq->timer);
	pq->timer = loop_add_timer(FORWARD_TIMEOUT, on_timeout, pq);
	return 0;
}

static void
tcp_failed(struct pending *pq)
{
	state->stats.upstream_failures++;
	mark_server(pq, pq->tcp.server, 0);
	close_tcp(pq);
	if (pq->inflight == 0)
		advance(pq);
}

/* Once connected, send the query with its 2-byte length prefix. */
static void
tcp_send_query(struct pending *pq, int fd)
{
	uint8_t		msg[2 + DNS_HEADER_LEN + DNS_NAME_MAX + 4 + 11];
	socklen_t	errlen;
	int		len, err = 0, k = pq->tcp.server;

	errlen = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1 || err != 0) {
		tcp_failed(pq);
		return;
	}
	pq->id[k] = random16();
	len = dnswire_query(msg + 2, sizeof(msg) - 2, pq->id[k], DNS_FLAG_RD, pq->q.name,
	    pq->q.qtype, pq->q.qclass, DNSD_EDNS_SIZE);
	if (len == -1) {
		tcp_failed(pq);
		return;
	}
	msg[0] = (uint8_t)(len >> 8);
	msg[1] = (uint8_t)len;
	if (send(fd, msg, (size_t)len + 2, MSG_NOSIGNAL) != len + 2) {
		tcp_failed(pq);
		return;
	}
	pq->tcp.connected = 1;
	loop_set_events(fd, POLLIN);
}

/* Read until the whole length-prefixed reply is in, then answer with it. */
static void
tcp_read_reply(struct pending *pq, int fd)
{
	ssize_t	n;
	size_t	want;

	n = read(fd, pq->tcp.buf + pq->tcp.len, TCP_BUF_SIZE - pq->tcp.len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		tcp_failed(pq);
		return;
	}
	pq->tcp.len += (size_t)n;
	if (pq->tcp.len < 2)
		return;
	want = (size_t)pq->tcp.buf[0] << 8 | pq->tcp.buf[1];
	if (pq->tcp.len < 2 + want)
		return;
	if (!matches(pq, pq->tcp.server, pq->tcp.buf + 2, want)) {
		state->stats.bad_replies++;
		tcp_failed(pq);
		return;
	}
	answer(pq, -1, pq->tcp.buf + 2, want);
}

static void
on_tcp(int fd, short revents, void *arg)
{
	struct pending	*pq = arg;

	if (!pq->tcp.connected)
		tcp_send_query(pq, fd);
	else
		tcp_read_reply(pq, fd);
}

void
forward_cancel_all(void)
{
	int	i;

	for (i = 0; i < npending; i++)
		if (pending[i].in_use)
			release(&pending[i]);
}
