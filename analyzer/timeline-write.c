/* timeline-write: the timeline's output formats — text, jsonl, csv and Timesketch JSONL.
 *
 * text is for a terminal (control characters escaped, see termsafe.h); jsonl is backsight's
 * own interchange form, read back by imp-timeline-jsonl; csv follows RFC 4180 and defuses
 * spreadsheet formulas (csvw.h); timesketch follows Timesketch's JSONL import format (message,
 * datetime, timestamp in µs, timestamp_desc, then attributes).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "csvw.h"
#include "jsonw.h"
#include "termsafe.h"
#include "timeline.h"

static void put(FILE *out, const struct strbuf *sb)
{
	fwrite(sb->buf, 1, sb->len, out);
}

/* text ------------------------------------------------------------------------------------ */

static void text_row(FILE *out, const struct timeline_row *row, struct strbuf *sb)
{
	char ts[BS_TIME_MAX_LEN];
	const char *host = row->ev.host ? row->ev.host : "-";

	strbuf_reset(sb);
	bs_time_format(row->ev.ts, ts);
	strbuf_addf(sb, "%s  %-14s ", ts, bs_source_name(row->ev.source));
	strbuf_add_termsafe(sb, host, strlen(host));
	strbuf_addstr(sb, "  ");
	strbuf_add_termsafe(sb, row->ev.type, strlen(row->ev.type));
	strbuf_addstr(sb, "  ");
	strbuf_add_termsafe(sb, row->ev.summary, strlen(row->ev.summary));
	strbuf_addch(sb, '\n');
	put(out, sb);
}

/* jsonl ----------------------------------------------------------------------------------- */

/* The typed columns an event has, as keys of the object being written. */
static void json_columns(struct jsonw_obj *o, const struct bs_event *ev)
{
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		if (c->kind == BS_COLUMN_INT && bs_event_int(ev, c) != BS_NONE)
			jsonw_key_i64(o, c->name, bs_event_int(ev, c));
		else if (c->kind == BS_COLUMN_STR && bs_event_str(ev, c))
			jsonw_key_str(o, c->name, bs_event_str(ev, c));
	}
}

void timeline_row_json(struct strbuf *sb, const struct timeline_row *row)
{
	char ts[BS_TIME_MAX_LEN];
	struct jsonw_obj o;

	bs_time_format(row->ev.ts, ts);
	jsonw_begin(&o, sb);
	jsonw_key_i64(&o, "id", row->id);
	jsonw_key_str(&o, "ts", ts);
	jsonw_key_i64(&o, "ts_ns", row->ev.ts);
	jsonw_key_i64(&o, "ts_precision", row->ev.ts_precision);
	jsonw_key_str(&o, "source", bs_source_name(row->ev.source));
	jsonw_key_str(&o, "type", row->ev.type);
	if (row->ev.host)
		jsonw_key_str(&o, "host", row->ev.host);
	jsonw_key_str(&o, "summary", row->ev.summary);
	json_columns(&o, &row->ev);
	if (row->ev.fields && row->ev.fields[0] == '{')
		jsonw_key_raw(&o, "fields", row->ev.fields);
	jsonw_key_str(&o, "evidence", row->evidence_name);
	jsonw_key_str(&o, "evidence_sha256", row->evidence_sha256);
	jsonw_key_i64(&o, "offset", (int64_t)row->ev.offset);
	if (row->raw_length != BS_NONE)
		jsonw_key_i64(&o, "length", row->raw_length);
	jsonw_end(&o);
}

static void jsonl_row(FILE *out, const struct timeline_row *row, struct strbuf *sb)
{
	strbuf_reset(sb);
	timeline_row_json(sb, row);
	strbuf_addch(sb, '\n');
	put(out, sb);
}

/* csv ------------------------------------------------------------------------------------- */

static void csv_begin(FILE *out)
{
	fputs("id,ts,source,type,host,summary", out);
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		fprintf(out, ",%s", bs_event_columns[i].name);
	fputs(",fields,evidence,evidence_sha256,offset,length\r\n", out);
}

static void csv_row(FILE *out, const struct timeline_row *row, struct strbuf *sb)
{
	char ts[BS_TIME_MAX_LEN];

	strbuf_reset(sb);
	bs_time_format(row->ev.ts, ts);
	strbuf_addf(sb, "%lld,%s,", (long long)row->id, ts);
	csvw_cell(sb, bs_source_name(row->ev.source));
	strbuf_addch(sb, ',');
	csvw_cell(sb, row->ev.type);
	strbuf_addch(sb, ',');
	csvw_cell(sb, row->ev.host);
	strbuf_addch(sb, ',');
	csvw_cell(sb, row->ev.summary);
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		strbuf_addch(sb, ',');
		if (c->kind == BS_COLUMN_INT) {
			if (bs_event_int(&row->ev, c) != BS_NONE)
				strbuf_addi64(sb, bs_event_int(&row->ev, c));
		} else {
			csvw_cell(sb, bs_event_str(&row->ev, c));
		}
	}
	strbuf_addch(sb, ',');
	csvw_cell(sb, row->ev.fields);
	strbuf_addch(sb, ',');
	csvw_cell(sb, row->evidence_name);
	strbuf_addf(sb, ",%s,%llu,", row->evidence_sha256 ? row->evidence_sha256 : "",
		    (unsigned long long)row->ev.offset);
	if (row->raw_length != BS_NONE)
		strbuf_addi64(sb, row->raw_length);
	strbuf_addstr(sb, "\r\n");
	put(out, sb);
}

/* timesketch ------------------------------------------------------------------------------ */

static const char *timestamp_desc(enum bs_source s)
{
	switch (s) {
	case SRC_SYSCALL: return "Syscall Time";
	case SRC_NETWORK: return "Packet Time";
	case SRC_CLOUDTRAIL: return "Event Time";
	case SRC_K8S_AUDIT: return "Request Received";
	case SRC_GUARDDUTY: return "First Seen";
	default: return "Event Time";
	}
}

/* Timesketch stores attributes in OpenSearch, where a dot means nesting: fields are flattened
 * with underscores so that `evt.arg.flags` and `evt.arg` can coexist. */
static void flattened_key(struct strbuf *key, const char *name)
{
	strbuf_reset(key);
	for (; *name; name++)
		strbuf_addch(key, *name == '.' || *name == '[' || *name == ']' || *name == '/' ? '_' : *name);
}

static void timesketch_row(FILE *out, const struct timeline_row *row, struct strbuf *sb)
{
	char ts[BS_TIME_MAX_LEN];
	struct strbuf key = STRBUF_INIT;
	struct jsonw_obj o;
	json_t *fields = NULL;

	strbuf_reset(sb);
	bs_time_format(row->ev.ts, ts);
	jsonw_begin(&o, sb);
	jsonw_key_str(&o, "message", row->ev.summary);
	jsonw_key_str(&o, "datetime", ts);
	jsonw_key_i64(&o, "timestamp", row->ev.ts / 1000 - (row->ev.ts % 1000 < 0));
	jsonw_key_str(&o, "timestamp_desc", timestamp_desc(row->ev.source));
	jsonw_key_str(&o, "data_type", bs_source_name(row->ev.source));
	jsonw_key_str(&o, "event_type", row->ev.type);
	jsonw_key_i64(&o, "event_id", row->id);
	if (row->ev.host)
		jsonw_key_str(&o, "hostname", row->ev.host);
	json_columns(&o, &row->ev);
	if (row->ev.fields)
		fields = json_loads(row->ev.fields, 0, NULL);
	if (json_is_object(fields)) {
		const char *name;
		json_t *value;
		json_object_foreach(fields, name, value) {
			char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
			flattened_key(&key, name);
			jsonw_key(&o, key.buf);
			if (json_is_string(value))
				jsonw_cstr(sb, json_string_value(value));
			else if (text)
				strbuf_addstr(sb, text);
			else
				strbuf_addstr(sb, "null");
			free(text);
		}
	}
	json_decref(fields);
	jsonw_key_str(&o, "evidence", row->evidence_name);
	jsonw_key_str(&o, "evidence_sha256", row->evidence_sha256);
	jsonw_key_i64(&o, "evidence_offset", (int64_t)row->ev.offset);
	jsonw_end(&o);
	strbuf_addch(sb, '\n');
	put(out, sb);
	strbuf_release(&key);
}

const struct timeline_writer timeline_writers[] = {
	{ "text", "one aligned line per event, for reading", NULL, text_row },
	{ "jsonl", "one JSON object per event, every column (re-importable)", NULL, jsonl_row },
	{ "csv", "RFC 4180 CSV with a header row", csv_begin, csv_row },
	{ "timesketch", "Timesketch JSONL (message, datetime, timestamp, timestamp_desc)", NULL, timesketch_row },
	{ NULL, NULL, NULL, NULL },
};

const struct timeline_writer *timeline_writer_find(const char *name)
{
	for (const struct timeline_writer *w = timeline_writers; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}
