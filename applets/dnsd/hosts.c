/* hosts.c -- dnsd's reader for hosts files and the build of the local name table. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"
#include "log.h"

#define HOSTS_LINE_MAX	1024

/* Add one name of a hosts line, and NAME.DOMAIN when domain is set and the
 * name has no dot.  The PTR (first name of a line only) goes to the
 * qualified form. */
static int
add_name(struct records *r, const char *name, const char *domain,
    const struct netaddr *addr, int first)
{
	char	full[DNSD_NAME_MAX];
	int	n;

	if (domain == NULL || domain[0] == '\0' || strchr(name, '.') != NULL)
		return records_add_host(r, name, addr, first, RECORDS_LOCAL_TTL);
	n = snprintf(full, sizeof(full), "%s.%s", name, domain);
	if (n < 0 || (size_t)n >= sizeof(full) || !records_valid_name(full))
		return records_add_host(r, name, addr, first, RECORDS_LOCAL_TTL);
	if (records_add_host(r, full, addr, first, RECORDS_LOCAL_TTL) == -1)
		return -1;
	return records_add_host(r, name, addr, 0, RECORDS_LOCAL_TTL);
}

void	(*hosts_trace)(const char *, int, const char *, const char *, const struct netaddr *,
	    int);

/* The config of the hosts_build running: its domain= ranges. */
static const struct dnsd_conf	*building;

static int
in_range(const struct netaddr *a, const struct dnsd_subdomain *s)
{
	size_t	len = a->family == AF_INET ? 4 : 16;

	return a->family == s->lo.family &&
	    memcmp(a->u.bytes, s->lo.u.bytes, len) >= 0 &&
	    memcmp(a->u.bytes, s->hi.u.bytes, len) <= 0;
}

const char *
hosts_domain_for(const struct dnsd_conf *c, const struct netaddr *a)
{
	int	i;

	for (i = 0; i < c->nsubdomains; i++)
		if (in_range(a, &c->subdomains[i]))
			return c->subdomains[i].domain;
	return c->domain;
}

/* One line without its comment.  Returns the number of addresses added
 * (0 or 1) or -1 when out of memory. */
static int
parse_line(struct records *r, char *line, const char *path, int lineno,
    const char *domain, conf_sink sink, void *arg)
{
	struct netaddr	 addr;
	char		*word, *save, canon[DNSD_NAME_MAX];
	const char	*dom;
	int		 names = 0;

	if ((word = strtok_r(line, " \t\r\n", &save)) == NULL)
		return 0;
	if (netaddr_parse(word, &addr) == -1) {
		dnsconf_report(sink, arg, 0, "%s:%d: invalid address \"%s\"; line skipped",
		    path, lineno, word);
		return 0;
	}
	while ((word = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (records_canon(word, canon) == -1 || !records_valid_name(canon)) {
			dnsconf_report(sink, arg, 0, "%s:%d: invalid host name \"%s\"; "
			    "name skipped", path, lineno, word);
			continue;
		}
		dom = domain != NULL && building != NULL ? hosts_domain_for(building, &addr) :
		    domain;
		if (hosts_trace != NULL)
			hosts_trace(path, lineno, canon, dom, &addr, names == 0);
		if (add_name(r, canon, dom, &addr, names == 0) == -1)
			return -1;
		names++;
	}
	if (names == 0) {
		dnsconf_report(sink, arg, 0,
		    "%s:%d: address without a host name; line skipped", path, lineno);
		return 0;
	}
	return 1;
}

int
hosts_load(struct records *r, const char *path, const char *domain,
    conf_sink sink, void *arg)
{
	char	 line[HOSTS_LINE_MAX + 2], *hash;
	FILE	*f;
	size_t	 len;
	int	 lineno = 0, count = 0, n, toolong = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (records_set_source(r, path) == -1) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if (toolong) {
			toolong = len > 0 && line[len - 1] != '\n';
			continue;
		}
		lineno++;
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			dnsconf_report(sink, arg, 0, "%s:%d: line longer than %d bytes; "
			    "skipped", path, lineno, HOSTS_LINE_MAX);
			toolong = 1;
			continue;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if ((n = parse_line(r, line, path, lineno, domain, sink, arg)) == -1) {
			fclose(f);
			errno = ENOMEM;
			return -1;
		}
		count += n;
	}
	fclose(f);
	(void)records_set_source(r, NULL);
	return count;
}

int
hosts_skip_name(const char *name)
{
	size_t	n = strlen(name);

	return name[0] == '.' || name[n - 1] == '~' || (name[0] == '#' && name[n - 1] == '#');
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_dir(struct records *r, const char *dir, const char *domain, conf_sink sink, void *arg)
{
	char		 path[DNSD_PATH_MAX * 2];
	char		*names[256];
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 n = 0, i;
	int		 total = 0, c;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0])) {
		if (hosts_skip_name(de->d_name))
			continue;
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if ((c = hosts_load(r, path, domain, sink, arg)) == -1)
				dnsconf_report(sink, arg, 0, "%s: cannot read: %s", path,
				    strerror(errno));
			else
				total += c;
		}
		free(names[i]);
	}
	return total;
}

int
hosts_load_path(struct records *r, const char *path, const char *domain,
    conf_sink sink, void *arg)
{
	struct stat	st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return load_dir(r, path, domain, sink, arg);
	return hosts_load(r, path, domain, sink, arg);
}

/* The owner of a config record.  An SRV name without a domain
 * (_service._prot) gets domain=, as in dnsmasq. */
static int
confrec_owner(const struct dnsd_confrec *c, const char *domain,
    uint8_t owner[static DNS_NAME_MAX])
{
	char	full[DNSD_NAME_MAX];
	int	n;

	if (dnswire_name_from_text(c->owner, owner) == -1)
		return -1;
	if (c->type != DNS_TYPE_SRV || domain[0] == '\0' || dnswire_name_labels(owner) != 2 ||
	    c->owner[0] != '_' || strchr(c->owner, '.')[1] != '_')
		return 0;
	n = snprintf(full, sizeof(full), "%s.%s", c->owner, domain);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -1;
	return dnswire_name_from_text(full, owner) == -1 ? -1 : 0;
}

/* A config record (host-record, cname, ...) into the table. */
static int
add_confrec(struct records *r, const struct dnsd_confrec *c, const char *domain)
{
	uint8_t	owner[DNS_NAME_MAX], target[DNS_NAME_MAX];
	int	len = 0;

	if (confrec_owner(c, domain, owner) == -1)
		return -1;
	switch (c->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		return records_add_host(r, c->owner, &c->addr, c->pref, c->ttl);
	case DNS_TYPE_TXT:
		return records_add(r, owner, c->type, NULL, (const uint8_t *)c->text,
		    c->textlen, 0, 0, 0, c->ttl);
	default:
		/* An SRV without target has the root as target (RFC 2782). */
		if ((len = dnswire_name_from_text(c->target, target)) == -1)
			return -1;
		return records_add(r, owner, c->type, NULL, target, (size_t)len,
		    c->pref, c->weight, c->port, c->ttl);
	}
}

/* Read path with load (hosts_load or hosts_load_path), then log the
 * number of addresses read or report why the file could not be read. */
static void
load_logged(int (*load)(struct records *, const char *, const char *, conf_sink, void *),
    struct records *r, const char *path, const char *domain, conf_sink sink, void *arg)
{
	int	n;

	if ((n = load(r, path, domain, sink, arg)) == -1)
		dnsconf_report(sink, arg, 0, "%s: cannot read: %s", path, strerror(errno));
	else
		log_info("read %s: %d addresses", path, n);
}

int
hosts_build(struct records *r, const struct dnsd_conf *c, const char *hostsfile,
    conf_sink sink, void *arg)
{
	const char	*domain = c->expand_hosts ? c->domain : NULL;
	int		 i;

	records_init(r);
	r->keep_sources = c->log_queries;
	building = c;
	/* Config records first: dnsmasq reads host-record before the hosts
	 * files, so its PTR wins over a hosts line for the same address. */
	for (i = 0; i < c->nrecords; i++)
		if (add_confrec(r, &c->records[i], c->domain) == -1) {
			dnsconf_report(sink, arg, 1, "out of memory building the name table");
			records_free(r);
			building = NULL;
			return -1;
		}
	if (!c->no_hosts)
		load_logged(hosts_load, r, hostsfile, domain, sink, arg);
	for (i = 0; i < c->naddn_hosts; i++)
		load_logged(hosts_load_path, r, c->addn_hosts[i], domain, sink, arg);
	for (i = 0; i < c->nhostsdirs; i++)
		load_logged(hosts_load_path, r, c->hostsdirs[i], domain, sink, arg);
	building = NULL;
	if (records_finish(r) == -1) {
		if (errno == EOVERFLOW)
			dnsconf_report(sink, arg, 1, "a name has more than 65535 records, "
			    "more than a reply can hold; remove some of its lines");
		else
			dnsconf_report(sink, arg, 1, "out of memory building the name table");
		records_free(r);
		return -1;
	}
	return 0;
}
