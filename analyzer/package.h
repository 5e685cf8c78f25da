/* package: what goes into an evidence package's payload — a table of producers, each writing
 * some files under data/ of a bag (bagit.h) from the case database alone.
 *
 * Producers today: the case database (a consistent copy), the ledger and the import issues as
 * JSON and CSV, the timeline as JSONL, the rule and indicator files recorded in `runs`, and with
 * --include-evidence the original evidence files byte for byte (each checked against its ledger
 * SHA-256 while copied; a mismatch stops the package), and the analysis results: the report in
 * HTML and Markdown, the findings as GuardDuty JSON and OCSF, the coverage statement, the
 * CloudTrail digest check. A
 * producer is one row in package_producers[] (package.c), writing through package_add_text so
 * that exported text is redacted (redact.h) and the redaction is counted for bag-info.txt.
 *
 * Every producer is deterministic: the same case gives the same bytes.
 */
#ifndef BS_PACKAGE_H
#define BS_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "bagit.h"
#include "casedb.h"
#include "strbuf.h"

struct package_ctx {
	struct casedb *cdb;
	struct bag_writer *bag;
	bool include_evidence;
	size_t redacted_values;
	struct strbuf redacted_files; /* "data/PATH (N)\n" per file where something was redacted */
	struct strbuf notes;          /* "Label: value\n" lines a producer wants in bag-info.txt */
	size_t evidence_files;
};

struct package_producer {
	const char *name;
	const char *description;
	/* Add files to pc->bag; returns the number added or a negative errno (err says why). */
	int (*produce)(struct package_ctx *pc, struct strbuf *err);
};

extern const struct package_producer package_producers[];

/* Add exported text to the payload after redacting secrets in it. */
int package_add_text(struct package_ctx *pc, const char *relpath, const char *text, size_t len, struct strbuf *err);

/* The analysis results a package holds (package-report.c): a report format's output, or the
 * coverage statement when format is NULL. */
struct package_report_file {
	const char *relpath; /* under data/ */
	const char *format;  /* a report_formats[] name */
};
extern const struct package_report_file package_report_files[];

/* Append one of them, as the case's report model gives it, unredacted, to out. */
int package_report_render(struct casedb *cdb, const json_t *model, const struct package_report_file *file,
			  struct strbuf *out, struct strbuf *err);
/* The producer that adds them all. */
int package_produce_reports(struct package_ctx *pc, struct strbuf *err);
/* The CloudTrail digest check of the case (trail-verify.h, without keys: hashes and chain),
 * when the case holds digests. */
int package_produce_trail_check(struct package_ctx *pc, struct strbuf *err);

/* Where producers put things (relative to data/). */
#define PACKAGE_CASE_DB "case/case.db"
#define PACKAGE_TIMELINE "exports/timeline.jsonl"
#define PACKAGE_LEDGER_JSON "exports/evidence.json"
#define PACKAGE_EVIDENCE_DIR "evidence"
#define PACKAGE_TRAIL_CHECK "report/cloudtrail-digests.txt"

/* The payload name of evidence file `id` originally called `name`: evidence/NNNNNN-BASENAME. */
void package_evidence_relpath(struct strbuf *out, long long id, const char *name);

/* The case id: the `--case-id` given, else "bs-" and the first 16 hex digits of the first custody
 * entry's hash (fixed when the case was first imported into), else the case file's base name. */
void package_case_id(struct casedb *cdb, const char *case_path, struct strbuf *out);

/* The timeline of a case as `timeline --format jsonl` writes it, secrets redacted, streamed to
 * `out` one row at a time (the reproduction check writes it again and compares).
 * ret_redacted (optional) gets the number of values redacted. */
int package_timeline_write(struct casedb *cdb, FILE *out, size_t *ret_redacted, struct strbuf *err);

#endif
