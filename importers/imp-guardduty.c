/* imp-guardduty: Amazon GuardDuty findings, laid on the timeline beside the evidence.
 *
 * Follows the GuardDuty Finding API shape (GetFindings; reference/guardduty.md §3). Accepted:
 * one finding or many (JSON Lines as the S3 export writes them, gzip decompressed by the stream
 * layer, `{"Findings":[…]}` as GetFindings returns them, a top-level array), EventBridge events
 * (`"detail-type":"GuardDuty Finding"`, the finding under detail), keys in camelCase (the API) or
 * PascalCase (boto3 dumps, some forwarders), and Security Hub ASFF findings produced by GuardDuty
 * (`ProductFields["aws/guardduty/service/…"]` rebuilt into the service object; the type from
 * Types[0], whose '/' ASFF writes as '-').
 *
 * Each finding becomes one guardduty event at service.eventFirstSeen (else createdAt, else
 * updatedAt). Typed columns: type = the finding type, principal = the access key's user or the
 * Kubernetes user, access_key_id, src_ip = the remote address (API caller, inbound connection or
 * port prober), dst_ip/dst_port = the remote end of an outbound connection, user_agent (API
 * calls), result = the API call's errorCode or "blocked" (else empty), proc_name/exe/pid/uid/cwd from runtimeDetails.process, container_id, host = the
 * instance id, else the ECS task or EKS cluster, else account/region. `fields` (gd.*): gd.id,
 * gd.arn, gd.type, gd.severity, gd.severity.label, gd.title, gd.description, gd.account,
 * gd.region, gd.count, gd.firstseen, gd.lastseen, gd.updatedat, gd.archived, gd.feature,
 * gd.resource.type, gd.resource.instanceid, gd.resource.ecs.cluster, gd.resource.ecs.task,
 * gd.resource.eks.cluster, gd.resource.k8s.workload, gd.resource.k8s.namespace,
 * gd.resource.container.image, gd.action.type, gd.action.api, gd.action.service,
 * gd.action.callertype, gd.action.direction, gd.action.protocol, gd.action.dns.domain,
 * gd.action.remote.country, gd.action.remote.org, gd.action.local.port, gd.indicators (threat
 * list names), gd.process.sha256, gd.process.uuid, gd.process.parentuuid, gd.process.lineage,
 * gd.runtime.context, and gd.resource / gd.action whole. dedup_key = id/updatedAt/type: the same
 * version of a finding from two exports is stored once, an update is a new event.
 */
#include <errno.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "importer.h"
#include "jsonframe.h"
#include "jsonutil.h"

static const char *const containers[] = { "Findings", "findings", NULL };

struct state {
	struct jframe frame;
	struct strbuf fields, summary, key, host, tmp, typebuf;
};

static bool has(const uint8_t *head, size_t len, const char *needle)
{
	return memmem(head, len, needle, strlen(needle)) != NULL;
}

static int probe(const uint8_t *head, size_t len)
{
	if (!jframe_starts_with(head, len, '{') && !jframe_starts_with(head, len, '['))
		return 0;
	if (has(head, len, "\"GuardDuty Finding\"") || has(head, len, "product/aws/guardduty\""))
		return 95;
	if ((has(head, len, "\"schemaVersion\"") || has(head, len, "\"SchemaVersion\"")) &&
	    (has(head, len, "arn:aws:guardduty:") || has(head, len, ":guardduty:")))
		return 90;
	return 0;
}

static int open_(struct imp_ctx *ctx, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	jframe_init(&st->frame, containers);
	strbuf_init(&st->fields);
	strbuf_init(&st->summary);
	strbuf_init(&st->key);
	strbuf_init(&st->host);
	strbuf_init(&st->tmp);
	strbuf_init(&st->typebuf);
	*ret_state = st;
	return 0;
}

static void close_(void *state)
{
	struct state *st = state;

	jsonu_arena_release(); /* a record that ended in an error may still hold it */
	if (!st)
		return;
	jframe_release(&st->frame);
	strbuf_release(&st->fields);
	strbuf_release(&st->summary);
	strbuf_release(&st->key);
	strbuf_release(&st->host);
	strbuf_release(&st->tmp);
	strbuf_release(&st->typebuf);
	free(st);
}

/* A member by its camelCase name, or its PascalCase twin. */
static json_t *member(json_t *obj, const char *name, size_t n)
{
	char alt[64];
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	v = json_object_getn(obj, name, n);
	if (v || !n || n >= sizeof(alt))
		return v;
	memcpy(alt, name, n);
	alt[0] = (char)(islower((unsigned char)alt[0]) ? toupper((unsigned char)alt[0]) : tolower((unsigned char)alt[0]));
	return json_object_getn(obj, alt, n);
}

/* A dotted path in either case convention; numeric segments index arrays. */
static json_t *get(json_t *v, const char *path)
{
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (json_is_array(v) && isdigit((unsigned char)*p))
			v = json_array_get(v, (size_t)strtoul(p, NULL, 10));
		else
			v = member(v, p, n);
		p += n + (dot ? 1 : 0);
	}
	return v && !json_is_null(v) ? v : NULL;
}

static const char *str(json_t *v, const char *path)
{
	const char *s = json_string_value(get(v, path));

	return s && *s ? s : NULL;
}

/* Set a nested member along a '/'-separated path, creating objects. */
static void set_path(json_t *root, const char *path, json_t *val)
{
	json_t *o = root;
	const char *p = path;

	for (;;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);
		char key[128];
		json_t *next;
		if (n >= sizeof(key))
			return;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!sl) {
			json_object_set(o, key, val);
			return;
		}
		next = json_object_get(o, key);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(o, key, next);
		}
		o = next;
		p = sl + 1;
	}
}

/* A Security Hub ASFF finding from GuardDuty, rebuilt as a (partial) GuardDuty finding. */
static json_t *from_asff(json_t *a, struct strbuf *typebuf)
{
	json_t *f = json_object(), *pf = json_object_get(a, "ProductFields"), *res = json_array_get(json_object_get(a, "Resources"), 0);
	const char *t = json_string_value(json_array_get(json_object_get(a, "Types"), 0));
	const char *id = json_string_value(json_object_get(a, "Id"));
	const char *key;
	json_t *v;

	json_object_foreach(pf, key, v)
		if (!strncmp(key, "aws/guardduty/", 14))
			set_path(f, key + 14, v);
	if (t) {
		const char *slash = strrchr(t, '/');
		char *colon;
		strbuf_reset(typebuf);
		strbuf_addstr(typebuf, slash ? slash + 1 : t);
		colon = strchr(typebuf->buf, ':');
		if (colon && strchr(colon, '-'))
			*strchr(colon, '-') = '/';
		json_object_set_new(f, "type", json_string(typebuf->buf));
	}
	if (id && strstr(id, "/finding/"))
		json_object_set_new(f, "id", json_string(strstr(id, "/finding/") + 9));
	if (id)
		json_object_set_new(f, "arn", json_string(id));
	json_object_set(f, "severity", get(a, "Severity.Product") ? get(a, "Severity.Product") : json_null());
	json_object_set(f, "title", json_object_get(a, "Title") ? json_object_get(a, "Title") : json_null());
	json_object_set(f, "description", json_object_get(a, "Description") ? json_object_get(a, "Description") : json_null());
	json_object_set(f, "accountId", json_object_get(a, "AwsAccountId") ? json_object_get(a, "AwsAccountId") : json_null());
	json_object_set(f, "region", json_object_get(a, "Region") ? json_object_get(a, "Region") : json_null());
	json_object_set(f, "createdAt", json_object_get(a, "CreatedAt") ? json_object_get(a, "CreatedAt") : json_null());
	json_object_set(f, "updatedAt", json_object_get(a, "UpdatedAt") ? json_object_get(a, "UpdatedAt") : json_null());
	if (!get(f, "service.eventFirstSeen") && json_object_get(a, "FirstObservedAt"))
		set_path(f, "service/eventFirstSeen", json_object_get(a, "FirstObservedAt"));
	if (res) {
		const char *rid = json_string_value(json_object_get(res, "Id"));
		const char *rtype = json_string_value(json_object_get(res, "Type"));
		if (rtype && !strcmp(rtype, "AwsEc2Instance")) {
			json_t *s = json_string("Instance");
			set_path(f, "resource/resourceType", s);
			json_decref(s);
			if (rid && strstr(rid, "instance/")) {
				s = json_string(strstr(rid, "instance/") + 9);
				set_path(f, "resource/instanceDetails/instanceId", s);
				json_decref(s);
			}
		} else if (rtype) {
			json_t *s = json_string(rtype);
			set_path(f, "resource/resourceType", s);
			json_decref(s);
		}
	}
	return f;
}

static const char *severity_label(double s)
{
	return s >= 9 ? "Critical" : s >= 7 ? "High" : s >= 4 ? "Medium" : "Low";
}

static void kv(struct jsonw_obj *o, const char *key, json_t *f, const char *path)
{
	jsonu_key_value(o, o->sb, key, get(f, path));
}

static int import_finding(struct imp_ctx *ctx, struct state *st, json_t *f, const struct jframe_record *rec)
{
	struct bs_event ev;
	struct jsonw_obj o;
	json_t *action = get(f, "service.action"), *proc = get(f, "service.runtimeDetails.process"), *sev = get(f, "severity");
	const char *t = str(f, "service.eventFirstSeen"), *dir, *inst, *updated;
	int64_t prec = 1;
	double sevv = json_is_number(sev) ? json_number_value(sev) : json_is_string(sev) ? atof(json_string_value(sev)) : -1;

	if (!t)
		t = str(f, "createdAt");
	if (!t)
		t = str(f, "updatedAt");
	bs_event_init(&ev);
	if (!t || bs_time_parse(t, strlen(t), 0, &ev.ts, &prec) < 0) {
		imp_skipped(ctx, rec->offset, "finding %llu: %s", (unsigned long long)rec->index + 1,
			    t ? "eventFirstSeen is not a valid time" : "no eventFirstSeen, createdAt or updatedAt");
		return 0;
	}
	ev.ts_precision = prec;
	ev.source = SRC_GUARDDUTY;
	ev.type = str(f, "type") ? str(f, "type") : "unknown";
	ev.access_key_id = str(f, "resource.accessKeyDetails.accessKeyId");
	ev.principal = str(f, "resource.accessKeyDetails.userName");
	if (!ev.principal)
		ev.principal = str(f, "resource.kubernetesDetails.kubernetesUserDetails.username");
	dir = str(action, "networkConnectionAction.connectionDirection");
	if (str(action, "awsApiCallAction.api")) {
		ev.src_ip = str(action, "awsApiCallAction.remoteIpDetails.ipAddressV4");
		ev.user_agent = str(action, "awsApiCallAction.userAgent");
	} else if (get(action, "networkConnectionAction")) {
		const char *remote = str(action, "networkConnectionAction.remoteIpDetails.ipAddressV4");
		json_t *rport = get(action, "networkConnectionAction.remotePortDetails.port");
		json_t *lport = get(action, "networkConnectionAction.localPortDetails.port");
		const char *local = str(action, "networkConnectionAction.localIpDetails.ipAddressV4");
		ev.l4proto = str(action, "networkConnectionAction.protocol");
		if (dir && !strcmp(dir, "OUTBOUND")) {
			ev.src_ip = local;
			ev.dst_ip = remote;
			ev.dst_port = json_is_integer(rport) ? json_integer_value(rport) : BS_NONE;
		} else {
			ev.src_ip = remote;
			ev.src_port = json_is_integer(rport) ? json_integer_value(rport) : BS_NONE;
			ev.dst_ip = local;
			ev.dst_port = json_is_integer(lport) ? json_integer_value(lport) : BS_NONE;
		}
	} else if (get(action, "portProbeAction")) {
		ev.src_ip = str(action, "portProbeAction.portProbeDetails.0.remoteIpDetails.ipAddressV4");
		ev.dst_ip = str(action, "portProbeAction.portProbeDetails.0.localIpDetails.ipAddressV4");
		if (json_is_integer(get(action, "portProbeAction.portProbeDetails.0.localPortDetails.port")))
			ev.dst_port = json_integer_value(get(action, "portProbeAction.portProbeDetails.0.localPortDetails.port"));
	} else if (get(action, "kubernetesApiCallAction")) {
		ev.src_ip = str(action, "kubernetesApiCallAction.remoteIpDetails.ipAddressV4");
		ev.user_agent = str(action, "kubernetesApiCallAction.userAgent");
	} else if (get(action, "dnsRequestAction")) {
		ev.fd_name = str(action, "dnsRequestAction.domain");
	}
	if (proc) {
		ev.proc_name = str(proc, "name");
		ev.exe = str(proc, "executablePath");
		ev.cwd = str(proc, "pwd");
		if (json_is_integer(get(proc, "pid")))
			ev.pid = json_integer_value(get(proc, "pid"));
		if (json_is_integer(get(proc, "euid")))
			ev.uid = json_integer_value(get(proc, "euid"));
		ev.user_name = str(proc, "user");
	}
	ev.container_id = str(f, "resource.containerDetails.id");
	if (!ev.container_id)
		ev.container_id = str(f, "resource.ecsClusterDetails.taskDetails.containers.0.id");
	inst = str(f, "resource.instanceDetails.instanceId");
	strbuf_reset(&st->host);
	if (inst)
		strbuf_addstr(&st->host, inst);
	else if (str(f, "resource.ecsClusterDetails.taskDetails.arn"))
		strbuf_addstr(&st->host, str(f, "resource.ecsClusterDetails.taskDetails.arn"));
	else if (str(f, "resource.eksClusterDetails.name"))
		strbuf_addstr(&st->host, str(f, "resource.eksClusterDetails.name"));
	else if (str(f, "accountId"))
		strbuf_addf(&st->host, "%s%s%s", str(f, "accountId"), str(f, "region") ? "/" : "",
			    str(f, "region") ? str(f, "region") : "");
	ev.host = st->host.len ? st->host.buf : ctx->opts->host;
	/* An outcome where GuardDuty has one: the API call's error code, or a blocked connection. */
	ev.result = str(action, "awsApiCallAction.errorCode");
	if (!ev.result && (get(action, "networkConnectionAction.blocked") == json_true() ||
			   get(action, "dnsRequestAction.blocked") == json_true() ||
			   get(action, "portProbeAction.blocked") == json_true()))
		ev.result = "blocked";

	strbuf_reset(&st->summary);
	strbuf_addf(&st->summary, "GuardDuty %s", ev.type);
	if (sevv >= 0)
		strbuf_addf(&st->summary, " (%s %g)", severity_label(sevv), sevv);
	if (str(f, "resource.resourceType"))
		strbuf_addf(&st->summary, " on %s%s%s", str(f, "resource.resourceType"), st->host.len ? " " : "",
			    st->host.buf ? st->host.buf : "");
	if (str(f, "title"))
		strbuf_addf(&st->summary, ": %s", str(f, "title"));
	ev.summary = st->summary.buf;

	updated = str(f, "updatedAt");
	strbuf_reset(&st->key);
	if (str(f, "id")) {
		strbuf_addf(&st->key, "%s/%s/%s", str(f, "id"), updated ? updated : "", ev.type);
		ev.dedup_key = st->key.buf;
	}

	strbuf_reset(&st->fields);
	jsonw_begin(&o, &st->fields);
	kv(&o, "gd.id", f, "id");
	kv(&o, "gd.arn", f, "arn");
	jsonw_key_str(&o, "gd.type", ev.type);
	kv(&o, "gd.severity", f, "severity");
	if (sevv >= 0)
		jsonw_key_str(&o, "gd.severity.label", severity_label(sevv));
	kv(&o, "gd.title", f, "title");
	kv(&o, "gd.description", f, "description");
	kv(&o, "gd.account", f, "accountId");
	kv(&o, "gd.region", f, "region");
	kv(&o, "gd.count", f, "service.count");
	kv(&o, "gd.firstseen", f, "service.eventFirstSeen");
	kv(&o, "gd.lastseen", f, "service.eventLastSeen");
	kv(&o, "gd.updatedat", f, "updatedAt");
	kv(&o, "gd.archived", f, "service.archived");
	kv(&o, "gd.feature", f, "service.featureName");
	kv(&o, "gd.resource.type", f, "resource.resourceType");
	kv(&o, "gd.resource.instanceid", f, "resource.instanceDetails.instanceId");
	kv(&o, "gd.resource.ecs.cluster", f, "resource.ecsClusterDetails.name");
	kv(&o, "gd.resource.ecs.task", f, "resource.ecsClusterDetails.taskDetails.arn");
	kv(&o, "gd.resource.eks.cluster", f, "resource.eksClusterDetails.name");
	kv(&o, "gd.resource.k8s.workload", f, "resource.kubernetesDetails.kubernetesWorkloadDetails.name");
	kv(&o, "gd.resource.k8s.namespace", f, "resource.kubernetesDetails.kubernetesWorkloadDetails.namespace");
	kv(&o, "gd.resource.container.image", f, "resource.containerDetails.image");
	kv(&o, "gd.action.type", f, "service.action.actionType");
	kv(&o, "gd.action.api", action, "awsApiCallAction.api");
	kv(&o, "gd.action.service", action, "awsApiCallAction.serviceName");
	kv(&o, "gd.action.callertype", action, "awsApiCallAction.callerType");
	kv(&o, "gd.action.direction", action, "networkConnectionAction.connectionDirection");
	kv(&o, "gd.action.protocol", action, "networkConnectionAction.protocol");
	kv(&o, "gd.action.dns.domain", action, "dnsRequestAction.domain");
	kv(&o, "gd.action.remote.country", action, "networkConnectionAction.remoteIpDetails.country.countryName");
	if (!get(action, "networkConnectionAction"))
		kv(&o, "gd.action.remote.country", action, "awsApiCallAction.remoteIpDetails.country.countryName");
	kv(&o, "gd.action.remote.org", action, "networkConnectionAction.remoteIpDetails.organization.org");
	if (!get(action, "networkConnectionAction"))
		kv(&o, "gd.action.remote.org", action, "awsApiCallAction.remoteIpDetails.organization.org");
	kv(&o, "gd.action.local.port", action, "networkConnectionAction.localPortDetails.port");
	{
		json_t *ti = get(f, "service.evidence.threatIntelligenceDetails");
		if (json_is_array(ti)) {
			bool first = true;
			jsonw_key(&o, "gd.indicators");
			strbuf_addch(&st->fields, '[');
			for (size_t i = 0; i < json_array_size(ti); i++) {
				json_t *name = get(json_array_get(ti, i), "threatListName");
				if (!json_is_string(name))
					continue;
				if (!first)
					strbuf_addch(&st->fields, ',');
				jsonu_write(&st->fields, name);
				first = false;
			}
			strbuf_addch(&st->fields, ']');
		}
	}
	kv(&o, "gd.process.sha256", proc, "executableSha256");
	kv(&o, "gd.process.uuid", proc, "uuid");
	kv(&o, "gd.process.parentuuid", proc, "parentUuid");
	kv(&o, "gd.process.lineage", proc, "lineage");
	kv(&o, "gd.runtime.context", f, "service.runtimeDetails.context");
	kv(&o, "gd.resource", f, "resource");
	jsonu_key_value(&o, &st->fields, "gd.action", action);
	jsonw_end(&o);
	ev.fields = st->fields.buf;
	ev.offset = rec->offset;
	ev.raw = rec->data;
	ev.raw_len = rec->len;
	return imp_emit(ctx, &ev);
}

static int dispatch(struct imp_ctx *ctx, struct state *st, json_t *v, const struct jframe_record *rec)
{
	json_t *detail = json_object_get(v, "detail"), *f;
	int r;

	if (!json_is_object(v)) {
		imp_skipped(ctx, rec->offset, "finding %llu: not a JSON object", (unsigned long long)rec->index + 1);
		return 0;
	}
	if (json_is_object(detail) && json_object_get(v, "detail-type"))
		f = json_incref(detail);
	else if (json_is_object(json_object_get(v, "ProductFields")))
		f = from_asff(v, &st->typebuf);
	else
		f = json_incref(v);
	if (!get(f, "type") && !get(f, "service")) {
		imp_skipped(ctx, rec->offset, "finding %llu: not a GuardDuty finding (no type or service)",
			    (unsigned long long)rec->index + 1);
		json_decref(f);
		return 0;
	}
	r = import_finding(ctx, st, f, rec);
	json_decref(f);
	return r;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	struct jframe_record rec;
	json_error_t jerr;
	json_t *v;
	int r = jframe_next(&st->frame, ctx->in, &rec);

	if (r == 0)
		return 0;
	if (r < 0) {
		if (st->frame.fatal)
			imp_truncated(ctx, st->frame.err_offset, "%s", st->frame.err.buf);
		else
			imp_skipped(ctx, st->frame.err_offset, "%s", st->frame.err.buf);
		return st->frame.fatal ? 0 : 1;
	}
	v = jsonu_loadb((const char *)rec.data, rec.len, 0, &jerr);
	if (!v) {
		uint64_t at = rec.offset + (jerr.position > 0 ? (uint64_t)jerr.position : 0);
		if (rec.container) {
			imp_truncated(ctx, at, "finding %llu is not valid JSON: %s", (unsigned long long)rec.index + 1, jerr.text);
			return 0;
		}
		imp_skipped(ctx, at, "finding %llu (at byte %llu) is not valid JSON: %s", (unsigned long long)rec.index + 1,
			    (unsigned long long)rec.offset, jerr.text);
		return 1;
	}
	r = dispatch(ctx, st, v, &rec);
	json_decref(v);
	jsonu_arena_release();
	return r < 0 ? r : 1;
}

const struct importer imp_guardduty = {
	.name = "guardduty",
	.summary = "Amazon GuardDuty findings: GetFindings, EventBridge, S3 export JSON Lines, ASFF",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
