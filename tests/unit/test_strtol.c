/* test_strtol.c -- strtol_scan against the C library's strtol family on edge and random strings. */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strtol.h"

/*
 * Convert s with one function of each kind both ways and fail on any
 * difference in the value, the end or errno.  musl sets EINVAL when there
 * are no digits and sets end for an invalid base, and glibc does neither,
 * so under glibc those are not compared.
 */
static void
compare(const char *s, int base)
{
	char	*end_ours, *end_ref;
	int	 errno_ours, errno_ref, kind;

	for (kind = 0; kind < 4; kind++) {
		unsigned long long	ours, ref;

		errno = 0;
		switch (kind) {
		case 0:
			ours = (unsigned long long)(long)strtol_scan(s, &end_ours, base,
			    (unsigned long)LONG_MIN);
			errno_ours = errno;
			errno = 0;
			ref = (unsigned long long)strtol(s, &end_ref, base);
			break;
		case 1:
			ours = (unsigned long)strtol_scan(s, &end_ours, base, ULONG_MAX);
			errno_ours = errno;
			errno = 0;
			ref = strtoul(s, &end_ref, base);
			break;
		case 2:
			ours = strtol_scan(s, &end_ours, base, (unsigned long long)LLONG_MIN);
			errno_ours = errno;
			errno = 0;
			ref = (unsigned long long)strtoll(s, &end_ref, base);
			break;
		default:
			ours = strtol_scan(s, &end_ours, base, ULLONG_MAX);
			errno_ours = errno;
			errno = 0;
			ref = strtoull(s, &end_ref, base);
			break;
		}
		errno_ref = errno;
#ifdef __GLIBC__
		if (errno_ours == EINVAL && errno_ref == 0 && end_ours == s)
			errno_ref = EINVAL;
		if (base < 0 || base == 1 || base > 36)
			end_ref = end_ours;
#endif
		if (ours != ref || end_ours != end_ref || errno_ours != errno_ref)
			fail_msg("\"%s\" base %d kind %d: ours %llu end %td errno %d, "
			    "libc %llu end %td errno %d", s, base, kind, ours, end_ours - s,
			    errno_ours, ref, end_ref - s, errno_ref);
	}
}

static const int	bases[] = { 0, 2, 8, 10, 16, 36, 7, 1, 37, -1 };

static void
agrees_on_edges(void **state)
{
	static const char	*strings[] = {
		"", " ", "+", "-", "0", "00", "08", "09", "0x", "0X", "0x1g", "0xg", " -0x",
		"+0x10", "-0x10", "z", "Z", "zz", "  \t\n\v\f\r42", "\x85" "1", "1 2", "0b101",
		"2147483647", "2147483648", "-2147483648", "-2147483649",
		"4294967295", "4294967296", "-4294967295", "-4294967296",
		"9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "-18446744073709551615",
		"-18446744073709551616", "99999999999999999999999999999x",
		"0x7fffffff", "0x80000000", "0xffffffff", "0x100000000",
		"0x7fffffffffffffff", "0x8000000000000000", "0xffffffffffffffff",
		"0x10000000000000000", "-0xffffffffffffffff", "01777777777777777777777",
		"02000000000000000000000", "-1", "+-1", "- 1", "1a", "3w5e11264sgsf",
		"3w5e11264sgsg", "1111111111111111111111111111111111111111111111111111111111111111",
		"11111111111111111111111111111111111111111111111111111111111111111",
	};
	size_t			 i, b;

	(void)state;
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			compare(strings[i], bases[b]);
}

static unsigned int	seed = 4;

static void
agrees_on_random(void **state)
{
	static const char	chars[] = " \t+-0000111789aAfFgxXzZ";
	char			s[32];
	int			round, len, i;

	(void)state;
	for (round = 0; round < 20000; round++) {
		len = (int)(test_random(&seed) % 30);
		for (i = 0; i < len; i++)
			s[i] = chars[test_random(&seed) % (sizeof(chars) - 1)];
		s[len] = '\0';
		compare(s, bases[test_random(&seed) % (sizeof(bases) / sizeof(bases[0]))]);
	}
}

/* musl's own results, which no comparison with glibc shows. */
static void
sets_einval_without_digits(void **state)
{
	const char	*s = "  -z";
	char		*end;

	(void)state;
	errno = 0;
	assert_int_equal(strtol_scan(s, &end, 10, ULLONG_MAX), 0);
	assert_int_equal(errno, EINVAL);
	assert_ptr_equal(end, s);
	errno = 0;
	assert_int_equal(strtol_scan(s, &end, 1, ULLONG_MAX), 0);
	assert_int_equal(errno, EINVAL);
	assert_ptr_equal(end, s);
	/* "0x" without a hex digit converts the 0 and sets no errno. */
	errno = 0;
	assert_int_equal(strtol_scan("0xz", &end, 0, ULLONG_MAX), 0);
	assert_int_equal(errno, 0);
	assert_string_equal(end, "xz");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_on_edges),
		cmocka_unit_test(agrees_on_random),
		cmocka_unit_test(sets_einval_without_digits),
	};

	return cmocka_run_group_tests_name("strtol", tests, NULL, NULL);
}
