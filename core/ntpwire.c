/* ntpwire.c -- NTP packet codec and timestamp arithmetic (RFC 5905), pure functions. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ntpwire.h"

#define FRAC_PER_SEC	4294967296.0	/* 2^32 */

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

void
ntpwire_put_timestamp(void *p, uint64_t v)
{
	put64(p, v);
}

int
ntpwire_check(const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	unsigned int	 version, mode;

	if (len < NTPWIRE_HEADER_LEN || (len - NTPWIRE_HEADER_LEN) % 4 != 0)
		return -1;
	version = (p[0] >> 3) & 7;
	mode = p[0] & 7;
	if (version == 0 || version > NTPWIRE_VERSION || mode == 0)
		return -1;
	return (int)mode;
}

int
ntpwire_decode(const void *buf, size_t len, struct ntpwire_packet *pkt)
{
	const uint8_t	*p = buf;

	if (ntpwire_check(buf, len) == -1)
		return -1;
	pkt->leap = p[0] >> 6;
	pkt->version = (p[0] >> 3) & 7;
	pkt->mode = p[0] & 7;
	pkt->stratum = p[1];
	pkt->poll = (int8_t)p[2];
	pkt->precision = (int8_t)p[3];
	pkt->rootdelay = get32(p + 4);
	pkt->rootdisp = get32(p + 8);
	pkt->refid = get32(p + 12);
	pkt->reftime = get64(p + 16);
	pkt->origin = get64(p + 24);
	pkt->receive = get64(p + 32);
	pkt->transmit = get64(p + 40);
	return NTPWIRE_HEADER_LEN;
}

int
ntpwire_encode(const struct ntpwire_packet *pkt, void *buf, size_t len)
{
	uint8_t	*p = buf;

	if (len < NTPWIRE_HEADER_LEN)
		return -1;
	p[0] = (uint8_t)((pkt->leap & 3) << 6 | (pkt->version & 7) << 3 | (pkt->mode & 7));
	p[1] = pkt->stratum;
	p[2] = (uint8_t)pkt->poll;
	p[3] = (uint8_t)pkt->precision;
	put32(p + 4, pkt->rootdelay);
	put32(p + 8, pkt->rootdisp);
	put32(p + 12, pkt->refid);
	put64(p + 16, pkt->reftime);
	put64(p + 24, pkt->origin);
	put64(p + 32, pkt->receive);
	put64(p + 40, pkt->transmit);
	return NTPWIRE_HEADER_LEN;
}

uint64_t
ntpwire_from_timespec(const struct timespec *ts)
{
	uint32_t	sec;
	uint64_t	frac;

	sec = (uint32_t)((uint64_t)ts->tv_sec + NTPWIRE_EPOCH_OFFSET);
	/* Round to the nearest 2^-32 s so a round trip keeps every nanosecond. */
	frac = (((uint64_t)ts->tv_nsec << 32) + 500000000u) / 1000000000u;
	return ((uint64_t)sec << 32) + frac;
}

void
ntpwire_to_timespec(uint64_t t, time_t pivot, struct timespec *ts)
{
	uint32_t	pivot_ntp, sec;
	int32_t		delta;
	uint64_t	nsec;

	sec = (uint32_t)(t >> 32);
	pivot_ntp = (uint32_t)((uint64_t)pivot + NTPWIRE_EPOCH_OFFSET);
	delta = (int32_t)(sec - pivot_ntp);
	nsec = ((t & 0xffffffffu) * 1000000000u + 0x80000000u) >> 32;
	ts->tv_sec = pivot + delta;
	if (nsec >= 1000000000u) {
		ts->tv_sec++;
		nsec -= 1000000000u;
	}
	ts->tv_nsec = (long)nsec;
}

double
ntpwire_diff(uint64_t a, uint64_t b)
{
	return (double)(int64_t)(a - b) / FRAC_PER_SEC;
}

double
ntpwire_short_to_double(uint32_t v)
{
	return v / 65536.0;
}

uint32_t
ntpwire_short_from_double(double d)
{
	if (!(d > 0.0))
		return 0;
	if (d >= 65535.0)
		return 0xffffffffu;
	return (uint32_t)(d * 65536.0 + 0.5);
}

void
ntpwire_offset_delay(uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
    double *offset, double *delay)
{
	/* Take 64-bit differences first: a whole NTP timestamp in a double resolves only about 0.5 us. */
	*offset = (ntpwire_diff(t2, t1) + ntpwire_diff(t3, t4)) / 2.0;
	*delay = ntpwire_diff(t4, t1) - ntpwire_diff(t3, t2);
}

double
ntpwire_timespec_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

void
ntpwire_timespec_add(struct timespec *ts, double seconds)
{
	double	whole;
	long	nsec;

	whole = floor(seconds);
	nsec = ts->tv_nsec + (long)llround((seconds - whole) * 1e9);
	ts->tv_sec += (time_t)whole;
	while (nsec >= 1000000000L) {
		nsec -= 1000000000L;
		ts->tv_sec++;
	}
	while (nsec < 0) {
		nsec += 1000000000L;
		ts->tv_sec--;
	}
	ts->tv_nsec = nsec;
}
