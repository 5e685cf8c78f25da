/* timeline: the filtered timeline query over events ⋈ evidence; see timeline.h. */
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct timeline_cursor {
	sqlite3_stmt *st;
};

/* Column positions in the SELECT below. */
enum {
	COL_ID, COL_TS, COL_PRECISION, COL_SOURCE, COL_TYPE, COL_HOST, COL_SUMMARY, COL_OFFSET, COL_LENGTH,
	COL_FIELDS, COL_PROCESS, COL_EVIDENCE, COL_SHA256, COL_TYPED
};

void timeline_filter_init(struct timeline_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = f->until = f->event_id = BS_NONE;
}

/* LIKE pattern for a literal substring: %, _ and the escape itself are escaped. */
static char *like_pattern(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '%');
	return strbuf_detach(&sb, NULL);
}

int timeline_open(struct casedb *cdb, const struct timeline_filter *f, struct timeline_cursor **ret_cursor,
		  struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct timeline_cursor *c = calloc(1, sizeof(*c));
	char *pattern = NULL;
	int r;

	if (!c)
		return -ENOMEM;
	strbuf_addstr(&sql, "SELECT e.id, e.ts, e.ts_precision, e.source, e.type, e.host, e.summary, e.raw_offset,"
			    " e.raw_length, e.fields, e.process_id, v.name, v.sha256");
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		strbuf_addf(&sql, ", e.%s", bs_event_columns[i].name);
	strbuf_addstr(&sql, " FROM events e JOIN evidence v ON v.id = e.evidence_id WHERE 1");
	if (f->event_id != BS_NONE)
		strbuf_addstr(&sql, " AND e.id = :id");
	if (f->since != BS_NONE)
		strbuf_addstr(&sql, " AND e.ts >= :since");
	if (f->until != BS_NONE)
		strbuf_addstr(&sql, " AND e.ts < :until");
	if (f->sources)
		strbuf_addstr(&sql, " AND instr(',' || :sources || ',', ',' || e.source || ',') > 0");
	if (f->host)
		strbuf_addstr(&sql, " AND e.host = :host");
	if (f->grep)
		strbuf_addstr(&sql, " AND (e.summary LIKE :grep ESCAPE '\\' OR e.fields LIKE :grep ESCAPE '\\')");
	strbuf_addstr(&sql, " ORDER BY e.ts, e.id");
	if (f->limit > 0)
		strbuf_addstr(&sql, " LIMIT :limit");
	r = casedb_prepare(cdb, sql.buf, &c->st, err);
	strbuf_release(&sql);
	if (r < 0) {
		free(c);
		return r;
	}
#define BIND_INT(name, v) sqlite3_bind_int64(c->st, sqlite3_bind_parameter_index(c->st, name), v)
#define BIND_TEXT(name, v) sqlite3_bind_text(c->st, sqlite3_bind_parameter_index(c->st, name), v, -1, SQLITE_TRANSIENT)
	if (f->event_id != BS_NONE)
		BIND_INT(":id", f->event_id);
	if (f->since != BS_NONE)
		BIND_INT(":since", f->since);
	if (f->until != BS_NONE)
		BIND_INT(":until", f->until);
	if (f->sources)
		BIND_TEXT(":sources", f->sources);
	if (f->host)
		BIND_TEXT(":host", f->host);
	if (f->grep) {
		pattern = like_pattern(f->grep);
		BIND_TEXT(":grep", pattern);
		free(pattern);
	}
	if (f->limit > 0)
		BIND_INT(":limit", f->limit);
#undef BIND_INT
#undef BIND_TEXT
	*ret_cursor = c;
	return 0;
}

static const char *text_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t int_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, i);
}

int timeline_next(struct timeline_cursor *c, struct timeline_row *row)
{
	sqlite3_stmt *st = c->st;
	const char *source;
	int rc = sqlite3_step(st), src;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	bs_event_init(&row->ev);
	row->id = sqlite3_column_int64(st, COL_ID);
	row->ev.ts = sqlite3_column_int64(st, COL_TS);
	row->ev.ts_precision = sqlite3_column_int64(st, COL_PRECISION);
	source = text_col(st, COL_SOURCE);
	src = source ? bs_source_from_name(source) : -1;
	row->ev.source = src < 0 ? SRC_OTHER : (enum bs_source)src;
	row->ev.type = text_col(st, COL_TYPE);
	row->ev.host = text_col(st, COL_HOST);
	row->ev.summary = text_col(st, COL_SUMMARY);
	row->ev.offset = (uint64_t)sqlite3_column_int64(st, COL_OFFSET);
	row->raw_length = int_col(st, COL_LENGTH);
	row->ev.fields = text_col(st, COL_FIELDS);
	row->process_id = int_col(st, COL_PROCESS);
	row->evidence_name = text_col(st, COL_EVIDENCE);
	row->evidence_sha256 = text_col(st, COL_SHA256);
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *col = &bs_event_columns[i];
		void *slot = (char *)&row->ev + col->offset;
		if (col->kind == BS_COLUMN_INT)
			*(int64_t *)slot = int_col(st, COL_TYPED + (int)i);
		else
			*(const char **)slot = text_col(st, COL_TYPED + (int)i);
	}
	return 1;
}

void timeline_close(struct timeline_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	free(c);
}
