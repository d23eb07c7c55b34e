/* sort.c -- heapsort (see sort.h). */
#include <stdlib.h>

#include "sort.h"

static void
swap(unsigned char *a, unsigned char *b, size_t size)
{
	unsigned char	t;

	while (size-- > 0) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Move the element at root down until no child is larger; the heap has n elements. */
static void
sift_down(unsigned char *base, size_t root, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	size_t	child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

void
sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char	*b = base;
	size_t		 i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		swap(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp);
	}
}

#ifdef EDGEBOX_STATIC
void
qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	sort_heap(base, n, size, cmp);
}
#endif
