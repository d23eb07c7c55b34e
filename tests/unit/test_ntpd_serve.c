/* test_ntpd_serve.c -- server replies: synchronised, local stratum, unsynchronised. */
#include "testutil.h"

#include <sys/socket.h>

#include <math.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "loop.h"
#include "netaddr.h"
#include "ntpwire.h"
#include "sock.h"
#include "../../applets/ntpd/ntpd.h"

static struct ntpwire_packet
client_request(void)
{
	struct ntpwire_packet	req;

	memset(&req, 0, sizeof(req));
	req.version = 3;
	req.mode = NTPWIRE_MODE_CLIENT;
	req.poll = 6;
	req.transmit = 0x1122334455667788ull;
	return req;
}

static void
test_reply_unsynchronised(void **state)
{
	struct ntpwire_packet	req = client_request(), rep;
	struct ntpd_ref		ref;

	(void)state;
	memset(&ref, 0, sizeof(ref));
	serve_build_reply(&req, 100, 200, &ref, 0, &rep);
	assert_int_equal(rep.leap, NTPWIRE_LEAP_UNSYNC);
	assert_int_equal(rep.stratum, 0);
	assert_int_equal(rep.mode, NTPWIRE_MODE_SERVER);
	assert_int_equal(rep.version, 3);
	assert_int_equal(rep.origin, req.transmit);
	assert_int_equal(rep.receive, 100);
	assert_int_equal(rep.transmit, 200);
}

static void
test_reply_local_stratum(void **state)
{
	struct ntpwire_packet	req = client_request(), rep;
	struct ntpd_ref		ref;

	(void)state;
	memset(&ref, 0, sizeof(ref));
	serve_build_reply(&req, 100, 200, &ref, 3, &rep);
	assert_int_equal(rep.leap, NTPWIRE_LEAP_NONE);
	assert_int_equal(rep.stratum, 3);
	assert_int_equal(rep.refid, NTPWIRE_REFID_LOCAL);
}

static void
test_reply_synchronised(void **state)
{
	struct ntpwire_packet	req = client_request(), rep;
	struct ntpd_ref		ref;
	struct timespec		now = { 1800000000, 0 };
	uint64_t		tx;

	(void)state;
	memset(&ref, 0, sizeof(ref));
	ref.synced = 1;
	ref.stratum = 4;
	ref.refid = 0x7f000001;
	ref.reftime.tv_sec = now.tv_sec - 100;
	ref.rootdelay = 0.010;
	ref.rootdisp = 0.001;
	tx = ntpwire_from_timespec(&now);
	/* A synchronised server wins over the local reference. */
	serve_build_reply(&req, tx, tx, &ref, 8, &rep);
	assert_int_equal(rep.leap, NTPWIRE_LEAP_NONE);
	assert_int_equal(rep.stratum, 4);
	assert_int_equal(rep.refid, 0x7f000001);
	assert_int_equal(rep.rootdelay, ntpwire_short_from_double(0.010));
	/* Dispersion grows by 15 ppm of the 100 s since the update. */
	assert_int_equal(rep.rootdisp, ntpwire_short_from_double(0.001 + 100 * 15e-6));
}

/* Count the answers to n requests from addr at time t: replies and kisses. */
static void
send_burst(const struct ntpd_conf *c, const char *addr, double t, int n, int *replies,
    int *kods)
{
	struct netaddr	a;
	int		i, rc;

	assert_int_equal(netaddr_parse(addr, &a), 0);
	*replies = *kods = 0;
	for (i = 0; i < n; i++) {
		rc = serve_ratelimit(c, &a, t);
		if (rc == SERVE_REPLY)
			(*replies)++;
		else if (rc == SERVE_KOD)
			(*kods)++;
		else
			assert_int_equal(rc, SERVE_DROP);
	}
}

/* Return the clients command's row for addr, failing the test when it is missing. */
static struct ctl_client
client_row(const char *addr)
{
	struct ctl_client	row;
	int			i, count;

	for (i = 0; serve_get_client(i, &row, &count) == 0; i++)
		if (strcmp(row.name, addr) == 0)
			return row;
	fail_msg("no clients row for %s among %d", addr, count);
	return row;
}

static void
test_ratelimit_burst_and_leak(void **state)
{
	struct ntpd_conf	c;
	int			replies, kods;

	(void)state;
	config_defaults(&c);
	serve_start(&c);
	/* Without the directive every request is answered. */
	send_burst(&c, "192.0.2.1", 100.0, 50, &replies, &kods);
	assert_int_equal(replies, 50);
	c.ratelimit = 1;	/* interval 3 (8 s), burst 8, leak 2 */
	/* 8 in the burst, then 1 of every 4 limited ones gets a RATE kiss. */
	send_burst(&c, "192.0.2.2", 100.0, 24, &replies, &kods);
	assert_int_equal(replies, 8);
	assert_int_equal(kods, 4);
	/* 16 s later two tokens have come back. */
	send_burst(&c, "192.0.2.2", 116.0, 3, &replies, &kods);
	assert_int_equal(replies, 2);
	/* Another client has its own bucket. */
	send_burst(&c, "2001:db8::1", 116.0, 8, &replies, &kods);
	assert_int_equal(replies, 8);
	serve_stop();
}

static void
test_ratelimit_interval_steady(void **state)
{
	struct ntpd_conf	c;
	struct ctl_client	row;
	struct netaddr		a;
	int			i, replies = 0;

	(void)state;
	config_defaults(&c);
	c.ratelimit = 1;
	c.rl_interval = 1;	/* 2 s */
	c.rl_burst = 1;
	serve_start(&c);
	assert_int_equal(netaddr_parse("198.51.100.7", &a), 0);
	/* One request a second for 100 s: one in two is answered. */
	for (i = 0; i < 100; i++)
		if (serve_ratelimit(&c, &a, 1000.0 + i) == SERVE_REPLY)
			replies++;
	assert_in_range(replies, 50, 51);
	/* The clients command shows the same: a request each 2^0 s, half of
	 * them over the limit, and a reply each 2^1 s once limited. */
	row = client_row("198.51.100.7");
	assert_int_equal(row.ntp_hits, 100);
	assert_in_range(row.ntp_drops, 49, 50);
	assert_int_equal(row.ntp_interval, 0);
	assert_int_equal(row.ntp_limited_interval, 1);
	/* A client that keeps to the interval is never limited. */
	for (i = 0, replies = 0; i < 20; i++)
		if (serve_ratelimit(&c, &a, 2000.0 + 2 * i) == SERVE_REPLY)
			replies++;
	assert_int_equal(replies, 20);
	serve_stop();
}

static void
test_clients_counted(void **state)
{
	struct ntpd_conf	c;
	struct ctl_client	row, spare;
	struct netaddr		a, b;
	int			i, count;

	(void)state;
	config_defaults(&c);
	serve_start(&c);
	assert_int_equal(serve_get_client(0, &row, &count), -1);
	assert_int_equal(count, 0);
	assert_int_equal(netaddr_parse("192.0.2.9", &a), 0);
	assert_int_equal(netaddr_parse("2001:db8::9", &b), 0);
	/* One request every 16 s, and one lone request. */
	for (i = 0; i < 10; i++)
		serve_ratelimit(&c, &a, 100.0 + 16 * i);
	serve_ratelimit(&c, &b, 150.0);
	assert_int_equal(serve_get_client(1, &row, &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(serve_get_client(2, &spare, &count), -1);

	row = client_row("192.0.2.9");
	assert_int_equal(row.ntp_hits, 10);
	assert_int_equal(row.ntp_drops, 0);
	assert_int_equal(row.ntp_interval, 4);
	assert_int_equal(row.ntp_limited_interval, CTL_NO_INTERVAL);
	assert_int_equal(row.cmd_hits, 0);
	assert_int_equal(row.cmd_last_ago, CTL_NEVER);
	row = client_row("2001:db8::9");
	assert_int_equal(row.ntp_hits, 1);
	assert_int_equal(row.ntp_interval, CTL_NO_INTERVAL);
	serve_stop();
}

static void
test_kod_rate_reply(void **state)
{
	struct ntpwire_packet	req = client_request(), rep;
	uint8_t			buf[NTPWIRE_HEADER_LEN + 8];

	(void)state;
	serve_build_kod(&req, &rep);
	assert_int_equal(rep.stratum, 0);
	assert_int_equal(rep.refid, NTPWIRE_KOD_RATE);
	assert_int_equal(rep.mode, NTPWIRE_MODE_SERVER);
	assert_int_equal(rep.leap, NTPWIRE_LEAP_UNSYNC);
	assert_int_equal(rep.origin, req.transmit);
	assert_int_equal(rep.transmit, 0);
	/* The reply is the 48-byte header, never longer than a request. */
	assert_int_equal(ntpwire_encode(&rep, buf, sizeof(buf)), NTPWIRE_HEADER_LEN);
}

/* A client interval that is not a power of two rounds to the nearest log2. */
static void
test_clients_interval_rounding(void **state)
{
	struct ntpd_conf	c;
	struct ctl_client	row;
	struct netaddr		a, b;
	int			i;

	(void)state;
	config_defaults(&c);
	serve_start(&c);
	assert_int_equal(netaddr_parse("192.0.2.11", &a), 0);
	assert_int_equal(netaddr_parse("192.0.2.12", &b), 0);
	/* log2(11) = 3.46 and log2(12) = 3.58. */
	for (i = 0; i < 10; i++) {
		serve_ratelimit(&c, &a, 100.0 + 11 * i);
		serve_ratelimit(&c, &b, 100.0 + 12 * i);
	}
	row = client_row("192.0.2.11");
	assert_int_equal(row.ntp_interval, 3);
	row = client_row("192.0.2.12");
	assert_int_equal(row.ntp_interval, 4);
	serve_stop();
}

/* ---- the server on a loopback socket ---- */

/* Return a UDP port on 127.0.0.1 that was free a moment ago. */
static uint16_t
free_port(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	struct netaddr		lo, a;
	uint16_t		port = 0;
	int			fd;

	assert_int_equal(netaddr_parse("127.0.0.1", &lo), 0);
	fd = sock_udp(&lo, 0, 0);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&ss, &a, &port), 0);
	close(fd);
	return port;
}

/* Start the server on 127.0.0.1 (or the wildcard address) at local
 * stratum 3, allowing allow/32.  Returns the port. */
static uint16_t
start_server(struct ntpd_conf *c, const char *bind, const char *allow)
{
	struct netaddr	net;

	config_defaults(c);
	c->port = free_port();
	if (bind != NULL) {
		assert_int_equal(netaddr_parse(bind, &c->bind[0]), 0);
		c->nbind = 1;
	}
	assert_int_equal(netaddr_parse(allow, &net), 0);
	assert_int_equal(acl_add(&c->acl, &net, 32, 1, 0), 0);
	c->nallow = 1;
	memset(&ntpd_ref, 0, sizeof(ntpd_ref));
	ntpd_ref.local_stratum = 3;
	assert_int_equal(loop_init(), 0);
	assert_int_equal(serve_start(c), 0);
	return (uint16_t)c->port;
}

/* Return the clock's time as an NTP timestamp. */
static uint64_t
now_ntp(void)
{
	struct timespec	now;

	assert_int_equal(clock_now(&now), 0);
	return ntpwire_from_timespec(&now);
}

static void
stop_server(void)
{
	serve_stop();
	loop_close();
}

/* Send a request of len bytes (at least the header) with this first byte
 * and a transmit timestamp that numbers it. */
static void
send_request(int fd, uint8_t first, size_t len, uint64_t number)
{
	uint8_t	buf[1200];

	assert_true(len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	buf[0] = first;
	buf[NTPWIRE_OFFSET_POLL] = 6;
	if (len >= NTPWIRE_HEADER_LEN)
		ntpwire_put_timestamp(buf + NTPWIRE_OFFSET_TRANSMIT, number);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
}

/* Read one reply from fd into out[count].  Returns count + 1. */
static int
read_reply(int fd, struct ntpwire_packet *out, int max, int count)
{
	uint8_t	buf[200];
	ssize_t	n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, NTPWIRE_HEADER_LEN);
	assert_true(count < max);
	/* Zeroed so that whole structs compare, padding included. */
	memset(&out[count], 0, sizeof(out[count]));
	assert_int_equal(ntpwire_decode(buf, (size_t)n, &out[count]), NTPWIRE_HEADER_LEN);
	return count + 1;
}

/* Run the server's loop for 0.2 s at a time and read the replies waiting
 * on fd into out (at most max), until a round brings none.  Returns the
 * number read. */
static int
collect_replies(int fd, struct ntpwire_packet *out, int max)
{
	struct pollfd	p = { fd, POLLIN, 0 };
	int		count = 0, before;

	do {
		before = count;
		loop_run(0.2);
		while (poll(&p, 1, 0) == 1)
			count = read_reply(fd, out, max, count);
	} while (count > before);
	return count;
}

static int
connect_client(const char *to, uint16_t port)
{
	struct netaddr	a;
	int		fd;

	assert_int_equal(netaddr_parse(to, &a), 0);
	fd = sock_connect(&a, port, SOCK_DGRAM);
	assert_true(fd >= 0);
	return fd;
}

/* Each batched reply is what serve_build_reply makes of its request, with
 * the receive and transmit times the server read. */
static void
check_reply(const struct ntpwire_packet *rep, uint8_t version, uint64_t number,
    uint64_t started)
{
	struct ntpwire_packet	req, expected;

	memset(&req, 0, sizeof(req));
	req.version = version;
	req.mode = NTPWIRE_MODE_CLIENT;
	req.poll = 6;
	req.transmit = number;
	serve_build_reply(&req, rep->receive, rep->transmit, &ntpd_ref, 3, &expected);
	assert_memory_equal(rep, &expected, sizeof(expected));
	assert_true(ntpwire_diff(rep->transmit, rep->receive) >= 0);
	/* The server read both times between the test's start and now. */
	assert_true(ntpwire_diff(rep->receive, started) > -0.001);
	assert_true(ntpwire_diff(now_ntp(), rep->transmit) > -0.001);
}

static void
test_socket_replies_to_clients_only(void **state)
{
	struct ntpd_conf	c;
	struct ctl_serverstats	st;
	struct ntpwire_packet	rep[8];
	uint64_t		started = now_ntp();
	uint16_t		port;
	int			fd;

	(void)state;
	port = start_server(&c, "127.0.0.1", "127.0.0.1");
	fd = connect_client("127.0.0.1", port);
	send_request(fd, 0x23, NTPWIRE_HEADER_LEN, 1);		/* v4 client */
	send_request(fd, 0x1b, NTPWIRE_HEADER_LEN + 4, 2);	/* v3 client, tail of 4 */
	send_request(fd, 0x26, NTPWIRE_HEADER_LEN, 3);		/* mode 6, control */
	send_request(fd, 0x27, NTPWIRE_HEADER_LEN, 4);		/* mode 7, private */
	send_request(fd, 0x24, NTPWIRE_HEADER_LEN, 5);		/* mode 4, server */
	send_request(fd, 0x23, NTPWIRE_HEADER_LEN - 1, 6);	/* short */
	send_request(fd, 0x23, NTPWIRE_HEADER_LEN + 2, 7);	/* tail of 2 */
	send_request(fd, 0x23, 1100, 8);			/* longer than 1024 */
	send_request(fd, 0x13, 1020, 9);			/* v2 client, long */
	assert_int_equal(collect_replies(fd, rep, 8), 3);
	check_reply(&rep[0], 4, 1, started);
	check_reply(&rep[1], 3, 2, started);
	check_reply(&rep[2], 2, 9, started);
	assert_int_equal(rep[0].stratum, 3);
	assert_int_equal(rep[0].refid, NTPWIRE_REFID_LOCAL);
	serve_get_stats(&st);
	assert_int_equal(st.requests, 9);
	assert_int_equal(st.malformed, 6);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.replies, 3);
	close(fd);
	stop_server();
}

/* More requests than one recvmmsg takes are all answered, in order. */
static void
test_socket_many_batches(void **state)
{
	struct ntpd_conf	c;
	struct ctl_serverstats	st;
	struct ntpwire_packet	rep[100];
	uint64_t		started = now_ntp();
	uint16_t		port;
	int			fd, i, n;

	(void)state;
	port = start_server(&c, NULL, "127.0.0.1");
	fd = connect_client("127.0.0.1", port);
	for (i = 0; i < 100; i++)
		send_request(fd, 0x23, NTPWIRE_HEADER_LEN, 1000 + (uint64_t)i);
	n = collect_replies(fd, rep, 100);
	/* Loopback drops nothing at this rate unless the receive buffer overflows. */
	assert_int_equal(n, 100);
	for (i = 0; i < n; i++)
		check_reply(&rep[i], 4, 1000 + (uint64_t)i, started);
	serve_get_stats(&st);
	assert_int_equal(st.requests, 100);
	assert_int_equal(st.replies, 100);
	close(fd);
	stop_server();
}

/* A wildcard server answers from the address the request was sent to. */
static void
test_socket_wildcard_source_address(void **state)
{
	struct ntpd_conf	c;
	struct ntpwire_packet	rep[2];
	uint64_t		started = now_ntp();
	uint16_t		port;
	int			fd;

	(void)state;
	port = start_server(&c, NULL, "127.0.0.1");
	/* The connected socket accepts only datagrams from 127.0.0.2:port. */
	fd = connect_client("127.0.0.2", port);
	send_request(fd, 0x23, NTPWIRE_HEADER_LEN, 77);
	assert_int_equal(collect_replies(fd, rep, 2), 1);
	check_reply(&rep[0], 4, 77, started);
	close(fd);
	stop_server();
}

static void
test_socket_denied_client(void **state)
{
	struct ntpd_conf	c;
	struct ctl_serverstats	st;
	struct ntpwire_packet	rep[2];
	uint16_t		port;
	int			fd;

	(void)state;
	port = start_server(&c, "127.0.0.1", "127.0.0.2");
	fd = connect_client("127.0.0.1", port);
	send_request(fd, 0x23, NTPWIRE_HEADER_LEN, 1);
	assert_int_equal(collect_replies(fd, rep, 2), 0);
	serve_get_stats(&st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.replies, 0);
	close(fd);
	stop_server();
}

/* Over the limit, a batch holds replies and RATE kisses. */
static void
test_socket_ratelimit_kiss(void **state)
{
	struct ntpd_conf	c;
	struct ctl_serverstats	st;
	struct ntpwire_packet	rep[16];
	uint64_t		started = now_ntp();
	uint16_t		port;
	int			fd, i;

	(void)state;
	port = start_server(&c, "127.0.0.1", "127.0.0.1");
	c.ratelimit = 1;	/* interval 3 (8 s), burst 8, leak 2 */
	fd = connect_client("127.0.0.1", port);
	for (i = 1; i <= 12; i++)
		send_request(fd, 0x23, NTPWIRE_HEADER_LEN, (uint64_t)i);
	/* 8 replies, then the 4th limited request gets a kiss. */
	assert_int_equal(collect_replies(fd, rep, 16), 9);
	for (i = 0; i < 8; i++)
		check_reply(&rep[i], 4, (uint64_t)i + 1, started);
	assert_int_equal(rep[8].stratum, 0);
	assert_int_equal(rep[8].leap, NTPWIRE_LEAP_UNSYNC);
	assert_int_equal(rep[8].refid, NTPWIRE_KOD_RATE);
	assert_int_equal(rep[8].origin, 12);
	assert_int_equal(rep[8].version, 4);
	assert_int_equal(rep[8].poll, 6);
	assert_int_equal(rep[8].receive, 0);
	assert_int_equal(rep[8].transmit, 0);
	serve_get_stats(&st);
	assert_int_equal(st.limited, 4);
	assert_int_equal(st.replies, 9);
	close(fd);
	stop_server();
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_reply_unsynchronised),
		cmocka_unit_test(test_reply_local_stratum),
		cmocka_unit_test(test_reply_synchronised),
		cmocka_unit_test(test_ratelimit_burst_and_leak),
		cmocka_unit_test(test_ratelimit_interval_steady),
		cmocka_unit_test(test_clients_counted),
		cmocka_unit_test(test_kod_rate_reply),
		cmocka_unit_test(test_clients_interval_rounding),
		cmocka_unit_test(test_socket_replies_to_clients_only),
		cmocka_unit_test(test_socket_many_batches),
		cmocka_unit_test(test_socket_wildcard_source_address),
		cmocka_unit_test(test_socket_denied_client),
		cmocka_unit_test(test_socket_ratelimit_kiss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
