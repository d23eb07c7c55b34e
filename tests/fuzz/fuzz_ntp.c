/* fuzz_ntp.c -- libFuzzer harness: NTP datagrams through the decoder and ntpd's server reply, which must encode and decode back. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzzutil.h"
#include "ntpwire.h"
#include "../../applets/ntpd/ntpd.h"

static void
same_or_abort(const struct ntpwire_packet *a, const struct ntpwire_packet *b)
{
	if (a->leap != b->leap || a->version != b->version || a->mode != b->mode ||
	    a->stratum != b->stratum || a->poll != b->poll || a->precision != b->precision ||
	    a->rootdelay != b->rootdelay || a->rootdisp != b->rootdisp ||
	    a->refid != b->refid || a->reftime != b->reftime || a->origin != b->origin ||
	    a->receive != b->receive || a->transmit != b->transmit)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntpwire_packet	pkt, back, rep;
	struct ntpd_ref		ref;
	struct timespec		ts;
	uint8_t			buf[NTPWIRE_HEADER_LEN];
	uint64_t		rx, tx;
	double			offset, delay;

	if (ntpwire_decode(data, size, &pkt) == -1)
		return 0;
	if (pkt.version == 0 || pkt.version > 4 || pkt.mode == 0)
		abort();
	/* The header encodes back to the same bytes. */
	if (ntpwire_encode(&pkt, buf, sizeof(buf)) != NTPWIRE_HEADER_LEN ||
	    memcmp(buf, data, NTPWIRE_HEADER_LEN) != 0)
		abort();
	/* What a client does with a server's reply: the four timestamps. */
	ntpwire_offset_delay(pkt.origin, pkt.receive, pkt.transmit, pkt.reftime, &offset,
	    &delay);
	(void)ntpwire_short_to_double(pkt.rootdelay);
	(void)ntpwire_short_to_double(pkt.rootdisp);
	ntpwire_to_timespec(pkt.transmit, 1700000000, &ts);
	if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		abort();
	/* What ntpd's server answers: synchronised, local stratum, or neither. */
	memset(&ref, 0, sizeof(ref));
	ref.synced = pkt.poll & 1;
	ref.leap = pkt.leap;
	ref.stratum = pkt.stratum % 16;
	ref.refid = pkt.refid;
	ntpwire_to_timespec(pkt.reftime, 1700000000, &ref.reftime);
	ref.rootdelay = ntpwire_short_to_double(pkt.rootdelay);
	ref.rootdisp = ntpwire_short_to_double(pkt.rootdisp);
	rx = pkt.receive;
	tx = pkt.transmit;
	serve_build_reply(&pkt, rx, tx, &ref, pkt.precision & 1 ? 10 : 0, &rep);
	if (rep.mode != NTPWIRE_MODE_SERVER || rep.origin != pkt.transmit)
		abort();
	if (ntpwire_encode(&rep, buf, sizeof(buf)) != NTPWIRE_HEADER_LEN)
		abort();
	if (ntpwire_decode(buf, sizeof(buf), &back) != NTPWIRE_HEADER_LEN)
		abort();
	same_or_abort(&rep, &back);
	return 0;
}
