/* test_privs.c -- dropping root: uid, gid, capability sets and no_new_privs, in a child. */
#include "testutil.h"

#include <sys/prctl.h>
#include <sys/wait.h>

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
		cmocka_unit_test(unknown_user_fails),
	};

	return cmocka_run_group_tests_name("privs", tests, NULL, NULL);
}
