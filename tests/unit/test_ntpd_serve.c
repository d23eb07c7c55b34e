/* test_ntpd_serve.c -- server replies: synchronised, local stratum, unsynchronised. */
#include "testutil.h"

#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_reply_unsynchronised),
		cmocka_unit_test(test_reply_local_stratum),
		cmocka_unit_test(test_reply_synchronised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
