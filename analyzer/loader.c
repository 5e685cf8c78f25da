/* loader: bulk insertion of events, raw records, processes and damage reports; see loader.h. */
#include "loader.h"

#include "i64map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

/* A dictionary is trained on up to this many of a format's first records ... */
#define DICT_SAMPLES 4096
#define DICT_SAMPLE_BYTES (2u << 20)
/* ... but only once it has at least this many; fewer are stored without one. */
#define DICT_MIN_SAMPLES 256
#define DICT_CAPACITY (64u << 10)
#define ZSTD_LEVEL 3

enum dict_state { DICT_COLLECTING, DICT_READY, DICT_NONE };

struct pending_raw {
	int64_t event_id;
	size_t offset, len; /* in samples */
};

struct loader {
	struct casedb *cdb;
	int64_t evidence_id;
	char *format;
	sqlite3_stmt *ins_event, *ins_raw, *ins_proc, *upd_proc, *ins_issue;
	sqlite3_stmt *find_dup, *ins_source, *ins_doc;
	struct i64map process_rows; /* bs_process.key → processes.id */
	uint64_t in_batch;
	uint64_t issues, issues_dropped;
	struct strbuf error;

	ZSTD_CCtx *cctx;
	ZSTD_CDict *cdict;
	int64_t dict_id;
	enum dict_state dict_state;
	struct strbuf samples;
	struct pending_raw *pending;
	size_t npending;
	struct strbuf zbuf;
};

static const char *event_insert_sql(struct strbuf *sb)
{
	strbuf_addstr(sb, "INSERT INTO events (ts, ts_precision, source, type, host, summary, evidence_id, "
			  "raw_offset, raw_length, fields, process_id, dedup_key");
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		strbuf_addf(sb, ", %s", bs_event_columns[i].name);
	strbuf_addstr(sb, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		strbuf_addstr(sb, ", ?");
	/* A record already in the case (events_dedup) is not inserted again; see loader_event. */
	strbuf_addstr(sb, ") ON CONFLICT DO NOTHING");
	return sb->buf;
}

static int fail(struct loader *l, const char *what)
{
	if (!l->error.len)
		strbuf_addf(&l->error, "%s: %s: %s", l->cdb->path, what, sqlite3_errmsg(l->cdb->db));
	return -EIO;
}

static int load_dict(struct loader *l, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r = 0;

	if (casedb_prepare(l->cdb, "SELECT id, dict FROM dicts WHERE format = ? ORDER BY id LIMIT 1", &st, err) < 0)
		return -EIO;
	sqlite3_bind_text(st, 1, l->format, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		l->dict_id = sqlite3_column_int64(st, 0);
		l->cdict = ZSTD_createCDict(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), ZSTD_LEVEL);
		if (!l->cdict) {
			strbuf_addf(err, "%s: compression dictionary %lld is damaged", l->cdb->path,
				    (long long)l->dict_id);
			r = -EBADMSG;
		} else {
			l->dict_state = DICT_READY;
			ZSTD_CCtx_refCDict(l->cctx, l->cdict);
		}
	}
	sqlite3_finalize(st);
	return r;
}

int loader_new(struct casedb *cdb, int64_t evidence_id, const char *format, struct loader **ret_loader,
	       struct strbuf *err)
{
	struct loader *l = calloc(1, sizeof(*l));
	struct strbuf sql = STRBUF_INIT;
	int r = -EIO;

	if (!l)
		return -ENOMEM;
	l->cdb = cdb;
	l->evidence_id = evidence_id;
	l->format = strdup(format);
	strbuf_init(&l->error);
	strbuf_init(&l->samples);
	strbuf_init(&l->zbuf);
	i64map_init(&l->process_rows);
	l->cctx = ZSTD_createCCtx();
	if (!l->cctx || !l->format) {
		r = -ENOMEM;
		goto fail;
	}
	ZSTD_CCtx_setParameter(l->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(l->cctx, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setParameter(l->cctx, ZSTD_c_dictIDFlag, 0);
	if (casedb_prepare(cdb, event_insert_sql(&sql), &l->ins_event, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO raw (event_id, dict_id, data) VALUES (?, ?, ?)", &l->ins_raw, err) < 0 ||
	    casedb_prepare(cdb,
			   "INSERT INTO processes (host, pid, ppid, start_ts, end_ts, exe, name, args, cwd, tty,"
			   " container_id, uid, euid, loginuid, sid, exit_status, parent_id, evidence_id)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			   &l->ins_proc, err) < 0 ||
	    casedb_prepare(cdb,
			   "UPDATE processes SET host = coalesce(?1, host), pid = coalesce(?2, pid),"
			   " ppid = coalesce(?3, ppid), start_ts = coalesce(?4, start_ts), end_ts = coalesce(?5, end_ts),"
			   " exe = coalesce(?6, exe), name = coalesce(?7, name), args = coalesce(?8, args),"
			   " cwd = coalesce(?9, cwd), tty = coalesce(?10, tty), container_id = coalesce(?11, container_id),"
			   " uid = coalesce(?12, uid), euid = coalesce(?13, euid), loginuid = coalesce(?14, loginuid),"
			   " sid = coalesce(?15, sid), exit_status = coalesce(?16, exit_status),"
			   " parent_id = coalesce(?17, parent_id) WHERE id = ?18",
			   &l->upd_proc, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO evidence_issues (evidence_id, offset, severity, message) VALUES (?, ?, ?, ?)",
			   &l->ins_issue, err) < 0 ||
	    casedb_prepare(cdb, "SELECT id FROM events WHERE source = ? AND dedup_key = ?", &l->find_dup, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO event_sources (event_id, evidence_id, raw_offset, raw_length) VALUES (?, ?, ?, ?)",
			   &l->ins_source, err) < 0 ||
	    casedb_prepare(cdb, "INSERT INTO evidence_documents (evidence_id, kind, offset, body) VALUES (?, ?, ?, ?)",
			   &l->ins_doc, err) < 0)
		goto fail;
	r = load_dict(l, err);
	if (r < 0)
		goto fail;
	strbuf_release(&sql);
	*ret_loader = l;
	return 0;
fail:
	strbuf_release(&sql);
	loader_free(l);
	return r;
}

void loader_free(struct loader *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->ins_event);
	sqlite3_finalize(l->ins_raw);
	sqlite3_finalize(l->ins_proc);
	sqlite3_finalize(l->upd_proc);
	i64map_release(&l->process_rows);
	sqlite3_finalize(l->ins_issue);
	sqlite3_finalize(l->find_dup);
	sqlite3_finalize(l->ins_source);
	sqlite3_finalize(l->ins_doc);
	ZSTD_freeCCtx(l->cctx);
	ZSTD_freeCDict(l->cdict);
	strbuf_release(&l->error);
	strbuf_release(&l->samples);
	strbuf_release(&l->zbuf);
	free(l->pending);
	free(l->format);
	free(l);
}

const char *loader_error(const struct loader *l)
{
	return l->error.len ? l->error.buf : NULL;
}

uint64_t loader_issues_dropped(const struct loader *l)
{
	return l->issues_dropped;
}

static void bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
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
	if (sqlite3_exec(l->cdb->db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(l, "commit");
	return 0;
}

static int store_raw(struct loader *l, int64_t event_id, const void *raw, size_t len)
{
	size_t bound = ZSTD_compressBound(len), n;

	strbuf_reset(&l->zbuf);
	strbuf_grow(&l->zbuf, bound);
	n = ZSTD_compress2(l->cctx, l->zbuf.buf, bound, raw, len);
	if (ZSTD_isError(n)) {
		strbuf_addf(&l->error, "compressing raw record of event %lld: %s", (long long)event_id,
			    ZSTD_getErrorName(n));
		return -EIO;
	}
	sqlite3_bind_int64(l->ins_raw, 1, event_id);
	if (l->dict_state == DICT_READY)
		sqlite3_bind_int64(l->ins_raw, 2, l->dict_id);
	else
		sqlite3_bind_null(l->ins_raw, 2);
	sqlite3_bind_blob(l->ins_raw, 3, l->zbuf.buf, (int)n, SQLITE_STATIC);
	return step_reset(l, l->ins_raw, "inserting raw record");
}

/*
 * Train the format's dictionary on the records collected so far, store it, then write every
 * pending raw record with it. With too few samples (or a failed training, e.g. on records that
 * are all alike) the records are stored compressed without a dictionary.
 */
static int settle_dict(struct loader *l)
{
	size_t *sizes = NULL;
	void *dict = NULL;
	int r = 0;

	l->dict_state = DICT_NONE;
	if (l->npending >= DICT_MIN_SAMPLES) {
		size_t got;
		sizes = malloc(l->npending * sizeof(*sizes));
		dict = malloc(DICT_CAPACITY);
		if (!sizes || !dict) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < l->npending; i++)
			sizes[i] = l->pending[i].len;
		got = ZDICT_trainFromBuffer(dict, DICT_CAPACITY, l->samples.buf, sizes, (unsigned)l->npending);
		if (!ZDICT_isError(got)) {
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(l->cdb->db,
					       "INSERT INTO dicts (format, evidence_id, samples, dict) VALUES (?, ?, ?, ?)",
					       -1, &st, NULL) != SQLITE_OK) {
				r = fail(l, "storing dictionary");
				goto out;
			}
			sqlite3_bind_text(st, 1, l->format, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, l->evidence_id);
			sqlite3_bind_int64(st, 3, (int64_t)l->npending);
			sqlite3_bind_blob(st, 4, dict, (int)got, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_finalize(st);
				r = fail(l, "storing dictionary");
				goto out;
			}
			sqlite3_finalize(st);
			l->dict_id = sqlite3_last_insert_rowid(l->cdb->db);
			l->cdict = ZSTD_createCDict(dict, got, ZSTD_LEVEL);
			if (l->cdict) {
				ZSTD_CCtx_refCDict(l->cctx, l->cdict);
				l->dict_state = DICT_READY;
			}
		}
	}
	for (size_t i = 0; i < l->npending && r == 0; i++)
		r = store_raw(l, l->pending[i].event_id, l->samples.buf + l->pending[i].offset, l->pending[i].len);
out:
	free(sizes);
	free(dict);
	free(l->pending);
	l->pending = NULL;
	l->npending = 0;
	strbuf_release(&l->samples);
	return r;
}

static int collect_raw(struct loader *l, int64_t event_id, const void *raw, size_t len)
{
	if (!l->pending) {
		l->pending = malloc(DICT_SAMPLES * sizeof(*l->pending));
		if (!l->pending)
			return -ENOMEM;
	}
	l->pending[l->npending].event_id = event_id;
	l->pending[l->npending].offset = l->samples.len;
	l->pending[l->npending].len = len;
	l->npending++;
	strbuf_add(&l->samples, raw, len);
	if (l->npending == DICT_SAMPLES || l->samples.len >= DICT_SAMPLE_BYTES)
		return settle_dict(l);
	return 0;
}

/* The processes row of an importer's process key, or BS_NONE. */
static int64_t process_row(const struct loader *l, int64_t key)
{
	int64_t row;

	return key != BS_NONE && i64map_get(&l->process_rows, key, &row) ? row : BS_NONE;
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

int loader_event(void *userdata, const struct bs_event *ev)
{
	struct loader *l = userdata;
	sqlite3_stmt *st = l->ins_event;
	int64_t id;
	int i = 1, r;

	sqlite3_bind_int64(st, i++, ev->ts);
	sqlite3_bind_int64(st, i++, ev->ts_precision);
	sqlite3_bind_text(st, i++, bs_source_name(ev->source), -1, SQLITE_STATIC);
	bind_text(st, i++, ev->type ? ev->type : "unknown");
	bind_text(st, i++, ev->host);
	bind_text(st, i++, ev->summary ? ev->summary : "");
	sqlite3_bind_int64(st, i++, l->evidence_id);
	sqlite3_bind_int64(st, i++, (int64_t)ev->offset);
	bind_int(st, i++, ev->raw ? (int64_t)ev->raw_len : BS_NONE);
	bind_text(st, i++, ev->fields);
	bind_int(st, i++, process_row(l, ev->process_key));
	bind_text(st, i++, ev->dedup_key);
	for (size_t c = 0; c < bs_event_ncolumns; c++) {
		const struct bs_event_column *col = &bs_event_columns[c];
		if (col->kind == BS_COLUMN_INT)
			bind_int(st, i++, bs_event_int(ev, col));
		else
			bind_text(st, i++, bs_event_str(ev, col));
	}
	r = step_reset(l, st, "inserting event");
	if (r < 0)
		return r;
	if (ev->dedup_key && sqlite3_changes(l->cdb->db) == 0)
		return add_source(l, ev);
	id = sqlite3_last_insert_rowid(l->cdb->db);
	if (ev->raw) {
		if (l->dict_state == DICT_COLLECTING)
			r = collect_raw(l, id, ev->raw, ev->raw_len);
		else
			r = store_raw(l, id, ev->raw, ev->raw_len);
		if (r < 0)
			return r;
	}
	return maybe_commit(l);
}

int loader_process(void *userdata, const struct bs_process *p)
{
	struct loader *l = userdata;
	int64_t row = process_row(l, p->key);
	sqlite3_stmt *st = row != BS_NONE ? l->upd_proc : l->ins_proc;
	int i = 1, r;

	bind_text(st, i++, p->host);
	bind_int(st, i++, p->pid);
	bind_int(st, i++, p->ppid);
	bind_int(st, i++, p->start_ts);
	bind_int(st, i++, p->end_ts);
	bind_text(st, i++, p->exe);
	bind_text(st, i++, p->name);
	bind_text(st, i++, p->args_json);
	bind_text(st, i++, p->cwd);
	bind_text(st, i++, p->tty);
	bind_text(st, i++, p->container_id);
	bind_int(st, i++, p->uid);
	bind_int(st, i++, p->euid);
	bind_int(st, i++, p->loginuid);
	bind_int(st, i++, p->sid);
	bind_int(st, i++, p->exit_status);
	bind_int(st, i++, process_row(l, p->parent_key));
	sqlite3_bind_int64(st, i++, row != BS_NONE ? row : l->evidence_id);
	r = step_reset(l, st, row != BS_NONE ? "updating process" : "inserting process");
	if (r == 0 && row == BS_NONE && p->key != BS_NONE)
		i64map_put(&l->process_rows, p->key, sqlite3_last_insert_rowid(l->cdb->db));
	return r;
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
	int r = 0;

	if (l->dict_state == DICT_COLLECTING)
		r = settle_dict(l);
	if (r < 0 || l->error.len) {
		strbuf_addstr(err, l->error.len ? l->error.buf : strerror(-r));
		return r < 0 ? r : -EIO;
	}
	return 0;
}
