/* cond-parse: the condition language's recursive-descent parser, text -> tree.
 *
 * Grammar (libs userspace/libsinsp/filter/parser.h as condensed in
 * ../shared/reference/falco.md §a; keywords are case-sensitive):
 *
 *   Expr      ::= OrExpr
 *   OrExpr    ::= AndExpr ('or' AndExpr)*
 *   AndExpr   ::= NotExpr ('and' NotExpr)*
 *   NotExpr   ::= 'not' NotExpr | Check
 *   Check     ::= '(' Expr ')' | Operand Condition | Identifier          (a macro)
 *   Operand   ::= Field | Transformer '(' Operand ')' | Call
 *   Call      ::= ('join'|'concat'|'getopt') '(' [Arg (',' Arg)*] ')' ['[' Char ']']
 *   Arg       ::= QuotedStr | Number | Operand | '(' [Item (',' Item)*] ')'
 *   Item      ::= QuotedStr | Number | Operand
 *   Condition ::= 'exists'
 *               | ('='|'=='|'!='|'<'|'<='|'>'|'>='|'contains'|'icontains'|'bcontains'
 *                  |'startswith'|'bstartswith'|'endswith'|'glob'|'iglob'|'regex') RValue
 *               | StrOp ('oneof'|'anyof'|'allof') ListValue
 *               | ('in'|'intersects'|'pmatch') (ListValue | FieldValue)
 *   RValue    ::= FieldValue | StrValue
 *   FieldValue::= 'val(' Field ')' | Transformer '(' Operand ')' | Call
 *   ListValue ::= '(' [ListItem (',' ListItem)*] ')' | Identifier(list)
 *   ListItem  ::= StrValue            (a bare item naming a list is replaced by its items)
 *   Transformer ::= 'tolower' | 'toupper' | 'b64' | 'basename' | 'len'
 *   StrOp     ::= every operator above but '<', '<=', '>', '>='
 *
 * Lists are substituted here, while parsing, where Falco substitutes them textually just before:
 * the result is the same for every list use in the upstream files (inside a list value or as the
 * whole list value) and errors keep their positions in the text the user wrote.
 * Macros stay CN_MACRO nodes; the resolver expands them.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cond.h"

#define MAX_DEPTH 200

struct parser {
	struct cond_lexer lx;
	struct arena *a;
	const struct cond_text *text;
	const struct cond_env *env;
	struct cond_error *err;
	int depth;
};

static struct cnode *parse_or(struct parser *p);

static struct cnode *node(struct parser *p, enum cnode_kind kind, size_t offset)
{
	struct cnode *n = arena_alloc(p->a, sizeof(*n));

	n->kind = kind;
	n->at = p->text;
	n->offset = offset;
	return n;
}

static void fail(struct parser *p, size_t offset, const char *what)
{
	const char *s = p->lx.s + offset;

	if (!*s)
		cond_error_set(p->err, p->text, offset, "%s, found the end of the condition", what);
	else
		cond_error_set(p->err, p->text, offset, "%s, found '%.*s'", what,
			       (int)(strcspn(s, " \t\n\r(),") ? strcspn(s, " \t\n\r(),") : 1), s);
}

static bool parse_call(struct parser *p, struct cond_operand *o, enum cond_call_kind kind, size_t at);

static bool parse_operand(struct parser *p, struct cond_operand *o)
{
	int xf, call;
	size_t len;

	cond_lex_ws(&p->lx);
	o->offset = p->lx.pos;
	o->at = p->text;
	while ((xf = cond_lex_xform(&p->lx)) >= 0) {
		if (o->nxf == COND_MAX_XFORMS) {
			cond_error_set(p->err, p->text, o->offset, "more than %d nested transformers", COND_MAX_XFORMS);
			return false;
		}
		o->xf[o->nxf++] = (enum cond_xform)xf;
		cond_lex_ws(&p->lx);
	}
	size_t at = p->lx.pos;
	if ((call = cond_lex_call(&p->lx)) >= 0) {
		if (!parse_call(p, o, (enum cond_call_kind)call, at))
			return false;
	} else {
		len = cond_lex_field(&p->lx);
		if (!len) {
			fail(p, at, "expected a field name");
			return false;
		}
		o->field = p->lx.s + at;
		o->field_len = len;
	}
	for (int i = 0; i < o->nxf; i++) {
		if (!cond_lex_char(&p->lx, ')')) {
			fail(p, p->lx.pos, "expected ')' closing the transformer");
			return false;
		}
	}
	return true;
}

static bool parse_args(struct parser *p, struct cond_arg **ret, size_t *ret_n, bool lists_allowed);

/* One argument of a call: a quoted string or a number, '(' a list of arguments ')' (only at the
 * top: a list holds no list), or an operand. */
static bool parse_arg(struct parser *p, struct cond_arg *a, bool list_allowed)
{
	const char *s;
	char c;

	cond_lex_ws(&p->lx);
	a->offset = p->lx.pos;
	s = p->lx.s + p->lx.pos;
	c = s[0];
	if (c == '(' && list_allowed) {
		p->lx.pos++;
		a->kind = ARG_LIST;
		return parse_args(p, &a->items, &a->nitems, false);
	}
	if (c == '"' || c == '\'' || isdigit((unsigned char)c) || ((c == '-' || c == '+') && isdigit((unsigned char)s[1]))) {
		bool quoted;
		if (cond_lex_value(&p->lx, p->a, &a->s, &a->len, &quoted) <= 0) {
			cond_error_set(p->err, p->text, a->offset, "unterminated quoted string");
			return false;
		}
		a->kind = ARG_LITERAL;
		return true;
	}
	a->kind = ARG_OPERAND;
	return parse_operand(p, &a->operand);
}

/* Arguments up to the closing ')', its '(' read already. */
static bool parse_args(struct parser *p, struct cond_arg **ret, size_t *ret_n, bool lists_allowed)
{
	size_t cap = 0;

	if (cond_lex_char(&p->lx, ')'))
		return true;
	for (;;) {
		if (*ret_n == cap) {
			struct cond_arg *g = arena_alloc(p->a, (cap ? cap * 2 : 4) * sizeof(*g));
			if (*ret_n)
				memcpy(g, *ret, *ret_n * sizeof(*g));
			*ret = g;
			cap = cap ? cap * 2 : 4;
		}
		if (!parse_arg(p, &(*ret)[(*ret_n)++], lists_allowed))
			return false;
		if (cond_lex_char(&p->lx, ')'))
			return true;
		if (!cond_lex_char(&p->lx, ',')) {
			fail(p, p->lx.pos, "expected ',' or ')' after an argument");
			return false;
		}
	}
}

/* KIND's arguments after its '(', and getopt's [c] selector; the operand's text is the call. */
static bool parse_call(struct parser *p, struct cond_operand *o, enum cond_call_kind kind, size_t at)
{
	struct cond_call *c = arena_alloc(p->a, sizeof(*c));

	c->kind = kind;
	if (++p->depth > MAX_DEPTH) {
		cond_error_set(p->err, p->text, at, "transformers nested too deep");
		return false;
	}
	if (!parse_args(p, &c->args, &c->nargs, true))
		return false;
	p->depth--;
	if (p->lx.s[p->lx.pos] == '[') {
		size_t sel_at = p->lx.pos + 1;
		const char *sel = p->lx.s + sel_at, *close = strchr(sel, ']');
		size_t n = close ? (size_t)(close - sel) : 0;
		if (n >= 2 && (sel[0] == '"' || sel[0] == '\'') && sel[n - 1] == sel[0]) {
			sel++;
			n -= 2;
		}
		if (!close) {
			fail(p, p->lx.pos, "expected ']' closing the selector");
			return false;
		}
		if (kind != CALL_GETOPT) {
			cond_error_set(p->err, p->text, sel_at, "transformer '%s' takes no [argument]", cond_call_name(kind));
			return false;
		}
		if (n != 1) {
			cond_error_set(p->err, p->text, sel_at, "getopt's [argument] is one option character");
			return false;
		}
		c->selector = sel[0];
		p->lx.pos = (size_t)(close - p->lx.s) + 1;
	}
	o->call = c;
	o->field = p->lx.s + at;
	o->field_len = p->lx.pos - at;
	return true;
}

static void add_value(struct parser *p, struct cnode *n, const char *s, size_t len, bool quoted, size_t offset,
		      size_t *cap)
{
	if (n->nvals == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct cond_value *v = arena_alloc(p->a, ncap * sizeof(*v));
		if (n->nvals)
			memcpy(v, n->vals, n->nvals * sizeof(*v));
		n->vals = v;
		*cap = ncap;
	}
	struct cond_value *v = &n->vals[n->nvals++];
	v->s = s;
	v->len = len;
	v->quoted = quoted;
	v->offset = offset;
}

static bool add_list(struct parser *p, struct cnode *n, const struct cond_list *l, size_t offset, size_t *cap)
{
	for (size_t i = 0; i < l->n; i++)
		add_value(p, n, l->items[i], strlen(l->items[i]), l->quoted[i], offset, cap);
	return true;
}

static const struct cond_list *find_list(struct parser *p, const char *s, size_t len)
{
	return p->env && p->env->find_list ? p->env->find_list(p->env->ud, s, len) : NULL;
}

/* val(field) or transformer(...) as the right-hand side. */
static int try_field_value(struct parser *p, struct cnode *n)
{
	struct cond_lexer save = p->lx;

	cond_lex_ws(&p->lx);
	if (!strncmp(p->lx.s + p->lx.pos, "val(", 4)) {
		p->lx.pos += 4;
		if (!parse_operand(p, &n->rhs))
			return -1;
		if (!cond_lex_char(&p->lx, ')')) {
			fail(p, p->lx.pos, "expected ')' closing val(");
			return -1;
		}
		n->rhs_is_field = true;
		return 1;
	}
	if (cond_lex_transformer_follows(&p->lx)) {
		p->lx = save;
		if (!parse_operand(p, &n->rhs))
			return -1;
		n->rhs_is_field = true;
		return 1;
	}
	p->lx = save;
	return 0;
}

static bool parse_list_value(struct parser *p, struct cnode *n)
{
	size_t cap = 0, at;
	const char *s;
	size_t len;
	bool quoted;
	int r;

	cond_lex_ws(&p->lx);
	at = p->lx.pos;
	if (!cond_lex_char(&p->lx, '(')) {
		size_t ilen = cond_lex_ident(&p->lx);
		const struct cond_list *l = ilen ? find_list(p, p->lx.s + at, ilen) : NULL;
		if (!l) {
			if (ilen)
				cond_error_set(p->err, p->text, at, "undefined list '%.*s'", (int)ilen, p->lx.s + at);
			else
				fail(p, at, "expected a list: '(' or a list name");
			return false;
		}
		n->vals = NULL;
		return add_list(p, n, l, at, &cap);
	}
	n->vals = arena_alloc(p->a, sizeof(*n->vals)); /* an empty list is a list */
	cap = 1;
	if (cond_lex_char(&p->lx, ')'))
		return true;
	for (;;) {
		cond_lex_ws(&p->lx);
		at = p->lx.pos;
		r = cond_lex_value(&p->lx, p->a, &s, &len, &quoted);
		if (r < 0) {
			cond_error_set(p->err, p->text, at, "unterminated quoted string");
			return false;
		}
		if (r == 0) {
			if (p->lx.s[p->lx.pos] == ',' || p->lx.s[p->lx.pos] == ')') {
				/* an empty item, as a substituted empty list leaves behind: skip it */
			} else {
				fail(p, at, "expected a list item");
				return false;
			}
		} else {
			const struct cond_list *l = quoted ? NULL : find_list(p, s, len);
			if (l)
				add_list(p, n, l, at, &cap);
			else
				add_value(p, n, s, len, quoted, at, &cap);
		}
		if (cond_lex_char(&p->lx, ')'))
			return true;
		if (!cond_lex_char(&p->lx, ',')) {
			fail(p, p->lx.pos, "expected ',' or ')' in the list");
			return false;
		}
	}
}

static bool is_numeric_op(enum cond_op op)
{
	return op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

/* A modifier and its list after a string operator: `oneof|anyof|allof`, then '(' or a list name
 * that is not 'and', 'or' or 'not' (as libs' parser decides); 1 parsed, 0 when what follows is
 * a plain value (`proc.name = oneof` compares with the word), -1 on error. */
static int try_modifier(struct parser *p, struct cnode *n)
{
	struct cond_lexer save = p->lx, look;
	int mod = cond_lex_mod(&p->lx);
	bool list;

	if (mod == MOD_NONE || is_numeric_op(n->op)) {
		p->lx = save;
		return 0;
	}
	look = p->lx;
	cond_lex_ws(&look);
	list = look.s[look.pos] == '(';
	if (!list && cond_lex_ident(&look)) {
		struct cond_lexer kw = p->lx;
		list = !cond_lex_keyword(&kw, "and") && !cond_lex_keyword(&kw, "or") && !cond_lex_keyword(&kw, "not");
	}
	if (!list) {
		p->lx = save;
		return 0;
	}
	n->mod = (enum cond_mod)mod;
	return parse_list_value(p, n) ? 1 : -1;
}

static struct cnode *parse_check(struct parser *p)
{
	struct cnode *n;
	size_t at, len;
	int op, r;

	cond_lex_ws(&p->lx);
	at = p->lx.pos;
	if (cond_lex_char(&p->lx, '(')) {
		if (++p->depth > MAX_DEPTH) {
			cond_error_set(p->err, p->text, at, "parentheses nested too deep");
			return NULL;
		}
		n = parse_or(p);
		p->depth--;
		if (!n)
			return NULL;
		if (!cond_lex_char(&p->lx, ')')) {
			fail(p, p->lx.pos, "expected ')' or an 'and'/'or'");
			return NULL;
		}
		return n;
	}
	/* a macro: an identifier without dots that is not followed by '(' */
	len = cond_lex_ident(&p->lx);
	if (len && p->lx.s[p->lx.pos] != '(') {
		n = node(p, CN_MACRO, at);
		n->name = p->lx.s + at;
		n->name_len = len;
		return n;
	}
	p->lx.pos = at;
	n = node(p, CN_CHECK, at);
	if (!parse_operand(p, &n->lhs))
		return NULL;
	cond_lex_ws(&p->lx);
	at = p->lx.pos;
	op = cond_lex_op(&p->lx);
	if (op < 0) {
		fail(p, at, "expected an operator after the field");
		return NULL;
	}
	n->op = (enum cond_op)op;
	switch (cond_op_kind(n->op)) {
	case OPK_NONE:
		return n;
	case OPK_LIST:
		r = try_field_value(p, n);
		if (r < 0)
			return NULL;
		if (r == 0 && !parse_list_value(p, n))
			return NULL;
		return n;
	case OPK_VALUE: {
		const char *s;
		bool quoted;
		size_t cap = 0;
		r = try_modifier(p, n);
		if (r == 0)
			r = try_field_value(p, n);
		if (r < 0)
			return NULL;
		if (r)
			return n;
		cond_lex_ws(&p->lx);
		at = p->lx.pos;
		r = cond_lex_value(&p->lx, p->a, &s, &len, &quoted);
		if (r < 0) {
			cond_error_set(p->err, p->text, at, "unterminated quoted string");
			return NULL;
		}
		if (r == 0) {
			fail(p, at, "expected a value after the operator");
			return NULL;
		}
		add_value(p, n, s, len, quoted, at, &cap);
		return n;
	}
	}
	return n;
}

static struct cnode *parse_not(struct parser *p)
{
	size_t at;

	cond_lex_ws(&p->lx);
	at = p->lx.pos;
	if (cond_lex_keyword(&p->lx, "not")) {
		struct cnode *n, *kid;
		if (++p->depth > MAX_DEPTH) {
			cond_error_set(p->err, p->text, at, "'not' nested too deep");
			return NULL;
		}
		kid = parse_not(p);
		p->depth--;
		if (!kid)
			return NULL;
		n = node(p, CN_NOT, at);
		n->kids = arena_alloc(p->a, sizeof(*n->kids));
		n->kids[0] = kid;
		n->nkids = 1;
		return n;
	}
	return parse_check(p);
}

static struct cnode *parse_chain(struct parser *p, const char *kw, enum cnode_kind kind,
				 struct cnode *(*sub)(struct parser *))
{
	struct cnode *first, *n;
	struct cnode *kids[64], **all = kids;
	size_t nk = 0, cap = 64;
	size_t at;

	cond_lex_ws(&p->lx);
	at = p->lx.pos;
	first = sub(p);
	if (!first)
		return NULL;
	kids[nk++] = first;
	while (cond_lex_keyword(&p->lx, kw)) {
		struct cnode *k = sub(p);
		if (!k)
			return NULL;
		if (nk == cap) {
			struct cnode **grown = arena_alloc(p->a, cap * 2 * sizeof(*grown));
			memcpy(grown, all, nk * sizeof(*grown));
			all = grown;
			cap *= 2;
		}
		all[nk++] = k;
	}
	if (nk == 1)
		return first;
	n = node(p, kind, at);
	n->kids = arena_alloc(p->a, nk * sizeof(*n->kids));
	memcpy(n->kids, all, nk * sizeof(*n->kids));
	n->nkids = nk;
	return n;
}

static struct cnode *parse_and(struct parser *p)
{
	return parse_chain(p, "and", CN_AND, parse_not);
}

static struct cnode *parse_or(struct parser *p)
{
	return parse_chain(p, "or", CN_OR, parse_and);
}

int cond_parse(struct arena *a, const struct cond_text *text, const struct cond_env *env, struct cnode **ret,
	       struct cond_error *err)
{
	struct parser p = { .lx = { text->text, 0 }, .a = a, .text = text, .env = env, .err = err };
	struct cnode *n;

	n = parse_or(&p);
	if (!n)
		return -EINVAL;
	cond_lex_ws(&p.lx);
	if (p.lx.s[p.lx.pos]) {
		fail(&p, p.lx.pos, "expected 'and', 'or' or the end of the condition");
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

int cond_parse_operand(struct arena *a, const struct cond_text *text, size_t *pos, struct cond_operand *o,
		       struct cond_error *err)
{
	struct parser p = { .lx = { text->text, *pos }, .a = a, .text = text, .err = err };

	memset(o, 0, sizeof(*o));
	if (!parse_operand(&p, o))
		return -EINVAL;
	*pos = p.lx.pos;
	return 0;
}
