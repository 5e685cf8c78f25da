/* test-guardduty: the GuardDuty findings importer against ../shared/corpus/guardduty — each
 * delivery shape (EventBridge in PascalCase, GetFindings JSON Lines, ASFF), the typed columns
 * a responder correlates on, and the reference files that are not findings. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtest.h"
#include "testutil.h"

#define GD "guardduty"
#define EB(name) { "eventbridge-sample-" name ".json", 1, 0, "complete" }

static const struct corpus_expect corpus[] = {
	{ "asff-securityhub-UnauthorizedAccess-EC2-SSHBruteForce.awsdocs.json", 1, 0, "complete" },
	/* 5 findings and an empty {"findings":[]} line. */
	{ "elastic-integrations-test-guardduty.ndjson", 5, 0, "complete" },
	{ "eventbridge-Policy-IAMUser-RootCredentialUsage.json", 1, 0, "complete" },
	EB("Credential-Access-IAM-Anomalous-Behavior"),
	EB("Discovery-RDS-Tor-Ip-Caller"),
	EB("Recon-EC2-PortProbeUnprotectedPort"),
	EB("Recon-EC2-Portscan"),
	EB("Trojan-EC2-DGADomainRequest-B"),
	EB("Trojan-EC2-DNSDataExfiltration"),
	EB("Trojan-EC2-DropPoint"),
	EB("UnauthorizedAccess-EC2-MetadataDNSRebind"),
	EB("UnauthorizedAccess-EC2-SSHBruteForce"),
	EB("UnauthorizedAccess-EC2-TorClient"),
	/* Reference tables (finding types, the tester's trigger map), not findings: refused. */
	{ "finding-types-directory.trustoncloud.json", 0, 0, "failed" },
	{ "guardduty-tester-definitions.json", 0, 0, "failed" },
	{ "guardduty-tester-definitions.pre-78cb979.json", 0, 0, "failed" },
};

Test(guardduty, every_corpus_file_imports_as_expected)
{
	REQUIRE_SHARED();
	cloud_check_corpus(GD, corpus, sizeof(corpus) / sizeof(corpus[0]));
}

/* {file, SQL over the event, expected} */
static const struct {
	const char *file, *expr, *expected;
} cases[] = {
	/* PascalCase EventBridge; no EventFirstSeen: placed at CreatedAt. */
	{ "eventbridge-Policy-IAMUser-RootCredentialUsage.json",
	  "type || '|' || access_key_id || '|' || principal || '|' || json_extract(fields, '$.\"gd.severity\"') || '|' || "
	  "json_extract(fields, '$.\"gd.severity.label\"') || '|' || json_extract(fields, '$.\"gd.action.type\"') || '|' || "
	  "coalesce(result, 'NULL')",
	  "Policy:IAMUser/RootCredentialUsage|ASIA_PLACEHOLDER_KEY|root|8|High|AWS_API_CALL|NULL" },
	{ "eventbridge-sample-Recon-EC2-Portscan.json",
	  "host || '|' || src_ip || '|' || dst_ip || '|' || dst_port || '|' || json_extract(fields, '$.\"gd.action.direction\"')",
	  "i-99999999|10.0.0.23|198.51.100.0|797|OUTBOUND" },
	{ "eventbridge-sample-UnauthorizedAccess-EC2-SSHBruteForce.json",
	  "src_ip || '|' || dst_port || '|' || json_extract(fields, '$.\"gd.action.direction\"')", "198.51.100.0|22|INBOUND" },
	{ "eventbridge-sample-Trojan-EC2-DNSDataExfiltration.json",
	  "fd_name = json_extract(fields, '$.\"gd.action.dns.domain\"') AND fd_name IS NOT NULL", "1" },
	/* ASFF: the type rebuilt from Types[0], the time from ProductFields' eventFirstSeen. */
	{ "asff-securityhub-UnauthorizedAccess-EC2-SSHBruteForce.awsdocs.json",
	  "type || '|' || host || '|' || src_ip || '|' || json_extract(fields, '$.\"gd.id\"') || '|' || "
	  "strftime('%Y-%m-%dT%H:%M:%SZ', ts / 1000000000, 'unixepoch')",
	  "UnauthorizedAccess:EC2/SSHBruteForce|i-0c10c2c7863d1a356|199.241.229.197|46ba0ac2845071e23ccdeb2ae03bfdea|"
	  "2020-08-22T09:15:57Z" },
	/* The runtime finding of the S3-export sample: the process as typed columns. */
	{ "elastic-integrations-test-guardduty.ndjson",
	  "group_concat(proc_name || ' ' || exe || ' ' || pid || ' ' || json_extract(fields, '$.\"gd.resource.type\"'))",
	  "sshd /usr/bin/ssh 2345 Container" },
};

Test(guardduty, typed_columns_and_fields_per_shape)
{
	REQUIRE_SHARED();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf row = STRBUF_INIT, sql = STRBUF_INIT;
		char name[32], *db;
		snprintf(name, sizeof(name), "c%zu.db", i);
		db = cloud_import(name, NULL, NULL, cloud_corpus(GD, cases[i].file), NULL);
		strbuf_addf(&sql, "SELECT %s FROM events", cases[i].expr);
		cloud_text(db, sql.buf, &row);
		cr_expect_str_eq(row.buf, cases[i].expected, "%s: %s", cases[i].file, cases[i].expr);
		free(db);
		strbuf_release(&row);
		strbuf_release(&sql);
	}
}

/* The same finding in camelCase and PascalCase gives the same event. */
Test(guardduty, camel_and_pascal_case_agree)
{
	static const char camel[] =
		"{\"schemaVersion\":\"2.0\",\"accountId\":\"111122223333\",\"region\":\"us-east-1\",\"id\":\"f1\","
		"\"arn\":\"arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f1\",\"type\":\"Execution:Runtime/ReverseShell\","
		"\"severity\":8,\"updatedAt\":\"2024-03-01T00:10:00Z\",\"createdAt\":\"2024-03-01T00:05:00Z\","
		"\"resource\":{\"resourceType\":\"ECSCluster\",\"ecsClusterDetails\":{\"name\":\"c1\",\"taskDetails\":"
		"{\"arn\":\"arn:aws:ecs:us-east-1:111122223333:task/c1/abc\"}}},\"service\":{\"eventFirstSeen\":\"2024-03-01T00:00:00Z\","
		"\"runtimeDetails\":{\"process\":{\"name\":\"bash\",\"executablePath\":\"/usr/bin/bash\",\"pid\":4242,\"euid\":0}}}}\n";
	static const char pascal[] =
		"{\"SchemaVersion\":\"2.0\",\"AccountId\":\"111122223333\",\"Region\":\"us-east-1\",\"Id\":\"f1\","
		"\"Arn\":\"arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f1\",\"Type\":\"Execution:Runtime/ReverseShell\","
		"\"Severity\":8,\"UpdatedAt\":\"2024-03-01T00:10:00Z\",\"CreatedAt\":\"2024-03-01T00:05:00Z\","
		"\"Resource\":{\"ResourceType\":\"ECSCluster\",\"EcsClusterDetails\":{\"Name\":\"c1\",\"TaskDetails\":"
		"{\"Arn\":\"arn:aws:ecs:us-east-1:111122223333:task/c1/abc\"}}},\"Service\":{\"EventFirstSeen\":\"2024-03-01T00:00:00Z\","
		"\"RuntimeDetails\":{\"Process\":{\"Name\":\"bash\",\"ExecutablePath\":\"/usr/bin/bash\",\"Pid\":4242,\"Euid\":0}}}}\n";
	const char *const files[] = { camel, pascal };
	struct strbuf rows[2] = { STRBUF_INIT, STRBUF_INIT };

	for (int i = 0; i < 2; i++) {
		char fname[32], dbname[32], *f, *db;
		snprintf(fname, sizeof(fname), "f%d.jsonl", i);
		snprintf(dbname, sizeof(dbname), "c%d.db", i);
		f = test_path(fname);
		cr_assert(test_write_file(f, files[i], strlen(files[i])));
		db = cloud_import(dbname, NULL, NULL, f, NULL);
		cloud_text(db, "SELECT ts, type, host, summary, proc_name, exe, pid, uid, dedup_key FROM events", &rows[i]);
		free(f);
		free(db);
	}
	cr_expect_str_eq(rows[0].buf,
			 "1709251200000000000|Execution:Runtime/ReverseShell|arn:aws:ecs:us-east-1:111122223333:task/c1/abc|"
			 "GuardDuty Execution:Runtime/ReverseShell (High 8) on ECSCluster arn:aws:ecs:us-east-1:111122223333:task/c1/abc|"
			 "bash|/usr/bin/bash|4242|0|f1/2024-03-01T00:10:00Z/Execution:Runtime/ReverseShell");
	cr_expect_str_eq(rows[0].buf, rows[1].buf);
	strbuf_release(&rows[0]);
	strbuf_release(&rows[1]);
}
