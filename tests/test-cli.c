/* test-cli: the subcommands as a user runs them — timeline filters and formats, show, query,
 * info, help and exit codes, and a timeline's round trip through its own JSONL. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/*
 * Two evidence files whose events interleave in time, with an attacker-controlled summary
 * holding a terminal escape, an HTML tag and a spreadsheet formula.
 */
static const char *make_case(void)
{
	static const char a[] =
		"{\"ts_ns\":1795317289000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\","
		"\"host\":\"web-1\",\"summary\":\"execve /bin/sh -c id\",\"pid\":4242,\"exe\":\"/bin/sh\","
		"\"fields\":{\"evt.arg.flags\":\"0\"}}\n"
		"{\"ts_ns\":1795317291000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"openat\","
		"\"host\":\"web-1\",\"summary\":\"=cmd|' /C calc'!A0 \\u001b[2J<script>alert(1)</script>\","
		"\"pid\":4242,\"fd_name\":\"/etc/shadow\"}\n";
	static const char b[] =
		"{\"ts_ns\":1795317290000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\","
		"\"type\":\"ListBuckets\",\"host\":\"123456789012\",\"summary\":\"ListBuckets by AKIAEXAMPLE\","
		"\"access_key_id\":\"AKIAEXAMPLE\",\"src_ip\":\"203.0.113.50\"}\n"
		"{\"ts_ns\":1795317292500000000,\"ts_precision\":1000000000,\"source\":\"network\",\"type\":\"dns\","
		"\"host\":\"web-1\",\"summary\":\"dns query pool.example.com A\",\"dst_ip\":\"10.0.0.2\",\"dst_port\":53}\n";
	const char *pa = test_file("a.jsonl"), *pb = test_file("b.jsonl"), *db = test_file("case.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert(test_write_file(pa, a, sizeof(a) - 1));
	cr_assert(test_write_file(pb, b, sizeof(b) - 1));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, pa, pb, NULL), 0, "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	return db;
}

static void lines_of(const char *text, char ***ret_lines, size_t *ret_n)
{
	char *copy = strdup(text), *p = copy, *line;
	char **lines = NULL;
	size_t n = 0;

	while ((line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = test_keep(strdup(line));
	}
	free(copy);
	test_keep(lines);
	*ret_lines = lines;
	*ret_n = n;
}

Test(cli, timeline_merges_sources_in_time_order_and_escapes_text)
{
	const char *db = make_case();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char **lines;
	size_t n;

	cr_assert_eq(test_run(&out, &err, "timeline", db, NULL), 0, "%s", err.buf);
	lines_of(out.buf, &lines, &n);
	cr_assert_eq(n, 4, "%s", out.buf);
	cr_assert_not_null(strstr(lines[0], "2026-11-22T03:14:49.000000000Z  syscall"), "%s", lines[0]);
	cr_assert_not_null(strstr(lines[1], "aws_cloudtrail"), "%s", lines[1]);
	cr_assert_not_null(strstr(lines[2], "openat"), "%s", lines[2]);
	cr_assert_not_null(strstr(lines[3], "dns query pool.example.com"), "%s", lines[3]);
	cr_assert_null(strchr(out.buf, '\x1b'), "no raw escape reaches the terminal");
	cr_assert_not_null(strstr(lines[2], "\\x1b[2J"), "%s", lines[2]);
	strbuf_release(&out);
	strbuf_release(&err);
}

struct filter_case {
	const char *args[4];
	const char *want; /* the types printed, in order */
};

Test(cli, timeline_filters)
{
	static const struct filter_case cases[] = {
		{ { "--since", "2026-11-22T03:14:50Z" }, "ListBuckets openat dns" },
		{ { "--until", "2026-11-22T03:14:50Z" }, "execve" },
		{ { "--since", "2026-11-22T04:14:50+01:00", "--until", "2026-11-22T03:14:52Z" }, "ListBuckets openat" },
		{ { "--source", "network,aws_cloudtrail" }, "ListBuckets dns" },
		{ { "--host", "web-1" }, "execve openat dns" },
		{ { "--grep", "SHADOW" }, "" },
		{ { "--grep", "POOL.example" }, "dns" },
		{ { "--grep", "evt.arg.flags" }, "execve" },
		{ { "-n", "2" }, "execve ListBuckets" },
	};
	const char *db = make_case();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, got = STRBUF_INIT;
		const char *const *a = cases[i].args;
		cr_assert_eq(test_run(&out, &err, "timeline", "-F", "jsonl", db, a[0], a[1], a[2], a[3], NULL), 0,
			     "case %zu: %s", i, err.buf);
		char **lines;
		size_t n;
		lines_of(out.buf, &lines, &n);
		for (size_t k = 0; k < n; k++) {
			json_t *o = json_loads(lines[k], 0, NULL);
			cr_assert_not_null(o, "line is JSON: %s", lines[k]);
			strbuf_addf(&got, "%s%s", k ? " " : "", json_string_value(json_object_get(o, "type")));
			json_decref(o);
		}
		cr_assert_str_eq(got.buf, cases[i].want, "case %zu", i);
		strbuf_release(&out);
		strbuf_release(&err);
		strbuf_release(&got);
	}
}

Test(cli, timeline_formats)
{
	const char *db = make_case();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char **lines;
	size_t n;

	/* CSV: a header, RFC 4180 quotes, and the formula defused. */
	cr_assert_eq(test_run(&out, &err, "timeline", "-F", "csv", db, NULL), 0);
	lines_of(out.buf, &lines, &n);
	cr_assert_eq(n, 5);
	cr_assert(!strncmp(lines[0], "id,ts,source,type,host,summary,pid,", 35), "%s", lines[0]);
	cr_assert_not_null(strstr(out.buf, ",\"'=cmd|' /C calc'!A0 "), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "\"{\"\"evt.arg.flags\"\":\"\"0\"\"}\""), "%s", out.buf);

	/* Timesketch: the four keys it requires, the time in microseconds. */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "timeline", "-F", "timesketch", db, NULL), 0);
	lines_of(out.buf, &lines, &n);
	cr_assert_eq(n, 4);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_loads(lines[i], 0, NULL);
		cr_assert_not_null(o);
		cr_assert(json_is_string(json_object_get(o, "message")));
		cr_assert(json_is_string(json_object_get(o, "datetime")));
		cr_assert(json_is_string(json_object_get(o, "timestamp_desc")));
		cr_assert(json_is_integer(json_object_get(o, "timestamp")));
		json_decref(o);
	}
	json_t *first = json_loads(lines[0], 0, NULL);
	cr_assert_eq(json_integer_value(json_object_get(first, "timestamp")), 1795317289000000LL);
	cr_assert_str_eq(json_string_value(json_object_get(first, "evt_arg_flags")), "0");
	json_decref(first);

	/* JSONL keeps the attacker's markup as data, escaped so it cannot close a <script>. */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "timeline", "-F", "jsonl", db, NULL), 0);
	cr_assert_null(strstr(out.buf, "<script>"));
	cr_assert_not_null(strstr(out.buf, "\\u003cscript\\u003e"));
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(cli, jsonl_round_trips_through_import)
{
	const char *db = make_case(), *exported = test_file("export.jsonl"), *db2 = test_file("copy.db");
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&one, &err, "timeline", "-F", "jsonl", db, NULL), 0);
	cr_assert(test_write_file(exported, one.buf, one.len));
	cr_assert_eq(test_run(NULL, &err, "import", "-q", db2, exported, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&two, &err, "timeline", "-F", "jsonl", db2, NULL), 0);

	char **a, **b;
	size_t na, nb;
	lines_of(one.buf, &a, &na);
	lines_of(two.buf, &b, &nb);
	cr_assert_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		json_t *x = json_loads(a[i], 0, NULL), *y = json_loads(b[i], 0, NULL);
		json_t *origin = json_object_get(json_object_get(y, "fields"), "origin");
		/* The copy keeps where each event first came from ... */
		cr_assert_str_eq(json_string_value(json_object_get(origin, "evidence_sha256")),
				 json_string_value(json_object_get(x, "evidence_sha256")));
		/* ... and everything else is the same but its own identity and provenance. */
		static const char *const own[] = { "id", "evidence", "evidence_sha256", "offset", "length", "fields" };
		for (size_t k = 0; k < 6; k++) {
			json_object_del(x, own[k]);
			json_object_del(y, own[k]);
		}
		cr_assert(json_equal(x, y), "line %zu differs:\n%s\n%s", i, a[i], b[i]);
		json_decref(x);
		json_decref(y);
	}
	strbuf_release(&one);
	strbuf_release(&two);
	strbuf_release(&err);
}

Test(cli, show_gives_every_field_provenance_and_the_raw_record)
{
	const char *db = make_case();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "show", db, "1", NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "  type             execve\n"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "  pid              4242\n"));
	cr_assert_not_null(strstr(out.buf, "  evt.arg.flags    0\n"));
	cr_assert_not_null(strstr(out.buf, "  offset           0\n"));
	cr_assert_not_null(strstr(out.buf, "raw record ("), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "\"summary\":\"execve /bin/sh -c id\""));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "show", "-F", "json", db, "3", NULL), 0, "ids follow the files' order");
	json_t *o = json_loads(out.buf, 0, NULL);
	cr_assert_not_null(o, "%s", out.buf);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "event"), "type")), "ListBuckets");
	cr_assert(json_is_string(json_object_get(o, "raw_text")));
	json_decref(o);
	strbuf_reset(&err);
	cr_assert_eq(test_run(&out, &err, "show", db, "99", NULL), 1);
	cr_assert_not_null(strstr(err.buf, "no event 99"), "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(cli, query_named_sql_and_read_only)
{
	const char *db = make_case();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "query", "--list", NULL), 0);
	cr_assert_not_null(strstr(out.buf, "access-keys"));
	cr_assert_not_null(strstr(out.buf, "window"));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "json", db, "access-keys", NULL), 0, "%s", err.buf);
	json_t *rows = json_loads(out.buf, 0, NULL);
	cr_assert_eq(json_array_size(rows), 1, "%s", out.buf);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "access_key_id")), "AKIAEXAMPLE");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "from_addresses")), "203.0.113.50");
	json_decref(rows);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", db, "window", "2026-11-22T03:14:50Z",
			      "2026-11-22T03:14:52Z", NULL),
		     0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "\"ListBuckets\""), "%s", out.buf);
	cr_assert_null(strstr(out.buf, "execve"));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", db, "--sql", "SELECT count(*) AS n FROM events", NULL), 0);
	cr_assert_str_eq(out.buf, "n\n4\n");
	strbuf_reset(&err);
	cr_assert_eq(test_run(&out, &err, "query", db, "--sql", "DELETE FROM events", NULL), 1);
	cr_assert_not_null(strstr(err.buf, "read-only"), "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "query", db, "window", "2026-11-22", NULL), 2, "missing argument");
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(cli, info_summarises_the_case)
{
	const char *db = make_case();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "info", db, NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "schema        version 1"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "events        4\n"));
	cr_assert_not_null(strstr(out.buf, "  syscall          2\n"));
	cr_assert_not_null(strstr(out.buf, "time span     2026-11-22T03:14:49.000000000Z .. 2026-11-22T03:14:52.500000000Z"));
	cr_assert_not_null(strstr(out.buf, "complete"));
	strbuf_release(&out);
	strbuf_release(&err);
}

/* Every command `backsight --help` lists: its own --help, exit status 2 on a bad option, and a
 * man page that the build installs. */
Test(cli, help_version_exit_codes_and_man_pages)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, help = STRBUF_INIT, installed = STRBUF_INIT;
	char cmd[32], page[4096];
	const char *p;
	size_t ncmds = 0;

	cr_assert_eq(test_run(&out, &err, "--version", NULL), 0);
	cr_assert(!strncmp(out.buf, "backsight ", 10));
	cr_assert_eq(test_run(&help, &err, "--help", NULL), 0);
	snprintf(page, sizeof(page), "%s/doc/meson.build", test_source_root());
	cr_assert(test_read_file(page, &installed));
	p = strstr(help.buf, "commands:\n");
	cr_assert_not_null(p, "%s", help.buf);
	for (p = strchr(p, '\n') + 1; sscanf(p, "  %31s", cmd) == 1 && !strncmp(p, "  ", 2); p = strchr(p, '\n') + 1) {
		strbuf_reset(&out);
		cr_assert_eq(test_run(&out, &err, cmd, "--help", NULL), 0, "%s --help", cmd);
		cr_expect(!strncmp(out.buf, "usage: backsight ", 17), "%s", out.buf);
		cr_expect_eq(test_run(&out, &err, cmd, "--no-such-option", NULL), 2, "%s bad option", cmd);
		snprintf(page, sizeof(page), "%s/doc/backsight-%s.1", test_source_root(), cmd);
		cr_expect_eq(access(page, R_OK), 0, "no man page for %s", cmd);
		snprintf(page, sizeof(page), "'backsight-%s.1'", cmd);
		cr_expect_not_null(strstr(installed.buf, page), "doc/meson.build does not install %s", page);
		ncmds++;
	}
	cr_expect_geq(ncmds, 14, "%s", help.buf);
	cr_assert_eq(test_run(&out, &err, "frobnicate", NULL), 2);
	cr_assert_eq(test_run(&out, &err, "timeline", test_file("missing.db"), NULL), 1);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&help);
	strbuf_release(&installed);
}
