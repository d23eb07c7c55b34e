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

uint32_t
pack_checksum(const uint8_t *p, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}
