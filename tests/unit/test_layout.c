/* test_layout.c -- the page size that layout_drop_init rounds to. */
#include "testutil.h"

#include <sys/auxv.h>

#include <unistd.h>

#include "layout.h"

/*
 * layout.c reads the page size with getauxval(AT_PAGESZ) in place of
 * sysconf(_SC_PAGESIZE): both must give the same value, under glibc on
 * the host and under musl in qemu.
 */
static void
page_size_agrees_with_sysconf(void **state)
{
	(void)state;
	assert_int_equal(getauxval(AT_PAGESZ), (unsigned long)sysconf(_SC_PAGESIZE));
	assert_int_equal(getauxval(AT_PAGESZ), (unsigned long)getpagesize());
}

/* Without core/layout.ld (the unit tests' build) there is nothing to drop. */
static void
drop_without_segments(void **state)
{
	(void)state;
	layout_drop_init();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(page_size_agrees_with_sysconf),
		cmocka_unit_test(drop_without_segments),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
