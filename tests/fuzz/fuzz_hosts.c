/* fuzz_hosts.c -- libFuzzer harness: a hosts file through dnsd's reader, then lookups of every name it added. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzzutil.h"
#include "dnswire.h"
#include "../../applets/dnsd/dnsd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct records		 r;
	const char		*path;
	const char		*domain;
	size_t			 i;

	fuzz_silence();
	path = fuzz_file_write(data, size);
	/* Half the inputs as with expand-hosts and a domain. */
	domain = size > 0 && (data[size - 1] & 1) ? "edge.example.org" : NULL;
	records_init(&r);
	if (hosts_load(&r, path, domain, fuzz_quiet, NULL) < 0)
		abort();
	if (records_finish(&r) == 0) {
		for (i = 0; i < r.nnames; i++)
			if (records_lookup(&r, records_data(&r, r.names[i].owner)) != &r.names[i])
				abort();
	}
	records_free(&r);
	return 0;
}
