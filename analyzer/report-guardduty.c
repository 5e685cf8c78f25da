/* report-guardduty: `--format guardduty` — the findings as a JSON array in the shape of
 * GuardDuty's GetFindings items (shared/reference/guardduty.md §3): schemaVersion 2.0, id, arn,
 * type, severity, title, description, createdAt/updatedAt, resource (Instance with
 * instanceDetails, Container with containerDetails, AccessKey with accessKeyDetails),
 * service {serviceName, detectorId "backsight", featureName, count, eventFirstSeen,
 * eventLastSeen, archived, resourceRole, action, runtimeDetails {process {..., lineage[]},
 * context (commandLineExample, and the members the rule's gd_context: tags map)}, additionalInfo {type "default", value: JSON text with what GuardDuty's shape has no
 * place for: the rule, tags, MITRE ATT&CK, the full command line and the evidence rows}}.
 * The region is not known offline and is left empty; the account is the CloudTrail account the
 * case holds. */
#include <string.h>

#include "jsondump.h"
#include "report.h"

static json_t *process_json(const json_t *p)
{
	json_t *o = json_object(), *lin = json_array(), *a;
	size_t i;

	if (json_object_get(p, "name"))
		json_object_set(o, "name", json_object_get(p, "name"));
	if (json_object_get(p, "exe"))
		json_object_set(o, "executablePath", json_object_get(p, "exe"));
	if (json_object_get(p, "pid"))
		json_object_set(o, "pid", json_object_get(p, "pid"));
	if (json_object_get(p, "cwd"))
		json_object_set(o, "pwd", json_object_get(p, "cwd"));
	if (json_object_get(p, "user"))
		json_object_set(o, "user", json_object_get(p, "user"));
	if (json_object_get(p, "uid"))
		json_object_set(o, "userId", json_object_get(p, "uid"));
	json_array_foreach(json_object_get(p, "lineage"), i, a) {
		json_t *l = json_object();
		if (json_object_get(a, "pid"))
			json_object_set(l, "pid", json_object_get(a, "pid"));
		if (json_object_get(a, "name"))
			json_object_set(l, "name", json_object_get(a, "name"));
		if (json_object_get(a, "exe"))
			json_object_set(l, "executablePath", json_object_get(a, "exe"));
		if (json_object_get(a, "uid"))
			json_object_set(l, "userId", json_object_get(a, "uid"));
		if (json_object_get(a, "euid"))
			json_object_set(l, "euid", json_object_get(a, "euid"));
		json_array_append_new(lin, l);
	}
	json_object_set_new(o, "lineage", lin);
	return o;
}

static json_t *resource_json(const json_t *f)
{
	const json_t *r = json_object_get(f, "resource_detail");
	const char *type = report_str(r, "type");
	json_t *o = json_object(), *d = json_object();

	report_setstr(o, "resourceType", *type ? type : "Instance");
	if (!strcmp(type, "AccessKey")) {
		report_copy(d, "accessKeyId", r, "access_key_id");
		report_copy(d, "principalId", r, "principal");
		json_object_set_new(o, "accessKeyDetails", d);
	} else if (!strcmp(type, "Container")) {
		report_copy(d, "id", r, "id");
		json_object_set_new(o, "containerDetails", d);
		d = json_object();
		report_copy(d, "instanceId", r, "host");
		json_object_set_new(o, "instanceDetails", d);
	} else if (!strcmp(type, "EKSCluster")) {
		report_copy(d, "name", r, "id");
		json_object_set_new(o, "eksClusterDetails", d);
	} else if (json_object_get(r, "task_arn")) {
		/* an ECS task named by the case file */
		json_t *task = json_object();
		report_setstr(o, "resourceType", "ECSCluster");
		report_copy(task, "arn", r, "task_arn");
		json_object_set_new(d, "taskDetails", task);
		json_object_set_new(o, "ecsClusterDetails", d);
		if (json_object_get(r, "instance_id")) {
			d = json_object();
			report_copy(d, "instanceId", r, "instance_id");
			json_object_set_new(o, "instanceDetails", d);
		}
	} else {
		report_copy(d, "instanceId", r, json_object_get(r, "instance_id") ? "instance_id" : "id");
		json_object_set_new(o, "instanceDetails", d);
	}
	return o;
}

/* The action of a finding, from its first evidence event where GuardDuty has one. */
static json_t *action_json(const json_t *f)
{
	const json_t *ev = json_array_get(json_object_get(f, "evidence"), 0);
	const char *source = report_str(ev, "source");
	json_t *a, *inner, *ip;

	if (strcmp(source, "aws_cloudtrail") && strcmp(source, "network"))
		return NULL;
	a = json_object();
	inner = json_object();
	ip = json_object();
	report_copy(ip, "ipAddressV4", f, "identity");
	if (!strcmp(source, "aws_cloudtrail")) {
		report_setstr(a, "actionType", "AWS_API_CALL");
		report_copy(inner, "api", ev, "type");
		json_object_set_new(inner, "remoteIpDetails", ip);
		json_object_set_new(a, "awsApiCallAction", inner);
	} else if (!strcmp(report_str(ev, "type"), "dns")) {
		json_decref(ip);
		report_setstr(a, "actionType", "DNS_REQUEST");
		report_copy(inner, "domain", f, "identity");
		json_object_set_new(a, "dnsRequestAction", inner);
	} else {
		report_setstr(a, "actionType", "NETWORK_CONNECTION");
		report_setstr(inner, "connectionDirection", "UNKNOWN");
		json_object_set_new(inner, "remoteIpDetails", ip);
		json_object_set_new(a, "networkConnectionAction", inner);
	}
	return a;
}

/*
 * GuardDuty's runtime context members (socketPath, mountSource, releaseAgentPath, filePath ...)
 * from the alert's output fields, as the rule maps them with tags `gd_context:NAME=FIELD`
 * (rules/README.md): context NAME gets the value the rule's output printed for FIELD.
 */
static void context_from_tags(json_t *ctx, const json_t *f)
{
	const json_t *fields = json_object_get(f, "context"), *t;
	size_t i;

	json_array_foreach(json_object_get(f, "tags"), i, t) {
		const char *tag = json_string_value(t), *eq;
		char name[64];
		json_t *v;
		if (!tag || strncmp(tag, "gd_context:", 11) || !(eq = strchr(tag + 11, '=')) ||
		    (size_t)(eq - tag - 11) >= sizeof(name) || eq == tag + 11)
			continue;
		memcpy(name, tag + 11, (size_t)(eq - tag - 11));
		name[eq - tag - 11] = '\0';
		v = json_object_get(fields, eq + 1);
		if (v && !json_is_null(v) && !(json_is_string(v) && !strcmp(json_string_value(v), "<NA>")))
			json_object_set(ctx, name, v);
	}
}

json_t *report_guardduty_finding(const json_t *model, const json_t *f);
json_t *report_guardduty_finding(const json_t *model, const json_t *f)
{
	char t1[40], t2[40];
	const char *account = report_str(model, "account");
	const char *id = report_str(f, "finding_id");
	const json_t *proc = json_object_get(f, "process");
	const json_t *ev0 = json_array_get(json_object_get(f, "evidence"), 0);
	struct strbuf arn = STRBUF_INIT, info = STRBUF_INIT;
	json_t *g = json_object(), *svc = json_object(), *extra = json_object(), *action, *ctx;

	strbuf_addf(&arn, "arn:aws:guardduty::%s:detector/backsight/finding/%s", account, id);
	report_time(f, "first_seen", t1);
	report_time(f, "last_seen", t2);
	report_setstr(g, "schemaVersion", "2.0");
	report_setstr(g, "accountId", account);
	report_setstr(g, "region", "");
	report_setstr(g, "partition", "aws");
	report_setstr(g, "id", id);
	report_setstr(g, "arn", arn.buf);
	report_copy(g, "type", f, "type");
	report_copy(g, "severity", f, "severity");
	report_copy(g, "title", f, "title");
	report_copy(g, "description", f, "description");
	report_setstr(g, "createdAt", t1);
	report_setstr(g, "updatedAt", t2);
	json_object_set_new(g, "resource", resource_json(f));

	report_setstr(svc, "serviceName", "guardduty");
	report_setstr(svc, "detectorId", "backsight");
	report_setstr(svc, "featureName",
		      !strcmp(report_str(ev0, "source"), "aws_cloudtrail") ? "CloudTrail" : "RuntimeMonitoring");
	json_object_set_new(svc, "archived", json_boolean(json_integer_value(json_object_get(f, "archived")) != 0));
	report_copy(svc, "count", f, "count");
	report_setstr(svc, "eventFirstSeen", t1);
	report_setstr(svc, "eventLastSeen", t2);
	report_setstr(svc, "resourceRole", "TARGET");
	if ((action = action_json(f)))
		json_object_set_new(svc, "action", action);
	if (json_is_object(proc)) {
		ctx = json_object();
		report_copy(ctx, "commandLineExample", proc, "cmdline");
		context_from_tags(ctx, f);
		json_t *rt = json_object();
		json_object_set_new(rt, "process", process_json(proc));
		json_object_set_new(rt, "context", ctx);
		json_object_set_new(svc, "runtimeDetails", rt);
	}
	static const char *const keep[] = { "rule", "priority", "tags", "mitre", "context", "process", "evidence",
					    "evidence_total" };
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		report_copy(extra, keep[i], f, keep[i]);
	jsondump(&info, extra, 0);
	json_t *ai = json_object();
	report_setstr(ai, "type", "default");
	report_setstr(ai, "value", info.buf);
	json_object_set_new(svc, "additionalInfo", ai);
	json_object_set_new(g, "service", svc);
	json_decref(extra);
	strbuf_release(&arn);
	strbuf_release(&info);
	return g;
}

int report_write_guardduty(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	json_t *arr = json_array(), *f;
	size_t i;

	json_array_foreach(json_object_get(model, "findings"), i, f)
		json_array_append_new(arr, report_guardduty_finding(model, f));
	jsondump(out, arr, 2);
	strbuf_addch(out, '\n');
	json_decref(arr);
	return 0;
}
