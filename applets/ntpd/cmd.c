/* cmd.c -- ntpd's side of the control socket: replies to ntpctl's requests. */
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
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
		snprintf(t->refhost, sizeof(t->refhost), "%.*s", (int)sizeof(t->refhost) - 1,
		    ntpd_ref.refhost);
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

/* Return the status of a command that matched n sources (-1: invalid target). */
static int
match_status(int n)
{
	if (n < 0)
		return CTL_ERR_ARG;
	if (n == 0)
		return CTL_ERR_NOSOURCE;
	return CTL_OK;
}

static int
do_makestep(const struct ctl_request *req)
{
	if (req->has_args) {
		if (!(req->threshold >= 0) || isinf(req->threshold) || req->limit < -1)
			return CTL_ERR_ARG;
		log_info("makestep command: threshold %g seconds, limit %d updates",
		    req->threshold, req->limit);
		discipline_set_makestep(req->threshold, req->limit);
		return CTL_OK;
	}
	if (source_makestep() == -1) {
		log_info("makestep command failed: %s", errno == EPERM ?
		    "the clock is read-only" : strerror(errno));
		return CTL_ERR_FAILED;
	}
	return CTL_OK;
}

static void
answer(struct ctl_request *req, struct ctl_reply *rep)
{
	int	count;

	ctl_reply_init(rep, req);
	/* The target comes from the socket: make sure it is a C string. */
	req->target[sizeof(req->target) - 1] = '\0';
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
	case CTL_ACTIVITY:
		source_get_activity(&rep->u.activity);
		break;
	case CTL_CLIENT:
		if (serve_get_client((int)req->index, &rep->u.client, &count) == -1)
			rep->status = CTL_ERR_INDEX;
		rep->count = (uint32_t)count;
		break;
	case CTL_UNRESOLVED:
		if (source_get_unresolved((int)req->index, &rep->u.source, &count) == -1)
			rep->status = CTL_ERR_INDEX;
		rep->count = (uint32_t)count;
		break;
	case CTL_STEP:
		if (hook_get_step((int)req->index, &rep->u.step, &count) == -1)
			rep->status = CTL_ERR_INDEX;
		rep->count = (uint32_t)count;
		break;
	case CTL_MAKESTEP:
		rep->status = do_makestep(req);
		break;
	case CTL_BURST:
		if (req->good < 1 || req->max < 1)
			rep->status = CTL_ERR_ARG;
		else
			rep->status = match_status(source_burst(req->target, req->good, req->max));
		break;
	case CTL_ONLINE:
	case CTL_OFFLINE:
		rep->status = match_status(source_set_online(req->target, req->type == CTL_ONLINE));
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
