/* event-batch: multi-row INSERTs of one event shape; see event-batch.h. */
#include "event-batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* The columns every row binds, before the shape's typed columns. */
static const char *const fixed_columns[] = {
	"id",	       "ts",	     "ts_precision", "source", "type",	     "host",	  "summary",
	"evidence_id", "raw_offset", "raw_length",   "fields", "process_id", "dedup_key",
};
#define NFIXED (sizeof(fixed_columns) / sizeof(fixed_columns[0]))

enum value_kind { VALUE_NULL, VALUE_INT, VALUE_TEXT };

/* A bound value; text lives in the batch's buffer at off (the buffer may move while filling). */
struct value {
	enum value_kind kind;
	int64_t i;
	size_t off, len;
};

struct event_batch {
	sqlite3 *db;
	uint32_t shape;
	size_t ncols;		   /* values per row */
	sqlite3_stmt *one, *many;  /* one row (dedup, leftovers); EVENT_BATCH_ROWS rows */
	size_t pending;		   /* rows held back */
	struct value *values;	   /* EVENT_BATCH_ROWS + 1 rows (the last for insert_unique) */
	struct strbuf text;
};

uint32_t event_shape(const struct bs_event *ev)
{
	uint32_t shape = 0;

	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		if (c->kind == BS_COLUMN_INT ? bs_event_int(ev, c) != BS_NONE : bs_event_str(ev, c) != NULL)
			shape |= 1u << i;
	}
	return shape;
}

static void insert_sql(struct strbuf *sb, uint32_t shape, size_t rows)
{
	size_t ncols = NFIXED;

	strbuf_addstr(sb, "INSERT INTO events (");
	for (size_t i = 0; i < NFIXED; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", fixed_columns[i]);
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		if (shape & (1u << i)) {
			strbuf_addf(sb, ", %s", bs_event_columns[i].name);
			ncols++;
		}
	}
	strbuf_addstr(sb, ") VALUES ");
	for (size_t r = 0; r < rows; r++) {
		strbuf_addstr(sb, r ? ", (?" : "(?");
		for (size_t c = 1; c < ncols; c++)
			strbuf_addstr(sb, ", ?");
		strbuf_addch(sb, ')');
	}
	/* A record already in the case (events_dedup) is not inserted again. */
	strbuf_addstr(sb, " ON CONFLICT DO NOTHING");
}

static int prepare(sqlite3 *db, uint32_t shape, size_t rows, sqlite3_stmt **st)
{
	struct strbuf sql = STRBUF_INIT;
	int rc;

	insert_sql(&sql, shape, rows);
	rc = sqlite3_prepare_v3(db, sql.buf, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
	strbuf_release(&sql);
	return rc == SQLITE_OK ? 0 : -EIO;
}

int event_batch_new(sqlite3 *db, uint32_t shape, struct event_batch **ret_batch)
{
	struct event_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->db = db;
	b->shape = shape;
	b->ncols = NFIXED;
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		b->ncols += (shape >> i) & 1u;
	strbuf_init(&b->text);
	b->values = calloc((EVENT_BATCH_ROWS + 1) * b->ncols, sizeof(*b->values));
	if (!b->values) {
		event_batch_free(b);
		return -ENOMEM;
	}
	if (prepare(db, shape, 1, &b->one) < 0 || prepare(db, shape, EVENT_BATCH_ROWS, &b->many) < 0) {
		event_batch_free(b);
		return -EIO;
	}
	*ret_batch = b;
	return 0;
}

void event_batch_free(struct event_batch *b)
{
	if (!b)
		return;
	sqlite3_finalize(b->one);
	sqlite3_finalize(b->many);
	free(b->values);
	strbuf_release(&b->text);
	free(b);
}

uint32_t event_batch_shape(const struct event_batch *b)
{
	return b->shape;
}

static void put_required_int(struct value *v, int64_t i)
{
	v->kind = VALUE_INT;
	v->i = i;
}

static void put_int(struct value *v, int64_t i)
{
	v->kind = i == BS_NONE ? VALUE_NULL : VALUE_INT;
	v->i = i;
}

static void put_text(struct event_batch *b, struct value *v, const char *s)
{
	if (!s) {
		v->kind = VALUE_NULL;
		return;
	}
	v->kind = VALUE_TEXT;
	v->off = b->text.len;
	v->len = strlen(s);
	strbuf_add(&b->text, s, v->len);
}

/* The values of one row, in the order of insert_sql's columns. */
static void fill_row(struct event_batch *b, struct value *row, const struct event_row_meta *meta,
		     const struct bs_event *ev)
{
	struct value *v = row;

	put_required_int(v++, meta->id);
	put_required_int(v++, ev->ts);
	put_int(v++, ev->ts_precision);
	put_text(b, v++, bs_source_name(ev->source));
	put_text(b, v++, ev->type ? ev->type : "unknown");
	put_text(b, v++, ev->host);
	put_text(b, v++, ev->summary ? ev->summary : "");
	put_int(v++, meta->evidence_id);
	put_int(v++, (int64_t)ev->offset);
	put_int(v++, meta->raw_length);
	put_text(b, v++, ev->fields);
	put_int(v++, meta->process_id);
	put_text(b, v++, ev->dedup_key);
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		if (!(b->shape & (1u << i)))
			continue;
		if (c->kind == BS_COLUMN_INT)
			put_int(v++, bs_event_int(ev, c));
		else
			put_text(b, v++, bs_event_str(ev, c));
	}
}

static void bind_rows(struct event_batch *b, sqlite3_stmt *st, const struct value *rows, size_t nrows)
{
	int idx = 1;

	for (size_t k = 0; k < nrows * b->ncols; k++, idx++) {
		const struct value *v = &rows[k];
		if (v->kind == VALUE_INT)
			sqlite3_bind_int64(st, idx, v->i);
		else if (v->kind == VALUE_TEXT)
			sqlite3_bind_text64(st, idx, b->text.buf + v->off, v->len, SQLITE_STATIC, SQLITE_UTF8);
		else
			sqlite3_bind_null(st, idx);
	}
}

static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int event_batch_add(struct event_batch *b, const struct event_row_meta *meta, const struct bs_event *ev)
{
	int r;

	fill_row(b, &b->values[b->pending * b->ncols], meta, ev);
	if (++b->pending < EVENT_BATCH_ROWS)
		return 0;
	bind_rows(b, b->many, b->values, EVENT_BATCH_ROWS);
	r = step(b->many);
	b->pending = 0;
	strbuf_reset(&b->text);
	return r;
}

int event_batch_flush(struct event_batch *b)
{
	int r = 0;

	for (size_t i = 0; i < b->pending && r == 0; i++) {
		bind_rows(b, b->one, &b->values[i * b->ncols], 1);
		r = step(b->one);
	}
	b->pending = 0;
	strbuf_reset(&b->text);
	return r;
}

int event_batch_insert_unique(struct event_batch *b, const struct event_row_meta *meta, const struct bs_event *ev)
{
	size_t text_len = b->text.len;
	struct value *row = &b->values[EVENT_BATCH_ROWS * b->ncols];
	int r;

	fill_row(b, row, meta, ev);
	bind_rows(b, b->one, row, 1);
	r = step(b->one);
	strbuf_setlen(&b->text, text_len);
	if (r < 0)
		return r;
	return sqlite3_changes(b->db) > 0;
}
