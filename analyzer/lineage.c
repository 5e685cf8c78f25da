/* lineage: walking the process tree upwards; see lineage.h. */
#include "lineage.h"

#include <errno.h>

#include "event.h"

static int64_t column_int(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, col);
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

int lineage_walk(struct casedb *cdb, int64_t process_id, int max_depth, lineage_fn fn, void *userdata)
{
	int64_t seen[LINEAGE_MAX_DEPTH];
	sqlite3_stmt *st;
	int depth;

	if (max_depth > LINEAGE_MAX_DEPTH)
		max_depth = LINEAGE_MAX_DEPTH;
	if (process_id == BS_NONE)
		return 0;
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT pid, ppid, uid, euid, start_ts, exe, name, args, cwd, parent_id FROM processes"
			       " WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	for (depth = 0; depth < max_depth && process_id != BS_NONE; depth++) {
		struct lineage_step step = { .depth = depth, .process_id = process_id };
		for (int k = 0; k < depth; k++)
			if (seen[k] == process_id)
				goto out;
		seen[depth] = process_id;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, process_id);
		if (sqlite3_step(st) != SQLITE_ROW)
			break;
		step.pid = column_int(st, 0);
		step.ppid = column_int(st, 1);
		step.uid = column_int(st, 2);
		step.euid = column_int(st, 3);
		step.start_ts = column_int(st, 4);
		step.exe = column_text(st, 5);
		step.name = column_text(st, 6);
		step.args = column_text(st, 7);
		step.cwd = column_text(st, 8);
		process_id = column_int(st, 9);
		if (fn(&step, userdata)) {
			depth++;
			break;
		}
	}
out:
	sqlite3_finalize(st);
	return depth;
}
