/* test_hostq_resolvconf.c -- unit tests for hostq's reader of resolv.conf. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../applets/hostq/hostq.h"

static struct hostq	h;

/* Write text to a temporary file and read it into h.  Returns 0. */
static int
read_text(const char *text, int want_servers)
{
	char	path[] = "/tmp/test_resolvconf.XXXXXX";
	FILE	*f;
	int	fd;

	memset(&h, 0, sizeof(h));
	h.ndots = -1;
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	resolvconf_read(&h, path, want_servers);
	unlink(path);
	return 0;
}

static void
test_servers(void **state)
{
	char	buf[NETADDR_STRLEN];

	read_text("# comment\n"
	    "nameserver 192.168.7.11\n"
	    "nameserver   ::1   # trailing comment\n"
	    "nameserver fe80::1%eth0\n"
	    "nameserver 10.0.0.4\n", 1);
	assert_int_equal(h.nservers, HOSTQ_MAXNS);
	assert_string_equal(netaddr_format(&h.servers[0].addr, buf), "192.168.7.11");
	assert_string_equal(h.servers[0].name, "192.168.7.11");
	assert_string_equal(netaddr_format(&h.servers[1].addr, buf), "::1");
	assert_string_equal(netaddr_format(&h.servers[2].addr, buf), "fe80::1");
	assert_string_equal(h.servers[2].name, "fe80::1%eth0");

	/* With a server on the command line the file's servers are skipped. */
	read_text("nameserver 192.168.7.11\n", 0);
	assert_int_equal(h.nservers, 0);

	/* Names and junk are no servers. */
	read_text("nameserver dns.example\nnameserver\nnameserver 1.2.3.4.5\n", 1);
	assert_int_equal(h.nservers, 0);
}

static void
test_search_and_domain(void **state)
{
	read_text("search cluster.local example.org\n", 1);
	assert_int_equal(h.nsearch, 2);
	assert_string_equal(h.search[0], "cluster.local");
	assert_string_equal(h.search[1], "example.org");

	/* The last search or domain line wins. */
	read_text("search a.example b.example\ndomain c.example\n", 1);
	assert_int_equal(h.nsearch, 1);
	assert_string_equal(h.search[0], "c.example");
	read_text("domain c.example\nsearch\tx.example  y.example\n", 1);
	assert_int_equal(h.nsearch, 2);
	assert_string_equal(h.search[1], "y.example");

	read_text("search a b c d e f g h i j\n", 1);
	assert_int_equal(h.nsearch, HOSTQ_MAXSEARCH);
	assert_string_equal(h.search[HOSTQ_MAXSEARCH - 1], "h");
}

static void
test_options(void **state)
{
	read_text("options ndots:3 timeout:2 attempts:4 rotate debug\n", 1);
	assert_int_equal(h.ndots, 3);
	assert_int_equal(h.timeout, 2);
	/* host 9.18 ignores attempts and debug. */
	assert_int_equal(h.tries, 0);
	assert_int_equal(h.verbose, 0);

	read_text("options timeout:0\n", 1);
	assert_int_equal(h.timeout, 1);

	/* -N and -W, parsed before the file, win over it. */
	memset(&h, 0, sizeof(h));
	h.ndots = 5;
	h.timeout = 9;
	{
		char	path[] = "/tmp/test_resolvconf.XXXXXX";
		int	fd = mkstemp(path);

		assert_true(fd != -1);
		assert_int_equal(write(fd, "options ndots:1 timeout:2\n", 26), 26);
		close(fd);
		resolvconf_read(&h, path, 1);
		unlink(path);
	}
	assert_int_equal(h.ndots, 5);
	assert_int_equal(h.timeout, 9);
}

/* hostq_atoi reads the numbers of options and resolv.conf as atoi does.
 * The C library's atoi is the reference: glibc's (int)strtol and musl's
 * wrapping loop agree below 2^63. */
static void
test_atoi_like_libc(void **state)
{
	static const char *const	inputs[] = {
		"0", "53", " \t\n\v\f\r42", "+7", "-3", "-", "+", "", "12abc", "abc",
		"0x10", "--1", "+-1", " - 1", "007", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "4294967349", "99999999999",
	};
	size_t				i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		assert_int_equal(hostq_atoi(inputs[i]), atoi(inputs[i]));
	assert_int_equal(hostq_atoi("4294967349"), 53);
	assert_int_equal(hostq_atoi(" -12x"), -12);
}

static void
test_missing_file(void **state)
{
	memset(&h, 0, sizeof(h));
	h.ndots = -1;
	resolvconf_read(&h, "/nonexistent/resolv.conf", 1);
	assert_int_equal(h.nservers, 0);
	assert_int_equal(h.nsearch, 0);
	assert_int_equal(h.ndots, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servers),
		cmocka_unit_test(test_search_and_domain),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_atoi_like_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
