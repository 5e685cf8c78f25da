/* jsonframe: cut a JSON stream into records by tracking strings and brackets; see jsonframe.h. */
#include "jsonframe.h"

#include <errno.h>
#include <string.h>

enum { ST_TOP, ST_ARRAY, ST_REST, ST_DONE };

/* Scanner results besides 0. */
#define SCAN_EOF (-1)    /* the stream ended inside the value */
#define SCAN_BIG (-2)    /* the value is longer than READER_MAX */
#define SCAN_SYNTAX (-3) /* not JSON; f->err says why */

struct win {
	const uint8_t *d;
	size_t n;
};

void jframe_init(struct jframe *f, const char *const *containers)
{
	memset(f, 0, sizeof(*f));
	f->containers = containers;
	f->state = ST_TOP;
	strbuf_init(&f->err);
}

void jframe_release(struct jframe *f)
{
	strbuf_release(&f->err);
}

/* Make byte `pos` of the window available: 0, SCAN_EOF or SCAN_BIG. */
static int more(struct reader *r, struct win *w, size_t pos)
{
	size_t want;

	if (pos < w->n)
		return 0;
	if (pos >= READER_MAX)
		return SCAN_BIG;
	want = w->n * 2 > pos + 1 ? w->n * 2 : pos + 1;
	if (want < 65536)
		want = 65536;
	if (want > READER_MAX)
		want = READER_MAX;
	reader_fill(r, want);
	w->d = reader_data(r);
	w->n = reader_avail(r);
	return pos < w->n ? 0 : SCAN_EOF;
}

static void refresh(struct reader *r, struct win *w)
{
	w->d = reader_data(r);
	w->n = reader_avail(r);
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skip white space (and a UTF-8 byte order mark); 0 with pos at a byte, or SCAN_EOF. */
static int skip_ws(struct reader *r, struct win *w, size_t *pos)
{
	for (;;) {
		int rc = more(r, w, *pos);
		if (rc < 0)
			return rc;
		if (is_ws(w->d[*pos]))
			(*pos)++;
		else if (w->d[*pos] == 0xef && more(r, w, *pos + 2) == 0 && w->d[*pos + 1] == 0xbb &&
			 w->d[*pos + 2] == 0xbf)
			*pos += 3;
		else
			return 0;
	}
}

/* Bytes the scanners stop at: in a string its end and escapes; outside, strings and brackets. */
enum { C_PLAIN, C_QUOTE, C_ESCAPE, C_OPEN, C_CLOSE };

static const uint8_t in_string[256] = { ['"'] = C_QUOTE, ['\\'] = C_ESCAPE };
static const uint8_t in_value[256] = { ['"'] = C_QUOTE, ['{'] = C_OPEN, ['['] = C_OPEN, ['}'] = C_CLOSE, [']'] = C_CLOSE };

/* pos at an opening quote; on return just past the closing one. */
static int scan_string(struct reader *r, struct win *w, size_t *pos)
{
	size_t p = *pos + 1;

	for (;;) {
		int rc = more(r, w, p);
		if (rc < 0)
			return rc;
		while (p < w->n && !in_string[w->d[p]])
			p++;
		if (p == w->n)
			continue;
		if (w->d[p] == '"') {
			*pos = p + 1;
			return 0;
		}
		p += 2; /* an escape and the byte it escapes */
	}
}

static int syntax(struct jframe *f, struct reader *r, size_t pos, const char *what)
{
	f->err_offset = reader_offset(r) + pos;
	strbuf_reset(&f->err);
	strbuf_addf(&f->err, "%s at byte %llu", what, (unsigned long long)f->err_offset);
	return SCAN_SYNTAX;
}

/* pos at the first byte of a value; on return just past it. */
static int scan_value(struct jframe *f, struct reader *r, struct win *w, size_t *pos)
{
	size_t p = *pos, depth = 0;
	int rc = more(r, w, p);

	if (rc < 0)
		return rc;
	if (w->d[p] == '"') {
		rc = scan_string(r, w, &p);
		*pos = p;
		return rc;
	}
	if (w->d[p] != '{' && w->d[p] != '[') {
		/* A scalar: up to the next delimiter. jansson checks what it is. */
		size_t start = p;
		while (more(r, w, p) == 0 && !is_ws(w->d[p]) && w->d[p] != ',' && w->d[p] != ']' && w->d[p] != '}' &&
		       w->d[p] != '{' && w->d[p] != '[' && w->d[p] != '"')
			p++;
		if (p == start)
			return syntax(f, r, p, "expected a JSON value");
		*pos = p;
		return 0;
	}
	for (;;) {
		uint8_t c;
		rc = more(r, w, p);
		if (rc < 0)
			return rc;
		/* Up to the next string or bracket within the window, then look at it. */
		while (p < w->n && !in_value[w->d[p]])
			p++;
		if (p == w->n)
			continue;
		c = w->d[p];
		switch (in_value[c]) {
		case C_QUOTE: {
			/* Most strings are short, plain and inside the window: end them here. */
			size_t q = p + 1;
			while (q < w->n && !in_string[w->d[q]])
				q++;
			if (q < w->n && w->d[q] == '"') {
				p = q + 1;
				continue;
			}
			rc = scan_string(r, w, &p);
			if (rc < 0)
				return rc;
			continue;
		}
		case C_OPEN:
			if (depth == JFRAME_MAX_DEPTH)
				return syntax(f, r, p, "JSON nested too deep");
			f->stack[depth++] = c;
			break;
		default: /* C_CLOSE */
			if (!depth || f->stack[depth - 1] != (c == '}' ? '{' : '['))
				return syntax(f, r, p, c == '}' ? "'}' closes an array or nothing" : "']' closes an object or nothing");
			depth--;
			break;
		}
		p++;
		if (!depth) {
			*pos = p;
			return 0;
		}
	}
}

static bool is_container(const struct jframe *f, const uint8_t *key, size_t len)
{
	for (size_t i = 0; f->containers && f->containers[i]; i++)
		if (strlen(f->containers[i]) == len && !memcmp(f->containers[i], key, len))
			return true;
	return false;
}

/*
 * The members of an object, from just after its '{' (or a member's end). Returns 1 when a
 * container member's array begins (pos just past its '['), 0 at the object's end (pos past
 * '}'), or a scanner error. With `consume`, each skipped member is consumed as it is passed.
 */
static int scan_members(struct jframe *f, struct reader *r, struct win *w, size_t *pos, bool consume)
{
	for (;;) {
		size_t key, key_len;
		int rc = skip_ws(r, w, pos);
		if (rc < 0)
			return rc;
		if (w->d[*pos] == ',') {
			(*pos)++;
			continue;
		}
		if (w->d[*pos] == '}') {
			(*pos)++;
			return 0;
		}
		if (w->d[*pos] != '"')
			return syntax(f, r, *pos, "expected a member name");
		key = *pos + 1;
		rc = scan_string(r, w, pos);
		if (rc < 0)
			return rc;
		key_len = *pos - 1 - key;
		if ((rc = skip_ws(r, w, pos)) < 0)
			return rc;
		if (w->d[*pos] != ':')
			return syntax(f, r, *pos, "expected ':' after a member name");
		(*pos)++;
		if ((rc = skip_ws(r, w, pos)) < 0)
			return rc;
		if (w->d[*pos] == '[' && is_container(f, w->d + key, key_len)) {
			size_t n = key_len < sizeof(f->container) - 1 ? key_len : sizeof(f->container) - 1;
			memcpy(f->container, w->d + key, n);
			f->container[n] = '\0';
			(*pos)++;
			return 1;
		}
		rc = scan_value(f, r, w, pos);
		if (rc < 0)
			return rc;
		if (consume) {
			reader_consume(r, *pos);
			refresh(r, w);
			*pos = 0;
		}
	}
}

/* After damage at the top level: drop bytes up to the next line that opens a value. */
static bool resync(struct reader *r)
{
	struct win w;
	bool first = true;

	for (;;) {
		size_t i;
		refresh(r, &w);
		if (w.n < 2 && more(r, &w, 1) < 0) {
			reader_consume(r, w.n);
			return false;
		}
		for (i = first ? 1 : 0; i + 1 < w.n; i++)
			if (w.d[i] == '\n' && (w.d[i + 1] == '{' || w.d[i + 1] == '['))
				break;
		first = false;
		if (i + 1 < w.n) {
			reader_consume(r, i + 1);
			return true;
		}
		reader_consume(r, w.n - 1); /* keep the last byte: it may be the '\n' */
		reader_fill(r, 65536);
	}
}

static int fail(struct jframe *f, struct reader *r, int rc, bool fatal, const char *where)
{
	f->fatal = fatal;
	if (rc == SCAN_EOF) {
		f->err_offset = reader_offset(r);
		strbuf_reset(&f->err);
		strbuf_addf(&f->err, "the file ends inside %s that begins at byte %llu", where,
			    (unsigned long long)f->err_offset);
	} else if (rc == SCAN_BIG) {
		f->err_offset = reader_offset(r);
		strbuf_reset(&f->err);
		strbuf_addf(&f->err, "%s at byte %llu is longer than %u bytes", where, (unsigned long long)f->err_offset,
			    READER_MAX);
	}
	/* SCAN_SYNTAX: syntax() already said what and where. */
	return -EBADMSG;
}

int jframe_next(struct jframe *f, struct reader *r, struct jframe_record *ret)
{
	struct win w;
	size_t pos;
	int rc;

	reader_consume(r, f->pending);
	f->pending = 0;
	for (;;) {
		refresh(r, &w);
		pos = 0;
		switch (f->state) {
		case ST_DONE:
			return 0;
		case ST_TOP:
			if (skip_ws(r, &w, &pos) < 0) {
				reader_consume(r, reader_avail(r));
				f->state = ST_DONE;
				return 0;
			}
			reader_consume(r, pos);
			refresh(r, &w);
			pos = 0;
			if (w.d[0] == '[') {
				reader_consume(r, 1);
				f->container[0] = '\0';
				f->index = 0;
				f->state = ST_ARRAY;
				continue;
			}
			if (w.d[0] != '{') {
				syntax(f, r, 0, "expected a JSON object or array");
				f->fatal = false;
				if (!resync(r))
					f->state = ST_DONE;
				return -EBADMSG;
			}
			pos = 1;
			rc = scan_members(f, r, &w, &pos, false);
			if (rc == 1) {
				reader_consume(r, pos);
				f->index = 0;
				f->state = ST_ARRAY;
				continue;
			}
			if (rc == 0) {
				ret->data = w.d;
				ret->len = pos;
				ret->offset = reader_offset(r);
				ret->container = NULL;
				ret->index = f->top_index++;
				f->pending = pos;
				return 1;
			}
			fail(f, r, rc, false, "a JSON value");
			/* Name the record that is damaged, and where the damage was seen. */
			if (f->err_offset != reader_offset(r)) {
				struct strbuf msg = STRBUF_INIT;
				strbuf_addf(&msg, "the record at byte %llu is not valid JSON: %s",
					    (unsigned long long)reader_offset(r), f->err.buf);
				strbuf_reset(&f->err);
				strbuf_addstr(&f->err, msg.buf);
				strbuf_release(&msg);
			}
			f->err_offset = reader_offset(r);
			if (!resync(r)) {
				f->state = ST_DONE;
				f->fatal = true;
			}
			return -EBADMSG;
		case ST_ARRAY:
			for (;;) {
				rc = skip_ws(r, &w, &pos);
				if (rc < 0) {
					f->state = ST_DONE;
					reader_consume(r, pos);
					return fail(f, r, rc, true, "the records array");
				}
				if (w.d[pos] != ',')
					break;
				pos++;
			}
			reader_consume(r, pos);
			refresh(r, &w);
			pos = 0;
			if (w.d[0] == ']') {
				reader_consume(r, 1);
				f->state = f->container[0] ? ST_REST : ST_TOP;
				continue;
			}
			rc = scan_value(f, r, &w, &pos);
			if (rc < 0) {
				f->state = ST_DONE;
				return fail(f, r, rc, true, "a record");
			}
			ret->data = w.d;
			ret->len = pos;
			ret->offset = reader_offset(r);
			ret->container = f->container;
			ret->index = f->index++;
			f->pending = pos;
			return 1;
		case ST_REST:
			rc = scan_members(f, r, &w, &pos, true);
			if (rc == 1) {
				reader_consume(r, pos);
				f->index = 0;
				f->state = ST_ARRAY;
				continue;
			}
			if (rc == 0) {
				reader_consume(r, pos);
				f->state = ST_TOP;
				continue;
			}
			f->state = ST_DONE;
			return fail(f, r, rc, true, "the object holding the records");
		}
	}
}

bool jframe_starts_with(const uint8_t *data, size_t len, char c)
{
	size_t i = 0;

	if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
		i = 3;
	while (i < len && is_ws(data[i]))
		i++;
	return i < len && data[i] == (uint8_t)c;
}
