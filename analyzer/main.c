/* main: backsight's entry point — dispatch to a subcommand from the table below. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

const struct command commands[] = {
	{ "import", cmd_import, "import evidence files into a case database" },
	{ "timeline", cmd_timeline, "print the merged timeline of a case" },
	{ "show", cmd_show, "show one event: every field, its raw record and its provenance" },
	{ "query", cmd_query, "run a named investigation query, or read-only SQL" },
	{ "info", cmd_info, "the evidence ledger and a summary of a case" },
	{ "investigate", cmd_investigate, "import, detect, correlate and write the case and its reports" },
	{ "analyze", cmd_analyze, "aggregate alerts into findings and correlate with CloudTrail" },
	{ "report", cmd_report, "write the incident report (html, md, json, guardduty, ocsf, asff, falco ...)" },
	{ "verify-trail", cmd_verify_trail, "check CloudTrail log files against their digest files" },
	{ "detect", cmd_detect, "run Falco rules over a case; store alerts and report coverage" },
	{ "rules", cmd_rules, "check, list and describe rule files and fields" },
	{ "package", cmd_package, "seal a case into a signed BagIt evidence package for auditors" },
	{ "verify", cmd_verify, "check an evidence package: hashes, signature, custody chain" },
	{ "keygen", cmd_keygen, "make a minisign-compatible key pair for signing packages" },
	{ NULL, NULL, NULL },
};

static void print_help(FILE *out)
{
	fputs("usage: backsight [--version] [--help] COMMAND [ARGS]\n\n"
	      "backsight is an offline forensic trace analyzer: it imports incident evidence into one\n"
	      "case database (a SQLite file) and answers questions about it.\n\ncommands:\n",
	      out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fputs("\n'backsight COMMAND --help' describes a command; man backsight-COMMAND has the details.\n"
	      "exit status: 0 success, 1 runtime error, 2 usage error.\n",
	      out);
}

void error(const char *fmt, ...)
{
	va_list ap;

	fputs("backsight: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	fputs("backsight: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("backsight: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("backsight %s\n", BACKSIGHT_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	error("'%s' is not a backsight command (see 'backsight --help')", argv[1]);
	return EXIT_USAGE;
}
