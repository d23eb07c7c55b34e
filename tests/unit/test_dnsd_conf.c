/* test_dnsd_conf.c -- dnsd's options: the dnsmasq.conf table, the reference config, errors. */
#include "testutil.h"

#include <syslog.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "../../applets/dnsd/dnsd.h"
#include "dnswire.h"

struct messages {
	int	n;
	int	errors;
	char	text[16][512];
};

static void
collect(void *arg, int is_error, const char *msg)
{
	struct messages	*m = arg;

	if (m->n < 16)
		snprintf(m->text[m->n++], sizeof(m->text[0]), "%s%s", is_error ? "E " : "W ", msg);
	m->errors += is_error;
}

/* Whether some message contains s. */
static int
has_message(const struct messages *m, const char *s)
{
	int	i;

	for (i = 0; i < m->n; i++)
		if (strstr(m->text[i], s) != NULL)
			return 1;
	return 0;
}

static char	tmpdir[64];
static char	progname[] = "dnsd";

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_dnsd_conf.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text to a file in tmpdir; returns its path (static buffer). */
static char *
write_file(const char *name, const char *text)
{
	static char	path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load the command line args (NULL-terminated, argv[0] added). */
static int
load(struct dnsd_conf *c, struct messages *m, char *const *args)
{
	char	*argv[32];
	int	 argc = 0;

	memset(m, 0, sizeof(*m));
	argv[argc++] = progname;
	while (*args != NULL && argc < 31)
		argv[argc++] = *args++;
	argv[argc] = NULL;
	dnsconf_defaults(c);
	return dnsconf_load(c, argc, argv, collect, m);
}

/* The user dnsd switches to: dnsd by default, nobody when that user does
 * not exist, and exactly what user= names. */
static void
test_run_user(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*none[] = { NULL };
	char			*named[] = { "--user=edgebox-no-such-user", NULL };
	char			*root[] = { "--user=root", NULL };
	char			*empty[] = { "--user=", NULL };

	assert_int_equal(load(&c, &m, none), 0);
	assert_string_equal(c.user, "dnsd");
	assert_int_equal(c.user_set, 0);

	/* The default user is missing: nobody, with a warning naming the fix. */
	strcpy(c.user, "edgebox-no-such-user");
	memset(&m, 0, sizeof(m));
	assert_string_equal(dnsconf_run_user(&c, collect, &m), "nobody");
	assert_int_equal(m.n, 1);
	assert_int_equal(m.errors, 0);
	assert_true(has_message(&m, "user edgebox-no-such-user does not exist"));
	assert_true(has_message(&m, "user="));

	/* The default user exists: no warning. */
	strcpy(c.user, "root");
	assert_null(dnsconf_run_user(&c, collect, &m));
	strcpy(c.user, "nobody");
	memset(&m, 0, sizeof(m));
	assert_string_equal(dnsconf_run_user(&c, collect, &m), "nobody");
	assert_int_equal(m.n, 0);

	/* user= names a missing user: no fallback, privs_drop reports it. */
	assert_int_equal(load(&c, &m, named), 0);
	assert_int_equal(c.user_set, 1);
	assert_string_equal(dnsconf_run_user(&c, collect, &m), "edgebox-no-such-user");
	assert_int_equal(m.n, 0);

	/* user=root and an empty user= keep root. */
	assert_int_equal(load(&c, &m, root), 0);
	assert_null(dnsconf_run_user(&c, collect, &m));
	assert_int_equal(load(&c, &m, empty), 0);
	assert_null(dnsconf_run_user(&c, collect, &m));
	assert_int_equal(m.n, 0);
}

static void
test_table_sorted(void **state)
{
	struct conf_directive	*table;
	size_t			 n;

	table = dnsconf_table_new(&n);
	assert_non_null(table);
	assert_true(conf_table_sorted(table, n));
	assert_true(n <= CONF_TABLE_MAX);
	free(table);
}

static void
test_reference_config(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*args[] = { "-C", "tests/data/dnsmasq.conf", NULL };
	char			buf[NETADDR_STRLEN];

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(c.nservers, 2);
	assert_int_equal(c.servers[0].route, ROUTE_LOCAL);
	assert_string_equal(c.servers[0].domain, "edge.example.org");
	assert_int_equal(c.servers[1].route, ROUTE_FORWARD);
	assert_string_equal(c.servers[1].domain, "");
	assert_string_equal(netaddr_format(&c.servers[1].addr, buf), "8.8.8.8");
	assert_int_equal(c.servers[1].port, 53);
	assert_int_equal(c.nlisten, 2);
	assert_string_equal(netaddr_format(&c.listen[0], buf), "192.168.6.200");
	assert_string_equal(netaddr_format(&c.listen[1], buf), "127.0.0.1");
	assert_true(c.expand_hosts);
	assert_string_equal(c.domain, "edge.example.org");
	assert_int_equal(c.cache_size, 1000);
	assert_int_equal(c.port, 53);
	assert_false(c.no_hosts);
	dnsconf_free(&c);
}

static void
test_defaults(void **state)
{
	struct dnsd_conf	c;

	dnsconf_defaults(&c);
	assert_int_equal(c.cache_size, DNSD_CACHE_DEFAULT);
	assert_int_equal(c.local_ttl, 0);
	assert_int_equal(c.neg_ttl, -1);
	assert_int_equal(c.port, 53);
	assert_int_equal(c.edns_packet_max, 1232);
	assert_string_equal(c.conf_file, "/etc/edgebox/dnsd.conf");
}

static void
test_command_line(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("cl.conf", "cache-size=100\nport=53\n"
	    "max-ttl=60\nmin-cache-ttl=30\nmax-cache-ttl=3600\n");
	char			*args[] = { "-C", conf, "--cache-size=500", "-p", "5353", "-h",
	    "-kd", "--server=10.0.0.1#5300", "--log-queries", "-q", "--test", NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.cache_size, 500);	/* the command line wins */
	assert_int_equal(c.port, 5353);
	assert_true(c.no_hosts);
	assert_true(c.foreground);
	assert_true(c.debug);
	assert_true(c.log_queries);
	assert_true(c.test_only);
	assert_int_equal(c.nservers, 1);
	assert_int_equal(c.servers[0].port, 5300);
	assert_int_equal(c.max_ttl, 60);
	assert_int_equal(c.min_cache_ttl, 30);
	assert_int_equal(c.max_cache_ttl, 3600);
	dnsconf_free(&c);
}

/* Each single-letter option sets what its long form sets. */
static void
test_short_options(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			dir[128];
	char			*conf = write_file("short.conf", "");
	char			*flags[] = { "-C", conf, "-DENRbdhknoqzwv", NULL };
	char			*values[] = { "-C", conf, "-H", "/h", "-P", "1400", "-S",
	    "10.0.0.1", "-T", "5", "-W", "_a._tcp.b", "-Y", "t.test", "-a", "127.0.0.1",
	    "-c", "100", "-g", "grp", "-i", "lo", "-m", "mx.test", "-p", "5353", NULL };
	char			*more[] = { "-C", conf, "-r", "/r", "-s", "lan", "-u", "usr",
	    "-x", "/x", "-7", dir, NULL };

	assert_int_equal(load(&c, &m, flags), 0);
	assert_true(c.domain_needed);
	assert_true(c.expand_hosts);
	assert_true(c.no_negcache);
	assert_true(c.no_resolv);
	assert_true(c.bogus_priv);
	assert_true(c.debug);
	assert_true(c.no_hosts);
	assert_true(c.foreground);
	assert_true(c.no_poll);
	assert_true(c.strict_order);
	assert_true(c.log_queries);
	assert_true(c.bind_interfaces);
	assert_true(c.help);
	assert_true(c.version);
	dnsconf_free(&c);

	assert_int_equal(load(&c, &m, values), 0);
	assert_string_equal(c.conf_file, conf);
	assert_int_equal(c.naddn_hosts, 1);
	assert_string_equal(c.addn_hosts[0], "/h");
	assert_int_equal(c.edns_packet_max, 1400);
	assert_int_equal(c.nservers, 1);
	assert_int_equal(c.local_ttl, 5);
	assert_int_equal(c.nrecords, 3);
	assert_int_equal(c.records[0].type, 33);
	assert_int_equal(c.records[1].type, 16);
	assert_int_equal(c.records[2].type, 15);
	assert_int_equal(c.nlisten, 1);
	assert_int_equal(c.cache_size, 100);
	assert_string_equal(c.group, "grp");
	assert_int_equal(c.ninterfaces, 1);
	assert_string_equal(c.interfaces[0], "lo");
	assert_int_equal(c.port, 5353);
	dnsconf_free(&c);

	snprintf(dir, sizeof(dir), "%s/short.d", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	(void)write_file("short.d/a.conf", "max-ttl=77\n");
	assert_int_equal(load(&c, &m, more), 0);
	assert_string_equal(c.resolv_file, "/r");
	assert_string_equal(c.domain, "lan");
	assert_string_equal(c.user, "usr");
	assert_string_equal(c.pid_file, "/x");
	assert_int_equal(c.max_ttl, 77);
	dnsconf_free(&c);
}

static void
test_command_line_errors(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("empty.conf", "");
	char			*args[] = { "-C", conf, "--no-such-option", "-j", "stray",
	    "--port=0", NULL };

	assert_int_equal(load(&c, &m, args), 4);
	assert_true(has_message(&m, "unknown option \"--no-such-option\""));
	assert_true(has_message(&m, "unknown option \"-j\""));
	assert_true(has_message(&m, "unexpected argument \"stray\""));
	assert_true(has_message(&m, "'0' for port"));
	dnsconf_free(&c);
}

static void
test_missing_file(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*args[] = { "-C", "/nonexistent/dnsd.conf", NULL };

	assert_int_equal(load(&c, &m, args), 1);
	assert_true(has_message(&m, "/nonexistent/dnsd.conf"));
}

static void
test_server_forms(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			buf[NETADDR_STRLEN];
	char			*conf = write_file("srv.conf",
	    "server=192.0.2.1\n"
	    "server=192.0.2.2#5353\n"
	    "server=/lab.test/other.test/2001:db8::1#54\n"
	    "server=/priv.test/\n"
	    "local=/LOCAL.Test/\n"
	    "server=/fwd.lab.test/#\n"
	    "server=//192.0.2.9\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.nservers, 8);
	assert_true(c.servers[7].unqualified);
	assert_false(c.servers[0].unqualified);
	assert_string_equal(netaddr_format(&c.servers[0].addr, buf), "192.0.2.1");
	assert_int_equal(c.servers[0].port, 53);
	assert_int_equal(c.servers[1].port, 5353);
	assert_int_equal(c.servers[2].route, ROUTE_FORWARD);
	assert_string_equal(c.servers[2].domain, "lab.test");
	assert_string_equal(c.servers[3].domain, "other.test");
	assert_string_equal(netaddr_format(&c.servers[3].addr, buf), "2001:db8::1");
	assert_int_equal(c.servers[3].port, 54);
	assert_int_equal(c.servers[4].route, ROUTE_LOCAL);
	assert_int_equal(c.servers[5].route, ROUTE_LOCAL);
	assert_string_equal(c.servers[5].domain, "local.test");
	assert_int_equal(c.servers[6].route, ROUTE_DEFAULT);
	dnsconf_free(&c);
}

/* except-interface= lists its names, and entries keep the file and line
 * (or the command line) that set them, for --explain. */
static void
test_except_interface_and_origins(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			want[300];
	char			*conf = write_file("ex.conf",
	    "interface=eth0\n"
	    "except-interface=eth1,eth2\n"
	    "bogus-priv\n"
	    "server=192.0.2.1\n");
	char			*args[] = { "-C", conf, "--domain-needed", NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.nexcept_interfaces, 2);
	assert_string_equal(c.except_interfaces[0], "eth1");
	assert_string_equal(c.except_interfaces[1], "eth2");
	snprintf(want, sizeof(want), "%s:3", conf);
	assert_string_equal(dnsconf_origin_text(&c, c.bogus_priv_at), want);
	snprintf(want, sizeof(want), "%s:4", conf);
	assert_string_equal(dnsconf_origin_text(&c, c.servers[0].origin), want);
	assert_memory_equal(dnsconf_origin_text(&c, c.domain_needed_at), "command line", 12);
	assert_string_equal(dnsconf_origin_text(&c, c.addresses[0].origin), "built in");
	dnsconf_free(&c);
}

static void
test_records(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("rec.conf",
	    "host-record=gw,gw.lab.test,192.0.2.1,2001:db8::1,600\n"
	    "cname=www,web.lab.test,gw\n"
	    "mx-host=lab.test,mail.lab.test,10\n"
	    "srv-host=_ldap._tcp.lab.test,ldap.lab.test,389,1,5\n"
	    "srv-host=_sip._udp\n"
	    "txt-record=txt.lab.test,\"v=spf1 -all\",second\n"
	    "ptr-record=1.2.0.192.in-addr.arpa,gw.lab.test\n"
	    "address=/ads.test/0.0.0.0\n"
	    "address=/block.test/\n"
	    "address=/#/::\n"
	    "address=/#/\n");
	char			*args[] = { "-C", conf, NULL };
	int			 i, types[300] = { 0 };

	assert_int_equal(load(&c, &m, args), 0);
	for (i = 0; i < c.nrecords; i++)
		types[c.records[i].type]++;
	assert_int_equal(types[DNS_TYPE_A], 2);
	assert_int_equal(types[DNS_TYPE_AAAA], 2);
	assert_int_equal(types[DNS_TYPE_CNAME], 2);
	assert_int_equal(types[DNS_TYPE_MX], 1);
	assert_int_equal(types[DNS_TYPE_SRV], 2);
	assert_int_equal(types[DNS_TYPE_TXT], 1);
	assert_int_equal(types[DNS_TYPE_PTR], 1);
	assert_int_equal(c.records[0].ttl, 600);
	for (i = 0; i < c.nrecords; i++) {
		if (c.records[i].type == DNS_TYPE_TXT) {
			/* Two character-strings: 11 bytes and 6 bytes. */
			assert_int_equal(c.records[i].textlen, 1 + 11 + 1 + 6);
			assert_int_equal(c.records[i].text[0], 11);
		}
		if (c.records[i].type == DNS_TYPE_SRV && c.records[i].target[0] != '\0') {
			assert_int_equal(c.records[i].port, 389);
			assert_int_equal(c.records[i].pref, 1);
			assert_int_equal(c.records[i].weight, 5);
		} else if (c.records[i].type == DNS_TYPE_SRV) {
			/* dnsmasq's defaults: port 1, priority and weight 0. */
			assert_int_equal(c.records[i].port, 1);
			assert_int_equal(c.records[i].pref, 0);
			assert_int_equal(c.records[i].weight, 0);
		}
	}
	assert_int_equal(c.naddresses, 3);
	assert_true(c.addresses[0].addr.family == AF_INET);
	assert_true(c.addresses[1].addr.family == AF_UNSPEC);
	assert_string_equal(c.addresses[2].domain, "");	/* "#": every name */
	assert_true(c.addresses[2].addr.family == AF_INET6);
	/* address=/#/ alone changes nothing (dnsmasq 2.90 forwards every name). */
	assert_int_equal(c.naddresses, 3);
	dnsconf_free(&c);
}

/* Load 1000 records, so the array grows several times; each record keeps
 * its own line's data, in order. */
static void
test_many_records(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			path[256], want[64], *args[] = { "-C", path, NULL };
	FILE			*f;
	int			i;

	snprintf(path, sizeof(path), "%s/many.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 1000; i++)
		fprintf(f, "cname=alias%d.lab.test,target%d.lab.test\n", i, i);
	fclose(f);
	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.nrecords, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "alias%d.lab.test", i);
		assert_string_equal(c.records[i].owner, want);
		snprintf(want, sizeof(want), "target%d.lab.test", i);
		assert_string_equal(c.records[i].target, want);
	}
	dnsconf_free(&c);
}

static void
test_mx_default_target(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			host[256], want[DNSD_NAME_MAX];
	char			*conf = write_file("mx.conf", "mx-host=lab.test\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_int_equal(records_canon(host, want), 0);
	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.nrecords, 1);
	assert_int_equal(c.records[0].type, DNS_TYPE_MX);
	assert_int_equal(c.records[0].pref, 1);
	assert_string_equal(c.records[0].target, want);
	dnsconf_free(&c);
}

static void
test_errors_with_location(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			want[300];
	char			*conf = write_file("bad.conf",
	    "# comment\n"
	    "cache-size=lots\n"
	    "server=not-an-address\n"
	    "frobnicate=1\n"
	    "listen-address=192.0.2.1,999.1.1.1\n"
	    "expand-hosts=yes\n"
	    "address=/only-slash\n"
	    "host-record=name-without-address\n"
	    "local-ttl=-5\n"
	    "min-cache-ttl=7200\n"
	    "server=//\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 10);
	snprintf(want, sizeof(want), "%s:2: invalid value 'lots' for cache-size", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:3: server: invalid server address \"not-an-address\"",
	    conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:4: unknown option 'frobnicate'", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:5: listen-address: invalid address \"999.1.1.1\"", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:6: option 'expand-hosts' takes no value", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:7: address:", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:8: option 'host-record' needs at least 2 values", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:9: invalid value '-5' for local-ttl", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:10: invalid value '7200' for min-cache-ttl: "
	    "expected an integer from 0 to 3600", conf);
	assert_true(has_message(&m, want));
	snprintf(want, sizeof(want), "%s:11: server: \"//\": answering names without a dot",
	    conf);
	assert_true(has_message(&m, want));
	dnsconf_free(&c);
}

static void
test_unsupported_warn_once(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("dhcp.conf",
	    "dhcp-range=192.168.7.100,192.168.7.150,12h\n"
	    "dhcp-range=192.168.8.100,192.168.8.150,12h\n"
	    "enable-tftp\n"
	    "dnssec\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(m.n, 3);
	assert_true(has_message(&m, "'dhcp-range' is not supported and is ignored: dnsd does "
	    "not serve DHCP"));
	assert_true(has_message(&m, "'enable-tftp' is not supported and is ignored: dnsd does "
	    "not serve TFTP"));
	assert_true(has_message(&m, "'dnssec' is not supported"));
}

static void
test_cache_size_clamped(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("big.conf", "cache-size=50000\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.cache_size, DNSD_CACHE_MAX);
	assert_true(has_message(&m, "W "));
}

static void
test_conf_dir_filters(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			dir[200], text[300];
	char			*conf;

	snprintf(dir, sizeof(dir), "%s/d", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file("d/a.conf", "cache-size=11\n");
	write_file("d/b.conf", "port=5300\n");
	write_file("d/c.bak", "cache-size=99\n");
	write_file("d/d.conf~", "cache-size=98\n");
	write_file("d/e.other", "port=1\n");
	snprintf(text, sizeof(text), "conf-dir=%s,*.conf\n", dir);
	conf = write_file("top.conf", text);
	{
		char	*args[] = { "-C", conf, NULL };

		assert_int_equal(load(&c, &m, args), 0);
	}
	assert_int_equal(c.cache_size, 11);
	assert_int_equal(c.port, 5300);
	snprintf(text, sizeof(text), "conf-dir=%s,.bak,.conf\n", dir);
	conf = write_file("top2.conf", text);
	{
		char	*args[] = { "-C", conf, NULL };

		assert_int_equal(load(&c, &m, args), 0);
	}
	assert_int_equal(c.port, 1);			/* e.other read */
	assert_int_equal(c.cache_size, DNSD_CACHE_DEFAULT);	/* .bak and .conf skipped */
}

static void
test_resolv_skips_self(void **state)
{
	struct dnsd_conf	c;
	char			buf[NETADDR_STRLEN];
	char			*path = write_file("resolv.conf", "search lab.test\n"
	    "nameserver 127.0.0.1\nnameserver 192.0.2.53\nnameserver bogus\n");

	dnsconf_defaults(&c);
	strcpy(c.resolv_file, path);
	netaddr_parse("127.0.0.1", &c.listen[c.nlisten++]);
	assert_int_equal(dnsconf_read_resolv(&c), 0);
	assert_int_equal(c.nservers, 1);
	assert_string_equal(netaddr_format(&c.servers[0].addr, buf), "192.0.2.53");
	assert_int_equal(c.servers[0].port, 53);
	dnsconf_free(&c);

	/* On another port 127.0.0.1:53 is some other server. */
	dnsconf_defaults(&c);
	strcpy(c.resolv_file, path);
	c.port = 5353;
	netaddr_parse("127.0.0.1", &c.listen[c.nlisten++]);
	assert_int_equal(dnsconf_read_resolv(&c), 0);
	assert_int_equal(c.nservers, 2);
	dnsconf_free(&c);

	dnsconf_defaults(&c);
	strcpy(c.resolv_file, path);
	c.no_resolv = 1;
	assert_int_equal(dnsconf_read_resolv(&c), 0);
	assert_int_equal(c.nservers, 0);
	dnsconf_free(&c);
}

/* A second read of resolv-file replaces the servers of the first, and
 * keeps those of the config. */
static void
test_resolv_reread(void **state)
{
	struct dnsd_conf	c;
	char			buf[NETADDR_STRLEN], want[300];
	char			*path = write_file("resolv2.conf", "nameserver 192.0.2.1\n"
	    "nameserver 192.0.2.2\n");

	dnsconf_defaults(&c);
	strcpy(c.resolv_file, path);
	c.servers[0].route = ROUTE_FORWARD;
	netaddr_parse("192.0.2.99", &c.servers[0].addr);
	c.nservers = 1;
	assert_int_equal(dnsconf_read_resolv(&c), 0);
	assert_int_equal(c.nservers, 3);
	write_file("resolv2.conf", "nameserver 192.0.2.7\n");
	assert_int_equal(dnsconf_read_resolv(&c), 0);
	assert_int_equal(c.nservers, 2);
	assert_string_equal(netaddr_format(&c.servers[0].addr, buf), "192.0.2.99");
	assert_string_equal(netaddr_format(&c.servers[1].addr, buf), "192.0.2.7");
	/* --explain names the resolv-file line of such a server. */
	snprintf(want, sizeof(want), "%s:1", path);
	assert_string_equal(dnsconf_origin_text(&c, c.servers[1].origin), want);
	dnsconf_free(&c);
}

/* domain= with ranges, log-facility, local-service, rebind and forward
 * options. */
static void
test_new_directives(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	struct netaddr		a;
	char			*conf = write_file("new.conf",
	    "domain=main.test\n"
	    "domain=lab.test,10.5.0.0/16,local\n"
	    "domain=home.test,192.168.9.1,192.168.9.50\n"
	    "domain=dhcp.test,eth0\n"
	    "log-facility=LOCAL3\n"
	    "local-service\n"
	    "stop-dns-rebind\n"
	    "rebind-domain-ok=/a.test/b.test/\n"
	    "rebind-domain-ok=c.test\n"
	    "dns-forward-max=1024\n"
	    "hostsdir=/nonexistent/hostsdir\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_string_equal(c.domain, "main.test");
	assert_int_equal(c.nsubdomains, 2);
	netaddr_parse("10.5.255.255", &a);
	assert_string_equal(hosts_domain_for(&c, &a), "lab.test");
	netaddr_parse("10.6.0.0", &a);
	assert_string_equal(hosts_domain_for(&c, &a), "main.test");
	netaddr_parse("192.168.9.50", &a);
	assert_string_equal(hosts_domain_for(&c, &a), "home.test");
	netaddr_parse("192.168.9.51", &a);
	assert_string_equal(hosts_domain_for(&c, &a), "main.test");
	assert_int_equal(c.nservers, 2);	/* local=/lab.test/ and its reverse zone */
	assert_int_equal(c.servers[0].route, ROUTE_LOCAL);
	assert_string_equal(c.servers[0].domain, "lab.test");
	assert_int_equal(c.servers[1].route, ROUTE_LOCAL);
	assert_string_equal(c.servers[1].domain, "5.10.in-addr.arpa");
	assert_true(has_message(&m, "the interface \"eth0\" matters only to DHCP"));
	assert_int_equal(c.log_facility, LOG_LOCAL3);
	assert_true(c.local_service && c.stop_dns_rebind);
	assert_int_equal(c.nrebind_ok, 3);
	assert_string_equal(c.rebind_ok[2], "c.test");
	assert_int_equal(c.forward_max, 1024);
	assert_int_equal(c.nhostsdirs, 1);
	dnsconf_free(&c);

	conf = write_file("bad.conf", "log-facility=LOCAL9\ndomain=x.test,10.0.0.1,fd00::1\n");
	{
		char	*badargs[] = { "-C", conf, NULL };

		assert_int_equal(load(&c, &m, badargs), 2);
	}
	assert_true(has_message(&m, "LOCAL9"));
	dnsconf_free(&c);
}

/* domain=DOMAIN,CIDR,local: the reverse zone of the subnet is local for
 * whole-label prefixes, and other prefixes get a warning. */
static void
test_domain_local_reverse(void **state)
{
	struct dnsd_conf	c;
	struct messages		m;
	char			*conf = write_file("rev.conf",
	    "domain=a.test,192.168.7.0/24,local\n"
	    "domain=b.test,10.0.0.0/8,local\n"
	    "domain=c.test,fd00:12:34::/48,local\n"
	    "domain=d.test,172.16.0.0/20,local\n"
	    "domain=e.test,fd00:12:35::/50,local\n");
	char			*args[] = { "-C", conf, NULL };

	assert_int_equal(load(&c, &m, args), 0);
	assert_int_equal(c.nservers, 8);
	assert_string_equal(c.servers[1].domain, "7.168.192.in-addr.arpa");
	assert_string_equal(c.servers[3].domain, "10.in-addr.arpa");
	assert_string_equal(c.servers[5].domain, "4.3.0.0.2.1.0.0.0.0.d.f.ip6.arpa");
	assert_int_equal(c.servers[5].route, ROUTE_LOCAL);
	assert_string_equal(c.servers[6].domain, "d.test");
	assert_string_equal(c.servers[7].domain, "e.test");
	assert_true(has_message(&m, "the reverse zone of a /20 subnet is not made local"));
	assert_true(has_message(&m, "the reverse zone of a /50 subnet is not made local"));
	dnsconf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_reference_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_short_options),
		cmocka_unit_test(test_command_line_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_server_forms),
		cmocka_unit_test(test_except_interface_and_origins),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_mx_default_target),
		cmocka_unit_test(test_errors_with_location),
		cmocka_unit_test(test_unsupported_warn_once),
		cmocka_unit_test(test_cache_size_clamped),
		cmocka_unit_test(test_conf_dir_filters),
		cmocka_unit_test(test_resolv_skips_self),
		cmocka_unit_test(test_resolv_reread),
		cmocka_unit_test(test_new_directives),
		cmocka_unit_test(test_domain_local_reverse),
		cmocka_unit_test(test_run_user),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
