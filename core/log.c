/* log.c -- one logger for every applet: stderr in the foreground, syslog as a daemon. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbose;
static const char	*log_ident = "edgebox";

void
log_init(int dest, int verbose, const char *ident, int facility)
{
	log_dest = dest;
	log_verbose = verbose;
	if (ident != NULL)
		log_ident = ident;
	if (dest & LOG_TO_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
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
		va_copy(ap2, ap);
		vsyslog(priority, fmt, ap2);
		va_end(ap2);
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
