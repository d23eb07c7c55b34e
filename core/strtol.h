/* strtol.h -- integer conversion with musl's strtol rules, for the static build. */
#ifndef EDGEBOX_STRTOL_H
#define EDGEBOX_STRTOL_H

/*
 * Convert the integer at the start of s as musl 1.2's strtol family does.
 * lim is the limit of the caller's type: ULONG_MAX or ULLONG_MAX for the
 * unsigned functions, LONG_MIN or LLONG_MIN converted for the signed ones.
 * The caller converts the result back to its type.  A value out of range
 * returns the limit and sets errno to ERANGE, and a minus sign negates an
 * unsigned result.  No digits, or a base of 1, below 0 or above 36,
 * returns 0 with *end = s and sets errno to EINVAL, as musl does.  The
 * static build's strtol, strtoul, strtoll and strtoull call this function.
 */
unsigned long long	strtol_scan(const char *s, char **end, int base,
			    unsigned long long lim);

#endif
