/* log.c -- one logger for every applet: stderr in the foreground, syslog as a daemon. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbose;
static const char	*log_ident = "edgebox";
static int		 log_facility = LOG_DAEMON;
static int		 syslog_fd = -1;
static const char	*syslog_path = "/dev/log";

/*
 * Connect to the syslog socket; a no-op while connected.  This client
 * replaces musl's syslog(3), which links strftime and the time zone code
 * (12 KB) only to put a local time stamp in front of each message.  The
 * receiver adds the time: busybox syslogd 1.35 stamps a message that has
 * none, and rsyslog's imuxsock uses the time of receipt by default
 * (SysSock.UseSysTimeStamp).
 */
static void
syslog_connect(void)
{
	struct sockaddr_un	sun;

	if (syslog_fd != -1)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", syslog_path);
	syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (syslog_fd == -1)
		return;
	if (connect(syslog_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(syslog_fd);
		syslog_fd = -1;
	}
}

/* Send "<PRI>IDENT[PID]: TEXT" and reconnect once when syslogd restarted. */
static void
syslog_send(int priority, const char *fmt, va_list ap)
{
	char	msg[1024];
	int	n, len, try;
	va_list	ap2;

	n = snprintf(msg, sizeof(msg), "<%d>%s[%ld]: ", log_facility | (priority & LOG_PRIMASK),
	    log_ident, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	va_copy(ap2, ap);
	len = vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap2);
	va_end(ap2);
	if (len < 0)
		return;
	len = n + len < (int)sizeof(msg) ? n + len : (int)sizeof(msg) - 1;
	for (try = 0; try < 2; try++) {
		syslog_connect();
		if (syslog_fd == -1)
			return;
		if (send(syslog_fd, msg, (size_t)len, MSG_NOSIGNAL) != -1)
			return;
		if (errno == EAGAIN || errno == ENOBUFS)
			return;
		close(syslog_fd);
		syslog_fd = -1;
	}
}

void
log_init(int dest, int verbose, const char *ident, int facility)
{
	log_dest = dest;
	log_verbose = verbose;
	if (ident != NULL)
		log_ident = ident;
	log_facility = facility & LOG_FACMASK;
	if (dest & LOG_TO_SYSLOG)
		syslog_connect();
}

void
log_set_syslog_path(const char *path)
{
	if (syslog_fd != -1)
		close(syslog_fd);
	syslog_fd = -1;
	syslog_path = path;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_vmsg(int priority, const char *fmt, va_list ap)
{
	int	saved_errno = errno;
	va_list	ap2;

	if (priority == LOG_DEBUG && !log_verbose) {
		errno = saved_errno;
		return;
	}
	if (log_dest & LOG_TO_STDERR) {
		va_copy(ap2, ap);
		fprintf(stderr, "%s: ", log_ident);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
		va_end(ap2);
	}
	if (log_dest & LOG_TO_SYSLOG) {
		syslog_send(priority, fmt, ap);
	}
	errno = saved_errno;
}

static void
log_printf(int priority, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(priority, fmt, ap);
	va_end(ap);
}

static void
log_with_errno(int priority, int err, const char *fmt, va_list ap)
{
	char	buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_printf(priority, "%s: %s", buf, strerror(err));
}

void
log_warn(const char *fmt, ...)
{
	int	err = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_with_errno(LOG_WARNING, err, fmt, ap);
	va_end(ap);
	errno = err;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int	err = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_with_errno(LOG_CRIT, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
