/* test_users.c -- passwd and group lookups against musl's rules and the C library's parser. */
#include "testutil.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "users.h"

static char	path[] = "/tmp/test_users.XXXXXX";

static void
write_file(const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	int	fd = mkstemp(path);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	return 0;
}

static const char	passwd_text[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "\n"
    "#comment\n"
    "short:x:1\n"
    "short:x:5:6:Short Name:/home/short:/bin/ash\n"
    "bad:x:1a:1::/:/bin/sh\n"
    "bad:x:2:2::/:/bin/false\n"
    "nouid:*::7:::\n"
    "big:x:4294967297:1::/:/bin/sh\n"
    "nodir:x:3:3:gecos\n"
    "last:x:9:9::/:/bin/sh";

static void
finds_users(void **state)
{
	struct passwd	*pw;

	write_file(passwd_text);
	assert_non_null(pw = users_find_passwd(path, "root"));
	assert_string_equal(pw->pw_name, "root");
	assert_string_equal(pw->pw_passwd, "x");
	assert_int_equal(pw->pw_uid, 0);
	assert_int_equal(pw->pw_gid, 0);
	assert_string_equal(pw->pw_gecos, "root");
	assert_string_equal(pw->pw_dir, "/root");
	assert_string_equal(pw->pw_shell, "/bin/sh");

	assert_non_null(pw = users_find_passwd(path, "short"));
	assert_int_equal(pw->pw_uid, 5);
	assert_int_equal(pw->pw_gid, 6);
	assert_string_equal(pw->pw_gecos, "Short Name");
	assert_string_equal(pw->pw_shell, "/bin/ash");
}

static void
skips_malformed_users(void **state)
{
	struct passwd	*pw;

	write_file(passwd_text);
	assert_non_null(pw = users_find_passwd(path, "bad"));
	assert_int_equal(pw->pw_uid, 2);
	assert_string_equal(pw->pw_shell, "/bin/false");
	assert_null(users_find_passwd(path, "nodir"));
	assert_null(users_find_passwd(path, ""));
	assert_null(users_find_passwd(path, "#comment"));
	assert_null(users_find_passwd(path, "nobody-here"));
}

/* musl reads no digits as 0, wraps a large id and drops the last byte of a last line. */
static void
keeps_musl_quirks(void **state)
{
	struct passwd	*pw;

	write_file(passwd_text);
	assert_non_null(pw = users_find_passwd(path, "nouid"));
	assert_int_equal(pw->pw_uid, 0);
	assert_int_equal(pw->pw_gid, 7);
	assert_string_equal(pw->pw_shell, "");
	assert_non_null(pw = users_find_passwd(path, "big"));
	assert_int_equal(pw->pw_uid, 1);
	assert_non_null(pw = users_find_passwd(path, "last"));
	assert_string_equal(pw->pw_shell, "/bin/s");
}

static void
finds_groups(void **state)
{
	struct group	*gr;

	write_file("wheel:x:10:root,adm\n"
	    "short:x\n"
	    "empty:x:11:\n"
	    "double:x:12:a,,b,\n"
	    "nomembers:x:13\n"
	    "last:x:14:");
	assert_non_null(gr = users_find_group(path, "wheel"));
	assert_string_equal(gr->gr_passwd, "x");
	assert_int_equal(gr->gr_gid, 10);
	assert_string_equal(gr->gr_mem[0], "root");
	assert_string_equal(gr->gr_mem[1], "adm");
	assert_null(gr->gr_mem[2]);

	assert_non_null(gr = users_find_group(path, "empty"));
	assert_int_equal(gr->gr_gid, 11);
	assert_null(gr->gr_mem[0]);

	/* musl never splits at a ',' right after another. */
	assert_non_null(gr = users_find_group(path, "double"));
	assert_string_equal(gr->gr_mem[0], "a");
	assert_string_equal(gr->gr_mem[1], ",b");
	assert_string_equal(gr->gr_mem[2], "");
	assert_null(gr->gr_mem[3]);

	assert_null(users_find_group(path, "short"));
	assert_null(users_find_group(path, "nomembers"));
	/* Without its last byte the line ends after the gid, with no ':'. */
	assert_null(users_find_group(path, "last"));
}

/* A NUL byte after a ',' ends the members (fuzz_users found musl's way of
 * stepping over it writing past the member array). */
static void
nul_after_comma_ends_members(void **state)
{
	static const char	text[] = "nul:x:15:a,\0b,c,d,e,f,g,h\n";
	struct group		*gr;
	FILE			*f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	assert_non_null(gr = users_find_group(path, "nul"));
	assert_string_equal(gr->gr_mem[0], "a");
	assert_string_equal(gr->gr_mem[1], "");
	assert_null(gr->gr_mem[2]);
}

static void
missing_file_finds_nothing(void **state)
{
	assert_null(users_find_passwd("/nonexistent/passwd", "root"));
	assert_null(users_find_group("/nonexistent/group", "root"));
}

static unsigned int	seed = 6;

static void
append_random(char *out, size_t *len, const char *alphabet, size_t max)
{
	size_t	n = test_random(&seed) % (max + 1);

	while (n-- > 0)
		out[(*len)++] = alphabet[test_random(&seed) % strlen(alphabet)];
}

#ifdef __GLIBC__
/* Append up to three members separated by ',', never an empty one. */
static void
append_members(char *out, size_t *len)
{
	unsigned int	n = test_random(&seed) % 4;

	while (n-- > 0) {
		out[(*len)++] = 'a';
		append_random(out, len, "ab", 2);
		if (n > 0)
			out[(*len)++] = ',';
	}
}
#endif

/*
 * Write n random lines.  Under musl, the reference here, the lines mix
 * field characters, and the last may lack its newline.  glibc's parser rejects and accepts other
 * malformed lines than musl's, so there the lines are well formed.
 */
static void
write_random_file(int nlines, int group)
{
	static char	text[65536];
	size_t		len = 0;
	int		i, f, nfields = group ? 4 : 7;

	for (i = 0; i < nlines; i++) {
#ifdef __GLIBC__
		for (f = 0; f < nfields; f++) {
			if (f == 0)
				append_random(text, &len, "ab", 2), text[len++] = 'a';
			else if (f == 2 || (f == 3 && !group))
				append_random(text, &len, "0123456789", 3), text[len++] = '7';
			else if (f == 3)
				append_members(text, &len);
			else
				append_random(text, &len, "ab /", 4);
			if (f < nfields - 1)
				text[len++] = ':';
		}
		text[len++] = '\n';
#else
		/* Fields of musl's kinds, each with a ':' after it nine times in ten. */
		for (f = 0; f < nfields; f++) {
			if (f == 0)
				append_random(text, &len, "aab:", 3);
			else if (f == 2 || (f == 3 && !group))
				append_random(text, &len, "0123456789a:", 11);
			else
				append_random(text, &len, "ab,,:/", 5);
			if (f < nfields - 1 && test_random(&seed) % 10 != 0)
				text[len++] = ':';
		}
		if (i < nlines - 1 || test_random(&seed) % 2 == 0)
			text[len++] = '\n';
#endif
	}
	text[len] = '\0';
	write_file(text);
}

static const char	*names[] = { "", "a", "b", ":", "aa", "ab", "ba", "a:", "aaa", "aba",
    "a0", "0", "," };

static void
agree_on_passwd(const char *name)
{
	struct passwd	*ours, *ref = NULL;
	FILE		*f = fopen(path, "r");

	assert_non_null(f);
	while ((ref = fgetpwent(f)) != NULL && strcmp(ref->pw_name, name) != 0)
		continue;
	ours = users_find_passwd(path, name);
	if (ref == NULL) {
		if (ours != NULL)
			fail_msg("user '%s' found only by users_find_passwd", name);
	} else {
		if (ours == NULL)
			fail_msg("user '%s' found only by fgetpwent", name);
		assert_string_equal(ours->pw_passwd, ref->pw_passwd);
		assert_int_equal(ours->pw_uid, ref->pw_uid);
		assert_int_equal(ours->pw_gid, ref->pw_gid);
		assert_string_equal(ours->pw_gecos, ref->pw_gecos);
		assert_string_equal(ours->pw_dir, ref->pw_dir);
		assert_string_equal(ours->pw_shell, ref->pw_shell);
	}
	fclose(f);
}

static void
agree_on_group(const char *name)
{
	struct group	*ours, *ref = NULL;
	FILE		*f = fopen(path, "r");
	size_t		 i;

	assert_non_null(f);
	while ((ref = fgetgrent(f)) != NULL && strcmp(ref->gr_name, name) != 0)
		continue;
	ours = users_find_group(path, name);
	if (ref == NULL) {
		if (ours != NULL)
			fail_msg("group '%s' found only by users_find_group", name);
	} else {
		if (ours == NULL)
			fail_msg("group '%s' found only by fgetgrent", name);
		assert_string_equal(ours->gr_passwd, ref->gr_passwd);
		assert_int_equal(ours->gr_gid, ref->gr_gid);
		for (i = 0; ref->gr_mem[i] != NULL; i++) {
			assert_non_null(ours->gr_mem[i]);
			assert_string_equal(ours->gr_mem[i], ref->gr_mem[i]);
		}
		assert_null(ours->gr_mem[i]);
	}
	fclose(f);
}

static void
agrees_with_libc(void **state)
{
	size_t	i;
	int	round, found = 0;

	for (round = 0; round < 400; round++) {
		write_random_file(1 + round % 12, round % 2);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (round % 2)
				agree_on_group(names[i]);
			else
				agree_on_passwd(names[i]);
			found += round % 2 ? users_find_group(path, names[i]) != NULL :
			    users_find_passwd(path, names[i]) != NULL;
		}
	}
	/* Without enough entries found, the comparison would test little. */
	assert_true(found > 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_users),
		cmocka_unit_test(skips_malformed_users),
		cmocka_unit_test(keeps_musl_quirks),
		cmocka_unit_test(finds_groups),
		cmocka_unit_test(nul_after_comma_ends_members),
		cmocka_unit_test(missing_file_finds_nothing),
		cmocka_unit_test(agrees_with_libc),
	};

	return cmocka_run_group_tests_name("users", tests, setup, teardown);
}
