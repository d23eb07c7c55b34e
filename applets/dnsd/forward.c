/* forward.c -- dnsd's upstream queries: shared random-port sockets, retries, failover, coalescing. */
#include <sys/random.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnsd.h"
#include "dnswire.h"
#include "log.h"
#include "loop.h"

#define UPSTREAM_BUF	4096	/* we advertise DNSD_EDNS_SIZE; a little more is tolerated */
#define TCP_BUFS	8	/* upstream TCP queries at once (for truncated replies) */
#define TCP_BUF_SIZE	(2 + DNS_MSG_MAX)
#define REPLY_BATCH	16	/* datagrams read per wake-up of an upstream socket */

/*
 * Upstream sockets.  Each is connected to one server, so the kernel drops
 * datagrams from other addresses and ports and reports ICMP errors.  A
 * socket leaves its server's pool once it has carried SOCK_USES queries,
 * and it closes when none is left in flight.  With SOCK_USES 1 every
 * query goes out from a new random port, so a forger has to guess the
 * port as well as the ID (RFC 5452).  When SOCKS_MAX sockets are open,
 * or no descriptor is left, a query shares an open socket to its server,
 * where ID and question tell the queries apart.
 */
#define SOCKS_MAX		128
#define SOCKS_PER_SERVER	16
#define SOCK_USES		1

/* Without strict-order or all-servers every PROBE_QUERIES-th query, or
 * the first after PROBE_SECONDS, goes to every server, and the first to
 * answer is used first from then on (dnsmasq's fastest-first rule). */
#define PROBE_QUERIES	50
#define PROBE_SECONDS	20.0

/* RFC 8914 Extended DNS Error codes. */
#define EDE_OPTION		15
#define EDE_NO_REACHABLE	22
#define EDE_NETWORK_ERROR	23

struct upsock {
	int		fd;		/* -1: closed */
	int		server;		/* index in conf->servers, -1: not pooled */
	int		slot;		/* index in by_server[server], -1: not pooled */
	struct netaddr	addr;		/* the server it is connected to */
	uint16_t	port;
	unsigned int	outstanding;	/* tries in flight on it */
	unsigned int	uses;
};

/* One query sent to one server. */
struct try {
	int		sock;		/* index in socks[], -1: not in flight */
	uint16_t	id;
	uint32_t	hnext;		/* chain in the try hash, NIL ends */
};

#define NIL	UINT32_MAX

/* A TCP retry of a truncated UDP reply, for a client that asked over TCP. */
struct upstream_tcp {
	int		 fd;		/* -1: none */
	int		 server;	/* index into the pending's servers */
	int		 connected;
	uint8_t		*buf;		/* one of tcp_bufs */
	size_t		 len;
};

/* The client of a pending query in less room than struct forward_client,
 * whose sockaddr_storage is 128 bytes: a client of a UDP listener is an
 * IPv4 or IPv6 address, and a TCP client is named by its connection. */
struct pending_client {
	int			fd;
	int			conn;
	uint32_t		conn_gen;
	socklen_t		fromlen;
	struct sockaddr_in6	from;
	struct netaddr		local;
	int			ifindex;
};

/*
 * A query waiting for upstreams.  A leader sends the upstream queries;
 * a waiter asked the same question while the leader was in flight and
 * takes its answer (leader is its slot index), so a burst of clients
 * asking one name costs one upstream query.
 */
#define NAME_SHORT	64

struct pending {
	int			in_use;
	int			leader;		/* -1: a leader */
	int			next_waiter;	/* chain of waiters, -1 ends */
	struct query_wait	q;
	/* The question name when it fits (most do), else in long_names:
	 * 100 queries in flight then take 11 pages, not 16. */
	uint8_t			name[NAME_SHORT];
	struct pending_client	client;
	struct netaddr		addr[FORWARD_TRIES];
	uint16_t		port[FORWARD_TRIES];
	int			server[FORWARD_TRIES];	/* index in conf->servers */
	int			nservers;
	int			next;		/* next server to try */
	int			all;		/* send to every server at once */
	struct try		t[FORWARD_TRIES];
	int			inflight;
	uint64_t		timer;
	unsigned int		last_rcode;	/* sent when every server failed */
	int			got_reply;	/* some server answered, if badly */
	int			net_error;	/* a send failed or ICMP said unreachable */
	struct upstream_tcp	tcp;
};

static struct pending	*pending;
/* The question names longer than NAME_SHORT, by slot; allocated when
 * the first such query is forwarded. */
static uint8_t		(*long_names)[DNS_NAME_MAX];
static int		 npending_cap;	/* slots allocated */
static int		 npending_max;	/* dns-forward-max: the limit for new queries */
static int		 npending;	/* slots set up so far; the rest are untouched */
static uint32_t		*tryhash;	/* buckets of tries in flight by socket and ID */
static size_t		 ntryhash;
static struct upsock	 socks[SOCKS_MAX];
static int		 nsocks_open;
static int		 by_server[DNSD_SERVERS_MAX][SOCKS_PER_SERVER];	/* socks[] index or -1 */
static struct dnsd_state *state;
static forward_reply_cb	 deliver;
static uint8_t		 upbuf[UPSTREAM_BUF];
static uint8_t		 outbuf[DNS_MSG_MAX];
static uint8_t		*tcp_bufs[TCP_BUFS];
static int		 tcp_buf_used[TCP_BUFS];
static int		 socks_ready;
static unsigned int	 since_probe;
static double		 last_probe;

/*
 * Random 16-bit values, from getrandom(2) in batches.  getrandom blocks
 * only until the kernel's pool is first initialised, and forward_init
 * fills the batch at start-up, so the packet path never waits for it.
 * The last RANDOM_SEED_WORDS of each batch are never handed out: they
 * reseed the fallback generator.
 */
#define RANDOM_WORDS		128
#define RANDOM_SEED_WORDS	4
#define RANDOM_LOG_INTERVAL	60.0	/* seconds between reports of failures */

ssize_t		(*forward_getrandom)(void *, size_t, unsigned int) = getrandom;

static uint16_t	random_pool[RANDOM_WORDS];
static size_t	random_left;
static uint64_t	fallback_state;

/* splitmix64: one step of a fast 64-bit mixing generator. */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t	z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Fill the batch without getrandom: splitmix64 over a state seeded from
 * the last batch that getrandom gave and from the clocks' nanoseconds.
 * This is not cryptographic, but an off-path forger who cannot read the
 * earlier seed or the exact clock still has to guess the ID and port.
 */
static void
fallback_fill(void)
{
	struct timespec	mono, real;
	size_t		i;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	fallback_state ^= (uint64_t)mono.tv_nsec << 32 ^ (uint64_t)mono.tv_sec ^
	    (uint64_t)real.tv_nsec * 0x2545f4914f6cdd1dULL ^ (uint64_t)getpid() << 48;
	for (i = 0; i < RANDOM_WORDS; i++)
		random_pool[i] = (uint16_t)(splitmix64(&fallback_state) >> 24);
}

/* Count a getrandom failure, and log it with its reason at most once a minute. */
static void
note_random_failure(const char *reason)
{
	static double		last;
	static unsigned long	reported;
	double			now = loop_now();

	state->stats.random_failures++;
	if (last > 0 && now - last < RANDOM_LOG_INTERVAL)
		return;
	log_warnx("getrandom failed: %s (%lu times since the last report); query IDs and "
	    "ports come from a clock-seeded generator until it works again",
	    reason, state->stats.random_failures - reported);
	last = now;
	reported = state->stats.random_failures;
}

static void
random_fill(void)
{
	char		 buf[64];
	const char	*reason = buf;
	ssize_t		 n;
	size_t		 i;

	while ((n = forward_getrandom(random_pool, sizeof(random_pool), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n == (ssize_t)sizeof(random_pool)) {
		for (i = RANDOM_WORDS - RANDOM_SEED_WORDS; i < RANDOM_WORDS; i++)
			fallback_state = fallback_state << 16 ^ fallback_state >> 48 ^
			    random_pool[i];
	} else {
		if (n == -1)
			reason = strerror(errno);
		else
			snprintf(buf, sizeof(buf), "it returned %zd of %zu bytes", n,
			    sizeof(random_pool));
		note_random_failure(reason);
		fallback_fill();
	}
	random_left = RANDOM_WORDS - RANDOM_SEED_WORDS;
}

static uint16_t
random16(void)
{
	if (random_left == 0)
		random_fill();
	return random_pool[--random_left];
}

static void	close_sock(int);
static void	rehash_tries(void);

/* Timers and TCP sockets name their query by slot index, not by pointer,
 * because forward_reconfigure may move the table. */
static void *
slot_arg(const struct pending *pq)
{
	return (void *)(uintptr_t)(pq - pending);
}

static void
client_pack(struct pending_client *pc, const struct forward_client *c)
{
	pc->fd = c->fd;
	pc->conn = c->conn;
	pc->conn_gen = c->conn_gen;
	pc->fromlen = c->rx.fromlen <= sizeof(pc->from) ? c->rx.fromlen : 0;
	memcpy(&pc->from, &c->rx.from, pc->fromlen);
	pc->local = c->rx.local;
	pc->ifindex = c->rx.ifindex;
}

/* Send a reply to the client of a pending query. */
static void
client_reply(const struct pending_client *pc, const uint8_t *msg, size_t len)
{
	struct forward_client	c;

	memset(&c, 0, sizeof(c));
	c.fd = pc->fd;
	c.conn = pc->conn;
	c.conn_gen = pc->conn_gen;
	memcpy(&c.rx.from, &pc->from, pc->fromlen);
	c.rx.fromlen = pc->fromlen;
	c.rx.local = pc->local;
	c.rx.ifindex = pc->ifindex;
	deliver(&c, msg, len);
}

/* The question name of query p in flight, one of pending[]. */
static uint8_t *
pending_name(const struct pending *p)
{
	struct pending	*slot = &pending[p - pending];

	return slot->q.namelen <= NAME_SHORT ? slot->name : long_names[p - pending];
}

/* The struct query of pending[w], made in q. */
static const struct query *
waiting_query(int w, struct query *q)
{
	return query_from_wait(&pending[w].q, pending_name(&pending[w]), q);
}

static struct pending *
slot_of(void *arg)
{
	return &pending[(uintptr_t)arg];
}

/*
 * Make room for max queries in flight.  The table may grow (and move),
 * but it never shrinks below the slots set up so far, because a query in
 * flight keeps its slot index.  npending_max limits the new queries.
 */
static int
resize_table(int max)
{
	struct pending	*p;
	uint8_t		(*ln)[DNS_NAME_MAX];
	uint32_t	*h;
	size_t		 nh;
	int		 cap = max > npending ? max : npending;

	/* A query in flight has one try most of the time, so buckets for
	 * half of the tries that may be in flight keep the chains short and
	 * the table within 2 pages at the default dns-forward-max. */
	for (nh = 64; nh < (size_t)cap * FORWARD_TRIES / 2; nh *= 2)
		;
	if (cap > npending_cap) {
		/* The slots past npending are set up by slot_get on first use,
		 * so realloc needs to clear nothing.  long_names grows first:
		 * until pending grows too, its extra room is unused. */
		if (long_names != NULL) {
			if ((ln = realloc(long_names, (size_t)cap * sizeof(*ln))) == NULL)
				return -1;
			long_names = ln;
		}
		if ((p = realloc(pending, (size_t)cap * sizeof(*p))) == NULL)
			return -1;
		pending = p;
		npending_cap = cap;
	}
	if (nh != ntryhash) {
		if ((h = malloc(nh * sizeof(*h))) == NULL)
			return -1;
		free(tryhash);
		tryhash = h;
		ntryhash = nh;
	}
	npending_max = max;
	rehash_tries();
	return 0;
}

/* Empty the servers' socket pools and forget the fastest server, as at
 * start-up and when the server list changes. */
static void
reset_pools(void)
{
	int	i, j;

	for (i = 0; i < DNSD_SERVERS_MAX; i++)
		for (j = 0; j < SOCKS_PER_SERVER; j++)
			by_server[i][j] = -1;
	state->fastest = -1;
	since_probe = 0;
	last_probe = loop_now();
}

int
forward_init(struct dnsd_state *st, forward_reply_cb cb)
{
	int	i;

	state = st;
	deliver = cb;
	random_fill();
	if (!socks_ready) {
		for (i = 0; i < SOCKS_MAX; i++)
			socks[i].fd = -1;
		socks_ready = 1;
	}
	forward_cancel_all();
	npending = 0;
	reset_pools();
	return resize_table((int)st->conf->forward_max);
}

int
forward_pending(void)
{
	int	i, n = 0;

	for (i = 0; i < npending; i++)
		n += pending[i].in_use;
	return n;
}

/* A free slot, set up on first use so that an idle dnsd does not touch
 * the whole table.  Returns NULL when every slot is busy. */
static struct pending *
slot_get(void)
{
	struct pending	*pq;
	int		 i;

	for (i = 0; i < npending && i < npending_max; i++)
		if (!pending[i].in_use)
			break;
	if (i == npending_max)
		return NULL;
	if (i == npending) {
		if (npending >= npending_max)
			return NULL;
		npending++;
	}
	pq = &pending[i];
	memset(pq, 0, offsetof(struct pending, q));
	memset(&pq->client, 0, sizeof(*pq) - offsetof(struct pending, client));
	for (i = 0; i < FORWARD_TRIES; i++)
		pq->t[i].sock = -1;
	pq->tcp.fd = -1;
	pq->leader = -1;
	pq->next_waiter = -1;
	pq->in_use = 1;
	return pq;
}

/* --- Sockets and the try hash -------------------------------------------- */

static size_t
try_bucket(int sock, uint16_t id)
{
	return ((uint32_t)sock * 40503u + id) & (ntryhash - 1);
}

static uint32_t
try_index(const struct pending *pq, int k)
{
	return (uint32_t)(pq - pending) * FORWARD_TRIES + (uint32_t)k;
}

static struct try *
try_at(uint32_t ti)
{
	return &pending[ti / FORWARD_TRIES].t[ti % FORWARD_TRIES];
}

/* The try in flight on sock with ID id, or NIL. */
static uint32_t
try_find(int sock, uint16_t id)
{
	uint32_t	ti;
	struct try	*t;

	for (ti = tryhash[try_bucket(sock, id)]; ti != NIL; ti = t->hnext) {
		t = try_at(ti);
		if (t->sock == sock && t->id == id)
			return ti;
	}
	return NIL;
}

static void
try_unhash(uint32_t ti)
{
	struct try	*t = try_at(ti);
	uint32_t	*link;

	for (link = &tryhash[try_bucket(t->sock, t->id)]; *link != NIL;
	    link = &try_at(*link)->hnext)
		if (*link == ti) {
			*link = t->hnext;
			return;
		}
}

static void	on_reply(int, short, void *);

static void
close_sock(int i)
{
	struct upsock	*s = &socks[i];

	if (s->fd == -1)
		return;
	loop_del_fd(s->fd);
	close(s->fd);
	if (s->server != -1)
		by_server[s->server][s->slot] = -1;
	s->fd = -1;
	nsocks_open--;
}

/* Take socket i out of its server's pool: it closes once no try is left
 * on it. */
static void
retire_sock(int i)
{
	struct upsock	*s = &socks[i];

	if (s->server != -1 && by_server[s->server][s->slot] == i)
		by_server[s->server][s->slot] = -1;
	s->server = -1;
	s->slot = -1;
	s->uses = SOCK_USES;
	if (s->outstanding == 0)
		close_sock(i);
}

/* An open socket connected to addr#port, to share when no new one can be
 * opened, or -1. */
static int
shared_sock(const struct netaddr *addr, uint16_t port)
{
	int	i;

	for (i = 0; i < SOCKS_MAX; i++)
		if (socks[i].fd != -1 && socks[i].port == port && netaddr_equal(&socks[i].addr, addr))
			return i;
	return -1;
}

/* A socket for server srv: one of its pool at random, opened when that
 * place is empty.  srv -1 (a server that a reload removed, with a query
 * still to try on it) gets a socket outside the pools, closed after that
 * query.  Returns the socks[] index or -1. */
static int
sock_for(int srv, const struct netaddr *addr, uint16_t port)
{
	int	slot = random16() % SOCKS_PER_SERVER, i, fd;

	if (srv != -1 && (i = by_server[srv][slot]) != -1)
		return i;
	for (i = 0; i < SOCKS_MAX && socks[i].fd != -1; i++)
		;
	if (i == SOCKS_MAX || (fd = sock_connect(addr, port, SOCK_DGRAM)) == -1)
		return shared_sock(addr, port);
	if (loop_add_fd(fd, POLLIN, on_reply, &socks[i]) == -1) {
		close(fd);
		return shared_sock(addr, port);
	}
	socks[i].fd = fd;
	socks[i].server = srv;
	socks[i].slot = slot;
	socks[i].addr = *addr;
	socks[i].port = port;
	socks[i].outstanding = 0;
	socks[i].uses = 0;
	nsocks_open++;
	if (srv == -1)
		retire_sock(i);
	else
		by_server[srv][slot] = i;
	return i;
}

/* --- Slots ---------------------------------------------------------------- */

/* Note that server k of pq failed (or, with ok, answered). */
static void
mark_server(struct pending *pq, int k, int ok)
{
	if (pq->server[k] == -1)
		return;
	state->server_failed[pq->server[k]] = ok ? 0 : loop_now();
	if (!ok)
		state->server_failures[pq->server[k]]++;
}

static void
close_try(struct pending *pq, int k)
{
	struct try	*t = &pq->t[k];
	struct upsock	*s;

	if (t->sock == -1)
		return;
	try_unhash(try_index(pq, k));
	s = &socks[t->sock];
	s->outstanding--;
	if (s->outstanding == 0 && s->uses >= SOCK_USES)
		close_sock(t->sock);
	t->sock = -1;
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

/* Free a leader and its waiters. */
static void
release(struct pending *pq)
{
	int	k, w, next;

	close_tcp(pq);
	for (k = 0; k < FORWARD_TRIES; k++)
		close_try(pq, k);
	loop_cancel_timer(pq->timer);
	pq->timer = 0;
	for (w = pq->next_waiter; w != -1; w = next) {
		next = pending[w].next_waiter;
		pending[w].in_use = 0;
	}
	pq->next_waiter = -1;
	pq->in_use = 0;
}

static void	on_tcp(int, short, void *);
static void	on_timeout(void *);

/* Our query for pq: the client's RD, CD and DO bits, our payload size. */
static int
build_query(const struct pending *pq, uint16_t id, uint8_t *msg, size_t cap)
{
	int	len;

	len = dnswire_query(msg, cap, id,
	    (uint16_t)(DNS_FLAG_RD | (pq->q.flags & DNS_FLAG_CD)), pending_name(pq),
	    pq->q.qtype, pq->q.qclass, DNSD_EDNS_SIZE);
	/* The OPT record ends the query: its flags are 4 bytes from the end. */
	if (len > 0 && pq->q.dnssec_ok)
		msg[len - 4] |= DNS_EDNS_DO >> 8;
	return len;
}

/* Send the query to server k over a socket of its pool, with a random ID
 * no other query on that socket uses. */
static int
send_try(struct pending *pq, int k)
{
	uint8_t		 msg[DNS_HEADER_LEN + DNS_NAME_MAX + 4 + 11];
	char		 buf[NETADDR_STRLEN];
	struct upsock	*s;
	struct try	*t = &pq->t[k];
	uint32_t	 ti;
	int		 len, i;

	if ((i = sock_for(pq->server[k], &pq->addr[k], pq->port[k])) == -1) {
		log_warn("upstream %s#%u: socket", netaddr_format(&pq->addr[k], buf),
		    pq->port[k]);
		pq->net_error = 1;
		return -1;
	}
	s = &socks[i];
	do
		t->id = random16();
	while (try_find(i, t->id) != NIL);
	len = build_query(pq, t->id, msg, sizeof(msg));
	if (len == -1)
		return -1;
	if (send(s->fd, msg, (size_t)len, 0) != len) {
		log_debug("upstream %s#%u: send: %s", netaddr_format(&pq->addr[k], buf),
		    pq->port[k], strerror(errno));
		pq->net_error = 1;
		return -1;
	}
	t->sock = i;
	ti = try_index(pq, k);
	t->hnext = tryhash[try_bucket(i, t->id)];
	tryhash[try_bucket(i, t->id)] = ti;
	s->outstanding++;
	if (++s->uses >= SOCK_USES)
		retire_sock(t->sock);
	pq->inflight++;
	state->stats.forwarded++;
	if (pq->server[k] != -1)
		state->server_queries[pq->server[k]]++;
	if (state->conf->log_queries) {
		char	name[DNS_NAME_TEXT_MAX];

		if (dnswire_name_to_text(pending_name(pq), name, sizeof(name), 0) == -1)
			strcpy(name, "?");
		/* dnsmasq names the port only when it is not 53. */
		if (pq->port[k] == 53)
			log_info("forwarded %s to %s", name, netaddr_format(&pq->addr[k], buf));
		else
			log_info("forwarded %s to %s#%u", name,
			    netaddr_format(&pq->addr[k], buf), pq->port[k]);
	}
	return 0;
}

/*
 * SERVFAIL, or REFUSED when the last upstream refused.  A client that
 * sent EDNS learns why when no upstream answered at all (RFC 8914):
 * Network Error when a send failed or an upstream was unreachable, else
 * No Reachable Authority.
 */
static size_t
fail_reply(const struct pending *pq, const struct query *q, uint8_t *out, size_t cap)
{
	size_t		len = query_error(q, pq->last_rcode, out, cap);
	uint16_t	info = pq->net_error ? EDE_NETWORK_ERROR : EDE_NO_REACHABLE;

	if (!q->edns || pq->got_reply || pq->last_rcode != DNS_RCODE_SERVFAIL ||
	    len == 0 || len + 6 > cap)
		return len;
	/* query_error ends the reply with an OPT record without options.
	 * Its flags, 4 bytes from the end, get the query's DO bit, and its
	 * RDLENGTH (the last 2 bytes) now counts the option after it. */
	if (q->dnssec_ok)
		out[len - 4] |= DNS_EDNS_DO >> 8;
	out[len - 1] = 6;
	out[len] = 0;
	out[len + 1] = EDE_OPTION;
	out[len + 2] = 0;
	out[len + 3] = 2;
	out[len + 4] = (uint8_t)(info >> 8);
	out[len + 5] = (uint8_t)info;
	return len + 6;
}

static void
finish_fail(struct pending *pq)
{
	struct query	q;
	size_t		len;
	int		w;

	for (w = (int)(pq - pending); w != -1; w = pending[w].next_waiter) {
		if (pq->last_rcode == DNS_RCODE_SERVFAIL)
			state->stats.servfail++;
		len = fail_reply(pq, waiting_query(w, &q), outbuf, sizeof(outbuf));
		if (len > 0)
			client_reply(&pending[w].client, outbuf, len);
	}
	release(pq);
}

/* Try the next servers until one send succeeds; with all-servers (or a
 * probe), send to every one at once.  Gives up with the last rcode when
 * none is left. */
static void
advance(struct pending *pq)
{
	int	sent = 0;

	while (pq->next < pq->nservers) {
		if (send_try(pq, pq->next) == 0) {
			pq->next++;
			sent = 1;
			if (!pq->all)
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
	/* Each server gets an equal share of FORWARD_TIMEOUT, so that a
	 * client hears SERVFAIL within it when no upstream answers. */
	loop_cancel_timer(pq->timer);
	pq->timer = loop_add_timer(pq->all ? FORWARD_TIMEOUT : FORWARD_TIMEOUT / pq->nservers,
	    on_timeout, slot_arg(pq));
}

static void
on_timeout(void *arg)
{
	struct pending	*pq = slot_of(arg);
	int		 k;

	pq->timer = 0;
	/* Before the last server's share, the tries in flight stay open, so
	 * that a late answer from an earlier server is still taken. */
	if (pq->next < pq->nservers && pq->tcp.fd == -1) {
		advance(pq);
		return;
	}
	state->stats.upstream_failures += (unsigned long)pq->inflight;
	if (pq->tcp.fd != -1) {
		state->stats.upstream_failures++;
		mark_server(pq, pq->tcp.server, 0);
		close_tcp(pq);
	}
	for (k = 0; k < FORWARD_TRIES; k++)
		if (pq->t[k].sock != -1) {
			mark_server(pq, k, 0);
			close_try(pq, k);
		}
	advance(pq);
}

/* The leader in flight for the same question, flags and transport as q,
 * or NULL. */
static struct pending *
find_leader(const struct query *q)
{
	struct pending	*p;
	int		 i;

	for (i = 0; i < npending; i++) {
		p = &pending[i];
		if (!p->in_use || p->leader != -1 || p->q.hash != q->hash ||
		    p->q.qtype != q->qtype || p->q.qclass != q->qclass ||
		    p->q.tcp != q->tcp || p->q.dnssec_ok != q->dnssec_ok ||
		    (p->q.flags & DNS_FLAG_CD) != (q->flags & DNS_FLAG_CD) ||
		    !dnswire_name_equal(pending_name(p), q->lname))
			continue;
		return p;
	}
	return NULL;
}

int
forward_start(const struct query *q, const struct forward_client *client,
    const int *idx, int n)
{
	struct pending	*pq, *lead;
	int		 i;
	double		 now = loop_now();

	if (n == 0)
		return -1;
	if (q->namelen > NAME_SHORT && long_names == NULL &&
	    (long_names = calloc((size_t)npending_cap, sizeof(*long_names))) == NULL) {
		log_warn("no memory for the names of forwarded queries");
		return -1;
	}
	lead = find_leader(q);
	if ((pq = slot_get()) == NULL)
		return -1;
	pq->q = q->wait;
	memcpy(pending_name(pq), q->name, q->namelen > 0 ? q->namelen : 1);
	client_pack(&pq->client, client);
	if (lead != NULL) {
		pq->leader = (int)(lead - pending);
		pq->next_waiter = lead->next_waiter;
		lead->next_waiter = (int)(pq - pending);
		return 0;
	}
	pq->nservers = n < FORWARD_TRIES ? n : FORWARD_TRIES;
	for (i = 0; i < pq->nservers; i++) {
		pq->addr[i] = state->conf->servers[idx[i]].addr;
		pq->port[i] = state->conf->servers[idx[i]].port;
		pq->server[i] = idx[i];
	}
	pq->last_rcode = DNS_RCODE_SERVFAIL;
	pq->all = state->conf->all_servers;
	if (!state->conf->all_servers && !state->conf->strict_order && pq->nservers > 1 &&
	    (++since_probe >= PROBE_QUERIES || now - last_probe >= PROBE_SECONDS)) {
		pq->all = 1;
		since_probe = 0;
		last_probe = now;
	}
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

	if (dnswire_parser_init(&p, msg, len) == -1 || p.hdr.id != pq->t[k].id ||
	    !(p.hdr.flags & DNS_FLAG_QR) || p.hdr.count[DNS_SECTION_QUESTION] != 1 ||
	    dnswire_parse_question(&p, &qu) != 1)
		return 0;
	return qu.qtype == pq->q.qtype && qu.qclass == pq->q.qclass &&
	    dnswire_name_equal(qu.name, pending_name(pq));
}

static void	answer(struct pending *, int, const uint8_t *, size_t);
static int	start_tcp(struct pending *, int);

/* An ICMP error on socket s: its server is unreachable, so every try on
 * it failed. */
static void
sock_failed(int s)
{
	struct pending	*pq;
	int		 i, k;

	for (i = 0; i < npending; i++) {
		pq = &pending[i];
		if (!pq->in_use)
			continue;
		for (k = 0; k < FORWARD_TRIES; k++) {
			if (pq->t[k].sock != s)
				continue;
			state->stats.upstream_failures++;
			pq->net_error = 1;
			mark_server(pq, k, 0);
			close_try(pq, k);
			if (pq->inflight == 0 && pq->tcp.fd == -1)
				advance(pq);
		}
	}
}

/* A datagram from the server of socket s. */
static void
reply_in(int s, const uint8_t *msg, size_t len)
{
	struct pending	*pq;
	unsigned int	 rcode;
	uint32_t	 ti;
	int		 k;

	if (len < DNS_HEADER_LEN ||
	    (ti = try_find(s, (uint16_t)(msg[0] << 8 | msg[1]))) == NIL) {
		state->stats.bad_replies++;
		return;
	}
	pq = &pending[ti / FORWARD_TRIES];
	k = (int)(ti % FORWARD_TRIES);
	if (!matches(pq, k, msg, len)) {
		state->stats.bad_replies++;
		return;
	}
	pq->got_reply = 1;
	rcode = DNS_FLAGS_RCODE(((uint16_t)msg[2] << 8) | msg[3]);
	if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED ||
	    rcode == DNS_RCODE_NOTIMP || rcode == DNS_RCODE_FORMERR) {
		state->stats.upstream_failures++;
		if (state->conf->log_queries)
			query_log_reply(state, "reply", msg, len);
		pq->last_rcode = rcode == DNS_RCODE_REFUSED ? rcode : DNS_RCODE_SERVFAIL;
		mark_server(pq, k, 0);
		close_try(pq, k);
		if (pq->inflight == 0 && pq->tcp.fd == -1)
			advance(pq);
		return;
	}
	mark_server(pq, k, 1);
	/* The first answer to a probe, or the server that answered when the
	 * first one tried did not, is asked first from now on. */
	if (!state->conf->strict_order && !state->conf->all_servers && (pq->all || k > 0) &&
	    pq->server[k] != -1)
		state->fastest = pq->server[k];
	if ((msg[2] & (DNS_FLAG_TC >> 8)) && pq->q.tcp && start_tcp(pq, k) == 0)
		return;
	answer(pq, k, msg, len);
}

static void
on_reply(int fd, short revents, void *arg)
{
	struct upsock	*s = arg;
	ssize_t		 n;
	int		 i, si = (int)(s - socks);

	for (i = 0; i < REPLY_BATCH && s->fd == fd; i++) {
		if ((n = recv(fd, upbuf, sizeof(upbuf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* ECONNREFUSED: an ICMP error; go on without waiting. */
			log_debug("upstream reply: %s", strerror(errno));
			sock_failed(si);
			return;
		}
		reply_in(si, upbuf, (size_t)n);
	}
}

/* stop-dns-rebind: the reply carried a private address.  Every client
 * gets NOERROR without records, as from dnsmasq, and nothing is cached. */
static void
rebind_blocked(struct pending *pq)
{
	char	name[DNS_NAME_TEXT_MAX];

	if (dnswire_name_to_text(pending_name(pq), name, sizeof(name), 0) == -1)
		strcpy(name, "?");
	log_info("possible DNS-rebind attack detected: %s", name);
	/* fail_reply sends a last rcode other than SERVFAIL as it is. */
	pq->last_rcode = DNS_RCODE_NOERROR;
	finish_fail(pq);
}

/* Cache and relay a valid reply from server k to the leader and its
 * waiters, or go on to the next server when it cannot be relayed. */
static void
answer(struct pending *pq, int k, const uint8_t *msg, size_t len)
{
	struct query	q;
	size_t		outlen;
	uint32_t	ttl;
	int		w;

	waiting_query((int)(pq - pending), &q);
	if (query_rebind(state, &q, msg, len)) {
		rebind_blocked(pq);
		return;
	}
	outlen = query_relay(&q, msg, len, 0, 0, outbuf, sizeof(outbuf));
	if (outlen > 0 && state->conf->log_queries)
		query_log_reply(state, "reply", msg, len);
	if (outlen == 0) {
		state->stats.malformed++;
		close_tcp(pq);
		if (k >= 0)
			close_try(pq, k);
		if (pq->inflight == 0)
			advance(pq);
		return;
	}
	/* DNSSEC answers pass through but are not cached: the cache is
	 * keyed by the question alone. */
	if (!pq->q.dnssec_ok && !(pq->q.flags & DNS_FLAG_CD) &&
	    (ttl = query_cache_ttl(state, msg, len)) > 0)
		(void)query_cache_store(state, &q, msg, len, ttl, loop_wake_time());
	client_reply(&pq->client, outbuf, outlen);
	for (w = pq->next_waiter; w != -1; w = pending[w].next_waiter) {
		outlen = query_relay(waiting_query(w, &q), msg, len, 0, 0,
		    outbuf, sizeof(outbuf));
		if (outlen == 0)
			outlen = query_error(&q, DNS_RCODE_SERVFAIL, outbuf,
			    sizeof(outbuf));
		if (outlen > 0)
			client_reply(&pending[w].client, outbuf, outlen);
	}
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
	if (loop_add_fd(fd, POLLOUT, on_tcp, slot_arg(pq)) == -1) {
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
	pq->timer = loop_add_timer(FORWARD_TIMEOUT, on_timeout, slot_arg(pq));
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
	pq->t[k].id = random16();
	len = build_query(pq, pq->t[k].id, msg + 2, sizeof(msg) - 2);
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
	struct pending	*pq = slot_of(arg);

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
		if (pending[i].in_use && pending[i].leader == -1)
			release(&pending[i]);
	for (i = 0; i < npending; i++)
		pending[i].in_use = 0;
	for (i = 0; socks_ready && i < SOCKS_MAX; i++)
		close_sock(i);
}

/* Put every try in flight into the try hash again (after a resize). */
static void
rehash_tries(void)
{
	struct try	*t;
	size_t		 b;
	int		 i, k;

	for (b = 0; b < ntryhash; b++)
		tryhash[b] = NIL;
	for (i = 0; i < npending; i++) {
		if (!pending[i].in_use)
			continue;
		for (k = 0; k < FORWARD_TRIES; k++) {
			t = &pending[i].t[k];
			if (t->sock == -1)
				continue;
			b = try_bucket(t->sock, t->id);
			t->hnext = tryhash[b];
			tryhash[b] = try_index(&pending[i], k);
		}
	}
}

/* The index of the forwarding server addr#port in the config, or -1. */
static int
server_index(const struct netaddr *addr, uint16_t port)
{
	const struct dnsd_server	*sv;
	int				 i;

	for (i = 0; i < state->conf->nservers; i++) {
		sv = &state->conf->servers[i];
		if (sv->route == ROUTE_FORWARD && sv->port == port &&
		    netaddr_equal(&sv->addr, addr))
			return i;
	}
	return -1;
}

int
forward_reconfigure(void)
{
	struct pending	*pq;
	int		 i, k, n;

	reset_pools();
	for (i = 0; socks_ready && i < SOCKS_MAX; i++) {
		if (socks[i].fd == -1 || socks[i].server == -1)
			continue;
		n = server_index(&socks[i].addr, socks[i].port);
		if (n != -1 && by_server[n][socks[i].slot] == -1) {
			socks[i].server = n;
			by_server[n][socks[i].slot] = i;
		} else {
			socks[i].server = -1;
			retire_sock(i);
		}
	}
	for (i = 0; i < npending; i++) {
		pq = &pending[i];
		if (!pq->in_use || pq->leader != -1)
			continue;
		for (k = 0; k < pq->nservers; k++)
			pq->server[k] = server_index(&pq->addr[k], pq->port[k]);
	}
	return resize_table((int)state->conf->forward_max);
}
