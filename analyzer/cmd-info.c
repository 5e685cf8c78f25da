#include "cli.h"
int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("info: not yet");
	return EXIT_RUNTIME;
}
