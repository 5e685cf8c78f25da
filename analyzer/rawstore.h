/* rawstore: the original bytes of every event, zstd-compressed in blocks, in table `raw`.
 *
 * A block holds the raw records of a run of consecutive events: a little-endian u32 length per
 * event (RAW_NONE when an event has no raw record) and one zstd frame of the records laid end
 * to end, compressed with the dictionary of the evidence format. Blocks, rather than one row
 * per record, because compressing and inserting 250-byte records one by one cost more than
 * the rest of an import together; a block is at most RAW_BLOCK_RECORDS records or
 * RAW_BLOCK_BYTES bytes, so reading one record back decompresses at most 64 KiB.
 *
 * The dictionary of a format is trained on the first records the case sees of it (up to
 * DICT_SAMPLES) and stored in `dicts`; later files of the format reuse it.
 *
 * Ownership: a raw_writer borrows the casedb; raw_writer_free accepts NULL.
 */
#ifndef BS_RAWSTORE_H
#define BS_RAWSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "casedb.h"

#define RAW_BLOCK_RECORDS 256
#define RAW_BLOCK_BYTES (64u << 10)
#define RAW_NONE 0xffffffffu

struct raw_writer;

int raw_writer_new(struct casedb *cdb, int64_t evidence_id, const char *format, struct raw_writer **ret_writer,
		   struct strbuf *err);
void raw_writer_free(struct raw_writer *w);
/* Keep the raw record of event `event_id` (ids must increase). */
int raw_writer_add(struct raw_writer *w, int64_t event_id, const void *raw, size_t len);
/* Write everything held back (the last block, records awaiting a dictionary). */
int raw_writer_flush(struct raw_writer *w);
const char *raw_writer_error(const struct raw_writer *w);

/* The decompressed raw record of an event into out: 0, -ENOENT, or another negative errno. */
int raw_read(struct casedb *cdb, int64_t event_id, struct strbuf *out, struct strbuf *err);

#endif
