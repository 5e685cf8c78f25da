/* hostutil: see hostutil.h. */
#include "hostutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "reader.h"
#include "stream.h"

static int on_event(void *userdata, const struct bs_event *ev)
{
	struct host_run *run = userdata;
	json_t *o = json_object();

	json_object_set_new(o, "ts", json_integer(ev->ts));
	json_object_set_new(o, "ts_precision", json_integer(ev->ts_precision));
	json_object_set_new(o, "source", json_string(bs_source_name(ev->source)));
	json_object_set_new(o, "type", json_string(ev->type ? ev->type : ""));
	if (ev->host)
		json_object_set_new(o, "host", json_string(ev->host));
	json_object_set_new(o, "summary", json_string(ev->summary ? ev->summary : ""));
	json_object_set_new(o, "offset", json_integer((json_int_t)ev->offset));
	json_object_set_new(o, "raw", json_stringn_nocheck(ev->raw ? ev->raw : "", ev->raw_len));
	for (size_t i = 0; i < bs_event_ncolumns; i++) {
		const struct bs_event_column *c = &bs_event_columns[i];
		if (c->kind == BS_COLUMN_INT && bs_event_int(ev, c) != BS_NONE)
			json_object_set_new(o, c->name, json_integer(bs_event_int(ev, c)));
		else if (c->kind == BS_COLUMN_STR && bs_event_str(ev, c))
			json_object_set_new(o, c->name, json_string(bs_event_str(ev, c)));
	}
	if (ev->fields) {
		json_error_t err;
		json_t *f = json_loads(ev->fields, 0, &err);
		cr_assert_not_null(f, "fields is not JSON (%s): %s", err.text, ev->fields);
		json_object_set_new(o, "fields", f);
	}
	if (ev->process_key != BS_NONE)
		json_object_set_new(o, "process_key", json_integer(ev->process_key));
	json_array_append_new(run->events, o);
	return 0;
}

static void set_int(json_t *o, const char *k, int64_t v)
{
	if (v != BS_NONE)
		json_object_set_new(o, k, json_integer(v));
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static int on_process(void *userdata, const struct bs_process *p)
{
	struct host_run *run = userdata;
	char key[32];
	json_t *o;

	snprintf(key, sizeof(key), "%lld", (long long)p->key);
	o = json_object_get(run->processes, key);
	if (!o) {
		o = json_object();
		json_object_set_new(run->processes, key, o);
	}
	set_int(o, "key", p->key);
	set_int(o, "parent_key", p->parent_key);
	set_int(o, "pid", p->pid);
	set_int(o, "ppid", p->ppid);
	set_int(o, "start_ts", p->start_ts);
	set_int(o, "end_ts", p->end_ts);
	set_int(o, "uid", p->uid);
	set_int(o, "loginuid", p->loginuid);
	set_int(o, "exit_status", p->exit_status);
	set_str(o, "exe", p->exe);
	set_str(o, "name", p->name);
	set_str(o, "args", p->args_json);
	set_str(o, "cwd", p->cwd);
	set_str(o, "tty", p->tty);
	set_str(o, "host", p->host);
	return 0;
}

static void on_issue(void *userdata, uint64_t offset, const char *severity, const char *msg)
{
	struct host_run *run = userdata;
	size_t n = strlen(run->issues);

	if (n + 200 < sizeof(run->issues))
		snprintf(run->issues + n, sizeof(run->issues) - n, "%llu %s %.150s\n", (unsigned long long)offset,
			 severity, msg);
}

void host_import(const char *importer, const char *path, const void *data, size_t len,
		 const struct imp_options *opts, struct host_run *run)
{
	static const struct imp_options none = { 0 };
	const struct importer *imp = importer_find(importer);
	struct stream *s = NULL;
	struct strbuf err = STRBUF_INIT;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;
	int r;

	memset(run, 0, sizeof(*run));
	run->events = json_array();
	run->processes = json_object();
	cr_assert_not_null(imp, "no importer %s", importer);
	if (data)
		r = stream_open_mem(data, len, &s);
	else
		r = stream_open(path, &s, &err);
	cr_assert_eq(r, 0, "cannot open %s: %s", path, err.buf);
	reader_init(&in, s);
	imp_ctx_init(&ctx, path, &in, opts ? opts : &none,
		     (struct imp_sink){ .event = on_event, .process = on_process, .userdata = run });
	ctx.issue = on_issue;
	ctx.issue_userdata = run;
	r = imp->open(&ctx, &state);
	cr_assert_eq(r, 0);
	while ((r = imp->next(&ctx, state)) > 0)
		;
	run->rc = r;
	imp->close(state);
	run->skipped = ctx.skipped;
	run->partial = ctx.partial;
	snprintf(run->assumptions, sizeof(run->assumptions), "%s", ctx.assumptions.buf);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	strbuf_release(&err);
}

void host_run_release(struct host_run *run)
{
	json_decref(run->events);
	json_decref(run->processes);
}

const char *ev_str(json_t *ev, const char *name)
{
	json_t *v = json_object_get(ev, name);

	if (!v)
		v = json_object_get(json_object_get(ev, "fields"), name);
	return json_is_string(v) ? json_string_value(v) : "";
}

long long ev_int(json_t *ev, const char *name)
{
	json_t *v = json_object_get(ev, name);

	if (!v)
		v = json_object_get(json_object_get(ev, "fields"), name);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

json_t *find_event(struct host_run *run, const char *type, const char *needle)
{
	size_t i;
	json_t *ev;

	json_array_foreach(run->events, i, ev) {
		if (strcmp(ev_str(ev, "type"), type))
			continue;
		if (needle && !strstr(ev_str(ev, "summary"), needle))
			continue;
		return ev;
	}
	return NULL;
}

json_t *process_of(struct host_run *run, json_t *ev)
{
	char key[32];

	if (ev_int(ev, "process_key") < 0)
		return NULL;
	snprintf(key, sizeof(key), "%lld", ev_int(ev, "process_key"));
	return json_object_get(run->processes, key);
}
