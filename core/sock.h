/* sock.h -- UDP and TCP sockets; replies leave from the address the query was sent to. */
#ifndef EDGEBOX_SOCK_H
#define EDGEBOX_SOCK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <time.h>

#include "netaddr.h"

#define SOCK_NONBLOCK_FLAG	0x1
#define SOCK_PKTINFO		0x2	/* report the destination address of each datagram */
#define SOCK_TIMESTAMP		0x4	/* kernel receive timestamps (SO_TIMESTAMPNS) */
#define SOCK_REUSEADDR		0x8

/* Open a UDP socket bound to addr:port; addr NULL or AF_UNSPEC binds the
 * IPv6 wildcard with IPv4 mapped in when available, else 0.0.0.0.
 * Returns the fd, or -1 with errno set. */
int	sock_udp(const struct netaddr *addr, uint16_t port, int flags);

/* Open a listening TCP socket, same address rules.  Returns fd or -1. */
int	sock_tcp_listen(const struct netaddr *addr, uint16_t port, int backlog, int flags);

/* Open a non-blocking UDP or TCP (type SOCK_DGRAM or SOCK_STREAM) socket
 * connected to addr:port, bound to an ephemeral local port chosen by the
 * kernel.  Returns fd or -1. */
int	sock_connect(const struct netaddr *addr, uint16_t port, int type);

/* What recvmsg reported besides the payload. */
struct sock_rxinfo {
	struct sockaddr_storage	from;
	socklen_t		fromlen;
	struct netaddr		local;		/* destination address, AF_UNSPEC if unknown */
	int			ifindex;
	struct timespec		rxtime;		/* kernel timestamp, zero if none */
};

/* Receive one datagram.  Returns its length or -1 (errno set). */
ssize_t	sock_recv(int fd, void *buf, size_t len, struct sock_rxinfo *);

/* Send one datagram to `to`, from the local address in rx (when known) so a
 * reply leaves from the address the request came to.  Returns bytes or -1. */
ssize_t	sock_reply(int fd, const void *buf, size_t len, const struct sock_rxinfo *rx);

/* Whether addr is configured on an interface of this host (a bind to it
 * with port 0 succeeds).  Returns 1, 0, or -1 on other errors (errno). */
int	sock_addr_is_local(const struct netaddr *addr);

#endif
