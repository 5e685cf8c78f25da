/* cmd-analyze: `backsight analyze` — aggregate a case's alerts into findings and correlate the
 * evidence with CloudTrail (the stage between `detect` and `report`).
 *
 * usage: backsight analyze [--window DURATION | --per-event] [--case FILE] [--suppress FILE]... CASE.db
 *
 *   -w, --window DURATION  aggregation window per finding (default 5m; s, m, h suffixes)
 *       --per-event        one finding per alert, no aggregation
 *       --case FILE        case file: each host's instance id, task ARN, role and addresses
 *       --suppress FILE    suppression rules in GuardDuty's filter form (suppress.h): matching
 *                          findings are kept and marked archived; may be given more than once
 *
 * Findings and correlations are replaced; the run is recorded in the runs table.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "bstime.h"
#include "cli.h"
#include "custody-log.h"
#include "custody.h"
#include "suppress.h"

static const char usage[] =
	"usage: backsight analyze [--window DURATION | --per-event] [--case FILE] [--suppress FILE]... CASE.db\n";

/* "300", "300s", "5m", "1h", "250ms" → ns; -1 when not a duration. */
int cli_parse_duration(const char *s, int64_t *ret_ns)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1e9;

	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "m"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else if (*end && strcmp(end, "s"))
		return -1;
	*ret_ns = (int64_t)(v * mult);
	return 0;
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "window", required_argument, NULL, 'w' },
		{ "per-event", no_argument, NULL, 'P' },
		{ "case", required_argument, NULL, 'C' },
		{ "suppress", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct finding_options opts;
	struct analyze_result res;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	json_t *hosts = NULL, *filters = json_array(), *more;
	const char *case_file = NULL;
	char *custody_line;
	int c, rc = 0;

	finding_options_init(&opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (cli_parse_duration(optarg, &opts.window_ns) < 0 || opts.window_ns <= 0) {
				json_decref(hosts);
				json_decref(filters);
				return usage_error(usage, "analyze: --window wants a duration such as 5m, not '%s'", optarg);
			}
			break;
		case 'P':
			opts.per_event = true;
			break;
		case 'C':
			json_decref(hosts);
			hosts = NULL;
			if (analyze_load_case_file(optarg, &hosts, &err) < 0) {
				error("analyze: %s", err.buf);
				strbuf_release(&err);
				json_decref(filters);
				return EXIT_RUNTIME;
			}
			opts.hosts = hosts;
			case_file = optarg;
			break;
		case 'S':
			if (suppress_load(optarg, &more, &err) < 0) {
				error("analyze: %s", err.buf);
				strbuf_release(&err);
				json_decref(hosts);
				json_decref(filters);
				return EXIT_USAGE;
			}
			json_array_extend(filters, more);
			json_decref(more);
			break;
		case 'h':
			json_decref(hosts);
			json_decref(filters);
			fputs(usage, stdout);
			return 0;
		default:
			json_decref(hosts);
			json_decref(filters);
			return usage_error(usage, "analyze: unknown option");
		}
	}
	if (optind + 1 != argc) {
		json_decref(hosts);
		json_decref(filters);
		return usage_error(usage, "analyze: wants one case database");
	}
	opts.suppress = json_array_size(filters) ? filters : NULL;
	if (casedb_open(argv[optind], CASEDB_WRITE, &cdb, &err) < 0 ||
	    analyze_case(cdb, &opts, argc, argv, &res, &err) < 0) {
		error("analyze: %s", err.buf);
		rc = EXIT_RUNTIME;
	} else {
		printf("%d finding(s), %d correlation(s)", res.findings, res.correlations);
		if (json_array_size(filters))
			printf(", %d archived by suppression rules", res.archived);
		putchar('\n');
		custody_line = custody_command_line(argc, argv);
		if (custody_log_analyze(cdb, case_file, custody_line, &err) < 0)
			warning("analyze: the custody log could not be written: %s", err.buf);
		free(custody_line);
	}
	casedb_free(cdb);
	json_decref(hosts);
	json_decref(filters);
	strbuf_release(&err);
	return rc;
}
