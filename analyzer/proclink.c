/* proclink: link the process rows of strace -ff files into one tree; see proclink.h.
 *
 * The strace importer (importers/imp-strace.c) records, for a file whose name ends in .PID,
 * the assumption "strace -ff file: pid PID taken from the file name": that is what marks a -ff
 * file here; a -ff file with -r times also records "strace -ff -r file: first line +N ns" (the
 * -r value of its first line). In such a file every line is the file's own process, so its
 * process rows are that process (parent_id NULL unless linked) and one row per child it created
 * (parent_id set, no end, start at the clone): the child rows never carry events. Threads it
 * created have no row; their clone events (evt.arg.flags with CLONE_THREAD, evt.arg.child_pid)
 * say who made them.
 *
 * Everything is decided in memory from one read of those rows and clone events, then applied
 * in one transaction: whole-table passes over events happen once however many files link.
 */
#include "proclink.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "event.h"
#include "i64map.h"

#define FF_MARK "strace -ff file: pid "
#define REL_MARK "strace -ff -r file: first line +"
/* A child's first call may come after its parent ended (fork, then the parent exits at once),
 * but not long after: past this, a clone row of that pid belongs to an older run. */
#define FF_EXIT_SLACK (60 * BS_NS_PER_SEC)

/* The -ff evidence of strace. */
#define FF_EVIDENCE                                                                                \
	"SELECT id FROM evidence WHERE format = 'strace' AND status IN ('complete', 'partial')"  \
	" AND instr(assumptions, '" FF_MARK "') > 0"

struct ff_file {
	int64_t evidence, pid, first_ts;
	int64_t rel0;   /* -r: the first line's value, ns; BS_NONE: not -r */
	char *prefix;   /* the evidence name up to its ".PID" */
};

/* A process row of a -ff file. */
struct ff_row {
	int64_t id, evidence, pid, parent_id, start_ts, end_ts;
	char *host;
	int64_t link;   /* an own root linked now: its maker's index, else -1 */
	int64_t off;    /* -r: what its times move by; BS_NONE until computed */
	int8_t state;   /* off computation: 0 not yet, 1 under way, 2 done */
};

/* What created a pid: a clone row, or a CLONE_THREAD clone event (then `row` is the row of the
 * process that made the thread). */
struct maker {
	int64_t row, evidence, pid, ts, parent_end;
	char *host;
	bool thread, used;
};

struct proclink {
	struct ff_file *files;
	size_t nfiles;
	struct i64map file_of; /* evidence id → index in files */
	struct ff_row *rows;
	size_t nrows, caprows;
	struct i64map row_of; /* process id → index in rows */
	struct maker *makers;
	size_t nmakers, capmakers;
};

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	v = realloc(v, *cap * size);
	if (!v)
		abort();
	return v;
}

static char *dup_or_null(const unsigned char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup((const char *)s)))
		abort();
	return d;
}

static void proclink_release(struct proclink *pl)
{
	for (size_t i = 0; i < pl->nfiles; i++)
		free(pl->files[i].prefix);
	for (size_t i = 0; i < pl->nrows; i++)
		free(pl->rows[i].host);
	for (size_t i = 0; i < pl->nmakers; i++)
		free(pl->makers[i].host);
	free(pl->files);
	free(pl->rows);
	free(pl->makers);
	i64map_release(&pl->file_of);
	i64map_release(&pl->row_of);
}

static int host_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Makers by host, pid, then time. */
static int maker_cmp(const void *x, const void *y)
{
	const struct maker *a = x, *b = y;
	int c = host_cmp(a->host, b->host);

	if (c)
		return c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, i);
}

static int step_error(struct casedb *cdb, const char *what, struct strbuf *err)
{
	strbuf_addf(err, "%s: %s", what, sqlite3_errmsg(cdb->db));
	return -EIO;
}

static const struct ff_file *file_of(const struct proclink *pl, int64_t evidence)
{
	int64_t i;

	return i64map_get(&pl->file_of, evidence, &i) ? &pl->files[i] : NULL;
}

/* The -ff files among the strace evidence: their pid, first time, -r start and run prefix. */
static int read_files(struct casedb *cdb, struct proclink *pl, struct strbuf *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int r;

	if (casedb_prepare(cdb,
			   "SELECT id, first_ts, assumptions, name FROM evidence WHERE id IN (" FF_EVIDENCE ")",
			   &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 2), *m = a ? strstr(a, FF_MARK) : NULL;
		const char *rel = a ? strstr(a, REL_MARK) : NULL, *name = (const char *)sqlite3_column_text(st, 3);
		struct ff_file f = { .evidence = sqlite3_column_int64(st, 0), .first_ts = col_i64(st, 1), .rel0 = BS_NONE };
		char *end;
		if (!m)
			continue;
		f.pid = strtoll(m + strlen(FF_MARK), &end, 10);
		if (end == m + strlen(FF_MARK))
			continue;
		if (rel) {
			f.rel0 = strtoll(rel + strlen(REL_MARK), &end, 10);
			if (end == rel + strlen(REL_MARK) || f.rel0 < 0)
				f.rel0 = BS_NONE;
		}
		if (name) {
			/* the run: the name without its ".PID" (and whatever follows it) */
			char pidtext[32];
			const char *cut = NULL;
			snprintf(pidtext, sizeof(pidtext), ".%lld", (long long)f.pid);
			for (const char *p = strstr(name, pidtext); p; p = strstr(p + 1, pidtext))
				cut = p;
			f.prefix = strndup(name, cut ? (size_t)(cut - name) : strlen(name));
			if (!f.prefix)
				abort();
		}
		pl->files = grow(pl->files, &cap, pl->nfiles, sizeof(*pl->files));
		i64map_put(&pl->file_of, f.evidence, (int64_t)pl->nfiles);
		pl->files[pl->nfiles++] = f;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return step_error(cdb, "reading the evidence ledger", err);
	return 0;
}

/* Every process row of those files; the clone rows become makers. */
static int read_rows(struct casedb *cdb, struct proclink *pl, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r;

	if (casedb_prepare(cdb,
			   "SELECT p.id, p.evidence_id, p.pid, p.parent_id, p.start_ts, p.end_ts, p.host,"
			   " (SELECT end_ts FROM processes par WHERE par.id = p.parent_id) FROM processes p"
			   " WHERE p.evidence_id IN (" FF_EVIDENCE ")",
			   &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct ff_row row = { .id = sqlite3_column_int64(st, 0), .evidence = sqlite3_column_int64(st, 1),
				      .pid = sqlite3_column_int64(st, 2), .parent_id = col_i64(st, 3),
				      .start_ts = col_i64(st, 4), .end_ts = col_i64(st, 5), .link = -1, .off = BS_NONE };
		const struct ff_file *f = file_of(pl, row.evidence);
		if (!f)
			continue;
		row.host = dup_or_null(sqlite3_column_text(st, 6));
		if (row.pid != f->pid && row.parent_id != BS_NONE && row.end_ts == BS_NONE && row.start_ts != BS_NONE) {
			/* a child this file's process created: stands for the child's own file */
			struct maker mk = { .row = row.id, .evidence = row.evidence, .pid = row.pid, .ts = row.start_ts,
					    .parent_end = col_i64(st, 7), .host = dup_or_null(sqlite3_column_text(st, 6)) };
			pl->makers = grow(pl->makers, &pl->capmakers, pl->nmakers, sizeof(*pl->makers));
			pl->makers[pl->nmakers++] = mk;
		}
		pl->rows = grow(pl->rows, &pl->caprows, pl->nrows, sizeof(*pl->rows));
		i64map_put(&pl->row_of, row.id, (int64_t)pl->nrows);
		pl->rows[pl->nrows++] = row;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return step_error(cdb, "reading processes", err);
	return 0;
}

static struct ff_row *row_of(struct proclink *pl, int64_t id)
{
	int64_t i;

	return i64map_get(&pl->row_of, id, &i) ? &pl->rows[i] : NULL;
}

/* The threads the -ff files' processes created, from their clone events. */
static int read_thread_clones(struct casedb *cdb, struct proclink *pl, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r;

	if (casedb_prepare(cdb,
			   "SELECT evidence_id, ts, host, process_id, json_extract(fields, '$.\"evt.arg.child_pid\"')"
			   " FROM events WHERE type IN ('clone', 'clone3') AND process_id IS NOT NULL"
			   " AND evidence_id IN (" FF_EVIDENCE ")"
			   " AND instr(json_extract(fields, '$.\"evt.arg.flags\"'), 'CLONE_THREAD') > 0",
			   &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct maker mk = { .evidence = sqlite3_column_int64(st, 0), .ts = sqlite3_column_int64(st, 1),
				    .row = sqlite3_column_int64(st, 3), .pid = col_i64(st, 4), .parent_end = BS_NONE,
				    .thread = true };
		const struct ff_row *creator = row_of(pl, mk.row);
		if (mk.pid == BS_NONE || mk.pid <= 0 || !creator)
			continue;
		mk.parent_end = creator->end_ts;
		mk.host = dup_or_null(sqlite3_column_text(st, 2));
		pl->makers = grow(pl->makers, &pl->capmakers, pl->nmakers, sizeof(*pl->makers));
		pl->makers[pl->nmakers++] = mk;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return step_error(cdb, "reading clone events", err);
	return 0;
}

/*
 * The maker of `own` (the root row of file f): same host and pid, another file of the same
 * kind (-r or not). By time: the newest at or before the file's first call, by a process not
 * long gone; with -r, the one of the same run. -1 when none, or when it is ambiguous.
 */
static int64_t maker_of(struct proclink *pl, const struct ff_row *own, const struct ff_file *f)
{
	size_t lo = 0, hi = pl->nmakers;
	int64_t best = -1, when = f->first_ts;
	bool rel = f->rel0 != BS_NONE;

	if (own->start_ts != BS_NONE && (when == BS_NONE || own->start_ts < when))
		when = own->start_ts;
	/* the first maker of (host, pid) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct maker *c = &pl->makers[mid];
		int k = host_cmp(c->host, own->host);
		if (k < 0 || (k == 0 && c->pid < own->pid))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < pl->nmakers; i++) {
		const struct maker *c = &pl->makers[i];
		const struct ff_file *cf = file_of(pl, c->evidence);
		if (c->pid != own->pid || host_cmp(c->host, own->host))
			break;
		if (c->evidence == own->evidence || !cf || (cf->rel0 != BS_NONE) != rel)
			continue;
		if (rel) {
			if (!f->prefix || !cf->prefix || strcmp(f->prefix, cf->prefix))
				continue;
			if (best >= 0)
				return -1; /* a pid made twice in one run: no time to tell them apart */
			best = (int64_t)i;
			continue;
		}
		if (when != BS_NONE && c->ts > when)
			continue;
		if (when != BS_NONE && c->parent_end != BS_NONE && when > c->parent_end + FF_EXIT_SLACK)
			continue; /* its parent was long gone: another run's child of that pid */
		if (best >= 0 && pl->makers[best].ts == c->ts)
			return -1; /* ambiguous */
		best = (int64_t)i;
	}
	return best >= 0 && !pl->makers[best].used ? best : -1;
}

/* Where a row's events and times now belong: a thread linked now, to its maker's process,
 * followed as long as that is a thread linked now too. NULL on a cycle. */
static struct ff_row *thread_target(struct proclink *pl, struct ff_row *r)
{
	for (size_t steps = 0; r && r->link >= 0 && pl->makers[r->link].thread; steps++) {
		if (steps > pl->nrows)
			return NULL;
		r = row_of(pl, pl->makers[r->link].row);
	}
	return r;
}

/*
 * -r: what a row's times move by. A row linked now moves so that its file's first line comes
 * its own -r value after the clone that made it (its file's times were counted from
 * first_ts - rel0), plus what that clone's own row moves by; any other row moves with its parent;
 * a root stays. BS_NONE on a cycle.
 */
static int64_t offset_of(struct proclink *pl, struct ff_row *r)
{
	int64_t off = 0;

	if (r->state == 2)
		return r->off;
	if (r->state == 1)
		return BS_NONE;
	r->state = 1;
	if (r->link >= 0) {
		const struct maker *mk = &pl->makers[r->link];
		const struct ff_file *f = file_of(pl, r->evidence);
		struct ff_row *up = row_of(pl, mk->row);
		int64_t upoff = up ? offset_of(pl, up) : 0;
		if (upoff == BS_NONE || !f)
			off = BS_NONE;
		else if (f->rel0 != BS_NONE && f->first_ts != BS_NONE)
			off = mk->ts + upoff - (f->first_ts - f->rel0);
		else
			off = upoff;
	} else if (r->parent_id != BS_NONE) {
		struct ff_row *up = row_of(pl, r->parent_id);
		off = up ? offset_of(pl, up) : 0;
	}
	r->off = off;
	r->state = 2;
	return off;
}

static int exec_bind(struct casedb *cdb, sqlite3_stmt *st, const char *what, struct strbuf *err)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return step_error(cdb, what, err);
	return 0;
}

/* Apply the decisions: see the numbered steps. */
static int apply(struct casedb *cdb, struct proclink *pl, bool any_rel, struct strbuf *err)
{
	sqlite3_stmt *ins = NULL, *upd = NULL, *del = NULL;
	int r;

	if ((r = casedb_exec(cdb, "BEGIN IMMEDIATE", err)) < 0)
		return r;
	r = casedb_exec(cdb,
			"CREATE TEMP TABLE IF NOT EXISTS proclink_map (id INTEGER PRIMARY KEY, shift INTEGER NOT NULL,"
			" to_id INTEGER, old_pid INTEGER); DELETE FROM temp.proclink_map",
			err);
	if (r >= 0)
		r = casedb_prepare(cdb, "INSERT INTO temp.proclink_map VALUES (?1, ?2, ?3, ?4)", &ins, err);
	/* 1. what moves in time, what joins another process */
	for (size_t i = 0; r >= 0 && i < pl->nrows; i++) {
		struct ff_row *row = &pl->rows[i], *to = NULL;
		int64_t off = any_rel ? offset_of(pl, row) : 0;
		if (row->link >= 0 && pl->makers[row->link].thread)
			to = thread_target(pl, row);
		if (off == BS_NONE)
			off = 0;
		if (!off && !to)
			continue;
		sqlite3_bind_int64(ins, 1, row->id);
		sqlite3_bind_int64(ins, 2, off);
		if (to)
			sqlite3_bind_int64(ins, 3, to->id);
		else
			sqlite3_bind_null(ins, 3);
		sqlite3_bind_int64(ins, 4, row->pid);
		r = exec_bind(cdb, ins, "noting what links", err);
		sqlite3_clear_bindings(ins);
	}
	/* 2. rows move in time (the clone rows first: a child's start is its clone's) */
	if (r >= 0 && any_rel)
		r = casedb_exec(cdb,
				"UPDATE processes SET start_ts = start_ts + m.shift, end_ts = end_ts + m.shift"
				" FROM temp.proclink_map m WHERE processes.id = m.id AND m.shift != 0",
				err);
	/* 3. a child file's row takes its parent from the clone row, which goes */
	if (r >= 0)
		r = casedb_prepare(cdb,
				   "UPDATE processes SET (parent_id, ppid, start_ts, exe, name, args, cwd, uid, euid,"
				   " loginuid, tty, sid) = (SELECT c.parent_id, c.ppid, coalesce(processes.start_ts, c.start_ts),"
				   " coalesce(processes.exe, c.exe), coalesce(processes.name, c.name),"
				   " coalesce(processes.args, c.args), coalesce(processes.cwd, c.cwd),"
				   " coalesce(processes.uid, c.uid), coalesce(processes.euid, c.euid),"
				   " coalesce(processes.loginuid, c.loginuid), coalesce(processes.tty, c.tty),"
				   " coalesce(processes.sid, c.sid) FROM processes c WHERE c.id = ?2)"
				   " WHERE id = ?1",
				   &upd, err);
	if (r >= 0)
		r = casedb_prepare(cdb, "DELETE FROM processes WHERE id = ?1", &del, err);
	for (size_t i = 0; r >= 0 && i < pl->nrows; i++) {
		const struct ff_row *row = &pl->rows[i];
		if (row->link < 0 || pl->makers[row->link].thread)
			continue;
		sqlite3_bind_int64(upd, 1, row->id);
		sqlite3_bind_int64(upd, 2, pl->makers[row->link].row);
		sqlite3_bind_int64(del, 1, pl->makers[row->link].row);
		if ((r = exec_bind(cdb, upd, "linking strace -ff processes", err)) >= 0)
			r = exec_bind(cdb, del, "linking strace -ff processes", err);
	}
	/* 4. events: moved in time; a thread's become its process's (pid, ppid, process_id, and
	 * the "(name pid N)" that ends the summary); its tid stays */
	if (r >= 0)
		r = casedb_exec(cdb,
				"UPDATE events SET ts = events.ts + m.shift,"
				" pid = CASE WHEN m.to_id IS NULL THEN events.pid ELSE t.pid END,"
				" ppid = CASE WHEN m.to_id IS NULL THEN events.ppid ELSE t.ppid END,"
				" process_id = coalesce(m.to_id, events.process_id),"
				" summary = CASE WHEN m.to_id IS NULL THEN events.summary"
				"  WHEN substr(events.summary, -length(' (pid ' || m.old_pid || ')')) = ' (pid ' || m.old_pid || ')'"
				"  THEN substr(events.summary, 1, length(events.summary) - length(' (pid ' || m.old_pid || ')'))"
				"   || ' (' || coalesce(t.name || ' ', '') || 'pid ' || t.pid || ')'"
				"  WHEN substr(events.summary, -length('pid ' || m.old_pid || ')')) = 'pid ' || m.old_pid || ')'"
				"  THEN substr(events.summary, 1, length(events.summary) - length('pid ' || m.old_pid || ')'))"
				"   || 'pid ' || t.pid || ')'"
				"  ELSE events.summary END"
				" FROM temp.proclink_map m LEFT JOIN processes t ON t.id = m.to_id"
				" WHERE events.process_id = m.id",
				err);
	/* 5. what a thread forked hangs under its process; the thread's row goes */
	if (r >= 0)
		r = casedb_exec(cdb,
				"UPDATE processes SET parent_id = m.to_id, ppid = t.pid FROM temp.proclink_map m"
				" JOIN processes t ON t.id = m.to_id WHERE processes.parent_id = m.id;"
				" DELETE FROM processes WHERE id IN (SELECT id FROM temp.proclink_map WHERE to_id IS NOT NULL)",
				err);
	/* 6. the ledger's first and last times of the files that moved */
	if (r >= 0 && any_rel)
		r = casedb_exec(cdb,
				"UPDATE evidence SET first_ts = s.lo, last_ts = s.hi FROM (SELECT evidence_id, min(ts) AS lo,"
				" max(ts) AS hi FROM events WHERE evidence_id IN (SELECT id FROM evidence WHERE format = 'strace'"
				" AND instr(assumptions, '" REL_MARK "') > 0) GROUP BY evidence_id) s"
				" WHERE evidence.id = s.evidence_id",
				err);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	if (r >= 0)
		r = casedb_exec(cdb, "DROP TABLE temp.proclink_map; COMMIT", err);
	if (r < 0) {
		struct strbuf ignored = STRBUF_INIT;
		casedb_exec(cdb, "ROLLBACK", &ignored);
		strbuf_release(&ignored);
	}
	return r;
}

int proclink_strace_ff(struct casedb *cdb, struct strbuf *err)
{
	struct proclink pl = { 0 };
	size_t roots = 0;
	int r, linked = 0;
	bool any_rel = false;

	i64map_init(&pl.file_of);
	i64map_init(&pl.row_of);
	if ((r = read_files(cdb, &pl, err)) < 0 || pl.nfiles < 2)
		goto out;
	if ((r = read_rows(cdb, &pl, err)) < 0)
		goto out;
	for (size_t i = 0; i < pl.nrows; i++) {
		const struct ff_file *f = file_of(&pl, pl.rows[i].evidence);
		roots += pl.rows[i].pid == f->pid && pl.rows[i].parent_id == BS_NONE;
	}
	if (roots < 2)
		goto out; /* one tree already (or none): nothing to link */
	if ((r = read_thread_clones(cdb, &pl, err)) < 0)
		goto out;
	if (!pl.nmakers)
		goto out;
	qsort(pl.makers, pl.nmakers, sizeof(*pl.makers), maker_cmp);

	for (size_t i = 0; i < pl.nrows; i++) {
		struct ff_row *row = &pl.rows[i];
		const struct ff_file *f = file_of(&pl, row->evidence);
		int64_t mk;
		if (row->pid != f->pid || row->parent_id != BS_NONE || (mk = maker_of(&pl, row, f)) < 0)
			continue;
		pl.makers[mk].used = true;
		row->link = mk;
		any_rel |= f->rel0 != BS_NONE;
		linked++;
	}
	/* a cycle of threads (which evidence cannot hold, but files can) links none of them */
	for (size_t i = 0; i < pl.nrows; i++) {
		struct ff_row *row = &pl.rows[i];
		if (row->link >= 0 && pl.makers[row->link].thread && !thread_target(&pl, row)) {
			row->link = -1;
			linked--;
		}
	}
	if (linked)
		r = apply(cdb, &pl, any_rel, err);
	if (r >= 0)
		r = linked;
out:
	proclink_release(&pl);
	return r;
}
