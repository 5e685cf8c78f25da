/* test-k8s-audit: the Kubernetes audit importer against ../shared/corpus/k8s_audit — counts per
 * file, the ka.* fields Falco's k8s_audit rules test in the traces its oracle names, stages,
 * impersonation, the GKE and AKS wrappers, EventList batches and damage. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtest.h"
#include "testutil.h"

#define K8S "k8s_audit"
#define FALCO_ONE(name) { "falco__" name ".json", 1, 0, "complete" }

static const struct corpus_expect corpus[] = {
	/* 757 events: 320 RequestReceived + 437 ResponseComplete (PROVENANCE), each kept. */
	{ "audit2rbac__apiserver-log-v1beta1-757-events.log", 757, 0, "complete" },
	{ "elastic-ELv2__aks-wrapper-log-as-string.log", 1, 0, "complete" },
	/* 5 lines, two of them identical: 4 events. */
	{ "elastic-ELv2__mixed-native-gke-aks.log", 4, 0, "complete" },
	/* `{"kind": 0}` (Falco FAL-01-003): not an Event, skipped. */
	{ "falco__fal_01_003.json", 0, 1, "complete" },
	{ "falco__create_configmap_sensitive_values.json", 6, 0, "complete" },
	FALCO_ONE("anonymous_creates_namespace_foo"),
	FALCO_ONE("attach_cluster_admin_role"),
	FALCO_ONE("attach_pod"),
	FALCO_ONE("create_cluster_role_pod_exec"),
	FALCO_ONE("create_cluster_role_wildcard_resources"),
	FALCO_ONE("create_cluster_role_wildcard_verbs"),
	FALCO_ONE("create_cluster_role_write_privileges"),
	FALCO_ONE("create_clusterrole"),
	FALCO_ONE("create_clusterrolebinding"),
	FALCO_ONE("create_configmap"),
	FALCO_ONE("create_configmap_no_sensitive_values"),
	FALCO_ONE("create_deployment"),
	FALCO_ONE("create_kube_system_secret"),
	FALCO_ONE("create_nginx_pod_hostnetwork"),
	FALCO_ONE("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container"),
	FALCO_ONE("create_nginx_pod_nohostnetwork"),
	FALCO_ONE("create_nginx_pod_privileged"),
	FALCO_ONE("create_nginx_pod_privileged_2nd_container"),
	FALCO_ONE("create_nginx_pod_sensitive_mount"),
	FALCO_ONE("create_nginx_pod_sensitive_mount_2nd_container"),
	FALCO_ONE("create_nginx_pod_unprivileged"),
	FALCO_ONE("create_nginx_pod_unsensitive_mount"),
	FALCO_ONE("create_nginx_service_nodeport"),
	FALCO_ONE("create_nginx_service_nonodeport"),
	FALCO_ONE("create_pod_kube_public_namespace"),
	FALCO_ONE("create_pod_kube_system_namespace"),
	FALCO_ONE("create_secret"),
	FALCO_ONE("create_service"),
	FALCO_ONE("create_service_account_token_secret"),
	FALCO_ONE("create_serviceaccount"),
	FALCO_ONE("create_serviceaccount_kube_public_namespace"),
	FALCO_ONE("create_serviceaccount_kube_system_namespace"),
	FALCO_ONE("delete_cluster_role_kube_aggregator"),
	FALCO_ONE("delete_clusterrole"),
	FALCO_ONE("delete_clusterrolebinding"),
	FALCO_ONE("delete_configmap"),
	FALCO_ONE("delete_deployment"),
	FALCO_ONE("delete_namespace_foo"),
	FALCO_ONE("delete_secret"),
	FALCO_ONE("delete_service"),
	FALCO_ONE("delete_serviceaccount"),
	FALCO_ONE("exec_pod"),
	FALCO_ONE("minikube_creates_namespace_foo"),
	FALCO_ONE("modify_cluster_role_node_problem_detector"),
	FALCO_ONE("some-user_creates_namespace_foo"),
};

Test(k8s_audit, every_corpus_file_imports_as_expected)
{
	REQUIRE_SHARED();
	/* The oracle YAML is an expectation file, not evidence: not in the table. */
	cloud_check_corpus(K8S, corpus, sizeof(corpus) / sizeof(corpus[0]));
}

/* {trace, SQL expression over the event, expected}: the fields the Falco rules named in
 * falco__k8s_audit_tests.oracle.yaml test on that trace, checked against the trace itself. */
static const struct {
	const char *file, *expr, *expected;
} fields[] = {
	{ "exec_pod", "type || '|' || json_extract(fields, '$.\"ka.target.subresource\"') || '|' || result", "create|exec|101" },
	{ "attach_pod", "json_extract(fields, '$.\"ka.target.subresource\"')", "attach" },
	{ "anonymous_creates_namespace_foo", "principal || '|' || json_extract(fields, '$.\"ka.target.resource\"') || '|' || "
					     "json_extract(fields, '$.\"ka.target.name\"')", "system:anonymous|namespaces|foo" },
	{ "attach_cluster_admin_role", "json_extract(fields, '$.\"ka.req.binding.role\"')", "cluster-admin" },
	{ "create_cluster_role_wildcard_verbs", "json_extract(fields, '$.\"ka.req.role.rules.verbs\"')", "[\"*\",\"get\"]" },
	{ "create_nginx_pod_privileged_2nd_container", "json_extract(fields, '$.\"ka.req.pod.containers.privileged\"')",
	  "[false,true]" },
	{ "create_nginx_pod_sensitive_mount", "json_extract(fields, '$.\"ka.req.pod.volumes.hostpath\"')", "[\"/etc\"]" },
	{ "create_nginx_pod_hostnetwork", "json_extract(fields, '$.\"ka.req.pod.host_network\"')", "1" },
	{ "create_nginx_service_nodeport", "json_extract(fields, '$.\"ka.req.service.type\"')", "NodePort" },
	{ "create_deployment", "json_extract(fields, '$.\"ka.req.pod.containers.image\"')", "[\"nginx\"]" },
	{ "create_configmap_sensitive_values",
	  "count(*) || '|' || sum(json_extract(fields, '$.\"ka.req.configmap.obj\"') IS NOT NULL)", "6|6" },
};

Test(k8s_audit, falco_rule_fields_are_present_on_their_traces)
{
	REQUIRE_SHARED();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct strbuf row = STRBUF_INIT, sql = STRBUF_INIT, path = STRBUF_INIT;
		char name[32], *db;
		strbuf_addf(&path, "falco__%s.json", fields[i].file);
		snprintf(name, sizeof(name), "c%zu.db", i);
		db = cloud_import(name, NULL, NULL, cloud_corpus(K8S, path.buf), NULL);
		strbuf_addf(&sql, "SELECT %s FROM events", fields[i].expr);
		cloud_text(db, sql.buf, &row);
		cr_expect_str_eq(row.buf, fields[i].expected, "%s: %s", fields[i].file, fields[i].expr);
		free(db);
		strbuf_release(&row);
		strbuf_release(&sql);
		strbuf_release(&path);
	}
}

Test(k8s_audit, stages_impersonation_and_ipv6_sources_of_a_real_log)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(K8S, "audit2rbac__apiserver-log-v1beta1-757-events.log"), NULL);

	cloud_text(db, "SELECT json_extract(fields, '$.\"ka.stage\"'), count(*) FROM events GROUP BY 1 ORDER BY 1", &row);
	cr_expect_str_eq(row.buf, "RequestReceived|320\nResponseComplete|437");
	strbuf_reset(&row);
	cloud_text(db,
		   "SELECT json_extract(fields, '$.\"ka.impuser.name\"'), count(*) FROM events"
		   " WHERE json_extract(fields, '$.\"ka.impuser.name\"') IS NOT NULL GROUP BY 1 ORDER BY 1",
		   &row);
	cr_expect_str_eq(row.buf, "alice|3\nbob|29\nsystem:serviceaccount:ns1:sa1|5");
	strbuf_reset(&row);
	cloud_text(db, "SELECT DISTINCT src_ip FROM events", &row);
	cr_expect_str_eq(row.buf, "::1");
	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM events WHERE result = '403'"),
		     cloud_int(db, "SELECT count(*) FROM events WHERE json_extract(fields, '$.\"ka.response.code\"') = 403"));
	cr_expect_gt(cloud_int(db, "SELECT count(*) FROM events WHERE result = '403'"), 0);
	strbuf_release(&row);
	free(db);
}

Test(k8s_audit, gke_and_aks_wrappers_map_onto_the_same_fields)
{
	REQUIRE_SHARED();
	struct strbuf row = STRBUF_INIT;
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(K8S, "elastic-ELv2__mixed-native-gke-aks.log"),
				cloud_corpus(K8S, "elastic-ELv2__aks-wrapper-log-as-string.log"), NULL);

	cloud_text(db,
		   "SELECT type, principal, src_ip, user_agent, result, host, json_extract(fields, '$.\"ka.target.resource\"')"
		   " FROM events WHERE principal IN ('system:gke-master-healthcheck', 'aksService') ORDER BY id",
		   &row);
	cr_expect_str_eq(row.buf,
			 "get|system:gke-master-healthcheck|67.43.156.1|gke-master-healthcheck|0|test-cluster|readyz\n"
			 "update|aksService|67.43.156.1|elastic-agent/v0.0.0 (linux/amd64) kubernetes/$Format|200|NULL|leases\n"
			 "update|aksService|172.31.51.172|approver/v0.0.0 (linux/amd64) kubernetes/$Format/leader-election|200|NULL|leases");
	cr_expect_eq(cloud_int(db, "SELECT count(*) FROM event_sources"), 1, "the repeated line is one event");
	strbuf_release(&row);
	free(db);
}

Test(k8s_audit, eventlist_batches_and_damaged_lines)
{
	static const char batch[] =
		"{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[\n"
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\",\"stage\":\"ResponseComplete\","
		"\"verb\":\"list\",\"user\":{\"username\":\"u1\"},\"sourceIPs\":[\"10.0.0.1\"],\"requestURI\":\"/api/v1/pods\","
		"\"stageTimestamp\":\"2024-02-01T00:00:00.123456Z\"},\n"
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a2\",\"stage\":\"ResponseComplete\","
		"\"verb\":\"delete\",\"user\":{\"username\":\"u2\"},\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ns\","
		"\"name\":\"s\"},\"stageTimestamp\":\"2024-02-01T00:00:01Z\"}]}\n";
	static const char lines[] =
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
		"\"stageTimestamp\":\"2024-02-01T00:00:00Z\"}\n"
		"{\"kind\":\"Event\",\"auditID\":\"b2\",\"verb\":\"get\",\"stageTimestamp\":\"2024-02-01T00:00:0\n"
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b3\",\"stage\":\"ResponseComplete\",\"verb\":\"watch\","
		"\"stageTimestamp\":\"2024-02-01T00:00:02Z\"}\n";
	char *f1 = test_path("batch.json"), *f2 = test_path("lines.log"), *db;
	struct strbuf row = STRBUF_INIT;

	cr_assert(test_write_file(f1, batch, sizeof(batch) - 1));
	cr_assert(test_write_file(f2, lines, sizeof(lines) - 1));
	db = cloud_import("c.db", NULL, NULL, f1, f2, NULL);
	cloud_text(db, "SELECT evidence_id, summary, ts_precision FROM events ORDER BY id", &row);
	cr_expect_str_eq(row.buf,
			 "1|u1 list /api/v1/pods|1000\n"
			 "1|u2 delete secrets ns/s|1000000000\n"
			 "2|unknown user get|1000000000\n"
			 "2|unknown user watch|1000000000");
	strbuf_reset(&row);
	cloud_text(db, "SELECT evidence_id, offset, severity FROM evidence_issues", &row);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "2|%td|skipped", strstr(lines, "{\"kind\":\"Event\",\"auditID\":\"b2\"") - lines);
	cr_expect_str_eq(row.buf, want.buf);
	strbuf_release(&want);
	strbuf_release(&row);
	free(f1);
	free(f2);
	free(db);
}

/* Secrets in audit records (RequestResponse level): {what, one JSON line, secret values that must
 * appear nowhere in the case, text the redacted raw record must still hold}. */
#define K8S_EV(extra) \
	"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"auditID\":\"x\"," \
	"\"stage\":\"ResponseComplete\",\"user\":{\"username\":\"mallory\"},\"stageTimestamp\":\"2024-02-01T00:00:00Z\"," extra "}"
static const struct {
	const char *what, *line, *secrets[3], *kept;
} secret_cases[] = {
	{ "create secret: data, stringData and the last-applied copy",
	  K8S_EV("\"verb\":\"create\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\",\"name\":\"db\"},"
		 "\"requestObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\",\"annotations\":"
		 "{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{\\\"password\\\":\\\"SECRETB64AAA\\\"}}\"}},"
		 "\"data\":{\"password\":\"SECRETB64AAA\"},\"stringData\":{\"api-key\":\"PLAINKEYBBB\"}},"
		 "\"responseObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"data\":{\"password\":\"SECRETB64AAA\"}}"),
	  { "SECRETB64AAA", "PLAINKEYBBB", NULL }, "\"password\":\"REDACTED\"" },
	{ "list secrets: every item of the SecretList",
	  K8S_EV("\"verb\":\"list\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\"},"
		 "\"responseObject\":{\"kind\":\"SecretList\",\"items\":[{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"ITEMONECCC\"}},"
		 "{\"metadata\":{\"name\":\"b\"},\"data\":{\"k\":\"ITEMTWODDD\"}}]}"),
	  { "ITEMONECCC", "ITEMTWODDD", NULL }, "\"name\":\"b\"" },
	{ "merge patch of a secret (no kind in the body)",
	  K8S_EV("\"verb\":\"patch\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\",\"name\":\"db\"},"
		 "\"requestObject\":{\"data\":{\"password\":\"PATCHEDEEE\"}}"),
	  { "PATCHEDEEE", NULL, NULL }, "\"password\":\"REDACTED\"" },
	{ "JSON patch of a secret",
	  K8S_EV("\"verb\":\"patch\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"prod\",\"name\":\"db\"},"
		 "\"requestObject\":[{\"op\":\"replace\",\"path\":\"/data/password\",\"value\":\"JSONPATCHFFF\"}]"),
	  { "JSONPATCHFFF", NULL, NULL }, "\"path\":\"/data/password\"" },
	{ "service account token request",
	  K8S_EV("\"verb\":\"create\",\"objectRef\":{\"resource\":\"serviceaccounts\",\"namespace\":\"prod\",\"name\":\"app\","
		 "\"subresource\":\"token\"},\"responseObject\":{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\","
		 "\"status\":{\"token\":\"eyJTOKENGGG\",\"expirationTimestamp\":\"2024-02-01T01:00:00Z\"}}"),
	  { "eyJTOKENGGG", NULL, NULL }, "\"expirationTimestamp\":\"2024-02-01T01:00:00Z\"" },
	{ "token review",
	  K8S_EV("\"verb\":\"create\",\"objectRef\":{\"resource\":\"tokenreviews\"},\"requestObject\":{\"kind\":\"TokenReview\","
		 "\"spec\":{\"token\":\"eyJREVIEWHHH\"}}"),
	  { "eyJREVIEWHHH", NULL, NULL }, "\"kind\":\"TokenReview\"" },
	{ "AWS credentials anywhere",
	  K8S_EV("\"verb\":\"create\",\"objectRef\":{\"resource\":\"widgets\"},\"requestObject\":{\"spec\":"
		 "{\"aws_secret_access_key\":\"AWSSECRETIII\",\"sessionToken\":\"AWSTOKENJJJ\"}}"),
	  { "AWSSECRETIII", "AWSTOKENJJJ", NULL }, "\"aws_secret_access_key\":\"REDACTED\"" },
	{ "GKE Cloud Logging entry for a secret",
	  "{\"insertId\":\"g1\",\"logName\":\"projects/p/logs/cloudaudit.googleapis.com%2Factivity\",\"protoPayload\":"
	  "{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\",\"methodName\":\"io.k8s.core.v1.secrets.create\","
	  "\"resourceName\":\"core/v1/namespaces/prod/secrets/db\",\"authenticationInfo\":{\"principalEmail\":\"m@example.com\"},"
	  "\"request\":{\"@type\":\"core.k8s.io/v1.Secret\",\"kind\":\"Secret\",\"data\":{\"password\":\"GKESECRETKKK\"}}},"
	  "\"resource\":{\"labels\":{\"cluster_name\":\"c1\"}},\"timestamp\":\"2024-02-01T00:00:00Z\"}",
	  { "GKESECRETKKK", NULL, NULL }, "\"insertId\":\"g1\"" },
	{ "AKS diagnostic log with the Event as a string",
	  "{\"category\":\"kube-audit\",\"operationName\":\"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read\","
	  "\"time\":\"2024-02-01T00:00:00Z\",\"properties\":{\"log\":\"{\\\"kind\\\":\\\"Event\\\",\\\"apiVersion\\\":"
	  "\\\"audit.k8s.io/v1\\\",\\\"auditID\\\":\\\"k\\\",\\\"stage\\\":\\\"ResponseComplete\\\",\\\"verb\\\":\\\"get\\\","
	  "\\\"objectRef\\\":{\\\"resource\\\":\\\"secrets\\\",\\\"namespace\\\":\\\"prod\\\",\\\"name\\\":\\\"db\\\"},"
	  "\\\"responseObject\\\":{\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":{\\\"password\\\":\\\"AKSSECRETLLL\\\"}},"
	  "\\\"stageTimestamp\\\":\\\"2024-02-01T00:00:00Z\\\"}\"}}",
	  { "AKSSECRETLLL", NULL, NULL }, "\\\"password\\\":\\\"REDACTED\\\"" },
};

Test(k8s_audit, secrets_are_redacted_in_fields_and_raw_records)
{
	for (size_t i = 0; i < sizeof(secret_cases) / sizeof(secret_cases[0]); i++) {
		struct strbuf row = STRBUF_INIT, raw = STRBUF_INIT, name = STRBUF_INIT;
		char *f, *db;
		strbuf_addf(&name, "secret-%zu.log", i);
		f = test_path(name.buf);
		cr_assert(test_write_file(f, secret_cases[i].line, strlen(secret_cases[i].line)));
		strbuf_reset(&name);
		strbuf_addf(&name, "secret-%zu.db", i);
		db = cloud_import(name.buf, NULL, NULL, f, NULL);
		cr_assert_eq(cloud_int(db, "SELECT count(*) FROM events"), 1, "%s: imported", secret_cases[i].what);
		cloud_text(db, "SELECT summary, fields FROM events", &row);
		cloud_raw(db, 1, &raw);
		for (size_t k = 0; k < 3 && secret_cases[i].secrets[k]; k++) {
			cr_expect_null(strstr(row.buf, secret_cases[i].secrets[k]), "%s: %s in fields: %s", secret_cases[i].what,
				       secret_cases[i].secrets[k], row.buf);
			cr_expect_null(strstr(raw.buf, secret_cases[i].secrets[k]), "%s: %s in the raw record: %s",
				       secret_cases[i].what, secret_cases[i].secrets[k], raw.buf);
		}
		cr_expect_not_null(strstr(raw.buf, secret_cases[i].kept), "%s: raw record lost %s: %s", secret_cases[i].what,
				   secret_cases[i].kept, raw.buf);
		cr_expect_not_null(strstr(row.buf, "REDACTED"), "%s: %s", secret_cases[i].what, row.buf);
		strbuf_release(&row);
		strbuf_release(&raw);
		strbuf_release(&name);
		free(f);
		free(db);
	}
}

/* A Secret's key names, and a Falco trace without a payload, are untouched. */
Test(k8s_audit, redaction_keeps_key_names_and_leaves_metadata_level_records_as_they_are)
{
	REQUIRE_SHARED();
	struct strbuf raw = STRBUF_INIT, want = STRBUF_INIT, row = STRBUF_INIT;
	char *f = test_path("s.log");
	char *db = cloud_import("c.db", NULL, NULL, cloud_corpus(K8S, "falco__create_secret.json"), NULL);
	FILE *in = fopen(cloud_corpus(K8S, "falco__create_secret.json"), "r");
	char buf[8192];
	size_t n;

	cr_assert_not_null(in);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	strbuf_add(&want, buf, n);
	while (want.len && (want.buf[want.len - 1] == '\n'))
		want.buf[--want.len] = '\0';
	cloud_raw(db, 1, &raw);
	cr_expect_str_eq(raw.buf, want.buf, "a record without secrets is stored byte for byte");
	free(db);
	cr_assert(test_write_file(f, secret_cases[0].line, strlen(secret_cases[0].line)));
	db = cloud_import("c2.db", NULL, NULL, f, NULL);
	cloud_text(db, "SELECT json_extract(fields, '$.\"ka.requestobject\".data'), json_extract(fields, '$.\"ka.target.resource\"') FROM events", &row);
	cr_expect_str_eq(row.buf, "{\"password\":\"REDACTED\"}|secrets");
	strbuf_release(&raw);
	strbuf_release(&want);
	strbuf_release(&row);
	free(f);
	free(db);
}
