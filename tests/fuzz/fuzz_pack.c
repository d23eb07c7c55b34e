/* fuzz_pack.c -- libFuzzer harness: both packer codecs (core/pack.h) decoding any stream and round-tripping any data. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Inputs above this size are only decoded, which keeps the optimal parse
 * (up to 512 match candidates per position) fast enough for fuzzing.
 */
#define ENCODE_MAX	4096

typedef size_t	encode_fn(const uint8_t *, size_t, uint8_t **);
typedef size_t	decode_fn(const uint8_t *, size_t, uint8_t *, size_t);

/*
 * Decode the input after its first 2 bytes into an output of exactly the
 * length those bytes give (little-endian), so that ASan reports any
 * access outside it.  The decoder must return 0 or that length.
 */
static void
decode_any(const char *name, decode_fn *decode, const uint8_t *data, size_t size)
{
	size_t	 outlen, result;
	uint8_t	*out;

	if (size < 2)
		return;
	outlen = data[0] | (size_t)data[1] << 8;
	if ((out = malloc(outlen > 0 ? outlen : 1)) == NULL)
		abort();
	result = decode(data + 2, size - 2, out, outlen);
	if (result != 0 && result != outlen) {
		fprintf(stderr, "%s: decoding %zu bytes returned %zu\n", name, outlen, result);
		abort();
	}
	free(out);
}

/* Encode the input and decode it into an output of its exact length. */
static void
round_trip(const char *name, encode_fn *encode, decode_fn *decode, const uint8_t *data,
    size_t size)
{
	uint8_t	*stream, *out;
	size_t	 len, result;

	if ((len = encode(data, size, &stream)) == 0 || stream == NULL) {
		fprintf(stderr, "%s: encoding %zu bytes failed\n", name, size);
		abort();
	}
	if ((out = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	result = decode(stream, len, out, size);
	if (result != size || memcmp(out, data, size) != 0) {
		fprintf(stderr, "%s: the %zu-byte stream of %zu bytes %s\n", name, len, size,
		    result != size ? "failed to decode" : "decoded to other bytes");
		abort();
	}
	free(out);
	free(stream);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_any("SMALL", pack_decode, data, size);
	decode_any("FAST", pack_decode_fast, data, size);
	if (size <= ENCODE_MAX) {
		round_trip("SMALL", pack_encode, pack_decode, data, size);
		round_trip("FAST", pack_encode_fast, pack_decode_fast, data, size);
	}
	return 0;
}
