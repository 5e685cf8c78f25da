/* rerun: the recorded analysis runs of a case, made again over another case; see rerun.h. */
#include "rerun.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "bagit.h"
#include "cli.h"
#include "detect.h"
#include "findings.h"
#include "indicators.h"
#include "jsondump.h"

struct recorded_run {
	int64_t id;
	const char *kind, *inputs;
	json_t *in; /* inputs parsed, or NULL */
};

static void problem(struct strbuf *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct strbuf *problems, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(problems, fmt, ap);
	va_end(ap);
	strbuf_addch(problems, '\n');
}

/* The bag's copy of each file of a detect run's inputs[key] ("rules": the rule files in load
 * order; "indicators": the indicator lists), named as package.c names them. */
static int input_copies(const struct recorded_run *run, const char *key, const char *rules_dir, char ***ret_paths,
			const char ***ret_names, size_t *ret_n, struct strbuf *problems)
{
	json_t *rules = json_object_get(run->in, key), *it;
	char **paths = calloc(json_array_size(rules) + 1, sizeof(*paths));
	const char **names = calloc(json_array_size(rules) + 1, sizeof(*names));
	size_t i, n = 0;
	int missing = 0;

	if (!paths || !names) {
		free(paths);
		free(names);
		return -ENOMEM;
	}
	json_array_foreach(rules, i, it) {
		const char *path = json_string_value(json_object_get(it, "path"));
		struct strbuf copy = STRBUF_INIT;
		if (!path)
			continue;
		strbuf_addf(&copy, "%s/run%lld-", rules_dir, (long long)run->id);
		bag_safe_name(&copy, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
		if (access(copy.buf, R_OK) != 0) {
			problem(problems, "run %lld: %s file %s is not in the bag", (long long)run->id, key, path);
			strbuf_release(&copy);
			missing++;
			continue;
		}
		names[n] = path;
		paths[n++] = strbuf_detach(&copy, NULL);
	}
	*ret_paths = paths;
	*ret_names = names;
	*ret_n = n;
	return missing ? -ENOENT : 0;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int rerun_detect(const struct recorded_run *run, struct casedb *to, const char *rules_dir,
			struct strbuf *problems, struct strbuf *err)
{
	struct detect_result res = { 0 };
	struct ruleset *rs = NULL;
	struct indicator_set *iocs = NULL;
	char **paths = NULL, **lists = NULL;
	const char **rule_names = NULL, **list_names = NULL; /* as recorded (borrowed from the run) */
	size_t n = 0, nlists = 0;
	int r, r2;

	r = input_copies(run, "rules", rules_dir, &paths, &rule_names, &n, problems);
	r2 = input_copies(run, "indicators", rules_dir, &lists, &list_names, &nlists, problems);
	if (r == -ENOMEM || r2 == -ENOMEM) {
		r = -ENOMEM;
		goto out;
	}
	if (r < 0 || r2 < 0) {
		strbuf_addf(err, "run %lld cannot be made again without its rule files and indicator lists", (long long)run->id);
		r = -ENOENT;
		goto out;
	}
	if (rules_load_cli(paths, n, false, &rs) < 0)
		problem(problems, "run %lld: the bag's rule files do not load cleanly", (long long)run->id);
	if (nlists && (r = indicator_set_load_as(lists, list_names, nlists, &iocs, err)) < 0)
		goto out;
	r = detect_run(to, rs, "reproduce", &res, err);
	if (r == 0 && iocs)
		r = indicator_match(to, iocs, res.run_id, NULL, err) < 0 ? -EIO : indicator_record_run(to, iocs, res.run_id, err);
out:
	detect_result_release(&res);
	ruleset_free(rs);
	indicator_set_free(iocs);
	free_paths(paths, n);
	free_paths(lists, nlists);
	free(rule_names);
	free(list_names);
	return r;
}

static int rerun_analyze(const struct recorded_run *run, struct casedb *to, struct strbuf *err)
{
	struct finding_options opts;
	struct analyze_result res;
	json_t *window = json_object_get(run->in, "window_ns");
	char *argv[] = { "reproduce", NULL };

	finding_options_init(&opts);
	if (json_is_integer(window))
		opts.window_ns = json_integer_value(window);
	opts.per_event = json_is_true(json_object_get(run->in, "per_event"));
	opts.hosts = json_object_get(run->in, "case_hosts");
	opts.suppress = json_array_size(json_object_get(run->in, "suppress")) ? json_object_get(run->in, "suppress") : NULL;
	return analyze_case(to, &opts, 1, argv, &res, err);
}

/* What a run derived must be what it derived the first time. */
static void compare_derived(const struct recorded_run *run, const char *again, struct strbuf *problems)
{
	static const char *const derived[] = { "coverage", "engine_version" };
	json_t *mine = again ? json_loads(again, 0, NULL) : NULL;

	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		json_t *a = json_object_get(run->in, derived[i]), *b = json_object_get(mine, derived[i]);
		if ((a || b) && !json_equal(a, b))
			problem(problems, "run %lld (%s): the re-run gives a different %s", (long long)run->id, run->kind,
				derived[i]);
	}
	json_decref(mine);
}

static int copy_run_record(struct casedb *from, struct casedb *to, int64_t id, bool insert, struct strbuf *err)
{
	static const char *const columns = "kind, tool_version, command_line, inputs, started, finished, status";
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *src, *dst;
	int r = -EIO;

	if (casedb_prepare(from, "SELECT kind, tool_version, command_line, inputs, started, finished, status"
				 " FROM runs WHERE id = ?", &src, err) < 0)
		return -EIO;
	if (insert)
		strbuf_addf(&sql, "INSERT INTO runs (id, %s) VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7)", columns);
	else
		strbuf_addstr(&sql, "UPDATE runs SET kind = ?1, tool_version = ?2, command_line = ?3, inputs = ?4,"
				    " started = ?5, finished = ?6, status = ?7 WHERE id = ?8");
	if (casedb_prepare(to, sql.buf, &dst, err) < 0) {
		sqlite3_finalize(src);
		strbuf_release(&sql);
		return -EIO;
	}
	sqlite3_bind_int64(src, 1, id);
	if (sqlite3_step(src) == SQLITE_ROW) {
		for (int c = 0; c < 7; c++)
			sqlite3_bind_value(dst, c + 1, sqlite3_column_value(src, c));
		sqlite3_bind_int64(dst, 8, id);
		r = sqlite3_step(dst) == SQLITE_DONE ? 0 : -EIO;
		if (r < 0)
			strbuf_addf(err, "%s: copying run %lld: %s", to->path, (long long)id, sqlite3_errmsg(to->db));
	}
	sqlite3_finalize(src);
	sqlite3_finalize(dst);
	strbuf_release(&sql);
	return r;
}

static char *run_inputs(struct casedb *cdb, int64_t id)
{
	sqlite3_stmt *st;
	char *s = NULL;

	if (sqlite3_prepare_v2(cdb->db, "SELECT inputs FROM runs WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

int rerun_analysis(struct casedb *from, struct casedb *to, const char *rules_dir, struct strbuf *problems,
		   struct strbuf *err)
{
	sqlite3_stmt *st;
	int r = 0, runs = 0;

	if (casedb_query_int(to, "SELECT count(*) FROM runs") != 0) {
		strbuf_addf(err, "%s: already has analysis runs", to->path);
		return -EEXIST;
	}
	if (casedb_prepare(from, "SELECT id, kind, inputs FROM runs ORDER BY id", &st, err) < 0)
		return -EIO;
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct recorded_run run = { .id = sqlite3_column_int64(st, 0),
					    .kind = (const char *)sqlite3_column_text(st, 1),
					    .inputs = (const char *)sqlite3_column_text(st, 2) };
		char *again;
		run.in = run.inputs ? json_loads(run.inputs, 0, NULL) : NULL;
		if (!strcmp(run.kind, "detect"))
			r = rerun_detect(&run, to, rules_dir, problems, err);
		else if (!strcmp(run.kind, "analyze"))
			r = rerun_analyze(&run, to, err);
		else
			r = copy_run_record(from, to, run.id, true, err);
		/* the re-run must have taken the recorded run's id: runs are made again in order */
		if (r >= 0 && casedb_query_int(to, "SELECT max(id) FROM runs") != run.id) {
			strbuf_addf(err, "run %lld: the re-run was not recorded as run %lld", (long long)run.id,
				    (long long)run.id);
			r = -EIO;
		}
		if (r >= 0) {
			again = run_inputs(to, run.id);
			compare_derived(&run, again, problems);
			free(again);
			r = copy_run_record(from, to, run.id, false, err);
			runs++;
		}
		json_decref(run.in);
	}
	sqlite3_finalize(st);
	return r < 0 ? r : runs;
}
