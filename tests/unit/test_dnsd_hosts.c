/* test_dnsd_hosts.c -- dnsd's hosts reader and name table: parsing, expansion, lookups. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnswire.h"
#include "../../applets/dnsd/dnsd.h"

struct messages {
	int	n;
	char	text[16][512];
};

static void
collect(void *arg, int is_error, const char *msg)
{
	struct messages	*m = arg;

	if (m->n < 16)
		snprintf(m->text[m->n++], sizeof(m->text[0]), "%s", msg);
}

static char	tmpdir[64];

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_dnsd_hosts.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

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

/* The records of a text name, or NULL. */
static struct records_name *
lookup(const struct records *r, const char *name)
{
	uint8_t	wire[DNS_NAME_MAX];

	assert_int_not_equal(dnswire_name_from_text(name, wire), -1);
	return records_lookup(r, wire);
}

/* How many records of type the name has. */
static int
count_type(const struct records *r, const char *name, uint16_t type)
{
	struct records_name	*n = lookup(r, name);
	uint32_t		 i;
	int			 k = 0;

	if (n == NULL)
		return -1;
	for (i = 0; i < n->count; i++)
		k += r->rrs[n->first + i].type == type;
	return k;
}

/* The PTR target of a reverse name as text, or "" when there is none. */
static const char *
ptr_of(const struct records *r, const char *rev)
{
	static char		 text[DNS_NAME_TEXT_MAX];
	struct records_name	*n = lookup(r, rev);
	uint32_t		 i;

	text[0] = '\0';
	if (n == NULL)
		return text;
	for (i = 0; i < n->count; i++)
		if (r->rrs[n->first + i].type == DNS_TYPE_PTR) {
			dnswire_name_to_text(records_data(r, r->rrs[n->first + i].data), text,
			    sizeof(text), 0);
			break;
		}
	return text;
}

static void
test_parse_lines(void **state)
{
	struct records	 r;
	struct messages	 m = { 0 };
	char		*path = write_file("h1",
	    "# a comment line\n"
	    "\n"
	    "192.0.2.1\tone one-alias   # trailing comment\n"
	    "   192.0.2.2 two\n"
	    "2001:db8::3 three\n"
	    "not-an-ip four\n"
	    "192.0.2.5\n"
	    "192.0.2.6 bad..name six\n"
	    "192.0.2.7 UPPER.Case\n");
	char		 want[300];

	records_init(&r);
	assert_int_equal(hosts_load(&r, path, NULL, collect, &m), 5);
	assert_int_equal(records_finish(&r), 0);
	assert_int_equal(count_type(&r, "one", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "one-alias", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "two", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "three", DNS_TYPE_AAAA), 1);
	assert_int_equal(count_type(&r, "three", DNS_TYPE_A), 0);
	assert_null(lookup(&r, "four"));
	assert_int_equal(count_type(&r, "six", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "upper.case", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "UPPER.CASE", DNS_TYPE_A), 1);

	assert_int_equal(m.n, 3);
	snprintf(want, sizeof(want), "%s:6: invalid address \"not-an-ip\"; line skipped", path);
	assert_string_equal(m.text[0], want);
	snprintf(want, sizeof(want), "%s:7: address without a host name; line skipped", path);
	assert_string_equal(m.text[1], want);
	snprintf(want, sizeof(want), "%s:8: invalid host name \"bad..name\"; name skipped",
	    path);
	assert_string_equal(m.text[2], want);

	/* The PTR goes to the first name of the line. */
	assert_string_equal(ptr_of(&r, "1.2.0.192.in-addr.arpa"), "one");
	assert_string_equal(ptr_of(&r,
	    "3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"), "three");
	records_free(&r);
}

static void
test_missing_file(void **state)
{
	struct records	r;

	records_init(&r);
	assert_int_equal(hosts_load(&r, "/nonexistent/hosts", NULL, collect, NULL), -1);
	records_free(&r);
}

static void
test_reference_hosts_expanded(void **state)
{
	struct records	r;
	struct messages	m = { 0 };

	records_init(&r);
	assert_int_equal(hosts_load(&r, "tests/data/hosts", "edge.example.org", collect, &m), 21);
	assert_int_equal(m.n, 0);
	assert_int_equal(records_finish(&r), 0);
	assert_int_equal(count_type(&r, "x-k3s-m-1", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "x-k3s-m-1.edge.example.org", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "etcd", DNS_TYPE_A), 3);
	assert_int_equal(count_type(&r, "etcd.edge.example.org", DNS_TYPE_A), 3);
	assert_int_equal(count_type(&r, "apiserver", DNS_TYPE_A), 3);
	assert_int_equal(count_type(&r, "localhost", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "localhost", DNS_TYPE_AAAA), 1);
	/* The first line of an address names it, qualified. */
	assert_string_equal(ptr_of(&r, "11.7.168.192.in-addr.arpa"), "x-k3s-m-1.edge.example.org");
	assert_string_equal(ptr_of(&r, "12.7.168.192.in-addr.arpa"), "x-k3s-m-2.edge.example.org");
	assert_int_equal(count_type(&r, "12.7.168.192.in-addr.arpa", DNS_TYPE_PTR), 1);
	assert_string_equal(ptr_of(&r, "1.0.0.127.in-addr.arpa"), "localhost.edge.example.org");
	/* The domain exists (names below it), so it is no NXDOMAIN. */
	assert_non_null(lookup(&r, "edge.example.org"));
	assert_int_equal(lookup(&r, "edge.example.org")->count, 0);
	assert_non_null(lookup(&r, "org"));
	assert_null(lookup(&r, "nosuch.edge.example.org"));
	assert_null(lookup(&r, "x-k3s-m"));
	records_free(&r);
}

static void
test_duplicates_dropped(void **state)
{
	struct records	 r;
	char		*path = write_file("dup", "192.0.2.1 a\n192.0.2.1 a\n192.0.2.1 b\n"
	    "192.0.2.2 a\n");

	records_init(&r);
	assert_int_equal(hosts_load(&r, path, NULL, collect, NULL), 4);
	assert_int_equal(records_finish(&r), 0);
	assert_int_equal(count_type(&r, "a", DNS_TYPE_A), 2);
	assert_int_equal(count_type(&r, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR), 1);
	assert_string_equal(ptr_of(&r, "1.2.0.192.in-addr.arpa"), "a");
	records_free(&r);
}

static void
test_directory(void **state)
{
	struct records	r;
	char		dir[200];

	snprintf(dir, sizeof(dir), "%s/hosts.d", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file("hosts.d/10-a", "192.0.2.10 ten\n");
	write_file("hosts.d/20-b", "192.0.2.20 twenty\n");
	write_file("hosts.d/.hidden", "192.0.2.30 hidden\n");
	write_file("hosts.d/30-c~", "192.0.2.40 backup\n");
	records_init(&r);
	assert_int_equal(hosts_load_path(&r, dir, NULL, collect, NULL), 2);
	assert_int_equal(records_finish(&r), 0);
	assert_non_null(lookup(&r, "ten"));
	assert_non_null(lookup(&r, "twenty"));
	assert_null(lookup(&r, "hidden"));
	assert_null(lookup(&r, "backup"));
	records_free(&r);
}

static void
test_build_from_config(void **state)
{
	struct dnsd_conf	 c;
	struct dnsd_confrec	 rec;
	struct records		 r;
	char			*path = write_file("h2", "192.0.2.1 gw\n");
	char			 owner[] = "alias.lab.test", target[] = "gw";

	dnsconf_defaults(&c);
	c.no_hosts = 1;
	c.expand_hosts = 1;
	strcpy(c.domain, "lab.test");
	strcpy(c.addn_hosts[c.naddn_hosts++], path);
	memset(&rec, 0, sizeof(rec));
	rec.owner = owner;
	rec.type = DNS_TYPE_CNAME;
	rec.target = target;
	rec.ttl = RECORDS_LOCAL_TTL;
	c.records = &rec;
	c.nrecords = 1;
	assert_int_equal(hosts_build(&r, &c, "/nonexistent", collect, NULL), 0);
	assert_int_equal(count_type(&r, "gw", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "gw.lab.test", DNS_TYPE_A), 1);
	assert_int_equal(count_type(&r, "alias.lab.test", DNS_TYPE_CNAME), 1);
	records_free(&r);
}

/* The records of one type of a name: the first one, or NULL. */
static const struct records_rr *
first_rr(const struct records *r, const char *name, uint16_t type)
{
	struct records_name	*n = lookup(r, name);
	uint32_t		 i;

	for (i = 0; n != NULL && i < n->count; i++)
		if (r->rrs[n->first + i].type == type)
			return &r->rrs[n->first + i];
	return NULL;
}

static void
test_config_records_first(void **state)
{
	struct dnsd_conf	 c;
	struct dnsd_confrec	 recs[2];
	struct records		 r;
	const struct records_rr	*rr;
	char			*path = write_file("h3", "192.0.2.1 fromhosts\n");
	char			 host[] = "fromconf.lab.test", srv[] = "_ldap._tcp", tgt[] = "";

	dnsconf_defaults(&c);
	c.no_hosts = 1;
	strcpy(c.domain, "lab.test");
	strcpy(c.addn_hosts[c.naddn_hosts++], path);
	memset(recs, 0, sizeof(recs));
	recs[0].owner = host;
	recs[0].type = DNS_TYPE_A;
	netaddr_parse("192.0.2.1", &recs[0].addr);
	recs[0].ttl = 900;
	recs[0].pref = 1;
	recs[1].owner = srv;
	recs[1].type = DNS_TYPE_SRV;
	recs[1].target = tgt;
	recs[1].port = 1;
	recs[1].ttl = RECORDS_LOCAL_TTL;
	c.records = recs;
	c.nrecords = 2;
	assert_int_equal(hosts_build(&r, &c, "/nonexistent", collect, NULL), 0);
	/* host-record is read before the hosts files: its PTR wins. */
	assert_string_equal(ptr_of(&r, "1.2.0.192.in-addr.arpa"), "fromconf.lab.test");
	assert_int_equal(count_type(&r, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR), 1);
	rr = first_rr(&r, "fromconf.lab.test", DNS_TYPE_A);
	assert_non_null(rr);
	assert_int_equal(rr->ttl, 900);
	/* An SRV name without a domain gets domain=. */
	assert_int_equal(count_type(&r, "_ldap._tcp.lab.test", DNS_TYPE_SRV), 1);
	assert_null(lookup(&r, "_ldap._tcp"));
	records_free(&r);
}

static void
test_valid_names(void **state)
{
	char	long_label[80], out[DNSD_NAME_MAX];

	assert_true(records_valid_name("x-k3s-m-1"));
	assert_true(records_valid_name("_ldap._tcp.lab.test"));
	assert_true(records_valid_name("a.b"));
	assert_false(records_valid_name(""));
	assert_false(records_valid_name("a..b"));
	assert_false(records_valid_name(".a"));
	assert_false(records_valid_name("a b"));
	assert_false(records_valid_name("a/b"));
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	assert_false(records_valid_name(long_label));
	long_label[63] = '\0';
	assert_true(records_valid_name(long_label));
	assert_int_equal(records_canon("Host.Example.", out), 0);
	assert_string_equal(out, "host.example");
}

/* Many names: every one is found, and names never added are not. */
static void
test_many_names(void **state)
{
	struct records	r;
	struct netaddr	a;
	char		name[64];
	int		i;

	records_init(&r);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "n%d.z%d.test", i, i % 7);
		a.u.bytes[0] = 10;
		a.u.bytes[2] = (uint8_t)(i >> 8);
		a.u.bytes[3] = (uint8_t)i;
		assert_int_equal(records_add_host(&r, name, &a, 1, RECORDS_LOCAL_TTL), 0);
	}
	assert_int_equal(records_finish(&r), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "N%d.Z%d.TEST", i, i % 7);
		assert_int_equal(count_type(&r, name, DNS_TYPE_A), 1);
		snprintf(name, sizeof(name), "n%d.z%d.test", i, (i + 1) % 7);
		assert_null(lookup(&r, name));
	}
	assert_non_null(lookup(&r, "z3.test"));
	records_free(&r);
}

/* Past 32768 names the index takes 32-bit entries: every name and PTR is
 * still found. */
static void
test_wide_index(void **state)
{
	struct records	r;
	struct netaddr	a;
	char		name[64], rev[64], want[64];
	int		i;

	records_init(&r);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.u.bytes[0] = 10;
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "w%d.test", i);
		a.u.bytes[2] = (uint8_t)(i >> 8);
		a.u.bytes[3] = (uint8_t)i;
		assert_int_equal(records_add_host(&r, name, &a, 1, RECORDS_LOCAL_TTL), 0);
	}
	assert_int_equal(records_finish(&r), 0);
	assert_true(r.nnames > 40000);
	assert_true(r.nindex > RECORDS_INDEX16);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "W%d.TEST", i);
		assert_int_equal(count_type(&r, name, DNS_TYPE_A), 1);
		snprintf(rev, sizeof(rev), "%d.%d.0.10.in-addr.arpa", i & 255, i >> 8);
		snprintf(want, sizeof(want), "w%d.test", i);
		assert_string_equal(ptr_of(&r, rev), want);
	}
	assert_null(lookup(&r, "w20000.test"));
	records_free(&r);
}

/* A name with more records than a count holds is rejected, not cut. */
static void
test_name_too_many_records(void **state)
{
	struct records	r;
	struct netaddr	a;
	int		i;

	records_init(&r);
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	for (i = 0; i <= UINT16_MAX; i++) {
		a.u.bytes[1] = (uint8_t)(i >> 16);
		a.u.bytes[2] = (uint8_t)(i >> 8);
		a.u.bytes[3] = (uint8_t)i;
		assert_int_equal(records_add_host(&r, "big.test", &a, 0, RECORDS_LOCAL_TTL), 0);
	}
	errno = 0;
	assert_int_equal(records_finish(&r), -1);
	assert_int_equal(errno, EOVERFLOW);
	records_free(&r);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_reference_hosts_expanded),
		cmocka_unit_test(test_duplicates_dropped),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_build_from_config),
		cmocka_unit_test(test_config_records_first),
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_many_names),
		cmocka_unit_test(test_wide_index),
		cmocka_unit_test(test_name_too_many_records),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
