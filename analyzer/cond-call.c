/* cond-call: the multi-value transformers join, concat and getopt (libs 0.25, Falco 0.44) —
 * their arguments typed when a rule compiles, their value computed per event.
 *
 * Semantics follow libs' sinsp_filtercheck_multivalue_transformer: join takes a single separator
 * and a list; concat two or more single strings; getopt a list of strings (argv without argv[0])
 * and a single optstring, and walks it as getopt(3) does with POSIX rules: it stops at "--", at
 * "-" and at the first word that is not an option, skips long options ("--x"), splits clusters
 * ("-nt"), takes an option's argument from the rest of its word or from the next word. Its list
 * holds each option, then its argument when it takes one; an unknown option gives "?", a missing
 * argument "" (in place of the option). getopt(...)[c] is the argument of option c (its last
 * occurrence; c itself when c takes none), and missing when c does not occur. Any argument that
 * is missing makes the whole call missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cond.h"

/* What a call's operand binds to: no extractor of its own, its value comes from cond_call_value. */
static const struct field_def call_def = { .name = "(transformer)", .type = FT_STR,
					   .description = "a multi-value transformer" };

static int resolve_arg(struct arena *a, struct cond_arg *arg, int source, struct cond_error *err)
{
	switch (arg->kind) {
	case ARG_LITERAL:
		arg->is_list = false;
		return 0;
	case ARG_OPERAND:
		if (cond_resolve_operand(a, &arg->operand, source, err) < 0)
			return -EINVAL;
		arg->is_list = arg->operand.type == FT_LIST;
		return 0;
	case ARG_LIST:
		for (size_t i = 0; i < arg->nitems; i++)
			if (resolve_arg(a, &arg->items[i], source, err) < 0)
				return -EINVAL;
		arg->is_list = true;
		return 0;
	}
	return -EINVAL;
}

/* Every value of the argument a string (list items included)? */
static bool all_strings(const struct cond_arg *arg)
{
	if (arg->kind == ARG_OPERAND)
		return arg->operand.type == FT_STR || arg->operand.type == FT_LIST;
	for (size_t i = 0; i < arg->nitems; i++)
		if (!all_strings(&arg->items[i]))
			return false;
	return true;
}

static int check_args(const struct cond_operand *o, struct cond_error *err)
{
	const struct cond_call *c = o->call;
	const char *name = cond_call_name(c->kind);
	const char *why = NULL;

	switch (c->kind) {
	case CALL_JOIN:
		if (c->nargs != 2)
			why = "takes 2 arguments: a separator and a list";
		else if (c->args[0].is_list)
			why = "takes a single separator, not a list";
		else if (!c->args[1].is_list)
			why = "joins a list: its second argument is not one";
		break;
	case CALL_CONCAT:
		if (c->nargs < 2)
			why = "takes at least 2 arguments";
		for (size_t i = 0; !why && i < c->nargs; i++)
			if (c->args[i].is_list || !all_strings(&c->args[i]))
				why = "takes strings (single values)";
		break;
	case CALL_GETOPT:
		if (c->nargs != 2)
			why = "takes 2 arguments: the argument list and an optstring";
		else if (!c->args[0].is_list)
			why = "takes a list of arguments first";
		else if (c->args[1].is_list)
			why = "takes a single optstring";
		else if (!all_strings(&c->args[0]) || !all_strings(&c->args[1]))
			why = "takes strings";
		break;
	default:
		why = "is unknown";
	}
	if (why) {
		cond_error_set(err, o->at, o->offset, "transformer '%s' %s", name, why);
		return -EINVAL;
	}
	return 0;
}

int cond_call_resolve(struct arena *a, struct cond_operand *o, int source, struct cond_error *err)
{
	struct cond_call *c = o->call;

	for (size_t i = 0; i < c->nargs; i++)
		if (resolve_arg(a, &c->args[i], source, err) < 0)
			return -EINVAL;
	if (check_args(o, err) < 0)
		return -EINVAL;
	memset(&o->bind, 0, sizeof(o->bind));
	o->bind.def = &call_def;
	o->bind.name = arena_strndup(a, o->field, o->field_len);
	o->bind.name_len = o->field_len;
	o->bind.base = "";
	o->bind.index = -1;
	o->bind.slot = -1;
	o->bind.type = c->kind == CALL_GETOPT && !c->selector ? FT_LIST : FT_STR;
	return 0;
}

static void visit_arg(const struct cond_arg *arg, void (*fn)(const struct cond_operand *, void *), void *ud)
{
	if (arg->kind == ARG_OPERAND)
		cond_operand_fields(&arg->operand, fn, ud);
	for (size_t i = 0; i < arg->nitems; i++)
		visit_arg(&arg->items[i], fn, ud);
}

void cond_operand_fields(const struct cond_operand *o, void (*fn)(const struct cond_operand *f, void *ud), void *ud)
{
	if (!o->call) {
		fn(o, ud);
		return;
	}
	for (size_t i = 0; i < o->call->nargs; i++)
		visit_arg(&o->call->args[i], fn, ud);
}

/* ---- values ---- */

/* The values an argument gives, as NUL-terminated strings one after the other in buf. */
struct values {
	struct strbuf buf;
	size_t off[FVAL_MAX_ITEMS], len[FVAL_MAX_ITEMS];
	size_t n;
};

static void push(struct values *v, const char *s, size_t len)
{
	if (v->n == FVAL_MAX_ITEMS)
		return; /* as many as a list field holds */
	v->off[v->n] = v->buf.len;
	v->len[v->n++] = len;
	strbuf_add(&v->buf, s, len);
	strbuf_addch(&v->buf, '\0');
}

static const char *value_at(const struct values *v, size_t i)
{
	return v->buf.buf + v->off[i];
}

/* 0, or -1 when a field the argument reads is missing. */
static int arg_values(const struct cond_arg *arg, struct ev *ev, struct values *v)
{
	switch (arg->kind) {
	case ARG_LITERAL:
		push(v, arg->s, arg->len);
		return 0;
	case ARG_LIST:
		for (size_t i = 0; i < arg->nitems; i++)
			if (arg_values(&arg->items[i], ev, v) < 0)
				return -1;
		return 0;
	case ARG_OPERAND: {
		struct fscratch sc = { .buf = STRBUF_INIT };
		struct strbuf tmp = STRBUF_INIT;
		struct fval f;
		char num[24];
		int r = cond_operand_value(&arg->operand, ev, &f, &sc, &tmp);
		if (r && f.kind == V_STR)
			push(v, f.s, f.len);
		else if (r && f.kind == V_LIST)
			for (size_t i = 0; i < f.n; i++)
				push(v, sc.items[i], sc.lens[i]);
		else if (r && f.kind == V_BOOL)
			push(v, f.i ? "true" : "false", f.i ? 4 : 5);
		else if (r)
			push(v, num, (size_t)snprintf(num, sizeof(num), "%" PRId64, f.i));
		strbuf_release(&sc.buf);
		strbuf_release(&tmp);
		return r ? 0 : -1;
	}
	}
	return -1;
}

struct optstring {
	bool valid[256], takes_arg[256];
};

static void parse_optstring(const char *s, size_t len, struct optstring *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = len && s[0] == ':' ? 1 : 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':')
			continue;
		o->valid[c] = true;
		if (i + 1 < len && s[i + 1] == ':') {
			o->takes_arg[c] = true;
			i++;
		}
	}
}

/* getopt(3) over argv into out (a list, or with selector the chosen value: sel_found set). */
static void run_getopt(const struct values *argv, const struct optstring *opts, char selector, struct values *out,
		       bool *sel_found)
{
	for (size_t k = 0; k < argv->n; k++) {
		const char *w = value_at(argv, k);
		size_t wl = argv->len[k];
		if (wl == 2 && w[0] == '-' && w[1] == '-')
			break; /* the end of the options */
		if (wl > 2 && w[0] == '-' && w[1] == '-')
			continue; /* a long option: not getopt's */
		if (wl < 2 || w[0] != '-')
			break; /* the first operand ends the options */
		for (size_t i = 1; i < wl; i++) {
			unsigned char c = (unsigned char)w[i];
			bool match = !selector || c == (unsigned char)selector;
			const char *val = NULL;
			size_t vl = 0;
			if (c == ':' || !opts->valid[c]) {
				if (!selector)
					push(out, "?", 1);
				continue;
			}
			if (!opts->takes_arg[c]) {
				if (match) {
					if (selector) {
						out->n = 0; /* the last occurrence wins */
						*sel_found = true;
					}
					push(out, w + i, 1);
				}
				continue;
			}
			if (i + 1 < wl) {
				val = w + i + 1;
				vl = wl - i - 1;
			} else if (k + 1 < argv->n) {
				k++;
				val = value_at(argv, k);
				vl = argv->len[k];
			}
			if (match) {
				if (selector) {
					out->n = 0;
					*sel_found = true;
				} else if (val) {
					push(out, w + i, 1);
				}
				push(out, val ? val : "", val ? vl : 0);
			}
			break; /* the argument took the rest of the word */
		}
	}
}

int cond_call_value(const struct cond_call *c, struct ev *ev, struct fval *out, struct fscratch *sc)
{
	struct values a = { .buf = STRBUF_INIT }, b = { .buf = STRBUF_INIT }, res = { .buf = STRBUF_INIT };
	int ok = 0;

	*out = (struct fval){ .kind = V_NONE };
	switch (c->kind) {
	case CALL_JOIN:
		if (arg_values(&c->args[0], ev, &a) < 0 || !a.n || arg_values(&c->args[1], ev, &b) < 0)
			break;
		for (size_t i = 0; i < b.n; i++) {
			if (i)
				strbuf_add(&res.buf, value_at(&a, 0), a.len[0]);
			strbuf_add(&res.buf, value_at(&b, i), b.len[i]);
		}
		ok = 1;
		break;
	case CALL_CONCAT:
		ok = 1;
		for (size_t i = 0; ok && i < c->nargs; i++) {
			a.n = 0;
			strbuf_reset(&a.buf);
			if (arg_values(&c->args[i], ev, &a) < 0 || !a.n)
				ok = 0;
			else
				strbuf_add(&res.buf, value_at(&a, 0), a.len[0]);
		}
		break;
	case CALL_GETOPT: {
		struct optstring opts;
		bool found = false;
		if (arg_values(&c->args[1], ev, &b) < 0 || !b.n || arg_values(&c->args[0], ev, &a) < 0)
			break;
		parse_optstring(value_at(&b, 0), b.len[0], &opts);
		run_getopt(&a, &opts, c->selector, &res, &found);
		ok = !c->selector || found;
		break;
	}
	default:
		break;
	}
	strbuf_reset(&sc->buf);
	sc->n = 0;
	if (ok && c->kind == CALL_GETOPT && !c->selector) {
		strbuf_add(&sc->buf, res.buf.buf, res.buf.len);
		for (size_t i = 0; i < res.n; i++) {
			sc->items[i] = sc->buf.buf + res.off[i];
			sc->lens[i] = res.len[i];
		}
		sc->n = out->n = res.n;
		out->kind = V_LIST;
	} else if (ok) {
		/* one string: join and concat build it whole, getopt[c] kept the one value */
		const char *s = c->kind == CALL_GETOPT ? value_at(&res, 0) : res.buf.buf ? res.buf.buf : "";
		size_t len = c->kind == CALL_GETOPT ? res.len[0] : res.buf.len;
		strbuf_add(&sc->buf, s, len);
		strbuf_addch(&sc->buf, '\0');
		out->kind = V_STR;
		out->s = sc->buf.buf;
		out->len = len;
	}
	strbuf_release(&a.buf);
	strbuf_release(&b.buf);
	strbuf_release(&res.buf);
	return ok;
}
