/* layout.h -- the code a daemon needs only while it starts (see layout.ld). */
#ifndef EDGEBOX_LAYOUT_H
#define EDGEBOX_LAYOUT_H

/*
 * Drop the pages of the init segments (the config parsers, the hosts file
 * reader, privilege dropping) from this process's memory.  They stay in
 * the page cache, and a later call into that code faults them back in.
 * A build without core/layout.ld has no init segments, and this does
 * nothing.  Call after start-up and after each reload.
 */
void	layout_drop_init(void);

#endif
