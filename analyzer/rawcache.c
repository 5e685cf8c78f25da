/* rawcache: the last decoded raw block kept for the next record (see rawcache.h). */
#include "rawcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "rawstore.h"

struct raw_cache {
	struct casedb *cdb;
	sqlite3_stmt *st;
	ZSTD_DCtx *dctx;
	ZSTD_DDict *ddict;
	int64_t dict_id; /* of ddict; -1 none */
	/* the block held: records first .. first+count-1, or count 0 */
	int64_t first, count;
	uint32_t len[RAW_BLOCK_RECORDS];
	size_t off[RAW_BLOCK_RECORDS];
	bool damaged; /* the held block could not be decoded */
	struct strbuf block;
};

struct raw_cache *raw_cache_new(struct casedb *cdb)
{
	struct raw_cache *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->cdb = cdb;
	c->dict_id = -1;
	strbuf_init(&c->block);
	return c;
}

void raw_cache_free(struct raw_cache *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	ZSTD_freeDCtx(c->dctx);
	ZSTD_freeDDict(c->ddict);
	strbuf_release(&c->block);
	free(c);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Load the block holding event_id: 0, -ENOENT (no block holds it), -EBADMSG, -EIO. */
static int load_block(struct raw_cache *c, int64_t event_id, struct strbuf *err)
{
	const uint8_t *lengths;
	const void *data;
	size_t data_len, at = 0, got;
	unsigned long long size;
	int64_t first, count, dict_id;
	int r;

	c->count = 0;
	c->damaged = false;
	if (!c->st && casedb_prepare(c->cdb,
				     "SELECT first_event_id, count, lengths, data, dict_id FROM raw"
				     " WHERE first_event_id <= ? ORDER BY first_event_id DESC LIMIT 1",
				     &c->st, err) < 0)
		return -EIO;
	sqlite3_reset(c->st);
	sqlite3_bind_int64(c->st, 1, event_id);
	r = sqlite3_step(c->st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(c->st);
		if (r == SQLITE_DONE)
			return -ENOENT;
		strbuf_addf(err, "%s: reading raw records: %s", c->cdb->path, sqlite3_errmsg(c->cdb->db));
		return -EIO;
	}
	first = sqlite3_column_int64(c->st, 0);
	count = sqlite3_column_int64(c->st, 1);
	if (event_id >= first + count) {
		sqlite3_reset(c->st);
		return -ENOENT;
	}
	c->first = first;
	c->count = count;
	c->damaged = true; /* until it decodes */
	lengths = sqlite3_column_blob(c->st, 2);
	if (count <= 0 || count > RAW_BLOCK_RECORDS || sqlite3_column_bytes(c->st, 2) != count * 4)
		goto damaged;
	for (int64_t i = 0; i < count; i++) {
		c->len[i] = le32(lengths + 4 * i);
		c->off[i] = at;
		at += c->len[i] == RAW_NONE ? 0 : c->len[i];
	}
	data = sqlite3_column_blob(c->st, 3);
	data_len = (size_t)sqlite3_column_bytes(c->st, 3);
	size = ZSTD_getFrameContentSize(data, data_len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (64ULL << 20) || at > size)
		goto damaged;
	dict_id = sqlite3_column_type(c->st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(c->st, 4);
	if (dict_id != c->dict_id) {
		sqlite3_stmt *d = NULL;
		ZSTD_freeDDict(c->ddict);
		c->ddict = NULL;
		c->dict_id = -1;
		if (dict_id >= 0) {
			if (casedb_prepare(c->cdb, "SELECT dict FROM dicts WHERE id = ?", &d, err) < 0) {
				sqlite3_reset(c->st);
				c->count = 0;
				return -EIO;
			}
			sqlite3_bind_int64(d, 1, dict_id);
			if (sqlite3_step(d) == SQLITE_ROW && sqlite3_column_type(d, 0) == SQLITE_BLOB)
				c->ddict = ZSTD_createDDict(sqlite3_column_blob(d, 0), (size_t)sqlite3_column_bytes(d, 0));
			sqlite3_finalize(d);
		}
		c->dict_id = dict_id;
	}
	if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
		abort();
	strbuf_reset(&c->block);
	strbuf_grow(&c->block, (size_t)size);
	got = c->ddict ? ZSTD_decompress_usingDDict(c->dctx, c->block.buf, (size_t)size, data, data_len, c->ddict)
		       : ZSTD_decompressDCtx(c->dctx, c->block.buf, (size_t)size, data, data_len);
	if (ZSTD_isError(got) || got != size)
		goto damaged;
	c->damaged = false;
	sqlite3_reset(c->st);
	return 0;
damaged:
	sqlite3_reset(c->st);
	strbuf_addf(err, "%s: the raw record block of event %lld is damaged", c->cdb->path, (long long)event_id);
	return -EBADMSG;
}

int raw_cache_read(struct raw_cache *c, int64_t event_id, struct strbuf *out, struct strbuf *err)
{
	if (!c->count || event_id < c->first || event_id >= c->first + c->count) {
		int r = load_block(c, event_id, err);
		if (r < 0)
			return r;
	} else if (c->damaged) {
		strbuf_addf(err, "%s: the raw record block of event %lld is damaged", c->cdb->path, (long long)event_id);
		return -EBADMSG;
	}
	uint32_t len = c->len[event_id - c->first];
	if (len == RAW_NONE)
		return -ENOENT;
	strbuf_add(out, c->block.buf + c->off[event_id - c->first], len);
	return 0;
}
