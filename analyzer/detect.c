/* detect: the retroactive rule run over a case database (see detect.h). */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bstime.h"
#include "config.h"
#include "detect.h"
#include "rawcache.h"
#include "rule-gate.h"

/* Rules per (source, evt.type): an open-addressing table of type -> rule indexes (load order),
 * each list already merged with the rules that match any type. */
struct bucket {
	const char *type;
	size_t *rules;
	size_t n;
	const struct cnode **trees; /* each rule's tree specialised for this type */
	struct fnode *flat;         /* the trees laid out flat, one after the other */
	size_t *flat_at;            /* where each rule's starts */
	size_t nflat;
	uint32_t *needs;            /* NEEDW memo slots per rule (see index_needs) */
};

/* A rule's needs: necessary conditions for its tree, as clauses over check memo slots. Each clause
 * is a count and that many literals (a slot, NEED_NOT when the check must be false); the rule
 * can match only if every clause has a literal not already decided against it. They come from
 * the top-level `and` chain (an `or` there gives a clause of one necessary literal per branch).
 * The rules of one bucket mostly open with the same few macros (open_write, spawned_process ...),
 * so once one rule has decided those checks for an event, every later rule they rule out is
 * skipped from the memo without walking its tree. A 0 count ends the list. */
#define NEEDW 16
#define NEED_NOT 0x80000000u

struct index {
	struct bucket *b;
	size_t cap;
	size_t *any; /* rules matching any type */
	size_t nany;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct bucket *index_slot(struct index *ix, const char *type)
{
	size_t i = hash_str(type) & (ix->cap - 1);

	while (ix->b[i].type && strcmp(ix->b[i].type, type))
		i = (i + 1) & (ix->cap - 1);
	return &ix->b[i];
}

static const struct bucket *index_find(const struct index *ix, const char *type)
{
	size_t i;

	if (!ix->cap)
		return NULL;
	i = hash_str(type) & (ix->cap - 1);
	while (ix->b[i].type) {
		if (!strcmp(ix->b[i].type, type))
			return &ix->b[i];
		i = (i + 1) & (ix->cap - 1);
	}
	return NULL;
}

static void push(size_t **arr, size_t *n, size_t v)
{
	if ((*n & (*n - 1)) == 0 || *n == 0) {
		*arr = realloc(*arr, (*n ? *n * 2 : 4) * sizeof(**arr));
		if (!*arr)
			abort();
	}
	(*arr)[(*n)++] = v;
}

static void index_build(struct index *ix, struct ruleset *rs, int source)
{
	size_t ntypes = 0;

	memset(ix, 0, sizeof(*ix));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (r->status != RULE_OK || r->source != source)
			continue;
		if (!r->evttypes)
			push(&ix->any, &ix->nany, i);
		else
			for (size_t k = 0; r->evttypes[k]; k++)
				ntypes++;
	}
	ix->cap = 16;
	while (ix->cap < ntypes * 2 + 2)
		ix->cap *= 2;
	ix->b = calloc(ix->cap, sizeof(*ix->b));
	if (!ix->b)
		abort();
	/* in load order: every bucket gets the typed rules and the any-type rules, interleaved */
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (r->status != RULE_OK || r->source != source || !r->evttypes)
			continue;
		for (size_t k = 0; r->evttypes[k]; k++) {
			struct bucket *b = index_slot(ix, r->evttypes[k]);
			if (!b->type)
				b->type = r->evttypes[k];
			if (!b->n || b->rules[b->n - 1] != i)
				push(&b->rules, &b->n, i);
		}
	}
	for (size_t j = 0; j < ix->cap; j++) {
		struct bucket *b = &ix->b[j];
		size_t *merged = NULL, n = 0, x = 0, y = 0;
		if (!b->type || !ix->nany)
			continue;
		while (x < b->n || y < ix->nany) {
			if (y == ix->nany || (x < b->n && b->rules[x] < ix->any[y]))
				push(&merged, &n, b->rules[x++]);
			else
				push(&merged, &n, ix->any[y++]);
		}
		free(b->rules);
		b->rules = merged;
		b->n = n;
	}
}

/* Specialise every rule of every bucket for the bucket's type; drop rules that cannot match. */
static void index_specialise(struct index *ix, struct ruleset *rs, struct arena *a)
{
	for (size_t j = 0; j < ix->cap; j++) {
		struct bucket *b = &ix->b[j];
		size_t m = 0;
		if (!b->type)
			continue;
		b->trees = calloc(b->n + 1, sizeof(*b->trees));
		if (!b->trees)
			abort();
		for (size_t k = 0; k < b->n; k++) {
			const struct cnode *t = cond_specialize(a, rs->rules[b->rules[k]]->tree, b->type);
			if (t == COND_FALSE)
				continue;
			b->rules[m] = b->rules[k];
			b->trees[m++] = t;
		}
		b->n = m;
	}
}

static void index_release(struct index *ix)
{
	for (size_t j = 0; j < ix->cap; j++) {
		free(ix->b[j].rules);
		free(ix->b[j].trees);
		free(ix->b[j].flat);
		free(ix->b[j].flat_at);
		free(ix->b[j].needs);
	}
	free(ix->b);
	free(ix->any);
}

/*
 * The evaluation form of a bucket's trees. A cnode is large (two operands with their field
 * bindings) and the nodes of one tree lie apart in the arena, so walking the trees of every
 * rule for every event was mostly waiting on memory. The flat form is each tree in pre-order in
 * one array per bucket, an entry being the node's kind, the length of its subtree (to step over
 * it), its check's memo slot and the check itself; a check already decided for this event (a
 * macro every rule repeats) is answered from the memo without touching its cnode.
 */
struct fnode {
	uint32_t kind;
	uint32_t size; /* entries in this subtree, itself included */
	uint32_t memo;
	const struct cnode *check;
};

static size_t flat_count(const struct cnode *n)
{
	size_t k = 1;

	if (n->kind == CN_CHECK)
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		k += flat_count(n->kids[i]);
	return k;
}

static size_t flat_put(struct fnode *out, const struct cnode *n)
{
	size_t k = 1;

	out[0].kind = (uint32_t)n->kind;
	out[0].memo = n->kind == CN_CHECK ? n->memo : 0;
	out[0].check = n;
	if (n->kind != CN_CHECK)
		for (size_t i = 0; i < n->nkids; i++)
			k += flat_put(out + k, n->kids[i]);
	out[0].size = (uint32_t)k;
	return k;
}

static void index_flatten(struct index *ix)
{
	for (size_t j = 0; j < ix->cap; j++) {
		struct bucket *b = &ix->b[j];
		size_t total = 0;
		if (!b->type)
			continue;
		for (size_t k = 0; k < b->n; k++)
			total += flat_count(b->trees[k]);
		b->flat = calloc(total + 1, sizeof(*b->flat));
		b->flat_at = calloc(b->n + 1, sizeof(*b->flat_at));
		if (!b->flat || !b->flat_at)
			abort();
		for (size_t k = 0; k < b->n; k++) {
			b->flat_at[k] = b->nflat;
			b->nflat += flat_put(b->flat + b->nflat, b->trees[k]);
		}
	}
}

/* One literal the subtree (negated when neg) cannot be true without, or 0. */
static uint32_t need_lit(const struct cnode *n, bool neg)
{
	if (n == COND_TRUE || n == COND_FALSE)
		return 0;
	if (n->kind == CN_CHECK)
		return n->memo ? n->memo | (neg ? NEED_NOT : 0) : 0;
	if (n->kind == CN_NOT)
		return need_lit(n->kids[0], !neg);
	if ((n->kind == CN_AND && !neg) || (n->kind == CN_OR && neg))
		for (size_t i = 0; i < n->nkids; i++) {
			uint32_t l = need_lit(n->kids[i], neg);
			if (l)
				return l;
		}
	return 0;
}

static size_t need_clauses(const struct cnode *n, bool neg, uint32_t *out, size_t k)
{
	if (n == COND_TRUE || n == COND_FALSE)
		return k;
	if (n->kind == CN_NOT)
		return need_clauses(n->kids[0], !neg, out, k);
	if (n->kind == CN_CHECK || (n->kind == CN_AND && !neg) || (n->kind == CN_OR && neg)) {
		if (n->kind == CN_CHECK) {
			uint32_t l = need_lit(n, neg);
			if (l && k + 2 < NEEDW) {
				out[k++] = 1;
				out[k++] = l;
			}
			return k;
		}
		for (size_t i = 0; i < n->nkids; i++)
			k = need_clauses(n->kids[i], neg, out, k);
		return k;
	}
	/* a disjunction: one necessary literal per branch, or no clause */
	if (n->nkids + 2 > NEEDW - k)
		return k;
	for (size_t i = 0; i < n->nkids; i++) {
		uint32_t l = need_lit(n->kids[i], neg);
		if (!l)
			return k;
		out[k + 1 + i] = l;
	}
	out[k] = (uint32_t)n->nkids;
	return k + 1 + n->nkids;
}

static void index_needs(struct index *ix)
{
	for (size_t j = 0; j < ix->cap; j++) {
		struct bucket *b = &ix->b[j];
		if (!b->type)
			continue;
		b->needs = calloc(b->n * NEEDW + 1, sizeof(*b->needs));
		if (!b->needs)
			abort();
		for (size_t k = 0; k < b->n; k++) {
			size_t end = need_clauses(b->trees[k], false, b->needs + k * NEEDW, 0);
			b->needs[k * NEEDW + end] = 0;
		}
	}
}

/* false when a clause of the rule's needs is already decided against it for this event */
static inline bool needs_open(const uint32_t *g, const struct cond_scratch *s)
{
	for (uint32_t n; (n = *g++) != 0; g += n) {
		uint32_t i;
		for (i = 0; i < n; i++) {
			uint32_t m = g[i] & ~NEED_NOT;
			if (m >= s->ccap || s->cgen[m] != s->gen || s->cval[m] != !!(g[i] & NEED_NOT))
				break; /* this literal may hold */
		}
		if (i == n)
			return false;
	}
	return true;
}

static bool flat_eval(const struct fnode *f, struct ev *ev, struct cond_scratch *s);

/* A check's value for this event: from the memo when decided, else evaluated and memoised. Kept
 * inline in the and/or loops: most nodes are checks another rule has decided already, and a
 * call per node was most of the walk. */
static inline bool flat_check(const struct fnode *f, struct ev *ev, struct cond_scratch *s)
{
	bool v;

	if (!f->memo || f->memo >= s->ccap)
		return cond_eval_check(f->check, ev, s);
	if (s->cgen[f->memo] == s->gen)
		return s->cval[f->memo];
	v = cond_eval_check(f->check, ev, s);
	s->cgen[f->memo] = s->gen;
	s->cval[f->memo] = v;
	return v;
}

static inline bool flat_kid(const struct fnode *k, struct ev *ev, struct cond_scratch *s)
{
	return k->kind == CN_CHECK ? flat_check(k, ev, s) : flat_eval(k, ev, s);
}

static bool flat_eval(const struct fnode *f, struct ev *ev, struct cond_scratch *s)
{
	const struct fnode *k, *end;

	switch (f->kind) {
	case CN_AND:
		for (k = f + 1, end = f + f->size; k < end; k += k->size)
			if (!flat_kid(k, ev, s))
				return false;
		return true;
	case CN_OR:
		for (k = f + 1, end = f + f->size; k < end; k += k->size)
			if (flat_kid(k, ev, s))
				return true;
		return false;
	case CN_NOT:
		return !flat_kid(f + 1, ev, s);
	case CN_CHECK:
		return flat_check(f, ev, s);
	default:
		return false;
	}
}

/*
 * Which rows the pass reads, decided in C by one SQL function in the WHERE clause: it counts
 * every event per source on the way (the coverage report needs them; a separate GROUP BY scan
 * sorted the whole table) and lets through only events of a source and type some rule can
 * match, so that SQLite does not build the other rows. A `type IN (...)` list did the same
 * through a temporary b-tree probed per row, which cost more than the rule evaluation itself.
 */
struct want {
	const struct index *ix;
	const bool *any_rules;
	int64_t counted_upto; /* rows with id <= this were counted before a re-prepared scan */
	/* what the last row let through was found to be: the scan loop takes it from here */
	int64_t last_id;
	int last_source;
	const struct bucket *last_bucket;
	uint64_t events;
	uint64_t source_events[SRC__COUNT];
};

static void want_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct want *w = sqlite3_user_data(ctx);
	const char *src = (const char *)sqlite3_value_text(argv[0]);
	const char *type = (const char *)sqlite3_value_text(argv[1]);
	int s = src ? bs_source_from_name(src) : -1;
	const struct bucket *b;

	(void)argc;
	if (sqlite3_value_int64(argv[2]) <= w->counted_upto) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	w->events++;
	if (s < 0) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	w->source_events[s]++;
	if (!w->any_rules[s] || !type) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	b = index_find(&w->ix[s], type);
	w->last_id = sqlite3_value_int64(argv[2]);
	w->last_source = s;
	w->last_bucket = b;
	sqlite3_result_int(ctx, b ? b->n > 0 : w->ix[s].nany > 0);
}

/*
 * The typed columns a scan selects. Building a result row costs SQLite work for every column
 * named, so the scan names only those the rules read: the columns of the fields bound in any
 * condition or output (fx_col), found before the run. A column some other extractor reaches
 * (the process-tree fields fall back on pid, exe ...) is fetched for that event by id and joins
 * the set; the scan is then prepared again from the next row (in rowid order; in time order the
 * point queries simply go on). That happens at most once per column.
 */
struct scan_cols {
	uint64_t mask;
	int map[COL__COUNT];   /* column -> result index, or -1 */
	bool grew;
	bool ordered;
	sqlite3_stmt *point;   /* every typed column of one event */
	struct casedb *cdb;
	char *str[COL__COUNT]; /* strings fetched by point queries for the current event */
};

static void col_of_field(const struct cond_operand *f, void *ud)
{
	uint64_t *mask = ud;

	if (f->bind.def && f->bind.def->extract == fx_col)
		*mask |= 1ull << f->bind.def->param;
}

static void cols_from_tree(const struct cnode *n, uint64_t *mask)
{
	if (!n || n == COND_TRUE || n == COND_FALSE)
		return;
	if (n->kind == CN_CHECK) {
		cond_operand_fields(&n->lhs, col_of_field, mask);
		if (n->rhs_is_field)
			cond_operand_fields(&n->rhs, col_of_field, mask);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		cols_from_tree(n->kids[i], mask);
}

uint64_t detect_rule_columns(const struct rule *r)
{
	uint64_t mask = 0;

	cols_from_tree(r->tree, &mask);
	for (size_t k = 0; k < r->nout; k++)
		if (r->out[k].has_field)
			cond_operand_fields(&r->out[k].field, col_of_field, &mask);
	return mask;
}

static int load_missing_col(void *userdata, struct ev *ev, int col)
{
	struct scan_cols *sc = userdata;
	struct strbuf err = STRBUF_INIT;
	int k = 0;

	if (!sc->point) {
		struct strbuf sql = STRBUF_INIT;
		strbuf_addstr(&sql, "SELECT ");
		for (size_t c = 0; c < bs_event_ncolumns; c++)
			strbuf_addf(&sql, "%s%s", c ? ", " : "", bs_event_columns[c].name);
		strbuf_addstr(&sql, " FROM events WHERE id = ?1");
		k = casedb_prepare(sc->cdb, sql.buf, &sc->point, &err);
		strbuf_release(&sql);
		strbuf_release(&err);
		if (k < 0)
			return k;
	}
	sqlite3_reset(sc->point);
	sqlite3_bind_int64(sc->point, 1, ev->id);
	if (sqlite3_step(sc->point) != SQLITE_ROW) {
		sqlite3_reset(sc->point);
		return -ENOENT;
	}
	if (bs_event_columns[col].kind == BS_COLUMN_INT) {
		ev->icol[col] = sqlite3_column_type(sc->point, col) == SQLITE_NULL ? BS_NONE
										 : sqlite3_column_int64(sc->point, col);
	} else {
		const char *v = (const char *)sqlite3_column_text(sc->point, col);
		free(sc->str[col]);
		sc->str[col] = v ? strdup(v) : NULL;
		ev->scol[col] = sc->str[col];
	}
	sqlite3_reset(sc->point);
	if (!sc->ordered && !(sc->mask & (1ull << col))) {
		sc->mask |= 1ull << col;
		sc->grew = true;
	}
	return 0;
}

static int prepare_scan(struct casedb *cdb, struct scan_cols *sc, int64_t after_id, sqlite3_stmt **ret,
			struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int k = 7, rc;

	strbuf_addstr(&sql, "SELECT id, ts, source, type, host, fields, process_id");
	for (size_t c = 0; c < bs_event_ncolumns; c++) {
		sc->map[c] = -1;
		if (sc->mask & (1ull << c)) {
			strbuf_addf(&sql, ", %s", bs_event_columns[c].name);
			sc->map[c] = k++;
		}
	}
	/* only the events some rule can match (see want_fn) */
	strbuf_addstr(&sql, " FROM events WHERE ");
	if (after_id > 0)
		strbuf_addf(&sql, "id > %lld AND ", (long long)after_id);
	strbuf_addstr(&sql, "bs_detect_want(source, type, id)");
	/* Importers write in time order, so rowid order is nearly always time order and much
	 * cheaper than walking the ts index; if an earlier time turns up, the pass is undone
	 * and redone in time order. */
	if (sc->ordered)
		strbuf_addstr(&sql, " ORDER BY ts, id");
	rc = casedb_prepare(cdb, sql.buf, ret, err);
	strbuf_release(&sql);
	return rc;
}

static void scan_cols_release(struct scan_cols *sc)
{
	sqlite3_finalize(sc->point);
	sc->point = NULL;
	for (int c = 0; c < COL__COUNT; c++) {
		free(sc->str[c]);
		sc->str[c] = NULL;
	}
}

/* Check memo slots: checks with the same canonical form share a slot. */
struct memo_map {
	char **keys;
	unsigned *ids;
	size_t cap, n;
};

static unsigned memo_id(struct memo_map *m, const char *key)
{
	size_t i;

	if (m->n * 2 + 2 > m->cap) {
		struct memo_map g = { .cap = m->cap ? m->cap * 2 : 1024 };
		g.keys = calloc(g.cap, sizeof(*g.keys));
		g.ids = calloc(g.cap, sizeof(*g.ids));
		if (!g.keys || !g.ids)
			abort();
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			i = hash_str(m->keys[j]) & (g.cap - 1);
			while (g.keys[i])
				i = (i + 1) & (g.cap - 1);
			g.keys[i] = m->keys[j];
			g.ids[i] = m->ids[j];
		}
		g.n = m->n;
		free(m->keys);
		free(m->ids);
		*m = g;
	}
	i = hash_str(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key))
			return m->ids[i];
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = strdup(key);
	if (!m->keys[i])
		abort();
	m->ids[i] = (unsigned)++m->n;
	return m->ids[i];
}

static void assign_memo(struct memo_map *m, const struct cnode *cn, struct strbuf *tmp)
{
	struct cnode *n = (struct cnode *)cn; /* the trees are the run's own, in arenas */

	if (n == COND_TRUE || n == COND_FALSE)
		return;
	if (n->kind == CN_CHECK) {
		if (!n->memo) {
			strbuf_reset(tmp);
			cond_dump(n, tmp);
			n->memo = memo_id(m, tmp->buf);
		}
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		assign_memo(m, n->kids[i], tmp);
}

static void memo_release(struct memo_map *m)
{
	for (size_t j = 0; j < m->cap; j++)
		free(m->keys[j]);
	free(m->keys);
	free(m->ids);
}

static int load_ptree(struct casedb *cdb, struct ptree **ret, struct strbuf *err)
{
	sqlite3_stmt *st;
	struct ptree *pt;
	int rc;

	rc = casedb_prepare(cdb,
			    "SELECT id, pid, ppid, parent_id, uid, sid, exe, name, args, cwd, tty, container_id"
			    " FROM processes",
			    &st, err);
	if (rc < 0)
		return rc;
	pt = ptree_new();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
#define I(k) (sqlite3_column_type(st, k) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, k))
#define S(k) ((const char *)sqlite3_column_text(st, k))
		ptree_add(pt, sqlite3_column_int64(st, 0), I(1), I(2), sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : I(3),
			  I(4), I(5), S(6), S(7), S(8), S(9), S(10), S(11));
#undef I
#undef S
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "reading the process tree: %s", sqlite3_errmsg(cdb->db));
		ptree_free(pt);
		return -EIO;
	}
	ptree_link(pt);
	*ret = pt;
	return 0;
}

static int load_raw(void *userdata, int64_t event_id, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	int rc = raw_cache_read(userdata, event_id, out, &err);

	strbuf_release(&err);
	return rc;
}

static char *run_inputs(const struct ruleset *rs)
{
	json_t *o = json_object(), *files = json_array();
	char *s;

	for (size_t i = 0; i < rs->nfiles; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "path", json_string(rs->files[i]->path));
		json_object_set_new(f, "sha256", json_string(rs->files[i]->sha256));
		json_array_append_new(files, f);
	}
	json_object_set_new(o, "rules", files);
	json_object_set_new(o, "engine_version", json_string(RULES_ENGINE_VERSION));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/*
 * The run's detection-gap statement, kept in runs.inputs as "coverage": every rule that did not
 * run, [{"rule": NAME, "reason": "could not run: ..."}], for the report and the package.
 */
static char *coverage_json(const struct ruleset *rs, const struct detect_result *res)
{
	struct strbuf line = STRBUF_INIT;
	json_t *list = json_array();
	char *text;

	for (size_t i = 0; i < rs->nrules; i++) {
		strbuf_reset(&line);
		detect_coverage(rs->rules[i], res, i, &line);
		if (!strncmp(line.buf, "ran", 3))
			continue;
		json_t *entry = json_object();
		json_object_set_new(entry, "rule", json_string(rs->rules[i]->name));
		json_object_set_new(entry, "reason", json_string(line.buf));
		json_array_append_new(list, entry);
	}
	text = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	strbuf_release(&line);
	return text;
}

static void now_text(char out[BS_TIME_MAX_LEN])
{
	bs_time_format(bs_time_recorded(), out);
}

static char *tags_json(const struct rule *r)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < r->ntags; i++)
		json_array_append_new(a, json_string(r->tags[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int detect_run(struct casedb *cdb, struct ruleset *rs, const char *command_line, struct detect_result *ret,
	       struct strbuf *err)
{
	struct index ix[SRC__COUNT];
	bool any_rules[SRC__COUNT] = { false };
	sqlite3_stmt *run_st = NULL, *sel = NULL, *ins = NULL;
	struct ptree *pt = NULL;
	struct ev ev;
	struct cond_scratch scr;
	struct strbuf out = STRBUF_INIT, ofields = STRBUF_INIT;
	char **tags = NULL;
	char started[BS_TIME_MAX_LEN], finished[BS_TIME_MAX_LEN];
	char *inputs = NULL;
	struct detect_result res = { 0 };
	int rc;
	double t0;
	struct arena *spec = NULL;
	struct memo_map memo = { 0 };
	bool ordered = false; /* pass 0 reads in rowid order; pass 1 (only if needed) by time */
	int64_t last_ts;
	struct want want = { 0 };
	struct raw_cache *raw = NULL;
	struct scan_cols cols = { .cdb = cdb };
	struct rule_gate *gate = NULL; /* first-seen and workload conditions (rule-gate.h) */

	memset(ix, 0, sizeof(ix));
	ev_init(&ev);
	cond_scratch_init(&scr);
	res.rule_alerts = calloc(rs->nrules + 1, sizeof(*res.rule_alerts));
	tags = calloc(rs->nrules + 1, sizeof(*tags));
	if (!res.rule_alerts || !tags)
		abort();
	for (size_t i = 0; i < rs->nrules; i++)
		tags[i] = tags_json(rs->rules[i]);
	spec = arena_new();
	for (int s = 0; s < SRC__COUNT; s++) {
		index_build(&ix[s], rs, s);
		index_specialise(&ix[s], rs, spec);
		for (size_t j = 0; j < ix[s].cap; j++)
			for (size_t k = 0; ix[s].b[j].type && k < ix[s].b[j].n; k++)
				assign_memo(&memo, ix[s].b[j].trees[k], &out);
		for (size_t i = 0; i < rs->nrules; i++)
			any_rules[s] |= rs->rules[i]->status == RULE_OK && rs->rules[i]->source == s;
	}
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->status == RULE_OK)
			assign_memo(&memo, rs->rules[i]->tree, &out);
	cond_scratch_memo(&scr, memo.n);
	for (int src = 0; src < SRC__COUNT; src++) {
		index_flatten(&ix[src]);
		index_needs(&ix[src]);
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (r->status == RULE_OK)
			cols.mask |= detect_rule_columns(r);
	}

	/* one sequential pass over the timeline: map the file instead of pread()ing and caching
	 * each page (the connection's setting only; the case file is unchanged) */
	casedb_exec(cdb, "PRAGMA mmap_size = 4294967296", err);
	strbuf_reset(err);
	if (sqlite3_create_function_v2(cdb->db, "bs_detect_want", 3, SQLITE_UTF8, &want, want_fn, NULL, NULL,
				       NULL) != SQLITE_OK) {
		strbuf_addf(err, "registering the event filter: %s", sqlite3_errmsg(cdb->db));
		rc = -EIO;
		goto out;
	}
	rc = casedb_exec(cdb, "BEGIN IMMEDIATE", err);
	if (rc < 0)
		goto out;
	now_text(started);
	inputs = run_inputs(rs);
	rc = casedb_prepare(cdb,
			    "INSERT INTO runs (kind, tool_version, command_line, inputs, started, status)"
			    " VALUES ('detect', ?1, ?2, ?3, ?4, 'running')",
			    &run_st, err);
	if (rc < 0)
		goto rollback;
	sqlite3_bind_text(run_st, 1, BACKSIGHT_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(run_st, 2, command_line ? command_line : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(run_st, 3, inputs, -1, SQLITE_STATIC);
	sqlite3_bind_text(run_st, 4, started, -1, SQLITE_STATIC);
	if (sqlite3_step(run_st) != SQLITE_DONE) {
		strbuf_addf(err, "recording the run: %s", sqlite3_errmsg(cdb->db));
		rc = -EIO;
		goto rollback;
	}
	res.run_id = sqlite3_last_insert_rowid(cdb->db);

	rc = load_ptree(cdb, &pt, err);
	if (rc < 0)
		goto rollback;
	rc = rule_gate_new(cdb, rs, &gate, err);
	if (rc < 0)
		goto rollback;
	rc = casedb_prepare(cdb,
			    "INSERT INTO alerts (run_id, rule, priority, source, event_id, ts, output, output_fields, tags)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			    &ins, err);
	if (rc < 0)
		goto rollback;
again:
	last_ts = INT64_MIN;
	rule_gate_reset(gate);
	memset(&want, 0, sizeof(want));
	want.ix = ix;
	want.any_rules = any_rules;
	cols.ordered = ordered;
	cols.grew = false;
	rc = prepare_scan(cdb, &cols, 0, &sel, err);
	if (rc < 0)
		goto rollback;
	ev.ptree = pt;
	ev.load_raw = load_raw;
	if (!raw)
		raw = raw_cache_new(cdb);
	ev.raw_userdata = raw;
	t0 = mono_now();
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(sel, 2);
		const char *type = (const char *)sqlite3_column_text(sel, 3);
		const struct bucket *b;
		const size_t *list;
		const struct cnode *const *trees;
		const struct fnode *flat;
		const size_t *flat_at;
		const uint32_t *needs;
		size_t n;
		int64_t id = sqlite3_column_int64(sel, 0);
		bool known = id == want.last_id; /* want_fn looked this row up just now */
		int source = known ? want.last_source : src ? bs_source_from_name(src) : -1;
		int64_t ts = sqlite3_column_int64(sel, 1);

		if (ts < last_ts && !ordered)
			break; /* not in time order after all */
		last_ts = ts;
		res.read++;
		if (source < 0 || !any_rules[source] || !type)
			continue;
		b = known ? want.last_bucket : index_find(&ix[source], type);
		list = b ? b->rules : ix[source].any;
		n = b ? b->n : ix[source].nany;
		trees = b ? b->trees : NULL;
		flat = b ? b->flat : NULL;
		flat_at = b ? b->flat_at : NULL;
		needs = b ? b->needs : NULL;
		if (!n)
			continue;
		ev_reset(&ev);
		cond_scratch_next(&scr);
		ev.id = id;
		ev.ts = ts;
		ev.source = source;
		ev.type = type;
		ev.host = (const char *)sqlite3_column_text(sel, 4);
		ev.fields_text = (const char *)sqlite3_column_text(sel, 5);
		ev.fields_len = (size_t)sqlite3_column_bytes(sel, 5);
		ev.process_id = sqlite3_column_type(sel, 6) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(sel, 6);
		ev.row = sel; /* typed columns are fetched when a rule reads them */
		ev.row_cols = cols.map;
		ev.load_col = load_missing_col;
		ev.col_userdata = &cols;
		for (size_t k = 0; k < n; k++) {
			const struct rule *r = rs->rules[list[k]];
			res.evaluated++;
			const struct cnode *tree = trees ? trees[k] : r->tree;
			if (needs && !needs_open(needs + k * NEEDW, &scr))
				continue;
			if (tree != COND_TRUE &&
			    !(flat ? flat_eval(flat + flat_at[k], &ev, &scr) : cond_eval(tree, &ev, &scr)))
				continue;
			strbuf_reset(&out);
			strbuf_reset(&ofields);
			rule_render(r, &ev, &scr, &out, &ofields);
			if (gate && !rule_gate_admit(gate, list[k], ev.id, ev.ts, ofields.buf, ofields.len))
				continue;
			sqlite3_bind_int64(ins, 1, res.run_id);
			sqlite3_bind_text(ins, 2, r->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, rule_priority_name(r->priority), -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, src, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 5, ev.id);
			sqlite3_bind_int64(ins, 6, ev.ts);
			sqlite3_bind_text(ins, 7, out.buf, (int)out.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 8, ofields.buf, (int)ofields.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 9, tags[list[k]], -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				strbuf_addf(err, "storing an alert: %s", sqlite3_errmsg(cdb->db));
				rc = -EIO;
				goto rollback;
			}
			sqlite3_reset(ins);
			res.alerts++;
			res.rule_alerts[list[k]]++;
		}
		if (cols.grew) {
			/* a column joined the set: go on from the next row with it selected */
			cols.grew = false;
			want.counted_upto = ev.id;
			sqlite3_finalize(sel);
			sel = NULL;
			ev.row = NULL;
			rc = prepare_scan(cdb, &cols, ev.id, &sel, err);
			if (rc < 0)
				goto rollback;
			ev.row = sel;
		}
	}
	if (rc == SQLITE_ROW && !ordered) {
		sqlite3_stmt *del;
		sqlite3_finalize(sel);
		sel = NULL;
		rc = casedb_prepare(cdb, "DELETE FROM alerts WHERE run_id = ?1", &del, err);
		if (rc < 0)
			goto rollback;
		sqlite3_bind_int64(del, 1, res.run_id);
		rc = sqlite3_step(del) == SQLITE_DONE ? 0 : -EIO;
		sqlite3_finalize(del);
		if (rc < 0) {
			strbuf_addf(err, "redoing the run in time order: %s", sqlite3_errmsg(cdb->db));
			goto rollback;
		}
		res.read = res.evaluated = res.alerts = 0;
		memset(res.rule_alerts, 0, (rs->nrules + 1) * sizeof(*res.rule_alerts));
		ordered = true;
		goto again;
	}
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "reading the timeline: %s", sqlite3_errmsg(cdb->db));
		rc = -EIO;
		goto rollback;
	}
	res.seconds = mono_now() - t0;
	res.events = want.events;
	memcpy(res.source_events, want.source_events, sizeof(res.source_events));
	sqlite3_finalize(sel);
	sel = NULL;
	now_text(finished);
	{
		sqlite3_stmt *up;
		char *coverage = coverage_json(rs, &res);
		rc = casedb_prepare(cdb,
				    "UPDATE runs SET finished = ?1, status = 'complete',"
				    " inputs = json_set(inputs, '$.coverage', json(?3)) WHERE id = ?2",
				    &up, err);
		if (rc < 0) {
			free(coverage);
			goto rollback;
		}
		sqlite3_bind_text(up, 1, finished, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, res.run_id);
		sqlite3_bind_text(up, 3, coverage ? coverage : "[]", -1, SQLITE_STATIC);
		rc = sqlite3_step(up) == SQLITE_DONE ? 0 : -EIO;
		sqlite3_finalize(up);
		free(coverage);
		if (rc < 0) {
			strbuf_addf(err, "recording the run: %s", sqlite3_errmsg(cdb->db));
			goto rollback;
		}
	}
	rc = casedb_exec(cdb, "COMMIT", err);
	if (rc < 0)
		goto rollback;
	*ret = res;
	res.rule_alerts = NULL;
	goto out;
rollback:
	if (sel)
		sqlite3_finalize(sel);
	sel = NULL;
	{
		struct strbuf ignore = STRBUF_INIT;
		casedb_exec(cdb, "ROLLBACK", &ignore);
		strbuf_release(&ignore);
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_create_function_v2(cdb->db, "bs_detect_want", 3, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
	sqlite3_finalize(run_st);
	for (int s = 0; s < SRC__COUNT; s++)
		index_release(&ix[s]);
	for (size_t i = 0; i < rs->nrules; i++)
		free(tags[i]);
	free(tags);
	free(res.rule_alerts);
	free(inputs);
	ptree_free(pt);
	rule_gate_free(gate);
	raw_cache_free(raw);
	scan_cols_release(&cols);
	arena_free(spec);
	memo_release(&memo);
	ev_release(&ev);
	cond_scratch_release(&scr);
	strbuf_release(&out);
	strbuf_release(&ofields);
	return rc < 0 ? rc : 0;
}

void detect_result_release(struct detect_result *r)
{
	if (!r)
		return;
	free(r->rule_alerts);
	r->rule_alerts = NULL;
}

void detect_coverage(const struct rule *r, const struct detect_result *res, size_t rule_index, struct strbuf *out)
{
	switch (r->status) {
	case RULE_DISABLED:
		strbuf_addstr(out, "disabled");
		return;
	case RULE_ERROR:
		strbuf_addf(out, "error: %s", r->why ? r->why : "did not compile");
		return;
	case RULE_CANNOT_RUN:
		strbuf_addf(out, "could not run: %s", r->why);
		return;
	case RULE_OK:
		break;
	}
	if (res && r->source >= 0 && !res->source_events[r->source]) {
		strbuf_addf(out, "could not run: the case has no %s events", r->source_name);
		return;
	}
	if (!res || !res->rule_alerts[rule_index])
		strbuf_addstr(out, "ran, no match");
	else
		strbuf_addf(out, "ran (%llu alert%s)", (unsigned long long)res->rule_alerts[rule_index],
			    res->rule_alerts[rule_index] == 1 ? "" : "s");
}
