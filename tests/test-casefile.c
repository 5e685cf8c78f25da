/* test-casefile: the case file (--case) in YAML or JSON, read by yamljson into the value
 * analyze uses. A table of {file text, the JSON it reads as, or the error it gives}. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "analyze.h"
#include "testutil.h"
#include "yamljson.h"

static const struct {
	const char *text;
	const char *json;  /* compact, keys sorted; NULL when an error is expected */
	const char *error; /* a substring of the error, after the path */
} cases[] = {
	/* the sample's shape: strings stay strings (addresses, ids), lists are arrays */
	{ "hosts:\n  ip-10-0-1-23.eu-west-1.compute.internal:\n    instance_id: i-0a1b2c3d4e5f60718\n"
	  "    task_arn: arn:aws:ecs:eu-west-1:111122223333:task/prod-web/0f3c\n    role: web-task\n"
	  "    addresses: [10.0.1.23, 10.0.1.87]\n",
	  "{\"hosts\":{\"ip-10-0-1-23.eu-west-1.compute.internal\":{\"addresses\":[\"10.0.1.23\",\"10.0.1.87\"],"
	  "\"instance_id\":\"i-0a1b2c3d4e5f60718\",\"role\":\"web-task\","
	  "\"task_arn\":\"arn:aws:ecs:eu-west-1:111122223333:task/prod-web/0f3c\"}}}",
	  NULL },
	/* block sequences, comments, quoting, scalars that resolve */
	{ "# a comment\nhosts:\n  h:\n    addresses:\n      - 10.0.0.1   # trailing\n      - \"2001:db8::1\"\n"
	  "    n: 42\n    q: '42'\n    t: true\n    z: ~\n    e:\n",
	  "{\"hosts\":{\"h\":{\"addresses\":[\"10.0.0.1\",\"2001:db8::1\"],\"e\":null,\"n\":42,\"q\":\"42\",\"t\":true,"
	  "\"z\":null}}}",
	  NULL },
	/* anchors and aliases are resolved */
	{ "base: &b {role: web}\nhosts:\n  a: *b\n", "{\"base\":{\"role\":\"web\"},\"hosts\":{\"a\":{\"role\":\"web\"}}}", NULL },
	/* JSON reads as before, and YAML flow style that is not JSON too */
	{ "{\"hosts\": {\"h\": {\"role\": \"r\", \"addresses\": [\"10.0.0.1\"]}}}",
	  "{\"hosts\":{\"h\":{\"addresses\":[\"10.0.0.1\"],\"role\":\"r\"}}}", NULL },
	{ "{hosts: {h: {role: r}}}", "{\"hosts\":{\"h\":{\"role\":\"r\"}}}", NULL },
	/* errors name the line and column */
	{ "{\"hosts\": [", NULL, ":1:11: " },
	{ "hosts:\n  a: {instance_id: i-1\n", NULL, ":2:6: while parsing a flow mapping" },
	{ "hosts:\n  a: 1\n  a: 2\n", NULL, ":3:3: key 'a' given twice" },
	{ "hosts:\n  ? [a, b]\n  : 1\n", NULL, ":2:5: a mapping key must be a plain value" },
	{ "", NULL, ": empty document" },
};

Test(casefile, yaml_and_json_read_as_the_table_says)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf err = STRBUF_INIT;
		char *path = test_path("case.yaml");
		json_t *v = NULL;
		int r;

		cr_assert(test_write_file(path, cases[i].text, strlen(cases[i].text)));
		r = yamljson_load_file(path, &v, &err);
		if (cases[i].json) {
			cr_assert_eq(r, 0, "case %zu: %s", i, err.buf);
			char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			cr_assert_str_eq(got, cases[i].json, "case %zu", i);
			free(got);
			json_decref(v);
		} else {
			cr_assert_lt(r, 0, "case %zu reads, but should not", i);
			cr_assert_not_null(strstr(err.buf, cases[i].error), "case %zu: %s", i, err.buf);
			cr_assert_eq(strncmp(err.buf, path, strlen(path)), 0, "the error names the file: %s", err.buf);
		}
		strbuf_release(&err);
		free(path);
	}
}

Test(casefile, the_sample_case_file_names_its_host)
{
	struct strbuf err = STRBUF_INIT;
	char path[4096];
	json_t *hosts = NULL;

	snprintf(path, sizeof(path), "%s/samples/case.yaml", test_source_root());
	cr_assert_eq(analyze_load_case_file(path, &hosts, &err), 0, "%s", err.buf);
	json_t *h = json_object_get(hosts, "ip-10-0-1-23.eu-west-1.compute.internal");
	cr_assert_not_null(h);
	cr_assert_str_eq(json_string_value(json_object_get(h, "instance_id")), "i-0a1b2c3d4e5f60718");
	cr_assert_str_eq(json_string_value(json_object_get(h, "role")), "web-task");
	cr_assert_eq(json_array_size(json_object_get(h, "addresses")), 4);
	json_decref(hosts);
	strbuf_release(&err);
}

Test(casefile, a_case_file_without_hosts_is_refused)
{
	struct strbuf err = STRBUF_INIT;
	char *path = test_file("nohosts.yaml");
	json_t *hosts = NULL;

	cr_assert(test_write_file(path, "host: x\n", 8));
	cr_assert_lt(analyze_load_case_file(path, &hosts, &err), 0);
	cr_assert_not_null(strstr(err.buf, "wants an object \"hosts\""), "%s", err.buf);
	strbuf_release(&err);
}

/* An evidence directory's case.yaml dates and places undated evidence: the evidence block's date
 * and host, and the zone of that host's entry. */
Test(casefile, the_case_file_dates_undated_evidence)
{
	static const char trace[] =
		"500 10:00:00.000001 execve(\"/bin/sh\", [\"sh\", \"-c\", \"id\"], 0x7ffd /* 2 vars */) = 0\n";
	static const char case_yaml[] =
		"hosts:\n"
		"  web-1:\n"
		"    instance_id: i-0abc\n"
		"    tz: \"+02:00\"\n"
		"evidence:\n"
		"  date: 2026-11-20\n"
		"  host: web-1\n";
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	char *dir = test_file("handed"), *outdir = test_file("out");

	cr_assert_eq(test_sh(NULL, "mkdir -p '%s'", dir), 0);
	strbuf_addf(&path, "%s/web.trace", dir);
	cr_assert(test_write_file(path.buf, trace, sizeof(trace) - 1));
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/case.yaml", dir);
	cr_assert(test_write_file(path.buf, case_yaml, sizeof(case_yaml) - 1));
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.backsightignore", dir);
	cr_assert(test_write_file(path.buf, "case.yaml\n", 10));
	cr_assert_eq(test_run(&out, &err, "investigate", "-o", outdir, dir, NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "case file: "), "%s", out.buf);
	/* 10:00 at +02:00 on the 20th is 08:00Z */
	cr_expect_not_null(strstr(out.buf, "web.trace: strace, 1 events, 0 skipped, 2026-11-20T08:00:00.000001000Z"), "%s",
			   out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
}
