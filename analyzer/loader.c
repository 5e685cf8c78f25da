/* loader: bulk insertion of events, raw records, processes and damage reports; see loader.h. */
#include "loader.h"

#include "event-batch.h"
#include "proc-rows.h"
#include "rawstore.h"
#include "redact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_SHAPES 64
#define MAX_COLUMNS 32 /* column bits of a shape */
#define ALL_COLUMNS ((uint32_t)((1ull << bs_event_ncolumns) - 1))

struct loader {
	struct casedb *cdb;
	int64_t evidence_id;
	int64_t next_event_id;
	char *format;
	/* Events come in a handful of shapes per importer; past EVENT_SHAPES, the all-columns
	 * shape serves every event. */
	struct event_batch *batches[EVENT_SHAPES + 1];
	size_t nbatches;
	struct event_batch *open; /* the batch holding rows back, if any */
	uint32_t columns_seen;	   /* every typed column the file's events had so far */
	sqlite3_stmt *ins_issue, *find_dup, *ins_source, *ins_doc;
	struct proc_rows *processes;
	uint64_t in_batch;
	uint64_t issues, issues_dropped;
	struct strbuf error;
	struct raw_writer *raw;
	/* an event's strings with secrets removed: summary, fields, raw, then the text columns */
	struct strbuf clean[MAX_COLUMNS + 3];
	uint64_t redacted;
};

static int fail(struct loader *l, const char *what)
{
	if (!l->error.len)
		strbuf_addf(&l->error, "%s: %s: %s", l->cdb->path, what, sqlite3_errmsg(l->cdb->db));
	return -EIO;
}

/* The batch of this shape, made on first use. */
static struct event_batch *batch_for(struct loader *l, uint32_t shape)
{
	size_t i;

	for (i = 0; i < l->nbatches; i++)
		if (event_batch_shape(l->batches[i]) == shape)
			return l->batches[i];
	if (l->nbatches == EVENT_SHAPES && shape != ALL_COLUMNS)
		return batch_for(l, ALL_COLUMNS);
	if (event_batch_new(l->cdb->db, shape, &l->batches[i]) < 0) {
		fail(l, "preparing an insert");
		return NULL;
	}
	l->nbatches++;
	return l->batches[i];
}

/*
 * The columns an event's row names: every column the file's events have had so far, so that
 * events of different shapes (an openat, a read, a close) share one batch and go in sixteen
 * rows a statement, their absent columns bound as NULL. A row stores a NULL the same way
 * whether the INSERT names the column or not. The shape only widens, a few times per file.
 */
static uint32_t row_shape(struct loader *l, const struct bs_event *ev)
{
	l->columns_seen |= event_shape(ev);
	return l->columns_seen;
}

/* Everything held back: the rows of each batch, and the process rows. */
static int flush_batches(struct loader *l)
{
	for (size_t i = 0; i < l->nbatches; i++)
		if (event_batch_flush(l->batches[i]) < 0)
			return fail(l, "inserting events");
	if (proc_rows_flush(l->processes) < 0)
		return fail(l, "writing process rows");
	return 0;
}

int loader_new(struct casedb *cdb, int64_t evidence_id, const char *format, struct loader **ret_loader,
	       struct strbuf *err)
{
	struct loader *l = calloc(1, sizeof(*l));
	int r = -EIO;

	if (!l)
		return -ENOMEM;
	l->cdb = cdb;
	l->evidence_id = evidence_id;
	l->format = strdup(format);
	strbuf_init(&l->error);
	for (size_t i = 0; i < sizeof(l->clean) / sizeof(l->clean[0]); i++)
		strbuf_init(&l->clean[i]);
	if (!l->format) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = proc_rows_new(cdb->db, evidence_id, &l->processes)) < 0) {
		strbuf_addf(err, "%s: preparing the process rows: %s", cdb->path, sqlite3_errmsg(cdb->db));
		goto fail;
	}
	r = -EIO;
	if (casedb_prepare(cdb, "INSERT INTO evidence_issues (evidence_id, offset, severity, message) VALUES (?, ?, ?, ?)",
			   &l->ins_issue, err) < 0 ||
	    casedb_prepare(cdb, "SELECT id FROM events WHERE source = ? AND dedup_key = ?", &l->find_dup, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO event_sources (event_id, evidence_id, raw_offset, raw_length) VALUES (?, ?, ?, ?)",
			   &l->ins_source, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO evidence_documents (evidence_id, kind, offset, body) VALUES (?, ?, ?, ?)",
			   &l->ins_doc, err) < 0)
		goto fail;
	l->next_event_id = casedb_query_int(cdb, "SELECT coalesce(max(id), 0) + 1 FROM events");
	if (l->next_event_id < 1) {
		strbuf_addf(err, "%s: reading the last event id: %s", cdb->path, sqlite3_errmsg(cdb->db));
		goto fail;
	}
	r = raw_writer_new(cdb, evidence_id, format, &l->raw, err);
	if (r < 0)
		goto fail;
	*ret_loader = l;
	return 0;
fail:
	loader_free(l);
	return r;
}

void loader_free(struct loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nbatches; i++)
		event_batch_free(l->batches[i]);
	proc_rows_free(l->processes);
	sqlite3_finalize(l->ins_issue);
	sqlite3_finalize(l->find_dup);
	sqlite3_finalize(l->ins_source);
	sqlite3_finalize(l->ins_doc);
	raw_writer_free(l->raw);
	for (size_t i = 0; i < sizeof(l->clean) / sizeof(l->clean[0]); i++)
		strbuf_release(&l->clean[i]);
	strbuf_release(&l->error);
	free(l->format);
	free(l);
}

const char *loader_error(const struct loader *l)
{
	if (l->error.len)
		return l->error.buf;
	return l->raw ? raw_writer_error(l->raw) : NULL;
}

uint64_t loader_issues_dropped(const struct loader *l)
{
	return l->issues_dropped;
}

static void bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v == BS_NONE)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

static int step_reset(struct loader *l, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(l, what);
}

/* Commit the batch and open the next transaction. */
static int maybe_commit(struct loader *l)
{
	if (++l->in_batch < LOADER_BATCH)
		return 0;
	l->in_batch = 0;
	if (flush_batches(l) < 0)
		return -EIO;
	if (sqlite3_exec(l->cdb->db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(l, "commit");
	return 0;
}

/* The event is already in the case: keep only where this copy was read. Returns 1. */
static int add_source(struct loader *l, const struct bs_event *ev)
{
	int64_t id = -1;
	int r;

	sqlite3_bind_text(l->find_dup, 1, bs_source_name(ev->source), -1, SQLITE_STATIC);
	sqlite3_bind_text(l->find_dup, 2, ev->dedup_key, -1, SQLITE_STATIC);
	if (sqlite3_step(l->find_dup) == SQLITE_ROW)
		id = sqlite3_column_int64(l->find_dup, 0);
	sqlite3_reset(l->find_dup);
	if (id < 0)
		return fail(l, "finding a duplicate event");
	sqlite3_bind_int64(l->ins_source, 1, id);
	sqlite3_bind_int64(l->ins_source, 2, l->evidence_id);
	sqlite3_bind_int64(l->ins_source, 3, (int64_t)ev->offset);
	bind_int(l->ins_source, 4, ev->raw ? (int64_t)ev->raw_len : BS_NONE);
	r = step_reset(l, l->ins_source, "recording a duplicate's provenance");
	return r < 0 ? r : 1;
}

int loader_document(void *userdata, const char *kind, uint64_t offset, const char *body)
{
	struct loader *l = userdata;

	sqlite3_bind_int64(l->ins_doc, 1, l->evidence_id);
	sqlite3_bind_text(l->ins_doc, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(l->ins_doc, 3, (int64_t)offset);
	sqlite3_bind_text(l->ins_doc, 4, body, -1, SQLITE_STATIC);
	return step_reset(l, l->ins_doc, "storing a document");
}

/* A string of the event, or its copy in `clean` without the secrets it held. */
static const char *clean_text(struct loader *l, struct strbuf *clean, const char *s, size_t len)
{
	if (!s || !redact_may_hold(s, len))
		return s;
	strbuf_reset(clean);
	l->redacted += redact_secrets(s, len, clean);
	return clean->buf;
}

/*
 * Secrets never reach the case (DESIGN.md: redacted wherever they would be stored, the raw
 * record included; the key id stays). Importers that know where their format keeps secrets
 * (CloudTrail's credentials, HTTP headers) redact structurally; this is the net under every
 * importer: an access key in a command line, a session token in a write() buffer.
 */
static const struct bs_event *without_secrets(struct loader *l, const struct bs_event *ev, struct bs_event *copy)
{
	*copy = *ev;
	copy->summary = clean_text(l, &l->clean[0], ev->summary, ev->summary ? strlen(ev->summary) : 0);
	copy->fields = clean_text(l, &l->clean[1], ev->fields, ev->fields ? strlen(ev->fields) : 0);
	if (ev->raw && redact_may_hold(ev->raw, ev->raw_len)) {
		strbuf_reset(&l->clean[2]);
		l->redacted += redact_secrets(ev->raw, ev->raw_len, &l->clean[2]);
		copy->raw = l->clean[2].buf;
		copy->raw_len = l->clean[2].len;
	}
	for (size_t i = 0; i < bs_event_ncolumns && i < MAX_COLUMNS; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		const char *s;
		if (c->kind != BS_COLUMN_STR || !(s = bs_event_str(ev, c)))
			continue;
		*(const char **)(void *)((char *)copy + c->offset) = clean_text(l, &l->clean[3 + i], s, strlen(s));
	}
	return copy;
}

int loader_event(void *userdata, const struct bs_event *original)
{
	struct loader *l = userdata;
	struct bs_event copy;
	const struct bs_event *ev = without_secrets(l, original, &copy);
	struct event_batch *b = batch_for(l, row_shape(l, ev));
	struct event_row_meta meta = { .id = l->next_event_id, .evidence_id = l->evidence_id,
				       .process_id = proc_rows_id(l->processes, ev->process_key),
				       .raw_length = original->raw ? (int64_t)original->raw_len : BS_NONE };
	int r;

	if (!b)
		return -EIO;
	/* Rows go in in id order, which keeps the table's pages full (an insert before the end
	 * splits a page): a batch holds rows back only while events of its shape follow one
	 * another. Measured on bench-hostlog: out of order, case databases were 7% larger and
	 * the import 15-30% slower. */
	if (l->open && (l->open != b || ev->dedup_key)) {
		if (event_batch_flush(l->open) < 0)
			return fail(l, "inserting events");
		l->open = NULL;
	}
	if (ev->dedup_key) {
		r = event_batch_insert_unique(b, &meta, ev);
		if (r < 0)
			return fail(l, "inserting event");
		if (r == 0)
			return add_source(l, original); /* provenance: the record as the evidence has it */
	} else if (event_batch_add(b, &meta, ev) < 0) {
		return fail(l, "inserting events");
	} else {
		l->open = b;
	}
	l->next_event_id++;
	if (ev->raw) {
		r = raw_writer_add(l->raw, meta.id, ev->raw, ev->raw_len);
		if (r < 0)
			return r;
	}
	return maybe_commit(l);
}

int loader_process(void *userdata, const struct bs_process *p)
{
	struct loader *l = userdata;

	return proc_rows_put(l->processes, p);
}

void loader_issue(void *userdata, uint64_t offset, const char *severity, const char *msg)
{
	struct loader *l = userdata;
	sqlite3_stmt *st = l->ins_issue;

	if (l->issues >= IMP_MAX_ISSUES) {
		l->issues_dropped++;
		return;
	}
	l->issues++;
	sqlite3_bind_int64(st, 1, l->evidence_id);
	sqlite3_bind_int64(st, 2, (int64_t)offset);
	sqlite3_bind_text(st, 3, severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, msg, -1, SQLITE_STATIC);
	step_reset(l, st, "recording an import issue");
}

int loader_flush(struct loader *l, struct strbuf *err)
{
	int r = flush_batches(l) < 0 ? -EIO : raw_writer_flush(l->raw);
	char msg[160];

	if (r == 0 && l->redacted) {
		snprintf(msg, sizeof(msg), "%llu secret value(s) (secret access keys, session tokens) redacted before "
			 "storing; the key ids are kept", (unsigned long long)l->redacted);
		loader_issue(l, 0, "warning", msg);
	}
	if (r < 0 || l->error.len) {
		strbuf_addstr(err, loader_error(l) ? loader_error(l) : strerror(-r));
		return r < 0 ? r : -EIO;
	}
	return 0;
}
