/* test_log.c -- the logger's stderr and syslog formats, debug gating, errno text and errno preservation. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Bind a datagram socket at path, standing in for syslogd's /dev/log. */
static int
fake_syslogd(const char *path)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { 2, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

static void
expect_datagram(int fd, const char *expected)
{
	char	buf[1200];
	ssize_t	n;

	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, expected);
}

/* Messages reach syslogd as "<PRI>IDENT[PID]: TEXT", also after syslogd restarts. */
static void
syslog_format_and_reconnect(void **state)
{
	char	path[64], line[128];
	int	fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/edgebox-test-log.%ld", (long)getpid());
	fd = fake_syslogd(path);
	log_set_syslog_path(path);
	log_init(LOG_TO_SYSLOG, 0, "dnsd", LOG_LOCAL3);
	log_warnx("upstream %s: no reply", "10.0.0.1");
	snprintf(line, sizeof(line), "<%d>dnsd[%ld]: upstream 10.0.0.1: no reply",
	    LOG_LOCAL3 | LOG_WARNING, (long)getpid());
	expect_datagram(fd, line);

	/* Debug messages stay out of syslog at verbosity 0. */
	log_debug("hidden");
	log_info("shown");
	snprintf(line, sizeof(line), "<%d>dnsd[%ld]: shown", LOG_LOCAL3 | LOG_INFO,
	    (long)getpid());
	expect_datagram(fd, line);

	/* syslogd restarts: a new socket at the same path. */
	close(fd);
	fd = fake_syslogd(path);
	log_info("after restart");
	snprintf(line, sizeof(line), "<%d>dnsd[%ld]: after restart", LOG_LOCAL3 | LOG_INFO,
	    (long)getpid());
	expect_datagram(fd, line);

	close(fd);
	unlink(path);
	log_init(LOG_TO_STDERR, 0, "test", LOG_DAEMON);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stderr_format_and_debug),
		cmocka_unit_test(warn_appends_strerror),
		cmocka_unit_test(fatalx_exits_one),
		cmocka_unit_test(syslog_format_and_reconnect),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
