/* ntpctl.c -- placeholder until ntpctl lands. */
#include <stdio.h>
#include "applets.h"

int
ntpctl_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "ntpctl: not built yet\n");
	return 1;
}
