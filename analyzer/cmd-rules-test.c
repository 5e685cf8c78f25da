/* cmd-rules-test: `backsight rules test` — rule fixtures run and diffed, for detection CI.
 *
 * usage: backsight rules test [--rules PATH]... [--keep DIR] [-v] DIR...
 *
 *   -r, --rules PATH   rule files loaded before each case's own (a file or a directory);
 *                      without it and without `rules:` in a case, the shipped rule set
 *       --keep DIR     keep each case's database as DIR/CASE.db (to look at with `timeline`)
 *   -v, --verbose      print every case, not only the failing ones
 *
 * A case is a directory holding `test.yaml`; DIR is a case or a tree of them (walked in name
 * order). test.yaml (every path relative to the case's directory):
 *
 *   description: a shell spawned in a container   # optional; printed with a failure
 *   rules: [my_rules.yaml]       # loaded after --rules, in order (overrides, exceptions ...)
 *   evidence: [events.jsonl]     # imported in order into a fresh case (required)
 *   format: timeline-jsonl       # optional: force the importer (default: detected)
 *   host: web-1                  # optional import options, as `backsight import` has them
 *   date: 2026-11-02
 *   tz: +02:00
 *   indicators: [iocs.txt]       # optional: indicator lists matched as in `detect`
 *   expect:                      # alerts per rule; any rule not named must raise none
 *     Terminal shell in container: 1
 *     Read sensitive file untrusted: 0
 *     Write below etc: [3, 7]      # or the events it fires on (ids from 1, in import order)
 *   others: ignore               # optional: alerts of rules not named are not a failure
 *
 * Each case is imported into a temporary case database, detected over with the rule set, and
 * the alert count of every rule compared with `expect`. A failing case prints one line per
 * difference — "- RULE: expected N alerts, got M" (with the first alert's output when there is
 * one), "- RULE: expected alerts on events [3,7], got [3]", "- RULE: no such rule",
 * "- RULE: expected N alerts, but the rule could not run: REASON", "+ RULE: N unexpected
 * alerts" — and the exit status is 0 when
 * every case passes, 1 when a case fails or could not be run (a bad fixture, rules with
 * errors), 2 on a usage error: fit for a CI step.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cli.h"
#include "detect.h"
#include "import.h"
#include "indicators.h"
#include "rules.h"

static const char usage[] = "usage: backsight rules test [--rules PATH]... [--keep DIR] [-v] DIR...\n";

struct expect {
	char *rule;
	long count;
	char *events; /* the event ids the rule must fire on, "1,4" (NULL: only the count) */
};

struct fixture {
	char *dir;
	char *description;
	char **rules, **evidence, **indicators;
	size_t nrules, nevidence, nindicators;
	char *format, *host, *date, *tz;
	struct expect *expect;
	size_t nexpect;
	bool ignore_others;
};

static void fixture_release(struct fixture *f)
{
	for (size_t i = 0; i < f->nrules; i++)
		free(f->rules[i]);
	for (size_t i = 0; i < f->nevidence; i++)
		free(f->evidence[i]);
	for (size_t i = 0; i < f->nindicators; i++)
		free(f->indicators[i]);
	for (size_t i = 0; i < f->nexpect; i++) {
		free(f->expect[i].rule);
		free(f->expect[i].events);
	}
	free(f->rules);
	free(f->evidence);
	free(f->indicators);
	free(f->expect);
	free(f->description);
	free(f->format);
	free(f->host);
	free(f->date);
	free(f->tz);
	free(f->dir);
	memset(f, 0, sizeof(*f));
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A path of the case: relative ones are taken from the case's directory. */
static char *case_path(const char *dir, const char *p)
{
	struct strbuf sb = STRBUF_INIT;

	if (p[0] == '/')
		strbuf_addstr(&sb, p);
	else
		strbuf_addf(&sb, "%s/%s", dir, p);
	return strbuf_detach(&sb, NULL);
}

/* A scalar or a sequence of scalars, as paths of the case. */
static int path_list(yaml_document_t *d, yaml_node_t *n, const char *dir, const char *key, char ***ret,
		     size_t *ret_n, struct strbuf *err)
{
	if (scalar(n)) {
		*ret = calloc(1, sizeof(**ret));
		if (!*ret)
			abort();
		(*ret)[0] = case_path(dir, scalar(n));
		*ret_n = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		strbuf_addf(err, "'%s' wants a path or a list of paths (line %zu)", key, n->start_mark.line + 1);
		return -EINVAL;
	}
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*ret = calloc(cnt + 1, sizeof(**ret));
	if (!*ret)
		abort();
	for (size_t i = 0; i < cnt; i++) {
		const char *s = scalar(yaml_document_get_node(d, n->data.sequence.items.start[i]));
		if (!s) {
			strbuf_addf(err, "'%s' wants a list of paths (line %zu)", key, n->start_mark.line + 1);
			return -EINVAL;
		}
		(*ret)[(*ret_n)++] = case_path(dir, s);
	}
	return 0;
}

static int parse_count(const char *s, long *ret)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int fixture_load(const char *dir, struct fixture *f, struct strbuf *err)
{
	yaml_parser_t p;
	yaml_document_t d;
	yaml_node_t *root;
	FILE *fp;
	char *path = case_path(dir, "test.yaml");
	int rc = -EINVAL;
	bool have_expect = false;

	memset(f, 0, sizeof(*f));
	f->dir = strdup(dir);
	fp = fopen(path, "rb");
	if (!fp) {
		strbuf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -errno;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, fp);
	if (!yaml_parser_load(&p, &d)) {
		strbuf_addf(err, "%s:%zu:%zu: %s", path, p.problem_mark.line + 1, p.problem_mark.column + 1,
			    p.problem ? p.problem : "not YAML");
		yaml_parser_delete(&p);
		fclose(fp);
		free(path);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&d);
	if (!root || root->type != YAML_MAPPING_NODE) {
		strbuf_addf(err, "%s: not a mapping of test keys", path);
		goto out;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		const char *key = scalar(yaml_document_get_node(&d, pr->key));
		yaml_node_t *v = yaml_document_get_node(&d, pr->value);
		if (!key)
			continue;
		if (!strcmp(key, "description") && scalar(v)) {
			f->description = strdup(scalar(v));
		} else if (!strcmp(key, "rules")) {
			if (path_list(&d, v, dir, key, &f->rules, &f->nrules, err) < 0)
				goto bad;
		} else if (!strcmp(key, "evidence")) {
			if (path_list(&d, v, dir, key, &f->evidence, &f->nevidence, err) < 0)
				goto bad;
		} else if (!strcmp(key, "indicators")) {
			if (path_list(&d, v, dir, key, &f->indicators, &f->nindicators, err) < 0)
				goto bad;
		} else if (!strcmp(key, "format") && scalar(v)) {
			f->format = strdup(scalar(v));
		} else if (!strcmp(key, "host") && scalar(v)) {
			f->host = strdup(scalar(v));
		} else if (!strcmp(key, "date") && scalar(v)) {
			f->date = strdup(scalar(v));
		} else if (!strcmp(key, "tz") && scalar(v)) {
			f->tz = strdup(scalar(v));
		} else if (!strcmp(key, "others") && scalar(v)) {
			if (!strcmp(scalar(v), "ignore"))
				f->ignore_others = true;
			else if (strcmp(scalar(v), "fail")) {
				strbuf_addf(err, "%s:%zu: 'others' is 'fail' or 'ignore', not '%s'", path,
					    v->start_mark.line + 1, scalar(v));
				goto out;
			}
		} else if (!strcmp(key, "expect")) {
			have_expect = true;
			if (v->type == YAML_SCALAR_NODE && !*scalar(v))
				continue; /* `expect:` with nothing: no alert at all */
			if (v->type != YAML_MAPPING_NODE) {
				strbuf_addf(err, "%s:%zu: 'expect' is a mapping of rule name to alert count", path,
					    v->start_mark.line + 1);
				goto out;
			}
			size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
			f->expect = calloc(cnt + 1, sizeof(*f->expect));
			if (!f->expect)
				abort();
			for (yaml_node_pair_t *e = v->data.mapping.pairs.start; e < v->data.mapping.pairs.top; e++) {
				yaml_node_t *kn = yaml_document_get_node(&d, e->key);
				yaml_node_t *vn = yaml_document_get_node(&d, e->value);
				long count = 0;
				struct strbuf ids = STRBUF_INIT;
				bool ok = scalar(kn) != NULL;
				if (ok && vn->type == YAML_SEQUENCE_NODE) {
					/* [1, 4]: the ids of the events (1-based, in import order) it fires on */
					for (yaml_node_item_t *it = vn->data.sequence.items.start;
					     ok && it < vn->data.sequence.items.top; it++) {
						long id;
						ok = parse_count(scalar(yaml_document_get_node(&d, *it)), &id) == 0 && id > 0;
						strbuf_addf(&ids, "%s%ld", count ? "," : "", id);
						count++;
					}
				} else if (ok) {
					ok = parse_count(scalar(vn), &count) == 0;
				}
				if (!ok) {
					strbuf_release(&ids);
					strbuf_addf(err,
						    "%s:%zu: each expectation is RULE: COUNT (a number of alerts) or RULE: "
						    "[EVENT, ...] (the event ids it fires on, from 1)",
						    path, (kn ? kn->start_mark.line : v->start_mark.line) + 1);
					goto out;
				}
				f->expect[f->nexpect].rule = strdup(scalar(kn));
				f->expect[f->nexpect].events = vn->type == YAML_SEQUENCE_NODE ? strbuf_detach(&ids, NULL) : NULL;
				strbuf_release(&ids);
				f->expect[f->nexpect++].count = count;
			}
		} else {
			strbuf_addf(err, "%s:%zu: unknown key '%s'", path, pr->key ? yaml_document_get_node(&d, pr->key)->start_mark.line + 1 : 0, key);
			goto out;
		}
	}
	if (!f->nevidence) {
		strbuf_addf(err, "%s: no 'evidence' to run the rules over", path);
		goto out;
	}
	if (!have_expect) {
		strbuf_addf(err, "%s: no 'expect' (write `expect: {}` for a case that must raise nothing)", path);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	if (!strstr(err->buf, path)) {
		struct strbuf m = STRBUF_INIT;
		strbuf_addf(&m, "%s: %s", path, err->buf);
		strbuf_reset(err);
		strbuf_addstr(err, m.buf);
		strbuf_release(&m);
	}
out:
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	fclose(fp);
	free(path);
	return rc;
}

static int parse_tz(const char *s, int *ret)
{
	int h, m;
	char sign;

	if (!strcmp(s, "UTC") || !strcmp(s, "Z")) {
		*ret = 0;
		return 0;
	}
	if (sscanf(s, "%c%2d:%2d", &sign, &h, &m) != 3 || (sign != '+' && sign != '-') || h > 23 || m > 59 ||
	    strlen(s) != 6)
		return -EINVAL;
	*ret = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

struct run_opts {
	char **rules;
	size_t nrules;
	const char *keep;
	bool verbose;
};

struct tally {
	size_t passed, failed, broken;
};

static void remove_case(const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%s", db, sfx[i]);
		unlink(sb.buf);
	}
	strbuf_release(&sb);
}

/* The first alert of a rule, to show with a count that is off. */
static void first_alert(struct casedb *cdb, int64_t run_id, const char *rule, struct strbuf *out)
{
	sqlite3_stmt *st;
	struct strbuf err = STRBUF_INIT;

	if (casedb_prepare(cdb, "SELECT output FROM alerts WHERE run_id = ?1 AND rule = ?2 ORDER BY ts, id LIMIT 1",
			   &st, &err) == 0) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			strbuf_addstr(out, (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	strbuf_release(&err);
}

/* The event ids a rule fired on, in order: "1,4" (an event twice when two rules of the name did). */
static void alert_events(struct casedb *cdb, int64_t run_id, const char *rule, struct strbuf *out)
{
	sqlite3_stmt *st;
	struct strbuf err = STRBUF_INIT;

	if (casedb_prepare(cdb, "SELECT event_id FROM alerts WHERE run_id = ?1 AND rule = ?2 ORDER BY event_id, id",
			   &st, &err) == 0) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			strbuf_addf(out, "%s%lld", out->len ? "," : "", (long long)sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
	}
	strbuf_release(&err);
}

static uint64_t rule_alerts(struct casedb *cdb, int64_t run_id, const char *rule)
{
	sqlite3_stmt *st;
	struct strbuf err = STRBUF_INIT;
	uint64_t n = 0;

	if (casedb_prepare(cdb, "SELECT count(*) FROM alerts WHERE run_id = ?1 AND rule = ?2", &st, &err) == 0) {
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	strbuf_release(&err);
	return n;
}

/* Indicator hits of a kind the case does not name in `expect`: one line per kind. */
static size_t unexpected_indicators(struct casedb *cdb, int64_t run_id, const struct fixture *f,
				    struct strbuf *report)
{
	sqlite3_stmt *st;
	struct strbuf err = STRBUF_INIT, line = STRBUF_INIT;
	size_t diffs = 0;

	if (casedb_prepare(cdb,
			   "SELECT rule, count(*) FROM alerts WHERE run_id = ?1 AND rule LIKE 'Indicator match: %'"
			   " GROUP BY rule ORDER BY rule",
			   &st, &err) == 0) {
		sqlite3_bind_int64(st, 1, run_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *rule = (const char *)sqlite3_column_text(st, 0);
			uint64_t got = (uint64_t)sqlite3_column_int64(st, 1);
			bool named = false;
			for (size_t e = 0; e < f->nexpect && !named; e++)
				named = !strcmp(f->expect[e].rule, rule);
			if (named)
				continue;
			strbuf_addf(report, "  + %s: %llu unexpected alert%s\n", rule, (unsigned long long)got,
				    got == 1 ? "" : "s");
			strbuf_reset(&line);
			first_alert(cdb, run_id, rule, &line);
			if (line.len)
				strbuf_addf(report, "      first: %s\n", line.buf);
			diffs++;
		}
		sqlite3_finalize(st);
	}
	strbuf_release(&err);
	strbuf_release(&line);
	return diffs;
}

static const char *case_name(const char *dir, const char *top)
{
	size_t n = strlen(top);

	if (!strncmp(dir, top, n) && dir[n] == '/')
		return dir + n + 1;
	return dir;
}

/* Run one case; its report lines are appended to `report`. 1 pass, 0 fail, -1 could not run. */
static int run_case(const struct fixture *f, const struct run_opts *o, const char *name, struct strbuf *report)
{
	struct strbuf err = STRBUF_INIT, db = STRBUF_INIT, line = STRBUF_INIT;
	struct casedb *cdb = NULL;
	struct ruleset *rs = ruleset_new(false);
	struct indicator_set *iocs = NULL;
	struct detect_result res = { 0 };
	struct import_options io = { 0 };
	char tmpl[] = "/tmp/backsight-rules-test.XXXXXX";
	const char *tmpdir = NULL;
	int rc = -1;
	size_t diffs = 0;

	/* the rule set: --rules (or the shipped set when the case names none), then the case's */
	if (o->nrules) {
		for (size_t i = 0; i < o->nrules; i++)
			if (ruleset_load_path(rs, o->rules[i]) < 0)
				strbuf_addf(report, "  cannot read rules '%s'\n", o->rules[i]);
	} else if (!f->nrules && ruleset_load_path(rs, rules_default_dir()) < 0) {
		strbuf_addf(report, "  cannot read the shipped rules '%s'\n", rules_default_dir());
	}
	for (size_t i = 0; i < f->nrules; i++)
		if (ruleset_load_path(rs, f->rules[i]) < 0)
			strbuf_addf(report, "  cannot read rules '%s'\n", f->rules[i]);
	ruleset_compile(rs);
	if (rs->nerrors) {
		for (size_t i = 0; i < rs->ndiags; i++) {
			if (!rs->diags[i].error)
				continue;
			strbuf_addstr(report, "  ");
			rule_diag_format(&rs->diags[i], report);
		}
		strbuf_addf(report, "  the rules have %zu error%s\n", rs->nerrors, rs->nerrors == 1 ? "" : "s");
		goto out;
	}
	if (report->len)
		goto out;
	if (f->nindicators && indicator_set_load(f->indicators, f->nindicators, &iocs, &err) < 0) {
		strbuf_addf(report, "  %s\n", err.buf);
		goto out;
	}

	if (o->keep) {
		const char *s;
		strbuf_addf(&db, "%s/", o->keep);
		for (s = name; *s; s++)
			strbuf_addch(&db, *s == '/' ? '_' : *s);
		strbuf_addstr(&db, ".db");
		remove_case(db.buf);
	} else {
		tmpdir = mkdtemp(tmpl);
		if (!tmpdir) {
			strbuf_addf(report, "  cannot make a temporary directory: %s\n", strerror(errno));
			goto out;
		}
		strbuf_addf(&db, "%s/case.db", tmpdir);
	}
	if (casedb_open(db.buf, CASEDB_WRITE, &cdb, &err) < 0) {
		strbuf_addf(report, "  %s\n", err.buf);
		goto out;
	}
	io.format = f->format;
	io.imp.host = f->host;
	io.imp.date = f->date;
	if (f->tz) {
		if (parse_tz(f->tz, &io.imp.tz_offset_sec) < 0) {
			strbuf_addf(report, "  tz wants +HH:MM, -HH:MM or UTC, not '%s'\n", f->tz);
			goto out;
		}
		io.imp.tz_set = true;
	}
	for (size_t i = 0; i < f->nevidence; i++) {
		struct import_result ir;
		import_result_init(&ir);
		strbuf_reset(&err);
		if (import_file(cdb, f->evidence[i], &io, &ir, &err) < 0) {
			strbuf_addf(report, "  importing '%s': %s\n", f->evidence[i], err.buf);
			import_result_release(&ir);
			goto out;
		}
		if (ir.outcome == IMPORT_FAILED)
			strbuf_addf(report, "  '%s' could not be imported: %s\n", f->evidence[i], ir.message.buf);
		import_result_release(&ir);
	}
	if (report->len)
		goto out;
	strbuf_reset(&err);
	if (detect_run(cdb, rs, "backsight rules test", &res, &err) < 0) {
		strbuf_addf(report, "  detect: %s\n", err.buf);
		goto out;
	}
	if (iocs && (indicator_match(cdb, iocs, res.run_id, NULL, &err) < 0 ||
		     indicator_record_run(cdb, iocs, res.run_id, &err) < 0)) {
		strbuf_addf(report, "  indicators: %s\n", err.buf);
		goto out;
	}

	/* the diff: every expectation, then every other rule that fired */
	for (size_t e = 0; e < f->nexpect; e++) {
		const struct expect *x = &f->expect[e];
		uint64_t got = 0;
		bool found = false;
		const struct rule *cannot = NULL;
		for (size_t i = 0; i < rs->nrules; i++) {
			if (strcmp(rs->rules[i]->name, x->rule))
				continue;
			found = true;
			got += res.rule_alerts[i];
			if (rs->rules[i]->status != RULE_OK)
				cannot = rs->rules[i];
		}
		if (!strncmp(x->rule, INDICATOR_RULE_PREFIX, strlen(INDICATOR_RULE_PREFIX))) {
			found = true;
			got = rule_alerts(cdb, res.run_id, x->rule);
		}
		if (!found) {
			strbuf_addf(report, "  - %s: no such rule\n", x->rule);
			diffs++;
			continue;
		}
		if (cannot && x->count > 0) {
			strbuf_reset(&line);
			detect_coverage(cannot, &res, 0, &line);
			strbuf_addf(report, "  - %s: expected %ld alert%s, but the rule %s\n", x->rule, x->count,
				    x->count == 1 ? "" : "s", line.buf);
			diffs++;
			continue;
		}
		if (x->events) {
			strbuf_reset(&line);
			alert_events(cdb, res.run_id, x->rule, &line);
			if (strcmp(line.buf, x->events)) {
				strbuf_addf(report, "  - %s: expected alerts on events [%s], got [%s]\n", x->rule, x->events,
					    line.buf);
				diffs++;
			}
			continue;
		}
		if ((uint64_t)x->count != got) {
			strbuf_addf(report, "  - %s: expected %ld alert%s, got %llu\n", x->rule, x->count,
				    x->count == 1 ? "" : "s", (unsigned long long)got);
			strbuf_reset(&line);
			first_alert(cdb, res.run_id, x->rule, &line);
			if (line.len)
				strbuf_addf(report, "      first: %s\n", line.buf);
			diffs++;
		}
	}
	if (!f->ignore_others) {
		for (size_t i = 0; i < rs->nrules; i++) {
			bool named = false, earlier = false;
			uint64_t got = 0;
			for (size_t e = 0; e < f->nexpect && !named; e++)
				named = !strcmp(f->expect[e].rule, rs->rules[i]->name);
			for (size_t j = 0; j < i && !earlier; j++)
				earlier = !strcmp(rs->rules[j]->name, rs->rules[i]->name);
			if (named || earlier)
				continue;
			for (size_t j = i; j < rs->nrules; j++)
				if (!strcmp(rs->rules[j]->name, rs->rules[i]->name))
					got += res.rule_alerts[j];
			if (!got)
				continue;
			strbuf_addf(report, "  + %s: %llu unexpected alert%s\n", rs->rules[i]->name,
				    (unsigned long long)got, got == 1 ? "" : "s");
			strbuf_reset(&line);
			first_alert(cdb, res.run_id, rs->rules[i]->name, &line);
			if (line.len)
				strbuf_addf(report, "      first: %s\n", line.buf);
			diffs++;
		}
		if (iocs)
			diffs += unexpected_indicators(cdb, res.run_id, f, report);
	}
	rc = diffs ? 0 : 1;
out:
	detect_result_release(&res);
	casedb_free(cdb);
	if (tmpdir) {
		remove_case(db.buf);
		rmdir(tmpdir);
	}
	indicator_set_free(iocs);
	ruleset_free(rs);
	strbuf_release(&err);
	strbuf_release(&db);
	strbuf_release(&line);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_test_yaml(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	bool r;

	strbuf_addf(&sb, "%s/test.yaml", dir);
	r = access(sb.buf, R_OK) == 0;
	strbuf_release(&sb);
	return r;
}

static void run_tree(const char *dir, const char *top, const struct run_opts *o, struct tally *t, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (has_test_yaml(dir)) {
		struct fixture f;
		struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;
		const char *name = case_name(dir, top);
		int r;
		if (fixture_load(dir, &f, &err) < 0) {
			printf("ERROR %s\n  %s\n", name, err.buf);
			t->broken++;
		} else {
			r = run_case(&f, o, name, &report);
			if (r > 0) {
				t->passed++;
				if (o->verbose)
					printf("PASS %s\n", name);
			} else {
				printf("%s %s%s%s%s\n%s", r == 0 ? "FAIL" : "ERROR", name, f.description ? " (" : "",
				       f.description ? f.description : "", f.description ? ")" : "", report.buf);
				if (r == 0)
					t->failed++;
				else
					t->broken++;
			}
		}
		fixture_release(&f);
		strbuf_release(&err);
		strbuf_release(&report);
		fflush(stdout);
	}
	if (depth > 16 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		struct strbuf sb = STRBUF_INIT;
		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&sb, "%s/%s", dir, de->d_name);
		if (stat(sb.buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
			strbuf_release(&sb);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strbuf_detach(&sb, NULL);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		run_tree(names[i], top, o, t, depth + 1);
		free(names[i]);
	}
	free(names);
}

int rules_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' }, { "keep", required_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { 0 };
	struct tally t = { 0 };
	int c;

	o.rules = calloc((size_t)argc + 1, sizeof(*o.rules));
	if (!o.rules)
		abort();
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.rules[o.nrules++] = optarg; break;
		case 'k': o.keep = optarg; break;
		case 'v': o.verbose = true; break;
		case 'h': fputs(usage, stdout); free(o.rules); return 0;
		default: free(o.rules); return usage_error(usage, "rules test: bad option");
		}
	}
	if (optind >= argc) {
		free(o.rules);
		return usage_error(usage, "rules test: no fixture directory given");
	}
	if (o.keep && mkdir(o.keep, 0777) < 0 && errno != EEXIST) {
		error("rules test: cannot create '%s': %s", o.keep, strerror(errno));
		free(o.rules);
		return EXIT_RUNTIME;
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;
		char *top = strdup(argv[i]);
		size_t len = strlen(top);
		while (len > 1 && top[len - 1] == '/')
			top[--len] = '\0';
		if (stat(top, &st) < 0 || !S_ISDIR(st.st_mode)) {
			error("rules test: '%s' is not a directory of test cases", argv[i]);
			t.broken++;
			free(top);
			continue;
		}
		size_t before = t.passed + t.failed + t.broken;
		run_tree(top, top, &o, &t, 0);
		if (t.passed + t.failed + t.broken == before) {
			error("rules test: no test.yaml under '%s'", argv[i]);
			t.broken++;
		}
		free(top);
	}
	printf("%zu case%s: %zu passed, %zu failed, %zu could not run\n", t.passed + t.failed + t.broken,
	       t.passed + t.failed + t.broken == 1 ? "" : "s", t.passed, t.failed, t.broken);
	free(o.rules);
	return t.failed || t.broken ? EXIT_RUNTIME : 0;
}
