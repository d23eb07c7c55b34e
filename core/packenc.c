/*
 * packenc.c -- encoder of the compressed segments (see pack.h), for the
 * build-time packer and the tests.
 *
 * The parse is optimal for a fixed price of each decision.  A forward
 * pass finds, for every position, the cheapest way to reach it: a literal,
 * a repeat of the last offset, or a match of any length from the match
 * finder.  The tokens on the cheapest path to the end are coded.  The
 * prices come from how often each decision took each bit in the previous
 * pass, so the passes repeat and the shortest output wins.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

#define MIN_MATCH	2
#define CHAIN_STEPS	512	/* candidates the match finder tries per position */
#define LONG_MATCH	32	/* a longer match is priced only at its full length */
/*
 * After a match this long, the positions it covers get no match search of
 * their own: in a long run of one byte, every one of CHAIN_STEPS
 * candidates would match to the run's end, at every position.
 */
#define SKIP_MATCH	128
#define PASSES		4

struct range_encoder {
	uint8_t		*buf;
	size_t		 len, cap;
	uint64_t	 low;
	uint32_t	 range;
	uint8_t		 cache;
	uint64_t	 pending;	/* bytes held back for a carry: cache, then 0xff... */
	uint16_t	 probs[PACK_NPROBS];
	uint32_t	 counts[PACK_NPROBS][2];
	int		 failed;
};

struct token {
	uint32_t	offset;		/* 0 for a literal */
	uint32_t	length;
	int		rep;
};

struct node {
	double		cost;
	uint32_t	from;
	struct token	token;
	uint32_t	offset;		/* the last offset after reaching here */
	int		after_match;
};

static void
put_byte(struct range_encoder *e, uint8_t b)
{
	uint8_t	*nb;

	if (e->len == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 4096;
		if ((nb = realloc(e->buf, e->cap)) == NULL) {
			e->failed = 1;
			e->len = 0;
			return;
		}
		e->buf = nb;
	}
	e->buf[e->len++] = b;
}

/* Move the top byte of low out, resolving a carry into the bytes held back. */
static void
shift_low(struct range_encoder *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32) != 0) {
		uint8_t	carry = (uint8_t)(e->low >> 32);
		uint8_t	b = e->cache;

		do {
			put_byte(e, (uint8_t)(b + carry));
			b = 0xff;
		} while (--e->pending != 0);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->pending++;
	e->low = (e->low & 0x00ffffffu) << 8;
}

static void
encode_bit(struct range_encoder *e, unsigned index, unsigned bit)
{
	uint16_t	*p = &e->probs[index];
	uint32_t	 bound = (e->range >> PACK_PROB_BITS) * *p;

	e->counts[index][bit]++;
	if (bit == 0) {
		e->range = bound;
		*p += ((1u << PACK_PROB_BITS) - *p) >> PACK_PROB_SHIFT;
	} else {
		e->low += bound;
		e->range -= bound;
		*p -= *p >> PACK_PROB_SHIFT;
	}
	while (e->range < (1u << 24)) {
		e->range <<= 8;
		shift_low(e);
	}
}

static void
encode_gamma(struct range_encoder *e, unsigned base, uint32_t n)
{
	int	top = 31, i;

	while (top > 0 && !(n >> top & 1))
		top--;
	for (i = top - 1; i >= 0; i--) {
		encode_bit(e, base + 2 * (unsigned)(top - 1 - i), 1);
		encode_bit(e, base + 2 * (unsigned)(top - 1 - i) + 1, n >> i & 1);
	}
	if (top < PACK_GAMMA_MAX)
		encode_bit(e, base + 2 * (unsigned)top, 0);
}

static void
encode_tree(struct range_encoder *e, unsigned base, unsigned bits, unsigned value)
{
	unsigned	m = 1;
	int		i;

	for (i = (int)bits - 1; i >= 0; i--) {
		encode_bit(e, base + m, value >> i & 1);
		m = (m << 1) | (value >> i & 1);
	}
}

/* --- prices ------------------------------------------------------------ */

struct prices {
	double	bit[PACK_NPROBS][2];
	double	literal[8][256];
};

static void
set_prices(struct prices *pr, const uint32_t (*counts)[2])
{
	unsigned	i, c, v, m;
	int		b;

	for (i = 0; i < PACK_NPROBS; i++) {
		double	n0 = counts ? counts[i][0] + 0.4 : 1, n1 = counts ? counts[i][1] + 0.4 : 1;

		pr->bit[i][0] = log2((n0 + n1) / n0);
		pr->bit[i][1] = log2((n0 + n1) / n1);
	}
	for (c = 0; c < 8; c++)
		for (v = 0; v < 256; v++) {
			pr->literal[c][v] = 0;
			for (m = 1, b = 7; b >= 0; b--) {
				pr->literal[c][v] += pr->bit[PACK_P_LIT + c * 256 + m][v >> b & 1];
				m = (m << 1) | (v >> b & 1);
			}
		}
}

static double
gamma_price(const struct prices *pr, unsigned base, uint32_t n)
{
	double	sum = 0;
	int	top = 31, i;

	while (top > 0 && !(n >> top & 1))
		top--;
	for (i = top - 1; i >= 0; i--) {
		sum += pr->bit[base + 2 * (unsigned)(top - 1 - i)][1];
		sum += pr->bit[base + 2 * (unsigned)(top - 1 - i) + 1][n >> i & 1];
	}
	if (top < PACK_GAMMA_MAX)
		sum += pr->bit[base + 2 * (unsigned)top][0];
	return sum;
}

static double
offset_price(const struct prices *pr, uint32_t offset)
{
	uint32_t	lo = (offset - 1) & 15;
	unsigned	m = 1;
	double		sum = gamma_price(pr, PACK_P_OFFHI, ((offset - 1) >> 4) + 1);
	int		i;

	for (i = 3; i >= 0; i--) {
		sum += pr->bit[PACK_P_OFFLO + m][lo >> i & 1];
		m = (m << 1) | (lo >> i & 1);
	}
	return sum;
}

/* --- parse -------------------------------------------------------------- */

/* The length of the match of in[pos..] with in[from..], up to limit bytes. */
static uint32_t
match_length(const uint8_t *in, size_t n, size_t pos, size_t from, size_t limit)
{
	size_t	len = 0;

	if (limit > n - pos)
		limit = n - pos;
	while (len < limit && in[from + len] == in[pos + len])
		len++;
	return (uint32_t)len;
}

static void
relax(struct node *nodes, size_t to, double cost, size_t from, struct token t,
    uint32_t offset)
{
	if (cost < nodes[to].cost) {
		nodes[to].cost = cost;
		nodes[to].from = (uint32_t)from;
		nodes[to].token = t;
		nodes[to].offset = offset;
		nodes[to].after_match = t.offset != 0;
	}
}

/*
 * The cheapest tokens for in[0..n) at the given prices, in order, into
 * tokens; returns their count, or -1 when out of memory.  chain links each
 * position to the previous one that starts with the same two bytes.
 */
static long
parse(const uint8_t *in, size_t n, const int32_t *chain, const struct prices *pr,
    struct token *tokens)
{
	struct node	*nodes;
	size_t		 i, count = 0, skip_until;
	long		 j;

	if ((nodes = malloc((n + 1) * sizeof(*nodes))) == NULL)
		return -1;
	for (i = 0; i <= n; i++)
		nodes[i].cost = HUGE_VAL;
	nodes[0].cost = 0;
	nodes[0].offset = 0;
	nodes[0].after_match = 0;

	for (i = 0, skip_until = 0; i < n; i++) {
		const struct node	*at = &nodes[i];
		struct token		 t;
		double			 match_bit = pr->bit[PACK_P_MATCH + at->after_match][1];
		double			 new_offset = match_bit;
		uint32_t		 best = MIN_MATCH - 1, len, l;
		unsigned		 steps;

		t.offset = 0;
		t.length = 1;
		t.rep = 0;
		relax(nodes, i + 1, at->cost + pr->bit[PACK_P_MATCH + at->after_match][0] +
		    pr->literal[i > 0 ? in[i - 1] >> 5 : 0][in[i]], i, t, at->offset);
		if (i < skip_until)
			continue;

		if (!at->after_match && at->offset != 0) {
			new_offset += pr->bit[PACK_P_REP][0];
			if (at->offset <= i &&
			    (len = match_length(in, n, i, i - at->offset, n)) >= MIN_MATCH) {
				t.offset = at->offset;
				t.rep = 1;
				for (l = len > LONG_MATCH ? len : MIN_MATCH; l <= len; l++) {
					t.length = l;
					relax(nodes, i + l, at->cost + match_bit +
					    pr->bit[PACK_P_REP][1] +
					    gamma_price(pr, PACK_P_REPLEN, l - 1), i, t,
					    at->offset);
				}
			}
		}

		t.rep = 0;
		for (j = chain[i], steps = 0; j >= 0 && steps < CHAIN_STEPS; j = chain[j], steps++) {
			uint32_t	offset = (uint32_t)(i - (size_t)j);
			double		base;

			if ((len = match_length(in, n, i, (size_t)j, n)) <= best)
				continue;
			base = at->cost + new_offset + offset_price(pr, offset);
			t.offset = offset;
			for (l = len > LONG_MATCH ? len : best + 1; l <= len; l++) {
				t.length = l;
				relax(nodes, i + l, base + gamma_price(pr, PACK_P_LEN, l - 1), i, t,
				    offset);
			}
			best = len;
			if (i + len == n)
				break;
		}
		if (best >= SKIP_MATCH)
			skip_until = i + best;
	}

	/* Walk back from the end, then reverse into tokens. */
	for (i = n; i > 0; i = nodes[i].from)
		tokens[count++] = nodes[i].token;
	for (i = 0; i < count / 2; i++) {
		struct token	t = tokens[i];

		tokens[i] = tokens[count - 1 - i];
		tokens[count - 1 - i] = t;
	}
	free(nodes);
	return (long)count;
}

static void
encode_tokens(struct range_encoder *e, const uint8_t *in, const struct token *tokens,
    long count)
{
	size_t		pos = 0;
	uint32_t	offset = 0;
	unsigned	after_match = 0;
	long		k;

	e->range = 0xffffffffu;
	e->low = 0;
	e->cache = 0;
	e->pending = 1;
	e->len = 0;
	memset(e->counts, 0, sizeof(e->counts));
	for (k = 0; k < PACK_NPROBS; k++)
		e->probs[k] = PACK_PROB_INIT;

	for (k = 0; k < count; k++) {
		const struct token	*t = &tokens[k];

		if (t->offset == 0) {
			encode_bit(e, PACK_P_MATCH + after_match, 0);
			encode_tree(e, PACK_P_LIT + (pos > 0 ? in[pos - 1] >> 5 : 0) * 256u, 8,
			    in[pos]);
			after_match = 0;
			pos++;
			continue;
		}
		encode_bit(e, PACK_P_MATCH + after_match, 1);
		if (!after_match && offset != 0)
			encode_bit(e, PACK_P_REP, (unsigned)t->rep);
		if (!t->rep) {
			offset = t->offset;
			encode_gamma(e, PACK_P_OFFHI, ((offset - 1) >> 4) + 1);
			encode_tree(e, PACK_P_OFFLO, 4, (offset - 1) & 15);
		}
		encode_gamma(e, t->rep ? PACK_P_REPLEN : PACK_P_LEN, t->length - 1);
		after_match = 1;
		pos += t->length;
	}
	for (k = 0; k < 5; k++)
		shift_low(e);
}

/* Link each position to the previous one starting with the same two bytes. */
static int32_t *
build_chain(const uint8_t *in, size_t n)
{
	int32_t		*chain, *head;
	size_t		 i;

	chain = malloc((n + 1) * sizeof(*chain));
	head = malloc(65536 * sizeof(*head));
	if (chain == NULL || head == NULL) {
		free(chain);
		free(head);
		return NULL;
	}
	for (i = 0; i < 65536; i++)
		head[i] = -1;
	for (i = 0; i < n; i++) {
		unsigned	h = i + 1 < n ? (unsigned)in[i] << 8 | in[i + 1] : in[i];

		chain[i] = head[h];
		head[h] = (int32_t)i;
	}
	free(head);
	return chain;
}

/*
 * Copy buf into *best when it is the first output or shorter than *best.
 * Returns -1 when out of memory.
 */
static int
keep_shorter(uint8_t **best, size_t *best_len, const uint8_t *buf, size_t len)
{
	if (*best != NULL && len >= *best_len)
		return 0;
	free(*best);
	if ((*best = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	memcpy(*best, buf, len);
	*best_len = len;
	return 0;
}

size_t
pack_encode(const uint8_t *in, size_t n, uint8_t **out)
{
	struct range_encoder	*e;
	struct prices		*pr;
	struct token		*tokens;
	int32_t			*chain;
	uint8_t			*best = NULL;
	size_t			 best_len = 0, result = 0;
	long			 count;
	int			 pass;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	pr = malloc(sizeof(*pr));
	tokens = malloc((n + 1) * sizeof(*tokens));
	chain = build_chain(in, n);
	if (e == NULL || pr == NULL || tokens == NULL || chain == NULL)
		goto done;

	set_prices(pr, NULL);
	for (pass = 0; pass < PASSES; pass++) {
		if ((count = parse(in, n, chain, pr, tokens)) < 0)
			goto done;
		encode_tokens(e, in, tokens, count);
		if (e->failed)
			goto done;
		if (keep_shorter(&best, &best_len, e->buf, e->len) == -1)
			goto done;
		set_prices(pr, (const uint32_t (*)[2])e->counts);
	}
	*out = best;
	result = best_len;
	best = NULL;
done:
	free(best);
	if (e != NULL)
		free(e->buf);
	free(e);
	free(pr);
	free(tokens);
	free(chain);
	return result;
}

/* --- the FAST codec ------------------------------------------------------ */

#define FAST_MAX_OFFSET	65535
#define FAST_MAX_LENGTH	(65535 + PACK_FAST_MIN_MATCH)

struct bit_writer {
	uint8_t		*buf;
	size_t		 len, cap;
	uint64_t	 bits;		/* pending bits, right-aligned */
	unsigned	 count;
	int		 failed;
};

static void
put_bits(struct bit_writer *w, uint32_t value, unsigned n)
{
	uint8_t	*nb;

	if (n == 0)
		return;
	w->bits = w->bits << n | (value & ((1u << n) - 1));
	w->count += n;
	while (w->count >= 8) {
		if (w->len == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 4096;
			if ((nb = realloc(w->buf, w->cap)) == NULL) {
				w->failed = 1;
				w->len = 0;
				w->count = 0;
				return;
			}
			w->buf = nb;
		}
		w->count -= 8;
		w->buf[w->len++] = (uint8_t)(w->bits >> w->count);
	}
}

/* The slot of v and its extra bits (see pack.h). */
static unsigned
fast_slot(uint32_t v, unsigned *extra_bits)
{
	unsigned	n = 31;

	if (v < 4) {
		*extra_bits = 0;
		return v;
	}
	while (!(v >> n & 1))
		n--;
	*extra_bits = n - 1;
	return 2 * n + (v >> (n - 1) & 1);
}

/*
 * Set lengths to Huffman code lengths of at most maxlen bits for the
 * counts.  While the tree is too deep, the counts are halved, rounding up
 * so that no used symbol drops out, and the tree is built again.  One used
 * symbol gets a 1-bit code.
 */
static void
huffman_lengths(const uint32_t *counts_in, unsigned n, uint8_t *lengths, unsigned maxlen_allowed)
{
	uint32_t	counts[PACK_FAST_LITLEN], weight[2 * PACK_FAST_LITLEN];
	int		parent[2 * PACK_FAST_LITLEN], alive[2 * PACK_FAST_LITLEN];
	unsigned	i, nodes, used, maxlen;

	for (i = 0; i < n; i++)
		counts[i] = counts_in[i];
	for (;;) {
		nodes = 0;
		used = 0;
		for (i = 0; i < n; i++) {
			weight[i] = counts[i];
			parent[i] = -1;
			alive[i] = counts[i] > 0;
			used += alive[i];
		}
		nodes = n;
		memset(lengths, 0, n);
		if (used <= 1) {
			for (i = 0; i < n; i++)
				if (counts[i] > 0)
					lengths[i] = 1;
			return;
		}
		/* Join the two lightest live nodes until one is left. */
		while (used > 1) {
			int	a = -1, b = -1;

			for (i = 0; i < nodes; i++) {
				if (!alive[i])
					continue;
				if (a < 0 || weight[i] < weight[a]) {
					b = a;
					a = (int)i;
				} else if (b < 0 || weight[i] < weight[b]) {
					b = (int)i;
				}
			}
			weight[nodes] = weight[a] + weight[b];
			parent[nodes] = -1;
			alive[nodes] = 1;
			parent[a] = parent[b] = (int)nodes;
			alive[a] = alive[b] = 0;
			nodes++;
			used--;
		}
		maxlen = 0;
		for (i = 0; i < n; i++) {
			unsigned	len = 0;
			int		j;

			if (counts[i] == 0)
				continue;
			for (j = parent[i]; j >= 0; j = parent[j])
				len++;
			lengths[i] = (uint8_t)len;
			if (len > maxlen)
				maxlen = len;
		}
		if (maxlen <= maxlen_allowed)
			return;
		for (i = 0; i < n; i++)
			counts[i] = counts[i] > 0 ? counts[i] / 2 + 1 : 0;
	}
}

/* Canonical codes for the lengths: shorter first, then by symbol. */
static void
canonical_codes(const uint8_t *lengths, unsigned n, uint32_t *codes)
{
	uint32_t	code = 0;
	unsigned	len, sym;

	for (len = 1; len <= 15; len++) {
		for (sym = 0; sym < n; sym++)
			if (lengths[sym] == len)
				codes[sym] = code++;
		code <<= 1;
	}
}

struct fast_model {
	uint32_t	lit_counts[PACK_FAST_LITLEN], off_counts[PACK_FAST_SLOTS];
	uint8_t		lit_lengths[PACK_FAST_LITLEN], off_lengths[PACK_FAST_SLOTS];
};

static double
fast_bits(const uint8_t *lengths, unsigned sym)
{
	/* An unused symbol has no code yet: price it as a long one. */
	return lengths[sym] ? lengths[sym] : PACK_FAST_LITBITS;
}

static double
fast_match_price(const struct fast_model *m, uint32_t offset, uint32_t length)
{
	unsigned	lx, ox, ls = fast_slot(length - PACK_FAST_MIN_MATCH, &lx),
			os = fast_slot(offset - 1, &ox);

	return fast_bits(m->lit_lengths, 256 + ls) + lx + fast_bits(m->off_lengths, os) + ox;
}

/* The cheapest tokens at the model's code lengths, as parse() does for SMALL. */
static long
fast_parse(const uint8_t *in, size_t n, const int32_t *chain, const struct fast_model *m,
    struct token *tokens, struct node *nodes)
{
	size_t	i, count = 0, skip_until;
	long	j;

	for (i = 0; i <= n; i++)
		nodes[i].cost = HUGE_VAL;
	nodes[0].cost = 0;
	for (i = 0, skip_until = 0; i < n; i++) {
		struct token	t = { 0, 1, 0 };
		uint32_t	best = PACK_FAST_MIN_MATCH - 1, len, l;
		unsigned	steps;

		relax(nodes, i + 1, nodes[i].cost + fast_bits(m->lit_lengths, in[i]), i, t, 0);
		if (i < skip_until)
			continue;
		for (j = chain[i], steps = 0; j >= 0 && steps < CHAIN_STEPS &&
		    i - (size_t)j <= FAST_MAX_OFFSET; j = chain[j], steps++) {
			if ((len = match_length(in, n, i, (size_t)j, FAST_MAX_LENGTH)) <= best)
				continue;
			t.offset = (uint32_t)(i - (size_t)j);
			for (l = len > LONG_MATCH ? len : best + 1; l <= len; l++) {
				t.length = l;
				relax(nodes, i + l, nodes[i].cost + fast_match_price(m, t.offset, l), i,
				    t, t.offset);
			}
			best = len;
			if (len == FAST_MAX_LENGTH || i + len == n)
				break;
		}
		if (best >= SKIP_MATCH)
			skip_until = i + best;
	}
	for (i = n; i > 0; i = nodes[i].from)
		tokens[count++] = nodes[i].token;
	return (long)count;
}

/* Code the tokens (in reverse order in tokens) with the model's lengths. */
static void
fast_write(struct bit_writer *w, const uint8_t *in, const struct token *tokens, long count,
    const struct fast_model *m)
{
	uint32_t	lit_codes[PACK_FAST_LITLEN], off_codes[PACK_FAST_SLOTS];
	unsigned	i, x, slot;
	size_t		pos = 0;
	long		k;

	canonical_codes(m->lit_lengths, PACK_FAST_LITLEN, lit_codes);
	canonical_codes(m->off_lengths, PACK_FAST_SLOTS, off_codes);
	for (i = 0; i < PACK_FAST_LITLEN; i++)
		put_bits(w, m->lit_lengths[i], 4);
	for (i = 0; i < PACK_FAST_SLOTS; i++)
		put_bits(w, m->off_lengths[i], 4);
	for (k = count; k-- > 0;) {
		const struct token	*t = &tokens[k];

		if (t->offset == 0) {
			put_bits(w, lit_codes[in[pos]], m->lit_lengths[in[pos]]);
			pos++;
			continue;
		}
		slot = fast_slot(t->length - PACK_FAST_MIN_MATCH, &x);
		put_bits(w, lit_codes[256 + slot], m->lit_lengths[256 + slot]);
		put_bits(w, t->length - PACK_FAST_MIN_MATCH, x);
		slot = fast_slot(t->offset - 1, &x);
		put_bits(w, off_codes[slot], m->off_lengths[slot]);
		put_bits(w, t->offset - 1, x);
		pos += t->length;
	}
	put_bits(w, 0, 7);	/* flush the last byte */
}

/* Count the symbols of the tokens and make code lengths from the counts. */
static void
fast_model_update(struct fast_model *m, const uint8_t *in, const struct token *tokens,
    long count)
{
	size_t		pos = 0;
	unsigned	x;
	long		k;

	memset(m->lit_counts, 0, sizeof(m->lit_counts));
	memset(m->off_counts, 0, sizeof(m->off_counts));
	for (k = count; k-- > 0;) {
		const struct token	*t = &tokens[k];

		if (t->offset == 0) {
			m->lit_counts[in[pos++]]++;
			continue;
		}
		m->lit_counts[256 + fast_slot(t->length - PACK_FAST_MIN_MATCH, &x)]++;
		m->off_counts[fast_slot(t->offset - 1, &x)]++;
		pos += t->length;
	}
	huffman_lengths(m->lit_counts, PACK_FAST_LITLEN, m->lit_lengths, PACK_FAST_LITBITS);
	huffman_lengths(m->off_counts, PACK_FAST_SLOTS, m->off_lengths, PACK_FAST_OFFBITS);
}

size_t
pack_encode_fast(const uint8_t *in, size_t n, uint8_t **out)
{
	struct fast_model	 m;
	struct bit_writer	 w;
	struct node		*nodes;
	struct token		*tokens;
	int32_t			*chain;
	uint8_t			*best = NULL;
	size_t			 best_len = 0, result = 0;
	long			 count;
	int			 pass;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	nodes = malloc((n + 1) * sizeof(*nodes));
	tokens = malloc((n + 1) * sizeof(*tokens));
	chain = build_chain(in, n);
	if (nodes == NULL || tokens == NULL || chain == NULL)
		goto done;

	/* Start from 8-bit literals and 5-bit slots, then refine from the counts. */
	memset(&m, 0, sizeof(m));
	memset(m.lit_lengths, 8, sizeof(m.lit_lengths));
	memset(m.off_lengths, 5, sizeof(m.off_lengths));
	for (pass = 0; pass < PASSES; pass++) {
		count = fast_parse(in, n, chain, &m, tokens, nodes);
		fast_model_update(&m, in, tokens, count);
		w.len = 0;
		w.bits = 0;
		w.count = 0;
		fast_write(&w, in, tokens, count, &m);
		if (w.failed)
			goto done;
		if (keep_shorter(&best, &best_len, w.buf, w.len) == -1)
			goto done;
	}
	*out = best;
	result = best_len;
	best = NULL;
done:
	free(best);
	free(w.buf);
	free(nodes);
	free(tokens);
	free(chain);
	return result;
}
