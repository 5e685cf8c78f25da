/* fuzz-rules: a libFuzzer entry point for what a detection engineer hands backsight as text —
 * rule files, conditions and indicator lists — which must give diagnostics, never a crash, a
 * hang or an out-of-bounds read, whatever the bytes.
 *
 * The first byte chooses what the rest is:
 *   0 — a whole rule file: loaded after a small fixed prelude of lists and macros, compiled,
 *       every compiled rule specialised for a few event types and evaluated, its output
 *       rendered, against a fixed event of its source;
 *   1 — a condition for one of the sources (the second byte picks it): parsed, resolved with
 *       the prelude's lists and macros visible, dumped, specialised and evaluated;
 *   2 — an indicator list: parsed, and each of its lines looked up again; then parsed again
 *       leniently into a sink, as a rule set's list file is.
 * Built with -Dfuzz=true under clang; run
 *   ./build-fuzz/tests/fuzz/fuzz-rules -max_total_time=300 CORPUS_DIR tests/fuzz/rules-seeds
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "indicators.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char prelude[] = "- list: shell_binaries\n"
			      "  items: [bash, sh, zsh]\n"
			      "- list: nets\n"
			      "  items: [10.0.0.0/8, \"192.168.0.1\"]\n"
			      "- macro: spawned\n"
			      "  condition: evt.type in (execve, execveat)\n"
			      "- macro: shell\n"
			      "  condition: spawned and proc.name in (shell_binaries)\n";

static const char *const types[] = { "execve", "open", "connect", "dns", "create", "ListBuckets" };

static int raw_json(void *userdata, int64_t id, struct strbuf *out)
{
	(void)userdata;
	(void)id;
	strbuf_addstr(out, "{\"requestParameters\":{\"bucketName\":\"b1\",\"list\":[\"x\",\"y\"]},\"a/b\":1,"
			   "\"requestObject\":{\"spec\":{\"containers\":[{\"image\":\"nginx\"}]}}}");
	return 0;
}

static struct ptree *tree(void)
{
	struct ptree *pt = ptree_new();

	ptree_add(pt, 1, 1, 0, -1, 0, 1, "/sbin/init", "init", "[\"/sbin/init\"]", "/", NULL, NULL);
	ptree_add(pt, 2, 900, 1, 1, 33, 900, "/usr/sbin/nginx", "nginx", "[\"nginx\"]", "/", NULL, NULL);
	ptree_add(pt, 3, 4242, 900, 2, 0, 900, "/bin/bash", "bash", "[\"bash\",\"-c\",\"id\"]", "/root", "34816",
		  "0123456789ab");
	ptree_link(pt);
	return pt;
}

static void event(struct ev *ev, const struct ptree *pt, int source, const char *type)
{
	ev_init(ev);
	ev->id = 7;
	ev->ts = 1700000000123456789LL;
	ev->source = source;
	ev->type = type;
	ev->host = "web1";
	ev->icol[COL_pid] = 4242;
	ev->icol[COL_ppid] = 900;
	ev->icol[COL_uid] = 0;
	ev->scol[COL_proc_name] = "bash";
	ev->scol[COL_exe] = "/bin/bash";
	ev->scol[COL_cmdline] = "bash -c id";
	ev->scol[COL_fd_name] = "/etc/shadow";
	ev->scol[COL_src_ip] = "10.1.2.3";
	ev->scol[COL_dst_ip] = "2001:db8::1";
	ev->icol[COL_dst_port] = 443;
	ev->scol[COL_principal] = "arn:aws:iam::1:user/a";
	ev->fields_text = "{\"evt.arg.flags\":\"O_WRONLY|O_CREAT\",\"fd.num\":3,\"ka.verb\":\"create\","
			  "\"ka.req.pod.containers.image\":[\"nginx\",\"x\"],\"dns.query\":\"a.example\"}";
	ev->fields_len = strlen(ev->fields_text);
	ev->process_id = 3;
	ev->ptree = pt;
	ev->load_raw = raw_json;
}

static void run_tree(const struct cnode *root, int source, struct arena *a, const struct ptree *pt,
		     struct cond_scratch *scr, const struct rule *r)
{
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		const struct cnode *n = cond_specialize(a, root, types[t]);
		struct ev ev;
		struct strbuf out = STRBUF_INIT, of = STRBUF_INIT;
		event(&ev, pt, source, types[t]);
		cond_scratch_next(scr);
		if (n != COND_FALSE && (n == COND_TRUE || cond_eval(n, &ev, scr)) && r)
			rule_render(r, &ev, scr, &out, &of);
		ev_release(&ev);
		strbuf_release(&out);
		strbuf_release(&of);
	}
	(void)cond_evttypes(a, root);
}

static int fuzz_sink(void *userdata, const struct indicator_entry *e)
{
	(void)userdata;
	return e->len && e->value[e->len - 1] == '!' ? -1 : 0; /* reads every byte it is given */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs;
	struct ptree *pt;
	struct cond_scratch scr;

	if (size < 2)
		return 0;
	if (data[0] == 2) {
		struct indicator_set *s = indicator_set_new();
		struct strbuf err = STRBUF_INIT;
		const char *text = (const char *)data + 1;
		size_t len = size - 1;
		indicator_set_add_text(s, "fuzz", text, len, &err);
		for (size_t i = 0; i < len;) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
			indicator_lookup(s, text + i, ll, NULL, NULL, NULL, NULL);
			i += ll + 1;
		}
		indicator_set_free(s);
		/* the same text as a rule set's list file reads it: leniently, entries to a sink */
		s = indicator_set_new_sink(fuzz_sink, NULL, true);
		strbuf_reset(&err);
		indicator_set_add_text(s, "fuzz", text, len, &err);
		indicator_set_free(s);
		strbuf_release(&err);
		return 0;
	}
	rs = ruleset_new(false);
	pt = tree();
	cond_scratch_init(&scr);
	ruleset_load_text(rs, "prelude.yaml", prelude, sizeof(prelude) - 1);
	if (data[0] == 0) {
		ruleset_load_text(rs, "fuzz.yaml", (const char *)data + 1, size - 1);
		ruleset_compile(rs);
		cond_scratch_memo(&scr, 0);
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct rule *r = rs->rules[i];
			if (r->status == RULE_OK && r->tree)
				run_tree(r->tree, r->source, rs->a, pt, &scr, r);
		}
		for (size_t i = 0; i < rs->ndiags; i++) {
			struct strbuf sb = STRBUF_INIT;
			rule_diag_format(&rs->diags[i], &sb);
			strbuf_release(&sb);
		}
	} else if (data[0] == 1 && size >= 3) {
		static const int sources[] = { SRC_SYSCALL, SRC_NETWORK, SRC_CLOUDTRAIL, SRC_K8S_AUDIT };
		int source = sources[data[1] % 4];
		struct arena *a = arena_new();
		struct cond_text *t = arena_alloc(a, sizeof(*t));
		char *text = arena_alloc(a, size - 1);
		struct cond_error e;
		struct cnode *n = NULL;
		const char *unavailable = NULL;
		memcpy(text, data + 2, size - 2);
		text[size - 2] = '\0';
		t->text = text;
		t->what = "fuzz";
		cond_error_init(&e);
		if (cond_parse(a, t, &rs->env, &n, &e) == 0 &&
		    cond_resolve(a, &n, source, &rs->env, SIZE_MAX, &unavailable, &e) == 0) {
			struct strbuf d = STRBUF_INIT;
			cond_dump(n, &d);
			strbuf_release(&d);
			cond_scratch_memo(&scr, 0);
			run_tree(n, source, a, pt, &scr, NULL);
		}
		cond_error_release(&e);
		arena_free(a);
	}
	cond_scratch_release(&scr);
	ptree_free(pt);
	ruleset_free(rs);
	return 0;
}
