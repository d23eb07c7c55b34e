/* test_ntpd_serve.c -- server replies: synchronised, local stratum, unsynchronised. */
#include "testutil.h"

#include <string.h>

#include "ctl.h"
#include "netaddr.h"
#include "ntpwire.h"
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
