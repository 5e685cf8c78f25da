/* test-suppress: suppression rules in GuardDuty's filter form (analyzer/suppress.h) — the
 * matching table, the checks on a suppression file, and `backsight analyze --suppress` on the
 * sample incident: matching findings are kept, marked archived, and shown so in the GuardDuty
 * and ASFF exports. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suppress.h"
#include "testutil.h"

/* A finding in GuardDuty's shape, as report-guardduty writes it (trimmed). */
static const char finding[] =
	"{\"type\":\"PrivilegeEscalation:Runtime/DockerSocketAccessed\",\"severity\":5.0,"
	"\"updatedAt\":\"2023-11-14T22:13:20.000Z\","
	"\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{\"instanceId\":\"i-0abc\"}},"
	"\"service\":{\"archived\":false,\"count\":3,\"runtimeDetails\":{\"process\":{\"name\":\"nc\","
	"\"executablePath\":\"/usr/bin/nc\",\"lineage\":[{\"name\":\"bash\"},{\"name\":\"sshd\"}]}}}}";

static const struct {
	const char *criterion;
	bool match;
} cases[] = {
	{ "{\"type\":{\"Eq\":[\"PrivilegeEscalation:Runtime/DockerSocketAccessed\"]}}", true },
	{ "{\"type\":{\"Equals\":[\"Impact:Runtime/CryptoMinerExecuted\",\"PrivilegeEscalation:Runtime/DockerSocketAccessed\"]}}", true },
	{ "{\"type\":{\"Eq\":[\"Impact:Runtime/CryptoMinerExecuted\"]}}", false },
	{ "{\"type\":{\"Neq\":[\"Impact:Runtime/CryptoMinerExecuted\"]}}", true },
	{ "{\"type\":{\"NotEquals\":[\"PrivilegeEscalation:Runtime/DockerSocketAccessed\"]}}", false },
	{ "{\"severity\":{\"Gte\":5}}", true },
	{ "{\"severity\":{\"GreaterThan\":5}}", false },
	{ "{\"severity\":{\"Lt\":7,\"Gt\":4}}", true },
	{ "{\"severity\":{\"Eq\":[\"5\"]}}", true },
	{ "{\"type\":{\"Matches\":[\"PrivilegeEscalation:*\"]}}", true },
	{ "{\"type\":{\"NotMatches\":[\"*:Runtime/*\"]}}", false },
	{ "{\"resource.instanceDetails.instanceId\":{\"Eq\":[\"i-0abc\"]}}", true },
	{ "{\"resource.instanceDetails.instanceId\":{\"Eq\":[\"i-0abd\"]}}", false },
	/* arrays fan out: any lineage entry */
	{ "{\"service.runtimeDetails.process.lineage.name\":{\"Eq\":[\"sshd\"]}}", true },
	{ "{\"service.runtimeDetails.process.lineage.name\":{\"Eq\":[\"nginx\"]}}", false },
	/* attributes are AND-ed */
	{ "{\"type\":{\"Matches\":[\"*DockerSocket*\"]},\"service.runtimeDetails.process.name\":{\"Eq\":[\"docker\"]}}", false },
	{ "{\"type\":{\"Matches\":[\"*DockerSocket*\"]},\"service.runtimeDetails.process.name\":{\"Eq\":[\"nc\"]}}", true },
	/* an absent attribute: positive operators fail, negative ones hold */
	{ "{\"resource.eksClusterDetails.name\":{\"Eq\":[\"prod\"]}}", false },
	{ "{\"resource.eksClusterDetails.name\":{\"Neq\":[\"prod\"]}}", true },
	{ "{\"service.archived\":{\"Eq\":[\"false\"]}}", true },
	{ "{\"service.count\":{\"Gt\":2}}", true },
	/* a time attribute compares as epoch milliseconds */
	{ "{\"updatedAt\":{\"Gte\":1700000000000}}", true },
	{ "{\"updatedAt\":{\"Lt\":1700000000000}}", false },
	{ "{}", false },
};

Test(suppress, criterion_matching_table)
{
	json_t *f = json_loads(finding, 0, NULL);

	cr_assert_not_null(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *c = json_loads(cases[i].criterion, 0, NULL);
		cr_assert_not_null(c, "%s", cases[i].criterion);
		cr_expect_eq(suppress_match(c, f), cases[i].match, "%s: want %s", cases[i].criterion,
			     cases[i].match ? "match" : "no match");
		json_decref(c);
	}
	json_decref(f);
}

static const struct {
	const char *text, *error; /* NULL: accepted */
} files[] = {
	{ "{\"Name\":\"a\",\"Action\":\"ARCHIVE\",\"FindingCriteria\":{\"Criterion\":{\"type\":{\"Eq\":[\"x\"]}}}}", NULL },
	{ "[{\"name\":\"a\",\"findingCriteria\":{\"criterion\":{\"severity\":{\"Lt\":4}}}},"
	  "{\"Name\":\"b\",\"Action\":\"NOOP\",\"FindingCriteria\":{\"Criterion\":{\"type\":{\"Eq\":[\"y\"]}}}}]",
	  NULL },
	{ "{\"Name\":\"a\",\"FindingCriteria\":{\"Criterion\":{\"type\":{\"Like\":[\"x\"]}}}}", "unknown operator 'Like'" },
	{ "{\"Name\":\"a\",\"FindingCriteria\":{\"Criterion\":{\"severity\":{\"Gt\":[4]}}}}", "Gt wants a number" },
	{ "{\"Name\":\"a\",\"FindingCriteria\":{\"Criterion\":{\"type\":{\"Eq\":[]}}}}", "Eq wants a non-empty array" },
	{ "{\"Name\":\"a\",\"Action\":\"DELETE\",\"FindingCriteria\":{\"Criterion\":{\"type\":{\"Eq\":[\"x\"]}}}}",
	  "Action 'DELETE'" },
	{ "{\"Name\":\"a\"}", "has no FindingCriteria.Criterion" },
	{ "{\"Name\":", "s.json:1:" },
};

Test(suppress, suppression_file_checks)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct strbuf err = STRBUF_INIT;
		json_t *filters = NULL;
		int r = suppress_parse(files[i].text, "s.json", &filters, &err);
		if (!files[i].error) {
			cr_expect_eq(r, 0, "%s: %s", files[i].text, err.buf);
			cr_expect(json_is_array(filters));
		} else {
			cr_expect_lt(r, 0, "%s accepted", files[i].text);
			cr_expect_not_null(strstr(err.buf, files[i].error), "%s: error '%s', want '%s'", files[i].text, err.buf,
					   files[i].error);
		}
		json_decref(filters);
		strbuf_release(&err);
	}
}

static int count_archived(const char *db, const char *type)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
					type ? "SELECT count(*) FROM findings WHERE archived = 1 AND type = ?1"
					     : "SELECT count(*) FROM findings WHERE archived = 1",
					-1, &st, NULL),
		     SQLITE_OK);
	if (type)
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

Test(suppress, analyze_archives_matching_findings_and_keeps_them)
{
	static const char filter[] =
		"{\"Name\":\"low-discovery\",\"Action\":\"ARCHIVE\",\"FindingCriteria\":{\"Criterion\":{"
		"\"type\":{\"Eq\":[\"Discovery:Runtime/SuspiciousCommand\"]},\"severity\":{\"Lt\":4}}}}";
	char *out_dir = test_file("out"), *sup = test_file("suppress.json"), *db;
	struct strbuf samples = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;

	char case_file[4200], line[64];
	int low_discovery;

	/* the samples, as the README's quick start investigates them */
	strbuf_addf(&samples, "%s/samples/evidence", test_source_root());
	snprintf(case_file, sizeof(case_file), "%s/samples/case.yaml", test_source_root());
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-o", out_dir, "--case", case_file, "--date", "2026-11-23",
			      "--host", "ip-10-0-1-23.eu-west-1.compute.internal", samples.buf, NULL),
		     0, "%s", err.buf);
	db = test_keep(malloc(strlen(out_dir) + 16));
	sprintf(db, "%s/case.db", out_dir);
	cr_assert_eq(count_archived(db, NULL), 0);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", db, "--sql",
			      "SELECT count(*) FROM findings WHERE type = 'Discovery:Runtime/SuspiciousCommand' AND severity < 4",
			      NULL), 0, "%s", err.buf);
	cr_assert_eq(sscanf(strchr(out.buf, '\n') + 1, "%d", &low_discovery), 1, "%s", out.buf);
	cr_assert_gt(low_discovery, 0, "the samples raise a low-severity discovery finding");
	cr_assert(test_write_file(sup, filter, strlen(filter)));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "analyze", "--case", case_file, "--suppress", sup, db, NULL), 0, "%s", err.buf);
	snprintf(line, sizeof(line), ", %d archived by suppression rules\n", low_discovery);
	cr_expect_not_null(strstr(out.buf, line), "%s", out.buf);
	cr_expect_eq(count_archived(db, "Discovery:Runtime/SuspiciousCommand"), low_discovery);
	cr_expect_eq(count_archived(db, NULL), low_discovery);
	/* kept, and marked archived in the exports */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "--format", "guardduty", db, NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "\"archived\": true"), "%.2000s", out.buf);
	cr_expect_not_null(strstr(out.buf, "Discovery:Runtime/SuspiciousCommand"));
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "--format", "asff", db, NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "\"RecordState\": \"ARCHIVED\""), "%.2000s", out.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "--format", "md", db, NULL), 0, "%s", err.buf);
	snprintf(line, sizeof(line), "%d of these finding(s) archived by suppression rules", low_discovery);
	cr_expect_not_null(strstr(out.buf, line), "%.3000s", out.buf);
	cr_expect_not_null(strstr(out.buf, "Low (archived) | Discovery:Runtime/SuspiciousCommand"), "%.3000s", out.buf);
	/* a bad file is refused before anything changes */
	cr_assert(test_write_file(sup, "{\"Name\":\"x\"}", 12));
	cr_expect_eq(test_run(&out, &err, "analyze", "--suppress", sup, db, NULL), 2);
	cr_expect_not_null(strstr(err.buf, "has no FindingCriteria.Criterion"), "%s", err.buf);
	strbuf_release(&samples);
	strbuf_release(&out);
	strbuf_release(&err);
}
