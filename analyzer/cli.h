/* cli: the subcommand table and what every subcommand shares (exit codes, usage errors).
 *
 * Exit codes, documented in backsight(1): 0 success, 1 runtime error (a file could not be
 * imported, a case could not be read), 2 usage error.
 */
#ifndef BS_CLI_H
#define BS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

extern const struct command commands[];

int cmd_import(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_verify_trail(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_rules(int argc, char **argv);
/* `backsight rules test` over case directories (cmd-rules-test.c) or fixture files
 * (cmd-rules-fixtures.c); argv[0] is "test". The arguments choose: any that is a regular file
 * makes it fixtures. */
int rules_test(int argc, char **argv);
int rules_test_fixtures(int argc, char **argv);
bool rules_test_wants_fixtures(int argc, char **argv);

struct ruleset;
/* Load rule files/directories into one compiled set, printing every diagnostic; -1 when there
 * was an error (or, strict, a warning). The set is returned either way. */
int rules_load_cli(char **paths, size_t n, bool strict, struct ruleset **ret);
/* The same, then indicator files or directories (ruleset_load_indicators) before compiling. */
int rules_load_cli_indicators(char **paths, size_t n, char **indicators, size_t nind, bool strict,
			      struct ruleset **ret);
/* The shipped rule set's directory. */
const char *rules_default_dir(void);
int cmd_package(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_investigate(int argc, char **argv);

/* Shared by report and investigate (cmd-report.c): write one report of a case to path ("-" or
 * NULL: standard output), replacing the file atomically. */
struct casedb;
struct report_format;
struct strbuf;
int report_to_file(struct casedb *cdb, const struct report_format *fmt, const char *path, struct strbuf *err);
/* "300", "5m", "1h", "250ms" → ns (cmd-analyze.c); -1 when not a duration. */
int cli_parse_duration(const char *s, int64_t *ret_ns);
/* "+HH:MM", "-HH:MM", "UTC" or "Z" as seconds east of UTC; -EINVAL otherwise. */
int cli_parse_tz(const char *s, int *ret_offset);

/* Print "backsight CMD: MSG" and the usage line to stderr; returns EXIT_USAGE. */
int usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "backsight: MSG" to stderr. */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
