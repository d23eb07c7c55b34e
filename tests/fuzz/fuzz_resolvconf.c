/* fuzz_resolvconf.c -- libFuzzer harness: resolv.conf through hostq's reader. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzzutil.h"
#include "../../applets/hostq/hostq.h"

static struct hostq	h;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*path;
	int		 i;

	fuzz_silence();
	path = fuzz_file_write(data, size);
	memset(&h, 0, sizeof(h));
	h.ndots = 1;
	resolvconf_read(&h, path, 1);
	if (h.nservers < 0 || h.nservers > HOSTQ_MAXNS || h.nsearch < 0 ||
	    h.nsearch > HOSTQ_MAXSEARCH)
		abort();
	for (i = 0; i < h.nsearch; i++)
		if (memchr(h.search[i], '\0', sizeof(h.search[i])) == NULL)
			abort();
	for (i = 0; i < h.nservers; i++)
		if (memchr(h.servers[i].name, '\0', sizeof(h.servers[i].name)) == NULL)
			abort();
	return 0;
}
