/* serve.c -- NTP server: replies to client requests from addresses the access list allows. */
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
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
#define CLIENT_SLOTS	1024	/* clients recorded; a hash collision replaces one */
#define INTERVAL_WEIGHT	0.25	/* weight of a new interval in the log2 averages */

/* One client address: its counters for the clients command and its ratelimit bucket. */
struct client_record {
	struct netaddr	addr;
	uint32_t	hits;		/* NTP requests */
	uint32_t	drops;		/* requests over the limit: dropped or kissed */
	double		last;		/* monotonic seconds of the last request */
	double		interval;	/* log2 seconds, average between requests */
	double		last_reply;	/* monotonic seconds of the last reply while limited */
	double		limited_interval;	/* log2 seconds, average between those replies */
	int		has_limited_interval;
	double		tokens;		/* ratelimit: replies that may be sent now */
	uint32_t	limited;	/* ratelimit: requests over the limit in a row */
};

static const struct ntpd_conf	*conf;
static int			 fds[SERVE_MAX_FDS];
static int			 nfds;
static struct ctl_serverstats	 stats;
static struct client_record	 clients[CLIENT_SLOTS];

static uint32_t
client_hash(const struct netaddr *a)
{
	uint32_t	h = 2166136261u;
	size_t		i, len = a->family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++)
		h = (h ^ a->u.bytes[i]) * 16777619u;
	return h % CLIENT_SLOTS;
}

/* Return the record of from, starting a new one (with a full ratelimit
 * bucket) when its slot is empty or another address had it. */
static struct client_record *
client_lookup(const struct ntpd_conf *c, const struct netaddr *from, double now)
{
	struct client_record	*cl = &clients[client_hash(from)];

	if (cl->addr.family == AF_UNSPEC || !netaddr_equal(&cl->addr, from)) {
		memset(cl, 0, sizeof(*cl));
		cl->addr = *from;
		cl->tokens = c->rl_burst;
		cl->last = now;
	}
	return cl;
}

/* Return log2(x) for a finite x > 0 to within 2e-6, which the clients
 * command's averages allow: libm's log2 cost 73 instructions per request
 * under callgrind. */
static double
log2_fast(double x)
{
	uint64_t	bits;
	double		m, t, t2;
	int		exponent;

	memcpy(&bits, &x, sizeof(bits));
	exponent = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	memcpy(&m, &bits, sizeof(m));
	/* ln(m) = 2 atanh(t) with t = (m - 1) / (m + 1) in [0, 1/3) for m in [1, 2):
	 * the series up to t^9 leaves an error below (1/3)^11 / 11. */
	t = (m - 1.0) / (m + 1.0);
	t2 = t * t;
	return exponent + (2.0 / M_LN2) * t *
	    (1.0 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 / 9))));
}

/* Move a log2 average towards the log2 of a new interval (floored at 1/128 s). */
static double
average_log2(double average, int has_average, double seconds)
{
	double	l = seconds > 1.0 / 128 ? log2_fast(seconds) : -7.0;

	return has_average ? average + INTERVAL_WEIGHT * (l - average) : l;
}

static void
client_count_request(struct client_record *cl, double now)
{
	if (cl->hits > 0)
		cl->interval = average_log2(cl->interval, cl->hits > 1, now - cl->last);
	cl->hits++;
}

static int
client_ratelimit(const struct ntpd_conf *c, struct client_record *cl, double now)
{
	double	interval;

	if (!c->ratelimit)
		return SERVE_REPLY;
	interval = ldexp(1.0, c->rl_interval);
	/* XXX: chronyd suspends the limit for a client that polls faster when unanswered; ntpd does not. */
	/* One token comes back each interval, up to burst. */
	cl->tokens = fmin(cl->tokens + (now - cl->last) / interval, (double)c->rl_burst);
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

int
serve_ratelimit(const struct ntpd_conf *c, const struct netaddr *from, double now)
{
	struct client_record	*cl = client_lookup(c, from, now);
	int			 verdict;

	client_count_request(cl, now);
	verdict = client_ratelimit(c, cl, now);
	cl->last = now;
	if (verdict != SERVE_REPLY)
		cl->drops++;
	if (verdict != SERVE_DROP && cl->drops > 0) {
		/* Once limited, the interval between the answers also counts. */
		if (cl->last_reply > 0)
			cl->limited_interval = average_log2(cl->limited_interval,
			    cl->has_limited_interval++ > 0, now - cl->last_reply);
		cl->last_reply = now;
	}
	return verdict;
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

int
serve_get_client(int index, struct ctl_client *row, int *count)
{
	double		now = clock_mono();
	int		i, n = 0, found = -1;

	for (i = 0; i < CLIENT_SLOTS; i++) {
		if (clients[i].addr.family == AF_UNSPEC)
			continue;
		if (n++ == index)
			found = i;
	}
	*count = n;
	if (found == -1)
		return -1;
	memset(row, 0, sizeof(*row));
	netaddr_format(&clients[found].addr, row->name);
	row->ntp_hits = clients[found].hits;
	row->ntp_drops = clients[found].drops;
	row->ntp_interval = clients[found].hits > 1 ?
	    (int32_t)lround(clients[found].interval) : CTL_NO_INTERVAL;
	row->ntp_limited_interval = clients[found].has_limited_interval ?
	    (int32_t)lround(clients[found].limited_interval) : CTL_NO_INTERVAL;
	row->ntp_last_ago = (uint32_t)fmax(now - clients[found].last, 0.0);
	row->cmd_interval = CTL_NO_INTERVAL;
	row->cmd_last_ago = CTL_NEVER;
	return 0;
}
