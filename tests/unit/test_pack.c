/* test_pack.c -- the packer's codecs (SMALL and FAST, core/pack.h) and pack_checksum. */
#include "testutil.h"

#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

struct codec {
	const char	*name;
	size_t		(*encode)(const uint8_t *, size_t, uint8_t **);
	size_t		(*decode)(const uint8_t *, size_t, uint8_t *, size_t);
};

static const struct codec	codecs[] = {
	{ "SMALL", pack_encode, pack_decode },
	{ "FAST", pack_encode_fast, pack_decode_fast },
};

#define NCODECS		(sizeof(codecs) / sizeof(codecs[0]))
#define GUARD		64	/* bytes checked on each side of a decoder's output */
#define GUARD_BYTE	0xa5

/*
 * Decode in[0..inlen) into outlen bytes that lie between two guards, fail
 * when a guard changed or the result is neither 0 nor outlen, and copy the
 * output to copy unless it is NULL.  Returns the decoder's result.
 */
static size_t
guarded_decode(const struct codec *c, const uint8_t *in, size_t inlen, size_t outlen,
    uint8_t *copy)
{
	uint8_t	*buf = malloc(outlen + 2 * GUARD);
	size_t	 result, i;

	assert_non_null(buf);
	memset(buf, GUARD_BYTE, outlen + 2 * GUARD);
	result = c->decode(in, inlen, buf + GUARD, outlen);
	for (i = 0; i < GUARD; i++) {
		if (buf[i] != GUARD_BYTE)
			fail_msg("%s: decoding %zu bytes wrote %zu bytes before the output",
			    c->name, outlen, GUARD - i);
		if (buf[GUARD + outlen + i] != GUARD_BYTE)
			fail_msg("%s: decoding %zu bytes wrote byte %zu past the output", c->name,
			    outlen, i);
	}
	if (result != 0 && result != outlen)
		fail_msg("%s: decoding %zu bytes returned %zu, neither 0 nor the length",
		    c->name, outlen, result);
	if (copy != NULL)
		memcpy(copy, buf + GUARD, outlen);
	free(buf);
	return result;
}

/* Encode in[0..n) into *stream, check that it decodes to in, and return its length. */
static size_t
encode_checked(const struct codec *c, const uint8_t *in, size_t n, uint8_t **stream)
{
	uint8_t	*out = malloc(n + 1);
	size_t	 len;

	assert_non_null(out);
	len = c->encode(in, n, stream);
	if (len == 0 || *stream == NULL)
		fail_msg("%s: encoding %zu bytes failed", c->name, n);
	if (guarded_decode(c, *stream, len, n, out) != n)
		fail_msg("%s: the stream of %zu bytes (%zu long) does not decode", c->name, n,
		    len);
	if (memcmp(out, in, n) != 0)
		fail_msg("%s: the stream of %zu bytes decodes to other bytes", c->name, n);
	free(out);
	return len;
}

/*
 * Round-trip in[0..n) through each codec, and fail when codec k's stream
 * is longer than max_lengths[k] (unless max_lengths is NULL).
 */
static void
round_trip(const uint8_t *in, size_t n, const size_t *max_lengths)
{
	uint8_t	*stream;
	size_t	 k, len;

	for (k = 0; k < NCODECS; k++) {
		len = encode_checked(&codecs[k], in, n, &stream);
		if (max_lengths != NULL && len > max_lengths[k])
			fail_msg("%s: %zu bytes packed to %zu, above %zu", codecs[k].name, n, len,
			    max_lengths[k]);
		free(stream);
	}
}

/* Each test seeds its own data, so that a test run alone gets the same bytes. */
static void
fill_random(uint8_t *p, size_t n, unsigned int *seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)test_random(seed);
}

/* Words in random order with spaces, commas and line ends: text with repeats. */
static void
fill_text(uint8_t *p, size_t n, unsigned int *seed)
{
	static const char *const	words[] = { "the", "server", "clock", "offset", "of",
	    "a", "packet", "is", "measured", "and", "filtered", "before", "it", "moves",
	    "time", "query", "answer", "from", "hosts", "file", "cache", "forward",
	    "name", "address", "to", "with", "every", "source", "poll", "interval" };
	size_t				 i = 0, w;
	const char			*word;

	while (i < n) {
		word = words[test_random(seed) % (sizeof(words) / sizeof(words[0]))];
		for (w = 0; word[w] != '\0' && i < n; w++)
			p[i++] = (uint8_t)word[w];
		if (i < n)
			p[i++] = test_random(seed) % 9 == 0 ? '\n' :
			    test_random(seed) % 7 == 0 ? ',' : ' ';
	}
}

static void
encodes_empty_input(void **state)
{
	uint8_t	*stream, out[16];
	size_t	 k, len, i;

	(void)state;
	for (k = 0; k < NCODECS; k++) {
		/* 0 means out of memory, so an empty input still gets a stream. */
		len = codecs[k].encode(out, 0, &stream);
		if (len == 0 || stream == NULL)
			fail_msg("%s: encoding 0 bytes returned no stream", codecs[k].name);
		assert_int_equal(guarded_decode(&codecs[k], stream, len, 0, NULL), 0);
		if (k == 0) {
			/* SMALL: the flushed coder decodes zero bytes after its end. */
			assert_int_equal(guarded_decode(&codecs[k], stream, len, sizeof(out), out),
			    sizeof(out));
			for (i = 0; i < sizeof(out); i++)
				assert_int_equal(out[i], 0);
		}
		free(stream);
	}
}

static void
round_trips_one_byte(void **state)
{
	static const uint8_t	bytes[] = { 0, 'x', 0x80, 0xff };
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bytes); i++)
		round_trip(&bytes[i], 1, NULL);
}

/* 64 KiB: the match finders stop searching inside a long match. */
#define ZERO_RUN	65536

static void
round_trips_zeros(void **state)
{
	static const uint8_t	zeros[ZERO_RUN];

	(void)state;
	/* SMALL: a literal and one long match.  FAST: 160 bytes of code lengths first. */
	round_trip(zeros, sizeof(zeros), (const size_t[]){ 16, 160 + 16 });
}

static void
round_trips_random(void **state)
{
	static uint8_t	data[16384];
	unsigned int	seed = 1;

	(void)state;
	fill_random(data, sizeof(data), &seed);
	/* Incompressible input grows by little more than the stream's overhead. */
	round_trip(data, sizeof(data), (const size_t[]){ sizeof(data) * 33 / 32,
	    sizeof(data) * 33 / 32 + 160 });
}

static void
round_trips_text(void **state)
{
	static uint8_t	text[32768];
	unsigned int	seed = 1;

	(void)state;
	fill_text(text, sizeof(text), &seed);
	/* 30 words in random order: about 5 bits a word is all the content. */
	round_trip(text, sizeof(text), (const size_t[]){ sizeof(text) / 3, sizeof(text) / 3 });
}

/*
 * Matches whose source overlaps the bytes they produce: a random head of
 * period bytes, repeated.  The decoder must copy byte by byte.
 */
static void
round_trips_overlapping_matches(void **state)
{
	static const size_t	periods[] = { 1, 2, 3, 4, 7, 8, 16, 17, 100 };
	size_t			n = 600, p, i;
	uint8_t			data[600];
	unsigned int		seed = 1;

	(void)state;
	for (p = 0; p < sizeof(periods) / sizeof(periods[0]); p++) {
		fill_random(data, periods[p], &seed);
		for (i = periods[p]; i < n; i++)
			data[i] = data[i - periods[p]];
		/* The first period is literals, the rest one match or a few. */
		round_trip(data, n, (const size_t[]){ periods[p] + 24, 160 + 2 * periods[p] + 24 });
	}
	memcpy(data, "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc", 48);
	round_trip(data, 48, NULL);
}

/*
 * The bytes of this program's first executable segment, like the segments
 * that the packer compresses: instructions, jump tables and alignment padding.
 */
#define CODE_MAX	(200 * 1024)

struct code_segment {
	const uint8_t	*start;
	size_t		 length;
};

static int
find_code_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct code_segment	*found = arg;
	int			 i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr)	*ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && ph->p_filesz > 0) {
			found->start = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
			found->length = ph->p_filesz < CODE_MAX ? ph->p_filesz : CODE_MAX;
			return 1;
		}
	}
	return 0;
}

static void
round_trips_code_segment(void **state)
{
	struct code_segment	segment = { NULL, 0 };
	size_t			max_length;

	(void)state;
	/* The first object dl_iterate_phdr visits is the executable itself. */
	dl_iterate_phdr(find_code_segment, &segment);
	assert_non_null(segment.start);
	assert_true(segment.length >= 4096);
	/* This test's code on x86_64 at -O1 packs to about 55% with either codec. */
	max_length = segment.length * 3 / 4;
	round_trip(segment.start, segment.length, (const size_t[]){ max_length, max_length });
}

/*
 * Decode a damaged stream of text and fail when the output differs from
 * text but has its checksum.  Damage may leave the output unchanged, and
 * that is no failure.  SMALL's decoder skips the first byte, which the
 * encoder always writes as 0 (as LZMA's range coder does), and its last 4
 * bytes only place the code inside the final interval.  FAST's last byte
 * ends with padding bits.  A match's offset may change to another copy of
 * the same bytes.
 */
static void
decode_damaged(const struct codec *c, const uint8_t *stream, size_t len,
    const uint8_t *text, size_t n, const char *damage, size_t where)
{
	uint8_t	*out = malloc(n);

	assert_non_null(out);
	if (guarded_decode(c, stream, len, n, out) == n) {
		if (memcmp(out, text, n) != 0 && pack_checksum(out, n) == pack_checksum(text, n))
			fail_msg("%s: %s %zu of %zu bytes decodes to other bytes with the "
			    "same checksum", c->name, damage, where, len);
	}
	free(out);
}

/* Decode 300 bytes of text from every prefix of their stream, or with each bit flipped. */
static void
damage_streams(int flip_bits)
{
	uint8_t		 text[300], *stream;
	size_t		 k, len, i;
	unsigned int	 seed = 1;

	fill_text(text, sizeof(text), &seed);
	for (k = 0; k < NCODECS; k++) {
		len = encode_checked(&codecs[k], text, sizeof(text), &stream);
		if (!flip_bits) {
			for (i = 0; i < len; i++)
				decode_damaged(&codecs[k], stream, i, text, sizeof(text), "a cut at", i);
		} else {
			for (i = 0; i < 8 * len; i++) {
				stream[i / 8] ^= (uint8_t)(1u << i % 8);
				decode_damaged(&codecs[k], stream, len, text, sizeof(text),
				    "flipping bit", i);
				stream[i / 8] ^= (uint8_t)(1u << i % 8);
			}
		}
		free(stream);
	}
}

static void
decodes_truncated_streams_safely(void **state)
{
	(void)state;
	damage_streams(0);
}

static void
decodes_flipped_bits_safely(void **state)
{
	(void)state;
	damage_streams(1);
}

/* Random streams of random lengths into outputs of random lengths. */
static void
decodes_garbage_safely(void **state)
{
	uint8_t		in[512], out[4096];
	size_t		k, round, inlen, outlen;
	unsigned int	seed = 1;

	(void)state;
	for (round = 0; round < 2000; round++) {
		inlen = test_random(&seed) % sizeof(in);
		outlen = test_random(&seed) % sizeof(out);
		fill_random(in, inlen, &seed);
		for (k = 0; k < NCODECS; k++)
			guarded_decode(&codecs[k], in, inlen, outlen, out);
	}
}

/*
 * An output shorter than the encoded input gets its first bytes or 0 (a
 * match that would cross its end).
 */
static void
decodes_shorter_output(void **state)
{
	uint8_t		 text[1000], out[1000], *stream;
	size_t		 k, len, outlen, decoded;
	unsigned int	 seed = 1;

	(void)state;
	fill_text(text, sizeof(text), &seed);
	for (k = 0; k < NCODECS; k++) {
		len = encode_checked(&codecs[k], text, sizeof(text), &stream);
		decoded = 0;
		for (outlen = 0; outlen < sizeof(text); outlen++) {
			if (guarded_decode(&codecs[k], stream, len, outlen, out) == 0)
				continue;
			decoded++;
			if (memcmp(out, text, outlen) != 0)
				fail_msg("%s: the first %zu bytes decode wrong", codecs[k].name, outlen);
		}
		/* An output that ends at a token boundary decodes, and tokens are short. */
		assert_true(decoded >= sizeof(text) / 10);
		free(stream);
	}
}

/*
 * An output longer than the encoded input.  Neither decoder detects the end
 * of its stream, so only the segment's checksum catches a stream that is
 * too short for it.  SMALL pads with zeros, because its flushed code is the
 * bottom of the final interval and every later bit decodes as 0 (a literal
 * 0).  FAST decodes the zero bits after its stream as whatever symbol has
 * the all-zero code.
 */
static void
decodes_longer_output(void **state)
{
	uint8_t		 text[1000], out[1100], *stream;
	size_t		 k, len, outlen, i;
	unsigned int	 seed = 1;

	(void)state;
	fill_text(text, sizeof(text), &seed);
	for (k = 0; k < NCODECS; k++) {
		len = encode_checked(&codecs[k], text, sizeof(text), &stream);
		for (outlen = sizeof(text) + 1; outlen <= sizeof(out); outlen++) {
			if (guarded_decode(&codecs[k], stream, len, outlen, out) == 0) {
				if (k == 0)
					fail_msg("SMALL: decoding %zu bytes failed", outlen);
				continue;
			}
			if (memcmp(out, text, sizeof(text)) != 0)
				fail_msg("%s: decoding %zu bytes changed the first %zu", codecs[k].name,
				    outlen, sizeof(text));
			for (i = sizeof(text); k == 0 && i < outlen; i++)
				if (out[i] != 0)
					fail_msg("SMALL: decoding %zu bytes wrote %#x at %zu", outlen,
					    out[i], i);
		}
		free(stream);
	}
}

/* Expected values from a separate implementation (Python) of pack.h's description. */
static void
checksum_known_values(void **state)
{
	(void)state;
	/* The empty input hashes one zero word. */
	assert_int_equal(pack_checksum((const uint8_t *)"", 0), 0x050c5707);
	assert_int_equal(pack_checksum((const uint8_t *)"a", 1), 0xe40de134);
	assert_int_equal(pack_checksum((const uint8_t *)"abcd", 4), 0x1d7b6560);
	assert_int_equal(pack_checksum((const uint8_t *)"abcde", 5), 0x027b31e3);
	assert_int_equal(pack_checksum((const uint8_t *)"edgebox", 7), 0xad8e151d);
	/* Differences in the top bytes of two words do not cancel. */
	assert_int_not_equal(pack_checksum((const uint8_t[8]){ 0 }, 8),
	    pack_checksum((const uint8_t[8]){ 0, 0, 0, 1, 0, 0, 0, 0x77 }, 8));
}

/*
 * Each FNV-1a step is a bijection of the hash for a given word, so a change
 * to one word, or to one byte, always changes the checksum.
 */
static void
checksum_covers_every_byte(void **state)
{
	uint8_t		data[37];
	uint32_t	want;
	size_t		i;
	unsigned int	seed = 1;

	(void)state;
	fill_random(data, sizeof(data), &seed);
	want = pack_checksum(data, sizeof(data));
	for (i = 0; i < sizeof(data); i++) {
		data[i] ^= 0x01;
		if (pack_checksum(data, sizeof(data)) == want)
			fail_msg("changing byte %zu left the checksum %#x", i, want);
		data[i] ^= 0x01;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_empty_input),
		cmocka_unit_test(round_trips_one_byte),
		cmocka_unit_test(round_trips_zeros),
		cmocka_unit_test(round_trips_random),
		cmocka_unit_test(round_trips_text),
		cmocka_unit_test(round_trips_overlapping_matches),
		cmocka_unit_test(round_trips_code_segment),
		cmocka_unit_test(decodes_truncated_streams_safely),
		cmocka_unit_test(decodes_flipped_bits_safely),
		cmocka_unit_test(decodes_garbage_safely),
		cmocka_unit_test(decodes_shorter_output),
		cmocka_unit_test(decodes_longer_output),
		cmocka_unit_test(checksum_known_values),
		cmocka_unit_test(checksum_covers_every_byte),
	};

	return cmocka_run_group_tests_name("pack", tests, NULL, NULL);
}
