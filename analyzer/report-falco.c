/* report-falco: `--format falco` — the alerts as Falco's JSON output writes them (json_output:
 * true with json_include_output_property, json_include_tags_property and output_fields), one
 * object per line: time (RFC 3339 UTC, ns), rule, priority, source, hostname, output,
 * output_fields, tags. Falco's own consumers (falcosidekick, SIEM parsers) read these lines. */
#include <errno.h>

#include "bstime.h"
#include "jsondump.h"
#include "report.h"

int report_stream_falco(FILE *out, struct casedb *cdb, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	static const char sql[] =
		"SELECT a.ts, a.rule, a.priority, a.source, e.host, a.output, a.output_fields, a.tags"
		" FROM alerts a LEFT JOIN events e ON e.id = a.event_id"
		" WHERE a.run_id = (SELECT max(run_id) FROM alerts) ORDER BY a.ts, a.id";
	sqlite3_stmt *st;
	int r;

	if (casedb_prepare(cdb, sql, &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char t[BS_TIME_MAX_LEN];
		json_t *o = json_object(), *v;
		const char *text;

		bs_time_format(sqlite3_column_int64(st, 0), t);
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "rule", json_string_nocheck((const char *)sqlite3_column_text(st, 1)));
		json_object_set_new(o, "priority", json_string_nocheck((const char *)sqlite3_column_text(st, 2)));
		json_object_set_new(o, "source", json_string_nocheck((const char *)sqlite3_column_text(st, 3)));
		if ((text = (const char *)sqlite3_column_text(st, 4)))
			json_object_set_new(o, "hostname", json_string_nocheck(text));
		json_object_set_new(o, "output", json_string_nocheck((const char *)sqlite3_column_text(st, 5)));
		text = (const char *)sqlite3_column_text(st, 6);
		v = text ? json_loads(text, 0, NULL) : NULL;
		json_object_set_new(o, "output_fields", json_is_object(v) ? v : json_object());
		if (v && !json_is_object(v))
			json_decref(v);
		text = (const char *)sqlite3_column_text(st, 7);
		v = text ? json_loads(text, 0, NULL) : NULL;
		json_object_set_new(o, "tags", json_is_array(v) ? v : json_array());
		if (v && !json_is_array(v))
			json_decref(v);
		strbuf_reset(&line);
		jsondump(&line, o, 0);
		strbuf_addch(&line, '\n');
		fwrite(line.buf, 1, line.len, out);
		json_decref(o);
	}
	sqlite3_finalize(st);
	strbuf_release(&line);
	if (ferror(out)) {
		strbuf_addstr(err, "writing the alerts failed");
		return -EIO;
	}
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading alerts: %s", sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return 0;
}
