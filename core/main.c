/* main.c -- multicall dispatch: the applet is basename(argv[0]), or argv[1] after "edgebox". */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "unpack.h"
#include "version.h"

struct applet {
	const char	*name;
	int		(*main)(int, char **);
	const char	*summary;
	const char	*groups;	/* its constants' segments in layout.ld (unpack.h) */
	int		 daemon;	/* runs for long (unpack.h) */
};

/* Sorted by name. */
static const struct applet applets[] = {
	{ "dnsd",	dnsd_main,	"DNS server: hosts files, local records, forwarding with a cache",
	    "dns", 1 },
	{ "hostq",	hostq_main,	"DNS lookup utility with the options and output of BIND's host",
	    "hostq dnstext", 0 },
	{ "ntpctl",	ntpctl_main,	"status and control of a running ntpd", "ntp", 0 },
	{ "ntpd",	ntpd_main,	"NTP client and server for chrony.conf files", "ntp", 1 },
};

static int
run(const struct applet *a, int argc, char **argv)
{
	unpack_groups(a->groups, a->daemon);
	return a->main(argc, argv);
}

#define NAPPLETS	(sizeof(applets) / sizeof(applets[0]))

static const struct applet *
find_applet(const char *name)
{
	size_t	i;

	for (i = 0; i < NAPPLETS; i++)
		if (strcmp(applets[i].name, name) == 0)
			return &applets[i];
	return NULL;
}

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: edgebox APPLET [ARGS...]\n"
	    "       edgebox --list | --install DIR | --version | --help\n\n"
	    "Applets (also run through a link named after the applet):\n");
	for (i = 0; i < NAPPLETS; i++)
		fprintf(f, "  %-8s %s\n", applets[i].name, applets[i].summary);
}

/* Make DIR/APPLET a symlink to this binary for each applet; existing files are kept. */
static int
install_links(const char *dir)
{
	char	self[PATH_MAX], path[PATH_MAX];
	ssize_t	n;
	size_t	i;
	int	rc = 0;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n == -1) {
		fprintf(stderr, "edgebox: cannot find own path (/proc/self/exe): %s\n",
		    strerror(errno));
		return 1;
	}
	self[n] = '\0';
	for (i = 0; i < NAPPLETS; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, applets[i].name) >=
		    (int)sizeof(path)) {
			fprintf(stderr, "edgebox: directory name too long: %s\n", dir);
			return 1;
		}
		if (symlink(self, path) == -1) {
			fprintf(stderr, "edgebox: cannot link %s -> %s: %s\n", path, self,
			    strerror(errno));
			rc = 1;
		}
	}
	return rc;
}

int
main(int argc, char **argv)
{
	const struct applet	*a;
	const char		*name;
	size_t			 i;

	name = strrchr(argv[0], '/');
	name = name ? name + 1 : argv[0];
	if (*name == '-')	/* login shells and some supervisors prefix a dash */
		name++;
	if ((a = find_applet(name)) != NULL)
		return run(a, argc, argv);

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < NAPPLETS; i++)
			printf("%s\n", applets[i].name);
		return 0;
	}
	if (strcmp(argv[1], "--install") == 0) {
		if (argc != 3) {
			fprintf(stderr, "usage: edgebox --install DIR\n");
			return 1;
		}
		return install_links(argv[2]);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("edgebox %s\n", EDGEBOX_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if ((a = find_applet(argv[1])) != NULL)
		return run(a, argc - 1, argv + 1);

	/* POSIX: a command that is not found exits with status 127. */
	fprintf(stderr, "edgebox: applet not found: %s (edgebox --list shows the applets)\n",
	    argv[1]);
	return 127;
}
