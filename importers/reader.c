/* reader: bounded, offset-tracking buffer over a stream; see reader.h. */
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define READER_INITIAL (1u << 20)

void reader_init(struct reader *r, struct stream *s)
{
	memset(r, 0, sizeof(*r));
	r->stream = s;
}

void reader_release(struct reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->start = r->end = 0;
}

static bool ensure_room(struct reader *r, size_t n)
{
	size_t avail = r->end - r->start;

	if (r->start && (r->cap - r->end < n - avail || r->start > r->cap / 2)) {
		memmove(r->buf, r->buf + r->start, avail);
		r->start = 0;
		r->end = avail;
	}
	if (r->cap < n || !r->buf) {
		size_t cap = r->cap ? r->cap : READER_INITIAL;
		uint8_t *nb;
		while (cap < n)
			cap *= 2;
		if (cap > READER_MAX)
			cap = READER_MAX;
		nb = realloc(r->buf, cap);
		if (!nb)
			return false;
		r->buf = nb;
		r->cap = cap;
	}
	return true;
}

size_t reader_fill(struct reader *r, size_t n)
{
	if (n > READER_MAX)
		n = READER_MAX;
	while (r->end - r->start < n && !r->eof) {
		ssize_t got;
		if (!ensure_room(r, n))
			break;
		got = stream_read(r->stream, r->buf + r->end, r->cap - r->end);
		if (got <= 0) {
			r->eof = true;
			if (got < 0)
				r->err = (int)got;
			break;
		}
		r->end += (size_t)got;
	}
	return r->end - r->start;
}

void reader_consume(struct reader *r, size_t n)
{
	size_t avail = r->end - r->start;

	if (n > avail)
		n = avail;
	r->start += n;
	r->base += n;
}

int reader_line(struct reader *r, const uint8_t **ret_line, size_t *ret_len, uint64_t *ret_offset)
{
	size_t scanned = 0;

	*ret_offset = r->base;
	for (;;) {
		size_t avail = r->end - r->start;
		const uint8_t *nl = avail > scanned ? memchr(r->buf + r->start + scanned, '\n', avail - scanned) : NULL;

		if (nl) {
			size_t len = (size_t)(nl - (r->buf + r->start));
			*ret_line = r->buf + r->start;
			*ret_len = len;
			reader_consume(r, len + 1);
			return 1;
		}
		scanned = avail;
		if (avail >= READER_MAX) {
			/* Too long to hold: skip to the next newline and report it. */
			reader_consume(r, avail);
			for (;;) {
				if (!reader_fill(r, 1))
					return -E2BIG;
				avail = r->end - r->start;
				nl = memchr(r->buf + r->start, '\n', avail);
				if (nl) {
					reader_consume(r, (size_t)(nl - (r->buf + r->start)) + 1);
					return -E2BIG;
				}
				reader_consume(r, avail);
			}
		}
		if (r->eof || reader_fill(r, avail + 1) == avail) {
			if (!avail)
				return 0;
			*ret_line = r->buf + r->start;
			*ret_len = avail;
			reader_consume(r, avail);
			return 1;
		}
	}
}
