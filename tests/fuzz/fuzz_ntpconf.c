/* fuzz_ntpconf.c -- libFuzzer harness: chrony.conf lines through ntpd's own directive table; a valid config must print back to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzzutil.h"
#include "../../applets/ntpd/ntpd.h"

#define TABLE_MAX	256
#define PRINT_MAX	65536

static struct conf_directive	table[TABLE_MAX];
static size_t			ntable;
static struct ntpd_conf		conf, again;
static char			first[PRINT_MAX], second[PRINT_MAX];

/* include would read whatever file the input names: only its argument is taken. */
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
	const struct conf_directive	*t;
	size_t				 i;

	fuzz_silence();
	t = config_table(&ntable);
	if (ntable > TABLE_MAX)
		abort();
	memcpy(table, t, ntable * sizeof(table[0]));
	for (i = 0; i < ntable; i++)
		if (strcmp(table[i].name, "include") == 0)
			table[i].handler = no_include;
}

/* Print c into buf; returns the length (the buffer is large enough for any config). */
static size_t
print(const struct ntpd_conf *c, char *buf)
{
	FILE	*f;
	long	 n;

	if ((f = fmemopen(buf, PRINT_MAX, "w")) == NULL)
		abort();
	config_print(f, c);
	n = ftell(f);
	fclose(f);
	if (n < 0 || n >= PRINT_MAX)
		abort();
	buf[n] = '\0';
	return (size_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_parser	p;

	if (ntable == 0)
		setup();
	config_defaults(&conf);
	conf_init(&p, CONF_CHRONY, table, ntable, &conf);
	p.sink = fuzz_quiet;
	fuzz_feed_lines(&p, data, size);
	if (p.errors != 0)
		return 0;
	/* config_print's contract: directives that read back to the same settings. */
	print(&conf, first);
	config_defaults(&again);
	conf_init(&p, CONF_CHRONY, table, ntable, &again);
	p.sink = fuzz_quiet;
	fuzz_feed_lines(&p, (const uint8_t *)first, strlen(first));
	if (p.errors != 0) {
		fprintf(stderr, "printed config does not read back:\n%s", first);
		abort();
	}
	print(&again, second);
	if (strcmp(first, second) != 0) {
		fprintf(stderr, "config printed differently after a round trip:\n%s---\n%s",
		    first, second);
		abort();
	}
	return 0;
}
