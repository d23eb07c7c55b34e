/* test_dnsd_cache.c -- dnsd's reply cache: LRU eviction, expiry, and a randomized invariant loop. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"
#include "../../applets/dnsd/dnsd.h"

static void
wire(const char *text, uint8_t out[static DNS_NAME_MAX])
{
	assert_int_not_equal(dnswire_name_from_text(text, out), -1);
}

/* A fake reply: a header and a marker byte, enough for the cache. */
static size_t
reply(uint8_t *msg, uint8_t marker)
{
	memset(msg, 0, DNS_HEADER_LEN + 1);
	msg[DNS_HEADER_LEN] = marker;
	return DNS_HEADER_LEN + 1;
}

static void
test_store_and_hit(void **state)
{
	struct cache			 c;
	const struct cache_entry	*e;
	uint8_t				 name[DNS_NAME_MAX], upper[DNS_NAME_MAX], msg[64];
	size_t				 len = reply(msg, 7);

	assert_int_equal(cache_init(&c, 4), 0);
	wire("www.example.test", name);
	wire("WWW.Example.TEST", upper);
	assert_int_equal(cache_store(&c, upper, DNS_TYPE_A, DNS_CLASS_IN, msg, len, 60, 100.0), 0);
	e = cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_IN, 110.0);
	assert_non_null(e);
	assert_int_equal(e->len, len);
	assert_int_equal(e->msg[DNS_HEADER_LEN], 7);
	assert_true(e->stored == 100.0);
	assert_null(cache_lookup(&c, name, DNS_TYPE_AAAA, DNS_CLASS_IN, 110.0));
	assert_null(cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_CH, 110.0));
	assert_int_equal(c.hits, 1);
	assert_int_equal(c.misses, 2);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

static void
test_expiry(void **state)
{
	struct cache	c;
	uint8_t		name[DNS_NAME_MAX], msg[64];
	size_t		len = reply(msg, 1);

	assert_int_equal(cache_init(&c, 4), 0);
	wire("short.test", name);
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, msg, len, 10, 0.0), 0);
	assert_non_null(cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_IN, 9.9));
	assert_null(cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_IN, 10.0));
	assert_int_equal(cache_count(&c), 0);
	/* TTL 0 is never stored. */
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, msg, len, 0, 0.0), -1);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

static void
test_lru_eviction(void **state)
{
	struct cache	c;
	uint8_t		names[4][DNS_NAME_MAX], msg[64];
	size_t		len = reply(msg, 1);
	int		i;

	assert_int_equal(cache_init(&c, 3), 0);
	wire("a.test", names[0]);
	wire("b.test", names[1]);
	wire("c.test", names[2]);
	wire("d.test", names[3]);
	for (i = 0; i < 3; i++)
		assert_int_equal(cache_store(&c, names[i], DNS_TYPE_A, DNS_CLASS_IN, msg, len,
		    100, (double)i), 0);
	/* Touch a: b is now the least recently used. */
	assert_non_null(cache_lookup(&c, names[0], DNS_TYPE_A, DNS_CLASS_IN, 5.0));
	assert_int_equal(cache_store(&c, names[3], DNS_TYPE_A, DNS_CLASS_IN, msg, len, 100,
	    6.0), 0);
	assert_int_equal(c.evictions, 1);
	assert_null(cache_lookup(&c, names[1], DNS_TYPE_A, DNS_CLASS_IN, 7.0));
	assert_non_null(cache_lookup(&c, names[0], DNS_TYPE_A, DNS_CLASS_IN, 7.0));
	assert_non_null(cache_lookup(&c, names[2], DNS_TYPE_A, DNS_CLASS_IN, 7.0));
	assert_non_null(cache_lookup(&c, names[3], DNS_TYPE_A, DNS_CLASS_IN, 7.0));
	assert_int_equal(cache_count(&c), 3);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

static void
test_replace_same_key(void **state)
{
	struct cache			 c;
	const struct cache_entry	*e;
	uint8_t				 name[DNS_NAME_MAX], msg[64];
	size_t				 len;

	assert_int_equal(cache_init(&c, 2), 0);
	wire("same.test", name);
	len = reply(msg, 1);
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, msg, len, 100, 0.0), 0);
	len = reply(msg, 2);
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, msg, len, 100, 1.0), 0);
	assert_int_equal(cache_count(&c), 1);
	e = cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_IN, 2.0);
	assert_non_null(e);
	assert_int_equal(e->msg[DNS_HEADER_LEN], 2);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

static void
test_disabled_and_too_large(void **state)
{
	struct cache	c;
	uint8_t		name[DNS_NAME_MAX], big[CACHE_MSG_MAX + 1];

	wire("x.test", name);
	assert_int_equal(cache_init(&c, 0), 0);
	memset(big, 0, sizeof(big));
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, big, 20, 10, 0.0), -1);
	assert_null(cache_lookup(&c, name, DNS_TYPE_A, DNS_CLASS_IN, 0.0));
	cache_free(&c);
	assert_int_equal(cache_init(&c, 2), 0);
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, big, sizeof(big), 10,
	    0.0), -1);
	assert_int_equal(cache_store(&c, name, DNS_TYPE_A, DNS_CLASS_IN, big, 5, 10, 0.0), -1);
	assert_int_equal(cache_count(&c), 0);
	cache_clear(&c);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

/*
 * Random stores and lookups against a model that keeps, per key, the
 * expiry time, the marker and the time of last use.  After every step
 * the cache's lists must be consistent, a hit must carry the model's
 * marker, and a miss on a live model entry is allowed only when that key
 * was the least recently used one evicted meanwhile.
 */
#define KEYS	40
#define SIZE	16

struct model {
	int	present;
	double	expires;
	uint8_t	marker;
	double	used;
};

static void
test_random_invariants(void **state)
{
	struct cache			 c;
	struct model			 m[KEYS];
	const struct cache_entry	*e;
	uint8_t				 names[KEYS][DNS_NAME_MAX], msg[64];
	char				 text[32];
	double				 now = 0;
	size_t				 len, live;
	int				 i, k, step, oldest;
	unsigned int			 seed = 12345;

	assert_int_equal(cache_init(&c, SIZE), 0);
	memset(m, 0, sizeof(m));
	for (k = 0; k < KEYS; k++) {
		snprintf(text, sizeof(text), "k%d.test", k);
		wire(text, names[k]);
	}
	for (step = 0; step < 20000; step++) {
		now += (rand_r(&seed) % 100) / 100.0;
		k = rand_r(&seed) % KEYS;
		if (rand_r(&seed) % 2) {
			uint32_t	ttl = 1 + (uint32_t)(rand_r(&seed) % 30);

			/* Model the eviction first: the cache is full when every
			 * stored entry is present (expired ones count too). */
			live = 0;
			for (i = 0; i < KEYS; i++)
				live += m[i].present;
			if (!m[k].present && live == SIZE) {
				oldest = -1;
				for (i = 0; i < KEYS; i++)
					if (m[i].present && (oldest == -1 || m[i].used < m[oldest].used))
						oldest = i;
				m[oldest].present = 0;
			}
			len = reply(msg, (uint8_t)step);
			assert_int_equal(cache_store(&c, names[k], DNS_TYPE_A, DNS_CLASS_IN, msg, len,
			    ttl, now), 0);
			m[k].present = 1;
			m[k].expires = now + ttl;
			m[k].marker = (uint8_t)step;
			m[k].used = now + step * 1e-9;
		} else {
			e = cache_lookup(&c, names[k], DNS_TYPE_A, DNS_CLASS_IN, now);
			if (m[k].present && now < m[k].expires) {
				assert_non_null(e);
				assert_int_equal(e->msg[DNS_HEADER_LEN], m[k].marker);
				m[k].used = now + step * 1e-9;
			} else {
				assert_null(e);
				m[k].present = 0;
			}
		}
		assert_int_equal(cache_check(&c), 0);
		live = 0;
		for (i = 0; i < KEYS; i++)
			live += m[i].present;
		assert_int_equal(cache_count(&c), live);
	}
	cache_free(&c);
}

/*
 * Replies of every size from a header to CACHE_MSG_MAX, stored under
 * names of different lengths, must come back byte for byte while their
 * blocks are freed and reused, and the block accounting must hold.
 */
static void
test_blocks_reused(void **state)
{
	struct cache			 c;
	const struct cache_entry	*e;
	uint8_t				 names[8][DNS_NAME_MAX], msg[CACHE_MSG_MAX];
	size_t				 lens[8];
	char				 text[300];
	unsigned int			 seed = 7;
	int				 step, k, i;

	assert_int_equal(cache_init(&c, 4), 0);
	for (k = 0; k < 8; k++) {
		memset(text, 0, sizeof(text));
		for (i = 0; i < 3 + k * 20; i++)
			text[i] = (i % 50 == 49) ? '.' : 'a' + (char)k;
		strcat(text, ".test");
		wire(text, names[k]);
		lens[k] = 0;
	}
	for (step = 0; step < 3000; step++) {
		k = rand_r(&seed) % 8;
		if (rand_r(&seed) % 2) {
			lens[k] = DNS_HEADER_LEN + (size_t)(rand_r(&seed) %
			    (CACHE_MSG_MAX - DNS_HEADER_LEN + 1));
			for (i = 0; i < (int)lens[k]; i++)
				msg[i] = (uint8_t)(k * 31 + i);
			assert_int_equal(cache_store(&c, names[k], DNS_TYPE_A, DNS_CLASS_IN, msg,
			    lens[k], 1000, 0.0), 0);
		} else if ((e = cache_lookup(&c, names[k], DNS_TYPE_A, DNS_CLASS_IN, 1.0)) != NULL) {
			assert_int_equal(e->len, lens[k]);
			for (i = 0; i < (int)lens[k]; i++)
				assert_int_equal(e->msg[i], (uint8_t)(k * 31 + i));
		}
		assert_int_equal(cache_check(&c), 0);
	}
	assert_true(c.nblocks_used <= c.nblocks);
	cache_free(&c);
}

/* A reply to NAME (its question in wire form) with nrec A records after
 * it; *ttl_offs receives the offsets of their TTL fields. */
static size_t
a_reply(uint8_t *msg, const uint8_t *name, int nrec, uint16_t *ttl_offs)
{
	size_t	namelen = dnswire_name_len(name), len;
	int	k;

	memset(msg, 0, DNS_HEADER_LEN);
	msg[0] = 0x99;
	msg[2] = 0x81;				/* QR, RD */
	msg[3] = 0x80;				/* RA */
	msg[5] = 1;
	msg[7] = (uint8_t)nrec;
	memcpy(msg + DNS_HEADER_LEN, name, namelen);
	len = DNS_HEADER_LEN + namelen;
	memcpy(msg + len, "\0\1\0\1", 4);
	len += 4;
	for (k = 0; k < nrec; k++) {
		memcpy(msg + len, "\xc0\x0c\0\1\0\1\0\0\x0e\x10\0\4\xc6\x13\0", 15);
		msg[len + 15] = (uint8_t)k;
		ttl_offs[k] = (uint16_t)(len + 6);
		len += 16;
	}
	return len;
}

/*
 * TTL offsets stored with a reply come back with a hit in network byte
 * order, both for replies within one block and for replies over several.
 * The reply has the question in the case of the query and expires as any.
 */
static void
test_ttl_offsets(void **state)
{
	struct cache			 c;
	const struct cache_entry	*e;
	struct query			 q;
	uint8_t				 msg[CACHE_MSG_MAX], out[CACHE_MSG_MAX];
	uint16_t			 offs[CACHE_TTLS_MAX];
	size_t				 len, k;
	int				 nrec, i;
	static const int		 counts[] = { 0, 1, 2, 5, CACHE_TTLS_MAX };

	assert_int_equal(cache_init(&c, 4), 0);
	memset(&q, 0, sizeof(q));
	wire("Host.Example.TEST", q.name);
	wire("host.example.test", q.lname);
	q.namelen = (uint16_t)dnswire_name_len(q.lname);
	q.hash = dnswire_name_hash(q.lname);
	q.qtype = DNS_TYPE_A;
	q.qclass = DNS_CLASS_IN;
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		nrec = counts[k];
		len = a_reply(msg, q.lname, nrec, offs);
		assert_int_equal(cache_store_ttls(&c, q.lname, q.qtype, q.qclass, msg, len, offs,
		    (size_t)nrec, 60, 100.0), 0);
		assert_int_equal(cache_check(&c), 0);
		memset(out, 0xee, sizeof(out));
		e = cache_lookup_query(&c, &q, 159.0, out, sizeof(out));
		assert_non_null(e);
		assert_ptr_equal(e->msg, out);
		assert_int_equal(e->len, len);
		assert_non_null(e->ttls);
		assert_int_equal(e->nttls, nrec);
		for (i = 0; i < nrec; i++) {
			assert_int_equal(e->ttls[2 * i] << 8 | e->ttls[2 * i + 1], offs[i]);
			assert_int_equal(out[offs[i] + 2], 0x0e);
			assert_int_equal(out[offs[i] + 3], 0x10);
		}
		/* The question in the query's case, the rest as stored. */
		assert_memory_equal(out, msg, DNS_HEADER_LEN);
		assert_memory_equal(out + DNS_HEADER_LEN, q.name, q.namelen);
		assert_memory_equal(out + DNS_HEADER_LEN + q.namelen,
		    msg + DNS_HEADER_LEN + q.namelen, len - DNS_HEADER_LEN - q.namelen);
		assert_null(cache_lookup_query(&c, &q, 160.0, out, sizeof(out)));
	}

	/* More offsets than an entry keeps: not stored. */
	assert_int_equal(cache_store_ttls(&c, q.lname, q.qtype, q.qclass, msg, len, offs,
	    CACHE_TTLS_MAX + 1, 60, 100.0), -1);
	/* A reply whose question is another name keeps no offsets. */
	len = a_reply(msg, q.lname, 1, offs);
	msg[DNS_HEADER_LEN + 1] = 'x';
	assert_int_equal(cache_store_ttls(&c, q.lname, q.qtype, q.qclass, msg, len, offs, 1, 60,
	    100.0), 0);
	e = cache_lookup_query(&c, &q, 101.0, out, sizeof(out));
	assert_non_null(e);
	assert_null(e->ttls);
	assert_memory_equal(e->msg, msg, len);
	/* Stored without offsets: none. */
	len = a_reply(msg, q.lname, 1, offs);
	assert_int_equal(cache_store(&c, q.lname, q.qtype, q.qclass, msg, len, 60, 100.0), 0);
	e = cache_lookup_query(&c, &q, 101.0, out, sizeof(out));
	assert_non_null(e);
	assert_null(e->ttls);
	/* A buffer below CACHE_MSG_MAX: the hit goes to the cache's own. */
	e = cache_lookup_query(&c, &q, 101.0, out, 100);
	assert_non_null(e);
	assert_ptr_not_equal(e->msg, out);
	assert_memory_equal(e->msg + DNS_HEADER_LEN, q.name, q.namelen);
	assert_int_equal(cache_check(&c), 0);
	cache_free(&c);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_store_and_hit),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_replace_same_key),
		cmocka_unit_test(test_disabled_and_too_large),
		cmocka_unit_test(test_random_invariants),
		cmocka_unit_test(test_blocks_reused),
		cmocka_unit_test(test_ttl_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
