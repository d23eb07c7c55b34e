/* ntpd.c -- placeholder until ntpd lands. */
#include <stdio.h>
#include "applets.h"

int
ntpd_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "ntpd: not built yet\n");
	return 1;
}
