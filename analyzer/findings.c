/* findings: alerts → GuardDuty-style findings (type + resource + identity within a window).
 *
 * One pass over the newest run's alerts in time order, groups kept in a hash table by key;
 * then, per finding, the detail JSON (MITRE ATT&CK from the tags, the process and its
 * lineage, the context fields, the evidence events with their provenance) and the rows in
 * `findings` and `finding_alerts`. The rules are documented in findings.h and
 * backsight-report(1); GuardDuty's own aggregation is described in
 * shared/reference/guardduty.md §3.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "findings.h"
#include "jsondump.h"
#include "lineage.h"
#include "sha256.h"

void finding_options_init(struct finding_options *o)
{
	memset(o, 0, sizeof(*o));
	o->window_ns = FINDING_DEFAULT_WINDOW_NS;
}

static const struct {
	const char *name;
	double severity;
} priorities[] = {
	{ "emergency", 10 }, { "alert", 9 },	     { "critical", 8 }, { "error", 7 },	 { "warning", 5 },
	{ "notice", 3 },     { "informational", 2 }, { "info", 2 },	{ "debug", 1 },
};

double finding_severity_from_priority(const char *priority)
{
	if (!priority)
		return 0;
	for (size_t i = 0; i < sizeof(priorities) / sizeof(priorities[0]); i++)
		if (!strcasecmp(priorities[i].name, priority))
			return priorities[i].severity;
	return 0;
}

const char *finding_severity_label(double severity)
{
	if (severity >= 9)
		return "Critical";
	if (severity >= 7)
		return "High";
	if (severity >= 4)
		return "Medium";
	return "Low";
}

/* MITRE ATT&CK tactics: Falco's tag, the tactic's name and id, and the GuardDuty type prefix. */
static const struct {
	const char *tag, *name, *id, *gd_prefix;
} tactics[] = {
	{ "mitre_reconnaissance", "Reconnaissance", "TA0043", "Recon" },
	{ "mitre_resource_development", "Resource Development", "TA0042", NULL },
	{ "mitre_initial_access", "Initial Access", "TA0001", "InitialAccess" },
	{ "mitre_execution", "Execution", "TA0002", "Execution" },
	{ "mitre_persistence", "Persistence", "TA0003", "Persistence" },
	{ "mitre_privilege_escalation", "Privilege Escalation", "TA0004", "PrivilegeEscalation" },
	{ "mitre_defense_evasion", "Defense Evasion", "TA0005", "DefenseEvasion" },
	{ "mitre_credential_access", "Credential Access", "TA0006", "CredentialAccess" },
	{ "mitre_discovery", "Discovery", "TA0007", "Discovery" },
	{ "mitre_lateral_movement", "Lateral Movement", "TA0008", "LateralMovement" },
	{ "mitre_collection", "Collection", "TA0009", NULL },
	{ "mitre_command_and_control", "Command and Control", "TA0011", "Backdoor" },
	{ "mitre_exfiltration", "Exfiltration", "TA0010", "Exfiltration" },
	{ "mitre_impact", "Impact", "TA0040", "Impact" },
};
#define NTACTICS (sizeof(tactics) / sizeof(tactics[0]))

static bool is_technique(const char *s)
{
	/* T1234 or T1234.001 */
	if (s[0] != 'T' && s[0] != 't')
		return false;
	for (int i = 1; i <= 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (!s[5])
		return true;
	if (s[5] != '.')
		return false;
	for (int i = 6; i <= 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return !s[9];
}

/* One alert as the aggregation reads it (strings owned by the row copy). */
struct alert {
	int64_t id, event_id, ts;
	char *rule, *priority, *output, *output_fields, *tags, *host;
	char *evidence_sha256;
	int64_t raw_offset;
};

struct group {
	char *key, *type, *resource_type, *resource_id, *identity;
	struct alert first;
	int64_t first_ts, last_ts, count;
	double severity;
	int64_t *alert_ids, *event_ids;
	size_t nalerts, cap;
	int next; /* hash chain, -1 ends */
	bool closed;
};

struct agg {
	struct group *g;
	size_t n, cap;
	int *buckets;
	size_t nbuckets;
};

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void alert_release(struct alert *a)
{
	free(a->rule);
	free(a->priority);
	free(a->output);
	free(a->output_fields);
	free(a->tags);
	free(a->host);
	free(a->evidence_sha256);
}

static void agg_release(struct agg *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct group *g = &a->g[i];
		free(g->key);
		free(g->type);
		free(g->resource_type);
		free(g->resource_id);
		free(g->identity);
		alert_release(&g->first);
		free(g->alert_ids);
		free(g->event_ids);
	}
	free(a->g);
	free(a->buckets);
}

/* The open group with this key, or -1. */
static int agg_find(struct agg *a, const char *key)
{
	int i = a->buckets[hash_str(key) % a->nbuckets];
	for (; i >= 0; i = a->g[i].next)
		if (!a->g[i].closed && !strcmp(a->g[i].key, key))
			return i;
	return -1;
}

static void agg_rehash(struct agg *a)
{
	a->nbuckets = a->nbuckets ? a->nbuckets * 2 : 256;
	free(a->buckets);
	a->buckets = malloc(a->nbuckets * sizeof(*a->buckets));
	if (!a->buckets)
		abort();
	for (size_t i = 0; i < a->nbuckets; i++)
		a->buckets[i] = -1;
	for (size_t i = 0; i < a->n; i++) {
		size_t b = hash_str(a->g[i].key) % a->nbuckets;
		a->g[i].next = a->buckets[b];
		a->buckets[b] = (int)i;
	}
}

static struct group *agg_add(struct agg *a, char *key)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->g = realloc(a->g, a->cap * sizeof(*a->g));
		if (!a->g)
			abort();
	}
	struct group *g = &a->g[a->n];
	memset(g, 0, sizeof(*g));
	g->key = key;
	size_t b = hash_str(key) % a->nbuckets;
	g->next = a->buckets[b];
	a->buckets[b] = (int)a->n;
	a->n++;
	if (a->n > a->nbuckets)
		agg_rehash(a);
	return &a->g[a->n - 1];
}

static void group_push(struct group *g, int64_t alert_id, int64_t event_id)
{
	if (g->nalerts == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->alert_ids = realloc(g->alert_ids, g->cap * sizeof(*g->alert_ids));
		g->event_ids = realloc(g->event_ids, g->cap * sizeof(*g->event_ids));
		if (!g->alert_ids || !g->event_ids)
			abort();
	}
	g->alert_ids[g->nalerts] = alert_id;
	g->event_ids[g->nalerts] = event_id;
	g->nalerts++;
}

/* The tags column as a JSON array (an empty one when absent or not an array). */
static json_t *tags_of(const char *text)
{
	json_t *t = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_array(t)) {
		json_decref(t);
		t = json_array();
	}
	return t;
}

static char *guardduty_type(json_t *tags)
{
	size_t i;
	json_t *v;
	json_array_foreach(tags, i, v) {
		const char *s = json_string_value(v);
		if (s && !strncasecmp(s, "guardduty:", 10) && s[10])
			return strdup(s + 10);
	}
	return NULL;
}

static double tag_severity(json_t *tags)
{
	size_t i;
	json_t *v;
	json_array_foreach(tags, i, v) {
		const char *s = json_string_value(v);
		if (s && !strncasecmp(s, "severity:", 9)) {
			char *end;
			double d = strtod(s + 9, &end);
			if (end != s + 9 && d >= 1 && d <= 10)
				return d;
		}
	}
	return 0;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* The resource and the identifying parameter of one alert (see findings.h). */
static void classify(const char *source, const char *host, const char *container, const char *principal,
		     const char *akid, const char *exe, const char *proc_name, const char *src_ip,
		     const char *dst_ip, const char *fields, char **ret_rtype, char **ret_rid, char **ret_ident)
{
	const char *rtype = "Instance", *rid = host ? host : "", *ident = "";
	json_t *f = NULL;

	if (source && (!strcmp(source, "aws_cloudtrail") || !strcmp(source, "guardduty")) &&
	    (!empty(akid) || !empty(principal))) {
		rtype = "AccessKey";
		rid = !empty(akid) ? akid : principal;
		ident = src_ip ? src_ip : "";
	} else if (source && !strcmp(source, "k8s_audit")) {
		rtype = "EKSCluster";
		ident = principal ? principal : "";
	} else {
		if (!empty(container) && strcmp(container, "host") != 0) {
			rtype = "Container";
			rid = container;
		}
		if (source && !strcmp(source, "network")) {
			const char *names[] = { "dns.query", "tls.sni", "http.host" };
			f = fields ? json_loads(fields, 0, NULL) : NULL;
			for (size_t i = 0; i < 3 && !*ident; i++) {
				const char *s = json_string_value(json_object_get(f, names[i]));
				if (!empty(s))
					ident = s;
			}
			if (!*ident && dst_ip)
				ident = dst_ip;
		} else {
			ident = !empty(exe) ? exe : proc_name ? proc_name : "";
		}
	}
	*ret_rtype = strdup(rtype);
	*ret_rid = strdup(rid);
	*ret_ident = strdup(ident);
	json_decref(f);
}

static const char alerts_sql[] =
	"SELECT a.id, a.event_id, a.ts, a.rule, a.priority, a.output, a.output_fields, a.tags,"
	" e.source, e.host, e.container_id, e.principal, e.access_key_id, e.exe, e.proc_name, e.src_ip,"
	" e.dst_ip, e.fields, v.sha256, e.raw_offset"
	" FROM alerts a JOIN events e ON e.id = a.event_id LEFT JOIN evidence v ON v.id = e.evidence_id"
	" WHERE a.run_id = (SELECT max(run_id) FROM alerts) ORDER BY a.ts, a.id";

static int collect(struct casedb *cdb, const struct finding_options *opts, struct agg *a, struct strbuf *err)
{
	sqlite3_stmt *st;
	int r;

	if (casedb_prepare(cdb, alerts_sql, &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c[20];
		for (int i = 0; i < 20; i++)
			c[i] = (const char *)sqlite3_column_text(st, i);
		int64_t ts = sqlite3_column_int64(st, 2);
		json_t *tags = tags_of(c[7]);
		char *type = guardduty_type(tags);
		char *rtype, *rid, *ident;
		double sev = tag_severity(tags);

		if (!type)
			type = strdup(c[3] ? c[3] : "");
		if (!sev)
			sev = finding_severity_from_priority(c[4]);
		if (!sev)
			sev = 5;
		classify(c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[16], c[17], &rtype, &rid, &ident);
		struct strbuf key = STRBUF_INIT;
		strbuf_addf(&key, "%s\x1f%s\x1f%s\x1f%s", type, rtype, rid, ident);

		int gi = opts->per_event ? -1 : agg_find(a, key.buf);
		if (gi >= 0 && ts - a->g[gi].first_ts >= opts->window_ns) {
			a->g[gi].closed = true;
			gi = -1;
		}
		struct group *g;
		if (gi < 0) {
			g = agg_add(a, strbuf_detach(&key, NULL));
			g->type = type;
			g->resource_type = rtype;
			g->resource_id = rid;
			g->identity = ident;
			g->first_ts = ts;
			g->first.id = sqlite3_column_int64(st, 0);
			g->first.event_id = sqlite3_column_int64(st, 1);
			g->first.ts = ts;
			g->first.rule = dup_col(st, 3);
			g->first.priority = dup_col(st, 4);
			g->first.output = dup_col(st, 5);
			g->first.output_fields = dup_col(st, 6);
			g->first.tags = dup_col(st, 7);
			g->first.host = dup_col(st, 9);
			g->first.evidence_sha256 = dup_col(st, 18);
			g->first.raw_offset = sqlite3_column_type(st, 19) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 19);
			if (opts->per_event)
				g->closed = true;
		} else {
			g = &a->g[gi];
			free(type);
			free(rtype);
			free(rid);
			free(ident);
			strbuf_release(&key);
		}
		g->last_ts = ts;
		g->count++;
		if (sev > g->severity)
			g->severity = sev;
		group_push(g, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
		json_decref(tags);
	}
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading alerts: %s", sqlite3_errmsg(cdb->db));
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	return 0;
}

/* json helpers: add a string / integer only when present. */
static void set_str(json_t *o, const char *k, const unsigned char *v)
{
	if (v)
		json_object_set_new(o, k, json_string_nocheck((const char *)v));
}

static void set_int_col(json_t *o, const char *k, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		json_object_set_new(o, k, json_integer(sqlite3_column_int64(st, col)));
}

static json_t *mitre_of(const char *type, json_t *tags)
{
	json_t *m = json_object(), *tac = json_array(), *tech = json_array();
	bool have[NTACTICS] = { false };
	size_t i;
	json_t *v;

	json_array_foreach(tags, i, v) {
		const char *s = json_string_value(v);
		if (!s)
			continue;
		for (size_t k = 0; k < NTACTICS; k++)
			if (!strcasecmp(s, tactics[k].tag))
				have[k] = true;
		if (is_technique(s)) {
			char up[16];
			snprintf(up, sizeof(up), "%s", s);
			up[0] = 'T';
			json_array_append_new(tech, json_string(up));
		}
	}
	for (size_t k = 0; k < NTACTICS; k++) {
		size_t plen = tactics[k].gd_prefix ? strlen(tactics[k].gd_prefix) : 0;
		if (plen && !strncmp(type, tactics[k].gd_prefix, plen) && type[plen] == ':')
			have[k] = true;
	}
	for (size_t k = 0; k < NTACTICS; k++)
		if (have[k])
			json_array_append_new(tac, json_pack("{s:s,s:s}", "id", tactics[k].id, "name", tactics[k].name));
	json_object_set_new(m, "tactics", tac);
	json_object_set_new(m, "techniques", tech);
	return m;
}

static void set_int(json_t *o, const char *k, int64_t v)
{
	if (v != BS_NONE)
		json_object_set_new(o, k, json_integer(v));
}

/* A step of the process tree above the event's process, into the lineage array. */
static int ancestor(const struct lineage_step *step, void *lineage)
{
	json_t *a;

	if (step->depth == 0)
		return 0;
	a = json_object();
	set_int(a, "pid", step->pid);
	set_int(a, "ppid", step->ppid);
	set_str(a, "name", (const unsigned char *)step->name);
	set_str(a, "exe", (const unsigned char *)step->exe);
	set_str(a, "args", (const unsigned char *)step->args);
	set_str(a, "cwd", (const unsigned char *)step->cwd);
	set_int(a, "uid", step->uid);
	set_int(a, "euid", step->euid);
	set_int(a, "start_ts", step->start_ts);
	json_array_append_new(lineage, a);
	return 0;
}

/* The actor of an event: from the process tree when the event links to it, else from the
 * host's syscall events (the latest record of each pid, execve preferred). */
static json_t *process_of(struct casedb *cdb, int64_t event_id)
{
	static const char ev_sql[] =
		"SELECT pid, ppid, proc_name, exe, cmdline, cwd, uid, user_name, host, ts, process_id, container_id"
		" FROM events WHERE id = ?";
	static const char ev_pid_sql[] =
		"SELECT pid, ppid, proc_name, exe, cmdline, cwd, uid, user_name, ts FROM events"
		" WHERE host = ?1 AND pid = ?2 AND ts BETWEEN ?3 - 86400000000000 AND ?3 AND source = 'syscall'"
		" ORDER BY type = 'execve' DESC, ts DESC, id DESC LIMIT 1";
	sqlite3_stmt *st = NULL, *q = NULL;
	json_t *p = NULL, *lineage;
	int64_t ppid = BS_NONE, ts = 0;
	char *host = NULL;

	if (sqlite3_prepare_v2(cdb->db, ev_sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, event_id);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
		goto out;
	p = json_object();
	set_int_col(p, "pid", st, 0);
	set_int_col(p, "ppid", st, 1);
	set_str(p, "name", sqlite3_column_text(st, 2));
	set_str(p, "exe", sqlite3_column_text(st, 3));
	set_str(p, "cmdline", sqlite3_column_text(st, 4));
	set_str(p, "cwd", sqlite3_column_text(st, 5));
	set_int_col(p, "uid", st, 6);
	set_str(p, "user", sqlite3_column_text(st, 7));
	set_str(p, "container_id", sqlite3_column_text(st, 11));
	host = dup_col(st, 8);
	ts = sqlite3_column_int64(st, 9);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		ppid = sqlite3_column_int64(st, 1);
	lineage = json_array();
	json_object_set_new(p, "lineage", lineage);

	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		/* the process tree: the ancestors of the event's process */
		lineage_walk(cdb, sqlite3_column_int64(st, 10), FINDING_MAX_LINEAGE + 1, ancestor, lineage);
		goto out;
	}

	/* no process tree: walk the ppids through the host's syscall events of the day before
	 * (index events_host_pid) */
	if (sqlite3_prepare_v2(cdb->db, ev_pid_sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	int64_t seen[FINDING_MAX_LINEAGE];
	for (int depth = 0; host && ppid != BS_NONE && ppid > 0 && depth < FINDING_MAX_LINEAGE; depth++) {
		for (int k = 0; k < depth; k++)
			if (seen[k] == ppid)
				goto out;
		seen[depth] = ppid;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, host, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, ppid);
		sqlite3_bind_int64(q, 3, ts);
		json_t *a = json_object();
		json_array_append_new(lineage, a);
		if (sqlite3_step(q) != SQLITE_ROW) {
			json_object_set_new(a, "pid", json_integer(ppid));
			break;
		}
		set_int_col(a, "pid", q, 0);
		set_int_col(a, "ppid", q, 1);
		set_str(a, "name", sqlite3_column_text(q, 2));
		set_str(a, "exe", sqlite3_column_text(q, 3));
		set_str(a, "cmdline", sqlite3_column_text(q, 4));
		set_str(a, "cwd", sqlite3_column_text(q, 5));
		set_int_col(a, "uid", q, 6);
		set_str(a, "user", sqlite3_column_text(q, 7));
		ppid = sqlite3_column_type(q, 1) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(q, 1);
		ts = sqlite3_column_int64(q, 8);
	}
out:
	sqlite3_finalize(q);
	sqlite3_finalize(st);
	free(host);
	return p;
}

static json_t *evidence_of(struct casedb *cdb, const struct group *g)
{
	static const char sql[] =
		"SELECT e.id, e.ts, e.source, e.type, e.host, e.summary, v.name, v.sha256, e.raw_offset, e.raw_length"
		" FROM events e LEFT JOIN evidence v ON v.id = e.evidence_id WHERE e.id = ?";
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int64_t last = -1;

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return arr;
	for (size_t i = 0; i < g->nalerts && json_array_size(arr) < FINDING_MAX_EVIDENCE; i++) {
		if (g->event_ids[i] == last)
			continue; /* two rules on one event */
		last = g->event_ids[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, g->event_ids[i]);
		if (sqlite3_step(st) != SQLITE_ROW)
			continue;
		json_t *e = json_object();
		set_int_col(e, "event_id", st, 0);
		set_int_col(e, "ts", st, 1);
		set_str(e, "source", sqlite3_column_text(st, 2));
		set_str(e, "type", sqlite3_column_text(st, 3));
		set_str(e, "host", sqlite3_column_text(st, 4));
		set_str(e, "summary", sqlite3_column_text(st, 5));
		set_str(e, "evidence", sqlite3_column_text(st, 6));
		set_str(e, "sha256", sqlite3_column_text(st, 7));
		set_int_col(e, "offset", st, 8);
		set_int_col(e, "length", st, 9);
		json_array_append_new(arr, e);
	}
	sqlite3_finalize(st);
	return arr;
}

/* The case file's identifiers of a host: instance id, ECS task ARN (and its task id), role. */
static void case_identity(json_t *r, const json_t *hosts, const char *host)
{
	const json_t *h = host ? json_object_get(hosts, host) : NULL;
	const char *arn = json_string_value(json_object_get(h, "task_arn"));
	static const char *const keys[] = { "instance_id", "task_arn", "role" };

	for (size_t i = 0; i < 3; i++)
		if (json_is_string(json_object_get(h, keys[i])))
			json_object_set(r, keys[i], json_object_get(h, keys[i]));
	if (arn && strrchr(arn, '/'))
		json_object_set_new(r, "ecs_task_id", json_string_nocheck(strrchr(arn, '/') + 1));
}

static json_t *resource_of(struct casedb *cdb, const struct group *g, const json_t *hosts)
{
	static const char sql[] =
		"SELECT host, container_id, principal, access_key_id, src_ip FROM events WHERE id = ?";
	sqlite3_stmt *st;
	json_t *r = json_object();

	json_object_set_new(r, "type", json_string_nocheck(g->resource_type));
	json_object_set_new(r, "id", json_string_nocheck(g->resource_id));

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return r;
	sqlite3_bind_int64(st, 1, g->first.event_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		set_str(r, "host", sqlite3_column_text(st, 0));
		set_str(r, "container_id", sqlite3_column_text(st, 1));
		set_str(r, "principal", sqlite3_column_text(st, 2));
		set_str(r, "access_key_id", sqlite3_column_text(st, 3));
		case_identity(r, hosts, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return r;
}

static void finding_id(const struct group *g, char out[33])
{
	struct strbuf s = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];

	strbuf_addf(&s, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld", g->type, g->resource_type, g->resource_id,
		    g->identity, g->first.evidence_sha256 ? g->first.evidence_sha256 : "",
		    (long long)g->first.raw_offset, (long long)g->first.ts);
	sha256_hex(s.buf, s.len, hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
	strbuf_release(&s);
}

static int write_group(struct casedb *cdb, const struct finding_options *opts, const struct group *g,
		       sqlite3_stmt *ins, sqlite3_stmt *link, struct strbuf *err)
{
	json_t *tags = tags_of(g->first.tags);
	json_t *d = json_object(), *ctx, *ids = json_array();
	struct strbuf detail = STRBUF_INIT;
	char id[33];
	int r = 0;

	finding_id(g, id);
	json_object_set_new(d, "rule", json_string_nocheck(g->first.rule ? g->first.rule : ""));
	json_object_set_new(d, "priority", json_string_nocheck(g->first.priority ? g->first.priority : ""));
	json_object_set_new(d, "severity_label", json_string(finding_severity_label(g->severity)));
	json_object_set_new(d, "tags", json_incref(tags));
	json_object_set_new(d, "mitre", mitre_of(g->type, tags));
	json_object_set_new(d, "resource", resource_of(cdb, g, opts->hosts));
	json_object_set_new(d, "identity", json_string_nocheck(g->identity));
	json_t *proc = process_of(cdb, g->first.event_id);
	json_object_set_new(d, "process", proc ? proc : json_null());
	ctx = g->first.output_fields ? json_loads(g->first.output_fields, 0, NULL) : NULL;
	if (!json_is_object(ctx)) {
		json_decref(ctx);
		ctx = json_object();
	}
	json_object_set_new(d, "context", ctx);
	json_object_set_new(d, "evidence", evidence_of(cdb, g));
	json_object_set_new(d, "evidence_total", json_integer((json_int_t)g->nalerts));
	for (size_t i = 0; i < g->nalerts; i++)
		json_array_append_new(ids, json_integer(g->alert_ids[i]));
	json_object_set_new(d, "alert_ids", ids);
	jsondump(&detail, d, 0);

	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, opts->run_id);
	sqlite3_bind_text(ins, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 3, g->type, -1, SQLITE_STATIC);
	sqlite3_bind_double(ins, 4, g->severity);
	sqlite3_bind_text(ins, 5, g->first.rule ? g->first.rule : g->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, g->first.output ? g->first.output : "", -1, SQLITE_STATIC);
	struct strbuf res = STRBUF_INIT;
	strbuf_addf(&res, "%s:%s", g->resource_type, g->resource_id);
	sqlite3_bind_text(ins, 7, res.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 8, g->first_ts);
	sqlite3_bind_int64(ins, 9, g->last_ts);
	sqlite3_bind_int64(ins, 10, g->count);
	sqlite3_bind_text(ins, 11, detail.buf, (int)detail.len, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		strbuf_addf(err, "writing finding: %s", sqlite3_errmsg(cdb->db));
		r = -EIO;
		goto out;
	}
	int64_t row = sqlite3_last_insert_rowid(cdb->db);
	for (size_t i = 0; i < g->nalerts; i++) {
		sqlite3_reset(link);
		sqlite3_bind_int64(link, 1, row);
		sqlite3_bind_int64(link, 2, g->alert_ids[i]);
		if (sqlite3_step(link) != SQLITE_DONE) {
			strbuf_addf(err, "linking alert to finding: %s", sqlite3_errmsg(cdb->db));
			r = -EIO;
			goto out;
		}
	}
out:
	strbuf_release(&res);
	strbuf_release(&detail);
	json_decref(d);
	json_decref(tags);
	return r;
}

/* Findings are written in time order of their first alert, ties by type and resource, so that
 * row ids are as deterministic as the finding ids. */
static int cmp_group(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	if (a->first_ts != b->first_ts)
		return a->first_ts < b->first_ts ? -1 : 1;
	if (a->first.id != b->first.id)
		return a->first.id < b->first.id ? -1 : 1;
	return strcmp(a->key, b->key);
}

int finding_aggregate(struct casedb *cdb, const struct finding_options *opts, struct strbuf *err)
{
	struct agg a = { 0 };
	sqlite3_stmt *ins = NULL, *link = NULL;
	int r;

	agg_rehash(&a);
	if (casedb_exec(cdb, "DELETE FROM correlations; DELETE FROM finding_alerts; DELETE FROM findings;", err) < 0) {
		r = -EIO;
		goto out;
	}
	r = collect(cdb, opts, &a, err);
	if (r < 0)
		goto out;
	if (a.n)
		qsort(a.g, a.n, sizeof(*a.g), cmp_group);
	if (casedb_prepare(cdb,
			   "INSERT INTO findings (run_id, finding_id, type, severity, title, description, resource,"
			   " first_seen, last_seen, count, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			   &ins, err) < 0 ||
	    casedb_prepare(cdb, "INSERT OR IGNORE INTO finding_alerts (finding_id, alert_id) VALUES (?,?)", &link,
			   err) < 0) {
		r = -EIO;
		goto out;
	}
	for (size_t i = 0; i < a.n; i++) {
		r = write_group(cdb, opts, &a.g[i], ins, link, err);
		if (r < 0)
			goto out;
	}
	r = (int)a.n;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(link);
	agg_release(&a);
	return r;
}
