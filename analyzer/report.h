/* report: the incident report's data model and its writers, one file per output format.
 *
 * report_model reads a case (findings, correlations, the headline chain, the evidence ledger,
 * runs, a timeline excerpt and a rate histogram) into one JSON document; `--format json` prints
 * it as is and every other writer renders it; the falco and timesketch writers stream the
 * alerts and events tables instead. Nothing in a report comes from the wall clock: the only
 * times in it are event times and the times the runs table recorded, so the same case gives
 * byte-identical reports.
 *
 * Model keys: tool, runs[], evidence[], sources[], time_span, severity_counts, findings[]
 * (the findings rows with their detail merged in, by severity then time), correlations[]
 * (every join except the plain access_key rows, at most 5000), key_uses[] (per recovered key:
 * calls, outside calls, first and last, how it was recovered), correlation_counts[],
 * headline (corr_headline or null), attack[] (tactic, techniques, findings), resources[],
 * coverage (from the detect runs' inputs, or null), timeline {events[], total, shown} (the
 * first 5000 events, the events of the first 5000 alerts and of the correlations shown),
 * histogram {start, bucket_ns, buckets, series{source: counts[]}}, account.
 *
 * Ownership: report_model returns a new reference; writers borrow the model.
 */
#ifndef BS_REPORT_H
#define BS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "casedb.h"
#include "strbuf.h"

#define REPORT_TIMELINE_MAX 5000
#define REPORT_HISTOGRAM_BUCKETS 120

struct report_format {
	const char *name;
	const char *description;
	/* Append the report to out; 0 or a negative errno with err set. */
	int (*write)(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
	/* Or, for the formats that are one line per alert or event and need no model: write them
	 * to out as they are read, so that memory stays bounded whatever the case's size. */
	int (*stream)(FILE *out, struct casedb *cdb, struct strbuf *err);
};

extern const struct report_format report_formats[];
const struct report_format *report_format_find(const char *name);

json_t *report_model(struct casedb *cdb, struct strbuf *err);

/* The writers (report-*.c). */
int report_write_json(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
int report_write_md(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
int report_write_guardduty(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
int report_write_ocsf(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
int report_write_asff(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);
int report_stream_falco(FILE *out, struct casedb *cdb, struct strbuf *err);
int report_stream_timesketch(FILE *out, struct casedb *cdb, struct strbuf *err);
int report_write_html(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err);

/* Shared by the writers: RFC 3339 of an integer ns member (empty string when absent), and a
 * string member or "" . */
const char *report_time(const json_t *obj, const char *key, char buf[40]);
const char *report_str(const json_t *obj, const char *key);

/* Copy src[skey] to dst[dkey] when present; set a string that came from evidence (any bytes:
 * jsondump escapes them when written). */
static inline void report_copy(json_t *dst, const char *dkey, const json_t *src, const char *skey)
{
	json_t *v = json_object_get(src, skey);
	if (v)
		json_object_set(dst, dkey, v);
}
static inline void report_setstr(json_t *dst, const char *key, const char *s)
{
	json_object_set_new(dst, key, json_string_nocheck(s ? s : ""));
}

#endif
