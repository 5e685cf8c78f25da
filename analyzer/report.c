/* report: the report model read from a case, and the table of output formats (see report.h).
 *
 * Every query orders its rows completely (ties broken by id), so the model — and every report
 * rendered from it — is a function of the case's content only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "config.h"
#include "correlate.h"
#include "event.h"
#include "findings.h"
#include "report.h"

const struct report_format report_formats[] = {
	{ "html", "one self-contained page: summary, swim-lane timeline, findings, ATT&CK, method", report_write_html, NULL },
	{ "md", "Markdown report for tickets and wikis", report_write_md, NULL },
	{ "json", "everything the report knows, as one JSON document", report_write_json, NULL },
	{ "guardduty", "JSON array of findings in the GuardDuty finding shape (service.runtimeDetails)",
	  report_write_guardduty, NULL },
	{ "ocsf", "OCSF Detection Finding (class 2004), one JSON object per line", report_write_ocsf, NULL },
	{ "asff", "AWS Security Finding Format, a JSON array for BatchImportFindings", report_write_asff, NULL },
	{ "falco", "Falco JSON alert lines, one per alert", NULL, report_stream_falco },
	{ "timesketch", "Timesketch JSONL of the whole timeline", NULL, report_stream_timesketch },
	{ NULL, NULL, NULL, NULL },
};

const struct report_format *report_format_find(const char *name)
{
	for (const struct report_format *f = report_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

const char *report_time(const json_t *obj, const char *key, char buf[40])
{
	json_t *v = json_object_get(obj, key);
	buf[0] = '\0';
	if (json_is_integer(v))
		bs_time_format(json_integer_value(v), buf);
	return buf;
}

const char *report_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* One row as an object, columns named as selected; NULL columns left out. */
static json_t *row_object(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st);

	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, i)));
			break;
		case SQLITE_FLOAT:
			json_object_set_new(o, name, json_real(sqlite3_column_double(st, i)));
			break;
		case SQLITE_NULL:
			break;
		default:
			json_object_set_new(o, name, json_stringn_nocheck((const char *)sqlite3_column_text(st, i),
									  (size_t)sqlite3_column_bytes(st, i)));
			break;
		}
	}
	return o;
}

static int rows(struct casedb *cdb, const char *sql, json_t **ret, struct strbuf *err)
{
	sqlite3_stmt *st;
	json_t *arr;
	int r;

	if (casedb_prepare(cdb, sql, &st, err) < 0)
		return -EIO;
	arr = json_array();
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row_object(st));
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading the case: %s", sqlite3_errmsg(cdb->db));
		json_decref(arr);
		return -EIO;
	}
	*ret = arr;
	return 0;
}

static void merge_detail(json_t *f)
{
	const char *text = json_string_value(json_object_get(f, "detail"));
	json_t *d = text ? json_loads(text, 0, NULL) : NULL;

	if (json_is_object(d)) {
		/* the column keeps the "Type:id" text; the detail's object moves to resource_detail */
		json_t *res = json_object_get(d, "resource");
		if (res) {
			json_object_set(f, "resource_detail", res);
			json_object_del(d, "resource");
		}
		json_object_update_missing(f, d);
	}
	json_decref(d);
	json_object_del(f, "detail");
	json_object_set_new(f, "severity_label",
			    json_string(finding_severity_label(json_number_value(json_object_get(f, "severity")))));
}

static json_t *attack_table(const json_t *findings)
{
	json_t *out = json_array();
	size_t i, k;
	json_t *f, *t;

	json_array_foreach(findings, i, f) {
		json_t *mitre = json_object_get(f, "mitre");
		json_array_foreach(json_object_get(mitre, "tactics"), k, t) {
			const char *id = report_str(t, "id");
			json_t *row = NULL, *r;
			size_t j;
			json_array_foreach(out, j, r) if (!strcmp(report_str(r, "id"), id)) row = r;
			if (!row) {
				row = json_pack("{s:s,s:s,s:[],s:[]}", "id", id, "name", report_str(t, "name"), "techniques",
						"findings");
				json_array_append_new(out, row);
			}
			json_array_append_new(json_object_get(row, "findings"),
					      json_string(report_str(f, "finding_id")));
			size_t q;
			json_t *tech;
			json_array_foreach(json_object_get(mitre, "techniques"), q, tech) {
				json_t *techs = json_object_get(row, "techniques"), *x;
				bool seen = false;
				size_t z;
				json_array_foreach(techs, z, x) seen |= json_equal(x, tech);
				if (!seen)
					json_array_append(techs, tech);
			}
		}
	}
	/* in the order of the ATT&CK matrix */
	for (size_t a = 0; a < json_array_size(out); a++)
		for (size_t b = a + 1; b < json_array_size(out); b++) {
			json_t *x = json_array_get(out, a), *y = json_array_get(out, b);
			if (strcmp(report_str(x, "id"), report_str(y, "id")) > 0) {
				json_incref(x);
				json_array_set(out, a, y);
				json_array_set_new(out, b, x);
			}
		}
	return out;
}

static json_t *resource_table(const json_t *findings)
{
	json_t *out = json_array(), *f, *r;
	size_t i, j;

	json_array_foreach(findings, i, f) {
		json_t *row = NULL;
		const char *key = report_str(f, "resource");
		if (!json_is_string(json_object_get(f, "resource")))
			continue;
		json_array_foreach(out, j, r) if (!strcmp(report_str(r, "key"), key)) row = r;
		if (!row) {
			json_t *d = json_object_get(f, "resource_detail");
			row = json_object();
			report_setstr(row, "key", key);
			json_object_set_new(row, "findings", json_integer(0));
			json_object_set_new(row, "max_severity", json_real(0));
			if (d)
				json_object_set(row, "detail", d);
			json_array_append_new(out, row);
		}
		json_object_set_new(row, "findings", json_integer(json_integer_value(json_object_get(row, "findings")) + 1));
		double s = json_number_value(json_object_get(f, "severity"));
		if (s > json_number_value(json_object_get(row, "max_severity")))
			json_object_set_new(row, "max_severity", json_real(s));
	}
	return out;
}

static int histogram(struct casedb *cdb, json_t *model, struct strbuf *err)
{
	json_t *span = json_object_get(model, "time_span");
	json_t *h = json_object(), *series = json_object();
	int64_t first, last, bucket;
	sqlite3_stmt *st;
	int buckets;

	json_object_set_new(model, "histogram", h);
	json_object_set_new(h, "series", series);
	if (!json_is_integer(json_object_get(span, "first")))
		return 0;
	first = json_integer_value(json_object_get(span, "first"));
	last = json_integer_value(json_object_get(span, "last"));
	bucket = (last - first) / REPORT_HISTOGRAM_BUCKETS + 1;
	if (bucket < BS_NS_PER_SEC)
		bucket = BS_NS_PER_SEC;
	else
		bucket = (bucket + BS_NS_PER_SEC - 1) / BS_NS_PER_SEC * BS_NS_PER_SEC;
	first -= first % BS_NS_PER_SEC;
	buckets = (int)((last - first) / bucket) + 1;
	json_object_set_new(h, "start", json_integer(first));
	json_object_set_new(h, "bucket_ns", json_integer(bucket));
	json_object_set_new(h, "buckets", json_integer(buckets));
	if (casedb_prepare(cdb,
			   "SELECT source, (ts - ?1) / ?2 AS b, count(*) FROM events GROUP BY source, b ORDER BY source, b",
			   &st, err) < 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, bucket);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(st, 0);
		int64_t b = sqlite3_column_int64(st, 1);
		json_t *arr = json_object_get(series, src);
		if (!arr) {
			arr = json_array();
			for (int i = 0; i < buckets; i++)
				json_array_append_new(arr, json_integer(0));
			json_object_set_new(series, src, arr);
		}
		if (b >= 0 && b < buckets)
			json_array_set_new(arr, (size_t)b, json_integer(sqlite3_column_int64(st, 2)));
	}
	sqlite3_finalize(st);
	return 0;
}

static int timeline_excerpt(struct casedb *cdb, json_t *model, struct strbuf *err)
{
	static const char sql[] =
		"SELECT e.id, e.ts, e.source, e.type, e.host, e.summary, e.pid, e.proc_name, e.src_ip, e.dst_ip,"
		" e.access_key_id, e.raw_offset AS offset, v.name AS evidence, v.sha256,"
		" (SELECT count(*) FROM alerts a WHERE a.event_id = e.id) AS alerts,"
		" e.id IN (SELECT ct_event_id FROM correlations UNION SELECT event_id FROM correlations) AS correlated"
		" FROM events e LEFT JOIN evidence v ON v.id = e.evidence_id"
		" WHERE e.id IN (SELECT id FROM events ORDER BY ts, id LIMIT 5000)"
		" OR e.id IN (SELECT event_id FROM alerts ORDER BY ts, id LIMIT 5000)"
		" OR e.id IN (SELECT c.ct_event_id FROM correlations c WHERE c.kind != 'access_key'"
		"  ORDER BY c.id LIMIT 5000)"
		" OR e.id IN (SELECT c.event_id FROM correlations c WHERE c.kind != 'access_key')"
		" ORDER BY e.ts, e.id";
	json_t *t = json_object(), *events;
	int r = rows(cdb, sql, &events, err);

	if (r < 0) {
		json_decref(t);
		return r;
	}
	json_object_set_new(t, "events", events);
	json_object_set_new(t, "total", json_integer(casedb_count(cdb, "events")));
	json_object_set_new(t, "shown", json_integer((json_int_t)json_array_size(events)));
	json_object_set_new(model, "timeline", t);
	return 0;
}

static json_t *coverage_of(const json_t *runs)
{
	json_t *r, *out = NULL;
	size_t i;

	json_array_foreach(runs, i, r) {
		const char *inputs = report_str(r, "inputs");
		if (strcmp(report_str(r, "kind"), "detect") || !*inputs)
			continue;
		json_t *in = json_loads(inputs, 0, NULL);
		json_t *c = json_object_get(in, "coverage");
		if (c) {
			json_decref(out);
			out = json_incref(c);
		}
		json_decref(in);
	}
	return out ? out : json_null();
}

json_t *report_model(struct casedb *cdb, struct strbuf *err)
{
	json_t *m = json_object(), *v, *f;
	size_t i;

#define ROWS(key, sql)                                  \
	do {                                            \
		if (rows(cdb, sql, &v, err) < 0)        \
			goto fail;                      \
		json_object_set_new(m, key, v);         \
	} while (0)

	json_object_set_new(m, "tool", json_pack("{s:s,s:s}", "name", "backsight", "version", BACKSIGHT_VERSION));
	ROWS("runs", "SELECT id, kind, tool_version, command_line, inputs, started, finished, status FROM runs ORDER BY id");
	ROWS("evidence", "SELECT id, name, sha256, size, compression, stream_sha256, format, importer, importer_version,"
			 " import_started, import_finished, first_ts, last_ts, events, skipped, status, status_reason,"
			 " status_offset, assumptions FROM evidence ORDER BY id");
	ROWS("sources", "SELECT source, count(*) AS events, min(ts) AS first, max(ts) AS last FROM events"
			" GROUP BY source ORDER BY source");
	if (rows(cdb, "SELECT min(ts) AS first, max(ts) AS last, count(*) AS events FROM events", &v, err) < 0)
		goto fail;
	json_object_set(m, "time_span", json_array_get(v, 0));
	json_decref(v);
	ROWS("findings", "SELECT id AS row, finding_id, type, severity, title, description, resource, first_seen,"
			 " last_seen, count, archived, detail FROM findings ORDER BY severity DESC, first_seen, id");
	json_t *counts = json_pack("{s:i,s:i,s:i,s:i}", "Critical", 0, "High", 0, "Medium", 0, "Low", 0);
	json_array_foreach(json_object_get(m, "findings"), i, f) {
		merge_detail(f);
		const char *label = report_str(f, "severity_label");
		json_object_set_new(counts, label, json_integer(json_integer_value(json_object_get(counts, label)) + 1));
	}
	json_object_set_new(m, "severity_counts", counts);
	ROWS("correlations",
	     "SELECT c.id, f.finding_id AS finding, c.event_id, c.ct_event_id, c.kind, c.key, c.reason, ct.ts AS ct_ts,"
	     " ct.type AS api, ct.src_ip, ct.principal, ct.user_agent"
	     " FROM correlations c JOIN events ct ON ct.id = c.ct_event_id LEFT JOIN findings f ON f.id = c.finding_id"
	     " WHERE c.kind != 'access_key' ORDER BY ct.ts, c.ct_event_id, c.id LIMIT 5000");
	ROWS("key_uses",
	     "SELECT c.key, count(*) AS calls, min(ct.ts) AS first, max(ct.ts) AS last,"
	     " sum(c.ct_event_id IN (SELECT ct_event_id FROM correlations WHERE kind = 'source_ip')) AS outside,"
	     " c.reason AS recovered"
	     " FROM correlations c JOIN events ct ON ct.id = c.ct_event_id WHERE c.kind = 'access_key'"
	     " GROUP BY c.key ORDER BY min(ct.ts), c.key");
	ROWS("correlation_counts", "SELECT kind, count(*) AS rows FROM correlations GROUP BY kind ORDER BY kind");
	v = corr_headline(cdb);
	json_object_set_new(m, "headline", v ? v : json_null());
	json_object_set_new(m, "attack", attack_table(json_object_get(m, "findings")));
	json_object_set_new(m, "resources", resource_table(json_object_get(m, "findings")));
	json_object_set_new(m, "coverage", coverage_of(json_object_get(m, "runs")));
	/* indicator hits of the newest alert run (detect --indicators), one row per indicator */
	ROWS("indicators",
	     "SELECT json_extract(output_fields, '$.indicator') AS indicator,"
	     " json_extract(output_fields, '$.\"indicator.kind\"') AS kind,"
	     " json_extract(output_fields, '$.\"indicator.list\"') AS list,"
	     " json_extract(output_fields, '$.\"indicator.description\"') AS description,"
	     " count(*) AS hits, min(ts) AS first, max(ts) AS last,"
	     " group_concat(DISTINCT json_extract(output_fields, '$.\"indicator.field\"')) AS fields,"
	     " group_concat(DISTINCT json_extract(output_fields, '$.\"indicator.seen\"')) AS seen"
	     " FROM alerts WHERE run_id = (SELECT max(run_id) FROM alerts) AND rule LIKE 'Indicator match: %'"
	     " GROUP BY 1, 2, 3 ORDER BY min(ts), 1");
	json_object_set_new(m, "alerts", json_integer(casedb_count(cdb, "alerts")));
	if (timeline_excerpt(cdb, m, err) < 0 || histogram(cdb, m, err) < 0)
		goto fail;
	if (rows(cdb,
		 "SELECT host AS account FROM events WHERE source = 'aws_cloudtrail' AND length(host) = 12"
		 " AND host NOT GLOB '*[^0-9]*' GROUP BY host ORDER BY count(*) DESC, host LIMIT 1",
		 &v, err) < 0)
		goto fail;
	json_object_set_new(m, "account", json_string(report_str(json_array_get(v, 0), "account")));
	json_decref(v);
	return m;
#undef ROWS
fail:
	json_decref(m);
	return NULL;
}
