/* fmt.c -- printf's formatting with exact decimal output of doubles (see fmt.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

#define FL_LEFT		0x01	/* '-' */
#define FL_PLUS		0x02	/* '+' */
#define FL_SPACE	0x04	/* ' ' */
#define FL_ALT		0x08	/* '#' */
#define FL_ZERO		0x10	/* '0' */

/* Length modifiers: z and t are long and j is long long on Linux's ABIs. */
enum length { LEN_CHAR = -2, LEN_SHORT, LEN_INT, LEN_LONG, LEN_LLONG };

/*
 * A double is m * 2^e with m < 2^53 and -1074 <= e <= 971.  Its exact
 * decimal value is the integer m * 2^e when e >= 0, and m * 5^-e with the
 * point -e digits from the right otherwise.  That integer is below 2^53 *
 * 5^1074 < 10^767, so it has at most 767 digits.
 */
#define DIGITS_MAX	767

/*
 * An output: a string when file is NULL and fd is -1, where the bytes past
 * cap are counted but dropped.  Otherwise buf collects the output for the
 * stream or the descriptor.
 */
struct sink {
	char	*buf;
	size_t	 fill;
	size_t	 cap;
	size_t	 total;		/* bytes of the whole output, written or not */
	FILE	*file;
	int	 fd;
	int	 failed;	/* a write failed */
};

static void
flush(struct sink *k)
{
	ssize_t	n;
	size_t	done = 0;

	if (k->file != NULL) {
		if (fwrite(k->buf, 1, k->fill, k->file) != k->fill)
			k->failed = 1;
	} else {
		while (done < k->fill) {
			n = write(k->fd, k->buf + done, k->fill - done);
			if (n < 0) {
				k->failed = 1;
				break;
			}
			done += (size_t)n;
		}
	}
	k->fill = 0;
}

static void
put(struct sink *k, const char *s, size_t n)
{
	size_t	c;

	k->total += n;
	while (n > 0) {
		if (k->fill == k->cap) {
			if (k->file == NULL && k->fd < 0)
				return;
			flush(k);
		}
		c = k->cap - k->fill < n ? k->cap - k->fill : n;
		memcpy(k->buf + k->fill, s, c);
		k->fill += c;
		s += c;
		n -= c;
	}
}

/* Put n copies of c; nothing when n <= 0. */
static void
pad(struct sink *k, int c, long n)
{
	char	block[16];

	memset(block, c, sizeof(block));
	for (; n > 16; n -= 16)
		put(k, block, 16);
	if (n > 0)
		put(k, block, (size_t)n);
}

/*
 * Put the field's leading spaces, the prefix (sign or "0x") and the zeros
 * of the '0' flag, for a field of len bytes with the prefix.
 */
static void
pad_front(struct sink *k, int fl, int width, size_t len, const char *prefix, size_t plen)
{
	long	n = (long)width - (long)len;

	if (!(fl & (FL_LEFT | FL_ZERO)))
		pad(k, ' ', n);
	put(k, prefix, plen);
	if (fl & FL_ZERO)
		pad(k, '0', n);
}

static void
pad_back(struct sink *k, int fl, int width, size_t len)
{
	if (fl & FL_LEFT)
		pad(k, ' ', (long)width - (long)len);
}

/* Put a field of width: the prefix, zeros more '0's and the n bytes of s. */
static void
put_field(struct sink *k, int fl, int width, const char *prefix, size_t zeros,
    const char *s, size_t n)
{
	size_t	plen = strlen(prefix), len = plen + zeros + n;

	pad_front(k, fl, width, len, prefix, plen);
	pad(k, '0', (long)zeros);
	put(k, s, n);
	pad_back(k, fl, width, len);
}

/* The sign or the space that the flags put in front of a number. */
static const char *
sign_prefix(int negative, int fl)
{
	if (negative)
		return "-";
	if (fl & FL_PLUS)
		return "+";
	if (fl & FL_SPACE)
		return " ";
	return "";
}

/*
 * Multiply the decimal digits [*first, end) by mul and move *first to the
 * new first digit.  10 * mul must fit in an unsigned long, so that a digit
 * times mul plus the carry (below mul) does.
 */
static void
digits_mul(char **first, char *end, unsigned long mul)
{
	unsigned long	t = 0;
	char		*p;

	for (p = end; p > *first;) {
		p--;
		t += (unsigned long)(*p - '0') * mul;
		*p = (char)('0' + t % 10);
		t /= 10;
	}
	for (; t > 0; t /= 10)
		*--*first = (char)('0' + t % 10);
}

/*
 * Write the exact decimal digits of the finite, non-negative double whose
 * representation is bits at the end of buf, with at least one byte in front
 * of them for a carry of round_digits.  Return the first digit, which is
 * '0' only for zero; *len is the number of digits and *point the number of
 * them before the decimal point (negative when the fraction starts with
 * zeros).
 */
static char *
exact_digits(uint64_t bits, char buf[1 + DIGITS_MAX], int *len, int *point)
{
	char		*end = buf + 1 + DIGITS_MAX, *d = end;
	uint64_t	 m;
	unsigned long	 x;
	int		 e, scale, max_shift, max_fives, i;

	m = bits & (((uint64_t)1 << 52) - 1);
	e = (int)(bits >> 52 & 0x7ff);
	if (e != 0)
		m |= (uint64_t)1 << 52;
	else
		e = 1;			/* subnormal */
	e -= 1075;
	if (m == 0)
		e = 0;
	while (m != 0 && (m & 1) == 0) {	/* fewer multiplications below */
		m >>= 1;
		e++;
	}
	do {
		*--d = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);

	scale = e < 0 ? -e : 0;

	/*
	 * Multiply by 2^e or 5^-e in the largest steps digits_mul takes:
	 * 10 * 2^59 and 10 * 5^26 are below 2^64, 10 * 2^28 and 10 * 5^12
	 * below 2^32.
	 */
	max_shift = sizeof(x) == 8 ? 59 : 28;
	max_fives = sizeof(x) == 8 ? 26 : 12;
	while (e > 0) {
		i = e < max_shift ? e : max_shift;
		digits_mul(&d, end, (unsigned long)1 << i);
		e -= i;
	}
	while (e < 0) {
		x = 1;
		for (i = 0; i < max_fives && e < 0; i++, e++)
			x *= 5;
		digits_mul(&d, end, x);
	}
	*len = (int)(end - d);
	*point = *len - scale;
	return d;
}

/*
 * Round the digits d[0..*len) to the first cut of them, half to even, and
 * return the first digit: d - 1 when the carry added a digit in front.
 * Digits past *len are zeros.
 */
static char *
round_digits(char *d, int *len, int cut, int *point)
{
	int	up, i;

	if (cut >= *len)
		return d;
	if (cut < 0) {			/* below half of the last place kept */
		*len = 0;
		return d;
	}
	up = d[cut] > '5';
	if (d[cut] == '5') {
		/* A tie rounds to the even digit, and even digits have even codes. */
		up = cut > 0 && (d[cut - 1] & 1);
		for (i = cut + 1; i < *len; i++)
			if (d[i] != '0')
				up = 1;
	}
	*len = cut;
	if (!up)
		return d;
	for (i = cut - 1; i >= 0 && d[i] == '9'; i--)
		d[i] = '0';
	if (i >= 0) {
		d[i]++;
		return d;
	}
	d[-1] = '1';
	(*len)++;
	(*point)++;
	return d - 1;
}

/* Put the digits d[from..from+count), where those outside d[0..len) are '0'. */
static void
put_digits(struct sink *k, const char *d, int len, int from, int count)
{
	int	n;

	if (from < 0) {
		n = -from < count ? -from : count;
		pad(k, '0', n);
		from += n;
		count -= n;
	}
	if (count > 0 && from < len) {
		n = len - from < count ? len - from : count;
		put(k, d + from, (size_t)n);
		count -= n;
	}
	pad(k, '0', count);
}

/* Format the integer conversions d i u o x X. */
static void
format_integer(struct sink *k, uintmax_t u, int negative, int fl, int width, int prec,
    int conv)
{
	char		 digits[3 * sizeof(u)], *p = digits + sizeof(digits);
	const char	*prefix = "";
	unsigned	 base = 10;
	size_t		 n, zeros;

	if (conv == 'o')
		base = 8;
	else if (conv == 'x' || conv == 'X')
		base = 16;
	if (conv == 'd' || conv == 'i')
		prefix = sign_prefix(negative, fl);
	else if ((fl & FL_ALT) && base == 16 && u != 0)
		prefix = conv == 'x' ? "0x" : "0X";

	for (; u != 0; u /= base) {
		*--p = "0123456789abcdef"[u % base];
		if (conv == 'X' && *p > '9')
			*p -= 'a' - 'A';
	}
	n = (size_t)(digits + sizeof(digits) - p);
	if (prec >= 0)
		fl &= ~FL_ZERO;
	else
		prec = 1;
	zeros = (size_t)prec > n ? (size_t)prec - n : 0;
	if ((fl & FL_ALT) && base == 8 && zeros == 0 && (n == 0 || *p != '0'))
		zeros = 1;		/* '#' makes the first octal digit 0 */

	put_field(k, fl, width, prefix, zeros, p, n);
}

/* Format v for the conversion conv (f F e E g G). */
static void
format_double(struct sink *k, double v, int fl, int width, int prec, int conv)
{
	char		 buf[1 + DIGITS_MAX];
	const char	*prefix, *special;
	char		*d;
	uint64_t	 bits;
	int		 upper = conv < 'a', len, point, x, n = 0, dot;
	size_t		 plen, body;

	conv |= 0x20;
	memcpy(&bits, &v, sizeof(bits));
	prefix = sign_prefix(bits >> 63, fl);
	plen = strlen(prefix);
	if ((bits >> 52 & 0x7ff) == 0x7ff) {
		if (bits << 12 != 0)
			special = upper ? "NAN" : "nan";
		else
			special = upper ? "INF" : "inf";
		put_field(k, fl & ~FL_ZERO, width, prefix, 0, special, 3);
		return;
	}

	if (prec < 0)
		prec = 6;
	d = exact_digits(bits & ~((uint64_t)1 << 63), buf, &len, &point);
	if (conv == 'g') {
		if (prec == 0)
			prec = 1;
		d = round_digits(d, &len, prec, &point);
		x = point - 1;
		if (x < prec && x >= -4) {
			conv = 'f';
			prec -= 1 + x;
		} else {
			conv = 'e';
			prec -= 1;
		}
		if (!(fl & FL_ALT)) {
			/* Without '#', %g drops the fraction's trailing zeros. */
			while (len > 0 && d[len - 1] == '0')
				len--;
			n = conv == 'e' ? len - 1 : len - point;
			if (n < prec)
				prec = n > 0 ? n : 0;
		}
	} else if (conv == 'e') {
		d = round_digits(d, &len, prec + 1, &point);
	} else {
		d = round_digits(d, &len, point + prec, &point);
	}

	dot = prec > 0 || (fl & FL_ALT);
	x = point - 1;
	if (conv == 'e') {
		/* "e+dd", or "e+ddd" from 1e100 and below 1e-99 */
		n = x >= 100 || x <= -100 ? 5 : 4;
		body = 1 + (size_t)dot + (size_t)prec + (size_t)n;
	} else {
		body = (size_t)(point > 0 ? point : 1) + (size_t)dot + (size_t)prec;
	}

	pad_front(k, fl, width, plen + body, prefix, plen);
	if (conv == 'e') {
		put_digits(k, d, len, 0, 1);
		if (dot)
			put(k, ".", 1);
		put_digits(k, d, len, 1, prec);
		put(k, upper ? "E" : "e", 1);
		format_integer(k, (uintmax_t)(x < 0 ? -x : x), x < 0, FL_PLUS, 0, 2, 'd');
	} else {
		if (point > 0)
			put_digits(k, d, len, 0, point);
		else
			put(k, "0", 1);
		if (dot)
			put(k, ".", 1);
		put_digits(k, d, len, point, prec);
	}
	pad_back(k, fl, width, plen + body);
}

/* Read an integer argument of the length given, or of int for a '*'. */
static uintmax_t
integer_arg(va_list *ap, int length)
{
	if (length == LEN_LLONG)
		return va_arg(*ap, unsigned long long);
	if (length == LEN_LONG)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

/* Read a width or a precision: digits, or '*' for an int argument. */
static int
parse_count(const char **fmt, va_list *ap)
{
	int	n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return (int)integer_arg(ap, LEN_INT);
	}
	while (**fmt >= '0' && **fmt <= '9') {
		if (n < INT_MAX / 10)
			n = n * 10 + (*(*fmt)++ - '0');
		else
			(*fmt)++;
	}
	return n;
}

/* Format fmt with ap into k; 0, or -1 with errno set. */
static int
format(struct sink *k, const char *fmt, va_list ap_in)
{
	va_list		 ap;
	const char	*p;
	uintmax_t	 u;
	intmax_t	 i;
	int		 length;
	char		 c;
	int		 saved_errno = errno, fl, width, prec, negative;

	/* A copy: where va_list is an array (x86_64), &parameter is no va_list *. */
	va_copy(ap, ap_in);
	for (;;) {
		for (p = fmt; *p != '\0' && *p != '%'; p++)
			;
		put(k, fmt, (size_t)(p - fmt));
		if (*p == '\0')
			break;
		fmt = p + 1;

		/* The flag characters in the order of the FL_ bits. */
		for (fl = 0; *fmt != '\0' && (p = strchr("-+ #0", *fmt)) != NULL; fmt++)
			fl |= 1 << (p - "-+ #0");
		width = parse_count(&fmt, &ap);
		if (width < 0) {
			fl |= FL_LEFT;
			width = width == INT_MIN ? INT_MAX : -width;
		}
		if (fl & FL_LEFT)
			fl &= ~FL_ZERO;
		prec = -1;
		if (*fmt == '.') {
			fmt++;
			prec = parse_count(&fmt, &ap);
			if (prec < 0)
				prec = -1;
		}

		/* h and hh narrow int to short and char, l and ll widen it. */
		for (length = LEN_INT;; fmt++) {
			if (*fmt == 'h')
				length--;
			else if (*fmt == 'l')
				length++;
			else if (*fmt == 'z' || *fmt == 't')
				length = LEN_LONG;
			else if (*fmt == 'j')
				length = LEN_LLONG;
			else
				break;
		}

		c = *fmt++;
		switch (c) {
		case 'd':
		case 'i':
		case 'u':
		case 'o':
		case 'x':
		case 'X':
		case 'c':
			u = integer_arg(&ap, length);
			if (c == 'c') {
				c = (char)u;
				put_field(k, fl & ~FL_ZERO, width, "", 0, &c, 1);
				break;
			}
			/* Narrow to the argument's type; d and i extend its sign. */
			negative = 0;
			if (c == 'd' || c == 'i') {
				if (length == LEN_CHAR)
					i = (signed char)u;
				else if (length == LEN_SHORT)
					i = (short)u;
				else if (length == LEN_INT)
					i = (int)u;
				else if (length == LEN_LONG)
					i = (long)u;
				else
					i = (long long)u;
				negative = i < 0;
				u = negative ? -(uintmax_t)i : (uintmax_t)i;
			} else if (length == LEN_CHAR) {
				u = (unsigned char)u;
			} else if (length == LEN_SHORT) {
				u = (unsigned short)u;
			}
			format_integer(k, u, negative, fl, width, prec, c);
			break;
		case 's':
		case 'm':
			p = c == 's' ? va_arg(ap, const char *) : strerror(saved_errno);
			if (p == NULL)
				p = "(null)";
			put_field(k, fl & ~FL_ZERO, width, "", 0, p,
			    prec >= 0 ? strnlen(p, (size_t)prec) : strlen(p));
			break;
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
			format_double(k, va_arg(ap, double), fl, width, prec, c);
			break;
		case '%':
			put(k, "%", 1);
			break;
		default:
			va_end(ap);
			errno = EINVAL;
			return -1;
		}
	}
	va_end(ap);
	return 0;
}

/* The return value of the printf functions for k. */
static int
finish(struct sink *k, int status)
{
	if (status == -1)
		return -1;
	if (k->failed)
		return -1;
	if (k->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)k->total;
}

int
fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink	k = { buf, 0, size > 0 ? size - 1 : 0, 0, NULL, -1, 0 };
	int		status;

	status = format(&k, fmt, ap);
	if (size > 0)
		buf[k.fill] = '\0';
	return finish(&k, status);
}

/*
 * A stream or a descriptor gets the output in pieces of up to 256 bytes, so
 * an unbuffered stderr gets a short message in one write(2), as with musl.
 */
int
fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char		buf[256];
	struct sink	k = { buf, 0, sizeof(buf), 0, f, -1, 0 };
	int		status;

	status = format(&k, fmt, ap);
	flush(&k);
	return finish(&k, status);
}

int
fmt_vdprintf(int fd, const char *fmt, va_list ap)
{
	char		buf[256];
	struct sink	k = { buf, 0, sizeof(buf), 0, NULL, fd, 0 };
	int		status;

	status = format(&k, fmt, ap);
	flush(&k);
	return finish(&k, status);
}

#ifdef EDGEBOX_STATIC
/* The C library's names, so that the linker takes none of musl's. */
int
vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int
vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
	return fmt_vsnprintf(buf, INT_MAX, fmt, ap);
}

int
vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
}

int
vprintf(const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(stdout, fmt, ap);
}

int
vdprintf(int fd, const char *restrict fmt, va_list ap)
{
	return fmt_vdprintf(fd, fmt, ap);
}

int
snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int
sprintf(char *restrict buf, const char *restrict fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, INT_MAX, fmt, ap);
	va_end(ap);
	return n;
}

int
fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int
printf(const char *restrict fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int
dprintf(int fd, const char *restrict fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}
#endif
