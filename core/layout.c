/* layout.c -- releases the init segments that core/layout.ld sets apart. */
#include <sys/auxv.h>
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "unpack.h"

/* Set by core/layout.ld; weak, so that builds without it link. */
extern const char edgebox_init_text_start[] __attribute__((weak));
extern const char edgebox_init_text_end[] __attribute__((weak));
extern const char edgebox_init_rodata_start[] __attribute__((weak));
extern const char edgebox_init_rodata_end[] __attribute__((weak));
extern const char edgebox_shared_text_start[] __attribute__((weak));

/*
 * Each init section is a segment of its own, one page or more away from
 * its neighbours (see layout.ld), so the pages from the one holding start
 * to the one holding end - 1 belong to it alone.  MADV_DONTNEED on a
 * private file mapping that was never written only unmaps its pages.
 * The page size comes from the kernel's auxiliary vector (AT_PAGESZ), the
 * value that sysconf(_SC_PAGESIZE) returns, without linking all of musl's
 * sysconf.
 */
static void
drop(const char *start, const char *end)
{
	uintptr_t	page = (uintptr_t)getauxval(AT_PAGESZ);
	uintptr_t	lo, hi;

	if (start == NULL || end == NULL || end <= start || unpack_release(start, end))
		return;
	lo = (uintptr_t)start & ~(page - 1);
	hi = ((uintptr_t)end + page - 1) & ~(page - 1);
	(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void
layout_drop_init(void)
{
	drop(edgebox_init_text_start, edgebox_init_text_end);
	drop(edgebox_init_rodata_start, edgebox_init_rodata_end);
	/*
	 * In a packed binary the shared code outside the hot segment (from
	 * .text.gap up to the init segment) goes too: dnsd runs it only while
	 * it starts, and a later call restores it.  An unpacked binary keeps
	 * these file pages, which it maps only where it runs them.
	 */
	if (edgebox_shared_text_start != NULL && edgebox_init_text_start != NULL)
		(void)unpack_release(edgebox_shared_text_start, edgebox_init_text_start);
}
