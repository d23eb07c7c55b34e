/* cache.c -- dnsd's cache of upstream replies: a fixed table, hash chains, an LRU list and block storage. */
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"

/*
 * The tables are calloc'ed once from cache-size for the worst case.  Large
 * callocs come straight from mmap in musl and glibc, so the pages of the
 * tables become resident only when a slot or block is first used: RSS
 * follows the bytes cached, not cache-size times the largest reply.
 */
int
cache_init(struct cache *c, size_t size)
{
	memset(c, 0, sizeof(*c));
	c->lru_head = c->lru_tail = c->free_head = c->bfree = CACHE_NIL;
	c->hit.msg = c->hitmsg;
	if (size == 0)
		return 0;
	for (c->nbuckets = 16; c->nbuckets < size; c->nbuckets *= 2)
		;
	c->nblocks = size * CACHE_ENTRY_BLOCKS;
	c->slots = calloc(size, sizeof(*c->slots));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	c->blocks = calloc(c->nblocks, CACHE_BLOCK);
	c->bnext = calloc(c->nblocks, sizeof(*c->bnext));
	if (c->slots == NULL || c->buckets == NULL || c->blocks == NULL || c->bnext == NULL) {
		cache_free(c);
		return -1;
	}
	c->size = size;
	cache_clear(c);
	return 0;
}

void
cache_free(struct cache *c)
{
	free(c->slots);
	free(c->buckets);
	free(c->blocks);
	free(c->bnext);
	memset(c, 0, sizeof(*c));
	c->lru_head = c->lru_tail = c->free_head = c->bfree = CACHE_NIL;
	c->hit.msg = c->hitmsg;
}

void
cache_clear(struct cache *c)
{
	size_t	i;

	for (i = 0; i < c->nbuckets; i++)
		c->buckets[i] = CACHE_NIL;
	c->nslots = 0;
	c->nblocks_used = c->nblocks_free = 0;
	c->free_head = c->bfree = CACHE_NIL;
	c->lru_head = c->lru_tail = CACHE_NIL;
	c->used = 0;
}

/* Blocks free for new entries: on the free list or never used. */
static size_t
blocks_available(const struct cache *c)
{
	return c->nblocks_free + (c->nblocks - c->nblocks_used);
}

static uint32_t
block_get(struct cache *c)
{
	uint32_t	b;

	if (c->bfree != CACHE_NIL) {
		b = c->bfree;
		c->bfree = c->bnext[b];
		c->nblocks_free--;
	} else
		b = (uint32_t)c->nblocks_used++;
	c->bnext[b] = CACHE_NIL;
	return b;
}

static void
blocks_put(struct cache *c, uint32_t b)
{
	uint32_t	next;

	for (; b != CACHE_NIL; b = next) {
		next = c->bnext[b];
		c->bnext[b] = c->bfree;
		c->bfree = b;
		c->nblocks_free++;
	}
}

/* Copy n bytes from src into the chain at (*b, *off), extending it. */
static void
chain_write(struct cache *c, uint32_t *b, size_t *off, const uint8_t *src, size_t n)
{
	size_t		k;
	uint32_t	nb;

	while (n > 0) {
		if (*off == CACHE_BLOCK) {
			nb = block_get(c);
			c->bnext[*b] = nb;
			*b = nb;
			*off = 0;
		}
		k = CACHE_BLOCK - *off;
		if (k > n)
			k = n;
		memcpy(c->blocks + (size_t)*b * CACHE_BLOCK + *off, src, k);
		*off += k;
		src += k;
		n -= k;
	}
}

/* The next piece of at most n bytes of the chain at (*b, *off), which
 * moves past it.  Returns its length; *p points to it. */
static size_t
chain_next(const struct cache *c, uint32_t *b, size_t *off, size_t n, const uint8_t **p)
{
	size_t	k;

	if (*off == CACHE_BLOCK) {
		*b = c->bnext[*b];
		*off = 0;
	}
	k = CACHE_BLOCK - *off;
	if (k > n)
		k = n;
	*p = c->blocks + (size_t)*b * CACHE_BLOCK + *off;
	*off += k;
	return k;
}

/* Copy n bytes.  The pieces of a hit are mostly up to 32 bytes long, and
 * for those musl's memcpy spends more on its set-up than on the bytes: two
 * copies of a fixed size, which may overlap, cover such a piece. */
static inline __attribute__((always_inline)) void
copy_bytes(uint8_t *restrict dst, const uint8_t *restrict src, size_t n)
{
	if (n > 32)
		memcpy(dst, src, n);
	else if (n >= 16) {
		memcpy(dst, src, 16);
		memcpy(dst + n - 16, src + n - 16, 16);
	} else if (n >= 8) {
		memcpy(dst, src, 8);
		memcpy(dst + n - 8, src + n - 8, 8);
	} else if (n >= 4) {
		memcpy(dst, src, 4);
		memcpy(dst + n - 4, src + n - 4, 4);
	} else {
		while (n-- > 0)
			*dst++ = *src++;
	}
}

/* Copy n bytes of the chain at (*b, *off) into dst. */
static void
chain_read(const struct cache *c, uint32_t *b, size_t *off, uint8_t *dst, size_t n)
{
	const uint8_t	*p;
	size_t		 k;

	for (; n > 0; n -= k, dst += k) {
		k = chain_next(c, b, off, n, &p);
		memcpy(dst, p, k);
	}
}

/* Whether the n bytes of the chain at (*b, *off) equal src. */
static int
chain_equal(const struct cache *c, uint32_t *b, size_t *off, const uint8_t *src, size_t n)
{
	const uint8_t	*p;
	size_t		 k;

	for (; n > 0; n -= k, src += k) {
		k = chain_next(c, b, off, n, &p);
		if (memcmp(src, p, k) != 0)
			return 0;
	}
	return 1;
}

static size_t
bucket_of(const struct cache *c, uint32_t hash)
{
	return hash & (c->nbuckets - 1);
}

static inline __attribute__((always_inline)) void
lru_unlink(struct cache *c, uint32_t i)
{
	struct cache_slot	*e = &c->slots[i];

	if (e->lru_prev != CACHE_NIL)
		c->slots[e->lru_prev].lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next != CACHE_NIL)
		c->slots[e->lru_next].lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
}

static inline __attribute__((always_inline)) void
lru_push_front(struct cache *c, uint32_t i)
{
	struct cache_slot	*e = &c->slots[i];

	e->lru_prev = CACHE_NIL;
	e->lru_next = c->lru_head;
	if (c->lru_head != CACHE_NIL)
		c->slots[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail == CACHE_NIL)
		c->lru_tail = i;
}

/* Take slot i out of its chain and the LRU list, free its blocks and put
 * it on the free list. */
static void
remove_entry(struct cache *c, uint32_t i)
{
	struct cache_slot	*e = &c->slots[i];
	uint32_t		*link;

	for (link = &c->buckets[bucket_of(c, e->hash)]; *link != i;
	    link = &c->slots[*link].hnext)
		;
	*link = e->hnext;
	lru_unlink(c, i);
	blocks_put(c, e->block);
	e->len = 0;
	e->hnext = c->free_head;
	c->free_head = i;
	c->used--;
}

/* Whether the n bytes at a and b are equal, eight at a time: musl's
 * memcmp compares byte by byte. */
static inline __attribute__((always_inline)) int
bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	x, y;
	size_t		i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	/* The last eight bytes, which may overlap the word before. */
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* Whether e holds qname (namelen bytes, lower case). */
static inline __attribute__((always_inline)) int
same_name(const struct cache *c, const struct cache_slot *e, const uint8_t *qname,
    size_t namelen)
{
	uint32_t	b = e->block;
	size_t		off = 0;

	if (e->namelen != namelen)
		return 0;
	/* The name starts the chain, so most names lie in its first block. */
	if (namelen <= CACHE_BLOCK)
		return bytes_equal(c->blocks + (size_t)b * CACHE_BLOCK, qname, namelen);
	return chain_equal(c, &b, &off, qname, namelen);
}

static inline __attribute__((always_inline)) uint32_t
find(const struct cache *c, const uint8_t *qname, size_t namelen, uint32_t hash,
    uint16_t qtype, uint16_t qclass)
{
	uint32_t		 i;
	const struct cache_slot	*e;

	for (i = c->buckets[bucket_of(c, hash)]; i != CACHE_NIL; i = e->hnext) {
		e = &c->slots[i];
		if (e->hash == hash && e->qtype == qtype && e->qclass == qclass &&
		    same_name(c, e, qname, namelen))
			return i;
	}
	return CACHE_NIL;
}

const struct cache_entry *
cache_lookup(struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    double now)
{
	return cache_lookup_lower(c, qname, dnswire_name_hash(qname), qtype, qclass, now);
}

/* The bytes an entry takes in its chain: the name, then the reply, less
 * its question name when packed, then its TTL offsets. */
static size_t
stored_bytes(const struct cache_slot *e)
{
	return e->namelen + e->len - (e->packed ? e->namelen : 0) +
	    (e->nttls != CACHE_TTLS_NONE ? 2 * (size_t)e->nttls : 0);
}

/* Copy the reply of e to dst, with question as its question name when
 * packed (only the case may differ from the key).  Returns its TTL
 * offsets: in the block, or copied to hitttls from a longer chain. */
static inline __attribute__((always_inline)) const uint8_t *
read_entry(struct cache *c, const struct cache_slot *e, const uint8_t *question,
    uint8_t *dst)
{
	const uint8_t	*p;
	size_t		 namelen = e->namelen, rest, off;
	uint32_t	 b = e->block;

	if (e->one_block) {
		p = c->blocks + (size_t)b * CACHE_BLOCK + namelen;
		rest = (size_t)e->len - DNS_HEADER_LEN - namelen;
		memcpy(dst, p, DNS_HEADER_LEN);
		copy_bytes(dst + DNS_HEADER_LEN, question, namelen);
		copy_bytes(dst + DNS_HEADER_LEN + namelen, p + DNS_HEADER_LEN, rest);
		return p + DNS_HEADER_LEN + rest;
	}
	/* The reply follows the name in the chain. */
	off = namelen;
	while (off >= CACHE_BLOCK) {
		b = c->bnext[b];
		off -= CACHE_BLOCK;
	}
	if (e->packed) {
		chain_read(c, &b, &off, dst, DNS_HEADER_LEN);
		memcpy(dst + DNS_HEADER_LEN, question, namelen);
		chain_read(c, &b, &off, dst + DNS_HEADER_LEN + namelen,
		    (size_t)e->len - DNS_HEADER_LEN - namelen);
	} else
		chain_read(c, &b, &off, dst, e->len);
	if (e->nttls != CACHE_TTLS_NONE)
		chain_read(c, &b, &off, c->hitttls, 2 * (size_t)e->nttls);
	return c->hitttls;
}

/*
 * Find the live entry for a key and copy its reply to dst (CACHE_MSG_MAX
 * bytes), with question as its question name when it was packed.
 * Expired entries are freed on the way.
 */
static inline __attribute__((always_inline)) const struct cache_entry *
lookup(struct cache *c, const uint8_t *lname, size_t namelen, uint32_t hash, uint16_t qtype,
    uint16_t qclass, double now, const uint8_t *question, uint8_t *dst)
{
	struct cache_slot	*e;
	const uint8_t		*ttls;
	uint32_t		 i;

	if (c->size == 0 || (i = find(c, lname, namelen, hash, qtype, qclass)) == CACHE_NIL) {
		c->misses++;
		return NULL;
	}
	e = &c->slots[i];
	if (now >= e->expires) {
		remove_entry(c, i);
		c->misses++;
		return NULL;
	}
	if (i != c->lru_head) {
		lru_unlink(c, i);
		lru_push_front(c, i);
	}
	c->hits++;
	ttls = read_entry(c, e, question, dst);
	c->hit.ttls = NULL;
	c->hit.nttls = 0;
	if (e->nttls != CACHE_TTLS_NONE) {
		c->hit.ttls = ttls;
		c->hit.nttls = e->nttls;
	}
	c->hit.len = e->len;
	c->hit.stored = e->stored;
	c->hit.msg = dst;
	return &c->hit;
}

const struct cache_entry *
cache_lookup_lower(struct cache *c, const uint8_t *qname, uint32_t hash, uint16_t qtype,
    uint16_t qclass, double now)
{
	return lookup(c, qname, dnswire_name_len(qname), hash, qtype, qclass, now, qname,
	    c->hitmsg);
}

const struct cache_entry *
cache_lookup_query(struct cache *c, const struct query *q, double now, uint8_t *out,
    size_t cap)
{
	return lookup(c, q->lname, q->namelen, q->hash, q->qtype, q->qclass, now, q->name,
	    cap >= CACHE_MSG_MAX ? out : c->hitmsg);
}

/* A free slot: from the free list, never used, or the least recently
 * used entry. */
static uint32_t
slot_get(struct cache *c)
{
	uint32_t	i;

	if (c->free_head == CACHE_NIL && c->nslots == c->size) {
		remove_entry(c, c->lru_tail);
		c->evictions++;
	}
	if (c->free_head != CACHE_NIL) {
		i = c->free_head;
		c->free_head = c->slots[i].hnext;
	} else
		i = (uint32_t)c->nslots++;
	return i;
}

/* Whether msg has one question and its name is lname (namelen bytes,
 * lower case), case ignored.  Such a reply is stored without that name,
 * which the key already holds. */
static int
question_is(const uint8_t *msg, size_t len, const uint8_t *lname, size_t namelen)
{
	size_t	i;
	uint8_t	ch;

	if (len < DNS_HEADER_LEN + namelen || msg[4] != 0 || msg[5] != 1)
		return 0;
	for (i = 0; i < namelen; i++) {
		ch = msg[DNS_HEADER_LEN + i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (uint8_t)(ch + ('a' - 'A'));
		if (ch != lname[i])
			return 0;
	}
	return 1;
}

int
cache_store(struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    const uint8_t *msg, size_t len, uint32_t ttl, double now)
{
	return cache_store_ttls(c, qname, qtype, qclass, msg, len, NULL, 0, ttl, now);
}

/* A packed entry takes the name once, so with its TTL offsets it takes at
 * most CACHE_MSG_MAX + 2 * CACHE_TTLS_MAX bytes: within CACHE_ENTRY_BLOCKS. */
_Static_assert(2 * CACHE_TTLS_MAX <= DNS_NAME_MAX &&
    CACHE_TTLS_MAX < CACHE_TTLS_NONE, "CACHE_ENTRY_BLOCKS has no room for the TTL offsets");

int
cache_store_ttls(struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    const uint8_t *msg, size_t len, const uint16_t *ttls, size_t nttls, uint32_t ttl,
    double now)
{
	struct cache_slot	*e, key;
	uint8_t			 lname[DNS_NAME_MAX], be[2 * CACHE_TTLS_MAX];
	uint32_t		 i, hash, b;
	size_t			 off, namelen = dnswire_name_len(qname), need, k;
	int			 packed;

	if (c->size == 0 || len > CACHE_MSG_MAX || len < DNS_HEADER_LEN || ttl == 0 ||
	    nttls > CACHE_TTLS_MAX)
		return -1;
	memcpy(lname, qname, namelen);
	dnswire_name_lower(lname);
	hash = dnswire_name_hash(lname);
	if ((i = find(c, lname, namelen, hash, qtype, qclass)) != CACHE_NIL)
		remove_entry(c, i);
	packed = question_is(msg, len, lname, namelen);
	/* The offsets point into the reply as a hit returns it, whose
	 * question is the key; without packing it may be another name. */
	if (!packed)
		ttls = NULL;
	memset(&key, 0, sizeof(key));
	key.namelen = (uint16_t)namelen;
	key.len = (uint16_t)len;
	key.packed = (uint8_t)packed;
	key.nttls = ttls != NULL ? (uint8_t)nttls : CACHE_TTLS_NONE;
	/* The block table holds CACHE_ENTRY_BLOCKS per slot, so this frees
	 * blocks only when slots were reused unevenly; it ends at the latest
	 * when the cache is empty. */
	need = (stored_bytes(&key) + CACHE_BLOCK - 1) / CACHE_BLOCK;
	while (blocks_available(c) < need && c->lru_tail != CACHE_NIL) {
		remove_entry(c, c->lru_tail);
		c->evictions++;
	}
	i = slot_get(c);
	e = &c->slots[i];
	e->hash = hash;
	e->qtype = qtype;
	e->qclass = qclass;
	e->len = key.len;
	e->namelen = key.namelen;
	e->packed = key.packed;
	e->nttls = key.nttls;
	e->one_block = (uint8_t)(packed && stored_bytes(e) <= CACHE_BLOCK);
	e->block = b = block_get(c);
	off = 0;
	chain_write(c, &b, &off, lname, namelen);
	if (packed) {
		chain_write(c, &b, &off, msg, DNS_HEADER_LEN);
		chain_write(c, &b, &off, msg + DNS_HEADER_LEN + namelen,
		    len - DNS_HEADER_LEN - namelen);
	} else
		chain_write(c, &b, &off, msg, len);
	if (ttls != NULL) {
		for (k = 0; k < nttls; k++) {
			be[2 * k] = (uint8_t)(ttls[k] >> 8);
			be[2 * k + 1] = (uint8_t)ttls[k];
		}
		chain_write(c, &b, &off, be, 2 * nttls);
	}
	e->stored = now;
	e->expires = now + ttl;
	b = (uint32_t)bucket_of(c, hash);
	e->hnext = c->buckets[b];
	c->buckets[b] = i;
	lru_push_front(c, i);
	c->used++;
	c->inserts++;
	return 0;
}

size_t
cache_count(const struct cache *c)
{
	return c->used;
}

/* The number of blocks in the chain from b. */
static size_t
chain_len(const struct cache *c, uint32_t b)
{
	size_t	n = 0;

	for (; b != CACHE_NIL && n <= CACHE_ENTRY_BLOCKS; b = c->bnext[b])
		n++;
	return n;
}

int
cache_check(const struct cache *c)
{
	size_t			 n = 0, chained = 0, nfree = 0, blocks = 0, b;
	uint32_t		 i, bb, prev = CACHE_NIL;
	size_t			 off;
	const struct cache_slot	*e;
	uint8_t			 name[DNS_NAME_MAX];

	for (i = c->lru_head; i != CACHE_NIL; prev = i, i = e->lru_next) {
		e = &c->slots[i];
		if (i >= c->nslots || e->len == 0 || e->lru_prev != prev || ++n > c->size)
			return -1;
		bb = e->block;
		off = 0;
		chain_read(c, &bb, &off, name, e->namelen);
		if (dnswire_name_hash(name) != e->hash ||
		    find(c, name, e->namelen, e->hash, e->qtype, e->qclass) != i)
			return -1;
		if (e->one_block != (e->packed && stored_bytes(e) <= CACHE_BLOCK) ||
		    chain_len(c, e->block) != (stored_bytes(e) + CACHE_BLOCK - 1) / CACHE_BLOCK)
			return -1;
		blocks += chain_len(c, e->block);
	}
	if (prev != c->lru_tail || n != c->used)
		return -1;
	for (b = 0; b < c->nbuckets; b++)
		for (i = c->buckets[b]; i != CACHE_NIL; i = c->slots[i].hnext) {
			if (bucket_of(c, c->slots[i].hash) != b || ++chained > c->size)
				return -1;
		}
	for (i = c->free_head; i != CACHE_NIL; i = c->slots[i].hnext)
		if (c->slots[i].len != 0 || ++nfree > c->size)
			return -1;
	if (chained != c->used || nfree + c->used != c->nslots)
		return -1;
	n = 0;
	for (i = c->bfree; i != CACHE_NIL; i = c->bnext[i])
		if (++n > c->nblocks)
			return -1;
	if (n != c->nblocks_free || blocks + c->nblocks_free != c->nblocks_used)
		return -1;
	return 0;
}
