/* users.c -- user and group lookups in passwd and group files (see users.h). */
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "users.h"

/* A line buffer that grows to the longest line read, as getline(3)'s does. */
struct line {
	char	*buf;
	size_t	 size;
};

/*
 * Read the next line of f with its newline, if any, into l.  Returns the
 * length, which counts NUL bytes inside the line as getline does, or 0 at
 * the end of the file or on an error.
 */
static size_t
read_line(FILE *f, struct line *l)
{
	size_t	 len = 0;
	char	*p;
	int	 c;

	while ((c = getc(f)) != EOF) {
		if (len + 2 > l->size) {
			if ((p = realloc(l->buf, l->size * 2 + 128)) == NULL)
				return 0;
			l->buf = p;
			l->size = l->size * 2 + 128;
		}
		l->buf[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (len > 0)
		l->buf[len] = '\0';
	return len;
}

/*
 * Open path and read lines into l until one parses with parse and has the
 * given name in its first field.  musl drops the last byte of every line,
 * even a last line without a newline, so this does too.  Returns 0, or -1
 * when the file has no such line or cannot be read.
 */
static int
find_line(const char *path, const char *name, struct line *l,
    int (*parse)(char *, void *), void *entry)
{
	FILE	*f;
	size_t	 len;
	int	 found = -1;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while ((len = read_line(f, l)) > 0) {
		l->buf[len - 1] = '\0';
		if (parse(l->buf, entry) == 0 && strcmp(l->buf, name) == 0) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * End the text field at s at the next ':'.  Returns the start of the
 * next field, or NULL when there is no ':'.
 */
static char *
end_text(char *s)
{
	if ((s = strchr(s, ':')) == NULL)
		return NULL;
	*s++ = '\0';
	return s;
}

/*
 * Read the decimal digits at s into *v, wrapping around on overflow as
 * musl does, and end the field at the ':' that must follow them (no
 * digits read as 0).  Returns the start of the next field, or NULL.
 */
static char *
end_number(char *s, unsigned int *v)
{
	for (*v = 0; (unsigned int)(*s - '0') < 10; s++)
		*v = *v * 10 + (unsigned int)(*s - '0');
	if (*s != ':')
		return NULL;
	*s++ = '\0';
	return s;
}

/*
 * Split "name:passwd:uid:gid:gecos:dir:shell" in place.  The search for
 * the end of the name starts at its second byte, as in musl, so a name
 * may be a single ':'.  Returns 0, or -1 for a line musl skips.
 */
static int
parse_passwd(char *s, void *entry)
{
	struct passwd	*pw = entry;
	unsigned int	 uid, gid;

	pw->pw_name = s;
	if ((s = end_text(s + 1)) == NULL)
		return -1;
	pw->pw_passwd = s;
	if ((s = end_text(s)) == NULL || (s = end_number(s, &uid)) == NULL ||
	    (s = end_number(s, &gid)) == NULL)
		return -1;
	pw->pw_uid = uid;
	pw->pw_gid = gid;
	pw->pw_gecos = s;
	if ((s = end_text(s)) == NULL)
		return -1;
	pw->pw_dir = s;
	if ((s = end_text(s)) == NULL)
		return -1;
	pw->pw_shell = s;
	return 0;
}

/*
 * Split "name:passwd:gid:members" in place, like parse_passwd, and the
 * members at each ','.  As in musl, the byte after a ',' is never taken as
 * a separator, so "a,,b" has the members "a" and ",b".  Unlike musl, a NUL
 * byte right after a ',' ends the members: musl steps over it and goes on
 * splitting the bytes after it, past the room it counted.
 */
static int
parse_group(char *s, void *entry)
{
	static char	**mem;
	struct group	 *gr = entry;
	unsigned int	  gid;
	size_t		  n, i;
	char		**p;

	gr->gr_name = s;
	if ((s = end_text(s + 1)) == NULL)
		return -1;
	gr->gr_passwd = s;
	if ((s = end_text(s)) == NULL || (s = end_number(s, &gid)) == NULL)
		return -1;
	gr->gr_gid = gid;

	/* Room for one member more than there are ',', and the NULL. */
	for (n = 2, i = 0; s[i] != '\0'; i++)
		if (s[i] == ',')
			n++;
	if ((p = realloc(mem, n * sizeof(*mem))) == NULL)
		return -1;
	mem = p;
	i = 0;
	if (*s != '\0') {
		mem[i++] = s;
		for (; *s != '\0'; s++)
			if (*s == ',') {
				*s++ = '\0';
				mem[i++] = s;
				if (*s == '\0')
					break;
			}
	}
	mem[i] = NULL;
	gr->gr_mem = mem;
	return 0;
}

/*
 * musl queries nscd when the file lacks the name or is missing.  Alpine
 * runs no nscd by default and these lookups never query it, so a user or
 * group defined only in nscd is not found.
 */
struct passwd *
users_find_passwd(const char *path, const char *name)
{
	static struct line	line;
	static struct passwd	pw;

	if (find_line(path, name, &line, parse_passwd, &pw) == -1)
		return NULL;
	return &pw;
}

struct group *
users_find_group(const char *path, const char *name)
{
	static struct line	line;
	static struct group	gr;

	if (find_line(path, name, &line, parse_group, &gr) == -1)
		return NULL;
	return &gr;
}

#ifdef EDGEBOX_STATIC
struct passwd *
getpwnam(const char *name)
{
	return users_find_passwd("/etc/passwd", name);
}

struct group *
getgrnam(const char *name)
{
	return users_find_group("/etc/group", name);
}
#endif
