/* fmt.h -- printf's formatting, in place of musl's vfprintf in the static build. */
#ifndef EDGEBOX_FMT_H
#define EDGEBOX_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Format as vsnprintf(3), vfprintf(3) and vdprintf(3) do, with the same
 * return values.  The conversions are d i u o x X c s m f F e E g G and %,
 * with the flags "-+ #0", a width and a precision (either may be '*'), and
 * the length modifiers hh h l ll z j t.  A double prints as the exact,
 * correctly rounded decimal value (ties to even), byte for byte as glibc and
 * musl print it, except that "%#g" keeps its zeros where glibc 2.36 drops
 * them after a carry ("1.e+06" for 999999.5).  Other conversions (a, p, n, L, wide characters) fail with
 * EINVAL.
 */
int	fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));
int	fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
int	fmt_vdprintf(int fd, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#endif
