/* echo.c -- UDP DNS echo server: the per-query floor that dnsd is measured against. */
/*
 * Usage: echo ADDRESS PORT
 *
 * Every datagram of at least a DNS header comes back to its sender with QR
 * set and nothing else changed.  recvmmsg/sendmmsg move up to BATCH
 * datagrams per system call, so the cost per query is about what the kernel
 * needs to receive and send one packet.  SIGTERM or SIGINT stops it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH		64
#define MSG_MAX		1500
#define DNS_HEADER_LEN	12

static volatile sig_atomic_t stop;

static void
echo_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int
echo_bind(const char *address, const char *port)
{
	struct sockaddr_in sin;
	char *end;
	long num;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
		fprintf(stderr, "echo: invalid IPv4 address \"%s\"\n", address);
		return -1;
	}
	num = strtol(port, &end, 10);
	if (*end != '\0' || num < 1 || num > 65535) {
		fprintf(stderr, "echo: invalid port \"%s\"; expected 1-65535\n", port);
		return -1;
	}
	sin.sin_port = htons((unsigned short)num);

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("echo: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "echo: bind %s:%s: %s\n", address, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
echo_serve(int fd)
{
	static unsigned char bufs[BATCH][MSG_MAX];
	static struct sockaddr_in peers[BATCH];
	static struct iovec iovs[BATCH];
	static struct mmsghdr msgs[BATCH], replies[BATCH];
	int i, n, nrecv, nreplies, sent;

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
			perror("echo: recvmmsg");
			return -1;
		}

		/* Each reply reuses its query's buffer with the length received. */
		nreplies = 0;
		for (i = 0; i < nrecv; i++) {
			if (msgs[i].msg_len < DNS_HEADER_LEN)
				continue;
			bufs[i][2] |= 0x80;	/* QR: this is a response */
			replies[nreplies] = msgs[i];
			replies[nreplies].msg_hdr.msg_iov->iov_len = msgs[i].msg_len;
			nreplies++;
		}
		for (sent = 0; sent < nreplies; ) {
			n = sendmmsg(fd, replies + sent, nreplies - sent, 0);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				perror("echo: sendmmsg");
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
	struct sigaction sa;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: echo ADDRESS PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = echo_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((fd = echo_bind(argv[1], argv[2])) == -1)
		return 1;
	return echo_serve(fd) == 0 ? 0 : 1;
}
