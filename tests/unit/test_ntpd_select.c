/* test_ntpd_select.c -- source selection: intersection, falsetickers, combining, minsources. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "ctl.h"
#include "../../applets/ntpd/ntpd.h"

static struct select_input
source(double offset, double distance)
{
	struct select_input	in;

	memset(&in, 0, sizeof(in));
	in.offset = offset;
	in.distance = distance;
	in.stratum = 2;
	in.usable = 1;
	return in;
}

static void
test_falseticker_rejected(void **state)
{
	struct select_input	in[4];
	struct select_result	res;
	int			states[4];

	(void)state;
	in[0] = source(0.001, 0.010);
	in[1] = source(0.002, 0.010);
	in[2] = source(-0.001, 0.012);
	in[3] = source(5.0, 0.010);		/* 5 s away from the other three */
	assert_int_equal(select_run(in, 4, 1, 3.0, states, &res), 0);
	assert_int_equal(states[3], CTL_STATE_FALSETICKER);
	assert_int_equal(res.survivors, 3);
	assert_true(states[0] == CTL_STATE_SELECTED || states[1] == CTL_STATE_SELECTED);
	assert_true(fabs(res.offset) < 0.003);
}

static void
test_no_majority(void **state)
{
	struct select_input	in[2];
	struct select_result	res;
	int			states[2];

	(void)state;
	in[0] = source(0.0, 0.010);
	in[1] = source(1.0, 0.010);
	assert_int_equal(select_run(in, 2, 1, 3.0, states, &res), -1);
}

static void
test_single_source(void **state)
{
	struct select_input	in[1];
	struct select_result	res;
	int			states[1];

	(void)state;
	in[0] = source(0.25, 0.010);
	assert_int_equal(select_run(in, 1, 1, 3.0, states, &res), 0);
	assert_int_equal(states[0], CTL_STATE_SELECTED);
	assert_true(fabs(res.offset - 0.25) < 1e-12);
	assert_int_equal(res.best, 0);
}

static void
test_unusable_and_distant(void **state)
{
	struct select_input	in[3];
	struct select_result	res;
	int			states[3];

	(void)state;
	in[0] = source(0.0, 0.010);
	in[1] = source(0.0, 0.010);
	in[1].usable = 0;
	in[2] = source(0.0, 5.0);		/* beyond maxdistance */
	assert_int_equal(select_run(in, 3, 1, 3.0, states, &res), 0);
	assert_int_equal(states[0], CTL_STATE_SELECTED);
	assert_int_equal(states[1], CTL_STATE_UNUSABLE);
	assert_int_equal(states[2], CTL_STATE_UNUSABLE);
}

static void
test_minsources(void **state)
{
	struct select_input	in[2];
	struct select_result	res;
	int			states[2];

	(void)state;
	in[0] = source(0.0, 0.010);
	in[1] = source(0.001, 0.010);
	assert_int_equal(select_run(in, 2, 3, 3.0, states, &res), -1);
	assert_int_equal(select_run(in, 2, 2, 3.0, states, &res), 0);
}

static void
test_combine_weights(void **state)
{
	struct select_input	in[3];
	struct select_result	res;
	int			states[3];

	(void)state;
	in[0] = source(0.000, 0.001);
	in[1] = source(0.001, 0.002);
	in[2] = source(0.0005, 0.050);		/* too far from the best to combine */
	assert_int_equal(select_run(in, 3, 1, 3.0, states, &res), 0);
	assert_int_equal(states[0], CTL_STATE_SELECTED);
	assert_int_equal(states[1], CTL_STATE_COMBINED);
	assert_int_equal(states[2], CTL_STATE_NOTCOMBINED);
	/* Weights 1/distance: (0 * 1000 + 0.001 * 500) / 1500. */
	assert_true(fabs(res.offset - 0.001 / 3) < 1e-12);
}

static void
test_prefer(void **state)
{
	struct select_input	in[2];
	struct select_result	res;
	int			states[2];

	(void)state;
	in[0] = source(0.000, 0.001);
	in[1] = source(0.0005, 0.002);
	in[1].prefer = 1;
	assert_int_equal(select_run(in, 2, 1, 3.0, states, &res), 0);
	assert_int_equal(res.best, 1);
	assert_int_equal(states[1], CTL_STATE_SELECTED);
}

static void
test_two_falsetickers_of_five(void **state)
{
	struct select_input	in[5];
	struct select_result	res;
	int			states[5];

	(void)state;
	in[0] = source(0.010, 0.005);
	in[1] = source(0.012, 0.005);
	in[2] = source(0.008, 0.005);
	in[3] = source(-2.0, 0.005);
	in[4] = source(3.0, 0.005);
	assert_int_equal(select_run(in, 5, 1, 3.0, states, &res), 0);
	assert_int_equal(states[3], CTL_STATE_FALSETICKER);
	assert_int_equal(states[4], CTL_STATE_FALSETICKER);
	assert_int_equal(res.survivors, 3);
	assert_true(fabs(res.offset - 0.010) < 0.003);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_falseticker_rejected),
		cmocka_unit_test(test_no_majority),
		cmocka_unit_test(test_single_source),
		cmocka_unit_test(test_unusable_and_distant),
		cmocka_unit_test(test_minsources),
		cmocka_unit_test(test_combine_weights),
		cmocka_unit_test(test_prefer),
		cmocka_unit_test(test_two_falsetickers_of_five),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
