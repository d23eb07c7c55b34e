/* fuzz_lookup.c -- libFuzzer harness: what lookup.c reads from outside, a DNS reply, a hosts file and resolv.conf. */
#include <sys/socket.h>

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "lookup.h"

#define REPLY_MAX	512	/* lookup.c takes no more of a datagram */

static struct lookup_addr	addrs[LOOKUP_MAX_ADDRS];

static void
check_addrs(int from, int n, int family)
{
	int	i;

	if (from < 0 || n < from || n > LOOKUP_MAX_ADDRS)
		abort();
	for (i = from; i < n; i++)
		if ((addrs[i].addr.family != AF_INET && addrs[i].addr.family != AF_INET6) ||
		    (family != AF_UNSPEC && addrs[i].addr.family != family))
			abort();
}

/* Read two replies into one address list, as lookup.c reads the A and the
 * AAAA reply.  The input's first byte says where to cut the rest in two. */
static void
fuzz_replies(const uint8_t *data, size_t size)
{
	uint8_t	*msg;
	size_t	 cut, len, off;
	int	 n = 0, before, k;

	cut = size > 0 ? data[0] * size / 256 : 0;
	for (k = 0, off = 1; k < 2 && off <= size; k++) {
		if (k == 1)
			len = size - off;
		else if (cut > off)
			len = cut - off;
		else
			len = 0;
		if (len > REPLY_MAX)
			len = REPLY_MAX;
		/* A copy of the exact length, so that ASan reports a read past the end. */
		if ((msg = malloc(len + 1)) == NULL)
			abort();
		memcpy(msg, data + off, len);
		before = n;
		lookup_read_answers(msg, (int)len, addrs, &n);
		check_addrs(before, n, AF_UNSPEC);
		free(msg);
		off += len;
	}
}

/* A name and a family on the first line, the hosts file after it. */
static void
fuzz_hosts(const uint8_t *data, size_t size)
{
	static const int	families[4] = { AF_UNSPEC, AF_INET, AF_INET6, AF_UNSPEC };
	char			name[256];
	const uint8_t		*nl;
	size_t			len;
	int			family, n;

	if (size < 2 || (nl = memchr(data + 1, '\n', size - 1)) == NULL)
		return;
	family = families[data[0] & 3];
	len = (size_t)(nl - data) - 1;
	/* lookup_addrs passes no other names. */
	if (len == 0 || len >= 255 || memchr(data + 1, '\0', len) != NULL)
		return;
	memcpy(name, data + 1, len);
	name[len] = '\0';
	n = lookup_read_hosts(fuzz_file_write(nl + 1, size - (size_t)(nl + 1 - data)), name,
	    family, addrs);
	if (n == EAI_NONAME || n == EAI_SYSTEM)
		return;
	check_addrs(0, n, family);
}

static void
fuzz_resolv(const uint8_t *data, size_t size)
{
	struct lookup_resolv	rc;
	int			i;

	if (lookup_read_resolv(fuzz_file_write(data, size), &rc) != 0)
		abort();
	if (rc.nns < 1 || rc.nns > LOOKUP_MAXNS || rc.ndots > 15 || rc.attempts > 10 ||
	    rc.timeout > 60 || memchr(rc.search, '\0', sizeof(rc.search)) == NULL)
		abort();
	for (i = 0; i < rc.nns; i++)
		if (rc.ns[i].addr.family != AF_INET && rc.ns[i].addr.family != AF_INET6)
			abort();
}

/* The first byte picks the reader; the rest is its input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_replies(data + 1, size - 1);
		break;
	case 1:
		fuzz_hosts(data + 1, size - 1);
		break;
	default:
		fuzz_resolv(data + 1, size - 1);
	}
	return 0;
}
