/* sock.h -- UDP and TCP sockets; replies leave from the address the query was sent to. */
#ifndef EDGEBOX_SOCK_H
#define EDGEBOX_SOCK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
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

/* Room for the control messages of a received datagram: IP_PKTINFO or
 * IPV6_PKTINFO, and SCM_TIMESTAMPNS (64 bytes spare for others). */
#define SOCK_RX_CONTROL_LEN	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
				    CMSG_SPACE(sizeof(struct timespec)) + 64)

/* Receive one datagram.  Returns its length or -1 (errno set). */
ssize_t	sock_recv(int fd, void *buf, size_t len, struct sock_rxinfo *);

/* Fill rx from a datagram received into msg, whose msg_name was &rx->from:
 * the address length, and the destination address, interface and kernel
 * receive time from the control messages. */
void	sock_rxinfo_parse(struct msghdr *, struct sock_rxinfo *);

/* Receive up to n datagrams without waiting (recvmmsg).  Every header
 * must have been zeroed once before its fields were set, as for
 * sock_send_batch.  Returns the number received, or -1 (errno EAGAIN when
 * none is waiting). */
int	sock_recv_batch(int fd, struct mmsghdr *, unsigned int n);

/* Send one datagram to `to`, from the local address in rx (when known) so a
 * reply leaves from the address the request came to.  Returns bytes or -1. */
ssize_t	sock_reply(int fd, const void *buf, size_t len, const struct sock_rxinfo *rx);

/* Control message buffer of a reply: one IP_PKTINFO or IPV6_PKTINFO. */
union sock_tx_control {
	struct cmsghdr	hdr;
	unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

/* Address msg, as sock_reply does, to rx->from and from rx->local when it
 * is known (the pktinfo goes into control).  msg_name then points into rx,
 * which must outlive the send. */
void	sock_reply_header(struct msghdr *, union sock_tx_control *,
	    const struct sock_rxinfo *rx);

/* Send n datagrams with as few sendmmsg calls as the kernel allows.  A
 * message that fails is skipped and counted in *failed (errno is that of
 * the last failure).  Every header must have been zeroed before its fields
 * were set.  Returns the number sent. */
int	sock_send_batch(int fd, struct mmsghdr *, unsigned int n, int *failed);

/* Whether addr is configured on an interface of this host (a bind to it
 * with port 0 succeeds).  Returns 1, 0, or -1 on other errors (errno). */
int	sock_addr_is_local(const struct netaddr *addr);

#endif
