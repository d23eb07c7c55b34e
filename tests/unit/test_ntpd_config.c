/* test_ntpd_config.c -- ntpd's chrony.conf table: reference configs, values, errors with FILE:LINE. */
#include "testutil.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "../../applets/ntpd/ntpd.h"

struct messages {
	int	count;
	char	text[16][256];
};

static void
collect(void *arg, int is_error, const char *msg)
{
	struct messages	*m = arg;

	(void)is_error;
	if (m->count < 16)
		snprintf(m->text[m->count++], sizeof(m->text[0]), "%s", msg);
}

static void
parser_setup(struct conf_parser *p, struct ntpd_conf *c, struct messages *m)
{
	const struct conf_directive	*table;
	size_t				 n;

	memset(m, 0, sizeof(*m));
	config_defaults(c);
	table = config_table(&n);
	conf_init(p, CONF_CHRONY, table, n, c);
	p->sink = collect;
	p->sink_arg = m;
}

static void
test_table_sorted(void **state)
{
	const struct conf_directive	*table;
	size_t				 n;

	(void)state;
	table = config_table(&n);
	assert_true(n > 0);
	assert_int_equal(conf_table_sorted(table, n), 1);
}

static void
test_server_reference(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	struct netaddr		a;

	(void)state;
	parser_setup(&p, &c, &m);
	assert_int_equal(conf_parse_file(&p, "tests/data/chrony-server.conf"), 0);
	assert_int_equal(p.errors, 0);
	assert_int_equal(c.nspecs, 1);
	assert_string_equal(c.specs[0].host, "pool.ntp.org");
	assert_int_equal(c.specs[0].is_pool, 1);
	assert_int_equal(c.specs[0].iburst, 1);
	assert_int_equal(c.specs[0].maxsources, 4);
	assert_true(c.initstep_threshold == 10.0);
	assert_string_equal(c.driftfile, "/var/lib/chrony/chrony.drift");
	assert_int_equal(c.rtcsync, 1);
	assert_int_equal(c.cmdport, 0);
	assert_int_equal(c.nallow, 1);
	assert_int_equal(netaddr_parse("192.168.7.42", &a), 0);
	assert_int_equal(acl_allows(&c.acl, &a), 1);
	assert_int_equal(netaddr_parse("192.168.8.42", &a), 0);
	assert_int_equal(acl_allows(&c.acl, &a), 0);
}

static void
test_client_reference(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	assert_int_equal(conf_parse_file(&p, "tests/data/chrony-client.conf"), 0);
	assert_int_equal(p.errors, 0);
	assert_int_equal(c.nspecs, 1);
	assert_string_equal(c.specs[0].host, "192.168.7.11");
	assert_int_equal(c.nallow, 0);
	assert_int_equal(c.port, NTPD_PORT);
}

static void
test_source_options(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "t.conf", 1, "server 127.0.0.1 port 12300 minpoll 2 maxpoll 4 "
	    "prefer noselect burst key 5 xleave");
	conf_parse_line(&p, "t.conf", 2, "pool example.net maxsources 2 offline polltarget 20");
	assert_int_equal(p.errors, 0);
	assert_int_equal(c.specs[0].port, 12300);
	assert_int_equal(c.specs[0].minpoll, 2);
	assert_int_equal(c.specs[0].maxpoll, 4);
	assert_int_equal(c.specs[0].prefer, 1);
	assert_int_equal(c.specs[0].noselect, 1);
	assert_int_equal(c.specs[0].burst, 1);
	assert_int_equal(c.specs[1].maxsources, 2);
	assert_int_equal(c.specs[1].offline, 1);
	assert_int_equal(c.specs[1].polltarget, 20);
}

static void
test_directive_values(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "t.conf", 1, "makestep 1.5 3");
	conf_parse_line(&p, "t.conf", 2, "local stratum 3 orphan");
	conf_parse_line(&p, "t.conf", 3, "bindcmdaddress /tmp/x.sock");
	conf_parse_line(&p, "t.conf", 4, "bindaddress 127.0.0.1");
	conf_parse_line(&p, "t.conf", 5, "bindaddress ::1");
	conf_parse_line(&p, "t.conf", 6, "port 0");
	conf_parse_line(&p, "t.conf", 7, "maxdistance 1.5");
	conf_parse_line(&p, "t.conf", 8, "minsources 2");
	conf_parse_line(&p, "t.conf", 9, "pidfile /tmp/x.pid");
	conf_parse_line(&p, "t.conf", 10, "user ntp");
	assert_int_equal(p.errors, 0);
	assert_true(c.makestep_threshold == 1.5);
	assert_int_equal(c.makestep_limit, 3);
	assert_int_equal(c.local_stratum, 3);
	assert_string_equal(c.cmdsocket, "/tmp/x.sock");
	assert_int_equal(c.nbind, 2);
	assert_int_equal(c.port, 0);
	assert_true(c.maxdistance == 1.5);
	assert_int_equal(c.minsources, 2);
	assert_string_equal(c.pidfile, "/tmp/x.pid");
	assert_string_equal(c.user, "ntp");
}

static void
test_extension_values(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	assert_true(c.maxbackstep < 0);
	assert_int_equal(c.ratelimit, 0);
	conf_parse_line(&p, "t.conf", 1, "timefile /var/lib/edgebox/ntpd.time");
	conf_parse_line(&p, "t.conf", 2, "maxbackstep 0.5");
	conf_parse_line(&p, "t.conf", 3, "hookdir /etc/edgebox/ntpd.d");
	conf_parse_line(&p, "t.conf", 4, "syncfile /run/edgebox/ntpd.synced");
	conf_parse_line(&p, "t.conf", 5, "ratelimit interval -2 leak 3");
	assert_int_equal(p.errors, 0);
	assert_string_equal(c.timefile, "/var/lib/edgebox/ntpd.time");
	assert_true(c.maxbackstep == 0.5);
	assert_string_equal(c.hookdir, "/etc/edgebox/ntpd.d");
	assert_string_equal(c.syncfile, "/run/edgebox/ntpd.synced");
	assert_int_equal(c.ratelimit, 1);
	assert_int_equal(c.rl_interval, -2);
	assert_int_equal(c.rl_burst, 8);
	assert_int_equal(c.rl_leak, 3);
}

static void
test_ratelimit_errors(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "t.conf", 1, "ratelimit interval 13");
	conf_parse_line(&p, "t.conf", 2, "ratelimit burst 0");
	conf_parse_line(&p, "t.conf", 3, "ratelimit leak 5");
	conf_parse_line(&p, "t.conf", 4, "ratelimit speed 3");
	conf_parse_line(&p, "t.conf", 5, "ratelimit burst");
	conf_parse_line(&p, "t.conf", 6, "maxbackstep -1");
	assert_int_equal(p.errors, 6);
	assert_int_equal(m.count, 6);
	assert_non_null(strstr(m.text[0], "t.conf:1: "));
	assert_non_null(strstr(m.text[3], "t.conf:4: "));
	assert_non_null(strstr(m.text[3], "speed"));
	assert_non_null(strstr(m.text[4], "burst"));
}

static void
test_access_rules(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	struct netaddr		a;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "t.conf", 1, "allow 10.0.0.0/8");
	conf_parse_line(&p, "t.conf", 2, "deny 10.1");
	conf_parse_line(&p, "t.conf", 3, "allow 2001:db8::/32");
	assert_int_equal(p.errors, 0);
	netaddr_parse("10.2.3.4", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 1);
	netaddr_parse("10.1.3.4", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 0);
	netaddr_parse("2001:db8::1", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 1);
	netaddr_parse("2001:db9::1", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 0);
	/* "deny all" removes the narrower allow inside it. */
	conf_parse_line(&p, "t.conf", 4, "deny all 10.0.0.0/8");
	netaddr_parse("10.2.3.4", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 0);
	conf_parse_line(&p, "t.conf", 5, "allow");
	netaddr_parse("192.0.2.1", &a);
	assert_int_equal(acl_allows(&c.acl, &a), 1);
}

static void
test_errors_with_location(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "bad.conf", 1, "server");
	conf_parse_line(&p, "bad.conf", 2, "server a.example bogus");
	conf_parse_line(&p, "bad.conf", 3, "frobnicate 1");
	conf_parse_line(&p, "bad.conf", 4, "allow 300.1.2.3");
	conf_parse_line(&p, "bad.conf", 5, "makestep x 3");
	conf_parse_line(&p, "bad.conf", 6, "server b.example minpoll 99");
	assert_int_equal(p.errors, 6);
	assert_int_equal(m.count, 6);
	assert_non_null(strstr(m.text[0], "bad.conf:1: "));
	assert_non_null(strstr(m.text[1], "bad.conf:2: "));
	assert_non_null(strstr(m.text[1], "bogus"));
	assert_non_null(strstr(m.text[2], "bad.conf:3: "));
	assert_non_null(strstr(m.text[2], "frobnicate"));
	assert_non_null(strstr(m.text[3], "300.1.2.3"));
	assert_non_null(strstr(m.text[4], "bad.conf:5: "));
	assert_non_null(strstr(m.text[5], "99"));
}

static void
test_unsupported_warns_once(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "t.conf", 1, "logdir /var/log/chrony");
	conf_parse_line(&p, "t.conf", 2, "logdir /var/log/other");
	conf_parse_line(&p, "t.conf", 3, "keyfile /etc/chrony.keys");
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.warnings, 2);
	assert_non_null(strstr(m.text[0], "logdir"));
	assert_non_null(strstr(m.text[1], "keyfile"));
}

static void
test_print_reads_back(void **state)
{
	struct conf_parser	p, p2;
	struct ntpd_conf	c, c2;
	struct messages		m, m2;
	char			path[] = "/tmp/test_ntpd_config.XXXXXX";
	FILE			*f;
	int			fd;

	(void)state;
	parser_setup(&p, &c, &m);
	conf_parse_file(&p, "tests/data/chrony-server.conf");
	conf_parse_line(&p, "t.conf", 1, "server 127.0.0.1 port 999 prefer");
	conf_parse_line(&p, "t.conf", 2, "local stratum 4");
	conf_parse_line(&p, "t.conf", 3, "makestep 0.5 -1");
	assert_int_equal(p.errors, 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	config_print(f, &c);
	fclose(f);
	parser_setup(&p2, &c2, &m2);
	assert_int_equal(conf_parse_file(&p2, path), 0);
	unlink(path);
	assert_int_equal(p2.errors, 0);
	assert_int_equal(c2.nspecs, c.nspecs);
	assert_memory_equal(&c2.specs, &c.specs, sizeof(c.specs));
	assert_true(c2.initstep_threshold == c.initstep_threshold);
	assert_string_equal(c2.initstep_hosts, " pool.ntp.org");
	assert_true(c2.makestep_threshold == c.makestep_threshold);
	assert_int_equal(c2.makestep_limit, c.makestep_limit);
	assert_int_equal(c2.local_stratum, 4);
	assert_int_equal(c2.acl.count, c.acl.count);
	assert_int_equal(c2.cmdport, 0);
	assert_string_equal(c2.driftfile, c.driftfile);
}

static void
test_include_glob(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	char			dir[] = "/tmp/test_ntpd_include.XXXXXX";
	char			path[128], line[160];
	FILE			*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("server 127.0.0.1 port 2001\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# second file\nserver 127.0.0.2 bogusopt\n", f);
	fclose(f);
	parser_setup(&p, &c, &m);
	snprintf(line, sizeof(line), "include %s/*.conf", dir);
	conf_parse_line(&p, "main.conf", 3, line);
	assert_int_equal(c.nspecs, 1);
	assert_int_equal(c.specs[0].port, 2001);
	assert_int_equal(p.errors, 1);
	/* The error names the included file and its own line. */
	snprintf(line, sizeof(line), "%s:2: ", path);
	assert_non_null(strstr(m.text[0], line));
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	unlink(path);
	rmdir(dir);
}

/* Write text to DIR/NAME. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
remove_tree(const char *dir)
{
	char	cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* confdir: *.conf files of all directories in name order, a name in an
 * earlier directory hiding the same name in a later one. */
static void
test_confdir_order(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	char			top[] = "/tmp/test_ntpd_confdir.XXXXXX";
	char			d1[128], d2[128], line[400];

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(d1, sizeof(d1), "%s/local", top);
	snprintf(d2, sizeof(d2), "%s/vendor", top);
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	write_file(d1, "20-a.conf", "server 10.0.0.1\n");
	write_file(d1, "40-c.conf", "server 10.0.0.3\n");
	write_file(d1, "50-notes.txt", "server 10.0.0.99\n");
	write_file(d2, "20-a.conf", "server 10.0.0.91\n");
	write_file(d2, "30-b.conf", "server 10.0.0.2\nmakestep 1 3\n");
	write_file(d2, "10-first.conf", "pool pool.example.test\n");

	parser_setup(&p, &c, &m);
	snprintf(line, sizeof(line), "confdir %s %s %s/missing", d1, d2, top);
	conf_parse_line(&p, "main.conf", 1, line);
	assert_int_equal(p.errors, 0);
	assert_int_equal(c.nspecs, 4);
	assert_string_equal(c.specs[0].host, "pool.example.test");
	assert_string_equal(c.specs[1].host, "10.0.0.1");
	assert_string_equal(c.specs[2].host, "10.0.0.2");
	assert_string_equal(c.specs[3].host, "10.0.0.3");
	assert_int_equal(c.makestep_limit, 3);

	parser_setup(&p, &c, &m);
	conf_parse_line(&p, "main.conf", 7,
	    "confdir /a /b /c /d /e /f /g /h /i /j /k");
	assert_int_equal(p.errors, 1);
	assert_non_null(strstr(m.text[0], "main.conf:7: "));
	assert_non_null(strstr(m.text[0], "at most 10"));
	remove_tree(top);
}

/* sourcedir: *.sources files may hold only server, pool and peer lines. */
static void
test_sourcedir_only_sources(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	char			dir[] = "/tmp/test_ntpd_sourcedir.XXXXXX";
	char			line[160], where[200];

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "eth0.sources", "server 192.0.2.10 iburst\npool dhcp.example.test\n");
	write_file(dir, "eth1.sources", "# from DHCP\nserver 192.0.2.11\nmakestep 1 3\n");
	write_file(dir, "eth2.conf", "server 192.0.2.99\n");

	parser_setup(&p, &c, &m);
	snprintf(line, sizeof(line), "sourcedir %s", dir);
	conf_parse_line(&p, "main.conf", 2, line);
	conf_parse_line(&p, "main.conf", 3, "makestep 0.5 -1");
	assert_int_equal(c.nspecs, 3);
	assert_string_equal(c.specs[0].host, "192.0.2.10");
	assert_int_equal(c.specs[0].iburst, 1);
	assert_int_equal(c.specs[1].is_pool, 1);
	assert_string_equal(c.specs[2].host, "192.0.2.11");
	assert_int_equal(p.errors, 1);
	snprintf(where, sizeof(where), "%s/eth1.sources:3: ", dir);
	assert_non_null(strstr(m.text[0], where));
	assert_non_null(strstr(m.text[0], "'makestep' is not allowed in a .sources file"));
	/* After the sourcedir line the whole table applies again. */
	assert_int_equal(c.makestep_limit, -1);
	remove_tree(dir);
}

/*
 * Every directive, every source and local option, and every error of the
 * handlers, as lines of a config.  Each group starts a new parser and ends
 * with config_print's output.  A '@' in a line is replaced by 300 'a's.
 */
static const char *const messages_groups[][40] = {
	{
		"server a.example",
		"server b.example iburst burst prefer noselect offline maxpoll 12 minpoll 4 "
		    "minstratum 3 polltarget 30 port 1234",
		"pool c.example maxsources 3",
		"server d.example asymmetry 1 certset 1 extfield 1 filter 1 key 1 maxdelay 1 "
		    "maxdelaydevratio 1 maxdelayratio 1 maxsamples 1 mindelay 1 minsamples 1 "
		    "ntsport 1 offset 1 presend 1 version 4",
		"server e.example auto_offline copy nts require trust xleave",
		"server f.example maxpoll 3 minpoll 5",
		"server",
		"server x bogus",
		"server x bogus 1",
		"server x minpoll",
		"server x minpoll 99",
		"server x maxsources 0",
		"server x port 0",
		"server x port 65536",
		"server x polltarget 5",
		"server x minstratum 16",
		"server x iburst 1",
		"server @",
		"pool",
		NULL
	}, {
		"allow",
		"allow all",
		"allow 10.0.0.0/8",
		"deny 10.1",
		"deny all 192.168.0.0/16",
		"allow 2001:db8::/32",
		"allow 300.1.2.3",
		"allow all 10.0.0.0/8 extra",
		"deny 10.0.0.1 10.0.0.2",
		"deny all x",
		NULL
	}, {
		"bindaddress 127.0.0.1",
		"bindaddress ::1",
		"bindaddress 127.0.0.2",
		"bindaddress nonsense",
		"bindaddress",
		"bindcmdaddress 127.0.0.1",
		"bindcmdaddress nonsense",
		"bindcmdaddress /@",
		"bindcmdaddress /tmp/x.sock",
		"cmdport 65536",
		"cmdport x",
		"cmdport 0",
		"port -1",
		"port 124",
		"minsources 0",
		"minsources 2",
		"maxdistance -1",
		"maxdistance 1.5",
		"maxslewrate 100001",
		"maxslewrate 500",
		"maxbackstep -1",
		"maxbackstep 0.5",
		"driftfile /@",
		"driftfile /var/lib/x.drift",
		"timefile /var/lib/x.time",
		"hookdir /etc/x.d",
		"syncfile /run/x.synced",
		"pidfile /run/x.pid",
		"user ntp",
		"user @",
		"user",
		"rtcsync 1",
		"rtcsync",
		NULL
	}, {
		"ratelimit",
		"ratelimit interval 4 burst 16 leak 3",
		"ratelimit interval 13",
		"ratelimit burst 0",
		"ratelimit leak 5",
		"ratelimit speed 1",
		"ratelimit burst",
		"ratelimit interval 1 burst 2 leak 3 x",
		"initstepslew x a.example",
		"initstepslew 1 @ @",
		"initstepslew 10 a.example b.example",
		"makestep 1 -2",
		"makestep x 1",
		"makestep 1",
		"makestep 1 3",
		"local stratum 16",
		"local bogus 1",
		"local stratum",
		"local orphan",
		"local stratum 5 orphan distance 1 activate 1 waitsynced 1 waitunsynced 1",
		"include /nonexistent-dir/*.conf",
		"confdir /nonexistent-dir",
		"sourcedir /nonexistent-dir",
		"frobnicate 1",
		NULL
	}
};

/* Unsupported directives: each line names one, with an argument. */
static const char unsupported_names[] =
	"acquisitionport authselectmode bindacqaddress bindacqdevice binddevice broadcast "
	"clientloglimit cmdallow cmddeny cmdratelimit combinelimit corrtimeratio dscp "
	"dumpdir fallbackdrift hwclockfile hwtimestamp hwtstimeout keyfile leapsecmode "
	"leapsectz lock_all log logbanner logchange logdir mailonchange manual maxchange "
	"maxclockerror maxdrift maxjitter maxntsconnections maxsamples maxupdateskew "
	"minsamples nocerttimecheck noclientlog ntpsigndsocket ntsdumpdir ntsntpserver "
	"ntsport ntsprocesses ntsratelimit ntsrefresh ntsrotate ntsservercert "
	"ntsserverkey ntstrustedcerts peer ptpport refclock reselectdist rtcautotrim "
	"rtcdevice rtcfile rtconutc sched_priority smoothtime stratumweight tempcomp";

#define EXPECTED_MESSAGES_PATH	"tests/unit/ntpd-config-expected.txt"

static void
write_message(void *arg, int is_error, const char *msg)
{
	fprintf(arg, "%s %s\n", is_error ? "error:" : "warning:", msg);
}

/* Parse text at t.conf:line with '@' replaced by 300 'a's and write the
 * line and its messages to out. */
static void
parse_written_line(struct conf_parser *p, FILE *out, int line, const char *text)
{
	char	expanded[1024];
	size_t	n = 0;

	for (; *text != '\0'; text++) {
		if (*text == '@') {
			memset(expanded + n, 'a', 300);
			n += 300;
		} else {
			expanded[n++] = *text;
		}
	}
	expanded[n] = '\0';
	fprintf(out, "> %d: %.60s\n", line, expanded);
	conf_parse_line(p, "t.conf", line, expanded);
}

/* The messages and config_print's output for every directive and error,
 * byte for byte.  After a change that is meant to alter them, write a new
 * file with NTPD_CONFIG_EXPECTED_WRITE=1 and review its diff. */
static void
test_messages_unchanged(void **state)
{
	struct conf_parser	p;
	struct ntpd_conf	c;
	struct messages		m;
	const char		*write_path = getenv("NTPD_CONFIG_EXPECTED_WRITE");
	static char		 expected[65536];
	const char		*name, *end;
	char			*actual = NULL, line[64];
	size_t			 len = 0, n, g, i;
	FILE			*out, *f;

	(void)state;
	out = open_memstream(&actual, &len);
	assert_non_null(out);
	for (g = 0; g < sizeof(messages_groups) / sizeof(messages_groups[0]); g++) {
		parser_setup(&p, &c, &m);
		p.sink = write_message;
		p.sink_arg = out;
		for (i = 0; messages_groups[g][i] != NULL; i++)
			parse_written_line(&p, out, (int)i + 1, messages_groups[g][i]);
		fprintf(out, "errors %d, warnings %d\n", p.errors, p.warnings);
		config_print(out, &c);
		fputc('\n', out);
	}

	/* Every unsupported directive warns, once. */
	parser_setup(&p, &c, &m);
	p.sink = write_message;
	p.sink_arg = out;
	for (name = unsupported_names, i = 1; *name != '\0'; name = end, i++) {
		end = strchr(name, ' ');
		if (end == NULL)
			end = name + strlen(name);
		snprintf(line, sizeof(line), "%.*s 1", (int)(end - name), name);
		conf_parse_line(&p, "t.conf", (int)i, line);
		conf_parse_line(&p, "t.conf", (int)i, line);
		if (*end == ' ')
			end++;
	}
	fprintf(out, "errors %d, warnings %d\n", p.errors, p.warnings);

	/* One server line more than the table has room for. */
	parser_setup(&p, &c, &m);
	p.sink = write_message;
	p.sink_arg = out;
	for (i = 0; i <= NTPD_MAX_SPECS; i++)
		conf_parse_line(&p, "t.conf", (int)i + 1, "server 192.0.2.1");
	fprintf(out, "errors %d, warnings %d\n", p.errors, p.warnings);
	fclose(out);

	if (write_path != NULL && strcmp(write_path, "1") == 0) {
		f = fopen(EXPECTED_MESSAGES_PATH, "w");
		assert_non_null(f);
		fputs(actual, f);
		fclose(f);
	}
	f = fopen(EXPECTED_MESSAGES_PATH, "r");
	assert_non_null(f);
	n = fread(expected, 1, sizeof(expected) - 1, f);
	fclose(f);
	assert_true(n < sizeof(expected) - 1);
	expected[n] = '\0';
	assert_string_equal(actual, expected);
	free(actual);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_server_reference),
		cmocka_unit_test(test_client_reference),
		cmocka_unit_test(test_source_options),
		cmocka_unit_test(test_directive_values),
		cmocka_unit_test(test_extension_values),
		cmocka_unit_test(test_ratelimit_errors),
		cmocka_unit_test(test_access_rules),
		cmocka_unit_test(test_errors_with_location),
		cmocka_unit_test(test_unsupported_warns_once),
		cmocka_unit_test(test_print_reads_back),
		cmocka_unit_test(test_include_glob),
		cmocka_unit_test(test_confdir_order),
		cmocka_unit_test(test_sourcedir_only_sources),
		cmocka_unit_test(test_messages_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
