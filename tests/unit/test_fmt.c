/* test_fmt.c -- fmt_vsnprintf, fmt_vfprintf and fmt_vdprintf against the C library's printf, byte for byte. */
#include "testutil.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

#define OUT_MAX	1200	/* %f of DBL_MAX with 17 decimals, %e of a subnormal, a width */
#define RANDOM_DOUBLES	1000000

static int	ours(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));

static int
ours(char *buf, size_t size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Fail unless both produced the same bytes and return value. */
static void
expect_same(const char *fmt, const char *arg, const char *want, int want_n, const char *got,
    int got_n)
{
	if (want_n != got_n || strcmp(want, got) != 0)
		fail_msg("format \"%s\" of %s: libc \"%s\" (%d), fmt \"%s\" (%d)", fmt, arg,
		    want, want_n, got, got_n);
}

/* Print v as the type that the length modifier ("", "hh", "l", "ll", ...) names. */
static void
check_integer(const char *fmt, const char *length, long long v)
{
	char	want[OUT_MAX], got[OUT_MAX], arg[32];
	int	want_n, got_n;

	if (length[0] == '\0' || length[0] == 'h') {
		want_n = snprintf(want, sizeof(want), fmt, (int)v);
		got_n = ours(got, sizeof(got), fmt, (int)v);
	} else if (strcmp(length, "ll") == 0 || length[0] == 'j') {
		want_n = snprintf(want, sizeof(want), fmt, v);
		got_n = ours(got, sizeof(got), fmt, v);
	} else {
		want_n = snprintf(want, sizeof(want), fmt, (long)v);
		got_n = ours(got, sizeof(got), fmt, (long)v);
	}
	snprintf(arg, sizeof(arg), "%lld as %s", v, length[0] == '\0' ? "int" : length);
	expect_same(fmt, arg, want, want_n, got, got_n);
}

static void
check_double(const char *fmt, double v)
{
	char	want[OUT_MAX], got[OUT_MAX], arg[48];
	int	want_n, got_n;

	want_n = snprintf(want, sizeof(want), fmt, v);
	got_n = ours(got, sizeof(got), fmt, v);
	if (want_n != got_n || strcmp(want, got) != 0) {
		snprintf(arg, sizeof(arg), "double %a", v);
		expect_same(fmt, arg, want, want_n, got, got_n);
	}
}

static void
check_string(const char *fmt, const char *v)
{
	char	want[OUT_MAX], got[OUT_MAX];
	int	want_n, got_n;

	want_n = snprintf(want, sizeof(want), fmt, v);
	got_n = ours(got, sizeof(got), fmt, v);
	expect_same(fmt, v, want, want_n, got, got_n);
}

/* Every flag set of flags ("-+ #0" or a part of it) as a string, in turn. */
static int
next_flags(const char *flags, unsigned int *set, char out[6])
{
	size_t	i, n = 0;

	if (*set >= 1u << strlen(flags))
		return 0;
	for (i = 0; flags[i] != '\0'; i++)
		if (*set & 1u << i)
			out[n++] = flags[i];
	out[n] = '\0';
	(*set)++;
	return 1;
}

/* The integer conversions with every flag, width, precision and length. */
static void
integer_flags_widths_lengths(void **state)
{
	static const char *const convs[] = { "d", "i", "u", "o", "x", "X" };
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	static const char *const widths[] = { "", "1", "6", "24" };
	static const char *const precs[] = { "", ".0", ".1", ".5", ".30" };
	static const long long values[] = {
		0, 1, -1, 7, 8, 9, 10, 15, 16, 127, -128, 255, 256, 4095, 32767, -32768,
		65535, 65536, 123456789, -123456789, INT_MAX, INT_MIN, UINT_MAX,
		4294967296LL, 1733356800123LL, LLONG_MAX, LLONG_MIN,
	};
	char		fmt[32], flags[6];
	unsigned int	set;
	size_t		c, l, w, p, v;

	(void)state;
	for (c = 0; c < sizeof(convs) / sizeof(convs[0]); c++)
	for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
	for (set = 0; next_flags(strchr("diu", convs[c][0]) ? "-+ 0" : "-+ #0", &set, flags);)
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	for (p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
		snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%s", flags, widths[w], precs[p],
		    lengths[l], convs[c]);
		for (v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			check_integer(fmt, lengths[l], values[v]);
	}
}

/* Values whose output shows rounding, carries, exponents and special cases. */
static const double	special_doubles[] = {
	0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 9.5, 99.5, 999.5,
	0.05, 0.15, 0.25, 0.35, 0.45, 9.999999, 9.9999999999, 99999.95, 999999.5,
	0.1, 0.2, 0.3, 1e-4, 9.9999e-5, 0.0001234, 123456.0, 1234567.0, 1e15, 1e16,
	1e21, 1e22, 1e23, 9007199254740993.0, 1733356800.123456789, 0.000123456,
	-0.000999999, 3.14159265358979, 2.718281828459045, 1e100, 1e-100, 1e300,
	1e-300, DBL_MAX, -DBL_MAX, DBL_MIN, DBL_MIN / 3, DBL_TRUE_MIN, -DBL_TRUE_MIN,
	DBL_EPSILON, 5e-324, 2.2250738585072009e-308, 4.9406564584124654e-310,
	0.5e-6, 0.0000005, 1.0000005, 2.0000005, 65536.5, 4294967295.5,
	INFINITY, -INFINITY, NAN, -NAN,
};

/* The double conversions with every flag, width and precision. */
static void
double_flags_widths(void **state)
{
	static const char *const convs[] = { "f", "F", "e", "E", "g", "G" };
	static const char *const widths[] = { "", "1", "12", "25" };
	static const char *const precs[] = { "", ".0", ".1", ".3", ".6", ".9", ".17", ".40" };
	char		fmt[32], flags[6];
	unsigned int	set;
	size_t		c, w, p, v;

	(void)state;
	for (c = 0; c < sizeof(convs) / sizeof(convs[0]); c++)
	for (set = 0; next_flags(strchr("gG", convs[c][0]) ? "-+ 0" : "-+ #0", &set, flags);)
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	for (p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
		snprintf(fmt, sizeof(fmt), "%%%s%s%s%s", flags, widths[w], precs[p], convs[c]);
		for (v = 0; v < sizeof(special_doubles) / sizeof(special_doubles[0]); v++)
			check_double(fmt, special_doubles[v]);
	}
}

/*
 * '#' keeps %g's trailing zeros and point, as C11 7.21.6.1 requires.
 * XXX: glibc 2.36 prints "%#g" of 999999.5 as "1.e+06" (musl: "1.00000e+06"),
 * so '#' with g is checked here against fixed strings, not against libc.
 */
static void
alt_g_keeps_zeros(void **state)
{
	char	buf[80];

	(void)state;
	ours(buf, sizeof(buf), "%#g|%#.3g|%#g|%#.0g|%#g|%#G", 999999.5, 9.9996, 0.0, 0.5,
	    100000.0, 1e-5);
	assert_string_equal(buf, "1.00000e+06|10.0|0.00000|0.5|100000.|1.00000E-05");
}

/* Ties round half to even on the exact binary value. */
static void
ties_to_even(void **state)
{
	char	buf[64];

	(void)state;
	ours(buf, sizeof(buf), "%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -0.5);
	assert_string_equal(buf, "0 2 2 -0");
	ours(buf, sizeof(buf), "%.2f %.1f %.0e %.3g", 0.125, 0.25, 25.0, 1.0625);
	assert_string_equal(buf, "0.12 0.2 2e+01 1.06");
	/* 0.15 is 0.1499999999999999944... in binary, 0.35 is 0.34999999999999997... */
	ours(buf, sizeof(buf), "%.1f %.1f %.1f", 0.15, 0.35, 0.45);
	assert_string_equal(buf, "0.1 0.3 0.5");
}

static uint64_t	random_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same sequence on every host. */
static uint64_t
random64(void)
{
	random_state ^= random_state >> 12;
	random_state ^= random_state << 25;
	random_state ^= random_state >> 27;
	return random_state * 0x2545f4914f6cdd1dULL;
}

/*
 * A random double: a random bit pattern (any exponent, subnormals, inf and
 * nan), a decimal tie such as 12.3465 or one of its neighbours, a random
 * mantissa between 2^-253 and 2^146, or a value in the range ntpctl prints.  *decimals is the tie's digit count.
 */
static double
random_double(unsigned int kind, int *decimals)
{
	char		buf[64];
	uint64_t	r = random64(), bits;
	double		v;
	int		n, i;

	*decimals = (int)(r >> 60) % 10;
	switch (kind % 4) {
	case 0:
		bits = random64();
		memcpy(&v, &bits, sizeof(v));
		return v;
	case 1:
		n = snprintf(buf, sizeof(buf), "%s%llu.", r & 1 ? "-" : "",
		    (unsigned long long)(r >> 1) % 100000);
		for (i = 0; i < *decimals; i++)
			buf[n++] = (char)('0' + random64() % 10);
		buf[n++] = '5';
		buf[n] = '\0';
		v = strtod(buf, NULL);
		if (r & 2)
			v = nextafter(v, r & 4 ? INFINITY : -INFINITY);
		return v;
	case 2:
		return ldexp((double)(r >> 11), (int)(random64() % 400) - 253);
	default:
		if (r & 1)
			return (double)(r >> 40) / (double)(1u << ((r >> 1) % 20));
		return ldexp((double)(r >> 11), (int)((r >> 1) % 80) - 93);
	}
}

/* At least a million random doubles, each in three of the formats edgebox uses. */
static void
random_doubles(void **state)
{
	static const char *const fmts[] = {
		"%.0f", "%.1f", "%.2f", "%.3f", "%.4f", "%.5f", "%.6f", "%.7f", "%.8f",
		"%.9f", "%e", "%g", "%+.6f", "%20.6f", "%+.9f", "%.3e", "%.17g", "%G", "%E",
		"%-14.3g", "%012.4f", "%#.0f", "%#.0e", "% .2e", "%8.3f", "%+14.6f", "%3.0f",
		"%+10.3f", "%12.3f", "%f", "%.15g", "%.0e",
	};
	const size_t	nfmts = sizeof(fmts) / sizeof(fmts[0]);
	char		tie[16];
	double		v;
	unsigned int	i;
	int		decimals;

	(void)state;
	for (i = 0; i < RANDOM_DOUBLES; i++) {
		v = random_double(i, &decimals);
		check_double(fmts[i % nfmts], v);
		check_double(fmts[(i / nfmts + i * 7) % nfmts], v);
		snprintf(tie, sizeof(tie), "%%.%df", decimals);
		check_double(tie, v);
	}
}

/* Random integers in the integer formats edgebox uses. */
static void
random_integers(void **state)
{
	static const char *const int_fmts[] = {
		"%d", "%u", "%02d", "%2d", "%3d", "%04d", "%7u", "%08X", "%04x", "%02x",
		"%o", "%3o", "%x", "%+d", "% d", "%-6d",
	};
	static const char *const long_fmts[] = { "%ld", "%lu", "%zu", "%zd", "%09ld" };
	static const char *const llong_fmts[] = { "%lld", "%llu", "%4lld", "%09lld", "%06lld" };
	uint64_t	r;
	int		i, shift;

	(void)state;
	for (i = 0; i < 200000; i++) {
		r = random64();
		shift = (int)(r & 63);		/* small values as often as large ones */
		check_integer(int_fmts[i % 16], "", (long long)((int64_t)r >> shift));
		check_integer(long_fmts[i % 5], "l", (long long)((int64_t)r >> shift));
		check_integer(llong_fmts[i % 5], "ll", (long long)((int64_t)r >> shift));
	}
}

/* '*' widths and precisions, negative ones included, and the other conversions. */
static void
stars_strings_chars(void **state)
{
	static const char *const strings[] = { "", "a", "hello", "example.com.", "1234567890123456789012345678901234567890" };
	static const int	stars[] = { -30, -5, -1, 0, 1, 3, 9, 27 };
	char		want[OUT_MAX], got[OUT_MAX];
	size_t		s, a, b;
	int		want_n, got_n;

	(void)state;
	for (s = 0; s < sizeof(strings) / sizeof(strings[0]); s++) {
		check_string("%s", strings[s]);
		check_string("[%3s]", strings[s]);
		check_string("[%-30s]", strings[s]);
		check_string("[%.3s]", strings[s]);
		check_string("[%-8.2s]", strings[s]);
		check_string("[%.40s]", strings[s]);
		for (a = 0; a < sizeof(stars) / sizeof(stars[0]); a++)
		for (b = 0; b < sizeof(stars) / sizeof(stars[0]); b++) {
			expect_same("%*.*s|", strings[s],
			    want, snprintf(want, sizeof(want), "%*.*s|%-*.*s|%.*s|%*d|%-*.*f|%+*.0f",
				stars[a], stars[b], strings[s], stars[a], stars[b], strings[s],
				stars[b], strings[s], stars[a], stars[b], stars[a], stars[b], 2.5,
				stars[a], -1.5),
			    got, ours(got, sizeof(got), "%*.*s|%-*.*s|%.*s|%*d|%-*.*f|%+*.0f",
				stars[a], stars[b], strings[s], stars[a], stars[b], strings[s],
				stars[b], strings[s], stars[a], stars[b], stars[a], stars[b], 2.5,
				stars[a], -1.5));
		}
	}
	for (a = 0; a < 256; a++) {
		check_integer("%c", "", (long long)a);
		check_integer("[%3c]", "", (long long)a);
		check_integer("[%-3c]", "", (long long)a);
		check_integer("^%c%%", "", (long long)a);
	}
	check_integer("100%% %d%%", "", 5);

	errno = ENOENT;
	want_n = snprintf(want, sizeof(want), "[%m] %-30m|%.5m");
	errno = ENOENT;
	got_n = ours(got, sizeof(got), "[%m] %-30m|%.5m");
	expect_same("[%m] %-30m|%.5m", "errno ENOENT", want, want_n, got, got_n);
	assert_int_equal(errno, ENOENT);
}

/* Short buffers get the output's start and a NUL, and the return value stays the length. */
static void
truncation_and_length(void **state)
{
	char	want[80], got[80];
	size_t	size;
	int	want_n, got_n;

	(void)state;
	for (size = 0; size < 40; size++) {
		memset(want, 'X', sizeof(want));
		memset(got, 'X', sizeof(got));
		want_n = snprintf(want, size, "%s|%5d|%.3f|%-4x|%e", "abc", 42, -3.14159, 255, 1e-7);
		got_n = ours(got, size, "%s|%5d|%.3f|%-4x|%e", "abc", 42, -3.14159, 255, 1e-7);
		assert_int_equal(got_n, want_n);
		assert_memory_equal(got, want, sizeof(got));
	}
	assert_int_equal(ours(NULL, 0, "%d %s %.9f", 123, "four", 0.5), 20);
	assert_int_equal(ours(got, 1, "%600s", "x"), 600);
	assert_int_equal(got[0], '\0');
}

static int	ours_file(FILE *, const char *, ...) __attribute__((format(printf, 2, 3)));

static int
ours_file(FILE *f, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

static int	ours_fd(int, const char *, ...) __attribute__((format(printf, 2, 3)));

static int
ours_fd(int fd, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

/* Streams and descriptors get output longer than the 256-byte buffer whole; errors return -1. */
static void
streams_and_descriptors(void **state)
{
	char	want[OUT_MAX], got[OUT_MAX];
	FILE	*f;
	int	want_n, got_n, fds[2];
	size_t	n;

	(void)state;
	want_n = snprintf(want, sizeof(want), "%s %600.3f|%-300s|%g\n", "start", 1.0625, "x", 1e-5);

	f = tmpfile();
	assert_non_null(f);
	got_n = ours_file(f, "%s %600.3f|%-300s|%g\n", "start", 1.0625, "x", 1e-5);
	assert_int_equal(got_n, want_n);
	rewind(f);
	n = fread(got, 1, sizeof(got), f);
	assert_int_equal(n, (size_t)want_n);
	assert_memory_equal(got, want, n);
	fclose(f);

	assert_int_equal(pipe(fds), 0);
	got_n = ours_fd(fds[1], "%s %600.3f|%-300s|%g\n", "start", 1.0625, "x", 1e-5);
	assert_int_equal(got_n, want_n);
	close(fds[1]);
	n = 0;
	while (n < sizeof(got) && (got_n = (int)read(fds[0], got + n, sizeof(got) - n)) > 0)
		n += (size_t)got_n;
	close(fds[0]);
	assert_int_equal(n, (size_t)want_n);
	assert_memory_equal(got, want, n);

	f = fopen("/dev/full", "w");
	if (f == NULL)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(fprintf(f, "%d\n", 1), -1);
	clearerr(f);
	assert_int_equal(ours_file(f, "%d\n", 1), -1);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integer_flags_widths_lengths),
		cmocka_unit_test(double_flags_widths),
		cmocka_unit_test(alt_g_keeps_zeros),
		cmocka_unit_test(ties_to_even),
		cmocka_unit_test(random_doubles),
		cmocka_unit_test(random_integers),
		cmocka_unit_test(stars_strings_chars),
		cmocka_unit_test(truncation_and_length),
		cmocka_unit_test(streams_and_descriptors),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
