/* test-cond: the condition language — {expression -> canonical dump}, {expression -> exact error
 * at a column}, and {expression, event -> true/false} covering every operator, transformer and
 * Falco semantic rule (missing fields, any-ancestor proc.aname, pmatch, full-match regex). */
#include <criterion/criterion.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* table rows leave source 0 */
#include <stdio.h>
#include <string.h>

#include "cond.h"
#include "rules.h"
#include "testutil.h"

/* The lists and macros the expressions below may name, loaded through the rule loader. */
static const char env_yaml[] =
	"- list: shell_binaries\n"
	"  items: [bash, sh]\n"
	"- list: more_shells\n"
	"  items: [shell_binaries, zsh, '\"fish shell\"']\n"
	"- list: empty_list\n"
	"  items: []\n"
	"- macro: spawned\n"
	"  condition: evt.type in (execve, execveat)\n"
	"- macro: shell\n"
	"  condition: spawned and proc.name in (more_shells)\n"
	"- macro: never_true\n"
	"  condition: (evt.num=0)\n";

static struct ruleset *env_set(void)
{
	char *path = test_path("cond-env.yaml");
	struct ruleset *rs = ruleset_new(false);

	cr_assert(test_write_file(path, env_yaml, strlen(env_yaml)));
	cr_assert_eq(ruleset_load_file(rs, path), 0);
	cr_assert_eq(rs->nerrors, 0);
	free(path);
	return rs;
}

/* Compile EXPR for SOURCE; on error, "COLUMN: MESSAGE" in err. */
static struct cnode *compile(struct ruleset *rs, struct arena *a, int source, const char *expr, struct strbuf *err)
{
	struct cond_text *t = arena_alloc(a, sizeof(*t));
	struct cond_error e;
	struct cnode *n = NULL;
	const char *unavailable;

	t->text = arena_strdup(a, expr);
	t->what = "test";
	cond_error_init(&e);
	if (cond_parse(a, t, &rs->env, &n, &e) < 0 ||
	    cond_resolve(a, &n, source, &rs->env, (size_t)-1, &unavailable, &e) < 0) {
		/* errors inside a macro point into the macro's text: say so */
		strbuf_addf(err, "%s%zu: %s", e.at == t ? "" : "macro ", e.offset + 1, e.msg.buf);
		n = NULL;
	}
	cond_error_release(&e);
	return n;
}

struct dump_case {
	const char *expr, *dump;
};

static const struct dump_case dumps[] = {
	{ "proc.name=bash", "(= proc.name \"bash\")" },
	{ "proc.name == bash", "(= proc.name \"bash\")" },
	{ "proc.name=bash and not fd.name exists", "(and (= proc.name \"bash\") (not (exists fd.name)))" },
	{ "proc.name=a or proc.name=b and proc.pid=1", "(or (= proc.name \"a\") (and (= proc.name \"b\") (= proc.pid \"1\")))" },
	{ "(proc.name=a or proc.name=b) and proc.pid!=1",
	  "(and (or (= proc.name \"a\") (= proc.name \"b\")) (!= proc.pid \"1\"))" },
	{ "not not proc.name = x", "(not (not (= proc.name \"x\")))" },
	{ "not(proc.name = x)", "(not (= proc.name \"x\"))" },
	{ "proc.name in (shell_binaries, zsh)", "(in proc.name (\"bash\" \"sh\" \"zsh\"))" },
	{ "proc.name in more_shells", "(in proc.name (\"bash\" \"sh\" \"zsh\" \"fish shell\"))" },
	{ "proc.name in (empty_list)", "(in proc.name ())" },
	{ "join(\"-\", (proc.name, proc.pid)) = bash-4242", "(= join(\"-\", (proc.name, proc.pid)) \"bash-4242\")" },
	{ "getopt(proc.aname, 'n:')[n] exists", "(exists getopt(proc.aname, 'n:')[n])" },
	{ "proc.name = oneof (a, b)", "(= oneof proc.name (\"a\" \"b\"))" },
	{ "proc.name startswith anyof shell_binaries", "(startswith anyof proc.name (\"bash\" \"sh\"))" },
	{ "fd.name contains allof (etc, shadow)", "(contains allof fd.name (\"etc\" \"shadow\"))" },
	{ "proc.name = oneof", "(= proc.name \"oneof\")" },
	{ "proc.name = anyof and proc.pid = 1", "(and (= proc.name \"anyof\") (= proc.pid \"1\"))" },
	{ "proc.name in ()", "(in proc.name ())" },
	{ "spawned", "(in evt.type (\"execve\" \"execveat\"))" },
	{ "shell and not never_true",
	  "(and (and (in evt.type (\"execve\" \"execveat\")) (in proc.name (\"bash\" \"sh\" \"zsh\" \"fish shell\"))) "
	  "(not (= evt.num \"0\")))" },
	{ "proc.name = \"a b\" and fd.name='c\\'d'", "(and (= proc.name \"a b\") (= fd.name \"c'd\"))" },
	{ "proc.cmdline contains \"x\\\"y\"", "(contains proc.cmdline \"x\\\"y\")" },
	{ "tolower(proc.name) = val(proc.pname)", "(= tolower(proc.name) val(proc.pname))" },
	{ "toupper(basename(proc.exepath)) startswith B", "(startswith toupper(basename(proc.exepath)) \"B\")" },
	{ "len(proc.name) > 3", "(> len(proc.name) \"3\")" },
	{ "proc.name = tolower(proc.pname)", "(= proc.name tolower(proc.pname))" },
	{ "fd.name bcontains 2F6574", "(bcontains fd.name 2f6574)" },
	{ "fd.name bstartswith 2f", "(bstartswith fd.name 2f)" },
	{ "proc.aname[2] = sshd and proc.aname = init", "(and (= proc.aname[2] \"sshd\") (= proc.aname \"init\"))" },
	{ "evt.arg.flags contains O_WRONLY and evt.arg[0] = 3", "(and (contains evt.arg.flags \"O_WRONLY\") (= evt.arg[0] \"3\"))" },
	{ "fd.name pmatch (/etc, /usr/bin)", "(pmatch fd.name (\"/etc\" \"/usr/bin\"))" },
	{ "fd.name glob '/etc/*' or fd.name iglob '*.SH' or fd.name regex '.*\\.so'",
	  "(or (glob fd.name \"/etc/*\") (iglob fd.name \"*.SH\") (regex fd.name \".*\\\\.so\"))" },
	{ "proc.aname intersects (a, b)", "(intersects proc.aname (\"a\" \"b\"))" },
	{ "fd.sip in (10.0.0.1, 10.0.0.0/8) and fd.snet != 127.0.0.0/8",
	  "(and (in fd.sip (\"10.0.0.1\" \"10.0.0.0/8\")) (!= fd.snet \"127.0.0.0/8\"))" },
	{ "proc.pid<=1 or proc.pid>=2 or proc.pid<3 or proc.pid>4",
	  "(or (<= proc.pid \"1\") (>= proc.pid \"2\") (< proc.pid \"3\") (> proc.pid \"4\"))" },
	{ "proc.name icontains BA and proc.name endswith sh", "(and (icontains proc.name \"BA\") (endswith proc.name \"sh\"))" },
	{ "andx.y = 1 or orfield.z = 2", NULL }, /* field names that begin like keywords: unknown fields, not keywords */
};

Test(cond, dump_of_compiled_expressions)
{
	struct ruleset *rs = env_set();

	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct arena *a = arena_new();
		struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
		struct cnode *n = compile(rs, a, SRC_SYSCALL, dumps[i].expr, &err);
		if (!dumps[i].dump) {
			cr_expect_null(n, "%s compiled", dumps[i].expr);
			cr_expect(strstr(err.buf, "unknown field 'andx.y'"), "%s: %s", dumps[i].expr, err.buf);
		} else {
			cr_expect_not_null(n, "%s: %s", dumps[i].expr, err.buf);
			if (n) {
				cond_dump(n, &out);
				cr_expect_str_eq(out.buf, dumps[i].dump, "%s", dumps[i].expr);
			}
		}
		strbuf_release(&err);
		strbuf_release(&out);
		arena_free(a);
	}
	ruleset_free(rs);
}

struct error_case {
	const char *expr, *error; /* "COLUMN: message" */
};

static const struct error_case errors[] = {
	{ "proc.nmae = bash", "1: unknown field 'proc.nmae' (did you mean 'proc.name'?)" },
	{ "proc.name = bash and fd.nme = x", "22: unknown field 'fd.nme' (did you mean 'fd.name'?)" },
	{ "ct.name = x", "1: unknown field 'ct.name' (it is a field of source aws_cloudtrail, not syscall)" },
	{ "proc.name = ", "13: expected a value after the operator, found the end of the condition" },
	{ "proc.name bash", "11: expected an operator after the field, found 'bash'" },
	{ "proc.name = bash and", "21: expected a field name, found the end of the condition" },
	{ "(proc.name = bash", "18: expected ')' or an 'and'/'or', found the end of the condition" },
	{ "proc.name = bash)", "17: expected 'and', 'or' or the end of the condition, found ')'" },
	{ "proc.name = 'abc", "13: unterminated quoted string" },
	{ "no_such_macro", "1: undefined macro 'no_such_macro'" },
	{ "proc.name in no_such_list", "14: undefined list 'no_such_list'" },
	{ "proc.name in (a b)", "17: expected ',' or ')' in the list, found 'b'" },
	{ "proc.pid = abc", "12: 'abc' is not a number (field 'proc.pid' is a number)" },
	{ "proc.name < 3", "1: operator '<' needs a number, 'proc.name' is string" },
	{ "evt.is_open_write = yes", "21: 'yes' is not true or false (field 'evt.is_open_write' is a boolean)" },
	{ "fd.sip = notanip", "10: 'notanip' is not an address or CIDR network (field 'fd.sip' is an address)" },
	{ "proc.name regex 'a('", "17: bad regular expression 'a(': Unmatched ( or \\(" },
	{ "fd.name bcontains 2f6", "19: '2f6' is not an even number of hex digits" },
	{ "fd.name bcontains zz", "19: 'zz' is not hex bytes" },
	{ "proc.aname[x] = a", "1: field 'proc.aname' takes a number as its argument, not 'x'" },
	{ "proc.name[1] = a", "1: field 'proc.name' takes no argument" },
	{ "evt.arg[] = a", "1: field 'evt.arg' has an empty argument" },
	{ "container.mount.dest exists", "1: field 'container.mount.dest' needs an argument: container.mount.dest[...]" },
	{ "tolower(proc.pid) = 1", "1: transformer 'tolower' needs a string, 'proc.pid' is int" },
	{ "tolower(proc.name = a", "19: expected ')' closing the transformer, found '='" },
	{ "proc.aname = anyof (a, b)", "1: modifier 'anyof' needs a single value, 'proc.aname' is a list" },
	{ "proc.name startswith oneof nosuchlist", "28: undefined list 'nosuchlist'" },
	{ "proc.name regex allof ('a(')", "24: bad regular expression 'a(': Unmatched ( or \\(" },
	{ "len(proc.pid) = 1", "1: transformer 'len' needs a string or a list, 'proc.pid' is int" },
	{ "join(\",\", proc.name) = x", "1: transformer 'join' joins a list: its second argument is not one" },
	{ "join(('a', 'b'), proc.aname) = x", "1: transformer 'join' takes a single separator, not a list" },
	{ "concat(proc.name) = x", "1: transformer 'concat' takes at least 2 arguments" },
	{ "concat(proc.name, proc.pid) = x", "1: transformer 'concat' takes strings (single values)" },
	{ "getopt(('-n'), ('n')) intersects (n)", "1: transformer 'getopt' takes a single optstring" },
	{ "getopt(proc.name, 'n') intersects (n)", "1: transformer 'getopt' takes a list of arguments first" },
	{ "join(\"-\", (proc.name))[x] = a", "24: transformer 'join' takes no [argument]" },
	{ "getopt((\"-n\"), \"n\")[ab] = x", "21: getopt's [argument] is one option character" },
	{ "concat(proc.nmae, 'x') = a", "8: unknown field 'proc.nmae' (did you mean 'proc.name'?)" },
	{ "concat(proc.name, 'x' = a", "23: expected ',' or ')' after an argument, found '='" },
};

Test(cond, errors_name_the_column_and_the_problem)
{
	struct ruleset *rs = env_set();

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct arena *a = arena_new();
		struct strbuf err = STRBUF_INIT;
		struct cnode *n = compile(rs, a, SRC_SYSCALL, errors[i].expr, &err);
		cr_expect_null(n, "%s compiled", errors[i].expr);
		cr_expect_str_eq(err.buf, errors[i].error, "%s", errors[i].expr);
		strbuf_release(&err);
		arena_free(a);
	}
	ruleset_free(rs);
}

/* The event the evaluation table runs on: bash (pid 4242) run by nginx under sshd under
 * systemd, reading /etc/shadow, with a connection 10.1.2.3:40000 -> 203.0.113.5:443. */
static struct ptree *test_tree(void)
{
	struct ptree *pt = ptree_new();

	ptree_add(pt, 1, 1, 0, -1, 0, 1, "/usr/lib/systemd/systemd", "systemd", "[\"/sbin/init\"]", "/", NULL, NULL);
	ptree_add(pt, 2, 800, 1, 1, 0, 800, "/usr/sbin/sshd", "sshd", "[\"sshd\",\"-D\"]", "/", NULL, NULL);
	ptree_add(pt, 3, 900, 800, 2, 33, 800, "/usr/sbin/nginx", "nginx", "[\"nginx\",\"-g\",\"daemon off;\"]", "/",
		  NULL, NULL);
	ptree_add(pt, 4, 4242, 900, 3, 0, 800, "/bin/bash", "bash", "[\"/bin/bash\",\"-c\",\"cat /etc/shadow\"]",
		  "/root", "34816", NULL);
	ptree_link(pt);
	return pt;
}

static int raw_json(void *userdata, int64_t id, struct strbuf *out)
{
	strbuf_addstr(out, "{\"requestParameters\":{\"bucketName\":\"b1\",\"list\":[\"x\",\"y\"]},\"a/b\":1}");
	return 0;
}

static void test_event(struct ev *ev, const struct ptree *pt, const char *fields)
{
	ev_init(ev);
	ev->id = 7;
	ev->ts = 1700000000123456789LL;
	ev->source = SRC_SYSCALL;
	ev->type = "execve";
	ev->host = "web1";
	ev->icol[COL_pid] = 4242;
	ev->icol[COL_ppid] = 900;
	ev->icol[COL_uid] = 0;
	ev->scol[COL_user_name] = "root";
	ev->scol[COL_proc_name] = "bash";
	ev->scol[COL_exe] = "/bin/bash";
	ev->scol[COL_cmdline] = "/bin/bash -c cat /etc/shadow";
	ev->scol[COL_fd_name] = "/etc/shadow";
	ev->scol[COL_container_id] = "0123456789ab";
	ev->scol[COL_src_ip] = "10.1.2.3";
	ev->icol[COL_src_port] = 40000;
	ev->scol[COL_dst_ip] = "203.0.113.5";
	ev->icol[COL_dst_port] = 443;
	ev->scol[COL_l4proto] = "tcp";
	ev->scol[COL_result] = "0";
	ev->fields_text = fields;
	ev->process_id = 4;
	ev->ptree = pt;
	ev->load_raw = raw_json;
}

struct eval_case {
	const char *expr;
	const char *fields; /* the event's fields JSON, or NULL */
	bool expected;
	int source;         /* 0: syscall */
};

#define F_OPEN "{\"evt.arg.flags\":\"O_WRONLY|O_CREAT\",\"fd.num\":3,\"evt.arg[0]\":\"3\",\"evt.arg.data\":\"aGVsbG8=\"}"

static const struct eval_case evals[] = {
	/* = == != */
	{ "proc.name = bash", NULL, true },
	{ "proc.name == bash", NULL, true },
	{ "proc.name = sh", NULL, false },
	{ "proc.name != sh", NULL, true },
	{ "proc.name != bash", NULL, false },
	/* a missing field makes every comparison false, even != ; not of it is true */
	{ "fd.num != 3", NULL, false },
	{ "fd.num = 3", NULL, false },
	{ "not fd.num = 3", NULL, true },
	{ "fd.num exists", NULL, false },
	{ "fd.num exists", F_OPEN, true },
	{ "fd.num = 3", F_OPEN, true },
	{ "fd.num >= 0", F_OPEN, true },
	{ "proc.name exists", NULL, true },
	/* < <= > >= */
	{ "proc.pid < 5000", NULL, true },
	{ "proc.pid <= 4242", NULL, true },
	{ "proc.pid > 4242", NULL, false },
	{ "proc.pid >= 4242", NULL, true },
	{ "proc.pid = 0x1092", NULL, true },
	/* in, with lists and macros */
	{ "proc.name in (sh, bash)", NULL, true },
	{ "proc.name in (sh, zsh)", NULL, false },
	{ "proc.name in (a, b, c, d, e, f, g, h, bash, z)", NULL, true },
	{ "proc.name in (a, b, c, d, e, f, g, h, basher, z)", NULL, false },
	{ "proc.name in (shell_binaries)", NULL, true },
	{ "proc.name in (empty_list)", NULL, false },
	{ "shell", NULL, true },
	{ "shell and never_true", NULL, false },
	{ "proc.pid in (1, 4242)", NULL, true },
	/* contains, icontains, bcontains, startswith, bstartswith, endswith */
	{ "proc.cmdline contains shadow", NULL, true },
	{ "proc.cmdline contains SHADOW", NULL, false },
	{ "proc.cmdline icontains SHADOW", NULL, true },
	{ "fd.name bcontains 736861646f77", NULL, true },
	{ "fd.name bcontains 736861646f78", NULL, false },
	{ "fd.name startswith /etc/", NULL, true },
	{ "fd.name startswith /usr", NULL, false },
	{ "fd.name bstartswith 2f657463", NULL, true },
	{ "fd.name endswith shadow", NULL, true },
	{ "fd.name endswith passwd", NULL, false },
	/* glob, iglob */
	{ "fd.name glob '/etc/*'", NULL, true },
	{ "fd.name glob '/ETC/*'", NULL, false },
	{ "fd.name iglob '/ETC/SH*'", NULL, true },
	{ "fd.directory glob '/et?'", NULL, true },
	/* pmatch: a path equal to or below one of the listed directories */
	{ "fd.name pmatch (/etc, /usr)", NULL, true },
	{ "fd.name pmatch (/et)", NULL, false },
	{ "fd.name pmatch (/etc/shadow)", NULL, true },
	{ "fd.name pmatch (/)", NULL, true },
	/* regex: the whole value must match */
	{ "proc.name regex 'ba.h'", NULL, true },
	{ "proc.name regex 'ba'", NULL, false },
	{ "proc.name regex 'b(a|x)sh|zsh'", NULL, true },
	/* intersects */
	{ "proc.aname intersects (nginx, foo)", NULL, true },
	{ "proc.aname intersects (foo, bar)", NULL, false },
	/* the process tree: proc.pname, proc.aname[N], proc.aname = any ancestor (not the process itself) */
	{ "proc.pname = nginx", NULL, true },
	{ "proc.pexe = nginx and proc.pexepath = /usr/sbin/nginx", NULL, true },
	{ "proc.pcmdline = \"nginx -g daemon off;\"", NULL, true },
	{ "proc.aname[0] = bash", NULL, true },
	{ "proc.aname[1] = nginx", NULL, true },
	{ "proc.aname[2] = sshd", NULL, true },
	{ "proc.aname[3] = systemd", NULL, true },
	{ "proc.aname[4] exists", NULL, false },
	{ "proc.aname = sshd", NULL, true },
	{ "proc.aname = bash", NULL, false },
	{ "proc.aname in (sshd)", NULL, true },
	{ "proc.apid[2] = 800", NULL, true },
	{ "proc.aexepath[1] = /usr/sbin/nginx", NULL, true },
	{ "proc.tty = 34816 and proc.sid = 800", NULL, true },
	/* derived fields */
	{ "proc.cmdline = \"bash -c cat /etc/shadow\"", NULL, true },
	{ "proc.exe = /bin/bash and proc.args = \"-c cat /etc/shadow\"", NULL, true },
	{ "proc.args[1] = cat", NULL, true },
	{ "fd.directory = /etc and fd.filename = shadow", NULL, true },
	{ "fd.typechar = 4 and fd.type = ipv4", NULL, true },
	{ "evt.res = SUCCESS and evt.rawres = 0 and evt.failed = false", NULL, true },
	{ "evt.is_open_write = true", F_OPEN, false }, /* an execve is no open */
	{ "container.id != host", NULL, true },
	{ "evt.dir = <", NULL, true }, /* stored events are exits or whole calls */
	{ "user.uid = 0 and user.name = root and thread.tid exists", NULL, false },
	/* field arguments answered from fields */
	{ "evt.arg.flags contains O_WRONLY", F_OPEN, true },
	{ "evt.arg[0] = 3", F_OPEN, true },
	{ "evt.arg.nope exists", F_OPEN, false },
	{ "proc.env[HOME] = /root", "{\"proc.env\":{\"HOME\":\"/root\"}}", true },
	{ "proc.env[HOME] = /root", "{\"proc.env[HOME]\":\"/root\"}", true },
	/* addresses and networks */
	{ "fd.sip = 203.0.113.5", NULL, true },
	{ "fd.sip = 203.0.113.6", NULL, false },
	{ "fd.snet = 203.0.113.0/24", NULL, true },
	{ "fd.net = 10.0.0.0/8", NULL, true },
	{ "fd.net != 10.0.0.0/8", NULL, false },
	{ "fd.cip in (192.168.0.0/16, 10.0.0.0/8)", NULL, true },
	{ "fd.ip = 203.0.113.5 and fd.port = 443", NULL, true },
	{ "fd.lport = 40000 and fd.rport = 443 and fd.rip = 203.0.113.5", NULL, true },
	/* transformers */
	{ "toupper(proc.name) = BASH", NULL, true },
	{ "tolower(toupper(proc.name)) = bash", NULL, true },
	{ "basename(proc.exepath) = bash", NULL, true },
	{ "basename(fd.directory) = etc", NULL, true },
	{ "len(proc.name) = 4", NULL, true },
	{ "len(proc.name) > 4", NULL, false },
	{ "b64(evt.arg.data) = hello", F_OPEN, true },
	{ "tolower(evt.arg.nope) exists", NULL, false },
	/* modifiers: exactly one, at least one, every value of the list */
	{ "proc.name = oneof (bash, sh)", NULL, true },
	{ "proc.name = oneof (bash, bash)", NULL, false },
	{ "proc.name startswith oneof (ba, b)", NULL, false },
	{ "proc.name startswith anyof (ba, zz)", NULL, true },
	{ "proc.name startswith anyof (zz, yy)", NULL, false },
	{ "fd.name contains allof (etc, shadow)", NULL, true },
	{ "fd.name contains allof (etc, passwd)", NULL, false },
	{ "proc.name != allof (sh, zsh)", NULL, true },
	{ "proc.name != allof (sh, bash)", NULL, false },
	{ "proc.name != anyof (bash, sh)", NULL, true },
	{ "proc.name endswith anyof shell_binaries", NULL, true },
	{ "proc.name glob anyof ('b*', 'z*')", NULL, true },
	{ "proc.name regex oneof ('b.*', 'x.*')", NULL, true },
	{ "proc.pid = anyof (1, 4242)", NULL, true },
	{ "fd.sip = anyof (198.51.100.1, 203.0.113.0/24)", NULL, true },
	{ "proc.name = anyof ()", NULL, false },
	{ "proc.name = allof ()", NULL, false },
	{ "evt.arg.nope = anyof (a, b)", NULL, false },
	{ "not evt.arg.nope != allof (a, b)", NULL, true },
	{ "proc.name = oneof", NULL, false },
	/* a key is looked for as "KEY" in the fields text before the text is parsed */
	{ "fd.num = 3", "{\"fd.num\":3}", true },
	{ "fd.num exists", "{\"note\":\"fd.num\"}", false },
	{ "fd.num exists", "{\"fd.numbers\":3,\"xfd.num\":4}", false },
	{ "evt.arg.flags contains O_CREAT", "{\"a\":\"fd.num\",\"evt.arg.flags\":\"O_RDWR|O_CREAT\"}", true },
	/* multi-value transformers: join, concat, getopt */
	{ "join(\"-\", (proc.name, proc.pid)) = bash-4242", NULL, true },
	{ "join(\",\", proc.aname) = \"nginx,sshd,systemd\"", NULL, true },
	{ "join('', ()) = ''", NULL, true },
	{ "concat(proc.name, fd.name) = bash/etc/shadow", NULL, true },
	{ "toupper(concat(proc.name, \"!\")) = \"BASH!\"", NULL, true },
	{ "concat(proc.name, evt.arg.nope) exists", NULL, false },
	{ "join(\"-\", (proc.name, evt.arg.nope)) exists", NULL, false },
	{ "proc.name = val(concat('ba', 'sh'))", NULL, true },
	{ "getopt(('-l', '-p', '8080', '-e', '/bin/sh'), 'lp:e:') intersects (l, p, e, 8080, /bin/sh)", NULL, true },
	{ "getopt(('-l', '-p', '8080', '-e', '/bin/sh'), 'lp:e:') in (l, p, e, 8080, /bin/sh)", NULL, true },
	{ "getopt(('-lpe', '/bin/sh'), 'lp:e:') in (l, p, e)", NULL, true },
	{ "getopt(('-lpe', '/bin/sh'), 'lpe:')[e] = /bin/sh", NULL, true },
	{ "getopt(('-t', 'a', '-t', 'b'), 't:')[t] = b", NULL, true },
	{ "getopt(('-n'), 'nt:')[t] exists", NULL, false },
	{ "getopt(('-n'), 'nt:')[n] = n", NULL, true },
	{ "getopt(('-t'), 't:')[t] = ''", NULL, true },
	{ "getopt(('-t'), 't:') intersects ('')", NULL, true },
	{ "getopt(('-t'), 't:') intersects (t)", NULL, false },
	{ "getopt(('-t'), ':t:') intersects ('')", NULL, true },
	{ "getopt(('-x', '-n'), 'n') intersects ('?', n)", NULL, true },
	{ "getopt(('-x', '-n'), 'n') intersects (x)", NULL, false },
	{ "getopt(('-n', '--', '-t'), 'nt:') intersects (t)", NULL, false },
	{ "getopt(('--exec', '-n'), 'n') intersects (n)", NULL, true },
	{ "getopt(('arg1', '-n'), 'n') intersects (n)", NULL, false },
	{ "getopt(('-', '-n'), 'n') intersects (n)", NULL, false },
	{ "getopt(('-n', '-t'), '') intersects (n)", NULL, false },
	{ "len(getopt(('-abc'), 'abc')) = 3", NULL, true },
	{ "getopt(('-abcvalue'), 'abc:') in (a, b, c, value)", NULL, true },
	{ "getopt(('-p8080'), 'p:')[p] = 8080", NULL, true },
	/* field against field */
	{ "proc.name = val(proc.aname[0])", NULL, true },
	{ "proc.pname = val(proc.aname[1])", NULL, true },
	{ "proc.pname = val(proc.name)", NULL, false },
	{ "proc.name != val(proc.pname)", NULL, true },
	{ "proc.name = val(fd.num)", NULL, false }, /* right side missing */
	{ "toupper(proc.name) = toupper(proc.aname[0])", NULL, true },
	/* precedence and grouping */
	{ "proc.name = sh or proc.name = bash and fd.name = /x", NULL, false },
	{ "(proc.name = sh or proc.name = bash) and fd.name startswith /etc", NULL, true },
	{ "not proc.name = sh and not not proc.name = bash", NULL, true },
	/* common fields */
	{ "evt.num = 7 and evt.type = execve and evt.hostname = web1", NULL, true },
	{ "evt.time = \"2023-11-14T22:13:20.123456789Z\"", NULL, true },
	/* json.value reads the raw record (CloudTrail) */
	{ "json.value[/requestParameters/bucketName] = b1", NULL, true, SRC_CLOUDTRAIL },
	{ "json.value[/requestParameters/list/1] = y", NULL, true, SRC_CLOUDTRAIL },
	{ "json.value[/a~1b] = 1", NULL, true, SRC_CLOUDTRAIL },
	{ "json.value[/requestParameters/none] exists", NULL, false, SRC_CLOUDTRAIL },
	/* list fields: in needs every value in the set, intersects any */
	{ "ka.req.pod.containers.image in (a, b)", "{\"ka.req.pod.containers.image\":[\"a\",\"b\"]}", true, SRC_K8S_AUDIT },
	{ "ka.req.pod.containers.image in (a)", "{\"ka.req.pod.containers.image\":[\"a\",\"b\"]}", false, SRC_K8S_AUDIT },
	{ "ka.req.pod.containers.image intersects (b, z)", "{\"ka.req.pod.containers.image\":[\"a\",\"b\"]}", true,
	  SRC_K8S_AUDIT },
	{ "ka.req.pod.containers.image[1] = b", "{\"ka.req.pod.containers.image\":[\"a\",\"b\"]}", true, SRC_K8S_AUDIT },
	{ "ka.req.pod.containers.privileged intersects (true)", "{\"ka.req.pod.containers.privileged\":[false,true]}", true,
	  SRC_K8S_AUDIT },
	{ "jevt.value[/requestParameters/bucketName] = b1", NULL, true, SRC_K8S_AUDIT },
};

Test(cond, evaluation_table)
{
	struct ruleset *rs = env_set();
	struct ptree *pt = test_tree();
	struct cond_scratch scr;

	cond_scratch_init(&scr);
	for (size_t i = 0; i < sizeof(evals) / sizeof(evals[0]); i++) {
		struct arena *a = arena_new();
		struct strbuf err = STRBUF_INIT;
		int source = evals[i].source ? evals[i].source : SRC_SYSCALL;
		struct cnode *n = compile(rs, a, source, evals[i].expr, &err);
		struct ev ev;
		cr_expect_not_null(n, "%s: %s", evals[i].expr, err.buf);
		if (n) {
			test_event(&ev, pt, evals[i].fields);
			ev.source = source;
			cr_expect_eq(cond_eval(n, &ev, &scr), evals[i].expected, "%s: expected %s", evals[i].expr,
				     evals[i].expected ? "true" : "false");
			ev_release(&ev);
		}
		strbuf_release(&err);
		arena_free(a);
	}
	cond_scratch_release(&scr);
	ptree_free(pt);
	ruleset_free(rs);
}

Test(cond, evttype_sets_for_the_rule_index)
{
	static const struct {
		const char *expr, *types; /* space separated; NULL: any */
	} cases[] = {
		{ "evt.type = open", "open" },
		{ "evt.type in (open, openat) and proc.name = x", "open openat" },
		{ "spawned or evt.type = connect", "execve execveat connect" },
		{ "evt.type in (open, openat) and evt.type in (openat, connect)", "openat" },
		{ "proc.name = x", NULL },
		{ "not evt.type = open", NULL },
		{ "evt.type = open or proc.name = x", NULL },
	};
	struct ruleset *rs = env_set();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *a = arena_new();
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
		struct cnode *n = compile(rs, a, SRC_SYSCALL, cases[i].expr, &err);
		const char **t;
		cr_assert_not_null(n, "%s: %s", cases[i].expr, err.buf);
		t = cond_evttypes(a, n);
		if (!cases[i].types) {
			cr_expect_null(t, "%s", cases[i].expr);
		} else {
			for (size_t k = 0; t && t[k]; k++)
				strbuf_addf(&got, "%s%s", k ? " " : "", t[k]);
			cr_expect_str_eq(got.buf, cases[i].types, "%s", cases[i].expr);
		}
		strbuf_release(&err);
		strbuf_release(&got);
		arena_free(a);
	}
	ruleset_free(rs);
}

Test(cond, every_field_has_a_description)
{
	for (int s = 0; s < SRC__COUNT; s++) {
		const struct field_table *t = field_table_of(s);
		if (!t)
			continue;
		for (size_t i = 0; i < t->n; i++)
			cr_expect(t->rows[i].description && strlen(t->rows[i].description) > 10, "%s: field %s lacks a description",
				  bs_source_name(s), t->rows[i].name);
	}
	for (size_t i = 0; i < fields_common_count; i++)
		cr_expect(fields_common[i].description && *fields_common[i].description, "%s", fields_common[i].name);
}

/* Output templates: %field, %field[arg], %(field), a width prefix, transformers around a field
 * (%tolower(proc.name)), <NA> for a missing value; the output fields are keyed as Falco keys
 * them (a transformer call without its blanks) and sorted. */
Test(cond, output_templates_render_fields_and_transformers)
{
	static const struct {
		const char *output, *rendered, *fields;
	} table[] = {
		{ "shell %proc.name (pid %proc.pid) parent=%proc.aname[1]", "shell bash (pid 4242) parent=nginx",
		  "{\"proc.aname[1]\":\"nginx\",\"proc.name\":\"bash\",\"proc.pid\":4242}" },
		{ "%(proc.name) %20proc.exe", "bash /bin/bash", "{\"proc.exe\":\"/bin/bash\",\"proc.name\":\"bash\"}" },
		{ "up=%toupper(proc.name) base=%basename( proc.exepath ) n=%len(proc.name)", "up=BASH base=bash n=4",
		  "{\"basename(proc.exepath)\":\"bash\",\"len(proc.name)\":4,\"toupper(proc.name)\":\"BASH\"}" },
		{ "%tolower(toupper(fd.name))!", "/etc/shadow!", "{\"tolower(toupper(fd.name))\":\"/etc/shadow\"}" },
		{ "missing=%evt.arg.nope %tolower(evt.arg.nope)", "missing=<NA> <NA>",
		  "{\"evt.arg.nope\":null,\"tolower(evt.arg.nope)\":null}" },
		{ "100% sure, %proc.name", "100% sure, bash", "{\"proc.name\":\"bash\"}" },
		{ "%join(\"->\", (proc.name, fd.name)) %concat(proc.name, \" x\")", "bash->/etc/shadow bash x",
		  "{\"concat(proc.name, x)\":\"bash x\",\"join(-\\u003e,(proc.name,fd.name))\":\"bash-\\u003e/etc/shadow\"}" },
	};
	struct ptree *pt = test_tree();
	struct cond_scratch scr;

	cond_scratch_init(&scr);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct ruleset *rs = ruleset_new(false);
		struct strbuf yaml = STRBUF_INIT, out = STRBUF_INIT, fields = STRBUF_INIT;
		struct ev ev;
		strbuf_addf(&yaml, "- rule: r\n  desc: d\n  condition: proc.name = bash\n  output: '%s'\n  priority: info\n",
			    table[i].output);
		cr_assert_eq(ruleset_load_text(rs, "out.yaml", yaml.buf, yaml.len), 0);
		cr_assert_eq(ruleset_compile(rs), 0, "%s", table[i].output);
		cr_assert_eq(rs->nrules, 1);
		test_event(&ev, pt, NULL);
		rule_render(rs->rules[0], &ev, &scr, &out, &fields);
		cr_expect_str_eq(out.buf, table[i].rendered, "%s", table[i].output);
		cr_expect_str_eq(fields.buf, table[i].fields, "%s", table[i].output);
		ev_release(&ev);
		strbuf_release(&yaml);
		strbuf_release(&out);
		strbuf_release(&fields);
		ruleset_free(rs);
	}
	cond_scratch_release(&scr);
	ptree_free(pt);
}
