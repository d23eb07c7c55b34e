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

/*
 * Requests are read and answered in batches: one recvmmsg takes up to
 * SERVE_BATCH datagrams and the replies leave in one sendmmsg, so a busy
 * server makes far fewer than the two system calls per reply of
 * recvmsg/sendmsg.  Only the header of a request is kept per slot: the
 * rest of each datagram goes to a shared buffer, because only its length
 * counts, and a datagram longer than REQUEST_MAX is dropped.
 */
#define SERVE_BATCH	16
#define BATCHES_PER_WAKEUP	8	/* then the other sockets get their turn */

struct serve_batch {
	struct mmsghdr		in[SERVE_BATCH];
	struct iovec		iniov[SERVE_BATCH][2];
	struct sock_rxinfo	rx[SERVE_BATCH];
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[SOCK_RX_CONTROL_LEN];
	}			control[SERVE_BATCH];
	uint8_t			head[SERVE_BATCH][NTPWIRE_HEADER_LEN];
	uint8_t			rest[REQUEST_MAX - NTPWIRE_HEADER_LEN];
	struct mmsghdr		out[SERVE_BATCH];
	struct iovec		outiov[SERVE_BATCH];
	union sock_tx_control	txcontrol[SERVE_BATCH];
	uint8_t			reply[SERVE_BATCH][NTPWIRE_HEADER_LEN];
	/* Per output slot: a kiss, or a reply with its request's slot and
	 * receive timestamp. */
	uint8_t			is_kod[SERVE_BATCH];
	uint8_t			request[SERVE_BATCH];
	uint64_t		receive[SERVE_BATCH];
};

static struct serve_batch	batch;		/* in .bss: pages touched only when used */
static uint8_t			kod_template[NTPWIRE_HEADER_LEN];

#define VERSION_BITS	0x38	/* the version field of the first byte */

/* Give the first n receive slots back their buffer lengths, which
 * recvmmsg overwrote. */
static void
batch_rearm(unsigned int n)
{
	unsigned int	k;

	for (k = 0; k < n; k++) {
		batch.in[k].msg_hdr.msg_namelen = sizeof(batch.rx[k].from);
		batch.in[k].msg_hdr.msg_controllen = sizeof(batch.control[k].buf);
	}
}

static void
batch_setup(void)
{
	unsigned int	k;

	memset(&batch, 0, sizeof(batch));
	for (k = 0; k < SERVE_BATCH; k++) {
		batch.iniov[k][0].iov_base = batch.head[k];
		batch.iniov[k][0].iov_len = sizeof(batch.head[k]);
		batch.iniov[k][1].iov_base = batch.rest;
		batch.iniov[k][1].iov_len = sizeof(batch.rest);
		batch.in[k].msg_hdr.msg_name = &batch.rx[k].from;
		batch.in[k].msg_hdr.msg_iov = batch.iniov[k];
		batch.in[k].msg_hdr.msg_iovlen = 2;
		batch.in[k].msg_hdr.msg_control = batch.control[k].buf;
		/* sock_reply_header sets the address and control message of
		 * each reply; the padding of the headers stays zero. */
		batch.outiov[k].iov_base = batch.reply[k];
		batch.outiov[k].iov_len = NTPWIRE_HEADER_LEN;
		batch.out[k].msg_hdr.msg_iov = &batch.outiov[k];
		batch.out[k].msg_hdr.msg_iovlen = 1;
	}
	batch_rearm(SERVE_BATCH);
}

/* Copy an encoded template and make it the reply to req: take its
 * version, poll and transmit timestamp (the reply's origin), the fields
 * that serve_build_reply and serve_build_kod take from a request. */
static void
reply_from_template(uint8_t *out, const uint8_t *template, const uint8_t *req)
{
	memcpy(out, template, NTPWIRE_HEADER_LEN);
	out[0] = (uint8_t)((template[0] & ~VERSION_BITS) | (req[0] & VERSION_BITS));
	out[NTPWIRE_OFFSET_POLL] = req[NTPWIRE_OFFSET_POLL];
	memcpy(out + NTPWIRE_OFFSET_ORIGIN, req + NTPWIRE_OFFSET_TRANSMIT, 8);
}

/* Decide what datagram k of the batch gets, and queue a reply or a kiss
 * in the next output slot with its receive timestamp.  *mono is the
 * monotonic time of the batch, read at the first request that needs it.
 * Returns 1 when a packet was queued, else 0. */
static int
batch_accept(unsigned int k, unsigned int slot, double *mono)
{
	struct msghdr		*m = &batch.in[k].msg_hdr;
	struct sock_rxinfo	*rx = &batch.rx[k];
	struct netaddr		 from;
	struct timespec		 ts;
	int			 verdict;

	stats.requests++;
	if (netaddr_from_sockaddr((struct sockaddr *)&rx->from, &from, NULL) == -1 ||
	    !acl_allows(&conf->acl, &from)) {
		stats.rejected++;
		return 0;
	}
	/* Modes 6 and 7 (control) and every mode other than client get no reply. */
	if ((m->msg_flags & MSG_TRUNC) ||
	    ntpwire_check(batch.head[k], batch.in[k].msg_len) != NTPWIRE_MODE_CLIENT) {
		stats.malformed++;
		return 0;
	}
	/* The requests of a batch share one reading of the monotonic clock,
	 * taken after they were queued: each counts as later by at most the
	 * time it waited in the socket's queue. */
	if (*mono < 0)
		*mono = clock_mono();
	verdict = serve_ratelimit(conf, &from, *mono);
	if (verdict == SERVE_DROP) {
		stats.limited++;
		return 0;
	}
	sock_rxinfo_parse(m, rx);
	sock_reply_header(&batch.out[slot].msg_hdr, &batch.txcontrol[slot], rx);
	if (verdict == SERVE_KOD) {
		stats.limited++;
		reply_from_template(batch.reply[slot], kod_template, batch.head[k]);
		batch.is_kod[slot] = 1;
		return 1;
	}
	clock_rxtime(&rx->rxtime, &ts);
	batch.receive[slot] = ntpwire_from_timespec(&ts);
	batch.request[slot] = (uint8_t)k;
	batch.is_kod[slot] = 0;
	return 1;
}

/*
 * Fill in the replies queued in the first n output slots and send them.
 * The transmit timestamp is read once, right before the sendmmsg, so it is
 * late for each reply by the time the kernel takes to send the replies
 * before it in the batch (about a microsecond each on loopback).  Reading
 * it per reply while the batch is built would be late by more: by the time
 * to build and send every reply before it.
 */
static void
batch_send(int fd, unsigned int n)
{
	struct ntpwire_packet	dummy, rep;
	struct timespec		now;
	uint8_t			template[NTPWIRE_HEADER_LEN];
	unsigned int		k;
	int			sent, failed;

	memset(&dummy, 0, sizeof(dummy));
	clock_now(&now);
	serve_build_reply(&dummy, 0, ntpwire_from_timespec(&now), &ntpd_ref,
	    ntpd_ref.local_stratum, &rep);
	ntpwire_encode(&rep, template, sizeof(template));
	for (k = 0; k < n; k++) {
		if (batch.is_kod[k])
			continue;
		reply_from_template(batch.reply[k], template, batch.head[batch.request[k]]);
		ntpwire_put_timestamp(batch.reply[k] + NTPWIRE_OFFSET_RECEIVE,
		    batch.receive[k]);
	}
	sent = sock_send_batch(fd, batch.out, n, &failed);
	stats.replies += (uint64_t)sent;
	if (failed > 0)
		log_debug("cannot send %d NTP replies: %s", failed, strerror(errno));
}

/* Answer the waiting requests a batch at a time; after BATCHES_PER_WAKEUP
 * full batches the loop polls the other sockets before reading on. */
static void
on_request(int fd, short revents, void *arg)
{
	unsigned int	k, nout, round;
	double		mono;
	int		n;

	(void)revents;
	(void)arg;
	for (round = 0; round < BATCHES_PER_WAKEUP; round++) {
		if ((n = sock_recv_batch(fd, batch.in, SERVE_BATCH)) <= 0)
			return;
		mono = -1;
		nout = 0;
		for (k = 0; k < (unsigned int)n; k++)
			nout += (unsigned int)batch_accept(k, nout, &mono);
		if (nout > 0)
			batch_send(fd, nout);
		batch_rearm((unsigned int)n);
		if (n < SERVE_BATCH)
			return;
	}
}

/* Whether addr is NULL or the unspecified address of its family. */
static int
is_wildcard(const struct netaddr *addr)
{
	static const uint8_t	zero[16];

	if (addr == NULL || addr->family == AF_UNSPEC)
		return 1;
	return memcmp(addr->u.bytes, zero, addr->family == AF_INET ? 4 : 16) == 0;
}

static int
open_one(const struct netaddr *addr)
{
	char	text[NETADDR_STRLEN];
	int	fd, flags = SOCK_NONBLOCK_FLAG | SOCK_TIMESTAMP | SOCK_REUSEADDR;

	/* Only a wildcard socket needs each request's destination address,
	 * for its reply to leave from it: the kernel sends from the bound
	 * address otherwise, and the control message costs every packet. */
	if (is_wildcard(addr))
		flags |= SOCK_PKTINFO;
	fd = sock_udp(addr, (uint16_t)conf->port, flags);
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
	struct ntpwire_packet	dummy, kod;
	int			i, rc = 0;

	conf = c;
	nfds = 0;
	memset(&stats, 0, sizeof(stats));
	memset(clients, 0, sizeof(clients));
	memset(&dummy, 0, sizeof(dummy));
	serve_build_kod(&dummy, &kod);
	ntpwire_encode(&kod, kod_template, sizeof(kod_template));
	/* Like chronyd, open the server port only when some client is allowed. */
	if (conf->port == 0 || conf->nallow == 0)
		return 0;
	batch_setup();
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
