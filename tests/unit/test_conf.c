/* test_conf.c -- the config reader: both dialects, errors with locations, whole files. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#define MAXSEEN	16

struct seen {
	int	count;
	char	keyword[MAXSEEN][32];
	int	argc[MAXSEEN];
	char	argv[MAXSEEN][8][64];
	char	value[MAXSEEN][128];
	char	messages[8][256];
	int	nmessages;
};

static int
record(struct conf_parser *p, int argc, char **argv, void *target)
{
	struct seen	*s = target;
	int		 i, k = s->count++;

	snprintf(s->keyword[k], sizeof(s->keyword[k]), "%s", p->keyword);
	s->argc[k] = argc;
	for (i = 0; i < argc && i < 8; i++)
		snprintf(s->argv[k][i], sizeof(s->argv[k][i]), "%s", argv[i]);
	snprintf(s->value[k], sizeof(s->value[k]), "%s", p->value ? p->value : "(null)");
	return 0;
}

static int
number(struct conf_parser *p, int argc, char **argv, void *target)
{
	long	v;

	if (conf_int(p, argv[0], 0, 10000, &v) == -1)
		return -1;
	return record(p, argc, argv, target);
}

static void
sink(void *arg, int is_error, const char *msg)
{
	struct seen	*s = arg;

	if (s->nmessages < 8)
		snprintf(s->messages[s->nmessages++], 256, "%s%s", is_error ? "E " : "W ", msg);
}

static const struct conf_directive table[] = {
	{ "cache-size",		1, 1,	number,	NULL },
	{ "dhcp-range",		0, -1,	NULL,	"dnsd does not serve DHCP" },
	{ "expand-hosts",	0, 0,	record,	NULL },
	{ "listen-address",	1, -1,	record,	NULL },
	{ "local",		1, 1,	record,	NULL },
	{ "server",		1, -1,	record,	NULL },
	{ "txt-record",		2, -1,	record,	NULL },
};

static const struct conf_directive chrony_table[] = {
	{ "allow",	0, 1,	record,	NULL },
	{ "local",	0, -1,	record,	NULL },
	{ "log",	0, -1,	NULL,	NULL },
	{ "pool",	1, -1,	record,	NULL },
};

static void
setup(struct conf_parser *p, struct seen *s, enum conf_dialect d)
{
	memset(s, 0, sizeof(*s));
	if (d == CONF_DNSMASQ)
		conf_init(p, d, table, sizeof(table) / sizeof(table[0]), s);
	else
		conf_init(p, d, chrony_table, sizeof(chrony_table) / sizeof(chrony_table[0]), s);
	p->sink = sink;
	p->sink_arg = s;
}

static void
tables_sorted(void **state)
{
	assert_true(conf_table_sorted(table, sizeof(table) / sizeof(table[0])));
	assert_true(conf_table_sorted(chrony_table, 4));
	assert_false(conf_table_sorted((const struct conf_directive[]){
	    { "b", 0, 0, NULL, NULL }, { "a", 0, 0, NULL, NULL } }, 2));
}

static void
dnsmasq_values_split_on_commas(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_DNSMASQ);
	conf_parse_line(&p, "t.conf", 1, "listen-address=192.168.6.200, 127.0.0.1\n");
	assert_int_equal(p.errors, 0);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.keyword[0], "listen-address");
	assert_int_equal(s.argc[0], 2);
	assert_string_equal(s.argv[0][0], "192.168.6.200");
	assert_string_equal(s.argv[0][1], "127.0.0.1");
	assert_string_equal(s.value[0], "192.168.6.200, 127.0.0.1");
}

static void
dnsmasq_quotes_and_comments(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_DNSMASQ);
	conf_parse_line(&p, "t.conf", 1, "# 本地默认域名");
	conf_parse_line(&p, "t.conf", 2, "txt-record=a.example,\"x, y # z\",\"q\\\"\" # note");
	conf_parse_line(&p, "t.conf", 3, "   ");
	conf_parse_line(&p, "t.conf", 4, "expand-hosts");
	conf_parse_line(&p, "t.conf", 5, "server = /lan/192.168.7.1#5353");
	assert_int_equal(p.errors, 0);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.argc[0], 3);
	assert_string_equal(s.argv[0][1], "x, y # z");
	assert_string_equal(s.argv[0][2], "q\"");
	assert_int_equal(s.argc[1], 0);
	assert_string_equal(s.value[1], "(null)");
	assert_string_equal(s.argv[2][0], "/lan/192.168.7.1#5353");
}

static void
dnsmasq_errors_have_locations(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_DNSMASQ);
	conf_parse_line(&p, "t.conf", 7, "cache-size=lots");
	conf_parse_line(&p, "t.conf", 8, "no-such-option=1");
	conf_parse_line(&p, "t.conf", 9, "expand-hosts=yes");
	conf_parse_line(&p, "t.conf", 10, "local");
	conf_parse_line(&p, "t.conf", 11, "txt-record=\"open");
	assert_int_equal(p.errors, 5);
	assert_string_equal(s.messages[0],
	    "E t.conf:7: invalid value 'lots' for cache-size: expected an integer from 0 to 10000");
	assert_string_equal(s.messages[1], "E t.conf:8: unknown option 'no-such-option'");
	assert_string_equal(s.messages[2], "E t.conf:9: option 'expand-hosts' takes no value");
	assert_string_equal(s.messages[3], "E t.conf:10: option 'local' needs a value");
	assert_string_equal(s.messages[4], "E t.conf:11: missing closing quote");
	assert_int_equal(s.count, 0);
}

static void
unsupported_warns_once(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_DNSMASQ);
	conf_parse_line(&p, "t.conf", 1, "dhcp-range=192.168.7.50,192.168.7.99");
	conf_parse_line(&p, "t.conf", 2, "dhcp-range=192.168.8.50,192.168.8.99");
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.warnings, 1);
	assert_string_equal(s.messages[0], "W t.conf:1: option 'dhcp-range' is not supported "
	    "and is ignored: dnsd does not serve DHCP");
}

static void
chrony_words_and_comments(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_CHRONY);
	conf_parse_line(&p, "c.conf", 1, "! comment");
	conf_parse_line(&p, "c.conf", 2, "; comment");
	conf_parse_line(&p, "c.conf", 3, "% comment");
	conf_parse_line(&p, "c.conf", 4, "  POOL pool.ntp.org   iburst\tmaxsources 3");
	conf_parse_line(&p, "c.conf", 5, "allow");
	conf_parse_line(&p, "c.conf", 6, "allow 1 2");
	conf_parse_line(&p, "c.conf", 7, "bogus x");
	assert_int_equal(s.count, 2);
	assert_string_equal(s.keyword[0], "pool");
	assert_int_equal(s.argc[0], 4);
	assert_string_equal(s.argv[0][3], "3");
	assert_int_equal(s.argc[1], 0);
	assert_int_equal(p.errors, 2);
	assert_string_equal(s.messages[0], "E c.conf:6: directive 'allow' takes at most 1 value, not 2");
	assert_string_equal(s.messages[1], "E c.conf:7: unknown directive 'bogus'");
}

static char *
write_temp(const char *text)
{
	char	*path = strdup("/tmp/edgebox-conf-XXXXXX");
	int	 fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
file_reports_every_error(void **state)
{
	struct conf_parser	 p;
	struct seen		 s;
	char			*path, expect[256];

	path = write_temp("local=/edge.example.org/\ncache-size=-1\nexpand-hosts\nfoo\n"
	    "cache-size=99999\n");
	setup(&p, &s, CONF_DNSMASQ);
	assert_int_equal(conf_parse_file(&p, path), 0);
	assert_int_equal(p.errors, 3);
	assert_int_equal(s.count, 2);
	snprintf(expect, sizeof(expect), "E %s:4: unknown option 'foo'", path);
	assert_string_equal(s.messages[1], expect);
	snprintf(expect, sizeof(expect), "E %s:5: invalid value '99999' for cache-size: "
	    "expected an integer from 0 to 10000", path);
	assert_string_equal(s.messages[2], expect);
	unlink(path);
	free(path);
}

static void
file_line_too_long(void **state)
{
	struct conf_parser	 p;
	struct seen		 s;
	char			*text, *path, expect[256];

	text = malloc(CONF_LINE_MAX + 100);
	memset(text, 'x', CONF_LINE_MAX + 50);
	memcpy(text, "server=", 7);
	strcpy(text + CONF_LINE_MAX + 50, "\nexpand-hosts\n");
	path = write_temp(text);
	setup(&p, &s, CONF_DNSMASQ);
	conf_parse_file(&p, path);
	assert_int_equal(p.errors, 1);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.keyword[0], "expand-hosts");
	snprintf(expect, sizeof(expect), "E %s:1: line longer than %d characters", path,
	    CONF_LINE_MAX);
	assert_string_equal(s.messages[0], expect);
	unlink(path);
	free(path);
	free(text);
}

static void
missing_file_is_error(void **state)
{
	struct conf_parser	p;
	struct seen		s;

	setup(&p, &s, CONF_DNSMASQ);
	assert_int_equal(conf_parse_file(&p, "/nonexistent/edgebox.conf"), -1);
	assert_int_equal(p.errors, 1);
	assert_string_equal(s.messages[0],
	    "E cannot open /nonexistent/edgebox.conf: No such file or directory");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_sorted),
		cmocka_unit_test(dnsmasq_values_split_on_commas),
		cmocka_unit_test(dnsmasq_quotes_and_comments),
		cmocka_unit_test(dnsmasq_errors_have_locations),
		cmocka_unit_test(unsupported_warns_once),
		cmocka_unit_test(chrony_words_and_comments),
		cmocka_unit_test(file_reports_every_error),
		cmocka_unit_test(file_line_too_long),
		cmocka_unit_test(missing_file_is_error),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
