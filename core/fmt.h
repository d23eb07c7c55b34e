/* fmt.h -- printf's formatting, in place of musl's vfprintf in the static build. */
#ifndef EDGEBOX_FMT_H
#define EDGEBOX_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Format as vsnprintf(3), vfprintf(3) and vdprintf(3) do, with the same
 * return values.  The conversions are d i u o x X c s m f F e E g G and %.
 * The flags are "-+ #0", a width and a precision may be '*', and the length
 * modifiers are hh h l ll z j t.  A double prints as its exact, correctly
 * rounded decimal value (ties to even), byte for byte as glibc and musl
 * print it.  The exception is "%#g": it keeps its zeros where glibc 2.36
 * drops them after a carry ("1.e+06" for 999999.5).  Other conversions (a,
 * p, n, L, wide characters) fail with EINVAL.  In the static build
 * (EDGEBOX_STATIC), fmt.c also defines printf, fprintf, sprintf, snprintf,
 * dprintf and their v variants with these, so that musl's vfprintf and its
 * long double code are not linked.
 */
int	fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));
int	fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
int	fmt_vdprintf(int fd, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#endif
