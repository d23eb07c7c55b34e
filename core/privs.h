/* privs.h -- drop root after binding, keeping only the capabilities a daemon needs. */
#ifndef EDGEBOX_PRIVS_H
#define EDGEBOX_PRIVS_H

#include <sys/types.h>

#define PRIVS_KEEP_SYS_TIME	0x1	/* ntpd: keep CAP_SYS_TIME to adjust the clock */

/*
 * Switch to user (and group, or the user's primary group when NULL):
 * supplementary groups, then gid, then uid, then the capability sets are
 * cut to what keep names, and no_new_privs is set.  A no-op returning 0
 * when not running as root.  Returns 0, or -1 after logging why.
 */
int	privs_drop(const char *user, const char *group, int keep);

/*
 * Make path belong to user and group (or the user's primary group when
 * NULL), so the daemon still owns what it created as root: ntpd's control
 * socket.  A no-op returning 0 when not running as root.  Returns 0, or -1
 * after logging why.
 */
int	privs_give(const char *path, const char *user, const char *group);

/*
 * Set the supplementary groups to gid alone, then the real, effective and
 * saved gid, then those of uid, as setgroups, setresgid and setresuid do.
 * Returns 0, or -1 with errno set by the call that failed.
 */
int	privs_set_ids(uid_t uid, gid_t gid);

#endif
