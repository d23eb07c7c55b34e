/* fuzzutil.h -- helpers shared by the libFuzzer harnesses: quiet sinks, temp files, line feeding. */
#ifndef EDGEBOX_FUZZUTIL_H
#define EDGEBOX_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A conf_sink that drops every message. */
static void
fuzz_quiet(void *arg, int is_error, const char *msg)
{
	(void)arg;
	(void)is_error;
	(void)msg;
}

/* Stop the applets' logging, which would only slow the run down. */
static void
fuzz_silence(void)
{
	log_init(0, 0, "fuzz", 0);
}

/* Write data to a temp file made once per process (removed at exit) and
 * return its path; each call replaces the contents. */
static char	fuzz_path[64];

static void
fuzz_file_remove(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
}

static const char *
fuzz_file_write(const uint8_t *data, size_t size)
{
	FILE	*f;
	int	 fd;

	if (fuzz_path[0] == '\0') {
		/* A file in memory where there is one: the run is I/O bound otherwise. */
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/edgebox-fuzz.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if ((fd = mkstemp(fuzz_path)) == -1)
			abort();
		close(fd);
		atexit(fuzz_file_remove);
	}
	if ((f = fopen(fuzz_path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	return fuzz_path;
}

/*
 * Hand each line of data to conf_parse_line, as conf_parse_file would
 * (lines over CONF_LINE_MAX are cut here, which conf.c reports itself for
 * files).  A NUL byte ends a line early, as it would for fgets.
 */
static void
fuzz_feed_lines(struct conf_parser *p, const uint8_t *data, size_t size)
{
	static char	line[CONF_LINE_MAX + 8];
	size_t		start, end, n;
	int		lineno = 0;

	for (start = 0; start < size; start = end + 1) {
		for (end = start; end < size && data[end] != '\n'; end++)
			;
		n = end - start;
		if (n > sizeof(line) - 1)
			n = sizeof(line) - 1;
		memcpy(line, data + start, n);
		line[n] = '\0';
		conf_parse_line(p, "fuzz", ++lineno, line);
	}
}

#endif
