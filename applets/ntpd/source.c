/* source.c -- NTP sources: name resolution with retry, polling, reply checks and clock updates. */
#include <sys/random.h>
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ntpd.h"
#include "ntpwire.h"
#include "sock.h"

#define BURST_POLLS		4	/* quick polls of iburst and of -q/-Q */
#define BURST_INTERVAL		2.0	/* seconds between them */
#define START_DELAY		0.2	/* seconds before the first poll */
#define RESOLVE_FIRST_RETRY	8.0	/* seconds; doubles after each failure */
#define RESOLVE_MAX_RETRY	1024.0
/* A line without any source yet (DNS not up at boot) is retried after 2,
 * 4 and then every 8 seconds, so the first sync follows soon after DNS. */
#define UNRESOLVED_FIRST_RETRY	2.0
#define UNRESOLVED_MAX_RETRY	8.0
#define JUMP_MIN		0.1	/* seconds off the last sample that make a sample a jump */
#define JUMP_JITTERS		10.0	/* ... or this many times the source's jitter, if more */
#define STARTUP_WAIT		1.0	/* seconds the first update waits for other replies */
#define POLL_RAISE_SAMPLES	4	/* good samples in a row before the poll interval doubles */
#define PHI			15e-6	/* frequency tolerance of a clock, s/s (RFC 5905) */
#define MAX_REPLY		1024
#define INITSTEP_CHECK		0.1	/* seconds between checks for the initstepslew burst */
#define REPLACE_POLLS		8	/* polls before a source may be found bad */
#define REPLACE_INTERVAL	1800.0	/* seconds between replacements for one line (chrony's 30 min) */

/* The scalars come first: on x86_64 a field in the first 128 bytes takes
 * a 1-byte displacement, one further on 4 bytes in every access. */
struct source {
	int		 spec;		/* index into the config's specs */
	uint16_t	 port;
	uint8_t		 reach;
	int		 named;		/* a server line with a host name, not an address */
	int		 fd;
	int		 poll;
	int		 burst_left;
	int		 burst_good;	/* good replies that end the burst early, 0: none */
	int		 offline;	/* polled only during a burst */
	int		 good_in_row;
	int		 stopped;	/* denied by a kiss-o'-death */
	int		 polls;		/* requests sent since the source was added */
	int		 state;
	int		 has_best;
	int		 has_last;
	int		 has_prev;
	int		 has_suspect;
	int		 waiting;	/* a request is in flight */
	/* From the last valid reply. */
	int		 leap;
	int		 stratum;
	uint32_t	 refid;
	double		 rootdelay;
	double		 rootdisp;

	uint64_t	 timer;
	double		 next_poll;	/* loop_now() time the timer fires */
	double		 jitter;

	/* The request in flight. */
	uint64_t	 cookie;	/* random transmit timestamp the reply must echo */
	double		 t1_mono;
	struct timespec	 t1;

	struct netaddr	 addr;
	char		 name[NETADDR_STRLEN];
	struct filter_sample best;	/* last sample handed to selection */
	struct filter_sample last;	/* last sample measured */
	struct filter_sample prev;	/* last sample added to the filter */
	struct filter_sample suspect;	/* a jump held back until the next sample */
	struct filter	 filter;
};

struct resolver {
	double			delay;	/* seconds before the next retry */
	double			retry_at;	/* loop_now() time of the next retry */
	uint64_t		timer;
	struct resolve_job	job;
	int			replacing;	/* the lookup looks for a replacement of bad */
	int			has_bad;
	struct netaddr		bad;		/* the address last replaced: never taken again */
	int			replaced;	/* a replacement was made at last_replace */
	double			last_replace;	/* monotonic seconds */
};

static const struct ntpd_conf	*conf;
static struct source		 sources[NTPD_MAX_SOURCES];
static int			 nsources;
static struct resolver		 resolvers[NTPD_MAX_SPECS];
static int			 once_mode;
static int			 spec_offline[NTPD_MAX_SPECS];	/* new sources start offline */
static uint64_t			 tick_timer;
static int			 kernel_leap = NTPWIRE_LEAP_NONE;	/* armed in the kernel */
static int			 announced_leap = NTPWIRE_LEAP_NONE;	/* served to clients */

/* Zero-initialised, so in .bss rather than 368 bytes of .data (x86_64).
 * source_start sets leap to NTPWIRE_LEAP_UNSYNC.  Before that only the
 * server and the control socket could read it, and they read it only
 * while synced is set. */
struct ntpd_ref	ntpd_ref;

static void	poll_source(void *);
static void	check_sync(void);
static void	resolve_spec(void *);

/* Return the name to show for s: its server line's host name, or its address. */
static const char *
source_host(const struct source *s)
{
	return s->named ? conf->specs[s->spec].host : s->name;
}

static int
source_find(const struct netaddr *addr, uint16_t port)
{
	int	i;

	for (i = 0; i < nsources; i++)
		if (sources[i].port == port && netaddr_equal(&sources[i].addr, addr))
			return i;
	return -1;
}

static void
on_reply(int fd, short revents, void *arg);

/* Poll s in delay seconds. */
static void
schedule_poll(struct source *s, double delay)
{
	s->timer = loop_add_timer(delay, poll_source, s);
	s->next_poll = loop_now() + delay;
}

static int
add_source(int spec, const struct netaddr *addr)
{
	const struct source_spec	*sp = &conf->specs[spec];
	struct source			*s;
	struct netaddr			 literal;
	int				 on = 1;

	if (nsources == NTPD_MAX_SOURCES || source_find(addr, sp->port) != -1)
		return -1;
	s = &sources[nsources];
	memset(s, 0, sizeof(*s));
	s->spec = spec;
	s->addr = *addr;
	s->port = sp->port;
	netaddr_format(addr, s->name);
	s->named = !sp->is_pool && netaddr_parse(sp->host, &literal) == -1;
	s->offline = spec_offline[spec];
	s->poll = sp->minpoll;
	s->stratum = 0;
	s->leap = NTPWIRE_LEAP_UNSYNC;
	s->state = CTL_STATE_UNUSABLE;
	filter_reset(&s->filter);
	if ((s->fd = sock_connect(addr, sp->port, SOCK_DGRAM)) == -1) {
		log_warn("cannot open a socket to NTP source %s port %u", s->name, sp->port);
		return -1;
	}
	/* Kernel receive timestamps keep scheduling delays out of T4. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == -1)
		log_debug("no kernel receive timestamps for %s: %s", s->name, strerror(errno));
	if (loop_add_fd(s->fd, POLLIN, on_reply, s) == -1) {
		close(s->fd);
		return -1;
	}
	nsources++;
	if (once_mode || sp->iburst || sp->burst)
		s->burst_left = BURST_POLLS;
	if (!s->offline)
		schedule_poll(s, START_DELAY);
	log_info("added NTP source %s port %u", s->name, sp->port);
	return 0;
}

static int	spec_count(int spec);

static void
schedule_retry(struct resolver *r, int spec)
{
	if (spec_count(spec) == 0)
		r->delay = r->delay == 0 ? UNRESOLVED_FIRST_RETRY :
		    fmin(r->delay * 2, UNRESOLVED_MAX_RETRY);
	else
		r->delay = r->delay == 0 ? RESOLVE_FIRST_RETRY :
		    fmin(r->delay * 2, RESOLVE_MAX_RETRY);
	log_info("retrying %s in %.0f seconds", conf->specs[spec].host, r->delay);
	r->retry_at = loop_now() + r->delay;
	r->timer = loop_add_timer(r->delay, resolve_spec, r);
}

static int
spec_count(int spec)
{
	int	i, n = 0;

	for (i = 0; i < nsources; i++)
		if (sources[i].spec == spec)
			n++;
	return n;
}

/* Close source i and move the last source into its slot. */
static void
remove_source(int i)
{
	struct source	*s = &sources[i], *last = &sources[nsources - 1];

	loop_cancel_timer(s->timer);
	loop_del_fd(s->fd);
	close(s->fd);
	if (s != last) {
		*s = *last;
		/* The loop keeps pointers to the slot: point them at the new one. */
		loop_del_fd(s->fd);
		loop_add_fd(s->fd, POLLIN, on_reply, s);
		if (last->timer != 0) {
			loop_cancel_timer(last->timer);
			s->timer = loop_add_timer(fmax(s->next_poll - loop_now(), 0.0), poll_source,
			    s);
		}
	}
	nsources--;
}

/* Return 1 when addr may be added for resolver r. */
static int
is_candidate(const struct resolver *r, const struct netaddr *addr, uint16_t port)
{
	return source_find(addr, port) == -1 && !(r->has_bad && netaddr_equal(&r->bad, addr));
}

/* Swap the bad source for the first new address of the lookup, if there is one. */
static void
replace_bad(struct resolver *r, int spec, const struct netaddr *addrs, int count)
{
	const struct source_spec	*sp = &conf->specs[spec];
	int				 i, bad;

	r->replacing = 0;
	if ((bad = source_find(&r->bad, sp->port)) == -1)
		return;
	for (i = 0; i < count; i++) {
		if (!is_candidate(r, &addrs[i], sp->port))
			continue;
		log_info("replacing NTP source %s of %s", sources[bad].name, sp->host);
		remove_source(bad);
		add_source(spec, &addrs[i]);
		return;
	}
	log_debug("no other address for %s; keeping %s", sp->host, sources[bad].name);
}

static void
on_resolved(void *arg, int error, const struct netaddr *addrs, int count)
{
	struct resolver			*r = arg;
	int				 spec = (int)(r - resolvers);
	const struct source_spec	*sp = &conf->specs[spec];
	int				 i, want;

	if (error != 0) {
		log_warnx("cannot resolve NTP source %s: %s", sp->host, gai_strerror(error));
		r->replacing = 0;
		schedule_retry(r, spec);
		return;
	}
	if (r->replacing)
		replace_bad(r, spec, addrs, count);
	/* A pool is looked up again until it gives maxsources sources. */
	want = sp->is_pool ? sp->maxsources : 1;
	for (i = 0; i < count && spec_count(spec) < want; i++)
		if (is_candidate(r, &addrs[i], sp->port))
			add_source(spec, &addrs[i]);
	if (spec_count(spec) < want)
		schedule_retry(r, spec);
	else
		r->delay = 0;
}

/*
 * Look for another address of a bad source's name, as chronyd does.  A
 * source is bad when it has not replied to its last 8 requests or is a
 * falseticker, unsynchronised or too far (unusable).  One line replaces at
 * most one source in 30 minutes.  Returns 1 when the lookup started.
 */
static int
try_replace(struct source *s)
{
	const struct source_spec	*sp = &conf->specs[s->spec];
	struct resolver			*r = &resolvers[s->spec];
	struct netaddr			 literal;
	double				 now = clock_mono();

	if (once_mode || s->polls <= REPLACE_POLLS || sp->noselect)
		return 0;
	if (s->reach != 0 && s->state != CTL_STATE_FALSETICKER &&
	    s->state != CTL_STATE_UNUSABLE)
		return 0;
	if (netaddr_parse(sp->host, &literal) == 0 || resolve_is_running(&r->job) ||
	    (r->replaced && now - r->last_replace < REPLACE_INTERVAL))
		return 0;
	r->replaced = 1;
	r->last_replace = now;
	r->replacing = 1;
	r->has_bad = 1;
	r->bad = s->addr;
	log_info("NTP source %s of %s is %s; looking for another address", s->name, sp->host,
	    s->reach == 0 ? "unreachable" : s->state == CTL_STATE_FALSETICKER ?
	    "a falseticker" : "unusable");
	if (r->timer != 0)
		loop_cancel_timer(r->timer);
	r->delay = 0;
	resolve_spec(r);
	return 1;
}

static void
resolve_spec(void *arg)
{
	struct resolver	*r = arg;
	int		 spec = (int)(r - resolvers);
	struct netaddr	 addr;

	r->timer = 0;
	if (netaddr_parse(conf->specs[spec].host, &addr) == 0) {
		if (add_source(spec, &addr) == -1)
			schedule_retry(r, spec);
		return;
	}
	r->job.done = on_resolved;
	r->job.arg = r;
	if (resolve_start(&r->job, conf->specs[spec].host) == -1)
		schedule_retry(r, spec);
}

/* Step a 64-bit linear congruential generator (Knuth's MMIX constants),
 * the stand-in for getrandom when the kernel has none.  Like the unseeded
 * random() it replaces, it only keeps each request's cookie different. */
static uint64_t
next_fallback_random(void)
{
	static uint64_t	state;

	state = state * 6364136223846793005u + 1442695040888963407u;
	return state;
}

static void
send_request(struct source *s)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[NTPWIRE_HEADER_LEN];

	memset(&pkt, 0, sizeof(pkt));
	pkt.leap = NTPWIRE_LEAP_UNSYNC;
	pkt.version = NTPWIRE_VERSION;
	pkt.mode = NTPWIRE_MODE_CLIENT;
	pkt.poll = (int8_t)s->poll;
	pkt.precision = NTPD_PRECISION;
	/* A random transmit timestamp hides our clock and lets us tell the
	 * reply to this request from spoofed or stale ones. */
	if (getrandom(&s->cookie, sizeof(s->cookie), 0) != sizeof(s->cookie))
		s->cookie ^= next_fallback_random();
	pkt.transmit = s->cookie;
	ntpwire_encode(&pkt, buf, sizeof(buf));
	clock_now(&s->t1);
	s->t1_mono = clock_mono();
	if (send(s->fd, buf, sizeof(buf), 0) == -1) {
		log_debug("cannot send to NTP source %s: %s", s->name, strerror(errno));
		s->waiting = 0;
		return;
	}
	s->waiting = 1;
}

static void
poll_source(void *arg)
{
	struct source			*s = arg;
	const struct source_spec	*sp = &conf->specs[s->spec];
	double				 delay;

	s->timer = 0;
	if (s->stopped || (s->offline && s->burst_left == 0))
		return;
	s->reach <<= 1;
	check_sync();
	s->polls++;
	try_replace(s);
	send_request(s);
	if (s->burst_left > 0) {
		s->burst_left--;
		delay = BURST_INTERVAL;
	} else {
		delay = ldexp(1.0, s->poll);
	}
	if (once_mode && s->burst_left == 0)
		return;
	/* An offline source goes back to waiting once its burst is over. */
	if (s->offline && s->burst_left == 0)
		return;
	/* burst: when the previous poll got no reply, follow up with quick polls. */
	if (s->burst_left == 0 && sp->burst && !(s->reach & 2))
		s->burst_left = BURST_POLLS - 1;
	schedule_poll(s, delay);
}

static int
check_kod(struct source *s, const struct ntpwire_packet *pkt)
{
	const struct source_spec	*sp = &conf->specs[s->spec];

	if (pkt->stratum != 0)
		return 0;
	if (pkt->refid == NTPWIRE_KOD_RATE) {
		if (s->poll < sp->maxpoll)
			s->poll++;
		log_info("NTP source %s sent a RATE kiss-o'-death; poll interval now 2^%d s",
		    s->name, s->poll);
	} else if (pkt->refid == NTPWIRE_KOD_DENY || pkt->refid == NTPWIRE_KOD_RSTR) {
		log_warnx("NTP source %s denied access; no longer polling it", s->name);
		s->stopped = 1;
	}
	return 1;
}

static void
adjust_poll(struct source *s)
{
	const struct source_spec	*sp = &conf->specs[s->spec];

	if (s->burst_left > 0)
		return;
	if (++s->good_in_row < POLL_RAISE_SAMPLES || s->poll >= sp->maxpoll)
		return;
	s->good_in_row = 0;
	s->poll++;
}

static void	update_system(struct source *trigger);

/* Return 1 when sample b is off sample a, carried forward to b's time, by a jump. */
static int
is_jump(const struct source *s, const struct filter_sample *a, const struct filter_sample *b)
{
	double	expected = discipline_offset_now(a->raw, a->mono, b->mono);

	return fabs(b->offset - expected) > fmax(JUMP_MIN, JUMP_JITTERS * s->jitter);
}

/*
 * Hold back a sample that jumps away from the source's last one until the
 * next sample, so that one wrong reply, or a server's step seen once, never
 * moves the clock.  When the next sample jumps too, the jump is taken as
 * real: the filter restarts from the two, because its older samples would
 * pull the clock back.  Returns 1 when fs is held back.
 */
static int
hold_jump(struct source *s, const struct filter_sample *fs)
{
	if (once_mode || !s->has_prev || !is_jump(s, &s->prev, fs)) {
		if (s->has_suspect)
			log_info("NTP source %s is back in line; dropped its lone jump", s->name);
		s->has_suspect = 0;
		return 0;
	}
	if (s->has_suspect) {
		log_info("NTP source %s: the next sample jumps too; following it", s->name);
		filter_reset(&s->filter);
		filter_add(&s->filter, &s->suspect);
		s->has_suspect = 0;
		return 0;
	}
	log_info("NTP source %s jumped by %+.6f seconds; waiting for the next sample",
	    s->name, fs->offset - discipline_offset_now(s->prev.raw, s->prev.mono, fs->mono));
	s->suspect = *fs;
	s->has_suspect = 1;
	return 1;
}

static void
take_sample(struct source *s, const struct ntpwire_packet *pkt, const struct timespec *t4)
{
	struct filter_sample		 fs;
	const struct filter_sample	*best;
	struct disc_status		 st;
	double				 now = clock_mono();

	ntpwire_offset_delay(ntpwire_from_timespec(&s->t1), pkt->receive, pkt->transmit,
	    ntpwire_from_timespec(t4), &fs.offset, &fs.delay);
	if (fs.delay < 0) {
		/* The clock was stepped during the exchange, or the server's timestamps are wrong. */
		log_debug("dropped a sample from %s with negative delay %.9f", s->name, fs.delay);
		return;
	}
	fs.mono = now;
	fs.raw = fs.offset + discipline_phase(now);
	fs.dispersion = ldexp(1.0, pkt->precision) + ldexp(1.0, NTPD_PRECISION) +
	    PHI * ntpwire_timespec_diff(t4, &s->t1);
	s->last = fs;
	s->has_last = 1;
	/* A burst command ends once it has its good samples. */
	if (s->burst_good > 0 && --s->burst_good == 0)
		s->burst_left = 0;
	if (hold_jump(s, &fs))
		return;
	filter_add(&s->filter, &fs);
	s->prev = fs;
	s->has_prev = 1;
	adjust_poll(s);
	log_debug("NTP source %s: offset %+.9f delay %.9f stratum %d", s->name, fs.offset,
	    fs.delay, pkt->stratum);
	/* The skew is 2000 ppm before the first estimate.  The filter takes at
	 * most RFC 5905's frequency tolerance, or a newest sample with a delay
	 * spike would always win over older, better ones. */
	discipline_get_status(&st);
	if ((best = filter_best(&s->filter, fmin(st.skew_ppm * 1e-6, PHI))) == NULL)
		return;
	s->best = *best;
	s->has_best = 1;
	s->jitter = filter_jitter(&s->filter, best);
	if (!once_mode)
		update_system(s);
}

static void
handle_reply(struct source *s, const uint8_t *buf, ssize_t n, const struct sock_rxinfo *rx)
{
	struct ntpwire_packet	pkt;
	struct timespec		t4;

	clock_rxtime(&rx->rxtime, &t4);
	if (ntpwire_decode(buf, (size_t)n, &pkt) == -1 || pkt.mode != NTPWIRE_MODE_SERVER) {
		log_debug("dropped a malformed reply from %s", s->name);
		return;
	}
	if (!s->waiting || pkt.origin != s->cookie) {
		log_debug("dropped a reply from %s that matches no request", s->name);
		return;
	}
	s->waiting = 0;
	if (check_kod(s, &pkt))
		return;
	s->reach |= 1;
	s->leap = pkt.leap;
	s->stratum = pkt.stratum;
	s->refid = pkt.refid;
	s->rootdelay = ntpwire_short_to_double(pkt.rootdelay);
	s->rootdisp = ntpwire_short_to_double(pkt.rootdisp);
	if (pkt.leap == NTPWIRE_LEAP_UNSYNC || pkt.stratum >= NTPWIRE_MAX_STRATUM ||
	    pkt.stratum < conf->specs[s->spec].minstratum) {
		log_debug("NTP source %s is not synchronised (leap %d, stratum %d)", s->name,
		    pkt.leap, pkt.stratum);
		return;
	}
	if (pkt.receive == 0 || pkt.transmit == 0 || ntpwire_diff(pkt.transmit, pkt.receive) < 0) {
		log_debug("dropped a reply from %s with invalid timestamps", s->name);
		return;
	}
	take_sample(s, &pkt, &t4);
}

static void
on_reply(int fd, short revents, void *arg)
{
	struct sock_rxinfo	rx;
	uint8_t			buf[MAX_REPLY];
	ssize_t			n;

	(void)revents;
	while ((n = sock_recv(fd, buf, sizeof(buf), &rx)) >= 0)
		handle_reply(arg, buf, n, &rx);
}

static double
source_distance(const struct source *s, double now)
{
	return s->rootdelay / 2 + s->rootdisp + s->best.delay / 2 + s->best.dispersion +
	    s->jitter + PHI * (now - s->best.mono);
}

static int
is_usable(const struct source *s)
{
	/* A stratum 15 source would make this host stratum 16, unsynchronised. */
	return s->has_best && s->reach != 0 && !conf->specs[s->spec].noselect &&
	    s->leap != NTPWIRE_LEAP_UNSYNC && s->stratum > 0 &&
	    s->stratum < NTPWIRE_MAX_STRATUM - 1;
}

/* Run selection over every source; returns 0 with res filled, or -1. */
static int
select_sources(double now, struct select_result *res)
{
	struct select_input	in[NTPD_MAX_SOURCES];
	int			states[NTPD_MAX_SOURCES];
	int			i, rc;

	for (i = 0; i < nsources; i++) {
		in[i].usable = is_usable(&sources[i]);
		in[i].offset = discipline_offset_now(sources[i].best.raw, sources[i].best.mono, now);
		in[i].distance = source_distance(&sources[i], now);
		in[i].stratum = sources[i].stratum;
		in[i].prefer = conf->specs[sources[i].spec].prefer;
	}
	rc = select_run(in, nsources, conf->minsources, conf->maxdistance, states, res);
	for (i = 0; i < nsources; i++)
		sources[i].state = states[i];
	return rc;
}

static uint32_t
make_refid(const struct netaddr *a)
{
	uint32_t	h = 2166136261u;
	int		i;

	if (a->family == AF_INET)
		return ntohl(a->u.v4.s_addr);
	/* XXX: chrony takes the first 32 bits of the MD5 of an IPv6 address; this is FNV-1a. */
	for (i = 0; i < 16; i++)
		h = (h ^ a->u.bytes[i]) * 16777619u;
	return h;
}

static void
on_tick(void *arg)
{
	(void)arg;
	tick_timer = 0;
	discipline_tick(clock_mono());
}

static void
schedule_tick(double now)
{
	double	end = discipline_next();

	if (tick_timer != 0)
		loop_cancel_timer(tick_timer);
	tick_timer = 0;
	if (end > 0)
		tick_timer = loop_add_timer(fmax(end - now, 0.0), on_tick, NULL);
}

/* Return 1 on the last day of June or December (UTC), the only days a leap
 * second may end.  chronyd arms a leap second only on these days too. */
static int
is_leap_day(void)
{
	struct timespec	now;
	struct tm	tm;
	time_t		t;

	clock_now(&now);
	t = now.tv_sec;
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	return (tm.tm_mon == 5 && tm.tm_mday == 30) || (tm.tm_mon == 11 && tm.tm_mday == 31);
}

/* Return the leap second that more than half of the selected sources announce. */
static int
vote_leap(void)
{
	int	i, n = 0, ins = 0, del = 0;

	for (i = 0; i < nsources; i++) {
		if (sources[i].state != CTL_STATE_SELECTED &&
		    sources[i].state != CTL_STATE_COMBINED)
			continue;
		n++;
		if (sources[i].leap == NTPWIRE_LEAP_INSERT)
			ins++;
		else if (sources[i].leap == NTPWIRE_LEAP_DELETE)
			del++;
	}
	if (2 * ins > n)
		return NTPWIRE_LEAP_INSERT;
	if (2 * del > n)
		return NTPWIRE_LEAP_DELETE;
	return NTPWIRE_LEAP_NONE;
}

static void
notify(const char *event, double offset, const char *source, const char *reason)
{
	struct timespec	now;

	clock_now(&now);
	hook_notify(event, &now, offset, source, reason);
}

/* Arm or disarm the kernel's leap second; the clock does nothing under -x. */
static void
set_kernel_leap(int leap)
{
	if (leap == kernel_leap || clock_is_readonly())
		return;
	if (clock_set_leap(leap) == -1) {
		if (errno != EPERM)
			log_warn("cannot tell the kernel about the leap second");
		return;
	}
	kernel_leap = leap;
	if (leap != NTPWIRE_LEAP_NONE)
		log_info("leap second armed: the kernel will %s a second at midnight UTC",
		    leap == NTPWIRE_LEAP_INSERT ? "insert" : "delete");
}

static void
update_leap(const struct source *peer)
{
	int	leap = is_leap_day() ? vote_leap() : NTPWIRE_LEAP_NONE;

	/* Clients learn of the leap second only on its day, as the kernel does. */
	ntpd_ref.leap = leap;
	if (leap != announced_leap && leap != NTPWIRE_LEAP_NONE)
		notify("leap", 0, peer->name, leap == NTPWIRE_LEAP_INSERT ? "insert" : "delete");
	announced_leap = leap;
	set_kernel_leap(leap);
}

/* Keep the kernel's error estimates current; as chronyd on Linux, clear
 * STA_UNSYNC (which starts the 11-minute RTC copy) only with rtcsync. */
static void
update_kernel_sync(const struct source *peer)
{
	double	est, max;

	if (clock_is_readonly())
		return;
	est = fmax(peer->jitter, ldexp(1.0, NTPD_PRECISION));
	max = ntpd_ref.rootdelay / 2 + ntpd_ref.rootdisp;
	if (clock_set_sync(1, conf->rtcsync, est, max) == -1 && errno != EPERM)
		log_warn("cannot pass the clock's error to the kernel");
}

static void
set_reference(const struct source *peer, double offset)
{
	ntpd_ref.synced = 1;
	ntpd_ref.stratum = peer->stratum + 1;
	ntpd_ref.refid = make_refid(&peer->addr);
	snprintf(ntpd_ref.refname, sizeof(ntpd_ref.refname), "%s", peer->name);
	snprintf(ntpd_ref.refhost, sizeof(ntpd_ref.refhost), "%s", source_host(peer));
	clock_now(&ntpd_ref.reftime);
	ntpd_ref.update_mono = clock_mono();
	ntpd_ref.rootdelay = peer->rootdelay + peer->best.delay;
	ntpd_ref.rootdisp = peer->rootdisp + peer->best.dispersion + peer->jitter + fabs(offset);
	update_leap(peer);
	update_kernel_sync(peer);
}

/* Become unsynchronised: clients, the kernel, the hooks and the marker file learn of it. */
static void
lose_sync(const char *reason)
{
	if (!ntpd_ref.synced)
		return;
	ntpd_ref.synced = 0;
	ntpd_ref.leap = NTPWIRE_LEAP_UNSYNC;
	announced_leap = NTPWIRE_LEAP_NONE;
	if (!clock_is_readonly() && clock_set_sync(0, 0, 0, 0) == -1 && errno != EPERM)
		log_warn("cannot mark the kernel clock unsynchronised");
	set_kernel_leap(NTPWIRE_LEAP_NONE);
	log_info("lost synchronisation: %s", reason);
	notify("unsync", 0, ntpd_ref.refname, reason);
	hook_set_synced(0, NULL);
}

/* Called at each poll: sources that stopped replying end the synchronisation. */
static void
check_sync(void)
{
	struct select_result	res;

	if (ntpd_ref.synced && !once_mode && select_sources(clock_mono(), &res) == -1)
		lose_sync("no selectable sources");
}

/* Return 1 while a source other than trigger has no sample yet but a
 * request of less than STARTUP_WAIT seconds in flight, for at most
 * STARTUP_WAIT seconds after the first call.  Without that bound a server
 * that never replies, polled together with the others, would always have
 * a fresh request in flight and hold back the first update for ever. */
static double	startup_wait_until;	/* 0 until the first call; source_start resets it */

static int
awaiting_replies(const struct source *trigger, double now)
{
	int	i;

	if (startup_wait_until == 0)
		startup_wait_until = now + STARTUP_WAIT;
	if (now >= startup_wait_until)
		return 0;
	for (i = 0; i < nsources; i++)
		if (&sources[i] != trigger && !sources[i].has_best && sources[i].waiting &&
		    now - sources[i].t1_mono < STARTUP_WAIT)
			return 1;
	return 0;
}

static void
update_system(struct source *trigger)
{
	struct select_result	 res;
	const struct source	*peer;
	double			 now = clock_mono(), step;
	int			 was_synced = ntpd_ref.synced;

	/* Before the first update, a falseticker that replies first must not set
	 * the clock alone: wait for the replies the other sources owe. */
	if (!was_synced && awaiting_replies(trigger, now))
		return;

	if (select_sources(now, &res) == -1) {
		log_debug("no majority of agreeing NTP sources");
		lose_sync("no majority of agreeing sources");
		return;
	}
	/* Once synchronised, only a new sample of a source that the selection
	 * uses updates the clock.  The first update may come from any reply,
	 * because the last reply of a round may be a falseticker's. */
	if (was_synced && trigger->state != CTL_STATE_SELECTED &&
	    trigger->state != CTL_STATE_COMBINED)
		return;
	peer = &sources[res.best];
	step = discipline_update(now, res.offset, now, res.offset + discipline_phase(now));
	schedule_tick(now);
	if (step != 0) {
		struct timespec	before;

		clock_now(&before);
		ntpwire_timespec_add(&before, -step);
		hook_notify("step", &before, step, peer->name, "makestep");
	}
	set_reference(peer, res.offset);
	if (!was_synced) {
		log_info("selected NTP source %s", peer->name);
		notify("sync", res.offset - step, peer->name, "selected");
		hook_set_synced(1, peer->name);
	}
}

int
source_start(const struct ntpd_conf *c, int once)
{
	int	i;

	conf = c;
	if (!ntpd_ref.synced)
		ntpd_ref.leap = NTPWIRE_LEAP_UNSYNC;
	startup_wait_until = 0;
	once_mode = once;
	nsources = 0;
	memset(resolvers, 0, sizeof(resolvers));
	for (i = 0; i < conf->nspecs; i++)
		spec_offline[i] = conf->specs[i].offline;
	/* A slew that was running when the sources were last stopped still has to end. */
	if (!once)
		schedule_tick(clock_mono());
	for (i = 0; i < conf->nspecs; i++)
		resolve_spec(&resolvers[i]);
	return 0;
}

void
source_stop(void)
{
	int	i;

	for (i = 0; i < nsources; i++) {
		loop_cancel_timer(sources[i].timer);
		loop_del_fd(sources[i].fd);
		close(sources[i].fd);
	}
	for (i = 0; i < conf->nspecs; i++) {
		loop_cancel_timer(resolvers[i].timer);
		resolve_cancel(&resolvers[i].job);
	}
	if (tick_timer != 0)
		loop_cancel_timer(tick_timer);
	tick_timer = 0;
	nsources = 0;
}

static int	initstep_done;
static double	initstep_deadline;

static void
on_initstep_check(void *arg)
{
	(void)arg;
	if (source_burst_done() || clock_mono() >= initstep_deadline) {
		initstep_done = 1;
		loop_stop();
		return;
	}
	loop_add_timer(INITSTEP_CHECK, on_initstep_check, NULL);
}

/* Add the initstepslew hosts of c to ic as iburst server lines. */
static void
initstep_specs(const struct ntpd_conf *c, struct ntpd_conf *ic)
{
	char			 hosts[sizeof(c->initstep_hosts)], *h, *save;
	struct source_spec	*sp;

	*ic = *c;
	ic->nspecs = 0;
	ic->minsources = 1;
	snprintf(hosts, sizeof(hosts), "%s", c->initstep_hosts);
	for (h = strtok_r(hosts, " ", &save); h != NULL && ic->nspecs < NTPD_MAX_SPECS;
	    h = strtok_r(NULL, " ", &save)) {
		sp = &ic->specs[ic->nspecs++];
		memset(sp, 0, sizeof(*sp));
		snprintf(sp->host, sizeof(sp->host), "%s", h);
		sp->port = (uint16_t)c->initstep_port;
		sp->minpoll = 6;
		sp->maxpoll = 10;
		sp->maxsources = 1;
		sp->iburst = 1;
	}
}

int
source_initstep(const struct ntpd_conf *c, double timeout)
{
	static struct ntpd_conf	ic;
	struct timespec		before;
	double			offset, now, step;

	if (c->initstep_threshold < 0 || c->initstep_hosts[0] == '\0')
		return 0;
	initstep_specs(c, &ic);
	log_info("initstepslew: measuring the offset to%s", c->initstep_hosts);
	initstep_done = 0;
	initstep_deadline = clock_mono() + timeout;
	source_start(&ic, 1);
	loop_add_timer(INITSTEP_CHECK, on_initstep_check, NULL);
	loop_run(timeout + 1.0);
	if (!initstep_done) {
		/* A signal stopped the loop. */
		source_stop();
		return -1;
	}
	if (source_measure_once(&offset) == -1) {
		source_stop();
		log_warnx("initstepslew: no reply from%s; the clock is left alone",
		    c->initstep_hosts);
		return -1;
	}
	source_stop();
	now = clock_mono();
	clock_now(&before);
	step = discipline_update(now, offset, now, offset + discipline_phase(now));
	log_info("initstepslew: clock off by %+.6f seconds, %s", offset,
	    step != 0 ? "stepped" : clock_is_readonly() ? "left alone (read-only)" : "slewed");
	if (step != 0)
		hook_notify("step", &before, step, "", "initstepslew");
	return 0;
}

int
source_count(void)
{
	return nsources;
}

int
source_burst_done(void)
{
	int	i;

	for (i = 0; i < conf->nspecs; i++)
		if (resolve_is_running(&resolvers[i].job))
			return 0;
	for (i = 0; i < nsources; i++)
		if (sources[i].timer != 0 || (sources[i].waiting &&
		    clock_mono() - sources[i].t1_mono < BURST_INTERVAL))
			return 0;
	return 1;
}

int
source_measure_once(double *offset)
{
	struct select_result	res;

	if (select_sources(clock_mono(), &res) == -1)
		return -1;
	*offset = res.offset;
	return 0;
}

/* Fill a control row's line_host (cut to fit) and pool from the spec-th line. */
static void
set_row_line(struct ctl_source *row, int spec)
{
	snprintf(row->line_host, sizeof(row->line_host), "%s", conf->specs[spec].host);
	row->pool = conf->specs[spec].is_pool;
}

int
source_get_ctl(int index, struct ctl_source *row)
{
	const struct source	*s;
	struct filter_stats	 st;
	double			 now = clock_mono();

	if (index < 0 || index >= nsources)
		return -1;
	s = &sources[index];
	memset(row, 0, sizeof(*row));
	snprintf(row->name, sizeof(row->name), "%s", s->name);
	snprintf(row->host, sizeof(row->host), "%s", source_host(s));
	row->state = s->state;
	row->stratum = s->stratum;
	row->poll = s->poll;
	row->reach = s->reach;
	row->has_sample = s->has_last;
	set_row_line(row, s->spec);
	row->next_poll = fmax(s->next_poll - loop_now(), 0.0);
	if (s->has_last) {
		row->delay = s->last.delay;
		row->last_rx_ago = now - s->last.mono;
		row->meas_offset = s->last.offset;
		row->adj_offset = discipline_offset_now(s->last.raw, s->last.mono, now);
		row->error = s->rootdelay / 2 + s->rootdisp + s->last.delay / 2 +
		    s->last.dispersion;
	}
	filter_get_stats(&s->filter, now, discipline_phase(now), &st);
	row->samples = st.samples;
	row->runs = st.runs;
	row->span = st.span;
	row->freq_ppm = st.freq_ppm;
	row->freq_skew_ppm = st.skew_ppm;
	row->offset = st.offset;
	row->stddev = st.stddev;
	return 0;
}

/* Return 1 when the spec-th line names a host and has no source yet. */
static int
is_unresolved(int spec)
{
	struct netaddr	literal;

	return spec_count(spec) == 0 && netaddr_parse(conf->specs[spec].host, &literal) == -1;
}

void
source_get_activity(struct ctl_activity *a)
{
	int	i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < nsources; i++) {
		if (sources[i].burst_left > 0 && !sources[i].stopped)
			*(sources[i].offline ? &a->burst_offline : &a->burst_online) += 1;
		else if (sources[i].offline || sources[i].stopped)
			a->offline++;
		else
			a->online++;
	}
	for (i = 0; conf != NULL && i < conf->nspecs; i++)
		if (is_unresolved(i))
			a->unresolved++;
}

/* Return log2(x) rounded to the nearest integer, for finite x > 0: the e
 * with sqrt(1/2) <= x / 2^e < sqrt(2).  Halving and doubling are exact, so
 * the result is the one frexp gives.  For this one call, libm's log2 and
 * its table would add about 3 KB to the binary, and frexp 150 bytes. */
static int
round_log2(double x)
{
	int	e = 0;

	for (; x >= 2 * M_SQRT1_2; x /= 2)
		e++;
	for (; x < M_SQRT1_2; x *= 2)
		e--;
	return e;
}

int
source_get_unresolved(int index, struct ctl_source *row, int *count)
{
	int	i, n = 0, found = -1;

	for (i = 0; conf != NULL && i < conf->nspecs; i++) {
		if (!is_unresolved(i))
			continue;
		if (n++ == index)
			found = i;
	}
	*count = n;
	if (found == -1)
		return -1;
	memset(row, 0, sizeof(*row));
	set_row_line(row, found);
	row->state = CTL_STATE_UNUSABLE;
	if (resolvers[found].delay > 0) {
		row->next_poll = fmax(resolvers[found].retry_at - loop_now(), 0.0);
		row->poll = round_log2(resolvers[found].delay);
	}
	return 0;
}

/* The sources a burst, online or offline command applies to. */
struct target {
	int		all;
	const char	*name;		/* a server or pool line's name, or NULL */
	struct netaddr	net;		/* else the addresses that match net under mask */
	struct netaddr	mask;
};

/*
 * Parse "" (every source), ADDR, ADDR/BITS, MASK/ADDR (chronyc's older
 * form, "255.255.255.0/192.0.2.0") or a name.  Returns 0 or -1.
 */
static int
parse_target(const char *text, struct target *t)
{
	char	buf[NTPD_NAME_MAX], *slash;
	int	bits, i;

	memset(t, 0, sizeof(*t));
	if (*text == '\0') {
		t->all = 1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	if ((slash = strchr(buf, '/')) != NULL && netaddr_parse(slash + 1, &t->net) == 0) {
		*slash = '\0';
		return netaddr_parse(buf, &t->mask) == 0 && t->mask.family == t->net.family ?
		    0 : -1;
	}
	if (netaddr_parse_cidr(text, &t->net, &bits) == 0) {
		t->mask.family = t->net.family;
		for (i = 0; i < bits; i++)
			t->mask.u.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		return 0;
	}
	if (slash != NULL)
		return -1;
	t->name = text;
	return 0;
}

static int
target_matches(const struct target *t, const struct source *s)
{
	int	i;

	if (t->all)
		return 1;
	if (t->name != NULL)
		return strcasecmp(t->name, conf->specs[s->spec].host) == 0 ||
		    strcmp(t->name, s->name) == 0;
	if (s->addr.family != t->net.family)
		return 0;
	for (i = 0; i < 16; i++)
		if ((s->addr.u.bytes[i] & t->mask.u.bytes[i]) !=
		    (t->net.u.bytes[i] & t->mask.u.bytes[i]))
			return 0;
	return 1;
}

/* Poll s soon, in place of its pending poll. */
static void
poll_soon(struct source *s)
{
	if (s->timer != 0)
		loop_cancel_timer(s->timer);
	schedule_poll(s, START_DELAY);
}

int
source_burst(const char *target, int good, int max)
{
	struct target	t;
	int		i, n = 0;

	if (parse_target(target, &t) == -1)
		return -1;
	for (i = 0; i < nsources; i++) {
		if (!target_matches(&t, &sources[i]) || sources[i].stopped)
			continue;
		sources[i].burst_left = max;
		sources[i].burst_good = good;
		poll_soon(&sources[i]);
		n++;
	}
	return n;
}

int
source_set_online(const char *target, int online)
{
	struct target	t;
	int		i, n = 0;

	if (parse_target(target, &t) == -1)
		return -1;
	/* Lines without an address yet: their sources start in the new state. */
	for (i = 0; conf != NULL && i < conf->nspecs; i++) {
		if (t.all || (t.name != NULL && strcasecmp(t.name, conf->specs[i].host) == 0)) {
			spec_offline[i] = !online;
			if (spec_count(i) == 0)
				n++;
		}
	}
	for (i = 0; i < nsources; i++) {
		if (!target_matches(&t, &sources[i]))
			continue;
		n++;
		if (sources[i].offline == !online)
			continue;
		sources[i].offline = !online;
		log_info("NTP source %s is %s", sources[i].name, online ? "online" : "offline");
		if (online && sources[i].timer == 0 && !sources[i].stopped)
			poll_soon(&sources[i]);
		else if (!online && sources[i].burst_left == 0 && sources[i].timer != 0) {
			loop_cancel_timer(sources[i].timer);
			sources[i].timer = 0;
		}
	}
	return n;
}

int
source_makestep(void)
{
	struct timespec	before;
	double		step;

	clock_now(&before);
	if (discipline_makestep(clock_mono(), &step) == -1)
		return -1;
	if (step != 0)
		hook_notify("step", &before, step, ntpd_ref.refname, "makestep command");
	return 0;
}
