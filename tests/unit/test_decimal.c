/* test_decimal.c -- decimal_parse against the C library's strtod on the same strings. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

/* Parse s with both and compare the value, the end and ERANGE. */
static void
check_as_strtod(const char *s, double max_relative_error)
{
	const char	*end_ours;
	char		*end_ref;
	double	 ours, ref;
	int	 errno_ours, errno_ref;

	errno = 0;
	ours = decimal_parse(s, &end_ours);
	errno_ours = errno;
	errno = 0;
	ref = strtod(s, &end_ref);
	errno_ref = errno;
	if (end_ours - s != end_ref - s)
		fail_msg("'%s': decimal_parse used %d characters, strtod %d", s,
		    (int)(end_ours - s), (int)(end_ref - s));
	if (isinf(ref)) {
		assert_true(isinf(ours) && signbit(ours) == signbit(ref));
		assert_int_equal(errno_ours, errno_ref);
		return;
	}
	if (max_relative_error == 0 ? ours != ref :
	    fabs(ours - ref) > max_relative_error * fabs(ref))
		fail_msg("'%s': decimal_parse %.17g, strtod %.17g", s, ours, ref);
}

/* Config and state file values: exact where the digits fit in 15. */
static void
common_values_exact(void **state)
{
	static const char *const values[] = {
		"0", "1", "-1", "+1", "0.1", "1.5", "-0.25", "10", "500", "0.000001",
		"1e-6", "1E3", "2.5e+2", "  42", "\t-3.75", "1000000", "123456789012345",
		"0.123456789012345", "1733356800.5", "-12.345", "0.0", "-0", ".5", "5.",
		"1.", "0003.1400", "1e22", "1e-22", "7e-10",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		check_as_strtod(values[i], 0);
}

/* Where the digits or the exponent do not fit the exact path, a few ulps at most. */
static void
long_values_close(void **state)
{
	static const char *const values[] = {
		"1733356800.123456789", "3.14159265358979323846264338327950288",
		"123456789012345678901234567890", "1e100", "1e-100", "1.7976931348623157e308",
		"2.2250738585072014e-308", "0.000000000000000000000000000001",
		"99999999999999999999.5",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		check_as_strtod(values[i], 1e-15);
}

/* Where strtod stops, decimal_parse stops; out of range is HUGE_VAL and ERANGE. */
static void
ends_and_ranges(void **state)
{
	static const char *const values[] = {
		"", " ", ".", "-", "+.", "e5", "1e", "1e+", "1e-x", "1.2.3", "12abc",
		"-.5e1x", "1e400", "-1e400", "5 6",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		check_as_strtod(values[i], 0);
}

/* Hexadecimal, inf and nan are not numbers to decimal_parse. */
static void
no_hex_inf_nan(void **state)
{
	static const char *const values[] = { "inf", "nan", "-infinity", "NaN" };
	const char	*end;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		(void)decimal_parse(values[i], &end);
		assert_ptr_equal(end, values[i]);
	}
	/* "0x10" is 0 followed by "x10", as a decimal reader sees it. */
	assert_true(decimal_parse("0x10", &end) == 0);
	assert_string_equal(end, "x10");
}

/* Random decimal strings: within one part in 10^15 of strtod. */
static void
random_values_close(void **state)
{
	char		buf[64];
	unsigned int	seed = 12345;
	int		i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(buf, sizeof(buf), "%s%u.%u%se%d", (seed >> 3) & 1 ? "-" : "",
		    seed % 100000u, (seed >> 7) % 1000000u, (seed >> 5) & 1 ? "7" : "",
		    (int)((seed >> 9) % 40) - 20);
		check_as_strtod(buf, 1e-15);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(common_values_exact),
		cmocka_unit_test(long_values_close),
		cmocka_unit_test(ends_and_ranges),
		cmocka_unit_test(no_hex_inf_nan),
		cmocka_unit_test(random_values_close),
	};

	return cmocka_run_group_tests_name("decimal", tests, NULL, NULL);
}
