/* strbuf: a growable byte buffer.
 *
 * Invariants: buf is never NULL after strbuf_init (it points at a static empty string until the
 * first growth); len < cap unless cap == 0; buf[len] == '\0' always, so buf can be handed to any
 * C string API even when it holds binary data with embedded NULs.
 *
 * Ownership: a strbuf owns its buf. strbuf_detach hands it to the caller (free it with free()).
 * Allocation failure aborts: backsight treats out-of-memory as fatal, like git does.
 */
#ifndef BS_STRBUF_H
#define BS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { (char *)strbuf_empty, 0, 0 }
extern const char strbuf_empty[1];

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);
/* The slow path of strbuf_grow: reallocate to hold `need` bytes (NUL included). */
void strbuf_grow_to(struct strbuf *sb, size_t need);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void strbuf_setlen(struct strbuf *sb, size_t len);

/* Room for `extra` more bytes and the NUL. Inline: the importers call these per byte and per
 * field, and the common case (room enough) is two compares. */
static inline void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (__builtin_expect(sb->cap != 0 && extra < sb->cap - sb->len, 1))
		return;
	strbuf_grow_to(sb, sb->len + extra + 1);
}

static inline void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/* Decimal, two digits per division, written in place. */
static inline void strbuf_addu64(struct strbuf *sb, unsigned long long v)
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				       "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				       "8081828384858687888990919293949596979899";
	unsigned long long t = v;
	size_t n = 1;
	char *p;

	while (t >= 100) {
		t /= 100;
		n += 2;
	}
	n += t >= 10;
	strbuf_grow(sb, n);
	p = sb->buf + sb->len + n;
	*p = '\0';
	sb->len += n;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, pairs + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(p - 2, pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
}

static inline void strbuf_addi64(struct strbuf *sb, long long v)
{
	if (v < 0) {
		strbuf_addch(sb, '-');
		strbuf_addu64(sb, 0ULL - (unsigned long long)v);
	} else {
		strbuf_addu64(sb, (unsigned long long)v);
	}
}

#endif
