/* options.c -- getopt(3) with musl's behaviour (see options.h). */
#include <stdio.h>

#include "options.h"

int
options_next(struct options_state *st, int argc, char *const argv[], const char *optstring)
{
	const char	*arg, *p;
	char		 ch;
	int		 c;

	if (st->ind == 0) {
		st->ind = 1;
		st->pos = 0;
	}
	if (st->ind >= argc || argv[st->ind] == NULL)
		return -1;
	arg = argv[st->ind];
	if (arg[0] != '-') {
		if (optstring[0] == '-') {
			st->arg = argv[st->ind++];
			return 1;
		}
		return -1;
	}
	if (arg[1] == '\0')
		return -1;
	if (arg[1] == '-' && arg[2] == '\0') {
		st->ind++;
		return -1;
	}

	if (st->pos == 0)
		st->pos = 1;
	ch = arg[st->pos++];
	if (arg[st->pos] == '\0') {
		st->ind++;
		st->pos = 0;
	}
	/*
	 * In the C locale musl's mbtowc turns a byte above 0x7f into a
	 * character of 0xdf80 to 0xdfff, and optopt gets that value.
	 */
	c = (unsigned char)ch;
	if (c >= 0x80)
		c |= 0xdf00;

	if (optstring[0] == '-' || optstring[0] == '+')
		optstring++;
	for (p = optstring; *p != '\0' && *p != ch; p++)
		continue;
	if (*p == '\0' || ch == ':') {
		st->opt = c;
		if (optstring[0] != ':' && st->err)
			fprintf(stderr, "%s: unrecognized option: %c\n", argv[0], ch);
		return '?';
	}
	if (p[1] == ':') {
		st->arg = NULL;
		if (st->pos != 0) {
			/* The rest of this word is the argument. */
			st->arg = argv[st->ind++] + st->pos;
			st->pos = 0;
		} else if (p[2] != ':') {
			/* The next word is the argument (NULL after the last word). */
			st->arg = argv[st->ind++];
		}
		if (st->ind > argc) {
			st->opt = c;
			if (optstring[0] == ':')
				return ':';
			if (st->err)
				fprintf(stderr, "%s: option requires an argument: %c\n", argv[0], ch);
			return '?';
		}
	}
	return c;
}

#ifdef EDGEBOX_STATIC
#include <unistd.h>

char	*optarg;
int	 optind = 1, opterr = 1, optopt;

int
getopt(int argc, char *const argv[], const char *optstring)
{
	static struct options_state	st;
	int				c;

	st.arg = optarg;
	st.ind = optind;
	st.err = opterr;
	st.opt = optopt;
	c = options_next(&st, argc, argv, optstring);
	optarg = st.arg;
	optind = st.ind;
	optopt = st.opt;
	return c;
}
#endif
