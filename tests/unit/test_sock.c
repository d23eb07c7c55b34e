/* test_sock.c -- loopback sockets: the destination address of a datagram and replies sent from it. */
#include "testutil.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"

static struct netaddr
addr(const char *s)
{
	struct netaddr	a;

	assert_int_equal(netaddr_parse(s, &a), 0);
	return a;
}

static uint16_t
bound_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	struct netaddr		a;
	uint16_t		port = 0;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&ss, &a, &port), 0);
	return port;
}

static int
wait_readable(int fd)
{
	struct pollfd	p = { fd, POLLIN, 0 };

	return poll(&p, 1, 2000);
}

/* A wildcard socket learns which loopback address a datagram was sent to,
 * and the reply leaves from that address. */
static void
reply_leaves_from_destination(void **state)
{
	struct sock_rxinfo	rx, back;
	struct netaddr		any4 = addr("0.0.0.0"), dst = addr("127.0.0.2");
	struct netaddr		from;
	char			buf[64], text[NETADDR_STRLEN];
	uint16_t		port;
	int			server, client;
	ssize_t			n;

	server = sock_udp(&any4, 0, SOCK_PKTINFO | SOCK_NONBLOCK_FLAG);
	assert_true(server >= 0);
	port = bound_port(server);
	client = sock_connect(&dst, port, SOCK_DGRAM);
	assert_true(client >= 0);
	assert_int_equal(send(client, "ping", 4, 0), 4);
	assert_int_equal(wait_readable(server), 1);
	n = sock_recv(server, buf, sizeof(buf), &rx);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(rx.local.family, AF_INET);
	assert_string_equal(netaddr_format(&rx.local, text), "127.0.0.2");
	assert_true(rx.ifindex > 0);

	assert_int_equal(sock_reply(server, "pong", 4, &rx), 4);
	assert_int_equal(wait_readable(client), 1);
	/* The connected client accepts only a reply from 127.0.0.2:port. */
	n = sock_recv(client, buf, sizeof(buf), &back);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "pong", 4);
	assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&back.from, &from, NULL), 0);
	assert_true(netaddr_equal(&from, &dst));
	close(client);
	close(server);
}

/* Three datagrams come in one recvmmsg with their destination addresses
 * and receive times.  The replies leave in one sendmmsg from those
 * addresses, except one to port 0, which the kernel rejects. */
static void
batch_receive_and_reply(void **state)
{
	struct mmsghdr		in[4], out[4];
	struct iovec		iniov[4], outiov[4];
	struct sock_rxinfo	rx[4];
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[SOCK_RX_CONTROL_LEN];
	}			control[4];
	union sock_tx_control	txcontrol[4];
	struct netaddr		any4 = addr("0.0.0.0"), dst = addr("127.0.0.2");
	char			inbuf[4][16], text[NETADDR_STRLEN], buf[16];
	uint16_t		port;
	int			server, client, i, n, failed;

	server = sock_udp(&any4, 0, SOCK_PKTINFO | SOCK_TIMESTAMP | SOCK_NONBLOCK_FLAG);
	assert_true(server >= 0);
	port = bound_port(server);
	client = sock_connect(&dst, port, SOCK_DGRAM);
	assert_true(client >= 0);
	assert_int_equal(send(client, "a", 1, 0), 1);
	assert_int_equal(send(client, "bb", 2, 0), 2);
	assert_int_equal(send(client, "ccc", 3, 0), 3);
	assert_int_equal(wait_readable(server), 1);

	memset(in, 0, sizeof(in));
	for (i = 0; i < 4; i++) {
		iniov[i].iov_base = inbuf[i];
		iniov[i].iov_len = sizeof(inbuf[i]);
		in[i].msg_hdr.msg_name = &rx[i].from;
		in[i].msg_hdr.msg_namelen = sizeof(rx[i].from);
		in[i].msg_hdr.msg_iov = &iniov[i];
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_control = control[i].buf;
		in[i].msg_hdr.msg_controllen = sizeof(control[i].buf);
	}
	n = sock_recv_batch(server, in, 4);
	assert_int_equal(n, 3);
	memset(out, 0, sizeof(out));
	for (i = 0; i < n; i++) {
		assert_int_equal(in[i].msg_len, i + 1);
		sock_rxinfo_parse(&in[i].msg_hdr, &rx[i]);
		assert_int_equal(rx[i].local.family, AF_INET);
		assert_string_equal(netaddr_format(&rx[i].local, text), "127.0.0.2");
		assert_true(rx[i].ifindex > 0);
		if (getenv("EDGEBOX_EMULATOR") == NULL || *getenv("EDGEBOX_EMULATOR") == '\0')
			assert_true(rx[i].rxtime.tv_sec > 0);
		outiov[i].iov_base = inbuf[i];
		outiov[i].iov_len = in[i].msg_len;
		out[i].msg_hdr.msg_iov = &outiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		sock_reply_header(&out[i].msg_hdr, &txcontrol[i], &rx[i]);
	}
	/* Nothing more is waiting. */
	assert_int_equal(sock_recv_batch(server, in, 4), -1);
	assert_int_equal(errno, EAGAIN);

	((struct sockaddr_in *)&rx[1].from)->sin_port = 0;
	assert_int_equal(sock_send_batch(server, out, 3, &failed), 2);
	assert_int_equal(failed, 1);
	assert_int_equal(wait_readable(client), 1);
	/* The connected client accepts only replies from 127.0.0.2:port. */
	assert_int_equal(recv(client, buf, sizeof(buf), MSG_DONTWAIT), 1);
	assert_memory_equal(buf, "a", 1);
	assert_int_equal(wait_readable(client), 1);
	assert_int_equal(recv(client, buf, sizeof(buf), MSG_DONTWAIT), 3);
	assert_memory_equal(buf, "ccc", 3);
	close(client);
	close(server);
}

static void
kernel_timestamp_reported(void **state)
{
	struct sock_rxinfo	rx;
	struct netaddr		lo = addr("127.0.0.1");
	char			buf[16];
	int			server, client;

	/* qemu-user does not translate SCM_TIMESTAMPNS control messages. */
	if (getenv("EDGEBOX_EMULATOR") != NULL && *getenv("EDGEBOX_EMULATOR") != '\0')
		skip();
	server = sock_udp(&lo, 0, SOCK_TIMESTAMP);
	assert_true(server >= 0);
	client = sock_connect(&lo, bound_port(server), SOCK_DGRAM);
	assert_true(client >= 0);
	assert_int_equal(send(client, "t", 1, 0), 1);
	assert_int_equal(wait_readable(server), 1);
	assert_int_equal(sock_recv(server, buf, sizeof(buf), &rx), 1);
	assert_true(rx.rxtime.tv_sec > 0);
	close(client);
	close(server);
}

static void
tcp_listen_and_connect(void **state)
{
	struct netaddr	lo = addr("127.0.0.1");
	struct pollfd	p;
	char		c = 0;
	int		listener, client, conn;

	listener = sock_tcp_listen(&lo, 0, 4, SOCK_NONBLOCK_FLAG);
	assert_true(listener >= 0);
	client = sock_connect(&lo, bound_port(listener), SOCK_STREAM);
	assert_true(client >= 0);
	assert_int_equal(wait_readable(listener), 1);
	conn = accept(listener, NULL, NULL);
	assert_true(conn >= 0);
	p.fd = client;
	p.events = POLLOUT;
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(write(client, "x", 1), 1);
	assert_int_equal(read(conn, &c, 1), 1);
	assert_int_equal(c, 'x');
	close(conn);
	close(client);
	close(listener);
}

static void
busy_port_fails(void **state)
{
	struct netaddr	lo = addr("127.0.0.1");
	int		a, b;

	a = sock_udp(&lo, 0, 0);
	assert_true(a >= 0);
	b = sock_udp(&lo, bound_port(a), 0);
	assert_int_equal(b, -1);
	assert_int_equal(errno, EADDRINUSE);
	close(a);
}

/* Binding port 0 sends nothing, so TEST-NET addresses are safe to probe. */
static void
local_addresses(void **state)
{
	struct netaddr	a;

	a = addr("127.0.0.1");
	assert_int_equal(sock_addr_is_local(&a), 1);
	a = addr("::1");
	assert_int_equal(sock_addr_is_local(&a), 1);
	a = addr("192.0.2.200");
	assert_int_equal(sock_addr_is_local(&a), 0);
	a = addr("2001:db8::200");
	assert_int_equal(sock_addr_is_local(&a), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reply_leaves_from_destination),
		cmocka_unit_test(batch_receive_and_reply),
		cmocka_unit_test(kernel_timestamp_reported),
		cmocka_unit_test(tcp_listen_and_connect),
		cmocka_unit_test(busy_port_fails),
		cmocka_unit_test(local_addresses),
	};

	return cmocka_run_group_tests_name("sock", tests, NULL, NULL);
}
