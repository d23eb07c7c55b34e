/* hostq.c -- placeholder until the lookup tool lands. */
#include <stdio.h>
#include "applets.h"

int
hostq_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "hostq: not built yet\n");
	return 1;
}
