/* ntpd.h -- interfaces between the modules of the ntpd applet. */
#ifndef EDGEBOX_NTPD_H
#define EDGEBOX_NTPD_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "netaddr.h"

#define NTPD_CONF_DEFAULT	"/etc/edgebox/ntpd.conf"
#define NTPD_PORT		123
#define NTPD_MAX_SPECS		32	/* server and pool lines */
#define NTPD_MAX_SOURCES	32	/* resolved addresses being polled */
#define NTPD_MAX_BIND		2	/* one IPv4 and one IPv6 bindaddress */
#define NTPD_NAME_MAX		256
#define NTPD_PRECISION		(-20)	/* log2 seconds, about 1 us */
#define FILTER_SIZE		8
#define POLL_MIN		(-6)
#define POLL_MAX		24

/* One server or pool line.  The fields come before host so that on x86_64
 * each access takes a 1-byte displacement in place of 4 bytes. */
struct source_spec {
	uint16_t	port;
	int		is_pool;
	int		minpoll;	/* log2 seconds; chrony's defaults are 6 and 10 */
	int		maxpoll;
	int		iburst;
	int		burst;
	int		prefer;
	int		noselect;
	int		offline;
	int		maxsources;	/* pool only */
	int		minstratum;
	int		polltarget;
	char		host[NTPD_NAME_MAX];
};

/* The scalars come first, for 1-byte displacements as in source_spec. */
struct ntpd_conf {
	int			nspecs;
	int			makestep_limit;		/* updates; -1 no limit, 0 never step */
	double			makestep_threshold;	/* seconds */
	double			initstep_threshold;	/* seconds; < 0 when not set */
	int			initstep_port;	/* NTPD_PORT; tests change it */
	int			rtcsync;
	int			nallow;		/* allow rules seen (the server opens only with one) */
	int			local_stratum;	/* 0: no local reference */
	int			cmdport;
	int			nbind;
	int			port;		/* 0: no NTP server */
	int			minsources;
	double			maxdistance;	/* seconds */
	double			maxslewrate;	/* ppm */
	double			maxbackstep;	/* seconds; < 0: no limit */
	int			ratelimit;	/* ratelimit directive seen */
	int			rl_interval;	/* log2 seconds */
	int			rl_burst;
	int			rl_leak;
	struct source_spec	specs[NTPD_MAX_SPECS];
	struct netaddr		bind[NTPD_MAX_BIND];
	struct acl		acl;
	char			initstep_hosts[NTPD_NAME_MAX];	/* " HOST..." as written */
	char			driftfile[PATH_MAX];
	char			cmdsocket[PATH_MAX];
	char			pidfile[PATH_MAX];
	char			user[64];
	char			timefile[PATH_MAX];
	char			hookdir[PATH_MAX];
	char			syncfile[PATH_MAX];
};

/* config.c: the chrony.conf directives. */
struct conf_directive;
void	config_defaults(struct ntpd_conf *);
/* Return the directive table (sorted) and its length. */
const struct conf_directive *config_table(size_t *n);
/* Print the config as directives that read back to the same settings. */
void	config_print(FILE *, const struct ntpd_conf *);
/* Fill the discipline's settings from the config, with no drift file
 * (0 ppm, skew 2000 ppm). */
struct disc_config;
void	config_discipline(const struct ntpd_conf *, struct disc_config *);

/* clock.c: the only way to the system clock.  Frequencies are in ppm and
 * positive values make the clock run faster. */
struct clock_sim {
	struct timespec	base;		/* true time when the simulation started */
	double		elapsed;	/* true seconds since base */
	double		offset;		/* local clock minus true time, seconds */
	double		drift;		/* natural frequency error, ppm (+ fast) */
	double		freq;		/* frequency adjustment set by ntpd, ppm */
	int		steps;		/* clock_step calls so far */
	double		first_step_at;	/* elapsed at the first step, 0 before it */
	int		eperm;		/* when set, every change fails with EPERM */
	int		readonly;	/* as -x: read by clock_init_sim */
	/* The state that clock_set_sync and clock_set_leap would pass to the kernel. */
	int		sync_calls;
	int		unsync;		/* STA_UNSYNC */
	double		esterror;	/* seconds */
	double		maxerror;
	int		leap;		/* NTPWIRE_LEAP_NONE, _INSERT or _DELETE */
};

/* Use the system clock; with readonly set, stepping and frequency changes
 * fail and never reach the kernel.  Returns 0 or -1. */
int	clock_init_real(int readonly);
/* Use a simulated clock that the caller advances. */
void	clock_init_sim(struct clock_sim *);
/* Advance a simulated clock by true seconds. */
void	clock_sim_advance(struct clock_sim *, double seconds);
/* Return 1 when the clock may not be changed. */
int	clock_is_readonly(void);
/* Read the clock (CLOCK_REALTIME or the simulation).  Returns 0 or -1. */
int	clock_now(struct timespec *);
/* Read a monotonic time in seconds (the simulation's true time for a simulated clock). */
double	clock_mono(void);
/* Step the clock by seconds (+ forward).  Returns 0 or -1. */
int	clock_step(double seconds);
/* Set the total frequency adjustment.  Returns 0 or -1. */
int	clock_set_freq(double ppm);
/* Tell the kernel the estimated and maximum error (16 s when not synced)
 * and, when synced and rtc are set, clear STA_UNSYNC, which turns on its
 * 11-minute RTC mode.  Returns 0 or -1. */
int	clock_set_sync(int synced, int rtc, double est_error, double max_error);
/* Arm the kernel to insert or delete a second at the next midnight UTC
 * (NTPWIRE_LEAP_INSERT, _DELETE) or disarm it (_NONE).  Returns 0 or -1. */
int	clock_set_leap(int leap);
/* Return the receive time of a packet: the kernel's timestamp for the
 * real clock (when there is one), the simulated clock's time otherwise. */
void	clock_rxtime(const struct timespec *kernel, struct timespec *out);

/* timefloor.c: the last known time, kept on disk across restarts. */
/* Return the newer of the drift file's modification time and the time
 * saved in timefile (seconds since the epoch), 0 when neither gives one.
 * An unreadable or corrupt file logs a warning and is skipped. */
double	timefloor_load(const char *driftfile, const char *timefile);
/* Save t (seconds since the epoch) to path; warns once when it cannot.
 * Returns 0 or -1. */
int	timefloor_save(const char *path, double t);
/* Step the clock forward to floor when it is behind.  Returns the step in
 * seconds, 0 when none was made. */
double	timefloor_restore(double floor);

/* hook.c: programs run on clock events, and the marker file kept while synchronised. */
struct hook_event {
	const char	*event;		/* "step", "sync", "unsync" or "leap" */
	struct timespec	 old_time;	/* the clock before the event */
	struct timespec	 new_time;	/* the clock after it, or the time the sources give */
	double		 offset;	/* seconds, new minus old */
	const char	*source;	/* the selected source, or "" */
	const char	*reason;
};

/* Set the hook folder and the marker file ("" for none). */
void	hook_init(const char *hookdir, const char *syncfile);
/* Start every executable file of the hook folder, in name order, with the
 * event in its environment; never waits for them. */
void	hook_run(const struct hook_event *);
/* Run the hooks for event at the clock time old; new is old plus offset. */
void	hook_notify(const char *event, const struct timespec *old, double offset,
	    const char *source, const char *reason);
/* Return the number of hook processes still running. */
int	hook_running(void);
/* Create the marker file (holding the source's name) or remove it. */
void	hook_set_synced(int synced, const char *source);
/* Remove the marker file and stop watching the hooks. */
void	hook_stop(void);
/* Record a step of the clock from old by offset seconds for ntpctl's steps
 * command, which keeps the last CTL_STEPS_MAX of them (hook_notify does
 * this for every "step" event). */
void	hook_record_step(const struct timespec *old, double offset, const char *source,
	    const char *reason);
/* Fill row with the index-th kept step, oldest first, and set count to the
 * number kept.  Returns 0, or -1 when index is past the last. */
struct ctl_step;
int	hook_get_step(int index, struct ctl_step *row, int *count);

/* filter.c: the last FILTER_SIZE samples of one source. */
struct filter_sample {
	double		mono;		/* monotonic seconds when the reply arrived */
	double		raw;		/* offset plus the clock phase at that time */
	double		offset;		/* measured offset, server minus local, seconds */
	double		delay;
	double		dispersion;
};

struct filter {
	int			n;
	int			next;
	double			used_mono;	/* time of the last sample handed on */
	struct filter_sample	s[FILTER_SIZE];
};

struct filter_stats {
	int	samples;
	int	runs;
	double	span;
	double	freq_ppm;
	double	skew_ppm;
	double	offset;		/* estimated at now */
	double	stddev;
};

void	filter_reset(struct filter *);
void	filter_add(struct filter *, const struct filter_sample *);
/* Return the newest sample when its delay is close to the minimum, else
 * the sample with the least delay / 2 + phi * age, where phi (s/s) is the
 * clock's frequency error.  Returns NULL when that sample is not newer
 * than the last one returned. */
const struct filter_sample *filter_best(struct filter *, double phi);
/* Return the RMS difference between the samples' offsets and the best one's. */
double	filter_jitter(const struct filter *, const struct filter_sample *best);
/* Fit the samples (offsets corrected to phase_now) against time. */
void	filter_get_stats(const struct filter *, double now, double phase_now,
	    struct filter_stats *);

/* select.c: falseticker rejection by interval intersection. */
struct select_input {
	double	offset;		/* seconds */
	double	distance;	/* root distance: half-width of the correctness interval */
	int	stratum;
	int	prefer;
	int	usable;		/* 0: unsynchronised, unreachable or noselect */
};

struct select_result {
	double	offset;		/* combined offset of the survivors */
	double	distance;	/* root distance of the system peer */
	int	best;		/* index of the system peer */
	int	survivors;
};

/* Mark each input with a ctl_source_state in states[] and combine the
 * survivors.  Returns 0, or -1 when fewer than minsources agree. */
int	select_run(const struct select_input *, int n, int minsources, double maxdistance,
	    int *states, struct select_result *);

/* discipline.c: frequency and offset control. */
struct disc_config {
	double	makestep_threshold;
	int	makestep_limit;		/* -1 always, 0 never */
	double	initstep_threshold;	/* < 0: no initstepslew */
	double	maxslewrate;		/* ppm */
	int	backstep_limited;	/* backward steps above maxbackstep are slewed */
	double	maxbackstep;		/* seconds */
	double	freq_ppm;		/* initial frequency error (drift file), + fast */
	double	skew_ppm;
};

struct disc_status {
	int	updates;
	double	freq_ppm;	/* estimated frequency error of the free-running clock, + fast */
	double	resid_freq_ppm;
	double	skew_ppm;
	double	last_offset;	/* seconds, server minus local */
	double	rms_offset;
	double	update_interval;
	double	last_update;	/* monotonic seconds; 0 before the first update */
	double	correction;	/* offset still being slewed, seconds, server minus local */
};

void	discipline_init(const struct disc_config *);
/* Never step the clock to before floor (seconds since the epoch; 0: none). */
void	discipline_set_floor(double floor);
/* Return 1 when a step by offset seconds keeps within maxbackstep and the
 * floor, else log why (once) and return 0. */
int	discipline_step_allowed(double offset);
/* Return the sum of every step and frequency adjustment applied up to mono. */
double	discipline_phase(double mono);
/* Return the offset at now of a sample with this raw offset taken at
 * sample_mono, carried forward by the corrections since and by the clock's
 * estimated frequency error. */
double	discipline_offset_now(double raw, double sample_mono, double now);
/*
 * Take a combined measurement: offset (server minus local) valid at now,
 * raw = offset of the sample plus the phase at sample time sample_mono.
 * Steps or slews the clock (unless it is read-only).  Returns the step
 * applied in seconds, 0 when the clock was slewed.
 */
double	discipline_update(double now, double offset, double sample_mono, double raw);
/* Set the step threshold (seconds) for the next limit updates (-1: all),
 * as the makestep command with arguments. */
void	discipline_set_makestep(double threshold, int limit);
/* Step the clock by the correction still being slewed and end the slew.
 * Returns 0 with the step in *stepped (0 when nothing was left), or -1
 * (errno EPERM when the clock is read-only, ERANGE when the step would go
 * behind maxbackstep or the time floor). */
int	discipline_makestep(double now, double *stepped);
/* End a finished slew; call at the time discipline_next() returns. */
void	discipline_tick(double now);
/* Return the monotonic time the running slew ends, or 0. */
double	discipline_next(void);
void	discipline_get_status(struct disc_status *);

/* resolve.c: name lookups (lookup_addrs) in a child process. */
#define RESOLVE_MAX_ADDRS	16

struct resolve_job {
	pid_t	pid;		/* 0 when no lookup runs */
	int	fd;
	/* Called once with lookup_addrs's EAI_* error code (0: addrs is set). */
	void	(*done)(void *arg, int error, const struct netaddr *addrs, int count);
	void	*arg;
};

/* Start looking up host; job->done runs from the event loop when the
 * result is in.  Returns 0, or -1 after logging why. */
int	resolve_start(struct resolve_job *, const char *host);
/* Return 1 while a lookup runs. */
int	resolve_is_running(const struct resolve_job *);
/* Stop a running lookup without calling done. */
void	resolve_cancel(struct resolve_job *);

/* source.c: polling the configured servers. */
struct source;

int	source_start(const struct ntpd_conf *, int once);
void	source_stop(void);
int	source_count(void);
/* Fill a control reply row; returns 0 or -1 when index is out of range. */
struct ctl_source;
int	source_get_ctl(int index, struct ctl_source *);
/* Fill row (line_host, pool, next_poll, poll) with the index-th server or
 * pool line that has no address yet, and set count to the number of them.
 * Returns 0, or -1 when index is past the last. */
int	source_get_unresolved(int index, struct ctl_source *row, int *count);
/* Fill the counts of the activity command. */
struct ctl_activity;
void	source_get_activity(struct ctl_activity *);
/* Start burst polls (good of at most max replies) to the sources that
 * target matches, as chronyc's burst command.  Returns the number of
 * sources matched, or -1 when target is invalid. */
int	source_burst(const char *target, int good, int max);
/* Start or stop polling the sources and the lines that target matches.
 * Returns the number matched, or -1 when target is invalid. */
int	source_set_online(const char *target, int online);
/* Step the clock by the correction still being slewed (the makestep
 * command without arguments) and run the step hooks.  Returns 0 or -1
 * (errno as discipline_makestep). */
int	source_makestep(void);
/* Return 1 once every source has finished its initial burst (for -q/-Q). */
int	source_burst_done(void);
/* Select and combine the sources' best samples without touching the
 * clock.  Returns 0 with the offset (server minus local), or -1. */
int	source_measure_once(double *offset);
/* initstepslew: poll the hosts it names (4 times each, for at most timeout
 * seconds, running the loop), then step or slew the clock once by what
 * they measure.  Returns 0 (also when there is no initstepslew), or -1
 * when no host replied or a signal stopped the loop. */
int	source_initstep(const struct ntpd_conf *, double timeout);

/* State of the system clock as a server reports it. */
struct ntpd_ref {
	int		synced;
	int		leap;
	int		stratum;
	uint32_t	refid;
	char		refname[NETADDR_STRLEN];
	char		refhost[NTPD_NAME_MAX];	/* the server line's name, or refname */
	struct timespec	reftime;
	double		rootdelay;
	double		rootdisp;
	double		update_mono;
	int		local_stratum;	/* stratum served while not synchronised, 0: none */
};

extern struct ntpd_ref	ntpd_ref;

/* serve.c: the NTP server. */
struct ctl_serverstats;
int	serve_start(const struct ntpd_conf *);
void	serve_stop(void);
void	serve_get_stats(struct ctl_serverstats *);
/* Fill row with the index-th recorded client (in slot order) and set count
 * to the number of clients.  Returns 0, or -1 when index is past the last. */
struct ctl_client;
int	serve_get_client(int index, struct ctl_client *row, int *count);
/* Build the reply to a decoded request (pure, for tests). */
struct ntpwire_packet;
void	serve_build_reply(const struct ntpwire_packet *req, uint64_t rx, uint64_t tx,
	    const struct ntpd_ref *, int local_stratum, struct ntpwire_packet *out);
/* Build a RATE kiss-o'-death answering req. */
void	serve_build_kod(const struct ntpwire_packet *req, struct ntpwire_packet *out);
#define SERVE_REPLY	0
#define SERVE_DROP	1
#define SERVE_KOD	2
/* Record a request from `from` at monotonic time now for the clients
 * command and apply the ratelimit directive to it: return SERVE_REPLY,
 * SERVE_DROP or SERVE_KOD. */
int	serve_ratelimit(const struct ntpd_conf *, const struct netaddr *from, double now);

/* cmd.c: the control socket. */
int	cmd_start(const char *path);
void	cmd_stop(void);

#endif
