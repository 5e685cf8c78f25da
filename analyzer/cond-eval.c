/* cond-eval: evaluating a resolved condition tree against one event.
 *
 * Falco's semantics (../shared/reference/falco.md §a, libs sinsp_filtercheck.cpp): a field the
 * event cannot provide makes the check false whatever the operator (so `x != y` is false and
 * `not x = y` true when x is missing); a multi-valued field (proc.aname without index, the ka.*
 * lists) matches `in` only when every value is in the set and every other operator when any
 * value matches (for proc.aname: any ancestor); `intersects` when any value is in the set;
 * `pmatch` when the value is one of the paths or lies below one; `regex` must match the whole
 * value; `glob` is fnmatch(3), `iglob` the same ignoring case.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cond.h"

void cond_scratch_init(struct cond_scratch *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->lhs.buf);
	strbuf_init(&s->rhs.buf);
	strbuf_init(&s->tmp);
}

void cond_scratch_memo(struct cond_scratch *s, size_t slots)
{
	free(s->cgen);
	free(s->cval);
	s->cgen = calloc(slots + 1, sizeof(*s->cgen));
	s->cval = calloc(slots + 1, sizeof(*s->cval));
	if (!s->cgen || !s->cval)
		abort();
	s->ccap = slots + 1;
	s->gen = 1;
}

void cond_scratch_next(struct cond_scratch *s)
{
	if (!++s->gen) {
		if (s->cgen)
			memset(s->cgen, 0, s->ccap * sizeof(*s->cgen));
		s->gen = 1;
	}
}

void cond_scratch_release(struct cond_scratch *s)
{
	free(s->cgen);
	free(s->cval);
	s->cgen = NULL;
	s->cval = NULL;
	s->ccap = 0;
	strbuf_release(&s->lhs.buf);
	strbuf_release(&s->rhs.buf);
	strbuf_release(&s->tmp);
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Apply one string transformer to out (a V_STR), writing into tmp. 0 when it cannot apply. */
static int apply_xform(enum cond_xform xf, struct fval *out, struct fscratch *sc, struct strbuf *tmp)
{
	size_t off;

	if (xf == XF_LEN) {
		int64_t n = out->kind == V_LIST ? (int64_t)out->n : (int64_t)out->len;
		out->kind = V_INT;
		out->i = n;
		return 1;
	}
	if (out->kind != V_STR)
		return 0;
	off = tmp->len;
	switch (xf) {
	case XF_TOLOWER:
	case XF_TOUPPER:
		for (size_t i = 0; i < out->len; i++)
			strbuf_addch(tmp, (char)(xf == XF_TOLOWER ? tolower((unsigned char)out->s[i])
								  : toupper((unsigned char)out->s[i])));
		break;
	case XF_BASENAME: {
		size_t end = out->len, start;
		while (end > 1 && out->s[end - 1] == '/')
			end--;
		start = end;
		while (start > 0 && out->s[start - 1] != '/')
			start--;
		strbuf_add(tmp, out->s + start, end - start);
		break;
	}
	case XF_B64: {
		unsigned acc = 0;
		int bits = 0;
		for (size_t i = 0; i < out->len; i++) {
			int v;
			if (out->s[i] == '=')
				break;
			v = b64val(out->s[i]);
			if (v < 0)
				return 0; /* not base64: the field cannot be transformed */
			acc = acc << 6 | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				strbuf_addch(tmp, (char)(acc >> bits & 0xff));
			}
		}
		break;
	}
	default:
		return 0;
	}
	strbuf_addch(tmp, '\0');
	out->s = tmp->buf + off;
	out->len = tmp->len - off - 1;
	(void)sc;
	return 1;
}

int cond_operand_value(const struct cond_operand *o, struct ev *ev, struct fval *out, struct fscratch *sc,
		       struct strbuf *tmp)
{
	if (o->call ? !cond_call_value(o->call, ev, out, sc) : !field_extract_memo(ev, &o->bind, out, sc))
		return 0;
	if (!o->nxf)
		return 1;
	strbuf_reset(tmp);
	for (int i = o->nxf - 1; i >= 0; i--) {
		size_t off = (size_t)-1;
		if (out->kind == V_INT && o->xf[i] != XF_LEN)
			return 0;
		/* the input may live in tmp: growing may move it, so keep its offset */
		if (out->kind == V_STR && tmp->cap && out->s >= tmp->buf && out->s < tmp->buf + tmp->cap)
			off = (size_t)(out->s - tmp->buf);
		strbuf_grow(tmp, out->kind == V_STR ? out->len * 4 + 2 : 2);
		if (off != (size_t)-1)
			out->s = tmp->buf + off;
		if (!apply_xform(o->xf[i], out, sc, tmp))
			return 0;
	}
	return 1;
}

static bool mem_contains(const char *h, size_t hl, const char *n, size_t nl, bool icase)
{
	if (nl == 0)
		return true;
	if (nl > hl)
		return false;
	if (!icase)
		return memmem(h, hl, n, nl) != NULL;
	for (size_t i = 0; i + nl <= hl; i++)
		if (!strncasecmp(h + i, n, nl))
			return true;
	return false;
}

static int parse_addr(const char *s, size_t len, uint8_t addr[16]);

static bool ip_match(int fam, const uint8_t addr[16], const struct cond_value *v)
{
	int full;

	if (!fam || fam != v->ip_family)
		return false;
	full = v->prefix / 8;
	if (memcmp(addr, v->ip, (size_t)full))
		return false;
	if (v->prefix % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - v->prefix % 8));
		return (addr[full] & mask) == (v->ip[full] & mask);
	}
	return true;
}

static const char *cstr(const char *s, size_t len, struct strbuf *tmp)
{
	if (s[len] == '\0')
		return s;
	strbuf_reset(tmp);
	strbuf_add(tmp, s, len);
	return tmp->buf;
}

static bool path_under(const char *s, size_t len, const struct cond_value *v)
{
	size_t vl = v->len;

	while (vl > 1 && v->s[vl - 1] == '/')
		vl--;
	if (len < vl || memcmp(s, v->s, vl))
		return false;
	return len == vl || s[vl] == '/' || (vl == 1 && v->s[0] == '/');
}

bool cond_vset_has(const struct cond_vset *set, const char *s, size_t len)
{
	uint64_t h = cond_hash(s, len);

	for (uint32_t k = (uint32_t)h & set->mask;; k = (k + 1) & set->mask) {
		uint32_t i = set->slot[k];
		const struct cond_value *v;
		size_t vl;
		if (!i)
			return false;
		v = &set->vals[i - 1];
		vl = set->vlen ? set->vlen[i - 1] : v->len;
		if (vl == len && !memcmp(v->s, s, len))
			return true;
	}
}

/* pmatch through the set: the path itself, then each of its prefixes ending before a '/'. */
static bool pmatch_set(const struct cond_vset *set, const char *s, size_t len)
{
	if (set->root && len && s[0] == '/')
		return true;
	if (cond_vset_has(set, s, len))
		return true;
	for (size_t p = 1; p < len; p++)
		if (s[p] == '/' && cond_vset_has(set, s, p))
			return true;
	return false;
}

/* The event's address, parsed once per check: 4 or 6, 0 when it is not one. */
static int parse_addr(const char *s, size_t len, uint8_t addr[16])
{
	char tmp[64];

	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, tmp, addr) == 1)
		return 6;
	return 0;
}

/* One scalar (text s/len, or integer i when is_int) against the value(s) of the check. */
static bool match_scalar(const struct cnode *n, const struct fval *lv, struct cond_scratch *scr)
{
	char num[24];
	const char *s = lv->s;
	size_t len = lv->len;
	bool is_int = lv->kind == V_INT || lv->kind == V_BOOL;

	if (is_int && (n->op == OP_CONTAINS || n->op == OP_ICONTAINS || n->op == OP_STARTSWITH ||
		       n->op == OP_ENDSWITH || n->op == OP_GLOB || n->op == OP_IGLOB || n->op == OP_REGEX ||
		       n->op == OP_PMATCH || n->op == OP_BCONTAINS || n->op == OP_BSTARTSWITH ||
		       (n->nvals && !n->vals[0].is_int) || n->ipcmp)) {
		int k = 0;
		if (lv->kind == V_BOOL) {
			s = lv->i ? "true" : "false";
			len = strlen(s);
		} else {
			k = snprintf(num, sizeof(num), "%lld", (long long)lv->i);
			s = num;
			len = (size_t)k;
		}
		is_int = false;
	}
	if (n->op == OP_IN || n->op == OP_INTERSECTS) {
		if (n->ipcmp) {
			uint8_t addr[16];
			int fam = parse_addr(s, len, addr);
			for (size_t i = 0; fam && i < n->nvals; i++)
				if (ip_match(fam, addr, &n->vals[i]))
					return true;
			return false;
		}
		if (is_int) {
			for (size_t i = 0; i < n->nvals; i++)
				if (n->vals[i].is_int && n->vals[i].i == lv->i)
					return true;
			return false;
		}
		if (n->set)
			return cond_vset_has(n->set, s, len);
		for (size_t i = 0; i < n->nvals; i++)
			if (n->vals[i].len == len && !memcmp(n->vals[i].s, s, len))
				return true;
		return false;
	}
	if (n->op == OP_PMATCH) {
		if (n->set)
			return pmatch_set(n->set, s, len);
		for (size_t i = 0; i < n->nvals; i++)
			if (path_under(s, len, &n->vals[i]))
				return true;
		return false;
	}
	if (!n->nvals)
		return false;
	const struct cond_value *v = &n->vals[0];
	if (n->ipcmp) {
		uint8_t addr[16];
		bool m = ip_match(parse_addr(s, len, addr), addr, v);
		return n->op == OP_NE ? !m : m;
	}
	if (is_int) {
		switch (n->op) {
		case OP_EQ: return lv->i == v->i;
		case OP_NE: return lv->i != v->i;
		case OP_LT: return lv->i < v->i;
		case OP_LE: return lv->i <= v->i;
		case OP_GT: return lv->i > v->i;
		case OP_GE: return lv->i >= v->i;
		default: return false;
		}
	}
	switch (n->op) {
	case OP_EQ:
		return len == v->len && !memcmp(s, v->s, len);
	case OP_NE:
		return !(len == v->len && !memcmp(s, v->s, len));
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return mem_contains(s, len, v->s, v->len, false);
	case OP_ICONTAINS:
		return mem_contains(s, len, v->s, v->len, true);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return len >= v->len && !memcmp(s, v->s, v->len);
	case OP_ENDSWITH:
		return len >= v->len && !memcmp(s + len - v->len, v->s, v->len);
	case OP_GLOB:
		return fnmatch(v->s, cstr(s, len, &scr->tmp), 0) == 0;
	case OP_IGLOB:
		return fnmatch(v->s, cstr(s, len, &scr->tmp), FNM_CASEFOLD) == 0;
	case OP_REGEX:
		return regexec(v->re, cstr(s, len, &scr->tmp), 0, NULL, 0) == 0;
	default:
		return false; /* < <= > >= on text: the resolver allows them on numbers only */
	}
}

/* A modified check: the value against each of the list's values, counted as the modifier asks
 * (libs: oneof exactly one, anyof at least one, allof every one; an empty list never matches). */
static bool match_modified(const struct cnode *n, const struct fval *lv, struct cond_scratch *scr)
{
	struct cnode one = *n;
	size_t hits = 0;

	one.nvals = 1;
	one.set = NULL;
	one.mod = MOD_NONE;
	for (size_t i = 0; i < n->nvals; i++) {
		one.vals = &n->vals[i];
		if (match_scalar(&one, lv, scr)) {
			hits++;
			if (n->mod == MOD_ANYOF || (n->mod == MOD_ONEOF && hits > 1))
				break;
		} else if (n->mod == MOD_ALLOF) {
			return false;
		}
	}
	switch (n->mod) {
	case MOD_ONEOF: return hits == 1;
	case MOD_ANYOF: return hits > 0;
	case MOD_ALLOF: return n->nvals > 0;
	default: return false;
	}
}

bool cond_eval_check(const struct cnode *n, struct ev *ev, struct cond_scratch *scr)
{
	struct fval lv, rv;
	struct strbuf *tmp = &scr->tmp;

	if (!cond_operand_value(&n->lhs, ev, &lv, &scr->lhs, tmp))
		return false;
	if (n->op == OP_EXISTS)
		return true;
	if (n->rhs_is_field) {
		/* field to field: compare as text (numbers when both are numbers) */
		struct strbuf rtmp = STRBUF_INIT;
		bool r = false;
		char a[24], b[24];
		const char *ls = lv.s, *rs;
		size_t ll = lv.len, rl;
		if (lv.kind == V_LIST || !cond_operand_value(&n->rhs, ev, &rv, &scr->rhs, &rtmp) || rv.kind == V_LIST) {
			strbuf_release(&rtmp);
			return false;
		}
		if (lv.kind == V_INT && rv.kind == V_INT) {
			switch (n->op) {
			case OP_EQ: r = lv.i == rv.i; break;
			case OP_NE: r = lv.i != rv.i; break;
			case OP_LT: r = lv.i < rv.i; break;
			case OP_LE: r = lv.i <= rv.i; break;
			case OP_GT: r = lv.i > rv.i; break;
			case OP_GE: r = lv.i >= rv.i; break;
			default: break;
			}
			strbuf_release(&rtmp);
			return r;
		}
		if (lv.kind != V_STR) {
			ll = (size_t)snprintf(a, sizeof(a), "%lld", (long long)lv.i);
			ls = a;
		}
		rs = rv.s;
		rl = rv.len;
		if (rv.kind != V_STR) {
			rl = (size_t)snprintf(b, sizeof(b), "%lld", (long long)rv.i);
			rs = b;
		}
		struct cond_value v = { .s = rs, .len = rl };
		struct cnode tmpn = *n;
		tmpn.vals = &v;
		tmpn.nvals = 1;
		tmpn.set = NULL;
		tmpn.ipcmp = false;
		if (n->op == OP_GLOB || n->op == OP_IGLOB || n->op == OP_REGEX) {
			r = false; /* patterns must be literal values */
		} else {
			struct fval l2 = { .kind = V_STR, .s = ls, .len = ll };
			if (n->op == OP_IN || n->op == OP_INTERSECTS)
				tmpn.op = OP_EQ;
			r = match_scalar(&tmpn, &l2, scr);
		}
		strbuf_release(&rtmp);
		return r;
	}
	if (lv.kind == V_LIST) {
		const struct fscratch *sc = &scr->lhs;
		if (n->mod != MOD_NONE)
			return false; /* a modifier compares one value */
		/* in: every value in the set; != : no value equal; anything else: some value matches */
		bool every = (n->op == OP_IN && !(n->lhs.bind.def->flags & FF_ANY)) || n->op == OP_NE;
		if (!lv.n)
			return false;
		for (size_t i = 0; i < lv.n; i++) {
			struct fval item = { .kind = V_STR, .s = sc->items[i], .len = sc->lens[i] };
			bool m = match_scalar(n, &item, scr);
			if (every && !m)
				return false;
			if (!every && m)
				return true;
		}
		return every;
	}
	if (n->mod != MOD_NONE)
		return match_modified(n, &lv, scr);
	return match_scalar(n, &lv, scr);
}

bool cond_eval(const struct cnode *n, struct ev *ev, struct cond_scratch *s)
{
	switch (n->kind) {
	case CN_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!cond_eval(n->kids[i], ev, s))
				return false;
		return true;
	case CN_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (cond_eval(n->kids[i], ev, s))
				return true;
		return false;
	case CN_NOT:
		return !cond_eval(n->kids[0], ev, s);
	case CN_CHECK:
		if (n->memo && n->memo < s->ccap) {
			bool v;
			if (s->cgen[n->memo] == s->gen)
				return s->cval[n->memo];
			v = cond_eval_check(n, ev, s);
			s->cgen[n->memo] = s->gen;
			s->cval[n->memo] = v;
			return v;
		}
		return cond_eval_check(n, ev, s);
	case CN_MACRO:
		return false; /* never reached: the resolver expands every macro */
	}
	return false;
}
