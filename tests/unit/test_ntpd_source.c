/* test_ntpd_source.c -- sources polling a server on loopback while the clock is simulated. */
#include "testutil.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "ntpwire.h"
#include "../../applets/ntpd/ntpd.h"

#define TICK	0.002	/* seconds between advances of the simulated clock */

static struct clock_sim	sim;
static struct ntpd_conf	conf;
static double		loop_start;
static double		first_reply;	/* sim.elapsed when the server first answered, -1 before */
static int		replies;
static int		answer = 1;	/* 0: the server stays silent */
static int		server_leap = NTPWIRE_LEAP_NONE;
static double		stop_after_steps = 1;

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
	(void)arg;
	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
	    &fromlen)) > 0) {
		if (ntpwire_decode(buf, (size_t)n, &req) == -1 || !answer)
			continue;
		true_time(&now);
		memset(&rep, 0, sizeof(rep));
		rep.leap = (uint8_t)server_leap;
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
	if (sim.steps >= stop_after_steps) {
		loop_stop();
		return;
	}
	loop_add_timer(TICK, on_tick, NULL);
}

/* Open the fake server and return its port. */
static int
server_open(int *fd)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(loop_add_fd(*fd, POLLIN, on_request, NULL), 0);
	return ntohs(sin.sin_port);
}

/* Start a simulated clock offset seconds off, a discipline with makestep 1 3,
 * and one iburst source on a fake server. */
static int
setup(double offset, const char *extra_option)
{
	struct disc_config	dc;
	struct source_spec	*sp;
	int			fd;

	memset(&sim, 0, sizeof(sim));
	sim.base.tv_sec = 1800000000;
	sim.offset = offset;
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
	config_defaults(&conf);
	conf.cmdsocket[0] = '\0';
	sp = &conf.specs[conf.nspecs++];
	snprintf(sp->host, sizeof(sp->host), "127.0.0.1");
	sp->port = (uint16_t)server_open(&fd);
	sp->minpoll = 0;
	sp->maxpoll = 0;
	sp->maxsources = 4;
	sp->iburst = extra_option != NULL && strcmp(extra_option, "iburst") == 0;
	loop_add_timer(TICK, on_tick, NULL);
	return fd;
}

static void
teardown(int fd)
{
	source_stop();
	loop_del_fd(fd);
	close(fd);
	loop_close();
	memset(&ntpd_ref, 0, sizeof(ntpd_ref));
	ntpd_ref.leap = NTPWIRE_LEAP_UNSYNC;
}

/* A board that booted 3 hours behind: the first step follows the first
 * reply within 2 seconds. */
static void
test_first_step_after_first_reply(void **state)
{
	int	fd;

	(void)state;
	fd = setup(-3 * 3600.0, "iburst");
	stop_after_steps = 1;
	assert_int_equal(source_start(&conf, 0), 0);
	loop_run(6.0);
	print_message("first reply at %.3f s, first step at %.3f s (%.3f s later)\n",
	    first_reply, sim.first_step_at, sim.first_step_at - first_reply);
	assert_true(first_reply >= 0);
	assert_int_equal(sim.steps, 1);
	assert_true(sim.first_step_at - first_reply >= 0);
	assert_true(sim.first_step_at - first_reply < 2.0);
	assert_true(fabs(sim.offset) < 0.05);
	assert_true(ntpd_ref.synced);
	teardown(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_step_after_first_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
