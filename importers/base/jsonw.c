/* jsonw: JSON text writer with escaping safe for HTML embedding; see jsonw.h. */
#include "jsonw.h"

#include <string.h>

size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Characters that need an escape; everything else below 0x80 is copied as is. */
static const unsigned char needs_escape[128] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1, [0x7f] = 1,
};

void jsonw_string(struct strbuf *sb, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	/* the common case, nothing to escape: one copy between the quotes */
	while (i < len && s[i] < 0x80 && !needs_escape[s[i]])
		i++;
	strbuf_grow(sb, len + 2);
	sb->buf[sb->len++] = '"';
	if (i == len) {
		memcpy(sb->buf + sb->len, s, len);
		sb->len += len;
		sb->buf[sb->len++] = '"';
		sb->buf[sb->len] = '\0';
		return;
	}
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c < 0x80 && !needs_escape[c]) {
			i++;
			continue;
		}
		strbuf_add(sb, s + run, i - run);
		if (c < 0x80) {
			switch (c) {
			case '"': strbuf_add(sb, "\\\"", 2); break;
			case '\\': strbuf_add(sb, "\\\\", 2); break;
			case '\n': strbuf_add(sb, "\\n", 2); break;
			case '\r': strbuf_add(sb, "\\r", 2); break;
			case '\t': strbuf_add(sb, "\\t", 2); break;
			default: {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				strbuf_add(sb, esc, 6);
			}
			}
			i++;
		} else if ((n = utf8_seq_len(s + i, len - i)) != 0) {
			strbuf_add(sb, s + i, n);
			i += n;
		} else {
			strbuf_add(sb, "\\ufffd", 6);
			i++;
		}
		run = i;
	}
	strbuf_add(sb, s + run, i - run);
	strbuf_addch(sb, '"');
}

void jsonw_begin(struct jsonw_obj *o, struct strbuf *sb)
{
	o->sb = sb;
	o->first = true;
	strbuf_addch(sb, '{');
}

void jsonw_end(struct jsonw_obj *o)
{
	strbuf_addch(o->sb, '}');
}

void jsonw_key(struct jsonw_obj *o, const char *key)
{
	struct strbuf *sb = o->sb;
	size_t n = 0;
	char *w;

	/* keys are mostly field names: copied in one go when none of their bytes needs escaping */
	while (key[n] && (unsigned char)key[n] < 0x80 && !needs_escape[(unsigned char)key[n]])
		n++;
	if (key[n]) {
		if (!o->first)
			strbuf_addch(sb, ',');
		o->first = false;
		jsonw_cstr(sb, key);
		strbuf_addch(sb, ':');
		return;
	}
	strbuf_grow(sb, n + 4);
	w = sb->buf + sb->len;
	if (!o->first)
		*w++ = ',';
	o->first = false;
	*w++ = '"';
	memcpy(w, key, n);
	w += n;
	*w++ = '"';
	*w++ = ':';
	*w = '\0';
	sb->len = (size_t)(w - sb->buf);
}

void jsonw_key_str(struct jsonw_obj *o, const char *key, const char *val)
{
	jsonw_key(o, key);
	if (val)
		jsonw_cstr(o->sb, val);
	else
		strbuf_add(o->sb, "null", 4);
}

void jsonw_key_strn(struct jsonw_obj *o, const char *key, const char *val, size_t len)
{
	jsonw_key(o, key);
	jsonw_string(o->sb, val, len);
}

void jsonw_key_i64(struct jsonw_obj *o, const char *key, int64_t val)
{
	jsonw_key(o, key);
	strbuf_addi64(o->sb, val);
}

void jsonw_key_bool(struct jsonw_obj *o, const char *key, bool val)
{
	jsonw_key(o, key);
	strbuf_addstr(o->sb, val ? "true" : "false");
}

void jsonw_key_raw(struct jsonw_obj *o, const char *key, const char *json)
{
	jsonw_key(o, key);
	strbuf_addstr(o->sb, json);
}
