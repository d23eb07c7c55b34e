/* conf.h -- line-based config reader for the chrony.conf and dnsmasq.conf dialects. */
#ifndef EDGEBOX_CONF_H
#define EDGEBOX_CONF_H

#include <stddef.h>

#define CONF_LINE_MAX	2048	/* a longer line is an error, never cut short */
#define CONF_ARGS_MAX	64
#define CONF_DEPTH_MAX	8	/* nesting of include/conf-file */
#define CONF_TABLE_MAX	256	/* rows in one directive table */

enum conf_dialect {
	CONF_CHRONY,	/* keyword arg arg ...; '#', '!', ';', '%' start a comment line */
	CONF_DNSMASQ	/* keyword or keyword=value[,value]; '#' after blank starts a comment */
};

struct conf_parser;

/*
 * A directive handler gets the arguments split by the dialect's rules
 * (chrony: words; dnsmasq: comma-separated values with quotes removed and
 * blanks around each value trimmed) and the target from conf_init.  It
 * reports bad values with conf_error() and returns 0, or -1 after an error.
 */
typedef int	(*conf_handler)(struct conf_parser *, int argc, char **argv, void *target);

struct conf_directive {
	const char	*name;
	int		 min_args;
	int		 max_args;	/* -1: no maximum */
	conf_handler	 handler;	/* NULL: recognised but not supported */
	const char	*note;		/* unsupported rows: the reason, logged once */
};

/* Receives each message, already formatted as "FILE:LINE: message". */
typedef void	(*conf_sink)(void *arg, int is_error, const char *msg);

struct conf_parser {
	enum conf_dialect		 dialect;
	const struct conf_directive	*table;		/* sorted by name (strcmp) */
	size_t				 ntable;
	void				*target;
	conf_sink			 sink;		/* NULL: log_warnx */
	void				*sink_arg;

	/* Where the directive being handled came from (file NULL: no location). */
	const char	*file;
	int		 line;
	const char	*keyword;
	const char	*value;		/* dnsmasq: text after '=' (unquoted), else NULL */

	int		 errors;
	int		 warnings;
	int		 depth;
	unsigned char	 warned[CONF_TABLE_MAX / 8];
};

/* Prepare a parser.  The table must be sorted; conf_table_sorted() checks. */
void	conf_init(struct conf_parser *, enum conf_dialect,
	    const struct conf_directive *table, size_t ntable, void *target);

/* Read a whole file, reporting every error in it (and in files it
 * includes) before returning.  Returns 0 when the file was read, -1 when
 * it could not be opened (reported and counted as an error). */
int	conf_parse_file(struct conf_parser *, const char *path);

/* Read every regular file in dir, in name order, that accept() takes
 * (NULL: all).  Returns 0, or -1 when dir could not be opened. */
int	conf_parse_dir(struct conf_parser *, const char *dir,
	    int (*accept)(const char *name, void *arg), void *arg);

/* Read the files matching a shell wildcard pattern (pathglob_expand), in
 * name order.  No match is not an error.  Returns 0 or -1. */
int	conf_parse_glob(struct conf_parser *, const char *pattern);

/* Handle one line of text as if it stood at file:line. */
void	conf_parse_line(struct conf_parser *, const char *file, int line, const char *text);

/* Report at the current location and count an error or a warning. */
void	conf_error(struct conf_parser *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	conf_warn(struct conf_parser *, const char *, ...) __attribute__((format(printf, 2, 3)));

/* Typed value readers: on a bad value they report an error naming the
 * directive, the value and the allowed range, and return -1. */
int	conf_int(struct conf_parser *, const char *s, long min, long max, long *out);
int	conf_double(struct conf_parser *, const char *s, double min, double max, double *out);

const struct conf_directive *conf_lookup(const struct conf_directive *, size_t n,
	    const char *name, enum conf_dialect);

/* Whether names are strictly ascending; returns 1 or 0. */
int	conf_table_sorted(const struct conf_directive *, size_t n);

#endif
