/* cmd-detect: `backsight detect` — run Falco rules retroactively over a case.
 *
 * usage: backsight detect [--rules PATH]... [--strict] [-q] CASE.db
 *
 *   -r, --rules PATH   a rule file or a directory of *.yaml files; given several times, loaded in
 *                      order as one rule set. Default: the shipped rule set (the install's
 *                      share/backsight/rules, or $BACKSIGHT_RULES_DIR).
 *       --strict       refuse to run when any rule has an error or a warning
 *   -q, --quiet        print only the summary line, not the coverage report
 *
 * Every enabled rule is evaluated over every event of its source in time order; every match is
 * stored in `alerts`, the run in `runs` (tool version, rule files with their SHA-256, this
 * command line, times). The coverage report gives every rule as `ran (N alerts)`,
 * `ran, no match`, `could not run: REASON`, `disabled` or `error: REASON`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "cli.h"
#include "custody-log.h"
#include "custody.h"
#include "detect.h"
#include "rules.h"

static const char usage[] = "usage: backsight detect [--rules PATH]... [--strict] [-q] CASE.db\n";

int cmd_detect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **paths = calloc((size_t)argc + 1, sizeof(*paths)), *custody_line = NULL;
	size_t n = 0;
	bool strict = false, quiet = false;
	struct ruleset *rs = NULL;
	struct casedb *cdb = NULL;
	struct strbuf err = STRBUF_INIT, cmdline = STRBUF_INIT, line = STRBUF_INIT;
	struct detect_result res = { 0 };
	int c, rc = EXIT_RUNTIME;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': paths[n++] = optarg; break;
		case 's': strict = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); free(paths); return 0;
		default: free(paths); return usage_error(usage, "detect: bad option");
		}
	}
	if (optind + 1 != argc) {
		free(paths);
		return usage_error(usage, "detect: give exactly one CASE.db");
	}
	if (!n)
		paths[n++] = (char *)rules_default_dir();
	if (rules_load_cli(paths, n, strict, &rs) < 0 && strict) {
		error("detect: the rules have errors (--strict): nothing run");
		goto out;
	}
	if (!rs->nrules)
		warning("detect: no rules loaded from %s", paths[0]);
	if (casedb_open(argv[optind], CASEDB_WRITE, &cdb, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	strbuf_addstr(&cmdline, "backsight detect");
	for (int i = 1; i < argc; i++)
		strbuf_addf(&cmdline, " %s", argv[i]);
	if (detect_run(cdb, rs, cmdline.buf, &res, &err) < 0) {
		error("detect: %s", err.buf);
		goto out;
	}
	custody_line = custody_command_line(argc, argv);
	if (custody_log_detect(cdb, rs, custody_line, &err) < 0)
		warning("detect: the custody log could not be written: %s", err.buf);
	if (!quiet) {
		printf("coverage:\n");
		for (size_t i = 0; i < rs->nrules; i++) {
			strbuf_reset(&line);
			detect_coverage(rs->rules[i], &res, i, &line);
			printf("  %s: %s\n", rs->rules[i]->name, line.buf);
		}
	}
	printf("run %lld: %llu events (%llu of a type some rule matches), %llu rules evaluated, %llu alerts in %.3f s "
	       "(%.0f events/s)\n",
	       (long long)res.run_id, (unsigned long long)res.events, (unsigned long long)res.read,
	       (unsigned long long)res.evaluated,
	       (unsigned long long)res.alerts, res.seconds, res.seconds > 0 ? (double)res.events / res.seconds : 0.0);
	rc = 0;
out:
	detect_result_release(&res);
	casedb_free(cdb);
	ruleset_free(rs);
	strbuf_release(&err);
	strbuf_release(&cmdline);
	strbuf_release(&line);
	free(paths);
	free(custody_line);
	return rc;
}
