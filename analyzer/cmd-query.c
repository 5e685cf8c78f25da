#include "cli.h"
int cmd_query(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("query: not yet");
	return EXIT_RUNTIME;
}
