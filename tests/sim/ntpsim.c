/*
 * ntpsim.c -- ntpd's client (source.c), filter, selection and discipline
 * against a simulated clock and network.
 *
 * The program links ntpd's own client code and replaces three modules
 * under it: the event loop runs on simulated time, sock_connect() returns
 * one end of a socketpair whose other end is a simulated server, and name
 * lookups return addresses from a table.  True time, the local oscillator (frequency
 * error plus a random walk), the servers' errors and the network's delay,
 * jitter, loss and spikes all come from one seeded generator, so a run is
 * the same for the same seed and hours of simulated time take seconds.
 *
 * Each scenario prints its figures and a PASS or FAIL line per bound.
 * Usage: ntpsim [-v] [-s SEED] [SCENARIO...]   (-v: ntpd's log on stderr)
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ntpwire.h"
#include "sock.h"
#include "../../applets/ntpd/ntpd.h"

#define SIM_BASE		1800000000	/* Unix time at the start of a run */
#define SIM_SERVERS		8
#define SIM_FDS			64
#define SIM_TIMERS		4096
#define SIM_SERVER_DELAY	20e-6	/* seconds between a server's receive and transmit */
#define LOOKUP_TIME		0.05	/* seconds a simulated name lookup takes */

/* ---- random numbers: xorshift64*, seeded per scenario ---- */

static uint64_t	rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
}

static double
uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}

/* Return a normal deviate with standard deviation sd (Box-Muller). */
static double
gauss(double sd)
{
	double	u1 = uniform() + 1e-300, u2 = uniform();

	return sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- the simulated world ---- */

struct sim_server {
	struct netaddr	addr;
	double		offset;		/* its clock minus true time, seconds */
	double		step_at;	/* true time its clock steps by step, 0: never */
	double		step;
	double		unsync_at;	/* true time it becomes unsynchronised, 0: never */
	int		stratum;
	int		leap;		/* NTPWIRE_LEAP_* announced while synchronised */
	double		delay;		/* mean one-way delay, seconds */
	double		jitter;		/* standard deviation of each one-way delay */
	double		loss;		/* probability that an exchange is lost */
	double		spike_prob;	/* probability of a delay spike on a packet */
	double		spike;		/* extra delay of a spike, seconds */
	uint64_t	requests;
};

static struct {
	struct clock_sim	clock;
	double			wander;		/* ppm per sqrt(second) of the oscillator's random walk */
	struct sim_server	servers[SIM_SERVERS];
	int			nservers;
	const char		*pool_name;	/* resolves to every server */
	double			pool_from;	/* true time the name starts to resolve */
} world;

static struct sim_server *
find_server(const struct netaddr *addr)
{
	int	i;

	for (i = 0; i < world.nservers; i++)
		if (netaddr_equal(&world.servers[i].addr, addr))
			return &world.servers[i];
	return NULL;
}

/* ---- the event loop on simulated time (replaces core/loop.c) ---- */

struct sim_timer {
	uint64_t	id;		/* 0: free */
	double		at;
	loop_timer_cb	cb;
	void		*arg;
};

struct sim_fd {
	int		fd;		/* -1: free */
	loop_fd_cb	cb;
	void		*arg;
};

static struct sim_timer	timers[SIM_TIMERS];
static struct sim_fd	fds[SIM_FDS];
static uint64_t		next_timer_id;
static int		loop_stopped;

int
loop_init(void)
{
	int	i;

	memset(timers, 0, sizeof(timers));
	for (i = 0; i < SIM_FDS; i++)
		fds[i].fd = -1;
	return 0;
}

int
loop_add_fd(int fd, short events, loop_fd_cb cb, void *arg)
{
	int	i;

	(void)events;
	for (i = 0; i < SIM_FDS; i++) {
		if (fds[i].fd == -1) {
			fds[i].fd = fd;
			fds[i].cb = cb;
			fds[i].arg = arg;
			return 0;
		}
	}
	return -1;
}

void
loop_set_events(int fd, short events)
{
	(void)fd;
	(void)events;
}

void
loop_del_fd(int fd)
{
	int	i;

	for (i = 0; i < SIM_FDS; i++)
		if (fds[i].fd == fd)
			fds[i].fd = -1;
}

uint64_t
loop_add_timer(double delay, loop_timer_cb cb, void *arg)
{
	int	i;

	for (i = 0; i < SIM_TIMERS; i++) {
		if (timers[i].id == 0) {
			timers[i].id = ++next_timer_id;
			timers[i].at = world.clock.elapsed + fmax(delay, 0.0);
			timers[i].cb = cb;
			timers[i].arg = arg;
			return timers[i].id;
		}
	}
	return 0;
}

void
loop_cancel_timer(uint64_t id)
{
	int	i;

	for (i = 0; id != 0 && i < SIM_TIMERS; i++)
		if (timers[i].id == id)
			timers[i].id = 0;
}

int
loop_add_signal(int signo, loop_signal_cb cb, void *arg)
{
	(void)signo;
	(void)cb;
	(void)arg;
	return 0;
}

double
loop_now(void)
{
	return world.clock.elapsed;
}

void
loop_stop(void)
{
	loop_stopped = 1;
}

void
loop_close(void)
{
	loop_init();
}

/* Advance true time to t, letting the oscillator's frequency wander. */
static void
advance_to(double t)
{
	double	dt = t - world.clock.elapsed;

	if (dt <= 0)
		return;
	world.clock.drift += gauss(world.wander * sqrt(dt));
	clock_sim_advance(&world.clock, dt);
}

static void	pump_requests(void);

/* Run every event up to true time `until` (or until loop_stop). */
static void
run_until(double until)
{
	int	i, next;

	loop_stopped = 0;
	while (!loop_stopped) {
		next = -1;
		for (i = 0; i < SIM_TIMERS; i++)
			if (timers[i].id != 0 && (next == -1 || timers[i].at < timers[next].at))
				next = i;
		if (next == -1 || timers[next].at > until)
			break;
		advance_to(timers[next].at);
		timers[next].id = 0;
		timers[next].cb(timers[next].arg);
		pump_requests();
	}
	advance_to(until);
}

int
loop_run(double deadline)
{
	run_until(world.clock.elapsed + (deadline > 0 ? deadline : 86400.0));
	return 0;
}

/* ---- the network (replaces core/sock.c) ---- */

struct sim_link {
	int			client_fd;	/* ntpd's end, -1: free */
	int			server_fd;
	struct sim_server	*server;
};

struct sim_delivery {
	int	used;
	int	server_fd;
	int	client_fd;
	uint8_t	packet[NTPWIRE_HEADER_LEN];
};

static struct sim_link		links[SIM_FDS];
static struct sim_delivery	deliveries[SIM_TIMERS];

int
sock_connect(const struct netaddr *addr, uint16_t port, int type)
{
	struct sim_server	*srv = find_server(addr);
	int			 pair[2], i;

	(void)port;
	(void)type;
	if (srv == NULL) {
		errno = EHOSTUNREACH;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == -1)
		return -1;
	/* ntpd closed a source whose descriptor number comes back now: drop its link. */
	for (i = 0; i < SIM_FDS; i++) {
		if (links[i].client_fd == pair[0]) {
			close(links[i].server_fd);
			links[i].client_fd = -1;
		}
	}
	for (i = 0; i < SIM_FDS; i++) {
		if (links[i].client_fd == -1) {
			links[i].client_fd = pair[0];
			links[i].server_fd = pair[1];
			links[i].server = srv;
			return pair[0];
		}
	}
	close(pair[0]);
	close(pair[1]);
	errno = EMFILE;
	return -1;
}

ssize_t
sock_recv(int fd, void *buf, size_t len, struct sock_rxinfo *rx)
{
	memset(rx, 0, sizeof(*rx));
	/* No kernel timestamp: clock_rxtime() reads the simulated clock. */
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/* Return a server's clock at true time t as an NTP timestamp. */
static uint64_t
server_time(const struct sim_server *srv, double t)
{
	struct timespec	ts = world.clock.base;
	double		clock = t + srv->offset;

	if (srv->step_at > 0 && t >= srv->step_at)
		clock += srv->step;
	ntpwire_timespec_add(&ts, clock);
	return ntpwire_from_timespec(&ts);
}

static double
one_way_delay(const struct sim_server *srv)
{
	double	d = srv->delay + fabs(gauss(srv->jitter));

	if (uniform() < srv->spike_prob)
		d += srv->spike * uniform();
	return d;
}

/* Put a reply into ntpd's socket and tell the loop it is readable. */
static void
deliver(void *arg)
{
	struct sim_delivery	*dv = arg;
	int			 i;

	dv->used = 0;
	for (i = 0; i < SIM_FDS; i++) {
		if (fds[i].fd != dv->client_fd)
			continue;
		if (send(dv->server_fd, dv->packet, sizeof(dv->packet), MSG_DONTWAIT) == -1)
			return;
		fds[i].cb(fds[i].fd, POLLIN, fds[i].arg);
		return;
	}
}

static void
reply_to_request(struct sim_link *link, const uint8_t *buf, ssize_t n)
{
	struct sim_server	*srv = link->server;
	struct ntpwire_packet	 req, rep;
	struct sim_delivery	*dv = NULL;
	double			 t_rx, t_tx;
	int			 i, unsync;

	srv->requests++;
	if (ntpwire_decode(buf, (size_t)n, &req) == -1 || uniform() < srv->loss)
		return;
	t_rx = world.clock.elapsed + one_way_delay(srv);
	t_tx = t_rx + SIM_SERVER_DELAY;
	unsync = srv->unsync_at > 0 && t_rx >= srv->unsync_at;
	memset(&rep, 0, sizeof(rep));
	rep.leap = unsync ? NTPWIRE_LEAP_UNSYNC : srv->leap;
	rep.version = NTPWIRE_VERSION;
	rep.mode = NTPWIRE_MODE_SERVER;
	/* An unsynchronised server sends leap 3 and stratum 16: a stratum 0
	 * reply would be taken for a kiss-o'-death. */
	rep.stratum = unsync ? NTPWIRE_MAX_STRATUM : srv->stratum;
	rep.poll = req.poll;
	rep.precision = -20;
	rep.rootdelay = ntpwire_short_from_double(0.0005);
	rep.rootdisp = ntpwire_short_from_double(0.0005);
	rep.refid = 0x47505300;		/* "GPS" */
	rep.reftime = server_time(srv, t_rx - 8.0);
	rep.origin = req.transmit;
	rep.receive = server_time(srv, t_rx);
	rep.transmit = server_time(srv, t_tx);
	for (i = 0; i < SIM_TIMERS && dv == NULL; i++)
		if (!deliveries[i].used)
			dv = &deliveries[i];
	if (dv == NULL)
		return;
	dv->used = 1;
	dv->server_fd = link->server_fd;
	dv->client_fd = link->client_fd;
	ntpwire_encode(&rep, dv->packet, sizeof(dv->packet));
	loop_add_timer(t_tx + one_way_delay(srv) - world.clock.elapsed, deliver, dv);
}

/* Read what ntpd sent since the last event and schedule the servers' replies. */
static void
pump_requests(void)
{
	uint8_t	buf[512];
	ssize_t	n;
	int	i;

	for (i = 0; i < SIM_FDS; i++) {
		if (links[i].client_fd == -1)
			continue;
		while ((n = recv(links[i].server_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			reply_to_request(&links[i], buf, n);
	}
}

/* ---- name lookups (replace applets/ntpd/resolve.c) ---- */

static struct resolve_job	*lookups[NTPD_MAX_SPECS];
static uint64_t			 lookup_timers[NTPD_MAX_SPECS];
static char			 lookup_names[NTPD_MAX_SPECS][NTPD_NAME_MAX];

static void
finish_lookup(void *arg)
{
	int			 slot = (int)(intptr_t)arg;
	struct resolve_job	*job = lookups[slot];
	struct netaddr		 addrs[SIM_SERVERS];
	int			 i;

	lookups[slot] = NULL;
	job->pid = 0;
	if (world.pool_name == NULL || strcmp(lookup_names[slot], world.pool_name) != 0 ||
	    world.clock.elapsed < world.pool_from) {
		job->done(job->arg, EAI_AGAIN, NULL, 0);
		return;
	}
	for (i = 0; i < world.nservers; i++)
		addrs[i] = world.servers[i].addr;
	job->done(job->arg, 0, addrs, world.nservers);
}

int
resolve_start(struct resolve_job *job, const char *host)
{
	int	slot;

	for (slot = 0; slot < NTPD_MAX_SPECS; slot++)
		if (lookups[slot] == NULL)
			break;
	if (slot == NTPD_MAX_SPECS)
		return -1;
	lookups[slot] = job;
	snprintf(lookup_names[slot], sizeof(lookup_names[slot]), "%s", host);
	job->pid = 1;
	job->fd = -1;
	lookup_timers[slot] = loop_add_timer(LOOKUP_TIME, finish_lookup, (void *)(intptr_t)slot);
	return 0;
}

int
resolve_is_running(const struct resolve_job *job)
{
	return job->pid != 0;
}

void
resolve_cancel(struct resolve_job *job)
{
	int	slot;

	for (slot = 0; slot < NTPD_MAX_SPECS; slot++) {
		if (lookups[slot] == job) {
			loop_cancel_timer(lookup_timers[slot]);
			lookups[slot] = NULL;
		}
	}
	job->pid = 0;
}

/* ---- scenarios ---- */

static int	failures;

static void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failures++;
}

/* Start a world: true time base, the local clock's offset and frequency error. */
static void
world_start(time_t base, double offset, double drift_ppm, double wander)
{
	int	i;

	loop_init();
	for (i = 0; i < SIM_FDS; i++)
		links[i].client_fd = -1;
	memset(&world, 0, sizeof(world));
	world.clock.base.tv_sec = base;
	world.clock.offset = offset;
	world.clock.drift = drift_ppm;
	world.wander = wander;
	clock_init_sim(&world.clock);
}

/* Add a server at 192.0.2.N with its clock offset and a LAN's delays. */
static struct sim_server *
add_server(double offset)
{
	struct sim_server	*srv = &world.servers[world.nservers];
	char			 text[32];

	snprintf(text, sizeof(text), "192.0.2.%d", ++world.nservers);
	netaddr_parse(text, &srv->addr);
	srv->offset = offset;
	srv->stratum = 2;
	srv->leap = NTPWIRE_LEAP_NONE;
	srv->delay = 100e-6;
	srv->jitter = 100e-6;
	return srv;
}

/* Start ntpd's client on chrony.conf lines, as ntpd does without a drift file. */
static void
ntpd_start(const char *const *lines)
{
	static struct ntpd_conf		 conf;
	struct conf_parser		 p;
	const struct conf_directive	*table;
	struct disc_config		 dc;
	size_t				 n;
	int				 i;

	config_defaults(&conf);
	table = config_table(&n);
	conf_init(&p, CONF_CHRONY, table, n, &conf);
	for (i = 0; lines[i] != NULL; i++)
		conf_parse_line(&p, "scenario", i + 1, lines[i]);
	if (p.errors > 0) {
		fprintf(stderr, "ntpsim: the scenario's configuration has %d errors (above)\n",
		    p.errors);
		exit(2);
	}
	config_discipline(&conf, &dc);
	discipline_init(&dc);
	hook_init("", "");
	source_start(&conf, 0);
}

/* Run to true time `to`, sampling the clock's true offset every second
 * from `from`.  Returns the RMS offset and sets *max_abs. */
static double
run_sampled(double from, double to, double *max_abs)
{
	double	t, sum = 0, peak = 0;
	int	n = 0;

	for (t = ceil(world.clock.elapsed); t <= to; t += 1.0) {
		run_until(t);
		if (t < from)
			continue;
		sum += world.clock.offset * world.clock.offset;
		peak = fmax(peak, fabs(world.clock.offset));
		n++;
	}
	if (max_abs != NULL)
		*max_abs = peak;
	return n > 0 ? sqrt(sum / n) : 0.0;
}

/* Return the state character ntpctl sources shows for source index i. */
static int
source_state(int i)
{
	struct ctl_source	row;

	if (source_get_ctl(i, &row) == -1)
		return ' ';
	return row.state;
}

/* Return the true time ntpd first reports synchronised, running to `to`. */
static double
run_until_synced(double to)
{
	while (world.clock.elapsed < to) {
		run_until(world.clock.elapsed + 0.1);
		if (ntpd_ref.synced)
			return world.clock.elapsed;
	}
	return -1;
}

static void
scenario_lan(void)
{
	static const char *const conf[] = { "server 192.0.2.1 iburst", "makestep 1 3", NULL };
	struct disc_status	st;
	double			rms, peak, ferr;
	char			what[160];

	world_start(SIM_BASE, -3.0, 50.0, 0.0005);
	add_server(0.0);
	ntpd_start(conf);
	rms = run_sampled(600, 3600, &peak);
	discipline_get_status(&st);
	ferr = fabs(st.freq_ppm - world.clock.drift);
	printf("lan: first step at %.2f s, %d steps, RMS offset %.1f us (max %.1f us) from 10 "
	    "to 60 min, frequency error %.3f ppm\n", world.clock.first_step_at,
	    world.clock.steps, rms * 1e6, peak * 1e6, ferr);
	snprintf(what, sizeof(what), "lan: first step within 2 s of start (%.2f s)",
	    world.clock.first_step_at);
	check(world.clock.steps == 1 && world.clock.first_step_at <= 2.0, what);
	snprintf(what, sizeof(what), "lan: RMS offset after 10 min below 100 us (%.1f us)",
	    rms * 1e6);
	check(rms < 100e-6, what);
	snprintf(what, sizeof(what), "lan: frequency error below 0.5 ppm (%.3f ppm)", ferr);
	check(ferr < 0.5, what);
}

static void
scenario_1065ppm(void)
{
	static const char *const conf[] = { "server 192.0.2.1 iburst", "makestep 1 3", NULL };
	struct disc_status	st;
	double			rms, peak, ferr;
	char			what[160];

	world_start(SIM_BASE, 0.01, 1065.0, 0.0005);
	add_server(0.0);
	ntpd_start(conf);
	run_sampled(0, 3 * 3600, NULL);
	rms = run_sampled(3 * 3600, 4 * 3600, &peak);
	discipline_get_status(&st);
	ferr = fabs(st.freq_ppm - world.clock.drift);
	printf("1065ppm: RMS offset %.1f us (max %.1f us) in the 4th hour, frequency error "
	    "%.3f ppm, %d steps\n", rms * 1e6, peak * 1e6, ferr, world.clock.steps);
	snprintf(what, sizeof(what), "1065ppm: offset stays below 1 ms in the 4th hour "
	    "(max %.1f us)", peak * 1e6);
	check(peak < 1e-3, what);
	snprintf(what, sizeof(what), "1065ppm: frequency found within 1 ppm (%.3f ppm)", ferr);
	check(ferr < 1.0, what);
}

static void
scenario_far_behind(void)
{
	static const char *const conf[] = { "server 192.0.2.1 iburst", "makestep 1 3", NULL };
	double	peak;
	char	what[160];

	world_start(SIM_BASE, -50630.0, 20.0, 0.0005);
	add_server(0.0);
	ntpd_start(conf);
	run_sampled(3000, 3600, &peak);
	printf("far-behind: %d steps, the first at %.2f s, max offset %.1f us in the last "
	    "10 min\n", world.clock.steps, world.clock.first_step_at, peak * 1e6);
	snprintf(what, sizeof(what), "far-behind: one step, at start (%d, at %.2f s)",
	    world.clock.steps, world.clock.first_step_at);
	check(world.clock.steps == 1 && world.clock.first_step_at <= 2.0, what);
	snprintf(what, sizeof(what), "far-behind: within 1 ms after 50 min (%.1f us)",
	    peak * 1e6);
	check(peak < 1e-3, what);
}

static void
scenario_late_dns(void)
{
	static const char *const conf[] = { "pool pool.sim.test iburst", "makestep 1 3", NULL };
	double	synced_at;
	char	what[160];
	int	i;

	world_start(SIM_BASE, 0.5, 10.0, 0.0005);
	for (i = 0; i < 4; i++)
		add_server(0.0);
	world.pool_name = "pool.sim.test";
	world.pool_from = 60.0;
	ntpd_start(conf);
	synced_at = run_until_synced(200.0);
	printf("late-dns: the name resolves from 60 s, synchronised at %.1f s with %d sources\n",
	    synced_at, source_count());
	snprintf(what, sizeof(what), "late-dns: synchronised within 10 s of the name "
	    "resolving (%.1f s)", synced_at - world.pool_from);
	check(synced_at > 0 && synced_at - world.pool_from <= 10.0, what);
}

static void
scenario_falseticker(void)
{
	static const char *const conf[] = {
		"server 192.0.2.1 iburst", "server 192.0.2.2 iburst", "server 192.0.2.3 iburst",
		"server 192.0.2.4 iburst", "makestep 1 3", NULL
	};
	double	peak;
	char	what[160], states[8];
	int	i;

	world_start(SIM_BASE, 0.2, 30.0, 0.0005);
	add_server(0.0);
	add_server(50e-6);
	add_server(-50e-6);
	add_server(3600.0);
	ntpd_start(conf);
	run_sampled(1200, 1800, &peak);
	for (i = 0; i < 4; i++)
		states[i] = (char)source_state(i);
	states[4] = '\0';
	printf("falseticker: states %s, %d steps, max offset %.1f us from 20 to 30 min\n",
	    states, world.clock.steps, peak * 1e6);
	snprintf(what, sizeof(what), "falseticker: the server an hour off is x (%c)", states[3]);
	check(states[3] == CTL_STATE_FALSETICKER, what);
	snprintf(what, sizeof(what), "falseticker: the three others are used (%.3s)", states);
	check(strspn(states, "*+-") == 3, what);
	snprintf(what, sizeof(what), "falseticker: no step, offset below 1 ms (%d, %.1f us)",
	    world.clock.steps, peak * 1e6);
	check(world.clock.steps == 0 && peak < 1e-3, what);
}

static void
scenario_unsync(void)
{
	static const char *const conf[] = {
		"server 192.0.2.1 iburst maxpoll 6", "makestep 1 3", NULL
	};
	struct sim_server	*srv;
	double			 peak, lost_at = -1;
	char			 what[160];
	int			 was_synced;

	world_start(SIM_BASE, 0.2, 30.0, 0.0005);
	srv = add_server(0.0);
	ntpd_start(conf);
	run_sampled(0, 1200, NULL);
	was_synced = ntpd_ref.synced;
	/* The server loses its reference and its clock jumps 10 s. */
	srv->unsync_at = 1200;
	srv->step_at = 1200;
	srv->step = 10.0;
	while (world.clock.elapsed < 1600 && lost_at < 0) {
		run_until(world.clock.elapsed + 0.5);
		if (!ntpd_ref.synced)
			lost_at = world.clock.elapsed;
	}
	run_sampled(world.clock.elapsed, 1600, &peak);
	printf("unsync: synchronised before: %d, lost at %.1f s, state %c, max offset %.1f us "
	    "after\n", was_synced, lost_at, source_state(0), peak * 1e6);
	snprintf(what, sizeof(what), "unsync: sync lost within 2 polls of 64 s (%.1f s)",
	    lost_at - 1200);
	check(was_synced && lost_at > 0 && lost_at - 1200 <= 130, what);
	snprintf(what, sizeof(what), "unsync: the source is shown unusable (%c)",
	    source_state(0));
	check(source_state(0) == CTL_STATE_UNUSABLE, what);
	snprintf(what, sizeof(what), "unsync: the server's 10 s jump is not followed (%.1f us)",
	    peak * 1e6);
	check(peak < 1e-3, what);
}

static void
scenario_lossy(void)
{
	static const char *const conf[] = { "server 192.0.2.1 iburst", "makestep 1 3", NULL };
	struct sim_server	*srv;
	double			 rms, peak;
	char			 what[160];

	world_start(SIM_BASE, 0.3, 50.0, 0.0005);
	srv = add_server(0.0);
	srv->loss = 0.3;
	srv->spike_prob = 0.1;
	srv->spike = 0.02;
	ntpd_start(conf);
	rms = run_sampled(600, 3600, &peak);
	/* XXX: seeds 1 to 40 pass (the worst at 297 us), but 8 of the seeds 41
	 * to 200 give 310 us to 1.2 ms.  Polls grow to 1024 s and a third are
	 * lost, so a sample with a delay spike that the filter takes early on
	 * still skews the frequency for much of the hour. */
	printf("lossy: %llu requests, RMS offset %.1f us (max %.1f us) from 10 to 60 min\n",
	    (unsigned long long)srv->requests, rms * 1e6, peak * 1e6);
	snprintf(what, sizeof(what), "lossy: 30%% loss and spikes, RMS offset below 300 us "
	    "(%.1f us)", rms * 1e6);
	check(rms < 300e-6, what);
}

/* A leap second announced by `announcing` of 4 servers on the day of a leap second. */
static void
scenario_leap(int announcing)
{
	static const char *const conf[] = {
		"server 192.0.2.1 iburst", "server 192.0.2.2 iburst", "server 192.0.2.3 iburst",
		"server 192.0.2.4 iburst", "makestep 1 3", NULL
	};
	char	what[160];
	int	i;

	/* 2027-06-30 12:00:00 UTC: a leap second may end this day. */
	world_start(1814356800, 0.0, 10.0, 0.0005);
	for (i = 0; i < 4; i++)
		add_server(0.0)->leap = i < announcing ? NTPWIRE_LEAP_INSERT : NTPWIRE_LEAP_NONE;
	ntpd_start(conf);
	run_sampled(0, 600, NULL);
	printf("leap-%dof4: kernel leap %d, announced to clients %d\n", announcing,
	    world.clock.leap, ntpd_ref.leap);
	if (announcing * 2 > 4) {
		snprintf(what, sizeof(what), "leap-%dof4: the leap second is armed", announcing);
		check(world.clock.leap == NTPWIRE_LEAP_INSERT, what);
	} else {
		snprintf(what, sizeof(what), "leap-%dof4: no leap second is armed", announcing);
		check(world.clock.leap == NTPWIRE_LEAP_NONE, what);
	}
}

static void
scenario_leap_majority(void)
{
	scenario_leap(3);
}

static void
scenario_leap_minority(void)
{
	scenario_leap(1);
}

static void
scenario_server_step(void)
{
	static const char *const conf[] = {
		"server 192.0.2.1 iburst maxpoll 6", "makestep 1 3", NULL
	};
	struct sim_server	*srv;
	double			 before, peak, t, after;
	uint64_t		 requests;
	char			 what[160];

	world_start(SIM_BASE, 0.2, 30.0, 0.0005);
	srv = add_server(0.0);
	ntpd_start(conf);
	before = run_sampled(1200, 1800, NULL);
	srv->step_at = 1800;
	srv->step = 1.0;
	/* The first reply after the step stands alone until the next poll, 64 s later. */
	requests = srv->requests;
	while (srv->requests == requests)
		run_until(world.clock.elapsed + 0.1);
	t = world.clock.elapsed;
	run_sampled(t, t + 60, &peak);
	/* The next reply confirms the step, and the clock follows it. */
	run_sampled(t, t + 1800, NULL);
	after = world.clock.offset - srv->step;
	printf("server-step: RMS offset %.1f us before, max %.1f us in the 60 s after the "
	    "first reply of the server stepped 1 s, %.1f us off the server 30 min later\n",
	    before * 1e6, peak * 1e6, after * 1e6);
	snprintf(what, sizeof(what), "server-step: the lone 1 s jump is not followed "
	    "(max offset %.1f us)", peak * 1e6);
	check(peak < 1e-3, what);
	snprintf(what, sizeof(what), "server-step: the confirmed step is followed "
	    "(%.1f us off)", after * 1e6);
	check(fabs(after) < 1e-3, what);
}

/* Figures of one step of the local clock made behind ntpd's back. */
struct local_jump {
	double	corrected_after;	/* seconds until within 1 ms again, -1: never */
	double	max_receding;		/* seconds the offset grew in one second while off */
	double	overshoot;		/* seconds past true time on the other side */
	double	max_ferr;		/* ppm, largest frequency error after the jump */
	double	rms_after;		/* seconds, RMS offset from 5 to 30 min after correction */
	int	ntpd_steps;		/* steps ntpd made after the jump */
	int	unsynced_for;		/* seconds ntpd reported itself unsynchronised */
};

/*
 * Step the local clock by jump seconds, as `date -s` would, and follow
 * ntpd for `span` seconds, sampling the true offset, ntpd's frequency
 * estimate and its synchronisation every second.
 */
static void
run_local_jump(double jump, double span, struct local_jump *lj)
{
	struct disc_status	st;
	double			t0 = world.clock.elapsed, t, prev, off, sum = 0;
	int			steps = world.clock.steps, n = 0;

	memset(lj, 0, sizeof(*lj));
	lj->corrected_after = -1;
	world.clock.offset += jump;
	prev = world.clock.offset;
	for (t = ceil(t0); t <= t0 + span; t += 1.0) {
		run_until(t);
		off = world.clock.offset;
		if (!ntpd_ref.synced)
			lj->unsynced_for++;
		discipline_get_status(&st);
		lj->max_ferr = fmax(lj->max_ferr, fabs(st.freq_ppm - world.clock.drift));
		if (lj->corrected_after < 0) {
			if (fabs(prev) > 1e-3)
				lj->max_receding = fmax(lj->max_receding, fabs(off) - fabs(prev));
			if (off * jump < 0)
				lj->overshoot = fmax(lj->overshoot, fabs(off));
			if (fabs(off) < 1e-3)
				lj->corrected_after = t - t0;
		} else if (t - t0 - lj->corrected_after >= 300 &&
		    t - t0 - lj->corrected_after <= 1800) {
			sum += off * off;
			n++;
		}
		prev = off;
	}
	lj->ntpd_steps = world.clock.steps - steps;
	lj->rms_after = n > 0 ? sqrt(sum / n) : -1;
}

/*
 * The local clock is set by hand (-30 s, then +2 s) while ntpd is
 * synchronised.  A good client, as chronyd, corrects the clock within a
 * few polls, by a step when makestep allows it and else by a slew in the
 * right direction, and keeps its frequency estimate: the jump is not
 * fitted as a frequency error, and the filter does not average samples
 * from both sides of it.
 */
static void
scenario_local_step_mode(const char *name, int may_step)
{
	static const char *const step_conf[] = {
		"server 192.0.2.1 iburst", "makestep 1 -1", NULL
	};
	static const char *const slew_conf[] = {
		"server 192.0.2.1 iburst", "makestep 1 3", NULL
	};
	static const double	jumps[] = { -30.0, 2.0 };
	struct local_jump	lj;
	char			what[200];
	double			bound;
	size_t			i;
	int			ok;

	world_start(SIM_BASE, 0.3, 50.0, 0.0005);
	add_server(0.0);
	ntpd_start(may_step ? step_conf : slew_conf);
	run_sampled(0, 3600, NULL);
	for (i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		struct ctl_source	row;

		source_get_ctl(0, &row);
		run_local_jump(jumps[i], 3600, &lj);
		printf("%s %+.0f s: poll 2^%d s before, corrected after %.0f s, %d ntpd steps, "
		    "offset grew by up to %.1f us/s, overshoot %.1f us, max frequency error "
		    "%.3f ppm, RMS offset %.1f us from 5 to 30 min after, unsynchronised "
		    "%d s\n", name, jumps[i], row.poll, lj.corrected_after, lj.ntpd_steps,
		    lj.max_receding * 1e6, lj.overshoot * 1e6, lj.max_ferr,
		    lj.rms_after * 1e6, lj.unsynced_for);
		/* The first sample after the jump is held back as a possible
		 * wrong reply, the second confirms it: two polls, plus the slew
		 * at maxslewrate (83333 ppm, 360 s for 30 s). */
		bound = 2 * ldexp(1.0, row.poll) + 60 + (may_step ? 0 : fabs(jumps[i]) / 0.083333);
		snprintf(what, sizeof(what), "%s %+.0f s: within 1 ms again within %.0f s (%.0f s)",
		    name, jumps[i], bound, lj.corrected_after);
		check(lj.corrected_after >= 0 && lj.corrected_after <= bound, what);
		if (may_step) {
			snprintf(what, sizeof(what), "%s %+.0f s: corrected by one step (%d)",
			    name, jumps[i], lj.ntpd_steps);
			check(lj.ntpd_steps == 1, what);
		} else {
			snprintf(what, sizeof(what), "%s %+.0f s: slewed toward true time "
			    "without a step (%d steps, offset grew by up to %.1f us/s, overshoot "
			    "%.1f us)", name, jumps[i], lj.ntpd_steps, lj.max_receding * 1e6,
			    lj.overshoot * 1e6);
			ok = lj.ntpd_steps == 0 && lj.max_receding < 10e-6 && lj.overshoot < 1e-3;
			check(ok, what);
		}
		snprintf(what, sizeof(what), "%s %+.0f s: frequency error stays below 1 ppm "
		    "(%.3f ppm)", name, jumps[i], lj.max_ferr);
		check(lj.max_ferr < 1.0, what);
		/* NOTE: 250 us, not lan's 100 us: the poll stays at 1024 s and
		 * the filter restarts from two samples, so the noise of one
		 * update lasts a whole poll (up to 140 us over seeds 1 to 20).
		 * A filter averaging across the jump would be off by seconds. */
		snprintf(what, sizeof(what), "%s %+.0f s: RMS offset below 250 us from 5 to 30 "
		    "min after the correction (%.1f us)", name, jumps[i], lj.rms_after * 1e6);
		check(lj.rms_after >= 0 && lj.rms_after < 250e-6, what);
		snprintf(what, sizeof(what), "%s %+.0f s: stays synchronised (%d s not)",
		    name, jumps[i], lj.unsynced_for);
		check(lj.unsynced_for == 0, what);
	}
}

static void
scenario_local_step(void)
{
	scenario_local_step_mode("local-step", 1);
}

static void
scenario_local_slew(void)
{
	scenario_local_step_mode("local-slew", 0);
}

static const struct {
	const char	*name;
	void		(*run)(void);
} scenarios[] = {
	{ "lan", scenario_lan },
	{ "1065ppm", scenario_1065ppm },
	{ "far-behind", scenario_far_behind },
	{ "late-dns", scenario_late_dns },
	{ "falseticker", scenario_falseticker },
	{ "unsync", scenario_unsync },
	{ "lossy", scenario_lossy },
	{ "leap-3of4", scenario_leap_majority },
	{ "leap-1of4", scenario_leap_minority },
	{ "server-step", scenario_server_step },
	{ "local-step", scenario_local_step },
	{ "local-slew", scenario_local_slew },
};

#define NSCENARIOS	(sizeof(scenarios) / sizeof(scenarios[0]))

/* Run one scenario in a child, so ntpd's static state starts fresh each time. */
static int
run_scenario(size_t i, uint64_t seed, int verbose)
{
	pid_t	pid;
	int	status;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		perror("ntpsim: fork");
		return 1;
	}
	if (pid == 0) {
		log_init(verbose ? LOG_TO_STDERR : 0, verbose, "ntpd", 0);
		rng_seed(seed + i);
		scenarios[i].run();
		fflush(stdout);
		_exit(failures > 0);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status)) {
		printf("FAIL: %s: the scenario crashed\n", scenarios[i].name);
		return 1;
	}
	return WEXITSTATUS(status) != 0;
}

int
main(int argc, char **argv)
{
	uint64_t	seed = 1;
	size_t		i;
	int		ch, verbose = 0, failed = 0, ran = 0, j;
	char		*end;

	while ((ch = getopt(argc, argv, "s:v")) != -1) {
		switch (ch) {
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (*end != '\0' || end == optarg) {
				fprintf(stderr, "ntpsim: invalid seed '%s': give a number\n", optarg);
				return 2;
			}
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: ntpsim [-v] [-s SEED] [SCENARIO...]\n");
			return 2;
		}
	}
	for (i = 0; i < NSCENARIOS; i++) {
		int	wanted = optind == argc;

		for (j = optind; j < argc; j++)
			if (strcmp(argv[j], scenarios[i].name) == 0)
				wanted = 1;
		if (!wanted)
			continue;
		failed += run_scenario(i, seed, verbose);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "ntpsim: no scenario of that name; the scenarios are:");
		for (i = 0; i < NSCENARIOS; i++)
			fprintf(stderr, " %s", scenarios[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	printf("ntpsim: %d of %d scenarios passed (seed %llu)\n", ran - failed, ran,
	    (unsigned long long)seed);
	return failed > 0;
}
