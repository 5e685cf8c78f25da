/* cursor: the only way an importer reads evidence bytes.
 *
 * A cursor walks a borrowed byte range. Every read is bounds-checked: reading past the end
 * returns zero (or an empty slice), leaves the position at the end, and sets the sticky
 * `truncated` flag. A parser therefore reads a whole structure and checks the flag once,
 * instead of testing each length by hand — the way tcpdump's GET_* macros keep packet
 * parsing safe. The cursor never owns its bytes.
 */
#ifndef BS_CURSOR_H
#define BS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *start;
	const uint8_t *pos;
	const uint8_t *end;
	bool truncated;
};

static inline struct cursor cursor_make(const void *data, size_t len)
{
	const uint8_t *p = data;
	struct cursor c = { p, p, p + len, false };
	return c;
}

static inline size_t cursor_remaining(const struct cursor *c)
{
	return (size_t)(c->end - c->pos);
}

static inline size_t cursor_offset(const struct cursor *c)
{
	return (size_t)(c->pos - c->start);
}

static inline bool cursor_has(struct cursor *c, size_t n)
{
	if (cursor_remaining(c) >= n)
		return true;
	c->truncated = true;
	return false;
}

/* Skip n bytes; on a short buffer skip to the end and mark truncated. */
static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_has(c, n)) {
		c->pos = c->end;
		return false;
	}
	c->pos += n;
	return true;
}

/* Borrow n bytes. Returns NULL (and marks truncated) when fewer remain. */
static inline const uint8_t *cursor_bytes(struct cursor *c, size_t n)
{
	const uint8_t *p = c->pos;

	if (!cursor_skip(c, n))
		return NULL;
	return p;
}

/* A sub-cursor over the next n bytes (clamped, and the parent marked truncated, if short). */
static inline struct cursor cursor_sub(struct cursor *c, size_t n)
{
	size_t avail = cursor_remaining(c);
	struct cursor sub;

	if (n > avail) {
		c->truncated = true;
		n = avail;
	}
	sub = cursor_make(c->pos, n);
	c->pos += n;
	return sub;
}

static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cursor_bytes(c, n);

	if (!p) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, p, n);
	return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t cursor_be16(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint16_t cursor_le16(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 2);
	return p ? (uint16_t)(p[1] << 8 | p[0]) : 0;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint32_t cursor_le32(struct cursor *c)
{
	const uint8_t *p = cursor_bytes(c, 4);
	return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : 0;
}

static inline uint64_t cursor_be64(struct cursor *c)
{
	uint64_t hi = cursor_be32(c);
	return hi << 32 | cursor_be32(c);
}

static inline uint64_t cursor_le64(struct cursor *c)
{
	uint64_t lo = cursor_le32(c);
	return lo | (uint64_t)cursor_le32(c) << 32;
}

/* Byte-order-parameterised reads, for formats whose header declares the order. */
static inline uint16_t cursor_u16(struct cursor *c, bool big_endian)
{
	return big_endian ? cursor_be16(c) : cursor_le16(c);
}

static inline uint32_t cursor_u32(struct cursor *c, bool big_endian)
{
	return big_endian ? cursor_be32(c) : cursor_le32(c);
}

static inline uint64_t cursor_u64(struct cursor *c, bool big_endian)
{
	return big_endian ? cursor_be64(c) : cursor_le64(c);
}

#endif
