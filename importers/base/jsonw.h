/* jsonw: append JSON text to a strbuf.
 *
 * Only writing: JSON is parsed with jansson everywhere in backsight. This writer exists because
 * events are serialised millions of times per import, and it escapes every string the way the
 * outputs need: control characters, quotes and backslashes escaped; '<', '>' and '&' escaped as
 * \u003c.. so that JSON embedded in HTML can never close a <script> element; invalid UTF-8
 * replaced by U+FFFD so the output is always valid JSON whatever bytes the evidence held.
 */
#ifndef BS_JSONW_H
#define BS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strbuf.h"

void jsonw_string(struct strbuf *sb, const char *s, size_t len);
static inline void jsonw_cstr(struct strbuf *sb, const char *s)
{
	jsonw_string(sb, s, strlen(s));
}

/*
 * An object writer: jsonw_begin, then any number of jsonw_key_* calls, then jsonw_end. The
 * `first` flag tracks the comma; nested objects and arrays are written with jsonw_key and
 * raw text.
 */
struct jsonw_obj {
	struct strbuf *sb;
	bool first;
};

void jsonw_begin(struct jsonw_obj *o, struct strbuf *sb);
void jsonw_end(struct jsonw_obj *o);
void jsonw_key(struct jsonw_obj *o, const char *key);
void jsonw_key_str(struct jsonw_obj *o, const char *key, const char *val);
void jsonw_key_strn(struct jsonw_obj *o, const char *key, const char *val, size_t len);
void jsonw_key_i64(struct jsonw_obj *o, const char *key, int64_t val);
void jsonw_key_bool(struct jsonw_obj *o, const char *key, bool val);
void jsonw_key_raw(struct jsonw_obj *o, const char *key, const char *json);

/*
 * Keys written as string literals in backsight's own code (field names: plain characters, as a
 * reviewer checks), for the fields written on every event: the quoted key is put together by
 * the compiler and copied, without a run-time escape check. Anything not a literal does not
 * compile; a key from evidence goes through jsonw_key.
 */
#define JSONW_LIT_KEY(lit) ("\"" lit "\":"), (sizeof("\"" lit "\":") - 1)
#define jsonw_lkey(o, lit) jsonw_key_text((o), JSONW_LIT_KEY(lit))
#define jsonw_lkey_i64(o, lit, val) (jsonw_lkey((o), lit), strbuf_addi64((o)->sb, (val)))
#define jsonw_lkey_str(o, lit, val) (jsonw_lkey((o), lit), jsonw_cstr((o)->sb, (val)))
#define jsonw_lkey_strn(o, lit, val, len) (jsonw_lkey((o), lit), jsonw_string((o)->sb, (val), (len)))

/* A key already quoted and followed by its colon: `"name":`. */
static inline void jsonw_key_text(struct jsonw_obj *o, const char *text, size_t len)
{
	if (!o->first)
		strbuf_addch(o->sb, ',');
	o->first = false;
	strbuf_add(o->sb, text, len);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are not valid UTF-8. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

#endif
