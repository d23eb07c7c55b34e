/* test_ntpd_source.c -- sources polling a server on loopback while the clock is simulated. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "ntpwire.h"
#include "../../applets/ntpd/ntpd.h"

#define TICK		0.002		/* seconds between advances of the simulated clock */
#define BASE		1800000000	/* 2027-01-15 08:00:00 UTC */
#define LEAP_DAY_NOON	1814356800	/* 2027-06-30 12:00:00 UTC */

static struct clock_sim	sim;
static struct ntpd_conf	conf;
static double		loop_start;
static double		first_reply;	/* sim.elapsed when the server first answered, -1 before */
static int		replies;
static int		answer = 1;	/* 0: the servers stay silent */
static int		server_leap[3];	/* leap indicator each server sends */
static int		server_fd[3];
static int		nservers;
static int		(*done)(void);	/* the loop stops when this returns 1 */
static int		rtcsync;
static int		start_sources = 1;	/* 0: setup leaves source_start to the test */
static int		readonly_clock;
static const char	*hookdir = "";
static const char	*syncfile = "";

/* Count the lines of text that equal line. */
static int
count_lines(const char *text, const char *line)
{
	size_t	len = strlen(line);
	int	n = 0;

	while (*text != '\0') {
		if (strncmp(text, line, len) == 0 && text[len] == '\n')
			n++;
		text = strchr(text, '\n');
		if (text == NULL)
			break;
		text++;
	}
	return n;
}

/* The true time: the simulation's base plus its elapsed seconds. */
static void
true_time(struct timespec *ts)
{
	*ts = sim.base;
	ntpwire_timespec_add(ts, sim.elapsed);
}

static void
on_request(int fd, short revents, void *arg)
{
	struct sockaddr_in	from;
	socklen_t		fromlen = sizeof(from);
	struct ntpwire_packet	req, rep;
	struct timespec		now;
	uint8_t			buf[128];
	ssize_t			n;

	(void)revents;
	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
	    &fromlen)) > 0) {
		if (ntpwire_decode(buf, (size_t)n, &req) == -1 || !answer)
			continue;
		true_time(&now);
		memset(&rep, 0, sizeof(rep));
		rep.leap = (uint8_t)server_leap[(int)(intptr_t)arg];
		rep.version = 4;
		rep.mode = NTPWIRE_MODE_SERVER;
		rep.stratum = 2;
		rep.precision = -20;
		rep.refid = 0x7f000001;
		rep.reftime = ntpwire_from_timespec(&now);
		rep.origin = req.transmit;
		rep.receive = rep.transmit = ntpwire_from_timespec(&now);
		ntpwire_encode(&rep, buf, NTPWIRE_HEADER_LEN);
		if (sendto(fd, buf, NTPWIRE_HEADER_LEN, 0, (struct sockaddr *)&from,
		    fromlen) == NTPWIRE_HEADER_LEN) {
			if (replies++ == 0)
				first_reply = sim.elapsed;
		}
	}
}

/* Keep the simulated clock's true time on the loop's monotonic time. */
static void
on_tick(void *arg)
{
	double	target = loop_now() - loop_start;

	(void)arg;
	if (target > sim.elapsed)
		clock_sim_advance(&sim, target - sim.elapsed);
	loop_add_timer(TICK, on_tick, NULL);
	if (done != NULL && done())
		loop_stop();
}

/* Open fake server number i on 127.0.0.(i + 1) and return its port. */
static int
server_open(int i)
{
	int			*fd = &server_fd[i];
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)i);
	*fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(loop_add_fd(*fd, POLLIN, on_request, (void *)(intptr_t)i), 0);
	return ntohs(sin.sin_port);
}

/* Start a simulated clock offset seconds off at true time base, a
 * discipline with makestep 1 3, and n sources on fake servers polled every
 * 2^poll seconds. */
static void
setup(time_t base, double offset, int n, int poll, int iburst)
{
	struct disc_config	dc;
	struct source_spec	*sp;
	int			i;

	memset(&sim, 0, sizeof(sim));
	sim.base.tv_sec = base;
	sim.offset = offset;
	sim.readonly = readonly_clock;
	clock_init_sim(&sim);
	memset(&dc, 0, sizeof(dc));
	dc.makestep_threshold = 1.0;
	dc.makestep_limit = 3;
	dc.initstep_threshold = -1;
	dc.maxslewrate = 83333.333;
	dc.skew_ppm = 2000;
	discipline_init(&dc);
	assert_int_equal(loop_init(), 0);
	loop_start = loop_now();
	first_reply = -1;
	replies = 0;
	answer = 1;
	done = NULL;
	nservers = n;
	config_defaults(&conf);
	conf.cmdsocket[0] = '\0';
	conf.rtcsync = rtcsync;
	for (i = 0; i < n; i++) {
		sp = &conf.specs[conf.nspecs++];
		snprintf(sp->host, sizeof(sp->host), "127.0.0.%d", i + 1);
		sp->port = (uint16_t)server_open(i);
		sp->minpoll = poll;
		sp->maxpoll = poll;
		sp->maxsources = 4;
		sp->iburst = iburst;
	}
	hook_init(hookdir, syncfile);
	loop_add_timer(TICK, on_tick, NULL);
	if (start_sources)
		assert_int_equal(source_start(&conf, 0), 0);
}

static void
teardown(void)
{
	int	i;

	source_stop();
	hook_stop();
	for (i = 0; i < nservers; i++) {
		loop_del_fd(server_fd[i]);
		close(server_fd[i]);
		server_leap[i] = NTPWIRE_LEAP_NONE;
	}
	loop_close();
	memset(&ntpd_ref, 0, sizeof(ntpd_ref));
	ntpd_ref.leap = NTPWIRE_LEAP_UNSYNC;
	rtcsync = 0;
	readonly_clock = 0;
	start_sources = 1;
	hookdir = syncfile = "";
}

static int
stepped(void)
{
	return sim.steps >= 1;
}

static int
synced(void)
{
	return ntpd_ref.synced;
}

static int
unsynced(void)
{
	return !ntpd_ref.synced;
}

static int
hooks_done(void)
{
	return hook_running() == 0;
}

/* Run the loop until done() or for at most seconds. */
static void
run_until(int (*pred)(void), double seconds)
{
	done = pred;
	loop_run(seconds);
	done = NULL;
}

/* Return the contents of path (at most 4 KiB), "" when it cannot be read. */
static const char *
slurp(const char *path)
{
	static char	buf[4096];
	FILE		*f;
	size_t		n = 0;

	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* A board that booted 3 hours behind: the first step follows the first
 * reply within 2 seconds. */
static void
test_first_step_after_first_reply(void **state)
{
	(void)state;
	setup(BASE, -3 * 3600.0, 1, 0, 1);
	run_until(stepped, 6.0);
	print_message("first reply at %.3f s, first step at %.3f s (%.3f s later)\n",
	    first_reply, sim.first_step_at, sim.first_step_at - first_reply);
	assert_true(first_reply >= 0);
	assert_int_equal(sim.steps, 1);
	assert_true(sim.first_step_at - first_reply >= 0);
	assert_true(sim.first_step_at - first_reply < 2.0);
	assert_true(fabs(sim.offset) < 0.05);
	assert_true(ntpd_ref.synced);
	teardown();
}

/* Without rtcsync the kernel gets the errors but keeps STA_UNSYNC, as with
 * chronyd on Linux; sources that stop replying end the synchronisation. */
static void
test_kernel_errors_without_rtcsync(void **state)
{
	(void)state;
	setup(BASE, 0.002, 1, -3, 0);
	run_until(synced, 3.0);
	assert_true(ntpd_ref.synced);
	assert_true(sim.sync_calls >= 1);
	assert_int_equal(sim.unsync, 1);
	assert_true(sim.esterror < 0.01);
	assert_true(sim.maxerror < 0.01);
	answer = 0;
	run_until(unsynced, 5.0);
	assert_false(ntpd_ref.synced);
	assert_int_equal(ntpd_ref.leap, NTPWIRE_LEAP_UNSYNC);
	assert_int_equal(sim.unsync, 1);
	assert_true(sim.maxerror == 16.0);
	teardown();
}

static void
test_rtcsync_clears_unsync(void **state)
{
	(void)state;
	rtcsync = 1;
	setup(BASE, 0.002, 1, -3, 0);
	run_until(synced, 3.0);
	assert_true(ntpd_ref.synced);
	assert_int_equal(sim.unsync, 0);
	assert_true(sim.maxerror > 0);
	assert_true(sim.maxerror < 0.01);
	assert_true(sim.esterror <= sim.maxerror);
	answer = 0;
	run_until(unsynced, 5.0);
	assert_int_equal(sim.unsync, 1);
	teardown();
}

/* The leap second run_leap waits for; NONE: run the fixed 0.8 s. */
static int	leap_want;

static int
leap_armed(void)
{
	return ntpd_ref.synced && ntpd_ref.leap == leap_want &&
	    (readonly_clock || sim.leap == leap_want);
}

/*
 * Run three servers, `announcing` of them with a leap second, at true time
 * base.  With want set, run until ntpd arms that leap second (at most 5 s).
 * The vote counts only combined sources.  On a slow machine (qemu for
 * armv7) an announcing source can drop out of the combination for a poll
 * and disarm the leap second until it is back.  Without want, run 0.8 s,
 * long enough for any vote to arm it wrongly.
 */
static void
run_leap(time_t base, int announcing, int leap, int want)
{
	int	i;

	for (i = 0; i < announcing; i++)
		server_leap[i] = leap;
	setup(base, 0.0005, 3, -3, 0);
	leap_want = want;
	run_until(want != NTPWIRE_LEAP_NONE ? leap_armed : NULL,
	    want != NTPWIRE_LEAP_NONE ? 5.0 : 0.8);
}

static void
test_leap_armed_by_majority(void **state)
{
	(void)state;
	rtcsync = 1;
	run_leap(LEAP_DAY_NOON, 2, NTPWIRE_LEAP_INSERT, NTPWIRE_LEAP_INSERT);
	assert_true(ntpd_ref.synced);
	assert_int_equal(sim.leap, NTPWIRE_LEAP_INSERT);
	assert_int_equal(ntpd_ref.leap, NTPWIRE_LEAP_INSERT);
	teardown();
	run_leap(LEAP_DAY_NOON, 2, NTPWIRE_LEAP_DELETE, NTPWIRE_LEAP_DELETE);
	assert_int_equal(sim.leap, NTPWIRE_LEAP_DELETE);
	teardown();
	/* One source of three is no majority. */
	run_leap(LEAP_DAY_NOON, 1, NTPWIRE_LEAP_INSERT, NTPWIRE_LEAP_NONE);
	assert_true(ntpd_ref.synced);
	assert_int_equal(sim.leap, NTPWIRE_LEAP_NONE);
	assert_int_equal(ntpd_ref.leap, NTPWIRE_LEAP_NONE);
	teardown();
	/* The day before, the kernel would insert the second a day early. */
	run_leap(LEAP_DAY_NOON - 86400, 3, NTPWIRE_LEAP_INSERT, NTPWIRE_LEAP_NONE);
	assert_true(ntpd_ref.synced);
	assert_int_equal(sim.leap, NTPWIRE_LEAP_NONE);
	assert_int_equal(ntpd_ref.leap, NTPWIRE_LEAP_NONE);
	teardown();
}

/* Under -x clients still hear of the leap second, the kernel of nothing. */
static void
test_readonly_tells_kernel_nothing(void **state)
{
	(void)state;
	readonly_clock = 1;
	rtcsync = 1;
	run_leap(LEAP_DAY_NOON, 3, NTPWIRE_LEAP_INSERT, NTPWIRE_LEAP_INSERT);
	assert_true(ntpd_ref.synced);
	assert_int_equal(ntpd_ref.leap, NTPWIRE_LEAP_INSERT);
	assert_int_equal(sim.leap, NTPWIRE_LEAP_NONE);
	assert_int_equal(sim.sync_calls, 0);
	assert_true(sim.freq == 0);
	assert_int_equal(sim.steps, 0);
	teardown();
}

/* A burst of events neither blocks the loop nor queues without bound. */
static void
test_hook_queue_bounded(void **state)
{
	char		dir[] = "/tmp/edgebox-hookq-XXXXXX";
	char		script[64], out[64], gate[64], cmd[200];
	struct timespec	now = { BASE, 0 };
	double		start;
	FILE		*f;
	int		i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/run", dir);
	snprintf(out, sizeof(out), "%s.out", dir);
	snprintf(gate, sizeof(gate), "%s.gate", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	/* The first run waits for the gate, so it is still running when the
	 * queue is counted, however fast the machine. */
	fprintf(f, "#!/bin/sh\nwhile [ ! -e %s ]; do sleep 0.01; done\n"
	    "echo \"$EDGEBOX_REASON\" >>%s\n", gate, out);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	hookdir = dir;
	start_sources = 0;
	setup(BASE, 0, 0, 6, 0);
	start = loop_now();
	for (i = 0; i < 40; i++) {
		snprintf(cmd, sizeof(cmd), "event %d", i);
		hook_notify("sync", &now, 0, "", cmd);
	}
	assert_true(loop_now() - start < 0.5);
	/* One runs, 32 wait, the last 7 are dropped. */
	assert_int_equal(hook_running(), 33);
	f = fopen(gate, "w");
	assert_non_null(f);
	fclose(f);
	run_until(hooks_done, 10.0);
	assert_int_equal(hook_running(), 0);
	/* They ran in order. */
	assert_non_null(strstr(slurp(out), "event 0\nevent 1\nevent 2\n"));
	assert_int_equal(count_lines(slurp(out), "event 32"), 1);
	assert_int_equal(count_lines(slurp(out), "event 33"), 0);
	teardown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", dir, out, gate);
	assert_int_equal(system(cmd), 0);
}

/* initstepslew polls its own host: a clock 30 s off is stepped before any
 * server line is polled, one 0.5 s off is slewed. */
static void
test_initstepslew_polls_its_hosts(void **state)
{
	struct disc_status	st;

	(void)state;
	start_sources = 0;
	setup(BASE, -30.0, 1, 6, 0);
	conf.initstep_threshold = 10;
	snprintf(conf.initstep_hosts, sizeof(conf.initstep_hosts), " 127.0.0.1");
	conf.initstep_port = conf.specs[0].port;
	assert_int_equal(source_initstep(&conf, 8.0), 0);
	assert_int_equal(sim.steps, 1);
	assert_true(fabs(sim.offset) < 0.05);
	/* It polls 4 times, 2 s apart, and stops once the last reply is in. */
	assert_true(sim.elapsed < 7.0);
	assert_int_equal(replies, 4);
	assert_int_equal(source_count(), 0);
	teardown();

	start_sources = 0;
	setup(BASE, -0.5, 1, 6, 0);
	conf.initstep_threshold = 10;
	snprintf(conf.initstep_hosts, sizeof(conf.initstep_hosts), " 127.0.0.1");
	conf.initstep_port = conf.specs[0].port;
	/* The deadline ends the burst early: a measurement is taken all the same. */
	assert_int_equal(source_initstep(&conf, 1.0), 0);
	assert_int_equal(sim.steps, 0);
	discipline_get_status(&st);
	assert_int_equal(st.updates, 1);
	assert_true(sim.freq > 1000.0);
	teardown();

	/* A host that never replies leaves the clock alone. */
	start_sources = 0;
	setup(BASE, -30.0, 1, 6, 0);
	answer = 0;
	conf.initstep_threshold = 10;
	snprintf(conf.initstep_hosts, sizeof(conf.initstep_hosts), " 127.0.0.1");
	conf.initstep_port = conf.specs[0].port;
	assert_int_equal(source_initstep(&conf, 1.0), -1);
	assert_int_equal(sim.steps, 0);
	teardown();
}

static void
test_hooks_and_marker(void **state)
{
	char		dir[] = "/tmp/edgebox-hook-XXXXXX";
	char		script[64], marker[64], out[64], cmd[200];
	const char	*text;
	FILE		*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/10-env", dir);
	snprintf(marker, sizeof(marker), "%s.synced", dir);
	snprintf(out, sizeof(out), "%s.out", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n{ echo \"arg=$1\"; env | grep ^EDGEBOX_ | sort; echo end; } >>%s\n",
	    out);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	/* A file that is not executable and a dot file are not run. */
	snprintf(cmd, sizeof(cmd), "echo exit 1 >%s/20-plain; cp %s %s/.hidden", dir, script, dir);
	assert_int_equal(system(cmd), 0);
	hookdir = dir;
	syncfile = marker;
	setup(BASE, -100.0, 1, -3, 0);
	run_until(synced, 3.0);
	assert_true(ntpd_ref.synced);
	assert_string_equal(slurp(marker), "127.0.0.1\n");
	run_until(hooks_done, 3.0);
	text = slurp(out);
	assert_non_null(strstr(text, "arg=step\nEDGEBOX_EVENT=step\nEDGEBOX_NEW_TIME="));
	assert_non_null(strstr(text, "EDGEBOX_OFFSET=+100.0"));
	assert_non_null(strstr(text, "EDGEBOX_REASON=makestep\nEDGEBOX_SOURCE=127.0.0.1\n"));
	assert_non_null(strstr(text, "arg=sync\nEDGEBOX_EVENT=sync\n"));
	assert_non_null(strstr(text, "EDGEBOX_REASON=selected\nEDGEBOX_SOURCE=127.0.0.1\n"));
	/* The step hook's times are a step apart, in seconds since 1970. */
	assert_non_null(strstr(text, "EDGEBOX_OLD_TIME=17999999"));
	assert_non_null(strstr(text, "EDGEBOX_NEW_TIME=18000000"));
	assert_null(strstr(text, "unsync"));
	answer = 0;
	run_until(unsynced, 5.0);
	run_until(hooks_done, 3.0);
	assert_non_null(strstr(slurp(out), "arg=unsync\nEDGEBOX_EVENT=unsync\n"));
	assert_non_null(strstr(slurp(out), "EDGEBOX_REASON=no selectable sources\n"));
	assert_int_equal(access(marker, F_OK), -1);
	/* Three runs: step, sync, unsync. */
	text = slurp(out);
	assert_int_equal(count_lines(text, "end"), 3);
	teardown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, out);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_step_after_first_reply),
		cmocka_unit_test(test_kernel_errors_without_rtcsync),
		cmocka_unit_test(test_rtcsync_clears_unsync),
		cmocka_unit_test(test_leap_armed_by_majority),
		cmocka_unit_test(test_readonly_tells_kernel_nothing),
		cmocka_unit_test(test_hooks_and_marker),
		cmocka_unit_test(test_hook_queue_bounded),
		cmocka_unit_test(test_initstepslew_polls_its_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
