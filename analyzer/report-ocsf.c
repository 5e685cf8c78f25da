/* report-ocsf: `--format ocsf` — each finding as an OCSF Detection Finding (class_uid 2004,
 * category_uid 2, OCSF 1.1), one JSON object per line as Security Lake and Tenzir ingest them.
 * Times are epoch milliseconds (OCSF timestamp_t); the nanosecond times are kept under
 * `unmapped`. severity_id maps GuardDuty's buckets: Low 2, Medium 3, High 4, Critical 5. The
 * process and its parent go in evidences[].actor.process; ATT&CK in finding_info.attacks[]. */
#include <string.h>

#include "findings.h"
#include "jsondump.h"
#include "report.h"

static int severity_id(double s)
{
	return s >= 9 ? 5 : s >= 7 ? 4 : s >= 4 ? 3 : 2;
}

static json_t *ms(const json_t *f, const char *key)
{
	json_int_t ns = json_integer_value(json_object_get(f, key));
	return json_integer(ns / 1000000 - (ns % 1000000 < 0));
}

static json_t *ocsf_process(const json_t *p)
{
	json_t *o = json_object();
	report_copy(o, "name", p, "name");
	report_copy(o, "pid", p, "pid");
	report_copy(o, "cmd_line", p, "cmdline");
	if (json_object_get(p, "exe")) {
		json_t *file = json_object();
		report_copy(file, "path", p, "exe");
		json_object_set_new(o, "file", file);
	}
	if (json_object_get(p, "user") || json_object_get(p, "uid")) {
		json_t *u = json_object();
		report_copy(u, "name", p, "user");
		json_t *uid = json_object_get(p, "uid");
		if (json_is_integer(uid)) {
			char buf[24];
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(uid));
			json_object_set_new(u, "uid", json_string(buf));
		}
		json_object_set_new(o, "user", u);
	}
	return o;
}

int report_write_ocsf(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(model, "findings"), i, f) {
		double sev = json_number_value(json_object_get(f, "severity"));
		json_t *o = json_object(), *info = json_object(), *meta, *attacks = json_array(), *t;
		const json_t *mitre = json_object_get(f, "mitre");
		const json_t *proc = json_object_get(f, "process");
		size_t k;

		json_object_set_new(o, "activity_id", json_integer(1));
		report_setstr(o, "activity_name", "Create");
		json_object_set_new(o, "category_uid", json_integer(2));
		report_setstr(o, "category_name", "Findings");
		json_object_set_new(o, "class_uid", json_integer(2004));
		report_setstr(o, "class_name", "Detection Finding");
		json_object_set_new(o, "type_uid", json_integer(200401));
		report_setstr(o, "type_name", "Detection Finding: Create");
		json_object_set_new(o, "time", ms(f, "last_seen"));
		json_object_set_new(o, "severity_id", json_integer(severity_id(sev)));
		report_setstr(o, "severity", finding_severity_label(sev));
		json_object_set_new(o, "status_id", json_integer(1));
		report_setstr(o, "status", "New");
		report_copy(o, "count", f, "count");
		report_copy(o, "message", f, "description");
		json_object_set_new(o, "is_alert", json_true());
		meta = json_pack("{s:{s:s,s:s,s:s},s:s}", "product", "name", "backsight", "vendor_name", "backsight",
				 "version", report_str(json_object_get(model, "tool"), "version"), "version", "1.1.0");
		json_object_set_new(o, "metadata", meta);

		report_copy(info, "uid", f, "finding_id");
		report_copy(info, "title", f, "title");
		report_copy(info, "desc", f, "description");
		json_t *types = json_array();
		json_array_append(types, json_object_get(f, "type"));
		json_object_set_new(info, "types", types);
		json_object_set_new(info, "first_seen_time", ms(f, "first_seen"));
		json_object_set_new(info, "last_seen_time", ms(f, "last_seen"));
		json_t *analytic = json_object();
		json_object_set_new(analytic, "type_id", json_integer(1));
		report_setstr(analytic, "type", "Rule");
		report_copy(analytic, "name", f, "rule");
		json_object_set_new(info, "analytic", analytic);
		json_t *tactic0 = json_array_get(json_object_get(mitre, "tactics"), 0);
		json_array_foreach(json_object_get(mitre, "techniques"), k, t) {
			json_t *a = json_object(), *tech = json_object();
			json_object_set(tech, "uid", t);
			json_object_set_new(a, "technique", tech);
			if (tactic0)
				json_object_set_new(a, "tactic", json_pack("{s:O,s:O}", "uid", json_object_get(tactic0, "id"),
									   "name", json_object_get(tactic0, "name")));
			json_array_append_new(attacks, a);
		}
		if (!json_array_size(attacks))
			json_array_foreach(json_object_get(mitre, "tactics"), k, t)
				json_array_append_new(attacks, json_pack("{s:{s:O,s:O}}", "tactic", "uid",
									 json_object_get(t, "id"), "name",
									 json_object_get(t, "name")));
		json_object_set_new(info, "attacks", attacks);
		json_object_set_new(o, "finding_info", info);

		json_t *res = json_object(), *rd = json_object_get(f, "resource_detail");
		report_copy(res, "uid", rd, "id");
		report_copy(res, "type", rd, "type");
		json_t *resources = json_array();
		json_array_append_new(resources, res);
		json_object_set_new(o, "resources", resources);
		json_object_set_new(o, "cloud", json_pack("{s:s}", "provider", "AWS"));
		if (json_is_object(proc)) {
			json_t *p = ocsf_process(proc);
			json_t *parent = json_array_get(json_object_get(proc, "lineage"), 0);
			if (parent)
				json_object_set_new(p, "parent_process", ocsf_process(parent));
			json_t *ev = json_array();
			json_array_append_new(ev, json_pack("{s:{s:o}}", "actor", "process", p));
			json_object_set_new(o, "evidences", ev);
		}
		json_t *un = json_object();
		report_copy(un, "first_seen_ns", f, "first_seen");
		report_copy(un, "last_seen_ns", f, "last_seen");
		report_copy(un, "evidence", f, "evidence");
		report_copy(un, "context", f, "context");
		json_object_set_new(o, "unmapped", un);
		jsondump(out, o, 0);
		strbuf_addch(out, '\n');
		json_decref(o);
	}
	return 0;
}
