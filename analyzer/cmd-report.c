/* cmd-report: `backsight report` — write the incident report of a case in one format.
 *
 * usage: backsight report [-F FORMAT] [-o FILE] CASE.db
 *
 *   -F, --format FORMAT   html, md (default), json, guardduty, ocsf, asff, falco, timesketch
 *   -o, --output FILE     write to FILE (replaced atomically) instead of standard output
 *       --list-formats    print the formats and what each holds
 *
 * The report reads only the case database (findings, correlations, alerts, events, evidence,
 * runs); `backsight analyze` or `backsight investigate` fill the findings and correlations.
 * The same case always gives byte-identical output.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casedb.h"
#include "cli.h"
#include "custody-log.h"
#include "custody.h"
#include "report.h"

static const char usage[] =
	"usage: backsight report [-F html|md|json|guardduty|ocsf|asff|falco|timesketch] [-o FILE] CASE.db\n";

/* Write one report to path ("-" or NULL: stdout), through a temporary file renamed into place. */
int report_to_file(struct casedb *cdb, const struct report_format *fmt, const char *path, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT, tmp = STRBUF_INIT;
	bool to_stdout = !path || !strcmp(path, "-");
	json_t *model = NULL;
	FILE *f = stdout;
	int r = 0;

	if (fmt->write) {
		model = report_model(cdb, err);
		if (!model)
			return -EIO;
		r = fmt->write(&out, model, cdb, err);
		json_decref(model);
		if (r < 0)
			goto out;
	}
	if (!to_stdout) {
		strbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
		f = fopen(tmp.buf, "wb");
		if (!f) {
			r = -errno;
			strbuf_addf(err, "cannot create '%s': %s", tmp.buf, strerror(errno));
			goto out;
		}
	}
	if (fmt->stream)
		r = fmt->stream(f, cdb, err);
	else if (fwrite(out.buf, 1, out.len, f) != out.len)
		r = -EIO;
	if (to_stdout) {
		if (fflush(stdout) != 0 && r == 0)
			r = -EIO;
		if (r < 0 && !err->len)
			strbuf_addstr(err, "writing the report to standard output failed");
		goto out;
	}
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && rename(tmp.buf, path) != 0)
		r = -errno;
	if (r < 0) {
		if (!err->len)
			strbuf_addf(err, "cannot write '%s': %s", path, strerror(-r));
		unlink(tmp.buf);
	}
out:
	strbuf_release(&out);
	strbuf_release(&tmp);
	return r;
}

/* A report written to a file is a custody entry when the case can be written; a read-only case
 * (an auditor's copy) still gets its report. */
static void log_report(const char *case_path, const char *output, int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	char *line = custody_command_line(argc, argv);

	if (casedb_open(case_path, CASEDB_WRITE, &cdb, &err) < 0 ||
	    custody_log_report(cdb, &output, 1, line, &err) < 0)
		warning("report: the custody log could not be written: %s", err.buf);
	casedb_free(cdb);
	free(line);
	strbuf_release(&err);
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "list-formats", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct report_format *fmt = report_format_find("md");
	const char *output = NULL;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "F:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!(fmt = report_format_find(optarg)))
				return usage_error(usage, "report: unknown format '%s' (see --list-formats)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'L':
			for (const struct report_format *f = report_formats; f->name; f++)
				printf("%-11s %s\n", f->name, f->description);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "report: unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error(usage, "report: wants one case database");
	if (casedb_open(argv[optind], CASEDB_READ, &cdb, &err) < 0) {
		error("%s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (report_to_file(cdb, fmt, output, &err) < 0) {
		error("report: %s", err.buf);
		rc = EXIT_RUNTIME;
	} else if (output && strcmp(output, "-")) {
		log_report(argv[optind], output, argc, argv);
	}
out:
	casedb_free(cdb);
	strbuf_release(&err);
	return rc;
}
