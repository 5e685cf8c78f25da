/* test-shipped-rules: the rule set in rules/ loads clean, says which GuardDuty finding each rule
 * reproduces, finds the sample incident, and stays quiet on the benign corpus. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char *rules_dir(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/rules", test_source_root());
	return test_keep(strbuf_detach(&sb, NULL));
}

Test(shipped_rules, load_without_error_or_warning)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	/* every rule ships enabled (InstanceCredentialExfiltration too: rule-gate.h) */
	cr_assert_eq(test_run(&out, &err, "rules", "check", "--strict", rules_dir(), NULL), 0, "%s%s", out.buf, err.buf);
	cr_assert_not_null(strstr(out.buf, "0 could not run, 0 disabled; 0 errors, 0 warnings"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(shipped_rules, every_rule_names_its_guardduty_type_severity_and_technique)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *line, *p;
	int rules = 0;

	cr_assert_eq(test_run(&out, &err, "rules", "list", "--rules", rules_dir(), NULL), 0, "%s", err.buf);
	for (p = out.buf; (line = strsep(&p, "\n"));) {
		if (!*line)
			continue;
		rules++;
		cr_assert_not_null(strstr(line, "\tguardduty:"), "no guardduty tag: %s", line);
		cr_assert_not_null(strstr(line, ",severity:"), "no severity tag: %s", line);
		cr_assert_not_null(strstr(line, ",T1"), "no ATT&CK technique: %s", line);
	}
	cr_assert_geq(rules, 10);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(shipped_rules, investigate_finds_the_sample_incident)
{
	static const char *const want[] = {
		"Impact:Runtime/CryptoMinerExecuted", "Execution:Runtime/SuspiciousCommand",
		"Execution:Runtime/NewBinaryExecuted", "Execution:Runtime/ReverseShell",
		"DefenseEvasion:Runtime/SensitiveFileModified", "Persistence:Runtime/SensitiveFileModified",
		"Persistence:Runtime/SuspiciousCommand", "Discovery:Runtime/SuspiciousCommand",
		"CryptoCurrency:Runtime/BitcoinTool.B!DNS", "Stealth:IAMUser/CloudTrailLoggingDisabled",
		"PenTest:IAMUser/KaliLinux", "Persistence:IAM/AccountManipulation",
	};
	char *out_dir = test_file("out"), *db;
	struct strbuf samples = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, types = STRBUF_INIT;
	sqlite3 *h;
	sqlite3_stmt *st;

	strbuf_addf(&samples, "%s/samples/evidence", test_source_root());
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-o", out_dir, "--date", "2026-11-23", "--host",
			      "ip-10-0-1-23.eu-west-1.compute.internal", samples.buf, NULL),
		     0, "%s", err.buf);
	db = test_keep(malloc(strlen(out_dir) + 16));
	sprintf(db, "%s/case.db", out_dir);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, "SELECT type FROM findings ORDER BY type", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		strbuf_addf(&types, "%s\n", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_not_null(strstr(types.buf, want[i]), "missing %s in:\n%s", want[i], types.buf);
	strbuf_release(&samples);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&types);
}

/* Ordinary evidence written by others (host, CloudTrail, Kubernetes audit, captures) must raise
 * nothing High or Critical. */
Test(shipped_rules, benign_host_evidence_raises_nothing_serious)
{
	char *db = test_file("benign.db");
	struct strbuf corpus = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	sqlite3 *h;
	sqlite3_stmt *st;

	REQUIRE_SHARED();
	strbuf_addf(&corpus, "%s/corpus", test_shared_dir());
	struct strbuf a = STRBUF_INIT, s = STRBUF_INIT, c = STRBUF_INIT, t = STRBUF_INIT, k = STRBUF_INIT, p = STRBUF_INIT;
	strbuf_addf(&a, "%s/auditd", corpus.buf);
	strbuf_addf(&s, "%s/strace", corpus.buf);
	strbuf_addf(&c, "%s/scap", corpus.buf);
	strbuf_addf(&t, "%s/cloudtrail", corpus.buf);
	strbuf_addf(&k, "%s/k8s_audit", corpus.buf);
	strbuf_addf(&p, "%s/pcap", corpus.buf);
	/* oracle files fail to import: fine */
	test_run(&out, &err, "import", "-q", db, a.buf, s.buf, c.buf, t.buf, k.buf, p.buf, NULL);
	cr_assert_eq(test_run(&out, &err, "detect", "-q", db, NULL), 0, "%s", err.buf);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
					"SELECT count(*), group_concat(output, ' | ') FROM alerts"
					" WHERE priority IN ('Emergency', 'Alert', 'Critical', 'Error')",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 0, "%s", sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	sqlite3_close(h);
	strbuf_release(&corpus);
	strbuf_release(&a);
	strbuf_release(&s);
	strbuf_release(&c);
	strbuf_release(&t);
	strbuf_release(&k);
	strbuf_release(&p);
	strbuf_release(&out);
	strbuf_release(&err);
}

/*
 * Every Runtime Monitoring type of GuardDuty's active-types directory (the oracle copied to
 * ../shared/corpus/guardduty, reference/guardduty.md [DIR]) is either reproduced by a shipped
 * rule (its guardduty: tag, with GuardDuty's default severity band) or named in rules/README.md's
 * "Not reproduced" table with the reason.
 */
Test(shipped_rules, every_runtime_type_is_reproduced_or_explained)
{
	struct strbuf dir = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, readme = STRBUF_INIT, want = STRBUF_INIT;
	const char *not_reproduced;
	json_error_t jerr;
	json_t *root, *list, *item;
	size_t i;
	int runtime = 0, reproduced = 0;

	REQUIRE_SHARED();
	strbuf_addf(&dir, "%s/corpus/guardduty/finding-types-directory.trustoncloud.json", test_shared_dir());
	root = json_load_file(dir.buf, 0, &jerr);
	cr_assert_not_null(root, "%s: %s", dir.buf, jerr.text);
	list = json_is_array(root) ? root : NULL;
	if (!list) {
		const char *key;
		json_t *v;
		json_object_foreach(root, key, v)
			if (json_is_array(v))
				list = v;
	}
	cr_assert_not_null(list);
	cr_assert_eq(test_run(&out, &err, "rules", "list", "--rules", rules_dir(), NULL), 0, "%s", err.buf);
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/README.md", rules_dir());
	cr_assert(test_read_file(dir.buf, &readme));
	not_reproduced = strstr(readme.buf, "### Not reproduced");
	cr_assert_not_null(not_reproduced);
	json_array_foreach(list, i, item) {
		const char *type = json_string_value(json_object_get(item, "type"));
		const char *sev = json_string_value(json_object_get(item, "severity"));
		const char *hit, *end;
		if (!type || !strstr(type, ":Runtime/"))
			continue;
		runtime++;
		strbuf_reset(&want);
		strbuf_addf(&want, "\tguardduty:%s,severity:", type);
		hit = strstr(out.buf, want.buf);
		if (hit) {
			int n = atoi(hit + want.len);
			reproduced++;
			/* the tag's severity is GuardDuty's band (Variable types: any) */
			if (sev && !strcmp(sev, "High"))
				cr_expect(n >= 7 && n < 9, "%s: severity %d, GuardDuty says High", type, n);
			else if (sev && !strcmp(sev, "Medium"))
				cr_expect(n >= 4 && n < 7, "%s: severity %d, GuardDuty says Medium", type, n);
			else if (sev && !strcmp(sev, "Low"))
				cr_expect(n >= 1 && n < 4, "%s: severity %d, GuardDuty says Low", type, n);
			continue;
		}
		strbuf_reset(&want);
		strbuf_addf(&want, "| `%s` |", type);
		end = strstr(not_reproduced, "\n## ");
		hit = strstr(not_reproduced, want.buf);
		cr_expect(hit && (!end || hit < end), "%s: no rule and not explained in rules/README.md", type);
	}
	cr_expect_eq(runtime, 46, "the directory lists %d runtime types", runtime);
	cr_expect_geq(reproduced, 44, "%d runtime types reproduced", reproduced);
	json_decref(root);
	strbuf_release(&dir);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&readme);
	strbuf_release(&want);
}
