/* dnsd.c -- placeholder until dnsd lands. */
#include <stdio.h>
#include "applets.h"

int
dnsd_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "dnsd: not built yet\n");
	return 1;
}
