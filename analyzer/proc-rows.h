/* proc-rows: an import's process rows, held until its transaction commits.
 *
 * An importer emits a process again whenever it learns more of it (a fork, then its exec, then
 * its exit): three writes of one row, each as costly as an event's. The loader instead merges
 * what it hears into the row in memory, as the UPDATE's coalesce would (a field given replaces,
 * a field left NULL keeps), and writes each row once per transaction: an INSERT for a process
 * first seen in it, an UPDATE of what changed for one written before. Ids are assigned when a
 * key is first seen, in that order, as the INSERTs would have numbered them, so the case is the
 * same as with a write per emit.
 *
 * Ownership: the set borrows the database; proc_rows_free accepts NULL and drops unwritten rows.
 * Functions return 0 or -ENOMEM / -EIO (the message is sqlite3_errmsg of the database).
 */
#ifndef BS_PROC_ROWS_H
#define BS_PROC_ROWS_H

#include <sqlite3.h>
#include <stdint.h>

#include "event.h"

struct proc_rows;

int proc_rows_new(sqlite3 *db, int64_t evidence_id, struct proc_rows **ret_rows);
void proc_rows_free(struct proc_rows *pr);

/* The processes row of an importer's key, BS_NONE when the key was never emitted. */
int64_t proc_rows_id(const struct proc_rows *pr, int64_t key);
/* Merge what the importer says of a process into its row (a new row for a new key). */
int proc_rows_put(struct proc_rows *pr, const struct bs_process *p);
/* Write every row changed since the last flush. */
int proc_rows_flush(struct proc_rows *pr);

#endif
