/* sock.c -- UDP and TCP sockets; replies leave from the address the request was sent to. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
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

ssize_t
sock_recv(int fd, void *buf, size_t len, struct sock_rxinfo *rx)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(struct timespec)) + 64];
	}			 control;
	struct iovec		 iov = { buf, len };
	struct msghdr		 msg;
	struct cmsghdr		*c;
	struct in_pktinfo	*pi4;
	struct in6_pktinfo	*pi6;
	ssize_t			 n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &rx->from;
	msg.msg_namelen = sizeof(rx->from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return -1;
	rx->fromlen = msg.msg_namelen;
	memset(&rx->local, 0, sizeof(rx->local));
	rx->local.family = AF_UNSPEC;
	rx->ifindex = 0;
	rx->rxtime.tv_sec = 0;
	rx->rxtime.tv_nsec = 0;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			pi4 = (struct in_pktinfo *)CMSG_DATA(c);
			rx->local.family = AF_INET;
			rx->local.u.v4 = pi4->ipi_addr;
			rx->ifindex = pi4->ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			pi6 = (struct in6_pktinfo *)CMSG_DATA(c);
			rx->local.family = AF_INET6;
			rx->local.u.v6 = pi6->ipi6_addr;
			rx->ifindex = (int)pi6->ipi6_ifindex;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&rx->rxtime, CMSG_DATA(c), sizeof(rx->rxtime));
		}
	}
	return n;
}

ssize_t
sock_reply(int fd, const void *buf, size_t len, const struct sock_rxinfo *rx)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 control;
	struct iovec		 iov = { (void *)(uintptr_t)buf, len };
	struct msghdr		 msg;
	struct cmsghdr		*c;
	struct in_pktinfo	 pi4;
	struct in6_pktinfo	 pi6;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = (void *)(uintptr_t)&rx->from;
	msg.msg_namelen = rx->fromlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	memset(&control, 0, sizeof(control));
	if (rx->local.family == AF_INET && rx->from.ss_family == AF_INET) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi4));
		c = CMSG_FIRSTHDR(&msg);
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
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi6));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
	}
	return sendmsg(fd, &msg, 0);
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
