/* test_lookup.c -- unit tests for lookup_addrs, with a DNS responder on 127.0.0.1. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lookup.h"

static char		hosts_path[] = "/tmp/test_lookup_hosts.XXXXXX";
static char		resolv_path[] = "/tmp/test_lookup_resolv.XXXXXX";
static char		log_path[] = "/tmp/test_lookup_log.XXXXXX";
static struct lookup_conf conf;
static pid_t		responder;
static struct netaddr	addrs[LOOKUP_MAX_ADDRS];
static char		text[LOOKUP_MAX_ADDRS][NETADDR_STRLEN];

/* The responder's records: name, type, address; the same name and type
 * again adds a record to the answer. */
static const struct record {
	const char	*name;
	int		 type;
	const char	*addr;
} records[] = {
	{ "www.example.test", 1, "192.0.2.1" },
	{ "www.example.test", 28, "2001:db8::1" },
	{ "host.other.test", 1, "192.0.2.7" },
	{ "nodata.example.test", 16, "" },	/* NOERROR without A or AAAA */
	{ "nodata.other.test", 1, "192.0.2.9" },
	{ "v4many.example.test", 1, "192.0.2.11" },
	{ "v4many.example.test", 1, "192.0.2.12" },
	{ "v4many.example.test", 1, "192.0.2.13" },
	{ "beta", 28, "2001:db8::b" },
	{ "a.b.example.test", 1, "192.0.2.20" },
	{ "a.b", 1, "192.0.2.21" },
};

static void
write_file(const char *path, const char *content)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* The name of a query as text, without the final dot. */
static int
query_name(const uint8_t *msg, size_t len, char *name, size_t *end)
{
	size_t	off = 12, n = 0;

	name[0] = '\0';
	while (off < len && msg[off] != 0) {
		if (msg[off] > 63 || off + 1 + msg[off] >= len)
			return -1;
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, msg + off + 1, msg[off]);
		n += msg[off];
		name[n] = '\0';
		off += 1 + msg[off];
	}
	*end = off + 1;
	return off + 5 <= len ? 0 : -1;
}

static size_t
add_record(uint8_t *out, size_t len, int type, const char *addr)
{
	uint8_t	rdata[16];
	int	rdlen = type == 1 ? 4 : 16;

	if (type == 16)
		return len;
	assert_int_equal(inet_pton(type == 1 ? AF_INET : AF_INET6, addr, rdata), 1);
	out[len++] = 0xc0;
	out[len++] = 12;		/* the question's name */
	out[len++] = 0;
	out[len++] = (uint8_t)type;
	out[len++] = 0;
	out[len++] = 1;
	memset(out + len, 0, 3);
	out[len + 3] = 60;
	len += 4;
	out[len++] = 0;
	out[len++] = (uint8_t)rdlen;
	memcpy(out + len, rdata, (size_t)rdlen);
	return len + (size_t)rdlen;
}

/* Answer one query: SERVFAIL for servfail.test, REFUSED for refused.test,
 * 65 A records for many.example.test, else from records or NXDOMAIN. */
static size_t
answer(const uint8_t *q, size_t qlen, uint8_t *out)
{
	char	name[256];
	size_t	end, len, i;
	int	type, found = 0, count = 0;

	if (query_name(q, qlen, name, &end) == -1)
		return 0;
	type = q[end] << 8 | q[end + 1];
	memcpy(out, q, end + 4);
	len = end + 4;
	out[2] = 0x81;		/* QR, RD */
	out[3] = 0x80;		/* RA */
	if (strcmp(name, "servfail.test") == 0)
		out[3] |= 2;
	else if (strcmp(name, "refused.test") == 0)
		out[3] |= 5;
	else if (strcmp(name, "many.example.test") == 0) {
		for (count = 0; count < 65; count++)
			len = add_record(out, len, 1, "192.0.2.99");
	} else {
		for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
			if (strcmp(records[i].name, name) != 0)
				continue;
			found = 1;
			if (records[i].type == type) {
				len = add_record(out, len, type, records[i].addr);
				count++;
			}
		}
		if (!found)
			out[3] |= 3;
	}
	out[6] = (uint8_t)(count >> 8);
	out[7] = (uint8_t)count;
	return len;
}

/* Serve queries on fd until killed, and log "NAME TYPE" for each. */
static void __attribute__((noreturn))
serve(int fd)
{
	uint8_t			q[512], out[2048];
	char			name[256];
	struct sockaddr_storage	from;
	socklen_t		fromlen;
	ssize_t			n;
	size_t			end, len;
	FILE			*log;

	alarm(60);
	for (;;) {
		fromlen = sizeof(from);
		if ((n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen)) < 12)
			continue;
		if (query_name(q, (size_t)n, name, &end) == -1)
			continue;
		if ((log = fopen(log_path, "a")) != NULL) {
			fprintf(log, "%s %d\n", name, q[end] << 8 | q[end + 1]);
			fclose(log);
		}
		if ((len = answer(q, (size_t)n, out)) > 0)
			sendto(fd, out, len, 0, (struct sockaddr *)&from, fromlen);
	}
}

static int
setup(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	assert_true(mkstemp(hosts_path) != -1);
	assert_true(mkstemp(resolv_path) != -1);
	assert_true(mkstemp(log_path) != -1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	if ((responder = fork()) == 0)
		serve(fd);
	assert_true(responder > 0);
	close(fd);
	conf.hosts = hosts_path;
	conf.resolv_conf = resolv_path;
	conf.port = ntohs(sin.sin_port);
	return 0;
}

static int
teardown(void **state)
{
	kill(responder, SIGTERM);
	waitpid(responder, NULL, 0);
	unlink(hosts_path);
	unlink(resolv_path);
	unlink(log_path);
	return 0;
}

/* Look name up with the test files and format the addresses into text.
 * Returns what lookup_addrs returns. */
static int
look(const char *name, int family)
{
	int	n, i;

	memset(text, 0, sizeof(text));
	n = lookup_addrs(name, family, &conf, addrs, LOOKUP_MAX_ADDRS);
	for (i = 0; i < n; i++)
		netaddr_format(&addrs[i], text[i]);
	return n;
}

/* The queries the responder got since the last call, one "NAME TYPE" a line. */
static const char *
queries_asked(void)
{
	static char	buf[1024];
	FILE		*f = fopen(log_path, "r");
	size_t		n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	write_file(log_path, "");
	return buf;
}

static void
test_numeric(void **state)
{
	char	longname[300];

	write_file(resolv_path, "nameserver 127.0.0.1\n");
	assert_int_equal(look("127.1", AF_UNSPEC), 1);
	assert_string_equal(text[0], "127.0.0.1");
	assert_int_equal(look("::1", AF_UNSPEC), 1);
	assert_string_equal(text[0], "::1");
	assert_int_equal(look("::ffff:192.0.2.5", AF_UNSPEC), 1);
	assert_int_equal(addrs[0].family, AF_INET);
	assert_string_equal(text[0], "192.0.2.5");
	assert_int_equal(look("fe80::1%1", AF_INET6), 1);
	assert_string_equal(text[0], "fe80::1");
	assert_int_equal(look("fe80::1%lo", AF_UNSPEC), 1);
	/* A number is taken as the zone of any address, a name only for a
	 * link-local one. */
	assert_int_equal(look("2001:db8::1%5", AF_UNSPEC), 1);
	assert_int_equal(look("2001:db8::1%lo", AF_UNSPEC), EAI_NONAME);
	assert_int_equal(look("fe80::1%nosuchif0", AF_UNSPEC), EAI_NONAME);

	/* The other family is no match, and then DNS is not asked. */
	assert_int_equal(look("127.0.0.1", AF_INET6), EAI_NONAME);
	assert_int_equal(look("::1", AF_INET), EAI_NONAME);
	assert_int_equal(look("", AF_UNSPEC), EAI_NONAME);
	memset(longname, 'a', 255);
	longname[255] = '\0';
	assert_int_equal(look(longname, AF_UNSPEC), EAI_NONAME);
	assert_string_equal(queries_asked(), "");
}

static void
test_hosts_file(void **state)
{
	write_file(resolv_path, "nameserver 127.0.0.1\n");
	write_file(hosts_path,
	    "# comment\n"
	    "10.0.0.1 alpha alpha.example.test   # trailing comment\n"
	    "10.0.0.2\tbeta alpha\n"
	    "::ffff:10.0.0.3 gamma\n"
	    "2001:db8::5 delta\n"
	    "10.0.0.6 delta\n"
	    "#10.0.0.7 alpha\n"
	    "10.0.0.8 Epsilon\n"
	    "10.0.0.9 alphabet\n"
	    "bogus alpha\n");

	assert_int_equal(look("alpha", AF_UNSPEC), 2);
	assert_string_equal(text[0], "10.0.0.1");
	assert_string_equal(text[1], "10.0.0.2");
	assert_int_equal(look("alpha.example.test", AF_UNSPEC), 1);
	assert_string_equal(text[0], "10.0.0.1");
	assert_int_equal(look("gamma", AF_UNSPEC), 1);
	assert_int_equal(addrs[0].family, AF_INET);
	assert_string_equal(text[0], "10.0.0.3");
	assert_int_equal(look("delta", AF_INET), 1);
	assert_string_equal(text[0], "10.0.0.6");
	assert_int_equal(look("delta", AF_INET6), 1);
	assert_string_equal(text[0], "2001:db8::5");
	assert_int_equal(look("delta", AF_UNSPEC), 2);
	assert_string_equal(queries_asked(), "");

	/* Only lines of the other family: no DNS query, although the
	 * responder has an AAAA record for beta. */
	assert_int_equal(look("beta", AF_INET6), EAI_NONAME);
	assert_string_equal(queries_asked(), "");

	/* musl compares names case-sensitively, so DNS is asked. */
	assert_int_equal(look("epsilon", AF_INET), EAI_NONAME);
	assert_string_equal(queries_asked(), "epsilon 1\n");
}

static void
test_hosts_sort(void **state)
{
	struct sockaddr_in6	lo6;
	int			fd, ipv6 = 0;

	/* ::1 (precedence 50) comes before 127.0.0.1 (35) when IPv6 works. */
	memset(&lo6, 0, sizeof(lo6));
	lo6.sin6_family = AF_INET6;
	lo6.sin6_port = htons(9);
	lo6.sin6_addr = in6addr_loopback;
	if ((fd = socket(AF_INET6, SOCK_DGRAM, 0)) != -1) {
		ipv6 = connect(fd, (struct sockaddr *)&lo6, sizeof(lo6)) == 0;
		close(fd);
	}
	write_file(hosts_path, "127.0.0.1 both\n::1 both\n");
	assert_int_equal(look("both", AF_UNSPEC), 2);
	assert_string_equal(text[0], ipv6 ? "::1" : "127.0.0.1");
	write_file(hosts_path, "::1 both\n127.0.0.1 both\n");
	assert_int_equal(look("both", AF_UNSPEC), 2);
	assert_string_equal(text[0], ipv6 ? "::1" : "127.0.0.1");
	assert_int_equal(look("both", AF_INET), 1);
	assert_string_equal(text[0], "127.0.0.1");

	/* IPv4 addresses alone keep the order of the file. */
	write_file(hosts_path, "10.0.0.2 four\n127.0.0.1 four\n10.0.0.1 four\n");
	assert_int_equal(look("four", AF_UNSPEC), 3);
	assert_string_equal(text[0], "10.0.0.2");
	assert_string_equal(text[1], "127.0.0.1");
	assert_string_equal(text[2], "10.0.0.1");
}

static void
test_dns_search(void **state)
{
	write_file(hosts_path, "");
	write_file(resolv_path,
	    "nameserver 127.0.0.1\n"
	    "search example.test other.test\n"
	    "options ndots:1 timeout:3 attempts:2\n");
	queries_asked();

	assert_int_equal(look("www", AF_UNSPEC), 2);
	assert_true(strcmp(text[0], "192.0.2.1") == 0 || strcmp(text[1], "192.0.2.1") == 0);
	assert_true(strcmp(text[0], "2001:db8::1") == 0 || strcmp(text[1], "2001:db8::1") == 0);
	assert_string_equal(queries_asked(), "www.example.test 1\nwww.example.test 28\n");

	assert_int_equal(look("www", AF_INET), 1);
	assert_string_equal(text[0], "192.0.2.1");
	assert_string_equal(queries_asked(), "www.example.test 1\n");

	/* NXDOMAIN moves on to the next domain of the search list. */
	assert_int_equal(look("host", AF_INET), 1);
	assert_string_equal(text[0], "192.0.2.7");
	assert_string_equal(queries_asked(), "host.example.test 1\nhost.other.test 1\n");

	/* An answer without addresses ends the search (musl 1.2.3). */
	assert_int_equal(look("nodata", AF_INET), EAI_NONAME);
	assert_string_equal(queries_asked(), "nodata.example.test 1\n");

	/* ndots dots or a final dot: the name alone. */
	assert_int_equal(look("www.example.test", AF_INET), 1);
	assert_string_equal(queries_asked(), "www.example.test 1\n");
	assert_int_equal(look("a.b", AF_INET), 1);
	assert_string_equal(text[0], "192.0.2.21");
	assert_string_equal(queries_asked(), "a.b 1\n");
	assert_int_equal(look("www.example.test.", AF_INET6), 1);
	assert_string_equal(text[0], "2001:db8::1");
	assert_string_equal(queries_asked(), "www.example.test 28\n");
	assert_int_equal(look("nosuch.", AF_INET), EAI_NONAME);
	assert_string_equal(queries_asked(), "nosuch 1\n");

	/* Invalid names are never sent. */
	assert_int_equal(look("www..", AF_UNSPEC), EAI_NONAME);
	assert_int_equal(look("a..b", AF_UNSPEC), EAI_NONAME);
	assert_string_equal(queries_asked(), "");

	/* IPv4 answers stay in their order; too many answers give none. */
	assert_int_equal(look("v4many", AF_UNSPEC), 3);
	assert_string_equal(text[0], "192.0.2.11");
	assert_string_equal(text[1], "192.0.2.12");
	assert_string_equal(text[2], "192.0.2.13");
	assert_int_equal(look("many", AF_INET), EAI_NONAME);
}

static void
test_resolv_conf_rules(void **state)
{
	/* The last search or domain line wins, options anywhere on their
	 * line, no nameserver line means 127.0.0.1, and an indented keyword
	 * is ignored. */
	write_file(hosts_path, "");
	write_file(resolv_path,
	    "search other.test\n"
	    "domain example.test\n"
	    " search other.test\n"
	    "options rotate ndots:2 timeout:3\n");
	queries_asked();
	assert_int_equal(look("a.b", AF_INET), 1);
	assert_string_equal(text[0], "192.0.2.20");
	assert_string_equal(queries_asked(), "a.b.example.test 1\n");

	/* Only the first three addresses of nameserver lines are used, and
	 * none of them is the responder's. */
	write_file(resolv_path,
	    "nameserver 127.0.0.2\n"
	    "nameserver localhost\n"
	    "nameserver 127.0.0.3\n"
	    "nameserver 127.0.0.4\n"
	    "nameserver 127.0.0.1\n"
	    "options timeout:1 attempts:1\n");
	assert_int_equal(look("www.example.test", AF_INET), EAI_AGAIN);
	assert_string_equal(queries_asked(), "");
}

static void
test_dns_failures(void **state)
{
	write_file(hosts_path, "");
	write_file(resolv_path, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
	queries_asked();

	/* SERVFAIL is asked again twice at once, REFUSED is ignored: both
	 * end in the timeout. */
	assert_int_equal(look("servfail.test", AF_INET), EAI_AGAIN);
	assert_string_equal(queries_asked(),
	    "servfail.test 1\nservfail.test 1\nservfail.test 1\n");
	assert_int_equal(look("refused.test", AF_INET), EAI_AGAIN);
	assert_string_equal(queries_asked(), "refused.test 1\n");

	/* "options timeout:0" gives up at once. */
	write_file(resolv_path, "nameserver 127.0.0.1\noptions timeout:0\n");
	assert_int_equal(look("www.example.test", AF_INET), EAI_AGAIN);
	assert_string_equal(queries_asked(), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_hosts_file),
		cmocka_unit_test(test_hosts_sort),
		cmocka_unit_test(test_dns_search),
		cmocka_unit_test(test_resolv_conf_rules),
		cmocka_unit_test(test_dns_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
