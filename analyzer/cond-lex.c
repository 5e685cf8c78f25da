/* cond-lex: scanning the condition language — blanks, keywords, field names, identifiers,
 * operators and string values. The grammar is context sensitive (a bare string may contain
 * '.', '<', '[', a field name may not), so the parser asks for the token it expects next,
 * like Falco's libsinsp parser does; these scanners never read past the terminating NUL.
 *
 * Token shapes (libs userspace/libsinsp/filter/parser.h, as ../shared/reference/falco.md §a):
 *   field  [a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)+ ('[' [^\]]* ']')?
 *   ident  [a-zA-Z_][a-zA-Z0-9_-]*         (a macro or list name)
 *   value  "..." or '...' with \ escapes, or a bare run of [^ \t\n\r\f\v(),="']
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cond.h"

static const struct {
	const char *text;
	enum cond_op_kind kind;
} ops[] = {
#define OP(id, text, kind) { text, OPK_##kind },
#include "cond-ops.def"
#undef OP
};

const char *cond_op_text(enum cond_op op)
{
	return ops[op].text;
}

enum cond_op_kind cond_op_kind(enum cond_op op)
{
	return ops[op].kind;
}

static const char *const mods[] = { "", "oneof", "anyof", "allof" };

const char *cond_mod_name(enum cond_mod m)
{
	return mods[m];
}

static const char *const xforms[] = { "tolower", "toupper", "b64", "basename", "len" };

const char *cond_xform_name(enum cond_xform x)
{
	return xforms[x];
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

void cond_lex_ws(struct cond_lexer *l)
{
	while (l->s[l->pos] && isspace((unsigned char)l->s[l->pos]))
		l->pos++;
}

bool cond_lex_keyword(struct cond_lexer *l, const char *kw)
{
	size_t n = strlen(kw);

	cond_lex_ws(l);
	if (strncmp(l->s + l->pos, kw, n) || is_ident_char(l->s[l->pos + n]) || l->s[l->pos + n] == '.')
		return false;
	l->pos += n;
	return true;
}

bool cond_lex_char(struct cond_lexer *l, char c)
{
	cond_lex_ws(l);
	if (l->s[l->pos] != c)
		return false;
	l->pos++;
	return true;
}

size_t cond_lex_field(struct cond_lexer *l)
{
	const char *s = l->s + l->pos;
	size_t i = 0, dots = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (is_ident_char(s[i]))
		i++;
	while (s[i] == '.' && is_ident_char(s[i + 1])) {
		i++;
		dots++;
		while (is_ident_char(s[i]))
			i++;
	}
	if (!dots)
		return 0;
	if (s[i] == '[') {
		const char *close = strchr(s + i, ']');
		if (!close)
			return 0;
		i = (size_t)(close - s) + 1;
	}
	l->pos += i;
	return i;
}

size_t cond_lex_ident(struct cond_lexer *l)
{
	const char *s = l->s + l->pos;
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	while (is_ident_char(s[i]) || s[i] == '-')
		i++;
	if (s[i] == '.')
		return 0;
	l->pos += i;
	return i;
}

int cond_lex_op(struct cond_lexer *l)
{
	const char *s;

	cond_lex_ws(l);
	s = l->s + l->pos;
	if (s[0] == '=' && s[1] == '=') {
		l->pos += 2;
		return OP_EQ;
	}
	for (int i = 0; i < OP__COUNT; i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, n))
			continue;
		if (isalpha((unsigned char)s[0]) && is_ident_char(s[n]))
			continue; /* a word operator must end at a word boundary */
		l->pos += n;
		return i;
	}
	return -1;
}

static const char *const calls[] = { "join", "concat", "getopt" };

const char *cond_call_name(enum cond_call_kind k)
{
	return calls[k];
}

/* One of the names directly followed by '(': its index, with both read; or -1. */
static int lex_name_paren(struct cond_lexer *l, const char *const *names, int n)
{
	cond_lex_ws(l);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (!strncmp(l->s + l->pos, names[i], len) && l->s[l->pos + len] == '(') {
			l->pos += len + 1;
			return i;
		}
	}
	return -1;
}

int cond_lex_call(struct cond_lexer *l)
{
	return lex_name_paren(l, calls, CALL__COUNT);
}

bool cond_lex_transformer_follows(const struct cond_lexer *l)
{
	struct cond_lexer a = *l, b = *l;

	return cond_lex_xform(&a) >= 0 || cond_lex_call(&b) >= 0;
}

int cond_lex_mod(struct cond_lexer *l)
{
	for (int m = MOD_ONEOF; m <= MOD_ALLOF; m++) {
		if (cond_lex_keyword(l, mods[m]))
			return m;
	}
	return MOD_NONE;
}

int cond_lex_xform(struct cond_lexer *l)
{
	return lex_name_paren(l, xforms, XF__COUNT);
}

static bool is_bare_char(char c)
{
	return c && !strchr(" \t\n\r\f\v(),=\"'", c);
}

int cond_lex_value(struct cond_lexer *l, struct arena *a, const char **ret, size_t *ret_len, bool *ret_quoted)
{
	const char *s;
	size_t i = 0;

	cond_lex_ws(l);
	s = l->s + l->pos;
	if (s[0] == '"' || s[0] == '\'') {
		char q = s[0];
		char *out = arena_alloc(a, strlen(s) + 1);
		size_t n = 0;
		for (i = 1; s[i] && s[i] != q; i++) {
			if (s[i] == '\\' && s[i + 1]) {
				i++;
				switch (s[i]) {
				case 'n': out[n++] = '\n'; break;
				case 't': out[n++] = '\t'; break;
				case 'r': out[n++] = '\r'; break;
				case 'b': out[n++] = '\b'; break;
				case 'f': out[n++] = '\f'; break;
				case '"': case '\'': case '\\': out[n++] = s[i]; break;
				default: out[n++] = '\\'; out[n++] = s[i]; break;
				}
			} else {
				out[n++] = s[i];
			}
		}
		if (!s[i])
			return -EINVAL;
		out[n] = '\0';
		l->pos += i + 1;
		*ret = out;
		*ret_len = n;
		*ret_quoted = true;
		return 1;
	}
	while (is_bare_char(s[i]))
		i++;
	if (!i)
		return 0;
	*ret = arena_strndup(a, s, i);
	*ret_len = i;
	*ret_quoted = false;
	l->pos += i;
	return 1;
}

void cond_error_init(struct cond_error *e)
{
	e->at = NULL;
	e->offset = 0;
	strbuf_init(&e->msg);
}

void cond_error_release(struct cond_error *e)
{
	strbuf_release(&e->msg);
}

void cond_error_set(struct cond_error *e, const struct cond_text *at, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (e->msg.len)
		return; /* the first error is the one reported */
	e->at = at;
	e->offset = offset;
	va_start(ap, fmt);
	strbuf_vaddf(&e->msg, fmt, ap);
	va_end(ap);
}
