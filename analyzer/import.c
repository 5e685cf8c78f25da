/* import: evidence file → stream → importer → loader → ledger; see import.h. */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bstime.h"
#include "jsonw.h"
#include "loader.h"
#include "sha256.h"
#include "sink-queue.h"
#include "stream.h"

/* The duplicate pre-check hashes this much of a file's head. */
#define HEAD_HASH_LEN (64u << 10)

void import_result_init(struct import_result *res)
{
	memset(res, 0, sizeof(*res));
	res->first_ts = res->last_ts = BS_NONE;
	strbuf_init(&res->message);
}

void import_result_release(struct import_result *res)
{
	strbuf_release(&res->message);
}

/* SHA-256 of the first HEAD_HASH_LEN bytes and of the whole file, read directly. */
static int hash_file(const char *path, bool whole, char head_hex[SHA256_HEX_LEN + 1],
		     char full_hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx head, full;
	uint8_t *buf = malloc(1u << 20);
	uint64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || !buf) {
		r = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	sha256_init(&head);
	sha256_init(&full);
	for (;;) {
		ssize_t n = read(fd, buf, total < HEAD_HASH_LEN ? HEAD_HASH_LEN - total : 1u << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (total < HEAD_HASH_LEN)
			sha256_update(&head, buf, (size_t)n);
		sha256_update(&full, buf, (size_t)n);
		total += (uint64_t)n;
		if (!whole && total >= HEAD_HASH_LEN)
			break;
	}
	sha256_final_hex(&head, head_hex);
	if (whole)
		sha256_final_hex(&full, full_hex);
	else
		sha256_release(&full);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

/* The first ledger row that `sql` (binding ?1 to a hash and ?2 to a size) finds, or 0. */
static int64_t ledger_match(struct casedb *cdb, const char *sql, const char *hash, int64_t size)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/*
 * Is this regular file already in the ledger? Only files whose size and head hash match an
 * imported one are hashed whole, so a re-run over a large case costs a 64 KiB read per file.
 */
static int64_t find_duplicate_file(struct casedb *cdb, const char *path, const struct stat *st,
				   char head_hex[SHA256_HEX_LEN + 1])
{
	char full_hex[SHA256_HEX_LEN + 1];

	if (hash_file(path, false, head_hex, full_hex) < 0)
		return 0;
	if (ledger_match(cdb,
			 "SELECT id FROM evidence WHERE head_sha256 = ?1 AND size = ?2"
			 " AND status IN ('complete', 'partial')",
			 head_hex, (int64_t)st->st_size) <= 0)
		return 0;
	if (hash_file(path, true, head_hex, full_hex) < 0)
		return 0;
	return ledger_match(cdb,
			    "SELECT id FROM evidence WHERE sha256 = ?1 AND size = ?2"
			    " AND status IN ('complete', 'partial') ORDER BY id LIMIT 1",
			    full_hex, (int64_t)st->st_size);
}

void import_options_json(const struct import_options *o, struct strbuf *out)
{
	struct jsonw_obj w;
	char tz[16];

	if (!o->format && !o->imp.host && !o->imp.date && !o->imp.tz_set)
		return;
	jsonw_begin(&w, out);
	if (o->format)
		jsonw_key_str(&w, "format", o->format);
	if (o->imp.host)
		jsonw_key_str(&w, "host", o->imp.host);
	if (o->imp.date)
		jsonw_key_str(&w, "date", o->imp.date);
	if (o->imp.tz_set) {
		int off = o->imp.tz_offset_sec < 0 ? -o->imp.tz_offset_sec : o->imp.tz_offset_sec;
		snprintf(tz, sizeof(tz), "%c%02d:%02d", o->imp.tz_offset_sec < 0 ? '-' : '+', off / 3600, off / 60 % 60);
		jsonw_key_str(&w, "tz", tz);
	}
	jsonw_end(&w);
}

static int64_t insert_ledger_row(struct casedb *cdb, const char *name, const struct importer *imp,
				 const struct import_options *o, struct strbuf *err)
{
	struct strbuf options = STRBUF_INIT;
	sqlite3_stmt *st;
	char now[BS_TIME_MAX_LEN];
	int rc;

	bs_time_format(bs_time_recorded(), now);
	if (casedb_prepare(cdb,
			   "INSERT INTO evidence (name, format, importer, importer_version, import_started, status, options)"
			   " VALUES (?, ?, ?, ?, ?, 'importing', ?)",
			   &st, err) < 0)
		return -EIO;
	import_options_json(o, &options);
	sqlite3_bind_text(st, 6, options.len ? options.buf : NULL, -1, SQLITE_TRANSIENT);
	strbuf_release(&options);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, imp ? imp->name : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, imp ? imp->name : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, imp ? imp->version : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "%s: %s", cdb->path, sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return sqlite3_last_insert_rowid(cdb->db);
}

struct ledger_final {
	const char *status;
	const char *reason;
	int64_t reason_offset;
	const char *assumptions;
	const char *head_hex;
	const struct imp_ctx *ctx;
};

static int complete_ledger_row(struct casedb *cdb, int64_t id, struct stream *s, const struct ledger_final *f,
			       struct strbuf *err)
{
	static const char sql[] =
		"UPDATE evidence SET sha256 = ?, size = ?, compression = ?, stream_sha256 = ?, stream_size = ?,"
		" head_sha256 = ?, import_finished = ?, first_ts = ?, last_ts = ?, events = ?, skipped = ?,"
		" status = ?, status_reason = ?, status_offset = ?, assumptions = ? WHERE id = ?";
	char raw_hex[SHA256_HEX_LEN + 1], inner_hex[SHA256_HEX_LEN + 1], now[BS_TIME_MAX_LEN];
	bool compressed = stream_compression(s) != STREAM_PLAIN;
	sqlite3_stmt *st;
	int rc, i = 1;

	stream_raw_sha256(s, raw_hex);
	stream_sha256(s, inner_hex);
	bs_time_format(bs_time_recorded(), now);
	if (casedb_prepare(cdb, sql, &st, err) < 0)
		return -EIO;
	sqlite3_bind_text(st, i++, raw_hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, (int64_t)stream_raw_size(s));
	sqlite3_bind_text(st, i++, stream_compression_name(stream_compression(s)), -1, SQLITE_STATIC);
	if (compressed) {
		sqlite3_bind_text(st, i++, inner_hex, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, i++, (int64_t)stream_size(s));
	} else {
		sqlite3_bind_null(st, i++);
		sqlite3_bind_null(st, i++);
	}
	if (f->head_hex && f->head_hex[0])
		sqlite3_bind_text(st, i++, f->head_hex, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_text(st, i++, now, -1, SQLITE_STATIC);
	if (f->ctx && f->ctx->first_ts != BS_NONE) {
		sqlite3_bind_int64(st, i++, f->ctx->first_ts);
		sqlite3_bind_int64(st, i++, f->ctx->last_ts);
	} else {
		sqlite3_bind_null(st, i++);
		sqlite3_bind_null(st, i++);
	}
	sqlite3_bind_int64(st, i++, f->ctx ? (int64_t)f->ctx->events : 0);
	sqlite3_bind_int64(st, i++, f->ctx ? (int64_t)f->ctx->skipped : 0);
	sqlite3_bind_text(st, i++, f->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, f->reason, -1, SQLITE_STATIC);
	if (f->reason_offset >= 0)
		sqlite3_bind_int64(st, i++, f->reason_offset);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_text(st, i++, f->assumptions && f->assumptions[0] ? f->assumptions : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "%s: %s", cdb->path, sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return 0;
}

/* Read the stream to its end so its hashes cover the whole file. */
static void drain(struct stream *s)
{
	uint8_t *sink = malloc(STREAM_CHUNK);

	while (sink && stream_read(s, sink, STREAM_CHUNK) > 0)
		;
	free(sink);
}

static void report_progress(const struct import_options *o, const char *path, struct stream *s, uint64_t total)
{
	if (o->progress)
		o->progress(o->progress_userdata, path, stream_raw_size(s), total);
}

/* The importer loop proper: everything between the ledger row's birth and its completion. */
static int run_importer(const struct importer *imp, struct imp_ctx *ctx, const struct import_options *o,
			struct stream *s, uint64_t total, struct strbuf *why)
{
	void *state = NULL;
	unsigned ticks = 0;
	int r;

	r = imp->open(ctx, &state);
	if (r < 0) {
		strbuf_addf(why, "%s: cannot read as %s: %s", ctx->path, imp->name,
			    ctx->partial_reason.len ? ctx->partial_reason.buf : strerror(-r));
		imp->close(state);
		return r;
	}
	while ((r = imp->next(ctx, state)) > 0) {
		if ((++ticks & 1023) == 0)
			report_progress(o, ctx->path, s, total);
	}
	imp->close(state);
	if (ctx->sink_error)
		return ctx->sink_error;
	if (ctx->in->err && !ctx->partial)
		imp_truncated(ctx, reader_offset(ctx->in), "%s", stream_error(s) ? stream_error(s) : "read error");
	if (r < 0 && !ctx->partial)
		imp_truncated(ctx, reader_offset(ctx->in), "%s", strerror(-r));
	return 0;
}

static void result_from_ctx(struct import_result *res, const struct imp_ctx *ctx)
{
	res->events = ctx->events;
	res->skipped = ctx->skipped;
	res->first_ts = ctx->first_ts;
	res->last_ts = ctx->last_ts;
}

/* The hash of the content: the decompressed stream's for a compressed file, the file's otherwise. */
static void content_sha256(struct stream *s, char hex[SHA256_HEX_LEN + 1])
{
	if (stream_compression(s) != STREAM_PLAIN)
		stream_sha256(s, hex);
	else
		stream_raw_sha256(s, hex);
}

/*
 * Once the whole file is read, its hashes are known. The same content is the same evidence
 * however it was wrapped (a .gz of an imported log, or the log of an imported .gz). Returns
 * minus the id of the evidence this file duplicates, or 0.
 */
static int64_t find_content_duplicate(struct casedb *cdb, struct stream *s, int64_t self)
{
	char raw_hex[SHA256_HEX_LEN + 1], content_hex[SHA256_HEX_LEN + 1];
	sqlite3_stmt *st;
	int64_t dup = 0;

	stream_raw_sha256(s, raw_hex);
	content_sha256(s, content_hex);
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT id FROM evidence WHERE id != ?3 AND status IN ('complete', 'partial')"
			       " AND (sha256 IN (?1, ?2) OR stream_sha256 IN (?1, ?2)) ORDER BY id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, raw_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, content_hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, self);
	if (sqlite3_step(st) == SQLITE_ROW)
		dup = -sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return dup;
}

/* A file that failed before and now imports replaces its failed ledger rows. */
static int forget_failed_attempts(struct casedb *cdb, struct stream *s, struct strbuf *err)
{
	char raw_hex[SHA256_HEX_LEN + 1];
	sqlite3_stmt *st;
	int64_t stale[16];
	size_t n = 0;
	int r = 0;

	stream_raw_sha256(s, raw_hex);
	if (casedb_prepare(cdb, "SELECT id FROM evidence WHERE sha256 = ? AND status = 'failed' LIMIT 16", &st, err) < 0)
		return -EIO;
	sqlite3_bind_text(st, 1, raw_hex, -1, SQLITE_STATIC);
	while (n < 16 && sqlite3_step(st) == SQLITE_ROW)
		stale[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (size_t i = 0; i < n && r == 0; i++)
		r = casedb_forget_evidence(cdb, stale[i], err);
	return r;
}

/* Everything an import of one file carries from stage to stage. */
struct import_job {
	struct casedb *cdb;
	const struct import_options *opts;
	const char *name; /* as shown: the path, or "(stdin)" */
	struct stream *s;
	struct reader in;
	struct imp_ctx ctx;
	uint64_t total;   /* file size when known, for progress */
	char head_hex[SHA256_HEX_LEN + 1];
	int64_t id;       /* the ledger row */
};

/* The message of a file no importer takes: empty, unreadable, or of an unknown format. */
static void describe_unclaimed(struct import_job *job, size_t head, struct import_result *res)
{
	if (!head && job->in.err)
		strbuf_addf(&res->message, "%s: %s", job->name, stream_error(job->s));
	else if (!head)
		strbuf_addf(&res->message, "%s: empty file, nothing to import", job->name);
	else
		strbuf_addf(&res->message, "%s: unknown evidence format (no importer recognises its first bytes; "
			    "see 'backsight import --list-formats')", job->name);
	res->outcome = IMPORT_FAILED;
}

struct importer_thread {
	struct import_job *job;
	const struct importer *imp;
	struct sink_queue *queue;
	struct strbuf *why;
	int result;
};

static void *importer_main(void *arg)
{
	struct importer_thread *t = arg;

	t->result = run_importer(t->imp, &t->job->ctx, t->job->opts, t->job->s, t->job->total, t->why);
	sink_queue_close(t->queue);
	return NULL;
}

/*
 * The importer parses on a thread of its own while this thread, which owns the case database,
 * loads what it emits (sink-queue.h). The context's counts are then the loader's: a duplicate
 * is not an event of this file.
 */
static int run_pipelined(struct import_job *job, const struct importer *imp, struct loader *loader, struct strbuf *why)
{
	struct imp_sink target = { .event = loader_event, .process = loader_process, .userdata = loader,
				   .document = loader_document };
	struct importer_thread t = { .job = job, .imp = imp, .why = why };
	const struct sink_queue_counts *counts;
	pthread_t thread;
	int r;

	if ((r = sink_queue_new(target, loader_issue, loader, &t.queue)) < 0)
		return r;
	job->ctx.sink = sink_queue_sink(t.queue);
	job->ctx.issue = sink_queue_issue;
	job->ctx.issue_userdata = t.queue;
	if ((r = -pthread_create(&thread, NULL, importer_main, &t)) < 0) {
		sink_queue_free(t.queue);
		return r;
	}
	r = sink_queue_drain(t.queue);
	pthread_join(thread, NULL);
	if (r < 0 && !job->ctx.sink_error)
		job->ctx.sink_error = r;
	counts = sink_queue_counts(t.queue);
	job->ctx.events = counts->stored;
	job->ctx.duplicates = counts->duplicates;
	job->ctx.first_ts = counts->first_ts;
	job->ctx.last_ts = counts->last_ts;
	job->ctx.sink = (struct imp_sink){ 0 };
	sink_queue_free(t.queue);
	return r < 0 ? -EIO : t.result;
}

/* Run the importer into a loader. Returns < 0 only when the case itself could not be written. */
static int load_events(struct import_job *job, const struct importer *imp, struct import_result *res,
		       struct strbuf *err)
{
	struct loader *loader = NULL;
	int r;

	res->format = imp->name;
	r = loader_new(job->cdb, job->id, imp->name, &loader, err);
	if (r < 0)
		return r;
	r = run_pipelined(job, imp, loader, &res->message);
	job->ctx.issue = loader_issue;
	job->ctx.issue_userdata = loader;
	if (r == -EIO || job->ctx.sink_error) {
		strbuf_addstr(err, loader_error(loader) ? loader_error(loader) : "writing the case failed");
		r = -EIO;
	} else if (r < 0) {
		res->outcome = IMPORT_FAILED;
		r = 0;
	} else if ((r = loader_flush(loader, err)) == 0) {
		res->outcome = job->ctx.partial ? IMPORT_PARTIAL : IMPORT_COMPLETE;
		if (job->ctx.duplicates)
			imp_warning(&job->ctx, 0,
				    "%llu events were already in the case (same record id): stored once, "
				    "this file's copies listed in event_sources",
				    (unsigned long long)job->ctx.duplicates);
		if (job->ctx.partial)
			strbuf_addf(&res->message, "cut at byte %llu: %s", (unsigned long long)job->ctx.partial_offset,
				    job->ctx.partial_reason.buf);
	}
	job->ctx.sink = (struct imp_sink){ 0 };
	job->ctx.issue = NULL;
	loader_free(loader);
	return r;
}

/* With the whole file read: drop it as a duplicate, or complete its ledger row. */
static int settle_ledger(struct import_job *job, struct import_result *res, struct strbuf *err)
{
	struct ledger_final fin = { .reason_offset = -1 };
	int64_t dup = find_content_duplicate(job->cdb, job->s, job->id);
	int r;

	if (dup < 0) {
		res->outcome = IMPORT_DUPLICATE;
		res->evidence_id = -dup;
		strbuf_reset(&res->message);
		strbuf_addf(&res->message, "already imported as evidence %lld", (long long)-dup);
		return casedb_forget_evidence(job->cdb, job->id, err);
	}
	if (res->outcome != IMPORT_FAILED && (r = forget_failed_attempts(job->cdb, job->s, err)) < 0)
		return r;
	fin.status = res->outcome == IMPORT_FAILED ? "failed" : res->outcome == IMPORT_PARTIAL ? "partial" : "complete";
	fin.reason = res->message.len ? res->message.buf : NULL;
	fin.reason_offset = job->ctx.partial ? (int64_t)job->ctx.partial_offset : -1;
	fin.assumptions = job->ctx.assumptions.buf;
	fin.head_hex = job->head_hex;
	fin.ctx = &job->ctx;
	return complete_ledger_row(job->cdb, job->id, job->s, &fin, err);
}

/* Undo a failed import: roll back the open batch and forget the batches already committed. */
static void abandon(struct import_job *job)
{
	struct strbuf ignored = STRBUF_INIT;

	sqlite3_exec(job->cdb->db, "ROLLBACK", NULL, NULL, NULL);
	if (job->id > 0 && sqlite3_exec(job->cdb->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
		if (casedb_forget_evidence(job->cdb, job->id, &ignored) == 0)
			sqlite3_exec(job->cdb->db, "COMMIT", NULL, NULL, NULL);
		else
			sqlite3_exec(job->cdb->db, "ROLLBACK", NULL, NULL, NULL);
	}
	strbuf_release(&ignored);
}

/* From an open stream to a committed ledger row. */
static int import_stream(struct import_job *job, struct import_result *res, struct strbuf *err)
{
	const struct importer *imp;
	/* probes judge the first IMP_PROBE_LEN bytes, however much the reader holds */
	size_t head = reader_fill(&job->in, IMP_PROBE_LEN);
	if (head > IMP_PROBE_LEN)
		head = IMP_PROBE_LEN;
	const struct import_options *o = job->opts;
	int r;

	imp = o->importer ? o->importer : o->format ? importer_find(o->format)
						   : importer_probe(reader_data(&job->in), head);
	if (casedb_exec(job->cdb, "BEGIN IMMEDIATE", err) < 0)
		return -EIO;
	job->id = insert_ledger_row(job->cdb, job->name, imp, o, err);
	if (job->id < 0) {
		r = (int)job->id;
		job->id = 0;
		goto fail;
	}
	res->evidence_id = job->id;
	if (!imp)
		describe_unclaimed(job, head, res);
	else if ((r = load_events(job, imp, res, err)) < 0)
		goto fail;
	drain(job->s);
	report_progress(o, job->name, job->s, job->total);
	res->bytes = stream_raw_size(job->s);
	result_from_ctx(res, &job->ctx);
	if ((r = settle_ledger(job, res, err)) < 0 || (r = casedb_exec(job->cdb, "COMMIT", err)) < 0)
		goto fail;
	return 0;
fail:
	abandon(job);
	return r;
}

int import_file(struct casedb *cdb, const char *path, const struct import_options *o, struct import_result *res,
		struct strbuf *err)
{
	struct import_job job = { .cdb = cdb, .opts = o, .name = strcmp(path, "-") ? path : "(stdin)" };
	struct stat stbuf;
	int64_t dup;
	int r = 0;

	reader_init(&job.in, NULL);
	imp_ctx_init(&job.ctx, job.name, &job.in, &o->imp, (struct imp_sink){ 0 });
	if (strcmp(path, "-") && stat(path, &stbuf) == 0 && S_ISREG(stbuf.st_mode)) {
		job.total = (uint64_t)stbuf.st_size;
		dup = find_duplicate_file(cdb, path, &stbuf, job.head_hex);
		if (dup > 0) {
			res->outcome = IMPORT_DUPLICATE;
			res->evidence_id = dup;
			strbuf_addf(&res->message, "already imported as evidence %lld", (long long)dup);
			goto out;
		}
	}
	if (stream_open(path, &job.s, &res->message) < 0) {
		res->outcome = IMPORT_FAILED;
		goto out;
	}
	job.in.stream = job.s;
	r = import_stream(&job, res, err);
out:
	reader_release(&job.in);
	stream_free(job.s);
	imp_ctx_release(&job.ctx);
	return r;
}
