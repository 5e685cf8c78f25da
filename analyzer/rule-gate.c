/* rule-gate: first-seen, baseline and workload-address conditions on rules, decided over the
 * whole case (see rule-gate.h; the GuardDuty types they approximate: reference/guardduty.md §2b).
 *
 * What the gate remembers is kept in string maps: the combinations each first_seen rule has
 * seen, the first time each principal appears in each source (one query, the first time a rule
 * needs it), the egress address of each role session (corr_session_egress, once per session);
 * the hosts' own addresses are read once.
 */
#include "rule-gate.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "event.h"

/* ---- a string map (open addressing; keys owned) ---- */

struct strmap {
	char **keys;
	int64_t *vals;
	char **strs; /* an optional string value per key (owned) */
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t map_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)hash_str(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static const int64_t *map_get(const struct strmap *m, const char *key, const char **ret_str)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = map_slot(m, key);
	if (!m->keys[i])
		return NULL;
	if (ret_str)
		*ret_str = m->strs[i];
	return &m->vals[i];
}

static void map_put(struct strmap *m, const char *key, int64_t val, const char *str)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct strmap bigger = { 0 };
		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = calloc(bigger.cap, sizeof(*bigger.vals));
		bigger.strs = calloc(bigger.cap, sizeof(*bigger.strs));
		if (!bigger.keys || !bigger.vals || !bigger.strs)
			abort();
		for (size_t k = 0; k < m->cap; k++) {
			if (!m->keys[k])
				continue;
			size_t j = map_slot(&bigger, m->keys[k]);
			bigger.keys[j] = m->keys[k];
			bigger.vals[j] = m->vals[k];
			bigger.strs[j] = m->strs[k];
		}
		bigger.n = m->n;
		free(m->keys);
		free(m->vals);
		free(m->strs);
		*m = bigger;
	}
	i = map_slot(m, key);
	if (m->keys[i]) {
		m->vals[i] = val;
		return;
	}
	m->keys[i] = strdup(key);
	m->vals[i] = val;
	m->strs[i] = str ? strdup(str) : NULL;
	if (!m->keys[i] || (str && !m->strs[i]))
		abort();
	m->n++;
}

static void map_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->keys[i]);
		free(m->strs[i]);
	}
	free(m->keys);
	free(m->vals);
	free(m->strs);
	memset(m, 0, sizeof(*m));
}

/* ---- the gate ---- */

struct gate_rule {
	char **keys; /* first_seen's output fields */
	bool *product; /* per key: only its first word (FIELD@product) */
	size_t nkeys;
	bool baseline, outside;
};

struct rule_gate {
	struct casedb *cdb;
	struct gate_rule *rules; /* per rule of the set */
	size_t nrules;
	sqlite3_stmt *event;     /* source, principal, src_ip of an event */
	struct strmap seen;      /* "rule\x1fvalue\x1f..." of first_seen rules */
	struct strmap first;     /* "source\x1fprincipal" -> first ts */
	bool first_loaded;
	struct strmap session;   /* principal -> its workload's egress address (corr_session_egress) */
	struct strmap host_addrs; /* the hosts' own addresses */
	bool hosts_loaded;
};

static int parse_tag(struct gate_rule *gr, const char *tag, const struct rule *r, struct strbuf *err)
{
	if (!strncmp(tag, "first_seen:", 11)) {
		const char *p = tag + 11;
		while (*p) {
			const char *plus = strchr(p, '+');
			size_t n = plus ? (size_t)(plus - p) : strlen(p);
			if (!n) {
				strbuf_addf(err, "rule '%s': tag '%s': an empty field name", r->name, tag);
				return -EINVAL;
			}
			bool product = n > 8 && !memcmp(p + n - 8, "@product", 8);
			gr->keys = realloc(gr->keys, (gr->nkeys + 1) * sizeof(*gr->keys));
			gr->product = realloc(gr->product, (gr->nkeys + 1) * sizeof(*gr->product));
			if (!gr->keys || !gr->product || !(gr->keys[gr->nkeys] = strndup(p, product ? n - 8 : n)))
				abort();
			gr->product[gr->nkeys] = product;
			gr->nkeys++;
			p += n + (plus ? 1 : 0);
		}
		if (!gr->nkeys) {
			strbuf_addf(err, "rule '%s': tag '%s' names no field", r->name, tag);
			return -EINVAL;
		}
	} else if (!strcmp(tag, "baseline:principal")) {
		gr->baseline = true;
	} else if (!strncmp(tag, "baseline:", 9)) {
		strbuf_addf(err, "rule '%s': tag '%s': the baseline can only be 'principal'", r->name, tag);
		return -EINVAL;
	} else if (!strcmp(tag, "outside_workload")) {
		gr->outside = true;
	}
	return 0;
}

static void gate_rule_release(struct gate_rule *gr)
{
	for (size_t k = 0; k < gr->nkeys; k++)
		free(gr->keys[k]);
	free(gr->keys);
	free(gr->product);
	memset(gr, 0, sizeof(*gr));
}

/* The rule's gate tags into gr; 0 or -EINVAL with the reason in err. */
static int parse_tags(struct gate_rule *gr, const struct rule *r, struct strbuf *err)
{
	for (size_t t = 0; t < r->ntags; t++)
		if (parse_tag(gr, r->tags[t], r, err) < 0)
			return -EINVAL;
	if (gr->baseline && !gr->nkeys) {
		strbuf_addf(err, "rule '%s': baseline:principal goes with a first_seen tag", r->name);
		return -EINVAL;
	}
	return 0;
}

static bool output_prints(const struct rule *r, const char *field)
{
	size_t n = strlen(field);

	for (size_t i = 0; i < r->nout; i++)
		if (r->out[i].has_field && r->out[i].key_len == n && !memcmp(r->out[i].key, field, n))
			return true;
	return false;
}

int rule_gate_check(const struct rule *r, struct strbuf *err)
{
	struct gate_rule gr = { 0 };
	int rc = parse_tags(&gr, r, err);

	for (size_t k = 0; rc == 0 && k < gr.nkeys; k++) {
		if (!output_prints(r, gr.keys[k])) {
			strbuf_addf(err, "rule '%s': first_seen field '%s' is not printed by the rule's output (add %%%s to it)",
				    r->name, gr.keys[k], gr.keys[k]);
			rc = -EINVAL;
		}
	}
	gate_rule_release(&gr);
	return rc;
}

int rule_gate_new(struct casedb *cdb, const struct ruleset *rs, struct rule_gate **ret, struct strbuf *err)
{
	struct rule_gate *g = NULL;
	bool any = false;

	*ret = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		abort();
	g->cdb = cdb;
	g->nrules = rs->nrules;
	g->rules = calloc(rs->nrules + 1, sizeof(*g->rules));
	if (!g->rules)
		abort();
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (r->status == RULE_ERROR)
			continue; /* never runs; a bad tag is one of the reasons (rule_gate_check) */
		if (parse_tags(&g->rules[i], r, err) < 0) {
			rule_gate_free(g);
			return -EINVAL;
		}
		any |= g->rules[i].nkeys || g->rules[i].outside;
	}
	if (!any) {
		rule_gate_free(g);
		return 0;
	}
	if (casedb_prepare(cdb, "SELECT source, principal, src_ip FROM events WHERE id = ?", &g->event, err) < 0) {
		rule_gate_free(g);
		return -EIO;
	}
	*ret = g;
	return 0;
}

void rule_gate_reset(struct rule_gate *g)
{
	if (g)
		map_release(&g->seen);
}

void rule_gate_free(struct rule_gate *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nrules; i++)
		gate_rule_release(&g->rules[i]);
	free(g->rules);
	sqlite3_finalize(g->event);
	map_release(&g->seen);
	map_release(&g->first);
	map_release(&g->session);
	map_release(&g->host_addrs);
	free(g);
}

/* Each (source, principal)'s first time in the case. */
static void load_first(struct rule_gate *g)
{
	sqlite3_stmt *st;
	struct strbuf k = STRBUF_INIT;

	g->first_loaded = true;
	if (sqlite3_prepare_v2(g->cdb->db,
			       "SELECT source, principal, min(ts) FROM events WHERE principal IS NOT NULL"
			       " AND principal != '' GROUP BY source, principal",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		strbuf_reset(&k);
		strbuf_addf(&k, "%s\x1f%s", (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1));
		map_put(&g->first, k.buf, sqlite3_column_int64(st, 2), NULL);
	}
	sqlite3_finalize(st);
	strbuf_release(&k);
}

/* The hosts' own addresses: the local side of outbound connections in syscall evidence, and the
 * clients of the instance metadata and ECS credential endpoints in network evidence. */
static void load_hosts(struct rule_gate *g)
{
	sqlite3_stmt *st;

	g->hosts_loaded = true;
	if (sqlite3_prepare_v2(g->cdb->db,
			       "SELECT DISTINCT src_ip FROM events WHERE src_ip IS NOT NULL AND src_ip != ''"
			       " AND ((source = 'syscall' AND type = 'connect')"
			       "  OR (source = 'network' AND dst_ip IN ('169.254.169.254', '169.254.170.2')))",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		map_put(&g->host_addrs, (const char *)sqlite3_column_text(st, 0), 1, NULL);
	sqlite3_finalize(st);
}

static bool outside_workload(struct rule_gate *g, const char *principal, const char *ip)
{
	const char *egress = NULL;

	if (!ip || !*ip || corr_address_is_internal(ip))
		return false;
	if (!g->hosts_loaded)
		load_hosts(g);
	if (map_get(&g->host_addrs, ip, NULL))
		return false;
	if (!principal || !*principal)
		return false; /* no session to have a baseline of */
	if (!map_get(&g->session, principal, &egress)) {
		struct strbuf sb = STRBUF_INIT;
		corr_session_egress(g->cdb, principal, &sb);
		map_put(&g->session, principal, 0, sb.len ? sb.buf : NULL);
		strbuf_release(&sb);
		map_get(&g->session, principal, &egress);
	}
	return !(egress && !strcmp(egress, ip));
}

/* The event's source, principal and source address (valid until the next fetch). */
static bool fetch(struct rule_gate *g, int64_t event_id, const char **source, const char **principal, const char **ip)
{
	sqlite3_reset(g->event);
	sqlite3_bind_int64(g->event, 1, event_id);
	if (sqlite3_step(g->event) != SQLITE_ROW)
		return false;
	*source = (const char *)sqlite3_column_text(g->event, 0);
	*principal = (const char *)sqlite3_column_text(g->event, 1);
	*ip = (const char *)sqlite3_column_text(g->event, 2);
	return true;
}

/* The first_seen combination of an alert ("rule\x1fvalue..."), or false when a value is missing. */
static bool combination(const struct gate_rule *gr, size_t rule_index, const char *ofields, size_t len,
			struct strbuf *key)
{
	json_t *o = json_loadb(ofields ? ofields : "{}", ofields ? len : 2, 0, NULL);
	bool ok = true;

	strbuf_addf(key, "%zu", rule_index);
	for (size_t k = 0; k < gr->nkeys && ok; k++) {
		json_t *v = json_object_get(o, gr->keys[k]);
		const char *s = json_string_value(v);
		char num[32];
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			s = num;
		} else if (json_is_boolean(v)) {
			s = json_is_true(v) ? "true" : "false";
		}
		if (!s || !*s)
			ok = false; /* nothing to call first */
		else if (gr->product[k])
			strbuf_addf(key, "\x1f%.*s", (int)strcspn(s, " \t"), s);
		else
			strbuf_addf(key, "\x1f%s", s);
	}
	json_decref(o);
	return ok;
}

bool rule_gate_admit(struct rule_gate *g, size_t rule_index, int64_t event_id, int64_t ts, const char *ofields,
		     size_t ofields_len)
{
	const struct gate_rule *gr;
	const char *source = NULL, *principal = NULL, *ip = NULL;
	struct strbuf key = STRBUF_INIT, pk = STRBUF_INIT;
	bool ok = true;

	if (!g || rule_index >= g->nrules)
		return true;
	gr = &g->rules[rule_index];
	if (!gr->nkeys && !gr->outside)
		return true;
	/* the cheap test first: a combination seen before decides without reading the event */
	if (gr->nkeys) {
		ok = combination(gr, rule_index, ofields, ofields_len, &key) && !map_get(&g->seen, key.buf, NULL);
		if (!ok)
			goto out;
	}
	if (gr->outside || gr->baseline) {
		if (!fetch(g, event_id, &source, &principal, &ip)) {
			ok = false;
			goto out;
		}
	}
	if (gr->outside && !outside_workload(g, principal, ip)) {
		ok = false;
		goto out;
	}
	if (gr->nkeys) {
		map_put(&g->seen, key.buf, ts, NULL);
		if (gr->baseline) {
			const int64_t *first;
			if (!g->first_loaded)
				load_first(g);
			strbuf_addf(&pk, "%s\x1f%s", source ? source : "", principal ? principal : "");
			first = principal ? map_get(&g->first, pk.buf, NULL) : NULL;
			ok = first && *first < ts;
		}
	}
out:
	strbuf_release(&key);
	strbuf_release(&pk);
	return ok;
}
