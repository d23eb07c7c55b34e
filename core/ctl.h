/* ctl.h -- control socket protocol between ntpd and ntpctl: fixed-size messages over a Unix datagram socket. */
#ifndef EDGEBOX_CTL_H
#define EDGEBOX_CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC		0x4542434cu	/* "EBCL" */
#define CTL_VERSION		2
#define CTL_SOCKET_DEFAULT	"/run/edgebox/ntpd.sock"
#define CTL_NAME_MAX		64

enum ctl_type {
	CTL_TRACKING = 1,	/* system clock state: struct ctl_tracking */
	CTL_SOURCE = 2,		/* one source by index: struct ctl_source */
	CTL_SERVERSTATS = 3,	/* server counters: struct ctl_serverstats */
	CTL_ACTIVITY = 4,	/* sources by polling state: struct ctl_activity */
	CTL_CLIENT = 5,		/* one NTP client by index: struct ctl_client */
	CTL_MAKESTEP = 6,	/* step the remaining correction, or set threshold and limit */
	CTL_BURST = 7,		/* good/max quick polls to the sources that target matches */
	CTL_ONLINE = 8,		/* start polling the sources that target matches */
	CTL_OFFLINE = 9,	/* stop polling them */
	CTL_STEP = 10,		/* one recorded clock step by index, oldest first: struct ctl_step */
	CTL_UNRESOLVED = 11	/* one line without an address yet by index: struct ctl_source
				 * with line_host, pool, next_poll (seconds to the next lookup)
				 * and poll (log2 seconds between lookups) */
};

enum ctl_status {
	CTL_OK = 0,
	CTL_ERR_TYPE = 1,	/* unknown request type */
	CTL_ERR_INDEX = 2,	/* no source or client with that index */
	CTL_ERR_FAILED = 3,	/* the command failed, e.g. makestep on a read-only clock */
	CTL_ERR_NOSOURCE = 4,	/* target matches no source */
	CTL_ERR_ARG = 5		/* invalid argument */
};

/* Every request has exactly this size. */
struct ctl_request {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	uint32_t	seq;		/* copied into the reply */
	uint32_t	index;		/* CTL_SOURCE, CTL_CLIENT: which one, from 0 */
	double		threshold;	/* CTL_MAKESTEP with has_args: seconds */
	int32_t		limit;		/* CTL_MAKESTEP with has_args: clock updates, -1 for all */
	int32_t		has_args;	/* CTL_MAKESTEP: 0 steps now, 1 sets threshold and limit */
	int32_t		good;		/* CTL_BURST: good samples wanted from each source */
	int32_t		max;		/* CTL_BURST: requests sent to each source at most */
	/* CTL_BURST, CTL_ONLINE, CTL_OFFLINE: "" for every source, an address,
	 * ADDR/BITS, MASK/ADDR or the name of a server or pool line. */
	char		target[CTL_NAME_MAX];
	uint8_t		reserved[8];
};

struct ctl_tracking {
	uint32_t	refid;
	int32_t		stratum;
	int32_t		leap;		/* NTPWIRE_LEAP_*; NTPWIRE_LEAP_UNSYNC until the first update */
	int32_t		reserved0;
	char		refname[CTL_NAME_MAX];	/* source address, empty when not synchronised */
	char		refhost[CTL_NAME_MAX];	/* its server line's host name, or the address */
	int64_t		reftime_sec;	/* Unix time of the last clock update */
	int64_t		reftime_nsec;
	double		system_time;	/* seconds the clock is fast (+) or slow (-) of NTP time */
	double		last_offset;	/* seconds, offset measured at the last update */
	double		rms_offset;
	double		freq_ppm;	/* clock frequency error, + fast, - slow */
	double		resid_freq_ppm;
	double		skew_ppm;
	double		root_delay;
	double		root_dispersion;
	double		update_interval;
};

/* Source states as chronyc's sources command shows them. */
enum ctl_source_state {
	CTL_STATE_SELECTED = '*',
	CTL_STATE_COMBINED = '+',
	CTL_STATE_NOTCOMBINED = '-',
	CTL_STATE_FALSETICKER = 'x',
	CTL_STATE_JITTERY = '~',
	CTL_STATE_UNUSABLE = '?'
};

struct ctl_source {
	char		name[CTL_NAME_MAX];	/* address as text */
	char		host[CTL_NAME_MAX];	/* the server line's host name, or the address */
	int32_t		state;		/* enum ctl_source_state */
	int32_t		stratum;
	int32_t		poll;
	int32_t		reach;		/* reachability register, 8 bits */
	int32_t		samples;	/* samples in the filter (sourcestats NP) */
	int32_t		runs;		/* runs of residuals with the same sign (NR) */
	int32_t		has_sample;	/* whether the fields below are set */
	int32_t		reserved0;
	double		last_rx_ago;	/* seconds since the last good sample */
	double		adj_offset;	/* offset of the last sample, corrected for later adjustments */
	double		meas_offset;	/* offset of the last sample as measured */
	double		error;		/* error bound of the last sample (+/-) */
	double		span;		/* seconds between the oldest and newest filter sample */
	double		freq_ppm;	/* frequency of the source relative to the local clock */
	double		freq_skew_ppm;
	double		offset;		/* estimated offset now */
	double		stddev;
	double		next_poll;	/* seconds until the next request, 0 when due */
	double		delay;		/* round-trip delay of the last sample, seconds */
	int32_t		pool;		/* 1 when the source comes from a pool line */
	int32_t		reserved1;
	char		line_host[CTL_NAME_MAX];	/* host of its server or pool line */
};

struct ctl_serverstats {
	uint64_t	requests;	/* NTP requests received */
	uint64_t	rejected;	/* denied by the access list */
	uint64_t	malformed;	/* dropped as not an NTP request */
	uint64_t	replies;
	uint64_t	cmd_requests;	/* control requests received */
	uint64_t	cmd_dropped;	/* control requests of the wrong size or version */
	uint64_t	limited;	/* over ratelimit: dropped or answered with a RATE kiss */
	uint64_t	reserved[1];
};

struct ctl_activity {
	int32_t		online;		/* sources polled at their poll interval */
	int32_t		offline;
	int32_t		burst_online;	/* in a burst, online after it */
	int32_t		burst_offline;	/* in a burst, offline after it */
	int32_t		unresolved;	/* server and pool lines without any address yet */
};

#define CTL_NO_INTERVAL	127		/* ctl_client interval not known */
#define CTL_NEVER	UINT32_MAX	/* ctl_client last_ago: no request */

/* One client of the NTP server, as chronyc's clients command shows it. */
struct ctl_client {
	char		name[CTL_NAME_MAX];	/* address as text */
	uint32_t	ntp_hits;	/* NTP requests received */
	uint32_t	ntp_drops;	/* requests dropped or kissed by ratelimit */
	int32_t		ntp_interval;	/* log2 seconds, average between requests */
	int32_t		ntp_limited_interval;	/* log2 seconds, between replies once limited */
	uint32_t	ntp_last_ago;	/* seconds since the last request */
	uint32_t	cmd_hits;	/* command requests over the network: always 0 */
	uint32_t	cmd_drops;
	int32_t		cmd_interval;
	uint32_t	cmd_last_ago;
	uint32_t	reserved0;
};

#define CTL_STEPS_MAX	32		/* clock steps ntpd keeps for the steps command */

/* One step of the system clock, as ntpctl's steps command shows it. */
struct ctl_step {
	int64_t		old_sec;	/* the clock just before the step, Unix time */
	int64_t		old_nsec;
	int64_t		new_sec;	/* the clock just after it */
	int64_t		new_nsec;
	double		offset;		/* seconds, new minus old */
	double		ago;		/* seconds since the step, by the monotonic clock */
	uint32_t	total;		/* steps since ntpd started, also those no longer kept */
	uint32_t	reserved0;
	char		source[CTL_NAME_MAX];	/* the selected source's address, or "" */
	char		reason[CTL_NAME_MAX];	/* "makestep", "initstepslew", "timefile", ... */
};

/* Every reply has exactly this size. */
struct ctl_reply {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;
	uint32_t	seq;
	int32_t		status;		/* enum ctl_status */
	uint32_t	index;
	uint32_t	count;		/* CTL_SOURCE, CTL_CLIENT, CTL_STEP, CTL_UNRESOLVED: rows */
	union {
		struct ctl_tracking	tracking;
		struct ctl_source	source;
		struct ctl_serverstats	serverstats;
		struct ctl_activity	activity;
		struct ctl_client	client;
		struct ctl_step		step;
		uint8_t			pad[512];
	} u;
};

/* Fill a request of the given type. */
void	ctl_request_init(struct ctl_request *, enum ctl_type, uint32_t seq, uint32_t index);

/* Check a received request: exact size, magic and version.  Returns 0 or -1. */
int	ctl_request_check(const void *buf, size_t len);

/* Prepare the reply to req with status CTL_OK and a zeroed body. */
void	ctl_reply_init(struct ctl_reply *, const struct ctl_request *req);

/* Check a received reply against its request: exact size, magic,
 * version, type and sequence number.  Returns 0 or -1. */
int	ctl_reply_check(const void *buf, size_t len, const struct ctl_request *req);

/* Create the server's datagram socket at path, replacing a stale one and
 * creating a missing parent directory (mode 0755).  Returns the fd or -1. */
int	ctl_listen(const char *path);

/* Open a client socket with an automatically bound abstract address,
 * connected to path.  Returns the fd or -1 (errno set). */
int	ctl_connect(const char *path);

/* Send req on a connected client socket and wait up to timeout_ms for its
 * reply, skipping stale replies.  Returns 0, or -1 (errno ETIMEDOUT when
 * no reply came). */
int	ctl_transact(int fd, const struct ctl_request *req, struct ctl_reply *,
	    int timeout_ms);

#endif
