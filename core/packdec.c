/* packdec.c -- decoder of the compressed segments (see pack.h). */
#include "pack.h"

struct range_decoder {
	const uint8_t	*in;
	const uint8_t	*end;
	uint32_t	 range;
	uint32_t	 code;
	uint16_t	 probs[PACK_NPROBS];
};

static uint32_t
next_byte(struct range_decoder *d)
{
	return d->in < d->end ? *d->in++ : 0;
}

static unsigned
decode_bit(struct range_decoder *d, unsigned index)
{
	uint16_t	*p = &d->probs[index];
	uint32_t	 bound = (d->range >> PACK_PROB_BITS) * *p;
	unsigned	 bit;

	if (d->code < bound) {
		d->range = bound;
		*p += ((1u << PACK_PROB_BITS) - *p) >> PACK_PROB_SHIFT;
		bit = 0;
	} else {
		d->code -= bound;
		d->range -= bound;
		*p -= *p >> PACK_PROB_SHIFT;
		bit = 1;
	}
	while (d->range < (1u << 24)) {
		d->range <<= 8;
		d->code = (d->code << 8) | next_byte(d);
	}
	return bit;
}

/* An Elias-gamma number (1 or more): a "more" bit before each value bit. */
static uint32_t
decode_gamma(struct range_decoder *d, unsigned base)
{
	uint32_t	n = 1;
	unsigned	i;

	for (i = 0; i < PACK_GAMMA_MAX && decode_bit(d, base + 2 * i); i++)
		n = (n << 1) | decode_bit(d, base + 2 * i + 1);
	return n;
}

/* A value of the given bits, most significant first, from a binary tree. */
static unsigned
decode_tree(struct range_decoder *d, unsigned base, unsigned bits)
{
	unsigned	m = 1;

	while (m < (1u << bits))
		m = (m << 1) | decode_bit(d, base + m);
	return m - (1u << bits);
}

size_t
pack_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	struct range_decoder	 d;
	uint8_t			*p = out, *end = out + outlen;
	uint32_t		 offset = 0, length;
	unsigned		 i, after_match = 0, rep;

	d.in = in;
	d.end = in + inlen;
	d.range = 0xffffffffu;
	d.code = 0;
	for (i = 0; i < PACK_NPROBS; i++)
		d.probs[i] = PACK_PROB_INIT;
	for (i = 0; i < 5; i++)
		d.code = (d.code << 8) | next_byte(&d);

	while (p < end) {
		if (!decode_bit(&d, PACK_P_MATCH + after_match)) {
			i = p > out ? p[-1] >> 5 : 0;
			*p++ = (uint8_t)decode_tree(&d, PACK_P_LIT + i * 256, 8);
			after_match = 0;
			continue;
		}
		rep = !after_match && offset != 0 && decode_bit(&d, PACK_P_REP);
		if (!rep) {
			offset = (decode_gamma(&d, PACK_P_OFFHI) - 1) << 4;
			offset = (offset | decode_tree(&d, PACK_P_OFFLO, 4)) + 1;
		}
		length = decode_gamma(&d, rep ? PACK_P_REPLEN : PACK_P_LEN) + 1;
		if (offset > (size_t)(p - out) || length > (size_t)(end - p))
			return 0;
		/* Byte by byte: a match may overlap the bytes it copies. */
		while (length-- > 0) {
			*p = p[-(ptrdiff_t)offset];
			p++;
		}
		after_match = 1;
	}
	return outlen;
}

/* --- the FAST codec ------------------------------------------------------ */

struct bit_reader {
	const uint8_t	*in;
	const uint8_t	*end;
	uint64_t	 bits;		/* the next bits, most significant first */
	unsigned	 count;		/* of valid bits in bits */
};

static inline __attribute__((always_inline)) void
refill(struct bit_reader *r)
{
	/* Away from the end, take whole bytes of the next 8 at once. */
	if (r->end - r->in >= 8) {
		uint64_t	next;
		unsigned	n = (63 - r->count) >> 3;

		/*
		 * The bits past count are those of the bytes after the n taken:
		 * the next refill ORs the same bits in again.
		 */
		__builtin_memcpy(&next, r->in, 8);
		r->bits |= __builtin_bswap64(next) >> r->count;
		r->in += n;
		r->count += 8 * n;
		return;
	}
	while (r->count <= 56) {
		r->bits |= (uint64_t)(r->in < r->end ? *r->in++ : 0) << (56 - r->count);
		r->count += 8;
	}
}

static inline __attribute__((always_inline)) uint32_t
take_bits(struct bit_reader *r, unsigned n)
{
	uint32_t	v;

	if (n == 0)
		return 0;
	v = (uint32_t)(r->bits >> (64 - n));
	r->bits <<= n;
	r->count -= n;
	return v;
}

/*
 * Read n 4-bit code lengths and fill a lookup table of 2^bits entries for
 * their canonical code, which orders shorter codes first, then lower
 * symbols.  Entry i contains the symbol whose code starts the bits i, and
 * the code's length shifted by 9.  Returns -1 when a code is longer than
 * bits or the lengths oversubscribe the code.
 */
static int
build_table(struct bit_reader *r, uint16_t *table, unsigned n, unsigned bits)
{
	uint8_t		lengths[PACK_FAST_LITLEN];
	uint32_t	code = 0, size = 1u << bits, step, i;
	unsigned	len, sym;

	for (sym = 0; sym < n; sym++) {
		refill(r);
		lengths[sym] = (uint8_t)take_bits(r, 4);
	}
	for (i = 0; i < size; i++)
		table[i] = 0;
	for (sym = 0; sym < n; sym++)
		if (lengths[sym] > bits)
			return -1;
	for (len = 1; len <= bits; len++) {
		step = 1u << (bits - len);
		for (sym = 0; sym < n; sym++) {
			if (lengths[sym] != len)
				continue;
			if (code + step > size)
				return -1;
			for (i = 0; i < step; i++)
				table[code + i] = (uint16_t)(sym | len << 9);
			code += step;
		}
	}
	return 0;
}

static inline __attribute__((always_inline)) uint32_t
decode_symbol(struct bit_reader *r, const uint16_t *table, unsigned bits, int *bad)
{
	uint16_t	e = table[r->bits >> (64 - bits)];

	if (e == 0) {
		*bad = 1;
		return 0;
	}
	take_bits(r, e >> 9);
	return e & 511;
}

/* A value from its slot (see pack.h) and the extra bits that follow. */
static inline __attribute__((always_inline)) uint32_t
decode_slot_value(struct bit_reader *r, uint32_t slot)
{
	unsigned	n = slot / 2;

	if (slot < 4)
		return slot;
	return (2u | (slot & 1)) << (n - 1) | take_bits(r, n - 1);
}

size_t
pack_decode_fast(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	struct bit_reader	 r;
	uint16_t		 literals[1u << PACK_FAST_LITBITS];
	uint16_t		 offsets[1u << PACK_FAST_OFFBITS];
	uint8_t			*p = out, *end = out + outlen;
	uint32_t		 sym, length, offset;
	int			 bad = 0;

	r.in = in;
	r.end = in + inlen;
	r.bits = 0;
	r.count = 0;
	refill(&r);
	if (build_table(&r, literals, PACK_FAST_LITLEN, PACK_FAST_LITBITS) == -1 ||
	    build_table(&r, offsets, PACK_FAST_SLOTS, PACK_FAST_OFFBITS) == -1)
		return 0;
	while (p < end) {
		refill(&r);
		sym = decode_symbol(&r, literals, PACK_FAST_LITBITS, &bad);
		if (bad)
			return 0;
		if (sym < 256) {
			*p++ = (uint8_t)sym;
			continue;
		}
		length = decode_slot_value(&r, sym - 256) + PACK_FAST_MIN_MATCH;
		refill(&r);
		offset = decode_slot_value(&r, decode_symbol(&r, offsets, PACK_FAST_OFFBITS, &bad)) + 1;
		if (bad || offset > (size_t)(p - out) || length > (size_t)(end - p))
			return 0;
		/* Byte by byte: a match may overlap the bytes it copies. */
		while (length-- > 0) {
			*p = p[-(ptrdiff_t)offset];
			p++;
		}
	}
	return outlen;
}

uint32_t
pack_checksum(const uint8_t *p, size_t n)
{
	uint32_t	h = 2166136261u, word;
	size_t		i;

	for (i = 0; i + 4 <= n; i += 4) {
		word = p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
		    (uint32_t)p[i + 3] << 24;
		h = (h ^ word) * 16777619u;
		h ^= h >> 15;
	}
	for (word = 0; i < n; i++)
		word |= (uint32_t)p[i] << (8 * (i & 3));
	h = (h ^ word) * 16777619u;
	return h ^ h >> 15;
}
