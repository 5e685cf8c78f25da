/* jsonscan: one-pass RFC 8259 check and member index of a JSON object; see jsonscan.h. */
#include "jsonscan.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define DECLINE (-EAGAIN)

void jscan_init(struct jscan *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->dec);
}

void jscan_release(struct jscan *s)
{
	if (!s)
		return;
	free(s->nodes);
	strbuf_release(&s->dec);
	memset(s, 0, sizeof(*s));
}

static int new_node(struct jscan *s)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct jscan_node *n = realloc(s->nodes, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->nodes = n;
		s->cap = cap;
	}
	s->nodes[s->count] = (struct jscan_node){ .next = -1, .child = -1, .dec = -1 };
	return (int)s->count++;
}

static size_t skip_ws(const unsigned char *d, size_t p, size_t len)
{
	while (p < len && (d[p] == ' ' || d[p] == '\n' || d[p] == '\r' || d[p] == '\t'))
		p++;
	return p;
}

static int hexv(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* d[*p] is '"': on success *p is just past the closing quote. */
static int scan_string(const unsigned char *d, size_t *p, size_t len, bool *ret_escaped)
{
	size_t i = *p + 1;
	bool esc = false;

	for (;;) {
		unsigned char c;
		/* The common bytes, fast. */
		while (i < len && d[i] >= 0x20 && d[i] < 0x80 && d[i] != '"' && d[i] != '\\')
			i++;
		if (i >= len)
			return DECLINE;
		c = d[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return DECLINE;
		if (c == '\\') {
			if (i + 1 >= len)
				return DECLINE;
			esc = true;
			switch (d[i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				i += 2;
				break;
			case 'u': {
				int v = 0;
				if (i + 6 > len)
					return DECLINE;
				for (int k = 2; k < 6; k++) {
					int h = hexv(d[i + k]);
					if (h < 0)
						return DECLINE;
					v = v << 4 | h;
				}
				if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
					return DECLINE; /* NUL and surrogates: jansson's rules */
				i += 6;
				break;
			}
			default:
				return DECLINE;
			}
			continue;
		}
		/* Non-ASCII: a valid UTF-8 sequence (jansson rejects anything else). */
		{
			size_t n = utf8_seq_len(d + i, len - i);
			if (!n)
				return DECLINE;
			i += n;
		}
	}
	*p = i + 1;
	*ret_escaped = esc;
	return 0;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits: exactly representable, no overflow. */
static int scan_number(const unsigned char *d, size_t *p, size_t len)
{
	size_t i = *p, digits = 0;

	if (i < len && d[i] == '-')
		i++;
	if (i >= len || d[i] < '0' || d[i] > '9')
		return DECLINE;
	if (d[i] == '0') {
		i++;
		digits++;
	} else {
		while (i < len && d[i] >= '0' && d[i] <= '9')
			i++, digits++;
	}
	if (i < len && d[i] == '.') {
		i++;
		if (i >= len || d[i] < '0' || d[i] > '9')
			return DECLINE;
		while (i < len && d[i] >= '0' && d[i] <= '9')
			i++, digits++;
	}
	if (digits > 15 || (i < len && (d[i] == 'e' || d[i] == 'E' || (d[i] >= '0' && d[i] <= '9'))))
		return DECLINE;
	*p = i;
	return 0;
}

/*
 * The value at *p. `idx` is the node describing it, or -1 inside arrays (checked, not indexed).
 */
static int scan_value(struct jscan *s, size_t *p, int idx, int depth)
{
	const unsigned char *d = (const unsigned char *)s->data;
	size_t len = s->len, i = *p, start = i;
	uint8_t type;
	bool esc = false;
	int rc;

	if (i >= len)
		return DECLINE;
	switch (d[i]) {
	case '{': {
		int last = -1;
		if (depth >= JSCAN_MAX_DEPTH)
			return DECLINE;
		type = JSCAN_OBJECT;
		i = skip_ws(d, i + 1, len);
		if (i < len && d[i] == '}') {
			i++;
			break;
		}
		for (;;) {
			size_t key, key_end;
			bool kesc;
			int child = -1;
			if (i >= len || d[i] != '"')
				return DECLINE;
			key = i;
			if ((rc = scan_string(d, &i, len, &kesc)) < 0)
				return rc;
			if (kesc)
				return DECLINE; /* names are compared as bytes */
			key_end = i - 1;
			i = skip_ws(d, i, len);
			if (i >= len || d[i] != ':')
				return DECLINE;
			i = skip_ws(d, i + 1, len);
			if (idx >= 0) {
				if ((child = new_node(s)) < 0)
					return child;
				s->nodes[child].key = (uint32_t)key + 1;
				s->nodes[child].key_len = (uint32_t)(key_end - key - 1);
				if (last < 0)
					s->nodes[idx].child = child;
				else
					s->nodes[last].next = child;
				last = child;
			}
			if ((rc = scan_value(s, &i, child, depth + 1)) < 0)
				return rc;
			i = skip_ws(d, i, len);
			if (i < len && d[i] == ',') {
				i = skip_ws(d, i + 1, len);
				continue;
			}
			if (i < len && d[i] == '}') {
				i++;
				break;
			}
			return DECLINE;
		}
		break;
	}
	case '[':
		if (depth >= JSCAN_MAX_DEPTH)
			return DECLINE;
		type = JSCAN_ARRAY;
		i = skip_ws(d, i + 1, len);
		if (i < len && d[i] == ']') {
			i++;
			break;
		}
		for (;;) {
			if ((rc = scan_value(s, &i, -1, depth + 1)) < 0)
				return rc;
			i = skip_ws(d, i, len);
			if (i < len && d[i] == ',') {
				i = skip_ws(d, i + 1, len);
				continue;
			}
			if (i < len && d[i] == ']') {
				i++;
				break;
			}
			return DECLINE;
		}
		break;
	case '"':
		type = JSCAN_STRING;
		if ((rc = scan_string(d, &i, len, &esc)) < 0)
			return rc;
		break;
	case 't':
		type = JSCAN_TRUE;
		if (len - i < 4 || memcmp(d + i, "true", 4))
			return DECLINE;
		i += 4;
		break;
	case 'f':
		type = JSCAN_FALSE;
		if (len - i < 5 || memcmp(d + i, "false", 5))
			return DECLINE;
		i += 5;
		break;
	case 'n':
		type = JSCAN_NULL;
		if (len - i < 4 || memcmp(d + i, "null", 4))
			return DECLINE;
		i += 4;
		break;
	default:
		type = JSCAN_NUMBER;
		if ((rc = scan_number(d, &i, len)) < 0)
			return rc;
		break;
	}
	if (idx >= 0) {
		struct jscan_node *n = &s->nodes[idx];
		n->type = type;
		n->val = (uint32_t)start;
		n->val_len = (uint32_t)(i - start);
		n->escaped = esc;
	}
	*p = i;
	return 0;
}

int jscan_load(struct jscan *s, const void *data, size_t len)
{
	const unsigned char *d = data;
	size_t p;
	int rc;

	s->data = data;
	s->len = len;
	s->count = 0;
	strbuf_reset(&s->dec);
	if (len >= UINT32_MAX)
		return DECLINE;
	p = skip_ws(d, 0, len);
	if (p >= len || d[p] != '{')
		return DECLINE;
	if ((rc = new_node(s)) < 0)
		return rc;
	if ((rc = scan_value(s, &p, 0, 0)) < 0)
		return rc;
	if (skip_ws(d, p, len) != len)
		return DECLINE;
	/* Decoded strings are never longer than their spans: one reservation keeps them in place. */
	strbuf_grow(&s->dec, len + 1);
	return 0;
}

int jscan_get(const struct jscan *s, int from, const char *path)
{
	int cur = from;

	if (!s->count || from < 0)
		return -1;
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		int found = -1;
		if (s->nodes[cur].type != JSCAN_OBJECT)
			return -1;
		for (int c = s->nodes[cur].child; c >= 0; c = s->nodes[c].next)
			if (s->nodes[c].key_len == n && !memcmp(s->data + s->nodes[c].key, path, n))
				found = c;
		if (found < 0)
			return -1;
		cur = found;
		path += n + (dot ? 1 : 0);
	}
	return cur;
}

const char *jscan_str(struct jscan *s, int node)
{
	struct jscan_node *n;
	const char *text;
	size_t tlen;
	json_t *v = NULL;

	if (node < 0 || (size_t)node >= s->count)
		return NULL;
	n = &s->nodes[node];
	if (n->type != JSCAN_STRING || n->val_len <= 2)
		return NULL;
	if (n->dec >= 0)
		return s->dec.buf + n->dec;
	if (!n->escaped) {
		text = s->data + n->val + 1;
		tlen = n->val_len - 2;
	} else {
		/* Escapes are jansson's to decode. */
		v = json_loadb(s->data + n->val, n->val_len, JSON_DECODE_ANY, NULL);
		text = json_string_value(v);
		tlen = text ? json_string_length(v) : 0;
		if (!text || !tlen) {
			json_decref(v);
			return NULL;
		}
	}
	if (s->dec.len + tlen + 1 > s->dec.cap) {
		json_decref(v);
		return NULL; /* cannot happen: see jscan_load */
	}
	n->dec = (int32_t)s->dec.len;
	strbuf_add(&s->dec, text, tlen);
	strbuf_addch(&s->dec, '\0');
	json_decref(v);
	return s->dec.buf + n->dec;
}

void jscan_write(const struct jscan *s, int node, struct strbuf *sb)
{
	static const char hex[] = "0123456789abcdef";
	const struct jscan_node *n = &s->nodes[node];
	const unsigned char *d = (const unsigned char *)s->data + n->val;
	size_t len = n->val_len, run = 0, i = 0;
	bool in_str = false;

	strbuf_grow(sb, len);
	while (i < len) {
		unsigned char c = d[i];
		if (in_str) {
			if (c == '\\') {
				i += 2;
				continue;
			}
			if (c == '"') {
				in_str = false;
			} else if (c == '<' || c == '>' || c == '&' || c == 0x7f) {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				strbuf_add(sb, d + run, i - run);
				strbuf_add(sb, esc, 6);
				run = i + 1;
			}
			i++;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			strbuf_add(sb, d + run, i - run);
			run = i + 1;
		}
		i++;
	}
	strbuf_add(sb, d + run, len - run);
}
