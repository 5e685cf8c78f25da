/* bench-floor: what SQLite alone can do with a case's own event rows, for reading an import's
 * speed against it.
 *
 * usage: bench-floor CASE.db [SOURCE]
 *
 * Reads the events of CASE.db (of one source if given) into memory, then inserts them into a
 * fresh database's bare copy of the events table through one prepared statement (one row per
 * statement, then 16 rows per statement as the loader does), 65,536 rows per transaction, with
 * the case database's pragmas: no raw records, no redaction, no index, no process rows, no
 * ledger. The better rows per CPU-second it prints is an upper bound for any import that stores
 * these rows, on this machine and this SQLite.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench-floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	return 1;
}

/* Insert the rows `per` to a statement into an emptied `events`; the CPU-seconds it took, or -1. */
static double insert_rows(sqlite3 *dst, sqlite3_value **values, size_t nrows, int ncols, int per)
{
	sqlite3_stmt *st[2] = { NULL, NULL }; /* `per` rows, 1 row */
	char *sql = malloc((size_t)per * (size_t)ncols * 3 + 64), *p;
	double c0, c1;
	size_t r = 0;

	if (!sql)
		return die(NULL, "building the insert"), -1;
	for (int k = 0; k < 2; k++) {
		int rows = k ? 1 : per;
		p = sql + sprintf(sql, "INSERT INTO events VALUES ");
		for (int i = 0; i < rows; i++) {
			p += sprintf(p, "%s(?", i ? ", " : "");
			for (int c = 1; c < ncols; c++)
				p += sprintf(p, ",?");
			p += sprintf(p, ")");
		}
		if (sqlite3_prepare_v2(dst, sql, -1, &st[k], NULL) != SQLITE_OK) {
			free(sql);
			return die(dst, "preparing the insert"), -1;
		}
	}
	free(sql);
	sqlite3_exec(dst, "DELETE FROM events", NULL, NULL, NULL);
	c0 = cpu_seconds();
	sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
	while (r < nrows) {
		int rows = nrows - r >= (size_t)per ? per : 1;
		sqlite3_stmt *s = st[rows == per ? 0 : 1];
		for (int i = 0; i < rows * ncols; i++)
			sqlite3_bind_value(s, i + 1, values[r * (size_t)ncols + (size_t)i]);
		if (sqlite3_step(s) != SQLITE_DONE)
			return die(dst, "inserting"), -1;
		sqlite3_reset(s);
		if (r / 65536 != (r + (size_t)rows) / 65536)
			sqlite3_exec(dst, "COMMIT; BEGIN", NULL, NULL, NULL);
		r += (size_t)rows;
	}
	sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
	c1 = cpu_seconds();
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	return c1 - c0;
}

int main(int argc, char **argv)
{
	const char *scratch = "bench-floor.db";
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *sel = NULL;
	sqlite3_value **values = NULL;
	size_t nrows = 0, cap = 0, bytes = 0;
	int ncols;
	char *attach;
	double one, many;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench-floor CASE.db [SOURCE]\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return die(src, argv[1]);
	if (sqlite3_prepare_v2(src, argc > 2 ? "SELECT * FROM events WHERE source = ? ORDER BY id" : "SELECT * FROM events ORDER BY id",
			       -1, &sel, NULL) != SQLITE_OK)
		return die(src, "reading events");
	if (argc > 2)
		sqlite3_bind_text(sel, 1, argv[2], -1, SQLITE_STATIC);
	ncols = sqlite3_column_count(sel);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		if (nrows == cap) {
			cap = cap ? cap * 2 : 65536;
			values = realloc(values, cap * (size_t)ncols * sizeof(*values));
			if (!values)
				return die(NULL, "keeping the rows");
		}
		for (int c = 0; c < ncols; c++) {
			values[nrows * (size_t)ncols + (size_t)c] = sqlite3_value_dup(sqlite3_column_value(sel, c));
			bytes += (size_t)sqlite3_column_bytes(sel, c);
		}
		nrows++;
	}
	sqlite3_finalize(sel);

	unlink(scratch);
	attach = sqlite3_mprintf("ATTACH %Q AS src", argv[1]);
	if (sqlite3_open_v2(scratch, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
			 " PRAGMA wal_autocheckpoint = 16384", NULL, NULL, NULL) ||
	    sqlite3_exec(dst, attach, NULL, NULL, NULL) ||
	    /* the same declared columns, without the case's indexes */
	    sqlite3_exec(dst, "CREATE TABLE events AS SELECT * FROM src.events WHERE 0; DETACH src", NULL, NULL, NULL))
		return die(dst, "making the scratch table");
	sqlite3_free(attach);
	one = insert_rows(dst, values, nrows, ncols, 1);
	many = insert_rows(dst, values, nrows, ncols, 16);
	sqlite3_close(dst);
	unlink(scratch);
	if (one < 0 || many < 0)
		return 1;
	printf("rows              %zu (%s%s), %.0f bytes of values each\n", nrows, argc > 2 ? "source " : "all sources",
	       argc > 2 ? argv[2] : "", nrows ? (double)bytes / (double)nrows : 0.0);
	printf("SQLite %s alone, 1 row a statement:   %.2f CPU-s, %.0f rows per CPU-second\n", sqlite3_libversion(),
	       one, (double)nrows / one);
	printf("SQLite %s alone, 16 rows a statement: %.2f CPU-s, %.0f rows per CPU-second\n", sqlite3_libversion(),
	       many, (double)nrows / many);
	for (size_t i = 0; i < nrows * (size_t)ncols; i++)
		sqlite3_value_free(values[i]);
	free(values);
	sqlite3_close(src);
	return 0;
}
