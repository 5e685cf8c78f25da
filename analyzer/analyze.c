/* analyze: runs bookkeeping and the findings + correlation stage (see analyze.h). */
#include <errno.h>
#include <string.h>

#include "analyze.h"
#include "bstime.h"
#include "config.h"
#include "correlate.h"
#include "jsondump.h"
#include "suppress.h"
#include "yamljson.h"

static void quote_arg(struct strbuf *sb, const char *a)
{
	if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(a)) {
		strbuf_addstr(sb, a);
		return;
	}
	strbuf_addch(sb, '\'');
	for (; *a; a++) {
		if (*a == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *a);
	}
	strbuf_addch(sb, '\'');
}

int analyze_run_begin(struct casedb *cdb, const char *kind, int argc, char **argv, const char *inputs,
		      int64_t *ret_id, struct strbuf *err)
{
	struct strbuf cmd = STRBUF_INIT;
	char now[BS_TIME_MAX_LEN];
	sqlite3_stmt *st;
	int r = 0;

	strbuf_addstr(&cmd, "backsight");
	for (int i = 0; i < argc; i++) {
		strbuf_addch(&cmd, ' ');
		quote_arg(&cmd, argv[i]);
	}
	bs_time_format(bs_time_recorded(), now);
	if (casedb_prepare(cdb,
			   "INSERT INTO runs (kind, tool_version, command_line, inputs, started, status)"
			   " VALUES (?, ?, ?, ?, ?, 'running')",
			   &st, err) < 0) {
		strbuf_release(&cmd);
		return -EIO;
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, BACKSIGHT_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cmd.buf, -1, SQLITE_STATIC);
	if (inputs)
		sqlite3_bind_text(st, 4, inputs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		strbuf_addf(err, "recording the run: %s", sqlite3_errmsg(cdb->db));
		r = -EIO;
	} else {
		*ret_id = sqlite3_last_insert_rowid(cdb->db);
	}
	sqlite3_finalize(st);
	strbuf_release(&cmd);
	return r;
}

int analyze_run_end(struct casedb *cdb, int64_t run_id, const char *status, struct strbuf *err)
{
	char now[BS_TIME_MAX_LEN];
	sqlite3_stmt *st;
	int r = 0;

	bs_time_format(bs_time_recorded(), now);
	if (casedb_prepare(cdb, "UPDATE runs SET finished = ?, status = ? WHERE id = ?", &st, err) < 0)
		return -EIO;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, run_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		strbuf_addf(err, "recording the run: %s", sqlite3_errmsg(cdb->db));
		r = -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

int analyze_case(struct casedb *cdb, const struct finding_options *opts, int argc, char **argv,
		 struct analyze_result *ret, struct strbuf *err)
{
	struct finding_options o = *opts;
	int r;

	memset(ret, 0, sizeof(*ret));
	/* the lineage and correlation lookups need the timeline's indexes (a case whose bulk load
	 * was interrupted, or made by an older build, may lack some) */
	if (casedb_build_event_indexes(cdb, err) < 0)
		return -EIO;
	/* The actor of an event by host and pid, in time: the findings' process lineage walks it when
	 * the evidence has no process tree. Built here, not at import: it is half of a bulk load's
	 * index time and only the analysis reads it. */
	if (casedb_exec(cdb, "CREATE INDEX IF NOT EXISTS events_host_pid ON events (host, pid, ts) WHERE pid IS NOT NULL",
			err) < 0)
		return -EIO;
	if (casedb_exec(cdb, "BEGIN IMMEDIATE", err) < 0)
		return -EIO;
	/* everything a re-run needs (rerun.h) */
	struct strbuf inputs = STRBUF_INIT;
	json_t *in = json_pack("{s:I, s:b}", "window_ns", (json_int_t)o.window_ns, "per_event", o.per_event);
	if (o.hosts)
		json_object_set(in, "case_hosts", (json_t *)o.hosts);
	if (o.suppress)
		json_object_set(in, "suppress", (json_t *)o.suppress);
	jsondump(&inputs, in, 0);
	json_decref(in);
	r = analyze_run_begin(cdb, "analyze", argc, argv, inputs.buf, &o.run_id, err);
	strbuf_release(&inputs);
	if (r < 0)
		goto fail;
	ret->run_id = o.run_id;
	r = finding_aggregate(cdb, &o, err);
	if (r < 0)
		goto fail;
	ret->findings = r;
	r = corr_correlate(cdb, o.run_id, o.hosts, err);
	if (r < 0)
		goto fail;
	ret->correlations = r;
	r = analyze_run_end(cdb, o.run_id, "complete", err);
	if (r < 0)
		goto fail;
	if (casedb_exec(cdb, "COMMIT", err) < 0)
		return -EIO;
	/* in its own transaction: the filters match findings in their GuardDuty shape, which is
	 * read from the committed case */
	return o.suppress ? suppress_apply(cdb, o.suppress, &ret->archived, err) : 0;
fail: {
	struct strbuf ignored = STRBUF_INIT;
	casedb_exec(cdb, "ROLLBACK", &ignored);
	strbuf_release(&ignored);
	return r;
}
}

int analyze_load_case_file(const char *path, json_t **ret_hosts, struct strbuf *err)
{
	json_t *root = NULL, *hosts;
	const char *name;
	json_t *h;
	int r;

	/* YAML, of which JSON is a subset: one loader reads both */
	if ((r = yamljson_load_file(path, &root, err)) < 0)
		return r;
	hosts = json_object_get(root, "hosts");
	if (!json_is_object(hosts)) {
		strbuf_addf(err, "%s: wants an object \"hosts\" naming each host", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(hosts, name, h) {
		json_t *a = json_object_get(h, "addresses");
		if (!json_is_object(h) || (a && !json_is_array(a))) {
			strbuf_addf(err, "%s: host '%s' wants an object with instance_id, task_arn, role, addresses []",
				    path, name);
			json_decref(root);
			return -EINVAL;
		}
	}
	*ret_hosts = json_incref(hosts);
	json_decref(root);
	return 0;
}
