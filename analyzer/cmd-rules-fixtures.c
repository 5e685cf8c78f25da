/* cmd-rules-fixtures: `backsight rules test` given fixture files — run rules over fixture events
 * and check each fires, or does not, as the fixture says: the quick way to test a rule (shipped
 * or your own) before trusting it on a case. (`rules test` given case directories runs whole
 * evidence files instead: cmd-rules-test.c.)
 *
 * usage: backsight rules test [--rules PATH]... [--lists PATH]... FIXTURES...
 *
 * FIXTURES are JSON Lines files (or directories of *.jsonl files), one fixture a line:
 *   {"rule": "NAME", "fires": true|false, <one of>}
 *     "event":     {...}  a timeline event (backsight-timeline(1) jsonl: source, type, the
 *                         typed columns, fields); ts_ns, summary, host default to a fixture's
 *     "cloudtrail": {...} a CloudTrail record (eventTime and eventID default)
 *     "k8s_audit": {...}  a Kubernetes audit event (kind, auditID, stage, times default)
 *     "evidence":  "..."  evidence text in any importable format (strace, auditd ...)
 * Each fixture becomes its own evidence file in a temporary case, imported as `backsight import`
 * would, and the rules (default: the shipped set) run once over all of them. A fixture passes
 * when an alert of its rule comes from its file exactly when "fires" is true. Failures are
 * printed as FILE:LINE; the exit status is 1 when any fixture failed or could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casedb.h"
#include "cli.h"
#include "detect.h"
#include "rules.h"

struct fixture {
	char *where; /* FILE:LINE */
	char *rule;
	bool fires;
	char file[32];
};

static const char usage[] = "usage: backsight rules test [--rules PATH]... [--lists PATH]... FIXTURES...\n";

static void set_default(json_t *o, const char *key, json_t *v)
{
	if (!json_object_get(o, key))
		json_object_set(o, key, v);
	json_decref(v);
}

/* The evidence text of fixture i, and its file name. */
static int fixture_evidence(json_t *fx, size_t i, struct strbuf *text, char name[32], struct strbuf *err)
{
	json_t *ev = json_object_get(fx, "event"), *ct = json_object_get(fx, "cloudtrail"),
	       *ka = json_object_get(fx, "k8s_audit"), *raw = json_object_get(fx, "evidence");
	char buf[64];
	char *dump;

	if (!!ev + !!ct + !!ka + !!raw != 1) {
		strbuf_addstr(err, "wants exactly one of event, cloudtrail, k8s_audit, evidence");
		return -EINVAL;
	}
	if (raw) {
		if (!json_is_string(raw)) {
			strbuf_addstr(err, "evidence must be a string");
			return -EINVAL;
		}
		strbuf_add(text, json_string_value(raw), json_string_length(raw));
		snprintf(name, 32, "fx-%05zu.log", i);
		return 0;
	}
	if (!json_is_object(ev ? ev : ct ? ct : ka)) {
		strbuf_addstr(err, "event, cloudtrail and k8s_audit must be objects");
		return -EINVAL;
	}
	if (ev) {
		ev = json_deep_copy(ev);
		set_default(ev, "ts_ns", json_integer(1700000000000000000LL + (json_int_t)i));
		snprintf(buf, sizeof(buf), "fixture %zu", i);
		set_default(ev, "summary", json_string(buf));
		set_default(ev, "host", json_string("fixture"));
		set_default(ev, "source", json_string("syscall"));
		dump = json_dumps(ev, JSON_COMPACT);
		strbuf_addf(text, "%s\n", dump);
		snprintf(name, 32, "fx-%05zu.jsonl", i);
	} else if (ct) {
		ct = json_deep_copy(ct);
		set_default(ct, "eventVersion", json_string("1.08"));
		set_default(ct, "eventTime", json_string("2023-11-14T22:13:20Z"));
		snprintf(buf, sizeof(buf), "00000000-0000-0000-0000-%012zu", i);
		set_default(ct, "eventID", json_string(buf));
		set_default(ct, "eventType", json_string("AwsApiCall"));
		dump = json_dumps(ct, JSON_COMPACT);
		strbuf_addf(text, "{\"Records\":[%s]}\n", dump);
		ev = ct;
		snprintf(name, 32, "fx-%05zu.json", i);
	} else {
		ka = json_deep_copy(ka);
		set_default(ka, "kind", json_string("Event"));
		set_default(ka, "apiVersion", json_string("audit.k8s.io/v1"));
		set_default(ka, "level", json_string("RequestResponse"));
		snprintf(buf, sizeof(buf), "fixture-%zu", i);
		set_default(ka, "auditID", json_string(buf));
		set_default(ka, "stage", json_string("ResponseComplete"));
		set_default(ka, "requestReceivedTimestamp", json_string("2023-11-14T22:13:20.000000Z"));
		set_default(ka, "stageTimestamp", json_string("2023-11-14T22:13:20.100000Z"));
		dump = json_dumps(ka, JSON_COMPACT);
		strbuf_addf(text, "%s\n", dump);
		ev = ka;
		snprintf(name, 32, "fx-%05zu.jsonl", i);
	}
	free(dump);
	json_decref(ev);
	return 0;
}

static bool write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	bool ok;

	if (!fp)
		return false;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok;
}

/* Read the fixtures of one file into *fx; returns the number of unreadable lines. */
static int read_fixtures(const char *path, const char *dir, struct fixture **fx, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, bad = 0;

	if (!fp) {
		error("rules test: %s: %s", path, strerror(errno));
		return 1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		struct strbuf text = STRBUF_INIT, why = STRBUF_INIT, full = STRBUF_INIT;
		json_error_t jerr;
		json_t *o;
		struct fixture f = { 0 };
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		o = json_loads(line, 0, &jerr);
		if (!json_is_object(o) || !json_is_string(json_object_get(o, "rule")) ||
		    !json_is_boolean(json_object_get(o, "fires"))) {
			error("rules test: %s:%d: not a fixture (an object with rule, fires and an event)%s%s", path, lineno,
			      o ? "" : ": ", o ? "" : jerr.text);
			json_decref(o);
			bad++;
			continue;
		}
		if (fixture_evidence(o, *n, &text, f.file, &why) < 0) {
			error("rules test: %s:%d: %s", path, lineno, why.buf);
			bad++;
		} else {
			strbuf_addf(&full, "%s/%s", dir, f.file);
			if (!write_file(full.buf, text.buf, text.len)) {
				error("rules test: cannot write %s: %s", full.buf, strerror(errno));
				bad++;
			} else {
				if (asprintf(&f.where, "%s:%d", path, lineno) < 0)
					abort();
				f.rule = strdup(json_string_value(json_object_get(o, "rule")));
				f.fires = json_is_true(json_object_get(o, "fires"));
				*fx = realloc(*fx, (*n + 1) * sizeof(**fx));
				if (!*fx || !f.rule)
					abort();
				(*fx)[(*n)++] = f;
			}
		}
		json_decref(o);
		strbuf_release(&text);
		strbuf_release(&why);
		strbuf_release(&full);
	}
	free(line);
	fclose(fp);
	return bad;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every *.jsonl of a directory in name order. */
static int read_fixture_path(const char *path, const char *dir, struct fixture **fx, size_t *n)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t k = 0;
	int bad = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((de = readdir(d))) {
			size_t len = strlen(de->d_name);
			if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".jsonl"))
				continue;
			names = realloc(names, (k + 1) * sizeof(*names));
			if (!names || asprintf(&names[k++], "%s/%s", path, de->d_name) < 0)
				abort();
		}
		closedir(d);
		if (k)
			qsort(names, k, sizeof(*names), cmp_str);
		for (size_t i = 0; i < k; i++) {
			bad += read_fixtures(names[i], dir, fx, n);
			free(names[i]);
		}
		free(names);
		return bad;
	}
	return read_fixtures(path, dir, fx, n);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf p = STRBUF_INIT;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		unlink(p.buf);
	}
	closedir(d);
	rmdir(dir);
	strbuf_release(&p);
}

static bool has_rule(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->name, name))
			return true;
	return false;
}

int rules_test_fixtures(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "lists", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **paths = calloc((size_t)argc + 1, sizeof(*paths)), **ind = calloc((size_t)argc + 1, sizeof(*ind));
	size_t n = 0, nind = 0, nfx = 0, failed = 0;
	struct fixture *fx = NULL;
	struct ruleset *rs = NULL;
	struct casedb *cdb = NULL;
	struct detect_result res = { 0 };
	struct strbuf err = STRBUF_INIT, got = STRBUF_INIT, key = STRBUF_INIT, db = STRBUF_INIT, evdir = STRBUF_INIT;
	char tmpl[4096];
	const char *tmp = getenv("TMPDIR");
	int c, bad = 0, rc = EXIT_RUNTIME;
	sqlite3_stmt *st;

	if (!paths || !ind)
		abort();
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': paths[n++] = optarg; break;
		case 'l': ind[nind++] = optarg; break;
		case 'h': fputs(usage, stdout); free(paths); free(ind); return 0;
		default: free(paths); free(ind); return usage_error(usage, "rules test: bad option");
		}
	}
	if (optind >= argc) {
		free(paths);
		free(ind);
		return usage_error(usage, "rules test: no fixture file given");
	}
	snprintf(tmpl, sizeof(tmpl), "%s/backsight-rules-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		error("rules test: cannot create a temporary directory: %s", strerror(errno));
		free(paths);
		free(ind);
		return EXIT_RUNTIME;
	}
	strbuf_addf(&evdir, "%s/evidence", tmpl);
	strbuf_addf(&db, "%s/case.db", tmpl);
	if (mkdir(evdir.buf, 0700) < 0) {
		error("rules test: cannot create %s: %s", evdir.buf, strerror(errno));
		goto out;
	}
	for (int i = optind; i < argc; i++)
		bad += read_fixture_path(argv[i], evdir.buf, &fx, &nfx);
	if (!nfx) {
		error("rules test: no fixtures read");
		goto out;
	}

	/* the rules, then the case */
	if (!n)
		paths[n++] = (char *)rules_default_dir();
	if (rules_load_cli_indicators(paths, n, ind, nind, false, &rs) < 0 && rs->nerrors) {
		error("rules test: the rules have errors");
		goto out;
	}
	{
		char *iargv[] = { "import", "-q", "--progress=never", db.buf, evdir.buf, NULL };
		optind = 0;
		if (cmd_import(5, iargv) == EXIT_USAGE)
			goto out;
	}
	if (casedb_open(db.buf, CASEDB_WRITE, &cdb, &err) < 0 || detect_run(cdb, rs, "backsight rules test", &res, &err) < 0) {
		error("rules test: %s", err.buf);
		goto out;
	}
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT ev.name, a.rule FROM alerts a JOIN events e ON e.id = a.event_id"
			       " JOIN evidence ev ON ev.id = e.evidence_id",
			       -1, &st, NULL) != SQLITE_OK) {
		error("rules test: %s", sqlite3_errmsg(cdb->db));
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0), *slash = name ? strrchr(name, '/') : NULL;
		strbuf_addf(&got, "\n%s\t%s\n", slash ? slash + 1 : name ? name : "", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);

	for (size_t i = 0; i < nfx; i++) {
		bool fired;
		if (!has_rule(rs, fx[i].rule)) {
			printf("FAIL %s: no rule named '%s'\n", fx[i].where, fx[i].rule);
			failed++;
			continue;
		}
		strbuf_reset(&key);
		strbuf_addf(&key, "\n%s\t%s\n", fx[i].file, fx[i].rule);
		fired = strstr(got.buf, key.buf) != NULL;
		if (fired != fx[i].fires) {
			printf("FAIL %s: rule '%s' %s\n", fx[i].where, fx[i].rule,
			       fired ? "fired on a near miss" : "did not fire on its fixture");
			failed++;
		}
	}
	printf("%zu fixtures: %zu passed, %zu failed%s\n", nfx, nfx - failed, failed,
	       bad ? "; some lines could not be read" : "");
	rc = failed || bad ? EXIT_RUNTIME : 0;
out:
	detect_result_release(&res);
	casedb_free(cdb);
	ruleset_free(rs);
	remove_dir(evdir.buf);
	remove_dir(tmpl);
	for (size_t i = 0; i < nfx; i++) {
		free(fx[i].where);
		free(fx[i].rule);
	}
	free(fx);
	free(paths);
	free(ind);
	strbuf_release(&err);
	strbuf_release(&got);
	strbuf_release(&key);
	strbuf_release(&db);
	strbuf_release(&evdir);
	return rc;
}

/* A directory holds fixtures when it has *.jsonl files of its own (case directories hold a
 * test.yaml and evidence instead). */
static bool dir_has_fixtures(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		found = n > 6 && !strcmp(e->d_name + n - 6, ".jsonl");
	}
	if (d)
		closedir(d);
	return found;
}

bool rules_test_wants_fixtures(int argc, char **argv)
{
	struct stat st;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") || !strcmp(argv[i], "-r") || !strcmp(argv[i], "--lists") ||
		    !strcmp(argv[i], "--keep")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' || stat(argv[i], &st) != 0)
			continue;
		if (S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && dir_has_fixtures(argv[i])))
			return true;
	}
	return false;
}
