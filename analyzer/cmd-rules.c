/* cmd-rules: `backsight rules` — check, list and describe Falco rule files and fields.
 *
 * usage: backsight rules check [--strict] [--dump] FILE...
 *        backsight rules list [--rules PATH]...
 *        backsight rules fields [SOURCE]
 *        backsight rules test [--rules PATH]... [--keep DIR] [-v] DIR...
 *        backsight rules test [--rules PATH]... [--lists PATH]... FIXTURES...
 *
 *   check    load and compile FILEs in order (as one rule set), print every error and warning
 *            with file:line:column and a caret; exit 1 when there is an error (with --strict, a
 *            warning counts as one). --dump prints each rule's compiled condition.
 *   list     every rule: name, priority, source, tags, and whether it can run
 *   fields   every field of SOURCE (or of every source) with its type and description
 *   test     case directories: evidence + expected alerts per rule, run and diffed, exit 1 when a
 *            case fails (cmd-rules-test.c); fixture files (*.jsonl): single events, each said to
 *            fire a rule or not (cmd-rules-fixtures.c). See backsight-rules(1).
 *
 * PATH/FILE may be a file or a directory (its *.yaml files in name order). Without --rules,
 * list uses the shipped rule set (see backsight-detect(1)).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "detect.h"
#include "rules.h"

static const char usage[] = "usage: backsight rules check [--strict] [--dump] FILE...\n"
			    "       backsight rules list [--rules PATH]...\n"
			    "       backsight rules fields [SOURCE]\n"
			    "       backsight rules test [--rules PATH]... [--keep DIR] [-v] DIR...\n"
			    "       backsight rules test [--rules PATH]... [--lists PATH]... FIXTURES...\n";

static void print_diags(const struct ruleset *rs, size_t from)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = from; i < rs->ndiags; i++) {
		strbuf_reset(&sb);
		rule_diag_format(&rs->diags[i], &sb);
		fputs(sb.buf, stderr);
	}
	strbuf_release(&sb);
}

int rules_load_cli(char **paths, size_t n, bool strict, struct ruleset **ret)
{
	return rules_load_cli_indicators(paths, n, NULL, 0, strict, ret);
}

int rules_load_cli_indicators(char **paths, size_t n, char **indicators, size_t nind, bool strict,
			      struct ruleset **ret)
{
	struct ruleset *rs = ruleset_new(strict);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (ruleset_load_path(rs, paths[i]) < 0)
			rc = -1;
	for (size_t i = 0; i < nind; i++)
		if (ruleset_load_indicators(rs, indicators[i]) < 0)
			rc = -1;
	ruleset_compile(rs);
	print_diags(rs, 0);
	if (rs->nerrors || (strict && rs->nwarnings))
		rc = -1;
	*ret = rs;
	return rc;
}

const char *rules_default_dir(void)
{
	static char buf[4096];
	const char *env = getenv("BACKSIGHT_RULES_DIR");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 64);
	if (n > 0) {
		buf[n] = '\0';
		char *slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash, "/../share/backsight/rules");
			if (!access(buf, R_OK))
				return buf;
		}
	}
	if (!access(BACKSIGHT_RULES_DIR, R_OK))
		return BACKSIGHT_RULES_DIR;
	return BACKSIGHT_SOURCE_RULES_DIR;
}

static int check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' }, { "dump", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool strict = false, dump = false;
	struct ruleset *rs;
	int c, rc;
	size_t ok = 0, cannot = 0, disabled = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': strict = true; break;
		case 'd': dump = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(usage, "rules check: bad option");
		}
	}
	if (optind >= argc)
		return usage_error(usage, "rules check: no rule file given");
	rc = rules_load_cli(argv + optind, (size_t)(argc - optind), strict, &rs);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		ok += r->status == RULE_OK;
		cannot += r->status == RULE_CANNOT_RUN;
		disabled += r->status == RULE_DISABLED;
		if (r->status == RULE_CANNOT_RUN)
			printf("rule '%s': could not run: %s\n", r->name, r->why);
		if (dump && r->tree) {
			struct strbuf sb = STRBUF_INIT;
			cond_dump(r->tree, &sb);
			printf("%s: %s\n", r->name, sb.buf);
			strbuf_release(&sb);
		}
	}
	printf("%zu rules, %zu macros, %zu lists from %zu files: %zu compile, %zu could not run, %zu disabled; "
	       "%zu errors, %zu warnings\n",
	       rs->nrules, rs->nmacros, rs->nlists, rs->nfiles, ok, cannot, disabled, rs->nerrors, rs->nwarnings);
	ruleset_free(rs);
	return rc < 0 ? EXIT_RUNTIME : 0;
}

static int list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t n = 0;
	struct ruleset *rs;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': paths[n++] = optarg; break;
		case 'h': fputs(usage, stdout); free(paths); return 0;
		default: free(paths); return usage_error(usage, "rules list: bad option");
		}
	}
	if (!n)
		paths[n++] = (char *)rules_default_dir();
	rules_load_cli(paths, n, false, &rs);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		struct strbuf sb = STRBUF_INIT;
		printf("%s\t%s\t%s\t", r->name, rule_priority_name(r->priority), r->source_name);
		for (size_t k = 0; k < r->ntags; k++)
			printf("%s%s", k ? "," : "", r->tags[k]);
		detect_coverage(r, NULL, i, &sb);
		printf("\t%s\n", r->status == RULE_OK ? "runs" : sb.buf);
		strbuf_release(&sb);
	}
	ruleset_free(rs);
	free(paths);
	return 0;
}

static void print_table(const struct field_def *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct field_def *f = &rows[i];
		const char *suffix = f->flags & FF_PREFIX ? "NAME" : (f->flags & FF_ARG_REQUIRED) ? "[ARG]"
								  : (f->flags & (FF_ARG_INDEX | FF_ARG_KEY)) ? "[ARG]?" : "";
		printf("%s%s\t%s\t%s%s\n", f->name, suffix, field_type_name(f->type),
		       f->flags & FF_UNAVAILABLE ? "(not available from evidence) " : "", f->description);
	}
}

static int fields(int argc, char **argv)
{
	int want = -1;

	if (argc > 2)
		return usage_error(usage, "rules fields: at most one SOURCE");
	if (argc == 2) {
		want = bs_source_from_name(argv[1]);
		if (want < 0 || !field_table_of(want))
			return usage_error(usage, "rules fields: no field table for source '%s'", argv[1]);
	}
	for (int s = 0; s < SRC__COUNT; s++) {
		const struct field_table *t = field_table_of(s);
		if (!t || (want >= 0 && s != want))
			continue;
		printf("# source %s: %s\n", bs_source_name(s), bs_source_description(s));
		print_table(fields_common, fields_common_count);
		print_table(t->rows, t->n);
	}
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(usage, "rules: which subcommand?");
	if (!strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fields"))
		return fields(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test"))
		return rules_test_wants_fixtures(argc - 1, argv + 1) ? rules_test_fixtures(argc - 1, argv + 1)
								      : rules_test(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	return usage_error(usage, "rules: unknown subcommand '%s'", argv[1]);
}
