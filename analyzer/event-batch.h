/* event-batch: events of one shape held back and inserted EVENT_BATCH_ROWS at a time.
 *
 * A shape is the set of typed columns an event has (a bit per column of BS_EVENT_COLUMNS). The
 * INSERT of a shape names only those columns, and one statement inserts EVENT_BATCH_ROWS rows:
 * a statement's step, reset and halt cost as much as the columns of a row, so sharing them
 * among sixteen rows is most of the saving (see tests/bench/bench-import). Rows carry their id,
 * chosen by the loader, so the raw store and the process links need not wait for the insert.
 * The loader widens a file's shape to every column its events have had (NULL where an event has
 * none) and flushes a batch before an event of another shape, so rows still go in in id order.
 *
 * A batch copies the event's strings: the importer's pointers live only during the emit call.
 *
 * Ownership: a batch borrows the database handle; event_batch_free accepts NULL and drops the
 * rows not yet inserted. Functions return 0 or -EIO (the message is sqlite3_errmsg of the db).
 */
#ifndef BS_EVENT_BATCH_H
#define BS_EVENT_BATCH_H

#include <sqlite3.h>
#include <stdint.h>

#include "event.h"

#define EVENT_BATCH_ROWS 16

/* What the loader adds to an importer's event. */
struct event_row_meta {
	int64_t id, evidence_id;
	int64_t process_id; /* BS_NONE when the event has no process row */
	int64_t raw_length; /* of the record in the evidence (provenance), BS_NONE without one */
};

struct event_batch;

/* The columns an event has: its shape. */
uint32_t event_shape(const struct bs_event *ev);

int event_batch_new(sqlite3 *db, uint32_t shape, struct event_batch **ret_batch);
void event_batch_free(struct event_batch *b);
uint32_t event_batch_shape(const struct event_batch *b);

/* Hold the event back; a full batch is inserted. */
int event_batch_add(struct event_batch *b, const struct event_row_meta *meta, const struct bs_event *ev);
/* Insert the rows held back. */
int event_batch_flush(struct event_batch *b);
/* Insert one event at once unless its dedup key is in the case: 1 inserted, 0 already there. */
int event_batch_insert_unique(struct event_batch *b, const struct event_row_meta *meta, const struct bs_event *ev);

#endif
