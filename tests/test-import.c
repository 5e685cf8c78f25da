/* test-import: the import driver and the ledger — idempotence, compression, damage, crashes. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "sha256.h"
#include "testutil.h"

/* A backsight timeline of n events, one second apart from `start` (s since the epoch). */
static void write_timeline(const char *path, long n, long start, const char *host)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	for (long i = 0; i < n; i++)
		fprintf(f,
			"{\"ts_ns\":%ld000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\","
			"\"host\":\"%s\",\"summary\":\"execve /usr/bin/id (pid %ld)\",\"pid\":%ld,\"exe\":\"/usr/bin/id\","
			"\"fields\":{\"evt.arg.flags\":\"%ld\"}}\n",
			start + i, host, 1000 + i, 1000 + i, i % 7);
	fclose(f);
}

static int64_t query_int(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void query_text(const char *db_path, const char *sql, struct strbuf *out)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			strbuf_addf(out, "%s%s", i ? "|" : "", t ? t : "NULL");
		}
		strbuf_addch(out, '\n');
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * A digest of everything in a case: the schema and every row of every table, except the wall
 * clock times of the import itself, which differ between any two runs, and the rows of the
 * custody log, which records every command run on the case (a no-op or re-run import included).
 */
static void db_digest(const char *db_path, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;

	sha256_init(&ctx);
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
					-1, &tables, NULL),
		     SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		const char *sql = (const char *)sqlite3_column_text(tables, 1);
		char q[256];
		sha256_update(&ctx, sql ? sql : "", sql ? strlen(sql) : 0);
		if (!sql || strncmp(sql, "CREATE TABLE", 12) || !strcmp(name, "custody"))
			continue;
		snprintf(q, sizeof(q), "SELECT * FROM \"%s\" ORDER BY 1, 2", name);
		cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &rows, NULL), SQLITE_OK);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(rows); i++) {
				const char *col = sqlite3_column_name(rows, i);
				if (!strcmp(col, "import_started") || !strcmp(col, "import_finished"))
					continue;
				char tag = (char)('0' + sqlite3_column_type(rows, i));
				sha256_update(&ctx, &tag, 1);
				sha256_update(&ctx, sqlite3_column_blob(rows, i), (size_t)sqlite3_column_bytes(rows, i));
			}
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	sha256_final_hex(&ctx, hex);
}

Test(import, a_file_already_in_the_ledger_changes_nothing)
{
	const char *tl = test_file("a.jsonl"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char before[SHA256_HEX_LEN + 1], after[SHA256_HEX_LEN + 1];

	write_timeline(tl, 1000, 1700000000, "web-1");
	cr_assert_eq(test_run(&out, &err, "import", "--progress=never", db, tl, NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "timeline-jsonl, 1000 events, 0 skipped"), "%s", out.buf);
	db_digest(db, before);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "import", db, tl, NULL), 0);
	cr_assert_not_null(strstr(out.buf, "already imported as evidence 1, nothing changed"), "%s", out.buf);
	db_digest(db, after);
	cr_assert_str_eq(before, after);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM events"), 1000);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(import, ledger_records_hashes_sizes_span_and_status)
{
	const char *tl = test_file("a.jsonl"), *db = test_file("case.db");
	struct strbuf file = STRBUF_INIT, row = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	char want[SHA256_HEX_LEN + 1];

	write_timeline(tl, 50, 1700000000, "web-1");
	cr_assert(test_read_file(tl, &file));
	sha256_hex(file.buf, file.len, want);
	cr_assert_eq(test_run(&out, &err, "import", db, tl, NULL), 0, "%s", err.buf);
	query_text(db,
		   "SELECT sha256, size, compression, format, importer_version, first_ts, last_ts, events, skipped,"
		   " status FROM evidence",
		   &row);
	strbuf_addf(&out, "%s|%zu|none|timeline-jsonl|1|1700000000000000000|1700000049000000000|50|0|complete\n", want,
		    file.len);
	cr_assert_str_eq(row.buf, out.buf + strlen(out.buf) - row.len);
	strbuf_release(&file);
	strbuf_release(&row);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(import, gzip_and_zstd_evidence_is_read_and_both_hashes_kept)
{
	const char *tl = test_file("a.jsonl"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, row = STRBUF_INIT;

	write_timeline(tl, 300, 1700000000, "web-1");
	cr_assert_eq(test_sh(NULL, "gzip -c '%s' > '%s.gz' && zstd -q -c '%s' > '%s.zst'", tl, tl, tl, tl), 0);
	const char *gz = test_file("a.jsonl.gz"), *zs = test_file("a.jsonl.zst");
	cr_assert_eq(test_run(&out, &err, "import", db, gz, NULL), 0, "%s", err.buf);
	query_text(db, "SELECT compression, stream_sha256 IS NOT NULL, stream_size, events FROM evidence", &row);
	struct strbuf file = STRBUF_INIT;
	cr_assert(test_read_file(tl, &file));
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "gzip|1|%zu|300\n", file.len);
	cr_assert_str_eq(row.buf, want.buf);
	/* The same content in another wrapping is the same evidence. */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "import", db, zs, tl, NULL), 0, "%s", err.buf);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM events"), 300, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "already imported"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&row);
	strbuf_release(&file);
	strbuf_release(&want);
}

Test(import, unknown_format_fails_that_file_and_the_others_import)
{
	const char *tl = test_file("good.jsonl"), *junk = test_file("junk.bin"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, row = STRBUF_INIT;

	write_timeline(tl, 10, 1700000000, "web-1");
	cr_assert(test_write_file(junk, "\x00\x01garbage", 9));
	cr_assert_eq(test_run(&out, &err, "import", db, junk, tl, NULL), 1);
	cr_assert_not_null(strstr(err.buf, "junk.bin: unknown evidence format"), "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "10 events"), "%s", out.buf);
	query_text(db, "SELECT status FROM evidence ORDER BY id", &row);
	cr_assert_str_eq(row.buf, "failed\ncomplete\n");
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&row);
}

/* A directory handed over with notes and a script: its .backsightignore keeps them out. */
Test(import, a_directory_skips_what_its_backsightignore_names)
{
	const char *dir = test_file("handed-over"), *db = test_file("ignore.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT, row = STRBUF_INIT;

	cr_assert_eq(test_sh(NULL, "mkdir -p '%s/notes'", dir), 0);
	strbuf_addf(&path, "%s/web.jsonl", dir);
	write_timeline(path.buf, 5, 1700000000, "web-1");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/README.md", dir);
	cr_assert(test_write_file(path.buf, "# what the client sent\n", 23));
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/notes/call.txt", dir);
	cr_assert(test_write_file(path.buf, "phone notes\n", 12));
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.backsightignore", dir);
	cr_assert(test_write_file(path.buf, "# not evidence\n*.md\nnotes\n", 26));
	cr_assert_eq(test_run(&out, &err, "import", db, dir, NULL), 0, "%s", err.buf);
	cr_expect_eq(err.len, 0, "%s", err.buf);
	query_text(db, "SELECT name FROM evidence", &row);
	cr_expect_not_null(strstr(row.buf, "web.jsonl"), "%s", row.buf);
	cr_expect_eq(query_int(db, "SELECT count(*) FROM evidence"), 1);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&row);
}

Test(import, damaged_records_are_skipped_with_their_offsets)
{
	static const char text[] =
		"{\"ts_ns\":1,\"source\":\"network\",\"type\":\"dns\",\"summary\":\"a\"}\n"
		"{\"ts_ns\":2,\"source\":\"network\",\"type\":\"dns\",\"summary\":\n"
		"{\"ts_ns\":3,\"source\":\"network\",\"type\":\"dns\",\"summary\":\"c\"}\n"
		"[1,2]\n"
		"{\"ts_ns\":5,\"source\":\"network\",\"type\":\"dns\",\"summary\":\"e\"}\n";
	const char *tl = test_file("damaged.jsonl"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, row = STRBUF_INIT;

	cr_assert(test_write_file(tl, text, sizeof(text) - 1));
	cr_assert_eq(test_run(&out, &err, "import", db, tl, NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "3 events, 2 skipped"), "%s", out.buf);
	query_text(db, "SELECT offset, severity, message FROM evidence_issues ORDER BY offset", &row);
	struct strbuf want = STRBUF_INIT;
	const char *line2 = strchr(text, '\n') + 1, *line4 = strstr(text, "[1,2]");
	strbuf_addf(&want, "%td|skipped|line 2, column 53: unexpected token near end of file\n"
			   "%td|skipped|line 4: not a JSON object\n",
		    strchr(line2, '\n') - text, line4 - text);
	cr_assert_str_eq(row.buf, want.buf, "the offset of a JSON error is where the parser stopped");
	strbuf_release(&want);
	strbuf_reset(&row);
	query_text(db, "SELECT group_concat(summary, '') FROM events", &row);
	cr_assert_str_eq(row.buf, "ace\n");
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&row);
}

Test(import, a_file_cut_mid_record_is_partial)
{
	static const char text[] = "{\"ts_ns\":1,\"source\":\"network\",\"type\":\"dns\",\"summary\":\"a\"}\n"
				   "{\"ts_ns\":2,\"source\":\"network\",\"type\":\"d";
	const char *tl = test_file("cut.jsonl"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, row = STRBUF_INIT;

	cr_assert(test_write_file(tl, text, sizeof(text) - 1));
	cr_assert_eq(test_run(&out, &err, "import", db, tl, NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(err.buf, "marked partial"), "%s", err.buf);
	query_text(db, "SELECT status, status_offset, events FROM evidence", &row);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "partial|%td|1\n", strchr(text, '\n') + 1 - text);
	cr_assert_str_eq(row.buf, want.buf, "the cut is reported where the cut record begins");
	strbuf_release(&want);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&row);
}

Test(import, directories_recurse_in_name_order_and_stdin_works)
{
	const char *dir = test_file("evidence"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, row = STRBUF_INIT;
	const char *b, *a, *c;

	cr_assert_eq(test_sh(NULL, "mkdir -p '%s/sub'", dir), 0);
	b = test_file("evidence/b.jsonl");
	a = test_file("evidence/sub/a.jsonl");
	c = test_file("c.jsonl");
	write_timeline(b, 2, 1700000000, "b");
	write_timeline(a, 3, 1700000100, "a");
	write_timeline(c, 4, 1700000200, "c");
	cr_assert_eq(test_run(&out, &err, "import", db, dir, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_sh(&out, "'%s' import '%s' - < '%s'", test_bin(), db, c), 0);
	query_text(db, "SELECT name, events FROM evidence ORDER BY id", &row);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s|2\n%s|3\n(stdin)|4\n", b, a);
	cr_assert_str_eq(row.buf, want.buf);
	strbuf_release(&want);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&row);
}

/*
 * kill -9 in the middle of an import, then the same command again: the case must be exactly
 * what one clean run makes. The kill is sent once a batch of the import has been committed, so
 * the crash really leaves rows behind for the recovery to remove.
 */
Test(import, kill_9_mid_import_then_rerun_equals_a_clean_run, .timeout = 600)
{
	const char *tl = test_file("big.jsonl"), *small = test_file("small.jsonl");
	const char *clean = test_file("clean.db"), *crashed = test_file("crashed.db");
	char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	bool caught = false;

	write_timeline(small, 100, 1600000000, "db-1");
	write_timeline(tl, 450000, 1700000000, "web-1");
	cr_assert_eq(test_run(&out, &err, "import", clean, small, tl, NULL), 0, "%s", err.buf);
	db_digest(clean, want);

	for (int attempt = 0; attempt < 5 && !caught; attempt++) {
		pid_t pid;
		unlink(crashed);
		cr_assert_eq(test_run(&out, &err, "import", crashed, small, NULL), 0);
		pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
			execl(test_bin(), test_bin(), "import", crashed, small, tl, (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 6000; i++) {
			int status;
			struct timespec ms = { 0, 10 * 1000000 };
			if (waitpid(pid, &status, WNOHANG) == pid)
				break; /* finished before we could catch it: try again */
			if (query_int(crashed, "SELECT count(*) FROM events e JOIN evidence v ON v.id = e.evidence_id"
					       " WHERE v.status = 'importing'") > 0) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				caught = true;
				break;
			}
			nanosleep(&ms, NULL);
		}
	}
	cr_assert(caught, "could not kill the import while it was writing");
	cr_assert_gt(query_int(crashed, "SELECT count(*) FROM evidence WHERE status = 'importing'"), 0);
	cr_assert_eq(test_run(&out, &err, "import", crashed, small, tl, NULL), 0, "%s", err.buf);
	db_digest(crashed, got);
	cr_assert_str_eq(got, want, "the recovered case differs from a clean import");
	strbuf_release(&out);
	strbuf_release(&err);
}
