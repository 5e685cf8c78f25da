/* casedb: opening, migrating and recovering a case database; see casedb.h. */
#include "casedb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bstime.h"
#include "embedded.h"

int casedb_schema_latest(void)
{
	int n = 0;

	while (schema_steps[n].name)
		n++;
	return n;
}

int casedb_exec(struct casedb *cdb, const char *sql, struct strbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(cdb->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		strbuf_addf(err, "%s: %s", cdb->path, msg ? msg : sqlite3_errmsg(cdb->db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int casedb_prepare(struct casedb *cdb, const char *sql, sqlite3_stmt **ret_stmt, struct strbuf *err)
{
	if (sqlite3_prepare_v2(cdb->db, sql, -1, ret_stmt, NULL) != SQLITE_OK) {
		strbuf_addf(err, "%s: %s", cdb->path, sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return 0;
}

int64_t casedb_query_int(struct casedb *cdb, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int casedb_schema_version(struct casedb *cdb)
{
	return (int)casedb_query_int(cdb, "PRAGMA user_version");
}

int64_t casedb_count(struct casedb *cdb, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return casedb_query_int(cdb, sql);
}

static int migrate(struct casedb *cdb, struct strbuf *err)
{
	int version = casedb_schema_version(cdb);
	int latest = casedb_schema_latest();
	char sql[96];

	if (version > latest) {
		strbuf_addf(err, "%s: case database has schema version %d; this backsight knows up to %d (upgrade backsight)",
			    cdb->path, version, latest);
		return -EPROTO;
	}
	for (int v = version; v < latest; v++) {
		if (casedb_exec(cdb, "BEGIN IMMEDIATE", err) < 0)
			return -EIO;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (casedb_exec(cdb, schema_steps[v].text, err) < 0 || casedb_exec(cdb, sql, err) < 0) {
			strbuf_addf(err, " (migrating to schema step %s)", schema_steps[v].name);
			sqlite3_exec(cdb->db, "ROLLBACK", NULL, NULL, NULL);
			return -EIO;
		}
		if (casedb_exec(cdb, "COMMIT", err) < 0)
			return -EIO;
	}
	return 0;
}

/* An import that was killed leaves its ledger row at 'importing': forget everything it wrote. */
static int recover(struct casedb *cdb, struct strbuf *err)
{
	sqlite3_stmt *st;
	int64_t ids[64];
	size_t n = 0;
	int r = 0;

	if (casedb_prepare(cdb, "SELECT id FROM evidence WHERE status = 'importing' LIMIT 64", &st, err) < 0)
		return -EIO;
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!n)
		return 0;
	if (casedb_exec(cdb, "BEGIN IMMEDIATE", err) < 0)
		return -EIO;
	for (size_t i = 0; i < n && r == 0; i++)
		r = casedb_forget_evidence(cdb, ids[i], err);
	if (r < 0) {
		sqlite3_exec(cdb->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	if (casedb_exec(cdb, "COMMIT", err) < 0)
		return -EIO;
	/* Interrupted bulk loads also dropped the timeline indexes. */
	return casedb_build_event_indexes(cdb, err);
}

int casedb_forget_evidence(struct casedb *cdb, int64_t evidence_id, struct strbuf *err)
{
	static const char *const steps[] = {
		"DELETE FROM raw WHERE first_event_id IN (SELECT id FROM events WHERE evidence_id = ?1)",
		"DELETE FROM event_sources WHERE evidence_id = ?1 OR event_id IN (SELECT id FROM events WHERE evidence_id = ?1)",
		"DELETE FROM evidence_documents WHERE evidence_id = ?1",
		"DELETE FROM events WHERE evidence_id = ?1",
		"DELETE FROM processes WHERE evidence_id = ?1",
		"DELETE FROM dicts WHERE evidence_id = ?1",
		"DELETE FROM evidence_issues WHERE evidence_id = ?1",
		"DELETE FROM evidence WHERE id = ?1",
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *st;
		int rc;
		if (casedb_prepare(cdb, steps[i], &st, err) < 0)
			return -EIO;
		sqlite3_bind_int64(st, 1, evidence_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			strbuf_addf(err, "%s: %s", cdb->path, sqlite3_errmsg(cdb->db));
			return -EIO;
		}
	}
	return 0;
}

int casedb_drop_event_indexes(struct casedb *cdb, struct strbuf *err)
{
	static const char *const names[] = { "events_ts", "events_access_key", "processes_host_pid" };
	char sql[96];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s", names[i]);
		if (casedb_exec(cdb, sql, err) < 0)
			return -EIO;
	}
	return 0;
}

int casedb_build_event_indexes(struct casedb *cdb, struct strbuf *err)
{
	return casedb_exec(cdb, schema_indexes[0].text, err);
}

/* bs_time(text) → ns since the epoch (NULL if not a time); dates and zoneless times are UTC. */
static void sql_bs_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	int64_t ns;

	if (s && bs_time_parse(s, (size_t)sqlite3_value_bytes(argv[0]), 1, &ns, NULL) == 0)
		sqlite3_result_int64(ctx, ns);
	else
		sqlite3_result_null(ctx);
}

/* bs_rfc3339(ns) → RFC 3339 UTC text with nanoseconds. */
static void sql_bs_rfc3339(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char out[BS_TIME_MAX_LEN];
	size_t n;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	n = bs_time_format(sqlite3_value_int64(argv[0]), out);
	sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

static int configure(struct casedb *cdb, struct strbuf *err)
{
	int64_t app_id;

	sqlite3_busy_timeout(cdb->db, 10000);
	sqlite3_create_function(cdb->db, "bs_time", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_bs_time, NULL,
				NULL);
	sqlite3_create_function(cdb->db, "bs_rfc3339", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_bs_rfc3339,
				NULL, NULL);
	if (casedb_exec(cdb, "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768; PRAGMA temp_store = FILE", err) < 0)
		return -EIO;
	app_id = casedb_query_int(cdb, "PRAGMA application_id");
	if (app_id != CASEDB_APPLICATION_ID) {
		bool empty = casedb_query_int(cdb, "SELECT count(*) FROM sqlite_master") == 0;
		if (!empty || app_id < 0) {
			strbuf_addf(err, "%s: not a backsight case database", cdb->path);
			return -EINVAL;
		}
		if (!cdb->writable) {
			strbuf_addf(err, "%s: empty database, not a backsight case", cdb->path);
			return -EINVAL;
		}
		if (casedb_exec(cdb, "PRAGMA journal_mode = WAL", err) < 0)
			return -EIO;
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", CASEDB_APPLICATION_ID);
		if (casedb_exec(cdb, sql, err) < 0)
			return -EIO;
	}
	/* Checkpoint every 64 MiB of WAL rather than every 4 MiB: a bulk load syncs 16x less often. */
	if (cdb->writable && casedb_exec(cdb, "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384", err) < 0)
		return -EIO;
	return 0;
}

int casedb_open(const char *path, enum casedb_mode mode, struct casedb **ret_db, struct strbuf *err)
{
	struct casedb *cdb = calloc(1, sizeof(*cdb));
	int flags = mode == CASEDB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct stat stbuf;
	int r;

	if (!cdb)
		return -ENOMEM;
	cdb->path = strdup(path);
	cdb->writable = mode != CASEDB_READ;
	if (mode == CASEDB_READ && stat(path, &stbuf) < 0) {
		r = -errno;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &cdb->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		strbuf_addf(err, "%s: cannot open: %s", path, cdb->db ? sqlite3_errmsg(cdb->db) : "out of memory");
		r = -EIO;
		goto fail;
	}
	r = configure(cdb, err);
	if (r < 0)
		goto fail;
	if (cdb->writable) {
		r = migrate(cdb, err);
		if (r == 0)
			r = recover(cdb, err);
		if (r < 0)
			goto fail;
	} else if (casedb_schema_version(cdb) != casedb_schema_latest()) {
		int v = casedb_schema_version(cdb);
		if (v > casedb_schema_latest()) {
			strbuf_addf(err, "%s: case database has schema version %d; this backsight knows up to %d",
				    path, v, casedb_schema_latest());
			r = -EPROTO;
			goto fail;
		}
		/* An older case is read as it is; writing commands migrate it. */
	}
	*ret_db = cdb;
	return 0;
fail:
	casedb_free(cdb);
	return r;
}

void casedb_free(struct casedb *cdb)
{
	if (!cdb)
		return;
	if (cdb->db) {
		if (cdb->writable)
			sqlite3_exec(cdb->db, "PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_close(cdb->db);
	}
	free(cdb->path);
	free(cdb);
}
