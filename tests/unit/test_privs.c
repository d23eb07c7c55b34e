/* test_privs.c -- dropping root: uid, gid, capability sets and no_new_privs, in a child. */
#include "testutil.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

/* Read "Name:\tVALUE" from /proc/self/status as hex. */
static unsigned long long
status_hex(const char *name)
{
	char			line[256];
	unsigned long long	v = ~0ULL;
	size_t			n = strlen(name);
	FILE			*f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return v;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			sscanf(line + n + 1, "%llx", &v);
	fclose(f);
	return v;
}

/* Exit codes of the child name the check that failed. */
static int
child(int keep)
{
	struct passwd	*pw = getpwnam("nobody");

	if (privs_drop("nobody", NULL, keep) != 0)
		return 10;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid)
		return 11;
	if (getgid() != pw->pw_gid)
		return 12;
	if (status_hex("CapEff") != (keep ? 1ULL << 25 : 0))
		return 13;
	if (status_hex("CapPrm") != (keep ? 1ULL << 25 : 0))
		return 14;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 15;
	return 0;
}

static int
run_child(int keep)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == 0)
		_exit(child(keep));
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
drop_keeps_sys_time(void **state)
{
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		skip();
	assert_int_equal(run_child(PRIVS_KEEP_SYS_TIME), 0);
}

static void
drop_keeps_nothing(void **state)
{
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		skip();
	assert_int_equal(run_child(0), 0);
}

/* The ids a process has after a switch, as the kernel reports them. */
struct ids {
	uid_t	uid[3];
	gid_t	gid[3];
	gid_t	groups[4];
	int	ngroups;
};

/*
 * Switch ids in a child, with privs_set_ids or with the C library's calls
 * when libc is set, and return the ids it ends with through a pipe.
 */
static int
ids_after_switch(uid_t uid, gid_t gid, int libc, struct ids *ids)
{
	struct ids	 got;
	pid_t		 pid;
	int		 fd[2], status;

	memset(ids, 0, sizeof(*ids));
	if (pipe(fd) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		memset(&got, 0, sizeof(got));
		if (libc) {
			if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
			    setresuid(uid, uid, uid) == -1)
				_exit(1);
		} else if (privs_set_ids(uid, gid) == -1)
			_exit(1);
		getresuid(&got.uid[0], &got.uid[1], &got.uid[2]);
		getresgid(&got.gid[0], &got.gid[1], &got.gid[2]);
		got.ngroups = getgroups(4, got.groups);
		_exit(write(fd[1], &got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 2);
	}
	close(fd[1]);
	if (read(fd[0], ids, sizeof(*ids)) != (ssize_t)sizeof(*ids))
		ids->ngroups = -2;
	close(fd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * privs_set_ids uses the system calls, not libc's wrappers.  Ids above
 * 65535 would come out cut to 16 bits on 32-bit ARM with the calls that
 * take 16-bit ids.
 */
static void
set_ids_agrees_with_libc(void **state)
{
	static const unsigned int	cases[][2] = {
		{ 65534, 65534 }, { 100000, 100001 }, { 70000, 65535 }, { 1, 4000000000u },
	};
	struct ids			ours, ref;
	size_t				i;
	int				j;

	if (geteuid() != 0)
		skip();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ids_after_switch(cases[i][0], cases[i][1], 0, &ours), 0);
		assert_int_equal(ids_after_switch(cases[i][0], cases[i][1], 1, &ref), 0);
		for (j = 0; j < 3; j++) {
			assert_int_equal(ours.uid[j], cases[i][0]);
			assert_int_equal(ours.gid[j], cases[i][1]);
		}
		assert_int_equal(ours.ngroups, 1);
		assert_int_equal(ours.groups[0], cases[i][1]);
		assert_memory_equal(&ours, &ref, sizeof(ours));
	}
}

static void
unknown_user_fails(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_int_equal(privs_drop("no-such-user-edgebox", NULL, 0), -1);
	assert_int_equal(geteuid(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drop_keeps_sys_time),
		cmocka_unit_test(drop_keeps_nothing),
		cmocka_unit_test(set_ids_agrees_with_libc),
		cmocka_unit_test(unknown_user_fails),
	};

	return cmocka_run_group_tests_name("privs", tests, NULL, NULL);
}
