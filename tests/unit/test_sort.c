/* test_sort.c -- sort_heap against the C library's qsort on the same arrays. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sort.h"

/*
 * Compare elements by a key byte that often repeats, then by the element's
 * first position.  The order is total, so both sorts must agree byte for byte.
 */
static int
compare_elems(const void *a, const void *b)
{
	const unsigned char	*x = a, *y = b;
	unsigned short		 px, py;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	memcpy(&px, x + 1, sizeof(px));
	memcpy(&py, y + 1, sizeof(py));
	return px < py ? -1 : px > py;
}

static unsigned int	seed = 2026;

/* Fill n elements by pattern (0 random, 1 sorted, 2 reversed, 3 one key) and sort them both ways. */
static void
check_against_qsort(size_t n, size_t size, int pattern)
{
	unsigned char	*ours = malloc(n * size + 1), *ref = malloc(n * size + 1);
	size_t		 i, j;

	assert_non_null(ours);
	assert_non_null(ref);
	for (i = 0; i < n; i++) {
		unsigned char		*e = ours + i * size;
		unsigned short		 pos = (unsigned short)i;

		e[0] = pattern == 0 ? (unsigned char)(test_random(&seed) % 7) :
		    pattern == 1 ? (unsigned char)(i * 250 / (n + 1)) :
		    pattern == 2 ? (unsigned char)(250 - i * 250 / (n + 1)) : 42;
		memcpy(e + 1, &pos, sizeof(pos));
		for (j = 3; j < size; j++)
			e[j] = (unsigned char)(e[0] ^ i ^ j);
	}
	memcpy(ref, ours, n * size);
	sort_heap(ours, n, size, compare_elems);
	qsort(ref, n, size, compare_elems);
	if (n > 0 && memcmp(ours, ref, n * size) != 0)
		fail_msg("%zu elements of %zu bytes (pattern %d) sorted differently", n, size,
		    pattern);
	free(ours);
	free(ref);
}

static void
agrees_with_qsort(void **state)
{
	static const size_t	sizes[] = { 3, 4, 8, 13, 24 };
	static const size_t	counts[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 100, 257, 1000, 4099 };
	size_t			s, c;
	int			pattern;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			for (pattern = 0; pattern < 4; pattern++)
				check_against_qsort(counts[c], sizes[s], pattern);
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names, as conf.c, pathglob.c and hosts.c sort them. */
static void
sorts_names(void **state)
{
	const char	*names[] = { "b.conf", "a.conf", "10-x.conf", "1-x.conf", "a.conf.bak",
	    "B.conf", "" };
	const char	*want[] = { "", "1-x.conf", "10-x.conf", "B.conf", "a.conf", "a.conf.bak",
	    "b.conf" };
	size_t		 i, n = sizeof(names) / sizeof(names[0]);

	(void)state;
	sort_heap(names, n, sizeof(names[0]), compare_strings);
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_qsort),
		cmocka_unit_test(sorts_names),
	};

	return cmocka_run_group_tests_name("sort", tests, NULL, NULL);
}
