/* timefloor.c -- the last known time on disk: a lower bound for the clock of a board without a real-time clock. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "decimal.h"
#include "ntpd.h"
#include "ntpwire.h"

#define TIME_MAX	1e11	/* seconds since the epoch; larger saved times are corrupt */

/* Read the seconds saved in path; 0 when the file is missing or corrupt. */
static double
read_timefile(const char *path)
{
	FILE	*f;
	char		 line[64];
	const char	*end;
	double		 t;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("cannot read time file %s", path);
		return 0;
	}
	t = 0;
	if (fgets(line, sizeof(line), f) != NULL) {
		t = decimal_parse(line, &end);
		if (end == line || (*end != '\n' && *end != '\0') || !(t >= 1 && t < TIME_MAX))
			t = 0;
	}
	fclose(f);
	if (t == 0)
		log_warnx("invalid time file %s: expected seconds since 1970; ignoring it", path);
	return t;
}

double
timefloor_load(const char *driftfile, const char *timefile)
{
	struct stat	sb;
	double		best = 0, t;

	if (driftfile != NULL && driftfile[0] != '\0' && stat(driftfile, &sb) == 0)
		best = (double)sb.st_mtim.tv_sec;
	if (timefile != NULL && timefile[0] != '\0' && (t = read_timefile(timefile)) > best)
		best = t;
	return best;
}

int
timefloor_save(const char *path, double t)
{
	static int	warned;
	char		tmp[PATH_MAX + 8], text[32];
	int		fd, len;

	if (path == NULL || path[0] == '\0')
		return 0;
	len = snprintf(text, sizeof(text), "%.0f\n", floor(t));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, text, (size_t)len) != len || fsync(fd) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		if (!warned)
			log_warn("cannot write time file %s", path);
		warned = 1;
		if (fd != -1)
			(void)unlink(tmp);
		return -1;
	}
	return 0;
}

double
timefloor_restore(double floor_time)
{
	struct timespec	now;
	double		behind;

	if (floor_time <= 0) {
		log_warnx("-s: no drift file or time file to take the last known time from");
		return 0;
	}
	clock_now(&now);
	behind = floor_time - ((double)now.tv_sec + now.tv_nsec / 1e9);
	if (behind <= 0)
		return 0;
	if (clock_is_readonly()) {
		log_info("-s: clock is %.0f seconds behind the last known time; not stepped",
		    behind);
		return 0;
	}
	if (clock_step(behind) == -1) {
		if (errno != EPERM)
			log_warn("-s: cannot step the clock forward by %.0f seconds", behind);
		return 0;
	}
	log_info("-s: clock stepped forward by %.0f seconds to the last known time", behind);
	return behind;
}
