/* fields: binding field names to the tables, extracting values from a stored event, the
 * process tree cache, and the fields every source shares (evt.*). See fields.h for the order in
 * which a field is looked for; the per-source tables are fields-syscall.c, fields-cloudtrail.c,
 * fields-k8s.c and fields-network.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "fields.h"
#include "jsonutil.h"

/* ---- the event ---- */

void ev_init(struct ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->process_id = BS_NONE;
	for (int i = 0; i < COL__COUNT; i++)
		ev->icol[i] = BS_NONE;
	strbuf_init(&ev->raw_buf);
	strbuf_init(&ev->memo_buf);
	ev->gen = 1;
}

void ev_load_col(struct ev *ev, int col)
{
	int k = ev->row_cols ? ev->row_cols[col] : ev->row_base + col;

	ev->loaded |= 1ull << col;
	if (k < 0) {
		if (!ev->load_col || ev->load_col(ev->col_userdata, ev, col) < 0) {
			ev->icol[col] = BS_NONE;
			ev->scol[col] = NULL;
		}
		return;
	}
	if (bs_event_columns[col].kind == BS_COLUMN_INT)
		ev->icol[col] = sqlite3_column_type(ev->row, k) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(ev->row, k);
	else
		ev->scol[col] = (const char *)sqlite3_column_text(ev->row, k);
}

void ev_reset(struct ev *ev)
{
	ev->loaded = 0;
	ev->gen++;
	if (!ev->gen) { /* wrapped: forget every stamp */
		if (ev->memo_gen)
			memset(ev->memo_gen, 0, ev->memo_cap * sizeof(*ev->memo_gen));
		ev->gen = 1;
	}
	strbuf_reset(&ev->memo_buf);
	if (ev->fields)
		json_decref(ev->fields);
	if (ev->raw)
		json_decref(ev->raw);
	if (ev->fields_parsed || ev->raw_parsed)
		jsonu_arena_release();
	ev->fields = ev->raw = NULL;
	ev->fields_parsed = ev->raw_parsed = false;
}

void ev_release(struct ev *ev)
{
	ev_reset(ev);
	strbuf_release(&ev->raw_buf);
	strbuf_release(&ev->memo_buf);
	free(ev->memo_gen);
	free(ev->memo);
	ev->memo_gen = NULL;
	ev->memo = NULL;
	ev->memo_cap = 0;
}

json_t *ev_fields(struct ev *ev)
{
	if (!ev->fields_parsed) {
		ev->fields_parsed = true;
		if (ev->fields_text) {
			size_t len = ev->fields_len ? ev->fields_len : strlen(ev->fields_text);
			ev->fields = jsonu_loadb(ev->fields_text, len, 0, NULL);
			if (ev->fields && !json_is_object(ev->fields)) {
				json_decref(ev->fields);
				ev->fields = NULL;
			}
		}
	}
	return ev->fields;
}

json_t *ev_raw(struct ev *ev)
{
	if (!ev->raw_parsed) {
		ev->raw_parsed = true;
		strbuf_reset(&ev->raw_buf);
		if (ev->load_raw && ev->load_raw(ev->raw_userdata, ev->id, &ev->raw_buf) == 0)
			ev->raw = jsonu_loadb(ev->raw_buf.buf, ev->raw_buf.len, 0, NULL);
	}
	return ev->raw;
}

/* ---- the process tree ---- */

struct ptree *ptree_new(void)
{
	struct ptree *pt = calloc(1, sizeof(*pt));

	if (!pt)
		abort();
	pt->strings = arena_new();
	return pt;
}

void ptree_free(struct ptree *pt)
{
	if (!pt)
		return;
	free(pt->nodes);
	free(pt->by_id);
	arena_free(pt->strings);
	free(pt);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* argv as a JSON array -> "args" (argv[1..] joined) and "cmdline" (name args). */
static void split_args(struct arena *a, const char *name, const char *args_json, const char **ret_args,
		       const char **ret_cmdline, const char **ret_argv0)
{
	struct strbuf args = STRBUF_INIT;
	json_t *argv = args_json ? json_loads(args_json, 0, NULL) : NULL;

	*ret_args = *ret_cmdline = *ret_argv0 = NULL;
	if (json_is_array(argv)) {
		if (json_string_value(json_array_get(argv, 0)))
			*ret_argv0 = arena_strdup(a, json_string_value(json_array_get(argv, 0)));
		for (size_t i = 1; i < json_array_size(argv); i++) {
			const char *s = json_string_value(json_array_get(argv, i));
			if (!s)
				continue;
			if (args.len)
				strbuf_addch(&args, ' ');
			strbuf_addstr(&args, s);
		}
		*ret_args = arena_strdup(a, args.buf);
		if (name)
			*ret_cmdline = args.len ? arena_printf(a, "%s %s", name, args.buf) : arena_strdup(a, name);
	}
	json_decref(argv);
	strbuf_release(&args);
}

void ptree_add(struct ptree *pt, int64_t id, int64_t pid, int64_t ppid, int64_t parent_id, int64_t uid,
	       int64_t sid, const char *exe, const char *name, const char *args_json, const char *cwd,
	       const char *tty, const char *container_id)
{
	struct pnode *p;
	size_t cap = pt->n;

	if ((cap & (cap - 1)) == 0) { /* grow at powers of two */
		pt->nodes = realloc(pt->nodes, (cap ? cap * 2 : 64) * sizeof(*pt->nodes));
		if (!pt->nodes)
			abort();
	}
	p = &pt->nodes[pt->n++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->pid = pid;
	p->ppid = ppid;
	p->parent = parent_id; /* an id until ptree_link */
	p->uid = uid;
	p->sid = sid;
	p->exe = dup_or_null(pt->strings, exe);
	if (!name && exe) {
		const char *slash = strrchr(exe, '/');
		name = slash ? slash + 1 : exe;
	}
	p->name = dup_or_null(pt->strings, name);
	split_args(pt->strings, p->name, args_json, &p->args, &p->cmdline, &p->argv0);
	p->cwd = dup_or_null(pt->strings, cwd);
	p->tty = dup_or_null(pt->strings, tty);
	p->container_id = dup_or_null(pt->strings, container_id);
	if (id > pt->max_id)
		pt->max_id = id;
}

void ptree_link(struct ptree *pt)
{
	free(pt->by_id);
	pt->by_id = malloc(((size_t)pt->max_id + 1) * sizeof(*pt->by_id));
	if (!pt->by_id)
		abort();
	for (int64_t i = 0; i <= pt->max_id; i++)
		pt->by_id[i] = -1;
	for (size_t i = 0; i < pt->n; i++)
		if (pt->nodes[i].id >= 0)
			pt->by_id[pt->nodes[i].id] = (int64_t)i;
	for (size_t i = 0; i < pt->n; i++) {
		int64_t parent = pt->nodes[i].parent;
		pt->nodes[i].parent = parent >= 0 && parent <= pt->max_id ? pt->by_id[parent] : -1;
		if (pt->nodes[i].parent == (int64_t)i)
			pt->nodes[i].parent = -1;
	}
}

const struct pnode *ptree_get(const struct ptree *pt, int64_t id)
{
	if (!pt || !pt->by_id || id < 0 || id > pt->max_id || pt->by_id[id] < 0)
		return NULL;
	return &pt->nodes[pt->by_id[id]];
}

const struct pnode *ptree_parent(const struct ptree *pt, const struct pnode *p)
{
	return p && p->parent >= 0 ? &pt->nodes[p->parent] : NULL;
}

/* ---- values ---- */

const char *field_type_name(enum field_type t)
{
	static const char *const names[] = { "string", "int", "bool", "ipaddr", "list" };
	return names[t];
}

static void set_str(struct fval *out, const char *s)
{
	out->kind = V_STR;
	out->s = s;
	out->len = strlen(s);
}

/* Text held in the scratch: kept as an offset until the value is complete (the buffer may move). */
static size_t scratch_add(struct fscratch *sc, const char *s, size_t len)
{
	size_t off = sc->buf.len;

	strbuf_add(&sc->buf, s, len);
	strbuf_addch(&sc->buf, '\0');
	return off;
}

static int scalar_text(json_t *v, struct fscratch *sc, size_t *ret_off, size_t *ret_len)
{
	char tmp[64];
	const char *s = tmp;
	size_t len;
	char *dump = NULL;

	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) {
		len = (size_t)snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		len = (size_t)snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "true" : "false";
		len = strlen(s);
	} else if (json_is_object(v) || json_is_array(v)) {
		dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		if (!dump)
			return 0;
		s = dump;
		len = strlen(dump);
	} else {
		return 0;
	}
	*ret_off = scratch_add(sc, s, len);
	*ret_len = len;
	free(dump);
	return 1;
}

static int parse_i64(const char *s, size_t len, int64_t *ret)
{
	char tmp[32], *end;
	long long v;

	if (!len || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 0);
	if (errno || *end)
		return 0;
	*ret = v;
	return 1;
}

int fval_from_json(json_t *v, enum field_type t, struct fval *out, struct fscratch *sc)
{
	size_t off, len;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_array(v) && (t == FT_LIST || json_array_size(v) != 1 || t == FT_STR)) {
		size_t offs[FVAL_MAX_ITEMS];
		size_t n = 0;
		for (size_t i = 0; i < json_array_size(v) && n < FVAL_MAX_ITEMS; i++)
			if (scalar_text(json_array_get(v, i), sc, &offs[n], &sc->lens[n]))
				n++;
		for (size_t i = 0; i < n; i++)
			sc->items[i] = sc->buf.buf + offs[i];
		sc->n = n;
		out->kind = V_LIST;
		out->n = n;
		return 1;
	}
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (t == FT_INT) {
		if (json_is_integer(v)) {
			out->kind = V_INT;
			out->i = json_integer_value(v);
			return 1;
		}
		if (json_is_real(v)) {
			out->kind = V_INT;
			out->i = (int64_t)json_real_value(v);
			return 1;
		}
		if (json_is_boolean(v)) {
			out->kind = V_INT;
			out->i = json_is_true(v);
			return 1;
		}
		if (json_is_string(v) && parse_i64(json_string_value(v), json_string_length(v), &out->i)) {
			out->kind = V_INT;
			return 1;
		}
		return 0;
	}
	if (t == FT_BOOL) {
		if (json_is_boolean(v) || json_is_integer(v)) {
			out->kind = V_BOOL;
			out->i = json_is_boolean(v) ? json_is_true(v) : json_integer_value(v) != 0;
			return 1;
		}
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			out->kind = V_BOOL;
			out->i = !strcmp(s, "true") || !strcmp(s, "1");
			return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "1") || !strcmp(s, "0");
		}
		return 0;
	}
	if (json_is_string(v)) {
		out->kind = V_STR;
		out->s = json_string_value(v);
		out->len = json_string_length(v);
		return 1;
	}
	if (!scalar_text(v, sc, &off, &len))
		return 0;
	out->kind = V_STR;
	out->s = sc->buf.buf + off;
	out->len = len;
	return 1;
}

void fval_render(const struct fval *v, const struct fscratch *sc, struct strbuf *out)
{
	switch (v->kind) {
	case V_NONE:
		strbuf_addstr(out, "<NA>");
		break;
	case V_STR:
		strbuf_add(out, v->s, v->len);
		break;
	case V_INT:
		strbuf_addi64(out, v->i);
		break;
	case V_BOOL:
		strbuf_addstr(out, v->i ? "true" : "false");
		break;
	case V_LIST:
		strbuf_addch(out, '(');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				strbuf_addch(out, ',');
			strbuf_add(out, sc->items[i], sc->lens[i]);
		}
		strbuf_addch(out, ')');
		break;
	}
}

/* ---- shared extractors ---- */

int fx_col(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	int col = b->def->param;

	if (bs_event_columns[col].kind == BS_COLUMN_INT) {
		int64_t v = ev_int(ev, col);
		if (v == BS_NONE)
			return 0;
		if (b->type == FT_INT || b->type == FT_BOOL) {
			out->kind = b->type == FT_INT ? V_INT : V_BOOL;
			out->i = v;
		} else {
			size_t off = sc->buf.len;
			strbuf_addi64(&sc->buf, v);
			out->kind = V_STR;
			out->len = sc->buf.len - off;
			strbuf_addch(&sc->buf, '\0');
			out->s = sc->buf.buf + off;
		}
		return 1;
	}
	const char *s = ev_str(ev, col);
	if (!s)
		return 0;
	if (b->type == FT_INT) {
		out->kind = V_INT;
		return parse_i64(s, strlen(s), &out->i);
	}
	set_str(out, s);
	return 1;
}

/*
 * Could the event's fields object have KEY? Parsing it is most of what a rule costs (jansson,
 * 15-45k instructions an object), and most lookups are of a key the event does not have (a
 * column field that is absent falls back on `fields`; open macros ask every open for its flags).
 * backsight writes every fields object with jsonw or jansson, neither of which escapes a
 * character of a field name, so a key of the object appears in its text as "KEY": when it does
 * not, the key is not there. Once the object is parsed, the tree answers.
 */
static bool fields_may_have(const struct ev *ev, const char *key, size_t klen)
{
	const char *s, *end, *p;

	if (ev->fields_parsed)
		return true;
	if (!ev->fields_text)
		return false;
	s = ev->fields_text;
	end = s + (ev->fields_len ? ev->fields_len : strlen(s));
	while ((p = memmem(s, (size_t)(end - s), key, klen)) != NULL) {
		if (p > ev->fields_text && p[-1] == '"' && p + klen < end && p[klen] == '"')
			return true;
		s = p + 1;
	}
	return false;
}

const char *ev_field_text(struct ev *ev, const char *key, size_t *ret_len)
{
	json_t *v;

	if (!fields_may_have(ev, key, strlen(key)))
		return NULL;
	v = json_object_get(ev_fields(ev), key);

	if (!json_is_string(v))
		return NULL;
	*ret_len = json_string_length(v);
	return json_string_value(v);
}

/* A field kept in events.fields: the object under its own name, or an element of the list
 * (proc.aname[2]) or a member of the object (evt.arg.flags) named by its base. */
int fx_fields(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	json_t *fields, *v;

	if (!fields_may_have(ev, b->name, b->name_len) && !(b->arg && b->base && fields_may_have(ev, b->base, b->base_len)))
		return 0;
	fields = ev_fields(ev);
	if (!fields)
		return 0;
	v = json_object_get(fields, b->name);
	if (!v && b->arg && b->base) {
		json_t *whole = json_object_get(fields, b->base);
		int64_t idx = b->index;
		/* an ancestor list (proc.aname ...) starts at the parent, which is [1] */
		if (b->def->flags & FF_ANY)
			idx--;
		if (json_is_array(whole) && idx >= 0)
			v = json_array_get(whole, (size_t)idx);
		else if (json_is_object(whole))
			v = json_object_get(whole, b->arg);
	}
	return fval_from_json(v, b->type, out, sc);
}

/* RFC 6901 JSON pointer into the raw record. */
int fx_json_pointer_raw(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	json_t *v = ev_raw(ev);
	const char *p = b->arg;
	char key[256];

	if (!v || !p)
		return 0;
	while (*p == '/') {
		size_t n = 0;
		p++;
		while (*p && *p != '/' && n + 1 < sizeof(key)) {
			if (p[0] == '~' && p[1] == '1') {
				key[n++] = '/';
				p += 2;
			} else if (p[0] == '~' && p[1] == '0') {
				key[n++] = '~';
				p += 2;
			} else {
				key[n++] = *p++;
			}
		}
		key[n] = '\0';
		if (json_is_object(v)) {
			v = json_object_get(v, key);
		} else if (json_is_array(v)) {
			int64_t idx;
			v = parse_i64(key, n, &idx) && idx >= 0 ? json_array_get(v, (size_t)idx) : NULL;
		} else {
			return 0;
		}
		if (!v)
			return 0;
	}
	return fval_from_json(v, b->type, out, sc);
}

int fx_evt_type(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	if (!ev->type)
		return 0;
	set_str(out, ev->type);
	return 1;
}

static int fx_num(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	out->kind = V_INT;
	out->i = ev->id;
	return 1;
}

static int fx_rawtime(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	out->kind = V_INT;
	out->i = ev->ts;
	return 1;
}

static int fx_time(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	char tmp[BS_TIME_MAX_LEN];
	size_t len = bs_time_format(ev->ts, tmp);
	size_t off = scratch_add(sc, tmp, len);

	out->kind = V_STR;
	out->s = sc->buf.buf + off;
	out->len = len;
	return 1;
}

static int fx_source(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	set_str(out, bs_source_name((enum bs_source)ev->source));
	return 1;
}

static int fx_host(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	if (!ev->host)
		return 0;
	set_str(out, ev->host);
	return 1;
}

const struct field_def fields_common[] = {
	{ "evt.num", FT_INT, 0, "event number: the event's id in the case database (events.id)", fx_num, 0 },
	{ "evt.type", FT_STR, 0,
	  "event type: the syscall name, CloudTrail eventName, k8s audit verb ... (events.type)", fx_evt_type, 0 },
	{ "evt.time", FT_STR, 0, "event time, RFC 3339 UTC with nanoseconds", fx_time, 0 },
	{ "evt.time.iso8601", FT_STR, 0, "event time, ISO 8601 UTC", fx_time, 0 },
	{ "evt.datetime", FT_STR, 0, "event time, RFC 3339 UTC", fx_time, 0 },
	{ "evt.rawtime", FT_INT, 0, "event time in nanoseconds since the epoch (events.ts)", fx_rawtime, 0 },
	{ "evt.source", FT_STR, 0, "event source name: syscall, aws_cloudtrail, k8s_audit, network", fx_source, 0 },
	{ "evt.hostname", FT_STR, 0, "host the event was recorded on (events.host)", fx_host, 0 },
	{ "evt.plugininfo", FT_STR, 0,
	  "a one-line description of a plugin event (fields: evt.plugininfo; else the event summary)", NULL, 0 },
};
const size_t fields_common_count = sizeof(fields_common) / sizeof(fields_common[0]);

static int slot_of(int source, const char *name);

/* ---- tables and binding ---- */

static const struct field_table tables[] = {
	{ SRC_SYSCALL, fields_syscall, 0 },
	{ SRC_CLOUDTRAIL, fields_cloudtrail, 0 },
	{ SRC_K8S_AUDIT, fields_k8s, 0 },
	{ SRC_NETWORK, fields_network, 0 },
};

const struct field_table *field_table_of(int source)
{
	static struct field_table filled[4];
	static const size_t *counts[] = { &fields_syscall_count, &fields_cloudtrail_count, &fields_k8s_count,
					  &fields_network_count };

	for (size_t i = 0; i < 4; i++) {
		if (tables[i].source != source)
			continue;
		filled[i] = tables[i];
		filled[i].n = *counts[i];
		return &filled[i];
	}
	return NULL;
}

static const struct field_def *find_exact(const struct field_def *rows, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (!(rows[i].flags & FF_PREFIX) && strlen(rows[i].name) == len && !memcmp(rows[i].name, name, len))
			return &rows[i];
	return NULL;
}

static const struct field_def *find_prefix(const struct field_def *rows, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(rows[i].name);
		if ((rows[i].flags & FF_PREFIX) && len > pl && !memcmp(rows[i].name, name, pl))
			return &rows[i];
	}
	return NULL;
}

static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[128], prev, tmp;

	if (la >= 127 || lb >= 127)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static void suggest(const struct field_def *rows, size_t n, const char *name, size_t len, const char **best,
		    size_t *best_d)
{
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, len, rows[i].name, strlen(rows[i].name));
		if (d < *best_d) {
			*best_d = d;
			*best = rows[i].name;
		}
	}
}

int field_bind(int source, const char *name, size_t len, struct arena *a, struct field_bind *ret,
	       struct strbuf *err)
{
	const struct field_table *t = field_table_of(source);
	const struct field_def *def = NULL;
	const char *bracket = memchr(name, '[', len);
	size_t base_len = bracket ? (size_t)(bracket - name) : len;
	const char *arg = NULL;
	size_t arg_len = 0;
	struct field_bind b = { 0 };

	if (bracket) {
		if (name[len - 1] != ']') {
			strbuf_addf(err, "field '%.*s' has an unterminated argument", (int)len, name);
			return -EINVAL;
		}
		arg = bracket + 1;
		arg_len = len - base_len - 2;
	}
	if (t)
		def = find_exact(t->rows, t->n, name, base_len);
	if (!def)
		def = find_exact(fields_common, fields_common_count, name, base_len);
	if (!def && t && !bracket) {
		def = find_prefix(t->rows, t->n, name, base_len);
		if (def) {
			arg = name + strlen(def->name);
			arg_len = base_len - strlen(def->name);
		}
	}
	if (!def) {
		const char *best = NULL;
		size_t best_d = base_len / 3 + 1;
		if (best_d > 3)
			best_d = 3;
		if (t)
			suggest(t->rows, t->n, name, base_len, &best, &best_d);
		suggest(fields_common, fields_common_count, name, base_len, &best, &best_d);
		strbuf_addf(err, "unknown field '%.*s'", (int)base_len, name);
		for (int other = 0; other < SRC__COUNT; other++) {
			const struct field_table *ot = field_table_of(other);
			if (other == source || !ot || !find_exact(ot->rows, ot->n, name, base_len))
				continue;
			strbuf_addf(err, " (it is a field of source %s, not %s)", bs_source_name(other), bs_source_name(source));
			return -ENOENT;
		}
		if (!t)
			strbuf_addf(err, " (source '%s' has only the evt.* fields)", bs_source_name(source));
		else if (best)
			strbuf_addf(err, " (did you mean '%s'?)", best);
		return -ENOENT;
	}
	if (arg && !(def->flags & (FF_ARG_INDEX | FF_ARG_KEY | FF_PREFIX))) {
		strbuf_addf(err, "field '%s' takes no argument", def->name);
		return -EINVAL;
	}
	if (!arg && (def->flags & FF_ARG_REQUIRED)) {
		strbuf_addf(err, "field '%s' needs an argument: %s[...]", def->name, def->name);
		return -EINVAL;
	}
	b.def = def;
	b.name = arena_strndup(a, name, len);
	b.base = arena_strndup(a, name, base_len);
	b.name_len = len;
	b.base_len = base_len;
	b.slot = slot_of(source, b.name);
	b.index = -1;
	b.type = def->type;
	if (arg) {
		b.arg = arena_strndup(a, arg, arg_len);
		if (!arg_len) {
			strbuf_addf(err, "field '%s' has an empty argument", def->name);
			return -EINVAL;
		}
		if (arg_len && arg[0] >= '0' && arg[0] <= '9') {
			char *end;
			long long v = strtoll(b.arg, &end, 10);
			if (!*end)
				b.index = v;
		}
		if ((def->flags & FF_ARG_INDEX) && !(def->flags & FF_ARG_KEY) && b.index < 0) {
			strbuf_addf(err, "field '%s' takes a number as its argument, not '%s'", def->name, b.arg);
			return -EINVAL;
		}
	} else if (def->flags & FF_ANY) {
		b.type = FT_LIST;
	}
	*ret = b;
	return 0;
}

/* Field slots: one per distinct (source, name), shared by every compile in the process. */
static struct {
	int source;
	char *name;
} *slots;
static size_t nslots, capslots;

static int slot_of(int source, const char *name)
{
	for (size_t i = 0; i < nslots; i++)
		if (slots[i].source == source && !strcmp(slots[i].name, name))
			return (int)i;
	if (nslots == capslots) {
		capslots = capslots ? capslots * 2 : 256;
		slots = realloc(slots, capslots * sizeof(*slots));
		if (!slots)
			abort();
	}
	slots[nslots].source = source;
	slots[nslots].name = strdup(name);
	if (!slots[nslots].name)
		abort();
	return (int)nslots++;
}

__attribute__((destructor)) static void slots_release(void)
{
	for (size_t i = 0; i < nslots; i++)
		free(slots[i].name);
	free(slots);
}

#define MEMO_BUF 65536

/* field_extract with the per-event memo: a field several rules read is extracted once. Values
 * held in the scratch are copied into the memo's own buffer (never reallocated while in use). */
int field_extract_memo(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	int r;

	if (b->slot < 0 || out == NULL)
		return field_extract(ev, b, out, sc);
	if ((size_t)b->slot >= ev->memo_cap) {
		size_t cap = nslots + 64;
		ev->memo_gen = realloc(ev->memo_gen, cap * sizeof(*ev->memo_gen));
		ev->memo = realloc(ev->memo, cap * sizeof(*ev->memo));
		if (!ev->memo_gen || !ev->memo)
			abort();
		memset(ev->memo_gen + ev->memo_cap, 0, (cap - ev->memo_cap) * sizeof(*ev->memo_gen));
		ev->memo_cap = cap;
	}
	if (ev->memo_gen[b->slot] == ev->gen) {
		*out = ev->memo[b->slot];
		return out->kind != V_NONE;
	}
	r = field_extract(ev, b, out, sc);
	if (out->kind == V_LIST)
		return r; /* lists live in the scratch's item array: not memoised */
	if (r && out->kind == V_STR && out->s >= sc->buf.buf && out->s < sc->buf.buf + sc->buf.cap) {
		if (!ev->memo_buf.cap)
			strbuf_grow(&ev->memo_buf, MEMO_BUF);
		if (ev->memo_buf.len + out->len + 1 >= ev->memo_buf.cap)
			return r; /* no room without moving the buffer: do not memoise */
		size_t off = ev->memo_buf.len;
		strbuf_add(&ev->memo_buf, out->s, out->len);
		strbuf_addch(&ev->memo_buf, '\0');
		out->s = ev->memo_buf.buf + off;
	}
	ev->memo[b->slot] = r ? *out : (struct fval){ .kind = V_NONE };
	ev->memo_gen[b->slot] = ev->gen;
	return r;
}

int field_extract(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	out->kind = V_NONE;
	sc->n = 0;
	strbuf_reset(&sc->buf);
	if (b->def->extract && b->def->extract(ev, b, out, sc))
		return 1;
	out->kind = V_NONE;
	if (fx_fields(ev, b, out, sc))
		return 1;
	out->kind = V_NONE;
	return 0;
}
