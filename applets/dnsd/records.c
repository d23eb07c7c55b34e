/* records.c -- dnsd's table of local names: records by owner, with a hash index. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"

void
records_init(struct records *r)
{
	memset(r, 0, sizeof(*r));
}

void
records_free(struct records *r)
{
	size_t	i;

	free(r->rrs);
	free(r->entries);
	free(r->srcs);
	for (i = 0; i < r->nsources; i++)
		free(r->sources[i]);
	free(r->sources);
	free(r->pool);
	free(r->names);
	free(r->index);
	records_init(r);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t	n;
	void	*q;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Copy len bytes into the pool; *off receives their offset. */
static int
pool_add(struct records *r, const void *data, size_t len, uint32_t *off)
{
	void	*pool = r->pool;

	if (r->poollen + len > UINT32_MAX ||
	    grow(&pool, &r->poolcap, r->poollen + len, 1) == -1)
		return -1;
	r->pool = pool;
	memcpy(r->pool + r->poollen, data, len);
	*off = (uint32_t)r->poollen;
	r->poollen += len;
	return 0;
}

const uint8_t *
records_data(const struct records *r, uint32_t off)
{
	return r->pool + off;
}

int
records_add(struct records *r, const uint8_t *owner, uint16_t type,
    const struct netaddr *addr, const uint8_t *data, size_t datalen,
    uint16_t pref, uint16_t weight, uint16_t port, uint32_t ttl)
{
	uint8_t			 lower[DNS_NAME_MAX], fields[6 + DNS_NAME_MAX];
	struct records_entry	*e;
	void			*entries = r->entries;
	size_t			 len = dnswire_name_len(owner), nfields = 0;

	/* MX and SRV keep their numbers in the pool, before the target. */
	if (type == DNS_TYPE_MX || type == DNS_TYPE_SRV) {
		fields[nfields++] = (uint8_t)(pref >> 8);
		fields[nfields++] = (uint8_t)pref;
		if (type == DNS_TYPE_SRV) {
			fields[nfields++] = (uint8_t)(weight >> 8);
			fields[nfields++] = (uint8_t)weight;
			fields[nfields++] = (uint8_t)(port >> 8);
			fields[nfields++] = (uint8_t)port;
		}
		if (data == NULL || datalen > DNS_NAME_MAX)
			return -1;
		memcpy(fields + nfields, data, datalen);
		data = fields;
		datalen += nfields;
	}
	if (datalen > UINT16_MAX ||
	    grow(&entries, &r->capentries, r->nentries + 1, sizeof(*e)) == -1)
		return -1;
	r->entries = entries;
	e = &r->entries[r->nentries];
	memset(e, 0, sizeof(*e));
	memcpy(lower, owner, len);
	dnswire_name_lower(lower);
	if (pool_add(r, lower, len, &e->owner) == -1)
		return -1;
	if (addr != NULL && (type == DNS_TYPE_A || type == DNS_TYPE_AAAA)) {
		data = addr->u.bytes;
		datalen = type == DNS_TYPE_A ? 4 : 16;
	}
	if (data != NULL && pool_add(r, data, datalen, &e->rr.data) == -1)
		return -1;
	e->rr.datalen = (uint16_t)datalen;
	e->rr.type = type;
	e->rr.ttl = ttl;
	e->src = r->cur_src;
	e->seq = (uint32_t)r->nentries;
	r->nentries++;
	return 0;
}

int
records_add_host(struct records *r, const char *name, const struct netaddr *addr, int ptr,
    uint32_t ttl)
{
	uint8_t			 wire[DNS_NAME_MAX], rev[DNS_NAME_MAX];
	struct records_entry	*e;
	uint32_t		 owner;
	int			 len;
	uint16_t		 type = addr->family == AF_INET ? DNS_TYPE_A : DNS_TYPE_AAAA;

	if ((len = dnswire_name_from_text(name, wire)) == -1)
		return -1;
	dnswire_name_lower(wire);
	if (records_add(r, wire, type, addr, NULL, 0, 0, 0, 0, ttl) == -1)
		return -1;
	if (!ptr)
		return 0;
	owner = r->entries[r->nentries - 1].owner;
	if (dnswire_name_reverse(addr, rev) == -1)
		return -1;
	if (records_add(r, rev, DNS_TYPE_PTR, NULL, NULL, 0, 0, 0, 0, ttl) == -1)
		return -1;
	/* The target is the lower-case name just added as the owner of the
	 * address, so the PTR shares its bytes in the pool. */
	e = &r->entries[r->nentries - 1];
	e->rr.data = owner;
	e->rr.datalen = (uint16_t)len;
	e->from_hosts = 1;	/* deduplicated in records_finish */
	return 0;
}

/* Give back the unused tail of an array that grow() doubled: the table
 * is fixed once finished, and the slack is most of a small dnsd's RSS. */
static void
shrink(void **p, size_t *cap, size_t n, size_t size)
{
	void	*q;

	if (n == 0 || n >= *cap)
		return;
	if ((q = realloc(*p, n * size)) != NULL) {
		*p = q;
		*cap = n;
	}
}

static const struct records *sorting;

/* Owner order (any total order will do), then type, then order of addition. */
static int
compare_rr(const void *a, const void *b)
{
	const struct records_entry	*x = a, *y = b;
	const uint8_t		*nx = sorting->pool + x->owner, *ny = sorting->pool + y->owner;
	size_t			 lx = dnswire_name_len(nx), ly = dnswire_name_len(ny);
	int			 c;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	if ((c = memcmp(nx, ny, lx)) != 0)
		return c;
	if (x->rr.type != y->rr.type)
		return x->rr.type < y->rr.type ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
same_owner(const struct records *r, const struct records_entry *a,
    const struct records_entry *b)
{
	const uint8_t	*na = r->pool + a->owner, *nb = r->pool + b->owner;
	size_t		 la = dnswire_name_len(na);

	return la == dnswire_name_len(nb) && memcmp(na, nb, la) == 0;
}

/* Whether b repeats a: the same address twice for a name, or a second PTR
 * for an address from a hosts line or host-record (the first one added
 * wins, as in dnsmasq). */
static int
is_duplicate(const struct records *r, const struct records_entry *a,
    const struct records_entry *b)
{
	if (!same_owner(r, a, b) || a->rr.type != b->rr.type)
		return 0;
	if (b->rr.type == DNS_TYPE_A || b->rr.type == DNS_TYPE_AAAA)
		return a->rr.datalen == b->rr.datalen &&
		    memcmp(r->pool + a->rr.data, r->pool + b->rr.data, a->rr.datalen) == 0;
	if (b->rr.type == DNS_TYPE_PTR && b->from_hosts)
		return 1;
	return 0;
}

static uint32_t
index_get(const struct records *r, size_t h)
{
	if (r->nindex <= RECORDS_INDEX16)
		return ((const uint16_t *)r->index)[h];
	return ((const uint32_t *)r->index)[h];
}

static int
index_insert(struct records *r, size_t nameidx)
{
	const uint8_t	*name = r->pool + r->names[nameidx].owner;
	size_t		 mask = r->nindex - 1, h;

	for (h = dnswire_name_hash(name) & mask; index_get(r, h) != 0; h = (h + 1) & mask)
		;
	if (r->nindex <= RECORDS_INDEX16)
		((uint16_t *)r->index)[h] = (uint16_t)(nameidx + 1);
	else
		((uint32_t *)r->index)[h] = (uint32_t)nameidx + 1;
	return 0;
}

/* Size the index for want names at under half load, and fill it with
 * the names so far.  Returns 0 or -1. */
static int
index_build(struct records *r, size_t want)
{
	void	*idx;
	size_t	 n, i;

	for (n = 64; n < 2 * (want + 1); n *= 2)
		;
	if (n == r->nindex)
		return 0;
	if ((idx = calloc(n, n <= RECORDS_INDEX16 ? sizeof(uint16_t) : sizeof(uint32_t))) == NULL)
		return -1;
	free(r->index);
	r->index = idx;
	r->nindex = n;
	for (i = 0; i < r->nnames; i++)
		index_insert(r, i);
	return 0;
}

static int
add_name(struct records *r, uint32_t owner, uint32_t first, uint16_t count)
{
	void	*names = r->names;

	if (grow(&names, &r->capnames, r->nnames + 1, sizeof(*r->names)) == -1)
		return -1;
	r->names = names;
	r->names[r->nnames].owner = owner;
	r->names[r->nnames].first = first;
	r->names[r->nnames].count = count;
	r->names[r->nnames].rotate = 0;
	r->nnames++;
	return 0;
}

/* Add every ancestor of the real names (below the root) that is not a name
 * itself, as an empty non-terminal: it exists, so it gets NODATA, never
 * NXDOMAIN (RFC 8020). */
static int
add_empty_nonterminals(struct records *r)
{
	const uint8_t	*name;
	size_t		 n = r->nnames, i, off;

	for (i = 0; i < n; i++) {
		name = r->pool + r->names[i].owner;
		for (off = (size_t)name[0] + 1; name[off] != 0; off += (size_t)name[off] + 1) {
			if (records_lookup(r, name + off) != NULL)
				continue;
			if (add_name(r, r->names[i].owner + (uint32_t)off, 0, 0) == -1)
				return -1;
			if (2 * (r->nnames + 1) > r->nindex) {
				if (index_build(r, 2 * r->nnames) == -1)
					return -1;
			} else
				index_insert(r, r->nnames - 1);
		}
	}
	return 0;
}

int
records_finish(struct records *r)
{
	struct records_entry	*e = r->entries;
	size_t			 n = r->nentries, i, j, start;
	void			*pool, *names;

	sorting = r;
	if (n > 0)
		qsort(e, n, sizeof(*e), compare_rr);
	sorting = NULL;

	/* Drop duplicates in place. */
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && is_duplicate(r, &e[j - 1], &e[i]))
			continue;
		if (i != j)
			e[j] = e[i];
		j++;
	}
	n = j;

	free(r->rrs);
	free(r->names);
	free(r->index);
	r->names = NULL;
	r->capnames = r->nnames = 0;
	if ((r->rrs = malloc((n > 0 ? n : 1) * sizeof(*r->rrs))) == NULL) {
		r->nrrs = 0;
		return -1;
	}
	r->nrrs = n;
	for (i = 0; i < n; i = j) {
		start = i;
		for (j = i + 1; j < n && same_owner(r, &e[start], &e[j]); j++)
			;
		if (j - start > UINT16_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
		if (add_name(r, e[start].owner, (uint32_t)start, (uint16_t)(j - start)) == -1)
			return -1;
	}
	for (i = 0; i < n; i++)
		r->rrs[i] = e[i].rr;
	if (r->keep_sources && n > 0 && (r->srcs = malloc(n * sizeof(*r->srcs))) != NULL)
		for (i = 0; i < n; i++)
			r->srcs[i] = e[i].src;
	free(r->entries);
	r->entries = NULL;
	r->nentries = r->capentries = 0;

	/* The empty non-terminals are few in hosts files (the shared
	 * parents of many names); the index grows when they are not. */
	r->nindex = 0;
	if (index_build(r, r->nnames) == -1)
		return -1;
	if (add_empty_nonterminals(r) == -1)
		return -1;
	pool = r->pool;
	shrink(&pool, &r->poolcap, r->poollen, 1);
	r->pool = pool;
	names = r->names;
	shrink(&names, &r->capnames, r->nnames, sizeof(*r->names));
	r->names = names;
	return 0;
}

int
records_set_source(struct records *r, const char *path)
{
	char	**list;
	size_t	  i;

	r->cur_src = 0;
	if (!r->keep_sources || path == NULL)
		return 0;
	for (i = 0; i < r->nsources; i++)
		if (strcmp(r->sources[i], path) == 0) {
			r->cur_src = (uint16_t)(i + 1);
			return 0;
		}
	if (r->nsources >= UINT16_MAX ||
	    (list = realloc(r->sources, (r->nsources + 1) * sizeof(*list))) == NULL)
		return -1;
	r->sources = list;
	if ((list[r->nsources] = strdup(path)) == NULL)
		return -1;
	r->cur_src = (uint16_t)++r->nsources;
	return 0;
}

const char *
records_source(const struct records *r, size_t i)
{
	if (r->srcs == NULL || i >= r->nrrs || r->srcs[i] == 0 || r->srcs[i] > r->nsources)
		return "config";
	return r->sources[r->srcs[i] - 1];
}

/* Whether n bytes at a and b are equal, compared eight at a time (musl's
 * memcmp goes byte by byte). */
static int
same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	x, y;

	for (; n >= 8; n -= 8, a += 8, b += 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	for (; n > 0; n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

struct records_name *
records_lookup_lower(const struct records *r, const uint8_t *lname, uint32_t hash)
{
	return records_find(r, lname, dnswire_name_len(lname), hash);
}

struct records_name *
records_find(const struct records *r, const uint8_t *lname, size_t len, uint32_t hash)
{
	const uint8_t	*own;
	size_t		 mask, h;
	uint32_t	 v, off;

	if (r->nindex == 0)
		return NULL;
	mask = r->nindex - 1;
	/* Owners in the pool are lower case too, so plain bytes compare.  Two
	 * wire names that agree on len bytes, the last a name's final 0, are
	 * the same name, and a shorter owner differs before its own end; the
	 * bound keeps the compare inside the pool. */
	for (h = hash & mask; (v = index_get(r, h)) != 0; h = (h + 1) & mask) {
		off = r->names[v - 1].owner;
		own = r->pool + off;
		if (own[0] == lname[0] && off + len <= r->poollen && same_bytes(own, lname, len))
			return &r->names[v - 1];
	}
	return NULL;
}

struct records_name *
records_lookup(const struct records *r, const uint8_t *name)
{
	size_t		mask, h;
	uint32_t	v;

	if (r->nindex == 0)
		return NULL;
	mask = r->nindex - 1;
	for (h = dnswire_name_hash(name) & mask; (v = index_get(r, h)) != 0;
	    h = (h + 1) & mask)
		if (dnswire_name_equal(r->pool + r->names[v - 1].owner, name))
			return &r->names[v - 1];
	return NULL;
}

int
records_valid_name(const char *name)
{
	size_t	label = 0, total = 0;

	for (; *name != '\0'; name++, total++) {
		if (*name == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*name) && *name != '-' && *name != '_')
			return 0;
		if (++label > DNS_LABEL_MAX)
			return 0;
	}
	return total > 0 && total <= 253 && label > 0;
}

int
records_canon(const char *name, char out[static DNSD_NAME_MAX])
{
	size_t	len = strlen(name), i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= DNSD_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
	return 0;
}

int
records_strlcpy(char *dst, const char *src, size_t len)
{
	size_t	n = strlen(src);

	if (len == 0)
		return -1;
	if (n >= len) {
		memcpy(dst, src, len - 1);
		dst[len - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}
