/* testutil.h -- includes every cmocka test file needs, in the order cmocka requires. */
#ifndef EDGEBOX_TESTUTIL_H
#define EDGEBOX_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#endif
