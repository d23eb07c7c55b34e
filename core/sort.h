/* sort.h -- heapsort for the static build's qsort. */
#ifndef EDGEBOX_SORT_H
#define EDGEBOX_SORT_H

#include <stddef.h>

/*
 * Sort n elements of the given size as qsort(3) does, in place, with no
 * memory of its own and O(n log n) comparisons in the worst case.  Like
 * qsort it is not stable: elements that compare equal may end up in any
 * order, so every caller's comparison orders all distinct elements.  The
 * static build's qsort is this function (sort.c): musl's smoothsort costs
 * 2 KB, and edgebox sorts only file names, a few hundred records at load
 * and ntpd's handful of interval ends.
 */
void	sort_heap(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
