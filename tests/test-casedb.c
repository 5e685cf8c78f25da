/* test-casedb: creating, opening, versioning and protecting a case database. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "casedb.h"
#include "testutil.h"

Test(casedb, create_then_reopen_at_the_latest_schema)
{
	const char *path = test_file("case.db");
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb;

	cr_assert_eq(casedb_open(path, CASEDB_WRITE, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(casedb_schema_version(cdb), casedb_schema_latest());
	cr_assert_geq(casedb_schema_latest(), 1);
	cr_assert_eq(casedb_count(cdb, "events"), 0);
	casedb_free(cdb);
	cr_assert_eq(casedb_open(path, CASEDB_READ, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(casedb_schema_version(cdb), casedb_schema_latest());
	casedb_free(cdb);
	strbuf_release(&err);
}

Test(casedb, uses_wal_and_marks_itself)
{
	const char *path = test_file("case.db");
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct casedb *cdb;
	sqlite3_stmt *st;

	cr_assert_eq(casedb_open(path, CASEDB_WRITE, &cdb, &err), 0);
	cr_assert_eq(casedb_prepare(cdb, "PRAGMA journal_mode", &st, &err), 0);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	cr_assert_eq(casedb_prepare(cdb, "PRAGMA application_id", &st, &err), 0);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), CASEDB_APPLICATION_ID);
	sqlite3_finalize(st);
	casedb_free(cdb);
	strbuf_release(&err);
	strbuf_release(&out);
}

Test(casedb, refuses_a_database_that_is_not_a_case)
{
	const char *path = test_file("other.db");
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb;
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(casedb_open(path, CASEDB_WRITE, &cdb, &err), -EINVAL);
	cr_assert_not_null(strstr(err.buf, "not a backsight case database"), "%s", err.buf);
	strbuf_release(&err);
}

Test(casedb, refuses_a_newer_schema)
{
	const char *path = test_file("future.db");
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb;

	cr_assert_eq(casedb_open(path, CASEDB_WRITE, &cdb, &err), 0);
	cr_assert_eq(casedb_exec(cdb, "PRAGMA user_version = 999", &err), 0);
	casedb_free(cdb);
	cr_assert_eq(casedb_open(path, CASEDB_WRITE, &cdb, &err), -EPROTO);
	cr_assert_not_null(strstr(err.buf, "schema version 999"), "%s", err.buf);
	strbuf_reset(&err);
	cr_assert_eq(casedb_open(path, CASEDB_READ, &cdb, &err), -EPROTO);
	strbuf_release(&err);
}

Test(casedb, reading_a_missing_case_does_not_create_it)
{
	const char *path = test_file("missing.db");
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb;

	cr_assert_eq(casedb_open(path, CASEDB_READ, &cdb, &err), -ENOENT);
	cr_assert_not_null(strstr(err.buf, "missing.db"));
	cr_assert_eq(access(path, F_OK), -1);
	strbuf_release(&err);
}
