/* dnsd.c -- the dnsd applet: start-up, listening sockets, TCP clients, signals and reload. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "applets.h"
#include "dnsd.h"
#include "dnswire.h"
#include "layout.h"
#include "log.h"
#include "loop.h"
#include "privs.h"
#include "sock.h"
#include "version.h"

#define TCP_CONNS	20	/* dnsmasq's default max-tcp-connections */
#define TCP_IDLE	10.0	/* seconds a TCP client may stay silent */
#define TCP_QUERY_MAX	4096	/* larger queries over TCP are FORMERR */
#define POLL_SECONDS	2.0	/* resolv-file and hostsdir= are checked this often */

#define CONN_RX		(2 + TCP_QUERY_MAX)
#define CONN_TX		(2 + DNS_MSG_MAX)

struct listener {
	int	fd;
	int	tcp;
};

struct conn {
	int		 fd;
	uint32_t	 gen;		/* bumped on close: late replies are dropped */
	struct netaddr	 peer;
	uint8_t		*rx;		/* CONN_RX bytes while the connection is open */
	size_t		 rxlen;
	uint8_t		*tx;		/* CONN_TX bytes while the connection is open */
	size_t		 txlen, txoff;
	int		 busy;		/* a query is being answered */
	uint64_t	 timer;
};

static struct dnsd_state	 st;
static struct listener		 listeners[2 * DNSD_LISTEN_MAX + 2];
static int			 nlisteners;
static struct conn		 conns[TCP_CONNS];
static uint8_t			 inbuf[TCP_QUERY_MAX];
static int			 saved_argc;
static char			**saved_argv;
static int			 pidfile_written;

static const char usage_text[] =
    "usage: dnsd [-dhkvw] [-C file] [-p port] [--test] [--OPTION[=VALUE] ...]\n"
    "       dnsd [-C file] [--OPTION[=VALUE] ...] --explain NAME [TYPE]\n"
    "  -C FILE     read FILE instead of " DNSD_DEFAULT_CONF "\n"
    "  -d          debug: stay in the foreground and log to stderr\n"
    "  -k          stay in the foreground, log to syslog\n"
    "  -p PORT     listen on PORT (default 53)\n"
    "  -h          do not read /etc/hosts (no-hosts)\n"
    "  --test      check the configuration and exit\n"
    "  --explain NAME [TYPE]\n"
    "              print the answer to NAME (type A unless TYPE) and the rule\n"
    "              that gives it, with its file and line, and exit\n"
    "  -v          print the version\n"
    "  -w, --help  print this help\n"
    "Every dnsmasq.conf option is also a long option: --cache-size=500.\n"
    "DNSD_HOSTS_FILE=PATH in the environment replaces /etc/hosts (for tests).\n";

static void	process(const uint8_t *, size_t, int, const struct forward_client *,
		    const struct netaddr *);
static void	watch_reset(void);

/* Print config messages on stderr (before start-up and for --test). */
static void
print_sink(void *arg, int is_error, const char *msg)
{
	fprintf(stderr, "dnsd: %s%s\n", is_error ? "" : "warning: ", msg);
}

/* After start-up config messages go to the log. */
static void
log_sink(void *arg, int is_error, const char *msg)
{
	log_warnx("%s", msg);
}

/*
 * UDP queries are read and answered in batches: one recvmmsg takes up to
 * UDP_BATCH datagrams, and the replies built meanwhile leave in one
 * sendmmsg.  Each listening socket is bound to its own address, so the
 * replies need no IP_PKTINFO to leave from the address asked.  A larger
 * datagram is cut at UDP_SLOT and dropped as malformed; a larger reply,
 * and every reply that comes later from an upstream, is sent on its own.
 *
 * A datagram lands in two parts: its first UDP_HEAD bytes in a dense
 * array of heads, the rest in a tail of its own.  A query with EDNS and
 * a cookie is about 50 bytes plus its name, so a longer one is rare.  64
 * slots of 1232 bytes would touch 20 pages of memory under load, where
 * the heads take 2.  Addresses are kept in a
 * sockaddr_in6, not a sockaddr_storage, for the same reason.
 *
 * process builds each reply at the free end of the replies area, where
 * there is room for a whole DNS_MSG_MAX message.  A queued reply stays
 * there and the next one goes after it, so replies are not copied and
 * take only the pages their bytes need.
 */
#define UDP_BATCH	64
#define UDP_SLOT	DNSD_EDNS_SIZE
#define UDP_HEAD	128

union udp_addr {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

struct udp_batch {
	int			fd;		/* -1: not collecting replies */
	unsigned int		nout;
	struct mmsghdr		in[UDP_BATCH];
	struct iovec		iniov[UDP_BATCH][2];
	union udp_addr		from[UDP_BATCH];
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 32];
	}			control[UDP_BATCH];
	uint8_t			head[UDP_BATCH][UDP_HEAD];
	uint8_t			tail[UDP_BATCH][UDP_SLOT - UDP_HEAD];
	uint8_t			whole[UDP_SLOT];	/* a datagram longer than its head */
	size_t			used;		/* bytes of replies queued */
	uint8_t			replies[UDP_BATCH * UDP_SLOT + DNS_MSG_MAX];
};

static struct udp_batch	batch;		/* in .bss: pages touched only when used */

/*
 * Queue a reply for the sendmmsg at the end of the batch.  Reply k takes
 * the header, address and first iovec of datagram k.  Replies are queued
 * in the order of their queries, so datagram k is already read by then,
 * and batch_reset makes the slot ready for recvmmsg again.
 * Returns 0, or -1 when the reply must be sent on its own.
 */
static int
batch_add(const struct forward_client *c, const uint8_t *msg, size_t len)
{
	unsigned int	 k = batch.nout;
	struct msghdr	*m = &batch.in[k].msg_hdr;

	if (batch.fd != c->fd || k == UDP_BATCH || len > UDP_SLOT ||
	    c->rx.fromlen > sizeof(batch.from[k]))
		return -1;
	if (msg != batch.replies + batch.used)
		memcpy(batch.replies + batch.used, msg, len);
	memcpy(&batch.from[k], &c->rx.from, c->rx.fromlen);
	batch.iniov[k][0].iov_base = batch.replies + batch.used;
	batch.iniov[k][0].iov_len = len;
	batch.used += (len + 7) & ~(size_t)7;
	m->msg_namelen = c->rx.fromlen;
	m->msg_iovlen = 1;
	m->msg_control = NULL;
	m->msg_controllen = 0;
	batch.nout++;
	return 0;
}

static void
batch_flush(int fd)
{
	int	failed;

	(void)sock_send_batch(fd, batch.in, batch.nout, &failed);
	if (failed > 0)
		log_debug("send replies: %d failed, the last: %s", failed, strerror(errno));
	batch.nout = 0;
	batch.used = 0;
}

static void
deliver(const struct forward_client *c, const uint8_t *msg, size_t len)
{
	struct conn	*cn;

	if (c->conn == -1) {
		if (batch_add(c, msg, len) == 0)
			return;
		if (sock_reply(c->fd, msg, len, &c->rx) == -1)
			log_debug("send reply: %s", strerror(errno));
		return;
	}
	cn = &conns[c->conn];
	if (cn->fd == -1 || cn->gen != c->conn_gen || len > DNS_MSG_MAX)
		return;
	cn->tx[0] = (uint8_t)(len >> 8);
	cn->tx[1] = (uint8_t)len;
	memcpy(cn->tx + 2, msg, len);
	cn->txlen = len + 2;
	cn->txoff = 0;
	loop_set_events(cn->fd, POLLOUT);
}

static void
log_query(const struct query *q, const struct netaddr *from)
{
	char	name[DNS_NAME_TEXT_MAX], type[DNS_TYPE_TEXT_MAX], addr[NETADDR_STRLEN];

	if (!st.conf->log_queries)
		return;
	if (dnswire_name_to_text(q->name, name, sizeof(name), 0) == -1)
		strcpy(name, "?");
	log_info("query[%s] %s from %s", dnswire_type_name(q->qtype, type), name,
	    netaddr_format(from, addr));
}

/* Log malformed queries at most once a minute, with their count. */
#define MALFORMED_LOG_INTERVAL	60.0

static void
note_malformed(const struct netaddr *from)
{
	static double		last;
	static unsigned long	reported;
	char			addr[NETADDR_STRLEN];
	double			now = loop_now();

	if (last > 0 && now - last < MALFORMED_LOG_INTERVAL)
		return;
	log_info("%lu malformed queries since the last report, the latest from %s",
	    st.stats.malformed - reported, netaddr_format(from, addr));
	last = now;
	reported = st.stats.malformed;
}

static void
process(const uint8_t *msg, size_t len, int tcp, const struct forward_client *client,
    const struct netaddr *from)
{
	struct query		q;
	enum query_verdict	v;
	size_t			outlen = 0;
	unsigned long		malformed = st.stats.malformed, local, hits;
	uint8_t			*outbuf = batch.replies + batch.used;
	const size_t		outcap = DNS_MSG_MAX;
	int			idx[FORWARD_TRIES], n;
	/* The time of this wake-up: a clock read per query would cost as
	 * much as a cache hit's relay. */
	double			now = loop_wake_time();

	st.stats.queries++;
	if (st.local_only && !query_may_forward(&st, from)) {
		st.stats.dropped++;
		if (client->conn != -1)
			conns[client->conn].busy = 0;
		return;
	}
	v = query_parse(&st, msg, len, tcp, &q, outbuf, outcap, &outlen);
	if (st.stats.malformed != malformed)
		note_malformed(from);
	if (v == QUERY_DROP) {
		if (client->conn != -1)
			conns[client->conn].busy = 0;
		return;
	}
	q.from = *from;
	if (v == QUERY_FORWARD) {
		log_query(&q, from);
		local = st.stats.local;
		hits = st.cache.hits;
		v = query_answer(&st, &q, outbuf, outcap, &outlen, now);
		if (st.conf->log_queries && v == QUERY_REPLY && st.stats.local != local)
			query_log_reply(&st, NULL, outbuf, outlen);
		else if (st.conf->log_queries && v == QUERY_REPLY && st.cache.hits != hits)
			query_log_reply(&st, "cached", outbuf, outlen);
	}
	if (v == QUERY_FORWARD) {
		n = query_route(&st, q.name, idx, FORWARD_TRIES, now);
		if (n == 0 || !query_may_forward(&st, from)) {
			st.stats.refused++;
			outlen = query_error(&q, DNS_RCODE_REFUSED, outbuf, outcap);
		} else if (query_any_synthesized(&q)) {
			st.stats.local++;
			outlen = query_any_reply(&st, &q, outbuf, outcap);
		} else if (forward_start(&q, client, idx, n) == -1) {
			/* dns-forward-max queries in flight: REFUSED, as dnsmasq. */
			st.stats.refused++;
			outlen = query_error(&q, DNS_RCODE_REFUSED, outbuf, outcap);
		} else
			return;
	}
	if (outlen > 0)
		deliver(client, outbuf, outlen);
}

/* Make slot k ready for the next recvmmsg, which overwrote its lengths
 * and flags, and batch_add, which made it a reply.  sendmmsg changes only
 * msg_len. */
static void
batch_reset(unsigned int k)
{
	struct msghdr	*m = &batch.in[k].msg_hdr;

	batch.iniov[k][0].iov_base = batch.head[k];
	batch.iniov[k][0].iov_len = UDP_HEAD;
	m->msg_iovlen = 2;
	m->msg_namelen = sizeof(batch.from[k]);
	m->msg_control = batch.control[k].buf;
	m->msg_controllen = sizeof(batch.control[k].buf);
	m->msg_flags = 0;
}

/* Set up slot k once at start-up.  The header stays zeroed around the
 * fields set here, because the kernel reads musl's padding beside
 * msg_iovlen and msg_controllen. */
static void
batch_setup(unsigned int k)
{
	struct msghdr	*m = &batch.in[k].msg_hdr;

	memset(&batch.in[k], 0, sizeof(batch.in[k]));
	batch.iniov[k][1].iov_base = batch.tail[k];
	batch.iniov[k][1].iov_len = UDP_SLOT - UDP_HEAD;
	m->msg_iov = batch.iniov[k];
	m->msg_name = &batch.from[k];
	batch_reset(k);
}

/* Read up to UDP_BATCH datagrams in one call, answer them, and send the
 * replies in one call.  While the batches come full, go on for up to
 * UDP_ROUNDS of them: under load one poll then serves 64 datagrams, as
 * many as the echo server of bench/dns takes per call, and the other
 * sockets still get their turn. */
#define UDP_ROUNDS	4

static void
on_udp(int fd, short revents, void *arg)
{
	struct forward_client	c;
	struct netaddr		from;
	struct msghdr		*m;
	const uint8_t		*msg;
	uint16_t		port;
	unsigned int		k, len;
	int			n, round;

	for (round = 0; round < UDP_ROUNDS; round++) {
		n = sock_recv_batch(fd, batch.in, UDP_BATCH);
		if (n <= 0)
			return;
		batch.fd = fd;
		batch.nout = 0;
		for (k = 0; k < (unsigned int)n; k++) {
			m = &batch.in[k].msg_hdr;
			if ((m->msg_flags & MSG_TRUNC) || m->msg_namelen > sizeof(batch.from[k])) {
				st.stats.malformed++;
				continue;
			}
			/* Every field is set: clearing the whole struct per
			 * datagram would cost more than the rest of this loop. */
			c.fd = fd;
			c.conn = -1;
			c.conn_gen = 0;
			memcpy(&c.rx.from, &batch.from[k], m->msg_namelen);
			sock_rxinfo_parse(m, &c.rx);
			if (netaddr_from_sockaddr((struct sockaddr *)&c.rx.from, &from,
			    &port) == -1)
				continue;
			msg = batch.head[k];
			if ((len = batch.in[k].msg_len) > UDP_HEAD) {
				memcpy(batch.whole, batch.head[k], UDP_HEAD);
				memcpy(batch.whole + UDP_HEAD, batch.tail[k], len - UDP_HEAD);
				msg = batch.whole;
			}
			process(msg, len, 0, &c, &from);
		}
		batch.fd = -1;
		batch_flush(fd);
		for (k = 0; k < (unsigned int)n; k++)
			batch_reset(k);
		if (n < UDP_BATCH)
			return;
	}
}

static void
conn_close(struct conn *cn)
{
	loop_del_fd(cn->fd);
	close(cn->fd);
	loop_cancel_timer(cn->timer);
	cn->fd = -1;
	cn->gen++;
	cn->busy = 0;
	cn->rxlen = cn->txlen = 0;
	free(cn->rx);
	free(cn->tx);
	cn->rx = cn->tx = NULL;
}

static void
on_idle(void *arg)
{
	struct conn	*cn = arg;

	cn->timer = 0;
	if (cn->fd != -1)
		conn_close(cn);
}

static void
touch(struct conn *cn)
{
	loop_cancel_timer(cn->timer);
	cn->timer = loop_add_timer(TCP_IDLE, on_idle, cn);
}

/* Answer the first whole query in rx, if there is one. */
static void
conn_next(struct conn *cn)
{
	struct forward_client	c;
	size_t			qlen;

	if (cn->busy || cn->rxlen < 2)
		return;
	qlen = (size_t)cn->rx[0] << 8 | cn->rx[1];
	if (qlen > TCP_QUERY_MAX) {
		st.stats.malformed++;
		conn_close(cn);
		return;
	}
	if (cn->rxlen < 2 + qlen)
		return;
	memcpy(inbuf, cn->rx + 2, qlen);
	memmove(cn->rx, cn->rx + 2 + qlen, cn->rxlen - 2 - qlen);
	cn->rxlen -= 2 + qlen;
	cn->busy = 1;
	loop_set_events(cn->fd, 0);
	memset(&c, 0, sizeof(c));
	c.fd = cn->fd;
	c.conn = (int)(cn - conns);
	c.conn_gen = cn->gen;
	process(inbuf, qlen, 1, &c, &cn->peer);
	if (cn->fd != -1 && !cn->busy)
		loop_set_events(cn->fd, POLLIN);
}

static void
on_conn(int fd, short revents, void *arg)
{
	struct conn	*cn = arg;
	ssize_t		 n;

	touch(cn);
	if (revents & POLLOUT) {
		n = write(fd, cn->tx + cn->txoff, cn->txlen - cn->txoff);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(cn);
			return;
		}
		cn->txoff += (size_t)n;
		if (cn->txoff < cn->txlen)
			return;
		cn->txlen = 0;
		cn->busy = 0;
		loop_set_events(fd, POLLIN);
		conn_next(cn);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		n = read(fd, cn->rx + cn->rxlen, CONN_RX - cn->rxlen);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			conn_close(cn);
			return;
		}
		if (n > 0)
			cn->rxlen += (size_t)n;
		conn_next(cn);
	}
}

static void
on_accept(int lfd, short revents, void *arg)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen = sizeof(ss);
	struct conn		*cn = NULL;
	uint16_t		port;
	int			fd, i;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < TCP_CONNS && cn == NULL; i++)
		if (conns[i].fd == -1)
			cn = &conns[i];
	if (cn == NULL) {
		log_debug("TCP client dropped: %d connections open", TCP_CONNS);
		close(fd);
		return;
	}
	/* The buffers live only while the connection is open: an idle dnsd
	 * keeps no 64 KiB per TCP slot. */
	cn->rx = malloc(CONN_RX);
	cn->tx = malloc(CONN_TX);
	if (cn->rx == NULL || cn->tx == NULL || loop_add_fd(fd, POLLIN, on_conn, cn) == -1) {
		log_debug("TCP client dropped: no memory for its buffers");
		free(cn->rx);
		free(cn->tx);
		cn->rx = cn->tx = NULL;
		close(fd);
		return;
	}
	st.stats.tcp_connections++;
	cn->fd = fd;
	cn->rxlen = cn->txlen = 0;
	cn->busy = 0;
	cn->timer = 0;
	if (netaddr_from_sockaddr((struct sockaddr *)&ss, &cn->peer, &port) == -1)
		memset(&cn->peer, 0, sizeof(cn->peer));
	touch(cn);
}

/* Add a to the listen list unless it is there already. */
static void
add_listen(struct dnsd_conf *c, const struct netaddr *a)
{
	int	i;

	for (i = 0; i < c->nlisten; i++)
		if (netaddr_equal(&c->listen[i], a))
			return;
	if (c->nlisten < DNSD_LISTEN_MAX)
		c->listen[c->nlisten++] = *a;
}

/* Add the addresses of interface= names to the listen list. */
static int
add_interfaces(struct dnsd_conf *c)
{
	struct ifaddrs	*ifa, *i;
	struct netaddr	 a;
	uint16_t	 port;
	int		 k, found, errors = 0;

	if (c->ninterfaces == 0)
		return 0;
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return -1;
	}
	for (k = 0; k < c->ninterfaces; k++) {
		found = 0;
		for (i = ifa; i != NULL; i = i->ifa_next) {
			if (i->ifa_addr == NULL || strcmp(i->ifa_name, c->interfaces[k]) != 0 ||
			    netaddr_from_sockaddr(i->ifa_addr, &a, &port) == -1)
				continue;
			/* Link-local IPv6 needs a scope; dnsd does not serve it. */
			if (a.family == AF_INET6 && a.u.bytes[0] == 0xfe &&
			    (a.u.bytes[1] & 0xc0) == 0x80)
				continue;
			found = 1;
			add_listen(c, &a);
		}
		if (!found) {
			log_warnx("interface=%s: no such interface, or it has no address",
			    c->interfaces[k]);
			errors++;
		}
	}
	freeifaddrs(ifa);
	return errors ? -1 : 0;
}

static int
prefix_len(const struct sockaddr *mask)
{
	struct netaddr	m;
	uint16_t	port;
	int		n = 0, i, len;

	if (mask == NULL || netaddr_from_sockaddr(mask, &m, &port) == -1)
		return -1;
	len = m.family == AF_INET ? 4 : 16;
	for (i = 0; i < len; i++)
		n += __builtin_popcount(m.u.bytes[i]);
	return n;
}

/* The subnets of this host's interfaces: clients there may use forwarding. */
static void
read_subnets(struct dnsd_state *s)
{
	struct ifaddrs	*ifa, *i;
	uint16_t	 port;
	int		 len;

	s->nsubnets = 0;
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL && s->nsubnets < DNSD_SUBNETS_MAX; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (len = prefix_len(i->ifa_netmask)) < 0 ||
		    netaddr_from_sockaddr(i->ifa_addr, &s->subnets[s->nsubnets].net, &port) == -1)
			continue;
		s->subnets[s->nsubnets].prefixlen = len;
		s->nsubnets++;
	}
	freeifaddrs(ifa);
}

/*
 * Every listen address must be one of this host's: dnsmasq refuses to start
 * otherwise, and so does dnsd, before it sends or binds anything.
 */
static int
check_listen(const struct dnsd_conf *c)
{
	char	buf[NETADDR_STRLEN];
	int	i, r, errors = 0;

	if (c->nlisten == 0) {
		log_warnx("no address to listen on: except-interface excludes every address "
		    "that listen-address or interface names; remove one of them");
		return -1;
	}
	for (i = 0; i < c->nlisten; i++) {
		r = sock_addr_is_local(&c->listen[i]);
		if (r == 1)
			continue;
		if (r == 0)
			log_warnx("listen-address %s: this address is not configured on any "
			    "interface of this host; add it, or remove it from the config",
			    netaddr_format(&c->listen[i], buf));
		else
			log_warn("listen-address %s", netaddr_format(&c->listen[i], buf));
		errors++;
	}
	return errors ? -1 : 0;
}

/*
 * Bind a UDP and a TCP socket to each listen address, as dnsmasq does with
 * bind-interfaces.  dnsd always binds each address, with or without
 * bind-interfaces: IP_PKTINFO already makes replies leave from the address
 * asked, and a bound socket never answers on an address the config does
 * not name and leaves port 53 of the other addresses to other servers.
 */
static int
open_listeners(struct dnsd_conf *c)
{
	char	buf[NETADDR_STRLEN];
	int	i, fd;

	for (i = 0; i < c->nlisten; i++) {
		netaddr_format(&c->listen[i], buf);
		fd = sock_udp(&c->listen[i], c->port, SOCK_NONBLOCK_FLAG | SOCK_PKTINFO |
		    SOCK_REUSEADDR);
		if (fd == -1) {
			log_warn("listen-address %s port %u (UDP)", buf, c->port);
			return -1;
		}
		listeners[nlisteners].fd = fd;
		listeners[nlisteners++].tcp = 0;
		fd = sock_tcp_listen(&c->listen[i], c->port, 32, SOCK_NONBLOCK_FLAG |
		    SOCK_REUSEADDR);
		if (fd == -1) {
			log_warn("listen-address %s port %u (TCP)", buf, c->port);
			return -1;
		}
		listeners[nlisteners].fd = fd;
		listeners[nlisteners++].tcp = 1;
		log_info("listening on %s port %u", buf, c->port);
	}
	return 0;
}

/* local-service without listen-address and interface: every address of
 * every interface, as dnsmasq listens by default (IPv6 link-local
 * addresses need a scope, which dnsd does not serve). */
static void
all_interfaces(struct dnsd_conf *c)
{
	struct ifaddrs	*ifa, *i;
	struct netaddr	 a;
	uint16_t	 port;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL ||
		    netaddr_from_sockaddr(i->ifa_addr, &a, &port) == -1)
			continue;
		if (a.family == AF_INET6 && a.u.bytes[0] == 0xfe && (a.u.bytes[1] & 0xc0) == 0x80)
			continue;
		add_listen(c, &a);
	}
	freeifaddrs(ifa);
}

/* except-interface: drop the listen addresses of those interfaces.  As
 * in dnsmasq, it wins over listen-address and interface. */
static void
drop_excepted(struct dnsd_conf *c)
{
	struct ifaddrs	*ifa, *i;
	struct netaddr	 a;
	uint16_t	 port;
	int		 k, j, n;

	if (c->nexcept_interfaces == 0)
		return;
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || netaddr_from_sockaddr(i->ifa_addr, &a, &port) == -1)
			continue;
		for (k = 0; k < c->nexcept_interfaces; k++)
			if (strcmp(i->ifa_name, c->except_interfaces[k]) == 0)
				break;
		if (k == c->nexcept_interfaces)
			continue;
		for (j = 0, n = 0; j < c->nlisten; j++)
			if (!netaddr_equal(&c->listen[j], &a))
				c->listen[n++] = c->listen[j];
		c->nlisten = n;
	}
	freeifaddrs(ifa);
}

/* Without listen-address and interface, listen on loopback only: dnsd
 * serves no network the config does not name.  local-service names the
 * local subnets, and except-interface every interface but the ones it
 * names, as in dnsmasq. */
static void
default_listen(struct dnsd_conf *c)
{
	struct netaddr	a;

	if (c->nlisten == 0 && ((c->local_service && c->ninterfaces == 0) ||
	    c->nexcept_interfaces > 0))
		all_interfaces(c);
	else if (c->nlisten == 0) {
		if (netaddr_parse("127.0.0.1", &a) == 0)
			add_listen(c, &a);
		if (netaddr_parse("::1", &a) == 0 && sock_addr_is_local(&a) == 1)
			add_listen(c, &a);
	}
	drop_excepted(c);
}

static void
dump_stats(int signo, void *arg)
{
	char	addr[NETADDR_STRLEN];
	int	i;

	log_info("queries %lu, answered locally %lu, cache hits %lu, cache misses %lu, "
	    "forwarded %lu, upstream failures %lu, SERVFAIL %lu, REFUSED %lu, malformed %lu, "
	    "dropped %lu, stray replies %lu, TCP connections %lu, getrandom failures %lu",
	    st.stats.queries, st.stats.local, st.cache.hits, st.cache.misses,
	    st.stats.forwarded, st.stats.upstream_failures, st.stats.servfail,
	    st.stats.refused, st.stats.malformed, st.stats.dropped, st.stats.bad_replies,
	    st.stats.tcp_connections, st.stats.random_failures);
	log_info("cache size %zu, %zu entries, %lu inserted, %lu evicted; %d queries in flight",
	    st.cache.size, cache_count(&st.cache), st.cache.inserts, st.cache.evictions,
	    forward_pending());
	for (i = 0; i < st.conf->nservers; i++)
		if (st.conf->servers[i].route == ROUTE_FORWARD)
			log_info("server %s#%u: queries sent %lu, retried or failed %lu",
			    netaddr_format(&st.conf->servers[i].addr, addr),
			    st.conf->servers[i].port, st.server_queries[i],
			    st.server_failures[i]);
}

static void
on_stop(int signo, void *arg)
{
	log_info("exiting on signal %d", signo);
	loop_stop();
}

static int
same_listen(const struct dnsd_conf *a, const struct dnsd_conf *b)
{
	int	i;

	if (a->nlisten != b->nlisten || a->port != b->port)
		return 0;
	for (i = 0; i < a->nlisten; i++)
		if (!netaddr_equal(&a->listen[i], &b->listen[i]))
			return 0;
	return 1;
}

/* Load the config from the command line and files into a new struct. */
static struct dnsd_conf *
load_conf(conf_sink sink, int *errors)
{
	struct dnsd_conf	*c;

	/* calloc takes fresh zero pages from mmap for a struct this large, so
	 * the tables the config leaves empty cost no memory. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*errors = 1;
		return NULL;
	}
	dnsconf_defaults_zeroed(c);
	*errors = dnsconf_load(c, saved_argc, saved_argv, sink, NULL);
	return c;
}

static void
free_conf(struct dnsd_conf *c)
{
	if (c == NULL)
		return;
	dnsconf_free(c);
	free(c);
}

/* The list of upstream servers in st.conf changed: their counts and
 * failures start again, and the forwarder maps its sockets to the list. */
static void
reset_servers(void)
{
	memset(st.server_failed, 0, sizeof(st.server_failed));
	memset(st.server_queries, 0, sizeof(st.server_queries));
	memset(st.server_failures, 0, sizeof(st.server_failures));
	if (forward_reconfigure() == -1)
		log_warnx("no memory for %ld queries in flight", st.conf->forward_max);
}

/* SIGHUP: reread the config and every hosts file; keep the old config
 * when the new one has errors.  Queries in flight still get their answers. */
static void
reload(void)
{
	struct dnsd_conf	*c, *old = st.conf;
	struct records		 rec;
	int			 errors;

	log_info("reloading on SIGHUP");
	c = load_conf(log_sink, &errors);
	if (c != NULL && errors == 0) {
		if (add_interfaces(c) == -1)
			errors++;
		default_listen(c);
	}
	if (c == NULL || errors > 0) {
		log_warnx("configuration has %d error%s; keeping the old one", errors,
		    errors == 1 ? "" : "s");
		free_conf(c);
		return;
	}
	if (!same_listen(old, c))
		log_warnx("listen addresses and port changes take effect after a restart");
	c->nlisten = old->nlisten;
	memcpy(c->listen, old->listen, sizeof(c->listen));
	c->port = old->port;
	(void)dnsconf_read_resolv(c);
	if (hosts_build(&rec, c, st.hostsfile, log_sink, NULL) == -1) {
		log_warnx("keeping the old configuration");
		free_conf(c);
		return;
	}
	records_free(&st.records);
	st.records = rec;
	st.conf = c;
	reset_servers();
	if (query_setup(&st) == -1)
		log_warnx("invalid domain in the new configuration");
	if ((size_t)c->cache_size != st.cache.size) {
		cache_free(&st.cache);
		if (cache_init(&st.cache, (size_t)c->cache_size) == -1)
			log_warnx("no memory for a cache of %ld entries; caching is off",
			    c->cache_size);
	} else
		cache_clear(&st.cache);
	read_subnets(&st);
	free_conf(old);
	watch_reset();
	log_info("reloaded: %zu local records, cache size %zu", st.records.nrrs, st.cache.size);
}

static void
on_reload(int signo, void *arg)
{
	reload();
	layout_drop_init();
}

/* --- resolv-file and hostsdir= polling ------------------------------------ */

static uint64_t	resolv_sig, hostsdir_sig;

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* Hash the stat fields that change when a file is rewritten; 0 when the
 * file does not exist. */
static uint64_t
file_sig(const char *path)
{
	struct stat	sb;
	uint64_t	h = 1;

	if (stat(path, &sb) == -1)
		return 0;
	h = mix(h, (uint64_t)sb.st_ino);
	h = mix(h, (uint64_t)sb.st_size);
	h = mix(h, (uint64_t)sb.st_mtim.tv_sec);
	return mix(h, (uint64_t)sb.st_mtim.tv_nsec);
}

/* The signature of a directory and its files, in any order of readdir. */
static uint64_t
dir_sig(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[DNSD_PATH_MAX + 256];
	uint64_t	 sum = file_sig(dir), h;
	const char	*p;

	if ((d = opendir(dir)) == NULL)
		return sum;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		h = file_sig(path);
		for (p = e->d_name; *p != '\0'; p++)
			h = mix(h, (uint64_t)(unsigned char)*p);
		sum += h;
	}
	closedir(d);
	return sum;
}

static uint64_t
hostsdirs_sig(const struct dnsd_conf *c)
{
	uint64_t	h = 0;
	int		i;

	for (i = 0; i < c->nhostsdirs; i++)
		h = mix(h, dir_sig(c->hostsdirs[i]));
	return h;
}

/* Note the state of the watched files, so that only later changes count. */
static void
watch_reset(void)
{
	resolv_sig = st.conf->no_resolv ? 0 : file_sig(st.conf->resolv_file);
	hostsdir_sig = hostsdirs_sig(st.conf);
}

/* resolv-file changed: its servers replace the ones read before.  Queries
 * in flight finish with the servers they started with. */
static void
reread_resolv(void)
{
	log_info("%s changed: reading it again", st.conf->resolv_file);
	(void)dnsconf_read_resolv(st.conf);
	if (query_setup(&st) == -1)
		log_warnx("invalid domain in the configuration");
	reset_servers();
}

/* A file in a hostsdir= directory was added, changed or removed: build
 * the name table again, so removed lines disappear too. */
static void
reread_hosts(void)
{
	struct records	rec;

	if (hosts_build(&rec, st.conf, st.hostsfile, log_sink, NULL) == -1) {
		log_warnx("keeping the old name table");
		return;
	}
	records_free(&st.records);
	st.records = rec;
	log_info("hosts directory changed: %zu local records", st.records.nrrs);
}

static void
on_poll(void *arg)
{
	uint64_t	s;

	(void)loop_add_timer(POLL_SECONDS, on_poll, NULL);
	if (!st.conf->no_resolv && !st.conf->no_poll &&
	    (s = file_sig(st.conf->resolv_file)) != resolv_sig) {
		resolv_sig = s;
		reread_resolv();
		layout_drop_init();
	}
	if (st.conf->nhostsdirs > 0 && (s = hostsdirs_sig(st.conf)) != hostsdir_sig) {
		hostsdir_sig = s;
		reread_hosts();
		layout_drop_init();
	}
}

static int
write_pidfile(const struct dnsd_conf *c)
{
	FILE	*f;

	if (c->pid_file[0] == '\0')
		return 0;
	if (c->debug && strcmp(c->pid_file, DNSD_DEFAULT_PIDFILE) == 0)
		return 0;
	if ((f = fopen(c->pid_file, "w")) == NULL) {
		log_warn("pid-file %s", c->pid_file);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	pidfile_written = 1;
	return 0;
}

/*
 * Remove the pid file at exit.  After dropping root dnsd usually may not
 * remove it from a root-owned directory such as /run; it then leaves the
 * file, as dnsmasq does, and says so only in the debug log.
 */
static void
remove_pidfile(void)
{
	if (!pidfile_written || unlink(st.conf->pid_file) == 0 || errno == ENOENT)
		return;
	if (errno == EACCES || errno == EPERM)
		log_debug("pid file %s left in place: %s", st.conf->pid_file, strerror(errno));
	else
		log_warn("cannot remove %s", st.conf->pid_file);
}

/* log-facility: syslog with that facility, stderr (-), or a file. */
static int
open_log(const struct dnsd_conf *c)
{
	int	fd;

	if (c->log_file[0] != '\0') {
		if ((fd = open(c->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) == -1) {
			log_warn("log-facility %s", c->log_file);
			return -1;
		}
		if (fd != 2) {
			dup2(fd, 2);
			close(fd);
		}
		log_init(LOG_TO_STDERR, 0, "dnsd", LOG_DAEMON);
	} else if (c->log_facility == -1)
		log_init(LOG_TO_STDERR, 0, "dnsd", LOG_DAEMON);
	else
		log_init(LOG_TO_SYSLOG, 0, "dnsd", c->log_facility);
	return 0;
}

static void
daemonize(void)
{
	pid_t	pid;
	int	fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") == -1)
		log_warn("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static int
setup_loop(void)
{
	int	i;

	if (loop_init() == -1)
		return -1;
	for (i = 0; i < nlisteners; i++)
		if (loop_add_fd(listeners[i].fd, POLLIN, listeners[i].tcp ? on_accept : on_udp,
		    NULL) == -1)
			return -1;
	watch_reset();
	if (loop_add_timer(POLL_SECONDS, on_poll, NULL) == 0)
		return -1;
	if (loop_add_signal(SIGHUP, on_reload, NULL) == -1 ||
	    loop_add_signal(SIGUSR1, dump_stats, NULL) == -1 ||
	    loop_add_signal(SIGTERM, on_stop, NULL) == -1 ||
	    loop_add_signal(SIGINT, on_stop, NULL) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
init_io(void)
{
	unsigned int	k;
	int		i;

	for (i = 0; i < TCP_CONNS; i++)
		conns[i].fd = -1;
	batch.fd = -1;
	for (k = 0; k < UDP_BATCH; k++)
		batch_setup(k);
}

/* Everything between a valid config and the first packet. */
static int
start(struct dnsd_conf *c)
{
	char	*env;

	st.local_only = c->local_service && c->nlisten == 0 && c->ninterfaces == 0;
	if (add_interfaces(c) == -1)
		return -1;
	default_listen(c);
	if (check_listen(c) == -1)
		return -1;
	(void)dnsconf_read_resolv(c);
	st.conf = c;
	/* Tests point the main hosts file elsewhere; dnsmasq has no option for it. */
	env = getenv("DNSD_HOSTS_FILE");
	st.hostsfile = env != NULL && *env != '\0' ? env : DNSD_HOSTS;
	if (query_setup(&st) == -1) {
		log_warnx("invalid domain name in the configuration");
		return -1;
	}
	if (hosts_build(&st.records, c, st.hostsfile, NULL, NULL) == -1)
		return -1;
	if (cache_init(&st.cache, (size_t)c->cache_size) == -1) {
		log_warnx("no memory for a cache of %ld entries", c->cache_size);
		return -1;
	}
	init_io();
	read_subnets(&st);
	if (forward_init(&st, deliver) == -1) {
		log_warnx("no memory for %ld queries in flight", c->forward_max);
		return -1;
	}
	return open_listeners(c);
}

/* Handle --help, --version and --test, which print and exit without starting. */
static int
finish_early(struct dnsd_conf *c, int errors)
{
	int	rc = 0;

	if (c->help)
		fputs(usage_text, stdout);
	else if (c->version)
		printf("dnsd (edgebox) %s\n", EDGEBOX_VERSION);
	else if (errors > 0) {
		fprintf(stderr, "dnsd: %d error%s in the configuration\n", errors,
		    errors == 1 ? "" : "s");
		rc = 1;
	} else {
		/* dnsmasq prints this line on stderr too. */
		fprintf(stderr, "dnsd: syntax check OK.\n");
	}
	free_conf(c);
	return rc;
}

/*
 * dnsd [OPTION...] --explain NAME [TYPE]: read the config as a start
 * would, without binding or changing user, and print how NAME is
 * answered.  The other arguments are the usual options.
 */
static int
run_explain(int argc, char **argv, int at)
{
	struct dnsd_conf	*c;
	const char		*env, *type = NULL;
	char			**args;
	int			 errors, n = 0, i, end = at + 2, status;

	if (end < argc && argv[end][0] != '-')
		type = argv[end++];
	if ((args = calloc((size_t)argc + 1, sizeof(*args))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < argc; i++)
		if (i < at || i >= end)
			args[n++] = argv[i];
	saved_argc = n;
	saved_argv = args;
	c = load_conf(print_sink, &errors);
	if (c == NULL)
		fatalx("out of memory");
	status = 1;
	if (errors > 0)
		fprintf(stderr, "dnsd: %d error%s in the configuration\n", errors,
		    errors == 1 ? "" : "s");
	else if (add_interfaces(c) != -1) {
		default_listen(c);
		(void)dnsconf_read_resolv(c);
		env = getenv("DNSD_HOSTS_FILE");
		status = explain(c, env != NULL && *env != '\0' ? env : DNSD_HOSTS,
		    argv[at + 1], type);
	}
	free_conf(c);
	free(args);
	return status;
}

int
dnsd_main(int argc, char **argv)
{
	struct dnsd_conf	*c;
	const char		*user;
	int			 errors, daemon, i;

	log_init(LOG_TO_STDERR, 0, "dnsd", LOG_DAEMON);
	saved_argc = argc;
	saved_argv = argv;
	if (argc >= 2 && strcmp(argv[argc - 1], "--explain") == 0)
		fatalx("--explain: missing name; usage: dnsd [OPTION...] --explain NAME [TYPE]");
	for (i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--explain") == 0)
			return run_explain(argc, argv, i);
	c = load_conf(print_sink, &errors);
	if (c == NULL)
		fatalx("out of memory");
	if (c->help || c->version || c->test_only)
		return finish_early(c, errors);
	if (errors > 0) {
		fprintf(stderr, "dnsd: %d error%s in the configuration; not starting\n", errors,
		    errors == 1 ? "" : "s");
		free_conf(c);
		return 1;
	}
	if (c->debug)
		log_init(LOG_TO_STDERR, 1, "dnsd", LOG_DAEMON);
	if (start(c) == -1) {
		log_warnx("not starting");
		/* Once start() has stored c in st, c stays reachable from there. */
		if (st.conf != c)
			free_conf(c);
		return 1;
	}
	daemon = !c->debug && !c->foreground;
	if (daemon)
		daemonize();
	if (!c->debug && open_log(c) == -1)
		fatalx("not starting");
	(void)write_pidfile(c);
	if (geteuid() == 0 && (user = dnsconf_run_user(c, log_sink, NULL)) != NULL &&
	    privs_drop(user, c->group[0] != '\0' ? c->group : NULL, 0) == -1)
		fatalx("not starting");
	if (setup_loop() == -1)
		fatal("event loop");
	log_info("started, version %s, cache size %zu, %zu local records",
	    EDGEBOX_VERSION, st.cache.size, st.records.nrrs);
	layout_drop_init();
	if (loop_run(0) == -1)
		log_warn("event loop");
	forward_cancel_all();
	remove_pidfile();
	return 0;
}
