/* decimal.c -- decimal numbers without strtod (see decimal.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "decimal.h"

/* 10^0 to 10^22: every one of them is exact in a double. */
static const double	exact_powers[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define EXACT_POWER_MAX	22
#define DIGITS_MAX	19	/* decimal digits that always fit in uint64_t */

/* Scale v by 10^exp, exactly when |exp| <= 22 and v is an exact integer. */
static double
scale(double v, int exp)
{
	while (exp > EXACT_POWER_MAX) {
		v *= 1e22;
		exp -= EXACT_POWER_MAX;
		if (isinf(v))
			return v;
	}
	while (exp < -EXACT_POWER_MAX) {
		v /= 1e22;
		exp += EXACT_POWER_MAX;
		if (v == 0)
			return v;
	}
	return exp >= 0 ? v * exact_powers[exp] : v / exact_powers[-exp];
}

double
decimal_parse(const char *s, const char **end)
{
	const char	*p = s, *e;
	uint64_t	 mantissa = 0;
	int		 negative = 0, in_fraction = 0, any_digit = 0;
	int		 ndigits = 0, exp = 0, eexp = 0, eneg = 0;
	double		 v;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (;; p++) {
		if (*p == '.' && !in_fraction) {
			in_fraction = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			break;
		any_digit = 1;
		/* Leading zeros add no digit; digits past 19 only move the point. */
		if (mantissa == 0 && *p == '0') {
			if (in_fraction)
				exp--;
		} else if (ndigits < DIGITS_MAX) {
			mantissa = mantissa * 10 + (uint64_t)(*p - '0');
			ndigits++;
			if (in_fraction)
				exp--;
		} else if (!in_fraction) {
			exp++;
		}
	}
	if (!any_digit) {
		if (end != NULL)
			*end = s;
		return 0;
	}
	/* An exponent counts only with at least one digit: "1e" is 1 followed by "e". */
	if (*p == 'e' || *p == 'E') {
		e = p + 1;
		if (*e == '+' || *e == '-')
			eneg = *e++ == '-';
		if (isdigit((unsigned char)*e)) {
			for (; isdigit((unsigned char)*e); e++)
				if (eexp < 100000)
					eexp = eexp * 10 + (*e - '0');
			exp += eneg ? -eexp : eexp;
			p = e;
		}
	}
	if (end != NULL)
		*end = p;
	v = mantissa == 0 ? 0 : scale((double)mantissa, exp);
	if (isinf(v))
		errno = ERANGE;
	return negative ? -v : v;
}
