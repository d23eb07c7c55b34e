/* pathglob.h -- shell wildcard matching and path expansion for config includes. */
#ifndef EDGEBOX_PATHGLOB_H
#define EDGEBOX_PATHGLOB_H

#include <stddef.h>

/*
 * Match name against a shell wildcard pattern: '*', '?', bracket
 * expressions with ranges and '!' or '^' for negation, and '\' to quote
 * the next character.  Bytes are compared as they are, without locale or
 * case folding.  A leading '.' of name matches only a literal '.'.
 * Returns 1 on a match, else 0.
 */
int	pathglob_match(const char *pattern, const char *name);

/* The paths that one pattern expanded to, sorted by strcmp. */
struct pathglob {
	char	**paths;
	size_t	  count;
};

/*
 * Expand pattern, which may have wildcards in any of its '/'-separated
 * parts, to the existing paths that match it, as glob(3) with no flags
 * does: a part without wildcards is taken as it is, the result is sorted,
 * and a pattern without wildcards yields itself when the path exists.
 * Folders that cannot be read are skipped.  Returns 0 (count may be 0), or
 * -1 with errno ENOMEM or ENAMETOOLONG.  Free with pathglob_free.
 */
int	pathglob_expand(const char *pattern, struct pathglob *g);
void	pathglob_free(struct pathglob *g);

#endif
