/* proc-rows: process rows merged in memory and written once a transaction; see proc-rows.h. */
#include "proc-rows.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "i64map.h"

enum { F_HOST, F_EXE, F_NAME, F_ARGS, F_CWD, F_TTY, F_CONTAINER, NTEXT };
enum { F_PID, F_PPID, F_START, F_END, F_UID, F_EUID, F_LOGINUID, F_SID, F_EXIT, F_PARENT, NINT };

/* A row's fields heard since the last flush: NULL / BS_NONE for those not heard. */
struct pending {
	int64_t id;
	bool written; /* inserted by an earlier flush: UPDATE what was heard since */
	char *text[NTEXT];
	int64_t num[NINT];
};

struct proc_rows {
	sqlite3 *db;
	int64_t evidence_id, next_id;
	sqlite3_stmt *ins, *upd;
	struct i64map ids;     /* key -> processes.id */
	struct i64map pending; /* processes.id -> index in rows */
	struct pending *rows;
	size_t nrows, cap;
};

int proc_rows_new(sqlite3 *db, int64_t evidence_id, struct proc_rows **ret_rows)
{
	struct proc_rows *pr = calloc(1, sizeof(*pr));
	sqlite3_stmt *max = NULL;

	if (!pr)
		return -ENOMEM;
	pr->db = db;
	pr->evidence_id = evidence_id;
	i64map_init(&pr->ids);
	i64map_init(&pr->pending);
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) + 1 FROM processes", -1, &max, NULL) != SQLITE_OK ||
	    sqlite3_step(max) != SQLITE_ROW ||
	    sqlite3_prepare_v3(db,
			       "INSERT INTO processes (host, exe, name, args, cwd, tty, container_id, pid, ppid, start_ts,"
			       " end_ts, uid, euid, loginuid, sid, exit_status, parent_id, id, evidence_id)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, SQLITE_PREPARE_PERSISTENT, &pr->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db,
			       "UPDATE processes SET host = coalesce(?1, host), exe = coalesce(?2, exe),"
			       " name = coalesce(?3, name), args = coalesce(?4, args), cwd = coalesce(?5, cwd),"
			       " tty = coalesce(?6, tty), container_id = coalesce(?7, container_id),"
			       " pid = coalesce(?8, pid), ppid = coalesce(?9, ppid), start_ts = coalesce(?10, start_ts),"
			       " end_ts = coalesce(?11, end_ts), uid = coalesce(?12, uid), euid = coalesce(?13, euid),"
			       " loginuid = coalesce(?14, loginuid), sid = coalesce(?15, sid),"
			       " exit_status = coalesce(?16, exit_status), parent_id = coalesce(?17, parent_id)"
			       " WHERE id = ?18",
			       -1, SQLITE_PREPARE_PERSISTENT, &pr->upd, NULL) != SQLITE_OK) {
		sqlite3_finalize(max);
		proc_rows_free(pr);
		return -EIO;
	}
	pr->next_id = sqlite3_column_int64(max, 0);
	sqlite3_finalize(max);
	*ret_rows = pr;
	return 0;
}

static void clear(struct pending *p)
{
	for (size_t i = 0; i < NTEXT; i++)
		free(p->text[i]);
}

void proc_rows_free(struct proc_rows *pr)
{
	if (!pr)
		return;
	for (size_t i = 0; i < pr->nrows; i++)
		clear(&pr->rows[i]);
	free(pr->rows);
	i64map_release(&pr->ids);
	i64map_release(&pr->pending);
	sqlite3_finalize(pr->ins);
	sqlite3_finalize(pr->upd);
	free(pr);
}

int64_t proc_rows_id(const struct proc_rows *pr, int64_t key)
{
	int64_t id;

	return key != BS_NONE && i64map_get(&pr->ids, key, &id) ? id : BS_NONE;
}

/* The pending entry of row id, made empty on first use. */
static struct pending *pending_row(struct proc_rows *pr, int64_t id, bool written)
{
	int64_t at;
	struct pending *p;

	if (i64map_get(&pr->pending, id, &at))
		return &pr->rows[at];
	if (pr->nrows == pr->cap) {
		size_t cap = pr->cap ? pr->cap * 2 : 256;
		struct pending *grown = realloc(pr->rows, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		pr->rows = grown;
		pr->cap = cap;
	}
	p = &pr->rows[pr->nrows];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->written = written;
	for (size_t i = 0; i < NINT; i++)
		p->num[i] = BS_NONE;
	i64map_put(&pr->pending, id, (int64_t)pr->nrows++);
	return p;
}

static int set_text(struct pending *p, int field, const char *s)
{
	char *copy;

	if (!s)
		return 0;
	if (!(copy = strdup(s)))
		return -ENOMEM;
	free(p->text[field]);
	p->text[field] = copy;
	return 0;
}

static void set_int(struct pending *p, int field, int64_t v)
{
	if (v != BS_NONE)
		p->num[field] = v;
}

int proc_rows_put(struct proc_rows *pr, const struct bs_process *proc)
{
	int64_t id = proc_rows_id(pr, proc->key), at;
	bool known = id != BS_NONE;
	struct pending *p;

	if (!known) {
		id = pr->next_id++;
		if (proc->key != BS_NONE)
			i64map_put(&pr->ids, proc->key, id);
	}
	/* a known row that is not pending was written by an earlier flush */
	if (!(p = pending_row(pr, id, known && !i64map_get(&pr->pending, id, &at))))
		return -ENOMEM;
	if (set_text(p, F_HOST, proc->host) < 0 || set_text(p, F_EXE, proc->exe) < 0 ||
	    set_text(p, F_NAME, proc->name) < 0 || set_text(p, F_ARGS, proc->args_json) < 0 ||
	    set_text(p, F_CWD, proc->cwd) < 0 || set_text(p, F_TTY, proc->tty) < 0 ||
	    set_text(p, F_CONTAINER, proc->container_id) < 0)
		return -ENOMEM;
	set_int(p, F_PID, proc->pid);
	set_int(p, F_PPID, proc->ppid);
	set_int(p, F_START, proc->start_ts);
	set_int(p, F_END, proc->end_ts);
	set_int(p, F_UID, proc->uid);
	set_int(p, F_EUID, proc->euid);
	set_int(p, F_LOGINUID, proc->loginuid);
	set_int(p, F_SID, proc->sid);
	set_int(p, F_EXIT, proc->exit_status);
	set_int(p, F_PARENT, proc_rows_id(pr, proc->parent_key));
	return 0;
}

static int write_row(struct proc_rows *pr, const struct pending *p)
{
	sqlite3_stmt *st = p->written ? pr->upd : pr->ins;
	int i = 1, rc;

	for (size_t f = 0; f < NTEXT; f++, i++)
		if (p->text[f])
			sqlite3_bind_text(st, i, p->text[f], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, i);
	for (size_t f = 0; f < NINT; f++, i++)
		if (p->num[f] != BS_NONE)
			sqlite3_bind_int64(st, i, p->num[f]);
		else
			sqlite3_bind_null(st, i);
	sqlite3_bind_int64(st, i++, p->id);
	if (!p->written)
		sqlite3_bind_int64(st, i, pr->evidence_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int proc_rows_flush(struct proc_rows *pr)
{
	int r = 0;

	/* in id order: new rows append to the table's end */
	for (size_t i = 0; i < pr->nrows; i++) {
		if (r == 0)
			r = write_row(pr, &pr->rows[i]);
		clear(&pr->rows[i]);
	}
	pr->nrows = 0;
	i64map_release(&pr->pending);
	i64map_init(&pr->pending);
	return r;
}
