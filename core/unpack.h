/* unpack.h -- the segments of a packed binary at run time (see pack.h). */
#ifndef EDGEBOX_UNPACK_H
#define EDGEBOX_UNPACK_H

/*
 * Release the memory of the packed code segments that overlap
 * [start, end): their pages become inaccessible, and the next call into
 * them decompresses the segment again.  Constants and data stay.  The
 * compressed streams' pages are released too, now and after each later
 * restore.  Returns
 * 1 when [start, end) lies in a packed segment (released or kept), 0 when
 * the binary is not packed or the range is not in a packed segment.
 */
int	unpack_release(const void *start, const void *end);

/*
 * Restore now the constants of the given groups (names separated by
 * spaces, see pack.h): those an applet may pass to a system call before
 * its own code reads them.  Other constants are restored when code first
 * reads them, but a system call that reads an absent page fails with
 * EFAULT instead.  For a daemon, the compressed streams' pages are
 * released from now on after each restore, so that they never add to its
 * peak memory.  Does nothing in a binary that is not packed.
 */
void	unpack_groups(const char *groups, int daemon);

#endif
