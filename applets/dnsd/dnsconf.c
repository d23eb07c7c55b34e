/* dnsconf.c -- dnsd's options: the dnsmasq.conf directive table and the command line. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "dnsd.h"
#include "log.h"
#include "netaddr.h"

#define CMDLINE		"command line"

static int	 add_record(struct conf_parser *, struct dnsd_conf *, const struct dnsd_confrec *);

void
dnsconf_defaults(struct dnsd_conf *c)
{
	memset(c, 0, sizeof(*c));
	dnsconf_defaults_zeroed(c);
}

void
dnsconf_defaults_zeroed(struct dnsd_conf *c)
{
	(void)records_strlcpy(c->conf_file, DNSD_DEFAULT_CONF, sizeof(c->conf_file));
	(void)records_strlcpy(c->resolv_file, "/etc/resolv.conf", sizeof(c->resolv_file));
	(void)records_strlcpy(c->pid_file, DNSD_DEFAULT_PIDFILE, sizeof(c->pid_file));
	/* Drop root after binding unless user=root, as dnsmasq does, but to
	 * a user of dnsd's own (see dnsconf_run_user). */
	(void)records_strlcpy(c->user, DNSD_DEFAULT_USER, sizeof(c->user));
	c->port = 53;
	c->cache_size = DNSD_CACHE_DEFAULT;
	c->neg_ttl = -1;
	c->local_ttl = 0;
	c->edns_packet_max = DNSD_EDNS_SIZE;
	c->forward_max = DNSD_FORWARD_DEFAULT;
	c->resolv_first = -1;
	c->log_facility = LOG_DAEMON;
}

void
dnsconf_free(struct dnsd_conf *c)
{
	int	i;

	for (i = 0; i < c->nrecords; i++) {
		free(c->records[i].owner);
		free(c->records[i].target);
		free(c->records[i].text);
	}
	free(c->records);
	c->records = NULL;
	c->nrecords = 0;
	for (i = 0; i < c->norigin_files; i++)
		free(c->origin_files[i]);
	free(c->origin_files);
	c->origin_files = NULL;
	c->norigin_files = 0;
}

/* The origin of an entry read now from file (NULL: none) at line; the
 * file's name is kept once in c->origin_files.  Without memory the
 * origin has no file, which only --explain shows. */
static struct dnsd_origin
origin_at(struct dnsd_conf *c, const char *file, int line)
{
	struct dnsd_origin	  o = { 0, line };
	char			**files;
	int			  i;

	if (file == NULL)
		return o;
	for (i = 0; i < c->norigin_files; i++)
		if (strcmp(c->origin_files[i], file) == 0) {
			o.file = i + 1;
			return o;
		}
	if ((files = realloc(c->origin_files, (size_t)(i + 1) * sizeof(*files))) == NULL)
		return o;
	c->origin_files = files;
	if ((files[i] = strdup(file)) == NULL)
		return o;
	c->norigin_files++;
	o.file = i + 1;
	return o;
}

static struct dnsd_origin
origin_of(struct conf_parser *p)
{
	return origin_at(p->target, p->file, p->line);
}

const char *
dnsconf_origin_text(const struct dnsd_conf *c, struct dnsd_origin o)
{
	static char	buf[DNSD_PATH_MAX + 16];

	if (o.file < 1 || o.file > c->norigin_files)
		return "built in";
	if (o.line > 0)
		snprintf(buf, sizeof(buf), "%s:%d", c->origin_files[o.file - 1], o.line);
	else
		snprintf(buf, sizeof(buf), "%s", c->origin_files[o.file - 1]);
	return buf;
}

/* Handlers: each gets the comma-separated values of one directive. */

static int
set_flag(struct conf_parser *p, int *flag)
{
	*flag = 1;
	return 0;
}

static int
set_path(struct conf_parser *p, char *dst, size_t len, const char *s)
{
	if (records_strlcpy(dst, s, len) == -1) {
		conf_error(p, "%s: path \"%s\" is longer than %zu bytes", p->keyword, s, len - 1);
		return -1;
	}
	return 0;
}

/* Canonical domain from the text between slashes or after domain=. */
static int
get_domain(struct conf_parser *p, const char *s, char out[static DNSD_NAME_MAX])
{
	if (records_canon(s, out) == -1 || (out[0] != '\0' && !records_valid_name(out))) {
		conf_error(p, "%s: invalid domain name \"%s\"", p->keyword, s);
		return -1;
	}
	return 0;
}

/* hostsdir=DIR: read like addn-hosts=DIR, and read again when a file in
 * it is added, changed or removed. */
static int
h_hostsdir(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	if (c->nhostsdirs == DNSD_FILES_MAX) {
		conf_error(p, "hostsdir: more than %d directories", DNSD_FILES_MAX);
		return -1;
	}
	if (set_path(p, c->hostsdirs[c->nhostsdirs], DNSD_PATH_MAX, argv[0]) == -1)
		return -1;
	c->nhostsdirs++;
	return 0;
}

static int
h_no_poll(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->no_poll);
}

static int
h_addn_hosts(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	if (c->naddn_hosts == DNSD_FILES_MAX) {
		conf_error(p, "addn-hosts: more than %d files; merge some or use a directory",
		    DNSD_FILES_MAX);
		return -1;
	}
	if (set_path(p, c->addn_hosts[c->naddn_hosts], DNSD_PATH_MAX, argv[0]) == -1)
		return -1;
	c->naddn_hosts++;
	return 0;
}

/* The "/dom/dom/" prefix of server=, local= and address=.  Stores the
 * domains in doms (at most ndoms) and returns their count, with *rest set
 * to the text after the last slash; -1 after an error. */
static int
split_domains(struct conf_parser *p, const char *value, char doms[][DNSD_NAME_MAX],
    int ndoms, const char **rest)
{
	const char	*s = value + 1, *slash;
	char		 buf[DNSD_NAME_MAX];
	int		 n = 0;
	size_t		 len;

	while ((slash = strchr(s, '/')) != NULL) {
		len = (size_t)(slash - s);
		if (len >= sizeof(buf)) {
			conf_error(p, "%s: domain in \"%s\" is too long", p->keyword, value);
			return -1;
		}
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (strchr(buf, '*') != NULL || len == 0) {
			conf_error(p, "%s: \"%s\": wildcard and empty domains are not supported",
			    p->keyword, value);
			return -1;
		}
		if (n == ndoms) {
			conf_error(p, "%s: \"%s\" names more than %d domains", p->keyword, value, ndoms);
			return -1;
		}
		/* "#" stands for every domain, as in dnsmasq. */
		if (strcmp(buf, "#") == 0)
			doms[n][0] = '\0';
		else if (get_domain(p, buf, doms[n]) == -1)
			return -1;
		n++;
		s = slash + 1;
	}
	if (n == 0) {
		conf_error(p, "%s: \"%s\": missing the closing '/' after the domain",
		    p->keyword, value);
		return -1;
	}
	*rest = s;
	return n;
}

static int
add_server(struct conf_parser *p, struct dnsd_conf *c, enum dnsd_route route,
    const char *domain, const struct netaddr *addr, uint16_t port)
{
	struct dnsd_server	*sv;

	if (c->nservers == DNSD_SERVERS_MAX) {
		conf_error(p, "%s: more than %d servers and local domains",
		    p->keyword, DNSD_SERVERS_MAX);
		return -1;
	}
	sv = &c->servers[c->nservers++];
	memset(sv, 0, sizeof(*sv));
	sv->origin = origin_of(p);
	sv->route = route;
	(void)records_strlcpy(sv->domain, domain, sizeof(sv->domain));
	if (addr != NULL)
		sv->addr = *addr;
	sv->port = port;
	return 0;
}

/* IP, IP#PORT; a source address or interface after '@' is not supported. */
static int
parse_upstream(struct conf_parser *p, const char *s, struct netaddr *addr, uint16_t *port)
{
	char	buf[128];
	char	*at;

	if (records_strlcpy(buf, s, sizeof(buf)) == -1) {
		conf_error(p, "%s: invalid server address \"%s\"", p->keyword, s);
		return -1;
	}
	if ((at = strchr(buf, '@')) != NULL) {
		conf_warn(p, "%s: \"%s\": the source after '@' is not supported; ignored",
		    p->keyword, s);
		*at = '\0';
	}
	*port = 53;
	if (netaddr_parse_port(buf, '#', addr, port) == -1) {
		conf_error(p, "%s: invalid server address \"%s\"; expected IP or IP#PORT",
		    p->keyword, s);
		return -1;
	}
	if (*port == 0) {
		conf_error(p, "%s: \"%s\": port 0 is invalid", p->keyword, s);
		return -1;
	}
	return 0;
}

/* server=IP[#PORT], server=/dom/[dom/]IP[#PORT], server=/dom/ (local only),
 * server=/dom/# (the default servers).  local= is the same directive. */
static int
h_server(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	char			 doms[8][DNSD_NAME_MAX];
	const char		*value = p->value != NULL ? p->value : argv[0];
	const char		*rest;
	struct netaddr		 addr;
	uint16_t		 port = 0;
	enum dnsd_route		 route;
	int			 n, i;

	if (value[0] != '/') {
		if (parse_upstream(p, value, &addr, &port) == -1)
			return -1;
		return add_server(p, c, ROUTE_FORWARD, "", &addr, port);
	}
	if (value[1] == '/') {
		/* server=//IP: the upstream for names without a dot. */
		if (value[2] == '\0') {
			conf_error(p, "%s: \"%s\": answering names without a dot locally is "
			    "not supported; use domain-needed", p->keyword, value);
			return -1;
		}
		if (parse_upstream(p, value + 2, &addr, &port) == -1 ||
		    add_server(p, c, ROUTE_FORWARD, "", &addr, port) == -1)
			return -1;
		c->servers[c->nservers - 1].unqualified = 1;
		return 0;
	}
	if ((n = split_domains(p, value, doms, 8, &rest)) == -1)
		return -1;
	if (*rest == '\0')
		route = ROUTE_LOCAL;
	else if (strcmp(rest, "#") == 0)
		route = ROUTE_DEFAULT;
	else {
		if (parse_upstream(p, rest, &addr, &port) == -1)
			return -1;
		route = ROUTE_FORWARD;
	}
	for (i = 0; i < n; i++)
		if (add_server(p, c, route, doms[i], route == ROUTE_FORWARD ? &addr : NULL,
		    port) == -1)
			return -1;
	return 0;
}

/* address=/dom/[dom/][IP|#] */
static int
h_address(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	struct dnsd_address	*a;
	char			 doms[8][DNSD_NAME_MAX];
	const char		*value = p->value != NULL ? p->value : argv[0];
	const char		*rest;
	struct netaddr		 addr;
	int			 n, i;

	if (value[0] != '/') {
		conf_error(p, "address: \"%s\": expected /DOMAIN/[IP]", value);
		return -1;
	}
	if ((n = split_domains(p, value, doms, 8, &rest)) == -1)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.family = AF_UNSPEC;
	if (*rest != '\0' && strcmp(rest, "#") != 0 && netaddr_parse(rest, &addr) == -1) {
		conf_error(p, "address: invalid address \"%s\"", rest);
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* address=/#/ without an address changes nothing: dnsmasq 2.90
		 * still forwards every name, as with server=/#/. */
		if (doms[i][0] == '\0' && *rest == '\0')
			continue;
		if (c->naddresses == DNSD_ADDRESS_MAX) {
			conf_error(p, "address: more than %d domains", DNSD_ADDRESS_MAX);
			return -1;
		}
		a = &c->addresses[c->naddresses++];
		a->origin = origin_of(p);
		(void)records_strlcpy(a->domain, doms[i], sizeof(a->domain));
		a->addr = addr;
		a->any = strcmp(rest, "#") == 0;
	}
	return 0;
}

static int
h_all_servers(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->all_servers);
}

static int
h_bind_interfaces(struct conf_parser *p, int argc, char **argv, void *t)
{
	if (strcmp(p->keyword, "bind-dynamic") == 0)
		conf_warn(p, "bind-dynamic: handled as bind-interfaces; addresses added "
		    "after start-up are not served until a restart");
	return set_flag(p, &((struct dnsd_conf *)t)->bind_interfaces);
}

static int
h_bogus_priv(struct conf_parser *p, int argc, char **argv, void *t)
{
	((struct dnsd_conf *)t)->bogus_priv_at = origin_of(p);
	return set_flag(p, &((struct dnsd_conf *)t)->bogus_priv);
}

static int
h_cache_size(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	long			 v;

	if (conf_int(p, argv[0], 0, LONG_MAX, &v) == -1)
		return -1;
	if (v > DNSD_CACHE_MAX) {
		conf_warn(p, "cache-size: %ld is above dnsd's maximum %d; using %d",
		    v, DNSD_CACHE_MAX, DNSD_CACHE_MAX);
		v = DNSD_CACHE_MAX;
	}
	c->cache_size = v;
	return 0;
}

/* The optional TTL at the end of host-record, cname: a decimal number. */
static int
is_ttl(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
get_ttl(struct conf_parser *p, const char *s, uint32_t *ttl)
{
	long	v;

	if (conf_int(p, s, 0, INT32_MAX, &v) == -1)
		return -1;
	*ttl = (uint32_t)v;
	return 0;
}

static int
get_name(struct conf_parser *p, const char *s, char out[static DNSD_NAME_MAX])
{
	if (records_canon(s, out) == -1 || !records_valid_name(out)) {
		conf_error(p, "%s: invalid name \"%s\"", p->keyword, s);
		return -1;
	}
	return 0;
}

/* cname=ALIAS[,ALIAS...],TARGET[,TTL] */
static int
h_cname(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	char			 alias[DNSD_NAME_MAX], target[DNSD_NAME_MAX];
	int			 i, last = argc - 1;

	memset(&r, 0, sizeof(r));
	r.type = 5;
	r.ttl = UINT32_MAX;
	if (argc > 2 && is_ttl(argv[last])) {
		if (get_ttl(p, argv[last], &r.ttl) == -1)
			return -1;
		last--;
	}
	if (last < 1) {
		conf_error(p, "cname: expected ALIAS,TARGET[,TTL]");
		return -1;
	}
	if (get_name(p, argv[last], target) == -1)
		return -1;
	for (i = 0; i < last; i++) {
		if (get_name(p, argv[i], alias) == -1)
			return -1;
		r.owner = alias;
		r.target = target;
		if (add_record(p, t, &r) == -1)
			return -1;
	}
	return 0;
}

/* Whether name (without extension) passes conf-dir's filters. */
struct dir_filter {
	int	 argc;
	char	**argv;
};

static int
suffix_is(const char *name, const char *suffix)
{
	size_t	n = strlen(name), s = strlen(suffix);

	return n >= s && strcmp(name + n - s, suffix) == 0;
}

static int
accept_conf(const char *name, void *arg)
{
	const struct dir_filter	*f = arg;
	int			 i, included = 0, has_include = 0;

	if (hosts_skip_name(name))
		return 0;
	for (i = 1; i < f->argc; i++) {
		if (f->argv[i][0] == '*') {
			has_include = 1;
			if (suffix_is(name, f->argv[i] + 1))
				included = 1;
		} else if (suffix_is(name, f->argv[i]))
			return 0;
	}
	return has_include ? included : 1;
}

/* conf-dir=DIR[,.EXT-TO-SKIP...][,*.EXT-TO-READ...] */
static int
h_conf_dir(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dir_filter	f = { argc, argv };

	return conf_parse_dir(p, argv[0], accept_conf, &f);
}

static int
h_conf_file(struct conf_parser *p, int argc, char **argv, void *t)
{
	/* The command line's -C names the main file and is read before the
	 * other options; see dnsconf_load. */
	if (strcmp(p->file, CMDLINE) == 0)
		return 0;
	return conf_parse_file(p, argv[0]);
}

/* domain=DOMAIN[,RANGE[,local]] */
/* The first and last address of net/prefixlen. */
static void
range_of(const struct netaddr *net, int prefixlen, struct netaddr *lo, struct netaddr *hi)
{
	int	len = net->family == AF_INET ? 4 : 16, i, bits;

	*lo = *hi = *net;
	for (i = 0; i < len; i++) {
		bits = prefixlen - i * 8;
		if (bits <= 0) {
			lo->u.bytes[i] = 0;
			hi->u.bytes[i] = 0xff;
		} else if (bits < 8) {
			lo->u.bytes[i] &= (uint8_t)~(0xff >> bits);
			hi->u.bytes[i] |= (uint8_t)(0xff >> bits);
		}
	}
}

/*
 * With domain=DOMAIN,CIDR,local the reverse zone of the subnet is local
 * too, as in dnsmasq: PTR queries there are answered from local data or
 * get NXDOMAIN, and never go upstream.  A reverse zone is a whole number
 * of labels, so dnsd takes a prefix of 8, 16 or 24 bits for IPv4 and a
 * multiple of 4 for IPv6, and warns about others.  XXX: dnsmasq 2.90 makes
 * the reverse names of a /20 local too (several zones, which would not
 * fit in DNSD_SERVERS_MAX).  Returns 0 or -1.
 */
static int
add_reverse_zone(struct conf_parser *p, struct dnsd_conf *c, const struct netaddr *net,
    int prefixlen)
{
	char		 name[80];
	const char	*zone = name;
	int		 bits = net->family == AF_INET ? 8 : 4;
	int		 labels = net->family == AF_INET ? 4 : 32;

	if (prefixlen % bits != 0 || prefixlen == 0 || prefixlen == labels * bits ||
	    (net->family == AF_INET && prefixlen > 24)) {
		conf_warn(p, "domain: the reverse zone of a /%d subnet is not made local; "
		    "use a prefix of %s, or add local=/ZONE/ for its reverse zones", prefixlen,
		    net->family == AF_INET ? "8, 16 or 24" : "a multiple of 4 below 128");
		return 0;
	}
	if (netaddr_reverse_name(net, name, sizeof(name)) == -1) {
		conf_error(p, "domain: no reverse name for the subnet");
		return -1;
	}
	/* Drop the labels of the host part: one per octet or nibble. */
	for (labels -= prefixlen / bits; labels > 0; labels--)
		zone = strchr(zone, '.') + 1;
	return add_server(p, c, ROUTE_LOCAL, zone, NULL, 0);
}

/* domain=DOMAIN,CIDR[,local] or domain=DOMAIN,START,END: the domain for
 * hosts names in that range (expand-hosts); with local, the domain and
 * the reverse zone of the subnet are also local, as local=/DOMAIN/ is.
 * An interface name (dnsmasq's domain=DOMAIN,IFNAME) matters only to
 * DHCP. */
static int
add_subdomain(struct conf_parser *p, struct dnsd_conf *c, const char *dom, int argc,
    char **argv)
{
	struct dnsd_subdomain	*s;
	struct netaddr		 net, lo, hi;
	int			 prefixlen, local = 0, n = argc;

	if (n > 1 && strcmp(argv[n - 1], "local") == 0) {
		local = 1;
		n--;
	}
	if (n == 1 && netaddr_parse_cidr(argv[0], &net, &prefixlen) == 0)
		range_of(&net, prefixlen, &lo, &hi);
	else if (n == 2 && netaddr_parse(argv[0], &lo) == 0 && netaddr_parse(argv[1], &hi) == 0 &&
	    lo.family == hi.family) {
		/* dnsmasq adds the local domain for a subnet only. */
		if (local)
			conf_warn(p, "domain: \"local\" needs ADDRESS/PREFIX, not a range; "
			    "ignored");
		local = 0;
	}
	else if (n == 1 && netaddr_parse(argv[0], &lo) == -1 && strchr(argv[0], '/') == NULL) {
		conf_warn(p, "domain: the interface \"%s\" matters only to DHCP, which dnsd "
		    "does not serve; ignored", argv[0]);
		return 0;
	} else {
		conf_error(p, "domain: \"%s\": expected DOMAIN,ADDRESS/PREFIX or "
		    "DOMAIN,START,END, with ,local at the end for a local domain", argv[0]);
		return -1;
	}
	if (c->nsubdomains == DNSD_SUBDOMAINS_MAX) {
		conf_error(p, "domain: more than %d domains with address ranges",
		    DNSD_SUBDOMAINS_MAX);
		return -1;
	}
	s = &c->subdomains[c->nsubdomains++];
	(void)records_strlcpy(s->domain, dom, sizeof(s->domain));
	s->lo = lo;
	s->hi = hi;
	if (!local)
		return 0;
	if (add_server(p, c, ROUTE_LOCAL, dom, NULL, 0) == -1)
		return -1;
	return add_reverse_zone(p, c, &net, prefixlen);
}

static int
h_domain(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	char			 dom[DNSD_NAME_MAX];

	if (strcmp(argv[0], "#") == 0) {
		conf_warn(p, "domain=#: taking the domain from resolv.conf is not supported; ignored");
		return 0;
	}
	if (get_domain(p, argv[0], dom) == -1)
		return -1;
	if (argc > 1)
		return add_subdomain(p, c, dom, argc - 1, argv + 1);
	(void)records_strlcpy(c->domain, dom, sizeof(c->domain));
	return 0;
}

static int
h_domain_needed(struct conf_parser *p, int argc, char **argv, void *t)
{
	((struct dnsd_conf *)t)->domain_needed_at = origin_of(p);
	return set_flag(p, &((struct dnsd_conf *)t)->domain_needed);
}

static int
h_dns_forward_max(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 1, DNSD_FORWARD_MAX, &((struct dnsd_conf *)t)->forward_max);
}

static int
h_edns_packet_max(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 512, 4096, &((struct dnsd_conf *)t)->edns_packet_max);
}

static int
h_expand_hosts(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->expand_hosts);
}

static int
h_group(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	return set_path(p, c->group, sizeof(c->group), argc > 0 ? argv[0] : "");
}

static int
h_help(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->help);
}

/* host-record=NAME[,NAME...],[IPv4],[IPv6][,TTL] */
static int
h_host_record(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	struct netaddr		 addrs[5];	/* a fifth is parsed, then rejected */
	char			 names[8][DNSD_NAME_MAX];
	int			 nnames = 0, naddrs = 0, i, j;
	uint32_t		 ttl = UINT32_MAX;

	for (i = 0; i < argc; i++) {
		if (netaddr_parse(argv[i], &addrs[naddrs]) == 0) {
			if (naddrs == 4) {
				conf_error(p, "host-record: more than 4 addresses");
				return -1;
			}
			naddrs++;
		} else if (naddrs > 0 && i == argc - 1 && is_ttl(argv[i])) {
			if (get_ttl(p, argv[i], &ttl) == -1)
				return -1;
		} else if (naddrs > 0) {
			conf_error(p, "host-record: invalid address \"%s\"", argv[i]);
			return -1;
		} else {
			if (nnames == 8) {
				conf_error(p, "host-record: more than 8 names");
				return -1;
			}
			if (get_name(p, argv[i], names[nnames]) == -1)
				return -1;
			nnames++;
		}
	}
	if (nnames == 0 || naddrs == 0) {
		conf_error(p, "host-record: expected NAME[,NAME...],ADDRESS[,ADDRESS][,TTL]");
		return -1;
	}
	for (i = 0; i < nnames; i++)
		for (j = 0; j < naddrs; j++) {
			memset(&r, 0, sizeof(r));
			r.owner = names[i];
			r.type = addrs[j].family == AF_INET ? 1 : 28;
			r.addr = addrs[j];
			r.ttl = ttl;
			/* The PTR goes to the first name (pref 1 marks it). */
			r.pref = i == 0;
			if (add_record(p, t, &r) == -1)
				return -1;
		}
	return 0;
}

/* Add interface names to list (n of them so far), for interface= and
 * except-interface=. */
static int
add_ifnames(struct conf_parser *p, int argc, char **argv, char (*list)[32], int *n)
{
	int	i;

	for (i = 0; i < argc; i++) {
		if (*n == DNSD_LISTEN_MAX) {
			conf_error(p, "%s: more than %d interfaces", p->keyword, DNSD_LISTEN_MAX);
			return -1;
		}
		if (strchr(argv[i], '*') != NULL) {
			conf_error(p, "%s: wildcard \"%s\" is not supported", p->keyword, argv[i]);
			return -1;
		}
		if (set_path(p, list[*n], sizeof(list[0]), argv[i]) == -1)
			return -1;
		(*n)++;
	}
	return 0;
}

static int
h_interface(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	return add_ifnames(p, argc, argv, c->interfaces, &c->ninterfaces);
}

static int
h_except_interface(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	return add_ifnames(p, argc, argv, c->except_interfaces, &c->nexcept_interfaces);
}

static int
h_keep_in_foreground(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->foreground);
}

static int
h_listen_address(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	int			 i;

	for (i = 0; i < argc; i++) {
		if (c->nlisten == DNSD_LISTEN_MAX) {
			conf_error(p, "listen-address: more than %d addresses", DNSD_LISTEN_MAX);
			return -1;
		}
		if (netaddr_parse(argv[i], &c->listen[c->nlisten]) == -1) {
			conf_error(p, "listen-address: invalid address \"%s\"", argv[i]);
			return -1;
		}
		c->nlisten++;
	}
	return 0;
}

static int
h_local_ttl(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 0, INT32_MAX, &((struct dnsd_conf *)t)->local_ttl);
}

static int
h_log_queries(struct conf_parser *p, int argc, char **argv, void *t)
{
	if (argc > 0 && strcmp(argv[0], "extra") != 0 && strcmp(argv[0], "proto") != 0 &&
	    strcmp(argv[0], "auth") != 0) {
		conf_error(p, "log-queries: invalid value \"%s\"; expected extra, proto or auth",
		    argv[0]);
		return -1;
	}
	return set_flag(p, &((struct dnsd_conf *)t)->log_queries);
}

/* mx-host=NAME[[,HOST],PREF] */
static int
h_max_cache_ttl(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 0, INT32_MAX, &((struct dnsd_conf *)t)->max_cache_ttl);
}

static int
h_max_ttl(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 0, INT32_MAX, &((struct dnsd_conf *)t)->max_ttl);
}

static int
h_min_cache_ttl(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 0, 3600, &((struct dnsd_conf *)t)->min_cache_ttl);
}

static int
h_mx_host(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	char			 owner[DNSD_NAME_MAX], target[DNSD_NAME_MAX];
	long			 pref = 1;

	memset(&r, 0, sizeof(r));
	r.type = 15;
	r.ttl = UINT32_MAX;
	if (get_name(p, argv[0], owner) == -1)
		return -1;
	/* Without a host the mail goes to this host, as in dnsmasq (which
	 * also has mx-target for the default; dnsd does not). */
	if (gethostname(target, sizeof(target)) == -1 || records_canon(target, target) == -1 ||
	    !records_valid_name(target))
		(void)records_strlcpy(target, owner, sizeof(target));
	if (argc == 2 && is_ttl(argv[1])) {
		if (conf_int(p, argv[1], 0, 65535, &pref) == -1)
			return -1;
	} else if (argc >= 2) {
		if (get_name(p, argv[1], target) == -1)
			return -1;
		if (argc == 3 && conf_int(p, argv[2], 0, 65535, &pref) == -1)
			return -1;
	}
	r.owner = owner;
	r.target = target;
	r.pref = (uint16_t)pref;
	return add_record(p, t, &r);
}

static int
h_neg_ttl(struct conf_parser *p, int argc, char **argv, void *t)
{
	return conf_int(p, argv[0], 0, INT32_MAX, &((struct dnsd_conf *)t)->neg_ttl);
}

static int
h_no_daemon(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->debug);
}

static int
h_no_hosts(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->no_hosts);
}

static int
h_no_negcache(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->no_negcache);
}

/* no-poll and clear-on-reload: dnsd never polls resolv.conf and always
 * clears its cache on SIGHUP, so these already hold. */
static int
h_nothing(struct conf_parser *p, int argc, char **argv, void *t)
{
	return 0;
}

static int
h_no_resolv(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->no_resolv);
}

static int
h_pid_file(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	/* An empty value means no pid file, as in dnsmasq. */
	return set_path(p, c->pid_file, sizeof(c->pid_file), argc > 0 ? argv[0] : "");
}

static int
h_port(struct conf_parser *p, int argc, char **argv, void *t)
{
	long	v;

	if (conf_int(p, argv[0], 1, 65535, &v) == -1)
		return -1;
	((struct dnsd_conf *)t)->port = (uint16_t)v;
	return 0;
}

/* ptr-record=NAME[,TARGET] */
static int
h_ptr_record(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	char			 owner[DNSD_NAME_MAX], target[DNSD_NAME_MAX];

	memset(&r, 0, sizeof(r));
	r.type = 12;
	r.ttl = UINT32_MAX;
	if (get_name(p, argv[0], owner) == -1)
		return -1;
	if (argc < 2) {
		conf_warn(p, "ptr-record: \"%s\" without a target is not supported; ignored",
		    argv[0]);
		return 0;
	}
	if (get_name(p, argv[1], target) == -1)
		return -1;
	r.owner = owner;
	r.target = target;
	return add_record(p, t, &r);
}

static int
h_resolv_file(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	if (argc == 0 || argv[0][0] == '\0')
		return set_flag(p, &c->no_resolv);
	return set_path(p, c->resolv_file, sizeof(c->resolv_file), argv[0]);
}

/* srv-host=_SERVICE._PROT.[DOMAIN],[TARGET[,PORT[,PRIORITY[,WEIGHT]]]] */
static int
h_srv_host(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	char			 owner[DNSD_NAME_MAX], target[DNSD_NAME_MAX];
	long			 port = 1, prio = 0, weight = 0;	/* dnsmasq's defaults */

	memset(&r, 0, sizeof(r));
	r.type = 33;
	r.ttl = UINT32_MAX;
	if (get_name(p, argv[0], owner) == -1)
		return -1;
	/* No target: the service is decidedly not available (RFC 2782). */
	target[0] = '\0';
	if (argc > 1 && get_name(p, argv[1], target) == -1)
		return -1;
	if (argc > 2 && conf_int(p, argv[2], 0, 65535, &port) == -1)
		return -1;
	if (argc > 3 && conf_int(p, argv[3], 0, 65535, &prio) == -1)
		return -1;
	if (argc > 4 && conf_int(p, argv[4], 0, 65535, &weight) == -1)
		return -1;
	r.owner = owner;
	r.target = target;
	r.port = (uint16_t)port;
	r.pref = (uint16_t)prio;
	r.weight = (uint16_t)weight;
	return add_record(p, t, &r);
}

static int
h_local_service(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->local_service);
}

/* log-facility=NAME (syslog), =- (stderr) or =PATH (a file: it has a
 * '/'), as in dnsmasq. */
static int
h_log_facility(struct conf_parser *p, int argc, char **argv, void *t)
{
	static const struct {
		char		name[9];
		unsigned char	facility;	/* LOG_AUTH to LOG_LOCAL7 fit in a byte */
	} names[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV }, { "cron", LOG_CRON },
		{ "daemon", LOG_DAEMON }, { "ftp", LOG_FTP }, { "kern", LOG_KERN },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL }, { "news", LOG_NEWS }, { "syslog", LOG_SYSLOG },
		{ "user", LOG_USER }, { "uucp", LOG_UUCP },
	};
	struct dnsd_conf	*c = t;
	size_t			 i;

	c->log_file[0] = '\0';
	if (strcmp(argv[0], "-") == 0) {
		c->log_facility = -1;
		return 0;
	}
	if (strchr(argv[0], '/') != NULL)
		return set_path(p, c->log_file, sizeof(c->log_file), argv[0]);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(argv[0], names[i].name) == 0) {
			c->log_facility = names[i].facility;
			return 0;
		}
	conf_error(p, "log-facility: unknown facility \"%s\"; use DAEMON, LOCAL0 to "
	    "LOCAL7 or another syslog facility, - for stderr, or a file path", argv[0]);
	return -1;
}

static int
h_stop_dns_rebind(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->stop_dns_rebind);
}

static int
h_rebind_localhost_ok(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->rebind_localhost_ok);
}

/* rebind-domain-ok=/DOMAIN/[DOMAIN/...] or rebind-domain-ok=DOMAIN. */
static int
h_rebind_domain_ok(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;
	char			 doms[8][DNSD_NAME_MAX];
	const char		*value = p->value != NULL ? p->value : argv[0];
	const char		*rest;
	int			 n, i;

	if (value[0] == '/') {
		if ((n = split_domains(p, value, doms, 8, &rest)) == -1)
			return -1;
		if (*rest != '\0') {
			conf_error(p, "rebind-domain-ok: \"%s\": expected /DOMAIN/[DOMAIN/...]",
			    value);
			return -1;
		}
	} else {
		if (get_domain(p, value, doms[0]) == -1)
			return -1;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		if (c->nrebind_ok == DNSD_REBIND_OK_MAX) {
			conf_error(p, "rebind-domain-ok: more than %d domains", DNSD_REBIND_OK_MAX);
			return -1;
		}
		(void)records_strlcpy(c->rebind_ok[c->nrebind_ok++], doms[i], DNSD_NAME_MAX);
	}
	return 0;
}

static int
h_strict_order(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->strict_order);
}

static int
h_test(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->test_only);
}

/* txt-record=NAME[[,TEXT],TEXT]: each TEXT is one character-string. */
static int
h_txt_record(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_confrec	 r;
	char			 owner[DNSD_NAME_MAX];
	unsigned char		 wire[4096];
	size_t			 len = 0, n;
	int			 i;

	memset(&r, 0, sizeof(r));
	r.type = 16;
	r.ttl = UINT32_MAX;
	if (get_name(p, argv[0], owner) == -1)
		return -1;
	for (i = 1; i < argc; i++) {
		n = strlen(argv[i]);
		if (n > 255) {
			conf_error(p, "txt-record: a text is longer than 255 bytes; split it "
			    "at a comma");
			return -1;
		}
		if (len + 1 + n > sizeof(wire)) {
			conf_error(p, "txt-record: texts longer than %zu bytes in all", sizeof(wire));
			return -1;
		}
		wire[len++] = (unsigned char)n;
		memcpy(wire + len, argv[i], n);
		len += n;
	}
	if (argc == 1)
		wire[len++] = 0;	/* one empty string */
	r.owner = owner;
	r.text = (char *)wire;
	r.textlen = len;
	return add_record(p, t, &r);
}

static int
h_user(struct conf_parser *p, int argc, char **argv, void *t)
{
	struct dnsd_conf	*c = t;

	c->user_set = 1;
	return set_path(p, c->user, sizeof(c->user), argc > 0 ? argv[0] : "");
}

const char *
dnsconf_run_user(const struct dnsd_conf *c, conf_sink sink, void *sinkarg)
{
	if (c->user[0] == '\0' || strcmp(c->user, "root") == 0)
		return NULL;
	if (c->user_set || getpwnam(c->user) != NULL)
		return c->user;
	dnsconf_report(sink, sinkarg, 0, "user %s does not exist, so dnsd runs as %s as "
	    "dnsmasq does; create the user %s, or choose one with user=", c->user,
	    DNSD_FALLBACK_USER, c->user);
	return DNSD_FALLBACK_USER;
}

static int
h_version(struct conf_parser *p, int argc, char **argv, void *t)
{
	return set_flag(p, &((struct dnsd_conf *)t)->version);
}

/*
 * Copy r (whose strings belong to the caller) to the end of c->records.
 * The array doubles when its count reaches a power of two, so nrecords
 * gives its capacity and a long config needs no realloc per line.
 */
static int
add_record(struct conf_parser *p, struct dnsd_conf *c, const struct dnsd_confrec *r)
{
	struct dnsd_confrec	*n, *recs;
	size_t			 count = c->nrecords;

	if ((count & (count - 1)) == 0) {
		recs = realloc(c->records, (count == 0 ? 1 : 2 * count) * sizeof(*recs));
		if (recs == NULL) {
			conf_error(p, "%s: out of memory", p->keyword);
			return -1;
		}
		c->records = recs;
	}
	n = &c->records[count];
	*n = *r;
	n->origin = origin_of(p);
	n->target = NULL;
	n->text = NULL;
	if ((n->owner = strdup(r->owner)) == NULL ||
	    (r->target != NULL && (n->target = strdup(r->target)) == NULL) ||
	    (r->text != NULL && (n->text = malloc(r->textlen)) == NULL)) {
		conf_error(p, "%s: out of memory", p->keyword);
		free(n->owner);
		free(n->target);
		return -1;
	}
	if (r->text != NULL)
		memcpy(n->text, r->text, r->textlen);
	c->nrecords++;
	return 0;
}

/*
 * The options that dnsd implements, sorted by name (strcmp), with
 * dnsmasq's single letter for some.  With the names below,
 * dnsconf_table_new makes the table the parser searches.
 */
static const struct {
	const char	*name;
	signed char	 min_args;
	signed char	 max_args;	/* -1: no maximum */
	char		 letter;	/* -LETTER on the command line, or 0 */
	char		 letter_value;	/* 1: -LETTER takes a value */
	conf_handler	 handler;
} handled[] = {
	{ "addn-hosts", 1, 1, 'H', 1, h_addn_hosts },
	{ "address", 1, -1, 0, 0, h_address },
	{ "all-servers", 0, 0, 0, 0, h_all_servers },
	{ "bind-dynamic", 0, 0, 0, 0, h_bind_interfaces },
	{ "bind-interfaces", 0, 0, 'z', 0, h_bind_interfaces },
	{ "bogus-priv", 0, 0, 'b', 0, h_bogus_priv },
	{ "cache-size", 1, 1, 'c', 1, h_cache_size },
	{ "clear-on-reload", 0, 0, 0, 0, h_nothing },
	{ "cname", 2, -1, 0, 0, h_cname },
	{ "conf-dir", 1, -1, '7', 1, h_conf_dir },
	{ "conf-file", 1, 1, 'C', 1, h_conf_file },
	{ "dns-forward-max", 1, 1, 0, 0, h_dns_forward_max },
	{ "domain", 1, 4, 's', 1, h_domain },
	{ "domain-needed", 0, 0, 'D', 0, h_domain_needed },
	{ "edns-packet-max", 1, 1, 'P', 1, h_edns_packet_max },
	{ "except-interface", 1, -1, 0, 0, h_except_interface },
	{ "expand-hosts", 0, 0, 'E', 0, h_expand_hosts },
	{ "group", 0, 1, 'g', 1, h_group },
	{ "help", 0, 0, 'w', 0, h_help },
	{ "host-record", 2, -1, 0, 0, h_host_record },
	{ "hostsdir", 1, 1, 0, 0, h_hostsdir },
	{ "interface", 1, -1, 'i', 1, h_interface },
	{ "keep-in-foreground", 0, 0, 'k', 0, h_keep_in_foreground },
	{ "listen-address", 1, -1, 'a', 1, h_listen_address },
	{ "local", 1, -1, 0, 0, h_server },
	{ "local-service", 0, 0, 0, 0, h_local_service },
	{ "local-ttl", 1, 1, 'T', 1, h_local_ttl },
	{ "log-facility", 1, 1, 0, 0, h_log_facility },
	{ "log-queries", 0, 1, 'q', 0, h_log_queries },
	{ "max-cache-ttl", 1, 1, 0, 0, h_max_cache_ttl },
	{ "max-ttl", 1, 1, 0, 0, h_max_ttl },
	{ "min-cache-ttl", 1, 1, 0, 0, h_min_cache_ttl },
	{ "mx-host", 1, 3, 'm', 1, h_mx_host },
	{ "neg-ttl", 1, 1, 0, 0, h_neg_ttl },
	{ "no-daemon", 0, 0, 'd', 0, h_no_daemon },
	{ "no-hosts", 0, 0, 'h', 0, h_no_hosts },
	{ "no-negcache", 0, 0, 'N', 0, h_no_negcache },
	{ "no-poll", 0, 0, 'n', 0, h_no_poll },
	{ "no-resolv", 0, 0, 'R', 0, h_no_resolv },
	{ "pid-file", 0, 1, 'x', 1, h_pid_file },
	{ "port", 1, 1, 'p', 1, h_port },
	{ "ptr-record", 1, 2, 0, 0, h_ptr_record },
	{ "rebind-domain-ok", 1, 1, 0, 0, h_rebind_domain_ok },
	{ "rebind-localhost-ok", 0, 0, 0, 0, h_rebind_localhost_ok },
	{ "resolv-file", 0, 1, 'r', 1, h_resolv_file },
	{ "server", 1, -1, 'S', 1, h_server },
	{ "srv-host", 1, 5, 'W', 1, h_srv_host },
	{ "stop-dns-rebind", 0, 0, 0, 0, h_stop_dns_rebind },
	{ "strict-order", 0, 0, 'o', 0, h_strict_order },
	{ "test", 0, 0, 0, 0, h_test },
	{ "txt-record", 1, -1, 'Y', 1, h_txt_record },
	{ "user", 0, 1, 'u', 1, h_user },
	{ "version", 0, 0, 'v', 0, h_version },
};

/*
 * The other dnsmasq options, each list sorted by name and ended by an
 * empty name.  Each is recognised and logs one warning, with the note of
 * its list, saying it is ignored.  A name here costs its bytes only, where
 * a row of struct conf_directive costs 32 bytes on a 64-bit machine.
 */
static const char unsupported_dns[] =
	"add-cpe-id\0" "add-mac\0" "add-subnet\0" "alias\0" "auth-peer\0"
	"auth-sec-servers\0" "auth-server\0" "auth-soa\0" "auth-ttl\0" "auth-zone\0"
	"bogus-nxdomain\0" "caa-record\0" "cache-rr\0" "conf-script\0"
	"connmark-allowlist\0" "connmark-allowlist-enable\0" "conntrack\0"
	"dns-loop-detect\0" "dns-rr\0" "dnssec\0" "dnssec-check-unsigned\0"
	"dnssec-debug\0" "dnssec-limits\0" "dnssec-no-timecheck\0" "dnssec-timestamp\0"
	"dumpfile\0" "dumpmask\0" "dynamic-host\0" "enable-dbus\0" "enable-ubus\0"
	"fast-dns-retry\0" "filter-A\0" "filter-AAAA\0" "filter-rr\0" "filterwin2k\0"
	"ignore-address\0" "interface-name\0" "ipset\0" "localise-queries\0" "localmx\0"
	"log-async\0" "log-debug\0" "max-port\0" "max-tcp-connections\0" "min-port\0"
	"mx-target\0" "naptr-record\0" "nftset\0" "no-ident\0" "no-round-robin\0"
	"port-limit\0" "proxy-dnssec\0" "query-port\0" "rev-server\0" "selfmx\0"
	"servers-file\0" "strip-mac\0" "strip-subnet\0" "synth-domain\0" "trust-anchor\0"
	"umbrella\0" "use-stale-cache\0";
static const char unsupported_dhcp[] =
	"bootp-dynamic\0" "bridge-interface\0" "dhcp-alternate-port\0"
	"dhcp-authoritative\0" "dhcp-boot\0" "dhcp-broadcast\0" "dhcp-circuitid\0"
	"dhcp-client-update\0" "dhcp-duid\0" "dhcp-fqdn\0" "dhcp-generate-names\0"
	"dhcp-host\0" "dhcp-hostsdir\0" "dhcp-hostsfile\0" "dhcp-ignore\0"
	"dhcp-ignore-clid\0" "dhcp-ignore-names\0" "dhcp-lease-max\0" "dhcp-leasefile\0"
	"dhcp-luascript\0" "dhcp-mac\0" "dhcp-match\0" "dhcp-name-match\0"
	"dhcp-no-override\0" "dhcp-option\0" "dhcp-option-force\0" "dhcp-optsdir\0"
	"dhcp-optsfile\0" "dhcp-proxy\0" "dhcp-pxe-vendor\0" "dhcp-range\0"
	"dhcp-rapid-commit\0" "dhcp-relay\0" "dhcp-remoteid\0" "dhcp-reply-delay\0"
	"dhcp-script\0" "dhcp-scriptuser\0" "dhcp-sequential-ip\0" "dhcp-subscrid\0"
	"dhcp-ttl\0" "dhcp-userclass\0" "dhcp-vendorclass\0" "enable-ra\0"
	"leasefile-ro\0" "log-dhcp\0" "no-dhcp-interface\0" "no-dhcpv4-interface\0"
	"no-dhcpv6-interface\0" "no-ping\0" "pxe-prompt\0" "pxe-service\0" "quiet-dhcp\0"
	"quiet-dhcp6\0" "quiet-ra\0" "ra-param\0" "read-ethers\0" "script-arp\0"
	"script-on-renewal\0" "shared-network\0" "tag-if\0";
static const char unsupported_tftp[] =
	"enable-tftp\0" "quiet-tftp\0" "tftp-lowercase\0" "tftp-max\0" "tftp-mtu\0"
	"tftp-no-blocksize\0" "tftp-no-fail\0" "tftp-port-range\0" "tftp-root\0"
	"tftp-secure\0" "tftp-single-port\0" "tftp-unique-root\0";

static const struct {
	const char	*names;
	const char	*note;
} unsupported[] = {
	{ unsupported_dns, NULL },
	{ unsupported_dhcp, "dnsd does not serve DHCP" },
	{ unsupported_tftp, "dnsd does not serve TFTP" },
};

static int
compare_directives(const void *a, const void *b)
{
	return strcmp(((const struct conf_directive *)a)->name,
	    ((const struct conf_directive *)b)->name);
}

struct conf_directive *
dnsconf_table_new(size_t *n)
{
	struct conf_directive	*table;
	const char		*name;
	size_t			 count = sizeof(handled) / sizeof(handled[0]), i;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		for (name = unsupported[i].names; *name != '\0'; name += strlen(name) + 1)
			count++;
	if ((table = calloc(count, sizeof(*table))) == NULL)
		return NULL;
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		table[i].name = handled[i].name;
		table[i].min_args = handled[i].min_args;
		table[i].max_args = handled[i].max_args;
		table[i].handler = handled[i].handler;
	}
	*n = i;
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		for (name = unsupported[i].names; *name != '\0'; name += strlen(name) + 1) {
			table[*n].name = name;
			table[*n].max_args = -1;
			table[*n].note = unsupported[i].note;
			(*n)++;
		}
	qsort(table, *n, sizeof(*table), compare_directives);
	return table;
}


static const char *
short_name(char letter, int *arg)
{
	size_t	i;

	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (handled[i].letter == letter) {
			*arg = handled[i].letter_value;
			return handled[i].name;
		}
	return NULL;
}

/* Hand "name" or "name=value" from the command line to the parser. */
static void
cmdline_directive(struct conf_parser *p, int argi, const char *name, const char *value)
{
	char	line[CONF_LINE_MAX];
	int	n;

	if (value != NULL)
		n = snprintf(line, sizeof(line), "%s=%s", name, value);
	else
		n = snprintf(line, sizeof(line), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		p->file = CMDLINE;
		p->line = argi;
		p->keyword = name;
		conf_error(p, "--%s: value longer than %d bytes", name, CONF_LINE_MAX - 1);
		return;
	}
	conf_parse_line(p, CMDLINE, argi, line);
}

static void
cmdline_error(struct conf_parser *p, int argi, const char *fmt, const char *arg)
{
	p->file = CMDLINE;
	p->line = argi;
	p->keyword = "";
	conf_error(p, fmt, arg);
}

/* Read a config file named by -C; the first one names the config in messages. */
static void
main_file(struct conf_parser *p, const char *path, int nth)
{
	struct dnsd_conf	*c = p->target;

	if (nth == 1)
		(void)records_strlcpy(c->conf_file, path, sizeof(c->conf_file));
	(void)conf_parse_file(p, path);
}

/* A walk over argv.  Pass 1 (main_files set) only reads the -C files;
 * pass 2 hands every other option to the parser. */
struct cmdline {
	struct conf_parser	*p;
	int			 argc;
	char			**argv;
	int			 i;		/* argument being read */
	int			 main_files;
	int			 files;		/* -C options seen */
};

static void
cmdline_option(struct cmdline *w, const char *name, const char *value)
{
	if (strcmp(name, "conf-file") == 0) {
		w->files++;
		if (w->main_files && value != NULL)
			main_file(w->p, value, w->files);
	} else if (!w->main_files)
		cmdline_directive(w->p, w->i, name, value);
}

/* --name=value, --name value (when the option takes one), or --name. */
static void
cmdline_long(struct cmdline *w, const char *a)
{
	const struct conf_directive	*d;
	const char			*eq, *value = NULL;
	char				 name[64];
	size_t				 len;

	eq = strchr(a + 2, '=');
	len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
	d = NULL;
	if (len < sizeof(name)) {
		memcpy(name, a + 2, len);
		name[len] = '\0';
		d = conf_lookup(w->p->table, w->p->ntable, name, CONF_DNSMASQ);
	}
	if (d == NULL) {
		if (!w->main_files)
			cmdline_error(w->p, w->i, "unknown option \"%s\"; see --help", a);
		return;
	}
	if (eq != NULL)
		value = eq + 1;
	else if (d->min_args > 0 && w->i + 1 < w->argc)
		value = w->argv[++w->i];
	cmdline_option(w, name, value);
}

/* -k, -kd, -p 5353, -p5353: letters, the last of which may take a value. */
static void
cmdline_short(struct cmdline *w, const char *a)
{
	const char	*name, *value;
	char		 letter[3];
	int		 j, takes;

	for (j = 1; a[j] != '\0'; j++) {
		if ((name = short_name(a[j], &takes)) == NULL) {
			if (!w->main_files) {
				snprintf(letter, sizeof(letter), "-%c", a[j]);
				cmdline_error(w->p, w->i, "unknown option \"%s\"; see --help",
				    letter);
			}
			continue;
		}
		if (!takes) {
			cmdline_option(w, name, NULL);
			continue;
		}
		value = NULL;
		if (a[j + 1] != '\0')
			value = a + j + 1;
		else if (w->i + 1 < w->argc)
			value = w->argv[++w->i];
		if (value != NULL)
			cmdline_option(w, name, value);
		else if (!w->main_files)
			cmdline_error(w->p, w->i, "option %s needs a value", a);
		return;
	}
}

/* Returns the number of -C options. */
static int
walk_cmdline(struct conf_parser *p, int argc, char **argv, int main_files)
{
	struct cmdline	w = { p, argc, argv, 1, main_files, 0 };
	const char	*a;

	for (; w.i < argc; w.i++) {
		a = argv[w.i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			if (!main_files)
				cmdline_error(p, w.i, "unexpected argument \"%s\"", a);
		} else if (a[1] == '-')
			cmdline_long(&w, a);
		else
			cmdline_short(&w, a);
	}
	return w.files;
}

int
dnsconf_load(struct dnsd_conf *c, int argc, char **argv, conf_sink sink, void *sinkarg)
{
	struct conf_parser	 p;
	struct conf_directive	*table;
	size_t			 ntable = 0;
	int			 i;

	table = dnsconf_table_new(&ntable);
	conf_init(&p, CONF_DNSMASQ, table, ntable, c);
	p.sink = sink;
	p.sink_arg = sinkarg;
	if (table == NULL) {
		conf_error(&p, "out of memory for the option table");
		return p.errors;
	}

	/* -C files first: the other command-line options override them. */
	if (walk_cmdline(&p, argc, argv, 1) == 0) {
		for (i = 1; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-w") == 0 ||
			    strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0)
				break;
		/* As in dnsmasq, a missing default file means no options. */
		if (i == argc && access(c->conf_file, F_OK) == 0)
			(void)conf_parse_file(&p, c->conf_file);
	}
	(void)walk_cmdline(&p, argc, argv, 0);
	free(table);
	return p.errors + dnsconf_check(c, sink, sinkarg);
}

void
dnsconf_report(conf_sink sink, void *arg, int is_error, const char *fmt, ...)
{
	char	msg[1280];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sink != NULL)
		sink(arg, is_error, msg);
	else
		log_warnx("%s", msg);
}

int
dnsconf_check(struct dnsd_conf *c, conf_sink sink, void *sinkarg)
{
	if (c->expand_hosts && c->domain[0] == '\0' && c->nsubdomains == 0)
		dnsconf_report(sink, sinkarg, 0, "%s: expand-hosts has no effect without domain=",
		    c->conf_file);
	if (c->nlisten == 0 && c->ninterfaces == 0 && c->bind_interfaces)
		dnsconf_report(sink, sinkarg, 0, "%s: bind-interfaces without listen-address or "
		    "interface: dnsd listens on loopback only", c->conf_file);
	return 0;
}

/* Whether a name server on port 53 at addr would be dnsd itself. */
static int
is_self(const struct dnsd_conf *c, const struct netaddr *addr)
{
	int	i;

	if (c->port != 53)
		return 0;
	for (i = 0; i < c->nlisten; i++)
		if (netaddr_equal(&c->listen[i], addr))
			return 1;
	return 0;
}

/* Add "nameserver ADDR" lines of resolv.conf as default upstreams, except
 * the addresses dnsd listens on: a host that runs dnsd usually names
 * itself there (nameserver 127.0.0.1), and forwarding to itself loops. */
int
dnsconf_read_resolv(struct dnsd_conf *c)
{
	FILE		*f;
	char		 line[512], *kw, *val, *save;
	struct netaddr	 addr;
	int		 lineno = 0;

	if (c->no_resolv)
		return 0;
	if (c->resolv_first < 0)
		c->resolv_first = c->nservers;
	else
		c->nservers = c->resolv_first;
	if ((f = fopen(c->resolv_file, "r")) == NULL) {
		log_warn("%s", c->resolv_file);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((kw = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    strcmp(kw, "nameserver") != 0)
			continue;
		if ((val = strtok_r(NULL, " \t\r\n", &save)) == NULL ||
		    netaddr_parse(val, &addr) == -1) {
			log_warnx("%s: ignoring an invalid nameserver line", c->resolv_file);
			continue;
		}
		if (is_self(c, &addr)) {
			log_info("%s: ignoring nameserver %s: dnsd listens there itself",
			    c->resolv_file, val);
			continue;
		}
		if (c->nservers == DNSD_SERVERS_MAX) {
			log_warnx("%s: more than %d servers; the rest are ignored",
			    c->resolv_file, DNSD_SERVERS_MAX);
			break;
		}
		c->servers[c->nservers].origin = origin_at(c, c->resolv_file, lineno);
		c->servers[c->nservers].route = ROUTE_FORWARD;
		c->servers[c->nservers].domain[0] = '\0';
		c->servers[c->nservers].addr = addr;
		c->servers[c->nservers].port = 53;
		c->nservers++;
	}
	fclose(f);
	return 0;
}
