/* ntpctl.c -- ntpctl applet: queries a running ntpd over its control socket, with chronyc's output layout. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "ctl.h"
#include "ntpwire.h"

#define REPLY_TIMEOUT_MS	1000
#define REQUEST_TRIES		3
#define WAITSYNC_INTERVAL	10.0	/* seconds, as chronyc */

static const char usage_text[] =
    "usage: ntpctl [-n] [-h SOCKET] COMMAND\n"
    "  -h SOCKET  ntpd's control socket (default " CTL_SOCKET_DEFAULT ")\n"
    "  -n         print addresses, not names (always the case)\n"
    "commands:\n"
    "  tracking                     state of the system clock\n"
    "  sources [-v]                 sources and their last samples\n"
    "  sourcestats [-v]             statistics of each source's samples\n"
    "  serverstats                  NTP server counters\n"
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

static int		ctl_fd = -1;
static const char	*ctl_path = CTL_SOCKET_DEFAULT;
static uint32_t		next_seq;

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static int
request(enum ctl_type type, uint32_t index, struct ctl_reply *rep)
{
	struct ctl_request	req;
	int			i;

	/* (Re)connect here, so waitsync survives an ntpd that starts or restarts. */
	if (ctl_fd == -1 && (ctl_fd = ctl_connect(ctl_path)) == -1) {
		fprintf(stderr, "ntpctl: cannot connect to ntpd at %s: %s\n", ctl_path,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < REQUEST_TRIES; i++) {
		ctl_request_init(&req, type, ++next_seq, index);
		if (ctl_transact(ctl_fd, &req, rep, REPLY_TIMEOUT_MS) == 0)
			return 0;
		if (errno != ETIMEDOUT)
			break;
	}
	fprintf(stderr, "ntpctl: no reply from ntpd at %s: %s\n", ctl_path, strerror(errno));
	close(ctl_fd);
	ctl_fd = -1;
	return -1;
}

/* Format seconds as chronyc does: a whole number of ns, us, ms or s in 4 digits. */
static void
format_value(char *buf, size_t len, double v, int is_signed)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	double	x = fabs(v) * 1e9;
	int	i;

	for (i = 0; i < 3 && x >= 9999.5; i++)
		x /= 1000.0;
	if (is_signed)
		snprintf(buf, len, "%+*.0f%s", i == 3 ? 6 : 5, copysign(x, v), units[i]);
	else
		snprintf(buf, len, "%*.0f%s", i == 3 ? 5 : 4, x, units[i]);
}

/* Format an interval in seconds as chronyc does, in 4 characters. */
static void
format_interval(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "   -");
	else if (s <= 1024)
		snprintf(buf, len, "%4.0f", s);
	else if (s < 36000)
		snprintf(buf, len, "%3.0fm", s / 60);
	else if (s < 345600)
		snprintf(buf, len, "%3.0fh", s / 3600);
	else if (s < 365 * 86400.0 * 10)
		snprintf(buf, len, "%3.0fd", s / 86400);
	else
		snprintf(buf, len, "%3.0fy", s / (365 * 86400.0));
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

static void
print_tracking(const struct ctl_tracking *t)
{
	char		when[64];
	time_t		sec = (time_t)t->reftime_sec;
	struct tm	tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%a %b %d %H:%M:%S %Y", &tm);
	printf("Reference ID    : %08X (%s)\n", t->refid, t->refname);
	printf("Stratum         : %d\n", t->stratum);
	printf("Ref time (UTC)  : %s\n", when);
	printf("System time     : %.9f seconds %s of NTP time\n", fabs(t->system_time),
	    t->system_time >= 0 ? "fast" : "slow");
	printf("Last offset     : %+.9f seconds\n", t->last_offset);
	printf("RMS offset      : %.9f seconds\n", t->rms_offset);
	printf("Frequency       : %.3f ppm %s\n", fabs(t->freq_ppm),
	    t->freq_ppm > 0 ? "fast" : "slow");
	printf("Residual freq   : %+.3f ppm\n", t->resid_freq_ppm);
	printf("Skew            : %.3f ppm\n", t->skew_ppm);
	printf("Root delay      : %.9f seconds\n", t->root_delay);
	printf("Root dispersion : %.9f seconds\n", t->root_dispersion);
	printf("Update interval : %.1f seconds\n", t->update_interval);
	printf("Leap status     : %s\n", leap_text(t->leap));
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

static void
print_source(const struct ctl_source *s)
{
	char	rx[16], adj[16], meas[16], err[16];

	format_interval(rx, sizeof(rx), s->has_sample ? s->last_rx_ago : -1);
	format_value(adj, sizeof(adj), s->adj_offset, 1);
	format_value(meas, sizeof(meas), s->meas_offset, 1);
	format_value(err, sizeof(err), s->error, 0);
	printf("^%c %-27s  %2d  %2d   %3o  %s  %s[%s] +/- %s\n", (char)s->state, s->name,
	    s->stratum, s->poll, (unsigned)s->reach, rx, adj, meas, err);
}

static void
print_sourcestats(const struct ctl_source *s)
{
	char	span[16], off[16], sd[16];

	format_interval(span, sizeof(span), s->span);
	format_value(off, sizeof(off), s->offset, 1);
	format_value(sd, sizeof(sd), s->stddev, 0);
	printf("%-25s %3d %3d  %s %+10.3f %10.3f  %s  %s\n", s->name, s->samples, s->runs,
	    span, s->freq_ppm, s->freq_skew_ppm, off, sd);
}

static int
cmd_sources(int stats, int verbose)
{
	struct ctl_reply	rep;
	uint32_t		i, count = 1;

	if (verbose)
		fputs(stats ? sourcestats_legend : sources_legend, stdout);
	if (stats) {
		printf("Name/IP Address            NP  NR  Span  Frequency  Freq Skew  "
		    "Offset  Std Dev\n");
		printf("%.78s\n", "=============================================="
		    "================================");
	} else {
		printf("MS Name/IP address         Stratum Poll Reach LastRx Last sample"
		    "               \n");
		printf("%.79s\n", "=============================================="
		    "=================================");
	}
	for (i = 0; i < count; i++) {
		if (request(CTL_SOURCE, i, &rep) == -1)
			return 1;
		count = rep.count;
		if (rep.status == CTL_ERR_INDEX)
			break;
		if (stats)
			print_sourcestats(&rep.u.source);
		else
			print_source(&rep.u.source);
	}
	return 0;
}

static int
cmd_serverstats(void)
{
	struct ctl_reply	rep;

	if (request(CTL_SERVERSTATS, 0, &rep) == -1)
		return 1;
	printf("NTP packets received       : %llu\n",
	    (unsigned long long)rep.u.serverstats.requests);
	printf("NTP packets dropped        : %llu\n",
	    (unsigned long long)(rep.u.serverstats.rejected + rep.u.serverstats.malformed +
	    rep.u.serverstats.limited));
	printf("Command packets received   : %llu\n",
	    (unsigned long long)rep.u.serverstats.cmd_requests);
	printf("Command packets dropped    : %llu\n",
	    (unsigned long long)rep.u.serverstats.cmd_dropped);
	printf("NTP packets rejected (ACL) : %llu\n",
	    (unsigned long long)rep.u.serverstats.rejected);
	printf("NTP packets rate limited   : %llu\n",
	    (unsigned long long)rep.u.serverstats.limited);
	printf("NTP replies sent           : %llu\n",
	    (unsigned long long)rep.u.serverstats.replies);
	return 0;
}

static int
parse_number(const char *s, double min, double *out)
{
	char	*end;

	*out = strtod(s, &end);
	if (*end != '\0' || end == s || !(*out >= min)) {
		fprintf(stderr, "ntpctl: invalid waitsync value '%s': give a number of at "
		    "least %g\n", s, min);
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
		usleep((useconds_t)(arg[3] * 1e6));
	}
}

static int
run_command(int argc, char **argv)
{
	int	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;

	if (strcmp(argv[0], "tracking") == 0 && argc == 1)
		return cmd_tracking();
	if (strcmp(argv[0], "sources") == 0 && argc == 1 + verbose)
		return cmd_sources(0, verbose);
	if (strcmp(argv[0], "sourcestats") == 0 && argc == 1 + verbose)
		return cmd_sources(1, verbose);
	if (strcmp(argv[0], "serverstats") == 0 && argc == 1)
		return cmd_serverstats();
	if (strcmp(argv[0], "waitsync") == 0 && argc <= 5)
		return cmd_waitsync(argc - 1, argv + 1);
	fprintf(stderr, "ntpctl: unknown command or wrong arguments: %s\n", argv[0]);
	usage(stderr);
	return 1;
}

int
ntpctl_main(int argc, char **argv)
{
	int		 ch, rc;

	/* -h names the socket, as chronyc's -h names the host, so help is only --help. */
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "+h:n")) != -1) {
		switch (ch) {
		case 'h':
			ctl_path = optarg;
			break;
		case 'n':
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 1;
	}
	next_seq = (uint32_t)getpid() << 8;
	rc = run_command(argc, argv);
	if (ctl_fd != -1)
		close(ctl_fd);
	return rc;
}
