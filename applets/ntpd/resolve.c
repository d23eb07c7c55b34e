/* resolve.c -- name lookups in a child process, so a slow resolver never stalls the event loop. */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lookup.h"
#include "loop.h"
#include "ntpd.h"

/* What the child writes to the pipe: one fixed-size message. */
struct resolve_result {
	int		error;		/* an EAI_* code, 0 on success */
	int		count;
	struct netaddr	addrs[RESOLVE_MAX_ADDRS];
};

static void
lookup(const char *host, struct resolve_result *res)
{
	int	n;

	memset(res, 0, sizeof(*res));
	n = lookup_addrs(host, AF_UNSPEC, &lookup_system_conf, res->addrs, RESOLVE_MAX_ADDRS);
	if (n < 0)
		res->error = n;
	else
		res->count = n;
}

static void
finish(struct resolve_job *job)
{
	loop_del_fd(job->fd);
	close(job->fd);
	job->fd = -1;
	/* The child exits right after its write, so this wait is short. */
	while (waitpid(job->pid, NULL, 0) == -1 && errno == EINTR)
		;
	job->pid = 0;
}

static void
on_result(int fd, short revents, void *arg)
{
	struct resolve_job	*job = arg;
	struct resolve_result	 res;
	ssize_t			 n;

	(void)revents;
	n = read(fd, &res, sizeof(res));
	finish(job);
	if (n != (ssize_t)sizeof(res)) {
		/* The child died before it could write. */
		job->done(job->arg, EAI_FAIL, NULL, 0);
		return;
	}
	job->done(job->arg, res.error, res.addrs, res.count);
}

int
resolve_start(struct resolve_job *job, const char *host)
{
	struct resolve_result	res;
	int			fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("cannot resolve %s: pipe", host);
		return -1;
	}
	if ((job->pid = fork()) == -1) {
		log_warn("cannot resolve %s: fork", host);
		close(fds[0]);
		close(fds[1]);
		job->pid = 0;
		return -1;
	}
	if (job->pid == 0) {
		close(fds[0]);
		lookup(host, &res);
		(void)write(fds[1], &res, sizeof(res));
		_exit(0);
	}
	close(fds[1]);
	job->fd = fds[0];
	if (loop_add_fd(job->fd, POLLIN, on_result, job) == -1) {
		resolve_cancel(job);
		return -1;
	}
	return 0;
}

int
resolve_is_running(const struct resolve_job *job)
{
	return job->pid > 0;
}

void
resolve_cancel(struct resolve_job *job)
{
	if (job->pid <= 0)
		return;
	kill(job->pid, SIGKILL);
	finish(job);
}
