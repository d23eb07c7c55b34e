/* log.h -- one logger for every applet: stderr in the foreground, syslog as a daemon. */
#ifndef EDGEBOX_LOG_H
#define EDGEBOX_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	0x1
#define LOG_TO_SYSLOG	0x2

/* Set the destination (LOG_TO_* bits), the verbosity (0 quiet, 1 debug), the
 * syslog identity and facility.  Until it is called, messages go to stderr. */
void	log_init(int dest, int verbose, const char *ident, int facility);
/* Send syslog messages to another socket than /dev/log (tests). */
void	log_set_syslog_path(const char *path);
void	log_setverbose(int verbose);
int	log_getverbose(void);

/* log_warn appends ": strerror(errno)"; the x variants do not.  All of them
 * keep errno unchanged. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_vmsg(int priority, const char *, va_list) __attribute__((format(printf, 2, 0)));

/* Log at LOG_CRIT and exit(1).  Only for start-up failures and broken
 * invariants, never for bad input from the network. */
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
