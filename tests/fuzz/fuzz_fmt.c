/* fuzz_fmt.c -- libFuzzer harness: fmt.c's printf, strtol.c's strtol family and options.c's getopt against the C library's. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "options.h"
#include "strtol.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define OUT_MAX		2048	/* %f of DBL_MAX (309 digits) with a precision up to 999 */
#define COUNT_MAX	999	/* largest width or precision the harness writes */

/* The input, read a byte or a number at a time; zeros after its end. */
struct input {
	const uint8_t	*p;
	size_t		 left;
};

static unsigned int
take(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t
take64(struct input *in)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | take(in);
	return v;
}

/* A count from 0 to COUNT_MAX, small ones more often. */
static int
take_count(struct input *in)
{
	unsigned int	b = take(in);

	return b < 192 ? (int)(b % 40) : (int)((b << 8 | take(in)) % (COUNT_MAX + 1));
}

static int	ours(char *, size_t, const char *, ...);

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

/*
 * The conversions of fmt.h with the flags, length modifiers and precision
 * that C defines for them.  glibc and musl differ where C leaves the
 * result undefined (a '0' flag on %s), so the harness writes none of it.
 */
static const struct conversion {
	char		 c;
	const char	*flags;		/* the flags C defines for it */
	int		 lengths;	/* takes hh h l ll z j t */
	int		 precision;
	char		 arg;		/* i int, l long long, d double, s string, 0 none */
} conversions[] = {
	{ 'd', "-+ 0", 1, 1, 'i' }, { 'i', "-+ 0", 1, 1, 'i' }, { 'u', "-+ 0", 1, 1, 'i' },
	{ 'o', "-+ #0", 1, 1, 'i' }, { 'x', "-+ #0", 1, 1, 'i' }, { 'X', "-+ #0", 1, 1, 'i' },
	{ 'c', "-", 0, 0, 'i' }, { 's', "-", 0, 1, 's' }, { 'm', "-", 0, 1, 0 },
	{ 'f', "-+ #0", 0, 1, 'd' }, { 'F', "-+ #0", 0, 1, 'd' }, { 'e', "-+ #0", 0, 1, 'd' },
	{ 'E', "-+ #0", 0, 1, 'd' }, { 'g', "-+ #0", 0, 1, 'd' }, { 'G', "-+ #0", 0, 1, 'd' },
	{ '%', "", 0, 0, 0 },
};

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };

/* Literal text around the conversion, with no '%'. */
static size_t
take_text(struct input *in, char *out, size_t max)
{
	size_t	n = take(in) % (max + 1), i;

	for (i = 0; i < n; i++)
		if ((out[i] = (char)take(in)) == '%' || out[i] == '\0')
			out[i] = '.';
	return n;
}

static char	fmtbuf[128], str[64], got[OUT_MAX], want[OUT_MAX];

/* Call ours and snprintf with the same arguments: a width and a precision
 * for each '*', then the value. */
#define BOTH(size, ...) do {							\
	n_got = ours(got, size, fmtbuf, __VA_ARGS__);				\
	errno = saved_errno;							\
	n_want = snprintf(want, size, fmtbuf, __VA_ARGS__);			\
} while (0)

#define BY_STARS(size, value) do {						\
	if (nstars == 0)							\
		BOTH(size, value);						\
	else if (nstars == 1)							\
		BOTH(size, star[0], value);					\
	else									\
		BOTH(size, star[0], star[1], value);				\
} while (0)

static void
fuzz_printf(struct input *in)
{
	const struct conversion	*cv = &conversions[take(in) % (sizeof(conversions) /
				    sizeof(conversions[0]))];
	const char		*length = "";
	char			*f = fmtbuf;
	size_t			 size, i, n;
	uint64_t		 bits;
	double			 d;
	int			 star[2], nstars = 0, n_got, n_want, saved_errno;
	unsigned int		 b;

	f += take_text(in, f, 16);
	*f++ = '%';
	/* Each flag the conversion takes, maybe twice, in an order of the input's. */
	b = take(in);
	for (i = 0; cv->flags[i] != '\0'; i++)
		if (b & (1u << i))
			*f++ = cv->flags[(i + b / 32) % strlen(cv->flags)];
	if (cv->c != '%') {
		b = take(in);
		if ((b & 3) == 1)
			f += sprintf(f, "%d", take_count(in));
		else if ((b & 3) == 2) {
			*f++ = '*';
			star[nstars++] = take_count(in) - (b & 4 ? COUNT_MAX / 2 : 0);
		}
		if (cv->precision && (b & 24) != 0) {
			*f++ = '.';
			if ((b & 24) == 8)
				f += sprintf(f, "%d", take_count(in));
			else if ((b & 24) == 16) {
				*f++ = '*';
				star[nstars++] = take_count(in) - (b & 32 ? 20 : 0);
			}
		}
		if (cv->lengths)
			length = lengths[b >> 5];
	}
	f += sprintf(f, "%s%c", length, cv->c);
	f += take_text(in, f, 16);
	*f = '\0';

	/* The output buffer: all of it, or a size that may cut the output. */
	b = take(in);
	size = b < 128 ? OUT_MAX : b % 64;
	saved_errno = (int)(take(in) % 140);
	bits = take64(in);
	errno = saved_errno;
	switch (cv->arg) {
	case 'i':
		/* The l, ll, z, j and t arguments are 64 bits on Linux's 64-bit ABIs. */
		if (length[0] == 'l' || length[0] == 'z' || length[0] == 'j' || length[0] == 't')
			BY_STARS(size, (long long)bits);
		else
			BY_STARS(size, (int)bits);
		break;
	case 'd':
		memcpy(&d, &bits, sizeof(d));
		BY_STARS(size, d);
		break;
	case 's':
		n = take_text(in, str, sizeof(str) - 1);
		str[n] = '\0';
		BY_STARS(size, str);
		break;
	default:
		/* The value is not read: an int that no conversion takes. */
		BY_STARS(size, 0);
	}
	if (n_got != n_want || (size > 0 && strcmp(got, want) != 0)) {
		/* glibc 2.36 drops the zeros of "%#g" after a carry (see fmt.h). */
		if ((cv->c == 'g' || cv->c == 'G') && memchr(fmtbuf, '#', (size_t)(f - fmtbuf)))
			return;
		fprintf(stderr, "format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)\n", fmtbuf,
		    want, n_want, got, n_got);
		abort();
	}
}

/* strtol, strtoul, strtoll and strtoull against strtol_scan as the static
 * build calls it. */
static void
fuzz_strtol(struct input *in)
{
	static const int	bases[] = { 0, 10, 16, 8, 2, 36, 3, 7, 35, 1, -1, 37 };
	char			*end_got, *end_want;
	unsigned long long	 got_v, want_v;
	unsigned int		 fn = take(in) % 4;
	int			 base = bases[take(in) % (sizeof(bases) / sizeof(bases[0]))];
	int			 errno_got, errno_want;
	size_t			 n;

	n = in->left < sizeof(str) - 1 ? in->left : sizeof(str) - 1;
	memcpy(str, in->p, n);
	str[n] = '\0';
	errno = 0;
	if (fn == 0)
		got_v = (unsigned long long)(long)strtol_scan(str, &end_got, base,
		    (unsigned long)LONG_MIN);
	else if (fn == 1)
		got_v = (unsigned long)strtol_scan(str, &end_got, base, ULONG_MAX);
	else if (fn == 2)
		got_v = (unsigned long long)(long long)strtol_scan(str, &end_got, base,
		    (unsigned long long)LLONG_MIN);
	else
		got_v = strtol_scan(str, &end_got, base, ULLONG_MAX);
	errno_got = errno;
	errno = 0;
	end_want = str;
	if (fn == 0)
		want_v = (unsigned long long)strtol(str, &end_want, base);
	else if (fn == 1)
		want_v = strtoul(str, &end_want, base);
	else if (fn == 2)
		want_v = (unsigned long long)strtoll(str, &end_want, base);
	else
		want_v = strtoull(str, &end_want, base);
	errno_want = errno;
	/*
	 * musl sets EINVAL when there are no digits, and glibc leaves errno.
	 * For an invalid base musl points the end at the string, and glibc
	 * leaves it, where ASan's strtol stores an uninitialized pointer.
	 */
	if (errno_got == EINVAL && errno_want == 0 && got_v == 0 && end_got == str)
		errno_want = EINVAL;
	if (base == 1 || base < 0 || base > 36)
		end_want = str;
	if (got_v != want_v || end_got != end_want || errno_got != errno_want) {
		fprintf(stderr, "strtol #%u of \"%s\" base %d: libc %llu end +%td errno %d, "
		    "ours %llu end +%td errno %d\n", fn, str, base, want_v, end_want - str,
		    errno_want, got_v, end_got - str, errno_got);
		abort();
	}
}

/* Whether option c takes an argument: optstring has a ':' after it. */
static int
takes_argument(const char *optstring, int c)
{
	const char	*p = c > 0 && c != ':' ? strchr(optstring, c) : NULL;

	return p != NULL && p[1] == ':';
}

/*
 * getopt against options_next, only where glibc 2.36 and musl agree (see
 * tests/unit/test_options.c).  glibc runs with POSIXLY_CORRECT, so that it
 * does not permute, and without messages.  No optstring starts with '-'
 * and the words have no byte above 0x7f.  optopt counts only after '?'
 * and ':' and optarg only for options that take an argument, because glibc
 * sets them in other steps too.  The comparison stops at a missing
 * argument, where musl sets optind to argc + 1 and glibc to argc.
 */
static void
fuzz_getopt(struct input *in)
{
	static const char *const optstrings[] = { "abf:g::", ":abf:g::", "+abf:", "+:abf:",
	    ":", "", "a:b", "g::", "46df:hnpqQst:u:x", "+ch:jns:" };
	static const char	 chars[] = "abfgz:-46dhxW;?";
	struct options_state	 st = { NULL, 1, 0, 0, 0 };
	const char		*optstring = optstrings[take(in) % (sizeof(optstrings) /
				    sizeof(optstrings[0]))];
	char			 text[128], *argv[12];
	size_t			 len = 0;
	int			 argc = 1, c_got, c_want, step;
	unsigned int		 b;

	/* Words of the input's characters, argv[argc] the one being read: a
	 * byte of 0 to 15 ends one.  At most 10 words leave room for the NULL. */
	argv[0] = "prog";
	argv[1] = text;
	while (in->left > 0 && len < sizeof(text) - 1 && argc < 10) {
		b = take(in);
		if (b < 16) {
			text[len++] = '\0';
			argv[++argc] = text + len;
		} else
			text[len++] = chars[b % (sizeof(chars) - 1)];
	}
	text[len] = '\0';
	argc++;
	argv[argc] = NULL;

	setenv("POSIXLY_CORRECT", "1", 1);
	optind = 0;
	opterr = 0;
	for (step = 0; step < 40; step++) {
		c_got = options_next(&st, argc, argv, optstring);
		c_want = getopt(argc, argv, optstring);
		if (st.ind == argc + 1)
			return;
		if (c_got != c_want || st.ind != optind ||
		    ((c_got == '?' || c_got == ':') && st.opt != optopt) ||
		    (takes_argument(optstring, c_got) && st.arg != optarg)) {
			fprintf(stderr, "getopt \"%s\" step %d: libc %d ind %d opt %d, "
			    "ours %d ind %d opt %d\n", optstring, step, c_want, optind, optopt,
			    c_got, st.ind, st.opt);
			abort();
		}
		if (c_got == -1)
			return;
	}
}

/* The first byte picks strtol (odd), getopt (2 mod 4) or printf. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input	in = { data, size };
	unsigned int	b = take(&in);

	if (b & 1)
		fuzz_strtol(&in);
	else if (b & 2)
		fuzz_getopt(&in);
	else
		fuzz_printf(&in);
	return 0;
}
