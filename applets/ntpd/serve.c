/* serve.c -- NTP server: replies to client requests from addresses the access list allows. */
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ntpd.h"
#include "ntpwire.h"
#include "sock.h"

#define SERVE_MAX_FDS	NTPD_MAX_BIND
#define REQUEST_MAX	1024	/* longer datagrams are truncated and dropped */
#define PHI		15e-6	/* dispersion growth, s/s (RFC 5905) */
#define RL_CLIENTS	1024	/* clients tracked by ratelimit; a hash collision replaces one */

/* ratelimit's state of one client address: a bucket of response tokens. */
struct rl_client {
	struct netaddr	addr;
	double		tokens;
	double		last;		/* monotonic seconds of the last request */
	uint32_t	limited;	/* requests over the limit in a row */
};

static const struct ntpd_conf	*conf;
static int			 fds[SERVE_MAX_FDS];
static int			 nfds;
static struct ctl_serverstats	 stats;
static struct rl_client		 clients[RL_CLIENTS];

static uint32_t
rl_hash(const struct netaddr *a)
{
	uint32_t	h = 2166136261u;
	size_t		i, len = a->family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++)
		h = (h ^ a->u.bytes[i]) * 16777619u;
	return h % RL_CLIENTS;
}

int
serve_ratelimit(const struct ntpd_conf *c, const struct netaddr *from, double now)
{
	struct rl_client	*cl = &clients[rl_hash(from)];
	double			 interval = ldexp(1.0, c->rl_interval);

	if (!c->ratelimit)
		return SERVE_REPLY;
	/* XXX: chronyd suspends the limit for a client that polls faster when unanswered; ntpd does not. */
	if (cl->addr.family == AF_UNSPEC || !netaddr_equal(&cl->addr, from)) {
		memset(cl, 0, sizeof(*cl));
		cl->addr = *from;
		cl->tokens = c->rl_burst;
		cl->last = now;
	}
	/* One token comes back each interval, up to burst. */
	cl->tokens = fmin(cl->tokens + (now - cl->last) / interval, (double)c->rl_burst);
	cl->last = now;
	if (cl->tokens >= 1.0) {
		cl->tokens -= 1.0;
		cl->limited = 0;
		return SERVE_REPLY;
	}
	/* Every 2^leak-th limited request gets a RATE kiss-o'-death, so a
	 * spoofed flood cannot silence the real client completely. */
	cl->limited++;
	if (cl->limited % (1u << c->rl_leak) == 0)
		return SERVE_KOD;
	return SERVE_DROP;
}

void
serve_build_kod(const struct ntpwire_packet *req, struct ntpwire_packet *out)
{
	memset(out, 0, sizeof(*out));
	out->leap = NTPWIRE_LEAP_UNSYNC;
	out->version = req->version;
	out->mode = NTPWIRE_MODE_SERVER;
	out->stratum = 0;
	out->poll = req->poll;
	out->precision = NTPD_PRECISION;
	out->refid = NTPWIRE_KOD_RATE;
	out->origin = req->transmit;
}

void
serve_build_reply(const struct ntpwire_packet *req, uint64_t rx, uint64_t tx,
    const struct ntpd_ref *ref, int local_stratum, struct ntpwire_packet *out)
{
	double	age;

	memset(out, 0, sizeof(*out));
	out->version = req->version;
	out->mode = NTPWIRE_MODE_SERVER;
	out->poll = req->poll;
	out->precision = NTPD_PRECISION;
	out->origin = req->transmit;
	out->receive = rx;
	out->transmit = tx;
	if (ref->synced) {
		age = fmax(ntpwire_diff(tx, ntpwire_from_timespec(&ref->reftime)), 0.0);
		out->leap = (uint8_t)ref->leap;
		out->stratum = (uint8_t)ref->stratum;
		out->refid = ref->refid;
		out->reftime = ntpwire_from_timespec(&ref->reftime);
		out->rootdelay = ntpwire_short_from_double(ref->rootdelay);
		out->rootdisp = ntpwire_short_from_double(ref->rootdisp + PHI * age);
	} else if (local_stratum > 0) {
		out->leap = NTPWIRE_LEAP_NONE;
		out->stratum = (uint8_t)local_stratum;
		out->refid = NTPWIRE_REFID_LOCAL;
		out->reftime = tx;
	} else {
		/* chronyd 4.3 replies too, with leap 3 and stratum 0 (checked on loopback). */
		out->leap = NTPWIRE_LEAP_UNSYNC;
		out->stratum = 0;
	}
}

static void
handle_request(int fd, const uint8_t *buf, ssize_t n, struct sock_rxinfo *rx)
{
	struct ntpwire_packet	req, rep;
	struct netaddr		from;
	struct timespec		now;
	uint8_t			out[NTPWIRE_HEADER_LEN];
	uint64_t		rxts;

	clock_rxtime(&rx->rxtime, &now);
	rxts = ntpwire_from_timespec(&now);
	stats.requests++;
	if (netaddr_from_sockaddr((struct sockaddr *)&rx->from, &from, NULL) == -1 ||
	    !acl_allows(&conf->acl, &from)) {
		stats.rejected++;
		return;
	}
	if (ntpwire_decode(buf, (size_t)n, &req) == -1 || req.mode != NTPWIRE_MODE_CLIENT) {
		stats.malformed++;
		return;
	}
	switch (serve_ratelimit(conf, &from, clock_mono())) {
	case SERVE_DROP:
		stats.limited++;
		return;
	case SERVE_KOD:
		stats.limited++;
		serve_build_kod(&req, &rep);
		break;
	default:
		clock_now(&now);
		serve_build_reply(&req, rxts, ntpwire_from_timespec(&now), &ntpd_ref,
		    ntpd_ref.local_stratum, &rep);
		break;
	}
	/* The reply is the bare header, never longer than the request. */
	ntpwire_encode(&rep, out, sizeof(out));
	if (sock_reply(fd, out, sizeof(out), rx) == -1)
		log_debug("cannot send an NTP reply: %s", strerror(errno));
	else
		stats.replies++;
}

static void
on_request(int fd, short revents, void *arg)
{
	struct sock_rxinfo	rx;
	uint8_t			buf[REQUEST_MAX];
	ssize_t			n;

	(void)revents;
	(void)arg;
	while ((n = sock_recv(fd, buf, sizeof(buf), &rx)) >= 0)
		handle_request(fd, buf, n, &rx);
}

static int
open_one(const struct netaddr *addr)
{
	char	text[NETADDR_STRLEN];
	int	fd;

	fd = sock_udp(addr, (uint16_t)conf->port,
	    SOCK_NONBLOCK_FLAG | SOCK_PKTINFO | SOCK_TIMESTAMP | SOCK_REUSEADDR);
	if (fd == -1) {
		log_warn("cannot open the NTP server port %d on %s", conf->port,
		    addr ? netaddr_format(addr, text) : "all addresses");
		return -1;
	}
	if (loop_add_fd(fd, POLLIN, on_request, NULL) == -1) {
		close(fd);
		return -1;
	}
	fds[nfds++] = fd;
	return 0;
}

int
serve_start(const struct ntpd_conf *c)
{
	int	i, rc = 0;

	conf = c;
	nfds = 0;
	memset(&stats, 0, sizeof(stats));
	memset(clients, 0, sizeof(clients));
	/* Like chronyd, open the server port only when some client is allowed. */
	if (conf->port == 0 || conf->nallow == 0)
		return 0;
	if (conf->nbind == 0)
		return open_one(NULL);
	for (i = 0; i < conf->nbind; i++)
		if (open_one(&conf->bind[i]) == -1)
			rc = -1;
	return rc;
}

void
serve_stop(void)
{
	int	i;

	for (i = 0; i < nfds; i++) {
		loop_del_fd(fds[i]);
		close(fds[i]);
	}
	nfds = 0;
}

void
serve_get_stats(struct ctl_serverstats *out)
{
	*out = stats;
}
