/* config.c -- ntpd's chrony.conf directive table and the handlers that fill struct ntpd_conf. */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ntpd.h"
#include "pathglob.h"

#define DEFAULT_MINPOLL		6
#define DEFAULT_MAXPOLL		10
#define DEFAULT_MAXSOURCES	4
#define DEFAULT_LOCAL_STRATUM	10
#define CONFDIR_MAX		10	/* directories on one confdir or sourcedir line, as chronyd */

void
config_defaults(struct ntpd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->initstep_threshold = -1;
	c->cmdport = 323;
	snprintf(c->cmdsocket, sizeof(c->cmdsocket), "%s", CTL_SOCKET_DEFAULT);
	c->port = NTPD_PORT;
	c->maxdistance = 3.0;
	c->minsources = 1;
	c->maxslewrate = 83333.333;
	c->maxbackstep = -1;
	c->initstep_port = NTPD_PORT;
	c->rl_interval = 3;
	c->rl_burst = 8;
	c->rl_leak = 2;
}

/* Source options that set a field: the flags take no value, the others an
 * integer in [min, max].  print_spec prints the flags in this order. */
static const struct spec_option {
	char		name[11];	/* the longest has 10 letters */
	unsigned char	offset;
	signed char	min, max;	/* both 0: a flag, set to 1 */
} spec_options_table[] = {
	{ "iburst", offsetof(struct source_spec, iburst), 0, 0 },
	{ "burst", offsetof(struct source_spec, burst), 0, 0 },
	{ "prefer", offsetof(struct source_spec, prefer), 0, 0 },
	{ "noselect", offsetof(struct source_spec, noselect), 0, 0 },
	{ "offline", offsetof(struct source_spec, offline), 0, 0 },
	{ "maxpoll", offsetof(struct source_spec, maxpoll), POLL_MIN, POLL_MAX },
	{ "maxsources", offsetof(struct source_spec, maxsources), 1, NTPD_MAX_SOURCES },
	{ "minpoll", offsetof(struct source_spec, minpoll), POLL_MIN, POLL_MAX },
	{ "minstratum", offsetof(struct source_spec, minstratum), 0, 15 },
	{ "polltarget", offsetof(struct source_spec, polltarget), 6, 60 },
};
#define SPEC_OPTIONS	(sizeof(spec_options_table) / sizeof(spec_options_table[0]))
#define SPEC_FLAGS	5	/* the first rows */

static int *
spec_field(struct source_spec *s, const struct spec_option *o)
{
	return (int *)(void *)((char *)s + o->offset);
}

/* Options that chronyd accepts and ntpd ignores: the first list takes a
 * value.  Each list is names with a '\0' after each and one more at the end. */
static const char ignored_valued[] =
	"asymmetry\0certset\0extfield\0filter\0key\0maxdelay\0maxdelaydevratio\0"
	"maxdelayratio\0maxsamples\0mindelay\0minsamples\0ntsport\0offset\0presend\0"
	"version\0";
static const char ignored_flags[] = "auto_offline\0copy\0nts\0require\0trust\0xleave\0";

static int
in_list(const char *list, const char *word)
{
	for (; *list != '\0'; list += strlen(list) + 1)
		if (strcmp(list, word) == 0)
			return 1;
	return 0;
}

static int
spec_options(struct conf_parser *p, int argc, char **argv, struct source_spec *s)
{
	const struct spec_option	*o;
	long				 v;
	int				 i;

	for (i = 1; i < argc; i++) {
		for (o = spec_options_table; o < spec_options_table + SPEC_OPTIONS; o++)
			if (strcmp(argv[i], o->name) == 0)
				break;
		if (o == spec_options_table + SPEC_OPTIONS)
			o = NULL;
		if (o != NULL && o->min == o->max) {
			*spec_field(s, o) = 1;
			continue;
		}
		if (o == NULL && in_list(ignored_flags, argv[i]))
			continue;
		if (i + 1 >= argc) {
			conf_error(p, "unknown or incomplete %s option '%s'", p->keyword, argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "port") == 0) {
			if (conf_int(p, argv[i + 1], 1, 65535, &v) == -1)
				return -1;
			s->port = (uint16_t)v;
		} else if (o != NULL) {
			if (conf_int(p, argv[i + 1], o->min, o->max, &v) == -1)
				return -1;
			*spec_field(s, o) = (int)v;
		} else if (!in_list(ignored_valued, argv[i])) {
			conf_error(p, "unknown %s option '%s'", p->keyword, argv[i]);
			return -1;
		}
		i++;
	}
	return 0;
}

static int
add_spec(struct conf_parser *p, int argc, char **argv, struct ntpd_conf *c, int is_pool)
{
	struct source_spec	*s;

	if (c->nspecs == NTPD_MAX_SPECS) {
		conf_error(p, "too many server and pool lines (at most %d)", NTPD_MAX_SPECS);
		return -1;
	}
	s = &c->specs[c->nspecs];
	memset(s, 0, sizeof(*s));
	if (strlen(argv[0]) >= sizeof(s->host)) {
		conf_error(p, "%s name '%.40s...' is too long", p->keyword, argv[0]);
		return -1;
	}
	strcpy(s->host, argv[0]);
	s->is_pool = is_pool;
	s->port = NTPD_PORT;
	s->minpoll = DEFAULT_MINPOLL;
	s->maxpoll = DEFAULT_MAXPOLL;
	s->maxsources = DEFAULT_MAXSOURCES;
	if (spec_options(p, argc, argv, s) == -1)
		return -1;
	if (s->maxpoll < s->minpoll)
		s->maxpoll = s->minpoll;
	c->nspecs++;
	return 0;
}

static int
do_server(struct conf_parser *p, int argc, char **argv, void *target)
{
	return add_spec(p, argc, argv, target, 0);
}

static int
do_pool(struct conf_parser *p, int argc, char **argv, void *target)
{
	return add_spec(p, argc, argv, target, 1);
}

static int
do_access(struct conf_parser *p, int argc, char **argv, struct ntpd_conf *c, int allow)
{
	struct netaddr	net;
	int		prefixlen = 0, all = 0, i = 0, rc;

	if (argc > 0 && strcmp(argv[0], "all") == 0) {
		all = 1;
		i = 1;
	}
	if (argc > i + 1) {
		conf_error(p, "%s takes [all] and one subnet, not %d values", p->keyword, argc);
		return -1;
	}
	if (argc == i) {
		rc = acl_add(&c->acl, NULL, 0, allow, all);
	} else {
		if (netaddr_parse_cidr(argv[i], &net, &prefixlen) == -1) {
			conf_error(p, "invalid %s subnet '%s': give an address, ADDRESS/LENGTH "
			    "or a short IPv4 prefix such as 192.168.7", p->keyword, argv[i]);
			return -1;
		}
		rc = acl_add(&c->acl, &net, prefixlen, allow, all);
	}
	if (rc == -1) {
		conf_error(p, "too many allow and deny rules (at most %d)", ACL_MAX);
		return -1;
	}
	if (allow)
		c->nallow++;
	return 0;
}

static int
do_allow(struct conf_parser *p, int argc, char **argv, void *target)
{
	return do_access(p, argc, argv, target, 1);
}

static int
do_deny(struct conf_parser *p, int argc, char **argv, void *target)
{
	return do_access(p, argc, argv, target, 0);
}

static int
copy_path(struct conf_parser *p, const char *value, char *dst, size_t len)
{
	if (strlen(value) >= len) {
		conf_error(p, "%s path is longer than %zu characters", p->keyword, len - 1);
		return -1;
	}
	strcpy(dst, value);
	return 0;
}

static int
do_bindaddress(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;
	struct netaddr		 a;
	int			 i;

	if (netaddr_parse(argv[0], &a) == -1) {
		conf_error(p, "invalid bindaddress '%s': give an IPv4 or IPv6 address", argv[0]);
		return -1;
	}
	/* chronyd keeps one address per family; a later line replaces an earlier one. */
	for (i = 0; i < c->nbind; i++)
		if (c->bind[i].family == a.family) {
			c->bind[i] = a;
			return 0;
		}
	c->bind[c->nbind++] = a;
	return 0;
}

static int
do_bindcmdaddress(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;
	struct netaddr		 a;

	if (argv[0][0] == '/')
		return copy_path(p, argv[0], c->cmdsocket, sizeof(c->cmdsocket));
	if (netaddr_parse(argv[0], &a) == -1) {
		conf_error(p, "invalid bindcmdaddress '%s': give a socket path or an address",
		    argv[0]);
		return -1;
	}
	conf_warn(p, "bindcmdaddress %s is ignored: ntpd has no UDP command port, only "
	    "the Unix socket", argv[0]);
	return 0;
}

static int
int_value(struct conf_parser *p, const char *s, long min, long max, int *out)
{
	long	v;

	if (conf_int(p, s, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
do_cmdport(struct conf_parser *p, int argc, char **argv, void *target)
{
	return int_value(p, argv[0], 0, 65535, &((struct ntpd_conf *)target)->cmdport);
}

static int
do_port(struct conf_parser *p, int argc, char **argv, void *target)
{
	return int_value(p, argv[0], 0, 65535, &((struct ntpd_conf *)target)->port);
}

static int
do_minsources(struct conf_parser *p, int argc, char **argv, void *target)
{
	return int_value(p, argv[0], 1, NTPD_MAX_SOURCES,
	    &((struct ntpd_conf *)target)->minsources);
}

static int
do_maxdistance(struct conf_parser *p, int argc, char **argv, void *target)
{
	return conf_double(p, argv[0], 0.0, 1e6, &((struct ntpd_conf *)target)->maxdistance);
}

static int
do_maxslewrate(struct conf_parser *p, int argc, char **argv, void *target)
{
	return conf_double(p, argv[0], 0.0, 100000.0,
	    &((struct ntpd_conf *)target)->maxslewrate);
}

static int
do_driftfile(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->driftfile, sizeof(c->driftfile));
}

static int
do_timefile(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->timefile, sizeof(c->timefile));
}

static int
do_hookdir(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->hookdir, sizeof(c->hookdir));
}

static int
do_syncfile(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->syncfile, sizeof(c->syncfile));
}

/* ratelimit [interval N] [burst N] [leak N], with chrony's ranges. */
static int
do_ratelimit(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;
	int			 i, *field;
	long			 min, max;

	c->ratelimit = 1;
	for (i = 0; i < argc; i += 2) {
		if (strcmp(argv[i], "interval") == 0) {
			field = &c->rl_interval;
			min = -19;
			max = 12;
		} else if (strcmp(argv[i], "burst") == 0) {
			field = &c->rl_burst;
			min = 1;
			max = 255;
		} else if (strcmp(argv[i], "leak") == 0) {
			field = &c->rl_leak;
			min = 1;
			max = 4;
		} else {
			conf_error(p, "unknown ratelimit option '%s': give interval, burst or leak",
			    argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			conf_error(p, "ratelimit option '%s' needs a value", argv[i]);
			return -1;
		}
		if (int_value(p, argv[i + 1], min, max, field) == -1)
			return -1;
	}
	return 0;
}

static int
do_maxbackstep(struct conf_parser *p, int argc, char **argv, void *target)
{
	return conf_double(p, argv[0], 0.0, 1e9, &((struct ntpd_conf *)target)->maxbackstep);
}

static int
do_pidfile(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->pidfile, sizeof(c->pidfile));
}

static int
do_user(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	return copy_path(p, argv[0], c->user, sizeof(c->user));
}

static int
do_include(struct conf_parser *p, int argc, char **argv, void *target)
{
	return conf_parse_glob(p, argv[0]);
}

/* Return the part of path after its last '/'. */
static const char *
base_name(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static int
compare_base_names(const void *a, const void *b)
{
	return strcmp(base_name(*(const char *const *)a), base_name(*(const char *const *)b));
}

/*
 * Read the regular files of each directory whose names end in suffix, all
 * of them in the order of their file names.  Of files with the same name in several
 * directories only the one in the first directory is read, as chronyd's
 * confdir does, so a later directory provides defaults that an earlier one
 * replaces file by file.  A directory that does not exist has no files.
 */
static int
parse_dirs(struct conf_parser *p, int argc, char **argv, const char *suffix)
{
	struct pathglob	 globs[CONFDIR_MAX];
	const char	**paths = NULL;
	char		  pattern[PATH_MAX];
	struct stat	  st;
	size_t		  n = 0, total = 0, j, k;
	int		  i, ndirs = 0, rc = -1;

	if (argc > CONFDIR_MAX) {
		conf_error(p, "%d directories on one line: give at most %d", argc, CONFDIR_MAX);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if ((size_t)snprintf(pattern, sizeof(pattern), "%s/*%s", argv[i], suffix) >=
		    sizeof(pattern)) {
			conf_error(p, "directory name %s is too long", argv[i]);
			goto out;
		}
		if (pathglob_expand(pattern, &globs[i]) == -1) {
			conf_error(p, "cannot expand %s: %s", pattern, strerror(errno));
			goto out;
		}
		ndirs++;
		total += globs[i].count;
	}
	if (total > 0 && (paths = calloc(total, sizeof(*paths))) == NULL) {
		conf_error(p, "out of memory");
		goto out;
	}
	for (i = 0; i < ndirs; i++) {
		for (j = 0; j < globs[i].count; j++) {
			const char	*path = globs[i].paths[j];

			if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(base_name(paths[k]), base_name(path)) == 0)
					break;
			if (k == n)
				paths[n++] = path;
		}
	}
	if (n > 0)
		qsort(paths, n, sizeof(*paths), compare_base_names);
	for (k = 0; k < n; k++)
		conf_parse_file(p, paths[k]);
	rc = 0;
out:
	free(paths);
	for (i = 0; i < ndirs; i++)
		pathglob_free(&globs[i]);
	return rc;
}

static int
do_confdir(struct conf_parser *p, int argc, char **argv, void *target)
{
	return parse_dirs(p, argc, argv, ".conf");
}

static int	do_sourcedir(struct conf_parser *, int, char **, void *);

static int
do_initstepslew(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;
	size_t			 len = 0;
	int			 i;

	c->initstep_hosts[0] = '\0';
	for (i = 1; i < argc; i++) {
		len += (size_t)snprintf(c->initstep_hosts + len, sizeof(c->initstep_hosts) - len,
		    " %s", argv[i]);
		if (len >= sizeof(c->initstep_hosts)) {
			conf_error(p, "initstepslew host list is longer than %zu characters",
			    sizeof(c->initstep_hosts) - 1);
			return -1;
		}
	}
	return conf_double(p, argv[0], 0.0, 1e9, &c->initstep_threshold);
}

static int
do_makestep(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;

	if (conf_double(p, argv[0], 0.0, 1e9, &c->makestep_threshold) == -1)
		return -1;
	return int_value(p, argv[1], -1, 1000000000, &c->makestep_limit);
}

static int
do_rtcsync(struct conf_parser *p, int argc, char **argv, void *target)
{
	((struct ntpd_conf *)target)->rtcsync = 1;
	return 0;
}

/* local options that chronyd accepts and ntpd ignores, each with a value
 * (the list as in_list reads it). */
static const char local_ignored[] = "activate\0distance\0waitsynced\0waitunsynced\0";

static int
do_local(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct ntpd_conf	*c = target;
	int			 i;

	c->local_stratum = DEFAULT_LOCAL_STRATUM;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "orphan") == 0)
			continue;
		if (i + 1 >= argc) {
			conf_error(p, "unknown or incomplete %s option '%s'", p->keyword, argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "stratum") == 0) {
			if (int_value(p, argv[i + 1], 1, 15, &c->local_stratum) == -1)
				return -1;
		} else if (!in_list(local_ignored, argv[i])) {
			conf_error(p, "unknown %s option '%s'", p->keyword, argv[i]);
			return -1;
		}
		i++;
	}
	return 0;
}

/*
 * The directives that ntpd supports, sorted by name (strcmp).
 * merge_directives copies them into conf_directive rows.  These rows have
 * no note, because only unsupported directives have one, and they keep the
 * argument counts in a byte each.
 */
static const struct supported_directive {
	const char	*name;
	conf_handler	 handler;
	signed char	 min_args;
	signed char	 max_args;	/* -1: no maximum */
} supported[] = {
	{ "allow", do_allow, 0, 2 },
	{ "bindaddress", do_bindaddress, 1, 1 },
	{ "bindcmdaddress", do_bindcmdaddress, 1, 1 },
	{ "cmdport", do_cmdport, 1, 1 },
	{ "confdir", do_confdir, 1, -1 },
	{ "deny", do_deny, 0, 2 },
	{ "driftfile", do_driftfile, 1, 1 },
	{ "hookdir", do_hookdir, 1, 1 },
	{ "include", do_include, 1, 1 },
	{ "initstepslew", do_initstepslew, 1, -1 },
	{ "local", do_local, 0, -1 },
	{ "makestep", do_makestep, 2, 2 },
	{ "maxbackstep", do_maxbackstep, 1, 1 },
	{ "maxdistance", do_maxdistance, 1, 1 },
	{ "maxslewrate", do_maxslewrate, 1, 1 },
	{ "minsources", do_minsources, 1, 1 },
	{ "pidfile", do_pidfile, 1, 1 },
	{ "pool", do_pool, 1, -1 },
	{ "port", do_port, 1, 1 },
	{ "ratelimit", do_ratelimit, 0, 6 },
	{ "rtcsync", do_rtcsync, 0, 0 },
	{ "server", do_server, 1, -1 },
	{ "sourcedir", do_sourcedir, 1, -1 },
	{ "syncfile", do_syncfile, 1, 1 },
	{ "timefile", do_timefile, 1, 1 },
	{ "user", do_user, 1, 1 },
};

#define NSUPPORTED	(sizeof(supported) / sizeof(supported[0]))

/*
 * The chrony directives that ntpd recognises but does not support (each
 * logs one warning), sorted, one after another with a '\0' after each.
 * config_table merges them with the supported ones into the table at its
 * first call, which keeps a table row for each (32 bytes on x86_64) out of
 * the binary.
 */
static const char unsupported[] =
	"acquisitionport\0" "authselectmode\0" "bindacqaddress\0" "bindacqdevice\0"
	"binddevice\0" "broadcast\0" "clientloglimit\0" "cmdallow\0" "cmddeny\0"
	"cmdratelimit\0" "combinelimit\0" "corrtimeratio\0" "dscp\0" "dumpdir\0"
	"fallbackdrift\0" "hwclockfile\0" "hwtimestamp\0" "hwtstimeout\0" "keyfile\0"
	"leapsecmode\0" "leapsectz\0" "lock_all\0" "log\0" "logbanner\0" "logchange\0"
	"logdir\0" "mailonchange\0" "manual\0" "maxchange\0" "maxclockerror\0"
	"maxdrift\0" "maxjitter\0" "maxntsconnections\0" "maxsamples\0"
	"maxupdateskew\0" "minsamples\0" "nocerttimecheck\0" "noclientlog\0"
	"ntpsigndsocket\0" "ntsdumpdir\0" "ntsntpserver\0" "ntsport\0" "ntsprocesses\0"
	"ntsratelimit\0" "ntsrefresh\0" "ntsrotate\0" "ntsservercert\0"
	"ntsserverkey\0" "ntstrustedcerts\0" "peer\0" "ptpport\0" "refclock\0"
	"reselectdist\0" "rtcautotrim\0" "rtcdevice\0" "rtcfile\0" "rtconutc\0"
	"sched_priority\0" "smoothtime\0" "stratumweight\0" "tempcomp\0";

/* The merged table, sorted by name; a unit test checks. */
static struct conf_directive	directives[CONF_TABLE_MAX];
static size_t			ndirectives;

static int
reject_in_sources(struct conf_parser *p, int argc, char **argv, void *target)
{
	conf_error(p, "directive '%s' is not allowed in a .sources file: give only server, "
	    "pool or peer lines", p->keyword);
	return -1;
}

/*
 * sourcedir: read the *.sources files as confdir reads *.conf files, with
 * a copy of the table in which every directive but server, pool and peer
 * is an error.  The copy keeps each row's place, so the parser's record of
 * the warnings already logged still matches.
 * TODO: chronyd rereads these files on "chronyc reload sources"; ntpd
 * reads them only at start.
 */
static int
do_sourcedir(struct conf_parser *p, int argc, char **argv, void *target)
{
	static struct conf_directive	 sources_only[CONF_TABLE_MAX];
	const struct conf_directive	*table = p->table;
	size_t				 ntable = p->ntable, i;
	int				 rc;

	for (i = 0; i < ndirectives; i++) {
		sources_only[i] = directives[i];
		if (strcmp(directives[i].name, "server") != 0 &&
		    strcmp(directives[i].name, "pool") != 0 &&
		    strcmp(directives[i].name, "peer") != 0) {
			sources_only[i].min_args = 0;
			sources_only[i].max_args = -1;
			sources_only[i].handler = reject_in_sources;
		}
	}
	p->table = sources_only;
	p->ntable = ndirectives;
	rc = parse_dirs(p, argc, argv, ".sources");
	p->table = table;
	p->ntable = ntable;
	return rc;
}

/* Fill directives with the rows of supported and the names of unsupported, in order. */
static void
merge_directives(void)
{
	const char	*name = unsupported;
	size_t		 i = 0;

	while (ndirectives < CONF_TABLE_MAX && (i < NSUPPORTED || *name != '\0')) {
		if (*name != '\0' && (i == NSUPPORTED || strcmp(name, supported[i].name) < 0)) {
			directives[ndirectives].name = name;
			directives[ndirectives].max_args = -1;
			name += strlen(name) + 1;
		} else {
			directives[ndirectives].name = supported[i].name;
			directives[ndirectives].min_args = supported[i].min_args;
			directives[ndirectives].max_args = supported[i].max_args;
			directives[ndirectives].handler = supported[i].handler;
			i++;
		}
		ndirectives++;
	}
}

const struct conf_directive *
config_table(size_t *n)
{
	if (ndirectives == 0)
		merge_directives();
	*n = ndirectives;
	return directives;
}

static void
print_spec(FILE *f, const struct source_spec *s)
{
	const struct spec_option	*o;

	fprintf(f, "%s %s", s->is_pool ? "pool" : "server", s->host);
	if (s->port != NTPD_PORT)
		fprintf(f, " port %u", s->port);
	fprintf(f, " minpoll %d maxpoll %d", s->minpoll, s->maxpoll);
	if (s->is_pool)
		fprintf(f, " %s %d", "maxsources", s->maxsources);
	if (s->minstratum)
		fprintf(f, " %s %d", "minstratum", s->minstratum);
	if (s->polltarget)
		fprintf(f, " %s %d", "polltarget", s->polltarget);
	for (o = spec_options_table; o < spec_options_table + SPEC_FLAGS; o++)
		if (*spec_field((struct source_spec *)(uintptr_t)s, o))
			fprintf(f, " %s", o->name);
	fputc('\n', f);
}

static void
print_acl(FILE *f, const struct acl *acl)
{
	char	text[NETADDR_STRLEN];
	int	i;

	for (i = 0; i < acl->count; i++) {
		fprintf(f, "%s", acl->rules[i].allow ? "allow" : "deny");
		if (acl->rules[i].net.family != AF_UNSPEC)
			fprintf(f, " %s/%d", netaddr_format(&acl->rules[i].net, text),
			    acl->rules[i].prefixlen);
		fputc('\n', f);
	}
}

/* Print "NAME VALUE" lines; print_text skips an empty value.  The names are
 * the directive table's strings, so the linker keeps one copy of each. */
static void
print_text(FILE *f, const char *name, const char *value)
{
	if (value[0] != '\0')
		fprintf(f, "%s %s\n", name, value);
}

static void
print_int(FILE *f, const char *name, int value)
{
	fprintf(f, "%s %d\n", name, value);
}

static void
print_double(FILE *f, const char *name, double value)
{
	fprintf(f, "%s %g\n", name, value);
}

void
config_print(FILE *f, const struct ntpd_conf *c)
{
	char	text[NETADDR_STRLEN];
	int	i;

	for (i = 0; i < c->nspecs; i++)
		print_spec(f, &c->specs[i]);
	if (c->initstep_threshold >= 0)
		fprintf(f, "initstepslew %g%s\n", c->initstep_threshold, c->initstep_hosts);
	if (c->makestep_limit != 0)
		fprintf(f, "makestep %g %d\n", c->makestep_threshold, c->makestep_limit);
	print_text(f, "driftfile", c->driftfile);
	if (c->rtcsync)
		fprintf(f, "%s\n", "rtcsync");
	if (c->maxbackstep >= 0)
		print_double(f, "maxbackstep", c->maxbackstep);
	print_text(f, "timefile", c->timefile);
	print_text(f, "hookdir", c->hookdir);
	print_text(f, "syncfile", c->syncfile);
	if (c->ratelimit)
		fprintf(f, "ratelimit interval %d burst %d leak %d\n", c->rl_interval,
		    c->rl_burst, c->rl_leak);
	print_acl(f, &c->acl);
	if (c->local_stratum)
		fprintf(f, "local stratum %d\n", c->local_stratum);
	print_int(f, "port", c->port);
	for (i = 0; i < c->nbind; i++)
		print_text(f, "bindaddress", netaddr_format(&c->bind[i], text));
	print_int(f, "cmdport", c->cmdport);
	fprintf(f, "%s %s\n", "bindcmdaddress", c->cmdsocket);
	print_text(f, "pidfile", c->pidfile);
	print_text(f, "user", c->user);
	print_double(f, "maxdistance", c->maxdistance);
	print_int(f, "minsources", c->minsources);
	print_double(f, "maxslewrate", c->maxslewrate);
}

void
config_discipline(const struct ntpd_conf *c, struct disc_config *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->makestep_threshold = c->makestep_threshold;
	dc->makestep_limit = c->makestep_limit;
	dc->initstep_threshold = c->initstep_threshold;
	dc->maxslewrate = c->maxslewrate;
	dc->backstep_limited = c->maxbackstep >= 0;
	dc->maxbackstep = c->maxbackstep;
	dc->freq_ppm = 0.0;
	dc->skew_ppm = 2000.0;
}
