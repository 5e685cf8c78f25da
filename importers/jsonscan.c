/* jsonscan: one-pass RFC 8259 check and member index of a JSON object; see jsonscan.h. */
#include "jsonscan.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	free(s->hits);
	strbuf_release(&s->dec);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a of a member name, for the top level's table. */
static inline uint32_t name_hash(const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static int load(struct jscan *s, const void *data, size_t len);

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

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Bytes of 8 that a string scan must stop at: '"', '\\', below 0x20, or not ASCII (exact for
 * the first such byte, which is all the scan needs). */
static inline uint64_t special8(const unsigned char *p)
{
	uint64_t w, q, b;

	memcpy(&w, p, 8);
	q = w ^ (ONES * '"');
	b = w ^ (ONES * '\\');
	return ((q - ONES) & ~q) | ((b - ONES) & ~b) | (w - ONES * 0x20) | w;
}

/* d[*p] is '"': on success *p is just past the closing quote. */
static int scan_string(const unsigned char *d, size_t *p, size_t len, bool *ret_escaped)
{
	size_t i = *p + 1;
	bool esc = false;

	for (;;) {
		unsigned char c;
		/* The common bytes, fast: eight at a time, then one by one to the byte that stops. */
		while (i + 8 <= len && !(special8(d + i) & HIGHS))
			i += 8;
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

static bool is_redact_key(const struct jscan *s, const unsigned char *key, size_t n)
{
	for (size_t i = 0; s->redact_keys[i]; i++)
		if (strlen(s->redact_keys[i]) == n && !strncasecmp(s->redact_keys[i], (const char *)key, n))
			return true;
	return false;
}

/* A secret's value at [start, end): remember it unless it is a string already hidden. */
static int add_hit(struct jscan *s, size_t start, size_t end)
{
	const char *v = s->data + start;
	size_t n = end - start;

	if (v[0] != '"' || (n == 10 && !memcmp(v, "\"REDACTED\"", 10)) ||
	    (n == 32 && !memcmp(v, "\"HIDDEN_DUE_TO_SECURITY_REASONS\"", 32)))
		return 0;
	if (s->nhits == s->hits_cap) {
		size_t cap = s->hits_cap ? s->hits_cap * 2 : 8;
		struct jscan_span *h = realloc(s->hits, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		s->hits = h;
		s->hits_cap = cap;
	}
	s->hits[s->nhits++] = (struct jscan_span){ (uint32_t)start, (uint32_t)n };
	return 0;
}

void jscan_redacted_copy(const struct jscan *s, struct strbuf *out)
{
	size_t at = 0;

	for (size_t i = 0; i < s->nhits; i++) {
		strbuf_add(out, s->data + at, s->hits[i].off - at);
		strbuf_add(out, "\"REDACTED\"", 10);
		at = s->hits[i].off + s->hits[i].len;
	}
	strbuf_add(out, s->data + at, s->len - at);
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
			{
				size_t vstart = i;
				if ((rc = scan_value(s, &i, child, depth + 1)) < 0)
					return rc;
				if (s->redact_keys && is_redact_key(s, d + key + 1, key_end - key - 1) &&
				    (rc = add_hit(s, vstart, i)) < 0)
					return rc;
			}
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
	int rc = load(s, data, len);
	size_t members = 0;

	/* The top level, where most lookups start, in a hash table; a later duplicate replaces an
	 * earlier one (jansson's rule). Too many members: lookups walk the list instead. */
	memset(s->root_slot, 0xff, sizeof(s->root_slot));
	if (rc < 0)
		return rc;
	for (int c = s->nodes[0].child; c >= 0; c = s->nodes[c].next)
		members++;
	if (members * 2 > JSCAN_ROOT_SLOTS)
		return 0;
	for (int c = s->nodes[0].child; c >= 0; c = s->nodes[c].next) {
		const struct jscan_node *n = &s->nodes[c];
		uint32_t h = name_hash(s->data + n->key, n->key_len);
		for (;; h++) {
			int32_t *slot = &s->root_slot[h & (JSCAN_ROOT_SLOTS - 1)];
			if (*slot < 0 || (s->nodes[*slot].key_len == n->key_len &&
					  !memcmp(s->data + s->nodes[*slot].key, s->data + n->key, n->key_len))) {
				*slot = c;
				break;
			}
		}
	}
	s->root_hashed = true;
	return 0;
}

static int load(struct jscan *s, const void *data, size_t len)
{
	const unsigned char *d = data;
	size_t p;
	int rc;

	s->data = data;
	s->len = len;
	s->count = 0;
	s->nhits = 0;
	s->root_hashed = false;
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
		if (cur == 0 && s->root_hashed) {
			for (uint32_t h = name_hash(path, n);; h++) {
				int32_t c = s->root_slot[h & (JSCAN_ROOT_SLOTS - 1)];
				if (c < 0)
					break;
				if (s->nodes[c].key_len == n && !memcmp(s->data + s->nodes[c].key, path, n)) {
					found = c;
					break;
				}
			}
		} else
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

/* jscan_write's byte classes: 1 = white space (dropped outside strings), 2 = '"', 3 = '\\',
 * 4 = escaped inside strings as jsonw does. */
static const unsigned char wclass[256] = {
	[' '] = 1, ['\n'] = 1, ['\r'] = 1, ['\t'] = 1, ['"'] = 2, ['\\'] = 3, ['<'] = 4, ['>'] = 4, ['&'] = 4, [0x7f] = 4,
};

void jscan_write(const struct jscan *s, int node, struct strbuf *sb)
{
	static const char hex[] = "0123456789abcdef";
	const struct jscan_node *n = &s->nodes[node];
	const unsigned char *d = (const unsigned char *)s->data + n->val;
	size_t len = n->val_len, run = 0, i = 0;
	bool in_str = false;

	strbuf_grow(sb, len);
	while (i < len) {
		unsigned char c, k;
		while (i < len && !wclass[d[i]])
			i++;
		if (i >= len)
			break;
		c = d[i];
		k = wclass[c];
		if (k == 2) {
			in_str = !in_str;
		} else if (!in_str) {
			if (k == 1) {
				strbuf_add(sb, d + run, i - run);
				run = i + 1;
			}
		} else if (k == 3) {
			i++; /* the escaped byte is copied as it is */
		} else if (k == 4) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			strbuf_add(sb, d + run, i - run);
			strbuf_add(sb, esc, 6);
			run = i + 1;
		}
		i++;
	}
	strbuf_add(sb, d + run, len - run);
}
