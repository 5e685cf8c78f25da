/* test-cloudtrail: the CloudTrail importer against ../shared/corpus/cloudtrail and its oracles,
 * the containers the corpus lacks (lookup-events, EventBridge, CSV), redaction, deduplication,
 * damage, and `backsight verify-trail` (hashes, chain, RSA signatures with keys made by the test). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "cloudtest.h"
#include "sha256.h"
#include "testutil.h"

#define CT "cloudtrail"

/* What each corpus file must give; counts checked against PROVENANCE.md's description. */
static const struct corpus_expect corpus[] = {
	/* 2 records, the first all null (no eventTime: cannot be placed, skipped). */
	{ "awslib__all-fields-null.json", 1, 0 + 1, "complete" },
	/* Record 1 lacks a '}': nothing in the Records array can be framed after it. */
	{ "awslib__malformed-json.json", 0, 0, "partial" },
	/* Record 4 has eventTime "ThisIsAWrongEventTime". */
	{ "awslib__missing-fields-bad-date.json", 3, 1, "complete" },
	{ "awslib__records-compact.json.gz", 6, 0, "complete" },
	{ "awslib__records-pretty-6.json", 6, 0, "complete" },
	{ "awslib__unknown-fields.json", 2, 0, "complete" },
	{ "awslib__useridentity-sessioncontext-webid.json", 1, 0, "complete" },
	{ "elastic-ELv2__console-login-success-failure.jsonl", 2, 0, "complete" },
	{ "elastic-ELv2__delete-trail-single-event.jsonl", 1, 0, "complete" },
	/* A digest: kept as a document, no events. */
	{ "elastic-ELv2__digest-file.json", 0, 0, "complete" },
	{ "elastic-ELv2__insight-event.jsonl", 1, 0, "complete" },
	{ "falco__alice-start-instances-64k-field.json", 1, 0, "complete" },
	{ "falco__alice-start-instances.json", 1, 0, "complete" },
	{ "trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", 2, 0, "complete" },
	{ "trailscraper__records-pretty-mixed-identities.json", 3, 0, "complete" },
};

Test(cloudtrail, every_corpus_file_imports_as_expected)
{
	REQUIRE_SHARED();
	cloud_check_corpus(CT, corpus, sizeof(corpus) / sizeof(corpus[0]));
}

/* The filebeat expected document for DeleteTrail, field by field against the event. */
Test(cloudtrail, delete_trail_agrees_with_the_elastic_oracle)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT, oracle_text = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(CT, "elastic-ELv2__delete-trail-single-event.jsonl"), NULL);
	json_t *oracle, *doc;
	char ts[BS_TIME_MAX_LEN];
	int64_t ns;

	cr_assert(test_read_file(cloud_corpus(CT, "elastic-ELv2__delete-trail-single-event.oracle.expected.json"),
				 &oracle_text));
	oracle = json_loads(oracle_text.buf, 0, NULL);
	doc = json_array_get(oracle, 0);
	cr_assert_not_null(doc);
#define O(k) json_string_value(json_object_get(doc, k))
	ns = cloud_int(db, "SELECT ts FROM events");
	bs_time_format(ns, ts);
	cr_expect_eq(strncmp(ts, O("@timestamp"), 19), 0, "%s vs %s", ts, O("@timestamp"));
	cloud_text(db,
		   "SELECT type, json_extract(fields, '$.\"ct.src\"'), json_extract(fields, '$.\"ct.recipientaccountid\"'),"
		   " json_extract(fields, '$.\"ct.region\"'), src_ip, json_extract(fields, '$.\"ct.user\"'),"
		   " json_extract(fields, '$.\"ct.user.principalid\"'), principal, access_key_id, user_agent, result,"
		   " json_extract(fields, '$.\"ct.id\"'), json_extract(fields, '$.\"ct.user.identitytype\"'),"
		   " json_extract(fields, '$.\"ct.eventtype\"'), json_extract(fields, '$.\"ct.eventversion\"'),"
		   " json_extract(fields, '$.\"ct.readonly\"'), json_extract(fields, '$.\"ct.request\".name'), ts_precision "
		   "FROM events",
		   &row);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%s|1000000000", O("event.action"),
		    O("event.provider"), O("cloud.account.id"), O("cloud.region"), O("source.ip"), O("user.name"),
		    O("user.id"), O("aws.cloudtrail.user_identity.arn"), O("aws.cloudtrail.user_identity.access_key_id"),
		    O("user_agent.original"), O("event.outcome"), O("event.id"), O("aws.cloudtrail.user_identity.type"),
		    O("aws.cloudtrail.event_type"), O("aws.cloudtrail.event_version"),
		    json_is_true(json_object_get(doc, "aws.cloudtrail.read_only")),
		    "arn:aws:cloudtrail:us-west-2:0123456789012:trail/test-trail");
	cr_expect_str_eq(row.buf, want.buf);
	/* event.original is the record as read: so is the raw record kept. */
	strbuf_reset(&row);
	cloud_raw(db, 1, &row);
	cr_expect_str_eq(row.buf, O("event.original"));
#undef O
	json_decref(oracle);
	strbuf_release(&want);
	strbuf_release(&row);
	strbuf_release(&oracle_text);
	free(db);
}

Test(cloudtrail, malformed_file_is_partial_with_the_offset_and_the_next_file_imports)
{
	REQUIRE_SHARED();
	struct strbuf out = STRBUF_INIT, row = STRBUF_INIT;
	char *db = cloud_import("c.db", &out, NULL, cloud_corpus(CT, "awslib__malformed-json.json"),
				cloud_corpus(CT, "falco__alice-start-instances.json"), NULL);

	/* PROVENANCE: the parse error is at line 37 column 9 — byte 1294 of the file. */
	cloud_text(db, "SELECT status, status_offset, events FROM evidence ORDER BY id", &row);
	cr_expect_str_eq(row.buf, "partial|1294|0\ncomplete|NULL|1", "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "byte 1294"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "string or '}' expected"), "the message says what is wrong: %s", out.buf);
	strbuf_release(&out);
	strbuf_release(&row);
	free(db);
}

Test(cloudtrail, insight_event_takes_its_name_from_insight_details)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(CT, "elastic-ELv2__insight-event.jsonl"), NULL);

	cloud_text(db,
		   "SELECT type, json_extract(fields, '$.\"ct.eventtype\"'), json_extract(fields, '$.\"ct.eventcategory\"'),"
		   " json_extract(fields, '$.\"ct.insightdetails\".insightType'), host FROM events",
		   &row);
	cr_expect_str_eq(row.buf, "AttachUserPolicy|AwsCloudTrailInsight|Insight|ApiCallRateInsight|123456789012/us-east-1");
	strbuf_release(&row);
	free(db);
}

Test(cloudtrail, identities_map_to_principal_and_falco_user)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(CT, "trailscraper__records-pretty-mixed-identities.json"),
				cloud_corpus(CT, "elastic-ELv2__console-login-success-failure.jsonl"), NULL);

	cloud_text(db,
		   "SELECT type, principal, json_extract(fields, '$.\"ct.user\"'), json_extract(fields, '$.\"ct.user.identitytype\"'),"
		   " src_ip, result FROM events ORDER BY id",
		   &row);
	cr_expect_str_eq(row.buf,
			 "DescribeLaunchConfigurations|arn:aws:sts::111111111111:assumed-role/someRole/AutoScalingDescribeHandlerSession|"
			 "someRole|AssumedRole|config.amazonaws.com|success\n"
			 "GetResource|arn:aws:iam::123456789012:root|root|Root|203.0.113.11|success\n"
			 "AssumeRole|config.amazonaws.com|config.amazonaws.com|AWSService|config.amazonaws.com|success\n"
			 "ConsoleLogin|arn:aws:iam::111122223333:user/JohnDoe|JohnDoe|IAMUser|192.0.2.110|success\n"
			 "ConsoleLogin|arn:aws:iam::111122223333:user/JaneDoe|JaneDoe|IAMUser|192.0.2.100|failure");
	strbuf_release(&row);
	free(db);
}

Test(cloudtrail, session_issuer_and_web_identity_are_fields)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(CT, "awslib__useridentity-sessioncontext-webid.json"), NULL);

	cloud_text(db,
		   "SELECT json_extract(fields, '$.\"ct.user.sessionissuer.arn\"'),"
		   " json_extract(fields, '$.\"ct.user\"'),"
		   " json_extract(fields, '$.\"ct.user.webidfederation.provider\"'),"
		   " json_type(fields, '$.\"ct.user.mfaauthenticated\"') FROM events",
		   &row);
	cr_expect_str_eq(row.buf, "sessionIssuerArn1|NULL|webIdFederationDataFederatedProvider1|NULL");
	strbuf_release(&row);
	free(db);
}

/* The same record in two overlapping files is one event with two provenances. */
Test(cloudtrail, duplicate_event_ids_are_stored_once_with_every_provenance)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import(
		"c.db", NULL, NULL,
		cloud_corpus(CT, "trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz"),
		cloud_corpus(CT, "trailscraper__records-pretty-mixed-identities.json"), NULL);

	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM events"), 3, "2 + 3 records, 2 shared eventIDs");
	cloud_text(db,
		   "SELECT e.dedup_key, e.evidence_id, s.evidence_id FROM event_sources s JOIN events e ON e.id = s.event_id"
		   " ORDER BY e.dedup_key",
		   &row);
	cr_expect_str_eq(row.buf, "a0ed971f-389f-406a-9fcf-887c5ca6903a|1|2\nb25ff7e3-f1cf-4b7f-883d-b09168c454d5|1|2");
	strbuf_reset(&row);
	cloud_text(db, "SELECT events FROM evidence ORDER BY id", &row);
	cr_expect_str_eq(row.buf, "2\n1");
	strbuf_release(&row);
	free(db);
}

static const char secret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
static const char token[] = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

static void write_sts_record(const char *path, const char *prefix, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb,
		    "%s{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventSource\":\"sts.amazonaws.com\","
		    "\"eventName\":\"AssumeRole\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\","
		    "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/i-0abc\","
		    "\"accessKeyId\":\"ASIAOLDKEY\",\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":\"false\"},"
		    "\"ec2RoleDelivery\":\"2.0\"}},\"eventID\":\"11111111-2222-3333-4444-555555555555\","
		    "\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIANEWKEYID\",\"secretAccessKey\":\"%s\","
		    "\"sessionToken\":\"%s\",\"expiration\":\"May 1, 2024 11:00:00 AM\"}}}%s",
		    prefix, secret, token, suffix);
	cr_assert(test_write_file(path, sb.buf, sb.len));
	strbuf_release(&sb);
}

Test(cloudtrail, secrets_are_redacted_in_fields_and_in_the_raw_record)
{
	struct strbuf row = STRBUF_INIT, raw = STRBUF_INIT;
	char *f = test_path("sts.json");
	char *db;

	write_sts_record(f, "{\"Records\":[", "]}");
	db = cloud_import("c.db", NULL, NULL, f, NULL);
	cloud_text(db, "SELECT fields FROM events", &row);
	cr_expect_null(strstr(row.buf, secret));
	cr_expect_null(strstr(row.buf, token));
	cr_expect_not_null(strstr(row.buf, "ASIANEWKEYID"), "the key id is kept: %s", row.buf);
	strbuf_reset(&row);
	cloud_text(db,
		   "SELECT access_key_id, json_extract(fields, '$.\"ct.user.mfaauthenticated\"'),"
		   " json_extract(fields, '$.\"ct.user.ec2roledelivery\"'), src_ip FROM events",
		   &row);
	cr_expect_str_eq(row.buf, "ASIAOLDKEY|false|2.0|198.51.100.7");
	cloud_raw(db, 1, &raw);
	cr_expect_null(strstr(raw.buf, secret), "%s", raw.buf);
	cr_expect_null(strstr(raw.buf, token), "%s", raw.buf);
	cr_expect_not_null(strstr(raw.buf, "\"secretAccessKey\":\"REDACTED\""), "%s", raw.buf);
	cr_expect_not_null(strstr(raw.buf, "ASIANEWKEYID"), "%s", raw.buf);
	strbuf_release(&row);
	strbuf_release(&raw);
	free(f);
	free(db);
}

#define REC "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventSource\":\"s3.amazonaws.com\"," \
	"\"eventName\":\"ListBuckets\",\"awsRegion\":\"eu-west-1\",\"eventID\":\"e-%d\"," \
	"\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\",\"accessKeyId\":\"AKIAEXAMPLE\"," \
	"\"sessionToken\":\"tok\"},\"requestParameters\":{\"bucketName\":\"b1\",\"key\":\"k/1\"}}"

/* Containers that the corpus has no sample of, each holding the same record. */
Test(cloudtrail, lookup_events_eventbridge_csv_and_bare_arrays)
{
	static const char *const names[] = { "lookup.json", "eventbridge.json", "lake.csv", "array.json" };
	struct strbuf body = STRBUF_INIT, esc = STRBUF_INIT, one = STRBUF_INIT, row = STRBUF_INIT;

	for (size_t i = 0; i < 4; i++) {
		char *f = test_path(names[i]), *db;
		char dbname[32];
		strbuf_reset(&body);
		strbuf_reset(&esc);
		for (int k = 0; k < 2; k++) {
			strbuf_reset(&one);
			strbuf_addf(&one, REC, k);
			json_t *s = json_stringn(one.buf, one.len);
			char *quoted = json_dumps(s, JSON_ENCODE_ANY);
			if (i == 0)
				strbuf_addf(&esc, "%s{\"EventId\":\"e-%d\",\"EventName\":\"ListBuckets\",\"CloudTrailEvent\":%s}",
					    k ? "," : "", k, quoted);
			else if (i == 1)
				strbuf_addf(&esc, "{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\","
						  "\"source\":\"aws.s3\",\"detail\":%s}\n", one.buf);
			else if (i == 2) {
				/* CSV: the record quoted, its quotes doubled. */
				strbuf_addf(&esc, "%s,2024-05-01 10:00:00.000,\"", k ? "e-1" : "e-0");
				for (const char *p = one.buf; *p; p++) {
					if (*p == '"')
						strbuf_addch(&esc, '"');
					strbuf_addch(&esc, *p);
				}
				strbuf_addstr(&esc, "\"\r\n");
			} else
				strbuf_addf(&esc, "%s%s", k ? ",\n" : "", one.buf);
			free(quoted);
			json_decref(s);
		}
		if (i == 0)
			strbuf_addf(&body, "{\"Events\":[%s],\"NextToken\":\"abc\"}\n", esc.buf);
		else if (i == 2)
			strbuf_addf(&body, "eventID,eventTime,eventJson\r\n%s", esc.buf);
		else if (i == 3)
			strbuf_addf(&body, "[\n%s\n]\n", esc.buf);
		else
			strbuf_addstr(&body, esc.buf);
		cr_assert(test_write_file(f, body.buf, body.len));
		snprintf(dbname, sizeof(dbname), "c%zu.db", i);
		db = cloud_import(dbname, NULL, NULL, f, NULL);
		strbuf_reset(&row);
		cloud_text(db,
			   "SELECT e.type, e.principal, e.access_key_id, json_extract(e.fields, '$.\"s3.uri\"'), e.dedup_key,"
			   " v.format, v.skipped FROM events e JOIN evidence v ON v.id = e.evidence_id ORDER BY e.id",
			   &row);
		cr_expect_str_eq(row.buf,
				 "ListBuckets|bob|AKIAEXAMPLE|s3://b1/k/1|e-0|aws_cloudtrail|0\n"
				 "ListBuckets|bob|AKIAEXAMPLE|s3://b1/k/1|e-1|aws_cloudtrail|0",
				 "%s", names[i]);
		strbuf_reset(&row);
		cloud_raw(db, 1, &row);
		cr_expect_null(strstr(row.buf, "\"tok\""), "%s: session token in the raw record: %s", names[i], row.buf);
		free(f);
		free(db);
	}
	strbuf_release(&body);
	strbuf_release(&esc);
	strbuf_release(&one);
	strbuf_release(&row);
}

Test(cloudtrail, damaged_json_lines_are_skipped_and_a_cut_records_file_is_partial)
{
	static const char lines[] =
		"{\"eventTime\":\"2024-01-01T00:00:01Z\",\"eventName\":\"A\",\"eventVersion\":\"1.08\"}\n"
		"{\"eventTime\":\"2024-01-01T00:00:02Z\",\"eventName\":\"B\",\"eventVersion\":\n"
		"{\"eventTime\":\"2024-01-01T00:00:03Z\",\"eventName\":\"C\",\"eventVersion\":\"1.08\"}\n"
		"not json at all\n"
		"{\"eventTime\":\"2024-01-01T00:00:05Z\",\"eventName\":\"E\",\"eventVersion\":\"1.08\"}\n";
	static const char cut[] = "{\"Records\":[{\"eventTime\":\"2024-01-01T00:00:01Z\",\"eventName\":\"A\",\"eventVersion\":\"1.0\"},"
				  "{\"eventTime\":\"2024-01-01T00:00:02Z\",\"eventName\":\"B\",\"eventVer";
	char *f1 = test_path("lines.jsonl"), *f2 = test_path("cut.json"), *db;
	struct strbuf row = STRBUF_INIT;

	cr_assert(test_write_file(f1, lines, sizeof(lines) - 1));
	cr_assert(test_write_file(f2, cut, sizeof(cut) - 1));
	db = cloud_import("c.db", NULL, NULL, f1, f2, NULL);
	cloud_text(db, "SELECT evidence_id, group_concat(type, '') FROM events GROUP BY evidence_id", &row);
	cr_expect_str_eq(row.buf, "1|ACE\n2|A");
	strbuf_reset(&row);
	cloud_text(db, "SELECT evidence_id, offset, severity FROM evidence_issues ORDER BY evidence_id, offset", &row);
	/* Line 2 is damaged (reported where it begins); "not json" at its own line. */
	struct strbuf want = STRBUF_INIT;
	const char *l2 = strstr(lines, "{\"eventTime\":\"2024-01-01T00:00:02Z");
	strbuf_addf(&want, "1|%td|skipped\n1|%td|skipped\n2|%td|truncated", l2 - lines, strstr(lines, "not json") - lines,
		    strstr(cut, "{\"eventTime\":\"2024-01-01T00:00:02Z") - cut);
	cr_expect_str_eq(row.buf, want.buf);
	strbuf_reset(&row);
	cloud_text(db, "SELECT status FROM evidence ORDER BY id", &row);
	cr_expect_str_eq(row.buf, "complete\npartial");
	strbuf_release(&want);
	strbuf_release(&row);
	free(f1);
	free(f2);
	free(db);
}

/* verify-trail: two log files and two chained digests; one log altered, one never downloaded. */
Test(cloudtrail, verify_trail_reports_altered_missing_files_and_checks_the_chain)
{
	const char *log_a = "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventName\":\"A\",\"eventID\":\"a\"}]}";
	const char *log_b = "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-01-01T00:05:00Z\",\"eventName\":\"B\",\"eventID\":\"b\"}]}";
	const char *d1 = "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2023-12-31T23:00:00Z\",\"digestEndTime\":"
			 "\"2024-01-01T00:00:00Z\",\"digestS3Object\":\"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/d1.json.gz\","
			 "\"previousDigestSignature\":null,\"logFiles\":[]}";
	char ha[65], hb[65], h1[65];
	struct strbuf d2 = STRBUF_INIT, out = STRBUF_INIT, cmd = STRBUF_INIT;
	char *pa = test_path("111122223333_CloudTrail_us-east-1_20240101T0000Z_a.json");
	char *pb = test_path("111122223333_CloudTrail_us-east-1_20240101T0005Z_b.json");
	char *p1 = test_path("d1.json"), *p2 = test_path("d2.json"), *db;
	int rc;

	sha256_hex(log_a, strlen(log_a), ha);
	sha256_hex(log_b, strlen(log_b), hb);
	sha256_hex(d1, strlen(d1), h1);
	cr_assert(test_write_file(pa, log_a, strlen(log_a)));
	cr_assert(test_write_file(p1, d1, strlen(d1)));
	strbuf_addf(&d2,
		    "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2024-01-01T00:00:00Z\",\"digestEndTime\":"
		    "\"2024-01-01T01:00:00Z\",\"digestS3Object\":\"x/d2.json.gz\",\"previousDigestS3Object\":\"x/d1.json.gz\","
		    "\"previousDigestHashValue\":\"%s\",\"logFiles\":["
		    "{\"s3Object\":\"x/111122223333_CloudTrail_us-east-1_20240101T0000Z_a.json.gz\",\"hashValue\":\"%s\"},"
		    "{\"s3Object\":\"x/111122223333_CloudTrail_us-east-1_20240101T0005Z_b.json.gz\",\"hashValue\":\"%s\"},"
		    "{\"s3Object\":\"x/111122223333_CloudTrail_us-east-1_20240101T0010Z_c.json.gz\",\"hashValue\":\"00\"}]}",
		    h1, ha, hb);
	cr_assert(test_write_file(p2, d2.buf, d2.len));
	/* b as delivered, then imported altered (one byte changed). */
	char *altered = strdup(log_b);
	altered[strlen(altered) - 5] = 'X';
	cr_assert(test_write_file(pb, altered, strlen(altered)));
	free(altered);
	db = cloud_import("c.db", NULL, NULL, pa, pb, p1, p2, NULL);
	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM evidence_documents WHERE kind = 'cloudtrail-digest'"), 2);
	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM events"), 2, "digests are not events");
	strbuf_addf(&cmd, "'%s' verify-trail '%s'; echo rc=$?", test_bin(), db);
	rc = test_sh(&out, "%s", cmd.buf);
	(void)rc;
	cr_expect_not_null(strstr(out.buf, "ok       111122223333_CloudTrail_us-east-1_20240101T0000Z_a.json\n"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "ALTERED  111122223333_CloudTrail_us-east-1_20240101T0005Z_b.json"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "MISSING  111122223333_CloudTrail_us-east-1_20240101T0010Z_c.json"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "chain    d1.json  previous digest ok"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "1 altered, 1 missing, 0 chain link(s) broken"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "rc=1"), "%s", out.buf);

	/* A trail whose files all match verifies with status 0. */
	{
		char *db2;
		struct strbuf d3 = STRBUF_INIT;
		char *p3 = test_path("d3.json");
		strbuf_addf(&d3,
			    "{\"digestStartTime\":\"2024-01-01T00:00:00Z\",\"digestEndTime\":\"2024-01-01T01:00:00Z\","
			    "\"logFiles\":[{\"s3Object\":\"x/111122223333_CloudTrail_us-east-1_20240101T0000Z_a.json.gz\",\"hashValue\":\"%s\"}]}",
			    ha);
		cr_assert(test_write_file(p3, d3.buf, d3.len));
		db2 = cloud_import("c2.db", NULL, NULL, pa, p3, NULL);
		strbuf_reset(&cmd);
		strbuf_reset(&out);
		strbuf_addf(&cmd, "'%s' verify-trail '%s'; echo rc=$?", test_bin(), db2);
		test_sh(&out, "%s", cmd.buf);
		cr_expect_not_null(strstr(out.buf, "1 log file(s) ok, 0 altered, 0 missing"), "%s", out.buf);
		cr_expect_not_null(strstr(out.buf, "rc=0"), "%s", out.buf);
		strbuf_release(&d3);
		free(p3);
		free(db2);
	}
	strbuf_release(&d2);
	strbuf_release(&out);
	strbuf_release(&cmd);
	free(pa);
	free(pb);
	free(p1);
	free(p2);
	free(db);
}

/* A gzip log cut short (an interrupted download): the records before the cut import. */
Test(cloudtrail, a_cut_gzip_log_imports_up_to_the_cut)
{
	struct strbuf body = STRBUF_INIT, out = STRBUF_INIT, row = STRBUF_INIT;
	char *plain = test_path("full.json"), *gz = test_path("cut.json.gz"), *db;

	strbuf_addstr(&body, "{\"Records\":[");
	for (int i = 0; i < 3000; i++)
		strbuf_addf(&body, "%s{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-01-01T00:%02d:%02dZ\",\"eventName\":\"N%d\","
				   "\"eventID\":\"id-%d\",\"requestParameters\":{\"pad\":\"%0200d\"}}",
			    i ? "," : "", i / 60 % 60, i % 60, i, i, i);
	strbuf_addstr(&body, "]}");
	cr_assert(test_write_file(plain, body.buf, body.len));
	cr_assert_eq(test_sh(&out, "gzip -c '%s' | head -c 8000 > '%s'", plain, gz), 0);
	db = cloud_import("c.db", &out, NULL, gz, NULL);
	cloud_text(db, "SELECT status, events > 100, events < 3000, skipped FROM evidence", &row);
	cr_expect_str_eq(row.buf, "partial|1|1|0", "%s", out.buf);
	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM events WHERE type = 'N0'"), 1);
	strbuf_release(&body);
	strbuf_release(&out);
	strbuf_release(&row);
	free(plain);
	free(gz);
	free(db);
}

/* --- verify-trail signatures ------------------------------------------------------------- */

static void hex_of(const unsigned char *b, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "%02x", b[i]);
}

/* SHA256withRSA over s, as hex. */
static void rsa_sign_hex(EVP_PKEY *k, const char *s, struct strbuf *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t n = sizeof(sig);

	cr_assert(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1);
	cr_assert(EVP_DigestSign(ctx, sig, &n, (const unsigned char *)s, strlen(s)) == 1);
	EVP_MD_CTX_free(ctx);
	hex_of(sig, n, out);
}

/* The key as `aws cloudtrail list-public-keys` prints it: base64 of the PKCS#1 DER. */
static void write_key_json(EVP_PKEY *k, const char *fingerprint, const char *path)
{
	unsigned char *der = NULL, b64[4096];
	int n = i2d_PublicKey(k, &der);
	struct strbuf sb = STRBUF_INIT;

	cr_assert(n > 0 && n < 3000);
	EVP_EncodeBlock(b64, der, n);
	strbuf_addf(&sb,
		    "{\n    \"PublicKeyList\": [\n        {\n            \"Value\": \"%s\",\n"
		    "            \"ValidityStartTime\": \"2023-01-01T00:00:00+00:00\",\n"
		    "            \"ValidityEndTime\": \"2025-01-01T00:00:00+00:00\",\n            \"Fingerprint\": \"%s\"\n        }\n    ]\n}\n",
		    b64, fingerprint);
	cr_assert(test_write_file(path, sb.buf, sb.len));
	OPENSSL_free(der);
	strbuf_release(&sb);
}

static void write_key_pem(EVP_PKEY *k, const char *path)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert(PEM_write_PUBKEY(f, k) == 1);
	fclose(f);
}

#define TRAIL_FP "0123456789abcdef0123456789abcdef"

/* Digest n (1..3) of a chain signed with k: its body into body, its signature into sig. */
static void make_digest(EVP_PKEY *k, int n, const char *prev_hash, const char *prev_sig, const char *log_hash,
			struct strbuf *body, struct strbuf *sig)
{
	struct strbuf tosign = STRBUF_INIT;
	char h[65];

	strbuf_reset(body);
	strbuf_addf(body,
		    "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2024-01-01T0%d:00:00Z\",\"digestEndTime\":"
		    "\"2024-01-01T0%d:00:00Z\",\"digestS3Bucket\":\"trail-bucket\",\"digestS3Object\":\"AWSLogs/111122223333/"
		    "CloudTrail-Digest/us-east-1/2024/01/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T0%d0000Z"
		    ".json.gz\",\"digestPublicKeyFingerprint\":\"" TRAIL_FP "\",\"digestSignatureAlgorithm\":\"SHA256withRSA\",",
		    n - 1, n, n);
	if (prev_hash)
		strbuf_addf(body,
			    "\"previousDigestS3Bucket\":\"trail-bucket\",\"previousDigestS3Object\":\"AWSLogs/111122223333/"
			    "CloudTrail-Digest/us-east-1/2024/01/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T0%d0000Z"
			    ".json.gz\",\"previousDigestHashValue\":\"%s\",\"previousDigestHashAlgorithm\":\"SHA-256\","
			    "\"previousDigestSignature\":\"%s\",",
			    n - 1, prev_hash, prev_sig);
	else
		strbuf_addstr(body, "\"previousDigestSignature\":null,");
	strbuf_addf(body,
		    "\"logFiles\":[{\"s3Bucket\":\"trail-bucket\",\"s3Object\":\"AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/"
		    "111122223333_CloudTrail_us-east-1_20240101T0%d05Z_x.json.gz\",\"hashValue\":\"%s\",\"hashAlgorithm\":\"SHA-256\"}]}",
		    n - 1, log_hash);
	sha256_hex(body->buf, body->len, h);
	strbuf_addf(&tosign,
		    "2024-01-01T0%d:00:00Z\ntrail-bucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/"
		    "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T0%d0000Z.json.gz\n%s\n%s",
		    n, n, h, prev_hash ? prev_sig : "null");
	strbuf_reset(sig);
	rsa_sign_hex(k, tosign.buf, sig);
	strbuf_release(&tosign);
}

static int run_verify(struct strbuf *out, const char *db, const char *opts)
{
	strbuf_reset(out);
	test_sh(out, "'%s' verify-trail %s '%s' 2>&1; echo rc=$?", test_bin(), opts, db);
	return strstr(out->buf, "rc=0\n") ? 0 : 1;
}

Test(cloudtrail, verify_trail_checks_digest_signatures_with_the_trail_public_key)
{
	EVP_PKEY *trail = EVP_RSA_gen(2048), *other = EVP_RSA_gen(2048);
	struct strbuf body[3], sig[3], out = STRBUF_INIT, opts = STRBUF_INIT, logs[3];
	char *dpath[3], *lpath[3], *kjson = test_path("trail-keys.json"), *kpem = test_path("other.pem");
	char *sigs = test_path("signatures.txt"), *badsigs = test_path("bad-signatures.txt");
	char h[65], prevh[65] = "";
	char *db;

	cr_assert(trail && other);
	for (int i = 0; i < 3; i++) {
		struct strbuf name = STRBUF_INIT;
		strbuf_init(&body[i]);
		strbuf_init(&sig[i]);
		strbuf_init(&logs[i]);
		strbuf_addf(&logs[i], "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-01-01T0%d:05:00Z\",\"eventName\":\"E%d\",\"eventID\":\"e%d\"}]}", i, i, i);
		strbuf_addf(&name, "111122223333_CloudTrail_us-east-1_20240101T0%d05Z_x.json", i);
		lpath[i] = test_path(name.buf);
		cr_assert(test_write_file(lpath[i], logs[i].buf, logs[i].len));
		sha256_hex(logs[i].buf, logs[i].len, h);
		make_digest(trail, i + 1, i ? prevh : NULL, i ? sig[i - 1].buf : NULL, h, &body[i], &sig[i]);
		sha256_hex(body[i].buf, body[i].len, prevh);
		strbuf_reset(&name);
		strbuf_addf(&name, "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T0%d0000Z.json", i + 1);
		dpath[i] = test_path(name.buf);
		cr_assert(test_write_file(dpath[i], body[i].buf, body[i].len));
		strbuf_release(&name);
	}
	/* The newest digest as delivered: gzip (its signature covers the uncompressed bytes). */
	test_sh(&out, "gzip -n '%s'", dpath[2]);
	write_key_json(trail, TRAIL_FP, kjson);
	write_key_pem(other, kpem);
	strbuf_reset(&out);
	strbuf_addf(&out, "# x-amz-meta-signature of each digest, recorded at acquisition\n"
			  "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/"
			  "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T030000Z.json.gz %s\n", sig[2].buf);
	cr_assert(test_write_file(sigs, out.buf, out.len));
	strbuf_reset(&out);
	strbuf_addf(&out, "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T010000Z.json.gz %s\n", sig[2].buf);
	cr_assert(test_write_file(badsigs, out.buf, out.len));
	{
		char gz[4096];
		snprintf(gz, sizeof(gz), "%s.gz", dpath[2]);
		db = cloud_import("c.db", NULL, NULL, lpath[0], lpath[1], lpath[2], dpath[0], dpath[1], gz, NULL);
	}

	/* {options, expected exit status, lines the output must hold} */
	struct strbuf o1 = STRBUF_INIT, o2 = STRBUF_INIT, o3 = STRBUF_INIT, o4 = STRBUF_INIT;
	strbuf_addf(&o1, "--public-key '%s' --signatures '%s'", kjson, sigs);
	strbuf_addf(&o2, "--public-key '%s'", kjson);
	strbuf_addf(&o3, "--public-key '%s' --signatures '%s'", kpem, sigs);
	strbuf_addf(&o4, "--public-key '%s' --signatures '%s'", kjson, badsigs);
	const struct {
		const char *opts;
		int rc;
		const char *want[3];
	} cases[] = {
		{ o1.buf, 0,
		  { "signed   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T030000Z.json  signature ok (key " TRAIL_FP ")",
		    "signed   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T010000Z.json  signature ok (key " TRAIL_FP
		    ", signature from the next digest)",
		    "3 log file(s) ok, 0 altered, 0 missing, 0 chain link(s) broken, 0 imported log file(s) not covered; "
		    "signatures: 3 ok, 0 bad, 0 not checked" } },
		{ o2.buf, 0,
		  { "unsigned 111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T030000Z.json  no signature",
		    "signatures: 2 ok, 0 bad, 1 not checked", NULL } },
		{ o3.buf, 1, { "BADSIG   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T020000Z.json  signature does NOT verify",
			       "signatures: 0 ok, 3 bad, 0 not checked", NULL } },
		{ o4.buf, 1, { "BADSIG   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T010000Z.json  the signature given differs",
			       "signatures: 1 ok, 1 bad, 1 not checked", NULL } },
		{ "", 0, { "no public key given", "signatures: 0 ok, 0 bad, 3 not checked", NULL } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = run_verify(&out, db, cases[i].opts);
		cr_expect_eq(rc, cases[i].rc, "case %zu: %s", i, out.buf);
		for (int k = 0; k < 3 && cases[i].want[k]; k++)
			cr_expect_not_null(strstr(out.buf, cases[i].want[k]), "case %zu: no '%s' in\n%s", i, cases[i].want[k], out.buf);
	}

	/* The middle digest edited after delivery: its signature fails and the chain breaks. */
	{
		char *db2;
		struct strbuf edited = STRBUF_INIT;
		char gz[4096];
		strbuf_addstr(&edited, body[1].buf);
		edited.buf[strstr(edited.buf, "\"hashValue\":\"") - edited.buf + 13] ^= 1;
		cr_assert(test_write_file(dpath[1], edited.buf, edited.len));
		snprintf(gz, sizeof(gz), "%s.gz", dpath[2]);
		db2 = cloud_import("c2.db", NULL, NULL, lpath[0], lpath[1], lpath[2], dpath[0], dpath[1], gz, NULL);
		cr_expect_eq(run_verify(&out, db2, o1.buf), 1, "%s", out.buf);
		cr_expect_not_null(strstr(out.buf, "BADSIG   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T020000Z.json"),
				   "%s", out.buf);
		cr_expect_not_null(strstr(out.buf, "BROKEN   111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T020000Z.json"),
				   "%s", out.buf);
		cr_expect_not_null(strstr(out.buf, "ALTERED  111122223333_CloudTrail_us-east-1_20240101T0105Z_x.json"), "%s", out.buf);
		strbuf_release(&edited);
		free(db2);
	}
	/* Bad options and key files are usage errors. */
	cr_expect_eq(run_verify(&out, db, "--public-key /nonexistent"), 1);
	cr_expect_not_null(strstr(out.buf, "cannot read public key file"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "rc=2"), "%s", out.buf);
	run_verify(&out, db, "--public-key /dev/null");
	cr_expect_not_null(strstr(out.buf, "no RSA public key"), "%s", out.buf);

	for (int i = 0; i < 3; i++) {
		strbuf_release(&body[i]);
		strbuf_release(&sig[i]);
		strbuf_release(&logs[i]);
		free(dpath[i]);
		free(lpath[i]);
	}
	strbuf_release(&o1);
	strbuf_release(&o2);
	strbuf_release(&o3);
	strbuf_release(&o4);
	strbuf_release(&out);
	strbuf_release(&opts);
	EVP_PKEY_free(trail);
	EVP_PKEY_free(other);
	free(kjson);
	free(kpem);
	free(sigs);
	free(badsigs);
	free(db);
}

/* --- Athena -------------------------------------------------------------------------------- */

/* `SELECT * FROM cloudtrail_logs` saved as CSV by Athena: the standard table's columns, every
 * value quoted, NULL as an empty cell, structs in Athena's rendering. */
#define ATHENA_HEADER "\"eventversion\",\"useridentity\",\"eventtime\",\"eventsource\",\"eventname\",\"awsregion\"," \
	"\"sourceipaddress\",\"useragent\",\"errorcode\",\"errormessage\",\"requestparameters\",\"responseelements\"," \
	"\"additionaleventdata\",\"requestid\",\"eventid\",\"resources\",\"eventtype\",\"apiversion\",\"readonly\"," \
	"\"recipientaccountid\",\"serviceeventdetails\",\"sharedeventid\",\"vpcendpointid\",\"tlsdetails\"\n"
static const char athena_csv[] =
	ATHENA_HEADER
	"\"1.08\",\"{type=AssumedRole, principalid=AROAEXAMPLE:i-0abc, arn=arn:aws:sts::111122223333:assumed-role/web/i-0abc, "
	"accountid=111122223333, invokedby=null, accesskeyid=ASIAATHENAKEY, username=null, sessioncontext={attributes="
	"{mfaauthenticated=false, creationdate=2024-06-01T09:00:00Z}, sessionissuer={type=Role, principalid=AROAEXAMPLE, "
	"arn=arn:aws:iam::111122223333:role/web, accountid=111122223333, username=web}, ec2roledelivery=2.0, "
	"webidfederationdata=null, sourceidentity=null}}\",\"2024-06-01T10:00:00Z\",\"s3.amazonaws.com\",\"GetObject\","
	"\"eu-west-1\",\"203.0.113.9\",\"[aws-cli/2.15.0 Python/3.11]\",,,\"{\"\"bucketName\"\":\"\"loot\"\",\"\"key\"\":"
	"\"\"db.sql\"\"}\",,\"{\"\"bytesTransferredOut\"\":1024}\",\"R1\",\"athena-1\",\"[{arn=arn:aws:s3:::loot/db.sql, "
	"accountid=111122223333, type=AWS::S3::Object}, {arn=arn:aws:s3:::loot, accountid=111122223333, type=AWS::S3::Bucket}]\","
	"\"AwsApiCall\",,\"true\",\"111122223333\",,,,\"{tlsversion=TLSv1.3, ciphersuite=TLS_AES_128_GCM_SHA256, "
	"clientprovidedhostheader=loot.s3.eu-west-1.amazonaws.com}\"\n"
	"\"1.08\",\"{type=IAMUser, principalid=AIDAEXAMPLE, arn=arn:aws:iam::111122223333:user/mallory, accountid=111122223333, "
	"invokedby=null, accesskeyid=AKIAMALLORY, username=mallory, sessioncontext=null}\",\"2024-06-01T10:05:00Z\","
	"\"sts.amazonaws.com\",\"GetSessionToken\",\"eu-west-1\",\"203.0.113.9\",\"aws-cli/2.15.0\",,,,\"{\"\"credentials\"\":"
	"{\"\"accessKeyId\"\":\"\"ASIANEW\"\",\"\"sessionToken\"\":\"\"ATHENATOKEN\"\",\"\"expiration\"\":\"\"Jun 1, 2024\"\"}}\","
	",\"R2\",\"athena-2\",,\"AwsApiCall\",,\"false\",\"111122223333\",,,,\n"
	"\"1.08\",\"{type=IAMUser, arn\",\"2024-06-01T10:06:00Z\",\"s3.amazonaws.com\",\"ListBuckets\",,,,,,,,,,\"athena-3\",,,,,,,,,\n";

Test(cloudtrail, athena_table_export_is_rebuilt_into_records)
{
	struct strbuf row = STRBUF_INIT, raw = STRBUF_INIT;
	char *f = test_path("athena-results.csv"), *db;
	const char *row1 = strchr(athena_csv, '\n') + 1;

	cr_assert(test_write_file(f, athena_csv, sizeof(athena_csv) - 1));
	db = cloud_import("c.db", NULL, NULL, f, NULL);
	cloud_text(db,
		   "SELECT type, principal, access_key_id, src_ip, user_agent, result, host, dedup_key,"
		   " json_extract(fields, '$.\"ct.user\"'), json_extract(fields, '$.\"ct.user.mfaauthenticated\"'),"
		   " json_extract(fields, '$.\"ct.user.sessionissuer.arn\"'), json_extract(fields, '$.\"ct.user.ec2roledelivery\"'),"
		   " json_extract(fields, '$.\"ct.resources\"[1].ARN'), json_extract(fields, '$.\"ct.readonly\"'),"
		   " json_extract(fields, '$.\"s3.uri\"'), json_extract(fields, '$.\"ct.tlsdetails.tlsversion\"'),"
		   " json_extract(fields, '$.\"ct.additionaleventdata\".bytesTransferredOut') FROM events ORDER BY id",
		   &row);
	cr_expect_str_eq(row.buf,
			 "GetObject|arn:aws:sts::111122223333:assumed-role/web/i-0abc|ASIAATHENAKEY|203.0.113.9|"
			 "[aws-cli/2.15.0 Python/3.11]|success|111122223333/eu-west-1|athena-1|web|false|"
			 "arn:aws:iam::111122223333:role/web|2.0|arn:aws:s3:::loot|1|s3://loot/db.sql|TLSv1.3|1024\n"
			 "GetSessionToken|arn:aws:iam::111122223333:user/mallory|AKIAMALLORY|203.0.113.9|aws-cli/2.15.0|success|"
			 "111122223333/eu-west-1|athena-2|mallory|NULL|NULL|NULL|NULL|0|NULL|NULL|NULL");
	/* The damaged struct: skipped, with the row's offset and what was wrong. */
	strbuf_reset(&row);
	cloud_text(db, "SELECT offset, message FROM evidence_issues", &row);
	{
		struct strbuf want = STRBUF_INIT;
		strbuf_addf(&want, "%td|Athena row: column useridentity is not in Athena's struct rendering",
			    strstr(athena_csv, "\"1.08\",\"{type=IAMUser, arn\"") - athena_csv);
		cr_expect_str_eq(row.buf, want.buf);
		strbuf_release(&want);
	}
	/* The raw record is the row; the token is gone from the one that had to be redacted. */
	cloud_raw(db, 1, &raw);
	cr_expect_eq(raw.len, (size_t)(strchr(row1, '\n') - row1));
	cr_expect(!memcmp(raw.buf, row1, raw.len), "%s", raw.buf);
	strbuf_reset(&raw);
	cloud_raw(db, 2, &raw);
	cr_expect_null(strstr(raw.buf, "ATHENATOKEN"), "%s", raw.buf);
	cr_expect_not_null(strstr(raw.buf, "\"sessionToken\":\"REDACTED\""), "%s", raw.buf);
	strbuf_reset(&row);
	cloud_text(db, "SELECT fields FROM events", &row);
	cr_expect_null(strstr(row.buf, "ATHENATOKEN"), "%s", row.buf);
	strbuf_release(&row);
	strbuf_release(&raw);
	free(f);
	free(db);
}

/* A CloudTrail Lake row's raw record is the record's JSON, whole (not overwritten while the
 * event's fields are built). */
Test(cloudtrail, lake_csv_raw_record_is_the_json_cell)
{
	static const char csv[] = "eventID,eventTime,eventJson\r\n"
				  "e-0,2024,\"{\"\"eventTime\"\":\"\"2024-05-01T10:00:00Z\"\",\"\"eventName\"\":\"\"X\"\","
				  "\"\"requestParameters\"\":{\"\"bucketName\"\":\"\"b1\"\"}}\"\r\n";
	struct strbuf raw = STRBUF_INIT;
	char *f = test_path("lake.csv"), *db;

	cr_assert(test_write_file(f, csv, sizeof(csv) - 1));
	db = cloud_import("c.db", NULL, NULL, f, NULL);
	cloud_raw(db, 1, &raw);
	cr_expect_str_eq(raw.buf, "{\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventName\":\"X\",\"requestParameters\":{\"bucketName\":\"b1\"}}");
	strbuf_release(&raw);
	free(f);
	free(db);
}

/* --- the record arena (jsonutil): jansson's allocator hook is global to the process ---------- */

#include <pthread.h>

#include "jsonutil.h"

#define ARENA_THREADS 4
#define ARENA_ROUNDS 2000

/* One importer thread: parse into the arena, change the tree the way the importers do (a
 * redacted string, a member added: malloc'd blocks in an arena tree), read it, release. */
static void *arena_worker(void *arg)
{
	intptr_t id = (intptr_t)arg, bad = 0;
	char text[256];

	for (int i = 0; i < ARENA_ROUNDS; i++) {
		json_error_t err;
		json_t *v;
		snprintf(text, sizeof(text),
			 "{\"eventID\":\"t%ld-%d\",\"userIdentity\":{\"accessKeyId\":\"ASIAEXAMPLE\"},"
			 "\"responseElements\":{\"credentials\":{\"sessionToken\":\"secret-%d\"}}}",
			 (long)id, i, i);
		v = jsonu_loadb(text, strlen(text), 0, &err);
		if (!v) {
			bad++;
			continue;
		}
		json_string_set(jsonu_get(v, "responseElements.credentials.sessionToken"), "REDACTED");
		json_object_set_new(v, "added", json_integer(i));
		snprintf(text, sizeof(text), "t%ld-%d", (long)id, i);
		bad += strcmp(jsonu_str(v, "eventID"), text) != 0 ||
		       strcmp(jsonu_str(v, "responseElements.credentials.sessionToken"), "REDACTED") != 0 ||
		       json_integer_value(json_object_get(v, "added")) != i;
		json_decref(v);
		jsonu_arena_release();
	}
	return (void *)bad;
}

/* Several importer threads at once, while this thread uses jansson outside any arena (a value
 * that lives across their records, json_dumps freed with free()): no value is corrupted and no
 * block reaches the wrong free (the sanitizer build checks the latter). */
Test(cloudtrail, record_arena_is_safe_across_threads_and_other_jansson_users)
{
	pthread_t t[ARENA_THREADS];
	json_t *kept = json_object();

	for (intptr_t i = 0; i < ARENA_THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, arena_worker, (void *)i), 0);
	for (int i = 0; i < ARENA_ROUNDS; i++) {
		char key[32], *text;
		json_t *v = json_loads("{\"a\":[1,2,{\"b\":\"c\"}]}", 0, NULL);
		snprintf(key, sizeof(key), "k%d", i % 64);
		json_object_set_new(kept, key, v);
		text = json_dumps(kept, JSON_COMPACT);
		cr_assert_not_null(text);
		free(text);
	}
	for (int i = 0; i < ARENA_THREADS; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		cr_expect_eq((intptr_t)bad, 0, "thread %d saw %ld damaged records", i, (long)(intptr_t)bad);
	}
	cr_expect_eq(json_object_size(kept), 64);
	cr_expect_str_eq(json_string_value(jsonu_get(json_array_get(jsonu_get(kept, "k5.a"), 2), "b")), "c");
	json_decref(kept);
}

/* A record larger than an arena slot: jansson falls back to malloc part-way, and the values
 * are whole; the next record parses in the arena again. */
Test(cloudtrail, record_larger_than_the_arena_parses_whole)
{
	size_t n = JSONU_ARENA_SLOT + (1u << 20);
	char *text = malloc(n + 32);
	json_error_t err;
	json_t *v;

	cr_assert_not_null(text);
	strcpy(text, "{\"big\":\"");
	memset(text + 8, 'x', n);
	strcpy(text + 8 + n, "\",\"after\":1}");
	v = jsonu_loadb(text, strlen(text), 0, &err);
	cr_assert_not_null(v, "%s", err.text);
	cr_expect_eq(json_string_length(json_object_get(v, "big")), n);
	cr_expect_eq(json_integer_value(json_object_get(v, "after")), 1);
	json_decref(v);
	jsonu_arena_release();
	v = jsonu_loadb("{\"small\":true}", 14, 0, &err);
	cr_expect(json_is_true(json_object_get(v, "small")));
	json_decref(v);
	jsonu_arena_release();
	free(text);
}
