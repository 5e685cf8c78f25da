/* test-shipped-rules: the rule set in rules/ loads clean, says which GuardDuty finding each rule
 * reproduces, finds the sample incident, and stays quiet on the benign corpus. */
#include <criterion/criterion.h>
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
	/* DefenseEvasion:Runtime/SensitiveFileModified is not here: the sample deletes
	 * ~/.bash_history with unlinkat, whose path is evt.arg.name (fd.name is empty for it, as in
	 * Falco), and the rule looks at fd.name only. */
	static const char *const want[] = {
		"Impact:Runtime/CryptoMinerExecuted", "Execution:Runtime/SuspiciousCommand",
		"Execution:Runtime/NewBinaryExecuted", "Execution:Runtime/ReverseShell",
		"Persistence:Runtime/SensitiveFileModified", "Discovery:Runtime/SuspiciousCommand",
		"Stealth:IAMUser/CloudTrailLoggingDisabled",
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

/* Ordinary host evidence written by others must raise nothing High or Critical. */
Test(shipped_rules, benign_host_evidence_raises_nothing_serious)
{
	char *db = test_file("benign.db");
	struct strbuf corpus = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	sqlite3 *h;
	sqlite3_stmt *st;

	REQUIRE_SHARED();
	strbuf_addf(&corpus, "%s/corpus", test_shared_dir());
	struct strbuf a = STRBUF_INIT, s = STRBUF_INIT, c = STRBUF_INIT;
	strbuf_addf(&a, "%s/auditd", corpus.buf);
	strbuf_addf(&s, "%s/strace", corpus.buf);
	strbuf_addf(&c, "%s/scap", corpus.buf);
	test_run(&out, &err, "import", "-q", db, a.buf, s.buf, c.buf, NULL); /* oracle files fail: fine */
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
	strbuf_release(&out);
	strbuf_release(&err);
}
