/* rawcache: reading many events' raw records in a row (a detect run reaching json.value[...] for
 * every CloudTrail or audit event) without paying a block's decompression per record.
 *
 * raw_read (rawstore.c) serves one record: it looks its block up, builds a decompression context
 * and the dictionary, decompresses up to 64 KiB and copies one record out — for the next event
 * of the same block it does all of that again. A raw_cache keeps the statement, the context,
 * the digested dictionary of the last dict_id, and the last decoded block with its record
 * offsets, so consecutive events of one block cost one lookup in memory. It reads the block
 * layout rawstore.h documents and gives the same answers as raw_read (a test checks both).
 *
 * Ownership: a raw_cache borrows the casedb, which must outlive it; raw_cache_free accepts NULL.
 */
#ifndef BS_RAWCACHE_H
#define BS_RAWCACHE_H

#include <stdint.h>

#include "casedb.h"

struct raw_cache;

struct raw_cache *raw_cache_new(struct casedb *cdb);
void raw_cache_free(struct raw_cache *c);
/* As raw_read: the record appended to out; 0, -ENOENT (no raw record), -EBADMSG, -EIO. */
int raw_cache_read(struct raw_cache *c, int64_t event_id, struct strbuf *out, struct strbuf *err);

#endif
