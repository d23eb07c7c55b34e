/* ctl.c -- control socket protocol between ntpd and ntpctl: fixed-size messages over a Unix datagram socket. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

_Static_assert(sizeof(struct ctl_request) == 112, "ctl_request size changed");
_Static_assert(sizeof(struct ctl_reply) == 536, "ctl_reply size changed");

void
ctl_request_init(struct ctl_request *req, enum ctl_type type, uint32_t seq, uint32_t index)
{
	memset(req, 0, sizeof(*req));
	req->magic = CTL_MAGIC;
	req->version = CTL_VERSION;
	req->type = (uint16_t)type;
	req->seq = seq;
	req->index = index;
}

int
ctl_request_check(const void *buf, size_t len)
{
	struct ctl_request	req;

	if (len != sizeof(req))
		return -1;
	memcpy(&req, buf, sizeof(req));
	if (req.magic != CTL_MAGIC || req.version != CTL_VERSION)
		return -1;
	return 0;
}

void
ctl_reply_init(struct ctl_reply *rep, const struct ctl_request *req)
{
	memset(rep, 0, sizeof(*rep));
	rep->magic = CTL_MAGIC;
	rep->version = CTL_VERSION;
	rep->type = req->type;
	rep->seq = req->seq;
	rep->index = req->index;
	rep->status = CTL_OK;
}

int
ctl_reply_check(const void *buf, size_t len, const struct ctl_request *req)
{
	struct ctl_reply	rep;

	if (len != sizeof(rep))
		return -1;
	memcpy(&rep, buf, sizeof(rep));
	if (rep.magic != CTL_MAGIC || rep.version != CTL_VERSION)
		return -1;
	if (rep.type != req->type || rep.seq != req->seq)
		return -1;
	return 0;
}

static int
fill_address(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

static void
make_parent(const char *path)
{
	char	dir[PATH_MAX];
	char	*slash;

	if (strlen(path) >= sizeof(dir))
		return;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	/* An existing directory is fine; any other failure shows up in bind(). */
	(void)mkdir(dir, 0755);
}

int
ctl_listen(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, saved;

	if (fill_address(path, &sun) == -1)
		return -1;
	make_parent(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	/* Read-write commands may come later; only root and the group may talk to ntpd. */
	(void)chmod(path, 0660);
	return fd;
}

int
ctl_connect(const char *path)
{
	struct sockaddr_un	sun;
	sa_family_t		family = AF_UNIX;
	int			fd, saved;

	if (fill_address(path, &sun) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* Binding only the family makes Linux pick a unique abstract address,
	 * so the server has somewhere to send the reply. */
	if (bind(fd, (struct sockaddr *)&family, sizeof(family)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static long
elapsed_ms(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

int
ctl_transact(int fd, const struct ctl_request *req, struct ctl_reply *rep, int timeout_ms)
{
	struct pollfd	pfd;
	struct timespec	start;
	ssize_t		n;
	long		left;

	if (send(fd, req, sizeof(*req), 0) != (ssize_t)sizeof(*req))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left = timeout_ms - elapsed_ms(&start);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		n = recv(fd, rep, sizeof(*rep), MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if (ctl_reply_check(rep, (size_t)n, req) == 0)
			return 0;
		/* A reply to an earlier request, or of the wrong size: keep waiting. */
	}
}
