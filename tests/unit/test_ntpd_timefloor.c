/* test_ntpd_timefloor.c -- the time floor on disk, backward step limits and a clock ntpd may not set. */
#include "testutil.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../applets/ntpd/ntpd.h"

#define BASE	1800000000

static struct clock_sim	sim;
static char		dir[] = "/tmp/edgebox-floor-XXXXXX";
static char		drift[64], timef[64];

static int
make_dir(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(drift, sizeof(drift), "%s/drift", dir);
	snprintf(timef, sizeof(timef), "%s/time", dir);
	return 0;
}

static int
remove_dir(void **state)
{
	char	tmp[80];

	(void)state;
	unlink(drift);
	unlink(timef);
	snprintf(tmp, sizeof(tmp), "%s.tmp", timef);
	unlink(tmp);
	return rmdir(dir);
}

static void
write_file(const char *path, const char *text, time_t mtime)
{
	FILE		*f = fopen(path, "w");
	struct timespec	 ts[2] = { { mtime, 0 }, { mtime, 0 } };

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* Start a simulated clock that reads true time plus offset. */
static void
start_clock(double offset, int backstep_limited, double maxbackstep)
{
	struct disc_config	dc;

	memset(&sim, 0, sizeof(sim));
	sim.base.tv_sec = BASE;
	sim.offset = offset;
	clock_init_sim(&sim);
	memset(&dc, 0, sizeof(dc));
	dc.makestep_threshold = 1.0;
	dc.makestep_limit = -1;
	dc.initstep_threshold = -1;
	dc.maxslewrate = 83333.333;
	dc.backstep_limited = backstep_limited;
	dc.maxbackstep = maxbackstep;
	discipline_init(&dc);
}

/* One measurement at true time 10 s of the simulated clock's true offset. */
static double
measure(void)
{
	double	off;

	clock_sim_advance(&sim, 10.0);
	off = -sim.offset;
	return discipline_update(sim.elapsed, off, sim.elapsed, off + discipline_phase(sim.elapsed));
}

static void
test_load_newer_of_two(void **state)
{
	(void)state;
	unlink(drift);
	unlink(timef);
	assert_true(timefloor_load(drift, timef) == 0);
	write_file(drift, "1.0 2.0\n", BASE - 7200);
	assert_true(timefloor_load(drift, timef) == BASE - 7200);
	write_file(timef, "1800000000\n", BASE - 86400);
	assert_true(timefloor_load(drift, timef) == BASE);
	/* An older time file does not lower the floor the drift file gives. */
	write_file(drift, "1.0 2.0\n", BASE + 60);
	assert_true(timefloor_load(drift, timef) == BASE + 60);
	assert_true(timefloor_load("", timef) == BASE);
	assert_true(timefloor_load(NULL, NULL) == 0);
}

static void
test_corrupt_time_file_ignored(void **state)
{
	static const char *const bad[] = { "", "garbage\n", "-5\n", "1e300\n", "12abc\n", "nan\n" };
	size_t	i;

	(void)state;
	write_file(drift, "1.0 2.0\n", BASE - 100);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(timef, bad[i], BASE + 1000);
		assert_true(timefloor_load(drift, timef) == BASE - 100);
	}
}

static void
test_save_reads_back(void **state)
{
	char	path[96];

	(void)state;
	unlink(drift);
	assert_int_equal(timefloor_save(timef, BASE + 123.75), 0);
	assert_true(timefloor_load(drift, timef) == BASE + 123);
	/* A folder that is not there (a read-only root alike) fails without harm. */
	snprintf(path, sizeof(path), "%s/missing/time", dir);
	assert_int_equal(timefloor_save(path, BASE), -1);
	assert_int_equal(timefloor_save("", BASE), 0);
}

static void
test_restore_moves_forward_only(void **state)
{
	(void)state;
	start_clock(-86400.0, 0, 0);
	assert_true(fabs(timefloor_restore(BASE - 3600.0) - 82800.0) < 1e-3);
	assert_int_equal(sim.steps, 1);
	assert_true(fabs(sim.offset + 3600.0) < 1e-3);
	/* Ahead of the floor: left alone. */
	assert_true(timefloor_restore(BASE - 7200.0) == 0);
	assert_true(timefloor_restore(0) == 0);
	assert_int_equal(sim.steps, 1);
}

static void
test_never_stepped_behind_floor(void **state)
{
	(void)state;
	/* The clock is an hour ahead; the sources say go back an hour, but the
	 * floor is only 10 minutes back: no step, the offset is slewed. */
	start_clock(3600.0, 0, 0);
	discipline_set_floor(BASE + 3000.0);
	assert_true(measure() == 0);
	assert_int_equal(sim.steps, 0);
	assert_true(sim.freq < -1000.0);
	/* -q asks the same question before its one step. */
	assert_int_equal(discipline_step_allowed(-3600.0), 0);
	assert_int_equal(discipline_step_allowed(-500.0), 1);
	assert_int_equal(discipline_step_allowed(86400.0), 1);
	/* A floor behind the target time allows the step. */
	start_clock(3600.0, 0, 0);
	discipline_set_floor(BASE - 10.0);
	assert_true(fabs(measure() + 3600.0) < 1e-3);
	assert_int_equal(sim.steps, 1);
}

static void
test_maxbackstep(void **state)
{
	(void)state;
	/* Back 100 s with maxbackstep 10: slewed. */
	start_clock(100.0, 1, 10.0);
	assert_true(measure() == 0);
	assert_int_equal(sim.steps, 0);
	/* Forward 100 s with the same limit: stepped. */
	start_clock(-100.0, 1, 10.0);
	assert_true(fabs(measure() - 100.0) < 1e-3);
	assert_int_equal(sim.steps, 1);
	/* Back 5 s: within the limit. */
	start_clock(5.0, 1, 10.0);
	assert_true(fabs(measure() + 5.0) < 1e-3);
	/* maxbackstep 0: never back. */
	start_clock(5.0, 1, 0.0);
	assert_true(measure() == 0);
	assert_int_equal(sim.steps, 0);
}

static void
test_eperm_goes_on_measuring(void **state)
{
	struct disc_status	st;

	(void)state;
	start_clock(-50.0, 0, 0);
	sim.eperm = 1;
	assert_int_equal(clock_is_readonly(), 0);
	assert_true(measure() == 0);
	assert_int_equal(clock_is_readonly(), 1);
	assert_int_equal(sim.steps, 0);
	assert_true(sim.freq == 0);
	/* Later updates keep measuring without trying again. */
	assert_true(measure() == 0);
	discipline_get_status(&st);
	assert_int_equal(st.updates, 2);
	assert_true(fabs(st.last_offset - 50.0) < 1e-3);
	assert_int_equal(clock_set_sync(1, 1, 0.001, 0.002), -1);
	assert_int_equal(sim.sync_calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_newer_of_two),
		cmocka_unit_test(test_corrupt_time_file_ignored),
		cmocka_unit_test(test_save_reads_back),
		cmocka_unit_test(test_restore_moves_forward_only),
		cmocka_unit_test(test_never_stepped_behind_floor),
		cmocka_unit_test(test_maxbackstep),
		cmocka_unit_test(test_eperm_goes_on_measuring),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
