/* loader: the bulk writer that puts one evidence file's events into the case database.
 *
 * A loader is the sink an importer emits into. It removes secrets from each event's text and raw
 * record (redact.h; the count goes to the ledger's issues), batches the event into a multi-row
 * INSERT of its shape (event-batch.h), hands its raw record to the rawstore (compressed blocks,
 * see rawstore.h), maps the importer's
 * process keys to `processes` rows, and commits every LOADER_BATCH events so a huge file never
 * builds a huge transaction. The ledger row stays
 * at status 'importing' until loader_finish; casedb_open removes such rows after a crash.
 *
 * Ownership: loader_new borrows the casedb; loader_free accepts NULL and rolls back anything
 * not finished.
 */
#ifndef BS_LOADER_H
#define BS_LOADER_H

#include <stdint.h>

#include "casedb.h"
#include "event.h"
#include "importer.h"

#define LOADER_BATCH 200000

struct loader;

int loader_new(struct casedb *cdb, int64_t evidence_id, const char *format, struct loader **ret_loader,
	       struct strbuf *err);
void loader_free(struct loader *l);

/* Sink callbacks (userdata is the loader). */
int loader_event(void *userdata, const struct bs_event *ev);
int loader_process(void *userdata, const struct bs_process *p);
int loader_document(void *userdata, const char *kind, uint64_t offset, const char *body);
void loader_issue(void *userdata, uint64_t offset, const char *severity, const char *msg);

/* Write what is still held back (the last raw block); the caller commits. */
int loader_flush(struct loader *l, struct strbuf *err);
/* The first error a callback hit, if any. */
const char *loader_error(const struct loader *l);
uint64_t loader_issues_dropped(const struct loader *l);

#endif
