/* proclink: one process tree out of evidence files that each hold a part of it.
 *
 * `strace -ff -o prefix` writes one file per process (prefix.PID). Each file is its own
 * evidence, imported on its own, so its process rows are its own: the parent's file knows that
 * `clone() = 1235` made a child (a row for pid 1235 with the parent's image, created at the
 * clone), and the child's file knows everything 1235 did, but not who its parent was. After an
 * import, proclink_strace_ff joins the two: the child file's process row takes the parent the
 * clone row had (parent_id, ppid, start time, and the inherited image and ids where the child's
 * own file says nothing), and the clone row, which only stood for the child, is removed. The
 * result is the tree `strace -f` would have given, spanning the files, whatever order and
 * however many imports they came in.
 *
 * Which clone row belongs to which child file: same host, same pid, a different -ff file of
 * strace evidence, and the latest clone at or before the child file's first call (pid reuse
 * across a long run is told apart by time), made by a process that had not ended more than a
 * minute before that call (so a run whose parent file is missing is not hung under an older
 * run's process). Ambiguous matches (two clones of that pid at the same time in different
 * files) are left unlinked.
 */
#ifndef BS_PROCLINK_H
#define BS_PROCLINK_H

#include "casedb.h"
#include "strbuf.h"

/* Link what can be linked, in one transaction. Returns the number of child files' processes
 * linked (0 when nothing was to be done), or a negative errno with the reason in err. */
int proclink_strace_ff(struct casedb *cdb, struct strbuf *err);

#endif
