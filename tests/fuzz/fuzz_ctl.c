/* fuzz_ctl.c -- libFuzzer harness: control-socket datagrams to ntpd's command handler and to ntpctl's reply reader. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctl.h"
#include "fuzzutil.h"
#include "loop.h"
#include "../../applets/ntpd/ntpd.h"

static char	sockpath[64];
static int	client = -1;		/* connected to ntpd's socket */
static int	pair[2] = { -1, -1 };	/* ntpctl's side: [0] reads what [1] sends */

static void
cleanup(void)
{
	cmd_stop();
}

static void
stop_loop(void *arg)
{
	(void)arg;
	loop_stop();
}

static void
setup(void)
{
	fuzz_silence();
	snprintf(sockpath, sizeof(sockpath), "/tmp/edgebox-fuzz-ctl.%ld.sock", (long)getpid());
	if (loop_init() == -1 || cmd_start(sockpath) == -1)
		abort();
	atexit(cleanup);
	if ((client = ctl_connect(sockpath)) == -1)
		abort();
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == -1)
		abort();
}

/* ntpd's side: the datagram goes through its real socket and on_command. */
static void
ntpd_side(const uint8_t *data, size_t size)
{
	struct ctl_reply	rep;
	ssize_t			n;
	int			replies = 0;

	if (send(client, data, size, 0) == -1)
		return;
	if (loop_add_timer(0, stop_loop, NULL) == 0)
		abort();
	(void)loop_run(1.0);
	/* A valid request gets exactly one reply of the full size, with its
	 * sequence number; anything else gets none. */
	while ((n = recv(client, &rep, sizeof(rep), MSG_DONTWAIT | MSG_TRUNC)) != -1) {
		if (ctl_request_check(data, size) == -1 || (size_t)n != sizeof(rep) ||
		    rep.magic != CTL_MAGIC || replies++ > 0 ||
		    memcmp(&rep.seq, data + offsetof(struct ctl_request, seq), 4) != 0)
			abort();
	}
	if (ctl_request_check(data, size) == 0 && replies != 1)
		abort();
}

/* ntpctl's side: the input arrives as a stale or foreign datagram before
 * the real reply, which ctl_transact must still find. */
static void
ntpctl_side(const uint8_t *data, size_t size)
{
	struct ctl_request	req, got;
	struct ctl_reply	rep, real;
	uint32_t		seq;

	seq = size >= 4 ? (uint32_t)data[0] << 8 | data[3] : 7;
	ctl_request_init(&req, CTL_SOURCE, seq, 1);
	(void)send(pair[1], data, size, 0);
	ctl_reply_init(&real, &req);
	real.count = 3;
	(void)send(pair[1], &real, sizeof(real), 0);
	if (ctl_transact(pair[0], &req, &rep, 1000) == -1)
		abort();
	if (ctl_reply_check(&rep, sizeof(rep), &req) == -1)
		abort();
	/* The request ctl_transact sent, then what is left of ours. */
	if (recv(pair[1], &got, sizeof(got), MSG_DONTWAIT) != sizeof(got) ||
	    ctl_request_check(&got, sizeof(got)) == -1 || got.seq != seq)
		abort();
	while (recv(pair[0], &rep, sizeof(rep), MSG_DONTWAIT) != -1)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (client == -1)
		setup();
	if (size > 4096)
		return 0;
	(void)ctl_request_check(data, size);
	ntpd_side(data, size);
	ntpctl_side(data, size);
	return 0;
}
