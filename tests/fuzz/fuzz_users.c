/* fuzz_users.c -- libFuzzer harness: passwd and group files through users.c, checking the fields of the entry found. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "users.h"

static const uint8_t	*file;
static size_t		 file_size;

/*
 * Check that the len bytes at s, where each field ends in a NUL byte, are a
 * line of the file with seps in place of those NULs.  The line must also go
 * on past them, because its last byte (newline or not) is dropped.
 */
static void
check_line(const char *s, size_t len, const char *seps)
{
	size_t	start, i;

	for (start = 0; start < file_size; start++) {
		if (start > 0 && file[start - 1] != '\n')
			continue;
		if (file_size - start <= len)
			break;
		for (i = 0; i < len; i++)
			if (file[start + i] != (uint8_t)s[i] &&
			    !(s[i] == '\0' && file[start + i] != '\0' &&
			    strchr(seps, file[start + i]) != NULL))
				break;
		if (i == len)
			return;
	}
	abort();
}

/* Check that field starts right after the NUL that ends the field prev. */
static void
check_next(const char *prev, const char *field)
{
	if (field != prev + strlen(prev) + 1)
		abort();
}

/*
 * Check the name field and that the password field follows it.  users.c
 * looks for the ':' after the name from its second byte on, so the field
 * takes at least one byte, and a field that starts with a NUL byte is an
 * empty name whatever bytes follow.
 */
static void
check_name(const char *name, const char *passwd, const char *wanted)
{
	if (strcmp(name, wanted) != 0 || passwd < name + 2 || passwd[-1] != '\0' ||
	    memchr(name + 1, ':', (size_t)(passwd - name - 2)) != NULL ||
	    (name[0] != '\0' && passwd != name + strlen(name) + 1))
		abort();
}

static void
fuzz_passwd(const char *path, const char *name)
{
	struct passwd	*pw;
	const char	*p;

	if ((pw = users_find_passwd(path, name)) == NULL)
		return;
	check_name(pw->pw_name, pw->pw_passwd, name);
	if (strchr(pw->pw_passwd, ':') != NULL || strchr(pw->pw_gecos, ':') != NULL ||
	    strchr(pw->pw_dir, ':') != NULL)
		abort();
	/* uid and gid: digits, each ended by a NUL. */
	p = pw->pw_passwd + strlen(pw->pw_passwd) + 1;
	if (p[strspn(p, "0123456789")] != '\0')
		abort();
	p += strlen(p) + 1;
	if (p[strspn(p, "0123456789")] != '\0')
		abort();
	check_next(p, pw->pw_gecos);
	check_next(pw->pw_gecos, pw->pw_dir);
	check_next(pw->pw_dir, pw->pw_shell);
	check_line(pw->pw_name, (size_t)(pw->pw_shell + strlen(pw->pw_shell) - pw->pw_name), ":");
}

static void
fuzz_group(const char *path, const char *name)
{
	struct group	 *gr;
	const char	 *end;
	char		**m;

	if ((gr = users_find_group(path, name)) == NULL)
		return;
	check_name(gr->gr_name, gr->gr_passwd, name);
	if (strchr(gr->gr_passwd, ':') != NULL)
		abort();
	end = gr->gr_passwd + strlen(gr->gr_passwd);
	for (m = gr->gr_mem; *m != NULL; m++) {
		/* The first member follows the gid; each other one its ','. */
		if (m != gr->gr_mem)
			check_next(m[-1], *m);
		else if (*m <= end)
			abort();
		end = *m + strlen(*m);
	}
	check_line(gr->gr_name, (size_t)(end - gr->gr_name), ":,");
}

/* The first byte picks passwd or group, the rest of the first line is the
 * name, the lines after it the file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 name[256];
	const uint8_t	*nl;
	const char	*path;
	size_t		 len;

	if (size < 2 || (nl = memchr(data + 1, '\n', size - 1)) == NULL)
		return 0;
	len = (size_t)(nl - data) - 1;
	if (len >= sizeof(name) || memchr(data + 1, '\0', len) != NULL)
		return 0;
	memcpy(name, data + 1, len);
	name[len] = '\0';
	file = nl + 1;
	file_size = size - (size_t)(file - data);
	path = fuzz_file_write(file, file_size);
	if (data[0] & 1)
		fuzz_group(path, name);
	else
		fuzz_passwd(path, name);
	return 0;
}
