/*
 * pathglob.c -- shell wildcards for chrony's "include" directive.
 *
 * musl's glob(3) calls fnmatch(3), which pulls in the wide character
 * tables: about 20 KB of the static binary, only to expand an include
 * pattern such as "conf.d/" followed by "*.conf".  Config paths are plain
 * bytes, so this matches bytes only.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pathglob.h"

/*
 * Match one bracket expression starting after '[' against c.  Returns the
 * pattern position after the closing ']' and sets *matched, or NULL when
 * the bracket is not closed (then '[' is an ordinary character).
 */
static const char *
match_bracket(const char *p, unsigned char c, int *matched)
{
	int		negate = 0, found = 0;
	unsigned char	lo, hi;

	if (*p == '!' || *p == '^') {
		negate = 1;
		p++;
	}
	/* A ']' right after the opening (and any negation) is a member. */
	if (*p == ']') {
		found = c == ']';
		p++;
	}
	while (*p != ']') {
		if (*p == '\0')
			return NULL;
		if (*p == '\\' && p[1] != '\0')
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (*p == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			if (*p == '\\' && p[1] != '\0')
				p++;
			hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			found = 1;
	}
	*matched = found != negate;
	return p + 1;
}

int
pathglob_match(const char *pattern, const char *name)
{
	const char	*p = pattern, *n = name;
	const char	*star_p = NULL, *star_n = NULL, *next;
	int		 matched;

	if (*n == '.' && *p != '.' && !(p[0] == '\\' && p[1] == '.'))
		return 0;
	while (*n != '\0') {
		if (*p == '*') {
			/* Remember the star, try it as empty first, and widen it on a mismatch. */
			star_p = ++p;
			star_n = n;
			continue;
		}
		if (*p == '?') {
			p++;
			n++;
			continue;
		}
		if (*p == '[' && (next = match_bracket(p + 1, (unsigned char)*n, &matched)) != NULL) {
			if (matched) {
				p = next;
				n++;
				continue;
			}
		} else {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p != '\0' && *p == *n) {
				p++;
				n++;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		n = ++star_n;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static int
has_wildcard(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return 1;
	return 0;
}

static int
add_path(struct pathglob *g, const char *path)
{
	char	**grown;

	/* Grow by doubling: count reaches each power of two once. */
	if ((g->count & (g->count - 1)) == 0) {
		grown = realloc(g->paths, (g->count ? g->count * 2 : 1) * sizeof(*grown));
		if (grown == NULL)
			return -1;
		g->paths = grown;
	}
	if ((g->paths[g->count] = strdup(path)) == NULL)
		return -1;
	g->count++;
	return 0;
}

/*
 * Copy the wildcard-free part [part, part + len) to path + used with the
 * quoting backslashes removed.  Returns the new length, or -1 when it does
 * not fit.
 */
static int
append_literal(char *path, size_t used, const char *part, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (part[i] == '\\' && i + 1 < len)
			i++;
		if (used + 1 >= PATH_MAX)
			return -1;
		path[used++] = part[i];
	}
	path[used] = '\0';
	return (int)used;
}

/*
 * Expand the rest of the pattern, rest, below the folder already in
 * path[0, used).  Returns 0, or -1 with errno set.
 */
static int
expand(struct pathglob *g, char *path, size_t used, const char *rest)
{
	char		 part[NAME_MAX + 1];
	const char	*slash;
	size_t		 len, nlen;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 n, rc = 0;

	while (*rest == '/') {
		if (used + 1 >= PATH_MAX)
			goto toolong;
		path[used++] = *rest++;
		path[used] = '\0';
	}
	if (*rest == '\0')
		return lstat(path, &st) == 0 ? add_path(g, path) : 0;
	slash = strchr(rest, '/');
	len = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (!has_wildcard(rest, len)) {
		if ((n = append_literal(path, used, rest, len)) == -1)
			goto toolong;
		return expand(g, path, (size_t)n, rest + len);
	}
	if (len > NAME_MAX)
		return 0;
	memcpy(part, rest, len);
	part[len] = '\0';
	if ((d = opendir(used > 0 ? path : ".")) == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!pathglob_match(part, de->d_name))
			continue;
		nlen = strlen(de->d_name);
		if (used + nlen + 1 >= PATH_MAX)
			continue;
		memcpy(path + used, de->d_name, nlen + 1);
		rc = expand(g, path, used + nlen, rest + len);
	}
	closedir(d);
	path[used] = '\0';
	return rc;

toolong:
	errno = ENAMETOOLONG;
	return -1;
}

static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
pathglob_expand(const char *pattern, struct pathglob *g)
{
	char	path[PATH_MAX];

	g->paths = NULL;
	g->count = 0;
	path[0] = '\0';
	if (expand(g, path, 0, pattern) == -1) {
		pathglob_free(g);
		return -1;
	}
	if (g->count > 1)
		qsort(g->paths, g->count, sizeof(*g->paths), compare_paths);
	return 0;
}

void
pathglob_free(struct pathglob *g)
{
	size_t	i;

	for (i = 0; i < g->count; i++)
		free(g->paths[i]);
	free(g->paths);
	g->paths = NULL;
	g->count = 0;
}
