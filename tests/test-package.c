/* test-package: evidence packages as an auditor meets them — a bag of a small case verifies
 * with backsight, with `sha256sum -c` over both manifests and with the stock `minisign`; every
 * kind of tampering is detected and named; packaging is deterministic; secrets never reach an
 * exported text file; the custody log chains every import. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "testutil.h"

/* A syscall event and a CloudTrail-like event that carries a secret access key in three shapes:
 * a named field, a credentials-CSV pair after its key id, and a session token. */
static const char evidence_text[] =
	"{\"ts_ns\":1795317289000000000,\"ts_precision\":1000,\"source\":\"syscall\",\"type\":\"execve\","
	"\"host\":\"web-1\",\"summary\":\"execve /bin/sh -c id\",\"pid\":4242,\"exe\":\"/bin/sh\"}\n"
	"{\"ts_ns\":1795317290000000000,\"ts_precision\":1000000000,\"source\":\"aws_cloudtrail\","
	"\"type\":\"GetCallerIdentity\",\"host\":\"123456789012\","
	"\"summary\":\"creds AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\","
	"\"access_key_id\":\"AKIAIOSFODNN7EXAMPLE\","
	"\"fields\":{\"aws_secret_access_key\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\","
	"\"sessionToken\":\"IQoJb3JpZ2luX2VjEXAMPLETOKENxyzSESSION0123456789+/=\"}}\n";

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLETOKEN"

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return test_keep(strbuf_detach(&sb, NULL));
}

struct fixture {
	char *dir, *db, *evidence, *key, *pub, *bag;
};

/* A case with one import, a key pair, and a signed bag holding the evidence. */
static struct fixture make_case(const char *name)
{
	struct fixture f;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	f.dir = test_file(name);
	f.db = pathf("%s/case.db", f.dir);
	f.evidence = pathf("%s/ct.jsonl", f.dir);
	f.key = pathf("%s/k.key", f.dir);
	f.pub = pathf("%s/k.pub", f.dir);
	f.bag = pathf("%s/bag", f.dir);
	cr_assert_eq(test_sh(NULL, "rm -rf '%s' && mkdir -p '%s'", f.dir, f.dir), 0);
	cr_assert(test_write_file(f.evidence, evidence_text, sizeof(evidence_text) - 1));
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--by", "Jane Analyst", f.db, f.evidence, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "keygen", "-o", pathf("%s/k", f.dir), NULL), 0, "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	return f;
}

static struct fixture make_bag(const char *name)
{
	struct fixture f = make_case(name);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", "--sign", f.key, "--by", "Jane Analyst",
			      "--org", "ACME IR", f.db, "-o", f.bag, NULL),
		     0, "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	return f;
}

Test(package, bag_verifies_with_backsight_and_sha256sum)
{
	struct fixture f = make_bag("verifies");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, info = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "verify", "--pubkey", f.pub, f.bag, NULL), 0, "%s%s", out.buf, err.buf);
	cr_assert_not_null(strstr(out.buf, "signature: valid, by key"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "(given with --pubkey)"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "custody log: 1 entry, chain intact"), "%s", out.buf);
	strbuf_reset(&out);
	/* without --pubkey the key shipped in the bag is used, and said to prove nothing about who signed */
	cr_assert_eq(test_run(&out, &err, "verify", f.bag, NULL), 0, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "NOT who signed it"), "%s", out.buf);
	cr_assert_eq(test_sh(NULL, "cd '%s' && sha256sum --quiet -c manifest-sha256.txt && sha256sum --quiet -c tagmanifest-sha256.txt",
			     f.bag),
		     0);
	cr_assert(test_read_file(pathf("%s/bag-info.txt", f.bag), &info));
	for (const char *want[] = { "Source-Organization: ACME IR\n", "Contact-Name: Jane Analyst\n", "External-Identifier: bs-",
				    "Bagging-Date: ", "Bag-Software-Agent: backsight ", "Payload-Oxum: ",
				    "Command-Line: ", " import by Jane Analyst: backsight import -q --by 'Jane Analyst' ",
				    "Evidence-Included: yes, 1 file(s)", "Redaction: ", "Signing-Key-Id: " },
			**w = want;
	     w < want + sizeof(want) / sizeof(want[0]); w++)
		cr_assert_not_null(strstr(info.buf, *w), "bag-info.txt lacks '%s':\n%s", *w, info.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&info);
}

Test(package, stock_minisign_verifies_the_signature)
{
	struct fixture f;
	struct strbuf out = STRBUF_INIT;

	if (test_sh(NULL, "command -v minisign >/dev/null") != 0)
		cr_skip_test("minisign is not installed (apt-get install minisign): stock-tool check skipped");
	f = make_bag("minisign");
	cr_assert_eq(test_sh(&out, "minisign -Vm '%s/tagmanifest-sha256.txt' -p '%s' 2>&1", f.bag, f.pub), 0, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "Trusted comment: case:bs-"), "%s", out.buf);
	strbuf_release(&out);
}

Test(package, tar_form_verifies_and_is_deterministic)
{
	struct fixture f = make_case("tar");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *tar = pathf("%s/bag.tar", f.dir);

	cr_assert_eq(test_run(&out, &err, "package", "-q", "--tar", f.db, "-o", tar, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "verify", tar, NULL), 0, "%s", out.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_sh(&out, "tar tvf '%s'", tar), 0);
	cr_assert_not_null(strstr(out.buf, "backsight/backsight"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "1970-01-01 00:00 bag/data/case/case.db"), "%s", out.buf);
	cr_assert_eq(test_sh(NULL, "cd '%s' && mkdir x && tar xf bag.tar -C x && cd x/bag && sha256sum --quiet -c manifest-sha256.txt",
			     f.dir),
		     0);
	strbuf_release(&out);
	strbuf_release(&err);
}

struct tamper_case {
	const char *what;
	const char *shell;    /* run in a copy of the bag; %s is not used */
	const char *expected; /* a line verify must print */
	bool with_pubkey;
};

static const struct tamper_case tampers[] = {
	{ "one byte of the case database", "printf X | dd of=data/case/case.db bs=1 seek=200 conv=notrunc 2>/dev/null",
	  "data/case/case.db: SHA-256 mismatch", false },
	{ "one byte of the timeline export", "printf X | dd of=data/exports/timeline.jsonl bs=1 seek=3 conv=notrunc 2>/dev/null",
	  "data/exports/timeline.jsonl: SHA-256 mismatch", false },
	{ "one byte of the ledger export", "printf X | dd of=data/exports/evidence.csv bs=1 seek=3 conv=notrunc 2>/dev/null",
	  "data/exports/evidence.csv: SHA-256 mismatch", false },
	{ "one byte of the evidence", "printf X | dd of=data/evidence/000001-ct.jsonl bs=1 seek=10 conv=notrunc 2>/dev/null",
	  "data/evidence/000001-ct.jsonl: SHA-256 mismatch", false },
	{ "a payload file removed", "rm data/exports/evidence.json",
	  "data/exports/evidence.json: listed in manifest-sha256.txt but missing", false },
	{ "a payload file added", "echo planted > data/exports/extra.txt",
	  "data/exports/extra.txt: present but not in manifest-sha256.txt", false },
	{ "a tag file added", "echo planted > notes.txt", "notes.txt: present but not in tagmanifest-sha256.txt", false },
	{ "bag-info.txt edited", "sed -i 's/Contact-Name: Jane Analyst/Contact-Name: Mallory/' bag-info.txt",
	  "bag-info.txt: SHA-256 mismatch", false },
	{ "the custody log edited", "sed -i 's/\"actor\":\"Jane Analyst\"/\"actor\":\"Mallory\"/' custody-log.jsonl",
	  "custody-log.jsonl:1: entry 1: hash mismatch", false },
	{ "the custody log edited and the tag manifest recomputed",
	  "sed -i 's/\"actor\":\"Jane Analyst\"/\"actor\":\"Mallory\"/' custody-log.jsonl && "
	  "sha256sum bag-info.txt bagit.txt custody-log.jsonl manifest-sha256.txt signing-key.pub > tagmanifest-sha256.txt",
	  "tagmanifest-sha256.txt.minisig: signature does not match the file", true },
	{ "the payload manifest rewritten to match a changed file",
	  "echo x >> data/exports/timeline.jsonl && sha256sum data/case/case.db data/evidence/* data/exports/* > manifest-sha256.txt",
	  "manifest-sha256.txt: SHA-256 mismatch", false },
	{ "the last custody entry cut from the log and the tag manifest recomputed",
	  "sed -i '$d' custody-log.jsonl && "
	  "sha256sum bag-info.txt bagit.txt custody-log.jsonl manifest-sha256.txt signing-key.pub > tagmanifest-sha256.txt",
	  "custody-log.jsonl: its last hash is", false },
	{ "a payload file listed twice",
	  "sed -n 1p manifest-sha256.txt >> manifest-sha256.txt && "
	  "sha256sum bag-info.txt bagit.txt custody-log.jsonl manifest-sha256.txt signing-key.pub > tagmanifest-sha256.txt",
	  "manifest-sha256.txt: data/case/case.db listed twice", false },
	{ "the signature removed", "rm tagmanifest-sha256.txt.minisig",
	  "tagmanifest-sha256.txt.minisig: missing: the bag is not signed", true },
	{ "the trusted comment changed", "sed -i 's/^trusted comment: case:/trusted comment: case:X/' tagmanifest-sha256.txt.minisig",
	  "tagmanifest-sha256.txt.minisig: the trusted comment was changed after signing", true },
	{ "Payload-Oxum wrong", "sed -i 's/^Payload-Oxum: .*/Payload-Oxum: 1.1/' bag-info.txt",
	  "bag-info.txt: Payload-Oxum 1.1 but data/ holds", false },
};

Test(package, tampering_is_detected_and_named)
{
	struct fixture f = make_bag("tamper");

	for (size_t i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++) {
		const struct tamper_case *t = &tampers[i];
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
		char *copy = pathf("%s/t%zu", f.dir, i);
		int rc;

		cr_assert_eq(test_sh(NULL, "cp -a '%s' '%s' && cd '%s' && %s", f.bag, copy, copy, t->shell), 0, "%s", t->what);
		if (t->with_pubkey)
			rc = test_run(&out, &err, "verify", "--pubkey", f.pub, copy, NULL);
		else
			rc = test_run(&out, &err, "verify", copy, NULL);
		cr_expect_eq(rc, 1, "%s: verify exited %d:\n%s%s", t->what, rc, out.buf, err.buf);
		cr_expect_not_null(strstr(out.buf, t->expected), "%s: expected '%s' in:\n%s", t->what, t->expected, out.buf);
		strbuf_release(&out);
		strbuf_release(&err);
	}
}

Test(package, wrong_public_key_is_named)
{
	struct fixture f = make_bag("wrongkey");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "keygen", "-o", pathf("%s/other", f.dir), NULL), 0);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--pubkey", pathf("%s/other.pub", f.dir), f.bag, NULL), 1);
	cr_assert_not_null(strstr(out.buf, "tagmanifest-sha256.txt.minisig: signed by key "), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "not by the given key"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

/*
 * The same case state packaged twice gives the same bag, apart from the documented dates:
 * Bagging-Date in bag-info.txt (so bag-info.txt and tagmanifest-sha256.txt on another day) and
 * the signature's timestamp. The case is copied first because packaging records itself in the
 * case's custody log.
 */
Test(package, same_case_twice_gives_identical_bags)
{
	struct fixture f = make_case("twice");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *a = pathf("%s/a.db", f.dir), *b = pathf("%s/b.db", f.dir);

	cr_assert_eq(test_sh(NULL, "cp '%s' '%s' && cp '%s' '%s'", f.db, a, f.db, b), 0);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", "--sign", f.key, "--case-id", "CASE-1", a,
			      "-o", pathf("%s/bag-a", f.dir), NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", "--sign", f.key, "--case-id", "CASE-1", b,
			      "-o", pathf("%s/bag-b", f.dir), NULL), 0, "%s", err.buf);
	cr_assert_eq(test_sh(&out, "cd '%s' && diff -r -x tagmanifest-sha256.txt.minisig -x bag-info.txt -x tagmanifest-sha256.txt "
				   "bag-a bag-b 2>&1 && grep -v '^Bagging-Date:' bag-a/bag-info.txt > info-a && "
				   "grep -v '^Bagging-Date:' bag-b/bag-info.txt > info-b && diff info-a info-b 2>&1",
			     f.dir),
		     0, "%s", out.buf);
	/* unsigned tar files of the same case state, made the same day, are byte-identical */
	cr_assert_eq(test_sh(NULL, "cd '%s' && cp case.db c.db && cp case.db d.db && mkdir t1 t2", f.dir), 0);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--tar", pathf("%s/c.db", f.dir), "-o", pathf("%s/t1/bag.tar", f.dir),
			      NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--tar", pathf("%s/d.db", f.dir), "-o", pathf("%s/t2/bag.tar", f.dir),
			      NULL), 0, "%s", err.buf);
	cr_assert_eq(test_sh(NULL, "cd '%s' && cmp t1/bag.tar t2/bag.tar", f.dir), 0);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(package, secrets_never_reach_an_exported_text_file)
{
	struct fixture f = make_bag("secrets");
	struct strbuf out = STRBUF_INIT, timeline = STRBUF_INIT, info = STRBUF_INIT;

	/* every file of the bag except the original evidence, which is kept byte for byte: the case
	 * database too, since the import stored the events without their secrets */
	cr_assert_eq(test_sh(&out, "cd '%s' && grep -rlF -e '%s' -e '%s' --exclude-dir=evidence . || true", f.bag,
			     SECRET, TOKEN), 0);
	cr_assert_eq(out.len, 0, "secret found in: %s", out.buf);
	cr_assert(test_read_file(pathf("%s/data/exports/timeline.jsonl", f.bag), &timeline));
	cr_assert_not_null(strstr(timeline.buf, "AKIAIOSFODNN7EXAMPLE,[REDACTED]"), "the key id is kept: %s", timeline.buf);
	cr_assert_not_null(strstr(timeline.buf, "\"aws_secret_access_key\":\"[REDACTED]\""), "%s", timeline.buf);
	cr_assert_not_null(strstr(timeline.buf, "\"sessionToken\":\"[REDACTED]\""), "%s", timeline.buf);
	cr_assert(test_read_file(pathf("%s/data/exports/evidence_issues.json", f.bag), &info));
	cr_assert_not_null(strstr(info.buf, "6 secret value(s) (secret access keys, session tokens) redacted before storing"),
			   "the ledger says what the import redacted: %s", info.buf);
	/* the raw record kept in the case, read back */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, NULL, "show", f.db, "2", NULL), 0);
	cr_assert_null(strstr(out.buf, SECRET), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "\"aws_secret_access_key\":\"[REDACTED]\""), "%s", out.buf);
	/* the evidence copy is the original, byte for byte */
	cr_assert_eq(test_sh(NULL, "cmp '%s' '%s/data/evidence/000001-ct.jsonl'", f.evidence, f.bag), 0);
	strbuf_release(&out);
	strbuf_release(&timeline);
	strbuf_release(&info);
}

Test(package, evidence_changed_since_import_is_refused)
{
	struct fixture f = make_case("changed");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_sh(NULL, "echo tampered >> '%s'", f.evidence), 0);
	cr_assert_eq(test_run(&out, &err, "package", "--include-evidence", f.db, "-o", f.bag, NULL), 1);
	cr_assert_not_null(strstr(err.buf, "the file changed since it was imported"), "%s", err.buf);
	cr_assert_neq(test_sh(NULL, "test -e '%s'", f.bag), 0, "no half-made bag is left behind");
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(package, custody_log_chains_every_action)
{
	struct fixture f = make_bag("custody");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *second = pathf("%s/more.jsonl", f.dir);

	cr_assert(test_write_file(second, evidence_text, 200));
	cr_assert_eq(test_run(&out, &err, "import", "-q", f.db, second, NULL), 0, "%s", err.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", f.db, "--sql",
			      "SELECT c.seq, c.action, c.prev_hash = coalesce(p.hash, '0000000000000000000000000000000000000000000000000000000000000000') "
			      "FROM custody c LEFT JOIN custody p ON p.seq = c.seq - 1 ORDER BY c.seq", NULL), 0, "%s", err.buf);
	cr_assert_not_null(strstr(out.buf, "1,\"import\",1"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "2,\"package\",1"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "3,\"import\",1"), "%s", out.buf);
	/* the log is append-only in the database itself */
	cr_assert_neq(test_sh(NULL, "sqlite3 '%s' \"UPDATE custody SET actor = 'Mallory'\" 2>/dev/null", f.db), 0);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(package, reproduce_reimports_the_evidence)
{
	struct fixture f = make_bag("reproduce");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *bare = pathf("%s/bare", f.dir);

	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", f.bag, NULL), 0, "%s%s", out.buf, err.buf);
	cr_assert_not_null(strstr(out.buf, "reproduce: 1 evidence file(s) re-imported; ledger and timeline identical"), "%s", out.buf);
	cr_assert_eq(test_run(&out, &err, "package", "-q", f.db, "-o", bare, NULL), 0, "%s", err.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", bare, NULL), 1, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "data/evidence/000001-ct.jsonl: needed by --reproduce but not in the bag"), "%s", out.buf);
	/* a timeline export that the evidence does not give */
	cr_assert_eq(test_sh(NULL, "cd '%s' && sed -i '2s/GetCallerIdentity/AssumeRole/' data/exports/timeline.jsonl", f.bag), 0);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", f.bag, NULL), 1, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "data/exports/timeline.jsonl: the re-imported evidence gives a different timeline "
					   "(first difference at line 2)"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

static const char probe_rule[] =
	"- rule: Shell ran\n"
	"  desc: a shell was executed\n"
	"  condition: evt.type = execve and proc.exepath = /bin/sh\n"
	"  output: shell ran (pid=%proc.pid)\n"
	"  priority: WARNING\n"
	"  source: syscall\n"
	"  tags: [guardduty:Execution:Runtime/SuspiciousShellCreated, severity:5]\n";

/* A case analysed with a rule file of the test's own: --reproduce makes its runs again. */
Test(package, reproduce_remakes_the_analysis)
{
	struct fixture f = make_case("reanalyse");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *rules = pathf("%s/probe_rules.yaml", f.dir), *copy = pathf("%s/copy", f.dir);

	char *iocs = pathf("%s/iocs.txt", f.dir);

	cr_assert(test_write_file(rules, probe_rule, sizeof(probe_rule) - 1));
	/* an indicator list too: the re-run reads the bag's copy under the list's recorded name */
	cr_assert(test_write_file(iocs, "AKIAIOSFODNN7EXAMPLE # the leaked key\n", 38));
	cr_assert_eq(test_run(&out, &err, "detect", "-q", "-r", rules, "-i", iocs, f.db, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "analyze", "--per-event", f.db, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "report", "-F", "md", "-o", pathf("%s/report.md", f.dir), f.db, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", f.db, "-o", f.bag, NULL), 0, "%s", err.buf);
	/* every action on the case is in its custody log, with what it read and wrote */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", f.db, "--sql",
			      "SELECT group_concat(action || ':' || json_array_length(inputs) || ':' || json_array_length(outputs), ' ')"
			      " FROM (SELECT * FROM custody ORDER BY seq)", NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "import:1:0 detect:2:0 analyze:0:0 report:0:1 package:"), "%s", out.buf);
	cr_assert_eq(test_sh(&out, "grep -c SuspiciousShellCreated '%s/data/report/findings.json'", f.bag), 0,
		     "the packaged findings hold the rule's finding");
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", f.bag, NULL), 0, "%s%s", out.buf, err.buf);
	cr_assert_not_null(strstr(out.buf, "reproduce: 2 analysis run(s) made again with the bag's rules; findings, OCSF, "
					   "coverage and report identical to the bag's"), "%s", out.buf);

	/* findings that the rules do not give */
	cr_assert_eq(test_sh(NULL, "cp -a '%s' '%s' && sed -i 's/SuspiciousShellCreated/ReverseShell/' '%s/data/report/findings.json'",
			     f.bag, copy, copy), 0);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", copy, NULL), 1, "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "data/report/findings.json: the re-run analysis gives different content"), "%s", out.buf);

	/* the bag's copy of the rules no longer gives the packaged report */
	cr_assert_eq(test_sh(NULL, "rm -rf '%s' && cp -a '%s' '%s' && sed -i 's|/bin/sh|/bin/bash|' %s/data/rules/run1-*",
			     copy, f.bag, copy, copy), 0);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "verify", "--reproduce", copy, NULL), 1, "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "data/report/findings.json: the re-run analysis gives different content"), "%s", out.buf);
	cr_expect_not_null(strstr(out.buf, "data/report/report.html: the re-run analysis gives different content"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* A dump whose times have no date or zone: the options given at import are replayed. */
Test(package, reproduce_replays_the_import_options)
{
	static const char trace[] =
		"500 10:00:00.000001 execve(\"/bin/sh\", [\"sh\", \"-c\", \"id\"], 0x7ffd /* 2 vars */) = 0\n"
		"500 10:00:00.000200 exit_group(0) = ?\n"
		"500 10:00:00.000300 +++ exited with 0 +++\n";
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *dir = test_file("replay"), *db = pathf("%s/case.db", dir), *dump = pathf("%s/web.trace", dir);

	cr_assert_eq(test_sh(NULL, "rm -rf '%s' && mkdir -p '%s'", dir, dir), 0);
	cr_assert(test_write_file(dump, trace, sizeof(trace) - 1));
	cr_assert_eq(test_run(&out, &err, "import", "-q", "--date", "2026-11-20", "--tz", "+02:00", "--host", "web-1", db, dump,
			      NULL), 0, "%s", err.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "query", "-F", "csv", db, "--sql", "SELECT options FROM evidence", NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "{\"\"host\"\":\"\"web-1\"\",\"\"date\"\":\"\"2026-11-20\"\",\"\"tz\"\":\"\"+02:00\"\"}"),
			   "%s", out.buf);
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--include-evidence", db, "-o", pathf("%s/bag", dir), NULL), 0, "%s",
		     err.buf);
	strbuf_reset(&out);
	cr_expect_eq(test_run(&out, &err, "verify", "--reproduce", pathf("%s/bag", dir), NULL), 0, "%s%s", out.buf, err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

Test(package, unsafe_tar_is_refused)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *dir = test_file("eviltar");

	cr_assert_eq(test_sh(NULL, "mkdir -p '%s/a' && cd '%s/a' && echo x > ../victim && tar --format=ustar -cPf ../evil.tar ../victim",
			     dir, dir), 0);
	cr_assert_eq(test_run(&out, &err, "verify", pathf("%s/evil.tar", dir), NULL), 1);
	cr_assert_not_null(strstr(err.buf, "unsafe name '../victim'"), "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

struct redact_case {
	const char *in, *out;
};

static const struct redact_case redactions[] = {
	{ "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "aws_secret_access_key = [REDACTED]\n" },
	{ "{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "{\"SecretAccessKey\": \"[REDACTED]\"}" },
	{ "{\\\"SecretAccessKey\\\":\\\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\\\"}", "{\\\"SecretAccessKey\\\":\\\"[REDACTED]\\\"}" },
	{ "\"Token\" : \"IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==\"", "\"Token\" : \"[REDACTED]\"" },
	{ "\"sessionToken\":\"FwoGZXIvYXdzEJr+abcdefghijklmnop\"", "\"sessionToken\":\"[REDACTED]\"" },
	{ "AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr+abcdefghijklmnop", "AWS_SESSION_TOKEN=[REDACTED]" },
	{ "ASIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ASIAIOSFODNN7EXAMPLE,[REDACTED]" },
	{ "AKIAIOSFODNN7EXAMPLE\twJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AKIAIOSFODNN7EXAMPLE\t[REDACTED]\n" },
	/* kept: key ids alone, short values, ordinary words, a 40-hex digest after a key id's line */
	{ "access_key_id AKIAIOSFODNN7EXAMPLE used", "access_key_id AKIAIOSFODNN7EXAMPLE used" },
	{ "\"token_type\":\"Bearer\" token: short", "\"token_type\":\"Bearer\" token: short" },
	{ "tokens=abcdefghijklmnopqrstuvwxyz", "tokens=abcdefghijklmnopqrstuvwxyz" },
	{ "AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYX", "AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYX" },
};

Test(package, redaction_table)
{
	for (size_t i = 0; i < sizeof(redactions) / sizeof(redactions[0]); i++) {
		struct strbuf out = STRBUF_INIT;
		size_t n = redact_secrets(redactions[i].in, strlen(redactions[i].in), &out);
		cr_expect_str_eq(out.buf, redactions[i].out, "case %zu", i);
		/* the loader's pre-check never lets a secret through */
		if (n)
			cr_expect(redact_may_hold(redactions[i].in, strlen(redactions[i].in)), "case %zu", i);
		strbuf_release(&out);
	}
	cr_expect_not(redact_may_hold("execve /usr/bin/curl -s http://10.0.0.9/item", 44));
}

/* backsight's key files are minisign's: the stock tool signs with them (unencrypted, and
 * encrypted given the password) and backsight signs with an encrypted key. */
Test(package, keys_work_with_stock_minisign)
{
	struct fixture f;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *msg, *enc, *bag;

	if (test_sh(NULL, "command -v minisign >/dev/null") != 0)
		cr_skip_test("minisign is not installed (apt-get install minisign): stock-tool check skipped");
	f = make_case("keys");
	msg = pathf("%s/msg", f.dir);
	enc = pathf("%s/enc", f.dir);
	bag = pathf("%s/encbag", f.dir);
	cr_assert(test_write_file(msg, "hello\n", 6));
	cr_assert_eq(test_sh(&out, "minisign -Sm '%s' -s '%s' </dev/null 2>&1 && minisign -Vm '%s' -p '%s' 2>&1", msg, f.key, msg,
			     f.pub), 0, "%s", out.buf);
	cr_assert_eq(test_sh(&out, "BACKSIGHT_KEY_PASSWORD=pw '%s' keygen -o '%s' && BACKSIGHT_KEY_PASSWORD=pw '%s' package -q "
				   "--sign '%s.key' '%s' -o '%s' && minisign -Vm '%s/tagmanifest-sha256.txt' -p '%s.pub' 2>&1",
			     test_bin(), enc, test_bin(), enc, f.db, bag, bag, enc), 0, "%s", out.buf);
	cr_assert_eq(test_sh(&out, "echo pw | minisign -Sm '%s' -s '%s.key' -x '%s.sig2' 2>&1 && minisign -Vm '%s' -x '%s.sig2' -p '%s.pub' 2>&1",
			     msg, enc, msg, msg, msg, enc), 0, "%s", out.buf);
	/* without the password, or with a wrong one, nothing is signed and no bag is left */
	cr_assert_eq(test_run(&out, &err, "package", "-q", "--sign", pathf("%s.key", enc), f.db, "-o", pathf("%s/nopw", f.dir), NULL), 1);
	cr_assert_not_null(strstr(err.buf, "the key is encrypted"), "%s", err.buf);
	cr_assert_neq(test_sh(NULL, "test -e '%s/nopw'", f.dir), 0);
	strbuf_release(&out);
	strbuf_release(&err);
}
