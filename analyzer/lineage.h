/* lineage: a process and its ancestors, read from the case's process tree (`processes`,
 * linked by parent_id), nearest first. `show` prints it; findings keep it. (The rule engine
 * holds the whole tree in memory instead: detect.c's ptree.)
 *
 * The walk stops at max_depth, at a process without a parent row, and at a row it has already
 * met (a cycle in a damaged or crafted case).
 */
#ifndef BS_LINEAGE_H
#define BS_LINEAGE_H

#include <stdint.h>

#include "casedb.h"

#define LINEAGE_MAX_DEPTH 64

/* One process of the walk; strings are NULL when unknown and live only during the callback. */
struct lineage_step {
	int depth;                   /* 0: the process the walk started from */
	int64_t process_id;          /* processes.id */
	int64_t pid, ppid, uid, euid, start_ts; /* BS_NONE when unknown */
	const char *exe, *name, *args, *cwd; /* args: JSON array text */
};

/* Return non-zero to stop the walk. */
typedef int (*lineage_fn)(const struct lineage_step *step, void *userdata);

/* Walk from processes row `process_id` (BS_NONE: nothing); returns the number of steps, or -EIO. */
int lineage_walk(struct casedb *cdb, int64_t process_id, int max_depth, lineage_fn fn, void *userdata);

#endif
