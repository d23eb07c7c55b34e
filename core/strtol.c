/* strtol.c -- integer conversion with musl's strtol rules (see strtol.h). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "strtol.h"

/* The value of c as a digit in base 36, or 36 for no digit. */
static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 36;
}

unsigned long long
strtol_scan(const char *s, char **end, int base, unsigned long long lim)
{
	/* strtol's end points into the caller's string, which it declares const. */
	char			*p = (char *)(uintptr_t)s;
	unsigned long long	 y = 0;
	int			 neg = 0, overflow = 0, d;

	if (end != NULL)
		*end = p;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		return 0;
	}
	/* The C locale's white space, as musl's isspace has it. */
	while (*p == ' ' || (unsigned char)(*p - '\t') < 5)
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	/* "0x" without a hex digit after it is the number 0, ending before the x. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0)
		base = p[0] == '0' ? 8 : 10;
	if (digit_value(*p) >= base) {
		errno = EINVAL;
		return 0;
	}

	for (; (d = digit_value(*p)) < base; p++) {
		if (y > (ULLONG_MAX - (unsigned int)d) / (unsigned int)base)
			overflow = 1;
		else
			y = y * (unsigned int)base + (unsigned int)d;
	}
	if (end != NULL)
		*end = p;

	/*
	 * lim is odd for the unsigned functions, where a negative value out of
	 * range is lim, and even (a power of two) for the signed ones.
	 */
	if (overflow) {
		errno = ERANGE;
		y = lim;
		if (lim & 1)
			neg = 0;
	}
	if (y >= lim) {
		if (!(lim & 1) && !neg) {
			errno = ERANGE;
			return lim - 1;
		}
		if (y > lim) {
			errno = ERANGE;
			return lim;
		}
	}
	return neg ? -y : y;
}

#ifdef EDGEBOX_STATIC
long
strtol(const char *s, char **end, int base)
{
	return (long)strtol_scan(s, end, base, (unsigned long)LONG_MIN);
}

unsigned long
strtoul(const char *s, char **end, int base)
{
	return (unsigned long)strtol_scan(s, end, base, ULONG_MAX);
}

long long
strtoll(const char *s, char **end, int base)
{
	return (long long)strtol_scan(s, end, base, (unsigned long long)LLONG_MIN);
}

unsigned long long
strtoull(const char *s, char **end, int base)
{
	return strtol_scan(s, end, base, ULLONG_MAX);
}
#endif
