/* sock.c -- UDP and TCP sockets; replies leave from the address the request was sent to. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"

/* Close fd after a failed call and return -1 with that call's errno. */
static int
close_failed(int fd)
{
	int	saved = errno;

	close(fd);
	errno = saved;
	return -1;
}

static int
set_flag(int fd, int level, int name)
{
	int	on = 1;

	return setsockopt(fd, level, name, &on, sizeof(on));
}

/* Fill a wildcard when addr is NULL or unspecified: IPv6 with IPv4 mapped in. */
static int
bind_address(const struct netaddr *addr, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len, int *wildcard6)
{
	struct netaddr	any;

	*wildcard6 = 0;
	if (addr == NULL || addr->family == AF_UNSPEC) {
		memset(&any, 0, sizeof(any));
		any.family = AF_INET6;
		*wildcard6 = 1;
		addr = &any;
	}
	return netaddr_to_sockaddr(addr, port, ss, len);
}

static int
open_bound(int type, const struct netaddr *addr, uint16_t port, int flags)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	struct netaddr		any4;
	int			fd, socktype, wildcard6;

	if (bind_address(addr, port, &ss, &len, &wildcard6) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	socktype = type | SOCK_CLOEXEC | (flags & SOCK_NONBLOCK_FLAG ? SOCK_NONBLOCK : 0);
	fd = socket(ss.ss_family, socktype, 0);
	if (fd == -1 && wildcard6 && errno == EAFNOSUPPORT) {
		/* A kernel without IPv6: fall back to 0.0.0.0. */
		memset(&any4, 0, sizeof(any4));
		any4.family = AF_INET;
		netaddr_to_sockaddr(&any4, port, &ss, &len);
		wildcard6 = 0;
		fd = socket(AF_INET, socktype, 0);
	}
	if (fd == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ wildcard6 ? 0 : 1 },
		    sizeof(int));
	if ((flags & SOCK_REUSEADDR) || type == SOCK_STREAM)
		set_flag(fd, SOL_SOCKET, SO_REUSEADDR);
	if (flags & SOCK_PKTINFO) {
		if (ss.ss_family == AF_INET || wildcard6)
			set_flag(fd, IPPROTO_IP, IP_PKTINFO);
		if (ss.ss_family == AF_INET6)
			set_flag(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO);
	}
	if (flags & SOCK_TIMESTAMP)
		set_flag(fd, SOL_SOCKET, SO_TIMESTAMPNS);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		return close_failed(fd);
	return fd;
}

int
sock_udp(const struct netaddr *addr, uint16_t port, int flags)
{
	return open_bound(SOCK_DGRAM, addr, port, flags);
}

int
sock_tcp_listen(const struct netaddr *addr, uint16_t port, int backlog, int flags)
{
	int	fd;

	if ((fd = open_bound(SOCK_STREAM, addr, port, flags)) == -1)
		return -1;
	if (listen(fd, backlog) == -1)
		return close_failed(fd);
	return fd;
}

int
sock_connect(const struct netaddr *addr, uint16_t port, int type)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd;

	if (netaddr_to_sockaddr(addr, port, &ss, &len) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == -1 && errno != EINPROGRESS)
		return close_failed(fd);
	return fd;
}

/* Control messages a received datagram may carry: IP_PKTINFO or
 * IPV6_PKTINFO, and SCM_TIMESTAMPNS. */
union rx_control {
	struct cmsghdr	hdr;
	unsigned char	buf[SOCK_RX_CONTROL_LEN];
};

void
sock_rxinfo_parse(struct msghdr *msg, struct sock_rxinfo *rx)
{
	struct cmsghdr		*c;
	struct in_pktinfo	 pi4;
	struct in6_pktinfo	 pi6;

	rx->fromlen = msg->msg_namelen;
	memset(&rx->local, 0, sizeof(rx->local));
	rx->local.family = AF_UNSPEC;
	rx->ifindex = 0;
	rx->rxtime.tv_sec = 0;
	rx->rxtime.tv_nsec = 0;
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi4, CMSG_DATA(c), sizeof(pi4));
			rx->local.family = AF_INET;
			rx->local.u.v4 = pi4.ipi_addr;
			rx->ifindex = pi4.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			rx->local.family = AF_INET6;
			rx->local.u.v6 = pi6.ipi6_addr;
			rx->ifindex = (int)pi6.ipi6_ifindex;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&rx->rxtime, CMSG_DATA(c), sizeof(rx->rxtime));
		}
	}
}

ssize_t
sock_recv(int fd, void *buf, size_t len, struct sock_rxinfo *rx)
{
	union rx_control	control;
	struct iovec		iov = { buf, len };
	struct msghdr		msg;
	ssize_t			n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &rx->from;
	msg.msg_namelen = sizeof(rx->from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return -1;
	sock_rxinfo_parse(&msg, rx);
	return n;
}

void
sock_reply_header(struct msghdr *msg, union sock_tx_control *control,
    const struct sock_rxinfo *rx)
{
	struct cmsghdr		*c;
	struct in_pktinfo	 pi4;
	struct in6_pktinfo	 pi6;

	msg->msg_name = (void *)(uintptr_t)&rx->from;
	msg->msg_namelen = rx->fromlen;
	msg->msg_control = NULL;
	msg->msg_controllen = 0;
	if (rx->local.family == AF_INET && rx->from.ss_family == AF_INET) {
		memset(control, 0, sizeof(*control));
		msg->msg_control = control->buf;
		msg->msg_controllen = CMSG_SPACE(sizeof(pi4));
		c = CMSG_FIRSTHDR(msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi4));
		memset(&pi4, 0, sizeof(pi4));
		pi4.ipi_spec_dst = rx->local.u.v4;
		memcpy(CMSG_DATA(c), &pi4, sizeof(pi4));
	} else if (rx->from.ss_family == AF_INET6 && rx->local.family != AF_UNSPEC) {
		/* An IPv4 client of a dual-stack socket still takes IPV6_PKTINFO
		 * with the mapped address. */
		memset(&pi6, 0, sizeof(pi6));
		if (rx->local.family == AF_INET6) {
			pi6.ipi6_addr = rx->local.u.v6;
		} else {
			pi6.ipi6_addr.s6_addr[10] = 0xff;
			pi6.ipi6_addr.s6_addr[11] = 0xff;
			memcpy(&pi6.ipi6_addr.s6_addr[12], &rx->local.u.v4, 4);
		}
		memset(control, 0, sizeof(*control));
		msg->msg_control = control->buf;
		msg->msg_controllen = CMSG_SPACE(sizeof(pi6));
		c = CMSG_FIRSTHDR(msg);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
	}
}

ssize_t
sock_reply(int fd, const void *buf, size_t len, const struct sock_rxinfo *rx)
{
	union sock_tx_control	control;
	struct iovec		iov = { (void *)(uintptr_t)buf, len };
	struct msghdr		msg;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	sock_reply_header(&msg, &control, rx);
	return sendmsg(fd, &msg, 0);
}

int
sock_recv_batch(int fd, struct mmsghdr *msgs, unsigned int n)
{
	int	got;

	do {
#if defined(EDGEBOX_STATIC) && UINTPTR_MAX > 0xffffffffu
		/* The system call itself: musl's recvmmsg on 64-bit systems
		 * first clears the padding of all n headers, which the caller
		 * zeroed once and the kernel leaves alone.  On 32-bit systems
		 * the headers have no padding, and musl's recvmmsg turns the
		 * 32-bit kernel timestamps of kernels before 5.1 into the
		 * 64-bit SCM_TIMESTAMPNS that sock_rxinfo_parse reads. */
		got = (int)syscall(SYS_recvmmsg, fd, msgs, n, MSG_DONTWAIT, NULL);
#else
		got = recvmmsg(fd, msgs, n, MSG_DONTWAIT, NULL);
#endif
	} while (got == -1 && errno == EINTR);
	return got;
}

int
sock_send_batch(int fd, struct mmsghdr *msgs, unsigned int n, int *failed)
{
	unsigned int	sent = 0;
	int		rc, saved = 0;

	*failed = 0;
	while (sent < n) {
#ifdef EDGEBOX_STATIC
		/* The system call itself: musl's sendmmsg on 64-bit systems
		 * makes one sendmsg per message.  The caller zeroed the
		 * headers, so the padding beside musl's int msg_iovlen is 0
		 * as the kernel's size_t needs.  A dynamic build keeps the
		 * libc call so that simulators hooking it see every reply. */
		rc = (int)syscall(SYS_sendmmsg, fd, msgs + sent, n - sent, 0);
#else
		rc = sendmmsg(fd, msgs + sent, n - sent, 0);
#endif
		if (rc > 0) {
			sent += (unsigned int)rc;
			continue;
		}
		if (rc == -1 && errno == EINTR)
			continue;
		/* The kernel stops at the first message that fails: skip it
		 * and send the rest. */
		saved = errno;
		(*failed)++;
		sent++;
	}
	if (*failed > 0)
		errno = saved;
	return (int)sent - *failed;
}

int
sock_addr_is_local(const struct netaddr *addr)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, rc, saved;

	if (netaddr_to_sockaddr(addr, 0, &ss, &len) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = bind(fd, (struct sockaddr *)&ss, len);
	saved = errno;
	close(fd);
	if (rc == 0)
		return 1;
	errno = saved;
	return saved == EADDRNOTAVAIL ? 0 : -1;
}
