/* echo.c -- UDP DNS echo server: the per-query floor that dnsd is measured against. */
/*
 * Usage: echo ADDRESS PORT
 *
 * Every datagram of at least a DNS header comes back to its sender with QR
 * set and nothing else changed.  The loop is bench/floor.h's.
 */
#include "../floor.h"

#define DNS_HEADER_LEN	12

static int
echo_answer(unsigned char *buf, unsigned int len)
{
	if (len < DNS_HEADER_LEN)
		return -1;
	buf[2] |= 0x80;		/* QR: this is a response */
	return (int)len;
}

static const struct floor_ops echo_ops = { "echo", NULL, echo_answer, NULL };

int
main(int argc, char **argv)
{
	return floor_main(argc, argv, &echo_ops);
}
