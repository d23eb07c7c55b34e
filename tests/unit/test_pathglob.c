/*
 * test_pathglob.c -- wildcard matching and path expansion, each checked
 * against the C library's fnmatch(3) and glob(3) on the same input.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pathglob.h"

static const char *const patterns[] = {
	"*", "*.conf", "a*b", "a*b*c", "?", "??.conf", "[abc]*", "[!abc]*", "[^a]x",
	"[a-c]1", "[]x]", "[!]x]", "x[", "x[a", "\\*", "a\\?b", "*.*", ".*",
	"**c", "a*", "*a*", "", "[-a]", "[a-]",
};

static const char *const names[] = {
	"a", "b", "ab", "abc", "axbyc", "a.conf", "10.conf", "x.conf", ".hidden",
	".conf", "*", "a?b", "axb", "]", "x", "x[", "x[a", "b1", "d1", "-", "ax",
	"ba", "c", "", ".", "..",
};

/*
 * pathglob_match agrees with fnmatch(FNM_PERIOD) on every pair of the
 * tables.  Two cases where the C libraries differ are left out: a leading
 * "\." (glibc's fnmatch takes it as the explicit period, musl's does not)
 * and a reversed range such as "[z-a]" (POSIX leaves it undefined).
 */
static void
match_as_fnmatch(void **state)
{
	size_t	i, j;
	int	expected, got;

	(void)state;
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			expected = fnmatch(patterns[i], names[j], FNM_PERIOD) == 0;
			got = pathglob_match(patterns[i], names[j]);
			if (got != expected)
				fail_msg("pattern '%s' name '%s': pathglob %d, fnmatch %d",
				    patterns[i], names[j], got, expected);
		}
	}
}

/* Where the C libraries differ, pathglob does as glibc does. */
static void
match_as_glibc(void **state)
{
	(void)state;
	assert_int_equal(pathglob_match("[z-a]", "a"), 0);
	assert_int_equal(pathglob_match("[z-a]", "z"), 0);
	assert_int_equal(pathglob_match("\\.h*", ".hidden"), 1);
	assert_int_equal(pathglob_match("?hidden", ".hidden"), 0);
	assert_int_equal(pathglob_match("[.]hidden", ".hidden"), 0);
}

static char	tree[64];

static void
touch(const char *rel)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static int
make_tree(void **state)
{
	char	path[256];
	const char *const dirs[] = { "conf.d", "conf.d/sub", "other.d", "empty.d" };
	size_t	i;

	(void)state;
	snprintf(tree, sizeof(tree), "/tmp/edgebox-pathglob.XXXXXX");
	if (mkdtemp(tree) == NULL)
		return -1;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, dirs[i]);
		if (mkdir(path, 0755) == -1)
			return -1;
	}
	touch("conf.d/b.conf");
	touch("conf.d/a.conf");
	touch("conf.d/10-x.conf");
	touch("conf.d/.hidden.conf");
	touch("conf.d/notes.txt");
	touch("conf.d/sub/c.conf");
	touch("other.d/a.conf");
	touch("top.conf");
	return 0;
}

static int
remove_tree(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) == 0 ? 0 : -1;
}

/* pathglob_expand returns what glob(pattern, 0) returns, in the same order. */
static void
expand_as_glob(void **state)
{
	static const char *const rels[] = {
		"conf.d/*.conf", "*.d/a.conf", "*/*.conf", "conf.d/*", "conf.d/.*",
		"conf.d/sub/c.conf", "conf.d/missing.conf", "missing.d/*.conf", "empty.d/*",
		"*.d/", "conf.d/[ab].conf", "conf.d/[!a]*.conf", "*/*/*.conf", "top.conf",
		"conf.d//a.conf", "t?p.conf",
	};
	char		pattern[256];
	struct pathglob	g;
	glob_t		ref;
	size_t		i, k;
	int		rc;

	(void)state;
	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		snprintf(pattern, sizeof(pattern), "%s/%s", tree, rels[i]);
		assert_int_equal(pathglob_expand(pattern, &g), 0);
		rc = glob(pattern, 0, NULL, &ref);
		if (rc == GLOB_NOMATCH) {
			if (g.count != 0)
				fail_msg("%s: pathglob found %zu paths (first %s), glob none",
				    rels[i], g.count, g.paths[0]);
		} else {
			assert_int_equal(rc, 0);
			if (g.count != ref.gl_pathc)
				fail_msg("%s: pathglob found %zu paths, glob %zu", rels[i],
				    g.count, (size_t)ref.gl_pathc);
			for (k = 0; k < g.count; k++)
				assert_string_equal(g.paths[k], ref.gl_pathv[k]);
			globfree(&ref);
		}
		pathglob_free(&g);
	}
}

/* A path longer than PATH_MAX is an error with ENAMETOOLONG, not a crash. */
static void
expand_too_long(void **state)
{
	static char	pattern[5000];
	struct pathglob	g;

	(void)state;
	memset(pattern, 'a', sizeof(pattern) - 1);
	pattern[0] = '/';
	assert_int_equal(pathglob_expand(pattern, &g), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(g.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(match_as_fnmatch),
		cmocka_unit_test(match_as_glibc),
		cmocka_unit_test(expand_as_glob),
		cmocka_unit_test(expand_too_long),
	};

	return cmocka_run_group_tests_name("pathglob", tests, make_tree, remove_tree);
}
