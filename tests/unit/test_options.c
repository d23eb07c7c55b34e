/* test_options.c -- options_next against musl's rules and the C library's getopt. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* stderr of the calls between capture_start and capture_end, in a temporary file. */
static FILE	*capture;
static int	 saved_stderr = -1;

static void
capture_start(void)
{
	fflush(stderr);
	assert_non_null(capture = tmpfile());
	saved_stderr = dup(2);
	assert_int_not_equal(saved_stderr, -1);
	assert_int_not_equal(dup2(fileno(capture), 2), -1);
}

/* Stop capturing and store at most size - 1 bytes of it in out. */
static void
capture_end(char *out, size_t size)
{
	size_t	n;

	fflush(stderr);
	assert_int_not_equal(dup2(saved_stderr, 2), -1);
	close(saved_stderr);
	rewind(capture);
	n = fread(out, 1, size - 1, capture);
	out[n] = '\0';
	fclose(capture);
}

/*
 * Append one step to out: the return, ind, opt and arg as its offset from
 * argv[0] (-1 for NULL).  glibc clears optarg in every call, but musl
 * changes it only for an option that takes an argument.  glibc's optopt
 * keeps the value of an earlier run.  So with glibc_rules, arg is
 * recorded only for the options that take one, and opt only for '?' and
 * ':'.
 */
static size_t
record_step(char *out, size_t size, int c, int ind, int opt, const char *arg, char **argv,
    const char *optstring, int glibc_rules)
{
	const char	*p = c > 0 && c != ':' ? strchr(optstring, c) : NULL;
	long		 offset = arg == NULL ? -1L : (long)(arg - argv[0]);

	if (glibc_rules && (p == NULL || p[1] != ':'))
		offset = -1;
	if (glibc_rules && c != '?' && c != ':')
		opt = 0;
	return (size_t)snprintf(out, size, "%d/%d/%d/%ld ", c, ind, opt, offset);
}

/* Run options_next to the end of argv, each step as "return/ind/opt/arg " in out. */
static void
record_ours(int argc, char **argv, const char *optstring, int err, int glibc_rules,
    char *out, size_t size)
{
	struct options_state	st = { NULL, 1, 0, 0, 0 };
	size_t			len = 0;
	int			c, steps = 0;

	st.err = err;
	do {
		c = options_next(&st, argc, argv, optstring);
		len += record_step(out + len, size - len, c, st.ind, st.opt, st.arg, argv,
		    optstring, glibc_rules);
	} while (c != -1 && ++steps < 40 && len < size - 64);
}

static void
record_libc(int argc, char **argv, const char *optstring, int err, int glibc_rules,
    char *out, size_t size)
{
	size_t	len = 0;
	int	c, steps = 0;

	optind = 0;
	optarg = NULL;
	optopt = 0;
	opterr = err;
	do {
		c = getopt(argc, argv, optstring);
		len += record_step(out + len, size - len, c, optind, optopt, optarg, argv,
		    optstring, glibc_rules);
	} while (c != -1 && ++steps < 40 && len < size - 64);
}

/* argv strings live in one buffer, so an optarg is recorded as its offset from argv[0]. */
struct args {
	char	 text[512];
	char	*argv[12];
	int	 argc;
};

static void
make_args(struct args *a, const char *const *words)
{
	size_t	len = 0;

	for (a->argc = 0; words[a->argc] != NULL; a->argc++) {
		a->argv[a->argc] = a->text + len;
		len += strlen(words[a->argc]) + 1;
		memcpy(a->argv[a->argc], words[a->argc], strlen(words[a->argc]) + 1);
	}
	a->argv[a->argc] = NULL;
}

/* The steps and messages of options_next for words with optstring, as "steps|messages". */
static void
run_ours(const char *const *words, const char *optstring, char *out, size_t size)
{
	struct args	a;
	char		steps[1024], msgs[512];

	make_args(&a, words);
	capture_start();
	record_ours(a.argc, a.argv, optstring, 1, 0, steps, sizeof(steps));
	capture_end(msgs, sizeof(msgs));
	snprintf(out, size, "%s|%s", steps, msgs);
}

static void
steps_and_messages(void **state)
{
	const char	*w1[] = { "prog", "-ab", "-f", "file", "-gopt", "-g", "rest", NULL };
	const char	*w2[] = { "prog", "-z", "-f", NULL };
	const char	*w3[] = { "prog", "-a", "--", "-b", NULL };
	const char	*w4[] = { "prog", "-a", "-", "-b", NULL };
	const char	*w5[] = { "prog", "x", "-a", NULL };
	const char	*w6[] = { "prog", "-fa", "-:", NULL };
	char		 out[2048];

	(void)state;
	/* -g takes an optional argument, attached or none. */
	run_ours(w1, "abf:g::", out, sizeof(out));
	assert_string_equal(out, "97/1/0/-1 98/2/0/-1 102/4/0/12 103/5/0/19 103/6/0/-1 "
	    "-1/6/0/-1 |");
	run_ours(w2, "abf:", out, sizeof(out));
	assert_string_equal(out, "63/2/122/-1 63/4/102/-1 -1/4/102/-1 |"
	    "prog: unrecognized option: z\nprog: option requires an argument: f\n");
	run_ours(w2, ":abf:", out, sizeof(out));
	assert_string_equal(out, "63/2/122/-1 58/4/102/-1 -1/4/102/-1 |");
	run_ours(w2, "+:abf:", out, sizeof(out));
	assert_string_equal(out, "63/2/122/-1 58/4/102/-1 -1/4/102/-1 |");
	run_ours(w3, "ab", out, sizeof(out));
	assert_string_equal(out, "97/2/0/-1 -1/3/0/-1 |");
	run_ours(w4, "ab", out, sizeof(out));
	assert_string_equal(out, "97/2/0/-1 -1/2/0/-1 |");
	run_ours(w5, "a", out, sizeof(out));
	assert_string_equal(out, "-1/1/0/-1 |");
	run_ours(w5, "-a", out, sizeof(out));
	assert_string_equal(out, "1/2/0/5 97/3/0/5 -1/3/0/5 |");
	/* ':' is never an option character, even where optstring has one. */
	run_ours(w6, "f:", out, sizeof(out));
	assert_string_equal(out, "102/2/0/7 63/3/58/7 -1/3/58/7 |"
	    "prog: unrecognized option: :\n");
}

/* A byte above 0x7f is a character of 0xdf80 to 0xdfff in optopt, as musl's mbtowc makes it. */
static void
high_byte_option(void **state)
{
	const char	*w[] = { "prog", "-\xe9", NULL };
	char		 out[256];

	(void)state;
	run_ours(w, "a", out, sizeof(out));
	assert_string_equal(out, "63/2/57321/-1 -1/2/57321/-1 |prog: unrecognized option: \xe9\n");
}

static unsigned int	seed = 2026;

/*
 * Random words of option-like text.  glibc's getopt differs from musl's
 * on "-" with a leading '-' in optstring, on bytes above 0x7f and on a
 * missing argument, where optind stays argc.  So under glibc the words
 * avoid the first two, and the comparison stops at the third.
 */
static void
random_words(const char **words, char buf[][8])
{
#ifdef __GLIBC__
	static const char	chars[] = "abfgz:-";
#else
	static const char	chars[] = "abfgz:-\xe9";
#endif
	int			n = 1 + (int)(test_random(&seed) % 6), i, j, len;

	words[0] = "prog";
	for (i = 1; i <= n; i++) {
		len = (int)(test_random(&seed) % 4);
		j = 0;
		if (test_random(&seed) % 4 != 0)
			buf[i][j++] = '-';
		while (len-- > 0)
			buf[i][j++] = chars[test_random(&seed) % (sizeof(chars) - 1)];
		buf[i][j] = '\0';
		words[i] = buf[i];
	}
	words[n + 1] = NULL;
}

static void
agrees_with_libc(void **state)
{
	static const char	*optstrings[] = { "abf:g::", ":abf:g::", "+abf:", "+:abf:",
	    "-abf:", ":", "", "a:b", "g::", ":46aAc:CdDilm:nN:p:rR:st:TUvVwW:", "+ch:jns:",
	    "46df:hnpqQst:u:x" };
	const char		*words[12];
	char			 buf[12][8], ours[1024], ref[1024];
	char			 ours_msgs[512], ref_msgs[512];
	struct args		 a;
	size_t			 i;
	int			 round, err, glibc = 0;

	(void)state;
	for (round = 0; round < 3000; round++) {
		random_words(words, buf);
		make_args(&a, words);
		i = (size_t)round % (sizeof(optstrings) / sizeof(optstrings[0]));
		err = round % 3 != 0;
#ifdef __GLIBC__
		/* glibc permutes unless POSIXLY_CORRECT is set; its messages differ. */
		setenv("POSIXLY_CORRECT", "1", 1);
		glibc = 1;
		err = 0;
		if (optstrings[i][0] == '-')
			continue;
#endif
		capture_start();
		record_ours(a.argc, a.argv, optstrings[i], err, glibc, ours, sizeof(ours));
		capture_end(ours_msgs, sizeof(ours_msgs));
		capture_start();
		record_libc(a.argc, a.argv, optstrings[i], err, glibc, ref, sizeof(ref));
		capture_end(ref_msgs, sizeof(ref_msgs));
#ifdef __GLIBC__
		/* Compare up to the first step whose ind is argc + 1. */
		{
			char	end[16], *cut;

			snprintf(end, sizeof(end), "/%d/", a.argc + 1);
			if ((cut = strstr(ours, end)) != NULL) {
				while (cut > ours && cut[-1] != ' ')
					cut--;
				*cut = '\0';
				ref[strlen(ours)] = '\0';
			}
		}
#endif
		if (strcmp(ours, ref) != 0 || strcmp(ours_msgs, ref_msgs) != 0)
			fail_msg("optstring \"%s\", words %s %s %s...: ours %s|%s, libc %s|%s",
			    optstrings[i], words[1], words[2] ? words[2] : "", words[2] && words[3] ?
			    words[3] : "", ours, ours_msgs, ref, ref_msgs);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steps_and_messages),
		cmocka_unit_test(high_byte_option),
		cmocka_unit_test(agrees_with_libc),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
