/* users.h -- user and group lookups in passwd and group files, for the static build. */
#ifndef EDGEBOX_USERS_H
#define EDGEBOX_USERS_H

#include <sys/types.h>

#include <grp.h>
#include <pwd.h>

/*
 * Find the first entry of user name in the passwd file at path, parsing
 * each line as musl 1.2's getpwnam does.  Returns the entry in static
 * storage that the next call overwrites, or NULL if the file cannot be
 * read or has no such entry.  The static build's getpwnam calls this
 * function with /etc/passwd.
 */
struct passwd	*users_find_passwd(const char *path, const char *name);

/*
 * Find the first entry of group name in the group file at path, parsing
 * each line as musl 1.2's getgrnam does.  Returns the entry in static
 * storage that the next call overwrites, or NULL if the file cannot be
 * read or has no such entry.  The static build's getgrnam calls this
 * function with /etc/group.
 */
struct group	*users_find_group(const char *path, const char *name);

#endif
