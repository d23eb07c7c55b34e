/* test_log.c -- the logger's stderr format, debug gating, errno text and errno preservation. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* Run fn with stderr sent to a temporary file; return what it wrote. */
static char *
capture(void (*fn)(void))
{
	static char	buf[1024];
	FILE		*tmp = tmpfile();
	int		 saved = dup(2);
	size_t		 n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

static void
write_levels(void)
{
	log_init(LOG_TO_STDERR, 0, "ntpd", LOG_DAEMON);
	log_info("started, %d sources", 2);
	log_debug("not shown at verbosity 0");
	log_setverbose(1);
	log_debug("shown at verbosity %d", log_getverbose());
	log_warnx("x-k3s-m-1: no reply");
	log_setverbose(0);
}

static void
stderr_format_and_debug(void **state)
{
	assert_string_equal(capture(write_levels),
	    "ntpd: started, 2 sources\n"
	    "ntpd: shown at verbosity 1\n"
	    "ntpd: x-k3s-m-1: no reply\n");
}

static int	errno_after;

static void
write_errno(void)
{
	log_init(LOG_TO_STDERR, 0, "dnsd", LOG_DAEMON);
	errno = ENOENT;
	log_warn("cannot open %s", "/etc/hosts");
	errno_after = errno;
}

static void
warn_appends_strerror(void **state)
{
	assert_string_equal(capture(write_errno),
	    "dnsd: cannot open /etc/hosts: No such file or directory\n");
	assert_int_equal(errno_after, ENOENT);
}

static void
fatalx_exits_one(void **state)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == 0) {
		close(2);
		fatalx("invariant broken");
	}
	assert_true(pid > 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stderr_format_and_debug),
		cmocka_unit_test(warn_appends_strerror),
		cmocka_unit_test(fatalx_exits_one),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
