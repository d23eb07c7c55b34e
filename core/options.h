/* options.h -- getopt(3) with musl's behaviour, for the static build. */
#ifndef EDGEBOX_OPTIONS_H
#define EDGEBOX_OPTIONS_H

/* The variables of getopt(3), and the position inside a group of options such as "-ab". */
struct options_state {
	char	*arg;		/* optarg */
	int	 ind;		/* optind: set it to 0 to start over at argv[1] */
	int	 err;		/* opterr */
	int	 opt;		/* optopt */
	int	 pos;		/* offset of the next option character in argv[ind] */
};

/*
 * Return the next option character of argv as musl 1.2's getopt does in
 * the C locale, with the same messages on stderr.  Like musl it does not
 * permute: the first argument that is not an option ends the options,
 * unless optstring starts with '-', and "--" ends them too.  A ':' after
 * an option character in optstring means it takes an argument, and "::"
 * means an optional one that must be attached.  After a missing argument,
 * ind is argc + 1, as in musl.  The static build's getopt calls this
 * function.
 */
int	options_next(struct options_state *st, int argc, char *const argv[],
	    const char *optstring);

#endif
