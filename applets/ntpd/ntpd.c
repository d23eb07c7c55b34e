/* ntpd.c -- ntpd applet: chronyd's options, reading the config, start-up and shutdown. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "applets.h"
#include "conf.h"
#include "decimal.h"
#include "layout.h"
#include "log.h"
#include "loop.h"
#include "ntpd.h"
#include "ntpwire.h"
#include "privs.h"

#define DRIFT_SAVE_INTERVAL	3600.0	/* seconds between drift file writes */
#define TIME_SAVE_INTERVAL	3600.0	/* least seconds between time file writes */
#define TIME_CHECK_INTERVAL	600.0	/* seconds between checks whether one is due */
#define ONCE_CHECK_INTERVAL	0.25	/* seconds between checks for -q/-Q being done */
#define ONCE_TIMEOUT		30.0	/* seconds -q/-Q wait for replies without -t */
#define INITSTEP_TIMEOUT	10.0	/* seconds initstepslew waits for its hosts */

static const char usage_text[] =
    "usage: ntpd [-dnpqQsx] [-f FILE] [-t SECONDS] [-u USER] [DIRECTIVE...]\n"
    "  -f FILE     read FILE instead of " NTPD_CONF_DEFAULT "\n"
    "  -d          stay in the foreground and log to stderr (-d -d: debug messages)\n"
    "  -n          stay in the foreground and log to syslog\n"
    "  -x          never change the system clock: measure and serve only\n"
    "  -p          print the config as read and exit (1 when it has errors)\n"
    "  -q          set the clock once and exit\n"
    "  -Q          measure the offset once, print it and exit without changing the clock\n"
    "  -t SECONDS  exit after SECONDS\n"
    "  -s          set the clock from the saved time at start\n"
    "  -u USER     run as USER after opening the sockets\n"
    "  DIRECTIVE   config lines given as arguments replace the config file\n";

struct options {
	const char	*file;
	int		 debug;
	int		 foreground;
	int		 readonly;
	int		 print;
	int		 once;		/* 'q' or 'Q' */
	double		 timeout;
	int		 restore;
	const char	*user;
};

static struct ntpd_conf	conf;
static double		time_floor;	/* last known time at start, seconds since the epoch */
static struct ntpd_conf	new_conf;	/* read on SIGHUP before it replaces conf */
static struct options	opts;
static int		exit_code;
static int		exiting;	/* SIGTERM or SIGINT came */
static int		saved_argc;
static char		**saved_argv;

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

/*
 * Handle an argument that starts with "--" and has more after it: "--help"
 * or an abbreviation of it, with the messages of musl's getopt_long.
 * Returns 'h' or '?'.
 */
static int
long_option(const char *argv0, const char *arg)
{
	const char	*name = arg + 2;
	size_t		 len = strcspn(name, "=");

	if (len > 4 || strncmp(name, "help", len) != 0) {
		fprintf(stderr, "%s: unrecognized option: %s\n", argv0, name);
		return '?';
	}
	if (name[len] == '=') {
		fprintf(stderr, "%s: option does not take an argument: help\n", argv0);
		return '?';
	}
	return 'h';
}

/*
 * Read the options with getopt, permuting as GNU and musl getopt_long do:
 * options may follow the directives, which end up, in their order, from
 * argv[optind] on.  "--" ends the options.  This replaces getopt_long,
 * which only ntpd used and which took 1.6 KB of the static x86_64 binary.
 * The directives seen so far wait in argv[1..n], slots that getopt has passed.
 */
static int
parse_options(int argc, char **argv)
{
	const char	*arg, *end;
	int		 ch, n = 0;

	opts.file = NTPD_CONF_DEFAULT;
	optind = 1;
	while (optind < argc) {
		arg = argv[optind];
		if (arg[0] != '-' || arg[1] == '\0') {
			argv[++n] = argv[optind++];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			while (++optind < argc)
				argv[++n] = argv[optind];
			break;
		}
		if (arg[1] == '-') {
			optind++;
			ch = long_option(argv[0], arg);
		} else {
			ch = getopt(argc, argv, "46df:hnpqQst:u:x");
		}
		switch (ch) {
		case '4':
		case '6':
			break;
		case 'd':
			opts.debug++;
			opts.foreground = 1;
			break;
		case 'f':
			opts.file = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'n':
			opts.foreground = 1;
			break;
		case 'p':
			opts.print = 1;
			break;
		case 'q':
		case 'Q':
			opts.once = ch;
			break;
		case 's':
			opts.restore = 1;
			break;
		case 't':
			opts.timeout = decimal_parse(optarg, &end);
			if (end == optarg || *end != '\0' || !(opts.timeout > 0)) {
				fprintf(stderr, "ntpd: invalid -t value '%s': give seconds above 0\n",
				    optarg);
				return -1;
			}
			break;
		case 'u':
			opts.user = optarg;
			break;
		case 'x':
			opts.readonly = 1;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	optind = argc - n;
	memmove(argv + optind, argv + 1, (size_t)n * sizeof(*argv));
	return 0;
}

/* Read the config file, or the directives given as arguments, into c. */
static int
read_config(struct ntpd_conf *c)
{
	struct conf_parser		 p;
	const struct conf_directive	*table;
	size_t				 n;
	int				 i;

	config_defaults(c);
	table = config_table(&n);
	conf_init(&p, CONF_CHRONY, table, n, c);
	if (optind < saved_argc) {
		for (i = optind; i < saved_argc; i++)
			conf_parse_line(&p, "command line", i - optind + 1, saved_argv[i]);
	} else {
		conf_parse_file(&p, opts.file);
	}
	if (opts.user != NULL)
		snprintf(c->user, sizeof(c->user), "%s", opts.user);
	return p.errors > 0 ? -1 : 0;
}

static void
read_driftfile(struct disc_config *dc)
{
	FILE		*f;
	char		 line[128];
	const char	*end, *skew_end;
	double		 freq = NAN, skew = NAN;

	dc->freq_ppm = 0.0;
	dc->skew_ppm = 2000.0;
	if (conf.driftfile[0] == '\0')
		return;
	if ((f = fopen(conf.driftfile, "r")) == NULL) {
		log_warn("cannot read drift file %s; starting from 0 ppm", conf.driftfile);
		return;
	}
	if (fgets(line, sizeof(line), f) != NULL) {
		freq = decimal_parse(line, &end);
		skew = decimal_parse(end, &skew_end);
		if (end == line || skew_end == end)
			freq = NAN;
	}
	if (!isfinite(freq) || !isfinite(skew) || fabs(freq) > 5000.0) {
		log_warnx("drift file %s is not \"FREQUENCY SKEW\" in ppm; starting from 0 ppm",
		    conf.driftfile);
	} else {
		dc->freq_ppm = freq;
		dc->skew_ppm = skew;
		log_info("frequency %.3f ppm read from %s", freq, conf.driftfile);
	}
	fclose(f);
}

static void
write_driftfile(void)
{
	static int		 warned;
	struct disc_status	 st;
	char			 tmp[PATH_MAX + 8];
	FILE			*f;

	discipline_get_status(&st);
	if (conf.driftfile[0] == '\0' || st.updates < 3)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", conf.driftfile);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%20.6f %20.6f\n", st.freq_ppm,
	    st.skew_ppm) < 0 || fclose(f) == EOF || rename(tmp, conf.driftfile) == -1) {
		if (!warned)
			log_warn("cannot write drift file %s", conf.driftfile);
		warned = 1;
		(void)unlink(tmp);
	}
}

/*
 * Save the time as the sources give it: at exit (force set) and otherwise
 * when the saved time is an hour old, never more often, because the time
 * file often sits on flash.  Only a synchronised clock is saved: a floor
 * taken from a wrong clock would keep it from being set right.
 */
static void
write_timefile(int force)
{
	static double		saved;
	struct disc_status	st;
	struct timespec		now;
	double			t;

	if (conf.timefile[0] == '\0' || !ntpd_ref.synced)
		return;
	discipline_get_status(&st);
	clock_now(&now);
	t = (double)now.tv_sec + now.tv_nsec / 1e9 + st.correction;
	if (t < time_floor || (!force && t - fmax(saved, time_floor) < TIME_SAVE_INTERVAL))
		return;
	if (timefloor_save(conf.timefile, t) == 0)
		saved = t;
}

static void
on_time_timer(void *arg)
{
	(void)arg;
	write_timefile(0);
	loop_add_timer(TIME_CHECK_INTERVAL, on_time_timer, NULL);
}

static void
on_drift_timer(void *arg)
{
	(void)arg;
	write_driftfile();
	loop_add_timer(DRIFT_SAVE_INTERVAL, on_drift_timer, NULL);
}

static int	open_sockets(void);

/* Read the config again; an invalid one is logged and the running one kept. */
static void
reload(void)
{
	if (read_config(&new_conf) == -1) {
		log_warnx("config has errors; keeping the running config");
		return;
	}
	source_stop();
	serve_stop();
	cmd_stop();
	conf = new_conf;
	hook_init(conf.hookdir, conf.syncfile);
	/* XXX: after dropping root, a privileged port or socket folder cannot be reopened. */
	open_sockets();
	source_start(&conf, 0);
	log_info("config read again");
}

static void
on_signal(int signo, void *arg)
{
	(void)arg;
	if (signo == SIGHUP) {
		reload();
		layout_drop_init();
		return;
	}
	log_info("signal %d received, exiting", signo);
	exiting = 1;
	loop_stop();
}

/* chronyd's -q/-Q messages; the four share one format string. */
#define WRONG_BY	"System clock wrong by %.6f seconds"

static void
on_once_check(void *arg)
{
	double	offset, *start = arg;

	if (!source_burst_done() && clock_mono() - *start < ONCE_TIMEOUT) {
		loop_add_timer(ONCE_CHECK_INTERVAL, on_once_check, arg);
		return;
	}
	loop_stop();
	if (source_measure_once(&offset) == -1) {
		log_warnx("No suitable source for synchronisation");
		exit_code = 1;
		return;
	}
	if (opts.once == 'Q') {
		log_info(WRONG_BY "%s", -offset, " (ignored)");
		return;
	}
	if (!discipline_step_allowed(offset)) {
		log_warnx(WRONG_BY "%s", -offset, "; not stepped");
		exit_code = 1;
		return;
	}
	if (clock_step(offset) == -1) {
		log_warn(WRONG_BY "%s", -offset, "; cannot step it");
		exit_code = 1;
		return;
	}
	log_info(WRONG_BY "%s", -offset, " (step)");
}

static int
run_once(void)
{
	static double	start;

	start = clock_mono();
	if (source_start(&conf, 1) == -1)
		return 1;
	loop_add_timer(ONCE_CHECK_INTERVAL, on_once_check, &start);
	loop_run(opts.timeout);
	source_stop();
	return exit_code;
}

static int
write_pidfile(void)
{
	FILE	*f;

	if (conf.pidfile[0] == '\0')
		return 0;
	if ((f = fopen(conf.pidfile, "w")) == NULL) {
		log_warn("cannot write pid file %s", conf.pidfile);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	return 0;
}

static int
open_sockets(void)
{
	ntpd_ref.local_stratum = conf.local_stratum;
	if (conf.cmdsocket[0] != '\0')
		cmd_start(conf.cmdsocket);
	return serve_start(&conf);
}

/*
 * -s on a machine without a real-time clock: the drift file and the time
 * file are written hourly while synchronised, so the newer of the two is a
 * lower bound for the time now.  Move the clock forward to it, never back
 * (chronyd -s does this with the drift file when it has no RTC).
 */
static void
restore_time(void)
{
	struct timespec	before;
	double		step;

	clock_now(&before);
	if ((step = timefloor_restore(time_floor)) != 0)
		hook_notify("step", &before, step, "", "timefile");
}

static int
start_daemon(void)
{
	int	keep = clock_is_readonly() ? 0 : PRIVS_KEEP_SYS_TIME;

	if (!opts.foreground && daemon(0, 0) == -1) {
		log_warn("cannot run in the background");
		return -1;
	}
	write_pidfile();
	hook_init(conf.hookdir, conf.syncfile);
	if (opts.restore)
		restore_time();
	if (open_sockets() == -1)
		return -1;
	if (conf.user[0] == '\0' || strcmp(conf.user, "root") == 0)
		return 0;
	/* ntpctl as root or in the user's group keeps access to the socket (0660). */
	if (conf.cmdsocket[0] != '\0' && access(conf.cmdsocket, F_OK) == 0)
		(void)privs_give(conf.cmdsocket, conf.user, NULL);
	return privs_drop(conf.user, NULL, keep);
}

static int
run_daemon(void)
{
	if (start_daemon() == -1)
		return 1;
	source_initstep(&conf, INITSTEP_TIMEOUT);
	if (!exiting && source_start(&conf, 0) == -1)
		return 1;
	loop_add_timer(DRIFT_SAVE_INTERVAL, on_drift_timer, NULL);
	loop_add_timer(TIME_CHECK_INTERVAL, on_time_timer, NULL);
	layout_drop_init();
	if (!exiting)
		loop_run(opts.timeout);
	write_driftfile();
	write_timefile(1);
	source_stop();
	serve_stop();
	cmd_stop();
	hook_stop();
	if (conf.pidfile[0] != '\0')
		(void)unlink(conf.pidfile);
	return exit_code;
}

static void
init_logging(void)
{
	int	dest = LOG_TO_SYSLOG;

	if (opts.debug || opts.once || opts.print)
		dest = LOG_TO_STDERR;
	log_init(dest, opts.debug > 1, "ntpd", LOG_DAEMON);
}

static void
init_discipline(void)
{
	struct disc_config	dc;

	config_discipline(&conf, &dc);
	read_driftfile(&dc);
	discipline_init(&dc);
	time_floor = timefloor_load(conf.driftfile, conf.timefile);
	discipline_set_floor(time_floor);
}

int
ntpd_main(int argc, char **argv)
{
	if (parse_options(argc, argv) == -1)
		return 1;
	saved_argc = argc;
	saved_argv = argv;
	init_logging();
	if (read_config(&conf) == -1)
		return 1;
	if (opts.print) {
		config_print(stdout, &conf);
		return 0;
	}
	if (clock_init_real(opts.readonly || opts.once == 'Q') == -1)
		log_warn("cannot reset the kernel clock status");
	if (clock_is_readonly() && opts.once != 'Q')
		log_info("-x: the system clock will not be changed");
	if (loop_init() == -1)
		fatal("cannot start the event loop");
	loop_add_signal(SIGTERM, on_signal, NULL);
	loop_add_signal(SIGINT, on_signal, NULL);
	loop_add_signal(SIGHUP, on_signal, NULL);
	init_discipline();
	if (opts.once)
		return run_once();
	return run_daemon();
}
