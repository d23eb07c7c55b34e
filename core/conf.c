/* conf.c -- line-based config reader for the chrony.conf and dnsmasq.conf dialects. */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "decimal.h"
#include "log.h"
#include "pathglob.h"

void
conf_init(struct conf_parser *p, enum conf_dialect dialect,
    const struct conf_directive *table, size_t ntable, void *target)
{
	memset(p, 0, sizeof(*p));
	p->dialect = dialect;
	p->table = table;
	p->ntable = ntable;
	p->target = target;
}

static void
report(struct conf_parser *p, int is_error, const char *fmt, va_list ap)
{
	char	msg[CONF_LINE_MAX + 256];
	int	n;

	if (p->file != NULL && p->line > 0)
		n = snprintf(msg, sizeof(msg), "%s:%d: ", p->file, p->line);
	else if (p->file != NULL)
		n = snprintf(msg, sizeof(msg), "%s: ", p->file);
	else
		n = 0;
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	if (is_error)
		p->errors++;
	else
		p->warnings++;
	if (p->sink != NULL)
		p->sink(p->sink_arg, is_error, msg);
	else
		log_warnx("%s", msg);
}

void
conf_error(struct conf_parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(p, 1, fmt, ap);
	va_end(ap);
}

void
conf_warn(struct conf_parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(p, 0, fmt, ap);
	va_end(ap);
}

int
conf_int(struct conf_parser *p, const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		conf_error(p, "invalid value '%s' for %s: expected an integer from %ld to %ld",
		    s, p->keyword ? p->keyword : "option", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
conf_double(struct conf_parser *p, const char *s, double min, double max, double *out)
{
	const char	*end;
	double		 v;

	errno = 0;
	v = decimal_parse(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || isnan(v) || v < min || v > max) {
		conf_error(p, "invalid value '%s' for %s: expected a number from %g to %g",
		    s, p->keyword ? p->keyword : "option", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

const struct conf_directive *
conf_lookup(const struct conf_directive *table, size_t n, const char *name,
    enum conf_dialect dialect)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = dialect == CONF_CHRONY ? strcasecmp(name, table[mid].name) :
		    strcmp(name, table[mid].name);
		if (c == 0)
			return &table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
conf_table_sorted(const struct conf_directive *table, size_t n)
{
	size_t	i;

	for (i = 1; i < n; i++)
		if (strcmp(table[i - 1].name, table[i].name) >= 0)
			return 0;
	return 1;
}

static void
run_directive(struct conf_parser *p, const char *keyword, int argc, char **argv)
{
	const struct conf_directive	*d;
	const char			*kind;
	size_t				 idx;

	kind = p->dialect == CONF_CHRONY ? "directive" : "option";
	d = conf_lookup(p->table, p->ntable, keyword, p->dialect);
	if (d == NULL) {
		conf_error(p, "unknown %s '%s'", kind, keyword);
		return;
	}
	p->keyword = d->name;
	if (d->handler == NULL) {
		idx = (size_t)(d - p->table);
		if (idx < CONF_TABLE_MAX && (p->warned[idx / 8] & (1 << idx % 8)))
			return;
		if (idx < CONF_TABLE_MAX)
			p->warned[idx / 8] |= 1 << idx % 8;
		conf_warn(p, "%s '%s' is not supported and is ignored%s%s", kind, d->name,
		    d->note ? ": " : "", d->note ? d->note : "");
		return;
	}
	if (argc < d->min_args) {
		if (d->min_args == 1)
			conf_error(p, "%s '%s' needs a value", kind, d->name);
		else
			conf_error(p, "%s '%s' needs at least %d values", kind, d->name,
			    d->min_args);
		return;
	}
	if (d->max_args >= 0 && argc > d->max_args) {
		if (d->max_args == 0)
			conf_error(p, "%s '%s' takes no value", kind, d->name);
		else
			conf_error(p, "%s '%s' takes at most %d value%s, not %d", kind,
			    d->name, d->max_args, d->max_args == 1 ? "" : "s", argc);
		return;
	}
	d->handler(p, argc, argv, p->target);
}

static void
parse_chrony(struct conf_parser *p, char *s)
{
	char	*argv[CONF_ARGS_MAX];
	int	 argc = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || strchr("#!;%", *s) != NULL)
		return;
	for (;;) {
		while (isspace((unsigned char)*s))
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (argc == CONF_ARGS_MAX) {
			conf_error(p, "too many words (at most %d)", CONF_ARGS_MAX);
			return;
		}
		argv[argc++] = s;
		while (*s != '\0' && !isspace((unsigned char)*s))
			s++;
	}
	p->value = NULL;
	run_directive(p, argv[0], argc - 1, argv + 1);
}

/*
 * dnsmasq's quoting: inside double quotes the blanks, commas and '#' are
 * ordinary characters and \\, \", \n, \t, \r, \e and \b are escapes; the
 * quotes themselves are removed.  Outside quotes '#' at the start or after
 * a blank starts a comment.  lit[i] marks characters that were quoted.
 * Returns 0, or -1 on an unterminated quote.
 */
static int
unquote_dnsmasq(const char *in, char *out, char *lit)
{
	const char	*esc = "\\\"ntreb", *rep = "\\\"\n\t\r\033\b";
	const char	*e;
	size_t		 n = 0;
	int		 blank = 1;

	for (; *in != '\0'; in++) {
		if (*in == '"') {
			for (in++; *in != '"'; in++) {
				if (*in == '\0')
					return -1;
				if (*in == '\\' && in[1] != '\0' &&
				    (e = strchr(esc, in[1])) != NULL) {
					out[n] = rep[e - esc];
					in++;
				} else
					out[n] = *in;
				lit[n++] = 1;
			}
			blank = 0;
			continue;
		}
		if (*in == '#' && blank)
			break;
		blank = isspace((unsigned char)*in);
		out[n] = *in;
		lit[n++] = 0;
	}
	out[n] = '\0';
	return 0;
}

/* Strip unquoted blanks at both ends of out[from, to) and terminate it. */
static char *
trim(char *out, const char *lit, size_t from, size_t to)
{
	while (from < to && !lit[from] && isspace((unsigned char)out[from]))
		from++;
	while (to > from && !lit[to - 1] && isspace((unsigned char)out[to - 1]))
		to--;
	out[to] = '\0';
	return out + from;
}

static void
parse_dnsmasq(struct conf_parser *p, const char *line)
{
	char	 out[CONF_LINE_MAX + 1], lit[CONF_LINE_MAX + 1], valbuf[CONF_LINE_MAX + 1];
	char	*argv[CONF_ARGS_MAX], *keyword;
	size_t	 len, i, eq, start;
	int	 argc = 0;

	if (unquote_dnsmasq(line, out, lit) == -1) {
		conf_error(p, "missing closing quote");
		return;
	}
	len = strlen(out);
	for (eq = 0; eq < len && !(out[eq] == '=' && !lit[eq]); eq++)
		;
	if (eq < len) {
		/* Keep the unquoted value whole for handlers that split it themselves. */
		memcpy(valbuf, out + eq + 1, len - eq);
		p->value = trim(valbuf, lit + eq + 1, 0, len - eq - 1);
	} else
		p->value = NULL;
	keyword = trim(out, lit, 0, eq);
	if (*keyword == '\0') {
		if (eq < len)
			conf_error(p, "missing option name before '='");
		return;
	}
	if (eq < len) {
		start = eq + 1;
		for (i = start; i <= len; i++) {
			if (i < len && !(out[i] == ',' && !lit[i]))
				continue;
			if (argc == CONF_ARGS_MAX) {
				conf_error(p, "too many values (at most %d)", CONF_ARGS_MAX);
				return;
			}
			argv[argc++] = trim(out, lit, start, i);
			start = i + 1;
		}
	}
	run_directive(p, keyword, argc, argv);
}

void
conf_parse_line(struct conf_parser *p, const char *file, int line, const char *text)
{
	char		 buf[CONF_LINE_MAX + 1];
	const char	*saved_file = p->file;
	int		 saved_line = p->line;
	size_t		 len = strlen(text);

	p->file = file;
	p->line = line;
	p->keyword = NULL;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len > CONF_LINE_MAX) {
		conf_error(p, "line longer than %d characters", CONF_LINE_MAX);
	} else {
		memcpy(buf, text, len);
		buf[len] = '\0';
		if (p->dialect == CONF_CHRONY)
			parse_chrony(p, buf);
		else
			parse_dnsmasq(p, buf);
	}
	p->file = saved_file;
	p->line = saved_line;
	p->keyword = NULL;
	p->value = NULL;
}

int
conf_parse_file(struct conf_parser *p, const char *path)
{
	char		 buf[CONF_LINE_MAX + 2];
	const char	*saved_file = p->file;
	FILE		*f;
	size_t		 len;
	int		 saved_line = p->line, line = 0, toolong = 0, saved_errno;

	if (p->depth >= CONF_DEPTH_MAX) {
		conf_error(p, "cannot include %s: files nested more than %d deep",
		    path, CONF_DEPTH_MAX);
		return -1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		saved_errno = errno;
		conf_error(p, "cannot open %s: %s", path, strerror(saved_errno));
		return -1;
	}
	p->depth++;
	p->file = path;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if ((len = strlen(buf)) == 0)
			continue;	/* a NUL byte at the start of a line */
		if (toolong) {
			/* The rest of a line that was already reported. */
			toolong = buf[len - 1] != '\n' && !feof(f);
			continue;
		}
		p->line = ++line;
		if (buf[len - 1] != '\n' && !feof(f)) {
			toolong = 1;
			conf_error(p, "line longer than %d characters", CONF_LINE_MAX);
			continue;
		}
		conf_parse_line(p, path, line, buf);
	}
	if (ferror(f)) {
		saved_errno = errno;
		conf_error(p, "cannot read %s: %s", path, strerror(saved_errno));
	}
	fclose(f);
	p->depth--;
	p->file = saved_file;
	p->line = saved_line;
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
conf_parse_dir(struct conf_parser *p, const char *dir,
    int (*accept)(const char *name, void *arg), void *arg)
{
	char		 path[PATH_MAX];
	char		**names = NULL, **grown;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 n = 0, cap = 0, i;

	if ((d = opendir(dir)) == NULL) {
		conf_error(p, "cannot open directory %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (accept != NULL && !accept(de->d_name, arg)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(names, cap * sizeof(*names))) == NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			conf_parse_file(p, path);
		free(names[i]);
	}
	free(names);
	return 0;
}

int
conf_parse_glob(struct conf_parser *p, const char *pattern)
{
	struct pathglob	g;
	size_t		i;

	if (pathglob_expand(pattern, &g) == -1) {
		conf_error(p, "cannot expand %s: %s", pattern, strerror(errno));
		return -1;
	}
	for (i = 0; i < g.count; i++)
		conf_parse_file(p, g.paths[i]);
	pathglob_free(&g);
	return 0;
}
