/* test_ctl.c -- control protocol: exact message sizes, header checks, a round trip over the socket. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "../../applets/ntpd/ntpd.h"

static void
test_request_sizes(void **state)
{
	struct ctl_request	req;
	uint8_t			buf[sizeof(req) + 1];

	(void)state;
	ctl_request_init(&req, CTL_TRACKING, 7, 0);
	memcpy(buf, &req, sizeof(req));
	assert_int_equal(ctl_request_check(buf, sizeof(req)), 0);
	assert_int_equal(ctl_request_check(buf, sizeof(req) - 1), -1);
	assert_int_equal(ctl_request_check(buf, sizeof(req) + 1), -1);
	assert_int_equal(ctl_request_check(buf, 0), -1);
}

static void
test_request_header(void **state)
{
	struct ctl_request	req;

	(void)state;
	ctl_request_init(&req, CTL_SOURCE, 1, 3);
	req.version = CTL_VERSION + 1;
	assert_int_equal(ctl_request_check(&req, sizeof(req)), -1);
	ctl_request_init(&req, CTL_SOURCE, 1, 3);
	req.magic ^= 1;
	assert_int_equal(ctl_request_check(&req, sizeof(req)), -1);
}

static void
test_reply_checks(void **state)
{
	struct ctl_request	req;
	struct ctl_reply	rep;

	(void)state;
	ctl_request_init(&req, CTL_SOURCE, 42, 2);
	ctl_reply_init(&rep, &req);
	assert_int_equal(rep.seq, 42);
	assert_int_equal(rep.index, 2);
	assert_int_equal(rep.status, CTL_OK);
	assert_int_equal(ctl_reply_check(&rep, sizeof(rep), &req), 0);
	assert_int_equal(ctl_reply_check(&rep, sizeof(rep) - 1, &req), -1);
	rep.seq = 41;
	assert_int_equal(ctl_reply_check(&rep, sizeof(rep), &req), -1);
	rep.seq = 42;
	rep.type = CTL_TRACKING;
	assert_int_equal(ctl_reply_check(&rep, sizeof(rep), &req), -1);
	rep.type = CTL_SOURCE;
	rep.version = 0;
	assert_int_equal(ctl_reply_check(&rep, sizeof(rep), &req), -1);
}

/* Child: reply to one request with a wrong-sized datagram, then with a valid reply. */
static void
serve_one(int fd)
{
	struct ctl_request	req;
	struct ctl_reply	rep;
	struct sockaddr_storage	from;
	socklen_t		len = sizeof(from);
	ssize_t			n;
	char			junk[8] = "junk";
	struct pollfd		pfd = { fd, POLLIN, 0 };

	/* The listening socket is non-blocking: wait for the request. */
	if (poll(&pfd, 1, 5000) != 1)
		_exit(3);
	n = recvfrom(fd, &req, sizeof(req), MSG_TRUNC, (struct sockaddr *)&from, &len);
	if (n != (ssize_t)sizeof(req) || ctl_request_check(&req, (size_t)n) != 0)
		_exit(2);
	sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&from, len);
	ctl_reply_init(&rep, &req);
	rep.u.tracking.stratum = 5;
	sendto(fd, &rep, sizeof(rep), 0, (struct sockaddr *)&from, len);
	_exit(0);
}

static void
test_round_trip(void **state)
{
	struct ctl_request	req;
	struct ctl_reply	rep;
	char			path[64];
	int			sfd, cfd, status;
	pid_t			pid;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_ctl.%ld/sock", (long)getpid());
	sfd = ctl_listen(path);
	assert_true(sfd >= 0);
	cfd = ctl_connect(path);
	assert_true(cfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		serve_one(sfd);
	ctl_request_init(&req, CTL_TRACKING, 9, 0);
	if (ctl_transact(cfd, &req, &rep, 2000) == -1)
		fail_msg("ctl_transact: %s", strerror(errno));
	assert_int_equal(rep.u.tracking.stratum, 5);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* No server reads the socket now, so the request times out. */
	ctl_request_init(&req, CTL_TRACKING, 10, 0);
	assert_int_equal(ctl_transact(cfd, &req, &rep, 100), -1);
	assert_int_equal(errno, ETIMEDOUT);
	close(cfd);
	close(sfd);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

static void
test_connect_missing(void **state)
{
	(void)state;
	assert_int_equal(ctl_connect("/nonexistent/edgebox-test.sock"), -1);
}

/* ntpd's step ring, which the steps command reads: empty at start, then
 * the last CTL_STEPS_MAX steps, oldest first. */
static void
test_step_ring(void **state)
{
	struct ctl_step	row;
	struct timespec	old;
	char		reason[16], expected[16], longname[3 * CTL_NAME_MAX];
	int		i, count = -1;

	(void)state;
	assert_int_equal(hook_get_step(0, &row, &count), -1);
	assert_int_equal(count, 0);

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (i = 0; i < CTL_STEPS_MAX + 8; i++) {
		old.tv_sec = 1000000000 + i;
		old.tv_nsec = 900000000;
		snprintf(reason, sizeof(reason), "r%d", i);
		hook_record_step(&old, i + 0.25, i == CTL_STEPS_MAX + 7 ? longname : "10.0.0.1",
		    reason);
	}

	assert_int_equal(hook_get_step(0, &row, &count), 0);
	assert_int_equal(count, CTL_STEPS_MAX);
	assert_int_equal(row.total, CTL_STEPS_MAX + 8);
	assert_string_equal(row.reason, "r8");
	assert_string_equal(row.source, "10.0.0.1");
	assert_int_equal(row.old_sec, 1000000008);
	assert_int_equal(row.old_nsec, 900000000);
	/* 1000000008.9 + 8.25 = 1000000017.15 */
	assert_int_equal(row.new_sec, 1000000017);
	assert_int_equal(row.new_nsec, 150000000);
	assert_true(row.offset == 8.25);
	assert_true(row.ago >= 0 && row.ago < 60);

	assert_int_equal(hook_get_step(CTL_STEPS_MAX - 1, &row, &count), 0);
	snprintf(expected, sizeof(expected), "r%d", CTL_STEPS_MAX + 7);
	assert_string_equal(row.reason, expected);
	assert_int_equal(strlen(row.source), CTL_NAME_MAX - 1);
	assert_int_equal(hook_get_step(CTL_STEPS_MAX, &row, &count), -1);
	assert_int_equal(hook_get_step(-1, &row, &count), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_request_sizes),
		cmocka_unit_test(test_request_header),
		cmocka_unit_test(test_reply_checks),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_connect_missing),
		cmocka_unit_test(test_step_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
