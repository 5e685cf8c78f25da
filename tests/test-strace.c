/* test-strace: the strace importer and the syscall model behind it.
 *
 * Checked against: every file in shared/corpus/strace (real -ff traces from tracecode-toolkit,
 * and strace's own expected outputs as grammar samples), a trace made here by the installed
 * strace of a reverse-shell-shaped script (fork, exec, a file write, a TCP connect to a local
 * listener, dup2 onto 0/1/2), and synthetic lines, one per way the format varies or breaks.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostutil.h"
#include "testutil.h"

static char *corpus(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/corpus/strace/%s", test_shared_dir(), name);
	return path;
}

static void run_text(const char *name, const char *text, const struct imp_options *o, struct host_run *run)
{
	host_import("strace", name, text, strlen(text), o, run);
}

Test(strace, corpus_imports)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	REQUIRE_SHARED();
	d = opendir(corpus(""));
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		struct host_run run;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "PROVENANCE.md"))
			continue;
		host_import("strace", corpus(de->d_name), NULL, 0, NULL, &run);
		cr_expect_eq(run.rc, 0, "%s: import failed", de->d_name);
		if (!strncmp(de->d_name, "tracecode__", 11)) {
			/* real traces: every line is strace's, but the one garbage line of malformed-lines */
			cr_expect_gt(json_array_size(run.events), 0, "%s: no events", de->d_name);
			cr_expect_eq(run.skipped, strstr(de->d_name, "malformed") ? 1u : 0u, "%s: %llu skipped\n%s",
				     de->d_name, (unsigned long long)run.skipped, run.issues);
		}
		host_run_release(&run);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 15);
}

Test(strace, ff_files_take_the_pid_from_the_name)
{
	struct host_run run;
	json_t *ev;

	REQUIRE_SHARED();
	host_import("strace", corpus("tracecode__ff-parent.2453402.txt"), NULL, 0, NULL, &run);
	ev = find_event(&run, "vfork", NULL);
	cr_assert_not_null(ev);
	cr_expect_eq(ev_int(ev, "pid"), 2453402);
	cr_expect_eq(ev_int(ev, "evt.rawres"), 2453403);
	cr_expect(strstr(run.assumptions, "pid 2453402 taken from the file name"), "%s", run.assumptions);
	ev = find_event(&run, "procexit", NULL);
	cr_assert_not_null(ev);
	cr_expect_eq(ev_int(ev, "evt.arg.status"), 0);
	host_run_release(&run);
}

Test(strace, pipe_fd_names_from_y)
{
	struct host_run run;
	json_t *ev;

	REQUIRE_SHARED();
	host_import("strace", corpus("tracecode__ff-dup2-pipe-exec.txt"), NULL, 0, NULL, &run);
	ev = find_event(&run, "dup2", NULL);
	cr_assert_not_null(ev);
	cr_expect_str_eq(ev_str(ev, "fd_name"), "pipe:[53894569]");
	cr_expect_str_eq(ev_str(ev, "fd.typechar"), "p");
	ev = find_event(&run, "execve", NULL);
	cr_expect_str_eq(ev_str(ev, "cmdline"), "cat /tmp/pipsize.AdzIOk");
	cr_expect_eq(ev_int(ev, "proc.env_count"), 27);
	cr_expect_eq(ev_int(ev, "ts"), 1390356525416635000LL);
	cr_expect_eq(ev_int(ev, "ts_precision"), 1000);
	host_run_release(&run);
}

/* {name, trace, --date, event type (nth of it), column or field, expected} */
static const struct {
	const char *name, *trace, *date, *type, *key, *want;
} cases[] = {
	{ "-f -tt with --date",
	  "100 23:59:59.500000 execve(\"/bin/sh\", [\"sh\", \"-c\", \"true\"], 0x7ffd /* 3 vars */) = 0\n"
	  "100 00:00:00.250000 openat(AT_FDCWD</root>, \"x.txt\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3</root/x.txt>\n"
	  "100 00:00:00.260000 write(3</root/x.txt>, \"hi\\n\", 3) = 3\n"
	  "100 00:00:00.270000 close(3</root/x.txt>) = 0\n"
	  "100 00:00:00.280000 read(3, 0x7ffc, 10) = -1 EBADF (Bad file descriptor)\n",
	  "2026-11-02", "execve", "ts", "1793663999500000000" },
	{ "past midnight the day turns", NULL, NULL, "openat", "ts", "1793664000250000000" },
	{ "openat path against AT_FDCWD's cwd", NULL, NULL, "openat", "fd_name", "/root/x.txt" },
	{ "open flags as printed", NULL, NULL, "openat", "evt.arg.flags", "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC" },
	{ "is_open_write", NULL, NULL, "openat", "evt.is_open_write", "true" },
	{ "mode", NULL, NULL, "openat", "evt.arg.mode", "0644" },
	{ "write names its file", NULL, NULL, "write", "fd_name", "/root/x.txt" },
	{ "file name", NULL, NULL, "write", "fd_name", "/root/x.txt" },
	{ "errno result", NULL, NULL, "read", "result", "EBADF" },
	{ "rawres is -errno", NULL, NULL, "read", "evt.rawres", "-9" },
	{ "closed fd is forgotten", NULL, NULL, "read", "fd_name", NULL },
	{ "[pid N] prefix, -ttt, unfinished/resumed joined",
	  "[pid  7] 1700000000.000001 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"192.0.2.7\")}, 16 <unfinished ...>\n"
	  "[pid  8] 1700000000.000002 getpid() = 8\n"
	  "[pid  7] 1700000000.000009 <... connect resumed>) = -1 EINPROGRESS (Operation now in progress)\n",
	  NULL, "connect", "dst_ip", "192.0.2.7" },
	{ "resumed port", NULL, NULL, "connect", "dst_port", "443" },
	{ "time of the exit", NULL, NULL, "connect", "ts", "1700000000000009000" },
	{ "EINPROGRESS", NULL, NULL, "connect", "result", "EINPROGRESS" },
	{ "-r relative times",
	  "     0.000000 chdir(\"/tmp\") = 0\n"
	  "     0.000250 mkdir(\"d\", 0755) = 0\n",
	  "2026-01-01", "mkdir", "ts", "1767225600000250000" },
	{ "chdir changes the cwd", NULL, NULL, "mkdir", "fs.path.name", "/tmp/d" },
	{ "the argument as passed", NULL, NULL, "mkdir", "evt.arg.path", "d" },
	{ "signals and kills",
	  "55 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n"
	  "55 +++ killed by SIGSEGV (core dumped) +++\n",
	  NULL, "procexit", "evt.arg.sig", "11" },
	{ "core", NULL, NULL, "procexit", "evt.arg.core", "true" },
	{ "signal delivered", NULL, NULL, "signaldeliver", "evt.arg.signame", "SIGSEGV" },
	{ "-T durations, truncated strings, old env format",
	  "9 execve(\"/usr/bin/python3\", [\"python3\", \"-c\", \"import os\"...], [/* 22 vars */]) = 0 <0.000321>\n",
	  NULL, "execve", "evt.latency", "321000" },
	{ "old env count", NULL, NULL, "execve", "proc.env_count", "22" },
	{ "truncated argv element kept as printed", NULL, NULL, "execve", "cmdline", "python3 -c import os" },
	{ "comm from the exe", NULL, NULL, "execve", "proc_name", "python3" },
	{ "accept gives the client side",
	  "12 accept4(3<TCP:[0.0.0.0:8080]>, {sa_family=AF_INET, sin_port=htons(51000), sin_addr=inet_addr(\"198.51.100.9\")}, [16], SOCK_CLOEXEC) = 4<TCP:[10.0.0.5:8080->198.51.100.9:51000]>\n",
	  NULL, "accept4", "src_ip", "198.51.100.9" },
	{ "accept server side", NULL, NULL, "accept4", "dst_port", "8080" },
	{ "accept fd name", NULL, NULL, "accept4", "fd_name", "198.51.100.9:51000->10.0.0.5:8080" },
	{ "threads belong to their process",
	  "100 execve(\"/usr/bin/java\", [\"java\"], 0x7ffd /* 1 var */) = 0\n"
	  "100 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, parent_tid=[101], tls=0x7f, child_tidptr=0x7f) = 101\n"
	  "101 getuid() = 0\n",
	  NULL, "getuid", "pid", "100" },
	{ "thread id", NULL, NULL, "getuid", "tid", "101" },
	{ "thread's process name", NULL, NULL, "getuid", "proc_name", "java" },
	{ "clone flags", NULL, NULL, "clone", "evt.arg.flags", "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM" },
	{ "ipv6 and unix",
	  "3 connect(4, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"2001:db8::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0\n"
	  "3 connect(5, {sa_family=AF_UNIX, sun_path=\"/run/docker.sock\"}, 110) = 0\n",
	  NULL, "connect", "dst_ip", "2001:db8::1" },
	{ "signal numbers (the shortest name too)",
	  "7 --- SIGIO {si_signo=SIGIO, si_code=POLL_IN, si_band=65} ---\n", NULL, "signaldeliver", "evt.arg.sig", "29" },
	{ "-yy device numbers are not part of the name",
	  "7 write(1</dev/null<char 1:3>>, \"x\", 1) = 1\n", NULL, "write", "fd_name", "/dev/null" },
	{ "-tt with -r: the absolute time is used",
	  "7 10:00:00.000100 (+     0.000100) getpid() = 7\n", "2026-11-02", "getpid", "ts", "1793613600000100000" },
};

static void check(json_t *ev, const char *key, const char *want, const char *name)
{
	json_t *v = json_object_get(ev, key);
	char buf[64];
	const char *got = NULL;

	if (!v)
		v = json_object_get(json_object_get(ev, "fields"), key);
	if (!want) {
		cr_expect(!v, "%s: %s present", name, key);
		return;
	}
	cr_assert_not_null(v, "%s: no %s in %s", name, key, json_dumps(ev, 0));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		got = buf;
	} else if (json_is_boolean(v)) {
		got = json_is_true(v) ? "true" : "false";
	} else {
		got = json_string_value(v);
	}
	cr_expect_str_eq(got, want, "%s: %s", name, key);
}

Test(strace, variants)
{
	struct host_run run;
	bool have = false;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *ev;
		if (cases[i].trace) {
			struct imp_options o = { .date = cases[i].date };
			if (have)
				host_run_release(&run);
			run_text("trace.txt", cases[i].trace, &o, &run);
			have = true;
			cr_assert_eq(run.skipped, 0, "%s: %s", cases[i].name, run.issues);
		}
		ev = find_event(&run, cases[i].type, NULL);
		cr_assert_not_null(ev, "%s: no %s event", cases[i].name, cases[i].type);
		check(ev, cases[i].key, cases[i].want, cases[i].name);
	}
	if (have)
		host_run_release(&run);
}

Test(strace, dates_are_assumptions)
{
	struct host_run run;
	struct imp_options o = { .date = "2026-11-02" };

	run_text("t.txt", "10:00:00 getpid() = 1\n", NULL, &run);
	cr_expect(strstr(run.assumptions, "dated 1970-01-01"), "%s", run.assumptions);
	cr_expect_eq(ev_int(json_array_get(run.events, 0), "ts"), 36000000000000LL);
	cr_expect_eq(ev_int(json_array_get(run.events, 0), "ts_precision"), 1000000000LL);
	host_run_release(&run);
	run_text("t.txt", "10:00:00 getpid() = 1\n", &o, &run);
	cr_expect(strstr(run.assumptions, "dated 2026-11-02 (--date)"), "%s", run.assumptions);
	host_run_release(&run);
	run_text("t.txt", "1700000000.5 getpid() = 1\n", &o, &run);
	cr_expect_str_eq(run.assumptions, "", "epoch times need no assumption");
	host_run_release(&run);
}

Test(strace, damage)
{
	static const char trace[] =
		"THIS IS not a line at all\n"
		"1 execve(\"/bin/x\", [\"x\"\n"
		"1 open(\"/etc/passwd\", O_RDONLY) = 3 trailing\n"
		"1 read(3</etc/passwd>, \"\\x\\777\\\"unterminated, 4) = 4\n"
		"1 <... close resumed>) = 0\n"
		"1 clone(child_stack=NULL, flags=CLONE_VM|CLONE_THREAD <unfinished ...>\n"
		"2 dup2(9<TCP:[1.2.3.4:5->[::1]:6]>, 1) = 1\n"
		"3 +++ exited with 3 +++";
	struct host_run run;

	run_text("t.txt", trace, NULL, &run);
	cr_expect_eq(run.rc, 0);
	cr_expect_eq(run.skipped, 1, "%s", run.issues);
	cr_expect_geq(json_array_size(run.events), 5);
	cr_expect(strstr(run.issues, "unfinished at the end"), "%s", run.issues);
	host_run_release(&run);
}

/* strace -f prints a child's first calls before its parent's clone returns, and a new thread's
 * too: each is attributed from its first line, and the clone result adds no second row. */
Test(strace, children_seen_before_their_clone_returns)
{
	static const char trace[] =
		"100 10:00:00.000001 execve(\"/bin/sh\", [\"sh\", \"-c\", \"x\"], 0x7ffd /* 2 vars */) = 0\n"
		"100 10:00:00.000002 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n"
		"101 10:00:00.000003 execve(\"/usr/bin/curl\", [\"curl\", \"x\"], 0x7ffd /* 2 vars */) = 0\n"
		"100 10:00:00.000004 <... clone resumed>, child_tidptr=0x7f) = 101\n"
		"101 10:00:00.000005 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM <unfinished ...>\n"
		"102 10:00:00.000006 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n"
		"101 10:00:00.000007 <... clone resumed>) = 102\n";
	struct imp_options o = { .date = "2026-11-20" };
	struct host_run run;
	json_t *ev, *curl;

	run_text("trace.txt", trace, &o, &run);
	cr_assert_eq(run.skipped, 0, "%s", run.issues);
	ev = find_event(&run, "execve", "curl");
	cr_assert_not_null(ev);
	cr_expect_str_eq(ev_str(ev, "proc.pname"), "sh");
	curl = process_of(&run, ev);
	cr_assert_not_null(curl);
	cr_expect_eq(ev_int(curl, "ppid"), 100);
	ev = find_event(&run, "openat", NULL);
	cr_assert_not_null(ev);
	cr_expect_eq(ev_int(ev, "pid"), 101, "the new thread belongs to curl's process");
	cr_expect_eq(ev_int(ev, "tid"), 102);
	cr_expect_str_eq(ev_str(ev, "proc_name"), "curl");
	cr_expect_eq(json_object_size(run.processes), 2, "%s", json_dumps(run.processes, 0));
	host_run_release(&run);
}

/* Other connects may precede the shell's (the C library asking nscd over a unix socket). */
static json_t *first_tcp_connect(struct host_run *run)
{
	json_t *ev;
	size_t i;

	json_array_foreach(run->events, i, ev) {
		if (!strcmp(ev_str(ev, "type"), "connect") && !strcmp(ev_str(ev, "l4proto"), "tcp"))
			return ev;
	}
	return NULL;
}

/* A trace made here: the reverse-shell shape, run under the installed strace. */
Test(strace, real_trace_of_a_reverse_shell)
{
	struct host_run run;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct strbuf out = STRBUF_INIT;
	const char *trace = test_file("rs.trace"), *file = test_file("written.txt");
	int lfd, port, status, dups = 0;
	json_t *ev, *sh = NULL, *bash = NULL, *p;
	const char *k;
	size_t i;

	if (test_sh(&out, "command -v strace >/dev/null 2>&1") != 0 || test_sh(&out, "command -v bash >/dev/null 2>&1") != 0)
		cr_skip_test("strace or bash is not installed: real-trace test skipped");
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(lfd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 4), 0);
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
	port = ntohs(sa.sin_port);
	status = test_sh(&out,
			 "strace -f -tt -yy -s 256 -o '%s' sh -c 'echo hi > %s; "
			 "bash -c \"exec 5<>/dev/tcp/127.0.0.1/%d; exec 0<&5 1>&5 2>&5; exec /bin/true\"' 2>&1",
			 trace, file, port);
	close(lfd);
	if (status != 0)
		cr_skip_test("strace could not trace here (ptrace not permitted?): %s", out.buf);
	host_import("strace", trace, NULL, 0, NULL, &run);
	cr_assert_eq(run.skipped, 0, "%s", run.issues);

	/* the process tree: sh, and its child that was bash and is now /bin/true */
	json_object_foreach(run.processes, k, p) {
		if (!strcmp(ev_str(p, "exe"), "/usr/bin/sh") || !strcmp(ev_str(p, "exe"), "/bin/sh") ||
		    !strcmp(ev_str(p, "exe"), "/usr/bin/dash") || !strcmp(ev_str(p, "name"), "sh"))
			sh = p;
		if (!strcmp(ev_str(p, "exe"), "/bin/true") || !strcmp(ev_str(p, "exe"), "/usr/bin/true"))
			bash = p;
	}
	cr_assert_not_null(sh, "no sh process: %s", json_dumps(run.processes, 0));
	cr_assert_not_null(bash, "no child process: %s", json_dumps(run.processes, 0));
	cr_expect_eq(ev_int(bash, "parent_key"), ev_int(sh, "key"));
	cr_expect_eq(ev_int(bash, "ppid"), ev_int(sh, "pid"));
	cr_expect_eq(ev_int(bash, "exit_status"), 0);
	cr_expect_geq(ev_int(bash, "end_ts"), ev_int(bash, "start_ts"));
	cr_expect_eq(json_object_size(run.processes), 2, "%s", json_dumps(run.processes, 0));

	/* the file write */
	json_array_foreach(run.events, i, ev) {
		if (!strcmp(ev_str(ev, "type"), "write") && !strcmp(ev_str(ev, "fd_name"), file))
			break;
	}
	cr_expect_lt(i, json_array_size(run.events), "no write to %s", file);

	/* the socket duplicated onto 0, 1 and 2 */
	json_array_foreach(run.events, i, ev) {
		if (strcmp(ev_str(ev, "type"), "dup2") || ev_int(ev, "fd.num") > 2 || strcmp(ev_str(ev, "fd.typechar"), "4"))
			continue;
		cr_expect_str_eq(ev_str(ev, "dst_ip"), "127.0.0.1");
		cr_expect_eq(ev_int(ev, "dst_port"), port);
		cr_expect_str_eq(ev_str(ev, "l4proto"), "tcp");
		cr_expect_str_eq(ev_str(ev, "proc_name"), "bash");
		cr_expect(strstr(ev_str(ev, "fd_name"), "->127.0.0.1:"), "%s", ev_str(ev, "fd_name"));
		dups++;
	}
	cr_expect_eq(dups, 3);
	ev = first_tcp_connect(&run);
	cr_assert_not_null(ev, "no TCP connect in %s", json_dumps(run.events, 0));
	cr_expect_str_eq(ev_str(ev, "dst_ip"), "127.0.0.1");
	cr_expect_eq(ev_int(ev, "dst_port"), port);
	cr_expect_eq(ev_int(process_of(&run, ev), "parent_key"), ev_int(sh, "key"), "the connecting process is sh's child");
	ev = find_event(&run, "execve", "execve bash -c");
	cr_assert_not_null(ev);
	cr_expect_str_eq(ev_str(ev, "proc.pname"), "sh");
	/* and then a program executed with the socket as its stdin/stdout */
	json_array_foreach(run.events, i, ev) {
		if (!strcmp(ev_str(ev, "type"), "execve") && strstr(ev_str(ev, "cmdline"), "/bin/true"))
			break;
	}
	cr_expect_lt(i, json_array_size(run.events));
	host_run_release(&run);
	strbuf_release(&out);
}

/* Through the CLI into a case: what a user checks with sqlite3 afterwards. */
Test(strace, cli_import_records_the_date_assumption)
{
	static const char trace[] =
		"500 10:00:00.000001 execve(\"/bin/sh\", [\"sh\", \"-c\", \"id\"], 0x7ffd /* 2 vars */) = 0\n"
		"500 10:00:00.000100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 501\n"
		"501 10:00:00.000200 execve(\"/usr/bin/id\", [\"id\"], 0x55 /* 2 vars */) = 0\n"
		"501 10:00:00.000300 exit_group(0) = ?\n"
		"501 10:00:00.000400 +++ exited with 0 +++\n"
		"500 10:00:00.000500 exit_group(0) = ?\n"
		"500 10:00:00.000600 +++ exited with 0 +++\n";
	char *path = test_path("sh.trace"), *db = test_path("strace-cli.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	int rc;

	cr_assert(test_write_file(path, trace, sizeof(trace) - 1));
	rc = test_run(&out, &err, "import", "-q", "--date", "2026-11-02", db, path, NULL);
	cr_assert_eq(rc, 0, "%s", err.buf);
	rc = test_sh(&q, "sqlite3 '%s' \"SELECT format, events, assumptions FROM evidence; "
			 "SELECT c.pid, c.exe, p.pid, p.exe, c.exit_status FROM processes c JOIN processes p ON c.parent_id = p.id; "
			 "SELECT min(ts) FROM events\"", db);
	if (rc != 0)
		cr_skip_test("the sqlite3 shell is not installed");
	cr_expect(strstr(q.buf, "strace|7|strace -t/-tt times have no date: dated 2026-11-02 (--date), taken as UTC\n"), "%s", q.buf);
	cr_expect(strstr(q.buf, "501|/usr/bin/id|500|/bin/sh|0\n"), "%s", q.buf);
	cr_expect(strstr(q.buf, "1793613600000001000\n"), "%s", q.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
	free(path);
	free(db);
}
