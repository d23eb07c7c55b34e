/* cmd.c -- ntpd's side of the control socket: replies to ntpctl's requests. */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "ntpd.h"
#include "ntpwire.h"

static int	cmd_fd = -1;
static char	cmd_path[PATH_MAX];
static uint64_t	cmd_requests;
static uint64_t	cmd_dropped;

static void
fill_tracking(struct ctl_tracking *t)
{
	struct disc_status	st;
	struct timespec		now;

	discipline_get_status(&st);
	t->leap = ntpd_ref.synced ? ntpd_ref.leap : NTPWIRE_LEAP_UNSYNC;
	if (ntpd_ref.synced) {
		t->refid = ntpd_ref.refid;
		t->stratum = ntpd_ref.stratum;
		snprintf(t->refname, sizeof(t->refname), "%s", ntpd_ref.refname);
		t->reftime_sec = ntpd_ref.reftime.tv_sec;
		t->reftime_nsec = ntpd_ref.reftime.tv_nsec;
		t->root_delay = ntpd_ref.rootdelay;
		t->root_dispersion = ntpd_ref.rootdisp;
	} else if (ntpd_ref.local_stratum > 0) {
		/* Like chronyd, report the local reference that the server uses now. */
		clock_now(&now);
		t->leap = NTPWIRE_LEAP_NONE;
		t->refid = NTPWIRE_REFID_LOCAL;
		t->stratum = ntpd_ref.local_stratum;
		t->reftime_sec = now.tv_sec;
		t->reftime_nsec = now.tv_nsec;
	}
	/* The remaining correction is server minus local; the clock is fast by its negative. */
	t->system_time = -st.correction;
	t->last_offset = st.last_offset;
	t->rms_offset = st.rms_offset;
	t->freq_ppm = st.freq_ppm;
	t->resid_freq_ppm = st.resid_freq_ppm;
	t->skew_ppm = st.skew_ppm;
	t->update_interval = st.update_interval;
}

static void
answer(const struct ctl_request *req, struct ctl_reply *rep)
{
	ctl_reply_init(rep, req);
	switch (req->type) {
	case CTL_TRACKING:
		fill_tracking(&rep->u.tracking);
		break;
	case CTL_SOURCE:
		rep->count = (uint32_t)source_count();
		if (source_get_ctl((int)req->index, &rep->u.source) == -1)
			rep->status = CTL_ERR_INDEX;
		break;
	case CTL_SERVERSTATS:
		serve_get_stats(&rep->u.serverstats);
		rep->u.serverstats.cmd_requests = cmd_requests;
		rep->u.serverstats.cmd_dropped = cmd_dropped;
		break;
	default:
		rep->status = CTL_ERR_TYPE;
		break;
	}
}

static void
on_command(int fd, short revents, void *arg)
{
	struct ctl_request	req;
	struct ctl_reply	rep;
	struct sockaddr_storage	from;
	socklen_t		fromlen;
	ssize_t			n;

	(void)revents;
	(void)arg;
	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, &req, sizeof(req), MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
		if (n == -1)
			return;
		cmd_requests++;
		if (ctl_request_check(&req, (size_t)n) == -1) {
			cmd_dropped++;
			log_debug("dropped a control request of %zd bytes", n);
			continue;
		}
		answer(&req, &rep);
		if (sendto(fd, &rep, sizeof(rep), 0, (struct sockaddr *)&from, fromlen) == -1)
			log_debug("cannot send a control reply: %s", strerror(errno));
	}
}

int
cmd_start(const char *path)
{
	if ((cmd_fd = ctl_listen(path)) == -1) {
		log_warn("cannot open the control socket %s", path);
		return -1;
	}
	snprintf(cmd_path, sizeof(cmd_path), "%s", path);
	if (loop_add_fd(cmd_fd, POLLIN, on_command, NULL) == -1) {
		cmd_stop();
		return -1;
	}
	return 0;
}

void
cmd_stop(void)
{
	if (cmd_fd == -1)
		return;
	loop_del_fd(cmd_fd);
	close(cmd_fd);
	(void)unlink(cmd_path);
	cmd_fd = -1;
}
