/* suppress: suppression rules in GuardDuty's filter form (CreateFilter's FindingCriteria, with
 * action ARCHIVE) applied to a case's findings: matching findings are kept and marked archived.
 * The format and the matching semantics are described in suppress.h; the finding each filter
 * sees is the one `backsight report --format guardduty` writes (report-guardduty.c).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "report.h"
#include "suppress.h"

/* report-guardduty.c: one finding of the report model in GuardDuty's shape (a new reference). */
json_t *report_guardduty_finding(const json_t *model, const json_t *f);

enum op { OP_EQ, OP_NEQ, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_MATCHES, OP_NOTMATCHES };

static const struct {
	const char *name, *alias;
	enum op op;
	bool list; /* takes an array of values (else one number) */
} ops[] = {
	{ "Eq", "Equals", OP_EQ, true },
	{ "Neq", "NotEquals", OP_NEQ, true },
	{ "Gt", "GreaterThan", OP_GT, false },
	{ "Gte", "GreaterThanOrEqual", OP_GTE, false },
	{ "Lt", "LessThan", OP_LT, false },
	{ "Lte", "LessThanOrEqual", OP_LTE, false },
	{ "Matches", NULL, OP_MATCHES, true },
	{ "NotMatches", NULL, OP_NOTMATCHES, true },
};

static int op_index(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, name) || (ops[i].alias && !strcmp(ops[i].alias, name)))
			return (int)i;
	return -1;
}

/* A key in GuardDuty's PascalCase or the CLI's camelCase. */
static json_t *get_either(const json_t *obj, const char *pascal, const char *camel)
{
	json_t *v = json_object_get(obj, pascal);

	return v ? v : json_object_get(obj, camel);
}

static int check_filter(json_t *f, size_t idx, const char *name, struct strbuf *err)
{
	json_t *criteria, *crit, *cond, *vals;
	const char *attr, *opname, *action;

	if (!json_is_object(f)) {
		strbuf_addf(err, "%s: filter %zu is not an object", name, idx);
		return -EINVAL;
	}
	action = json_string_value(get_either(f, "Action", "action"));
	if (action && strcmp(action, "ARCHIVE") && strcmp(action, "NOOP")) {
		strbuf_addf(err, "%s: filter %zu: Action '%s' is neither ARCHIVE nor NOOP", name, idx, action);
		return -EINVAL;
	}
	criteria = get_either(f, "FindingCriteria", "findingCriteria");
	crit = get_either(criteria, "Criterion", "criterion");
	if (!json_is_object(crit) || !json_object_size(crit)) {
		strbuf_addf(err, "%s: filter %zu has no FindingCriteria.Criterion", name, idx);
		return -EINVAL;
	}
	json_object_foreach(crit, attr, cond) {
		if (!json_is_object(cond) || !json_object_size(cond)) {
			strbuf_addf(err, "%s: filter %zu: attribute '%s' wants an object of operators", name, idx, attr);
			return -EINVAL;
		}
		json_object_foreach(cond, opname, vals) {
			int k = op_index(opname);
			if (k < 0) {
				strbuf_addf(err, "%s: filter %zu: attribute '%s': unknown operator '%s'", name, idx, attr, opname);
				return -EINVAL;
			}
			if (ops[k].list ? !json_is_array(vals) || !json_array_size(vals) : !json_is_number(vals)) {
				strbuf_addf(err, "%s: filter %zu: attribute '%s': %s wants %s", name, idx, attr, opname,
					    ops[k].list ? "a non-empty array of values" : "a number");
				return -EINVAL;
			}
		}
	}
	return 0;
}

int suppress_parse(const char *text, const char *name, json_t **ret_filters, struct strbuf *err)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr), *arr, *f;
	size_t i;

	*ret_filters = NULL;
	if (!root) {
		strbuf_addf(err, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (json_is_array(root)) {
		arr = root;
	} else {
		arr = json_array();
		json_array_append_new(arr, root);
	}
	json_array_foreach(arr, i, f) {
		if (check_filter(f, i, name, err) < 0) {
			json_decref(arr);
			return -EINVAL;
		}
	}
	*ret_filters = arr;
	return 0;
}

int suppress_load(const char *path, json_t **ret_filters, struct strbuf *err)
{
	FILE *fp = fopen(path, "r");
	struct strbuf text = STRBUF_INIT;
	char buf[8192];
	size_t n;
	int r;

	*ret_filters = NULL;
	if (!fp) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (text.len + n > 16u << 20) {
			fclose(fp);
			strbuf_release(&text);
			strbuf_addf(err, "%s: larger than 16 MiB: not a suppression file", path);
			return -EFBIG;
		}
		strbuf_add(&text, buf, n);
	}
	fclose(fp);
	r = suppress_parse(text.len ? text.buf : "", path, ret_filters, err);
	strbuf_release(&text);
	return r;
}

/* Every value at a dotted path (arrays fan out), appended to out. */
static void collect(const json_t *v, const char *path, json_t *out)
{
	const char *dot;
	char key[256];
	size_t len, i;
	json_t *e;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			collect(e, path, out);
		return;
	}
	if (!*path) {
		if (!json_is_null(v))
			json_array_append(out, (json_t *)v);
		return;
	}
	if (!json_is_object(v))
		return;
	dot = strchr(path, '.');
	len = dot ? (size_t)(dot - path) : strlen(path);
	if (len >= sizeof(key))
		return;
	memcpy(key, path, len);
	key[len] = '\0';
	e = json_object_get(v, key);
	if (e)
		collect(e, dot ? dot + 1 : "", out);
}

/* The value as text, for equality and wildcards (numbers as written, booleans true/false). */
static const char *as_text(const json_t *v, char buf[64])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 64, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, 64, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

/* The value as a number; an RFC 3339 time as epoch milliseconds (GuardDuty's time criteria). */
static bool as_number(const json_t *v, double *ret)
{
	if (json_is_number(v)) {
		*ret = json_number_value(v);
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		int64_t ns, prec;
		double d = strtod(s, &end);
		if (end != s && !*end) {
			*ret = d;
			return true;
		}
		if (bs_time_parse(s, strlen(s), 0, &ns, &prec) == 0) {
			*ret = (double)(ns / 1000000);
			return true;
		}
	}
	return false;
}

static bool value_matches(enum op op, const json_t *v, const json_t *want)
{
	char a[64], b[64];
	const char *x, *y;
	double dv, dw;

	switch (op) {
	case OP_EQ:
	case OP_NEQ:
		x = as_text(v, a);
		y = as_text(want, b);
		if (x && y && !strcmp(x, y))
			return true;
		return json_is_number(want) && as_number(v, &dv) && dv == json_number_value(want);
	case OP_MATCHES:
	case OP_NOTMATCHES:
		x = as_text(v, a);
		y = as_text(want, b);
		return x && y && fnmatch(y, x, 0) == 0;
	case OP_GT:
	case OP_GTE:
	case OP_LT:
	case OP_LTE:
		if (!as_number(v, &dv))
			return false;
		dw = json_number_value(want);
		return op == OP_GT ? dv > dw : op == OP_GTE ? dv >= dw : op == OP_LT ? dv < dw : dv <= dw;
	}
	return false;
}

/* One operator over the attribute's values: any value matching any listed value (positive
 * operators), or none of them matching (negative ones). */
static bool op_holds(enum op op, bool list, const json_t *values, const json_t *want)
{
	bool negative = op == OP_NEQ || op == OP_NOTMATCHES;
	enum op pos = op == OP_NEQ ? OP_EQ : op == OP_NOTMATCHES ? OP_MATCHES : op;
	size_t i, j;
	json_t *v, *w;

	json_array_foreach(values, i, v) {
		if (!list) {
			if (value_matches(pos, v, want))
				return true;
			continue;
		}
		json_array_foreach(want, j, w)
			if (value_matches(pos, v, w))
				return !negative;
	}
	return negative;
}

bool suppress_match(const json_t *criterion, const json_t *finding)
{
	const char *attr, *opname;
	json_t *cond, *want;
	bool ok = true;

	if (!json_is_object(criterion) || !json_object_size(criterion))
		return false;
	json_object_foreach((json_t *)criterion, attr, cond) {
		json_t *values = json_array();
		collect(finding, attr, values);
		json_object_foreach(cond, opname, want) {
			int k = op_index(opname);
			if (k < 0 || !op_holds(ops[k].op, ops[k].list, values, want)) {
				ok = false;
				break;
			}
		}
		json_decref(values);
		if (!ok)
			return false;
	}
	return true;
}

int suppress_apply(struct casedb *cdb, const json_t *filters, int *ret_archived, struct strbuf *err)
{
	json_t *model, *f, *flt;
	sqlite3_stmt *st = NULL;
	size_t i, j;
	int archived = 0, r = 0;

	if (ret_archived)
		*ret_archived = 0;
	model = report_model(cdb, err);
	if (!model)
		return -EIO;
	if (sqlite3_prepare_v2(cdb->db, "UPDATE findings SET archived = 1 WHERE id = ?", -1, &st, NULL) != SQLITE_OK ||
	    casedb_exec(cdb, "BEGIN", err) < 0) {
		if (!err->len)
			strbuf_addf(err, "suppress: %s", sqlite3_errmsg(cdb->db));
		sqlite3_finalize(st);
		json_decref(model);
		return -EIO;
	}
	json_array_foreach(json_object_get(model, "findings"), i, f) {
		json_t *gd = report_guardduty_finding(model, f);
		bool hit = false;
		json_array_foreach(filters, j, flt) {
			const char *action = json_string_value(get_either(flt, "Action", "action"));
			json_t *crit = get_either(get_either(flt, "FindingCriteria", "findingCriteria"), "Criterion", "criterion");
			if (action && !strcmp(action, "NOOP"))
				continue;
			if (suppress_match(crit, gd)) {
				hit = true;
				break;
			}
		}
		json_decref(gd);
		if (!hit)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(f, "row")));
		if (sqlite3_step(st) != SQLITE_DONE) {
			strbuf_addf(err, "suppress: %s", sqlite3_errmsg(cdb->db));
			r = -EIO;
			break;
		}
		archived++;
	}
	sqlite3_finalize(st);
	json_decref(model);
	if (r < 0) {
		struct strbuf ignore = STRBUF_INIT;
		casedb_exec(cdb, "ROLLBACK", &ignore);
		strbuf_release(&ignore);
		return r;
	}
	if (casedb_exec(cdb, "COMMIT", err) < 0)
		return -EIO;
	if (ret_archived)
		*ret_archived = archived;
	return 0;
}
