/* testutil.h -- includes every cmocka test file needs, in the order cmocka requires. */
#ifndef EDGEBOX_TESTUTIL_H
#define EDGEBOX_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Step a fixed pseudo-random sequence, so that a failure repeats on every run. */
static inline unsigned int
test_random(unsigned int *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

#endif
