/* fuzz_conf.c -- libFuzzer harness: the config tokenizer of both dialects, line by line. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
take_values(struct conf_parser *p, int argc, char **argv, void *target)
{
	long	l;
	double	d;
	int	i;

	for (i = 0; i < argc; i++) {
		conf_int(p, argv[i], -100000, 100000, &l);
		conf_double(p, argv[i], -1e9, 1e9, &d);
	}
	return 0;
}

static void
quiet(void *arg, int is_error, const char *msg)
{
}

/* Sorted; covers a value-less row, a bounded row, an open row and an unsupported one. */
static const struct conf_directive table[] = {
	{ "a",		0, 0,	take_values,	NULL },
	{ "b",		1, 2,	take_values,	NULL },
	{ "cache-size",	1, -1,	take_values,	NULL },
	{ "dhcp-range",	0, -1,	NULL,		"not served" },
	{ "server",	0, -1,	take_values,	NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_parser	 p;
	char			 line[CONF_LINE_MAX + 8];
	size_t			 start, end, n;
	int			 lineno = 0;

	if (size == 0)
		return 0;
	conf_init(&p, data[0] & 1 ? CONF_CHRONY : CONF_DNSMASQ, table,
	    sizeof(table) / sizeof(table[0]), NULL);
	p.sink = quiet;
	for (start = 1; start < size; start = end + 1) {
		for (end = start; end < size && data[end] != '\n'; end++)
			;
		n = end - start;
		if (n > sizeof(line) - 1)
			n = sizeof(line) - 1;
		memcpy(line, data + start, n);
		line[n] = '\0';
		conf_parse_line(&p, "fuzz", ++lineno, line);
	}
	return 0;
}
