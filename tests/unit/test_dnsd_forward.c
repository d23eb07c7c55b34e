/* test_dnsd_forward.c -- dnsd's forwarder: queries in flight across a reload, getrandom failures. */
#include "testutil.h"

#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dnswire.h"
#include "loop.h"
#include "../../applets/dnsd/dnsd.h"

#define NUPSTREAMS	2
#define MANY		80	/* queries in the getrandom test: more than one batch of IDs */

static struct dnsd_conf		conf, conf2;
static struct dnsd_state	st;
static int			upfd[NUPSTREAMS];	/* fake upstreams on 127.0.0.1 */
static uint16_t			upport[NUPSTREAMS];

/* The replies dnsd delivered to its clients. */
static int			ndelivered;
static uint8_t			delivered[MANY][512];
static size_t			delivered_len[MANY];

static void
on_deliver(const struct forward_client *c, const uint8_t *msg, size_t len)
{
	if (ndelivered < MANY && len <= sizeof(delivered[0])) {
		memcpy(delivered[ndelivered], msg, len);
		delivered_len[ndelivered] = len;
	}
	ndelivered++;
}

static ssize_t
failing_getrandom(void *buf, size_t len, unsigned int flags)
{
	errno = ENOSYS;
	return -1;
}

static ssize_t
short_getrandom(void *buf, size_t len, unsigned int flags)
{
	memset(buf, 0, len / 2);
	return (ssize_t)(len / 2);
}

/* A config that forwards to the fake upstreams in the order given. */
static void
make_conf(struct dnsd_conf *c, const int *order, int n, long forward_max)
{
	int	i;

	dnsconf_defaults(c);
	c->no_hosts = 1;
	c->strict_order = 1;
	c->forward_max = forward_max;
	for (i = 0; i < n; i++) {
		c->servers[i].route = ROUTE_FORWARD;
		assert_int_equal(netaddr_parse("127.0.0.1", &c->servers[i].addr), 0);
		c->servers[i].port = upport[order[i]];
	}
	c->nservers = n;
}

static int
group_setup(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			i;

	for (i = 0; i < NUPSTREAMS; i++) {
		if ((upfd[i] = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
			return -1;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		if (bind(upfd[i], (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    getsockname(upfd[i], (struct sockaddr *)&sin, &len) == -1)
			return -1;
		upport[i] = ntohs(sin.sin_port);
	}
	return loop_init();
}

static int
group_teardown(void **state)
{
	int	i;

	forward_cancel_all();
	for (i = 0; i < NUPSTREAMS; i++)
		close(upfd[i]);
	loop_close();
	return 0;
}

/* Start every test with both upstreams in order A, B, nothing in flight,
 * and no query left unread at the upstreams from an earlier test. */
static int
setup(void **state)
{
	static const int	ab[] = { 0, 1 };
	uint8_t			buf[512];
	int			i;

	for (i = 0; i < NUPSTREAMS; i++)
		while (recv(upfd[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;

	forward_getrandom = getrandom;
	make_conf(&conf, ab, 2, 8);
	memset(&st, 0, sizeof(st));
	st.conf = &conf;
	ndelivered = 0;
	if (query_setup(&st) == -1 || cache_init(&st.cache, 0) == -1)
		return -1;
	return forward_init(&st, on_deliver);
}

static int
teardown(void **state)
{
	forward_cancel_all();
	cache_free(&st.cache);
	forward_getrandom = getrandom;
	return 0;
}

/* Forward an A query for name from a UDP client, with client ID id, to
 * the servers idx[0..n).  Returns what forward_start returns. */
static int
try_query(const char *name, uint16_t id, const int *idx, int n)
{
	struct forward_client	client;
	struct query		q;
	uint8_t			wire[DNS_NAME_MAX], msg[512], out[512];
	size_t			outlen = 0;
	int			len;

	assert_true(dnswire_name_from_text(name, wire) > 0);
	len = dnswire_query(msg, sizeof(msg), id, DNS_FLAG_RD, wire, DNS_TYPE_A,
	    DNS_CLASS_IN, 0);
	assert_true(len > 0);
	assert_int_equal(query_parse(&st, msg, (size_t)len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	memset(&client, 0, sizeof(client));
	client.fd = -1;
	client.conn = -1;
	return forward_start(&q, &client, idx, n);
}

/* try_query, which must succeed. */
static void
start_query(const char *name, uint16_t id, const int *idx, int n)
{
	assert_int_equal(try_query(name, id, idx, n), 0);
}

/* Wait up to a second for a query at upstream u.  Returns its length
 * and fills msg and the sender's address. */
static size_t
upstream_recv(int u, uint8_t *msg, size_t cap, struct sockaddr_storage *from)
{
	struct pollfd	pfd = { upfd[u], POLLIN, 0 };
	socklen_t	fromlen = sizeof(*from);
	ssize_t		n;

	if (poll(&pfd, 1, 1000) != 1)
		return 0;
	n = recvfrom(upfd[u], msg, cap, 0, (struct sockaddr *)from, &fromlen);
	return n > 0 ? (size_t)n : 0;
}

/* Answer the query q (as received) from upstream u with one A record. */
static void
upstream_answer(int u, const uint8_t *q, size_t qlen, const struct sockaddr_storage *to,
    const uint8_t addr[4])
{
	struct dnswire_parser	p;
	struct dnswire_question	qu;
	struct dnswire_builder	b;
	uint8_t			msg[512];
	size_t			len;

	assert_int_equal(dnswire_parser_init(&p, q, qlen), 0);
	assert_int_equal(dnswire_parse_question(&p, &qu), 1);
	assert_int_equal(dnswire_builder_init(&b, msg, sizeof(msg), 0), 0);
	dnswire_builder_header(&b, p.hdr.id, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA);
	assert_int_equal(dnswire_builder_question(&b, qu.name, qu.qtype, qu.qclass), 0);
	assert_int_equal(dnswire_builder_a(&b, DNS_SECTION_ANSWER, qu.name, 60, addr), 0);
	len = dnswire_builder_finish(&b);
	assert_int_equal(sendto(upfd[u], msg, len, 0, (const struct sockaddr *)to,
	    to->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)), (ssize_t)len);
}

/* Run the loop until want replies were delivered or seconds passed. */
static void
run_until(int want, double seconds)
{
	double	end = loop_now() + seconds;

	while (ndelivered < want && loop_now() < end)
		(void)loop_run(0.05);
}

/* Run the loop until upstream u has a query to read or seconds passed.
 * Returns 1 when it has one. */
static int
run_until_query(int u, double seconds)
{
	struct pollfd	pfd = { upfd[u], POLLIN, 0 };
	double		end = loop_now() + seconds;

	while (loop_now() < end) {
		if (poll(&pfd, 1, 0) == 1)
			return 1;
		(void)loop_run(0.05);
	}
	return poll(&pfd, 1, 0) == 1;
}

/* Check delivered reply k: the client's ID, NOERROR, and the address. */
static void
assert_reply(int k, uint16_t id, const uint8_t addr[4])
{
	const uint8_t	*m = delivered[k];
	size_t		 len = delivered_len[k];

	assert_true(len >= DNS_HEADER_LEN + 4);
	assert_int_equal(m[0] << 8 | m[1], id);
	assert_int_equal(DNS_FLAGS_RCODE(m[3]), 0);
	assert_int_equal(m[6] << 8 | m[7], 1);
	assert_memory_equal(m + len - 4, addr, 4);
}

static void
test_reload_keeps_inflight(void **state)
{
	static const int	ba[] = { 1, 0 };
	static const uint8_t	addr[4] = { 10, 9, 8, 7 };
	struct sockaddr_storage	from;
	uint8_t			q[512];
	size_t			qlen;
	int			idx[] = { 0 };

	start_query("kept.test", 0x1234, idx, 1);
	qlen = upstream_recv(0, q, sizeof(q), &from);
	assert_true(qlen > 0);
	/* The new config lists the servers the other way round and allows
	 * more queries in flight, so the table moves. */
	make_conf(&conf2, ba, 2, 64);
	st.conf = &conf2;
	assert_int_equal(forward_reconfigure(), 0);
	assert_int_equal(forward_pending(), 1);
	upstream_answer(0, q, qlen, &from, addr);
	run_until(1, 1.0);
	assert_int_equal(ndelivered, 1);
	assert_reply(0, 0x1234, addr);
	assert_int_equal(forward_pending(), 0);
}

static void
test_reload_removes_server(void **state)
{
	static const int	b_only[] = { 1 };
	static const uint8_t	addr[4] = { 10, 9, 8, 6 };
	static const uint8_t	addr2[4] = { 10, 9, 8, 5 };
	struct sockaddr_storage	from;
	uint8_t			q[512];
	size_t			qlen;
	int			idx[] = { 0 };

	start_query("gone.test", 0x2345, idx, 1);
	qlen = upstream_recv(0, q, sizeof(q), &from);
	assert_true(qlen > 0);
	make_conf(&conf2, b_only, 1, 8);
	st.conf = &conf2;
	assert_int_equal(forward_reconfigure(), 0);
	upstream_answer(0, q, qlen, &from, addr);
	run_until(1, 1.0);
	assert_int_equal(ndelivered, 1);
	assert_reply(0, 0x2345, addr);

	/* New queries go to the server the new config names. */
	start_query("new.test", 0x3456, idx, 1);
	qlen = upstream_recv(1, q, sizeof(q), &from);
	assert_true(qlen > 0);
	upstream_answer(1, q, qlen, &from, addr2);
	run_until(2, 1.0);
	assert_int_equal(ndelivered, 2);
	assert_reply(1, 0x3456, addr2);
}

static void
test_reload_then_timeout_tries_next(void **state)
{
	static const int	b_only[] = { 1 };
	static const uint8_t	addr[4] = { 10, 9, 8, 4 };
	struct sockaddr_storage	from;
	uint8_t			q[512];
	size_t			qlen;
	int			idx[] = { 0, 1 };

	/* Server A gets the query and never answers; the reload removes A. */
	start_query("slow.test", 0x4567, idx, 2);
	assert_true(upstream_recv(0, q, sizeof(q), &from) > 0);
	make_conf(&conf2, b_only, 1, 8);
	st.conf = &conf2;
	assert_int_equal(forward_reconfigure(), 0);
	/* After FORWARD_TIMEOUT the query goes on to B, which answers. */
	assert_true(run_until_query(1, FORWARD_TIMEOUT + 3.0));
	assert_int_equal(ndelivered, 0);
	qlen = upstream_recv(1, q, sizeof(q), &from);
	assert_true(qlen > 0);
	upstream_answer(1, q, qlen, &from, addr);
	run_until(1, 1.0);
	assert_int_equal(ndelivered, 1);
	assert_reply(0, 0x4567, addr);
	assert_int_equal(forward_pending(), 0);
}

/* A reload that lowers dns-forward-max below the queries in flight: they
 * all finish, and new queries obey the new limit. */
static void
test_reload_shrinks_forward_max(void **state)
{
	static const int	ab[] = { 0, 1 };
	static const uint8_t	addr[4] = { 10, 9, 8, 2 };
	struct forward_client	client;
	struct sockaddr_storage	from[6];
	struct query		q;
	uint8_t			msg[6][512], wire[DNS_NAME_MAX], buf[512], out[512];
	size_t			len[6], outlen = 0;
	char			name[32];
	int			idx[] = { 0 }, i, n;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "s%d.test", i);
		start_query(name, (uint16_t)(0x100 + i), idx, 1);
	}
	for (i = 0; i < 6; i++) {
		len[i] = upstream_recv(0, msg[i], sizeof(msg[i]), &from[i]);
		assert_true(len[i] > 0);
	}
	make_conf(&conf2, ab, 2, 2);
	st.conf = &conf2;
	assert_int_equal(forward_reconfigure(), 0);
	assert_int_equal(forward_pending(), 6);

	/* Two slots are in use below the new limit of 2: a new query is
	 * refused until they are free. */
	assert_true(dnswire_name_from_text("late.test", wire) > 0);
	n = dnswire_query(buf, sizeof(buf), 0x200, DNS_FLAG_RD, wire, DNS_TYPE_A,
	    DNS_CLASS_IN, 0);
	assert_int_equal(query_parse(&st, buf, (size_t)n, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	memset(&client, 0, sizeof(client));
	client.fd = -1;
	client.conn = -1;
	assert_int_equal(forward_start(&q, &client, idx, 1), -1);

	for (i = 0; i < 6; i++)
		upstream_answer(0, msg[i], len[i], &from[i], addr);
	run_until(6, 1.0);
	assert_int_equal(ndelivered, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(delivered[i][3] & 0xf, 0);
	assert_int_equal(forward_pending(), 0);

	/* Now two fit, and a third does not. */
	assert_int_equal(forward_start(&q, &client, idx, 1), 0);
	q.hash ^= 1;	/* another question, so it is not coalesced */
	assert_int_equal(forward_start(&q, &client, idx, 1), 0);
	q.hash ^= 2;
	assert_int_equal(forward_start(&q, &client, idx, 1), -1);
}

/* Two silent upstreams: the second is asked after half of the second, and
 * the client hears SERVFAIL within the second. */
static void
test_silent_servers_fail_in_time(void **state)
{
	uint8_t			msg[512];
	struct sockaddr_storage	from;
	int			idx[] = { 0, 1 };
	double			start = loop_now();

	start_query("silent.test", 0x51, idx, 2);
	assert_true(upstream_recv(0, msg, sizeof(msg), &from) > 0);
	assert_int_equal(run_until_query(1, 0.8), 1);
	assert_true(loop_now() - start < 0.8);
	assert_true(upstream_recv(1, msg, sizeof(msg), &from) > 0);
	run_until(1, 1.5);
	assert_int_equal(ndelivered, 1);
	assert_true(loop_now() - start < FORWARD_TIMEOUT + 0.2);
	assert_int_equal(delivered[0][3] & 0xf, DNS_RCODE_SERVFAIL);
}

/* A client that sent EDNS learns why no upstream answered (RFC 8914):
 * SERVFAIL with Extended DNS Error 22, No Reachable Authority, and its
 * DO bit, byte for byte as recorded from dnsd. */
static void
test_silent_servers_ede(void **state)
{
	struct forward_client	client;
	struct query		q;
	struct sockaddr_storage	from;
	uint8_t			wire[DNS_NAME_MAX], msg[512], out[512];
	char			hex[2 * 512 + 1];
	size_t			outlen = 0, i;
	int			len, idx[] = { 0 };

	assert_true(dnswire_name_from_text("Silent.Test", wire) > 0);
	len = dnswire_query(msg, sizeof(msg), 0x5e, DNS_FLAG_RD, wire, DNS_TYPE_A,
	    DNS_CLASS_IN, 1232);
	assert_true(len > 0);
	msg[len - 4] |= DNS_EDNS_DO >> 8;
	assert_int_equal(query_parse(&st, msg, (size_t)len, 0, &q, out, sizeof(out), &outlen),
	    QUERY_FORWARD);
	memset(&client, 0, sizeof(client));
	client.fd = -1;
	client.conn = -1;
	assert_int_equal(forward_start(&q, &client, idx, 1), 0);
	assert_true(upstream_recv(0, msg, sizeof(msg), &from) > 0);
	run_until(1, FORWARD_TIMEOUT + 1.0);
	assert_int_equal(ndelivered, 1);
	for (i = 0; i < delivered_len[0]; i++)
		snprintf(hex + 2 * i, 3, "%02x", delivered[0][i]);
	hex[2 * delivered_len[0]] = '\0';
	assert_string_equal(hex, "005e818200010000000000010653696c656e74045465737400000100"
	    "0100002904d0000080000006000f00020016");
}

/* stop-dns-rebind: when the upstream answers with a private address, the
 * client and its waiter get NOERROR without records, byte for byte as
 * recorded from dnsd. */
static void
test_rebind_blocked_replies(void **state)
{
	static const uint8_t	addr[4] = { 10, 9, 8, 5 };
	static const char	*want[] = {
		"007181800001000000000000077265626f756e6404746573740000010001",
		"007281800001000000000000077265626f756e6404746573740000010001",
	};
	struct sockaddr_storage	from;
	uint8_t			msg[512];
	char			hex[2 * 512 + 1];
	size_t			len, i, k;
	int			idx[] = { 0 };

	conf.stop_dns_rebind = 1;
	start_query("rebound.test", 0x71, idx, 1);
	start_query("rebound.test", 0x72, idx, 1);
	len = upstream_recv(0, msg, sizeof(msg), &from);
	assert_true(len > 0);
	upstream_answer(0, msg, len, &from, addr);
	run_until(2, 1.0);
	assert_int_equal(ndelivered, 2);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < delivered_len[k]; i++)
			snprintf(hex + 2 * i, 3, "%02x", delivered[k][i]);
		hex[2 * delivered_len[k]] = '\0';
		assert_string_equal(hex, want[k]);
	}
	assert_int_equal(st.stats.servfail, 0);
	assert_int_equal(forward_pending(), 0);
}

/* The first upstream answers after the second was asked: its answer is
 * still taken. */
static void
test_late_answer_taken(void **state)
{
	static const uint8_t	addr[4] = { 10, 9, 8, 7 };
	uint8_t			first[512], msg[512];
	struct sockaddr_storage	from0, from1;
	size_t			len;
	int			idx[] = { 0, 1 };

	start_query("late.test", 0x52, idx, 2);
	len = upstream_recv(0, first, sizeof(first), &from0);
	assert_true(len > 0);
	assert_int_equal(run_until_query(1, 0.8), 1);
	assert_true(upstream_recv(1, msg, sizeof(msg), &from1) > 0);
	upstream_answer(0, first, len, &from0, addr);
	run_until(1, 1.0);
	assert_int_equal(ndelivered, 1);
	assert_int_equal(delivered[0][3] & 0xf, DNS_RCODE_NOERROR);
	assert_int_equal(delivered[0][6] << 8 | delivered[0][7], 1);
}

/* Every upstream query leaves from a new random port (RFC 5452). */
static void
test_port_per_query(void **state)
{
	static const uint8_t	addr[4] = { 10, 9, 8, 6 };
	struct sockaddr_storage	from;
	uint8_t			msg[512];
	uint16_t		ports[20];
	size_t			len;
	char			name[32];
	int			idx[] = { 0 }, i, j, distinct = 0;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "p%d.test", i);
		start_query(name, (uint16_t)(0x600 + i), idx, 1);
		len = upstream_recv(0, msg, sizeof(msg), &from);
		assert_true(len > 0);
		ports[i] = ntohs(((struct sockaddr_in *)&from)->sin_port);
		upstream_answer(0, msg, len, &from, addr);
		run_until(i + 1, 1.0);
		assert_int_equal(ndelivered, i + 1);
	}
	for (i = 0; i < 20; i++) {
		for (j = 0; j < i && ports[j] != ports[i]; j++)
			;
		distinct += j == i;
	}
	/* The kernel picks each port at random: a repeat among 20 is rare. */
	assert_true(distinct >= 18);
}

/* By default 1024 queries wait for upstreams at once (dnsmasq: 150); the
 * next is refused. */
static void
test_default_forward_max(void **state)
{
	char	name[32];
	int	idx[] = { 0 }, i;

	dnsconf_defaults(&conf);
	assert_int_equal(conf.forward_max, 1024);
	make_conf(&conf, idx, 1, conf.forward_max);
	assert_int_equal(forward_init(&st, on_deliver), 0);
	for (i = 0; i < 1024; i++) {
		snprintf(name, sizeof(name), "m%d.test", i);
		start_query(name, (uint16_t)i, idx, 1);
	}
	assert_int_equal(forward_pending(), 1024);
	assert_int_equal(try_query("one-more.test", 0x4000, idx, 1), -1);
}

/* getrandom fails: dnsd counts it, keeps forwarding with varied IDs, and
 * every client gets its answer. */
static void
random_failure_case(ssize_t (*source)(void *, size_t, unsigned int))
{
	static const uint8_t	addr[4] = { 10, 9, 8, 3 };
	struct sockaddr_storage	from[MANY];
	uint8_t			q[MANY][512];
	size_t			qlen[MANY];
	char			name[32];
	int			idx[] = { 0 }, ids[65536] = { 0 }, distinct = 0, i;

	forward_getrandom = source;
	conf.forward_max = MANY;
	assert_int_equal(forward_init(&st, on_deliver), 0);
	assert_int_equal(st.stats.random_failures, 1);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "r%d.test", i);
		start_query(name, (uint16_t)i, idx, 1);
	}
	/* Each query takes two values (a socket and an ID), so the first
	 * batch ran out and was filled again. */
	assert_true(st.stats.random_failures >= 2);
	for (i = 0; i < MANY; i++) {
		qlen[i] = upstream_recv(0, q[i], sizeof(q[i]), &from[i]);
		assert_true(qlen[i] > 0);
		if (ids[q[i][0] << 8 | q[i][1]]++ == 0)
			distinct++;
		upstream_answer(0, q[i], qlen[i], &from[i], addr);
		/* Let dnsd read the replies before its socket buffer fills. */
		if (i % 16 == 15)
			run_until(i + 1, 1.0);
	}
	/* 80 IDs drawn from 65536 values: a repeat is rare, many are not. */
	assert_true(distinct >= MANY - 4);
	run_until(MANY, 2.0);
	assert_int_equal(ndelivered, MANY);
	for (i = 0; i < MANY; i++)
		assert_int_equal(delivered[i][6] << 8 | delivered[i][7], 1);
	assert_int_equal(forward_pending(), 0);
}

static void
test_getrandom_fails(void **state)
{
	random_failure_case(failing_getrandom);
}

static void
test_getrandom_short(void **state)
{
	random_failure_case(short_getrandom);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_keeps_inflight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_removes_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_then_timeout_tries_next, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reload_shrinks_forward_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_forward_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_servers_fail_in_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_servers_ede, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebind_blocked_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_answer_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_per_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getrandom_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getrandom_short, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
