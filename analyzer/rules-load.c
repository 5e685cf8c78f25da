/* rules-load: Falco rule files, item by item, into a ruleset — lists, macros and rules with
 * Falco's load order, visibility, `append` and `override`, exceptions, required versions.
 *
 * Follows ../shared/reference/falco.md §a (falco userspace/engine rule_loader_reader.cpp and
 * rule_loader_collector.cpp as described there): items are handled in file order, files in the
 * order given; a redefinition replaces an item in place; `append: true` (deprecated) and
 * `override: {key: append|replace}` change an earlier item and are errors when there is none;
 * a rule item with only `rule` and `enabled` toggles an earlier rule. Unknown keys are warnings.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "indicator-feeds.h"
#include "indicators.h"
#include "rules-int.h"

static const char *const priority_names[] = { "Emergency", "Alert",  "Critical",      "Error",
					       "Warning",   "Notice", "Informational", "Debug" };

const char *rule_priority_name(enum rule_priority p)
{
	return priority_names[p];
}

int rule_priority_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (!strcasecmp(s, priority_names[i]))
			return i;
	if (!strcasecmp(s, "info"))
		return PRI_INFORMATIONAL;
	return -1;
}

/* ---- lookups ---- */

static struct rule_list *find_list(struct ruleset *rs, const char *name, size_t len)
{
	for (size_t i = 0; i < rs->nlists; i++)
		if (strlen(rs->lists[i]->l.name) == len && !memcmp(rs->lists[i]->l.name, name, len))
			return rs->lists[i];
	return NULL;
}

static struct rule_macro *find_macro(struct ruleset *rs, const char *name, size_t len)
{
	for (size_t i = 0; i < rs->nmacros; i++)
		if (strlen(rs->macros[i]->m.name) == len && !memcmp(rs->macros[i]->m.name, name, len))
			return rs->macros[i];
	return NULL;
}

static struct rule *find_rule(struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->name, name))
			return rs->rules[i];
	return NULL;
}

static const struct cond_list *env_find_list(void *ud, const char *name, size_t len)
{
	struct rule_list *l = find_list(ud, name, len);
	return l ? &l->l : NULL;
}

static const struct cond_macro *env_find_macro(void *ud, const char *name, size_t len)
{
	struct rule_macro *m = find_macro(ud, name, len);
	if (m)
		m->used = true;
	return m ? &m->m : NULL;
}

struct ruleset *ruleset_new(bool strict)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		abort();
	rs->a = arena_new();
	rs->strict = strict;
	rs->env.find_list = env_find_list;
	rs->env.find_macro = env_find_macro;
	rs->env.ud = rs;
	return rs;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->env.nregs; i++) {
		regfree(rs->env.regs[i]);
		free(rs->env.regs[i]);
	}
	free(rs->env.regs);
	for (size_t i = 0; i < rs->ndiags; i++) {
		free(rs->diags[i].msg);
		free(rs->diags[i].source_line);
	}
	free(rs->diags);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]->text);
	free(rs->files);
	free(rs->rules);
	free(rs->macros);
	free(rs->lists);
	arena_free(rs->a);
	free(rs);
}

#define PUSH(arr, n, cap, item)                                                                    \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap) * 2 : 32;                                            \
			(arr) = realloc((arr), (cap) * sizeof(*(arr)));                            \
			if (!(arr))                                                                \
				abort();                                                           \
		}                                                                                  \
		(arr)[(n)++] = (item);                                                             \
	} while (0)

/* ---- helpers ---- */

struct item {
	struct ruleset *rs;
	struct rule_file *f;
	yaml_document_t *d;
	yaml_node_t *node;
	const char *kind; /* "rule", "macro", "list" */
	const char *name;
};

static void check_keys(struct item *it, const char *const *known)
{
	yaml_node_t *map = it->node;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(it->d, p->key);
		const char *k = yaml_str(it->d, kn);
		bool ok = false;
		for (size_t i = 0; k && known[i]; i++)
			ok |= !strcmp(known[i], k);
		if (!ok)
			rules_diag_node(it->rs, false, it->f, kn, "unknown key '%s' in %s '%s' (ignored)", k ? k : "?",
					it->kind, it->name);
	}
}

/* override: {key: append|replace}; returns the mode of key: 0 absent, 1 append, 2 replace. */
static int override_mode(struct item *it, yaml_node_t *ov, const char *key)
{
	const char *m = yaml_str(it->d, yaml_get(it->d, ov, key));

	if (!m)
		return 0;
	if (!strcmp(m, "append"))
		return 1;
	if (!strcmp(m, "replace"))
		return 2;
	rules_diag_node(it->rs, true, it->f, yaml_get(it->d, ov, key),
			"override of '%s' in %s '%s' must be append or replace, not '%s'", key, it->kind, it->name, m);
	return -1;
}

static bool check_override(struct item *it, yaml_node_t *ov, const char *const *appendable,
			   const char *const *replaceable)
{
	bool ok = true;

	if (ov->type != YAML_MAPPING_NODE) {
		rules_diag_node(it->rs, true, it->f, ov, "override in %s '%s' must be a map of key: append|replace",
				it->kind, it->name);
		return false;
	}
	for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(it->d, p->key);
		const char *k = yaml_str(it->d, kn);
		int mode = override_mode(it, ov, k ? k : "");
		const char *const *allowed = mode == 1 ? appendable : replaceable;
		bool found = false;
		if (mode < 0) {
			ok = false;
			continue;
		}
		for (size_t i = 0; k && allowed[i]; i++)
			found |= !strcmp(allowed[i], k);
		if (!found) {
			rules_diag_node(it->rs, true, it->f, kn, "key '%s' of %s '%s' cannot be %s", k ? k : "?", it->kind,
					it->name, mode == 1 ? "appended" : "replaced");
			ok = false;
		} else if (!yaml_get(it->d, it->node, k)) {
			rules_diag_node(it->rs, true, it->f, kn, "override names '%s' but %s '%s' does not give it", k,
					it->kind, it->name);
			ok = false;
		}
	}
	/* every key given besides the name and override must be overridden */
	for (yaml_node_pair_t *p = it->node->data.mapping.pairs.start; p < it->node->data.mapping.pairs.top; p++) {
		const char *k = yaml_str(it->d, yaml_document_get_node(it->d, p->key));
		if (!k || !strcmp(k, it->kind) || !strcmp(k, "override"))
			continue;
		if (!yaml_get(it->d, ov, k)) {
			rules_diag_node(it->rs, true, it->f, yaml_document_get_node(it->d, p->key),
					"%s '%s' gives '%s' without saying in override whether to append or replace it",
					it->kind, it->name, k);
			ok = false;
		}
	}
	return ok;
}

static const char *text_of(struct item *it, const char *key, yaml_node_t **ret_node)
{
	yaml_node_t *n = yaml_get(it->d, it->node, key);
	const char *s = yaml_str(it->d, n);

	if (ret_node)
		*ret_node = n;
	if (n && !s)
		rules_diag_node(it->rs, true, it->f, n, "'%s' of %s '%s' must be a string", key, it->kind, it->name);
	return s;
}

static char *trim_dup(struct arena *a, const char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	return arena_strndup(a, s, len);
}

/* ---- lists ---- */

static void list_add_item(struct ruleset *rs, struct rule_list *l, const char *item)
{
	if (l->l.n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		const char **items = arena_alloc(rs->a, cap * sizeof(*items));
		bool *quoted = arena_alloc(rs->a, cap * sizeof(*quoted));
		if (l->l.n) {
			memcpy(items, l->l.items, l->l.n * sizeof(*items));
			memcpy(quoted, l->l.quoted, l->l.n * sizeof(*quoted));
		}
		l->l.items = items;
		l->l.quoted = quoted;
		l->cap = cap;
	}
	l->l.items[l->l.n] = item;
	l->l.quoted[l->l.n] = true; /* already expanded: never looked up again */
	l->l.n++;
}

static bool list_items(struct item *it, struct rule_list *l, yaml_node_t *items)
{
	if (items->type != YAML_SEQUENCE_NODE) {
		rules_diag_node(it->rs, true, it->f, items, "items of list '%s' must be a sequence", it->name);
		return false;
	}
	for (yaml_node_item_t *p = items->data.sequence.items.start; p < items->data.sequence.items.top; p++) {
		yaml_node_t *n = yaml_document_get_node(it->d, *p);
		const char *s = yaml_str(it->d, n);
		struct rule_list *earlier;
		if (!s) {
			rules_diag_node(it->rs, true, it->f, n, "items of list '%s' must be strings or numbers", it->name);
			continue;
		}
		earlier = find_list(it->rs, s, strlen(s));
		if (earlier && earlier != l) {
			for (size_t i = 0; i < earlier->l.n; i++)
				list_add_item(it->rs, l, earlier->l.items[i]);
		} else {
			/* Falco substitutes lists textually, so an item written with quotes inside the
			 * YAML string ('"10.0.0.0/8"') is a quoted value: keep what is inside them. */
			size_t len = strlen(s);
			if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
				list_add_item(it->rs, l, arena_strndup(it->rs->a, s + 1, len - 2));
			else
				list_add_item(it->rs, l, arena_strdup(it->rs->a, s));
		}
	}
	return true;
}

static void load_list(struct item *it)
{
	static const char *const known[] = { "list", "items", "append", "override", NULL };
	static const char *const app[] = { "items", NULL };
	yaml_node_t *items = yaml_get(it->d, it->node, "items"), *ov = yaml_get(it->d, it->node, "override");
	struct rule_list *l = find_list(it->rs, it->name, strlen(it->name)), *tmp;
	bool append = false;

	check_keys(it, known);
	yaml_bool(it->d, yaml_get(it->d, it->node, "append"), &append);
	if (!items) {
		rules_diag_node(it->rs, true, it->f, it->node, "list '%s' lacks 'items'", it->name);
		return;
	}
	if (ov) {
		if (append) {
			rules_diag_node(it->rs, true, it->f, ov, "list '%s' has both append and override", it->name);
			return;
		}
		if (!check_override(it, ov, app, app))
			return;
		append = override_mode(it, ov, "items") == 1;
		if (!l) {
			rules_diag_node(it->rs, true, it->f, it->node, "list '%s' overrides a list not defined before", it->name);
			return;
		}
	}
	if (append) {
		if (!l) {
			rules_diag_node(it->rs, true, it->f, it->node, "list '%s' appends to a list not defined before",
					it->name);
			return;
		}
		list_items(it, l, items);
		return;
	}
	tmp = arena_alloc(it->rs->a, sizeof(*tmp));
	tmp->l.name = arena_strdup(it->rs->a, it->name);
	tmp->l.items = NULL;
	if (!list_items(it, tmp, items))
		return;
	if (l) {
		tmp->index = l->index;
		*l = *tmp; /* a redefinition replaces the list in place */
	} else {
		tmp->index = it->rs->nlists;
		PUSH(it->rs->lists, it->rs->nlists, it->rs->caplists, tmp);
	}
}

/* ---- macros ---- */

static void load_macro(struct item *it)
{
	static const char *const known[] = { "macro", "condition", "append", "override", NULL };
	static const char *const app[] = { "condition", NULL };
	yaml_node_t *cn, *ov = yaml_get(it->d, it->node, "override");
	const char *cond = text_of(it, "condition", &cn);
	struct rule_macro *m = find_macro(it->rs, it->name, strlen(it->name));
	bool append = false;

	check_keys(it, known);
	yaml_bool(it->d, yaml_get(it->d, it->node, "append"), &append);
	if (!cond) {
		if (!cn)
			rules_diag_node(it->rs, true, it->f, it->node, "macro '%s' lacks 'condition'", it->name);
		return;
	}
	if (ov) {
		if (append) {
			rules_diag_node(it->rs, true, it->f, ov, "macro '%s' has both append and override", it->name);
			return;
		}
		if (!check_override(it, ov, app, app))
			return;
		append = override_mode(it, ov, "condition") == 1;
		if (!m) {
			rules_diag_node(it->rs, true, it->f, it->node, "macro '%s' overrides a macro not defined before",
					it->name);
			return;
		}
	}
	if (append) {
		if (!m) {
			rules_diag_node(it->rs, true, it->f, it->node, "macro '%s' appends to a macro not defined before",
					it->name);
			return;
		}
		rules_text_append(it->rs, &m->cond, " ", cond, it->f, cn, false);
		m->m.text = m->cond.ct;
		return;
	}
	if (!m) {
		m = arena_alloc(it->rs->a, sizeof(*m));
		m->m.name = arena_strdup(it->rs->a, it->name);
		m->m.index = it->rs->nmacros;
		PUSH(it->rs->macros, it->rs->nmacros, it->rs->capmacros, m);
	}
	rules_text_init(&m->cond, arena_printf(it->rs->a, "macro '%s'", it->name));
	rules_text_append(it->rs, &m->cond, " ", cond, it->f, cn, false);
	m->m.text = m->cond.ct;
	m->m.text.origin = &m->cond;
}

/* ---- rules ---- */

static bool string_seq(struct item *it, yaml_node_t *n, const char *what, const char ***ret, size_t *ret_n)
{
	size_t cnt = 0;
	const char **v;

	if (n->type == YAML_SCALAR_NODE) {
		v = arena_alloc(it->rs->a, sizeof(*v));
		v[0] = arena_strdup(it->rs->a, yaml_str(it->d, n));
		*ret = v;
		*ret_n = 1;
		return true;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		rules_diag_node(it->rs, true, it->f, n, "%s of %s '%s' must be a list", what, it->kind, it->name);
		return false;
	}
	v = arena_alloc(it->rs->a, ((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) + 1) * sizeof(*v));
	for (yaml_node_item_t *p = n->data.sequence.items.start; p < n->data.sequence.items.top; p++) {
		const char *s = yaml_str(it->d, yaml_document_get_node(it->d, *p));
		if (!s) {
			rules_diag_node(it->rs, true, it->f, yaml_document_get_node(it->d, *p), "%s of %s '%s' must be strings",
					what, it->kind, it->name);
			return false;
		}
		v[cnt++] = arena_strdup(it->rs->a, s);
	}
	*ret = v;
	*ret_n = cnt;
	return true;
}

static bool load_exceptions(struct item *it, yaml_node_t *n, struct rule_exception **ret, size_t *ret_n)
{
	size_t cnt = 0;
	struct rule_exception *ex;

	if (n->type != YAML_SEQUENCE_NODE) {
		rules_diag_node(it->rs, true, it->f, n, "exceptions of rule '%s' must be a list", it->name);
		return false;
	}
	ex = arena_alloc(it->rs->a, ((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) + 1) * sizeof(*ex));
	for (yaml_node_item_t *p = n->data.sequence.items.start; p < n->data.sequence.items.top; p++) {
		yaml_node_t *en = yaml_document_get_node(it->d, *p);
		struct rule_exception *e = &ex[cnt];
		yaml_node_t *fields = yaml_get(it->d, en, "fields"), *comps = yaml_get(it->d, en, "comps"),
			    *values = yaml_get(it->d, en, "values");
		const char *name = yaml_str(it->d, yaml_get(it->d, en, "name"));
		size_t ncomps = 0;
		if (!name) {
			rules_diag_node(it->rs, true, it->f, en, "an exception of rule '%s' lacks 'name'", it->name);
			return false;
		}
		e->name = arena_strdup(it->rs->a, name);
		e->file = it->f;
		e->line = (int)en->start_mark.line + 1;
		e->col = (int)en->start_mark.column + 1;
		if (!fields) {
			/* allowed when appending values to an exception of the same name */
			cnt++;
			goto values;
		}
		e->fields_is_list = fields->type == YAML_SEQUENCE_NODE;
		if (!string_seq(it, fields, "exception fields", &e->fields, &e->nfields))
			return false;
		if (comps && !string_seq(it, comps, "exception comps", &e->comps, &ncomps))
			return false;
		if (comps && ncomps != e->nfields) {
			rules_diag_node(it->rs, true, it->f, comps, "exception '%s' of rule '%s' has %zu fields but %zu comps",
					name, it->name, e->nfields, ncomps);
			return false;
		}
		if (!comps) {
			e->comps = arena_alloc(it->rs->a, (e->nfields + 1) * sizeof(*e->comps));
			for (size_t i = 0; i < e->nfields; i++)
				e->comps[i] = e->fields_is_list ? "=" : "in";
		}
		cnt++;
	values:
		if (!values)
			continue;
		if (values->type != YAML_SEQUENCE_NODE) {
			rules_diag_node(it->rs, true, it->f, values, "values of exception '%s' must be a list", name);
			return false;
		}
		e->rows = arena_alloc(it->rs->a, ((size_t)(values->data.sequence.items.top - values->data.sequence.items.start) + 1) *
							 sizeof(*e->rows));
		for (yaml_node_item_t *q = values->data.sequence.items.start; q < values->data.sequence.items.top; q++) {
			yaml_node_t *row = yaml_document_get_node(it->d, *q);
			size_t w = row->type == YAML_SEQUENCE_NODE
					   ? (size_t)(row->data.sequence.items.top - row->data.sequence.items.start)
					   : 1;
			struct rule_exc_value *vals = arena_alloc(it->rs->a, (w + 1) * sizeof(*vals));
			yaml_node_t *cells[1] = { row };
			for (size_t k = 0; k < w; k++) {
				yaml_node_t *cell = row->type == YAML_SEQUENCE_NODE
							    ? yaml_document_get_node(it->d, row->data.sequence.items.start[k])
							    : cells[0];
				if (cell->type == YAML_SEQUENCE_NODE) {
					if (!string_seq(it, cell, "exception values", &vals[k].items, &vals[k].n))
						return false;
					vals[k].is_list = true;
				} else if (yaml_str(it->d, cell)) {
					vals[k].items = arena_alloc(it->rs->a, sizeof(char *));
					vals[k].items[0] = arena_strdup(it->rs->a, yaml_str(it->d, cell));
					vals[k].n = 1;
				} else {
					rules_diag_node(it->rs, true, it->f, cell, "bad value in exception '%s'", name);
					return false;
				}
			}
			if (row->type != YAML_SEQUENCE_NODE) {
				/* a single-field exception: values is a flat list */
				vals[0].is_list = false;
			}
			e->rows[e->nrows++] = vals;
		}
	}
	*ret = ex;
	*ret_n = cnt;
	return true;
}

static void merge_exceptions(struct ruleset *rs, struct rule *r, struct rule_exception *ex, size_t n)
{
	struct rule_exception *all = arena_alloc(rs->a, (r->nexceptions + n + 1) * sizeof(*all));

	if (r->nexceptions) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(all, r->exceptions, r->nexceptions * sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		struct rule_exception *same = NULL;
		for (size_t j = 0; j < r->nexceptions; j++)
			if (!strcmp(all[j].name, ex[i].name))
				same = &all[j];
		if (same) {
			struct rule_exc_value **rows = arena_alloc(rs->a, (same->nrows + ex[i].nrows + 1) * sizeof(*rows));
			if (same->nrows)
				memcpy(rows, same->rows, same->nrows * sizeof(*rows));
			if (ex[i].nrows)
				memcpy(rows + same->nrows, ex[i].rows, ex[i].nrows * sizeof(*rows));
			same->rows = rows;
			same->nrows += ex[i].nrows;
		} else {
			all[r->nexceptions++] = ex[i];
		}
	}
	r->exceptions = all;
}

static void tags_union(struct ruleset *rs, struct rule *r, const char **tags, size_t n)
{
	const char **all = arena_alloc(rs->a, (r->ntags + n + 1) * sizeof(*all));

	memcpy(all, r->tags, r->ntags * sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < r->ntags; j++)
			dup |= !strcmp(all[j], tags[i]);
		if (!dup)
			all[r->ntags++] = tags[i];
	}
	r->tags = all;
}

static const char *joined(struct ruleset *rs, const char *a, const char *b)
{
	return arena_printf(rs->a, "%s %s", a ? a : "", b);
}

/* Apply one key of a rule item: mode 0 define, 1 append, 2 replace. */
static bool rule_key(struct item *it, struct rule *r, const char *key, int mode)
{
	yaml_node_t *n = yaml_get(it->d, it->node, key);
	const char *s = yaml_str(it->d, n);

	if (!n)
		return true;
	if (!strcmp(key, "condition")) {
		if (!s)
			return rules_diag_node(it->rs, true, it->f, n, "condition of rule '%s' must be a string", it->name), false;
		if (mode != 1)
			rules_text_init(&r->cond, arena_printf(it->rs->a, "rule '%s'", r->name));
		rules_text_append(it->rs, &r->cond, " ", s, it->f, n, false);
		r->cond.ct.origin = &r->cond;
	} else if (!strcmp(key, "output") || !strcmp(key, "desc")) {
		const char **slot = key[0] == 'o' ? &r->output : &r->desc;
		if (!s)
			return rules_diag_node(it->rs, true, it->f, n, "%s of rule '%s' must be a string", key, it->name), false;
		*slot = mode == 1 ? joined(it->rs, *slot, trim_dup(it->rs->a, s)) : trim_dup(it->rs->a, s);
		if (key[0] == 'o') {
			if (mode != 1)
				rules_text_init(&r->out_text, arena_printf(it->rs->a, "output of rule '%s'", r->name));
			rules_text_append(it->rs, &r->out_text, " ", s, it->f, n, false);
		}
	} else if (!strcmp(key, "priority")) {
		int p = s ? rule_priority_parse(s) : -1;
		if (p < 0)
			return rules_diag_node(it->rs, true, it->f, n,
					       "unknown priority '%s' (one of emergency, alert, critical, error, warning, "
					       "notice, informational, debug)",
					       s ? s : "?"),
			       false;
		r->priority = (enum rule_priority)p;
	} else if (!strcmp(key, "tags")) {
		const char **tags;
		size_t nt;
		if (!string_seq(it, n, "tags", &tags, &nt))
			return false;
		if (mode == 1) {
			tags_union(it->rs, r, tags, nt);
		} else {
			r->tags = tags;
			r->ntags = nt;
		}
	} else if (!strcmp(key, "source")) {
		if (!s)
			return false;
		r->source_name = arena_strdup(it->rs->a, s);
		r->source = bs_source_from_name(s);
	} else if (!strcmp(key, "enabled") || !strcmp(key, "capture") || !strcmp(key, "skip-if-unknown-filter") ||
		   !strcmp(key, "warn_evttypes")) {
		bool b;
		if (!yaml_bool(it->d, n, &b))
			return rules_diag_node(it->rs, true, it->f, n, "%s of rule '%s' must be true or false", key, it->name),
			       false;
		if (key[0] == 'e')
			r->enabled = b;
		else if (key[0] == 'c')
			r->capture = b;
		else if (key[0] == 'w')
			r->warn_evttypes = b;
		else
			r->skip_if_unknown_filter = b;
	} else if (!strcmp(key, "exceptions")) {
		struct rule_exception *ex;
		size_t ne;
		if (!load_exceptions(it, n, &ex, &ne))
			return false;
		if (mode == 1) {
			merge_exceptions(it->rs, r, ex, ne);
		} else {
			r->exceptions = ex;
			r->nexceptions = ne;
		}
	}
	return true;
}

static void load_rule(struct item *it)
{
	static const char *const known[] = { "rule",    "condition", "output",     "desc",           "priority",
					     "tags",    "source",    "enabled",    "exceptions",     "append",
					     "override", "capture",  "capture_duration", "warn_evttypes",
					     "skip-if-unknown-filter", NULL };
	static const char *const appendable[] = { "condition", "output", "desc", "tags", "exceptions", NULL };
	static const char *const replaceable[] = { "condition", "output",  "desc",    "priority", "tags",
						   "exceptions", "enabled", "capture", "capture_duration",
						   "warn_evttypes", "skip-if-unknown-filter", NULL };
	static const char *const keys[] = { "condition", "output", "desc", "priority", "tags", "source", "enabled",
					    "capture", "skip-if-unknown-filter", "warn_evttypes", "exceptions", NULL };
	struct ruleset *rs = it->rs;
	struct rule *r = find_rule(rs, it->name), *nr;
	yaml_node_t *ov = yaml_get(it->d, it->node, "override");
	bool append = false;
	size_t nkeys = (size_t)(it->node->data.mapping.pairs.top - it->node->data.mapping.pairs.start);

	check_keys(it, known);
	yaml_bool(it->d, yaml_get(it->d, it->node, "append"), &append);
	if (append && ov) {
		rules_diag_node(rs, true, it->f, ov, "rule '%s' has both append and override", it->name);
		return;
	}
	if (append || ov) {
		if (!r) {
			rules_diag_node(rs, true, it->f, it->node, "rule '%s' %s a rule not defined before", it->name,
					append ? "appends to" : "overrides");
			return;
		}
		if (ov && !check_override(it, ov, appendable, replaceable))
			return;
		for (size_t i = 0; keys[i]; i++) {
			int mode = append ? 1 : override_mode(it, ov, keys[i]);
			if (append && (!strcmp(keys[i], "priority") || !strcmp(keys[i], "enabled") ||
				       !strcmp(keys[i], "source") || !strcmp(keys[i], "capture")))
				mode = 2;
			if (mode > 0)
				rule_key(it, r, keys[i], mode);
		}
		r->out_text.ct.origin = &r->out_text;
		return;
	}
	if (yaml_get(it->d, it->node, "enabled") && nkeys == 2) { /* rule + enabled: a toggle */
		if (!r) {
			rules_diag_node(rs, true, it->f, it->node, "rule '%s' is enabled/disabled but not defined before",
					it->name);
			return;
		}
		rule_key(it, r, "enabled", 2);
		return;
	}
	nr = arena_alloc(rs->a, sizeof(*nr));
	nr->name = arena_strdup(rs->a, it->name);
	nr->enabled = true;
	nr->warn_evttypes = true;
	nr->source_name = "syscall";
	nr->source = SRC_SYSCALL;
	nr->file = it->f;
	nr->line = (int)it->node->start_mark.line + 1;
	nr->col = (int)it->node->start_mark.column + 1;
	for (size_t i = 0; i < 4; i++) {
		if (!yaml_get(it->d, it->node, keys[i])) {
			rules_diag_node(rs, true, it->f, it->node, "rule '%s' lacks '%s'", it->name, keys[i]);
			return;
		}
	}
	for (size_t i = 0; keys[i]; i++)
		if (!rule_key(it, nr, keys[i], 0))
			return;
	nr->out_text.ct.origin = &nr->out_text;
	if (r) {
		*r = *nr; /* a redefinition replaces the rule in place */
		r->cond.ct.origin = &r->cond;
		r->out_text.ct.origin = &r->out_text;
	} else {
		PUSH(rs->rules, rs->nrules, rs->caprules, nr);
	}
}

/* ---- versions ---- */

static int parse_version(const char *s, int v[3])
{
	char *end;

	v[0] = v[1] = v[2] = 0;
	if (!strchr(s, '.')) { /* legacy integer N means 0.N.0 */
		long n = strtol(s, &end, 10);
		if (*end || n < 0)
			return -1;
		v[1] = (int)n;
		return 0;
	}
	return sscanf(s, "%d.%d.%d", &v[0], &v[1], &v[2]) >= 2 ? 0 : -1;
}

static void load_engine_version(struct item *it, yaml_node_t *n)
{
	const char *s = yaml_str(it->d, n);
	int want[3], have[3];

	parse_version(RULES_ENGINE_VERSION, have);
	if (!s || parse_version(s, want) < 0) {
		rules_diag_node(it->rs, true, it->f, n, "required_engine_version must be a version such as 0.62.0");
		return;
	}
	if (want[0] > have[0] || (want[0] == have[0] && (want[1] > have[1] || (want[1] == have[1] && want[2] > have[2]))))
		rules_diag_node(it->rs, true, it->f, n,
				"the file requires rule engine %s, backsight implements %s", s, RULES_ENGINE_VERSION);
}

static void load_plugin_versions(struct item *it, yaml_node_t *n)
{
	static const char *const builtin[] = { "container", "cloudtrail", "json", "k8saudit", "k8saudit-aks",
					       "k8saudit-eks", "k8saudit-gke", "k8saudit-ovh", NULL };

	if (n->type != YAML_SEQUENCE_NODE) {
		rules_diag_node(it->rs, true, it->f, n, "required_plugin_versions must be a list");
		return;
	}
	for (yaml_node_item_t *p = n->data.sequence.items.start; p < n->data.sequence.items.top; p++) {
		yaml_node_t *pn = yaml_document_get_node(it->d, *p);
		const char *name = yaml_str(it->d, yaml_get(it->d, pn, "name"));
		bool known = false;
		if (!name) {
			rules_diag_node(it->rs, true, it->f, pn, "a required plugin lacks 'name'");
			continue;
		}
		for (size_t i = 0; builtin[i]; i++)
			known |= !strcmp(builtin[i], name);
		if (!known)
			rules_diag_node(it->rs, false, it->f, pn,
					"plugin '%s' has no backsight equivalent: rules needing its fields will not compile",
					name);
	}
}

/* ---- files ---- */

static void load_item(struct ruleset *rs, struct rule_file *f, yaml_document_t *d, yaml_node_t *n)
{
	static const char *const kinds[] = { "rule", "macro", "list", NULL };
	struct item it = { .rs = rs, .f = f, .d = d, .node = n };
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE) {
		rules_diag_node(rs, true, f, n, "an item must be a map (rule, macro, list ...)");
		return;
	}
	if ((v = yaml_get(d, n, "required_engine_version"))) {
		load_engine_version(&it, v);
		return;
	}
	if ((v = yaml_get(d, n, "required_plugin_versions"))) {
		load_plugin_versions(&it, v);
		return;
	}
	for (size_t i = 0; kinds[i]; i++) {
		v = yaml_get(d, n, kinds[i]);
		if (!v)
			continue;
		it.kind = kinds[i];
		it.name = yaml_str(d, v);
		if (!it.name || !*it.name) {
			rules_diag_node(rs, true, f, v, "a %s needs a name", kinds[i]);
			return;
		}
		if (i == 0)
			load_rule(&it);
		else if (i == 1)
			load_macro(&it);
		else
			load_list(&it);
		return;
	}
	rules_diag_node(rs, false, f, n, "unknown item (not a rule, macro, list or required version): ignored");
}

static int load_text(struct ruleset *rs, const char *path, struct strbuf *text);

int ruleset_load_file(struct ruleset *rs, const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf text = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!fp) {
		rc = -errno;
		rules_diag(rs, true, NULL, 0, 0, "cannot read rule file '%s': %s", path, strerror(errno));
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&text, buf, n);
	if (ferror(fp))
		rc = -EIO;
	fclose(fp);
	if (rc < 0) {
		rules_diag(rs, true, NULL, 0, 0, "cannot read rule file '%s'", path);
		strbuf_release(&text);
		return rc;
	}
	return load_text(rs, path, &text);
}

int ruleset_load_text(struct ruleset *rs, const char *name, const char *text, size_t len)
{
	struct strbuf t = STRBUF_INIT;

	strbuf_add(&t, text, len);
	return load_text(rs, name, &t);
}

/* Load a file's text (taken over) as the set's next file. */
static int load_text(struct ruleset *rs, const char *path, struct strbuf *text)
{
	struct rule_file *f;
	yaml_parser_t parser;
	int rc = 0;

	f = arena_alloc(rs->a, sizeof(*f));
	f->path = arena_strdup(rs->a, path);
	f->len = text->len;
	f->text = strbuf_detach(text, NULL);
	sha256_hex(f->text, f->len, f->sha256);
	rs->files = realloc(rs->files, (rs->nfiles + 1) * sizeof(*rs->files)); /* files are few */
	if (!rs->files)
		abort();
	rs->files[rs->nfiles++] = f;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)f->text, f->len);
	for (;;) {
		yaml_document_t doc;
		yaml_node_t *root;
		if (!yaml_parser_load(&parser, &doc)) {
			rules_diag(rs, true, f, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
				   "not valid YAML: %s%s%s", parser.problem ? parser.problem : "error",
				   parser.context ? " " : "", parser.context ? parser.context : "");
			rc = -EINVAL;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		if (root->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *p = root->data.sequence.items.start; p < root->data.sequence.items.top; p++)
				load_item(rs, f, &doc, yaml_document_get_node(&doc, *p));
		} else if (!(root->type == YAML_SCALAR_NODE && !*yaml_str(&doc, root))) {
			rules_diag_node(rs, true, f, root, "a rule file is a list of items (- rule: ..., - macro: ...)");
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- indicator files ---- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

bool ruleset_is_indicator_file(const char *path)
{
	return has_suffix(path, ".txt") || has_suffix(path, ".list") || has_suffix(path, ".csv") ||
	       has_suffix(path, ".json");
}

/*
 * One indicator file: its entries appended to the list named by the last `# list: NAME` line
 * above them, else by the file's name without its extension. The file is read by the
 * indicator reader (indicators.h: plain lines — a line's first field, blank, tab or comma
 * separated, quotes dropped, `#` comments —, STIX 2.1 bundles, MISP CSV, abuse.ch CSV, Tor
 * exit lists), leniently: a plain line that is no address, domain or hash is an entry too
 * (user names, process names), lower-cased. A rule's list has no time, so the validity a feed
 * gives its entries (STIX valid_until, a Tor exit's date) is not kept here (`--indicators`
 * keeps it). The file is recorded with the rule files (and its SHA-256).
 */
struct list_mark {
	int line;
	struct rule_list *l;
};

struct list_sink {
	struct ruleset *rs;
	struct rule_file *f;
	struct rule_list *named; /* the list named like the file, or NULL */
	const char *base;
	size_t blen;
	struct list_mark *marks;
	size_t nmarks, cap;
	bool feed; /* a structured feed (STIX, CSV, Tor), not plain lines */
};

/* The kind a list's name says it holds (backsight_c2_ips, backsight_c2_domains ...), or -1. */
static int list_kind(const struct rule_list *l)
{
	static const struct {
		const char *suffix;
		int kind;
	} kinds[] = { { "_ips", IOC_IP }, { "_domains", IOC_DOMAIN }, { "_hashes", IOC_HASH } };
	size_t n = strlen(l->l.name);

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t k = strlen(kinds[i].suffix);
		if (n > k && !strcmp(l->l.name + n - k, kinds[i].suffix))
			return kinds[i].kind;
	}
	return -1;
}

static int list_entry(void *userdata, const struct indicator_entry *e)
{
	struct list_sink *k = userdata;
	struct rule_list *l = k->named;
	char *item;

	for (size_t i = 0; i < k->nmarks && (size_t)k->marks[i].line <= e->line; i++)
		l = k->marks[i].l;
	if (!l) {
		rules_diag(k->rs, true, k->f, (int)e->line, 1,
			   "indicator file: no list '%.*s' in the rules (name the list in a '# list: NAME' line)",
			   (int)k->blen, k->base);
		return -EINVAL;
	}
	/* a feed names many kinds of things: a list named for one kind takes only that kind */
	if (k->feed && list_kind(l) >= 0 && list_kind(l) != e->kind)
		return 0;
	if (e->len > 512) {
		rules_diag(k->rs, true, k->f, (int)e->line, 1, "indicator longer than 512 bytes");
		return -EINVAL;
	}
	item = arena_strndup(k->rs->a, e->value, e->len);
	if (e->kind == IOC__COUNT || e->kind == IOC_DOMAIN || e->kind == IOC_HASH)
		for (char *c = item; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	list_add_item(k->rs, l, item);
	return 0;
}

/* The "# list: NAME" lines of a file, in order. */
static int list_marks(struct list_sink *k)
{
	const char *p = k->f->text, *end = k->f->text + k->f->len;
	int line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		size_t len;
		if (!eol)
			eol = end;
		line++;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q < eol && *q == '#') {
			const char *hash = q;
			q++;
			while (q < eol && *q == ' ')
				q++;
			if (eol - q > 5 && !strncmp(q, "list:", 5)) {
				struct list_mark m = { line, NULL };
				q += 5;
				while (q < eol && *q == ' ')
					q++;
				len = (size_t)(eol - q);
				while (len && (q[len - 1] == ' ' || q[len - 1] == '\r'))
					len--;
				m.l = find_list(k->rs, q, len);
				if (!m.l) {
					rules_diag(k->rs, true, k->f, line, (int)(q - hash) + 1,
						   "indicator file names list '%.*s', which no rule file defines", (int)len, q);
					return -EINVAL;
				}
				PUSH(k->marks, k->nmarks, k->cap, m);
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int load_indicator_file(struct ruleset *rs, const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct list_sink k = { .rs = rs };
	struct indicator_set *set;
	const char *dot;
	char buf[65536];
	size_t n;
	int r;

	if (!fp) {
		rules_diag(rs, true, NULL, 0, 0, "cannot read indicator file '%s': %s", path, strerror(errno));
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&text, buf, n);
	fclose(fp);
	k.f = arena_alloc(rs->a, sizeof(*k.f));
	k.f->path = arena_strdup(rs->a, path);
	k.f->len = text.len;
	k.f->text = strbuf_detach(&text, NULL);
	sha256_hex(k.f->text, k.f->len, k.f->sha256);
	rs->files = realloc(rs->files, (rs->nfiles + 1) * sizeof(*rs->files));
	if (!rs->files)
		abort();
	rs->files[rs->nfiles++] = k.f;

	k.base = strrchr(path, '/');
	k.base = k.base ? k.base + 1 : path;
	dot = strrchr(k.base, '.');
	k.blen = dot ? (size_t)(dot - k.base) : strlen(k.base);
	k.named = find_list(rs, k.base, k.blen);
	r = list_marks(&k);
	if (r == 0 && memchr(k.f->text, '\0', k.f->len)) {
		rules_diag(rs, true, k.f, 0, 0, "not a text file of indicators");
		r = -EINVAL;
	}
	if (r == 0) {
		k.feed = indicator_feed_kind(k.f->text, k.f->len) != FEED_LINES;
		set = indicator_set_new_sink(list_entry, &k, true);
		r = indicator_set_add_text(set, path, k.f->text, k.f->len, &err);
		indicator_set_free(set);
		/* list_entry has reported its own errors; the reader's are in err */
		if (r < 0 && err.len)
			rules_diag(rs, true, NULL, 0, 0, "%s", err.buf);
	}
	free(k.marks);
	strbuf_release(&err);
	return r < 0 ? -EINVAL : 0;
}

static bool is_rule_file(const char *name)
{
	size_t len = strlen(name);

	return (len > 5 && !strcmp(name + len - 5, ".yaml")) || (len > 4 && !strcmp(name + len - 4, ".yml"));
}

/* Load every file of a directory that `wanted` accepts, in name order, with `load`; the first
 * error is returned, the others still load. `what` names the directory in a message. */
static int load_dir(struct ruleset *rs, const char *path, const char *what, bool (*wanted)(const char *),
		    int (*load)(struct ruleset *, const char *))
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!dir) {
		rules_diag(rs, true, NULL, 0, 0, "cannot read %s directory '%s': %s", what, path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		char *full;
		if (de->d_name[0] == '.' || !wanted(de->d_name))
			continue;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0)
			abort();
		PUSH(names, n, cap, full);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		int r = load(rs, names[i]);
		if (r < 0 && !rc)
			rc = r;
		free(names[i]);
	}
	free(names);
	return rc;
}

int ruleset_load_indicators(struct ruleset *rs, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		rules_diag(rs, true, NULL, 0, 0, "cannot read indicators '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return load_indicator_file(rs, path);
	return load_dir(rs, path, "indicator", ruleset_is_indicator_file, load_indicator_file);
}

int ruleset_load_path(struct ruleset *rs, const char *path)
{
	struct stat st;
	int rc;

	if (stat(path, &st) < 0) {
		rules_diag(rs, true, NULL, 0, 0, "cannot read rules '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return ruleset_is_indicator_file(path) ? ruleset_load_indicators(rs, path) : ruleset_load_file(rs, path);
	rc = load_dir(rs, path, "rule", is_rule_file, ruleset_load_file);
	/* a rule directory's indicators/ subdirectory: its lists' entries */
	{
		char *ind;
		if (asprintf(&ind, "%s/indicators", path) < 0)
			abort();
		if (stat(ind, &st) == 0 && S_ISDIR(st.st_mode)) {
			int r = ruleset_load_indicators(rs, ind);
			if (r < 0 && !rc)
				rc = r;
		}
		free(ind);
	}
	return rc;
}
