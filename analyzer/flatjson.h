/* flatjson: a zero-allocation index over the flat JSON object of events.fields, so that the
 * rule evaluator reads an event's fields by scanning the text once instead of building a
 * jansson tree per event (the hot path of `detect`).
 *
 * fj_parse records each top-level key with the span of its value; strings without escapes are
 * used in place. Anything it does not handle (more than FJ_MAX keys, malformed text) makes it
 * fail, and the caller falls back to jansson. Nested arrays/objects are spans the caller
 * decodes on demand.
 *
 * Ownership: the index points into the text it was given; it owns nothing.
 */
#ifndef BS_FLATJSON_H
#define BS_FLATJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FJ_MAX 64

struct fj_entry {
	const char *key;
	const char *val; /* strings: inside the quotes; others: the whole value text */
	uint32_t klen, vlen;
	char kind;       /* 's' string, 'n' number, 't' true, 'f' false, 'z' null, 'a' array, 'o' object */
	bool escaped;    /* a string (or key) with backslash escapes: decode before use */
};

struct fj {
	struct fj_entry e[FJ_MAX];
	size_t n;
};

/* 0, or -1 when the text is not a flat-enough object this index can hold. */
int fj_parse(struct fj *fj, const char *s, size_t len);
const struct fj_entry *fj_get(const struct fj *fj, const char *key, size_t klen);
/* Skip one JSON value starting at s (bounded by end); returns the position after it or NULL. */
const char *fj_skip_value(const char *s, const char *end);
/* Decode a JSON string body (between the quotes) with escapes into out (appending); -1 if bad. */
struct strbuf;
int fj_unescape(const char *s, size_t len, struct strbuf *out);

#endif
