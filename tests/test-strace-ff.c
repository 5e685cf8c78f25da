/* test-strace-ff: the per-process files of one `strace -ff` run become one process tree.
 *
 * Checked against: the tracecode -ff pair in shared/corpus/strace (make, pid 2453402, whose
 * vfork() = 2453403 is the other file's /bin/bash -c mkdir), a run traced here with the
 * installed `strace -ff` (a shell, a pipeline with a subshell), and synthetic files for the
 * cases a real run rarely shows at once: a child that never execs, a grandchild, files imported
 * one by one in reverse order, and two runs in one case reusing a pid. What is asserted is what
 * a user reads in the case: each process's parent row and ppid, and one row per process.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* `sqlite3 DB SQL` output, or skip when the shell is missing. */
static void query(const char *db, const char *sql, struct strbuf *out)
{
	strbuf_reset(out);
	if (test_sh(out, "sqlite3 '%s' \"%s\"", db, sql) != 0)
		cr_skip_test("the sqlite3 shell is not installed");
}

/* child pid|its exe|parent pid|ppid, one line per process, ordered by pid; roots say "-" */
#define TREE_SQL                                                                                   \
	"SELECT c.pid, coalesce(c.exe, '?'), coalesce(p.pid, '-'), coalesce(c.ppid, '-') FROM processes c" \
	" LEFT JOIN processes p ON c.parent_id = p.id ORDER BY c.pid, c.start_ts"

static void write_in(const char *dir, const char *name, const char *text)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert(test_write_file(path, text, strlen(text)), "%s", path);
}

/* A run: 100 (sh) clones 101 (never execs) and vforks 102 (execs sh), which clones 103 (cat). */
static void write_run(const char *dir, const char *prefix, int base, const char *hhmm)
{
	char name[256], text[2048];

	mkdir(dir, 0700);
	snprintf(name, sizeof(name), "%s.%d", prefix, base);
	snprintf(text, sizeof(text),
		 "%s:00.000001 execve(\"/bin/sh\", [\"sh\", \"run.sh\"], 0x7ffd /* 9 vars */) = 0\n"
		 "%s:00.000100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		 "child_tidptr=0x7f) = %d\n"
		 "%s:00.000300 vfork() = %d\n"
		 "%s:00.000900 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = %d\n"
		 "%s:00.001000 exit_group(0) = ?\n"
		 "%s:00.001001 +++ exited with 0 +++\n",
		 hhmm, hhmm, base + 1, hhmm, base + 2, hhmm, base + 2, hhmm, hhmm);
	write_in(dir, name, text);
	snprintf(name, sizeof(name), "%s.%d", prefix, base + 1);
	snprintf(text, sizeof(text),
		 "%s:00.000150 openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT, 0644) = 3\n"
		 "%s:00.000160 exit_group(0) = ?\n"
		 "%s:00.000161 +++ exited with 0 +++\n",
		 hhmm, hhmm, hhmm);
	write_in(dir, name, text);
	snprintf(name, sizeof(name), "%s.%d", prefix, base + 2);
	snprintf(text, sizeof(text),
		 "%s:00.000350 execve(\"/bin/sh\", [\"sh\", \"-c\", \"cat /etc/hostname\"], 0x55 /* 9 vars */) = 0\n"
		 "%s:00.000400 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		 "child_tidptr=0x7f) = %d\n"
		 "%s:00.000800 exit_group(0) = ?\n"
		 "%s:00.000801 +++ exited with 0 +++\n",
		 hhmm, hhmm, base + 3, hhmm, hhmm);
	write_in(dir, name, text);
	snprintf(name, sizeof(name), "%s.%d", prefix, base + 3);
	snprintf(text, sizeof(text),
		 "%s:00.000450 execve(\"/usr/bin/cat\", [\"cat\", \"/etc/hostname\"], 0x55 /* 9 vars */) = 0\n"
		 "%s:00.000700 exit_group(0) = ?\n"
		 "%s:00.000701 +++ exited with 0 +++\n",
		 hhmm, hhmm, hhmm);
	write_in(dir, name, text);
}

/* the tree of write_run(…, 100, …), as TREE_SQL prints it */
static const char run_tree[] = "100|/bin/sh|-|-\n"
			       "101|/bin/sh|100|100\n"
			       "102|/bin/sh|100|100\n"
			       "103|/usr/bin/cat|102|102\n";

Test(strace_ff, a_directory_of_one_run_is_one_tree)
{
	char *dir = test_path("ff-run"), *db = test_path("ff-run.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	int rc;

	write_run(dir, "trace", 100, "10:00");
	rc = test_run(&out, &err, "import", "--date", "2026-11-02", db, dir, NULL);
	cr_assert_eq(rc, 0, "%s", err.buf);
	cr_expect(strstr(out.buf, "linked 3 processes of strace -ff files"), "%s", out.buf);
	query(db, TREE_SQL, &q);
	cr_expect_str_eq(q.buf, run_tree);
	/* the child that never exec'd is still the shell it was forked from, started at the clone */
	query(db, "SELECT name, args, start_ts - (SELECT min(ts) FROM events) FROM processes WHERE pid = 101", &q);
	cr_expect_str_eq(q.buf, "sh|[\"sh\",\"run.sh\"]|99000\n");
	/* its file's events belong to that row */
	query(db, "SELECT count(*) FROM events e JOIN processes p ON e.process_id = p.id WHERE p.pid = 101", &q);
	cr_expect_str_eq(q.buf, "3\n");
	free(dir);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

Test(strace_ff, files_imported_one_by_one_in_any_order)
{
	static const char *const order[] = { "trace.103", "trace.101", "trace.100", "trace.102" };
	char *dir = test_path("ff-order"), *db = test_path("ff-order.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	char path[4096];

	write_run(dir, "trace", 100, "10:00");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, order[i]);
		cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
	}
	query(db, TREE_SQL, &q);
	cr_expect_str_eq(q.buf, run_tree);
	free(dir);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* Runs in one case, the same pids an hour apart: each child finds its own run's parent. */
Test(strace_ff, pid_reuse_across_runs_is_told_apart_by_time)
{
	char *a = test_path("ff-a"), *b = test_path("ff-b"), *db = test_path("ff-reuse.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	write_run(a, "t", 100, "10:00");
	write_run(b, "t", 100, "11:00");
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, b, a, NULL), 0, "%s", err.buf);
	query(db,
	      "SELECT c.pid, p.pid FROM processes c JOIN processes p"
	      " ON c.parent_id = p.id JOIN evidence ec ON ec.id = c.evidence_id JOIN evidence ep ON ep.id = p.evidence_id"
	      " WHERE substr(ec.name, 1, length(ec.name) - 4) = substr(ep.name, 1, length(ep.name) - 4)"
	      " ORDER BY c.start_ts",
	      &q);
	cr_expect_str_eq(q.buf, "101|100\n102|100\n103|102\n101|100\n102|100\n103|102\n");
	query(db, "SELECT count(*), count(parent_id) FROM processes", &q);
	cr_expect_str_eq(q.buf, "8|6\n");

	/* a third run without its first file: its orphans are not hung under the 11:00 run's shell,
	 * which ended an hour before; its own grandchild still finds its parent */
	{
		char *c = test_path("ff-c"), *first = test_path("ff-c/t.100");
		write_run(c, "t", 100, "12:00");
		unlink(first);
		cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, c, NULL), 0, "%s", err.buf);
		query(db, "SELECT count(*), count(parent_id) FROM processes", &q);
		cr_expect_str_eq(q.buf, "11|7\n");
		free(c);
		free(first);
	}
	free(a);
	free(b);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* The corpus pair: the files were renamed (…ff-parent.2453402.txt, …ff-child.2453403.txt),
 * the pids are still their last numeric components. */
Test(strace_ff, corpus_parent_and_child_files)
{
	char parent[4096], child[4096];
	char *db = test_path("ff-corpus.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	REQUIRE_SHARED();
	snprintf(parent, sizeof(parent), "%s/corpus/strace/tracecode__ff-parent.2453402.txt", test_shared_dir());
	snprintf(child, sizeof(child), "%s/corpus/strace/tracecode__ff-child.2453403.txt", test_shared_dir());
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, child, parent, NULL), 0, "%s", err.buf);
	query(db, TREE_SQL, &q);
	cr_expect_str_eq(q.buf, "2453402|/usr/bin/make|-|-\n2453403|/bin/mkdir|2453402|2453402\n");
	/* the child started at the parent's vfork(), 1389171522.392584 */
	query(db, "SELECT start_ts FROM processes WHERE pid = 2453403", &q);
	cr_expect_str_eq(q.buf, "1389171522392584000\n");
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* A run traced here: sh runs ls, then a pipeline whose left side is a subshell running cat. */
Test(strace_ff, real_strace_ff_run)
{
	char *dir = test_path("ff-real"), *db = test_path("ff-real.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	int status;

	if (test_sh(&out, "command -v strace >/dev/null 2>&1") != 0)
		cr_skip_test("strace is not installed: real-trace test skipped");
	mkdir(dir, 0700);
	status = test_sh(&out,
			 "strace -ff -tt -yy -s 256 -o '%s/run' sh -c 'ls / >/dev/null; (cat /etc/hostname; /bin/true) | wc -l' 2>&1",
			 dir);
	if (status != 0)
		cr_skip_test("strace could not trace here (ptrace not permitted?): %s", out.buf);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, dir, NULL), 0, "%s", err.buf);
	/* one row per file, one root (the shell), every other process under it */
	query(db, "SELECT (SELECT count(*) FROM evidence), count(*), count(*) - count(parent_id) FROM processes", &q);
	status = atoi(q.buf);
	cr_expect_geq(status, 4, "%s", q.buf);
	{
		char want[64];
		snprintf(want, sizeof(want), "%d|%d|1\n", status, status);
		cr_expect_str_eq(q.buf, want);
	}
	query(db,
	      "SELECT c.name, p.name FROM processes c JOIN processes p ON c.parent_id = p.id"
	      " WHERE c.name IN ('ls', 'cat', 'wc', 'true') ORDER BY c.name",
	      &q);
	cr_expect_str_eq(q.buf, "cat|true\nls|sh\ntrue|sh\nwc|sh\n");
	/* cat's parent is the subshell (later /bin/true), whose parent is the first shell */
	query(db,
	      "SELECT g.pid = r.pid FROM processes c JOIN processes p ON c.parent_id = p.id JOIN processes g"
	      " ON p.parent_id = g.id, (SELECT pid FROM processes WHERE parent_id IS NULL) r WHERE c.name = 'cat'",
	      &q);
	cr_expect_str_eq(q.buf, "1\n");
	free(dir);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* Without --date, -t/-tt times take the day the file was last written (strace's last line),
 * and the day before for a trace whose first time is later in the day than that. */
Test(strace_ff, without_date_the_file_date_is_the_assumption)
{
	static const struct {
		const char *name, *text;
		int64_t mtime;          /* seconds */
		const char *want_ts;    /* min(ts), max(ts) */
		const char *want_date;  /* in the assumption */
	} cases[] = {
		{ "same-day.trace", "10:00:00.000001 getpid() = 1\n10:00:01.000000 getpid() = 1\n",
		  1772625600 /* 2026-03-04T12:00:00Z */, "1772618400000001000|1772618401000000000\n", "dated 2026-03-04 from" },
		{ "over-midnight.trace", "23:59:59.500000 getpid() = 1\n00:00:01.000000 getpid() = 1\n",
		  1772582402 /* 2026-03-04T00:00:02Z */, "1772582399500000000|1772582401000000000\n", "dated 2026-03-03 from" },
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = test_path(cases[i].name), *db = test_path("ff-date.db");
		struct timespec ts[2] = { { .tv_sec = cases[i].mtime }, { .tv_sec = cases[i].mtime } };
		cr_assert(test_write_file(path, cases[i].text, strlen(cases[i].text)));
		cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
		unlink(db);
		cr_assert_eq(test_run(&out, &err, "import", "-q", db, path, NULL), 0, "%s", err.buf);
		query(db, "SELECT min(ts), max(ts) FROM events", &q);
		cr_expect_str_eq(q.buf, cases[i].want_ts, "%s", cases[i].name);
		query(db, "SELECT assumptions FROM evidence", &q);
		cr_expect(strstr(q.buf, cases[i].want_date), "%s: %s", cases[i].name, q.buf);
		free(path);
		free(db);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* ---- threads: a CLONE_THREAD child's file joins its thread group's process ---- */

/* 200 (prog) makes thread 201, which makes thread 202 and forks 203 (cat). */
static void write_threads(const char *dir)
{
	mkdir(dir, 0700);
	write_in(dir, "t.200",
		 "10:00:00.000001 execve(\"/usr/bin/prog\", [\"prog\", \"-x\"], 0x7ffd /* 9 vars */) = 0\n"
		 "10:00:00.000100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
		 "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, "
		 "stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[201]}, 88) = 201\n"
		 "10:00:00.000900 exit_group(0) = ?\n"
		 "10:00:00.000901 +++ exited with 0 +++\n");
	write_in(dir, "t.201",
		 "10:00:00.000150 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n"
		 "10:00:00.000200 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
		 "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[202], tls=0x7f, "
		 "child_tidptr=0x7f) = 202\n"
		 "10:00:00.000300 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		 "child_tidptr=0x7f) = 203\n"
		 "10:00:00.000800 exit(0) = ?\n"
		 "10:00:00.000801 +++ exited with 0 +++\n");
	write_in(dir, "t.202",
		 "10:00:00.000250 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"10.0.0.9\")}, 16) = 0\n"
		 "10:00:00.000700 exit(0) = ?\n"
		 "10:00:00.000701 +++ exited with 0 +++\n");
	write_in(dir, "t.203",
		 "10:00:00.000350 execve(\"/usr/bin/cat\", [\"cat\", \"/etc/hosts\"], 0x55 /* 9 vars */) = 0\n"
		 "10:00:00.000600 exit_group(0) = ?\n"
		 "10:00:00.000601 +++ exited with 0 +++\n");
}

Test(strace_ff, thread_files_join_their_process_in_any_import_order)
{
	static const char *const orders[][4] = {
		{ "t.200", "t.201", "t.202", "t.203" },
		{ "t.203", "t.202", "t.201", "t.200" },
		{ "t.202", "t.200", "t.203", "t.201" },
		{ NULL }, /* the directory in one command */
	};
	char *dir = test_path("ff-threads");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	char path[4096];

	write_threads(dir);
	for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		char name[64];
		char *db;
		snprintf(name, sizeof(name), "ff-threads-%zu.db", k);
		db = test_path(name);
		if (!orders[k][0]) {
			cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, dir, NULL), 0, "%s", err.buf);
		}
		for (size_t i = 0; orders[k][0] && i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, orders[k][i]);
			cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
		}
		/* two processes: prog, and cat forked by its thread 201; no row for a thread */
		query(db, TREE_SQL, &q);
		cr_expect_str_eq(q.buf, "200|/usr/bin/prog|-|-\n203|/usr/bin/cat|200|200\n", "order %zu", k);
		/* what the threads did: the process's pid and row, the thread's own tid */
		query(db,
		      "SELECT e.type, e.pid, e.tid, p.pid, p.name, e.summary FROM events e JOIN processes p"
		      " ON p.id = e.process_id WHERE e.type IN ('openat', 'connect', 'clone') ORDER BY e.ts",
		      &q);
		cr_expect_str_eq(q.buf,
				 "openat|200|201|200|prog|openat /etc/hosts (prog pid 200)\n"
				 "clone|200|201|200|prog|clone child 202 (prog pid 200)\n"
				 "connect|200|202|200|prog|connect 10.0.0.9:443 (prog pid 200)\n"
				 "clone|200|201|200|prog|clone child 203 (prog pid 200)\n",
				 "order %zu", k);
		/* every event is in the tree: none is left with the thread's own pid */
		query(db, "SELECT count(*) FROM events WHERE pid IN (201, 202) OR process_id IS NULL"
			  " OR process_id NOT IN (SELECT id FROM processes)", &q);
		cr_expect_str_eq(q.buf, "0\n", "order %zu", k);
		free(db);
	}
	free(dir);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* A thread file whose process's file is missing stays a root of its own; a later import of
 * that file joins it. */
Test(strace_ff, thread_file_waits_for_its_process_file)
{
	char *dir = test_path("ff-threads-late"), *db = test_path("ff-threads-late.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	char path[4096];

	write_threads(dir);
	snprintf(path, sizeof(path), "%s/t.201", dir);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
	snprintf(path, sizeof(path), "%s/t.203", dir);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
	query(db, TREE_SQL, &q);
	cr_expect_str_eq(q.buf, "201|?|-|-\n203|/usr/bin/cat|201|201\n");
	snprintf(path, sizeof(path), "%s/t.200", dir);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
	query(db, TREE_SQL, &q);
	cr_expect_str_eq(q.buf, "200|/usr/bin/prog|-|-\n203|/usr/bin/cat|200|200\n");
	query(db, "SELECT DISTINCT pid, tid FROM events WHERE tid != 203 ORDER BY tid", &q);
	cr_expect_str_eq(q.buf, "200|200\n200|201\n");
	free(dir);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* A multithreaded program built and traced here: two threads open /dev/null, then the main
 * thread forks /bin/true. */
Test(strace_ff, real_strace_ff_threads)
{
	static const char prog[] =
		"#include <pthread.h>\n#include <fcntl.h>\n#include <unistd.h>\n"
		"static void *worker(void *arg) { int fd = open(\"/dev/null\", O_WRONLY); (void)arg;\n"
		"  if (fd >= 0) { if (write(fd, \"x\", 1) < 0) return NULL; close(fd); } return NULL; }\n"
		"int main(void) { pthread_t t[2];\n"
		"  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);\n"
		"  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);\n"
		"  if (fork() == 0) { execl(\"/bin/true\", \"true\", (char *)0); _exit(1); }\n"
		"  return 0; }\n";
	char *src = test_path("mt.c"), *bin = test_path("mt"), *dir = test_path("ff-mt"), *db = test_path("ff-mt.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	if (test_sh(&out, "command -v strace >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0)
		cr_skip_test("strace or cc is not installed: real-trace test skipped");
	cr_assert(test_write_file(src, prog, strlen(prog)));
	if (test_sh(&out, "cc -pthread -o '%s' '%s' 2>&1", bin, src) != 0)
		cr_skip_test("cc could not build the test program: %s", out.buf);
	mkdir(dir, 0700);
	if (test_sh(&out, "strace -ff -tt -yy -o '%s/run' '%s' 2>&1", dir, bin) != 0)
		cr_skip_test("strace could not trace here (ptrace not permitted?): %s", out.buf);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, dir, NULL), 0, "%s", err.buf);
	/* four files (the process, two threads, the child), two processes: mt and true under it */
	query(db, "SELECT (SELECT count(*) FROM evidence), count(*), group_concat(name, ' ') FROM"
		  " (SELECT name FROM processes ORDER BY start_ts IS NOT NULL, start_ts)", &q);
	cr_expect_str_eq(q.buf, "4|2|mt true\n");
	query(db, "SELECT c.name, p.name, c.ppid = p.pid FROM processes c JOIN processes p ON c.parent_id = p.id", &q);
	cr_expect_str_eq(q.buf, "true|mt|1\n");
	/* the threads' opens: mt's pid and row, two thread ids that are neither the pid nor alike */
	query(db,
	      "SELECT count(*), count(DISTINCT e.tid), sum(e.tid != e.pid), min(e.pid = p.pid), min(p.name),"
	      " min(e.fd_name) FROM events e JOIN processes p ON p.id = e.process_id"
	      " WHERE e.type = 'openat' AND e.fd_name = '/dev/null'",
	      &q);
	cr_expect_str_eq(q.buf, "2|2|2|1|mt|/dev/null\n");
	/* each thread's tid is the pid in its file's name */
	query(db,
	      "SELECT count(*) FROM events e JOIN evidence v ON v.id = e.evidence_id WHERE e.type = 'openat'"
	      " AND e.fd_name = '/dev/null' AND v.name LIKE '%.' || e.tid",
	      &q);
	cr_expect_str_eq(q.buf, "2\n");
	free(src);
	free(bin);
	free(dir);
	free(db);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* ---- -r across -ff files ---- */

/* 300 forks 301 at +100 µs and makes thread 302 at +150 µs; 301 vforks 303 at its own +10 µs.
 * Each file's first -r value is the time since strace's previous line in whichever file. */
static void write_relative(const char *dir)
{
	mkdir(dir, 0700);
	write_in(dir, "r.300",
		 "     0.000000 execve(\"/usr/bin/prog\", [\"prog\"], 0x7ffd /* 9 vars */) = 0\n"
		 "     0.000100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		 "child_tidptr=0x7f) = 301\n"
		 "     0.000050 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, "
		 "child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => "
		 "{parent_tid=[302]}, 88) = 302\n"
		 "     0.000400 exit_group(0)           = ?\n"
		 "     0.000001 +++ exited with 0 +++\n");
	write_in(dir, "r.301",
		 "     0.000020 execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"true\"], 0x55 /* 9 vars */) = 0\n"
		 "     0.000010 vfork()                 = 303\n"
		 "     0.000030 exit_group(0)           = ?\n"
		 "     0.000001 +++ exited with 0 +++\n");
	write_in(dir, "r.302",
		 "     0.000010 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n"
		 "     0.000005 exit(0)                 = ?\n"
		 "     0.000001 +++ exited with 0 +++\n");
	write_in(dir, "r.303",
		 "     0.000005 execve(\"/bin/true\", [\"true\"], 0x55 /* 9 vars */) = 0\n"
		 "     0.000005 exit_group(0)           = ?\n"
		 "     0.000001 +++ exited with 0 +++\n");
}

Test(strace_ff, relative_times_are_placed_after_the_clone_in_any_import_order)
{
	static const char *const orders[][4] = {
		{ NULL },
		{ "r.303", "r.302", "r.301", "r.300" },
		{ "r.301", "r.303", "r.300", "r.302" }, /* 303 joins 301 before 301 joins 300 */
		{ "r.300", "r.302", "r.303", "r.301" },
	};
	/* µs after the run's first line, per file: every line in order */
	static const char want[] = "r.300|0,100,150,550,551\n"
				   "r.301|120,130,160,161\n"
				   "r.302|160,165,166\n"
				   "r.303|135,140,141\n";
	char *dir = test_path("ff-rel");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	char path[4096];

	write_relative(dir);
	for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		char name[64];
		char *db;
		snprintf(name, sizeof(name), "ff-rel-%zu.db", k);
		db = test_path(name);
		if (!orders[k][0])
			cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, dir, NULL), 0, "%s", err.buf);
		for (size_t i = 0; orders[k][0] && i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, orders[k][i]);
			cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL), 0, "%s", err.buf);
		}
		query(db,
		      "SELECT substr(v.name, length(v.name) - 4), group_concat((e.ts - 1793577600000000000) / 1000, ',')"
		      " FROM (SELECT * FROM events ORDER BY id) e JOIN evidence v ON v.id = e.evidence_id GROUP BY v.id"
		      " ORDER BY v.name",
		      &q);
		cr_expect_str_eq(q.buf, want, "order %zu", k);
		/* the tree, the ledger's first and last times, and the assumption */
		query(db, TREE_SQL, &q);
		cr_expect_str_eq(q.buf, "300|/usr/bin/prog|-|-\n301|/usr/bin/sh|300|300\n303|/bin/true|301|301\n", "order %zu", k);
		query(db,
		      "SELECT group_concat(((first_ts - 1793577600000000000) / 1000) || '-' || ((last_ts - 1793577600000000000) / 1000),"
		      " ' ') FROM (SELECT * FROM evidence ORDER BY name)",
		      &q);
		cr_expect_str_eq(q.buf, "0-551 120-161 160-166 135-141\n", "order %zu: %s", k, q.buf);
		query(db, "SELECT count(*) FROM evidence WHERE assumptions LIKE '%-r time is the time since the line strace"
			  " printed before it, in any of the run''s files%lower bounds%'", &q);
		cr_expect_str_eq(q.buf, "4\n");
		free(db);
	}
	free(dir);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* A real run with both clocks (-ttt -r): the files with their -r times alone give the same
 * tree, and every time they give is at or before the true one (lower bounds), the first line
 * exactly at --date. */
Test(strace_ff, real_strace_ff_relative_times_are_lower_bounds)
{
	char *dir = test_path("ff-rt"), *rdir = test_path("ff-rt-r"), *tdb = test_path("ff-rt.db"),
	     *rdb = test_path("ff-rt-r.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	if (test_sh(&out, "command -v strace >/dev/null 2>&1") != 0)
		cr_skip_test("strace is not installed: real-trace test skipped");
	mkdir(dir, 0700);
	mkdir(rdir, 0700);
	if (test_sh(&out, "strace -ff -ttt -r -o '%s/run' sh -c 'ls / >/dev/null; (cat /etc/hostname; /bin/true) | wc -l' 2>&1",
		    dir) != 0)
		cr_skip_test("strace could not trace here (ptrace not permitted?): %s", out.buf);
	/* "1700000000.123456 (+     0.000123) call" → "     0.000123 call" */
	cr_assert_eq(test_sh(&out,
			     "cd '%s' && for f in run.*; do sed -E 's/^[0-9]+\\.[0-9]+ \\(\\+( *[0-9]+\\.[0-9]+)\\)/\\1/' \"$f\" > '%s'/\"$f\"; done",
			     dir, rdir),
		     0, "%s", out.buf);
	cr_assert_eq(test_run(&out, &err, "import", "-q", tdb, dir, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-02", rdb, rdir, NULL), 0, "%s", err.buf);
	/* "-ttt -r" lines ("1700000000.123456 (+     0.000123) call") read as -ttt */
	query(tdb, "SELECT sum(skipped), sum(events) > 20 FROM evidence", &q);
	cr_expect_str_eq(q.buf, "0|1\n");
	query(tdb, "SELECT count(*), count(parent_id) FROM processes", &q);
	{
		char tree[64];
		snprintf(tree, sizeof(tree), "%s", q.buf);
		query(rdb, "SELECT count(*), count(parent_id) FROM processes", &q);
		cr_expect_str_eq(q.buf, tree);
	}
	/* line by line: the -r case's time since the run's start is never more than the true one */
	{
		struct strbuf sql = STRBUF_INIT;
		strbuf_addf(&sql,
			    "ATTACH '%s' AS t; WITH r AS (SELECT substr(v.name, instr(v.name, 'run.')) f, e.ts - (SELECT min(ts)"
			    " FROM main.events) d, row_number() OVER (PARTITION BY v.id ORDER BY e.id) n FROM main.events e JOIN"
			    " main.evidence v ON v.id = e.evidence_id), tt AS (SELECT substr(v.name, instr(v.name, 'run.')) f,"
			    " e.ts - (SELECT min(ts) FROM t.events) d, row_number() OVER (PARTITION BY v.id ORDER BY e.id) n"
			    " FROM t.events e JOIN t.evidence v ON v.id = e.evidence_id)"
			    " SELECT count(*) > 20, sum(r.d > tt.d + 10000000), (SELECT min(ts) FROM main.events) FROM r JOIN tt USING (f, n)",
			    tdb);
		query(rdb, sql.buf, &q);
		strbuf_release(&sql);
	}
	/* (the -r clock is CLOCK_MONOTONIC, read just after the -ttt one: a tracer preempted between
	 * the two reads shifts a line by that long, hence 10 ms of slack on a loaded machine) */
	cr_expect_str_eq(q.buf, "1|0|1793577600000000000\n");
	/* and placed: a child's first line comes after the clone that started it */
	query(rdb,
	      "SELECT count(*), sum((SELECT min(ts) FROM events e WHERE e.process_id = p.id) >= p.start_ts) FROM processes p"
	      " WHERE parent_id IS NOT NULL",
	      &q);
	cr_expect(q.buf[0] != '0' && !strncmp(q.buf, q.buf + strcspn(q.buf, "|") + 1, strcspn(q.buf, "|")), "%s", q.buf);
	free(dir);
	free(rdir);
	free(tdb);
	free(rdb);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}
