/* strbuf: growable byte buffer; see strbuf.h for the invariants. */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = (char *)strbuf_empty;
	sb->len = 0;
	sb->cap = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (!sb)
		return;
	if (sb->cap)
		free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *ret_len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (ret_len)
		*ret_len = sb->len;
	strbuf_init(sb);
	return res;
}

void strbuf_grow_to(struct strbuf *sb, size_t need)
{
	size_t cap;
	char *nbuf;

	if (need <= sb->len)
		abort(); /* len + extra + 1 wrapped */
	if (sb->cap && need <= sb->cap)
		return;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap < (SIZE_MAX / 2) ? cap * 2 : need;
	nbuf = realloc(sb->cap ? sb->buf : NULL, cap);
	if (!nbuf) {
		fputs("backsight: out of memory\n", stderr);
		abort();
	}
	if (!sb->cap)
		nbuf[0] = '\0';
	sb->buf = nbuf;
	sb->cap = cap;
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap ? sb->cap - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if (!sb->cap || sb->len + (size_t)n >= sb->cap) {
		strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->cap) {
		if (len)
			abort();
		return;
	}
	if (len >= sb->cap)
		abort();
	sb->len = len;
	sb->buf[len] = '\0';
}
