#include "cli.h"
int cmd_timeline(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("timeline: not yet");
	return EXIT_RUNTIME;
}
