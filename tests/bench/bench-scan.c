/* bench-scan: SQLite alone reading a case the way `backsight detect` does, with no rule evaluated —
 * the ceiling on detect's rate for that case. Used by bench-rules.sh.
 *
 * usage: bench-scan CASE.db [--rules PATH]...
 *   prints "ROWS_VISITED ROWS_RETURNED SCAN_CPU_SECONDS SCAN_WALL_SECONDS"
 *
 * detect (analyzer/detect.c: prepare_scan, want_fn, scan_cols) builds its scan query at run time:
 *
 *   SELECT id, ts, source, type, host, fields, process_id[, TYPED COLUMN]...
 *     FROM events WHERE bs_detect_want(source, type, id)
 *
 * in rowid order, where the typed columns are those of `BS_EVENT_COLUMNS` that some enabled rule
 * binds directly (detect_rule_columns, the function detect itself uses), and
 * bs_detect_want is a C function that counts every row and keeps those of a type some rule of
 * their source can match (the evt.type index after each rule is specialised for the type). This
 * program reproduces that query: it loads and compiles the same rule files only to find the same
 * column set (detect_rule_columns) and the same wanted (source, type) pairs, then times the scan alone,
 * stepping every row and, for every row the filter keeps, reading id, ts, source, type, host,
 * fields (text and length), process_id and every selected typed column. detect reads a typed
 * column of an event only when a rule asks for it, so touching them all is an upper bound of the
 * SQLite work of its scan. The connection is read-only, with detect's mmap_size. Without
 * --rules, every row is kept and every typed column is selected.
 *
 * The times cover prepare and the stepping only (CLOCK_PROCESS_CPUTIME_ID and CLOCK_MONOTONIC),
 * not loading the rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "arena.h"
#include "detect.h"
#include "event.h"
#include "rules.h"
#include "strbuf.h"

#define WANT_CAP 1024 /* (source, type) slots; the upstream rules name ~100 types */

struct want {
	uint64_t visited, kept;
	bool all;                       /* no rules: keep every row */
	bool any[SRC__COUNT];           /* a rule of that source has no evt.type: keep every type */
	int src[WANT_CAP];              /* the wanted (source, type) pairs, open addressing */
	const char *type[WANT_CAP];
};

static uint64_t hash_type(int src, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)src;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void want_add(struct want *w, int src, const char *type)
{
	size_t i = hash_type(src, type) & (WANT_CAP - 1);
	while (w->type[i]) {
		if (w->src[i] == src && !strcmp(w->type[i], type))
			return;
		i = (i + 1) & (WANT_CAP - 1);
	}
	w->src[i] = src;
	w->type[i] = type;
}

static bool want_has(const struct want *w, int src, const char *type)
{
	size_t i = hash_type(src, type) & (WANT_CAP - 1);
	while (w->type[i]) {
		if (w->src[i] == src && !strcmp(w->type[i], type))
			return true;
		i = (i + 1) & (WANT_CAP - 1);
	}
	return false;
}

static void want_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct want *w = sqlite3_user_data(ctx);
	const char *src = (const char *)sqlite3_value_text(argv[0]);
	const char *type = (const char *)sqlite3_value_text(argv[1]);
	int s = src ? bs_source_from_name(src) : -1;
	bool keep;

	(void)argc;
	(void)sqlite3_value_int64(argv[2]);
	w->visited++;
	keep = w->all || (s >= 0 && type && (w->any[s] || want_has(w, s, type)));
	w->kept += keep;
	sqlite3_result_int(ctx, keep);
}

/* The columns and the wanted (source, type) pairs of a compiled rule set, as detect derives them. */
static void from_rules(struct ruleset *rs, struct arena *a, struct want *w, uint64_t *mask)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		if (r->status != RULE_OK || r->source < 0)
			continue;
		*mask |= detect_rule_columns(r);
		if (!r->evttypes) {
			w->any[r->source] = true;
			continue;
		}
		for (size_t k = 0; r->evttypes[k]; k++)
			if (cond_specialize(a, r->tree, r->evttypes[k]) != COND_FALSE)
				want_add(w, r->source, r->evttypes[k]);
	}
}

static double now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct want w;
	struct ruleset *rs = NULL;
	struct arena *a = arena_new();
	struct strbuf sql = STRBUF_INIT;
	const char *path = NULL;
	uint64_t mask = 0, sink = 0;
	int map[COL__COUNT], k = 7, rc;
	sqlite3 *db;
	sqlite3_stmt *st;
	double c0, w0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			if (!rs)
				rs = ruleset_new(false);
			if (ruleset_load_path(rs, argv[++i]) < 0) {
				fprintf(stderr, "bench-scan: cannot load %s\n", argv[i]);
				return 1;
			}
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			fprintf(stderr, "usage: bench-scan CASE.db [--rules PATH]...\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: bench-scan CASE.db [--rules PATH]...\n");
		return 2;
	}
	if (rs) {
		ruleset_compile(rs);
		from_rules(rs, a, &w, &mask);
	} else {
		w.all = true;
		mask = ~0ull;
	}

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-scan: %s: %s\n", path, sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_exec(db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
	sqlite3_create_function_v2(db, "bs_detect_want", 3, SQLITE_UTF8, &w, want_fn, NULL, NULL, NULL);
	strbuf_addstr(&sql, "SELECT id, ts, source, type, host, fields, process_id");
	for (size_t c = 0; c < bs_event_ncolumns; c++) {
		map[c] = -1;
		if (mask & (1ull << c)) {
			strbuf_addf(&sql, ", %s", bs_event_columns[c].name);
			map[c] = k++;
		}
	}
	strbuf_addstr(&sql, " FROM events WHERE bs_detect_want(source, type, id)");
	if (getenv("BENCH_SCAN_SQL"))
		fprintf(stderr, "%s\n", sql.buf);

	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = now(CLOCK_MONOTONIC);
	if (sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-scan: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t;
		sink += (uint64_t)sqlite3_column_int64(st, 0);
		sink += (uint64_t)sqlite3_column_int64(st, 1);
		for (int c = 2; c <= 5; c++)
			if ((t = sqlite3_column_text(st, c)))
				sink += t[0];
		sink += (uint64_t)sqlite3_column_bytes(st, 5);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			sink += (uint64_t)sqlite3_column_int64(st, 6);
		for (size_t c = 0; c < bs_event_ncolumns; c++) {
			if (map[c] < 0)
				continue;
			if (bs_event_columns[c].kind == BS_COLUMN_INT) {
				if (sqlite3_column_type(st, map[c]) != SQLITE_NULL)
					sink += (uint64_t)sqlite3_column_int64(st, map[c]);
			} else if ((t = sqlite3_column_text(st, map[c]))) {
				sink += t[0];
			}
		}
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "bench-scan: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_finalize(st);
	printf("%llu %llu %.3f %.3f\n", (unsigned long long)w.visited, (unsigned long long)w.kept,
	       now(CLOCK_PROCESS_CPUTIME_ID) - c0, now(CLOCK_MONOTONIC) - w0);
	if (getenv("BENCH_SCAN_SQL"))
		fprintf(stderr, "checksum %llu\n", (unsigned long long)sink);
	sqlite3_close(db);
	strbuf_release(&sql);
	ruleset_free(rs);
	arena_free(a);
	return 0;
}
