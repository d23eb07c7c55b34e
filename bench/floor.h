/* floor.h -- the UDP server loop of the benchmarks' floor servers (bench/dns/echo.c, bench/ntp/ceiling.c). */
/*
 * A floor server answers each datagram with the least work its protocol
 * allows, so its CPU time per reply is about what the kernel needs to
 * receive and send one packet.  recvmmsg/sendmmsg move up to FLOOR_BATCH
 * datagrams per system call.  SIGTERM or SIGINT stops the loop.
 *
 * The including program defines its answer functions and calls
 * floor_main; the functions are static, so the compiler inlines them into
 * the loop.
 */
#ifndef EDGEBOX_BENCH_FLOOR_H
#define EDGEBOX_BENCH_FLOOR_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLOOR_BATCH	64
#define FLOOR_MSG_MAX	1500

/* The callbacks of a floor server.  received() runs once after each
 * recvmmsg and sending() once with the replies before sendmmsg; either
 * may be NULL.  answer() builds the reply to one datagram in buf and
 * returns its length, or -1 to drop the datagram. */
struct floor_ops {
	const char	*name;
	void		(*received)(void);
	int		(*answer)(unsigned char *buf, unsigned int len);
	void		(*sending)(struct mmsghdr *replies, int n);
};

static volatile sig_atomic_t floor_stopped;

static void
floor_stop(int sig)
{
	(void)sig;
	floor_stopped = 1;
}

static int
floor_bind(const char *name, const char *address, const char *port)
{
	struct sockaddr_in	sin;
	char			*end;
	long			 num;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
		fprintf(stderr, "%s: invalid IPv4 address \"%s\"\n", name, address);
		return -1;
	}
	num = strtol(port, &end, 10);
	if (*end != '\0' || num < 1 || num > 65535) {
		fprintf(stderr, "%s: invalid port \"%s\"; expected 1-65535\n", name, port);
		return -1;
	}
	sin.sin_port = htons((unsigned short)num);

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		fprintf(stderr, "%s: socket: %s\n", name, strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "%s: bind %s:%s: %s\n", name, address, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static inline int
floor_serve(int fd, const struct floor_ops *ops)
{
	static unsigned char	bufs[FLOOR_BATCH][FLOOR_MSG_MAX];
	static struct sockaddr_in peers[FLOOR_BATCH];
	static struct iovec	iovs[FLOOR_BATCH];
	static struct mmsghdr	msgs[FLOOR_BATCH], replies[FLOOR_BATCH];
	int			i, n, len, nrecv, nreplies, sent;

	for (i = 0; i < FLOOR_BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = FLOOR_MSG_MAX;
		msgs[i].msg_hdr.msg_name = &peers[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!floor_stopped) {
		nrecv = recvmmsg(fd, msgs, FLOOR_BATCH, MSG_WAITFORONE, NULL);
		if (nrecv == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: recvmmsg: %s\n", ops->name, strerror(errno));
			return -1;
		}
		if (ops->received != NULL)
			ops->received();

		/* Each reply reuses its query's buffer. */
		nreplies = 0;
		for (i = 0; i < nrecv; i++) {
			if ((len = ops->answer(bufs[i], msgs[i].msg_len)) < 0)
				continue;
			replies[nreplies] = msgs[i];
			replies[nreplies].msg_hdr.msg_iov->iov_len = (size_t)len;
			nreplies++;
		}
		if (ops->sending != NULL)
			ops->sending(replies, nreplies);
		for (sent = 0; sent < nreplies; ) {
			n = sendmmsg(fd, replies + sent, (unsigned int)(nreplies - sent), 0);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "%s: sendmmsg: %s\n", ops->name, strerror(errno));
				break;
			}
			sent += n;
		}

		/* Restore what the kernel and the replies above shortened. */
		for (i = 0; i < nrecv; i++) {
			iovs[i].iov_len = FLOOR_MSG_MAX;
			msgs[i].msg_hdr.msg_namelen = sizeof(peers[i]);
		}
	}
	return 0;
}

/* Parse ADDRESS PORT, bind, and serve until a signal.  Returns the exit status. */
static int
floor_main(int argc, char **argv, const struct floor_ops *ops)
{
	struct sigaction	sa;
	int			fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ADDRESS PORT\n", ops->name);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = floor_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((fd = floor_bind(ops->name, argv[1], argv[2])) == -1)
		return 1;
	return floor_serve(fd, ops) == 0 ? 0 : 1;
}

#endif
