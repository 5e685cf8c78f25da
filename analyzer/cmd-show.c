/* cmd-show: `backsight show` — one event whole: every field, its process lineage, its
 * provenance, and the raw source record it was read from (decompressed).
 *
 * usage: backsight show [-F text|json] CASE.db EVENT_ID
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "cli.h"
#include "lineage.h"
#include "netproc.h"
#include "jsonw.h"
#include "rawstore.h"
#include "termsafe.h"
#include "timeline.h"

static const char usage[] = "usage: backsight show [-F text|json] CASE.db EVENT_ID\n";


/* Is the record text we can print as it is (valid UTF-8, no controls but tab/newline/CR)? */
static bool is_text(const struct strbuf *raw)
{
	const unsigned char *s = (const unsigned char *)raw->buf;

	for (size_t i = 0; i < raw->len;) {
		size_t n = utf8_seq_len(s + i, raw->len - i);
		if (!n || (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') || s[i] == 0x7f)
			return false;
		i += n;
	}
	return true;
}

static void hexdump(struct strbuf *out, const struct strbuf *raw)
{
	for (size_t i = 0; i < raw->len; i += 16) {
		strbuf_addf(out, "  %08zx ", i);
		for (size_t j = i; j < i + 16; j++) {
			if (j < raw->len)
				strbuf_addf(out, " %02x", (unsigned char)raw->buf[j]);
			else
				strbuf_addstr(out, "   ");
		}
		strbuf_addstr(out, "  ");
		for (size_t j = i; j < i + 16 && j < raw->len; j++) {
			unsigned char c = (unsigned char)raw->buf[j];
			strbuf_addch(out, c >= 0x20 && c < 0x7f ? (char)c : '.');
		}
		strbuf_addch(out, '\n');
	}
}

static void line(struct strbuf *out, const char *key, const char *value)
{
	strbuf_addf(out, "  %-16s ", key);
	strbuf_add_termsafe(out, value, strlen(value));
	strbuf_addch(out, '\n');
}

struct lineage_out {
	struct strbuf *text;
	json_t *json;
};

static int lineage_step(const struct lineage_step *step, void *userdata)
{
	struct lineage_out *o = userdata;
	struct strbuf desc = STRBUF_INIT;

	json_t *args = step->args ? json_loads(step->args, 0, NULL) : NULL, *arg;
	size_t i;

	strbuf_addf(&desc, "%lld %s", (long long)step->pid, step->exe ? step->exe : step->name ? step->name : "?");
	/* the argv as a command line, for reading (the JSON form escapes < > & for HTML) */
	if (json_is_array(args)) {
		strbuf_addstr(&desc, " ");
		json_array_foreach(args, i, arg)
			strbuf_addf(&desc, "%s%s", i ? " " : "", json_string_value(arg) ? json_string_value(arg) : "");
	} else if (step->args) {
		strbuf_addf(&desc, " %s", step->args);
	}
	if (o->text)
		line(o->text, step->depth ? "ancestor" : "process", desc.buf);
	if (o->json) {
		json_t *p = json_object();
		json_object_set_new(p, "process_id", json_integer(step->process_id));
		json_object_set_new(p, "pid", json_integer(step->pid));
		if (step->exe)
			json_object_set_new(p, "exe", json_string(step->exe));
		if (step->name)
			json_object_set_new(p, "name", json_string(step->name));
		if (step->args)
			json_object_set_new(p, "args", args ? json_incref(args) : json_string(step->args));
		json_array_append_new(o->json, p);
	}
	json_decref(args);
	strbuf_release(&desc);
	return 0;
}

/* The process and its ancestors, nearest first, as "pid exe args" lines. */
static void lineage(struct casedb *cdb, int64_t process_id, struct strbuf *text, json_t *json)
{
	struct lineage_out o = { text, json };

	lineage_walk(cdb, process_id, LINEAGE_MAX_DEPTH, lineage_step, &o);
}

/* A network event's connection as the host evidence saw it (netproc.h): the syscall event, and
 * its process with its ancestors. Nothing when no syscall source holds it. */
static void made_by(struct casedb *cdb, const struct timeline_row *row, struct strbuf *text, json_t *json)
{
	int64_t id = row->ev.source == SRC_NETWORK ? netproc_syscall_event(cdb, row->id) : 0;
	int64_t pid = BS_NONE, process_id = BS_NONE;
	char type[32] = "?", name[64] = "";
	sqlite3_stmt *st;

	if (id <= 0 || sqlite3_prepare_v2(cdb->db, "SELECT type, pid, proc_name, process_id FROM events WHERE id = ?",
					  -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(type, sizeof(type), "%s", (const char *)sqlite3_column_text(st, 0));
		pid = sqlite3_column_int64(st, 1);
		if (sqlite3_column_text(st, 2))
			snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			process_id = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (text) {
		char num[96];
		strbuf_addf(text, "made by (host evidence: syscall event %lld, ", (long long)id);
		strbuf_add_termsafe(text, type, strlen(type));
		strbuf_addf(text, " by pid %lld ", (long long)pid);
		strbuf_add_termsafe(text, name, strlen(name));
		strbuf_addstr(text, ")\n");
		if (process_id != BS_NONE) {
			lineage(cdb, process_id, text, NULL);
		} else {
			snprintf(num, sizeof(num), "%lld %s", (long long)pid, name);
			line(text, "process", num);
		}
	}
	if (json) {
		json_t *procs = json_array();
		json_object_set_new(json, "event", json_integer(id));
		json_object_set_new(json, "type", json_string(type));
		json_object_set_new(json, "pid", json_integer(pid));
		if (*name)
			json_object_set_new(json, "proc_name", json_string(name));
		lineage(cdb, process_id, NULL, procs);
		json_object_set_new(json, "lineage", procs);
	}
}

static void show_text(struct casedb *cdb, const struct timeline_row *row, const struct strbuf *raw, bool have_raw,
		      struct strbuf *out)
{
	char ts[BS_TIME_MAX_LEN], num[32];
	json_t *fields = row->ev.fields ? json_loads(row->ev.fields, 0, NULL) : NULL;

	bs_time_format(row->ev.ts, ts);
	strbuf_addf(out, "event %lld\n", (long long)row->id);
	line(out, "time", ts);
	snprintf(num, sizeof(num), "%lld ns", (long long)row->ev.ts_precision);
	line(out, "precision", num);
	line(out, "source", bs_source_name(row->ev.source));
	line(out, "type", row->ev.type);
	if (row->ev.host)
		line(out, "host", row->ev.host);
	line(out, "summary", row->ev.summary);
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		if (c->kind == BS_COLUMN_INT && bs_event_int(&row->ev, c) != BS_NONE) {
			snprintf(num, sizeof(num), "%lld", (long long)bs_event_int(&row->ev, c));
			line(out, c->name, num);
		} else if (c->kind == BS_COLUMN_STR && bs_event_str(&row->ev, c)) {
			line(out, c->name, bs_event_str(&row->ev, c));
		}
	}
	if (json_is_object(fields) && json_object_size(fields)) {
		const char *key;
		json_t *value;
		strbuf_addstr(out, "fields\n");
		json_object_foreach(fields, key, value) {
			char *text = json_is_string(value) ? NULL : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
			line(out, key, text ? text : json_string_value(value));
			free(text);
		}
	}
	json_decref(fields);
	if (row->process_id != BS_NONE) {
		strbuf_addstr(out, "lineage\n");
		lineage(cdb, row->process_id, out, NULL);
	}
	made_by(cdb, row, out, NULL);
	strbuf_addstr(out, "provenance\n");
	line(out, "evidence", row->evidence_name ? row->evidence_name : "?");
	line(out, "sha256", row->evidence_sha256 ? row->evidence_sha256 : "?");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)row->ev.offset);
	line(out, "offset", num);
	if (row->raw_length != BS_NONE) {
		snprintf(num, sizeof(num), "%lld", (long long)row->raw_length);
		line(out, "length", num);
	}
	if (!have_raw) {
		strbuf_addstr(out, "raw record: none stored\n");
	} else if (is_text(raw)) {
		strbuf_addf(out, "raw record (%zu bytes, text)\n", raw->len);
		strbuf_add_termsafe(out, raw->buf, raw->len);
		strbuf_addch(out, '\n');
	} else {
		strbuf_addf(out, "raw record (%zu bytes, binary)\n", raw->len);
		hexdump(out, raw);
	}
}

static void show_json(struct casedb *cdb, const struct timeline_row *row, const struct strbuf *raw, bool have_raw,
		      struct strbuf *out)
{
	json_t *procs = json_array(), *made;
	char *procs_text;
	struct jsonw_obj o;

	jsonw_begin(&o, out);
	jsonw_key(&o, "event");
	timeline_row_json(out, row);
	lineage(cdb, row->process_id, NULL, procs);
	procs_text = json_dumps(procs, JSON_COMPACT);
	jsonw_key_raw(&o, "lineage", procs_text ? procs_text : "[]");
	free(procs_text);
	json_decref(procs);
	made = json_object();
	made_by(cdb, row, NULL, made);
	if (json_object_size(made)) {
		char *made_text = json_dumps(made, JSON_COMPACT | JSON_SORT_KEYS);
		jsonw_key_raw(&o, "made_by", made_text ? made_text : "{}");
		free(made_text);
	}
	json_decref(made);
	if (have_raw && is_text(raw)) {
		jsonw_key_strn(&o, "raw_text", raw->buf, raw->len);
	} else if (have_raw) {
		static const char hex[] = "0123456789abcdef";
		struct strbuf h = STRBUF_INIT;
		for (size_t i = 0; i < raw->len; i++) {
			strbuf_addch(&h, hex[(unsigned char)raw->buf[i] >> 4]);
			strbuf_addch(&h, hex[(unsigned char)raw->buf[i] & 15]);
		}
		jsonw_key_strn(&o, "raw_hex", h.buf, h.len);
		strbuf_release(&h);
	}
	jsonw_end(&o);
	strbuf_addch(out, '\n');
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct strbuf err = STRBUF_INIT, raw = STRBUF_INIT, out = STRBUF_INIT;
	struct timeline_filter filter;
	struct timeline_cursor *cur = NULL;
	struct timeline_row row;
	struct casedb *cdb = NULL;
	bool json = false, have_raw;
	char *end;
	int c, r, rc = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, "F:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return usage_error(usage, "show: format is text or json, not '%s'", optarg);
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "show: bad option");
		}
	}
	if (argc - optind != 2)
		return usage_error(usage, "show: need a case database and an event id");
	timeline_filter_init(&filter);
	filter.event_id = strtoll(argv[optind + 1], &end, 10);
	if (*end || filter.event_id <= 0)
		return usage_error(usage, "show: '%s' is not an event id", argv[optind + 1]);
	if (casedb_open(argv[optind], CASEDB_READ, &cdb, &err) < 0 || timeline_open(cdb, &filter, &cur, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	r = timeline_next(cur, &row);
	if (r <= 0) {
		error("%s: no event %lld", argv[optind], (long long)filter.event_id);
		goto out;
	}
	r = raw_read(cdb, row.id, &raw, &err);
	if (r < 0 && r != -ENOENT) {
		error("%s", err.buf);
		goto out;
	}
	have_raw = r == 0;
	if (json)
		show_json(cdb, &row, &raw, have_raw, &out);
	else
		show_text(cdb, &row, &raw, have_raw, &out);
	fwrite(out.buf, 1, out.len, stdout);
	rc = 0;
out:
	timeline_close(cur);
	casedb_free(cdb);
	strbuf_release(&err);
	strbuf_release(&raw);
	strbuf_release(&out);
	return rc;
}
