/* ceiling.c -- minimal NTP server: the per-reply floor that ntpd is measured against. */
/*
 * Usage: ceiling ADDRESS PORT
 *
 * Every mode 3 request of at least 48 bytes gets a 48-byte server reply in
 * its own buffer: leap 0, the request's version, mode 4, stratum 3, the
 * request's poll, precision 2^-20, refid 127.127.1.1 (as chronyd's local
 * reference), origin = the request's transmit time, receive time read once
 * per batch after recvmmsg, and transmit time (also the reference time) read
 * once per batch before sendmmsg.  Other datagrams are dropped.  The loop
 * is bench/floor.h's.
 */
#include <stdint.h>
#include <time.h>

#include "../floor.h"

#define NTP_LEN		48
#define NTP_UNIX_OFFSET	2208988800u	/* seconds from 1900 to 1970 */
#define STRATUM		3
#define REFID_LOCAL	0x7f7f0101u	/* 127.127.1.1 */

static unsigned char	rx[8], tx[8];	/* receive and transmit times of a batch */

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Write the NTP timestamp of the realtime clock now into 8 bytes at p. */
static void
put_now(unsigned char *p)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	put32(p, (uint32_t)ts.tv_sec + NTP_UNIX_OFFSET);
	put32(p + 4, (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u));
}

/* Turn the request in buf into a reply; return -1 when it is no client request. */
static int
build_reply(unsigned char *buf, unsigned int len, const unsigned char *rx)
{
	int	version;

	if (len < NTP_LEN || (buf[0] & 7) != 3)
		return -1;
	version = buf[0] >> 3 & 7;
	buf[0] = (unsigned char)(version << 3 | 4);	/* leap 0, mode 4 (server) */
	buf[1] = STRATUM;
	/* buf[2] keeps the request's poll */
	buf[3] = (unsigned char)-20;			/* precision */
	memset(buf + 4, 0, 8);				/* root delay, root dispersion */
	put32(buf + 12, REFID_LOCAL);
	memcpy(buf + 24, buf + 40, 8);			/* origin = request's transmit */
	memcpy(buf + 32, rx, 8);
	return 0;
}

static void
ceiling_received(void)
{
	put_now(rx);
}

static int
ceiling_answer(unsigned char *buf, unsigned int len)
{
	return build_reply(buf, len, rx) == -1 ? -1 : NTP_LEN;
}

static void
ceiling_sending(struct mmsghdr *replies, int n)
{
	int	i;

	put_now(tx);
	for (i = 0; i < n; i++) {
		memcpy((unsigned char *)replies[i].msg_hdr.msg_iov->iov_base + 16, tx, 8);
		memcpy((unsigned char *)replies[i].msg_hdr.msg_iov->iov_base + 40, tx, 8);
	}
}

static const struct floor_ops ceiling_ops = {
	"ceiling", ceiling_received, ceiling_answer, ceiling_sending
};

int
main(int argc, char **argv)
{
	return floor_main(argc, argv, &ceiling_ops);
}
