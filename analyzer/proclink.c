/* proclink: link the process rows of strace -ff files into one tree; see proclink.h.
 *
 * The strace importer (importers/imp-strace.c) records, for a file whose name ends in .PID,
 * the assumption "strace -ff file: pid PID taken from the file name": that is what marks a -ff
 * file here. In such a file every line is the file's own process, so its process rows are that
 * process (parent_id NULL unless linked) and one row per child it created (parent_id set, no
 * end, start at the clone): the child rows never carry events.
 */
#include "proclink.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "event.h"
#include "i64map.h"

#define FF_MARK "strace -ff file: pid "
/* A child's first call may come after its parent ended (fork, then the parent exits at once),
 * but not long after: past this, a clone row of that pid belongs to an older run. */
#define FF_EXIT_SLACK (60 * BS_NS_PER_SEC)

struct ff_row {
	int64_t id, evidence, pid, start_ts; /* start_ts: the clone's time (child rows), else BS_NONE */
	int64_t when;                        /* a file's own row: the first call of its file */
	int64_t parent_end;                  /* a clone row: when its parent ended, BS_NONE if it did not */
	char *host;                          /* NULL: none */
	bool used;
};

struct ff_rows {
	struct ff_row *v;
	size_t n, cap;
};

static void rows_add(struct ff_rows *r, const struct ff_row *row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n++] = *row;
}

static void rows_release(struct ff_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].host);
	free(r->v);
}

static int host_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Clone rows by host, pid, then time. */
static int clone_cmp(const void *x, const void *y)
{
	const struct ff_row *a = x, *b = y;
	int c = host_cmp(a->host, b->host);

	if (c)
		return c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->start_ts < b->start_ts ? -1 : a->start_ts > b->start_ts;
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, i);
}

/* The -ff files among the strace evidence: evidence id → file pid, and their first times. */
static int ff_files(struct casedb *cdb, struct i64map *file_pid, struct i64map *first_ts, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r, n = 0;

	if (casedb_prepare(cdb,
			   "SELECT id, first_ts, assumptions FROM evidence WHERE format = 'strace'"
			   " AND status IN ('complete', 'partial') AND instr(assumptions, '" FF_MARK "') > 0",
			   &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 2), *m = a ? strstr(a, FF_MARK) : NULL;
		char *end;
		long long pid;
		if (!m)
			continue;
		pid = strtoll(m + strlen(FF_MARK), &end, 10);
		if (end == m + strlen(FF_MARK))
			continue;
		i64map_put(file_pid, sqlite3_column_int64(st, 0), pid);
		i64map_put(first_ts, sqlite3_column_int64(st, 0), col_i64(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading the evidence ledger: %s", sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return n;
}

/* The newest clone row for `own` (same host and pid, another file, at or before its first
 * call); NULL when none, or when two files cloned it at that same time. */
static struct ff_row *clone_of(struct ff_rows *clones, const struct ff_row *own)
{
	size_t lo = 0, hi = clones->n;
	struct ff_row *best = NULL;

	/* first clone row of (host, pid) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ff_row *c = &clones->v[mid];
		int k = host_cmp(c->host, own->host);
		if (k < 0 || (k == 0 && c->pid < own->pid))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < clones->n; i++) {
		struct ff_row *c = &clones->v[i];
		if (c->pid != own->pid || host_cmp(c->host, own->host))
			break;
		if (c->evidence == own->evidence || (own->when != BS_NONE && c->start_ts > own->when))
			continue;
		if (own->when != BS_NONE && c->parent_end != BS_NONE && own->when > c->parent_end + FF_EXIT_SLACK)
			continue; /* its parent was long gone: another run's child of that pid */
		if (best && best->start_ts == c->start_ts)
			return NULL; /* ambiguous */
		best = c;
	}
	return best && !best->used ? best : NULL;
}

int proclink_strace_ff(struct casedb *cdb, struct strbuf *err)
{
	struct i64map file_pid, first_ts;
	struct ff_rows own = { 0 }, clones = { 0 };
	sqlite3_stmt *st = NULL, *upd = NULL, *del = NULL;
	int r, linked = 0, nfiles;

	i64map_init(&file_pid);
	i64map_init(&first_ts);
	nfiles = ff_files(cdb, &file_pid, &first_ts, err);
	if (nfiles < 2) {
		r = nfiles < 0 ? nfiles : 0;
		goto out;
	}
	/* one pass over processes; evidence_id has no index, and the IN list is built once */
	r = casedb_prepare(cdb,
			   "SELECT p.id, p.evidence_id, p.pid, p.parent_id, p.start_ts, p.end_ts, p.host,"
			   " (SELECT end_ts FROM processes par WHERE par.id = p.parent_id) FROM processes p"
			   " WHERE p.evidence_id IN (SELECT id FROM evidence WHERE format = 'strace'"
			   " AND status IN ('complete', 'partial') AND instr(assumptions, '" FF_MARK "') > 0)",
			   &st, err);
	if (r < 0)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct ff_row row = { .id = sqlite3_column_int64(st, 0), .evidence = sqlite3_column_int64(st, 1),
				      .pid = sqlite3_column_int64(st, 2), .start_ts = col_i64(st, 4), .when = BS_NONE,
				      .parent_end = col_i64(st, 7) };
		const char *host = (const char *)sqlite3_column_text(st, 6);
		int64_t fpid;
		bool is_own;
		if (!i64map_get(&file_pid, row.evidence, &fpid))
			continue;
		is_own = row.pid == fpid;
		if (is_own && sqlite3_column_type(st, 3) == SQLITE_NULL) {
			if (!i64map_get(&first_ts, row.evidence, &row.when))
				row.when = BS_NONE;
			if (row.start_ts != BS_NONE && (row.when == BS_NONE || row.start_ts < row.when))
				row.when = row.start_ts;
		} else if (row.pid != fpid && sqlite3_column_type(st, 3) != SQLITE_NULL &&
			   sqlite3_column_type(st, 5) == SQLITE_NULL && row.start_ts != BS_NONE) {
			/* a child this file's process created: stands for the child's own file */
		} else {
			continue;
		}
		row.host = host ? strdup(host) : NULL;
		if (host && !row.host)
			abort();
		rows_add(is_own ? &own : &clones, &row);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading processes: %s", sqlite3_errmsg(cdb->db));
		r = -EIO;
		goto out;
	}
	r = 0;
	if (!own.n || !clones.n)
		goto out;
	qsort(clones.v, clones.n, sizeof(*clones.v), clone_cmp);

	if ((r = casedb_exec(cdb, "BEGIN IMMEDIATE", err)) < 0)
		goto out;
	/* the child's own row keeps what its file says; the clone row fills what it does not */
	r = casedb_prepare(cdb,
			   "UPDATE processes SET (parent_id, ppid, start_ts, exe, name, args, cwd, uid, euid, loginuid,"
			   " tty, sid) = (SELECT c.parent_id, c.ppid, coalesce(processes.start_ts, c.start_ts),"
			   " coalesce(processes.exe, c.exe), coalesce(processes.name, c.name),"
			   " coalesce(processes.args, c.args), coalesce(processes.cwd, c.cwd),"
			   " coalesce(processes.uid, c.uid), coalesce(processes.euid, c.euid),"
			   " coalesce(processes.loginuid, c.loginuid), coalesce(processes.tty, c.tty),"
			   " coalesce(processes.sid, c.sid) FROM processes c WHERE c.id = ?2)"
			   " WHERE id = ?1",
			   &upd, err);
	if (r >= 0)
		r = casedb_prepare(cdb, "DELETE FROM processes WHERE id = ?1", &del, err);
	for (size_t i = 0; r >= 0 && i < own.n; i++) {
		struct ff_row *c = clone_of(&clones, &own.v[i]);
		if (!c)
			continue;
		c->used = true;
		sqlite3_bind_int64(upd, 1, own.v[i].id);
		sqlite3_bind_int64(upd, 2, c->id);
		sqlite3_bind_int64(del, 1, c->id);
		if (sqlite3_step(upd) != SQLITE_DONE || sqlite3_step(del) != SQLITE_DONE) {
			strbuf_addf(err, "linking strace -ff processes: %s", sqlite3_errmsg(cdb->db));
			r = -EIO;
			break;
		}
		sqlite3_reset(upd);
		sqlite3_reset(del);
		linked++;
	}
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	if (r >= 0 && (r = casedb_exec(cdb, "COMMIT", err)) >= 0) {
		r = linked;
	} else {
		struct strbuf ignored = STRBUF_INIT;
		casedb_exec(cdb, "ROLLBACK", &ignored);
		strbuf_release(&ignored);
	}
out:
	sqlite3_finalize(st);
	rows_release(&own);
	rows_release(&clones);
	i64map_release(&file_pid);
	i64map_release(&first_ts);
	return r;
}
