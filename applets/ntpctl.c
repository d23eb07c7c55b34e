/* ntpctl.c -- ntpctl applet: queries a running ntpd over its control socket, with chronyc's output layout. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "ctl.h"
#include "decimal.h"
#include "ntpwire.h"

#define REPLY_TIMEOUT_MS	1000
#define REQUEST_TRIES		3
#define WAITSYNC_INTERVAL	10.0	/* seconds, as chronyc */

static const char usage_text[] =
    "usage: ntpctl [-c|-j] [-n] [-h SOCKET] COMMAND\n"
    "       ntpctl [-h SOCKET] -s all|peers|Sensors|status\n"
    "  -c         print reports as comma-separated values, as chronyc -c\n"
    "  -h SOCKET  ntpd's control socket (default " CTL_SOCKET_DEFAULT ")\n"
    "  -j         print reports as JSON, with -c's fields under names\n"
    "  -n         print addresses in place of the host names of server lines\n"
    "  -s WHAT    print OpenNTPD's ntpctl -s report: the status line, the peers,\n"
    "             the sensors (there are none) or all of them\n"
    "commands:\n"
    "  tracking                     state of the system clock\n"
    "  sources [-v]                 sources and their last samples\n"
    "  sourcestats [-v]             statistics of each source's samples\n"
    "  activity                     number of sources online, offline and in a burst\n"
    "  clients [-p PACKETS]         NTP clients with at least PACKETS requests\n"
    "  serverstats                  NTP server counters\n"
    "  makestep                     step the clock by the correction still being slewed\n"
    "  makestep THRESHOLD LIMIT     step when the offset is over THRESHOLD seconds, in\n"
    "                               the next LIMIT clock updates (-1: in all of them)\n"
    "  burst GOOD/MAX [TARGET]      poll quickly until GOOD replies or MAX requests\n"
    "  online [TARGET]              start polling the sources\n"
    "  offline [TARGET]             stop polling the sources\n"
    "                               TARGET: ADDRESS, ADDRESS/BITS, MASK/ADDRESS or the\n"
    "                               host name of a server or pool line; all sources\n"
    "                               when left out\n"
    "  steps                        clock steps since ntpd started (the last 32)\n"
    "  waitsync [TRIES [MAXCORR [MAXSKEW [INTERVAL]]]]\n"
    "                               wait until synchronised; TRIES 0 waits forever,\n"
    "                               MAXCORR in seconds, MAXSKEW in ppm, INTERVAL in seconds\n";

static const char sources_legend[] =
    "\n"
    "  .-- Source mode  '^' = server, '=' = peer, '#' = local clock.\n"
    " / .- Source state '*' = current best, '+' = combined, '-' = not combined,\n"
    "| /             'x' = may be in error, '~' = too variable, '?' = unusable.\n"
    "||                                                 .- xxxx [ yyyy ] +/- zzzz\n"
    "||      Reachability register (octal) -.           |  xxxx = adjusted offset,\n"
    "||      Log2(Polling interval) --.      |          |  yyyy = measured offset,\n"
    "||                                \\     |          |  zzzz = estimated error.\n"
    "||                                 |    |           \\\n";

static const char sourcestats_legend[] =
    "                             .- Number of sample points in measurement set.\n"
    "                            /    .- Number of residual runs with same sign.\n"
    "                           |    /    .- Length of measurement set (time).\n"
    "                           |   |    /      .- Est. clock freq error (ppm).\n"
    "                           |   |   |      /           .- Est. error in freq.\n"
    "                           |   |   |     |           /         .- Est. offset.\n"
    "                           |   |   |     |          |          |   On the -.\n"
    "                           |   |   |     |          |          |   samples. \\\n"
    "                           |   |   |     |          |          |             |\n";

static int		csv_mode;	/* -c */
static int		json_mode;	/* -j */
static int		json_first;	/* no member written yet in the current object or array */
static int		no_names;	/* -n */
static int		ctl_fd = -1;
static const char	*ctl_path = CTL_SOCKET_DEFAULT;
static uint32_t		next_seq;

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

/* Print "ntpctl: " and the formatted message to stderr.  Returns 1, the
 * exit status of a failed command. */
static int
print_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("ntpctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	return 1;
}

/* Send req (type, index and arguments set) and wait for its reply, with retries. */
static int
send_request(struct ctl_request *req, struct ctl_reply *rep)
{
	int	i;

	/* (Re)connect here, so waitsync survives an ntpd that starts or restarts. */
	if (ctl_fd == -1 && (ctl_fd = ctl_connect(ctl_path)) == -1) {
		print_error("cannot connect to ntpd at %s: %s\n", ctl_path,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < REQUEST_TRIES; i++) {
		req->seq = ++next_seq;
		if (ctl_transact(ctl_fd, req, rep, REPLY_TIMEOUT_MS) == 0)
			return 0;
		if (errno != ETIMEDOUT)
			break;
	}
	print_error("no reply from ntpd at %s: %s\n", ctl_path, strerror(errno));
	close(ctl_fd);
	ctl_fd = -1;
	return -1;
}

static int
request(enum ctl_type type, uint32_t index, struct ctl_reply *rep)
{
	struct ctl_request	req;

	ctl_request_init(&req, type, 0, index);
	return send_request(&req, rep);
}

/*
 * Request the rows of a report (CTL_SOURCE, CTL_CLIENT, CTL_STEP or
 * CTL_UNRESOLVED) from index 0 on and pass each reply to handle, which
 * returns 0 to go on, 1 to stop or -1 on an error.  A reply with
 * CTL_ERR_INDEX ends the rows.  Stores the row count of the last reply in
 * *count and returns 0, or -1 when a request or handle failed.
 */
static int
for_each_row(enum ctl_type type, int (*handle)(const struct ctl_reply *), uint32_t *count)
{
	struct ctl_reply	rep;
	uint32_t		i;
	int			rc;

	*count = 1;
	for (i = 0; i < *count; i++) {
		if (request(type, i, &rep) == -1)
			return -1;
		*count = rep.count;
		if (rep.status == CTL_ERR_INDEX)
			break;
		if ((rc = handle(&rep)) != 0)
			return rc < 0 ? -1 : 0;
	}
	return 0;
}

/* Return the name to print: the server line's host name, or the address
 * under -n and -c (chronyc -c never looks names up either). */
static const char *
shown_name(const char *address, const char *host)
{
	return no_names || csv_mode || json_mode || host[0] == '\0' ? address : host;
}

/*
 * JSON output (-j): one document per command, an object or an array of
 * objects, with -c's values under names.  A value that is not known is null.
 */
static void
json_open(char bracket)
{
	fputc(bracket, stdout);
	json_first = 1;
}

static void
json_close(char bracket)
{
	fputc(bracket, stdout);
	json_first = 0;
}

/* Start an array element or an object member (with its key, unless NULL). */
static void
json_next(const char *key)
{
	if (!json_first)
		fputc(',', stdout);
	json_first = 0;
	if (key != NULL)
		printf("\"%s\":", key);
}

/* Write value as a JSON string. */
static void
json_string(const char *value)
{
	const unsigned char	*p;

	fputc('"', stdout);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			fputc(*p, stdout);
	}
	fputc('"', stdout);
}

/*
 * Reports under -c and -j: one field table serves both, because -j writes
 * -c's values in -c's order under names.
 */
enum field_kind {
	FIELD_END,
	FIELD_STR,		/* char array */
	FIELD_HEX32,		/* uint32_t as %08X, a string under -j */
	FIELD_INT,		/* int32_t */
	FIELD_UINT,		/* uint32_t */
	FIELD_OCTAL,		/* int32_t, in octal under -c */
	FIELD_U64,		/* uint64_t, as a signed long long under -j */
	FIELD_TIME,		/* int64_t seconds and nanoseconds */
	FIELD_DOUBLE,		/* double with `decimals` decimals, null under -j when not finite */
	FIELD_NEG_DOUBLE,	/* the same, negated */
	FIELD_INTERVAL,		/* int32_t log2 seconds, null under -j when CTL_NO_INTERVAL */
	FIELD_AGO,		/* uint32_t seconds, null under -j when CTL_NEVER */
	FIELD_LAST_RX,		/* ctl_source.last_rx_ago, CTL_NEVER (-c) or null (-j) without a sample */
	FIELD_LEAP,		/* int32_t NTPWIRE_LEAP_* as text */
	FIELD_CHAR,		/* int32_t character */
	FIELD_MODE		/* the source mode, always "^" */
};

struct field {
	uint16_t	offset;		/* in the reported struct */
	uint8_t		kind;		/* enum field_kind */
	uint8_t		decimals;	/* FIELD_DOUBLE, FIELD_NEG_DOUBLE */
};

#define FIELD(type, member, kind, decimals)	{ offsetof(type, member), kind, decimals }

static const char *leap_text(int);

/* Print the value of field f of the record at base, as -c or -j wants it. */
static void
print_value(const char *base, const struct field *f)
{
	const char	*p = base + f->offset, *text = NULL;
	char		 c[2] = { 0, 0 };
	int32_t		 i32;
	double		 d;

	memcpy(&i32, p, sizeof(i32));
	switch (f->kind) {
	case FIELD_STR:
		text = p;
		break;
	case FIELD_LEAP:
		text = leap_text(i32);
		break;
	case FIELD_MODE:
		text = "^";
		break;
	case FIELD_CHAR:
		c[0] = (char)i32;
		if (!json_mode) {
			fputc(c[0], stdout);	/* a NUL too, as printf's %c */
			return;
		}
		text = c;
		break;
	case FIELD_HEX32:
		printf(json_mode ? "\"%08X\"" : "%08X", (unsigned)i32);
		return;
	case FIELD_INTERVAL:
		if (json_mode && i32 == CTL_NO_INTERVAL)
			break;
		/* fall through */
	case FIELD_INT:
		printf("%d", (int)i32);
		return;
	case FIELD_OCTAL:
		printf(json_mode ? "%d" : "%o", (unsigned)i32);
		return;
	case FIELD_AGO:
		if (json_mode && (uint32_t)i32 == CTL_NEVER)
			break;
		/* fall through */
	case FIELD_UINT:
		printf("%u", (unsigned)i32);
		return;
	case FIELD_U64:
		printf(json_mode ? "%lld" : "%llu", *(const unsigned long long *)(const void *)p);
		return;
	case FIELD_TIME:
		printf("%lld.%09lld", *(const long long *)(const void *)p,
		    *(const long long *)(const void *)(p + 8));
		return;
	case FIELD_LAST_RX:
		memcpy(&d, p, sizeof(d));
		memcpy(&i32, base + offsetof(struct ctl_source, has_sample), sizeof(i32));
		if (json_mode && i32)
			printf("%lld", (long long)d);
		else if (!json_mode)
			printf("%u", i32 ? (unsigned)d : CTL_NEVER);
		else
			break;
		return;
	case FIELD_DOUBLE:
	case FIELD_NEG_DOUBLE:
		memcpy(&d, p, sizeof(d));
		if (f->kind == FIELD_NEG_DOUBLE)
			d = 0.0 - d;
		if (json_mode && !isfinite(d))
			break;
		printf("%.*f", f->decimals, d);
		return;
	}
	if (text == NULL)
		fputs("null", stdout);
	else if (json_mode)
		json_string(text);
	else
		fputs(text, stdout);
}

/* Print the record at base as one line of comma-separated values (-c) or
 * as a JSON object (-j).  keys contains the member names, one
 * NUL-terminated string each.  With in_list set, the object is an element of the open
 * array. */
static void
print_fields(const void *base, const struct field *fields, const char *keys, int in_list)
{
	const struct field	*f;

	if (json_mode) {
		if (in_list)
			json_next(NULL);
		json_open('{');
	}
	for (f = fields; f->kind != FIELD_END; f++, keys += strlen(keys) + 1) {
		if (json_mode)
			json_next(keys);
		else if (f != fields)
			fputc(',', stdout);
		print_value(base, f);
	}
	if (json_mode)
		json_close('}');
	if (!json_mode || !in_list)
		fputc('\n', stdout);
}

/* Format seconds as chronyc does: a whole number of ns, us, ms or s in 4 digits. */
static void
format_value(char *buf, size_t len, double v, int is_signed)
{
	static const char	units[] = "ns\0us\0ms\0s";	/* 3 bytes apart */
	double			x = fabs(v) * 1e9;
	int			i;

	for (i = 0; i < 3 && x >= 9999.5; i++)
		x /= 1000.0;
	/* The sign takes one more column; "s" is one letter shorter. */
	snprintf(buf, len, is_signed ? "%+*.0f%s" : "%*.0f%s", 4 + is_signed + (i == 3),
	    is_signed ? copysign(x, v) : x, units + 3 * i);
}

/* Format an interval in seconds as chronyc does, in 4 characters.  Up to
 * 1024 s it is in seconds, a longer one in the first unit whose limit it
 * is under (minutes, hours, days, else years). */
static void
format_interval(char *buf, size_t len, double s)
{
	/* Each value is exact as a float, so the comparisons and divisions
	 * are those with the same values as doubles. */
	static const float	limit[] = { 36000, 345600, 365 * 86400.0 * 10 };
	static const float	unit[] = { 60, 3600, 86400, 365 * 86400.0 };
	int			i;

	if (s < 0) {
		snprintf(buf, len, "   -");
		return;
	}
	if (s <= 1024) {
		snprintf(buf, len, "%4.0f", s);
		return;
	}
	/* A NaN fails every comparison and ends in years, as infinity does. */
	for (i = 0; i < 3 && !(s < limit[i]); i++)
		;
	snprintf(buf, len, "%3.0f%c", s / unit[i], "mhdy"[i]);
}

static const char *
leap_text(int leap)
{
	switch (leap) {
	case NTPWIRE_LEAP_NONE:
		return "Normal";
	case NTPWIRE_LEAP_INSERT:
		return "Insert second";
	case NTPWIRE_LEAP_DELETE:
		return "Delete second";
	default:
		return "Not synchronised";
	}
}

/*
 * Format tm as strftime's "%a %b %d %H:%M:%S %Y" in the C locale, as chronyc
 * prints the reference time.  strftime would link musl's locale and time
 * zone code for this one line.
 */
static void
format_utc(char *buf, size_t size, const struct tm *tm)
{
	static const char	days[] = "SunMonTueWedThuFriSat";
	static const char	months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0 || tm->tm_mon > 11) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%.3s %.3s %02d %02d:%02d:%02d %d", days + 3 * tm->tm_wday,
	    months + 3 * tm->tm_mon, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    tm->tm_year + 1900);
}

/* Print the header line of a table (with its newline) and a rule of '='
 * width characters wide under it. */
static void
print_header(const char *header, int width)
{
	fputs(header, stdout);
	while (width-- > 0)
		fputc('=', stdout);
	fputc('\n', stdout);
}

static const struct field tracking_fields[] = {
	FIELD(struct ctl_tracking, refid, FIELD_HEX32, 0),
	FIELD(struct ctl_tracking, refname, FIELD_STR, 0),
	FIELD(struct ctl_tracking, stratum, FIELD_INT, 0),
	FIELD(struct ctl_tracking, reftime_sec, FIELD_TIME, 0),
	FIELD(struct ctl_tracking, system_time, FIELD_NEG_DOUBLE, 9),
	FIELD(struct ctl_tracking, last_offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_tracking, rms_offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_tracking, freq_ppm, FIELD_DOUBLE, 3),
	FIELD(struct ctl_tracking, resid_freq_ppm, FIELD_DOUBLE, 3),
	FIELD(struct ctl_tracking, skew_ppm, FIELD_DOUBLE, 3),
	FIELD(struct ctl_tracking, root_delay, FIELD_DOUBLE, 9),
	FIELD(struct ctl_tracking, root_dispersion, FIELD_DOUBLE, 9),
	FIELD(struct ctl_tracking, update_interval, FIELD_DOUBLE, 1),
	FIELD(struct ctl_tracking, leap, FIELD_LEAP, 0),
	{ 0, FIELD_END, 0 }
};

static const char tracking_keys[] =
    "reference_id\0address\0stratum\0ref_time\0system_time\0last_offset\0rms_offset\0"
    "frequency_ppm\0residual_frequency_ppm\0skew_ppm\0root_delay\0root_dispersion\0"
    "update_interval\0leap_status";

static void
print_tracking(const struct ctl_tracking *t)
{
	char		when[64];
	time_t		sec = (time_t)t->reftime_sec;
	struct tm	tm;

	if (json_mode || csv_mode) {
		/* chronyc -c: the correction (NTP minus local time) and plain seconds. */
		print_fields(t, tracking_fields, tracking_keys, 0);
		return;
	}
	gmtime_r(&sec, &tm);
	format_utc(when, sizeof(when), &tm);
	printf("Reference ID    : %08X (%s)\n"
	    "Stratum         : %d\n"
	    "Ref time (UTC)  : %s\n"
	    "System time     : %.9f seconds %s of NTP time\n"
	    "Last offset     : %+.9f seconds\n"
	    "RMS offset      : %.9f seconds\n"
	    "Frequency       : %.3f ppm %s\n"
	    "Residual freq   : %+.3f ppm\n"
	    "Skew            : %.3f ppm\n"
	    "Root delay      : %.9f seconds\n"
	    "Root dispersion : %.9f seconds\n"
	    "Update interval : %.1f seconds\n"
	    "Leap status     : %s\n",
	    t->refid, shown_name(t->refname, t->refhost), t->stratum, when,
	    fabs(t->system_time), t->system_time >= 0 ? "fast" : "slow", t->last_offset,
	    t->rms_offset, fabs(t->freq_ppm), t->freq_ppm > 0 ? "fast" : "slow",
	    t->resid_freq_ppm, t->skew_ppm, t->root_delay, t->root_dispersion,
	    t->update_interval, leap_text(t->leap));
}

static int
cmd_tracking(void)
{
	struct ctl_reply	rep;

	if (request(CTL_TRACKING, 0, &rep) == -1)
		return 1;
	print_tracking(&rep.u.tracking);
	return 0;
}

static const struct field source_fields[] = {
	{ 0, FIELD_MODE, 0 },
	FIELD(struct ctl_source, state, FIELD_CHAR, 0),
	FIELD(struct ctl_source, name, FIELD_STR, 0),
	FIELD(struct ctl_source, stratum, FIELD_INT, 0),
	FIELD(struct ctl_source, poll, FIELD_INT, 0),
	FIELD(struct ctl_source, reach, FIELD_OCTAL, 0),
	FIELD(struct ctl_source, last_rx_ago, FIELD_LAST_RX, 0),
	FIELD(struct ctl_source, adj_offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_source, meas_offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_source, error, FIELD_DOUBLE, 9),
	{ 0, FIELD_END, 0 }
};

static const char source_keys[] =
    "mode\0state\0name\0stratum\0poll\0reach\0last_rx\0adjusted_offset\0measured_offset\0"
    "error";

static int
print_source(const struct ctl_reply *rep)
{
	const struct ctl_source	*s = &rep->u.source;
	char			 rx[16], adj[16], meas[16], err[16];
	const char		*name = shown_name(s->name, s->host);

	if (json_mode || csv_mode) {
		print_fields(s, source_fields, source_keys, 1);
		return 0;
	}
	format_interval(rx, sizeof(rx), s->has_sample ? s->last_rx_ago : -1);
	format_value(adj, sizeof(adj), s->adj_offset, 1);
	format_value(meas, sizeof(meas), s->meas_offset, 1);
	format_value(err, sizeof(err), s->error, 0);
	/* As chronyc, names are cut to the column, addresses are not. */
	printf("^%c %-27.*s  %2d  %2d   %3o  %s  %s[%s] +/- %s\n", (char)s->state,
	    name == s->name ? (int)sizeof(s->name) : 27, name,
	    s->stratum, s->poll, (unsigned)s->reach, rx, adj, meas, err);
	return 0;
}

static const struct field sourcestats_fields[] = {
	FIELD(struct ctl_source, name, FIELD_STR, 0),
	FIELD(struct ctl_source, samples, FIELD_INT, 0),
	FIELD(struct ctl_source, runs, FIELD_INT, 0),
	FIELD(struct ctl_source, span, FIELD_DOUBLE, 0),
	FIELD(struct ctl_source, freq_ppm, FIELD_DOUBLE, 3),
	FIELD(struct ctl_source, freq_skew_ppm, FIELD_DOUBLE, 3),
	FIELD(struct ctl_source, offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_source, stddev, FIELD_DOUBLE, 9),
	{ 0, FIELD_END, 0 }
};

static const char sourcestats_keys[] =
    "name\0samples\0runs\0span\0frequency_ppm\0frequency_skew_ppm\0offset\0std_dev";

static int
print_sourcestats(const struct ctl_reply *rep)
{
	const struct ctl_source	*s = &rep->u.source;
	char			 span[16], off[16], sd[16];
	const char		*name = shown_name(s->name, s->host);

	if (json_mode || csv_mode) {
		print_fields(s, sourcestats_fields, sourcestats_keys, 1);
		return 0;
	}
	format_interval(span, sizeof(span), s->span);
	format_value(off, sizeof(off), s->offset, 1);
	format_value(sd, sizeof(sd), s->stddev, 0);
	printf("%-25.*s %3d %3d  %s %+10.3f %10.3f  %s  %s\n",
	    name == s->name ? (int)sizeof(s->name) : 25, name, s->samples, s->runs,
	    span, s->freq_ppm, s->freq_skew_ppm, off, sd);
	return 0;
}

/* Print a CTL_SOURCE, CTL_CLIENT or CTL_STEP report: the header and its
 * rule width characters wide as text, nothing before the rows under -c, a
 * JSON array under -j.  print_row prints each row.  Returns the exit status. */
static int
print_rows(enum ctl_type type, const char *header, int width,
    int (*print_row)(const struct ctl_reply *), uint32_t *count)
{
	if (json_mode)
		json_open('[');
	else if (!csv_mode)
		print_header(header, width);
	if (for_each_row(type, print_row, count) == -1)
		return 1;
	if (json_mode)
		fputs("]\n", stdout);
	return 0;
}

static int
cmd_sources(int stats, int verbose)
{
	uint32_t	count;

	if (verbose && !csv_mode && !json_mode)
		fputs(stats ? sourcestats_legend : sources_legend, stdout);
	if (stats)
		return print_rows(CTL_SOURCE, "Name/IP Address            NP  NR  Span  "
		    "Frequency  Freq Skew  Offset  Std Dev\n", 78, print_sourcestats, &count);
	return print_rows(CTL_SOURCE, "MS Name/IP address         Stratum Poll Reach LastRx "
	    "Last sample               \n", 79, print_source, &count);
}

/* The serverstats report: seven counters, in this order under -c and -j. */
#define SERVERSTATS_COUNT	7

static const struct field serverstats_fields[] = {
	{ 0, FIELD_U64, 0 }, { 8, FIELD_U64, 0 }, { 16, FIELD_U64, 0 }, { 24, FIELD_U64, 0 },
	{ 32, FIELD_U64, 0 }, { 40, FIELD_U64, 0 }, { 48, FIELD_U64, 0 }, { 0, FIELD_END, 0 }
};

static const char serverstats_keys[] =
    "ntp_packets_received\0ntp_packets_dropped\0command_packets_received\0"
    "command_packets_dropped\0ntp_packets_rejected\0ntp_packets_rate_limited\0"
    "ntp_replies_sent";

static const char serverstats_labels[] =
    "NTP packets received\0NTP packets dropped\0Command packets received\0"
    "Command packets dropped\0NTP packets rejected (ACL)\0NTP packets rate limited\0"
    "NTP replies sent";

static int
cmd_serverstats(void)
{
	struct ctl_reply		 rep;
	const struct ctl_serverstats	*st = &rep.u.serverstats;
	uint64_t			 v[SERVERSTATS_COUNT];
	const char			*label = serverstats_labels;
	int				 i;

	if (request(CTL_SERVERSTATS, 0, &rep) == -1)
		return 1;
	v[0] = st->requests;
	v[1] = st->rejected + st->malformed + st->limited;
	v[2] = st->cmd_requests;
	v[3] = st->cmd_dropped;
	v[4] = st->rejected;
	v[5] = st->limited;
	v[6] = st->replies;
	if (json_mode || csv_mode) {
		print_fields(v, serverstats_fields, serverstats_keys, 0);
		return 0;
	}
	for (i = 0; i < SERVERSTATS_COUNT; i++, label += strlen(label) + 1)
		printf("%-27s: %llu\n", label, (unsigned long long)v[i]);
	return 0;
}

static const struct field activity_fields[] = {
	FIELD(struct ctl_activity, online, FIELD_INT, 0),
	FIELD(struct ctl_activity, offline, FIELD_INT, 0),
	FIELD(struct ctl_activity, burst_online, FIELD_INT, 0),
	FIELD(struct ctl_activity, burst_offline, FIELD_INT, 0),
	FIELD(struct ctl_activity, unresolved, FIELD_INT, 0),
	{ 0, FIELD_END, 0 }
};

static const char activity_keys[] =
    "online\0offline\0burst_online\0burst_offline\0unknown_address";

static const char activity_labels[] =
    "online\0offline\0doing burst (return to online)\0doing burst (return to offline)\0"
    "with unknown address";

static int
cmd_activity(void)
{
	struct ctl_reply	 rep;
	const int32_t		*v = &rep.u.activity.online;
	const char		*label = activity_labels;
	int			 i;

	if (request(CTL_ACTIVITY, 0, &rep) == -1)
		return 1;
	if (json_mode || csv_mode) {
		print_fields(&rep.u.activity, activity_fields, activity_keys, 0);
		return 0;
	}
	printf("200 OK\n");
	for (i = 0; i < 5; i++, label += strlen(label) + 1)
		printf("%d sources %s\n", (int)v[i], label);
	return 0;
}

/* Format a log2 interval as chronyc's clients does: the number or "-". */
static void
format_log2(char *buf, size_t len, int32_t v)
{
	if (v == CTL_NO_INTERVAL)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d", (int)v);
}

static const struct field client_fields[] = {
	FIELD(struct ctl_client, name, FIELD_STR, 0),
	FIELD(struct ctl_client, ntp_hits, FIELD_UINT, 0),
	FIELD(struct ctl_client, ntp_drops, FIELD_UINT, 0),
	FIELD(struct ctl_client, ntp_interval, FIELD_INTERVAL, 0),
	FIELD(struct ctl_client, ntp_limited_interval, FIELD_INTERVAL, 0),
	FIELD(struct ctl_client, ntp_last_ago, FIELD_AGO, 0),
	FIELD(struct ctl_client, cmd_hits, FIELD_UINT, 0),
	FIELD(struct ctl_client, cmd_drops, FIELD_UINT, 0),
	FIELD(struct ctl_client, cmd_interval, FIELD_INTERVAL, 0),
	FIELD(struct ctl_client, cmd_last_ago, FIELD_AGO, 0),
	{ 0, FIELD_END, 0 }
};

static const char client_keys[] =
    "address\0ntp_packets\0ntp_drops\0ntp_interval\0ntp_limited_interval\0ntp_last\0"
    "command_packets\0command_drops\0command_interval\0command_last";

static unsigned long	min_packets;	/* clients -p */

static int
print_client(const struct ctl_reply *rep)
{
	const struct ctl_client	*c = &rep->u.client;
	char			 ntp_int[8], ntp_intl[8], ntp_last[16], cmd_int[8], cmd_last[16];

	if (c->ntp_hits + c->cmd_hits < min_packets)
		return 0;
	if (json_mode || csv_mode) {
		print_fields(c, client_fields, client_keys, 1);
		return 0;
	}
	format_log2(ntp_int, sizeof(ntp_int), c->ntp_interval);
	format_log2(ntp_intl, sizeof(ntp_intl), c->ntp_limited_interval);
	format_log2(cmd_int, sizeof(cmd_int), c->cmd_interval);
	format_interval(ntp_last, sizeof(ntp_last),
	    c->ntp_last_ago == CTL_NEVER ? -1 : (double)c->ntp_last_ago);
	format_interval(cmd_last, sizeof(cmd_last),
	    c->cmd_last_ago == CTL_NEVER ? -1 : (double)c->cmd_last_ago);
	printf("%-25s %7u %6u %3s %3s %5s %7u %6u %3s %5s\n", c->name, c->ntp_hits,
	    c->ntp_drops, ntp_int, ntp_intl, ntp_last, c->cmd_hits, c->cmd_drops, cmd_int,
	    cmd_last);
	return 0;
}

static int
cmd_clients(int argc, char **argv)
{
	uint32_t	count;
	char		*end;

	if (argc == 2 && strcmp(argv[0], "-p") == 0) {
		errno = 0;
		min_packets = strtoul(argv[1], &end, 10);
		if (*end != '\0' || end == argv[1] || errno != 0 || argv[1][0] == '-') {
			return print_error("invalid clients -p value '%s': give a number "
			    "of packets\n", argv[1]);
		}
	} else if (argc != 0) {
		return print_error("invalid clients arguments: give none or -p PACKETS\n");
	}
	return print_rows(CTL_CLIENT, "Hostname                      NTP   Drop Int IntL Last "
	    "    Cmd   Drop Int  Last\n", 79, print_client, &count);
}

/* Send a command that changes ntpd and print chronyc's status line for its
 * reply.  Returns the exit status: 0 for "200 OK", 1 otherwise. */
static int
run_change(struct ctl_request *req, const char *what)
{
	struct ctl_reply	rep;

	if (send_request(req, &rep) == -1)
		return 1;
	switch (rep.status) {
	case CTL_OK:
		printf("200 OK\n");
		return 0;
	case CTL_ERR_FAILED:
		printf("500 Failure\n");
		return 1;
	case CTL_ERR_NOSOURCE:
		printf("503 No such source\n");
		return 1;
	case CTL_ERR_ARG:
		return print_error("ntpd rejected the %s arguments as invalid\n", what);
	default:
		return print_error("ntpd does not know the %s command (status %d); is it an "
		    "older version?\n", what, (int)rep.status);
	}
}

/* Copy a burst, online or offline target into req; fails on a name too long. */
static int
set_target(struct ctl_request *req, int argc, char **argv, const char *what)
{
	if (argc == 0)
		return 0;
	if (argc > 1 || strlen(argv[0]) >= sizeof(req->target)) {
		print_error("invalid %s target '%s': give one address, ADDRESS/BITS, "
		    "MASK/ADDRESS or a host name of at most %zu characters\n", what, argv[0],
		    sizeof(req->target) - 1);
		return -1;
	}
	memcpy(req->target, argv[0], strlen(argv[0]) + 1);
	return 0;
}

static int
cmd_makestep(int argc, char **argv)
{
	struct ctl_request	req;
	const char		*end1;
	char			*end2;
	long			limit;

	ctl_request_init(&req, CTL_MAKESTEP, 0, 0);
	if (argc == 2) {
		req.threshold = decimal_parse(argv[0], &end1);
		limit = strtol(argv[1], &end2, 10);
		if (*end1 != '\0' || end1 == argv[0] || !(req.threshold >= 0) ||
		    isinf(req.threshold) || *end2 != '\0' || end2 == argv[1] || limit < -1 ||
		    limit > INT32_MAX) {
			return print_error("invalid makestep arguments '%s %s': give a "
			    "threshold of 0 seconds or more and a limit of -1 or more "
			    "updates\n", argv[0], argv[1]);
		}
		req.limit = (int32_t)limit;
		req.has_args = 1;
	} else if (argc != 0) {
		return print_error("invalid makestep arguments: give none, or "
		    "THRESHOLD (seconds) and LIMIT (updates)\n");
	}
	return run_change(&req, "makestep");
}

static int
cmd_burst(int argc, char **argv)
{
	struct ctl_request	req;
	char			*slash, *end;
	long			 good = 0, max = 0;

	ctl_request_init(&req, CTL_BURST, 0, 0);
	if (argc >= 1) {
		good = strtol(argv[0], &slash, 10);
		if (slash != argv[0] && *slash == '/') {
			max = strtol(slash + 1, &end, 10);
			if (end == slash + 1 || *end != '\0')
				max = 0;
		}
	}
	if (good < 1 || good > INT32_MAX || max < 1 || max > INT32_MAX) {
		return print_error("invalid burst argument '%s': give GOOD/MAX, two numbers "
		    "of 1 or more, e.g. 4/8\n", argc < 1 ? "" : argv[0]);
	}
	req.good = (int)good;
	req.max = (int)max;
	if (set_target(&req, argc - 1, argv + 1, "burst") == -1)
		return 1;
	return run_change(&req, "burst");
}

static int
cmd_online(int online, int argc, char **argv)
{
	struct ctl_request	req;
	const char		*what = online ? "online" : "offline";

	ctl_request_init(&req, online ? CTL_ONLINE : CTL_OFFLINE, 0, 0);
	if (set_target(&req, argc, argv, what) == -1)
		return 1;
	return run_change(&req, what);
}

static int
parse_number(const char *s, double min, double *out)
{
	const char	*end;

	*out = decimal_parse(s, &end);
	if (*end != '\0' || end == s || !(*out >= min)) {
		print_error("invalid waitsync value '%s': give a number of at least %g\n",
		    s, min);
		return -1;
	}
	return 0;
}

/* Print one waitsync line; returns 1 when the limits are met. */
static int
is_synced(const struct ctl_tracking *t, double maxcorr, double maxskew, int try)
{
	double	corr = fabs(t->system_time);

	printf("try: %d, refid: %08X, correction: %.9f, skew: %.3f\n", try, t->refid, corr,
	    t->skew_ppm);
	fflush(stdout);
	return t->leap != NTPWIRE_LEAP_UNSYNC && t->refid != 0 &&
	    (maxcorr == 0 || corr <= maxcorr) && (maxskew == 0 || t->skew_ppm <= maxskew);
}

static int
cmd_waitsync(int argc, char **argv)
{
	struct ctl_reply	rep;
	double			arg[4] = { 0, 0, 0, WAITSYNC_INTERVAL };
	int			i, try;

	for (i = 0; i < argc && i < 4; i++)
		if (parse_number(argv[i], i == 3 ? 0.1 : 0.0, &arg[i]) == -1)
			return 1;
	for (try = 1; ; try++) {
		/* As in chronyc, a try without a reply counts and the wait goes on. */
		if (request(CTL_TRACKING, 0, &rep) == 0 && is_synced(&rep.u.tracking, arg[1],
		    arg[2], try))
			return 0;
		if (arg[0] > 0 && try >= arg[0])
			return 1;
		/* poll sleeps here: usleep would link three more pieces of libc. */
		poll(NULL, 0, (int)(arg[3] * 1000));
	}
}

/* Format Unix time sec.nsec as "YYYY-MM-DD HH:MM:SS.uuuuuu" in UTC. */
static void
format_timestamp(char *buf, size_t size, int64_t sec, int64_t nsec)
{
	time_t		t = (time_t)sec;
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long long)(nsec / 1000));
}

static const struct field step_fields[] = {
	FIELD(struct ctl_step, old_sec, FIELD_TIME, 0),
	FIELD(struct ctl_step, new_sec, FIELD_TIME, 0),
	FIELD(struct ctl_step, offset, FIELD_DOUBLE, 9),
	FIELD(struct ctl_step, ago, FIELD_DOUBLE, 0),
	FIELD(struct ctl_step, reason, FIELD_STR, 0),
	FIELD(struct ctl_step, source, FIELD_STR, 0),
	{ 0, FIELD_END, 0 }
};

static const char step_keys[] = "old_time\0new_time\0offset\0ago\0reason\0source";

static uint32_t	steps_total;	/* ctl_step.total of the last row */

static int
print_step(const struct ctl_reply *rep)
{
	const struct ctl_step	*st = &rep->u.step;
	char			 old_time[64], new_time[64], ago[16];

	if (rep->status == CTL_ERR_TYPE) {
		print_error("ntpd does not know the steps command; is it an older "
		    "version?\n");
		return -1;
	}
	steps_total = st->total;
	if (json_mode || csv_mode) {
		print_fields(st, step_fields, step_keys, 1);
		return 0;
	}
	format_timestamp(old_time, sizeof(old_time), st->old_sec, st->old_nsec);
	format_timestamp(new_time, sizeof(new_time), st->new_sec, st->new_nsec);
	format_interval(ago, sizeof(ago), st->ago);
	printf("%s  %s  %+14.6f  %s  %-16s %s\n", old_time, new_time, st->offset, ago,
	    st->reason, st->source);
	return 0;
}

static int
cmd_steps(void)
{
	uint32_t	count;

	if (print_rows(CTL_STEP, "Old time (UTC)              New time (UTC)             "
	    "     Offset (s)   Ago  Reason           Source\n", 99, print_step, &count) != 0)
		return 1;
	if (!json_mode && !csv_mode && steps_total > count)
		printf("(%u earlier steps are no longer kept)\n", steps_total - count);
	return 0;
}

/*
 * OpenNTPD's ntpctl -s reports, in OpenNTPD's text, which Telegraf's
 * openntpd input parses.  A source is a valid peer when the
 * selection can use it (state '*', '+' or '-').
 */
#define OPENNTPD_TRUST_VALID	6	/* OpenNTPD's TRUSTLEVEL_BADPEER */
#define OPENNTPD_TRUST_MAX	10

static struct ctl_source	*peer_rows;	/* -s: the sources, then the lines without an address */
static int			 npeer_rows;

/* Append the row of a CTL_SOURCE or CTL_UNRESOLVED reply to peer_rows.  A
 * status other than CTL_OK (an ntpd that does not know the type) ends the
 * rows. */
static int
add_peer_row(const struct ctl_reply *rep)
{
	struct ctl_source	*grown;

	if (rep->status != CTL_OK)
		return 1;
	grown = realloc(peer_rows, (size_t)(npeer_rows + 1) * sizeof(*peer_rows));
	if (grown == NULL) {
		print_error("out of memory\n");
		return -1;
	}
	peer_rows = grown;
	peer_rows[npeer_rows++] = rep->u.source;
	return 0;
}

static int
is_usable(const struct ctl_source *s)
{
	return s->state == CTL_STATE_SELECTED || s->state == CTL_STATE_COMBINED ||
	    s->state == CTL_STATE_NOTCOMBINED;
}

/* Return OpenNTPD's trust level (0-10, valid from 6): 2 plus the replies in
 * the reachability register, at least 6 for a usable source, at most 5 for
 * one the selection rejects. */
static int
trust_level(const struct ctl_source *s)
{
	int	level = 2 + __builtin_popcount((unsigned)s->reach & 0xff);

	if (level > OPENNTPD_TRUST_MAX)
		level = OPENNTPD_TRUST_MAX;
	if (is_usable(s))
		return level < OPENNTPD_TRUST_VALID ? OPENNTPD_TRUST_VALID : level;
	return level >= OPENNTPD_TRUST_VALID ? OPENNTPD_TRUST_VALID - 1 : level;
}

static void
print_openntpd_status(const struct ctl_tracking *t, const struct ctl_source *rows, int n)
{
	int	i, valid = 0;
	double	offset_ms;

	for (i = 0; i < n; i++)
		valid += is_usable(&rows[i]);
	if (n > 0)
		printf("%d/%d peers valid, ", valid, n);
	else
		printf("no peers and no sensors configured\n");
	/* Synchronised to a source; a local stratum alone counts as unsynced. */
	if (t->refname[0] != '\0') {
		printf("clock synced, stratum %d\n", t->stratum);
		return;
	}
	printf("clock unsynced");
	/* OpenNTPD prints the correction still to be made, in ms. */
	offset_ms = -t->system_time * 1000.0;
	if (fabs(offset_ms) > 5e-7)
		printf(", clock offset is %.3fms\n", offset_ms);
	else
		fputc('\n', stdout);
}

static void
print_openntpd_peer(const struct ctl_source *s)
{
	const char	*host = s->line_host[0] != '\0' ? s->line_host : s->name;
	const char	*first = s->name, *middle = " ";
	char		 stratum[16];
	int		 trust = trust_level(s);

	/* OpenNTPD's description: the address ("not resolved" for a line
	 * without one), then "from pool NAME" or the server's name when it is
	 * not the address (a trailing space then). */
	if (s->name[0] == '\0') {
		first = "not resolved ";
		middle = s->pool ? "from pool " : "";
	} else if (s->pool)
		middle = " from pool ";
	else if (strcmp(host, s->name) == 0)
		host = "";
	printf("%s%s%s\n", first, middle, host);
	if (s->has_sample && s->stratum > 0)
		snprintf(stratum, sizeof(stratum), "%2d", (int)s->stratum);
	else
		snprintf(stratum, sizeof(stratum), " -");
	printf(" %1s %2u %2u %2s %4llds %4llds", s->state == CTL_STATE_SELECTED ? "*" : " ",
	    1u, (unsigned)trust, stratum, (long long)llround(s->next_poll),
	    (long long)llround(ldexp(1.0, s->poll)));
	if (trust >= OPENNTPD_TRUST_VALID)
		printf("  %12.3fms %9.3fms  %8.3fms\n", s->offset * 1000.0, s->delay * 1000.0,
		    s->stddev * 1000.0);
	else
		printf("             ---- peer not valid ----\n");
}

static int
cmd_openntpd(const char *what)
{
	static const char	names[] = "peers\0Sensors\0status\0all\0";
	struct ctl_reply	rep;
	const char		*name;
	char			 report = '\0';	/* the first letter of the report's name */
	size_t			 i, len = strlen(what);
	uint32_t		 count;

	/* As OpenNTPD's ntpctl, any prefix names the report.  The names start
	 * with different letters, so no prefix is ambiguous. */
	for (name = names; *name != '\0'; name += strlen(name) + 1)
		if (len > 0 && strncmp(what, name, len) == 0)
			report = name[0];
	if (report == '\0' && strcmp(what, "sensors") == 0)
		report = 'S';
	if (report == '\0') {
		return print_error("unknown -s report '%s': give all, peers, Sensors or "
		    "status\n", what);
	}
	if (report == 'S') {
		printf("no sensors configured\n");
		return 0;
	}
	if (report != 'p' && request(CTL_TRACKING, 0, &rep) == -1)
		return 1;
	if (for_each_row(CTL_SOURCE, add_peer_row, &count) == -1 ||
	    for_each_row(CTL_UNRESOLVED, add_peer_row, &count) == -1) {
		free(peer_rows);
		return 1;
	}
	if (report != 'p')
		print_openntpd_status(&rep.u.tracking, peer_rows, npeer_rows);
	if (report != 's' && npeer_rows > 0) {
		if (report == 'a')
			fputc('\n', stdout);
		printf("peer\n   wt tl st  next  poll          offset       delay      jitter\n");
		for (i = 0; i < (size_t)npeer_rows; i++)
			print_openntpd_peer(&peer_rows[i]);
	} else if (report == 'p') {
		printf("no peers configured\n");
	}
	free(peer_rows);
	return 0;
}

/*
 * The commands: their names in the order of enum command, with a '\0'
 * after each and one more at the end, and the most arguments each takes
 * after its name (-1: the command checks them).
 */
enum command {
	CMD_TRACKING, CMD_SOURCES, CMD_SOURCESTATS, CMD_SERVERSTATS, CMD_ACTIVITY,
	CMD_CLIENTS, CMD_MAKESTEP, CMD_BURST, CMD_ONLINE, CMD_OFFLINE, CMD_STEPS,
	CMD_WAITSYNC
};

static const char command_names[] =
    "tracking\0sources\0sourcestats\0serverstats\0activity\0clients\0makestep\0"
    "burst\0online\0offline\0steps\0waitsync\0";

static const signed char command_max_args[] = { 0, 1, 1, 0, 0, -1, -1, -1, -1, -1, 0, 4 };

static int
run_command(int argc, char **argv)
{
	const char	*name = command_names;
	int		 cmd, nargs = argc - 1;
	int		 verbose = nargs == 1 && strcmp(argv[1], "-v") == 0;

	for (cmd = 0; *name != '\0'; cmd++, name += strlen(name) + 1)
		if (strcmp(argv[0], name) == 0)
			break;
	/* sources and sourcestats take only -v. */
	if (*name == '\0' || (command_max_args[cmd] >= 0 && nargs > command_max_args[cmd]) ||
	    ((cmd == CMD_SOURCES || cmd == CMD_SOURCESTATS) && nargs != verbose)) {
		print_error("unknown command or wrong arguments: %s\n", argv[0]);
		usage(stderr);
		return 1;
	}
	argv++;
	switch (cmd) {
	case CMD_TRACKING:
		return cmd_tracking();
	case CMD_SOURCES:
	case CMD_SOURCESTATS:
		return cmd_sources(cmd == CMD_SOURCESTATS, verbose);
	case CMD_SERVERSTATS:
		return cmd_serverstats();
	case CMD_ACTIVITY:
		return cmd_activity();
	case CMD_CLIENTS:
		return cmd_clients(nargs, argv);
	case CMD_MAKESTEP:
		return cmd_makestep(nargs, argv);
	case CMD_BURST:
		return cmd_burst(nargs, argv);
	case CMD_ONLINE:
	case CMD_OFFLINE:
		return cmd_online(cmd == CMD_ONLINE, nargs, argv);
	case CMD_STEPS:
		return cmd_steps();
	default:
		return cmd_waitsync(nargs, argv);
	}
}

int
ntpctl_main(int argc, char **argv)
{
	int		 ch, rc;
	const char	*show = NULL;

	/* -h names the socket, as chronyc's -h names the host, so help is only --help. */
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "+ch:jns:")) != -1) {
		switch (ch) {
		case 'c':
			csv_mode = 1;
			break;
		case 'h':
			ctl_path = optarg;
			break;
		case 'j':
			json_mode = 1;
			break;
		case 'n':
			no_names = 1;
			break;
		case 's':
			show = optarg;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if ((show == NULL) == (argc == 0)) {
		usage(stderr);
		return 1;
	}
	if (csv_mode + json_mode + (show != NULL) > 1) {
		return print_error("-c, -j and -s each choose an output format: give "
		    "one of them\n");
	}
	next_seq = (uint32_t)getpid() << 8;
	rc = show != NULL ? cmd_openntpd(show) : run_command(argc, argv);
	if (ctl_fd != -1)
		close(ctl_fd);
	return rc;
}
