/* cmd-timeline: `backsight timeline` — the merged timeline of a case, in time order.
 *
 * usage: backsight timeline [OPTIONS] CASE.db
 *
 *       --since TIME       events at or after TIME (RFC 3339, or a date; no zone means UTC)
 *       --until TIME       events before TIME
 *   -s, --source LIST      only these sources (comma-separated: syscall,network,aws_cloudtrail,...)
 *       --host NAME        only this host
 *   -g, --grep TEXT        only events whose summary or fields contain TEXT (case-insensitive)
 *   -n, --limit N          at most N events
 *   -F, --format FORMAT    text (default), jsonl, csv or timesketch
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "cli.h"
#include "timeline.h"

static const char usage[] =
	"usage: backsight timeline [--since TIME] [--until TIME] [-s SOURCES] [--host NAME] [-g TEXT]\n"
	"                          [-n N] [-F text|jsonl|csv|timesketch] CASE.db\n";

static int parse_time_arg(const char *opt, const char *s, int64_t *ret_ns)
{
	if (bs_time_parse(s, strlen(s), 1, ret_ns, NULL) < 0)
		return usage_error(usage, "timeline: %s wants an RFC 3339 time or a date, not '%s'", opt, s);
	return 0;
}

static int check_sources(const char *list)
{
	char *copy = strdup(list), *p = copy, *tok;
	int r = 0;

	while (r == 0 && (tok = strsep(&p, ",")))
		if (bs_source_from_name(tok) < 0)
			r = -usage_error(usage, "timeline: unknown source '%s' (sources: syscall, network, aws_cloudtrail, "
						"k8s_audit, guardduty, other)", tok);
	free(copy);
	return r;
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "source", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "grep", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct timeline_writer *writer = timeline_writer_find("text");
	struct timeline_filter filter;
	struct timeline_cursor *cur = NULL;
	struct timeline_row row;
	struct casedb *cdb = NULL;
	struct strbuf err = STRBUF_INIT, scratch = STRBUF_INIT;
	char *end;
	int c, r, rc = 0;

	timeline_filter_init(&filter);
	while ((c = getopt_long(argc, argv, "s:g:n:F:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (parse_time_arg("--since", optarg, &filter.since))
				return EXIT_USAGE;
			break;
		case 'U':
			if (parse_time_arg("--until", optarg, &filter.until))
				return EXIT_USAGE;
			break;
		case 's':
			if (check_sources(optarg) < 0)
				return EXIT_USAGE;
			filter.sources = optarg;
			break;
		case 'H':
			filter.host = optarg;
			break;
		case 'g':
			filter.grep = optarg;
			break;
		case 'n':
			filter.limit = strtoll(optarg, &end, 10);
			if (*end || filter.limit <= 0)
				return usage_error(usage, "timeline: --limit wants a positive number, not '%s'", optarg);
			break;
		case 'F':
			writer = timeline_writer_find(optarg);
			if (!writer)
				return usage_error(usage, "timeline: unknown format '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "timeline: bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error(usage, "timeline: need exactly one case database");
	if (casedb_open(argv[optind], CASEDB_READ, &cdb, &err) < 0 || timeline_open(cdb, &filter, &cur, &err) < 0) {
		error("%s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (writer->begin)
		writer->begin(stdout);
	while ((r = timeline_next(cur, &row)) > 0)
		writer->row(stdout, &row, &scratch);
	if (r < 0) {
		error("%s: reading the timeline failed: %s", argv[optind], sqlite3_errmsg(cdb->db));
		rc = EXIT_RUNTIME;
	}
	if (fflush(stdout) != 0)
		rc = EXIT_RUNTIME;
out:
	timeline_close(cur);
	casedb_free(cdb);
	strbuf_release(&err);
	strbuf_release(&scratch);
	return rc;
}
