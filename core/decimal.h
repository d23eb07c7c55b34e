/* decimal.h -- parse decimal numbers of configs, state files and commands without strtod. */
#ifndef EDGEBOX_DECIMAL_H
#define EDGEBOX_DECIMAL_H

/*
 * Parse a decimal number as strtod(3) does for decimal notation: leading
 * white space, an optional sign, digits with an optional '.' and fraction,
 * and an optional exponent ("e-6").  Hexadecimal, "inf" and "nan" are not
 * numbers here.  *end (when end is not NULL) is set past the last character
 * used, or to s when there is no number.  The result is correctly rounded
 * when the digits, without the point, fit in 15 significant digits and the
 * exponent is within 10^+-22.  Otherwise it is within a few units in the
 * last place.  A magnitude past the range of double gives +-HUGE_VAL and
 * errno ERANGE.  This replaces strtod because musl's pulls in scanf's 6 KB
 * float scanner, and these callers need no more precision than this.
 */
double	decimal_parse(const char *s, const char **end);

#endif
