/* custody: the hash-chained custody log; see custody.h and schema/README.md ("custody"). */
#include "custody.h"

#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bstime.h"
#include "jsonw.h"

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static void files_free(struct custody_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].sha256);
	}
	free(f);
}

void custody_entry_release(struct custody_entry *e)
{
	if (!e)
		return;
	free(e->time);
	free(e->action);
	free(e->actor);
	free(e->command_line);
	files_free(e->inputs, e->ninputs);
	files_free(e->outputs, e->noutputs);
	memset(e, 0, sizeof(*e));
}

void custody_entries_free(struct custody_entry *entries, size_t n)
{
	for (size_t i = 0; entries && i < n; i++)
		custody_entry_release(&entries[i]);
	free(entries);
}

static void files_json(struct strbuf *sb, const struct custody_file *f, size_t n)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++) {
		struct jsonw_obj o;
		if (i)
			strbuf_addch(sb, ',');
		jsonw_begin(&o, sb);
		jsonw_key_str(&o, "name", f[i].name);
		jsonw_key_str(&o, "sha256", f[i].sha256);
		jsonw_end(&o);
	}
	strbuf_addch(sb, ']');
}

/* Everything but the closing brace, so that the export can append the hash. */
static void canonical_open(struct strbuf *sb, const struct custody_entry *e)
{
	struct jsonw_obj o;

	jsonw_begin(&o, sb);
	jsonw_key_i64(&o, "seq", e->seq);
	jsonw_key_str(&o, "time", e->time);
	jsonw_key_str(&o, "action", e->action);
	jsonw_key_str(&o, "actor", e->actor);
	jsonw_key_str(&o, "command_line", e->command_line);
	jsonw_key(&o, "inputs");
	files_json(sb, e->inputs, e->ninputs);
	jsonw_key(&o, "outputs");
	files_json(sb, e->outputs, e->noutputs);
	jsonw_key_str(&o, "prev_hash", e->prev_hash);
}

void custody_canonical(struct strbuf *sb, const struct custody_entry *e)
{
	canonical_open(sb, e);
	strbuf_addch(sb, '}');
}

static void entry_hash(const struct custody_entry *e, char hex[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;

	custody_canonical(&sb, e);
	sha256_hex(sb.buf, sb.len, hex);
	strbuf_release(&sb);
}

static struct custody_file *files_copy(const struct custody_file *f, size_t n)
{
	struct custody_file *c = calloc(n ? n : 1, sizeof(*c));

	if (!c)
		abort();
	for (size_t i = 0; i < n; i++) {
		c[i].name = xstrdup(f[i].name);
		c[i].sha256 = f[i].sha256 ? xstrdup(f[i].sha256) : NULL;
	}
	return c;
}

/* A JSON array of {name, sha256} into files; -EINVAL if it is not one. */
static int files_from_json(json_t *arr, struct custody_file **ret, size_t *ret_n)
{
	struct custody_file *f;
	size_t n, i;

	if (!json_is_array(arr))
		return -EINVAL;
	n = json_array_size(arr);
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		abort();
	for (i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i), *name = json_object_get(o, "name"), *sha = json_object_get(o, "sha256");
		if (!json_is_string(name) || !(json_is_string(sha) || json_is_null(sha))) {
			files_free(f, i);
			return -EINVAL;
		}
		f[i].name = xstrdup(json_string_value(name));
		f[i].sha256 = json_is_string(sha) ? xstrdup(json_string_value(sha)) : NULL;
	}
	*ret = f;
	*ret_n = n;
	return 0;
}

static int files_from_text(const char *text, struct custody_file **ret, size_t *ret_n)
{
	json_t *j = json_loads(text ? text : "", JSON_DECODE_ANY, NULL);
	int r = files_from_json(j, ret, ret_n);

	json_decref(j);
	return r;
}

static int last_entry(struct casedb *cdb, int64_t *ret_seq, char prev[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc;

	if (casedb_prepare(cdb, "SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1", &st, err) < 0)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_seq = sqlite3_column_int64(st, 0);
		snprintf(prev, SHA256_HEX_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 1));
	} else if (rc == SQLITE_DONE) {
		*ret_seq = 0;
		memcpy(prev, CUSTODY_GENESIS, SHA256_HEX_LEN + 1);
	} else {
		strbuf_addf(err, "%s: %s", cdb->path, sqlite3_errmsg(cdb->db));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int custody_append(struct casedb *cdb, const char *action, const char *actor, const char *command_line,
		   const struct custody_file *inputs, size_t ninputs, const struct custody_file *outputs,
		   size_t noutputs, struct strbuf *err)
{
	struct custody_entry e = { 0 };
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char ts[BS_TIME_MAX_LEN];
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (casedb_exec(cdb, "BEGIN IMMEDIATE", err) < 0)
		return -EIO;
	if (last_entry(cdb, &e.seq, e.prev_hash, err) < 0)
		goto out;
	e.seq++;
	bs_time_format(bs_time_recorded(), ts);
	e.time = xstrdup(ts);
	e.action = xstrdup(action);
	e.actor = xstrdup(actor);
	e.command_line = xstrdup(command_line);
	e.inputs = files_copy(inputs, ninputs);
	e.ninputs = ninputs;
	e.outputs = files_copy(outputs, noutputs);
	e.noutputs = noutputs;
	entry_hash(&e, e.hash);
	files_json(&in, e.inputs, e.ninputs);
	files_json(&out, e.outputs, e.noutputs);
	if (casedb_prepare(cdb,
			   "INSERT INTO custody (seq, time, action, actor, command_line, inputs, outputs, prev_hash, hash) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			   &st, err) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_text(st, 2, e.time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e.command_line, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in.buf, (int)in.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, out.buf, (int)out.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e.prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, e.hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		strbuf_addf(err, "%s: custody log: %s", cdb->path, sqlite3_errmsg(cdb->db));
		goto out;
	}
	r = 0;
out:
	sqlite3_finalize(st);
	if (r == 0 && casedb_exec(cdb, "COMMIT", err) < 0)
		r = -EIO;
	if (r < 0)
		sqlite3_exec(cdb->db, "ROLLBACK", NULL, NULL, NULL);
	custody_entry_release(&e);
	strbuf_release(&in);
	strbuf_release(&out);
	return r;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

int custody_read_all(struct casedb *cdb, struct custody_entry **ret_entries, size_t *ret_n, struct strbuf *err)
{
	struct custody_entry *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if (casedb_prepare(cdb,
			   "SELECT seq, time, action, actor, command_line, inputs, outputs, prev_hash, hash "
			   "FROM custody ORDER BY seq",
			   &st, err) < 0)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct custody_entry *e;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->seq = sqlite3_column_int64(st, 0);
		e->time = xstrdup(col_text(st, 1));
		e->action = xstrdup(col_text(st, 2));
		e->actor = xstrdup(col_text(st, 3));
		e->command_line = xstrdup(col_text(st, 4));
		/* A damaged files column reads as empty: its hash will not match, which says so. */
		if (files_from_text(col_text(st, 5), &e->inputs, &e->ninputs) < 0) {
			e->inputs = calloc(1, sizeof(*e->inputs));
			e->ninputs = 0;
		}
		if (files_from_text(col_text(st, 6), &e->outputs, &e->noutputs) < 0) {
			e->outputs = calloc(1, sizeof(*e->outputs));
			e->noutputs = 0;
		}
		snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", col_text(st, 7));
		snprintf(e->hash, sizeof(e->hash), "%s", col_text(st, 8));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "%s: custody log: %s", cdb->path, sqlite3_errmsg(cdb->db));
		custody_entries_free(v, n);
		return -EIO;
	}
	*ret_entries = v;
	*ret_n = n;
	return 0;
}

/* Check one entry against its predecessor; problems are lines prefixed by `where`. */
static int check_entry(const struct custody_entry *e, int64_t expect_seq, const char *prev, const char *where,
		       struct strbuf *problems)
{
	char hex[SHA256_HEX_LEN + 1];
	int n = 0;

	if (e->seq != expect_seq) {
		strbuf_addf(problems, "%s: entry %lld where entry %lld was expected (an entry was removed or reordered)\n",
			    where, (long long)e->seq, (long long)expect_seq);
		n++;
	}
	if (strcmp(e->prev_hash, prev)) {
		strbuf_addf(problems, "%s: entry %lld: prev_hash %.16s… does not match the previous entry's hash %.16s…\n",
			    where, (long long)e->seq, e->prev_hash, prev);
		n++;
	}
	entry_hash(e, hex);
	if (strcmp(hex, e->hash)) {
		strbuf_addf(problems, "%s: entry %lld: hash mismatch (recorded %.16s…, content hashes to %.16s…): the entry was edited\n",
			    where, (long long)e->seq, e->hash, hex);
		n++;
	}
	return n;
}

int custody_verify_db(struct casedb *cdb, struct strbuf *problems, struct strbuf *err)
{
	struct custody_entry *v;
	const char *prev = CUSTODY_GENESIS;
	size_t n;
	int bad = 0;

	if (custody_read_all(cdb, &v, &n, err) < 0)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		bad += check_entry(&v[i], (int64_t)i + 1, prev, "custody", problems);
		prev = v[i].hash;
	}
	custody_entries_free(v, n);
	return bad;
}

static int entry_from_json(json_t *j, struct custody_entry *e)
{
	json_t *seq = json_object_get(j, "seq");
	const char *fields[] = { "time", "action", "actor", "command_line", "prev_hash", "hash" };

	memset(e, 0, sizeof(*e));
	if (!json_is_integer(seq))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!json_is_string(json_object_get(j, fields[i])))
			return -EINVAL;
	e->seq = json_integer_value(seq);
	e->time = xstrdup(json_string_value(json_object_get(j, "time")));
	e->action = xstrdup(json_string_value(json_object_get(j, "action")));
	e->actor = xstrdup(json_string_value(json_object_get(j, "actor")));
	e->command_line = xstrdup(json_string_value(json_object_get(j, "command_line")));
	snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", json_string_value(json_object_get(j, "prev_hash")));
	snprintf(e->hash, sizeof(e->hash), "%s", json_string_value(json_object_get(j, "hash")));
	if (files_from_json(json_object_get(j, "inputs"), &e->inputs, &e->ninputs) < 0 ||
	    files_from_json(json_object_get(j, "outputs"), &e->outputs, &e->noutputs) < 0) {
		custody_entry_release(e);
		return -EINVAL;
	}
	return 0;
}

int custody_verify_jsonl(const char *text, size_t len, const char *label, struct strbuf *problems,
			 size_t *ret_entries, char *ret_last_hash)
{
	char prev[SHA256_HEX_LEN + 1];
	struct strbuf where = STRBUF_INIT;
	size_t pos = 0, lineno = 0, entries = 0;
	int bad = 0;

	memcpy(prev, CUSTODY_GENESIS, sizeof(prev));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct custody_entry e;
		json_t *j;

		lineno++;
		strbuf_reset(&where);
		strbuf_addf(&where, "%s:%zu", label, lineno);
		if (!nl) {
			strbuf_addf(problems, "%s: last line has no newline (the log was cut or edited)\n", where.buf);
			bad++;
		}
		j = json_loadb(text + pos, l, 0, NULL);
		if (!j || entry_from_json(j, &e) < 0) {
			strbuf_addf(problems, "%s: not a custody entry\n", where.buf);
			bad++;
		} else {
			bad += check_entry(&e, (int64_t)entries + 1, prev, where.buf, problems);
			memcpy(prev, e.hash, sizeof(prev));
			custody_entry_release(&e);
			entries++;
		}
		json_decref(j);
		pos += l + (nl ? 1 : 0);
	}
	if (ret_entries)
		*ret_entries = entries;
	if (ret_last_hash)
		memcpy(ret_last_hash, prev, sizeof(prev));
	strbuf_release(&where);
	return bad;
}

int custody_export_jsonl(struct casedb *cdb, struct strbuf *out, struct strbuf *err)
{
	struct custody_entry *v;
	size_t n;

	if (custody_read_all(cdb, &v, &n, err) < 0)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		struct jsonw_obj o = { out, false };
		canonical_open(out, &v[i]);
		jsonw_key_str(&o, "hash", v[i].hash);
		strbuf_addstr(out, "}\n");
	}
	custody_entries_free(v, n);
	return (int)n;
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *s))
			return true;
	return false;
}

char *custody_command_line(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "backsight");
	for (int i = 0; i < argc; i++) {
		strbuf_addch(&sb, ' ');
		if (!needs_quotes(argv[i])) {
			strbuf_addstr(&sb, argv[i]);
			continue;
		}
		strbuf_addch(&sb, '\'');
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				strbuf_addstr(&sb, "'\\''");
			else
				strbuf_addch(&sb, *p);
		}
		strbuf_addch(&sb, '\'');
	}
	return strbuf_detach(&sb, NULL);
}

const char *custody_actor(const char *by)
{
	static char buf[64];
	struct passwd *pw;

	if (by && *by)
		return by;
	pw = getpwuid(getuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return pw->pw_name;
	if (getenv("USER") && *getenv("USER"))
		return getenv("USER");
	snprintf(buf, sizeof(buf), "uid %u", (unsigned)getuid());
	return buf;
}
