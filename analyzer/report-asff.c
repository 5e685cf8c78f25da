/* report-asff: `--format asff` — the findings in the AWS Security Finding Format
 * (SchemaVersion 2018-10-08), a JSON array as BatchImportFindings takes it. Types follow
 * Security Hub's GuardDuty mapping `TTPs/<tactic>/<type with "/" as "-">`; Severity.Label from
 * GuardDuty's buckets, Normalized = 10 x severity; Title and Description cut at 256 and 1024
 * bytes on a UTF-8 boundary. ProductArn names a customer product in the case's account: the
 * user imports the file under their own product subscription. */
#include <string.h>

#include "findings.h"
#include "jsondump.h"
#include "jsonw.h"
#include "report.h"

static void set_cut(json_t *o, const char *key, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	json_object_set_new(o, key, json_stringn_nocheck(s, n));
}

static const char *resource_type(const char *t)
{
	if (!strcmp(t, "AccessKey"))
		return "AwsIamAccessKey";
	if (!strcmp(t, "Container"))
		return "Container";
	if (!strcmp(t, "EKSCluster"))
		return "AwsEksCluster";
	return "AwsEc2Instance";
}

int report_write_asff(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	json_t *arr = json_array(), *f;
	const char *account = report_str(model, "account");
	size_t i;

	json_array_foreach(json_object_get(model, "findings"), i, f) {
		double sev = json_number_value(json_object_get(f, "severity"));
		json_t *o = json_object(), *types = json_array(), *res = json_object(), *rd;
		const json_t *tactic = json_array_get(json_object_get(json_object_get(f, "mitre"), "tactics"), 0);
		struct strbuf s = STRBUF_INIT;
		char t1[40], t2[40], label[16];

		report_setstr(o, "SchemaVersion", "2018-10-08");
		strbuf_addf(&s, "backsight/%s", report_str(f, "finding_id"));
		report_setstr(o, "Id", s.buf);
		strbuf_reset(&s);
		strbuf_addf(&s, "arn:aws:securityhub:::product/%s/default", account);
		report_setstr(o, "ProductArn", s.buf);
		strbuf_reset(&s);
		strbuf_addf(&s, "backsight/%s", report_str(f, "rule"));
		report_setstr(o, "GeneratorId", s.buf);
		report_setstr(o, "AwsAccountId", account);
		strbuf_reset(&s);
		if (tactic)
			strbuf_addf(&s, "TTPs/%s/", report_str(tactic, "name"));
		else
			strbuf_addstr(&s, "Unusual Behaviors/Process/");
		for (const char *p = report_str(f, "type"); *p; p++)
			strbuf_addch(&s, *p == '/' ? '-' : *p);
		json_array_append_new(types, json_stringn_nocheck(s.buf, s.len));
		json_object_set_new(o, "Types", types);
		report_time(f, "first_seen", t1);
		report_time(f, "last_seen", t2);
		report_setstr(o, "FirstObservedAt", t1);
		report_setstr(o, "LastObservedAt", t2);
		report_setstr(o, "CreatedAt", t1);
		report_setstr(o, "UpdatedAt", t2);
		snprintf(label, sizeof(label), "%s", finding_severity_label(sev));
		for (char *p = label; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		json_object_set_new(o, "Severity", json_pack("{s:s,s:i,s:f}", "Label", label, "Normalized",
							     (int)(sev * 10 + 0.5), "Product", sev));
		set_cut(o, "Title", report_str(f, "title"), 256);
		set_cut(o, "Description", *report_str(f, "description") ? report_str(f, "description")
									  : report_str(f, "title"), 1024);
		rd = json_object_get(f, "resource_detail");
		report_setstr(res, "Type", resource_type(report_str(rd, "type")));
		report_copy(res, "Id", rd, "id");
		report_setstr(res, "Partition", "aws");
		json_t *resources = json_array();
		json_array_append_new(resources, res);
		json_object_set_new(o, "Resources", resources);
		const json_t *proc = json_object_get(f, "process");
		if (json_is_object(proc)) {
			json_t *p = json_object();
			report_copy(p, "Name", proc, "name");
			report_copy(p, "Path", proc, "exe");
			report_copy(p, "Pid", proc, "pid");
			report_copy(p, "ParentPid", proc, "ppid");
			json_object_set_new(o, "Process", p);
		}
		json_t *pf = json_object();
		report_copy(pf, "backsight/rule", f, "rule");
		report_copy(pf, "backsight/priority", f, "priority");
		strbuf_reset(&s);
		strbuf_addi64(&s, json_integer_value(json_object_get(f, "count")));
		report_setstr(pf, "backsight/count", s.buf);
		report_copy(pf, "backsight/resource", f, "resource");
		json_object_set_new(o, "ProductFields", pf);
		report_setstr(o, "RecordState", json_integer_value(json_object_get(f, "archived")) ? "ARCHIVED" : "ACTIVE");
		json_object_set_new(o, "Workflow", json_pack("{s:s}", "Status", "NEW"));
		json_array_append_new(arr, o);
		strbuf_release(&s);
	}
	jsondump(out, arr, 2);
	strbuf_addch(out, '\n');
	json_decref(arr);
	return 0;
}
