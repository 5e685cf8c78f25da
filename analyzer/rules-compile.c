/* rules-compile: every loaded rule into something the detect run can evaluate — its condition
 * parsed and resolved against its source's field table (with its exceptions compiled in as
 * `and not (...)`, as Falco's rule_loader_compiler does), its evt.type set, its output template
 * and its case-wide tags (rule-gate.h) — and rendering that template for an event.
 *
 * Output templates follow Falco's eventformatter: literal text with %field, %field[arg],
 * %(field), a width prefix (%20proc.name, ignored here) and transformers around a field
 * (%tolower(proc.name), %join(",", proc.aname)); a missing value prints <NA>. Falco's load
 * warnings about the compiled rule are rules-warn.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "rule-gate.h"
#include "rules-int.h"

static void report(struct ruleset *rs, struct rule *r, struct cond_error *err)
{
	const struct rule_text *t = err->at ? err->at->origin : NULL;

	if (t)
		rules_diag_text(rs, true, t, err->offset, "%s: %s", t == &r->cond ? r->cond.ct.what : err->at->what,
				err->msg.buf);
	else
		rules_diag(rs, true, r->file, r->line, r->col, "rule '%s': %s", r->name, err->msg.buf);
	if (t && !strncmp(t->ct.what, "macro ", 6)) {
		/* an error inside a macro: say which rule met it */
		struct rule_diag *d = &rs->diags[rs->ndiags - 1];
		char *m;
		if (asprintf(&m, "%s (used by rule '%s')", d->msg, r->name) < 0)
			abort();
		free(d->msg);
		d->msg = m;
	}
}

static void add_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static bool is_list_comp(const char *comp)
{
	return !strcmp(comp, "in") || !strcmp(comp, "intersects") || !strcmp(comp, "pmatch");
}

/* The exceptions as one condition text: (row or row ...) over every exception; "" when none. */
static void exceptions_text(const struct rule *r, struct strbuf *sb)
{
	bool first = true;

	for (size_t i = 0; i < r->nexceptions; i++) {
		const struct rule_exception *e = &r->exceptions[i];
		if (!e->nrows || !e->nfields)
			continue;
		if (!first)
			strbuf_addstr(sb, " or ");
		first = false;
		if (!e->fields_is_list) {
			/* fields: f, comps: in, values: [a, b] */
			strbuf_addf(sb, "(%s %s (", e->fields[0], e->comps[0]);
			for (size_t k = 0; k < e->nrows; k++) {
				for (size_t j = 0; j < e->rows[k][0].n; j++) {
					if (k || j)
						strbuf_addstr(sb, ", ");
					add_quoted(sb, e->rows[k][0].items[j]);
				}
			}
			strbuf_addstr(sb, "))");
			continue;
		}
		strbuf_addch(sb, '(');
		for (size_t k = 0; k < e->nrows; k++) {
			if (k)
				strbuf_addstr(sb, " or ");
			strbuf_addch(sb, '(');
			for (size_t j = 0; j < e->nfields; j++) {
				const struct rule_exc_value *v = &e->rows[k][j];
				if (j)
					strbuf_addstr(sb, " and ");
				strbuf_addf(sb, "%s %s ", e->fields[j], e->comps[j]);
				if (is_list_comp(e->comps[j]) || v->is_list) {
					strbuf_addch(sb, '(');
					for (size_t m = 0; m < v->n; m++) {
						if (m)
							strbuf_addstr(sb, ", ");
						add_quoted(sb, v->items[m]);
					}
					strbuf_addch(sb, ')');
				} else {
					add_quoted(sb, v->n ? v->items[0] : "");
				}
			}
			strbuf_addch(sb, ')');
		}
		strbuf_addch(sb, ')');
	}
}

static bool exceptions_valid(struct ruleset *rs, struct rule *r)
{
	for (size_t i = 0; i < r->nexceptions; i++) {
		const struct rule_exception *e = &r->exceptions[i];
		for (size_t k = 0; k < e->nrows && e->fields_is_list; k++) {
			size_t w = 0;
			while (e->rows[k][w].items)
				w++;
			if (w != e->nfields) {
				rules_diag(rs, true, e->file, e->line, e->col,
					   "rule '%s': exception '%s' has %zu fields but a row of %zu values", r->name,
					   e->name, e->nfields, w);
				return false;
			}
		}
	}
	return true;
}

/* A new part at the end of *parts, keeping room for the tail. */
static struct rule_output_part *add_part(struct ruleset *rs, struct rule_output_part **parts, size_t *n, size_t *cap)
{
	if (*n + 1 >= *cap) {
		struct rule_output_part *g = arena_alloc(rs->a, *cap * 2 * sizeof(*g));
		memcpy(g, *parts, *n * sizeof(*g));
		*parts = g;
		*cap *= 2;
	}
	return &(*parts)[(*n)++];
}

/* A transformer call's key among the output fields, as Falco prints the expression: without the
 * blanks between tokens and without the quotes of its strings (join(->,(proc.name,fd.name))). */
static const char *call_key(struct arena *a, const char *s, size_t len, size_t *ret_len)
{
	char *k = arena_alloc(a, len + 1);
	size_t n = 0;
	char quote = 0;

	for (size_t i = 0; i < len; i++) {
		if (quote && s[i] == '\\' && i + 1 < len)
			k[n++] = s[++i];
		else if (quote ? s[i] == quote : (s[i] == '"' || s[i] == '\''))
			quote = quote ? 0 : s[i];
		else if (quote || !isspace((unsigned char)s[i]))
			k[n++] = s[i];
	}
	k[n] = '\0';
	*ret_len = n;
	return k;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* r->ofields from r->out: the members of the output-fields object, sorted by key with the last
 * of equal keys kept, keys written as JSON once here instead of per alert. */
static void output_fields_order(struct ruleset *rs, struct rule *r)
{
	struct rule_ofield *f = arena_alloc(rs->a, (r->nout + 1) * sizeof(*f));
	struct strbuf key = STRBUF_INIT;
	size_t nf = 0;

	for (size_t i = 0; i < r->nout; i++) {
		const struct rule_output_part *p = &r->out[i];
		size_t k = nf;
		if (!p->has_field)
			continue;
		while (k > 0 && key_cmp(r->out[f[k - 1].part].key, r->out[f[k - 1].part].key_len, p->key, p->key_len) > 0)
			k--;
		if (k > 0 && !key_cmp(r->out[f[k - 1].part].key, r->out[f[k - 1].part].key_len, p->key, p->key_len)) {
			f[k - 1].part = i;
			continue;
		}
		memmove(f + k + 1, f + k, (nf - k) * sizeof(*f));
		f[k].part = i;
		nf++;
	}
	for (size_t k = 0; k < nf; k++) {
		const struct rule_output_part *p = &r->out[f[k].part];
		char *t;
		strbuf_reset(&key);
		jsonw_string(&key, p->key, p->key_len);
		strbuf_addch(&key, ':');
		t = arena_alloc(rs->a, key.len + 1);
		memcpy(t, key.buf, key.len + 1);
		f[k].key_json = t;
		f[k].key_json_len = key.len;
	}
	strbuf_release(&key);
	r->ofields = f;
	r->nofields = nf;
}

static int compile_output(struct ruleset *rs, struct rule *r, struct cond_error *err)
{
	/* the text as written, so that errors point into the file; Falco trims the output */
	const char *s = r->out_text.ct.text ? r->out_text.ct.text : "";
	size_t cap = 8;
	struct rule_output_part *parts = arena_alloc(rs->a, cap * sizeof(*parts)), *p;
	size_t n = 0, lit_start = 0, i = 0, end;
	const struct cond_text *ct = &r->out_text.ct;

	while (s[lit_start] == ' ' || s[lit_start] == '\t' || s[lit_start] == '\n' || s[lit_start] == '\r')
		lit_start++;
	i = lit_start;
	while (s[i]) {
		size_t at = i, flen;
		struct cond_lexer lx;
		bool paren = false;
		if (s[i] != '%') {
			i++;
			continue;
		}
		i++;
		while (isdigit((unsigned char)s[i]) || s[i] == '*')
			i++;
		lx.s = s;
		lx.pos = i;
		if (cond_lex_transformer_follows(&lx)) {
			/* a transformer call: %tolower(proc.name) */
			size_t pos = i;
			p = add_part(rs, &parts, &n, &cap);
			if (cond_parse_operand(rs->a, ct, &pos, &p->field, err) < 0 ||
			    cond_resolve_operand(rs->a, &p->field, r->source, err) < 0)
				return -EINVAL;
			p->lit = s + lit_start;
			p->lit_len = at - lit_start;
			p->has_field = true;
			p->key = call_key(rs->a, s + i, pos - i, &p->key_len);
			i = lit_start = pos;
			continue;
		}
		if (s[i] == '(') {
			paren = true;
			i++;
		}
		size_t field_at = i;
		lx.pos = i;
		flen = cond_lex_field(&lx);
		if (!flen) {
			i = at + 1; /* a lone % is literal text */
			continue;
		}
		p = add_part(rs, &parts, &n, &cap);
		p->lit = s + lit_start;
		p->lit_len = at - lit_start;
		i = field_at + flen;
		if (paren && s[i] == ')')
			i++;
		lit_start = i;
		if (flen == 14 && !memcmp(s + field_at, "container.info", 14))
			continue; /* Falco's deprecated placeholder, now replaced by nothing */
		p->has_field = true;
		p->field.field = p->key = s + field_at;
		p->field.field_len = p->key_len = flen;
		p->field.at = ct;
		p->field.offset = field_at;
		if (cond_resolve_operand(rs->a, &p->field, r->source, err) < 0)
			return -EINVAL;
	}
	end = i;
	while (end > lit_start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' || s[end - 1] == '\r'))
		end--;
	p = &parts[n++];
	p->lit = s + lit_start;
	p->lit_len = end - lit_start;
	r->out = parts;
	r->nout = n;
	output_fields_order(rs, r);
	return 0;
}

static void compile_rule(struct ruleset *rs, struct rule *r)
{
	struct cond_error err;
	struct cnode *tree = NULL;
	const char *unavailable = NULL;
	struct strbuf exc = STRBUF_INIT;

	cond_error_init(&err);
	r->status = RULE_ERROR;
	if (r->source < 0 || !field_table_of(r->source)) {
		r->status = RULE_CANNOT_RUN;
		r->why = arena_printf(rs->a, "source '%s' is not one backsight reads", r->source_name);
		goto out;
	}
	if (!exceptions_valid(rs, r)) {
		r->why = "bad exceptions";
		goto out;
	}
	if (cond_parse(rs->a, &r->cond.ct, &rs->env, &tree, &err) < 0 ||
	    cond_resolve(rs->a, &tree, r->source, &rs->env, (size_t)-1, &unavailable, &err) < 0) {
		if (r->skip_if_unknown_filter && strstr(err.msg.buf, "unknown field")) {
			r->status = RULE_CANNOT_RUN;
			r->why = arena_printf(rs->a, "skipped (skip-if-unknown-filter): %s", err.msg.buf);
			goto out;
		}
		report(rs, r, &err);
		r->why = arena_strdup(rs->a, err.msg.buf);
		goto out;
	}
	exceptions_text(r, &exc);
	if (exc.len) {
		struct rule_text *et = arena_alloc(rs->a, sizeof(*et));
		struct cnode *etree, *and, *not;
		const char *unav2 = NULL;
		rules_text_init(et, arena_printf(rs->a, "exceptions of rule '%s'", r->name));
		rules_text_append(rs, et, "", exc.buf, r->file, NULL, true);
		et->segs[0].line = r->exceptions[0].line;
		et->segs[0].col = r->exceptions[0].col;
		et->ct.origin = et;
		if (cond_parse(rs->a, &et->ct, &rs->env, &etree, &err) < 0 ||
		    cond_resolve(rs->a, &etree, r->source, &rs->env, (size_t)-1, &unav2, &err) < 0) {
			report(rs, r, &err);
			r->why = arena_strdup(rs->a, err.msg.buf);
			goto out;
		}
		not = arena_alloc(rs->a, sizeof(*not));
		not->kind = CN_NOT;
		not->kids = arena_alloc(rs->a, sizeof(*not->kids));
		not->kids[0] = etree;
		not->nkids = 1;
		and = arena_alloc(rs->a, sizeof(*and));
		and->kind = CN_AND;
		and->kids = arena_alloc(rs->a, 2 * sizeof(*and->kids));
		and->kids[0] = tree;
		and->kids[1] = not;
		and->nkids = 2;
		tree = and;
	}
	if (compile_output(rs, r, &err) < 0) {
		report(rs, r, &err);
		r->why = arena_strdup(rs->a, err.msg.buf);
		goto out;
	}
	strbuf_reset(&err.msg);
	if (rule_gate_check(r, &err.msg) < 0) {
		rules_diag(rs, true, r->file, r->line, r->col, "%s", err.msg.buf);
		r->why = arena_strdup(rs->a, err.msg.buf);
		goto out;
	}
	r->tree = tree;
	r->evttypes = cond_evttypes(rs->a, tree);
	rules_warn(rs, r);
	if (unavailable) {
		r->status = RULE_CANNOT_RUN;
		r->why = arena_printf(rs->a, "field %s is not available from the evidence", unavailable);
	} else {
		r->status = r->enabled ? RULE_OK : RULE_DISABLED;
	}
	if (!r->enabled && r->status == RULE_CANNOT_RUN)
		r->status = RULE_DISABLED;
out:
	strbuf_release(&exc);
	cond_error_release(&err);
}

int ruleset_compile(struct ruleset *rs)
{
	size_t before = rs->nerrors;

	/* Every macro must at least parse, used or not. */
	for (size_t i = 0; i < rs->nmacros; i++) {
		struct cond_error err;
		struct cnode *tree;
		cond_error_init(&err);
		if (cond_parse(rs->a, &rs->macros[i]->m.text, &rs->env, &tree, &err) < 0)
			rules_diag_text(rs, true, &rs->macros[i]->cond, err.offset, "%s: %s", rs->macros[i]->cond.ct.what,
					err.msg.buf);
		cond_error_release(&err);
	}
	for (size_t i = 0; i < rs->nrules; i++)
		compile_rule(rs, rs->rules[i]);
	return (int)(rs->nerrors - before);
}

/* One output field as rendered, for the output-fields object: by part index of r->out. */
struct out_field {
	size_t start, len; /* the rendered text in out */
	int64_t i;
	enum fval_kind kind; /* V_NONE: missing (null) */
};

void rule_render(const struct rule *r, struct ev *ev, struct cond_scratch *s, struct strbuf *out,
		 struct strbuf *fields_json)
{
	struct out_field stack[32], *f = stack;

	if (fields_json && r->nout > sizeof(stack) / sizeof(stack[0])) {
		f = calloc(r->nout, sizeof(*f));
		if (!f)
			abort();
	}
	for (size_t i = 0; i < r->nout; i++) {
		const struct rule_output_part *p = &r->out[i];
		struct fval v = { .kind = V_NONE };
		size_t start;
		bool present;
		strbuf_add(out, p->lit, p->lit_len);
		if (!p->has_field)
			continue;
		start = out->len;
		present = cond_operand_value(&p->field, ev, &v, &s->lhs, &s->tmp);
		if (present)
			fval_render(&v, &s->lhs, out);
		else
			strbuf_addstr(out, "<NA>");
		if (fields_json)
			f[i] = (struct out_field){ start, out->len - start, v.i, present ? v.kind : V_NONE };
	}
	if (fields_json) {
		strbuf_addch(fields_json, '{');
		for (size_t k = 0; k < r->nofields; k++) {
			const struct out_field *x = &f[r->ofields[k].part];
			if (k)
				strbuf_addch(fields_json, ',');
			strbuf_add(fields_json, r->ofields[k].key_json, r->ofields[k].key_json_len);
			if (x->kind == V_NONE)
				strbuf_addstr(fields_json, "null");
			else if (x->kind == V_INT)
				strbuf_addi64(fields_json, x->i);
			else
				jsonw_string(fields_json, out->buf + x->start, x->len);
		}
		strbuf_addch(fields_json, '}');
	}
	if (f != stack)
		free(f);
}
