/* test_ntpd_discipline.c -- clock filter and discipline against a simulated clock. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ntpwire.h"
#include "../../applets/ntpd/ntpd.h"

static struct clock_sim	sim;

/* Gaussian noise with standard deviation sd (Box-Muller). */
static double
noise(double sd)
{
	double	u1 = (random() + 1.0) / (RAND_MAX + 2.0);
	double	u2 = (random() + 1.0) / (RAND_MAX + 2.0);

	return sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void
start(double offset, double drift_ppm, double makestep, int limit, double initial_freq)
{
	struct disc_config	dc;

	memset(&sim, 0, sizeof(sim));
	sim.base.tv_sec = 1800000000;
	sim.offset = offset;
	sim.drift = drift_ppm;
	clock_init_sim(&sim);
	memset(&dc, 0, sizeof(dc));
	dc.makestep_threshold = makestep;
	dc.makestep_limit = limit;
	dc.initstep_threshold = -1;
	dc.maxslewrate = 83333.333;
	dc.freq_ppm = initial_freq;
	dc.skew_ppm = 2000;
	discipline_init(&dc);
}

/* Advance true time to `until`, ending slews where they end. */
static void
advance(double until)
{
	double	next;

	while (sim.elapsed < until) {
		next = discipline_next();
		if (next <= sim.elapsed || next > until)
			next = until;
		clock_sim_advance(&sim, next - sim.elapsed);
		discipline_tick(sim.elapsed);
	}
}

/* Measure (server minus local, with noise) every interval seconds for duration. */
static void
run(double interval, double duration, double sd)
{
	double	end = sim.elapsed + duration, off, now;

	while (sim.elapsed + interval <= end + 1e-9) {
		advance(sim.elapsed + interval);
		now = sim.elapsed;
		off = -sim.offset + noise(sd);
		discipline_update(now, off, now, off + discipline_phase(now));
	}
}

static void
test_hours_offset_500ppm(void **state)
{
	struct disc_status	st;

	(void)state;
	srandom(10);
	start(-3 * 3600.0, 500.0, 1.0, 3, 0.0);
	run(2.0, 8.0, 20e-6);		/* iburst */
	assert_int_equal(sim.steps, 1);
	assert_true(fabs(sim.offset) < 0.1);
	run(64.0, 4 * 3600.0, 20e-6);
	discipline_get_status(&st);
	assert_true(fabs(sim.offset) < 100e-6);
	assert_true(fabs(st.freq_ppm - 500.0) < 1.0);
	assert_true(fabs(sim.freq + 500.0) < 2.0);
	assert_int_equal(sim.steps, 1);
}

static void
test_slew_without_step(void **state)
{
	struct disc_status	st;

	(void)state;
	srandom(11);
	start(0.5, -1000.0, 0.0, 0, 0.0);
	run(16.0, 2 * 3600.0, 10e-6);
	discipline_get_status(&st);
	assert_int_equal(sim.steps, 0);
	assert_true(fabs(sim.offset) < 50e-6);
	assert_true(fabs(st.freq_ppm + 1000.0) < 1.0);
}

static void
test_frequency_change_tracked(void **state)
{
	(void)state;
	srandom(12);
	start(0.001, 200.0, 1.0, 3, 200.0);
	run(32.0, 3600.0, 10e-6);
	assert_true(fabs(sim.offset) < 50e-6);
	sim.drift = 230.0;		/* temperature change */
	run(32.0, 3 * 3600.0, 10e-6);
	assert_true(fabs(sim.offset) < 50e-6);
	assert_true(fabs(sim.freq + 230.0) < 1.0);
}

static void
test_makestep_limit(void **state)
{
	(void)state;
	srandom(13);
	start(0.0, 0.0, 1.0, 2, 0.0);
	run(16.0, 64.0, 1e-6);
	/* Past the limit, a large offset is slewed, not stepped. */
	sim.offset = 5.0;
	run(16.0, 16.0, 1e-6);
	assert_int_equal(sim.steps, 0);
	assert_true(sim.freq < -1000.0);
}

static void
test_makestep_command_steps_slew(void **state)
{
	struct disc_status	st;
	double			step;

	(void)state;
	srandom(16);
	start(0.0, 0.0, 1.0, 0, 0.0);
	run(16.0, 64.0, 1e-6);
	/* The clock jumps 0.5 s ahead; with makestep off the update slews. */
	sim.offset = 0.5;
	run(16.0, 16.0, 1e-6);
	advance(sim.elapsed + 1.0);
	assert_int_equal(sim.steps, 0);
	assert_true(discipline_next() > sim.elapsed);
	/* makestep steps what the slew has left and ends the slew. */
	assert_int_equal(discipline_makestep(sim.elapsed, &step), 0);
	assert_int_equal(sim.steps, 1);
	assert_true(step < -0.3 && step > -0.5);
	assert_true(fabs(sim.offset) < 1e-3);
	assert_true(discipline_next() == 0);
	discipline_get_status(&st);
	assert_true(st.correction == 0.0);
	/* Nothing is left: a second makestep succeeds without a step. */
	assert_int_equal(discipline_makestep(sim.elapsed, &step), 0);
	assert_true(step == 0.0);
	assert_int_equal(sim.steps, 1);
}

static void
test_makestep_command_readonly(void **state)
{
	double	step;

	(void)state;
	srandom(17);
	start(0.0, 0.0, 1.0, -1, 0.0);
	sim.readonly = 1;
	clock_init_sim(&sim);
	sim.offset = 0.5;
	run(16.0, 64.0, 1e-6);
	/* As with -x: makestep fails with EPERM and the clock keeps its offset. */
	errno = 0;
	assert_int_equal(discipline_makestep(sim.elapsed, &step), -1);
	assert_int_equal(errno, EPERM);
	assert_true(step == 0.0);
	assert_int_equal(sim.steps, 0);
	assert_true(sim.offset == 0.5);
	assert_true(sim.freq == 0.0);
}

static void
test_makestep_command_threshold(void **state)
{
	(void)state;
	srandom(18);
	start(0.0, 0.0, 1.0, 0, 0.0);
	run(16.0, 64.0, 1e-6);
	/* "makestep 0.1 1": the next update may step, the one after it not. */
	discipline_set_makestep(0.1, 1);
	sim.offset = 0.5;
	run(16.0, 16.0, 1e-6);
	assert_int_equal(sim.steps, 1);
	assert_true(fabs(sim.offset) < 1e-3);
	sim.offset = 0.5;
	run(16.0, 16.0, 1e-6);
	assert_int_equal(sim.steps, 1);
	/* A limit of -1 steps in every update (once the last slew has ended). */
	discipline_set_makestep(0.1, -1);
	advance(sim.elapsed + 60.0);
	sim.offset = 0.5;
	run(16.0, 16.0, 1e-6);
	assert_int_equal(sim.steps, 2);
}

static void
test_initstepslew(void **state)
{
	struct disc_config	dc;

	(void)state;
	memset(&sim, 0, sizeof(sim));
	sim.offset = 30.0;
	clock_init_sim(&sim);
	memset(&dc, 0, sizeof(dc));
	dc.initstep_threshold = 10;
	dc.maxslewrate = 83333.333;
	discipline_init(&dc);
	advance(2.0);
	discipline_update(2.0, -30.0, 2.0, -30.0 + discipline_phase(2.0));
	assert_int_equal(sim.steps, 1);
	assert_true(fabs(sim.offset) < 1e-6);
}

static void
test_offset_carried_forward(void **state)
{
	double	raw, predicted;

	(void)state;
	/* The drift file knows the 100 ppm, so the clock holds its offset. */
	start(0.002, 100.0, 1.0, 0, 100.0);
	advance(10.0);
	raw = -sim.offset + discipline_phase(sim.elapsed);
	advance(110.0);
	predicted = discipline_offset_now(raw, 10.0, sim.elapsed);
	assert_true(fabs(predicted - -sim.offset) < 1e-9);
	assert_true(fabs(sim.offset - 0.002) < 1e-9);
}

#define FILTER_PHI	15e-6	/* s/s: RFC 5905's frequency tolerance */

static void
filter_put(struct filter *f, double mono, double offset, double delay)
{
	struct filter_sample	s;

	memset(&s, 0, sizeof(s));
	s.mono = mono;
	s.offset = offset;
	s.raw = offset;
	s.delay = delay;
	filter_add(f, &s);
}

static void
test_filter_min_delay(void **state)
{
	struct filter			 f;
	const struct filter_sample	*best;

	(void)state;
	filter_reset(&f);
	filter_put(&f, 1, 0.010, 0.050);
	best = filter_best(&f, FILTER_PHI);
	assert_non_null(best);
	assert_true(best->offset == 0.010);
	filter_put(&f, 2, 0.001, 0.002);
	best = filter_best(&f, FILTER_PHI);
	assert_non_null(best);
	assert_true(best->offset == 0.001);
	/* A worse sample leaves the best one, which was already used. */
	filter_put(&f, 3, 0.030, 0.090);
	assert_null(filter_best(&f, FILTER_PHI));
	/* A sample close to the minimum delay is used at once. */
	filter_put(&f, 4, 0.0015, 0.0025);
	best = filter_best(&f, FILTER_PHI);
	assert_non_null(best);
	assert_true(best->mono == 4);
}

static void
test_filter_window(void **state)
{
	struct filter			 f;
	const struct filter_sample	*best;
	int				 i;

	(void)state;
	filter_reset(&f);
	filter_put(&f, 0, 0.5, 0.001);
	assert_non_null(filter_best(&f, FILTER_PHI));
	for (i = 1; i <= FILTER_SIZE; i++)
		filter_put(&f, i, 0.002, 0.010 + i * 0.001);
	/* The old minimum dropped out of the eight; the best of the rest is new. */
	best = filter_best(&f, FILTER_PHI);
	assert_non_null(best);
	assert_true(best->mono == 1);
	assert_int_equal(f.n, FILTER_SIZE);
}

static void
test_filter_stats(void **state)
{
	struct filter		f;
	struct filter_stats	st;
	int			i;

	(void)state;
	filter_reset(&f);
	/* A local clock 10 ppm fast: the offset falls by 10 us a second. */
	for (i = 0; i < 8; i++)
		filter_put(&f, i * 64.0, -10e-6 * i * 64.0, 0.001);
	filter_get_stats(&f, 7 * 64.0, 0.0, &st);
	assert_int_equal(st.samples, 8);
	assert_true(fabs(st.freq_ppm - 10.0) < 1e-6);
	assert_true(fabs(st.offset + 10e-6 * 7 * 64.0) < 1e-9);
	assert_true(st.span == 7 * 64.0);
}

static void
test_readonly_clock_untouched(void **state)
{
	struct disc_config	dc;
	struct disc_status	st;
	double			step;

	(void)state;
	/* The real clock in read-only mode: every change fails before the kernel. */
	assert_int_equal(clock_init_real(1), 0);
	assert_int_equal(clock_is_readonly(), 1);
	assert_int_equal(clock_step(1.0), -1);
	assert_int_equal(clock_set_freq(10.0), -1);
	assert_int_equal(clock_set_sync(1, 1, 0.001, 0.01), -1);
	assert_int_equal(clock_set_leap(NTPWIRE_LEAP_INSERT), -1);
	memset(&dc, 0, sizeof(dc));
	dc.makestep_threshold = 0.1;
	dc.makestep_limit = -1;
	dc.initstep_threshold = -1;
	dc.maxslewrate = 83333.333;
	discipline_init(&dc);
	assert_true(discipline_update(clock_mono(), 100.0, clock_mono(), 100.0) == 0.0);
	assert_true(discipline_phase(clock_mono() + 10) == 0.0);
	discipline_get_status(&st);
	assert_true(st.last_offset == 100.0);
	/* The makestep command fails too. */
	errno = 0;
	assert_int_equal(discipline_makestep(clock_mono(), &step), -1);
	assert_int_equal(errno, EPERM);
	assert_true(step == 0.0);
}

/* The clock is set by hand twice, the second time before the frequency
 * estimate restarted by the first has three samples for a line. */
static void
test_jump_soon_after_jump(void **state)
{
	struct disc_status	st;

	(void)state;
	srandom(16);
	start(0.0, 50.0, 1.0, -1, 50.0);
	run(64.0, 3600.0, 20e-6);
	sim.offset -= 30.0;
	run(1024.0, 2048.0, 20e-6);
	assert_int_equal(sim.steps, 1);
	sim.offset += 2.0;
	run(1024.0, 1024.0, 20e-6);
	assert_int_equal(sim.steps, 2);
	discipline_get_status(&st);
	assert_true(fabs(st.freq_ppm - 50.0) < 1.0);
	run(1024.0, 4 * 1024.0, 20e-6);
	discipline_get_status(&st);
	assert_true(fabs(st.freq_ppm - 50.0) < 1.0);
	assert_true(fabs(sim.offset) < 100e-6);
}

/* The first iburst reply was delayed: its offset is 9 ms wrong.  The
 * frequency estimate drops it once newer samples show the line. */
static void
test_delayed_first_sample_dropped(void **state)
{
	struct disc_status	st;
	double			now, off;
	int			i;

	(void)state;
	srandom(17);
	start(0.3, 50.0, 1.0, 3, 0.0);
	for (i = 0; i < 3; i++) {
		advance(2.0 * i);
		now = sim.elapsed;
		off = -sim.offset + (i == 0 ? 9e-3 : noise(20e-6));
		discipline_update(now, off, now, off + discipline_phase(now));
	}
	discipline_get_status(&st);
	/* Three samples 2 s apart, one 9 ms off: too uncertain to use. */
	assert_true(st.freq_ppm == 0.0);
	run(64.0, 4 * 64.0, 20e-6);
	discipline_get_status(&st);
	assert_true(fabs(st.freq_ppm - 50.0) < 1.0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_hours_offset_500ppm),
		cmocka_unit_test(test_slew_without_step),
		cmocka_unit_test(test_frequency_change_tracked),
		cmocka_unit_test(test_makestep_limit),
		cmocka_unit_test(test_makestep_command_steps_slew),
		cmocka_unit_test(test_makestep_command_readonly),
		cmocka_unit_test(test_makestep_command_threshold),
		cmocka_unit_test(test_initstepslew),
		cmocka_unit_test(test_offset_carried_forward),
		cmocka_unit_test(test_filter_min_delay),
		cmocka_unit_test(test_filter_window),
		cmocka_unit_test(test_filter_stats),
		cmocka_unit_test(test_readonly_clock_untouched),
		cmocka_unit_test(test_jump_soon_after_jump),
		cmocka_unit_test(test_delayed_first_sample_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
