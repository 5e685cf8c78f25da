/* cmd-investigate: `backsight investigate` — the main job in one command: import the evidence,
 * detect, aggregate and correlate, and write the case and its reports into one directory.
 *
 * usage: backsight investigate [OPTIONS] -o OUTDIR EVIDENCE...
 *
 *   -o, --output DIR       the output directory (created if missing)
 *   -r, --rules FILE       Falco rule file(s) for detection (repeatable)
 *       --lists PATH       list file or directory extending the rules' lists (repeatable)
 *   -i, --indicators FILE  indicator list(s) matched over the timeline (repeatable; see
 *                          backsight-detect(1))
 *       --case FILE        case file: each host's instance id, task ARN, role and addresses
 *                          (YAML or JSON: hosts: {HOST: {instance_id: ..., ...}})
 *       --suppress FILE    suppression rules in GuardDuty's filter form: matching findings are
 *                          kept and marked archived (repeatable; see backsight-analyze(1))
 *   -w, --window DURATION  finding aggregation window (default 5m)
 *       --per-event        one finding per alert
 *   -f, --format NAME      read every EVIDENCE as this format instead of detecting it
 *       --host NAME        host name for evidence that does not name its host
 *       --date YYYY-MM-DD  the date of evidence whose times have none (strace -t/-tt)
 *       --tz +HH:MM        the zone of evidence whose times have none (default UTC)
 *   -q, --quiet            print only the summary
 *
 * Writes OUTDIR/case.db, report.html, report.md, findings.json (GuardDuty shape) and
 * timeline.jsonl (Timesketch), then prints a summary: events per source, findings per
 * severity, the headline chain, the time taken and the peak memory. Running it again on the
 * same directory re-imports nothing (the ledger knows the files) and rewrites the reports.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "bstime.h"
#include "casedb.h"
#include "cli.h"
#include "custody-log.h"
#include "custody.h"
#include "detect.h"
#include "indicators.h"
#include "rules.h"
#include "correlate.h"
#include "report.h"
#include "suppress.h"
#include "termsafe.h"
#include "yamljson.h"

static const char usage[] =
	"usage: backsight investigate [-r RULES]... [--lists PATH]... [-i INDICATORS]... [--case FILE]\n"
	"                             [--suppress FILE]... [-w DURATION | --per-event] [-f FORMAT] [--host NAME]\n"
	"                             [--date YYYY-MM-DD] [--tz +HH:MM] [-q] -o OUTDIR EVIDENCE...\n";

/*
 * Detection: fills `alerts` (and a `runs` row of kind "detect", with the coverage statement)
 * from the rule files, or from the shipped rule set when none is given.
 */
static int run_detection(struct casedb *cdb, char **rules, size_t nrules, char **lists, size_t nlists, char **iocs,
			 size_t niocs, int argc, char **argv, struct strbuf *err)
{
	struct indicator_set *set = NULL;
	char *shipped[] = { (char *)rules_default_dir() };
	struct strbuf cmdline = STRBUF_INIT;
	struct detect_result res = { 0 };
	struct ruleset *rs = NULL;
	int r;

	if (!nrules) {
		rules = shipped;
		nrules = 1;
	}
	if (niocs && (r = indicator_set_load(iocs, niocs, &set, err)) < 0)
		return r;
	rules_load_cli_indicators(rules, nrules, lists, nlists, false, &rs);
	strbuf_addstr(&cmdline, "backsight");
	for (int i = 0; i < argc; i++)
		strbuf_addf(&cmdline, " %s", argv[i]);
	r = detect_run(cdb, rs, cmdline.buf, &res, err);
	if (r == 0 && set)
		r = indicator_match(cdb, set, res.run_id, NULL, err) < 0 ? -EIO
		    : indicator_record_run(cdb, set, res.run_id, err);
	if (r == 0) {
		char *custody_line = custody_command_line(argc, argv);
		r = custody_log_detect(cdb, rs, set, custody_line, err);
		free(custody_line);
	}
	indicator_set_free(set);
	detect_result_release(&res);
	ruleset_free(rs);
	strbuf_release(&cmdline);
	return r;
}

/* DIR/case.yaml (or case.yml, case.json) of the first evidence directory that has one. */
static char *find_case_file(char **paths, int n)
{
	static const char *const names[] = { "case.yaml", "case.yml", "case.json" };
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (stat(paths[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			struct strbuf p = STRBUF_INIT;
			size_t len = strlen(paths[i]);
			strbuf_addf(&p, "%s%s%s", paths[i], len && paths[i][len - 1] == '/' ? "" : "/", names[k]);
			if (access(p.buf, R_OK) == 0)
				return strbuf_detach(&p, NULL);
			strbuf_release(&p);
		}
	}
	return NULL;
}

/*
 * What the case file says of the evidence itself, for what the options did not say:
 *   evidence: {date: YYYY-MM-DD, tz: +HH:MM, host: NAME}
 * (the date and zone of times that have none, the host of evidence that names none); without a
 * tz there, the tz of that host's entry under hosts. The
 * strings live in the returned document; NULL with err set when the file cannot be read.
 */
static json_t *case_evidence_defaults(const char *path, const char **date, const char **host, const char **tz,
				      struct strbuf *err)
{
	json_t *root = NULL, *ev;

	if (yamljson_load_file(path, &root, err) < 0)
		return NULL;
	ev = json_object_get(root, "evidence");
	if (ev && !json_is_object(ev)) {
		strbuf_addf(err, "%s: \"evidence\" wants a mapping (date, tz, host)", path);
		json_decref(root);
		return NULL;
	}
	if (!*date)
		*date = json_string_value(json_object_get(ev, "date"));
	if (!*host)
		*host = json_string_value(json_object_get(ev, "host"));
	if (!*tz)
		*tz = json_string_value(json_object_get(ev, "tz"));
	/* else the time zone of the host the undated evidence comes from */
	if (!*tz && *host)
		*tz = json_string_value(json_object_get(json_object_get(json_object_get(root, "hosts"), *host), "tz"));
	return root;
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_safe(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add_termsafe(&sb, s, strlen(s));
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

static void summary(struct casedb *cdb, const char *outdir, double seconds)
{
	sqlite3_stmt *st;
	struct rusage ru;
	json_t *h;

	printf("\nevents per source\n");
	if (sqlite3_prepare_v2(cdb->db, "SELECT source, count(*) FROM events GROUP BY source ORDER BY source", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			printf("  %-16s ", (const char *)sqlite3_column_text(st, 0));
			printf("%lld\n", (long long)sqlite3_column_int64(st, 1));
		}
		sqlite3_finalize(st);
	}
	printf("findings per severity\n");
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT CASE WHEN severity >= 9 THEN 'Critical' WHEN severity >= 7 THEN 'High'"
			       " WHEN severity >= 4 THEN 'Medium' ELSE 'Low' END AS label, count(*), max(severity)"
			       " FROM findings GROUP BY label ORDER BY max(severity) DESC",
			       -1, &st, NULL) == SQLITE_OK) {
		int n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			printf("  %-16s %lld\n", (const char *)sqlite3_column_text(st, 0),
			       (long long)sqlite3_column_int64(st, 1));
			n++;
		}
		if (!n)
			printf("  (none: %lld alert(s) in the case)\n", (long long)casedb_count(cdb, "alerts"));
		sqlite3_finalize(st);
	}
	h = corr_headline(cdb);
	if (h) {
		printf("headline\n  ");
		print_safe(json_string_value(json_object_get(h, "text")) ?: "");
		putchar('\n');
		json_decref(h);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("reports in ");
	print_safe(outdir);
	printf(": case.db report.html report.md findings.json timeline.jsonl\n");
	printf("time %.2f s, peak memory %.1f MiB\n", seconds, (double)ru.ru_maxrss / 1024.0);
}

int cmd_investigate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, 'r' },
		{ "indicators", required_argument, NULL, 'i' },
		{ "lists", required_argument, NULL, 'L' },
		{ "case", required_argument, NULL, 'C' },
		{ "suppress", required_argument, NULL, 'S' },
		{ "window", required_argument, NULL, 'w' },
		{ "per-event", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ "host", required_argument, NULL, 'H' },
		{ "date", required_argument, NULL, 'D' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *file, *format;
	} outputs[] = {
		{ "report.html", "html" },
		{ "report.md", "md" },
		{ "findings.json", "guardduty" },
		{ "timeline.jsonl", "timesketch" },
	};
	enum { NOUTPUTS = sizeof(outputs) / sizeof(outputs[0]) };
	struct strbuf report_paths[NOUTPUTS];
	const char *report_names[NOUTPUTS];
	const char *case_file = NULL;
	char *custody_line = NULL, *found_case = NULL;
	json_t *case_root = NULL;
	struct finding_options fopts;
	struct analyze_result res;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	struct casedb *cdb = NULL;
	const char *outdir = NULL, *format = NULL, *host = NULL, *date = NULL, *tz = NULL;
	char **rules = NULL, **iargv = NULL, **ind = NULL, **iocs = NULL;
	json_t *hosts = NULL, *filters = json_array(), *more;
	size_t nrules = 0, nind = 0, niocs = 0;
	bool quiet = false;
	double t0 = monotonic();
	int c, rc = 0, iargc = 0;

	finding_options_init(&fopts);
	for (size_t i = 0; i < NOUTPUTS; i++)
		strbuf_init(&report_paths[i]);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:r:i:w:f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			iocs = realloc(iocs, (niocs + 1) * sizeof(*iocs));
			if (!iocs)
				abort();
			iocs[niocs++] = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'r':
			rules = realloc(rules, (nrules + 1) * sizeof(*rules));
			if (!rules)
				abort();
			rules[nrules++] = optarg;
			break;
		case 'L':
			ind = realloc(ind, (nind + 1) * sizeof(*ind));
			if (!ind)
				abort();
			ind[nind++] = optarg;
			break;
		case 'C':
			json_decref(hosts);
			hosts = NULL;
			if (analyze_load_case_file(optarg, &hosts, &err) < 0) {
				error("investigate: %s", err.buf);
				free(rules);
				free(ind);
				free(iocs);
				json_decref(filters);
				strbuf_release(&err);
				return EXIT_RUNTIME;
			}
			fopts.hosts = hosts;
			case_file = optarg;
			break;
		case 'w':
			if (cli_parse_duration(optarg, &fopts.window_ns) < 0 || fopts.window_ns <= 0) {
				free(rules);
				free(ind);
				free(iocs);
				json_decref(hosts);
				json_decref(filters);
				return usage_error(usage, "investigate: --window wants a duration such as 5m, not '%s'",
						   optarg);
			}
			break;
		case 'P':
			fopts.per_event = true;
			break;
		case 'S':
			if (suppress_load(optarg, &more, &err) < 0) {
				error("investigate: %s", err.buf);
				free(rules);
				free(ind);
				free(iocs);
				json_decref(hosts);
				json_decref(filters);
				strbuf_release(&err);
				return EXIT_USAGE;
			}
			json_array_extend(filters, more);
			json_decref(more);
			break;
		case 'f':
			format = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'D':
			date = optarg;
			break;
		case 'Z':
			tz = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			free(rules);
			free(ind);
			free(iocs);
			json_decref(hosts);
			json_decref(filters);
			return 0;
		default:
			free(rules);
			free(ind);
			free(iocs);
			json_decref(hosts);
			json_decref(filters);
			return usage_error(usage, "investigate: unknown option");
		}
	}
	if (!outdir || optind >= argc) {
		free(rules);
		free(ind);
		free(iocs);
		json_decref(hosts);
		json_decref(filters);
		return usage_error(usage, "investigate: need -o OUTDIR and at least one evidence path");
	}
	int first_evidence = optind;
	/* an evidence directory handed over with its case file */
	if (!case_file && (found_case = find_case_file(argv + first_evidence, argc - first_evidence))) {
		if (analyze_load_case_file(found_case, &hosts, &err) < 0) {
			error("investigate: %s", err.buf);
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (!quiet)
			printf("case file: %s\n", found_case);
		fopts.hosts = hosts;
		case_file = found_case;
	}
	if (case_file && !(case_root = case_evidence_defaults(case_file, &date, &host, &tz, &err))) {
		error("investigate: %s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
		error("investigate: cannot create '%s': %s", outdir, strerror(errno));
		free(rules);
		free(ind);
		free(iocs);
		json_decref(hosts);
		json_decref(filters);
		return EXIT_RUNTIME;
	}
	strbuf_addf(&path, "%s/case.db", outdir);

	/* 1. import, through `backsight import` itself */
	iargv = calloc((size_t)(argc - first_evidence) + 14, sizeof(*iargv));
	if (!iargv)
		abort();
	iargv[iargc++] = "import";
	iargv[iargc++] = "--progress=never";
	if (quiet)
		iargv[iargc++] = "-q";
	if (format) {
		iargv[iargc++] = "-f";
		iargv[iargc++] = (char *)format;
	}
	if (host) {
		iargv[iargc++] = "--host";
		iargv[iargc++] = (char *)host;
	}
	if (date) {
		iargv[iargc++] = "--date";
		iargv[iargc++] = (char *)date;
	}
	if (tz) {
		iargv[iargc++] = "--tz";
		iargv[iargc++] = (char *)tz;
	}
	iargv[iargc++] = path.buf;
	for (int i = first_evidence; i < argc; i++)
		iargv[iargc++] = argv[i];
	optind = 0; /* getopt starts afresh for the import's arguments */
	rc = cmd_import(iargc, iargv);
	if (rc == EXIT_USAGE)
		goto out;
	if (rc != 0)
		warning("investigate: some evidence could not be imported; the report covers the rest");

	if (casedb_open(path.buf, CASEDB_WRITE, &cdb, &err) < 0) {
		error("investigate: %s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	/* 2. detect, 3. aggregate and correlate */
	custody_line = custody_command_line(argc, argv);
	fopts.suppress = json_array_size(filters) ? filters : NULL;
	if (run_detection(cdb, rules, nrules, ind, nind, iocs, niocs, argc, argv, &err) < 0 ||
	    analyze_case(cdb, &fopts, argc, argv, &res, &err) < 0 ||
	    custody_log_analyze(cdb, case_file, custody_line, &err) < 0) {
		error("investigate: %s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	/* 4. reports */
	for (size_t i = 0; i < NOUTPUTS; i++) {
		strbuf_addf(&report_paths[i], "%s/%s", outdir, outputs[i].file);
		report_names[i] = report_paths[i].buf;
		if (report_to_file(cdb, report_format_find(outputs[i].format), report_paths[i].buf, &err) < 0) {
			error("investigate: %s", err.buf);
			rc = EXIT_RUNTIME;
		}
	}
	if (rc == 0 && custody_log_report(cdb, report_names, NOUTPUTS, custody_line, &err) < 0) {
		error("investigate: %s", err.buf);
		rc = EXIT_RUNTIME;
	}
	summary(cdb, outdir, monotonic() - t0);
out:
	casedb_free(cdb);
	for (size_t i = 0; i < NOUTPUTS; i++)
		strbuf_release(&report_paths[i]);
	json_decref(case_root);
	free(found_case);
	free(custody_line);
	free(iargv);
	free(rules);
	free(ind);
	free(iocs);
	json_decref(hosts);
	json_decref(filters);
	strbuf_release(&err);
	strbuf_release(&path);
	return rc;
}
