/* test_alloc.c -- the static build's malloc family (alloc.c) under random use. */
#include "testutil.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

#define SLOTS		16
#define STEPS		10000
#define HUGE_MAX	(1024 * 1024)

/* A live block holds pattern[tag], pattern[tag + 1], ... so that a moved or overwritten byte shows. */
struct slot {
	unsigned char	*p;
	size_t		 size;
	unsigned int	 tag;
};

static unsigned char	pattern[HUGE_MAX + 256];
static unsigned int	seed = 2026;

static void
make_pattern(void)
{
	size_t	i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)i;
}

static int
is_aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

static int
is_zero(const unsigned char *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return 0;
	return 1;
}

/* Sizes 0 and 1, small, around a page and the small/large limit, and huge. */
static size_t
random_size(void)
{
	unsigned int	r = test_random(&seed) % 100;

	if (r < 5)
		return 0;
	if (r < 10)
		return 1;
	if (r < 60)
		return 2 + test_random(&seed) % 255;
	if (r < 80)
		return 257 + test_random(&seed) % 3840;
	if (r < 94)
		return 4090 + test_random(&seed) % 12400;
	if (r < 99)
		return 16384 + test_random(&seed) % 114688;
	return 131072 + test_random(&seed) % (HUGE_MAX - 131072);
}

static void
check_slots(const struct slot *slots, unsigned int step)
{
	unsigned int	i;

	for (i = 0; i < SLOTS; i++)
		if (slots[i].p != NULL &&
		    memcmp(slots[i].p, pattern + slots[i].tag, slots[i].size) != 0)
			fail_msg("step %u: block %u of %zu bytes was overwritten", step, i,
			    slots[i].size);
}

/* Allocate, zero-allocate, resize and free blocks at random, checking every live block after each step. */
static void
random_sequence(void **state)
{
	struct slot	 slots[SLOTS];
	struct slot	*s;
	unsigned char	*p;
	unsigned int	 step, op;
	size_t		 size, preserved;

	(void)state;
	make_pattern();
	memset(slots, 0, sizeof(slots));
	for (step = 0; step < STEPS; step++) {
		s = &slots[test_random(&seed) % SLOTS];
		op = test_random(&seed) % 4;
		size = random_size();
		if (s->p == NULL) {
			if (op < 2) {
				p = alloc_block(size);
			} else {
				p = alloc_zeroed(size, 1);
				if (p != NULL && !is_zero(p, size))
					fail_msg("step %u: alloc_zeroed(%zu, 1) not zero", step, size);
			}
			if (p == NULL)
				fail_msg("step %u: allocating %zu bytes failed", step, size);
			s->p = p;
			s->tag = test_random(&seed) % 256;
			preserved = 0;
		} else if (op < 2) {
			alloc_release(s->p);
			s->p = NULL;
			check_slots(slots, step);
			continue;
		} else {
			if ((p = alloc_resize(s->p, size)) == NULL)
				fail_msg("step %u: resizing %zu to %zu bytes failed", step, s->size,
				    size);
			preserved = size < s->size ? size : s->size;
			if (memcmp(p, pattern + s->tag, preserved) != 0)
				fail_msg("step %u: resizing %zu to %zu bytes lost the contents", step,
				    s->size, size);
			s->p = p;
		}
		if (!is_aligned(s->p))
			fail_msg("step %u: %p of %zu bytes is not aligned", step, (void *)s->p, size);
		s->size = size;
		memcpy(s->p + preserved, pattern + s->tag + preserved, size - preserved);
		check_slots(slots, step);
	}
	for (step = 0; step < SLOTS; step++)
		alloc_release(slots[step].p);
}

static void
zero_size_and_null(void **state)
{
	unsigned char	*a, *b;

	(void)state;
	a = alloc_block(0);
	b = alloc_block(0);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(is_aligned(a));
	alloc_release(NULL);

	/* As in musl, resizing to 0 keeps a block and resizing NULL allocates. */
	b = alloc_resize(b, 0);
	assert_non_null(b);
	alloc_release(a);
	alloc_release(b);
	a = alloc_resize(NULL, 40);
	assert_non_null(a);
	memset(a, 1, 40);
	alloc_release(a);
	a = alloc_zeroed(0, 8);
	assert_non_null(a);
	alloc_release(a);
}

static void
expect_enomem(void *p)
{
	assert_null(p);
	assert_int_equal(errno, ENOMEM);
	errno = 0;
}

static void
huge_sizes_fail(void **state)
{
	unsigned char	*p;

	(void)state;
	expect_enomem(alloc_block(SIZE_MAX));
	expect_enomem(alloc_block(SIZE_MAX / 2));
	expect_enomem(alloc_block(PTRDIFF_MAX));
	expect_enomem(alloc_zeroed(SIZE_MAX / 2 + 1, 2));
	expect_enomem(alloc_zeroed(2, SIZE_MAX / 2 + 1));
	expect_enomem(alloc_zeroed(SIZE_MAX, SIZE_MAX));

	/* A failed resize keeps the block and its contents, small or large. */
	p = alloc_block(100);
	assert_non_null(p);
	memset(p, 7, 100);
	expect_enomem(alloc_resize(p, SIZE_MAX));
	expect_enomem(alloc_resize(p, PTRDIFF_MAX));
	assert_int_equal(p[99], 7);
	alloc_release(p);
	p = alloc_block(100000);
	assert_non_null(p);
	memset(p, 7, 100000);
	expect_enomem(alloc_resize(p, SIZE_MAX));
	assert_int_equal(p[99999], 7);
	alloc_release(p);
}

/* Freed small blocks serve the next request of their class, so that memory does not grow. */
static void
freed_block_reused(void **state)
{
	unsigned char	*a, *b;

	(void)state;
	a = alloc_block(100);
	assert_non_null(a);
	memset(a, 9, 100);
	alloc_release(a);
	b = alloc_zeroed(1, 100);
	assert_ptr_equal(a, b);
	assert_true(is_zero(b, 100));
	alloc_release(b);
	b = alloc_block(97);
	assert_ptr_equal(a, b);
	alloc_release(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_sequence),
		cmocka_unit_test(zero_size_and_null),
		cmocka_unit_test(huge_sizes_fail),
		cmocka_unit_test(freed_block_reused),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
