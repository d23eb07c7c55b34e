/* cache.c -- dnsd's cache of upstream replies: a fixed table, hash chains and an LRU list. */
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "dnswire.h"

int
cache_init(struct cache *c, size_t size)
{
	memset(c, 0, sizeof(*c));
	c->lru_head = c->lru_tail = c->free_head = CACHE_NIL;
	if (size == 0)
		return 0;
	for (c->nbuckets = 16; c->nbuckets < size; c->nbuckets *= 2)
		;
	c->entries = calloc(size, sizeof(*c->entries));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	if (c->entries == NULL || c->buckets == NULL) {
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
	free(c->entries);
	free(c->buckets);
	memset(c, 0, sizeof(*c));
	c->lru_head = c->lru_tail = c->free_head = CACHE_NIL;
}

void
cache_clear(struct cache *c)
{
	size_t	i;

	for (i = 0; i < c->nbuckets; i++)
		c->buckets[i] = CACHE_NIL;
	for (i = 0; i < c->size; i++) {
		c->entries[i].len = 0;
		c->entries[i].hnext = i + 1 < c->size ? (uint32_t)(i + 1) : CACHE_NIL;
	}
	c->free_head = c->size > 0 ? 0 : CACHE_NIL;
	c->lru_head = c->lru_tail = CACHE_NIL;
	c->used = 0;
}

static size_t
bucket_of(const struct cache *c, const uint8_t *qname)
{
	return dnswire_name_hash(qname) & (c->nbuckets - 1);
}

static void
lru_unlink(struct cache *c, uint32_t i)
{
	struct cache_entry	*e = &c->entries[i];

	if (e->lru_prev != CACHE_NIL)
		c->entries[e->lru_prev].lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next != CACHE_NIL)
		c->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
}

static void
lru_push_front(struct cache *c, uint32_t i)
{
	struct cache_entry	*e = &c->entries[i];

	e->lru_prev = CACHE_NIL;
	e->lru_next = c->lru_head;
	if (c->lru_head != CACHE_NIL)
		c->entries[c->lru_head].lru_prev = i;
	c->lru_head = i;
	if (c->lru_tail == CACHE_NIL)
		c->lru_tail = i;
}

/* Take entry i out of its chain and the LRU list and onto the free list. */
static void
remove_entry(struct cache *c, uint32_t i)
{
	struct cache_entry	*e = &c->entries[i];
	uint32_t		*link;

	for (link = &c->buckets[bucket_of(c, e->qname)]; *link != i;
	    link = &c->entries[*link].hnext)
		;
	*link = e->hnext;
	lru_unlink(c, i);
	e->len = 0;
	e->hnext = c->free_head;
	c->free_head = i;
	c->used--;
}

static uint32_t
find(const struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass)
{
	uint32_t			 i;
	const struct cache_entry	*e;

	for (i = c->buckets[bucket_of(c, qname)]; i != CACHE_NIL; i = e->hnext) {
		e = &c->entries[i];
		if (e->qtype == qtype && e->qclass == qclass &&
		    dnswire_name_equal(e->qname, qname))
			return i;
	}
	return CACHE_NIL;
}

const struct cache_entry *
cache_lookup(struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    double now)
{
	uint32_t	i;

	if (c->size == 0 || (i = find(c, qname, qtype, qclass)) == CACHE_NIL) {
		c->misses++;
		return NULL;
	}
	if (now >= c->entries[i].expires) {
		remove_entry(c, i);
		c->misses++;
		return NULL;
	}
	lru_unlink(c, i);
	lru_push_front(c, i);
	c->hits++;
	return &c->entries[i];
}

int
cache_store(struct cache *c, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    const uint8_t *msg, size_t len, uint32_t ttl, double now)
{
	struct cache_entry	*e;
	uint32_t		 i;
	size_t			 b, namelen = dnswire_name_len(qname);

	if (c->size == 0 || len > CACHE_MSG_MAX || len < DNS_HEADER_LEN || ttl == 0)
		return -1;
	if ((i = find(c, qname, qtype, qclass)) != CACHE_NIL)
		remove_entry(c, i);
	if (c->free_head == CACHE_NIL) {
		remove_entry(c, c->lru_tail);
		c->evictions++;
	}
	i = c->free_head;
	e = &c->entries[i];
	c->free_head = e->hnext;

	memcpy(e->qname, qname, namelen);
	dnswire_name_lower(e->qname);
	e->qtype = qtype;
	e->qclass = qclass;
	e->len = (uint16_t)len;
	memcpy(e->msg, msg, len);
	e->stored = now;
	e->expires = now + ttl;
	b = bucket_of(c, e->qname);
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

int
cache_check(const struct cache *c)
{
	size_t		n = 0, chained = 0, nfree = 0, b;
	uint32_t	i, prev = CACHE_NIL;

	for (i = c->lru_head; i != CACHE_NIL; prev = i, i = c->entries[i].lru_next) {
		if (i >= c->size || c->entries[i].len == 0 ||
		    c->entries[i].lru_prev != prev || ++n > c->size)
			return -1;
		if (find(c, c->entries[i].qname, c->entries[i].qtype,
		    c->entries[i].qclass) != i)
			return -1;
	}
	if (prev != c->lru_tail || n != c->used)
		return -1;
	for (b = 0; b < c->nbuckets; b++)
		for (i = c->buckets[b]; i != CACHE_NIL; i = c->entries[i].hnext) {
			if (bucket_of(c, c->entries[i].qname) != b || ++chained > c->size)
				return -1;
		}
	for (i = c->free_head; i != CACHE_NIL; i = c->entries[i].hnext)
		if (c->entries[i].len != 0 || ++nfree > c->size)
			return -1;
	if (chained != c->used || nfree + c->used != c->size)
		return -1;
	return 0;
}
