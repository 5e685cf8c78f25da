/* imp-timeline-jsonl: backsight's own `timeline --format jsonl` output, read back.
 *
 * Follows doc/backsight-timeline.1 (one JSON object per line, keys as the events table's
 * columns). It lets a timeline exported from one case be merged into another, and it exercised
 * the whole pipeline before the real importers existed. Each event keeps where it first came
 * from under fields.origin, and gets this file as its own provenance.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "importer.h"

struct state {
	uint64_t line_no;
	struct strbuf fields;
};

static bool has_key(const char *line, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen <= len; i++)
		if (line[i] == '"' && !memcmp(line + i, key, klen))
			return true;
	return false;
}

static int probe(const uint8_t *head, size_t len)
{
	const char *s = (const char *)head;
	const uint8_t *nl = memchr(head, '\n', len);
	size_t line_len = nl ? (size_t)(nl - head) : len;
	json_t *obj;
	int score = 0;

	if (!len || s[0] != '{')
		return 0;
	if (!has_key(s, line_len, "\"ts_ns\":") || !has_key(s, line_len, "\"summary\":") ||
	    !has_key(s, line_len, "\"source\":"))
		return 0;
	if (!nl)
		return 60; /* a first line longer than the probe window: the keys are all we can see */
	obj = json_loadb(s, line_len, 0, NULL);
	if (json_is_object(obj) && json_is_integer(json_object_get(obj, "ts_ns")))
		score = 90;
	json_decref(obj);
	return score;
}

static int open_(struct imp_ctx *ctx, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	strbuf_init(&st->fields);
	*ret_state = st;
	return 0;
}

static const char *str_or_null(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/*
 * fields = the record's fields; for a record exported from another case (it names its
 * evidence), plus origin {source, evidence, evidence_sha256, offset, id} unless it already has
 * one, so an event keeps where it first came from however often it is passed on.
 */
static const char *build_fields(struct state *st, json_t *rec)
{
	static const char *const keys[] = { "source", "evidence", "evidence_sha256", "offset", "id" };
	json_t *fields = json_object_get(rec, "fields");
	json_t *out;
	char *text;

	if (!json_object_get(rec, "evidence_sha256"))
		out = json_is_object(fields) ? json_incref(fields) : NULL;
	else
		out = json_is_object(fields) ? json_deep_copy(fields) : json_object();
	if (!out)
		return NULL;
	if (json_object_get(rec, "evidence_sha256") && !json_object_get(out, "origin")) {
		json_t *origin = json_object();
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *v = json_object_get(rec, keys[i]);
			if (v)
				json_object_set(origin, keys[i], v);
		}
		json_object_set_new(out, "origin", origin);
	}
	text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	strbuf_reset(&st->fields);
	if (text)
		strbuf_addstr(&st->fields, text);
	free(text);
	return st->fields.len ? st->fields.buf : NULL;
}

static int import_record(struct imp_ctx *ctx, struct state *st, json_t *rec, const uint8_t *line, size_t len,
			 uint64_t offset)
{
	struct bs_event ev;
	json_t *ts_ns = json_object_get(rec, "ts_ns");
	const char *source = str_or_null(rec, "source");
	int src;

	bs_event_init(&ev);
	if (json_is_integer(ts_ns)) {
		ev.ts = json_integer_value(ts_ns);
	} else {
		const char *ts = str_or_null(rec, "ts");
		if (!ts || bs_time_parse(ts, strlen(ts), 0, &ev.ts, NULL) < 0) {
			imp_skipped(ctx, offset, "line %llu: no valid ts_ns or ts", (unsigned long long)st->line_no);
			return 0;
		}
	}
	ev.ts_precision = json_is_integer(json_object_get(rec, "ts_precision"))
				  ? json_integer_value(json_object_get(rec, "ts_precision"))
				  : 1;
	src = source ? bs_source_from_name(source) : -1;
	ev.source = src < 0 ? SRC_OTHER : (enum bs_source)src;
	ev.type = str_or_null(rec, "type");
	ev.summary = str_or_null(rec, "summary");
	if (!ev.type || !ev.summary) {
		imp_skipped(ctx, offset, "line %llu: record lacks type or summary", (unsigned long long)st->line_no);
		return 0;
	}
	ev.host = str_or_null(rec, "host");
	if (!ev.host)
		ev.host = ctx->opts->host;
	ev.offset = offset;
	ev.raw = line;
	ev.raw_len = len;
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		json_t *v = json_object_get(rec, c->name);
		void *slot = (char *)&ev + c->offset;
		if (c->kind == BS_COLUMN_INT && json_is_integer(v))
			*(int64_t *)slot = json_integer_value(v);
		else if (c->kind == BS_COLUMN_STR && json_is_string(v))
			*(const char **)slot = json_string_value(v);
	}
	ev.fields = build_fields(st, rec);
	return imp_emit(ctx, &ev);
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	const uint8_t *line;
	size_t len;
	uint64_t offset;
	json_error_t jerr;
	json_t *rec;
	bool cut;
	int r;

	r = reader_line(ctx->in, &line, &len, &offset);
	if (r == -E2BIG) {
		st->line_no++;
		imp_skipped(ctx, offset, "line %llu: longer than %u bytes", (unsigned long long)st->line_no,
			    READER_MAX);
		return 1;
	}
	if (r <= 0)
		return r;
	st->line_no++;
	cut = reader_offset(ctx->in) == offset + len; /* no newline: the file's last bytes */
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (!len)
		return 1;
	rec = json_loadb((const char *)line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec) {
		/* A last line without its newline that does not parse is a file cut mid-record. */
		if (cut && line[len - 1] != '}') {
			imp_truncated(ctx, offset, "line %llu is cut short: %s", (unsigned long long)st->line_no,
				      jerr.text);
			return 0;
		}
		imp_skipped(ctx, offset + (jerr.position > 0 ? (uint64_t)jerr.position : 0),
			    "line %llu, column %d: %s", (unsigned long long)st->line_no, jerr.column, jerr.text);
		return 1;
	}
	if (!json_is_object(rec))
		imp_skipped(ctx, offset, "line %llu: not a JSON object", (unsigned long long)st->line_no);
	else
		r = import_record(ctx, st, rec, line, len, offset);
	json_decref(rec);
	return r < 0 ? r : 1;
}

static void close_(void *state)
{
	struct state *st = state;

	if (!st)
		return;
	strbuf_release(&st->fields);
	free(st);
}

const struct importer imp_timeline_jsonl = {
	.name = "timeline-jsonl",
	.summary = "backsight's own timeline export (timeline --format jsonl)",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
