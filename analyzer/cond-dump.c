/* cond-dump: a canonical text form of a condition tree, for tests and `rules check --dump`.
 *
 * (and A B ...), (or A B ...), (not A), (OP OPERAND VALUE), (in OPERAND ("a" "b")),
 * (exists OPERAND), (OP MOD OPERAND ("a" "b")) for a modifier (= anyof ...); an operand is the field as written, wrapped as tolower(...) by its
 * transformers; val(FIELD) a field on the right; values are double-quoted with \" and \\
 * escaped; a macro not yet expanded prints as its name.
 */
#include "cond.h"

static void dump_operand(const struct cond_operand *o, struct strbuf *out)
{
	for (int i = 0; i < o->nxf; i++)
		strbuf_addf(out, "%s(", cond_xform_name(o->xf[i]));
	strbuf_add(out, o->field, o->field_len);
	for (int i = 0; i < o->nxf; i++)
		strbuf_addch(out, ')');
}

static void dump_value(const struct cond_value *v, struct strbuf *out, bool hex)
{
	if (hex) {
		for (size_t i = 0; i < v->len; i++)
			strbuf_addf(out, "%02x", (unsigned char)v->s[i]);
		return;
	}
	strbuf_addch(out, '"');
	for (size_t i = 0; i < v->len; i++) {
		if (v->s[i] == '"' || v->s[i] == '\\')
			strbuf_addch(out, '\\');
		strbuf_addch(out, v->s[i]);
	}
	strbuf_addch(out, '"');
}

void cond_dump(const struct cnode *n, struct strbuf *out)
{
	switch (n->kind) {
	case CN_MACRO:
		strbuf_add(out, n->name, n->name_len);
		return;
	case CN_AND:
	case CN_OR:
	case CN_NOT:
		strbuf_addstr(out, n->kind == CN_AND ? "(and" : n->kind == CN_OR ? "(or" : "(not");
		for (size_t i = 0; i < n->nkids; i++) {
			strbuf_addch(out, ' ');
			cond_dump(n->kids[i], out);
		}
		strbuf_addch(out, ')');
		return;
	case CN_CHECK:
		break;
	}
	strbuf_addf(out, "(%s%s%s ", cond_op_text(n->op), n->mod != MOD_NONE ? " " : "", cond_mod_name(n->mod));
	dump_operand(&n->lhs, out);
	if (n->op == OP_EXISTS) {
		strbuf_addch(out, ')');
		return;
	}
	strbuf_addch(out, ' ');
	if (n->rhs_is_field) {
		if (!n->rhs.nxf)
			strbuf_addstr(out, "val(");
		dump_operand(&n->rhs, out);
		if (!n->rhs.nxf)
			strbuf_addch(out, ')');
	} else if (cond_op_kind(n->op) == OPK_LIST || n->mod != MOD_NONE) {
		strbuf_addch(out, '(');
		for (size_t i = 0; i < n->nvals; i++) {
			if (i)
				strbuf_addch(out, ' ');
			dump_value(&n->vals[i], out, false);
		}
		strbuf_addch(out, ')');
	} else if (n->nvals) {
		bool hex = (n->op == OP_BCONTAINS || n->op == OP_BSTARTSWITH) && n->lhs.bind.def;
		dump_value(&n->vals[0], out, hex);
	}
	strbuf_addch(out, ')');
}
