/* cloudtest: helpers for the cloud importer tests; see cloudtest.h. */
#include "cloudtest.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "rawstore.h"
#include "testutil.h"

const char *cloud_corpus(const char *dir, const char *file)
{
	/* A few buffers in turn, so that several paths can be passed in one call. */
	static char paths[8][4096];
	static unsigned next;
	char *path = paths[next++ % 8];

	snprintf(path, sizeof(paths[0]), "%s/corpus/%s/%s", test_shared_dir(), dir, file);
	return path;
}

char *cloud_import(const char *name, struct strbuf *out, struct strbuf *err, const char *file, ...)
{
	char *db = test_path(name);
	struct strbuf o = STRBUF_INIT, e = STRBUF_INIT;
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;

	/* Through the shell so that any number of files can be passed. */
	strbuf_addf(&cmd, "'%s' import --progress=never '%s'", test_bin(), db);
	va_start(ap, file);
	for (const char *f = file; f; f = va_arg(ap, const char *))
		strbuf_addf(&cmd, " '%s'", f);
	va_end(ap);
	strbuf_addstr(&cmd, " 2>&1");
	test_sh(&o, "%s", cmd.buf);
	if (out)
		strbuf_addstr(out, o.buf);
	if (err)
		strbuf_addstr(err, o.buf);
	strbuf_release(&o);
	strbuf_release(&e);
	strbuf_release(&cmd);
	return db;
}

int64_t cloud_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void cloud_text(const char *db_path, const char *sql, struct strbuf *out)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	bool first_row = true;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!first_row)
			strbuf_addch(out, '\n');
		first_row = false;
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			strbuf_addf(out, "%s%s", i ? "|" : "", t ? t : "NULL");
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

void cloud_raw(const char *db_path, int64_t event_id, struct strbuf *out)
{
	struct casedb *cdb = NULL;
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(casedb_open(db_path, CASEDB_READ, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(raw_read(cdb, event_id, out, &err), 0, "%s", err.buf);
	casedb_free(cdb);
	strbuf_release(&err);
}

static bool is_input(const char *name)
{
	return name[0] != '.' && strcmp(name, "PROVENANCE.md") && !strstr(name, ".oracle.");
}

void cloud_check_corpus(const char *dir, const struct corpus_expect *table, size_t n)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	size_t seen = 0;

	snprintf(path, sizeof(path), "%s/corpus/%s", test_shared_dir(), dir);
	d = opendir(path);
	cr_assert_not_null(d, "%s", path);
	while ((de = readdir(d))) {
		const struct corpus_expect *e = NULL;
		if (!is_input(de->d_name))
			continue;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(table[i].file, de->d_name))
				e = &table[i];
		cr_expect_not_null(e, "corpus file %s/%s has no expectation in the test table", dir, de->d_name);
		if (e)
			seen++;
	}
	closedir(d);
	cr_expect_eq(seen, n, "%zu of %zu table rows found in the corpus", seen, n);
	for (size_t i = 0; i < n; i++) {
		struct strbuf out = STRBUF_INIT, row = STRBUF_INIT, want = STRBUF_INIT;
		char name[64];
		char *db;
		snprintf(name, sizeof(name), "case-%zu.db", i);
		db = cloud_import(name, &out, NULL, cloud_corpus(dir, table[i].file), NULL);
		cloud_text(db, "SELECT events, skipped, status FROM evidence", &row);
		strbuf_addf(&want, "%lld|%lld|%s", (long long)table[i].events, (long long)table[i].skipped, table[i].status);
		cr_expect_str_eq(row.buf, want.buf, "%s: events|skipped|status\n%s", table[i].file, out.buf);
		free(db);
		strbuf_release(&out);
		strbuf_release(&row);
		strbuf_release(&want);
	}
}
