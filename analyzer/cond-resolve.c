/* cond-resolve: from a parsed tree to one that can be evaluated — macros expanded (each macro
 * sees only the macros defined before it, as in Falco's loader), every field bound to the field
 * table of the rule's source, operators checked against field types, values compiled (numbers,
 * booleans, addresses and CIDR networks, hex bytes, anchored regexes, sorted sets for `in`), and
 * the evt.type set a rule can match computed for the rule index.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"

#define MAX_MACRO_DEPTH 64

struct resolver {
	struct arena *a;
	int source;
	struct cond_env *env;
	const char **unavailable;
	struct cond_error *err;
	int depth;
};

static int resolve(struct resolver *r, struct cnode **np, size_t limit);

int cond_resolve_operand(struct arena *a, struct cond_operand *o, int source, struct cond_error *err)
{
	struct strbuf msg = STRBUF_INIT;
	enum field_type t;

	if (o->call) {
		if (cond_call_resolve(a, o, source, err) < 0)
			return -EINVAL;
	} else if (field_bind(source, o->field, o->field_len, a, &o->bind, &msg) < 0) {
		/* point at the field itself, inside any transformers */
		size_t at = o->at && o->at->text ? (size_t)(o->field - o->at->text) : o->offset;
		cond_error_set(err, o->at, at, "%s", msg.buf);
		strbuf_release(&msg);
		return -EINVAL;
	}
	strbuf_release(&msg);
	t = o->bind.type;
	for (int i = o->nxf - 1; i >= 0; i--) {
		if (o->xf[i] == XF_LEN) {
			/* Falco's len: the length of a string or the count of a list, nothing else */
			if (t != FT_STR && t != FT_LIST) {
				cond_error_set(err, o->at, o->offset, "transformer 'len' needs a string or a list, '%s' is %s",
					       o->bind.name, field_type_name(t));
				return -EINVAL;
			}
			t = FT_INT;
			continue;
		}
		if (t != FT_STR) {
			cond_error_set(err, o->at, o->offset, "transformer '%s' needs a string, '%s' is %s",
				       cond_xform_name(o->xf[i]), o->bind.name, field_type_name(t));
			return -EINVAL;
		}
	}
	o->type = t;
	return 0;
}

static int parse_ip(const char *s, size_t len, struct cond_value *v)
{
	char tmp[64];
	const char *slash;
	int bits;

	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	slash = strchr(tmp, '/');
	if (slash)
		tmp[slash - tmp] = '\0';
	if (inet_pton(AF_INET, tmp, v->ip) == 1) {
		v->ip_family = 4;
		bits = 32;
	} else if (inet_pton(AF_INET6, tmp, v->ip) == 1) {
		v->ip_family = 6;
		bits = 128;
	} else {
		return 0;
	}
	v->prefix = bits;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > bits) {
			v->ip_family = 0;
			return 0;
		}
		v->prefix = (int)p;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The hash set of a check's values (cond.h); for pmatch each value without its trailing
 * slashes, "/" kept apart, as cond-eval's prefix walk looks them up. NULL when a value would not
 * fit the scheme (an empty pmatch path): the evaluator then walks the list. */
static const struct cond_vset *build_vset(struct arena *a, const struct cond_value *vals, size_t n, bool pmatch)
{
	struct cond_vset *set = arena_alloc(a, sizeof(*set));
	size_t cap = 8, *vlen = NULL;

	while (cap < n * 2)
		cap *= 2;
	memset(set, 0, sizeof(*set));
	set->slot = arena_alloc(a, cap * sizeof(*set->slot));
	memset(set->slot, 0, cap * sizeof(*set->slot));
	set->mask = (uint32_t)(cap - 1);
	set->vals = vals;
	if (pmatch) {
		vlen = arena_alloc(a, n * sizeof(*vlen));
		set->vlen = vlen;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = vals[i].len;
		uint64_t h;
		if (pmatch) {
			while (len > 1 && vals[i].s[len - 1] == '/')
				len--;
			if (!len)
				return NULL;
			vlen[i] = len;
			if (len == 1 && vals[i].s[0] == '/') {
				set->root = true;
				continue;
			}
		}
		h = cond_hash(vals[i].s, len);
		for (uint32_t k = (uint32_t)h & set->mask;; k = (k + 1) & set->mask) {
			if (!set->slot[k]) {
				set->slot[k] = (uint32_t)i + 1;
				break;
			}
		}
	}
	return set;
}

static void add_reg(struct cond_env *env, regex_t *re)
{
	if (env->nregs == env->capregs) {
		env->capregs = env->capregs ? env->capregs * 2 : 16;
		env->regs = realloc(env->regs, env->capregs * sizeof(*env->regs));
		if (!env->regs)
			abort();
	}
	env->regs[env->nregs++] = re;
}

static int compile_values(struct resolver *r, struct cnode *n)
{
	enum field_type t = n->lhs.type;
	const char *base = n->lhs.bind.base;

	n->ipcmp = n->lhs.nxf == 0 && (t == FT_IP || !strcmp(base, "fd.ip") || !strcmp(base, "fd.net")) &&
		   (n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN || n->op == OP_INTERSECTS);
	for (size_t i = 0; i < n->nvals; i++) {
		struct cond_value *v = &n->vals[i];
		if (n->ipcmp) {
			if (!parse_ip(v->s, v->len, v)) {
				cond_error_set(r->err, n->at, v->offset,
					       "'%s' is not an address or CIDR network (field '%s' is an address)", v->s,
					       n->lhs.bind.name);
				return -EINVAL;
			}
			continue;
		}
		switch (n->op) {
		case OP_BCONTAINS:
		case OP_BSTARTSWITH: {
			uint8_t *bytes = arena_alloc(r->a, v->len / 2 + 1);
			if (v->len % 2) {
				cond_error_set(r->err, n->at, v->offset, "'%s' is not an even number of hex digits", v->s);
				return -EINVAL;
			}
			for (size_t k = 0; k < v->len; k += 2) {
				int hi = hexval(v->s[k]), lo = hexval(v->s[k + 1]);
				if (hi < 0 || lo < 0) {
					cond_error_set(r->err, n->at, v->offset, "'%s' is not hex bytes", v->s);
					return -EINVAL;
				}
				bytes[k / 2] = (uint8_t)(hi << 4 | lo);
			}
			v->s = (const char *)bytes;
			v->len /= 2;
			continue;
		}
		case OP_REGEX: {
			char *pat = arena_printf(r->a, "^(%s)$", v->s);
			regex_t *re = malloc(sizeof(*re));
			int rc;
			if (!re)
				abort();
			rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
			if (rc) {
				char msg[128];
				regerror(rc, re, msg, sizeof(msg));
				free(re);
				cond_error_set(r->err, n->at, v->offset, "bad regular expression '%s': %s", v->s, msg);
				return -EINVAL;
			}
			add_reg(r->env, re);
			v->re = re;
			continue;
		}
		default:
			break;
		}
		if (t == FT_INT && n->op != OP_CONTAINS && n->op != OP_STARTSWITH && n->op != OP_ENDSWITH &&
		    n->op != OP_ICONTAINS && n->op != OP_GLOB && n->op != OP_IGLOB) {
			char *end;
			errno = 0;
			v->i = strtoll(v->s, &end, 0);
			if (!v->len || *end || errno) {
				cond_error_set(r->err, n->at, v->offset, "'%s' is not a number (field '%s' is %s)", v->s,
					       n->lhs.bind.name, n->lhs.nxf ? "a length" : "a number");
				return -EINVAL;
			}
			v->is_int = true;
		} else if (t == FT_BOOL) {
			if (strcmp(v->s, "true") && strcmp(v->s, "false")) {
				cond_error_set(r->err, n->at, v->offset, "'%s' is not true or false (field '%s' is a boolean)",
					       v->s, n->lhs.bind.name);
				return -EINVAL;
			}
			v->i = !strcmp(v->s, "true");
			v->is_int = true;
		}
	}
	if (((n->op == OP_IN || n->op == OP_INTERSECTS) && !n->ipcmp && t != FT_INT && t != FT_BOOL && n->nvals > 2) ||
	    (n->op == OP_PMATCH && n->nvals > 1))
		n->set = build_vset(r->a, n->vals, n->nvals, n->op == OP_PMATCH);
	return 0;
}

/* The first field the evidence cannot provide, for the coverage report. */
static void note_unavailable(const struct cond_operand *f, void *ud)
{
	const char **first = ud;

	if (!*first && (f->bind.def->flags & FF_UNAVAILABLE))
		*first = f->bind.def->name;
}

static int resolve_check(struct resolver *r, struct cnode *n)
{
	if (cond_resolve_operand(r->a, &n->lhs, r->source, r->err) < 0)
		return -EINVAL;
	if (r->unavailable)
		cond_operand_fields(&n->lhs, note_unavailable, r->unavailable);
	if (n->rhs_is_field) {
		if (cond_resolve_operand(r->a, &n->rhs, r->source, r->err) < 0)
			return -EINVAL;
		if (r->unavailable)
			cond_operand_fields(&n->rhs, note_unavailable, r->unavailable);
	}
	switch (n->op) {
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (n->lhs.type != FT_INT) {
			cond_error_set(r->err, n->at, n->lhs.offset, "operator '%s' needs a number, '%s' is %s",
				       cond_op_text(n->op), n->lhs.bind.name, field_type_name(n->lhs.type));
			return -EINVAL;
		}
		break;
	case OP_INTERSECTS:
		break;
	default:
		break;
	}
	if (n->mod != MOD_NONE && n->lhs.type == FT_LIST) {
		/* libs compares a modifier's list with one value only */
		cond_error_set(r->err, n->at, n->lhs.offset, "modifier '%s' needs a single value, '%s' is a list",
			       cond_mod_name(n->mod), n->lhs.bind.name);
		return -EINVAL;
	}
	return compile_values(r, n);
}

static int expand_macro(struct resolver *r, struct cnode **np, size_t limit)
{
	struct cnode *n = *np, *body;
	const struct cond_macro *m = r->env && r->env->find_macro ? r->env->find_macro(r->env->ud, n->name, n->name_len)
								   : NULL;

	if (!m) {
		cond_error_set(r->err, n->at, n->offset, "undefined macro '%.*s'", (int)n->name_len, n->name);
		return -ENOENT;
	}
	if (m->index >= limit) {
		cond_error_set(r->err, n->at, n->offset, "macro '%.*s' is used before its definition", (int)n->name_len,
			       n->name);
		return -ENOENT;
	}
	if (++r->depth > MAX_MACRO_DEPTH) {
		cond_error_set(r->err, n->at, n->offset, "macros nested more than %d deep (a cycle?)", MAX_MACRO_DEPTH);
		return -ELOOP;
	}
	if (cond_parse(r->a, &m->text, r->env, &body, r->err) < 0)
		return -EINVAL;
	if (resolve(r, &body, m->index) < 0)
		return -EINVAL;
	r->depth--;
	*np = body;
	return 0;
}

static int resolve(struct resolver *r, struct cnode **np, size_t limit)
{
	struct cnode *n = *np;

	switch (n->kind) {
	case CN_MACRO:
		return expand_macro(r, np, limit);
	case CN_CHECK:
		return resolve_check(r, n);
	case CN_AND:
	case CN_OR:
	case CN_NOT:
		for (size_t i = 0; i < n->nkids; i++)
			if (resolve(r, &n->kids[i], limit) < 0)
				return -EINVAL;
		return 0;
	}
	return 0;
}

int cond_resolve(struct arena *a, struct cnode **root, int source, struct cond_env *env, size_t macro_limit,
		 const char **ret_unavailable, struct cond_error *err)
{
	struct resolver r = { .a = a, .source = source, .env = env, .unavailable = ret_unavailable, .err = err };

	if (ret_unavailable)
		*ret_unavailable = NULL;
	return resolve(&r, root, macro_limit);
}

/* ---- the evt.type set ---- */

struct tset {
	bool any;
	const char **v;
	size_t n;
};

static bool tset_has(const struct tset *s, const char *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], t))
			return true;
	return false;
}

static struct tset types_of(struct arena *a, const struct cnode *n)
{
	struct tset s = { .any = true };

	switch (n->kind) {
	case CN_CHECK:
		/* evt.type, or a field answered by events.type too (ct.name: the CloudTrail eventName) */
		if (n->lhs.nxf || !n->lhs.bind.def || n->lhs.bind.def->extract != fx_evt_type || n->rhs_is_field ||
		    (n->op != OP_EQ && n->op != OP_IN) || (n->mod != MOD_NONE && n->mod != MOD_ANYOF))
			return s;
		s.any = false;
		s.v = arena_alloc(a, (n->nvals + 1) * sizeof(*s.v));
		for (size_t i = 0; i < n->nvals; i++)
			if (!tset_has(&s, n->vals[i].s))
				s.v[s.n++] = n->vals[i].s;
		return s;
	case CN_AND: {
		bool first = true;
		for (size_t i = 0; i < n->nkids; i++) {
			struct tset k = types_of(a, n->kids[i]);
			if (k.any)
				continue;
			if (first) {
				s = k;
				first = false;
				continue;
			}
			size_t m = 0;
			for (size_t j = 0; j < s.n; j++)
				if (tset_has(&k, s.v[j]))
					s.v[m++] = s.v[j];
			s.n = m;
		}
		return s;
	}
	case CN_OR: {
		size_t total = 0;
		struct tset *ks = arena_alloc(a, n->nkids * sizeof(*ks));
		for (size_t i = 0; i < n->nkids; i++) {
			ks[i] = types_of(a, n->kids[i]);
			if (ks[i].any)
				return s;
			total += ks[i].n;
		}
		s.any = false;
		s.v = arena_alloc(a, (total + 1) * sizeof(*s.v));
		for (size_t i = 0; i < n->nkids; i++)
			for (size_t j = 0; j < ks[i].n; j++)
				if (!tset_has(&s, ks[i].v[j]))
					s.v[s.n++] = ks[i].v[j];
		return s;
	}
	default:
		return s; /* not: conservatively any type */
	}
}

const char **cond_evttypes(struct arena *a, const struct cnode *root)
{
	struct tset s = types_of(a, root);
	const char **out;

	if (s.any)
		return NULL;
	out = arena_alloc(a, (s.n + 1) * sizeof(*out));
	memcpy(out, s.v, s.n * sizeof(*out));
	out[s.n] = NULL;
	return out;
}

/* ---- specialisation by event type ---- */

struct cnode cond_true_node = { .kind = CN_AND };  /* an empty and: true */
struct cnode cond_false_node = { .kind = CN_OR };  /* an empty or: false */

static bool is_type_check(const struct cnode *n)
{
	return n->kind == CN_CHECK && !n->lhs.nxf && n->lhs.bind.def && n->lhs.bind.def->extract == fx_evt_type &&
	       !n->rhs_is_field && n->mod == MOD_NONE && (n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN);
}

const struct cnode *cond_specialize(struct arena *a, const struct cnode *n, const char *type)
{
	size_t tl = strlen(type);

	switch (n->kind) {
	case CN_CHECK:
		if (is_type_check(n)) {
			bool hit = false;
			for (size_t i = 0; i < n->nvals; i++)
				hit |= n->vals[i].len == tl && !memcmp(n->vals[i].s, type, tl);
			if (n->op == OP_NE)
				hit = !hit;
			return hit ? COND_TRUE : COND_FALSE;
		}
		return n;
	case CN_NOT: {
		const struct cnode *k = cond_specialize(a, n->kids[0], type);
		struct cnode *c;
		if (k == COND_TRUE)
			return COND_FALSE;
		if (k == COND_FALSE)
			return COND_TRUE;
		if (k == n->kids[0])
			return n;
		c = arena_alloc(a, sizeof(*c));
		*c = *n;
		c->kids = arena_alloc(a, sizeof(*c->kids));
		c->kids[0] = (struct cnode *)k;
		return c;
	}
	case CN_AND:
	case CN_OR: {
		bool and = n->kind == CN_AND, changed = false;
		const struct cnode *absorb = and ? COND_FALSE : COND_TRUE, *neutral = and ? COND_TRUE : COND_FALSE;
		struct cnode **kids = arena_alloc(a, (n->nkids + 1) * sizeof(*kids));
		size_t m = 0;
		struct cnode *c;
		if (n == COND_TRUE || n == COND_FALSE)
			return n;
		size_t cap = n->nkids + 1;
		for (size_t i = 0; i < n->nkids; i++) {
			const struct cnode *k = cond_specialize(a, n->kids[i], type);
			if (k == absorb)
				return absorb;
			changed |= k != n->kids[i];
			if (k == neutral)
				continue;
			if (k->kind == n->kind && k->nkids) {
				/* (and a (and b c)) is (and a b c): one level less to walk per event */
				struct cnode **grown = arena_alloc(a, (cap + k->nkids) * sizeof(*grown));
				memcpy(grown, kids, m * sizeof(*grown));
				kids = grown;
				cap += k->nkids;
				memcpy(kids + m, k->kids, k->nkids * sizeof(*kids));
				m += k->nkids;
				changed = true;
				continue;
			}
			kids[m++] = (struct cnode *)k;
		}
		if (!m)
			return neutral;
		if (m == 1)
			return kids[0];
		if (!changed)
			return n;
		c = arena_alloc(a, sizeof(*c));
		*c = *n;
		c->kids = kids;
		c->nkids = m;
		return c;
	}
	case CN_MACRO:
		return n;
	}
	return n;
}
