/* privs.c -- drop root after binding, keeping only the capabilities a daemon needs. */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

/*
 * The calls without 32 in their name take 16-bit ids on 32-bit ARM and
 * i386, where <sys/syscall.h> also defines the 32-bit-id calls.
 */
#ifdef SYS_setresuid32
#define NR_SETGROUPS	SYS_setgroups32
#define NR_SETRESGID	SYS_setresgid32
#define NR_SETRESUID	SYS_setresuid32
#else
#define NR_SETGROUPS	SYS_setgroups
#define NR_SETRESGID	SYS_setresgid
#define NR_SETRESUID	SYS_setresuid
#endif

/* From <linux/capability.h>, which musl-gcc does not see on Debian. */
#define CAP_VERSION_3	0x20080522
#define CAP_SYS_TIME_BIT	25

struct cap_header {
	uint32_t	version;
	int		pid;
};

struct cap_data {
	uint32_t	effective;
	uint32_t	permitted;
	uint32_t	inheritable;
};

static int
set_capabilities(int keep)
{
	struct cap_header	hdr = { CAP_VERSION_3, 0 };
	struct cap_data		data[2];

	memset(data, 0, sizeof(data));
	if (keep & PRIVS_KEEP_SYS_TIME) {
		data[0].effective = 1u << CAP_SYS_TIME_BIT;
		data[0].permitted = 1u << CAP_SYS_TIME_BIT;
	}
	/* libc has no capset wrapper without libcap. */
	return (int)syscall(SYS_capset, &hdr, data);
}

/*
 * The libc wrappers change the ids of every thread of the process (musl's
 * __synccall, about 2 KB), and edgebox has one thread, so the system calls
 * do the same.
 */
int
privs_set_ids(uid_t uid, gid_t gid)
{
	if (syscall(NR_SETGROUPS, 1, &gid) == -1 ||
	    syscall(NR_SETRESGID, gid, gid, gid) == -1 ||
	    syscall(NR_SETRESUID, uid, uid, uid) == -1)
		return -1;
	return 0;
}

/*
 * Find the uid of user and the gid of group, or of the user's primary
 * group when group is NULL.  Returns 0, or -1 after logging which name is
 * unknown; what names the action that needed them.
 */
static int
lookup_ids(const char *user, const char *group, const char *what, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;

	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("cannot %s: user '%s' does not exist "
		    "(create it, or choose another with the user option)", what, user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			log_warnx("cannot %s: group '%s' does not exist", what, group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

int
privs_give(const char *path, const char *user, const char *group)
{
	uid_t	uid;
	gid_t	gid;

	if (geteuid() != 0)
		return 0;
	if (lookup_ids(user, group, "change the owner of a file", &uid, &gid) == -1)
		return -1;
	if (chown(path, uid, gid) == -1) {
		log_warn("failed to change the owner of %s to user %s", path, user);
		return -1;
	}
	return 0;
}

int
privs_drop(const char *user, const char *group, int keep)
{
	uid_t	uid;
	gid_t	gid;

	if (geteuid() != 0)
		return 0;
	if (lookup_ids(user, group, "drop privileges", &uid, &gid) == -1)
		return -1;
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_KEEPCAPS)");
		return -1;
	}
	if (privs_set_ids(uid, gid) == -1) {
		log_warn("failed to switch to user %s", user);
		return -1;
	}
	if (set_capabilities(keep) == -1) {
		log_warn("failed to set the capability sets");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	log_debug("running as %s (uid %d, gid %d)", user, (int)uid, (int)gid);
	return 0;
}
