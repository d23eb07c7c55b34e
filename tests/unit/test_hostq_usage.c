/* test_hostq_usage.c -- hostq's usage text, byte for byte. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "applets.h"

/* The usage text, which --help prints on stdout and no arguments on stderr. */
static const char	expected[] =
	"Usage: hostq [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
	"            [-R number] [-m flag] [-p port] hostname [server]\n"
	"       -a is equivalent to -v -t ANY\n"
	"       -A is like -a but omits RRSIG, NSEC, NSEC3\n"
	"       -c specifies query class for non-IN data\n"
	"       -C compares SOA records on authoritative nameservers\n"
	"       -d is equivalent to -v\n"
	"       -l lists all hosts in a domain, using AXFR\n"
	"       -m set memory debugging flag (accepted and ignored)\n"
	"       -N changes the number of dots allowed before root lookup is done\n"
	"       -p specifies the port on the server to query\n"
	"       -r disables recursive processing\n"
	"       -R specifies number of retries for UDP packets\n"
	"       -s a SERVFAIL response should stop query\n"
	"       -t specifies the query type\n"
	"       -T enables TCP/IP mode\n"
	"       -U enables UDP mode\n"
	"       -v enables verbose output\n"
	"       -V print version number and exit\n"
	"       -w specifies to wait forever for a reply\n"
	"       -W specifies how long to wait for a reply (seconds)\n"
	"       -4 use IPv4 query transport only\n"
	"       -6 use IPv6 query transport only\n"
	"       --sweep hostsfile [server[#port] ...] compares A, AAAA, PTR with a hosts file\n";

/* Run hostq with args in a child, its stdout and stderr sent to a
 * temporary file, and read that file into out.  Returns the exit status. */
static int
run_hostq(char **args, int nargs, char *out, size_t outlen)
{
	char	path[] = "/tmp/test_hostq_usage.XXXXXX";
	ssize_t	n;
	pid_t	pid;
	int	fd, status;

	fd = mkstemp(path);
	assert_true(fd != -1);
	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		hostq_main(nargs, args);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	n = pread(fd, out, outlen - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	return WEXITSTATUS(status);
}

static void
test_help_text(void **state)
{
	char	*args[] = { "hostq", "--help", NULL };
	char	out[4096];

	assert_int_equal(run_hostq(args, 2, out, sizeof(out)), 0);
	assert_string_equal(out, expected);
}

static void
test_no_arguments_text(void **state)
{
	char	*args[] = { "hostq", NULL };
	char	out[4096];

	assert_int_equal(run_hostq(args, 1, out, sizeof(out)), 1);
	assert_string_equal(out, expected);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_no_arguments_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
