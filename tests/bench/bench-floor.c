/* bench-floor: what SQLite alone can do with a case's own event rows, for reading an import's
 * speed against it.
 *
 * usage: bench-floor CASE.db [SOURCE]
 *
 * Reads the events of CASE.db (of one source if given) into memory, then inserts them into a
 * fresh database's bare copy of the events table through one prepared statement, 65,536 rows per
 * transaction, with the case database's pragmas: no raw records, no redaction, no index, no
 * process rows, no ledger. The rows per CPU-second it prints is an upper bound for any import
 * that stores these rows, on this machine and this SQLite.
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

int main(int argc, char **argv)
{
	const char *scratch = "bench-floor.db";
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *sel = NULL, *ins = NULL;
	sqlite3_value **values = NULL;
	size_t nrows = 0, cap = 0, bytes = 0;
	int ncols;
	char sql[512], *attach;
	double c0, c1;

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
	{
		char *p = sql;
		p += sprintf(p, "INSERT INTO events VALUES (?");
		for (int c = 1; c < ncols; c++)
			p += sprintf(p, ", ?");
		sprintf(p, ")");
	}
	if (sqlite3_prepare_v2(dst, sql, -1, &ins, NULL) != SQLITE_OK)
		return die(dst, "preparing the insert");
	c0 = cpu_seconds();
	sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
	for (size_t r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++)
			sqlite3_bind_value(ins, c + 1, values[r * (size_t)ncols + (size_t)c]);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return die(dst, "inserting");
		sqlite3_reset(ins);
		if (r % 65536 == 65535)
			sqlite3_exec(dst, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
	c1 = cpu_seconds();
	sqlite3_finalize(ins);
	sqlite3_close(dst);
	unlink(scratch);
	printf("rows              %zu (%s%s), %.0f bytes of values each\n", nrows, argc > 2 ? "source " : "all sources",
	       argc > 2 ? argv[2] : "", nrows ? (double)bytes / (double)nrows : 0.0);
	printf("SQLite %s alone: %.2f CPU-s, %.0f rows per CPU-second\n", sqlite3_libversion(), c1 - c0,
	       (double)nrows / (c1 - c0));
	for (size_t i = 0; i < nrows * (size_t)ncols; i++)
		sqlite3_value_free(values[i]);
	free(values);
	sqlite3_close(src);
	return 0;
}
