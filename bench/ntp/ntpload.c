/* ntpload.c -- NTP load generator: keeps a fixed number of client requests in flight. */
/*
 * Usage: ntpload [-c INFLIGHT] [-t SECONDS] [-n REQUESTS] [-T TIMEOUT_MS] ADDRESS PORT
 *        ntpload -w SECONDS ADDRESS PORT
 *
 * Load mode sends INFLIGHT (1-1024, default 64) mode 3 requests from one
 * connected UDP socket and sends a new one for each reply or lost request,
 * until SECONDS (default 5) have passed or REQUESTS have been sent.  Every
 * request carries a distinct transmit timestamp: the NTP seconds of now and
 * a fraction made of a sequence number and the request's slot, and a reply
 * is matched by its origin timestamp.  A request unanswered after
 * TIMEOUT_MS (default 1000) is lost.  At the end it waits up to TIMEOUT_MS
 * for the requests still in flight and prints one line of key=value pairs:
 *
 *   sent replies lost invalid late seconds replies_per_s avg_latency_us
 *
 * replies_per_s counts the replies received before the sending stopped.
 * invalid counts the replies that are not a usable server reply, which has
 * mode 4, stratum 1-15, leap not 3 and non-zero receive and transmit times.
 * late counts the replies that came after their request was counted lost,
 * or that match no request.
 *
 * Wait mode (-w) sends one request every 200 ms until a valid reply comes
 * or SECONDS pass, and exits 0 only when one came: the run script uses it
 * to wait for a server to start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NTP_LEN		48
#define NTP_UNIX_OFFSET	2208988800u	/* seconds from 1900 to 1970 */
#define SLOT_BITS	10
#define SLOTS_MAX	(1 << SLOT_BITS)
#define BATCH		64
#define RECV_MAX	512	/* longer replies are truncated and still matched */
#define SCAN_INTERVAL	0.01	/* seconds between scans for lost requests */

struct slot {
	uint64_t	transmit;	/* transmit timestamp of the request in flight */
	double		sent;		/* monotonic seconds when it was sent */
	int		busy;
};

struct counters {
	uint64_t	sent, replies, lost, invalid, late;
	uint64_t	replies_in_window;
	double		latency_sum;
};

static struct slot	slots[SLOTS_MAX];
static uint32_t		sequence;

static double
mono_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static int
parse_long(const char *text, const char *what, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "ntpload: invalid %s \"%s\"; expected %ld-%ld\n",
		    what, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
open_socket(const char *address, const char *port_text)
{
	struct sockaddr_in	sin;
	long			port;
	int			fd, size = 1 << 20;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
		fprintf(stderr, "ntpload: invalid IPv4 address \"%s\"\n", address);
		return -1;
	}
	if (parse_long(port_text, "port", 1, 65535, &port) == -1)
		return -1;
	sin.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("ntpload: socket");
		return -1;
	}
	/* A full window of replies must fit while the generator sends. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "ntpload: connect %s:%s: %s\n", address, port_text,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Set a receive timeout, so that recvmmsg returns to scan for lost requests. */
static void
set_recv_timeout(int fd, double seconds)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Write a version 4 client request for slot into buf and mark the slot busy. */
static void
build_request(unsigned char *buf, int slot, double now)
{
	struct timespec	ts;
	uint64_t	transmit;

	clock_gettime(CLOCK_REALTIME, &ts);
	memset(buf, 0, NTP_LEN);
	buf[0] = 4 << 3 | 3;	/* leap 0, version 4, mode 3 (client) */
	buf[2] = 6;		/* poll 64 s */
	buf[3] = (unsigned char)-20;	/* precision about 1 us */
	/* The fraction is a sequence number and the slot, so that every
	 * request differs and the reply's origin names its slot. */
	transmit = (uint64_t)((uint32_t)ts.tv_sec + NTP_UNIX_OFFSET) << 32 |
	    (uint64_t)(sequence++ << SLOT_BITS | (uint32_t)slot);
	put64(buf + 40, transmit);
	slots[slot].transmit = transmit;
	slots[slot].sent = now;
	slots[slot].busy = 1;
}

/* Return 1 when buf is a usable server reply. */
static int
reply_valid(const unsigned char *buf, unsigned int len)
{
	int	leap, mode, stratum;

	if (len < NTP_LEN)
		return 0;
	leap = buf[0] >> 6;
	mode = buf[0] & 7;
	stratum = buf[1];
	return mode == 4 && leap != 3 && stratum >= 1 && stratum <= 15 &&
	    get64(buf + 32) != 0 && get64(buf + 40) != 0;
}

static void
print_socket_error(const char *call)
{
	if (errno == ECONNREFUSED)
		fprintf(stderr, "ntpload: %s: request rejected with ICMP port unreachable; is a server listening on the port?\n", call);
	else
		fprintf(stderr, "ntpload: %s: %s\n", call, strerror(errno));
}

/* Send requests for the count slots in list; return -1 on a send error. */
static int
send_requests(int fd, const int *list, int count, double now, struct counters *c)
{
	static unsigned char	bufs[BATCH][NTP_LEN];
	static struct iovec	iovs[BATCH];
	static struct mmsghdr	msgs[BATCH];
	int			i, n, batch, done = 0;

	while (done < count) {
		batch = count - done < BATCH ? count - done : BATCH;
		memset(msgs, 0, sizeof(msgs[0]) * (size_t)batch);
		for (i = 0; i < batch; i++) {
			build_request(bufs[i], list[done + i], now);
			iovs[i].iov_base = bufs[i];
			iovs[i].iov_len = NTP_LEN;
			msgs[i].msg_hdr.msg_iov = &iovs[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		for (i = 0; i < batch; ) {
			n = sendmmsg(fd, msgs + i, (unsigned int)(batch - i), 0);
			if (n == -1) {
				if (errno == EINTR)
					continue;
				print_socket_error("sendmmsg");
				return -1;
			}
			i += n;
		}
		c->sent += (uint64_t)batch;
		done += batch;
	}
	return 0;
}

/*
 * Match the received replies to their slots; append each freed slot to
 * freed and return how many were appended.
 */
static int
match_replies(struct mmsghdr *msgs, unsigned char (*bufs)[RECV_MAX], int n,
    double now, int sending, struct counters *c, int *freed)
{
	uint64_t	origin;
	int		i, slot, nfreed = 0;

	for (i = 0; i < n; i++) {
		if (msgs[i].msg_len < NTP_LEN) {
			c->invalid++;
			continue;
		}
		origin = get64(bufs[i] + 24);
		slot = (int)(origin & (SLOTS_MAX - 1));
		if (!slots[slot].busy || slots[slot].transmit != origin) {
			c->late++;
			continue;
		}
		slots[slot].busy = 0;
		freed[nfreed++] = slot;
		if (!reply_valid(bufs[i], msgs[i].msg_len)) {
			c->invalid++;
			continue;
		}
		c->replies++;
		if (sending)
			c->replies_in_window++;
		c->latency_sum += now - slots[slot].sent;
	}
	return nfreed;
}

/* Count the requests older than timeout as lost; append their slots to freed. */
static int
expire_requests(int inflight, double now, double timeout, struct counters *c, int *freed)
{
	int	slot, nfreed = 0;

	for (slot = 0; slot < inflight; slot++) {
		if (slots[slot].busy && now - slots[slot].sent > timeout) {
			slots[slot].busy = 0;
			c->lost++;
			freed[nfreed++] = slot;
		}
	}
	return nfreed;
}

static int
run_load(int fd, int inflight, double seconds, uint64_t limit, double timeout)
{
	static unsigned char	bufs[BATCH][RECV_MAX];
	static struct iovec	iovs[BATCH];
	static struct mmsghdr	msgs[BATCH];
	struct counters		c;
	int			freed[SLOTS_MAX + BATCH];
	int			i, n, nfreed, nsend, busy, sending = 1;
	double			start, now, stop_at, sending_end, last_scan;

	memset(&c, 0, sizeof(c));
	set_recv_timeout(fd, SCAN_INTERVAL);
	for (i = 0; i < inflight; i++)
		freed[i] = i;
	start = last_scan = now = mono_now();
	stop_at = start + seconds;
	sending_end = stop_at;
	nsend = inflight;
	if (limit > 0 && (uint64_t)nsend > limit)
		nsend = (int)limit;
	if (send_requests(fd, freed, nsend, now, &c) == -1)
		return -1;

	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iovs[i].iov_base = bufs[i];
			iovs[i].iov_len = RECV_MAX;
			msgs[i].msg_hdr.msg_name = NULL;
			msgs[i].msg_hdr.msg_namelen = 0;
			msgs[i].msg_hdr.msg_iov = &iovs[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_control = NULL;
			msgs[i].msg_hdr.msg_controllen = 0;
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			print_socket_error("recvmmsg");
			return -1;
		}
		now = mono_now();
		if (sending && (now >= stop_at || (limit > 0 && c.sent >= limit))) {
			sending = 0;
			sending_end = now;
		}
		nfreed = n > 0 ? match_replies(msgs, bufs, n, now, sending, &c, freed) : 0;
		if (now - last_scan >= SCAN_INTERVAL) {
			nfreed += expire_requests(inflight, now, timeout, &c, freed + nfreed);
			last_scan = now;
		}
		if (sending && nfreed > 0) {
			nsend = nfreed;
			if (limit > 0 && c.sent + (uint64_t)nsend > limit)
				nsend = (int)(limit - c.sent);
			if (send_requests(fd, freed, nsend, now, &c) == -1)
				return -1;
		}
		if (!sending) {
			for (busy = 0, i = 0; i < inflight; i++)
				busy += slots[i].busy;
			if (busy == 0)
				break;
		}
	}

	printf("sent=%llu replies=%llu lost=%llu invalid=%llu late=%llu seconds=%.3f "
	    "replies_per_s=%.0f avg_latency_us=%.1f\n",
	    (unsigned long long)c.sent, (unsigned long long)c.replies,
	    (unsigned long long)c.lost, (unsigned long long)c.invalid,
	    (unsigned long long)c.late, sending_end - start,
	    sending_end > start ? (double)c.replies_in_window / (sending_end - start) : 0.0,
	    c.replies > 0 ? c.latency_sum / (double)c.replies * 1e6 : 0.0);
	return 0;
}

/* Send one request every 200 ms until a valid reply comes or seconds pass. */
static int
run_wait(int fd, double seconds)
{
	unsigned char	req[NTP_LEN], buf[RECV_MAX];
	double		start = mono_now();
	ssize_t		n;

	set_recv_timeout(fd, 0.2);
	while (mono_now() - start < seconds) {
		build_request(req, 0, mono_now());
		if (send(fd, req, sizeof(req), 0) == -1 && errno != ECONNREFUSED) {
			perror("ntpload: send");
			return 1;
		}
		for (;;) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n == -1)
				break;
			if (reply_valid(buf, (unsigned int)n) &&
			    get64(buf + 24) == slots[0].transmit)
				return 0;
		}
		if (errno == ECONNREFUSED)
			usleep(200000);
	}
	fprintf(stderr, "ntpload: no valid reply within %.0f s\n", seconds);
	return 1;
}

int
main(int argc, char **argv)
{
	long	inflight = 64, seconds = 5, limit = 0, timeout_ms = 1000, wait = 0;
	int	opt, fd, rc;

	while ((opt = getopt(argc, argv, "c:n:t:T:w:")) != -1) {
		switch (opt) {
		case 'c':
			if (parse_long(optarg, "-c INFLIGHT", 1, SLOTS_MAX, &inflight) == -1)
				return 2;
			break;
		case 'n':
			if (parse_long(optarg, "-n REQUESTS", 1, 1000000000L, &limit) == -1)
				return 2;
			break;
		case 't':
			if (parse_long(optarg, "-t SECONDS", 1, 3600, &seconds) == -1)
				return 2;
			break;
		case 'T':
			if (parse_long(optarg, "-T TIMEOUT_MS", 1, 60000, &timeout_ms) == -1)
				return 2;
			break;
		case 'w':
			if (parse_long(optarg, "-w SECONDS", 1, 3600, &wait) == -1)
				return 2;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	if ((fd = open_socket(argv[optind], argv[optind + 1])) == -1)
		return 1;
	if (wait > 0)
		rc = run_wait(fd, (double)wait);
	else
		rc = run_load(fd, (int)inflight, (double)seconds, (uint64_t)limit,
		    timeout_ms / 1000.0) == 0 ? 0 : 1;
	close(fd);
	return rc;

usage:
	fprintf(stderr, "usage: ntpload [-c INFLIGHT] [-t SECONDS] [-n REQUESTS] [-T TIMEOUT_MS] ADDRESS PORT\n"
	    "       ntpload -w SECONDS ADDRESS PORT\n");
	return 2;
}
