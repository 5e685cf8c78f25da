/* test-samples: the reference incident in samples/, end to end — what a user sees first.
 *
 * samples/generate.py writes the incident in every native evidence format; these tests check
 * that the committed files are exactly what it writes, that the real tools read them (tcpdump,
 * tshark, ausearch, sysdig, each when installed), and that `backsight investigate` on them
 * gives what samples/expected/investigate.json says: the exit status, the ledger (every file
 * imported, nothing skipped), events per source, the findings with their types and counts,
 * the alerts per rule, the correlation chain (the key recovered from the capture and its
 * CloudTrail calls from the outside address), the headline, the coverage statement and the
 * CloudTrail digest check (hashes and RSA signatures). The observed document is built from the case database with SQL, so
 * a change in what backsight finds shows as a readable JSON diff. After a deliberate change
 * (new rules, a new importer field), rewrite the expectation by running this suite with
 * BACKSIGHT_UPDATE_EXPECTED=1 set, and review `git diff samples/expected` (samples/README.md
 * has the command line).
 *
 * The same run twice gives byte-identical outputs (with SOURCE_DATE_EPOCH fixing the times the
 * case records); report.html renders in headless Chromium without a script error; the secret
 * key and session token of the captured credential response are in no output; and the case,
 * sealed with its evidence, reproduces.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define HOST "ip-10-0-1-23.eu-west-1.compute.internal"

static char *samples_path(const char *rel)
{
	char *p = test_keep(malloc(4096));
	snprintf(p, 4096, "%s/samples/%s", test_source_root(), rel);
	return p;
}

/* `backsight investigate` on the samples, as the README's quick start runs it: the directory's
 * case.yaml is the case file (hosts, and the evidence's date and host), its .backsightignore
 * keeps the story, the generator and the expectations out of the import. */
static int investigate(const char *outdir, struct strbuf *out, struct strbuf *err)
{
	return test_run(out, err, "investigate", "-q", "-o", outdir, samples_path(""), NULL);
}

/* Every row of a query as an object keyed by column name; text values that start with the
 * source tree's path lose it, so the document does not depend on where the tree is. */
static json_t *rows(sqlite3 *h, const char *sql)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	size_t rootlen = strlen(test_source_root());

	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			json_t *v;
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				v = json_integer(sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				v = json_real(sqlite3_column_double(st, i));
				break;
			case SQLITE_NULL:
				v = json_null();
				break;
			default: {
				const char *s = (const char *)sqlite3_column_text(st, i);
				if (!strncmp(s, test_source_root(), rootlen) && s[rootlen] == '/')
					s += rootlen + 1;
				v = json_string(s);
				break;
			}
			}
			json_object_set_new(o, sqlite3_column_name(st, i), v);
		}
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

static const char *line_after(const char *text, const char *label, char *buf, size_t size)
{
	const char *p = strstr(text, label);
	if (!p)
		return "";
	p += strlen(label);
	while (*p == ' ')
		p++;
	snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

/* What the run gave, as the expectation file holds it. */
static json_t *observed(const char *outdir, int rc, const char *summary)
{
	char db[4200], buf[4096];
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_t *doc = json_object(), *detect;
	sqlite3 *h;

	snprintf(db, sizeof(db), "%s/case.db", outdir);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	json_object_set_new(doc, "exit_status", json_integer(rc));
	json_object_set_new(doc, "evidence",
			    rows(h, "SELECT name, format, status, events, skipped, assumptions FROM evidence ORDER BY name"));
	json_object_set_new(doc, "events_per_source",
			    rows(h, "SELECT source, count(*) AS events FROM events GROUP BY source ORDER BY source"));
	json_object_set_new(
		doc, "findings",
		rows(h, "SELECT f.type, f.severity, f.count, f.title, f.resource,"
			" strftime('%Y-%m-%dT%H:%M:%SZ', f.first_seen / 1000000000, 'unixepoch') AS first_seen,"
			" (SELECT group_concat(fmt, ',') FROM (SELECT DISTINCT ev.format AS fmt FROM finding_alerts fa"
			"   JOIN alerts a ON a.id = fa.alert_id JOIN events e ON e.id = a.event_id"
			"   JOIN evidence ev ON ev.id = e.evidence_id WHERE fa.finding_id = f.id ORDER BY fmt)) AS from_formats"
			" FROM findings f ORDER BY f.severity DESC, f.type, f.first_seen, from_formats, f.resource, f.finding_id"));
	json_object_set_new(doc, "alerts_per_rule",
			    rows(h, "SELECT rule, count(*) AS alerts FROM alerts GROUP BY rule ORDER BY rule"));
	json_object_set_new(doc, "headline", json_string(line_after(summary, "headline\n", buf, sizeof(buf))));
	json_object_set_new(
		doc, "stolen_key_recovered_from",
		rows(h, "SELECT DISTINCT c.key, e.source, e.type, ev.format, e.summary FROM correlations c"
			" JOIN events e ON e.id = c.event_id JOIN evidence ev ON ev.id = e.evidence_id"
			" WHERE c.kind = 'access_key' ORDER BY c.key, e.ts"));
	json_object_set_new(
		doc, "calls_from_outside",
		rows(h, "SELECT c.key AS source_ip, ct.type AS call, ct.access_key_id,"
			" strftime('%Y-%m-%dT%H:%M:%SZ', ct.ts / 1000000000, 'unixepoch') AS at, ct.result"
			" FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
			" WHERE c.kind = 'source_ip' ORDER BY ct.ts, ct.id"));
	json_object_set_new(doc, "correlations",
			    rows(h, "SELECT kind, key, count(*) AS links FROM correlations GROUP BY kind, key"
				    " ORDER BY kind, key"));
	/* the coverage statement detect recorded, and the rule files by name */
	detect = rows(h, "SELECT inputs FROM runs WHERE kind = 'detect' ORDER BY id LIMIT 1");
	cr_assert_eq(json_array_size(detect), 1);
	{
		json_t *in = json_loads(json_string_value(json_object_get(json_array_get(detect, 0), "inputs")), 0, NULL);
		json_t *cov = json_object(), *names = json_array(), *r;
		size_t i;
		cr_assert_not_null(in);
		json_array_foreach(json_object_get(in, "rules"), i, r) {
			const char *p = json_string_value(json_object_get(r, "path"));
			json_array_append_new(names, json_string(strrchr(p, '/') ? strrchr(p, '/') + 1 : p));
		}
		json_object_set_new(cov, "rule_files", names);
		json_object_set(cov, "engine_version", json_object_get(in, "engine_version"));
		json_object_set(cov, "could_not_run", json_object_get(in, "coverage"));
		json_object_set_new(doc, "coverage", cov);
		json_decref(in);
	}
	json_decref(detect);
	sqlite3_close(h);
	/* the CloudTrail files against their digest */
	int vrc = test_run(&out, &err, "verify-trail", "--public-key", samples_path("trail/public-keys.json"), "--signatures",
			   samples_path("trail/digest-signatures.txt"), db, NULL);
	/* its last line: "N digest(s): N log file(s) ok, ..." */
	strbuf_setlen(&out, out.len && out.buf[out.len - 1] == '\n' ? out.len - 1 : out.len);
	json_object_set_new(doc, "verify_trail",
			    json_pack("{s:i,s:s}", "exit_status", vrc, "summary",
				      strrchr(out.buf, '\n') ? strrchr(out.buf, '\n') + 1 : out.buf));
	strbuf_release(&out);
	strbuf_release(&err);
	return doc;
}

/* The captured connections of the attack, each with the process the host evidence shows made it
 * (`query connection-processes`): address, ports, then pid and name. */
static void check_connection_processes(const char *outdir)
{
	static const char *const made_by[] = {
		"\"10.0.1.87\",46122,\"198.51.100.7\",4444,4249,\"kworker\"", /* the reverse shell */
		"\"169.254.172.2\",51822,\"169.254.170.2\",80,4305,\"curl\"", /* the stolen task credentials */
		"\"10.0.1.87\",36402,\"192.0.2.77\",443,4333,\"xmrig\"",     /* the miner's pool */
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char db[4200], id[32];

	snprintf(db, sizeof(db), "%s/case.db", outdir);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", db, "connection-processes", NULL), 0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(made_by) / sizeof(made_by[0]); i++)
		cr_expect_not_null(strstr(out.buf, made_by[i]), "no connection %s in\n%s", made_by[i], out.buf);
	/* `show` of the reverse shell's connection names the process too */
	const char *row = strstr(out.buf, made_by[0]);
	cr_assert_not_null(row);
	while (row > out.buf && row[-1] != '\n')
		row--;
	snprintf(id, sizeof(id), "%lld", strtoll(row, NULL, 10));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "show", db, id, NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "connect by pid 4249 kworker)\n  process          4249 "), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(samples, investigate_gives_the_expected_findings_and_chain, .timeout = 300)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT;
	char *outdir = test_file("out"), *expected = samples_path("expected/investigate.json");
	int rc = investigate(outdir, &out, &err);
	json_t *doc = observed(outdir, rc, out.buf);
	char *got = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	size_t n = strlen(got);

	got = realloc(got, n + 2);
	cr_assert_not_null(got);
	got[n] = '\n';
	got[n + 1] = '\0';
	if (getenv("BACKSIGHT_UPDATE_EXPECTED")) {
		cr_assert(test_write_file(expected, got, strlen(got)), "cannot write %s", expected);
		cr_log_warn("rewrote %s: review it with git diff", expected);
	} else {
		cr_assert(test_read_file(expected, &want), "%s is missing", expected);
		if (strcmp(want.buf, got)) {
			char *path = test_file("investigate.observed.json");
			test_write_file(path, got, strlen(got));
			cr_assert_fail("the samples gave something else than %s: diff it with %s\n(stderr of investigate: %s)\n"
				       "after a deliberate change, rewrite it with BACKSIGHT_UPDATE_EXPECTED=1 and review the diff",
				       expected, path, err.buf);
		}
	}
	/* what must hold whatever the rule set: the run is clean and the chain is there */
	cr_assert_eq(rc, 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "credentials ASIAQNZGKEXAMPLE7STL fetched by pid 4305 curl in task "
					   "0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f on " HOST " at 2026-11-23T02:24:05"),
			   "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "-> used from 203.0.113.50 at 2026-11-23T02:38:12"), "%s", out.buf);
	check_connection_processes(outdir);
	free(got);
	json_decref(doc);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&want);
}

/* The credential response in the capture carries a secret key and a session token: no output
 * holds them (the key id is kept). */
Test(samples, the_stolen_secret_is_in_no_output, .timeout = 300)
{
	static const char *const files[] = { "report.html", "report.md", "findings.json", "timeline.jsonl" };
	static const char *const fields[] = { "\"SecretAccessKey\": \"", "\"Token\": \"" };
	struct strbuf cap = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	char *outdir = test_file("secret"), db[4200];
	char secrets[2][64];

	cr_assert(test_read_file(samples_path("evidence/network/ecs-bridge.pcapng"), &cap));
	for (size_t i = 0; i < 2; i++) {
		const char *p = memmem(cap.buf, cap.len, fields[i], strlen(fields[i]));
		cr_assert_not_null(p, "no %s in the capture", fields[i]);
		p += strlen(fields[i]);
		snprintf(secrets[i], sizeof(secrets[i]), "%.40s", p); /* 40 characters are plenty to recognise it */
		cr_assert_eq(strlen(secrets[i]), 40);
	}
	cr_assert_eq(investigate(outdir, &out, &err), 0, "%s", err.buf);
	snprintf(db, sizeof(db), "%s/case.db", outdir);
	/* the reports, and what the case database gives back */
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]) + 3; f++) {
		struct strbuf text = STRBUF_INIT;
		char path[4200];
		const char *what;
		if (f < sizeof(files) / sizeof(files[0])) {
			what = files[f];
			snprintf(path, sizeof(path), "%s/%s", outdir, files[f]);
			cr_assert(test_read_file(path, &text));
		} else if (f == sizeof(files) / sizeof(files[0])) {
			what = "report -F json";
			cr_assert_eq(test_run(&text, &err, "report", "-F", "json", db, NULL), 0, "%s", err.buf);
		} else if (f == sizeof(files) / sizeof(files[0]) + 1) {
			what = "timeline -F jsonl";
			cr_assert_eq(test_run(&text, &err, "timeline", "-F", "jsonl", db, NULL), 0, "%s", err.buf);
		} else {
			what = "show of the credential event";
			cr_assert_eq(test_run(&text, &err, "query", db, "--sql",
					      "SELECT id FROM events WHERE type = 'http' AND access_key_id IS NOT NULL", NULL),
				     0, "%s", err.buf);
			char id[32];
			snprintf(id, sizeof(id), "%lld", strtoll(text.buf + strcspn(text.buf, "0123456789"), NULL, 10));
			strbuf_reset(&text);
			cr_assert_eq(test_run(&text, &err, "show", db, id, NULL), 0, "%s", err.buf);
			cr_assert_not_null(strstr(text.buf, "ASIAQNZGKEXAMPLE7STL"), "the key id is kept: %s", text.buf);
		}
		for (size_t i = 0; i < 2; i++)
			cr_assert_null(memmem(text.buf, text.len, secrets[i], strlen(secrets[i])), "%s holds the %s", what,
				       i ? "session token" : "secret key");
		strbuf_release(&text);
	}
	strbuf_release(&cap);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* Two runs give byte-identical outputs. The times a case records (imports, runs) are the wall
 * clock's unless SOURCE_DATE_EPOCH fixes them, the reproducible-builds convention. */
Test(samples, the_same_run_twice_gives_the_same_outputs, .timeout = 300)
{
	static const char *const outputs[] = { "findings.json", "timeline.jsonl", "report.html", "report.md" };
	char *outdir = test_file("same"), *first = test_file("same.first"), path1[4200], path2[4200];
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, mv = STRBUF_INIT;

	setenv("SOURCE_DATE_EPOCH", "1795400000", 1);
	/* the same output directory both times: the command line is part of the method appendix */
	cr_assert_eq(investigate(outdir, &out, &err), 0, "%s", err.buf);
	cr_assert_eq(test_sh(&mv, "mv '%s' '%s'", outdir, first), 0);
	cr_assert_eq(investigate(outdir, &out, &err), 0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		snprintf(path1, sizeof(path1), "%s/%s", first, outputs[i]);
		snprintf(path2, sizeof(path2), "%s/%s", outdir, outputs[i]);
		cr_assert(test_read_file(path1, &a) && test_read_file(path2, &b));
		cr_assert(a.len > 0);
		cr_assert(a.len == b.len && !memcmp(a.buf, b.buf, a.len), "%s differs between two runs", outputs[i]);
		strbuf_release(&a);
		strbuf_release(&b);
	}
	snprintf(path2, sizeof(path2), "%s/report.md", outdir);
	strbuf_reset(&out);
	cr_assert(test_read_file(path2, &out));
	cr_assert_not_null(strstr(out.buf, "2026-11-23T02:13:20.000000000Z"), "the recorded times are the fixed ones");
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&mv);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(samples, the_report_renders_in_chromium, .timeout = 300)
{
	struct strbuf which = STRBUF_INIT, dom = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, log = STRBUF_INIT;
	char *outdir = test_file("chromium"), page[4200];

	if (test_sh(&which, "command -v chromium || command -v chromium-browser") != 0) {
		strbuf_release(&which);
		cr_skip_test("chromium is not installed (apt-get install -y chromium): headless rendering check skipped");
	}
	strbuf_setlen(&which, strcspn(which.buf, "\n"));
	cr_assert_eq(investigate(outdir, &out, &err), 0, "%s", err.buf);
	snprintf(page, sizeof(page), "%s/report.html", outdir);
	cr_assert_eq(test_sh(&dom,
			     "'%s' --headless --no-sandbox --disable-gpu --disable-background-networking "
			     "--virtual-time-budget=5000 --user-data-dir='%s' --enable-logging=stderr --v=0 "
			     "--dump-dom 'file://%s' 2>'%s'",
			     which.buf, test_file("chromium-profile"), page, test_file("chromium.log")),
		     0);
	cr_assert(test_read_file(test_file("chromium.log"), &log));
	cr_assert_null(strstr(log.buf, "Uncaught"), "script error:\n%s", log.buf);
	cr_assert_null(strstr(log.buf, "Content Security Policy"), "%s", log.buf);
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"ok\""), "report.js did not finish");
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"timeline\""), "the timeline did not draw");
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"histogram\""), "the histogram did not draw");
	cr_assert_gt(count(dom.buf, "class=\"vis-item "), 10, "the timeline shows the incident's events");
	cr_assert_not_null(strstr(dom.buf, "ASIAQNZGKEXAMPLE7STL"), "the stolen key is on the page");
	cr_assert_not_null(strstr(dom.buf, "203.0.113.50"));
	strbuf_release(&which);
	strbuf_release(&dom);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&log);
}

/* Issue 10's acceptance: the samples' case sealed with its evidence verifies, and --reproduce
 * (import again with the recorded options, the analysis made again with the bag's rules) gives
 * the same ledger, timeline, findings and report. */
Test(samples, the_package_of_the_samples_reproduces, .timeout = 300)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *outdir = test_file("sealed"), *bag = test_file("sealed.bag"), db[4200];

	cr_assert_eq(investigate(outdir, &out, &err), 0, "%s", err.buf);
	snprintf(db, sizeof(db), "%s/case.db", outdir);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", db, "-o", bag, NULL), 0, "%s", err.buf);
	/* the CloudTrail digest check is in the bag */
	strbuf_reset(&out);
	snprintf(db, sizeof(db), "%s/data/report/cloudtrail-digests.txt", bag);
	cr_assert(test_read_file(db, &out));
	cr_expect_not_null(strstr(out.buf, " 0 altered, 0 missing, 0 chain link(s) broken"), "%s", out.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", bag, NULL), 0, "%s%s", out.buf, err.buf);
	cr_expect_not_null(strstr(out.buf, "evidence file(s) re-imported; ledger and timeline identical"),
			   "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "findings, OCSF, coverage and report identical to the bag's"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* The committed evidence is what the generator writes (Python 3 standard library, no network).
 * Compressed files are compared by content: another zlib may deflate the same bytes differently. */
Test(samples, the_generator_writes_the_committed_files, .timeout = 120)
{
	struct strbuf out = STRBUF_INIT;
	char *dir = test_file("generated");

	if (test_sh(&out, "command -v python3") != 0)
		cr_skip_test("python3 is not installed: the generator check is skipped");
	strbuf_reset(&out);
	cr_assert_eq(test_sh(&out, "python3 '%s' '%s' 2>&1", samples_path("generate.py"), dir), 0, "%s", out.buf);
	strbuf_reset(&out);
	setenv("GENERATED", dir, 1);
	setenv("SAMPLES", test_source_root(), 1);
	cr_assert_eq(test_sh(&out, "%s",
			     "cd \"$GENERATED\" || exit 1\n"
			     "(cd \"$SAMPLES/samples\" && find evidence trail case.yaml -type f | sort) > \"$GENERATED.committed\"\n"
			     "find evidence trail case.yaml -type f | sort > \"$GENERATED.generated\"\n"
			     "cmp -s \"$GENERATED.committed\" \"$GENERATED.generated\" || echo 'the lists of files differ'\n"
			     "while read -r f; do\n"
			     "  if [ \"${f%.gz}\" != \"$f\" ]; then\n"
			     "    zcat \"$f\" > \"$GENERATED.a\"; zcat \"$SAMPLES/samples/$f\" > \"$GENERATED.b\"\n"
			     "    cmp -s \"$GENERATED.a\" \"$GENERATED.b\" || echo \"$f\"\n"
			     "  else\n"
			     "    cmp -s \"$f\" \"$SAMPLES/samples/$f\" || echo \"$f\"\n"
			     "  fi\n"
			     "done < \"$GENERATED.generated\"\n"),
		     0);
	cr_assert_eq(out.len, 0, "samples/ is not what samples/generate.py writes (run it and commit the result):\n%s",
		     out.buf);
	strbuf_release(&out);
}

/* The real tools read the evidence: each is an oracle for its format, skipped when missing. */
Test(samples, the_real_tools_read_the_evidence, .timeout = 300)
{
	static const struct {
		const char *tool, *cmd;
		int min_lines;
	} oracles[] = {
		{ "tcpdump", "tcpdump -nr \"$SAMPLES\"/network/task-eni-eth1.pcap 2>/dev/null | grep -c '198.51.100.7.4444'", 20 },
		{ "tshark", "tshark -r \"$SAMPLES\"/network/ecs-bridge.pcapng -Y http.response -T fields -e http.file_data 2>/dev/null"
			    " | grep -c ASIAQNZGKEXAMPLE7STL", 1 },
		{ "ausearch", "ausearch -if \"$SAMPLES\"/host/audit.log -k webroot -i 2>&1 | grep -c 'type=SYSCALL'", 2 },
		{ "sysdig", "sysdig -r \"$SAMPLES\"/host/ir-20261123-0222.scap 'proc.name=xmrig and evt.type=execve' 2>&1 | grep -c xmrig",
		  1 },
		{ "zcat", "zcat \"$SAMPLES\"/cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/23/*.json.gz"
			  " | grep -o '\"eventName\":\"StopLogging\"' | wc -l", 1 },
	};
	size_t ran = 0;

	setenv("SAMPLES", samples_path("evidence"), 1);
	for (size_t i = 0; i < sizeof(oracles) / sizeof(oracles[0]); i++) {
		struct strbuf out = STRBUF_INIT;
		if (test_sh(&out, "command -v %s", oracles[i].tool) != 0) {
			cr_log_warn("%s is not installed: its check of the samples is skipped", oracles[i].tool);
			strbuf_release(&out);
			continue;
		}
		strbuf_reset(&out);
		test_sh(&out, "%s", oracles[i].cmd);
		cr_assert_geq(atoi(out.buf), oracles[i].min_lines, "%s read %s matching lines", oracles[i].tool, out.buf);
		ran++;
		strbuf_release(&out);
	}
	if (!ran)
		cr_skip_test("none of tcpdump, tshark, ausearch, sysdig, zcat is installed");
}
