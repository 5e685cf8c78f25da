/*
 * sink-queue: runs an importer and the loader on two threads.
 *
 * An importer parses; the loader redacts, compresses and writes SQLite rows. Done one after the
 * other, a file takes the sum of both; on two cores it need only take the longer. The queue is
 * an importer's sink on the importer's thread: each event, process, document and damage report
 * is copied, in order, into blocks of memory that the thread owning the case database (the
 * caller of sink_queue_drain) hands to the real sink. Order is kept exactly, so the case
 * database is the same as a single-threaded import's, byte for byte.
 *
 * Memory is bounded: a few blocks of SINK_QUEUE_BLOCK bytes (a block grows only to hold one
 * record larger than that). When the writer fails, the importer's next emit returns its error.
 */
#ifndef BACKSIGHT_SINK_QUEUE_H
#define BACKSIGHT_SINK_QUEUE_H

#include <stdint.h>

#include "importer.h"

#define SINK_QUEUE_BLOCK (1u << 20)
#define SINK_QUEUE_BLOCKS 4

typedef void (*sink_issue_fn)(void *userdata, uint64_t offset, const char *severity, const char *msg);

/* What the writer did with the events it was handed. */
struct sink_queue_counts {
	uint64_t stored, duplicates;
	int64_t first_ts, last_ts; /* of the stored events; BS_NONE when none */
};

struct sink_queue;

/* A queue delivering to `target` and `target_issue` (with `issue_userdata`) on the draining thread. */
int sink_queue_new(struct imp_sink target, sink_issue_fn target_issue, void *issue_userdata,
		   struct sink_queue **ret_queue);
void sink_queue_free(struct sink_queue *q);

/* The importer's side: a sink and an issue callback that enqueue (userdata is the queue). */
struct imp_sink sink_queue_sink(struct sink_queue *q);
void sink_queue_issue(void *userdata, uint64_t offset, const char *severity, const char *msg);
/* The importer is done: publish what is pending and let the drain return. */
void sink_queue_close(struct sink_queue *q);

/*
 * The writer's side: deliver everything until the importer closes the queue. Returns 0, or the
 * first negative errno the target returned (after which the rest is discarded and the
 * importer's emits fail with it).
 */
int sink_queue_drain(struct sink_queue *q);
const struct sink_queue_counts *sink_queue_counts(const struct sink_queue *q);

#endif
