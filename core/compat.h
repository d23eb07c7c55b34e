/* compat.h -- functions musl has and older glibc lacks; the glibc test and fuzz builds include it first. */
#ifndef EDGEBOX_COMPAT_H
#define EDGEBOX_COMPAT_H

#include <string.h>	/* defines __GLIBC__ on glibc */

#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
#define EDGEBOX_NEED_STRLCPY	1
size_t	strlcpy(char *, const char *, size_t);
size_t	strlcat(char *, const char *, size_t);
#endif

#endif
