/* cmd-info: `backsight info` — what a case holds: schema version, size against the evidence,
 * time span, events per source, analysis runs, and the evidence ledger.
 *
 * usage: backsight info [-F table|csv|json] CASE.db
 *
 * With -F csv or json only the ledger is printed, for scripts.
 */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "bstime.h"
#include "casedb.h"
#include "cli.h"
#include "progress.h"
#include "resultset.h"
#include "termsafe.h"

static const char usage[] = "usage: backsight info [-F table|csv|json] CASE.db\n";

static const char ledger_sql[] =
	"SELECT id, status, format, events, skipped, size, compression,"
	" bs_rfc3339(first_ts) AS first, bs_rfc3339(last_ts) AS last, sha256, name,"
	" coalesce(status_reason, '') || CASE WHEN assumptions IS NOT NULL THEN ' [assumed: ' || assumptions || ']'"
	" ELSE '' END AS notes"
	" FROM evidence ORDER BY id";

static uint64_t file_size(const char *path, const char *suffix)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	uint64_t n;

	strbuf_addf(&p, "%s%s", path, suffix);
	n = stat(p.buf, &st) == 0 ? (uint64_t)st.st_size : 0;
	strbuf_release(&p);
	return n;
}

static int print_summary(struct casedb *cdb, const char *path)
{
	sqlite3_stmt *st;
	char a[32], b[32], t1[BS_TIME_MAX_LEN], t2[BS_TIME_MAX_LEN];
	uint64_t db_size = file_size(path, "") + file_size(path, "-wal");
	uint64_t evidence_size = 0;
	struct strbuf safe = STRBUF_INIT;

	strbuf_add_termsafe(&safe, path, strlen(path));
	printf("case          %s\nschema        version %d\n", safe.buf, casedb_schema_version(cdb));
	strbuf_release(&safe);
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT coalesce(sum(size), 0), count(*), min(first_ts), max(last_ts) FROM evidence"
			       " WHERE status != 'failed'",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		evidence_size = (uint64_t)sqlite3_column_int64(st, 0);
		format_bytes(db_size, a);
		format_bytes(evidence_size, b);
		printf("size          %s database for %s of evidence in %lld file(s)", a, b,
		       (long long)sqlite3_column_int64(st, 1));
		if (evidence_size)
			printf(" (%.0f%%)", 100.0 * (double)db_size / (double)evidence_size);
		putchar('\n');
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			bs_time_format(sqlite3_column_int64(st, 2), t1);
			bs_time_format(sqlite3_column_int64(st, 3), t2);
			printf("time span     %s .. %s\n", t1, t2);
		}
	}
	sqlite3_finalize(st);
	printf("events        %lld\n", (long long)casedb_count(cdb, "events"));
	if (sqlite3_prepare_v2(cdb->db, "SELECT source, count(*) FROM events GROUP BY source ORDER BY source", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("  %-16s %lld\n", sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	printf("processes     %lld\nalerts        %lld\nfindings      %lld\nruns          %lld\n\nevidence ledger\n",
	       (long long)casedb_count(cdb, "processes"), (long long)casedb_count(cdb, "alerts"),
	       (long long)casedb_count(cdb, "findings"), (long long)casedb_count(cdb, "runs"));
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum resultset_format format = RESULTSET_TABLE;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	sqlite3_stmt *st = NULL;
	int c, rc = EXIT_RUNTIME;

	while ((c = getopt_long(argc, argv, "F:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (resultset_format_parse(optarg, &format) < 0)
				return usage_error(usage, "info: format is table, csv or json, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "info: bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error(usage, "info: need exactly one case database");
	if (casedb_open(argv[optind], CASEDB_READ, &cdb, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	if (format == RESULTSET_TABLE && print_summary(cdb, argv[optind]) < 0)
		goto db_error;
	if (casedb_prepare(cdb, ledger_sql, &st, &err) < 0 || resultset_print(stdout, st, format) < 0)
		goto db_error;
	rc = 0;
	goto out;
db_error:
	error("%s: %s", argv[optind], err.len ? err.buf : sqlite3_errmsg(cdb->db));
out:
	sqlite3_finalize(st);
	casedb_free(cdb);
	strbuf_release(&err);
	return rc;
}
