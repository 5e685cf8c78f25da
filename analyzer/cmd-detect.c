/* cmd-detect: `backsight detect` — run Falco rules retroactively over a case.
 *
 * usage: backsight detect [--rules PATH]... [--lists PATH]... [--indicators FILE]... [--strict] [-q] CASE.db
 *
 *   -r, --rules PATH   a rule file or a directory of *.yaml files (and its indicators/ lists);
 *                      given several times, loaded in order as one rule set. Default: the
 *                      shipped rule set (the install's share/backsight/rules, or
 *                      $BACKSIGHT_RULES_DIR).
 *       --lists PATH   a list file or a directory of them: plain lists of domains, addresses,
 *                      networks or hashes, each named after the rule set's list it extends
 *                      (rules.h: ruleset_load_indicators), loaded after the rules
 *   -i, --indicators FILE  an indicator list (IP addresses and networks, domains, file hashes,
 *                      access key ids; one a line, see indicators.h and backsight-detect(1)),
 *                      matched over every event; each hit is an alert of rule
 *                      "Indicator match: KIND". Given several times, every list is used.
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
#include "indicators.h"
#include "rules.h"

static const char usage[] =
	"usage: backsight detect [--rules PATH]... [--lists PATH]... [--indicators FILE]... [--strict] [-q] CASE.db\n";

int cmd_detect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "strict", no_argument, NULL, 's' },
		{ "indicators", required_argument, NULL, 'i' }, { "lists", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	char **ioc_paths = calloc((size_t)argc + 1, sizeof(*ioc_paths));
	char **list_paths = calloc((size_t)argc + 1, sizeof(*list_paths)), *custody_line = NULL;
	struct indicator_set *iocs = NULL;
	uint64_t ioc_hits = 0;
	size_t n = 0, nioc = 0, nlists = 0;
	bool strict = false, quiet = false;
	struct ruleset *rs = NULL;
	struct casedb *cdb = NULL;
	struct strbuf err = STRBUF_INIT, cmdline = STRBUF_INIT, line = STRBUF_INIT;
	struct detect_result res = { 0 };
	int c, rc = EXIT_RUNTIME;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': paths[n++] = optarg; break;
		case 'i': ioc_paths[nioc++] = optarg; break;
		case 'l': list_paths[nlists++] = optarg; break;
		case 's': strict = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); free(paths); free(ioc_paths); free(list_paths); return 0;
		default: free(paths); free(ioc_paths); free(list_paths); return usage_error(usage, "detect: bad option");
		}
	}
	if (optind + 1 != argc) {
		free(paths);
		free(ioc_paths);
		free(list_paths);
		return usage_error(usage, "detect: give exactly one CASE.db");
	}
	if (nioc && indicator_set_load(ioc_paths, nioc, &iocs, &err) < 0) {
		error("detect: %s", err.buf);
		goto out;
	}
	if (!n)
		paths[n++] = (char *)rules_default_dir();
	if (rules_load_cli_indicators(paths, n, list_paths, nlists, strict, &rs) < 0 && strict) {
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
	if (iocs) {
		if (indicator_match(cdb, iocs, res.run_id, &ioc_hits, &err) < 0 ||
		    indicator_record_run(cdb, iocs, res.run_id, &err) < 0) {
			error("detect: indicators: %s", err.buf);
			goto out;
		}
	}
	custody_line = custody_command_line(argc, argv);
	if (custody_log_detect(cdb, rs, iocs, custody_line, &err) < 0)
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
	if (iocs)
		printf("indicators: %zu from %zu list%s, %llu hit%s\n", indicator_set_size(iocs), nioc, nioc == 1 ? "" : "s",
		       (unsigned long long)ioc_hits, ioc_hits == 1 ? "" : "s");
	rc = 0;
out:
	indicator_set_free(iocs);
	free(ioc_paths);
	free(list_paths);
	free(custody_line);
	detect_result_release(&res);
	casedb_free(cdb);
	ruleset_free(rs);
	strbuf_release(&err);
	strbuf_release(&cmdline);
	strbuf_release(&line);
	free(paths);
	return rc;
}
