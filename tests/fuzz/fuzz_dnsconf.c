/* fuzz_dnsconf.c -- libFuzzer harness: dnsmasq.conf lines through dnsd's own directive table, then the checks and the records built from them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzzutil.h"
#include "../../applets/dnsd/dnsd.h"

#define TABLE_MAX	512

static struct conf_directive	table[TABLE_MAX];
static size_t			ntable;
static struct dnsd_conf		conf;
static struct dnsd_state	st;

/* conf-file= and conf-dir= would read whatever files the input names (a
 * FIFO or a device would hang the run): only their arguments are taken. */
static int
no_include(struct conf_parser *p, int argc, char **argv, void *target)
{
	(void)p;
	(void)argc;
	(void)argv;
	(void)target;
	return 0;
}

static void
setup(void)
{
	struct conf_directive	*all;
	size_t			 i;

	fuzz_silence();
	if ((all = dnsconf_table_new(&ntable)) == NULL || ntable > TABLE_MAX)
		abort();
	memcpy(table, all, ntable * sizeof(table[0]));
	free(all);
	for (i = 0; i < ntable; i++)
		if (strcmp(table[i].name, "conf-file") == 0 ||
		    strcmp(table[i].name, "conf-dir") == 0)
			table[i].handler = no_include;
	if (!conf_table_sorted(table, ntable))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_parser	p;

	if (ntable == 0)
		setup();
	dnsconf_defaults(&conf);
	conf_init(&p, CONF_DNSMASQ, table, ntable, &conf);
	p.sink = fuzz_quiet;
	fuzz_feed_lines(&p, data, size);
	(void)dnsconf_check(&conf, fuzz_quiet, NULL);
	if (p.errors == 0) {
		/* What dnsd does next with a valid config, without touching
		 * files.  addn-hosts= and hostsdir= would read whatever the
		 * input names: a FIFO would hang the run, and hostsdir=.. made
		 * each input read the files in the parent of the working
		 * directory (300 executions/s).  Their parsers have run above. */
		conf.no_hosts = 1;
		conf.naddn_hosts = 0;
		conf.nhostsdirs = 0;
		memset(&st, 0, sizeof(st));
		st.conf = &conf;
		(void)query_setup(&st);
		if (hosts_build(&st.records, &conf, "/nonexistent", fuzz_quiet, NULL) == 0)
			records_free(&st.records);
	}
	dnsconf_free(&conf);
	return 0;
}
