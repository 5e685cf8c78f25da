/* fields-k8s: the field table of source `k8s_audit` — the Falco k8saudit plugin's ka.* fields and
 * jevt.* (the whole audit record by JSON pointer).
 *
 * Follows ../shared/reference/falco.md §b and the plugin's field list. The acting user, user
 * agent, source address and response code are typed columns; jevt.value[...] reads the raw audit
 * record, so it answers any pointer. List fields (ka.req.pod.containers.image ...) are arrays in
 * `fields`; ka.req.pod.containers.image[0] indexes them.
 */
#include "fields.h"

#define COLF(name, type, col, desc) { name, type, 0, desc, fx_col, COL_##col }
#define FLD(name, type, flags, desc) { name, type, flags, desc, NULL, 0 }
#define LIST(name, desc) { name, FT_LIST, FF_ARG_INDEX, desc, NULL, 0 }

static int fx_rawtime(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	out->kind = V_INT;
	out->i = ev->ts;
	return 1;
}

static int fx_obj(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	return fval_from_json(ev_raw(ev), FT_STR, out, sc);
}

const struct field_def fields_k8s[] = {
	FLD("ka.auditid", FT_STR, 0, "auditID of the audit event"),
	FLD("ka.stage", FT_STR, 0, "stage of the audit event: RequestReceived, ResponseComplete ..."),
	FLD("ka.auth.decision", FT_STR, 0, "authorization decision: allow or forbid"),
	FLD("ka.auth.reason", FT_STR, 0, "authorization reason"),
	FLD("ka.auth.openshift.scc", FT_STR, 0, "OpenShift security context constraint that admitted the request"),
	COLF("ka.user.name", FT_STR, principal, "user name of the request (events.principal)"),
	LIST("ka.user.groups", "groups of the requesting user"),
	FLD("ka.impuser.name", FT_STR, 0, "impersonated user name"),
	FLD("ka.verb", FT_STR, 0, "action: create, update, patch, delete, get, list, watch ..."),
	FLD("ka.uri", FT_STR, 0, "request URI as sent from client to server"),
	FLD("ka.uri.param", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "a query parameter of the URI: ka.uri.param[name]"),
	FLD("ka.target.name", FT_STR, 0, "target object name"),
	FLD("ka.target.namespace", FT_STR, 0, "target object namespace"),
	FLD("ka.target.resource", FT_STR, 0, "target object resource: pods, secrets, configmaps ..."),
	FLD("ka.target.subresource", FT_STR, 0, "target object subresource: exec, attach ..."),
	FLD("ka.target.pod.name", FT_STR, 0, "target pod name"),
	FLD("ka.req.binding.subjects", FT_LIST, FF_ARG_INDEX, "subjects of a role binding being created"),
	FLD("ka.req.binding.subject.has_name", FT_BOOL, FF_ARG_KEY, "a binding subject has name ARG"),
	FLD("ka.req.binding.role", FT_STR, 0, "role of a role binding being created"),
	FLD("ka.req.configmap.name", FT_STR, 0, "name of a configmap being created or modified"),
	FLD("ka.req.configmap.obj", FT_STR, 0, "the entire configmap object, as JSON"),
	LIST("ka.req.pod.containers.image", "container images of a pod being created"),
	LIST("ka.req.container.image", "deprecated: ka.req.pod.containers.image"),
	LIST("ka.req.pod.containers.image.repository", "repositories of the container images of a pod"),
	LIST("ka.req.container.image.repository", "deprecated: ka.req.pod.containers.image.repository"),
	LIST("ka.req.pod.containers.host_ipc", "deprecated host_ipc per container"),
	FLD("ka.req.pod.host_ipc", FT_BOOL, 0, "hostIPC of a pod being created"),
	FLD("ka.req.pod.host_network", FT_BOOL, 0, "hostNetwork of a pod being created"),
	FLD("ka.req.container.host_network", FT_BOOL, 0, "deprecated: ka.req.pod.host_network"),
	FLD("ka.req.pod.host_pid", FT_BOOL, 0, "hostPID of a pod being created"),
	LIST("ka.req.pod.containers.host_port", "host ports of the containers of a pod"),
	LIST("ka.req.pod.containers.privileged", "privileged flags of the containers of a pod (true/false each)"),
	LIST("ka.req.container.privileged", "deprecated: ka.req.pod.containers.privileged"),
	LIST("ka.req.pod.initContainers.privileged", "privileged flags of the init containers of a pod"),
	LIST("ka.req.pod.initContainers.image", "container images of the init containers of a pod"),
	LIST("ka.req.pod.initContainers.image.repository", "repositories of the init containers' images"),
	LIST("ka.req.pod.initContainers.host_port", "host ports of the init containers of a pod"),
	LIST("ka.req.pod.initContainers.allow_privilege_escalation", "allowPrivilegeEscalation per init container"),
	LIST("ka.req.pod.initContainers.read_only_fs", "readOnlyRootFilesystem per init container"),
	LIST("ka.req.pod.initContainers.run_as_user", "runAsUser per init container"),
	LIST("ka.req.pod.initContainers.eff_run_as_user", "effective runAsUser per init container"),
	LIST("ka.req.pod.initContainers.run_as_group", "runAsGroup per init container"),
	LIST("ka.req.pod.initContainers.eff_run_as_group", "effective runAsGroup per init container"),
	LIST("ka.req.pod.initContainers.proc_mount", "procMount per init container"),
	LIST("ka.req.pod.initContainers.add_capabilities", "capabilities added per init container"),
	LIST("ka.req.pod.ephemeralContainers.privileged", "privileged flags of the ephemeral containers of a pod"),
	LIST("ka.req.pod.ephemeralContainers.image", "container images of the ephemeral containers of a pod"),
	LIST("ka.req.pod.ephemeralContainers.image.repository", "repositories of the ephemeral containers' images"),
	LIST("ka.req.pod.ephemeralContainers.host_port", "host ports of the ephemeral containers of a pod"),
	LIST("ka.req.pod.ephemeralContainers.allow_privilege_escalation", "allowPrivilegeEscalation per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.read_only_fs", "readOnlyRootFilesystem per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.run_as_user", "runAsUser per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.eff_run_as_user", "effective runAsUser per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.run_as_group", "runAsGroup per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.eff_run_as_group", "effective runAsGroup per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.proc_mount", "procMount per ephemeral container"),
	LIST("ka.req.pod.ephemeralContainers.add_capabilities", "capabilities added per ephemeral container"),
	LIST("ka.req.pod.containers.allow_privilege_escalation", "allowPrivilegeEscalation per container"),
	LIST("ka.req.pod.containers.read_only_fs", "readOnlyRootFilesystem per container"),
	LIST("ka.req.pod.run_as_user", "runAsUser of the pod"),
	LIST("ka.req.pod.containers.run_as_user", "runAsUser per container"),
	LIST("ka.req.pod.containers.eff_run_as_user", "effective runAsUser per container"),
	LIST("ka.req.pod.run_as_group", "runAsGroup of the pod"),
	LIST("ka.req.pod.containers.run_as_group", "runAsGroup per container"),
	LIST("ka.req.pod.containers.eff_run_as_group", "effective runAsGroup per container"),
	LIST("ka.req.pod.containers.proc_mount", "procMount per container"),
	LIST("ka.req.role.rules", "rules of a role being created, as JSON each"),
	LIST("ka.req.role.rules.apigroups", "apiGroups of the rules of a role"),
	LIST("ka.req.role.rules.nonresourceurls", "nonResourceURLs of the rules of a role"),
	LIST("ka.req.role.rules.verbs", "verbs of the rules of a role"),
	LIST("ka.req.role.rules.resources", "resources of the rules of a role"),
	LIST("ka.req.pod.fs_group", "fsGroup of the pod"),
	LIST("ka.req.pod.supplemental_groups", "supplementalGroups of the pod"),
	LIST("ka.req.pod.containers.add_capabilities", "capabilities added per container"),
	LIST("ka.req.pod.volumes.hostpath", "hostPath volumes of a pod being created"),
	LIST("ka.req.volume.hostpath", "deprecated: ka.req.pod.volumes.hostpath"),
	LIST("ka.req.pod.volumes.flexvolume_driver", "flexVolume drivers of a pod"),
	LIST("ka.req.pod.volumes.volume_type", "volume types of a pod"),
	FLD("ka.req.pod.ephemeral", FT_BOOL, 0, "the request adds an ephemeral container"),
	FLD("ka.req.pod.init", FT_BOOL, 0, "the pod has init containers"),
	FLD("ka.req.service.type", FT_STR, 0, "type of a service being created"),
	LIST("ka.req.service.ports", "ports of a service being created"),
	FLD("ka.resp.name", FT_STR, 0, "name of the object in the response"),
	COLF("ka.response.code", FT_STR, result, "HTTP response code (events.result)"),
	FLD("ka.response.reason", FT_STR, 0, "response reason"),
	COLF("ka.useragent", FT_STR, user_agent, "user agent of the client (events.user_agent)"),
	LIST("ka.sourceips", "source addresses of the request"),
	{ "jevt.value", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED,
	  "a value of the raw audit record by JSON pointer: jevt.value[/user/username]", fx_json_pointer_raw, 0 },
	{ "jevt.obj", FT_STR, 0, "the whole raw audit record, as JSON", fx_obj, 0 },
	{ "jevt.time", FT_STR, 0, "event time, RFC 3339", NULL, 0 },
	{ "jevt.rawtime", FT_INT, 0, "event time in ns since the epoch (events.ts)", fx_rawtime, 0 },
	{ "json.value", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "as jevt.value", fx_json_pointer_raw, 0 },
};
const size_t fields_k8s_count = sizeof(fields_k8s) / sizeof(fields_k8s[0]);
