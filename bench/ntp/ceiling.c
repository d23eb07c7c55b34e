/* ceiling.c -- minimal NTP server: the per-reply floor that ntpd is measured against. */
/*
 * Usage: ceiling ADDRESS PORT
 *
 * Every mode 3 request of at least 48 bytes gets a 48-byte server reply in
 * its own buffer: leap 0, the request's version, mode 4, stratum 3, the
 * request's poll, precision 2^-20, refid 127.127.1.1 (as chronyd's local
 * reference), origin = the request's transmit time, receive time read once
 * per batch after recvmmsg, and transmit time (also the reference time) read
 * once per batch before sendmmsg.  Other datagrams are dropped.
 * recvmmsg/sendmmsg move up to BATCH datagrams per system call, so the cost
 * per reply is about what the kernel needs to receive and send one packet.
 * SIGTERM or SIGINT stops it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define MSG_MAX		1500
#define NTP_LEN		48
#define NTP_UNIX_OFFSET	2208988800u	/* seconds from 1900 to 1970 */
#define STRATUM		3
#define REFID_LOCAL	0x7f7f0101u	/* 127.127.1.1 */

static volatile sig_atomic_t stop;

static void
ceiling_stop(int sig)
{
	(void)sig;
	stop = 1;
}

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

static int
ceiling_bind(const char *address, const char *port)
{
	struct sockaddr_in	sin;
	char			*end;
	long			 num;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
		fprintf(stderr, "ceiling: invalid IPv4 address \"%s\"\n", address);
		return -1;
	}
	num = strtol(port, &end, 10);
	if (*end != '\0' || num < 1 || num > 65535) {
		fprintf(stderr, "ceiling: invalid port \"%s\"; expected 1-65535\n", port);
		return -1;
	}
	sin.sin_port = htons((unsigned short)num);

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("ceiling: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "ceiling: bind %s:%s: %s\n", address, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
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

static int
ceiling_serve(int fd)
{
	static unsigned char	bufs[BATCH][MSG_MAX];
	static struct sockaddr_in peers[BATCH];
	static struct iovec	iovs[BATCH];
	static struct mmsghdr	msgs[BATCH], replies[BATCH];
	unsigned char		rx[8], tx[8];
	int			i, n, nrecv, nreplies, sent;

	for (i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = MSG_MAX;
		msgs[i].msg_hdr.msg_name = &peers[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!stop) {
		nrecv = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (nrecv == -1) {
			if (errno == EINTR)
				continue;
			perror("ceiling: recvmmsg");
			return -1;
		}
		put_now(rx);

		nreplies = 0;
		for (i = 0; i < nrecv; i++) {
			if (build_reply(bufs[i], msgs[i].msg_len, rx) == -1)
				continue;
			replies[nreplies] = msgs[i];
			replies[nreplies].msg_hdr.msg_iov->iov_len = NTP_LEN;
			nreplies++;
		}
		put_now(tx);
		for (i = 0; i < nreplies; i++) {
			memcpy((unsigned char *)replies[i].msg_hdr.msg_iov->iov_base + 16, tx, 8);
			memcpy((unsigned char *)replies[i].msg_hdr.msg_iov->iov_base + 40, tx, 8);
		}
		for (sent = 0; sent < nreplies; ) {
			n = sendmmsg(fd, replies + sent, (unsigned int)(nreplies - sent), 0);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				perror("ceiling: sendmmsg");
				break;
			}
			sent += n;
		}

		/* Restore what the kernel and the replies above shortened. */
		for (i = 0; i < nrecv; i++) {
			iovs[i].iov_len = MSG_MAX;
			msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction	sa;
	int			fd;

	if (argc != 3) {
		fprintf(stderr, "usage: ceiling ADDRESS PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ceiling_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((fd = ceiling_bind(argv[1], argv[2])) == -1)
		return 1;
	return ceiling_serve(fd) == 0 ? 0 : 1;
}
