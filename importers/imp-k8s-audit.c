/* imp-k8s-audit: Kubernetes API server audit events (audit.k8s.io v1 and v1beta1).
 *
 * Follows the audit.k8s.io Event type (k8s.io/apiserver/pkg/apis/audit/v1/types.go) and
 * reference/corpus.md. Accepted framings: the JSON Lines of --audit-log-path, webhook batches
 * (`{"kind":"EventList","items":[…]}`, streamed by jsonframe), top-level arrays, and the cloud
 * wrappers: AKS diagnostic logs (category kube-audit / kube-audit-admin, the Event in
 * properties.log as an object or as a JSON string) and GKE Cloud Logging entries (protoPayload
 * AuditLog with methodName io.k8s.*), the latter mapped onto the same fields.
 *
 * Stages are not merged: each stage of a request (RequestReceived, ResponseStarted,
 * ResponseComplete, Panic) is its own event, so the timeline shows when each happened; ka.stage
 * tells them apart, and auditID links them. dedup_key = auditID/stage/<hash of the record's
 * bytes>, so a line repeated in overlapping logs is stored once. Time: stageTimestamp, else requestReceivedTimestamp, else
 * timestamp (v1beta1), else metadata.creationTimestamp.
 *
 * Typed columns: type = verb, principal = user.username, src_ip = sourceIPs[0], user_agent,
 * result = responseStatus.code (GKE: status.code, a gRPC code). `fields` use the Falco k8saudit
 * plugin's names (ka.*; lists as arrays) plus the request and response objects whole
 * (ka.requestobject, ka.responseobject) for json-pointer lookups; the raw record keeps the line.
 *
 * Secrets never reach the case database: in a Secret (kind Secret, the items of a SecretList,
 * and any request or response object of the `secrets` resource, including patches) the values
 * of data and stringData and the kubectl last-applied-configuration annotation (a copy of the
 * whole Secret) become "REDACTED", key names kept; so do the token of a TokenRequest
 * (serviceaccounts/token) response and of a TokenReview, and AWS secret keys / session tokens
 * anywhere (a ConfigMap holding credentials keeps its key names for Falco's rule, not the value).
 * When anything was redacted, the raw record stored is the redacted JSON, not the line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "importer.h"
#include "jsonframe.h"
#include "jsonutil.h"
#include "sha256.h"

static const char *const containers[] = { "items", NULL };
/* Member names whose string values are credentials wherever they appear (compared without case). */
static const char *const secret_keys[] = { "secretAccessKey", "sessionToken", "aws_secret_access_key",
					    "aws_session_token", NULL };

struct state {
	struct jframe frame;
	struct strbuf fields, summary, key, tmp, raw;
};

static bool has(const uint8_t *head, size_t len, const char *needle)
{
	return memmem(head, len, needle, strlen(needle)) != NULL;
}

static int probe(const uint8_t *head, size_t len)
{
	if (!jframe_starts_with(head, len, '{') && !jframe_starts_with(head, len, '['))
		return 0;
	if (has(head, len, "\"audit.k8s.io/"))
		return 90;
	if (has(head, len, "\"kube-audit") || (has(head, len, "\"protoPayload\"") && has(head, len, "\"io.k8s.")))
		return 90;
	if (has(head, len, "\"auditID\"") && (has(head, len, "\"verb\"") || has(head, len, "\"stage\"")))
		return 85;
	if (has(head, len, "\"kind\"") && has(head, len, "\"Event\"") && has(head, len, "\"requestURI\""))
		return 80;
	/* Falco's FAL-01-003 sample `{"kind": 0}`: a broken event, reported as skipped. */
	if (has(head, len, "\"kind\"") && len < 256)
		return 20;
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
	strbuf_init(&st->tmp);
	strbuf_init(&st->raw);
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
	strbuf_release(&st->tmp);
	strbuf_release(&st->raw);
	free(st);
}

/* A list field: for each element of `arr`, the value at `path` (NULL: the element). */
static void key_list(struct jsonw_obj *o, struct strbuf *sb, const char *key, json_t *arr, const char *path,
		     const char *dflt_json)
{
	bool first = true;

	if (!json_is_array(arr))
		return;
	jsonw_key(o, key);
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = path ? jsonu_get(json_array_get(arr, i), path) : json_array_get(arr, i);
		if (!first)
			strbuf_addch(sb, ',');
		if (v && !json_is_null(v))
			jsonu_write(sb, v);
		else
			strbuf_addstr(sb, dflt_json);
		first = false;
	}
	strbuf_addch(sb, ']');
}

/* A flattened list: the elements of the arrays found at `path` in each element of `arr`. */
static void key_flat(struct jsonw_obj *o, struct strbuf *sb, const char *key, json_t *arr, const char *path)
{
	bool first = true;

	if (!json_is_array(arr))
		return;
	jsonw_key(o, key);
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *inner = jsonu_get(json_array_get(arr, i), path);
		for (size_t j = 0; j < json_array_size(inner); j++) {
			if (!first)
				strbuf_addch(sb, ',');
			jsonu_write(sb, json_array_get(inner, j));
			first = false;
		}
	}
	strbuf_addch(sb, ']');
}

/* Image without its tag or digest (Falco's .image.repository). */
static void key_repos(struct jsonw_obj *o, struct strbuf *sb, const char *key, json_t *containers_)
{
	bool first = true;

	jsonw_key(o, key);
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < json_array_size(containers_); i++) {
		const char *img = jsonu_str(json_array_get(containers_, i), "image");
		size_t n;
		const char *at, *slash, *colon;
		if (!img)
			continue;
		at = strchr(img, '@');
		n = at ? (size_t)(at - img) : strlen(img);
		slash = memrchr(img, '/', n);
		colon = memrchr(slash ? slash : img, ':', n - (size_t)((slash ? slash : img) - img));
		if (colon)
			n = (size_t)(colon - img);
		if (!first)
			strbuf_addch(sb, ',');
		jsonw_string(sb, img, n);
		first = false;
	}
	strbuf_addch(sb, ']');
}

static void pod_fields(struct jsonw_obj *o, struct strbuf *sb, json_t *req)
{
	json_t *spec = jsonu_get(req, "spec"), *cs;

	if (spec && !json_is_array(json_object_get(spec, "containers")))
		spec = jsonu_get(req, "spec.template.spec");
	cs = json_object_get(spec, "containers");
	if (!json_is_array(cs))
		return;
	key_list(o, sb, "ka.req.pod.containers.image", cs, "image", "null");
	key_repos(o, sb, "ka.req.pod.containers.image.repository", cs);
	key_list(o, sb, "ka.req.pod.containers.privileged", cs, "securityContext.privileged", "false");
	key_list(o, sb, "ka.req.pod.containers.allow_privilege_escalation", cs, "securityContext.allowPrivilegeEscalation",
		 "null");
	key_list(o, sb, "ka.req.pod.containers.read_only_fs", cs, "securityContext.readOnlyRootFilesystem", "false");
	key_list(o, sb, "ka.req.pod.containers.run_as_user", cs, "securityContext.runAsUser", "null");
	key_list(o, sb, "ka.req.pod.containers.proc_mount", cs, "securityContext.procMount", "null");
	key_flat(o, sb, "ka.req.pod.containers.add_capabilities", cs, "securityContext.capabilities.add");
	{
		bool first = true;
		jsonw_key(o, "ka.req.pod.containers.host_port");
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < json_array_size(cs); i++) {
			json_t *ports = json_object_get(json_array_get(cs, i), "ports");
			for (size_t j = 0; j < json_array_size(ports); j++) {
				json_t *hp = json_object_get(json_array_get(ports, j), "hostPort");
				if (!json_is_integer(hp))
					continue;
				if (!first)
					strbuf_addch(sb, ',');
				jsonu_write(sb, hp);
				first = false;
			}
		}
		strbuf_addch(sb, ']');
	}
	jsonu_key_value(o, sb, "ka.req.pod.host_network", json_object_get(spec, "hostNetwork"));
	jsonu_key_value(o, sb, "ka.req.pod.host_ipc", json_object_get(spec, "hostIPC"));
	jsonu_key_value(o, sb, "ka.req.pod.host_pid", json_object_get(spec, "hostPID"));
	jsonu_key_value(o, sb, "ka.req.pod.run_as_user", jsonu_get(spec, "securityContext.runAsUser"));
	jsonu_key_value(o, sb, "ka.req.pod.run_as_group", jsonu_get(spec, "securityContext.runAsGroup"));
	jsonu_key_value(o, sb, "ka.req.pod.fs_group", jsonu_get(spec, "securityContext.fsGroup"));
	jsonu_key_value(o, sb, "ka.req.pod.supplemental_groups", jsonu_get(spec, "securityContext.supplementalGroups"));
	{
		json_t *vols = json_object_get(spec, "volumes");
		bool first = true;
		jsonw_key(o, "ka.req.pod.volumes.hostpath");
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < json_array_size(vols); i++) {
			json_t *p = jsonu_get(json_array_get(vols, i), "hostPath.path");
			if (!json_is_string(p))
				continue;
			if (!first)
				strbuf_addch(sb, ',');
			jsonu_write(sb, p);
			first = false;
		}
		strbuf_addch(sb, ']');
		key_list(o, sb, "ka.req.pod.volumes.flexvolume_driver", vols, "flexVolume.driver", "null");
	}
}

static void build_fields(struct state *st, json_t *e, const char *user, const char *verb, int64_t code)
{
	struct strbuf *sb = &st->fields;
	struct jsonw_obj o;
	json_t *req = json_object_get(e, "requestObject"), *resp = json_object_get(e, "responseObject");
	const char *resource = jsonu_str(e, "objectRef.resource");
	json_t *ann = json_object_get(e, "annotations");

	strbuf_reset(sb);
	jsonw_begin(&o, sb);
	jsonu_key_value(&o, sb, "ka.auditid", json_object_get(e, "auditID"));
	jsonu_key_value(&o, sb, "ka.stage", json_object_get(e, "stage"));
	jsonu_key_value(&o, sb, "ka.level", json_object_get(e, "level"));
	jsonu_key_value(&o, sb, "ka.apiversion", json_object_get(e, "apiVersion"));
	if (ann) {
		jsonu_key_value(&o, sb, "ka.auth.decision", json_object_get(ann, "authorization.k8s.io/decision"));
		jsonu_key_value(&o, sb, "ka.auth.reason", json_object_get(ann, "authorization.k8s.io/reason"));
		jsonu_key_value(&o, sb, "ka.annotations", ann);
	}
	if (user)
		jsonw_key_str(&o, "ka.user.name", user);
	jsonu_key_value(&o, sb, "ka.user.groups", jsonu_get(e, "user.groups"));
	jsonu_key_value(&o, sb, "ka.impuser.name", jsonu_get(e, "impersonatedUser.username"));
	jsonu_key_value(&o, sb, "ka.impuser.groups", jsonu_get(e, "impersonatedUser.groups"));
	if (verb)
		jsonw_key_str(&o, "ka.verb", verb);
	jsonu_key_value(&o, sb, "ka.uri", json_object_get(e, "requestURI"));
	jsonu_key_value(&o, sb, "ka.target.name", jsonu_get(e, "objectRef.name"));
	jsonu_key_value(&o, sb, "ka.target.namespace", jsonu_get(e, "objectRef.namespace"));
	jsonu_key_value(&o, sb, "ka.target.resource", jsonu_get(e, "objectRef.resource"));
	jsonu_key_value(&o, sb, "ka.target.subresource", jsonu_get(e, "objectRef.subresource"));
	jsonu_key_value(&o, sb, "ka.target.apigroup", jsonu_get(e, "objectRef.apiGroup"));
	if (resource && !strcmp(resource, "pods"))
		jsonu_key_value(&o, sb, "ka.target.pod.name", jsonu_get(e, "objectRef.name"));
	jsonu_key_value(&o, sb, "ka.sourceips", json_object_get(e, "sourceIPs"));
	if (code != BS_NONE)
		jsonw_key_i64(&o, "ka.response.code", code);
	jsonu_key_value(&o, sb, "ka.response.reason", jsonu_get(e, "responseStatus.reason"));
	jsonu_key_value(&o, sb, "ka.resp.name", jsonu_get(resp, "metadata.name"));
	jsonu_key_value(&o, sb, "ka.cluster.name", json_object_get(e, "ka.cluster.name"));
	if (json_is_object(req)) {
		jsonu_key_value(&o, sb, "ka.req.binding.subjects", json_object_get(req, "subjects"));
		jsonu_key_value(&o, sb, "ka.req.binding.role", jsonu_get(req, "roleRef.name"));
		if (resource && !strcmp(resource, "configmaps")) {
			jsonu_key_value(&o, sb, "ka.req.configmap.name", jsonu_get(e, "objectRef.name"));
			jsonu_key_value(&o, sb, "ka.req.configmap.obj", json_object_get(req, "data"));
		}
		if (json_is_array(json_object_get(req, "rules"))) {
			json_t *rules = json_object_get(req, "rules");
			jsonu_key_value(&o, sb, "ka.req.role.rules", rules);
			key_flat(&o, sb, "ka.req.role.rules.apiGroups", rules, "apiGroups");
			key_flat(&o, sb, "ka.req.role.rules.nonResourceURLs", rules, "nonResourceURLs");
			key_flat(&o, sb, "ka.req.role.rules.verbs", rules, "verbs");
			key_flat(&o, sb, "ka.req.role.rules.resources", rules, "resources");
		}
		if (resource && !strcmp(resource, "services")) {
			jsonu_key_value(&o, sb, "ka.req.service.type", jsonu_get(req, "spec.type"));
			jsonu_key_value(&o, sb, "ka.req.service.ports", jsonu_get(req, "spec.ports"));
		}
		pod_fields(&o, sb, req);
	}
	jsonu_key_value(&o, sb, "ka.requestobject", req);
	jsonu_key_value(&o, sb, "ka.responseobject", resp);
	jsonw_end(&o);
}

/*
 * A GKE Cloud Logging AuditLog entry, rewritten in place as an audit.k8s.io Event: methodName
 * io.k8s.<group>.<version>.<resource>.<verb> gives the verb, resourceName
 * <group>/<version>/namespaces/<ns>/<resource>/<name>[/<sub>] the object.
 */
static json_t *from_gke(json_t *w)
{
	json_t *p = json_object_get(w, "protoPayload"), *e = json_object(), *ref = json_object();
	const char *method = jsonu_str(p, "methodName"), *rn = jsonu_str(p, "resourceName");
	const char *dot = method ? strrchr(method, '.') : NULL;

	json_object_set_new(e, "kind", json_string("Event"));
	json_object_set(e, "auditID", json_object_get(w, "insertId") ? json_object_get(w, "insertId") : json_null());
	if (jsonu_get(w, "operation.id"))
		json_object_set(e, "auditID", jsonu_get(w, "operation.id"));
	json_object_set_new(e, "stage", json_string(jsonu_get(w, "operation.last") == json_false() ? "ResponseStarted"
											       : "ResponseComplete"));
	if (dot)
		json_object_set_new(e, "verb", json_string(dot + 1));
	if (jsonu_str(p, "authenticationInfo.principalEmail")) {
		json_t *u = json_object();
		json_object_set(u, "username", jsonu_get(p, "authenticationInfo.principalEmail"));
		json_object_set_new(e, "user", u);
	}
	if (jsonu_str(p, "requestMetadata.callerIp")) {
		json_t *ips = json_array();
		json_array_append(ips, jsonu_get(p, "requestMetadata.callerIp"));
		json_object_set_new(e, "sourceIPs", ips);
	}
	if (jsonu_get(p, "requestMetadata.callerSuppliedUserAgent"))
		json_object_set(e, "userAgent", jsonu_get(p, "requestMetadata.callerSuppliedUserAgent"));
	if (rn) {
		/* Split the resource name into its path segments. */
		const char *seg[16];
		size_t len[16], n = 0;
		const char *s = rn;
		while (*s && n < 16) {
			const char *sl = strchr(s, '/');
			seg[n] = s;
			len[n] = sl ? (size_t)(sl - s) : strlen(s);
			n++;
			s += len[n - 1] + (sl ? 1 : 0);
			if (!sl)
				break;
		}
		for (size_t i = 0; i < n; i++) {
			if (len[i] == 10 && !memcmp(seg[i], "namespaces", 10) && i + 2 < n) {
				json_object_set_new(ref, "namespace", json_stringn(seg[i + 1], len[i + 1]));
				json_object_set_new(ref, "resource", json_stringn(seg[i + 2], len[i + 2]));
				if (i + 3 < n)
					json_object_set_new(ref, "name", json_stringn(seg[i + 3], len[i + 3]));
				if (i + 4 < n)
					json_object_set_new(ref, "subresource", json_stringn(seg[i + 4], len[i + 4]));
				break;
			}
		}
		if (!json_object_size(ref))
			json_object_set_new(ref, "resource", json_string(rn));
		json_object_set_new(e, "objectRef", ref);
		ref = NULL;
	}
	json_decref(ref);
	if (json_is_integer(jsonu_get(p, "status.code"))) {
		json_t *rs = json_object();
		json_object_set(rs, "code", jsonu_get(p, "status.code"));
		json_object_set_new(e, "responseStatus", rs);
	}
	if (json_object_get(w, "labels"))
		json_object_set(e, "annotations", json_object_get(w, "labels"));
	if (json_object_get(p, "request"))
		json_object_set(e, "requestObject", json_object_get(p, "request"));
	if (json_object_get(p, "response"))
		json_object_set(e, "responseObject", json_object_get(p, "response"));
	if (json_object_get(w, "timestamp"))
		json_object_set(e, "stageTimestamp", json_object_get(w, "timestamp"));
	if (jsonu_get(w, "resource.labels.cluster_name"))
		json_object_set(e, "ka.cluster.name", jsonu_get(w, "resource.labels.cluster_name"));
	return e;
}

/* --- redaction ---------------------------------------------------------------------------- */

static const char redacted[] = "REDACTED";

static bool str_is(json_t *v, const char *s)
{
	return json_is_string(v) && !strcmp(json_string_value(v), s);
}

/* Replace a string member's value; returns 1 when it changed. */
static int redact_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || str_is(v, redacted))
		return 0;
	json_string_set(v, redacted);
	return 1;
}

/* Every value of an object (Secret data / stringData: name -> base64 or text). */
static int redact_values(json_t *obj)
{
	const char *key;
	json_t *v;
	int n = 0;

	if (!json_is_object(obj))
		return 0;
	json_object_foreach(obj, key, v) {
		if (json_is_string(v) && str_is(v, redacted))
			continue;
		if (json_is_null(v))
			continue;
		json_object_set_new(obj, key, json_string(redacted));
		n++;
	}
	return n;
}

/* A Secret (or the body of a request on the secrets resource): its payload and its copy. */
static int redact_secret(json_t *s)
{
	json_t *ops;
	int n;

	if (json_is_array(s)) {
		/* A JSON patch: [{"op":"replace","path":"/data/password","value":…}]. */
		n = 0;
		for (size_t i = 0; i < json_array_size(s); i++) {
			ops = json_array_get(s, i);
			const char *path = json_string_value(json_object_get(ops, "path"));
			if (!path || (strncmp(path, "/data", 5) && strncmp(path, "/stringData", 11) &&
				      strncmp(path, "/metadata/annotations", 21)))
				continue;
			if (json_is_object(json_object_get(ops, "value")))
				n += redact_values(json_object_get(ops, "value"));
			else
				n += redact_member(ops, "value");
		}
		return n;
	}
	n = redact_values(json_object_get(s, "data")) + redact_values(json_object_get(s, "stringData"));
	/* A SecretList (items carry no kind of their own). */
	if (json_is_array(json_object_get(s, "items")))
		for (size_t i = 0; i < json_array_size(json_object_get(s, "items")); i++)
			n += redact_secret(json_array_get(json_object_get(s, "items"), i));
	n += redact_member(jsonu_get(s, "metadata.annotations"), "kubectl.kubernetes.io/last-applied-configuration");
	return n;
}

/* Anywhere under v: Secrets by kind, tokens of TokenRequest / TokenReview, AWS credentials. */
static int redact_walk(json_t *v)
{
	int n = 0;

	if (json_is_object(v)) {
		const char *kind = json_string_value(json_object_get(v, "kind"));
		const char *key;
		json_t *m;
		if (kind && !strcmp(kind, "Secret"))
			n += redact_secret(v);
		else if (kind && !strcmp(kind, "TokenRequest"))
			n += redact_member(json_object_get(v, "status"), "token");
		else if (kind && !strcmp(kind, "TokenReview"))
			n += redact_member(json_object_get(v, "spec"), "token");
		json_object_foreach(v, key, m) {
			if (json_is_object(m) || json_is_array(m))
				n += redact_walk(m);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			n += redact_walk(json_array_get(v, i));
	}
	return n;
}

/* Redact an audit Event in place; returns how many values were replaced. */
static int redact_event(json_t *e)
{
	const char *resource = jsonu_str(e, "objectRef.resource");
	const char *sub = jsonu_str(e, "objectRef.subresource");
	json_t *req = json_object_get(e, "requestObject"), *resp = json_object_get(e, "responseObject");
	int n = 0;

	if (resource && !strcmp(resource, "secrets") && !sub) {
		n += redact_secret(req);
		n += redact_secret(resp);
	}
	if (resource && !strcmp(resource, "serviceaccounts") && sub && !strcmp(sub, "token"))
		n += redact_member(json_object_get(resp, "status"), "token");
	n += redact_walk(req) + redact_walk(resp);
	n += jsonu_redact(e, secret_keys);
	return n;
}

/* One Event; raw/raw_len are the bytes to store as its raw record. */
static int import_event(struct imp_ctx *ctx, struct state *st, json_t *e, const struct jframe_record *rec,
			const void *raw, size_t raw_len)
{
	static const char *const time_keys[] = { "stageTimestamp", "requestReceivedTimestamp", "timestamp",
						  "metadata.creationTimestamp" };
	struct bs_event ev;
	const char *t = NULL, *user, *verb, *stage, *auditid;
	json_t *code;
	int64_t prec = 1;

	bs_event_init(&ev);
	for (size_t i = 0; i < sizeof(time_keys) / sizeof(time_keys[0]) && !t; i++)
		t = jsonu_str(e, time_keys[i]);
	if (!t || bs_time_parse(t, strlen(t), 0, &ev.ts, &prec) < 0) {
		imp_skipped(ctx, rec->offset, "audit event %llu: %s%.64s%s", (unsigned long long)rec->index + 1,
			    t ? "timestamp \"" : "no stageTimestamp, requestReceivedTimestamp or timestamp", t ? t : "",
			    t ? "\" is not a valid time" : "");
		return 0;
	}
	ev.ts_precision = prec;
	ev.source = SRC_K8S_AUDIT;
	verb = jsonu_str(e, "verb");
	ev.type = verb ? verb : "unknown";
	ev.host = json_string_value(json_object_get(e, "ka.cluster.name"));
	if (!ev.host)
		ev.host = ctx->opts->host;
	ev.principal = user = jsonu_str(e, "user.username");
	ev.src_ip = json_string_value(json_array_get(json_object_get(e, "sourceIPs"), 0));
	ev.user_agent = jsonu_str(e, "userAgent");
	code = jsonu_get(e, "responseStatus.code");
	strbuf_reset(&st->tmp);
	if (json_is_integer(code)) {
		strbuf_addi64(&st->tmp, (long long)json_integer_value(code));
		ev.result = st->tmp.buf;
	}
	stage = jsonu_str(e, "stage");
	auditid = jsonu_str(e, "auditID");
	strbuf_reset(&st->key);
	if (auditid) {
		/* auditID and stage, plus a hash of the bytes: samples reuse auditIDs for different
		 * requests, and only a byte-identical copy is the same record. */
		char hex[SHA256_HEX_LEN + 1];
		sha256_hex(rec->data, rec->len, hex);
		hex[16] = '\0';
		strbuf_addf(&st->key, "%s/%s/%s", auditid, stage ? stage : "", hex);
		ev.dedup_key = st->key.buf;
	}
	strbuf_reset(&st->summary);
	strbuf_addf(&st->summary, "%s %s", user ? user : "unknown user", ev.type);
	if (jsonu_str(e, "objectRef.resource")) {
		strbuf_addf(&st->summary, " %s", jsonu_str(e, "objectRef.resource"));
		if (jsonu_str(e, "objectRef.subresource"))
			strbuf_addf(&st->summary, "/%s", jsonu_str(e, "objectRef.subresource"));
		if (jsonu_str(e, "objectRef.namespace"))
			strbuf_addf(&st->summary, " %s/%s", jsonu_str(e, "objectRef.namespace"),
				    jsonu_str(e, "objectRef.name") ? jsonu_str(e, "objectRef.name") : "");
		else if (jsonu_str(e, "objectRef.name"))
			strbuf_addf(&st->summary, " %s", jsonu_str(e, "objectRef.name"));
	} else if (jsonu_str(e, "requestURI")) {
		strbuf_addf(&st->summary, " %s", jsonu_str(e, "requestURI"));
	}
	if (jsonu_str(e, "impersonatedUser.username"))
		strbuf_addf(&st->summary, " as %s", jsonu_str(e, "impersonatedUser.username"));
	if (ev.result)
		strbuf_addf(&st->summary, " -> %s", ev.result);
	if (stage && strcmp(stage, "ResponseComplete"))
		strbuf_addf(&st->summary, " (%s)", stage);
	ev.summary = st->summary.buf;
	ev.offset = rec->offset;
	ev.raw = raw;
	ev.raw_len = raw_len;
	build_fields(st, e, user, verb, json_is_integer(code) ? json_integer_value(code) : BS_NONE);
	ev.fields = st->fields.buf;
	return imp_emit(ctx, &ev);
}

static int dispatch(struct imp_ctx *ctx, struct state *st, json_t *v, const struct jframe_record *rec)
{
	json_t *log, *e = NULL;
	int r;

	if (!json_is_object(v)) {
		imp_skipped(ctx, rec->offset, "audit event %llu: not a JSON object", (unsigned long long)rec->index + 1);
		return 0;
	}
	log = jsonu_get(v, "properties.log");
	if (json_is_string(log)) {
		json_error_t jerr;
		e = jsonu_loads(json_string_value(log), 0, &jerr);
		if (!json_is_object(e)) {
			imp_skipped(ctx, rec->offset, "audit event %llu: AKS properties.log is not a JSON object: %s",
				    (unsigned long long)rec->index + 1, e ? "another value" : jerr.text);
			json_decref(e);
			return 0;
		}
	} else if (json_is_object(log)) {
		e = json_incref(log);
	} else if (json_is_object(json_object_get(v, "protoPayload"))) {
		e = from_gke(v);
	} else {
		e = json_incref(v);
	}
	if (!json_is_string(json_object_get(e, "kind")) || strcmp(json_string_value(json_object_get(e, "kind")), "Event")) {
		/* EventList batches are streamed by the framer; anything else is not an audit event. */
		if (!json_object_get(e, "auditID") || !json_object_get(e, "verb")) {
			imp_skipped(ctx, rec->offset, "audit event %llu: not an audit.k8s.io Event (kind %s)",
				    (unsigned long long)rec->index + 1,
				    json_is_string(json_object_get(e, "kind")) ? json_string_value(json_object_get(e, "kind"))
									       : "missing or not a string");
			json_decref(e);
			return 0;
		}
	}
	if (redact_event(e) > 0) {
		/* Store the redacted record. The GKE rewrite and an AKS object share their request and
		 * response with v, so v already holds the redacted values; a string-wrapped AKS Event is
		 * written back into its wrapper. */
		if (json_is_string(log)) {
			strbuf_reset(&st->raw);
			jsonu_write(&st->raw, e);
			json_string_setn(log, st->raw.buf, st->raw.len);
		}
		strbuf_reset(&st->raw);
		jsonu_write(&st->raw, v);
		r = import_event(ctx, st, e, rec, st->raw.buf, st->raw.len);
	} else {
		r = import_event(ctx, st, e, rec, rec->data, rec->len);
	}
	json_decref(e);
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
			imp_truncated(ctx, at, "audit event %llu is not valid JSON: %s", (unsigned long long)rec.index + 1,
				      jerr.text);
			return 0;
		}
		imp_skipped(ctx, at, "audit event %llu (at byte %llu) is not valid JSON: %s", (unsigned long long)rec.index + 1,
			    (unsigned long long)rec.offset, jerr.text);
		return 1;
	}
	r = dispatch(ctx, st, v, &rec);
	json_decref(v);
	jsonu_arena_release();
	return r < 0 ? r : 1;
}

const struct importer imp_k8s_audit = {
	.name = "k8s_audit",
	.summary = "Kubernetes API server audit logs (JSON Lines, EventList; GKE and AKS wrappers)",
	.version = "2",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
