/* bench-import: the foundation's load path — 1,000,000 synthetic events through the importer
 * interface into a case database (ledger row, prepared inserts, raw records compressed with a
 * trained dictionary, batch commits, indexes built at the end). Prints events/s and peak RSS.
 *
 * usage: bench-import [EVENTS] [CASE.db]
 *
 * The synthetic importer makes syscall-like events whose raw records look like auditd
 * SYSCALL lines (about 290 bytes each) and whose columns vary over 4096 variants, so that
 * compression and row sizes are realistic.
 *
 * It then measures SQLite's own floor on this machine, in the same run: the same rows inserted
 * into a bare table by one prepared statement (no raw records, no redaction, no index, no
 * ledger), and rows of two integers only. The load rate can never beat those.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bstime.h"
#include "casedb.h"
#include "import.h"

/* The importer cycles through VARIANTS pre-formatted events, changing time, pid and offset, so
 * that the benchmark measures the load path rather than snprintf. */
#define VARIANTS 4096

struct variant {
	char raw[400], summary[160], cmdline[128], fdname[64];
	int raw_len;
	unsigned k;
};

struct synth {
	long n, i;
	struct variant v[VARIANTS];
};

static const char *const exes[] = { "/usr/bin/curl", "/bin/sh", "/usr/sbin/nginx", "/usr/bin/python3",
				    "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/id", "/usr/bin/apt-get" };
static const char *const types[] = { "execve", "openat", "connect", "write", "read", "close", "clone", "dup2" };

static long total_events = 1000000;

static int synth_probe(const uint8_t *h, size_t n)
{
	return 0;
}

static int synth_open(struct imp_ctx *ctx, void **ret)
{
	struct synth *s = calloc(1, sizeof(*s));

	s->n = total_events;
	for (long i = 0; i < VARIANTS; i++) {
		struct variant *v = &s->v[i];
		unsigned k = (unsigned)(i * 2654435761u) >> 29;
		const char *name = strrchr(exes[k], '/') + 1;
		v->k = k;
		snprintf(v->cmdline, sizeof(v->cmdline), "%s -s http://10.0.%ld.%ld/item/%ld", name, i % 7, i % 200, i);
		snprintf(v->fdname, sizeof(v->fdname), "/var/www/cache/%ld.tmp", i % 1000);
		snprintf(v->summary, sizeof(v->summary), "%s %s fd=%s", types[k], v->cmdline, v->fdname);
		v->raw_len = snprintf(v->raw, sizeof(v->raw),
				      "type=SYSCALL msg=audit(%ld.%03ld:%ld): arch=c000003e syscall=%u success=yes exit=0 "
				      "a0=3 a1=7ffd2a1c a2=0 a3=0 items=1 ppid=1 pid=%ld auid=4294967295 uid=33 gid=33 "
				      "euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 "
				      "comm=\"%s\" exe=\"%s\" key=(null)",
				      1795317289 + i, i % 1000, i, k, 1000 + i, name, exes[k]);
	}
	*ret = s;
	return 0;
}

static int synth_next(struct imp_ctx *ctx, void *state)
{
	struct synth *s = state;
	const struct variant *v = &s->v[s->i % VARIANTS];
	struct bs_event ev;
	long i = s->i;

	if (s->i >= s->n)
		return 0;
	s->i++;
	bs_event_init(&ev);
	ev.ts = 1795317289000000000LL + i * 1000LL;
	ev.ts_precision = 1000;
	ev.source = SRC_SYSCALL;
	ev.type = types[v->k];
	ev.host = "ip-10-0-1-23";
	ev.pid = 1000 + i % 5000;
	ev.ppid = 1;
	ev.uid = v->k == 2 ? 0 : 33;
	ev.proc_name = strrchr(exes[v->k], '/') + 1;
	ev.exe = exes[v->k];
	ev.cmdline = v->cmdline;
	ev.cwd = "/var/www";
	ev.fd_name = v->fdname;
	ev.result = "0";
	ev.summary = v->summary;
	ev.fields = "{\"evt.arg.flags\":\"O_RDONLY|O_CLOEXEC\",\"fd.typechar\":\"f\"}";
	ev.raw = v->raw;
	ev.raw_len = (size_t)v->raw_len;
	ev.offset = (uint64_t)i * 256;
	return imp_emit(ctx, &ev) < 0 ? -1 : 1;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* The columns the synthetic events fill, as the loader stores them. */
static const char floor_table[] =
	"CREATE TABLE floor (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, ts_precision INTEGER NOT NULL,"
	" source TEXT NOT NULL, type TEXT NOT NULL, host TEXT, summary TEXT NOT NULL, evidence_id INTEGER NOT NULL,"
	" raw_offset INTEGER, raw_length INTEGER, fields TEXT, pid INTEGER, ppid INTEGER, uid INTEGER,"
	" proc_name TEXT, exe TEXT, cmdline TEXT, cwd TEXT, fd_name TEXT, result TEXT)";
static const char floor_insert[] = "INSERT INTO floor VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* One synthetic event's row, bound as the loader would bind it. */
static void bind_floor_row(sqlite3_stmt *st, const struct synth *s, long i)
{
	const struct variant *v = &s->v[i % VARIANTS];

	sqlite3_bind_int64(st, 1, i + 1);
	sqlite3_bind_int64(st, 2, 1795317289000000000LL + i * 1000LL);
	sqlite3_bind_int64(st, 3, 1000);
	bind_str(st, 4, "syscall");
	bind_str(st, 5, types[v->k]);
	bind_str(st, 6, "ip-10-0-1-23");
	bind_str(st, 7, v->summary);
	sqlite3_bind_int64(st, 8, 1);
	sqlite3_bind_int64(st, 9, i * 256);
	sqlite3_bind_int64(st, 10, v->raw_len);
	bind_str(st, 11, "{\"evt.arg.flags\":\"O_RDONLY|O_CLOEXEC\",\"fd.typechar\":\"f\"}");
	sqlite3_bind_int64(st, 12, 1000 + i % 5000);
	sqlite3_bind_int64(st, 13, 1);
	sqlite3_bind_int64(st, 14, v->k == 2 ? 0 : 33);
	bind_str(st, 15, strrchr(exes[v->k], '/') + 1);
	bind_str(st, 16, exes[v->k]);
	bind_str(st, 17, v->cmdline);
	bind_str(st, 18, "/var/www");
	bind_str(st, 19, v->fdname);
	bind_str(st, 20, "0");
}

/*
 * Rows per CPU-second of SQLite alone: n rows through one prepared INSERT, 65,536 rows per
 * transaction, with the case database's pragmas. wide: the synthetic events' 20 columns;
 * otherwise (id, ts).
 */
static double sqlite_floor(const char *path, long n, bool wide)
{
	struct synth *s = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	double c0, c1;

	unlink(path);
	if (wide && synth_open(NULL, (void **)&s) < 0)
		return 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
			 " PRAGMA wal_autocheckpoint = 16384", NULL, NULL, NULL) ||
	    sqlite3_exec(db, wide ? floor_table : "CREATE TABLE floor (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL)",
			 NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, wide ? floor_insert : "INSERT INTO floor VALUES (?, ?)", -1, &st, NULL)) {
		fprintf(stderr, "bench-import: floor: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		free(s);
		return 0;
	}
	c0 = cpu_seconds();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long i = 0; i < n; i++) {
		if (wide) {
			bind_floor_row(st, s, i);
		} else {
			sqlite3_bind_int64(st, 1, i + 1);
			sqlite3_bind_int64(st, 2, 1795317289000000000LL + i * 1000LL);
		}
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % 65536 == 65535)
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	sqlite3_close(db);
	c1 = cpu_seconds();
	free(s);
	unlink(path);
	return (double)n / (c1 - c0);
}

static void synth_close(void *state)
{
	free(state);
}

static const struct importer synthetic = {
	.name = "bench-synthetic",
	.summary = "synthetic events for the load benchmark",
	.version = "1",
	.probe = synth_probe,
	.open = synth_open,
	.next = synth_next,
	.close = synth_close,
};

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "bench-import.db";
	struct import_options opts = { .importer = &synthetic };
	struct import_result res;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb;
	struct rusage ru;
	struct strbuf floor_path = STRBUF_INIT;
	int64_t t0, t1, t2;
	double cpu, floor_wide, floor_narrow;

	if (argc > 1)
		total_events = atol(argv[1]);
	unlink(path);
	t0 = bs_time_now();
	if (casedb_open(path, CASEDB_WRITE, &cdb, &err) < 0 || casedb_drop_event_indexes(cdb, &err) < 0) {
		fprintf(stderr, "bench-import: %s\n", err.buf);
		return 1;
	}
	import_result_init(&res);
	if (import_file(cdb, "/dev/null", &opts, &res, &err) < 0 || res.outcome != IMPORT_COMPLETE) {
		fprintf(stderr, "bench-import: %s%s\n", err.buf, res.message.buf);
		return 1;
	}
	t1 = bs_time_now();
	if (casedb_build_event_indexes(cdb, &err) < 0) {
		fprintf(stderr, "bench-import: %s\n", err.buf);
		return 1;
	}
	casedb_free(cdb);
	t2 = bs_time_now();
	getrusage(RUSAGE_SELF, &ru);
	printf("events            %llu\n", (unsigned long long)res.events);
	printf("load              %.2f s  %.0f events/s\n", (double)(t1 - t0) / 1e9,
	       (double)res.events / ((double)(t1 - t0) / 1e9));
	printf("load + indexes    %.2f s  %.0f events/s\n", (double)(t2 - t0) / 1e9,
	       (double)res.events / ((double)(t2 - t0) / 1e9));
	cpu = cpu_seconds();
	/* CPU time is the fairer figure on a shared machine; it includes the index build */
	printf("CPU (user+sys)    %.2f s  %.0f events per CPU-second\n", cpu, (double)res.events / cpu);
	printf("peak RSS          %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);

	strbuf_addf(&floor_path, "%s.floor", path);
	floor_wide = sqlite_floor(floor_path.buf, total_events, true);
	floor_narrow = sqlite_floor(floor_path.buf, total_events, false);
	printf("SQLite %s alone, same rows:     %.0f rows per CPU-second (the load reaches %.0f%% of it)\n",
	       sqlite3_libversion(), floor_wide, 100.0 * (double)res.events / cpu / floor_wide);
	printf("SQLite %s alone, (id, ts) rows: %.0f rows per CPU-second\n", sqlite3_libversion(), floor_narrow);
	strbuf_release(&floor_path);
	import_result_release(&res);
	strbuf_release(&err);
	return 0;
}
