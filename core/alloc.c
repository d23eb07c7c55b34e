/* alloc.c -- size classes for small blocks, mappings for large ones (see alloc.h). */
#include <sys/mman.h>

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

/*
 * Each block has a size_t header just below the pointer returned: the
 * class size of a small block or the mapping length of a large one, both
 * counting the header.  A small block takes at most SMALL_MAX bytes, so a
 * header above SMALL_MAX marks a large block.
 */
#define ALIGN		alignof(max_align_t)	/* 16 bytes on 64-bit, 8 on armv7 */
#define HEADER		sizeof(size_t)
#define SMALL_MAX	16384
#define NCLASSES	40	/* the classes up to SMALL_MAX when ALIGN is 8 */
#define CHUNK		65536	/* bytes mapped at a time for small blocks */
#define REQUEST_MAX	(PTRDIFF_MAX - CHUNK)

static void	*free_lists[NCLASSES];	/* freed small blocks, linked through their first word */
static char	*chunk_next, *chunk_end;	/* unused part of the newest chunk */

static size_t *
header(void *p)
{
	return (size_t *)p - 1;
}

/*
 * Round size up to its class size and return the class: multiples of
 * ALIGN up to 8 * ALIGN, then four classes per doubling, so that rounding
 * wastes less than a fifth of a block.
 */
static unsigned int
size_class(size_t *size)
{
	size_t		s = ALIGN, step = ALIGN;
	unsigned int	c = 0;

	while (s < *size) {
		if (s == 8 * step)
			step *= 2;
		s += step;
		c++;
	}
	*size = s;
	return c;
}

/* Map len bytes of zeroed memory.  Pages never touched cost no RSS. */
static char *
map_pages(size_t len)
{
	void	*p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* Take a block of need bytes, header included, from its free list or the newest chunk. */
static void *
alloc_small(size_t need)
{
	unsigned int	 c = size_class(&need);
	char		*h, *chunk;
	void		*p;

	if ((p = free_lists[c]) != NULL) {
		free_lists[c] = *(void **)p;
		return p;
	}
	if ((size_t)(chunk_end - chunk_next) < need) {
		/* The rest of the old chunk stays unused, so its untouched pages cost no RSS. */
		if ((chunk = map_pages(CHUNK)) == NULL)
			return NULL;
		chunk_next = chunk + ALIGN - HEADER;
		chunk_end = chunk + CHUNK;
	}
	h = chunk_next;
	chunk_next += need;
	*(size_t *)h = need;
	return h + HEADER;
}

/* Map a block of its own: the header sits at the end of the mapping's first ALIGN bytes. */
static void *
alloc_large(size_t size)
{
	char	*m;

	if ((m = map_pages(size + ALIGN)) == NULL)
		return NULL;
	*header(m + ALIGN) = size + ALIGN;
	return m + ALIGN;
}

void *
alloc_block(size_t size)
{
	if (size > REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if (size + HEADER <= SMALL_MAX)
		return alloc_small(size + HEADER);
	return alloc_large(size);
}

void *
alloc_zeroed(size_t count, size_t size)
{
	void	*p;

	if (size != 0 && count > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	/* A large block is a fresh mapping, already zero. */
	if ((p = alloc_block(count * size)) != NULL && *header(p) <= SMALL_MAX)
		memset(p, 0, count * size);
	return p;
}

void *
alloc_resize(void *p, size_t size)
{
	size_t	 have, need, usable;
	char	*m;
	void	*q;

	if (p == NULL)
		return alloc_block(size);
	if (size > REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	have = *header(p);
	need = size + HEADER;
	if (have > SMALL_MAX && need > SMALL_MAX) {
		/* The kernel moves the pages when it cannot grow the mapping in place. */
		m = mremap((char *)p - ALIGN, have, size + ALIGN, MREMAP_MAYMOVE);
		if (m == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		*header(m + ALIGN) = size + ALIGN;
		return m + ALIGN;
	}
	if (have <= SMALL_MAX && need <= SMALL_MAX) {
		size_class(&need);
		if (need == have)
			return p;
	}

	/* Between a small and a large block, or to another class: copy. */
	if ((q = alloc_block(size)) == NULL)
		return NULL;
	usable = have > SMALL_MAX ? have - ALIGN : have - HEADER;
	memcpy(q, p, size < usable ? size : usable);
	alloc_release(p);
	return q;
}

void
alloc_release(void *p)
{
	size_t		size;
	unsigned int	c;

	if (p == NULL)
		return;
	size = *header(p);
	if (size > SMALL_MAX) {
		munmap((char *)p - ALIGN, size);
		return;
	}
	c = size_class(&size);
	*(void **)p = free_lists[c];
	free_lists[c] = p;
}

#ifdef EDGEBOX_STATIC
#include <stdlib.h>

/* musl calls these too, from fopen, opendir, getline and getifaddrs. */
void *
malloc(size_t size)
{
	return alloc_block(size);
}

void *
calloc(size_t count, size_t size)
{
	return alloc_zeroed(count, size);
}

void *
realloc(void *p, size_t size)
{
	return alloc_resize(p, size);
}

void
free(void *p)
{
	alloc_release(p);
}

/*
 * musl 1.2's time zone code (__tz.c) calls malloc by its internal name,
 * which would link musl's lite_malloc.lo, a second heap.  Some versions
 * also free by an internal name: that must reach this heap, not musl's.
 */
void	*__libc_malloc(size_t);
void	 __libc_free(void *);

void *
__libc_malloc(size_t size)
{
	return alloc_block(size);
}

void
__libc_free(void *p)
{
	alloc_release(p);
}
#endif
