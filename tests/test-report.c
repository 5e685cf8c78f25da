/* test-report: findings, CloudTrail correlation and the reports, as a responder checks them —
 * how alerts aggregate (counts, windows, stable ids), which CloudTrail calls a stolen key
 * leads to and why, that every output format parses and is byte-identical across runs, and
 * that attacker-controlled evidence cannot inject markup into the HTML report (checked in the
 * page text and, when chromium is installed, in the DOM a headless browser renders).
 *
 * Cases are built as a user would: timeline JSONL evidence imported with `backsight import`,
 * then `alerts` rows inserted with SQL exactly as `backsight detect` writes them. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "casedb.h"
#include "correlate.h"
#include "findings.h"
#include "testutil.h"

#define T0 1795317289000000000LL /* 2026-11-22T03:14:49Z */
#define SEC 1000000000LL

/* Write evidence lines to NAME in the test directory and import them (in order) into DB. */
static char *import_case(const char *db_name, const char *const *files, const char *const *texts, size_t n)
{
	char *db = test_file(db_name);
	const char *args[16] = { "import", "-q", db };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	size_t k = 3;

	for (size_t i = 0; i < n; i++) {
		char *p = test_file(files[i]);
		cr_assert(test_write_file(p, texts[i], strlen(texts[i])));
		args[k++] = p;
	}
	cr_assert_eq(test_run(&out, &err, args[0], args[1], args[2], k > 3 ? args[3] : NULL, k > 4 ? args[4] : NULL,
			      k > 5 ? args[5] : NULL, NULL),
		     0, "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	return db;
}

static void sql(const char *db, const char *text)
{
	struct casedb *cdb;
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(casedb_open(db, CASEDB_WRITE, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(casedb_exec(cdb, text, &err), 0, "%s", err.buf);
	casedb_free(cdb);
	strbuf_release(&err);
}

/* What `backsight detect` would have written: one detect run, alerts for the events whose
 * summary matches a LIKE pattern. */
static void add_alerts(const char *db, const char *rule, const char *priority, const char *tags, const char *like)
{
	struct strbuf s = STRBUF_INIT;

	strbuf_addf(&s,
		    "INSERT INTO runs (id, kind, tool_version, command_line, started, finished, status)"
		    " SELECT 1, 'detect', '0.1.0', 'backsight detect case.db', '2026-11-22T04:00:00Z',"
		    " '2026-11-22T04:00:01Z', 'complete' WHERE NOT EXISTS (SELECT 1 FROM runs WHERE id = 1);"
		    "INSERT INTO alerts (run_id, rule, priority, source, event_id, ts, output, output_fields, tags)"
		    " SELECT 1, '%s', '%s', source, id, ts, '%s: ' || summary,"
		    " json_object('proc.name', proc_name, 'evt.type', type), '%s'"
		    " FROM events WHERE summary LIKE '%s' ORDER BY ts, id;",
		    rule, priority, rule, tags, like);
	sql(db, s.buf);
	strbuf_release(&s);
}

static int aggregate(const char *db, int64_t window, bool per_event)
{
	struct casedb *cdb;
	struct strbuf err = STRBUF_INIT;
	struct finding_options o;
	struct analyze_result res;

	finding_options_init(&o);
	if (window)
		o.window_ns = window;
	o.per_event = per_event;
	cr_assert_eq(casedb_open(db, CASEDB_WRITE, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(analyze_case(cdb, &o, 0, NULL, &res, &err), 0, "%s", err.buf);
	casedb_free(cdb);
	strbuf_release(&err);
	return res.findings;
}

/* Rows of a query, one line each, columns joined by '|'. */
static char *query(const char *db, const char *text)
{
	struct casedb *cdb;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	sqlite3_stmt *st;

	cr_assert_eq(casedb_open(db, CASEDB_READ, &cdb, &err), 0, "%s", err.buf);
	cr_assert_eq(casedb_prepare(cdb, text, &st, &err), 0, "%s", err.buf);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *t = sqlite3_column_text(st, i);
			strbuf_addf(&out, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
		}
		strbuf_addch(&out, '\n');
	}
	sqlite3_finalize(st);
	casedb_free(cdb);
	strbuf_release(&err);
	return test_keep(strbuf_detach(&out, NULL));
}

/* ------------------------------------------------------------------------------------------ */
/* findings */

#define EXEC(t, host, pid, what)                                                                      \
	"{\"ts_ns\":" #t ",\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"" host \
	"\",\"pid\":" #pid ",\"ppid\":1,\"exe\":\"/usr/bin/nc\",\"proc_name\":\"nc\",\"summary\":\"" what "\"}\n"

/* web-1 runs nc at +0, +60, +200 and +400 s; web-2 at +10 s. */
static const char shells_a[] = EXEC(1795317289000000000, "web-1", 100, "shell one")
	EXEC(1795317349000000000, "web-1", 101, "shell two") EXEC(1795317489000000000, "web-1", 102, "shell three");
static const char shells_b[] = EXEC(1795317299000000000, "web-2", 200, "shell on web-2")
	EXEC(1795317689000000000, "web-1", 103, "shell four");

static char *shells_case(const char *name, bool reversed)
{
	const char *files[] = { "a.jsonl", "b.jsonl" }, *texts[] = { shells_a, shells_b };
	const char *rfiles[] = { "b.jsonl", "a.jsonl" }, *rtexts[] = { shells_b, shells_a };
	char *db = import_case(name, reversed ? rfiles : files, reversed ? rtexts : texts, 2);

	add_alerts(db, "Reverse shell", "Critical", "[\"guardduty:Execution:Runtime/ReverseShell\",\"mitre_execution\",\"T1059.004\"]",
		   "shell%");
	add_alerts(db, "Netcat run", "Notice", "[\"severity:9\",\"mitre_command_and_control\"]", "shell one");
	return db;
}

struct agg_case {
	int64_t window;
	bool per_event;
	const char *want; /* type|resource|count rows in finding order */
};

Test(report, findings_aggregate_by_type_resource_and_window)
{
	static const struct agg_case cases[] = {
		{ 0, false,
		  "Execution:Runtime/ReverseShell|Instance:web-1|3\nNetcat run|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-2|1\nExecution:Runtime/ReverseShell|Instance:web-1|1\n" },
		{ 3600 * SEC, false,
		  "Execution:Runtime/ReverseShell|Instance:web-1|4\nNetcat run|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-2|1\n" },
		{ 30 * SEC, false,
		  "Execution:Runtime/ReverseShell|Instance:web-1|1\nNetcat run|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-2|1\nExecution:Runtime/ReverseShell|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-1|1\nExecution:Runtime/ReverseShell|Instance:web-1|1\n" },
		{ 0, true,
		  "Execution:Runtime/ReverseShell|Instance:web-1|1\nNetcat run|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-2|1\nExecution:Runtime/ReverseShell|Instance:web-1|1\n"
		  "Execution:Runtime/ReverseShell|Instance:web-1|1\nExecution:Runtime/ReverseShell|Instance:web-1|1\n" },
	};
	char *db = shells_case("case.db", false);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aggregate(db, cases[i].window, cases[i].per_event);
		char *got = query(db, "SELECT type, resource, count FROM findings ORDER BY first_seen, id");
		cr_assert_str_eq(got, cases[i].want, "case %zu:\n%s", i, got);
	}
	/* the default window: first and last seen, severities and their labels, ATT&CK */
	aggregate(db, 0, false);
	char *got = query(db, "SELECT bs_rfc3339(first_seen), bs_rfc3339(last_seen), severity,"
			      " json_extract(detail, '$.severity_label'), json_extract(detail, '$.mitre.tactics[0].name'),"
			      " json_extract(detail, '$.mitre.techniques[0]'), json_array_length(detail, '$.evidence')"
			      " FROM findings ORDER BY first_seen, id LIMIT 2");
	cr_assert_str_eq(got,
			 "2026-11-22T03:14:49.000000000Z|2026-11-22T03:18:09.000000000Z|8.0|High|Execution|T1059.004|3\n"
			 "2026-11-22T03:14:49.000000000Z|2026-11-22T03:14:49.000000000Z|9.0|Critical|Command and Control|NULL|1\n",
			 "%s", got);
	/* every alert belongs to exactly one finding */
	cr_assert_str_eq(query(db, "SELECT count(*), count(DISTINCT alert_id) FROM finding_alerts"), "6|6\n");
}

Test(report, finding_ids_are_stable)
{
	char *a = shells_case("a.db", false), *b = shells_case("b.db", true);
	static const char ids[] = "SELECT finding_id, type, count FROM findings ORDER BY finding_id";

	aggregate(a, 0, false);
	char *first = query(a, ids);
	aggregate(a, 0, false);
	cr_assert_str_eq(query(a, ids), first, "re-running the aggregation keeps the ids");
	aggregate(b, 0, false);
	cr_assert_str_eq(query(b, ids), first, "importing the files in the other order keeps the ids");
	cr_assert_str_neq(query(b, "SELECT group_concat(event_id) FROM (SELECT event_id FROM alerts ORDER BY id)"),
			  query(a, "SELECT group_concat(event_id) FROM (SELECT event_id FROM alerts ORDER BY id)"),
			  "the event ids did differ");
	/* 32 lower-case hex digits, as GuardDuty's */
	char *one = query(a, "SELECT finding_id FROM findings LIMIT 1");
	cr_assert_eq(strspn(one, "0123456789abcdef"), 32, "%s", one);
}

Test(report, finding_process_lineage_from_events)
{
	static const char ev[] =
		"{\"ts_ns\":1795317289000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"h\","
		"\"pid\":10,\"ppid\":1,\"exe\":\"/usr/sbin/php-fpm\",\"proc_name\":\"php-fpm\",\"cmdline\":\"php-fpm: pool www\","
		"\"summary\":\"php\"}\n"
		"{\"ts_ns\":1795317290000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"h\","
		"\"pid\":20,\"ppid\":10,\"exe\":\"/bin/sh\",\"proc_name\":\"sh\",\"cmdline\":\"sh -c curl x|sh\",\"summary\":\"sh\"}\n"
		"{\"ts_ns\":1795317291000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"h\","
		"\"pid\":30,\"ppid\":20,\"exe\":\"/usr/bin/curl\",\"proc_name\":\"curl\",\"cmdline\":\"curl x\",\"summary\":\"curl\"}\n";
	const char *files[] = { "p.jsonl" }, *texts[] = { ev };
	char *db = import_case("case.db", files, texts, 1);

	add_alerts(db, "Download", "Warning", "[]", "curl");
	aggregate(db, 0, false);
	cr_assert_str_eq(query(db, "SELECT json_extract(detail, '$.process.pid'), json_extract(detail, '$.process.lineage[0].name'),"
				   " json_extract(detail, '$.process.lineage[1].cmdline'), json_array_length(detail, '$.process.lineage'),"
				   " severity FROM findings"),
			 "30|sh|php-fpm: pool www|3|5.0\n");
}

/* ------------------------------------------------------------------------------------------ */
/* correlation */

static const char stolen[] =
	/* the key leaves the instance metadata service in a capture on web-1 */
	"{\"ts_ns\":1795317289000000000,\"ts_precision\":1000,\"source\":\"network\",\"type\":\"http\",\"host\":\"web-1\","
	"\"src_ip\":\"10.0.0.5\",\"src_port\":40000,\"dst_ip\":\"169.254.169.254\",\"dst_port\":80,"
	"\"access_key_id\":\"ASIAEXAMPLESTOLEN001\",\"summary\":\"GET /latest/meta-data/iam/security-credentials/web 200\"}\n"
	/* a second key in a process's environment, used with the CLI on the host */
	"{\"ts_ns\":1795317290000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"web-1\","
	"\"pid\":4242,\"proc_name\":\"aws\",\"exe\":\"/usr/local/bin/aws\","
	"\"cmdline\":\"env AWS_ACCESS_KEY_ID=AKIAEXAMPLECLI000002 aws s3 ls\",\"summary\":\"execve aws s3 ls\"}\n"
	"{\"ts_ns\":1795317291000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"connect\",\"host\":\"web-1\","
	"\"pid\":4242,\"src_ip\":\"10.0.0.5\",\"dst_ip\":\"52.216.1.1\",\"dst_port\":443,\"summary\":\"connect s3\"}\n";
static const char trail[] =
	"{\"ts_ns\":1795317300000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"ListBuckets\","
	"\"host\":\"111122223333\",\"access_key_id\":\"ASIAEXAMPLESTOLEN001\",\"src_ip\":\"10.0.0.5\","
	"\"principal\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc123\",\"summary\":\"ListBuckets inside\"}\n"
	"{\"ts_ns\":1795317400000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"CreateUser\","
	"\"host\":\"111122223333\",\"access_key_id\":\"ASIAEXAMPLESTOLEN001\",\"src_ip\":\"203.0.113.50\","
	"\"user_agent\":\"aws-cli/2.15.0\",\"principal\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc123\","
	"\"summary\":\"CreateUser outside\"}\n"
	"{\"ts_ns\":1795317500000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"StopLogging\","
	"\"host\":\"111122223333\",\"access_key_id\":\"ASIAEXAMPLESTOLEN001\",\"src_ip\":\"203.0.113.50\","
	"\"principal\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc123\",\"summary\":\"StopLogging outside\"}\n"
	"{\"ts_ns\":1795317295000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"ListBuckets\","
	"\"host\":\"111122223333\",\"access_key_id\":\"AKIAEXAMPLECLI000002\",\"src_ip\":\"10.0.0.5\","
	"\"user_agent\":\"aws-cli/2.15.0 Python/3.11\",\"summary\":\"ListBuckets by the cli key\"}\n"
	"{\"ts_ns\":1795317600000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"DescribeInstances\","
	"\"host\":\"111122223333\",\"access_key_id\":\"ASIAEXAMPLEROTATED03\",\"src_ip\":\"10.0.0.5\","
	"\"principal\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc123\",\"summary\":\"the next key of the session\"}\n"
	"{\"ts_ns\":1795317700000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"GetObject\","
	"\"host\":\"111122223333\",\"access_key_id\":\"AKIAUNRELATED0000004\",\"src_ip\":\"198.51.100.9\","
	"\"summary\":\"someone else\"}\n";

static char *stolen_case(void)
{
	const char *files[] = { "host.jsonl", "trail.jsonl" }, *texts[] = { stolen, trail };
	char *db = import_case("case.db", files, texts, 2);
	add_alerts(db, "Contact EC2 Instance Metadata Service From Container", "Notice",
		   "[\"mitre_credential_access\",\"T1552.005\"]", "GET /latest/meta-data%");
	return db;
}

Test(report, correlation_follows_a_stolen_key_to_its_cloudtrail_calls)
{
	char *db = stolen_case();
	aggregate(db, 0, false);

	char *got = query(db, "SELECT c.kind, c.key, ct.type, ct.src_ip, c.finding_id IS NOT NULL FROM correlations c"
			      " JOIN events ct ON ct.id = c.ct_event_id ORDER BY ct.ts, c.kind");
	cr_assert_str_eq(got,
			 "access_key|AKIAEXAMPLECLI000002|ListBuckets|10.0.0.5|1\n"
			 "user_agent|aws-cli/2.15.0 Python/3.11|ListBuckets|10.0.0.5|1\n"
			 "access_key|ASIAEXAMPLESTOLEN001|ListBuckets|10.0.0.5|1\n"
			 "access_key|ASIAEXAMPLESTOLEN001|CreateUser|203.0.113.50|1\n"
			 "source_ip|203.0.113.50|CreateUser|203.0.113.50|1\n"
			 "access_key|ASIAEXAMPLESTOLEN001|StopLogging|203.0.113.50|1\n"
			 "source_ip|203.0.113.50|StopLogging|203.0.113.50|1\n"
			 "role_session|i-0abc123|DescribeInstances|10.0.0.5|1\n",
			 "%s", got);
	/* the reasons say where the key came from and why the call is suspicious */
	got = query(db, "SELECT reason FROM correlations WHERE kind = 'source_ip' LIMIT 1");
	cr_assert_str_eq(got, "ASIAEXAMPLESTOLEN001 used from 203.0.113.50, which is none of the workload's addresses (10.0.0.5)\n");
	got = query(db, "SELECT c.reason FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
			" WHERE c.kind = 'access_key' AND ct.type = 'CreateUser'");
	cr_assert_not_null(strstr(got, "recovered from a credential response in network evidence on web-1"), "%s", got);
	cr_assert_not_null(strstr(got, "outside the workload's addresses: 10.0.0.5"), "%s", got);
	got = query(db, "SELECT reason FROM correlations WHERE kind = 'role_session'");
	cr_assert_not_null(strstr(got, "role session i-0abc123 (an EC2 instance id)"), "%s", got);
	got = query(db, "SELECT c.reason FROM correlations c WHERE c.kind = 'access_key' AND c.key = 'AKIAEXAMPLECLI000002'");
	cr_assert_not_null(strstr(got, "from a process's environment or arguments by pid 4242 aws on web-1"), "%s", got);
	cr_assert_eq(strstr(query(db, "SELECT group_concat(key) FROM correlations"), "UNRELATED"), NULL);
}

/* An AssumeRole response only says a key was issued: the chain starts where the workload had it. */
Test(report, the_chain_starts_where_the_workload_had_the_key)
{
	static const char issued[] =
		"{\"ts_ns\":1795317000000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"AssumeRole\","
		"\"host\":\"111122223333\",\"principal\":\"ecs-tasks.amazonaws.com\","
		"\"fields\":{\"ct.response\":{\"credentials\":{\"accessKeyId\":\"ASIAEXAMPLESTOLEN001\"}}},"
		"\"summary\":\"AssumeRole for the task\"}\n";
	const char *files[] = { "issued.jsonl", "host.jsonl", "trail.jsonl" }, *texts[] = { issued, stolen, trail };
	char *db = import_case("issued.db", files, texts, 3), *got;

	aggregate(db, 0, false);
	got = query(db, "SELECT c.reason FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
			" WHERE c.kind = 'access_key' AND ct.type = 'CreateUser'");
	cr_expect_not_null(strstr(got, "recovered from a credential response in network evidence on web-1"), "%s", got);
	cr_expect_null(strstr(got, "AssumeRole"), "%s", got);
}

Test(report, headline_chain_is_data)
{
	char *db = stolen_case();
	struct casedb *cdb;
	struct strbuf err = STRBUF_INIT;
	json_t *h;

	aggregate(db, 0, false);
	cr_assert_eq(casedb_open(db, CASEDB_READ, &cdb, &err), 0, "%s", err.buf);
	h = corr_headline(cdb);
	cr_assert_not_null(h);
	cr_assert_str_eq(json_string_value(json_object_get(h, "key")), "ASIAEXAMPLESTOLEN001");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "recovered"), "host")), "web-1");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(h, "used_from"), 0)), "203.0.113.50");
	cr_assert_str_eq(json_string_value(json_object_get(h, "instance_id")), "i-0abc123");
	cr_assert_eq(json_array_size(json_object_get(h, "apis")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(h, "text")),
			 "credentials ASIAEXAMPLESTOLEN001 fetched on web-1 at 2026-11-22T03:14:49.000000000Z -> used from "
			 "203.0.113.50 at 2026-11-22T03:16:40.000000000Z for CreateUser, StopLogging");
	json_decref(h);
	casedb_free(cdb);
	strbuf_release(&err);
}

Test(report, case_file_names_the_workload)
{
	static const char casefile[] =
		"{\"hosts\": {\"web-1\": {\"instance_id\": \"i-0abc123\","
		" \"task_arn\": \"arn:aws:ecs:eu-west-1:111122223333:task/c1/0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f\","
		" \"addresses\": [\"10.0.0.5\", \"203.0.113.50\"]}}}";
	char *db = stolen_case(), *cf = test_file("case.json");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert(test_write_file(cf, casefile, strlen(casefile)));
	cr_assert_eq(test_run(&out, &err, "analyze", "--case", cf, db, NULL), 0, "%s", err.buf);
	/* 203.0.113.50 is the workload's own (NAT) address now: no source_ip link; the instance's
	 * role session links the rotated key's call without any recovered key */
	cr_assert_str_eq(query(db, "SELECT count(*) FROM correlations WHERE kind = 'source_ip'"), "0\n");
	char *got = query(db, "SELECT c.key, ct.type, c.reason FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
			      " WHERE c.kind = 'role_session' ORDER BY ct.ts");
	cr_assert_not_null(strstr(got, "i-0abc123|DescribeInstances|"), "%s", got);
	cr_assert_str_eq(query(db, "SELECT json_extract(detail, '$.resource.ecs_task_id') FROM findings"),
			 "0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f\n");
	cr_assert_not_null(strstr(query(db, "SELECT inputs FROM runs WHERE kind = 'analyze'"), "i-0abc123"));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "-F", "guardduty", db, NULL), 0, "%s", err.buf);
	json_t *v = json_loads(out.buf, 0, NULL), *res = json_object_get(json_array_get(v, 0), "resource");
	cr_assert_str_eq(json_string_value(json_object_get(res, "resourceType")), "ECSCluster");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(res, "ecsClusterDetails"),
									    "taskDetails"), "arn")),
			 "arn:aws:ecs:eu-west-1:111122223333:task/c1/0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f");
	json_decref(v);
	/* a broken case file is named with its line */
	cr_assert(test_write_file(cf, "{\"hosts\": [", 11));
	cr_assert_eq(test_run(&out, &err, "analyze", "--case", cf, db, NULL), 1);
	cr_assert_not_null(strstr(err.buf, "case.json:1:"), "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* A Kubernetes finding names the workload acted on and who acted, as GuardDuty's kubernetesDetails. */
Test(report, kubernetes_findings_name_the_workload)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	char *dir = test_file("k8s");
	json_t *findings, *k;

	REQUIRE_SHARED();
	strbuf_addf(&path, "%s/corpus/k8s_audit/falco__attach_pod.json", test_shared_dir());
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-o", dir, path.buf, NULL), 0, "%s", err.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/findings.json", dir);
	findings = json_load_file(path.buf, 0, NULL);
	cr_assert(json_array_size(findings) > 0, "the attach into a pod is a finding");
	k = json_object_get(json_object_get(json_array_get(findings, 0), "resource"), "kubernetesDetails");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(k, "kubernetesWorkloadDetails"), "name")),
			 "nginx-deployment-7998647bdf-phvq7");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(k, "kubernetesWorkloadDetails"), "namespace")),
			 "default");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(k, "kubernetesUserDetails"), "username")),
			 "minikube-user");
	json_decref(findings);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
}

Test(report, address_classes)
{
	static const struct {
		const char *addr;
		int internal;
	} cases[] = {
		{ "10.1.2.3", 1 },	   { "172.16.0.1", 1 },	  { "172.32.0.1", 0 },	 { "192.168.1.1", 1 },
		{ "203.0.113.50", 0 },	   { "fd00::1", 1 },	  { "2001:db8::1", 0 },	 { "ec2.amazonaws.com", 1 },
		{ "AWS Internal", 1 },	   { "", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(corr_address_is_internal(cases[i].addr), cases[i].internal, "%s", cases[i].addr);
}

/* ------------------------------------------------------------------------------------------ */
/* formats */

static void check_json_lines(const char *fmt, const char *text, size_t want_lines)
{
	char *copy = strdup(text), *p = copy, *line;
	size_t n = 0;

	while ((line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		json_error_t e;
		json_t *v = json_loads(line, 0, &e);
		cr_assert_not_null(v, "%s line %zu: %s", fmt, n + 1, e.text);
		json_decref(v);
		n++;
	}
	free(copy);
	if (want_lines)
		cr_assert_eq(n, want_lines, "%s: %zu lines", fmt, n);
}

static json_t *html_blob(const char *html)
{
	static const char open[] = "<script type=\"application/json\" id=\"case-data\">";
	const char *a = strstr(html, open), *b;
	json_error_t e;
	json_t *v;

	cr_assert_not_null(a);
	a += sizeof(open) - 1;
	b = strstr(a, "</script>");
	cr_assert_not_null(b);
	v = json_loadb(a, (size_t)(b - a), 0, &e);
	cr_assert_not_null(v, "case-data: %s", e.text);
	return v;
}

Test(report, every_format_parses_and_is_byte_identical)
{
	static const char *const formats[] = { "html", "md", "json", "guardduty", "ocsf", "asff", "falco", "timesketch" };
	char *db = stolen_case();
	aggregate(db, 0, false);

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, err = STRBUF_INIT;
		const char *f = formats[i];
		char *path = test_file("out");
		json_t *v;

		cr_assert_eq(test_run(&a, &err, "report", "-F", f, db, NULL), 0, "%s: %s", f, err.buf);
		cr_assert_eq(test_run(NULL, &err, "report", "-F", f, "-o", path, db, NULL), 0, "%s: %s", f, err.buf);
		cr_assert(test_read_file(path, &b));
		cr_assert(a.len > 0, "%s is empty", f);
		cr_assert(a.len == b.len && !memcmp(a.buf, b.buf, a.len), "%s differs between two runs", f);

		if (!strcmp(f, "json") || !strcmp(f, "guardduty") || !strcmp(f, "asff")) {
			json_error_t e;
			v = json_loads(a.buf, 0, &e);
			cr_assert_not_null(v, "%s: %s", f, e.text);
			if (!strcmp(f, "guardduty")) {
				json_t *g = json_array_get(v, 0);
				cr_assert_eq(json_array_size(v), 1);
				cr_assert_str_eq(json_string_value(json_object_get(g, "schemaVersion")), "2.0");
				cr_assert_eq(json_integer_value(json_object_get(json_object_get(g, "service"), "count")), 1);
				cr_assert_str_eq(json_string_value(json_object_get(g, "accountId")), "111122223333");
				cr_assert_str_eq(json_string_value(json_object_get(json_object_get(g, "resource"), "resourceType")),
						 "Instance");
				json_t *ai = json_object_get(json_object_get(g, "service"), "additionalInfo");
				json_t *inner = json_loads(json_string_value(json_object_get(ai, "value")), 0, NULL);
				cr_assert_not_null(inner, "additionalInfo.value is JSON text");
				json_decref(inner);
			}
			if (!strcmp(f, "asff"))
				cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 0), "SchemaVersion")),
						 "2018-10-08");
			if (!strcmp(f, "json"))
				cr_assert_not_null(json_object_get(v, "headline"));
			json_decref(v);
		} else if (!strcmp(f, "ocsf")) {
			check_json_lines(f, a.buf, 1);
			v = json_loads(a.buf, JSON_DISABLE_EOF_CHECK, NULL);
			cr_assert_eq(json_integer_value(json_object_get(v, "class_uid")), 2004);
			cr_assert_eq(json_integer_value(json_object_get(v, "type_uid")), 200401);
			json_decref(v);
		} else if (!strcmp(f, "falco")) {
			check_json_lines(f, a.buf, 1);
			v = json_loads(a.buf, JSON_DISABLE_EOF_CHECK, NULL);
			cr_assert_str_eq(json_string_value(json_object_get(v, "priority")), "Notice");
			cr_assert_str_eq(json_string_value(json_object_get(v, "time")), "2026-11-22T03:14:49.000000000Z");
			json_decref(v);
		} else if (!strcmp(f, "timesketch")) {
			check_json_lines(f, a.buf, 9);
		} else if (!strcmp(f, "html")) {
			v = html_blob(a.buf);
			cr_assert_eq(json_array_size(json_object_get(v, "findings")), 1);
			json_decref(v);
			cr_assert_not_null(strstr(a.buf, "Content-Security-Policy"));
			cr_assert_null(strstr(a.buf, "<link"), "the page loads nothing from the network");
			cr_assert_null(strstr(a.buf, "<script src"), "the page loads nothing from the network");
			cr_assert_not_null(strstr(a.buf, "default-src 'none'"));
		} else {
			cr_assert_not_null(strstr(a.buf, "# Incident report"));
			cr_assert_not_null(strstr(a.buf, "203.0.113.50"));
		}
		strbuf_release(&a);
		strbuf_release(&b);
		strbuf_release(&err);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* attacker-controlled evidence in the HTML report */

static const char payloads[] =
	"{\"ts_ns\":1795317289000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\",\"host\":\"web-1\","
	"\"pid\":66,\"ppid\":1,\"proc_name\":\"<script>alert(1)</script>\",\"exe\":\"/tmp/\\\"><img src=x onerror=alert(1)>\","
	"\"cmdline\":\"</script><script>alert(2)</script>\",\"summary\":\"<script>alert(1)</script>\","
	"\"fields\":{\"evt.arg.x\":\"\\\"><img src=x onerror=alert(3)>\"}}\n"
	"{\"ts_ns\":1795317290000000000,\"ts_precision\":1000,\"source\":\"network\",\"type\":\"<img src=x onerror=alert(4)>\","
	"\"host\":\"</script><img src=x onerror=alert(5)>\",\"summary\":\"\\\"><img src=x onerror=alert(1)>\"}\n"
	"{\"ts_ns\":1795317291000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\",\"type\":\"</script>\","
	"\"host\":\"111122223333\",\"access_key_id\":\"AKIAEXAMPLEXSS000001\",\"src_ip\":\"203.0.113.9\","
	"\"summary\":\"<!-- </script> <svg onload=alert(6)>\"}\n";

static char *xss_case(void)
{
	const char *files[] = { "xss.jsonl" }, *texts[] = { payloads };
	char *db = import_case("case.db", files, texts, 1);

	sql(db, "INSERT INTO runs (id, kind, tool_version, command_line, started) VALUES"
		" (1, 'detect', '<script>alert(7)</script>', 'backsight detect \"><img src=x onerror=alert(8)>', 'x');"
		"INSERT INTO alerts (run_id, rule, priority, source, event_id, ts, output, output_fields, tags)"
		" SELECT 1, '<script>alert(9)</script>', 'Critical', source, id, ts, summary,"
		" json_object('proc.name', proc_name, '<img src=x onerror=alert(10)>', '</script>'),"
		" '[\"guardduty:</script><script>alert(11)</script>\",\"mitre_execution\"]' FROM events;");
	aggregate(db, 0, false);
	return db;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(report, html_holds_no_unescaped_payload)
{
	char *db = xss_case();
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&html, &err, "report", "-F", "html", db, NULL), 0, "%s", err.buf);
	/* exactly the page's own four script elements: the data blob and three inline scripts */
	cr_assert_eq(count(html.buf, "<script"), 4, "%zu", count(html.buf, "<script"));
	cr_assert_eq(count(html.buf, "</script>"), 4);
	cr_assert_null(strstr(html.buf, "<img"));
	cr_assert_null(strstr(html.buf, "<svg"));
	cr_assert_null(strstr(html.buf, "alert(1)</"));
	cr_assert_eq(count(html.buf, "<!--"), 0);
	/* the payloads are all there, as escaped JSON text */
	cr_assert_not_null(strstr(html.buf, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
	json_t *blob = html_blob(html.buf);
	json_t *f = json_array_get(json_object_get(blob, "findings"), 0);
	cr_assert_not_null(f);
	cr_assert_eq(json_array_size(json_object_get(blob, "findings")), 3);
	json_decref(blob);

	cr_assert_eq(test_run(&md, &err, "report", "-F", "md", db, NULL), 0, "%s", err.buf);
	cr_assert_null(strstr(md.buf, "<script"));
	cr_assert_null(strstr(md.buf, "<img"));
	cr_assert_not_null(strstr(md.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&err);
}

Test(report, html_renders_in_chromium_without_running_payloads, .timeout = 120)
{
	struct strbuf which = STRBUF_INIT, dom = STRBUF_INIT, err = STRBUF_INIT;
	if (test_sh(&which, "command -v chromium || command -v chromium-browser") != 0) {
		strbuf_release(&which);
		cr_skip_test("chromium is not installed (apt-get install -y chromium): headless rendering check skipped");
	}
	strbuf_setlen(&which, strcspn(which.buf, "\n"));
	char *db = xss_case();
	char *page = test_file("report.html");
	cr_assert_eq(test_run(NULL, &err, "report", "-F", "html", "-o", page, db, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_sh(&dom,
			     "'%s' --headless --no-sandbox --disable-gpu --disable-background-networking "
			     "--virtual-time-budget=3000 --user-data-dir='%s' --enable-logging=stderr --v=0 "
			     "--dump-dom 'file://%s' 2>'%s'",
			     which.buf, test_file("chromium-profile"), page, test_file("chromium.log")),
		     0);
	/* the console saw no Content-Security-Policy violation and no script error */
	struct strbuf log = STRBUF_INIT;
	cr_assert(test_read_file(test_file("chromium.log"), &log));
	cr_assert_null(strstr(log.buf, "Content Security Policy"), "%s", log.buf);
	cr_assert_null(strstr(log.buf, "Uncaught"), "%s", log.buf);
	strbuf_release(&log);
	/* the page rendered: our script ran to the end, the timeline and histogram drew */
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"ok\""), "report.js did not finish");
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"timeline\""));
	cr_assert_not_null(strstr(dom.buf, "data-rendered=\"histogram\""));
	cr_assert_eq(count(dom.buf, "class=\"vis-item vis-point"), 3, "three events on the timeline");
	/* no injected element exists: the DOM serialiser writes text as &lt;..., elements as <... */
	cr_assert_null(strstr(dom.buf, "<img"));
	cr_assert_null(strstr(dom.buf, "<svg"));
	cr_assert_eq(count(dom.buf, "<script"), 4);
	cr_assert_not_null(strstr(dom.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"), "payload shown as text");
	cr_assert_not_null(strstr(dom.buf, "\"&gt;&lt;img src=x onerror=alert(1)&gt;"), "payload shown as text");
	strbuf_release(&which);
	strbuf_release(&dom);
	strbuf_release(&err);
}

/* ------------------------------------------------------------------------------------------ */
/* the main job */

Test(report, investigate_the_sample_incident, .timeout = 120)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, md = STRBUF_INIT;
	char *dir = test_file("inv"), *evidence = test_keep(malloc(4096)), *casefile = test_keep(malloc(4096));
	static const char *const files[] = { "case.db", "report.html", "report.md", "findings.json", "timeline.jsonl" };

	snprintf(evidence, 4096, "%s/samples/evidence", test_source_root());
	snprintf(casefile, 4096, "%s/samples/case.yaml", test_source_root());
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-o", dir, "--case", casefile, "--date", "2026-11-23",
			      "--host", "ip-10-0-1-23.eu-west-1.compute.internal", evidence, NULL),
		     0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct strbuf f = STRBUF_INIT;
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		cr_assert(test_read_file(path, &f), "%s is missing", files[i]);
		cr_assert(f.len > 0, "%s is empty", files[i]);
		strbuf_release(&f);
	}
	cr_assert_not_null(strstr(out.buf, "events per source"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "aws_cloudtrail   52"), "%s", out.buf);
	/* the capture's credential request, attributed to the .scap capture's connect of curl */
	cr_assert_not_null(strstr(out.buf, "credentials ASIAQNZGKEXAMPLE7STL fetched by pid 4305 curl in task "
					   "0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f on ip-10-0-1-23.eu-west-1.compute.internal"),
			   "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "used from 203.0.113.50 at 2026-11-23T02:38:12.000000000Z for "
					   "GetCallerIdentity, ListBuckets, GetBucketAcl, GetObject, CreateUser, CreateAccessKey, "
					   "StopLogging"),
			   "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "peak memory"), "%s", out.buf);
	char mdpath[4200];
	snprintf(mdpath, sizeof(mdpath), "%s/report.md", dir);
	cr_assert(test_read_file(mdpath, &md));
	cr_assert_not_null(strstr(md.buf, "**Headline:** credentials ASIAQNZGKEXAMPLE7STL"), "%s", md.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&md);
}

Test(report, an_empty_case_gives_every_report)
{
	static const char *const formats[] = { "html", "md", "json", "guardduty", "ocsf", "asff", "falco", "timesketch" };
	char *db = test_file("empty.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "analyze", db, NULL), 0, "%s", err.buf);
	cr_assert_str_eq(out.buf, "0 finding(s), 0 correlation(s)\n");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		strbuf_reset(&out);
		cr_assert_eq(test_run(&out, &err, "report", "-F", formats[i], db, NULL), 0, "%s: %s", formats[i], err.buf);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(report, usage_errors)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	cr_assert_eq(test_run(&out, &err, "report", "-F", "pdf", "x.db", NULL), 2);
	cr_assert_not_null(strstr(err.buf, "unknown format 'pdf'"), "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "investigate", "x.jsonl", NULL), 2);
	cr_assert_eq(test_run(&out, &err, "analyze", "--window", "soon", "x.db", NULL), 2);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "--list-formats", NULL), 0);
	cr_assert_not_null(strstr(out.buf, "guardduty"));
	strbuf_release(&out);
	strbuf_release(&err);
}
