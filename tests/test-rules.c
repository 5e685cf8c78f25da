/* test-rules: Falco rule files — the upstream files load unchanged; load order, visibility,
 * append/override, exceptions and diagnostics behave as Falco's loader; `backsight detect` over a
 * small case fires the upstream rules an investigator expects. Oracles: the upstream rule files
 * in ../shared/corpus/falco (falcosecurity/rules c72713ee, falcosecurity/plugins 0b3cbd8d) and
 * ../shared/reference/falco.md §a. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "testutil.h"

static const char *const upstream[] = {
	"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml",
	"aws_cloudtrail_rules.yaml", "k8s_audit_rules.yaml",
};

static char *corpus(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/corpus/falco/%s", test_shared_dir(), name);
	return strbuf_detach(&sb, NULL);
}

static void format_diags(const struct ruleset *rs, struct strbuf *out)
{
	for (size_t i = 0; i < rs->ndiags; i++)
		rule_diag_format(&rs->diags[i], out);
}

Test(rules, upstream_files_load_unchanged_and_every_rule_compiles_or_names_a_field)
{
	static const struct {
		size_t rules, cannot, disabled;
	} expect[] = { { 25, 4, 0 }, { 31, 2, 0 }, { 37, 0, 12 }, { 22, 0, 2 }, { 48, 0, 0 } };

	REQUIRE_SHARED();
	for (size_t f = 0; f < 5; f++) {
		char *path = corpus(upstream[f]);
		struct ruleset *rs = ruleset_new(true);
		struct strbuf diags = STRBUF_INIT;
		size_t cannot = 0, disabled = 0;
		cr_assert_eq(ruleset_load_file(rs, path), 0, "%s", path);
		ruleset_compile(rs);
		format_diags(rs, &diags);
		cr_expect_eq(rs->nerrors + rs->nwarnings, 0, "%s: %s", upstream[f], diags.buf);
		cr_expect_eq(rs->nrules, expect[f].rules, "%s: %zu rules", upstream[f], rs->nrules);
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct rule *r = rs->rules[i];
			cr_expect_neq(r->status, RULE_ERROR, "%s: %s: %s", upstream[f], r->name, r->why);
			if (r->status == RULE_CANNOT_RUN) {
				cannot++;
				cr_expect(!strncmp(r->why, "field ", 6) && strstr(r->why, "not available from the evidence"),
					  "%s: %s", r->name, r->why);
			}
			disabled += r->status == RULE_DISABLED;
			if (r->status == RULE_OK && r->source != SRC_K8S_AUDIT) {
				cr_expect_not_null(r->tree, "%s", r->name);
				cr_expect_not_null(r->evttypes, "%s: a rule matching every event type",
						   r->name);
			}
		}
		cr_expect_eq(cannot, expect[f].cannot, "%s: %zu could not run", upstream[f], cannot);
		cr_expect_eq(disabled, expect[f].disabled, "%s: %zu disabled", upstream[f], disabled);
		strbuf_release(&diags);
		ruleset_free(rs);
		free(path);
	}
}

Test(rules, upstream_syscall_files_load_together_in_order)
{
	struct ruleset *rs = ruleset_new(true);

	REQUIRE_SHARED();
	for (size_t f = 0; f < 3; f++) {
		char *path = corpus(upstream[f]);
		cr_assert_eq(ruleset_load_file(rs, path), 0);
		free(path);
	}
	cr_expect_eq(ruleset_compile(rs), 0);
	cr_expect_eq(rs->nrules, 93);
	cr_expect_eq(rs->nerrors, 0);
	ruleset_free(rs);
}

/* Load YAML text as one file; returns the set (compiled) and the diagnostics as text. */
static struct ruleset *load_text(const char *name, const char *yaml, struct strbuf *diags)
{
	char *path = test_path(name);
	struct ruleset *rs = ruleset_new(false);

	cr_assert(test_write_file(path, yaml, strlen(yaml)));
	ruleset_load_file(rs, path);
	ruleset_compile(rs);
	format_diags(rs, diags);
	free(path);
	return rs;
}

static const struct rule *rule_named(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->name, name))
			return rs->rules[i];
	return NULL;
}

static void expect_dump(const struct ruleset *rs, const char *rule, const char *dump)
{
	const struct rule *r = rule_named(rs, rule);
	struct strbuf sb = STRBUF_INIT;

	cr_assert_not_null(r, "no rule %s", rule);
	cr_assert_not_null(r->tree, "rule %s: %s", rule, r->why);
	cond_dump(r->tree, &sb);
	cr_expect_str_eq(sb.buf, dump, "rule %s: got %s", rule, sb.buf);
	strbuf_release(&sb);
}

/* The path in a diagnostic is the one given; the tests write under the temp dir. */
static void strip_dir(struct strbuf *sb)
{
	const char *dir = test_tmpdir();
	size_t dl = strlen(dir);
	char *p;

	while ((p = strstr(sb->buf, dir))) {
		memmove(p, p + dl + 1, strlen(p + dl + 1) + 1);
		sb->len -= dl + 1;
	}
}

static const char loader_yaml[] =
	"- required_engine_version: 0.50.0\n"
	"- list: shells\n"
	"  items: [bash, sh]\n"
	"- list: shells\n"
	"  items: [zsh]\n"
	"  append: true\n"
	"- list: more\n"
	"  items: [shells, fish, later_list]\n"
	"- list: later_list\n"
	"  items: [x]\n"
	"- list: replaced\n"
	"  items: [a]\n"
	"- list: replaced\n"
	"  items: [b]\n"
	"  override:\n"
	"    items: replace\n"
	"- macro: spawned\n"
	"  condition: evt.type = execve\n"
	"- macro: spawned\n"
	"  condition: or evt.type = execveat\n"
	"  append: true\n"
	"- macro: m2\n"
	"  condition: proc.name = a\n"
	"- macro: m2\n"
	"  condition: and proc.pid = 1\n"
	"  override:\n"
	"    condition: append\n"
	"- macro: uses_later\n"
	"  condition: later_macro\n"
	"- macro: later_macro\n"
	"  condition: proc.name = late\n"
	"- rule: R1\n"
	"  desc: first\n"
	"  condition: spawned and proc.name in (more)\n"
	"  output: shell %proc.name under %proc.pname %container.info\n"
	"  priority: warning\n"
	"  tags: [a]\n"
	"  frobnicate: yes\n"
	"- rule: R1\n"
	"  condition: and not proc.pname = sshd\n"
	"  tags: [b]\n"
	"  append: true\n"
	"- rule: R2\n"
	"  desc: d\n"
	"  condition: evt.type = open and later_macro\n"
	"  output: o\n"
	"  priority: INFO\n"
	"  exceptions:\n"
	"    - name: by_proc\n"
	"      fields: [proc.name, fd.name]\n"
	"      comps: [=, startswith]\n"
	"      values:\n"
	"        - [vi, /etc/x]\n"
	"    - name: by_dir\n"
	"      fields: fd.directory\n"
	"      values: [/tmp, /var/tmp]\n"
	"- rule: R2\n"
	"  exceptions:\n"
	"    - name: by_proc\n"
	"      values:\n"
	"        - [nano, \"/etc/a b\"]\n"
	"  override:\n"
	"    exceptions: append\n"
	"- rule: R3\n"
	"  desc: d\n"
	"  condition: evt.type = open\n"
	"  output: o\n"
	"  priority: critical\n"
	"- rule: R3\n"
	"  condition: evt.type = openat\n"
	"  priority: debug\n"
	"  override:\n"
	"    condition: replace\n"
	"    priority: replace\n"
	"- rule: R3\n"
	"  enabled: false\n"
	"- rule: R4\n"
	"  desc: d\n"
	"  condition: evt.type = connect and replaced_check\n"
	"  output: o\n"
	"  priority: emergency\n"
	"- macro: replaced_check\n"
	"  condition: proc.name in (replaced)\n"
	"- rule: R5\n"
	"  desc: cloud\n"
	"  condition: ct.name = ConsoleLogin and not ct.error exists\n"
	"  output: login from %ct.srcip\n"
	"  priority: alert\n"
	"  source: aws_cloudtrail\n"
	"- rule: R6\n"
	"  desc: okta\n"
	"  condition: okta.evt.type = x\n"
	"  output: o\n"
	"  priority: error\n"
	"  source: okta\n"
	"- rule: R7\n"
	"  desc: d\n"
	"  condition: evt.type = setns and thread.cap_effective contains CAP_SYS_ADMIN\n"
	"  output: o\n"
	"  priority: notice\n"
	"- rule: R8\n"
	"  desc: d\n"
	"  condition: proc.name = x\n"
	"  output: o\n"
	"  priority: informational\n"
	"  warn_evttypes: false\n";

Test(rules, load_order_visibility_append_override_exceptions)
{
	struct strbuf diags = STRBUF_INIT;
	struct ruleset *rs = load_text("loader.yaml", loader_yaml, &diags);
	static const char *const prios[] = { "R1", "Warning", "R2", "Informational", "R3", "Debug", "R4", "Emergency",
					     "R5", "Alert", "R6", "Error", "R7", "Notice", "R8", "Informational" };

	/* a list sees only earlier lists: later_list stays a literal item */
	expect_dump(rs, "R1",
		    "(and (or (= evt.type \"execve\") (= evt.type \"execveat\")) (in proc.name (\"bash\" \"sh\" \"zsh\" "
		    "\"fish\" \"later_list\")) (not (= proc.pname \"sshd\")))");
	expect_dump(rs, "R2",
		    "(and (and (= evt.type \"open\") (= proc.name \"late\")) (not (or (or (and (= proc.name \"vi\") "
		    "(startswith fd.name \"/etc/x\")) (and (= proc.name \"nano\") (startswith fd.name \"/etc/a b\"))) "
		    "(in fd.directory (\"/tmp\" \"/var/tmp\")))))");
	expect_dump(rs, "R3", "(= evt.type \"openat\")");
	expect_dump(rs, "R4", "(and (= evt.type \"connect\") (in proc.name (\"b\")))");
	for (size_t i = 0; i < 16; i += 2)
		cr_expect_str_eq(rule_priority_name(rule_named(rs, prios[i])->priority), prios[i + 1], "%s", prios[i]);
	cr_expect_eq(rule_named(rs, "R1")->ntags, 2);
	cr_expect_eq(rule_named(rs, "R3")->status, RULE_DISABLED);
	cr_expect_eq(rule_named(rs, "R5")->status, RULE_OK);
	cr_expect_eq(rule_named(rs, "R5")->source, SRC_CLOUDTRAIL);
	cr_expect_eq(rule_named(rs, "R6")->status, RULE_CANNOT_RUN);
	cr_expect_str_eq(rule_named(rs, "R6")->why, "source 'okta' is not one backsight reads");
	cr_expect_eq(rule_named(rs, "R7")->status, RULE_CANNOT_RUN);
	cr_expect_str_eq(rule_named(rs, "R7")->why, "field thread.cap_effective is not available from the evidence");
	cr_expect_null(rule_named(rs, "R8")->evttypes, "R8 matches every type");
	/* the unknown key is a warning */
	strip_dir(&diags);
	cr_expect_str_eq(diags.buf,
			 "loader.yaml:38:3: warning: unknown key 'frobnicate' in rule 'R1' (ignored)\n"
			 "    frobnicate: yes\n"
			 "    ^\n",
			 "%s", diags.buf);
	cr_expect_eq(rs->nerrors, 0);
	strbuf_release(&diags);
	ruleset_free(rs);
}

static const struct {
	const char *yaml, *diag;
} bad[] = {
	{ "- rule: typo\n"
	  "  desc: d\n"
	  "  condition: evt.type = execve and proc.nmae = bash\n"
	  "  output: o\n"
	  "  priority: warning\n",
	  "bad.yaml:3:36: error: rule 'typo': unknown field 'proc.nmae' (did you mean 'proc.name'?)\n"
	  "    condition: evt.type = execve and proc.nmae = bash\n"
	  "                                     ^\n" },
	{ "- macro: m\n"
	  "  condition: >\n"
	  "    evt.type = open\n"
	  "    and fd.nam startswith /etc\n"
	  "- rule: r\n"
	  "  desc: d\n"
	  "  condition: m\n"
	  "  output: o\n"
	  "  priority: warning\n",
	  "bad.yaml:4:9: error: macro 'm': unknown field 'fd.nam' (did you mean 'fd.name'?) (used by rule 'r')\n"
	  "      and fd.nam startswith /etc\n"
	  "          ^\n" },
	{ "- macro: a\n"
	  "  condition: b\n"
	  "- macro: b\n"
	  "  condition: proc.name = x\n"
	  "- rule: r\n"
	  "  desc: d\n"
	  "  condition: a\n"
	  "  output: o\n"
	  "  priority: warning\n",
	  "bad.yaml:2:14: error: macro 'a': macro 'b' is used before its definition (used by rule 'r')\n"
	  "    condition: b\n"
	  "               ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: \"proc.name = x and\n"
	  "    (fd.name = y\"\n"
	  "  output: o\n"
	  "  priority: warning\n",
	  "bad.yaml:4:17: error: rule 'r': expected ')' or an 'and'/'or', found the end of the condition\n"
	  "      (fd.name = y\"\n"
	  "                  ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: proc.name = x\n"
	  "  priority: loud\n",
	  "bad.yaml:1:3: error: rule 'r' lacks 'output'\n"
	  "  - rule: r\n"
	  "    ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: proc.name = x\n"
	  "  output: o\n"
	  "  priority: loud\n",
	  "bad.yaml:5:13: error: unknown priority 'loud' (one of emergency, alert, critical, error, warning, notice, "
	  "informational, debug)\n"
	  "    priority: loud\n"
	  "              ^\n" },
	{ "- rule: nope\n"
	  "  condition: and x\n"
	  "  append: true\n",
	  "bad.yaml:1:3: error: rule 'nope' appends to a rule not defined before\n"
	  "  - rule: nope\n"
	  "    ^\n" },
	{ "- required_engine_version: 0.99.0\n",
	  "bad.yaml:1:28: error: the file requires rule engine 0.99.0, backsight implements 0.62.0\n"
	  "  - required_engine_version: 0.99.0\n"
	  "                             ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: proc.name = x\n"
	  "  output: \"%proc.nme\"\n"
	  "  priority: info\n",
	  "bad.yaml:4:13: error: output of rule 'r': unknown field 'proc.nme' (did you mean 'proc.name'?)\n"
	  "    output: \"%proc.nme\"\n"
	  "              ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: proc.name = x\n"
	  "  output: \"%tolower(proc.nme)\"\n"
	  "  priority: info\n",
	  "bad.yaml:4:21: error: output of rule 'r': unknown field 'proc.nme' (did you mean 'proc.name'?)\n"
	  "    output: \"%tolower(proc.nme)\"\n"
	  "                      ^\n" },
	{ "- rule: r\n"
	  "  desc: d\n"
	  "  condition: proc.name = x\n"
	  "  output: \"%len(proc.pid)\"\n"
	  "  priority: info\n",
	  "bad.yaml:4:13: error: output of rule 'r': transformer 'len' needs a string or a list, 'proc.pid' is int\n"
	  "    output: \"%len(proc.pid)\"\n"
	  "              ^\n" },
	{ "- rule: [unterminated\n",
	  "bad.yaml:2:1: error: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence\n"
	  "  \n"
	  "  ^\n" },
};

Test(rules, diagnostics_name_file_line_column_with_a_caret)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct strbuf diags = STRBUF_INIT;
		struct ruleset *rs = load_text("bad.yaml", bad[i].yaml, &diags);
		strip_dir(&diags);
		cr_expect_str_eq(diags.buf, bad[i].diag, "case %zu: got\n%s", i, diags.buf);
		cr_expect_geq(rs->nerrors, 1);
		strbuf_release(&diags);
		ruleset_free(rs);
	}
}

/* Falco 0.43 and later warn about the fields that need enter events; so does backsight, at the
 * field, in the condition (macros included) and in the output. The rule still runs. */
Test(rules, deprecated_fields_are_warned_about_where_they_are_used)
{
	static const char yaml[] = "- macro: entering\n  condition: evt.dir = >\n"
				   "- rule: r\n  desc: d\n  condition: evt.type = open and not entering\n"
				   "  output: \"%evt.dir %proc.name\"\n  priority: info\n";
	struct strbuf diags = STRBUF_INIT;
	struct ruleset *rs = load_text("dep.yaml", yaml, &diags);

	strip_dir(&diags);
	cr_expect_str_eq(diags.buf,
			 "dep.yaml:2:14: warning: rule 'r': field 'evt.dir' is deprecated: Falco no longer captures enter events\n"
			 "    condition: evt.dir = >\n"
			 "               ^\n"
			 "dep.yaml:6:13: warning: rule 'r': field 'evt.dir' is deprecated: Falco no longer captures enter events\n"
			 "    output: \"%evt.dir %proc.name\"\n"
			 "              ^\n");
	cr_expect_eq(rs->nerrors, 0);
	cr_expect_eq(rule_named(rs, "r")->status, RULE_OK);
	strbuf_release(&diags);
	ruleset_free(rs);
}

/* Falco's LOAD_NO_EVTTYPE: a syscall rule that does not restrict evt.type is checked against
 * every event; said once, unless the rule sets warn_evttypes: false. A condition no type can
 * meet, and the other sources, are not this. */
Test(rules, a_syscall_rule_without_an_evt_type_is_warned_about)
{
	static const struct {
		const char *rule, *warning;
	} table[] = {
		{ "  condition: proc.name = nc\n",
		  "any.yaml:1:3: warning: rule 'r' matches every evt.type: each syscall event is checked against it "
		  "(restrict evt.type, or set warn_evttypes: false)\n"
		  "  - rule: r\n"
		  "    ^\n" },
		{ "  condition: proc.name = nc\n  warn_evttypes: false\n", "" },
		{ "  condition: evt.type in (execve, execveat) and proc.name = nc\n", "" },
		{ "  condition: evt.type = open and evt.type = close\n", "" },
		{ "  condition: ct.name exists\n  source: aws_cloudtrail\n", "" },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct strbuf yaml = STRBUF_INIT, diags = STRBUF_INIT;
		struct ruleset *rs;
		strbuf_addf(&yaml, "- rule: r\n  desc: d\n%s  output: o\n  priority: info\n", table[i].rule);
		rs = load_text("any.yaml", yaml.buf, &diags);
		strip_dir(&diags);
		cr_expect_str_eq(diags.buf, table[i].warning, "%s", table[i].rule);
		cr_expect_eq(rs->nerrors, 0, "%s", table[i].rule);
		strbuf_release(&yaml);
		strbuf_release(&diags);
		ruleset_free(rs);
	}
}

/* Falco's LOAD_UNSAFE_NA_CHECK: a ka.* or jevt.* field compared for equality with <NA>. */
Test(rules, comparing_an_audit_field_with_na_is_warned_about)
{
	static const struct {
		const char *condition;
		bool warned;
	} table[] = {
		{ "ka.target.name in (x, \"<NA>\")", true },
		{ "ka.user.name = \"<NA>\"", true },
		{ "ka.user.name != <NA>", true },
		{ "ka.user.name startswith \"<NA>\"", false },
		{ "ka.user.name exists", false },
		{ "ka.user.name in (x, y)", false },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct strbuf yaml = STRBUF_INIT, diags = STRBUF_INIT;
		struct ruleset *rs;
		strbuf_addf(&yaml, "- rule: r\n  desc: d\n  condition: ka.verb = create and %s\n  output: o\n"
				   "  priority: info\n  source: k8s_audit\n",
			    table[i].condition);
		rs = load_text("na.yaml", yaml.buf, &diags);
		cr_expect_eq(strstr(diags.buf, "with <NA> is unsafe") != NULL, table[i].warned, "%s: %s", table[i].condition,
			     diags.buf);
		cr_expect_eq(rs->nerrors, 0, "%s", table[i].condition);
		strbuf_release(&yaml);
		strbuf_release(&diags);
		ruleset_free(rs);
	}
}

Test(rules, one_bad_rule_does_not_stop_the_others_unless_strict)
{
	static const char yaml[] = "- rule: good\n  desc: d\n  condition: proc.name = x\n  output: o\n  priority: info\n"
				   "- rule: bad\n  desc: d\n  condition: proc.nmae = x\n  output: o\n  priority: info\n"
				   "- rule: good2\n  desc: d\n  condition: proc.name = y\n  output: o\n  priority: info\n";
	char *path = test_path("mixed.yaml");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert(test_write_file(path, yaml, strlen(yaml)));
	cr_expect_eq(test_run(&out, &err, "rules", "check", path, NULL), 1);
	cr_expect(strstr(out.buf, "3 rules, 0 macros, 0 lists from 1 files: 2 compile"), "%s", out.buf);
	cr_expect(strstr(err.buf, "mixed.yaml:8:14: error: rule 'bad': unknown field 'proc.nmae'"), "%s", err.buf);
	strbuf_reset(&out);
	strbuf_reset(&err);
	char *db = test_path("strict.db");
	cr_expect_eq(test_run(&out, &err, "detect", "--strict", "--rules", path, db, NULL), 1);
	free(db);
	cr_expect(strstr(err.buf, "nothing run"), "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	free(path);
}

/* A small case: a web server spawning a shell, writes below /etc, a reverse shell's dup2, an
 * ssh connection to a non-standard port, and harmless noise. Fields follow the brief's
 * conventions (typed columns; the rest in `fields` under Falco's names). */
static const char case_jsonl[] =
	"{\"ts_ns\":1700000000000000000,\"source\":\"syscall\",\"type\":\"execve\",\"summary\":\"nginx runs sh\","
	"\"host\":\"web1\",\"pid\":200,\"ppid\":100,\"uid\":33,\"user_name\":\"www-data\",\"proc_name\":\"sh\","
	"\"exe\":\"/bin/sh\",\"cmdline\":\"sh -c id\",\"container_id\":\"host\",\"result\":\"0\","
	"\"fields\":{\"proc.pname\":\"nginx\",\"proc.aname\":[\"nginx\",\"systemd\"],\"proc.pexe\":\"/usr/sbin/nginx\","
	"\"proc.pcmdline\":\"nginx -g daemon off;\",\"proc.tty\":0,\"user.loginuid\":-1}}\n"
	"{\"ts_ns\":1700000001000000000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"write /etc/passwd\","
	"\"host\":\"web1\",\"pid\":201,\"uid\":0,\"user_name\":\"root\",\"proc_name\":\"vi\",\"exe\":\"/usr/bin/vi\","
	"\"cmdline\":\"vi /etc/passwd\",\"fd_name\":\"/etc/passwd\",\"result\":\"3\","
	"\"fields\":{\"evt.arg.flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"fd.num\":3,\"proc.pname\":\"bash\","
	"\"proc.aname\":[\"bash\",\"sshd\"]}}\n"
	"{\"ts_ns\":1700000001500000000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"write /etc/hosts\","
	"\"host\":\"web1\",\"pid\":202,\"uid\":0,\"user_name\":\"root\",\"proc_name\":\"tee\",\"exe\":\"/usr/bin/tee\","
	"\"cmdline\":\"tee /etc/hosts\",\"fd_name\":\"/etc/hosts\",\"result\":\"3\","
	"\"fields\":{\"evt.arg.flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"fd.num\":3,\"proc.pname\":\"bash\","
	"\"proc.aname\":[\"bash\",\"sshd\"]}}\n"
	"{\"ts_ns\":1700000002000000000,\"source\":\"syscall\",\"type\":\"dup2\",\"summary\":\"dup2 socket to stdout\","
	"\"host\":\"web1\",\"pid\":300,\"uid\":0,\"user_name\":\"root\",\"proc_name\":\"bash\",\"exe\":\"/bin/bash\","
	"\"cmdline\":\"bash -i\",\"container_id\":\"0123456789ab\",\"src_ip\":\"172.17.0.2\",\"src_port\":40000,"
	"\"dst_ip\":\"203.0.113.5\",\"dst_port\":4444,\"l4proto\":\"tcp\","
	"\"fd_name\":\"172.17.0.2:40000->203.0.113.5:4444\",\"result\":\"1\",\"fields\":{\"proc.pname\":\"sh\"}}\n"
	"{\"ts_ns\":1700000003000000000,\"source\":\"syscall\",\"type\":\"connect\",\"summary\":\"ssh to :8443\","
	"\"host\":\"web1\",\"pid\":400,\"uid\":1000,\"user_name\":\"alice\",\"proc_name\":\"ssh\",\"exe\":\"/usr/bin/ssh\","
	"\"cmdline\":\"ssh -p 8443 198.51.100.7\",\"src_ip\":\"10.0.0.5\",\"src_port\":50000,\"dst_ip\":\"198.51.100.7\","
	"\"dst_port\":8443,\"l4proto\":\"tcp\",\"fd_name\":\"10.0.0.5:50000->198.51.100.7:8443\",\"result\":\"0\","
	"\"fields\":{\"fd.typechar\":\"4\",\"proc.pname\":\"bash\"}}\n"
	"{\"ts_ns\":1700000004000000000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"read a file\","
	"\"host\":\"web1\",\"pid\":500,\"uid\":1000,\"user_name\":\"alice\",\"proc_name\":\"cat\",\"exe\":\"/bin/cat\","
	"\"cmdline\":\"cat notes.txt\",\"fd_name\":\"/home/alice/notes.txt\",\"result\":\"3\","
	"\"fields\":{\"evt.arg.flags\":\"O_RDONLY\",\"fd.num\":3,\"proc.pname\":\"bash\"}}\n";

static int64_t count_alerts(const char *db, const char *rule)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, rule ? "SELECT count(*) FROM alerts WHERE rule = ?1" : "SELECT count(*) FROM alerts",
					-1, &st, NULL),
		     SQLITE_OK);
	if (rule)
		sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

Test(rules, detect_fires_upstream_rules_on_a_small_case)
{
	char *tl = test_path("case.jsonl"), *db = test_path("detect.db");
	char *paths[3];
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, q = STRBUF_INIT;
	static const struct {
		const char *rule;
		int64_t n;
	} expected[] = {
		{ "Run shell untrusted", 1 },
		{ "Web Server Spawned Shell", 1 },
		{ "Write below etc", 2 },
		{ "Redirect STDOUT/STDIN to Network Connection in Container", 1 },
		{ "Disallowed SSH Connection Non Standard Port", 1 },
	};

	REQUIRE_SHARED();
	for (int i = 0; i < 3; i++)
		paths[i] = corpus(upstream[i]);
	cr_assert(test_write_file(tl, case_jsonl, strlen(case_jsonl)));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, tl, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "detect", db, "--rules", paths[0], "--rules", paths[1], "--rules", paths[2], NULL),
		     0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		cr_expect_eq(count_alerts(db, expected[i].rule), expected[i].n, "%s: %lld alerts", expected[i].rule,
			     (long long)count_alerts(db, expected[i].rule));
	cr_expect_eq(count_alerts(db, NULL), 6, "%lld alerts in all", (long long)count_alerts(db, NULL));
	cr_expect(strstr(out.buf, "  Write below etc: ran (2 alerts)\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "  Terminal shell in container: ran, no match\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "  Fileless execution via memfd_create: could not run: field proc.is_exe_from_memfd is "
				  "not available from the evidence\n"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "run 1: 6 events"), "%s", out.buf);
	/* the rendered output and its fields, and the run's record */
	cr_assert_eq(test_sh(&q,
			     "sqlite3 '%s' \"SELECT output FROM alerts WHERE rule = 'Web Server Spawned Shell';"
			     " SELECT json_extract(output_fields, '$.\\\"proc.pname\\\"') FROM alerts WHERE rule = 'Web Server Spawned Shell';"
			     " SELECT kind, status, json_extract(inputs, '$.rules[0].sha256') FROM runs;\"",
			     db),
		     0);
	cr_expect_str_eq(q.buf,
			 "Web server spawned shell | shell=sh web_server=nginx gparent=systemd ggparent=<NA> evt_type=execve "
			 "user=www-data user_uid=33 user_loginuid=-1 command=sh -c id terminal=0 exe=/bin/sh exe_flags=<NA>\n"
			 "nginx\n"
			 "detect|complete|1c15d5d543635b76e31cca39d7df8bf4caf50a428613c314d92986a23bfcb617\n");
	for (int i = 0; i < 3; i++)
		free(paths[i]);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&q);
	free(tl);
	free(db);
}

Test(rules, fields_and_list_commands)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "rules", "fields", "syscall", NULL), 0, "%s", err.buf);
	cr_expect(strstr(out.buf, "proc.aname[ARG]?\tstring\tname of an ancestor"), "%s", out.buf);
	cr_expect(strstr(out.buf, "thread.cap_effective\tstring\t(not available from evidence)"), "%s", out.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "rules", "fields", "nosuch", NULL), 2);
	REQUIRE_SHARED();
	{
		char *p = corpus("aws_cloudtrail_rules.yaml");
		strbuf_reset(&out);
		cr_assert_eq(test_run(&out, &err, "rules", "list", "--rules", p, NULL), 0, "%s", err.buf);
		cr_expect(strstr(out.buf, "Console Login Without MFA\tCritical\taws_cloudtrail\t"), "%s", out.buf);
		free(p);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

/* Evidence imported out of time order (a later file holding earlier events): alerts are still
 * stored in time order, every rule firing on every match. */
Test(rules, detect_stores_alerts_in_time_order_whatever_the_import_order)
{
	static const char rules_yaml[] = "- rule: any open\n  desc: d\n  condition: evt.type = openat\n"
					 "  output: open %fd.name\n  priority: info\n"
					 "- rule: etc open\n  desc: d\n  condition: evt.type = openat and fd.name startswith /etc\n"
					 "  output: etc %fd.name\n  priority: info\n";
	static const char late[] =
		"{\"ts_ns\":3000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"c\",\"fd_name\":\"/etc/c\"}\n"
		"{\"ts_ns\":4000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"d\",\"fd_name\":\"/tmp/d\"}\n";
	static const char early[] =
		"{\"ts_ns\":1000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"a\",\"fd_name\":\"/etc/a\"}\n"
		"{\"ts_ns\":2000,\"source\":\"syscall\",\"type\":\"close\",\"summary\":\"b\",\"fd_name\":\"/etc/b\"}\n";
	char *r = test_path("order.yaml"), *a = test_path("late.jsonl"), *b = test_path("early.jsonl"),
	     *db = test_path("order.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert(test_write_file(r, rules_yaml, strlen(rules_yaml)));
	cr_assert(test_write_file(a, late, strlen(late)));
	cr_assert(test_write_file(b, early, strlen(early)));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, a, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, b, NULL), 0, "%s", err.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_run(&out, &err, "detect", "--rules", r, db, NULL), 0, "%s", err.buf);
	cr_expect(strstr(out.buf, "  any open: ran (3 alerts)\n  etc open: ran (2 alerts)\n"), "%s", out.buf);
	strbuf_reset(&out);
	cr_assert_eq(test_sh(&out, "sqlite3 '%s' \"SELECT ts, rule, output FROM alerts ORDER BY id\"", db), 0);
	cr_expect_str_eq(out.buf, "1000|any open|open /etc/a\n1000|etc open|etc /etc/a\n3000|any open|open /etc/c\n"
				  "3000|etc open|etc /etc/c\n4000|any open|open /tmp/d\n");
	strbuf_release(&out);
	strbuf_release(&err);
	free(r);
	free(a);
	free(b);
	free(db);
}

/* The output-fields object: keys sorted, one member per key (the last of a repeated field),
 * a missing field null, a number as a number, a key needing JSON escapes escaped. Its order is
 * worked out once per rule when the rules are compiled, not per alert. */
Test(rules, output_fields_object_sorted_deduplicated_with_nulls)
{
	static const struct {
		const char *output;
		const char *fields;
	} cases[] = {
		{ "%proc.name %evt.type %proc.name %proc.pid %fd.name",
		  "{\"evt.type\":\"openat\",\"fd.name\":\"/etc/a\",\"proc.name\":\"vi\",\"proc.pid\":7}" },
		{ "u=%user.name n=%proc.name", "{\"proc.name\":\"vi\",\"user.name\":null}" },
		{ "no fields at all", "{}" },
		{ "%toupper(proc.name) %proc.name", "{\"proc.name\":\"vi\",\"toupper(proc.name)\":\"VI\"}" },
		{ "%proc.aname[2] %proc.aname[1] %fd.name", "{\"fd.name\":\"/etc/a\",\"proc.aname[1]\":null,\"proc.aname[2]\":null}" },
	};
	static const char ev[] = "{\"ts_ns\":1000,\"source\":\"syscall\",\"type\":\"openat\",\"summary\":\"a\","
				 "\"fd_name\":\"/etc/a\",\"proc_name\":\"vi\",\"pid\":7}\n";
	char *r = test_path("of.yaml"), *tl = test_path("of.jsonl"), *db = test_path("of.db");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, y = STRBUF_INIT;

	cr_assert(test_write_file(tl, ev, strlen(ev)));
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, tl, NULL), 0, "%s", err.buf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&y);
		strbuf_addf(&y, "- rule: r%zu\n  desc: d\n  condition: evt.type = openat\n  output: \"%s\"\n  priority: info\n",
			    i, cases[i].output);
		cr_assert(test_write_file(r, y.buf, y.len));
		strbuf_reset(&out);
		cr_assert_eq(test_run(&out, &err, "detect", "--rules", r, db, NULL), 0, "%s", err.buf);
		strbuf_reset(&out);
		cr_assert_eq(test_sh(&out, "sqlite3 '%s' \"SELECT output_fields FROM alerts WHERE rule = 'r%zu'\"", db, i), 0);
		cr_expect(!strncmp(out.buf, cases[i].fields, strlen(cases[i].fields)) && out.buf[strlen(cases[i].fields)] == '\n',
			  "%s: got %s, want %s", cases[i].output, out.buf, cases[i].fields);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&y);
	free(r);
	free(tl);
	free(db);
}
