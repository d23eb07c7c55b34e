/* test_ntpwire.c -- NTP codec: timestamps, eras, header round trips, malformed packets. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ntpwire.h"

static void
test_timestamp_epoch(void **state)
{
	struct timespec	ts = { 0, 0 };
	uint64_t	t;

	(void)state;
	t = ntpwire_from_timespec(&ts);
	assert_int_equal(t >> 32, NTPWIRE_EPOCH_OFFSET);
	assert_int_equal(t & 0xffffffffu, 0);
}

static void
test_timestamp_round_trip(void **state)
{
	struct timespec	in, out;
	int		i;

	(void)state;
	srandom(1);
	for (i = 0; i < 10000; i++) {
		in.tv_sec = 1700000000 + random() % 100000000;
		in.tv_nsec = random() % 1000000000;
		ntpwire_to_timespec(ntpwire_from_timespec(&in), in.tv_sec, &out);
		assert_int_equal(out.tv_sec, in.tv_sec);
		assert_int_equal(out.tv_nsec, in.tv_nsec);
	}
}

static void
test_timestamp_half_second(void **state)
{
	struct timespec	ts = { 1, 500000000 };

	(void)state;
	assert_int_equal(ntpwire_from_timespec(&ts) & 0xffffffffu, 0x80000000u);
}

static void
test_era_rollover(void **state)
{
	/* 2036-02-07T06:28:16Z is the first second of NTP era 1. */
	struct timespec	era1 = { 2085978496, 0 }, out;
	uint64_t	t;

	(void)state;
	t = ntpwire_from_timespec(&era1);
	assert_int_equal(t >> 32, 0);
	ntpwire_to_timespec(t, 2085978496 - 86400, &out);
	assert_int_equal(out.tv_sec, 2085978496);
	ntpwire_to_timespec(t, 1700000000, &out);
	assert_int_equal(out.tv_sec, 2085978496);
	/* A timestamp from the end of era 0 read near the rollover. */
	ntpwire_to_timespec((uint64_t)0xffffffffu << 32, 2085978496, &out);
	assert_int_equal(out.tv_sec, 2085978495);
}

static void
test_diff_across_era(void **state)
{
	uint64_t	a = (uint64_t)1 << 32, b = (uint64_t)0xffffffffu << 32;

	(void)state;
	assert_true(fabs(ntpwire_diff(a, b) - 2.0) < 1e-9);
	assert_true(fabs(ntpwire_diff(b, a) + 2.0) < 1e-9);
}

static void
test_short_format(void **state)
{
	(void)state;
	assert_int_equal(ntpwire_short_from_double(1.5), 0x18000);
	assert_true(fabs(ntpwire_short_to_double(0x18000) - 1.5) < 1e-9);
	assert_int_equal(ntpwire_short_from_double(-1), 0);
	assert_int_equal(ntpwire_short_from_double(NAN), 0);
	assert_int_equal(ntpwire_short_from_double(1e9), 0xffffffffu);
}

static void
test_offset_delay(void **state)
{
	struct timespec	t1 = { 1000, 0 }, t2 = { 1010, 100000000 }, t3 = { 1010, 200000000 },
			t4 = { 1000, 400000000 };
	double		offset, delay;

	(void)state;
	/* The server is 10 s ahead and the path takes 0.15 s each way. */
	ntpwire_offset_delay(ntpwire_from_timespec(&t1), ntpwire_from_timespec(&t2),
	    ntpwire_from_timespec(&t3), ntpwire_from_timespec(&t4), &offset, &delay);
	assert_true(fabs(offset - 9.95) < 1e-9);
	assert_true(fabs(delay - 0.3) < 1e-9);
}

static void
test_encode_decode(void **state)
{
	struct ntpwire_packet	in, out;
	uint8_t			buf[NTPWIRE_HEADER_LEN];

	(void)state;
	memset(&in, 0, sizeof(in));
	memset(&out, 0xff, sizeof(out));
	in.leap = NTPWIRE_LEAP_INSERT;
	in.version = 4;
	in.mode = NTPWIRE_MODE_SERVER;
	in.stratum = 2;
	in.poll = 6;
	in.precision = -20;
	in.rootdelay = 0x00010002;
	in.rootdisp = 0x00030004;
	in.refid = 0x7f000001;
	in.reftime = 0x0102030405060708ull;
	in.origin = 0x1112131415161718ull;
	in.receive = 0x2122232425262728ull;
	in.transmit = 0x3132333435363738ull;
	assert_int_equal(ntpwire_encode(&in, buf, sizeof(buf)), NTPWIRE_HEADER_LEN);
	assert_int_equal(buf[0], 0x64);
	assert_int_equal(buf[3], 0xec);
	assert_int_equal(buf[40], 0x31);
	assert_int_equal(ntpwire_decode(buf, sizeof(buf), &out), NTPWIRE_HEADER_LEN);
	assert_int_equal(out.leap, in.leap);
	assert_int_equal(out.version, in.version);
	assert_int_equal(out.mode, in.mode);
	assert_int_equal(out.stratum, in.stratum);
	assert_int_equal(out.poll, in.poll);
	assert_int_equal(out.precision, in.precision);
	assert_int_equal(out.rootdelay, in.rootdelay);
	assert_int_equal(out.rootdisp, in.rootdisp);
	assert_int_equal(out.refid, in.refid);
	assert_int_equal(out.reftime, in.reftime);
	assert_int_equal(out.origin, in.origin);
	assert_int_equal(out.receive, in.receive);
	assert_int_equal(out.transmit, in.transmit);
}

static void
test_encode_short_buffer(void **state)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[NTPWIRE_HEADER_LEN];

	(void)state;
	memset(&pkt, 0, sizeof(pkt));
	assert_int_equal(ntpwire_encode(&pkt, buf, sizeof(buf) - 1), -1);
}

static void
test_decode_rejects(void **state)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[NTPWIRE_HEADER_LEN + 8];

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x23;		/* version 4, client */
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN, &pkt), NTPWIRE_HEADER_LEN);
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN - 1, &pkt), -1);
	assert_int_equal(ntpwire_decode(buf, 0, &pkt), -1);
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN + 3, &pkt), -1);
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN + 8, &pkt), NTPWIRE_HEADER_LEN);
	buf[0] = 0x03;		/* version 0 */
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN, &pkt), -1);
	buf[0] = 0x2b;		/* version 5 */
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN, &pkt), -1);
	buf[0] = 0x20;		/* mode 0 */
	assert_int_equal(ntpwire_decode(buf, NTPWIRE_HEADER_LEN, &pkt), -1);
}

static void
test_decode_garbage(void **state)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[200];
	size_t			len, j;
	int			i, rc;

	(void)state;
	srandom(2);
	for (i = 0; i < 100000; i++) {
		len = (size_t)(random() % (int)sizeof(buf));
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		rc = ntpwire_decode(buf, len, &pkt);
		assert_true(rc == -1 || rc == NTPWIRE_HEADER_LEN);
		if (rc == NTPWIRE_HEADER_LEN) {
			assert_true(len >= NTPWIRE_HEADER_LEN);
			assert_true(pkt.version >= 1 && pkt.version <= 4);
			assert_true(pkt.mode != 0);
		}
	}
}

/* ntpwire_check accepts exactly what ntpwire_decode accepts, with its mode. */
static void
test_check_matches_decode(void **state)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[120];
	size_t			len, j;
	int			i, rc;

	(void)state;
	srandom(3);
	for (i = 0; i < 100000; i++) {
		len = (size_t)(random() % (int)sizeof(buf));
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		rc = ntpwire_decode(buf, len, &pkt);
		if (rc == -1)
			assert_int_equal(ntpwire_check(buf, len), -1);
		else
			assert_int_equal(ntpwire_check(buf, len), pkt.mode);
	}
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x26;		/* version 4, control */
	assert_int_equal(ntpwire_check(buf, NTPWIRE_HEADER_LEN), NTPWIRE_MODE_CONTROL);
	buf[0] = 0x1b;		/* version 3, client */
	assert_int_equal(ntpwire_check(buf, NTPWIRE_HEADER_LEN + 4), NTPWIRE_MODE_CLIENT);
	assert_int_equal(ntpwire_check(buf, NTPWIRE_HEADER_LEN + 2), -1);
}

/* A timestamp stored at a field's offset decodes as that field. */
static void
test_put_timestamp_offsets(void **state)
{
	struct ntpwire_packet	pkt;
	uint8_t			buf[NTPWIRE_HEADER_LEN];

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x23;
	buf[NTPWIRE_OFFSET_POLL] = 0xfa;
	ntpwire_put_timestamp(buf + NTPWIRE_OFFSET_ORIGIN, 0x0102030405060708ull);
	ntpwire_put_timestamp(buf + NTPWIRE_OFFSET_RECEIVE, 0x1112131415161718ull);
	ntpwire_put_timestamp(buf + NTPWIRE_OFFSET_TRANSMIT, 0xf1f2f3f4f5f6f7f8ull);
	assert_int_equal(ntpwire_decode(buf, sizeof(buf), &pkt), NTPWIRE_HEADER_LEN);
	assert_int_equal(pkt.poll, -6);
	assert_int_equal(pkt.origin, 0x0102030405060708ull);
	assert_int_equal(pkt.receive, 0x1112131415161718ull);
	assert_int_equal(pkt.transmit, 0xf1f2f3f4f5f6f7f8ull);
	assert_int_equal(pkt.reftime, 0);
}

static void
test_timespec_add(void **state)
{
	struct timespec	ts = { 10, 900000000 };

	(void)state;
	ntpwire_timespec_add(&ts, 0.2);
	assert_int_equal(ts.tv_sec, 11);
	assert_int_equal(ts.tv_nsec, 100000000);
	ntpwire_timespec_add(&ts, -1.3);
	assert_int_equal(ts.tv_sec, 9);
	assert_int_equal(ts.tv_nsec, 800000000);
	ntpwire_timespec_add(&ts, -3600.0);
	assert_int_equal(ts.tv_sec, -3591);
	assert_int_equal(ts.tv_nsec, 800000000);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_timestamp_epoch),
		cmocka_unit_test(test_timestamp_round_trip),
		cmocka_unit_test(test_timestamp_half_second),
		cmocka_unit_test(test_era_rollover),
		cmocka_unit_test(test_diff_across_era),
		cmocka_unit_test(test_short_format),
		cmocka_unit_test(test_offset_delay),
		cmocka_unit_test(test_encode_decode),
		cmocka_unit_test(test_encode_short_buffer),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_garbage),
		cmocka_unit_test(test_check_matches_decode),
		cmocka_unit_test(test_put_timestamp_offsets),
		cmocka_unit_test(test_timespec_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
