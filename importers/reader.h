/* reader: a buffered window over a stream, for importers.
 *
 * Binary importers ask for `n` contiguous bytes (reader_fill), parse them through a cursor and
 * consume what they used; text importers take one line at a time. The reader tracks the offset
 * of every byte in the decompressed stream, which becomes each event's provenance. The window
 * never grows past READER_MAX bytes, so a hostile length field cannot make an importer buffer
 * an arbitrary amount.
 *
 * Ownership: the reader borrows its stream; pointers it returns are valid until the next call.
 */
#ifndef BS_READER_H
#define BS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stream.h"

#define READER_MAX (64u << 20)

struct reader {
	struct stream *stream;
	uint8_t *buf;
	size_t cap;
	size_t start, end; /* unread bytes are buf[start, end) */
	uint64_t base;     /* stream offset of buf[start] */
	bool eof;
	int err;           /* negative errno from the stream, sticky */
};

void reader_init(struct reader *r, struct stream *s);
void reader_release(struct reader *r);

/*
 * Make at least n bytes available (n <= READER_MAX). Returns the number available, which is
 * smaller than n only at the end of the stream (or after a stream error, see reader->err).
 */
size_t reader_fill(struct reader *r, size_t n);

static inline const uint8_t *reader_data(const struct reader *r)
{
	return r->buf + r->start;
}

static inline size_t reader_avail(const struct reader *r)
{
	return r->end - r->start;
}

static inline uint64_t reader_offset(const struct reader *r)
{
	return r->base;
}

void reader_consume(struct reader *r, size_t n);

/*
 * The next line, without its "\n" (a "\r" before it is kept: text importers decide). Returns 1
 * with the line, 0 at the end, or -E2BIG for a line longer than READER_MAX, which is skipped
 * (ret_offset still names where it began). The last line of a file may lack its newline.
 */
int reader_line(struct reader *r, const uint8_t **ret_line, size_t *ret_len, uint64_t *ret_offset);

#endif
