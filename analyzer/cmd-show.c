#include "cli.h"
int cmd_show(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("show: not yet");
	return EXIT_RUNTIME;
}
