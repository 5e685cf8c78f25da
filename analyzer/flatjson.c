/* flatjson: a one-pass index of a flat JSON object (RFC 8259), see flatjson.h. */
#include <string.h>

#include "flatjson.h"
#include "strbuf.h"

#define MAX_NEST 32

static const char *ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	return s;
}

/* s at the opening quote; returns after the closing quote; sets *escaped. */
static const char *skip_string(const char *s, const char *end, bool *escaped)
{
	s++;
	while (s < end) {
		if (*s == '"')
			return s + 1;
		if (*s == '\\') {
			*escaped = true;
			s += 2;
			continue;
		}
		s++;
	}
	return NULL;
}

const char *fj_skip_value(const char *s, const char *end)
{
	int depth = 0;
	bool esc = false;

	s = ws(s, end);
	if (s >= end)
		return NULL;
	if (*s == '"')
		return skip_string(s, end, &esc);
	if (*s != '[' && *s != '{') {
		while (s < end && *s != ',' && *s != '}' && *s != ']' && *s != ' ' && *s != '\n' && *s != '\t' &&
		       *s != '\r')
			s++;
		return s;
	}
	while (s < end) {
		if (*s == '"') {
			s = skip_string(s, end, &esc);
			if (!s)
				return NULL;
			continue;
		}
		if (*s == '[' || *s == '{') {
			if (++depth > MAX_NEST)
				return NULL;
		} else if (*s == ']' || *s == '}') {
			if (--depth == 0)
				return s + 1;
		}
		s++;
	}
	return NULL;
}

int fj_parse(struct fj *fj, const char *s, size_t len)
{
	const char *end = s + len, *p;

	fj->n = 0;
	p = ws(s, end);
	if (p >= end || *p != '{')
		return -1;
	p = ws(p + 1, end);
	if (p < end && *p == '}')
		return 0;
	while (p < end) {
		struct fj_entry *e;
		const char *v, *after;
		bool esc = false;
		if (fj->n == FJ_MAX || *p != '"')
			return -1;
		e = &fj->e[fj->n];
		after = skip_string(p, end, &esc);
		if (!after || esc) /* keys with escapes: leave them to jansson */
			return -1;
		e->key = p + 1;
		e->klen = (uint32_t)(after - p - 2);
		p = ws(after, end);
		if (p >= end || *p != ':')
			return -1;
		v = ws(p + 1, end);
		if (v >= end)
			return -1;
		e->escaped = false;
		switch (*v) {
		case '"':
			after = skip_string(v, end, &e->escaped);
			if (!after)
				return -1;
			e->kind = 's';
			e->val = v + 1;
			e->vlen = (uint32_t)(after - v - 2);
			break;
		case '[':
		case '{':
			after = fj_skip_value(v, end);
			if (!after)
				return -1;
			e->kind = *v == '[' ? 'a' : 'o';
			e->val = v;
			e->vlen = (uint32_t)(after - v);
			break;
		default:
			after = fj_skip_value(v, end);
			if (!after || after == v)
				return -1;
			e->kind = *v == 't' ? 't' : *v == 'f' ? 'f' : *v == 'n' ? 'z' : 'n';
			e->val = v;
			e->vlen = (uint32_t)(after - v);
			break;
		}
		fj->n++;
		p = ws(after, end);
		if (p < end && *p == ',') {
			p = ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return 0;
		return -1;
	}
	return -1;
}

const struct fj_entry *fj_get(const struct fj *fj, const char *key, size_t klen)
{
	for (size_t i = 0; i < fj->n; i++)
		if (fj->e[i].klen == klen && !memcmp(fj->e[i].key, key, klen))
			return &fj->e[i];
	return NULL;
}

static int hex4(const char *s, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

int fj_unescape(const char *s, size_t len, struct strbuf *out)
{
	const char *end = s + len;

	while (s < end) {
		unsigned cp, lo;
		if (*s != '\\') {
			strbuf_addch(out, *s++);
			continue;
		}
		if (s + 1 >= end)
			return -1;
		s++;
		switch (*s) {
		case '"': case '\\': case '/': strbuf_addch(out, *s); s++; continue;
		case 'b': strbuf_addch(out, '\b'); s++; continue;
		case 'f': strbuf_addch(out, '\f'); s++; continue;
		case 'n': strbuf_addch(out, '\n'); s++; continue;
		case 'r': strbuf_addch(out, '\r'); s++; continue;
		case 't': strbuf_addch(out, '\t'); s++; continue;
		case 'u': break;
		default: return -1;
		}
		if (s + 5 > end || hex4(s + 1, &cp) < 0)
			return -1;
		s += 5;
		if (cp >= 0xd800 && cp < 0xdc00 && s + 6 <= end && s[0] == '\\' && s[1] == 'u' && !hex4(s + 2, &lo) &&
		    lo >= 0xdc00 && lo < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			s += 6;
		}
		if (cp < 0x80) {
			strbuf_addch(out, (char)cp);
		} else if (cp < 0x800) {
			strbuf_addch(out, (char)(0xc0 | cp >> 6));
			strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
		} else if (cp < 0x10000) {
			strbuf_addch(out, (char)(0xe0 | cp >> 12));
			strbuf_addch(out, (char)(0x80 | (cp >> 6 & 0x3f)));
			strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
		} else {
			strbuf_addch(out, (char)(0xf0 | cp >> 18));
			strbuf_addch(out, (char)(0x80 | (cp >> 12 & 0x3f)));
			strbuf_addch(out, (char)(0x80 | (cp >> 6 & 0x3f)));
			strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
		}
	}
	return 0;
}
