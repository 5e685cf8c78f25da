/* proclink: one process tree out of evidence files that each hold a part of it.
 *
 * `strace -ff -o prefix` writes one file per process and one per thread (prefix.TID). Each
 * file is its own evidence, imported on its own, so its process rows are its own: the parent's
 * file knows that `clone() = 1235` made a child (a row for pid 1235 with the parent's image,
 * created at the clone), and the child's file knows everything 1235 did, but not who its parent
 * was. After an import, proclink_strace_ff joins them, whatever order and however many imports
 * the files came in:
 *
 *  - a child process: the child file's process row takes the parent the clone row had
 *    (parent_id, ppid, start time, and the inherited image and ids where the child's own file
 *    says nothing), and the clone row, which only stood for the child, is removed;
 *  - a thread (the clone had CLONE_THREAD, which makes no clone row): the thread file's events
 *    become events of the thread group's process (pid = the leader's pid, ppid and process_id
 *    its, tid stays the file's), the processes its thread forked hang under that process, and
 *    the thread file's own row is removed. A thread made by a thread joins the same process.
 *
 * Which clone belongs to which file: same host, same pid, a different -ff file of strace
 * evidence, and the latest clone at or before the file's first call (pid reuse across a long
 * run is told apart by time), made by a process that had not ended more than a minute before
 * that call (so a run whose parent file is missing is not hung under an older run's process).
 * Ambiguous matches (two clones of that pid at the same time in different files) are left
 * unlinked.
 *
 * Files with `-r` times (each the time since the line strace printed before it, in whichever
 * file: strace keeps one clock for all tracees) cannot be matched by time: they link within one
 * run (the same path prefix before .PID), one clone per pid, and linking places them in time:
 * the file's first line is put its own -r value after the clone that created its process, the
 * rest follow by their -r values. Those are lower bounds (the time taken by the lines strace
 * wrote to other files in between is not in this one); the importer records the assumption.
 */
#ifndef BS_PROCLINK_H
#define BS_PROCLINK_H

#include "casedb.h"
#include "strbuf.h"

/* Link what can be linked, in one transaction. Returns the number of files' processes and
 * threads linked (0 when nothing was to be done), or a negative errno with the reason in err. */
int proclink_strace_ff(struct casedb *cdb, struct strbuf *err);

#endif
