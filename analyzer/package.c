/* package: the evidence package's payload producers; see package.h. */
#include "package.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custody.h"
#include "redact.h"
#include "resultset.h"
#include "timeline.h"

int package_add_text(struct package_ctx *pc, const char *relpath, const char *text, size_t len, struct strbuf *err)
{
	struct strbuf clean = STRBUF_INIT;
	size_t n = redact_secrets(text, len, &clean);
	int r = bag_add_data(pc->bag, relpath, clean.buf, clean.len, err);

	if (n) {
		pc->redacted_values += n;
		strbuf_addf(&pc->redacted_files, "data/%s (%zu)\n", relpath, n);
	}
	strbuf_release(&clean);
	return r < 0 ? r : 1;
}

static int query_to_text(struct casedb *cdb, const char *sql, enum resultset_format fmt, struct strbuf *out,
			 struct strbuf *err)
{
	sqlite3_stmt *st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (casedb_prepare(cdb, sql, &st, err) < 0)
		return -EIO;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	r = resultset_print(f, st, fmt);
	fclose(f);
	sqlite3_finalize(st);
	if (r < 0)
		strbuf_addf(err, "%s: exporting: %s", cdb->path, sqlite3_errmsg(cdb->db));
	else
		strbuf_add(out, buf, len);
	free(buf);
	return r < 0 ? -EIO : 0;
}

/* A consistent copy of the case: VACUUM INTO reads one snapshot of the database. */
static int produce_case_db(struct package_ctx *pc, struct strbuf *err)
{
	char *path = bag_data_path(pc->bag, PACKAGE_CASE_DB, err);
	sqlite3_stmt *st;
	int rc;

	if (!path)
		return -EIO;
	if (casedb_prepare(pc->cdb, "VACUUM INTO ?1", &st, err) < 0) {
		free(path);
		return -EIO;
	}
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(path);
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "%s: copying the case database: %s", pc->cdb->path, sqlite3_errmsg(pc->cdb->db));
		return -EIO;
	}
	return bag_add_written(pc->bag, PACKAGE_CASE_DB, NULL, err) < 0 ? -EIO : 1;
}

static int produce_table(struct package_ctx *pc, const char *sql, const char *base, struct strbuf *err)
{
	static const struct {
		enum resultset_format fmt;
		const char *ext;
	} forms[] = { { RESULTSET_JSON, "json" }, { RESULTSET_CSV, "csv" } };
	int added = 0;

	for (size_t i = 0; i < 2; i++) {
		struct strbuf text = STRBUF_INIT, rel = STRBUF_INIT;
		int r = query_to_text(pc->cdb, sql, forms[i].fmt, &text, err);
		strbuf_addf(&rel, "exports/%s.%s", base, forms[i].ext);
		if (r == 0)
			r = package_add_text(pc, rel.buf, text.buf, text.len, err);
		strbuf_release(&text);
		strbuf_release(&rel);
		if (r < 0)
			return r;
		added++;
	}
	return added;
}

static int produce_ledger(struct package_ctx *pc, struct strbuf *err)
{
	return produce_table(pc, "SELECT * FROM evidence ORDER BY id", "evidence", err);
}

static int produce_issues(struct package_ctx *pc, struct strbuf *err)
{
	return produce_table(pc, "SELECT * FROM evidence_issues ORDER BY evidence_id, offset, rowid", "evidence_issues", err);
}

int package_timeline_write(struct casedb *cdb, FILE *out, size_t *ret_redacted, struct strbuf *err)
{
	struct strbuf row = STRBUF_INIT, clean = STRBUF_INIT;
	struct timeline_filter f;
	struct timeline_cursor *c;
	struct timeline_row tr;
	size_t redacted = 0;
	int r;

	timeline_filter_init(&f);
	if (timeline_open(cdb, &f, &c, err) < 0)
		return -EIO;
	while ((r = timeline_next(c, &tr)) > 0) {
		strbuf_reset(&row);
		strbuf_reset(&clean);
		timeline_row_json(&row, &tr);
		strbuf_addch(&row, '\n');
		redacted += redact_secrets(row.buf, row.len, &clean);
		if (fwrite(clean.buf, 1, clean.len, out) != clean.len) {
			strbuf_addf(err, "writing the timeline: %s", strerror(errno));
			r = -EIO;
			break;
		}
	}
	timeline_close(c);
	strbuf_release(&row);
	strbuf_release(&clean);
	if (r < 0) {
		if (!err->len)
			strbuf_addf(err, "%s: reading the timeline: %s", cdb->path, sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	if (ret_redacted)
		*ret_redacted = redacted;
	return 0;
}

/* Streamed: the timeline is the one export as large as the evidence. */
static int produce_timeline(struct package_ctx *pc, struct strbuf *err)
{
	char *path = bag_data_path(pc->bag, PACKAGE_TIMELINE, err);
	size_t n = 0;
	FILE *f;
	int r;

	if (!path)
		return -EIO;
	f = fopen(path, "wbx");
	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		free(path);
		return -EIO;
	}
	r = package_timeline_write(pc->cdb, f, &n, err);
	if (fclose(f) != 0 && r == 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		r = -EIO;
	}
	free(path);
	if (r < 0)
		return r;
	if (n) {
		pc->redacted_values += n;
		strbuf_addf(&pc->redacted_files, "data/%s (%zu)\n", PACKAGE_TIMELINE, n);
	}
	return bag_add_written(pc->bag, PACKAGE_TIMELINE, NULL, err) < 0 ? -EIO : 1;
}

/*
 * The rule files and indicator lists of every analysis run. `runs.inputs` is the object `detect`
 * writes, {"rules": [{"path", "sha256"}...], "indicators": [...], ...} (a bare array of such
 * entries is read too); a file still at its path with the recorded hash is copied to
 * rules/RUN-BASENAME; one that is gone or changed is named in bag-info.txt instead.
 */
static int produce_rules(struct package_ctx *pc, struct strbuf *err)
{
	sqlite3_stmt *st;
	int added = 0, r = 0;

	if (casedb_prepare(pc->cdb, "SELECT id, inputs FROM runs WHERE inputs IS NOT NULL ORDER BY id", &st, err) < 0)
		return -EIO;
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		long long run = sqlite3_column_int64(st, 0);
		json_t *doc = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL), *it;
		json_t *j = json_array();
		size_t i;
		if (json_is_array(doc))
			json_array_extend(j, doc);
		json_array_extend(j, json_object_get(doc, "rules"));
		json_array_extend(j, json_object_get(doc, "indicators"));
		json_decref(doc);
		json_array_foreach(j, i, it) {
			const char *path = json_string_value(json_object_get(it, "path"));
			const char *sha = json_string_value(json_object_get(it, "sha256"));
			struct strbuf rel = STRBUF_INIT, why = STRBUF_INIT;
			const char *base;
			if (!path)
				path = json_string_value(json_object_get(it, "name"));
			if (!path)
				continue;
			base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			strbuf_addf(&rel, "rules/run%lld-", run);
			bag_safe_name(&rel, base);
			r = bag_add_copy(pc->bag, rel.buf, path, sha, NULL, &why);
			if (r == 0) {
				added++;
			} else {
				strbuf_addf(&pc->notes, "Rule-File-Not-Included: run %lld %s: %s\n", run, path, why.buf);
				r = 0;
			}
			strbuf_release(&rel);
			strbuf_release(&why);
		}
		json_decref(j);
	}
	sqlite3_finalize(st);
	return r < 0 ? r : added;
}

void package_evidence_relpath(struct strbuf *out, long long id, const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

	strbuf_addf(out, PACKAGE_EVIDENCE_DIR "/%06lld-", id);
	bag_safe_name(out, base);
}

/* The original evidence, byte for byte, verified against the ledger while copied. */
static int produce_evidence(struct package_ctx *pc, struct strbuf *err)
{
	sqlite3_stmt *st;
	int added = 0, r = 0;

	if (!pc->include_evidence)
		return 0;
	if (casedb_prepare(pc->cdb, "SELECT id, name, sha256, status FROM evidence ORDER BY id", &st, err) < 0)
		return -EIO;
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sha = (const char *)sqlite3_column_text(st, 2);
		struct strbuf rel = STRBUF_INIT;
		if (!sha || !strcmp(name, "(stdin)")) {
			strbuf_addf(&pc->notes, "Evidence-Not-Included: evidence %lld %s: %s\n", id, name,
				    sha ? "read from standard input" : "no SHA-256 in the ledger");
			continue;
		}
		package_evidence_relpath(&rel, id, name);
		r = bag_add_copy(pc->bag, rel.buf, name, sha, NULL, err);
		if (r == -ENOENT)
			strbuf_addf(err, " (evidence %lld: the ledger keeps the path as given at import; run package "
					 "from the directory the import ran in)", id);
		strbuf_release(&rel);
		if (r == 0) {
			added++;
			pc->evidence_files++;
		}
	}
	sqlite3_finalize(st);
	return r < 0 ? r : added;
}

const struct package_producer package_producers[] = {
	{ "case-database", "a consistent copy of the case database (data/case/case.db)", produce_case_db },
	{ "ledger", "the evidence ledger as JSON and CSV (data/exports/evidence.*)", produce_ledger },
	{ "import-issues", "damaged and skipped records as JSON and CSV (data/exports/evidence_issues.*)", produce_issues },
	{ "timeline", "the timeline as JSONL (data/exports/timeline.jsonl)", produce_timeline },
	{ "rules", "the rule files and indicator lists of every analysis run (data/rules/)", produce_rules },
	{ "report", "the report, findings (GuardDuty JSON, OCSF) and coverage (data/report/)", package_produce_reports },
	{ "trail-check", "the CloudTrail digest check: hashes and chain (data/" PACKAGE_TRAIL_CHECK ")",
	  package_produce_trail_check },
	{ "evidence", "with --include-evidence, the original evidence files (data/evidence/)", produce_evidence },
	{ NULL, NULL, NULL },
};

void package_case_id(struct casedb *cdb, const char *case_path, struct strbuf *out)
{
	sqlite3_stmt *st;
	const char *base;

	if (sqlite3_prepare_v2(cdb->db, "SELECT hash FROM custody WHERE seq = 1", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
			strbuf_addf(out, "bs-%.16s", (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			return;
		}
		sqlite3_finalize(st);
	}
	base = strrchr(case_path, '/') ? strrchr(case_path, '/') + 1 : case_path;
	strbuf_addstr(out, base);
}
