/* alloc.h -- a small memory allocator for the static build's malloc family. */
#ifndef EDGEBOX_ALLOC_H
#define EDGEBOX_ALLOC_H

#include <stddef.h>

/*
 * These functions behave as musl 1.2's malloc, calloc, realloc and free,
 * which the static build defines as calls to them (alloc.c): mallocng
 * costs about 8.5 KB of code.  Every pointer returned is aligned for
 * max_align_t.  A size of 0 returns a unique pointer, and a size too large
 * for the address space returns NULL with errno set to ENOMEM.  A block
 * of more than about 16 KB is a mapping of its own, zero until written,
 * and alloc_release returns it to the kernel.  Smaller blocks come from
 * size classes, and their memory is kept for reuse.
 *
 * The allocator takes no locks: edgebox runs one thread per process.  A
 * child of fork gets a consistent copy of the allocator's state, so the
 * child may allocate before it calls exec.
 */
void	*alloc_block(size_t size);
void	*alloc_zeroed(size_t count, size_t size);
void	*alloc_resize(void *p, size_t size);
void	 alloc_release(void *p);

#endif
