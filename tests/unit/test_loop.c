/* test_loop.c -- the event loop: timer order and cancellation, fds, signals, deadlines. */
#include "testutil.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

static int	fired[64];
static int	nfired;

static void
record_timer(void *arg)
{
	fired[nfired++] = (int)(intptr_t)arg;
}

static void
stop_timer(void *arg)
{
	loop_stop();
}

static void
timers_fire_in_order(void **state)
{
	uint64_t	cancelled;

	loop_init();
	nfired = 0;
	loop_add_timer(0.03, record_timer, (void *)3);
	loop_add_timer(0.01, record_timer, (void *)1);
	cancelled = loop_add_timer(0.015, record_timer, (void *)99);
	loop_add_timer(0.02, record_timer, (void *)2);
	loop_add_timer(0.05, stop_timer, NULL);
	loop_cancel_timer(cancelled);
	loop_cancel_timer(cancelled);	/* twice is harmless */
	assert_int_equal(loop_run(2.0), 0);
	assert_int_equal(nfired, 3);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 2);
	assert_int_equal(fired[2], 3);
	loop_close();
}

/* Each timer records the wake-up time it ran at and the clock then. */
static double	wake_seen[2], clock_seen[2];
static int	nwake;

static void
record_wake(void *arg)
{
	wake_seen[nwake] = loop_wake_time();
	clock_seen[nwake] = loop_now();
	nwake++;
}

/* loop_wake_time is read when poll returns: not after the callback's own
 * clock, and read again at the next wake-up. */
static void
wake_time_per_wakeup(void **state)
{
	double	start;

	loop_init();
	nwake = 0;
	start = loop_now();
	loop_add_timer(0.01, record_wake, NULL);
	loop_add_timer(0.06, record_wake, NULL);
	loop_add_timer(0.08, stop_timer, NULL);
	assert_int_equal(loop_run(2.0), 0);
	assert_int_equal(nwake, 2);
	assert_true(wake_seen[0] >= start + 0.01);
	assert_true(wake_seen[0] <= clock_seen[0]);
	assert_true(wake_seen[1] >= start + 0.06);
	assert_true(wake_seen[1] <= clock_seen[1]);
	assert_true(wake_seen[1] - wake_seen[0] >= 0.04);
	loop_close();
}

/*
 * Random delays and cancellations: every timer left fires once, in deadline
 * order.  A timer's deadline is its delay plus the clock at loop_add_timer,
 * which the test brackets between two readings: a timer fired after another
 * whose deadline was certainly later is out of order.  Slow emulators (qemu)
 * spread the additions, so the test never compares the delays alone.
 */
static double	deadline_low[LOOP_MAX_TIMERS], deadline_high[LOOP_MAX_TIMERS];
static int	random_count[LOOP_MAX_TIMERS];
static double	latest_low_fired;
static int	random_out_of_order;

static void
random_timer(void *arg)
{
	int	i = (int)(intptr_t)arg;

	random_count[i]++;
	if (deadline_high[i] < latest_low_fired)
		random_out_of_order++;
	if (deadline_low[i] > latest_low_fired)
		latest_low_fired = deadline_low[i];
}

static void
timers_random_heap(void **state)
{
	uint64_t	ids[300];
	double		delay, before;
	int		i, n = 300;

	loop_init();
	srand(7);
	latest_low_fired = 0;
	random_out_of_order = 0;
	for (i = 0; i < n; i++) {
		/* A permutation of delays 0.1 ms apart. */
		delay = (double)((i * 7919) % n) / 10000.0;
		random_count[i] = 0;
		before = loop_now();
		ids[i] = loop_add_timer(delay, random_timer, (void *)(intptr_t)i);
		deadline_low[i] = before + delay;
		deadline_high[i] = loop_now() + delay;
		assert_true(ids[i] != 0);
	}
	for (i = 0; i < n; i++)
		if (rand() % 3 == 0)
			loop_cancel_timer(ids[i]);
		else
			ids[i] = 0;
	loop_add_timer(0.1, stop_timer, NULL);
	loop_run(5.0);
	for (i = 0; i < n; i++)
		assert_int_equal(random_count[i], ids[i] != 0 ? 0 : 1);
	assert_int_equal(random_out_of_order, 0);
	loop_close();
}

static void
count_timer(void *arg)
{
	(*(int *)arg)++;
}

static void
timers_capacity(void **state)
{
	int	i, count = 0;

	loop_init();
	for (i = 0; i < LOOP_MAX_TIMERS; i++)
		assert_true(loop_add_timer(0, count_timer, &count) != 0);
	assert_true(loop_add_timer(0, count_timer, &count) == 0);
	loop_run(0.01);
	assert_int_equal(count, LOOP_MAX_TIMERS);
	loop_close();
}

static void
on_readable(int fd, short revents, void *arg)
{
	char	buf[16];

	assert_true(revents & POLLIN);
	*(ssize_t *)arg = read(fd, buf, sizeof(buf));
	loop_del_fd(fd);
	loop_stop();
}

static void
fd_callback(void **state)
{
	int	p[2];
	ssize_t	got = -1;

	loop_init();
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add_fd(p[0], POLLIN, on_readable, &got), 0);
	assert_int_equal(loop_add_fd(p[0], POLLIN, on_readable, &got), -1);
	assert_int_equal(write(p[1], "hello", 5), 5);
	loop_run(2.0);
	assert_int_equal(got, 5);
	close(p[0]);
	close(p[1]);
	loop_close();
}

static void
on_signal(int signo, void *arg)
{
	*(int *)arg = signo;
	loop_stop();
}

static void
raise_usr1(void *arg)
{
	raise(SIGUSR1);
}

static void
signal_through_loop(void **state)
{
	int	got = 0;

	loop_init();
	assert_int_equal(loop_add_signal(SIGUSR1, on_signal, &got), 0);
	loop_add_timer(0.01, raise_usr1, NULL);
	loop_run(2.0);
	assert_int_equal(got, SIGUSR1);
	loop_close();
}

static void
deadline_ends_run(void **state)
{
	double	start;

	loop_init();
	start = loop_now();
	assert_int_equal(loop_run(0.05), 0);
	assert_true(loop_now() - start >= 0.05);
	assert_true(loop_now() - start < 1.0);
	loop_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_order),
		cmocka_unit_test(wake_time_per_wakeup),
		cmocka_unit_test(timers_random_heap),
		cmocka_unit_test(timers_capacity),
		cmocka_unit_test(fd_callback),
		cmocka_unit_test(signal_through_loop),
		cmocka_unit_test(deadline_ends_run),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
