/* pack.h -- the compressed segments of a packed edgebox binary. */
#ifndef EDGEBOX_PACK_H
#define EDGEBOX_PACK_H

#include <stddef.h>
#include <stdint.h>

/*
 * A packed binary (core/pack.c writes it after the link) keeps two
 * loadable segments as they are: the first (the ELF header and the
 * unpacker) and the start-up constants that follow it in the file.  It
 * stores every other loadable segment compressed, in one read-only
 * segment at an address above the others.  A program header of type
 * PACK_PT_TYPE gives that segment's address.  The segment starts with a
 * struct pack_header, then one struct pack_entry per packed segment, then
 * the compressed streams.  Every number is a
 * little-endian 32-bit one, because the segments of a non-PIE static
 * executable lie below 4 GiB on every supported architecture.
 *
 * An entry's group is the name that core/layout.ld gave the segment's
 * main section after ".text." or ".rodata." ("ntp" for .rodata.ntp), and
 * empty for the shared ones (.rodata, .data).
 */
#define PACK_PT_TYPE	0x65627870u	/* in PT_LOOS..PT_HIOS: "ebxp" */
#define PACK_MAGIC	0x50584245u	/* "EBXP" read as a 32-bit number */
#define PACK_VERSION	1u
#define PACK_MAX_SEGMENTS	32	/* the unpacker keeps one bit per segment */

struct pack_header {
	uint32_t	magic;
	uint32_t	version;
	uint32_t	count;		/* struct pack_entry records that follow */
	uint32_t	size;		/* bytes of the whole packed segment */
	uint32_t	checksum;	/* pack_checksum of the entries */
};

struct pack_entry {
	uint32_t	vaddr;		/* the segment's address (p_vaddr) */
	uint32_t	memsz;		/* bytes it occupies in memory (p_memsz) */
	uint32_t	filesz;		/* bytes of contents (p_filesz); the rest is zero */
	uint32_t	flags;		/* PF_R, PF_W and PF_X as in p_flags */
	uint32_t	offset;		/* of the compressed stream, from the segment's start */
	uint32_t	length;		/* of the compressed stream */
	uint32_t	checksum;	/* pack_checksum of the contents */
	uint32_t	codec;		/* PACK_CODEC_SMALL or PACK_CODEC_FAST */
	char		group[8];	/* "" (shared), "init", or an applet's group */
};

_Static_assert(sizeof(struct pack_header) == 20, "pack_header is 5 numbers");
_Static_assert(sizeof(struct pack_entry) == 40, "pack_entry is 8 numbers and a group");

/*
 * Two codecs: SMALL (the range-coded stream below) compresses more, FAST
 * (Huffman-coded LZ77, pack_decode_fast) decodes several times faster.
 * The segments that hostq needs are FAST, because hostq starts once per
 * lookup; the daemons' own segments are SMALL.
 */
#define PACK_CODEC_SMALL	0u
#define PACK_CODEC_FAST		1u

/*
 * The compressed stream: LZ77 tokens (a literal byte, a match with a new
 * offset, or a match that repeats the last offset) coded bit by bit with an
 * adaptive binary range coder.  Each decision has its own probability,
 * a 12-bit estimate that the bit is 0, which moves 1/16 of the way toward
 * each bit it codes.  The encoder (packenc.c) and the decoder (packdec.c)
 * share these model indexes.
 */
#define PACK_PROB_BITS	12
#define PACK_PROB_INIT	(1u << (PACK_PROB_BITS - 1))
#define PACK_PROB_SHIFT	4
#define PACK_GAMMA_MAX	24	/* value bits of an Elias-gamma number */

#define PACK_P_MATCH	0	/* literal or match, by the previous token's kind */
#define PACK_P_REP	2	/* new offset or the last one again */
#define PACK_P_LIT	3	/* 8 contexts (previous byte >> 5) of a 256-leaf tree */
#define PACK_P_LEN	(PACK_P_LIT + 8 * 256)	/* match length - 1 */
#define PACK_P_REPLEN	(PACK_P_LEN + 2 * PACK_GAMMA_MAX)	/* repeat length - 1 */
#define PACK_P_OFFHI	(PACK_P_REPLEN + 2 * PACK_GAMMA_MAX)	/* (offset - 1) >> 4, plus 1 */
#define PACK_P_OFFLO	(PACK_P_OFFHI + 2 * PACK_GAMMA_MAX)	/* 16-leaf tree, low 4 bits */
#define PACK_NPROBS	(PACK_P_OFFLO + 16)

/*
 * Decode the stream in[0..inlen) into out[0..outlen).  Return outlen when
 * the stream produced exactly that many bytes, or 0 when it is corrupt
 * (for instance a match reaching before out or past its end).  Reads past
 * the end of the input read zeros, and nothing is written outside out.
 * The unpacker runs it before the C library is set up and in a signal
 * handler, so it uses no global variable and calls no C library function
 * but memset, which the compiler may call and layout.ld places beside it.
 */
size_t	pack_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen);

/*
 * Decode a FAST stream, with the same contract as pack_decode.  A FAST
 * stream is LZ77 tokens coded with two canonical Huffman codes, as one bit
 * string read most significant bit first.  It starts with the 4-bit code
 * lengths (0 for an unused symbol) of the PACK_FAST_LITLEN literal and
 * length symbols, then those of the PACK_FAST_SLOTS offset symbols, and
 * the tokens follow.  A literal is its byte's symbol (0-255); a match is symbol
 * 256 + the slot of its length - PACK_FAST_MIN_MATCH, that slot's extra
 * bits, the offset symbol (the slot of its offset - 1) and its extra bits.
 * A value v below 4 is slot v; above, with n the index of its highest set
 * bit, slot 2n + (the bit below the highest), and the n - 1 bits below
 * that follow as extra bits.
 */
#define PACK_FAST_LITBITS	11	/* bits of the longest literal or length code */
#define PACK_FAST_OFFBITS	9	/* bits of the longest offset code */
#define PACK_FAST_SLOTS		32	/* values below 2^16 */
#define PACK_FAST_LITLEN	(256 + PACK_FAST_SLOTS)
#define PACK_FAST_MIN_MATCH	3
size_t	pack_decode_fast(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen);

/*
 * A 32-bit hash of p[0..n): FNV-1a's steps over little-endian 32-bit
 * words instead of bytes (4 times as fast), the last word padded with
 * zeros and always hashed.  After each multiplication the high bits are
 * folded into the low ones (h ^= h >> 15), because the multiplication
 * alone carries a difference only upward, and two differences in the top
 * bytes of words could cancel.  It detects a stream that was damaged on
 * disk but still decodes.
 */
uint32_t	pack_checksum(const uint8_t *p, size_t n);

/*
 * Compress in[0..n) into a new buffer (malloc) at *out and return its
 * length, or 0 when out of memory.  n must be below 2^24.  For the packer
 * and the tests; the binary does not link it.
 */
size_t	pack_encode(const uint8_t *in, size_t n, uint8_t **out);
size_t	pack_encode_fast(const uint8_t *in, size_t n, uint8_t **out);

#endif
