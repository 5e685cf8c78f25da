/* package-report: the analysis results in a package — the report (HTML and Markdown), the
 * findings in GuardDuty's shape and in OCSF, and the coverage statement — each exactly what
 * `backsight report -f FORMAT` writes for the case, secrets redacted as they are added.
 * `verify --reproduce` renders them again from the re-run analysis with the same function,
 * redacts the same way and compares bytes. */
#include "package.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsondump.h"
#include "report.h"
#include "trail-verify.h"

const struct package_report_file package_report_files[] = {
	{ "report/report.html", "html" },
	{ "report/report.md", "md" },
	{ "report/findings.json", "guardduty" },
	{ "report/findings.ocsf.json", "ocsf" },
	{ "report/coverage.json", NULL }, /* the model's coverage statement */
	{ NULL, NULL },
};

int package_report_render(struct casedb *cdb, const json_t *model, const struct package_report_file *file,
			  struct strbuf *out, struct strbuf *err)
{
	const struct report_format *fmt;
	const json_t *coverage;

	if (!file->format) {
		coverage = json_object_get(model, "coverage");
		if (coverage && !json_is_null(coverage))
			jsondump(out, coverage, 2);
		else
			strbuf_addstr(out, "null");
		strbuf_addch(out, '\n');
		return 0;
	}
	fmt = report_format_find(file->format);
	if (!fmt || !fmt->write) {
		strbuf_addf(err, "report format %s cannot be packaged", file->format);
		return -EINVAL;
	}
	return fmt->write(out, model, cdb, err);
}

int package_produce_reports(struct package_ctx *pc, struct strbuf *err)
{
	json_t *model = report_model(pc->cdb, err);
	struct strbuf text = STRBUF_INIT;
	int added = 0, r = 0;

	if (!model)
		return -EIO;
	for (const struct package_report_file *f = package_report_files; f->relpath && r >= 0; f++) {
		strbuf_reset(&text);
		r = package_report_render(pc->cdb, model, f, &text, err);
		if (r < 0)
			break;
		r = package_add_text(pc, f->relpath, text.buf, text.len, err);
		if (r > 0)
			added++;
	}
	json_decref(model);
	strbuf_release(&text);
	return r < 0 ? r : added;
}

int package_produce_trail_check(struct package_ctx *pc, struct strbuf *err)
{
	struct trail_counts counts;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (!f) {
		strbuf_addf(err, "%s", strerror(errno));
		return -errno;
	}
	r = trail_verify(pc->cdb, NULL, NULL, f, &counts, err);
	fclose(f);
	if (r == 0 && counts.digests)
		r = package_add_text(pc, PACKAGE_TRAIL_CHECK, text, len, err);
	free(text);
	return r;
}
