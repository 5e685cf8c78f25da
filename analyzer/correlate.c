/* correlate: recovered access keys, role sessions, source addresses and user agents joined to
 * CloudTrail (see correlate.h; the join keys follow shared/reference/guardduty.md §7).
 *
 * One pass collects the keys the evidence disclosed, with the earliest event that disclosed
 * each; then every CloudTrail event made with each key is linked, and the workload's own
 * addresses decide inside from outside. The rows are written in a deterministic order (key
 * recovery time, then CloudTrail time and id).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "correlate.h"
#include "netproc.h"
#include "event.h"

struct recovered {
	char akid[21];
	int64_t event_id, ts, pid;
	char *host, *proc_name, *src_ip, *summary;
	const char *how;
	bool issued; /* only an AssumeRole response in CloudTrail showed it */
};

struct keyset {
	struct recovered *k;
	size_t n, cap;
};

static void keyset_release(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->k[i].host);
		free(ks->k[i].proc_name);
		free(ks->k[i].src_ip);
		free(ks->k[i].summary);
	}
	free(ks->k);
}

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Find an access key id (AKIA/ASIA followed by 16 upper-case letters or digits, not inside a
 * longer token) in text, starting at *pos; copies it into out and advances *pos. */
static bool next_key_id(const char *text, size_t *pos, char out[21])
{
	size_t len = strlen(text);
	for (size_t i = *pos; i + 20 <= len; i++) {
		if (text[i] != 'A' || (text[i + 1] != 'K' && text[i + 1] != 'S') || text[i + 2] != 'I' ||
		    text[i + 3] != 'A')
			continue;
		if (i > 0 && key_char(text[i - 1]))
			continue;
		size_t k = 4;
		while (k < 20 && key_char(text[i + k]))
			k++;
		if (k < 20 || key_char(text[i + 20]))
			continue;
		memcpy(out, text + i, 20);
		out[20] = '\0';
		*pos = i + 20;
		return true;
	}
	return false;
}

static void fill_recovery(struct recovered *r, sqlite3_stmt *st, const char *how, bool issued)
{
	free(r->host);
	free(r->proc_name);
	free(r->src_ip);
	free(r->summary);
	r->event_id = sqlite3_column_int64(st, 0);
	r->ts = sqlite3_column_int64(st, 1);
	r->host = dup_text(st, 2);
	r->pid = sqlite3_column_type(st, 3) == SQLITE_NULL ? BS_NONE : sqlite3_column_int64(st, 3);
	r->proc_name = dup_text(st, 4);
	r->src_ip = dup_text(st, 6);
	r->summary = dup_text(st, 10);
	r->how = how;
	r->issued = issued;
}

/*
 * A key's recovery is its first disclosure in the evidence (rows come in time order), except that
 * an AssumeRole response only says the key was issued: the first time host or network evidence
 * shows the key is where the workload had it, and that is the recovery the chain starts from.
 */
static void add_key(struct keyset *ks, const char *akid, sqlite3_stmt *st, const char *how, bool issued)
{
	struct recovered *r;

	for (size_t i = 0; i < ks->n; i++) {
		if (strcmp(ks->k[i].akid, akid))
			continue;
		if (ks->k[i].issued && !issued)
			fill_recovery(&ks->k[i], st, how, issued);
		return;
	}
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 8;
		ks->k = realloc(ks->k, ks->cap * sizeof(*ks->k));
		if (!ks->k)
			abort();
	}
	r = &ks->k[ks->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->akid, sizeof(r->akid), "%s", akid);
	fill_recovery(r, st, how, issued);
}

/* The process that made a network event's connection, from host evidence (netproc.h). Sets pid,
 * proc_name and process_event in `rec`. */
static void attribute_to_process(struct casedb *cdb, int64_t event_id, json_t *rec)
{
	int64_t id = netproc_syscall_event(cdb, event_id);
	sqlite3_stmt *st;

	if (id <= 0 || sqlite3_prepare_v2(cdb->db, "SELECT pid, proc_name FROM events WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(rec, "process_event", json_integer(id));
		json_object_set_new(rec, "pid", json_integer(sqlite3_column_int64(st, 0)));
		if (sqlite3_column_text(st, 1))
			json_object_set_new(rec, "proc_name", json_string((const char *)sqlite3_column_text(st, 1)));
	}
	sqlite3_finalize(st);
}

static const char *how_of(const char *source, const char *type)
{
	if (!strcmp(source, "network"))
		return "a credential response in network evidence";
	if (!strcmp(source, "aws_cloudtrail"))
		return "an AssumeRole response in CloudTrail";
	if (!strcmp(source, "syscall"))
		return type && !strcmp(type, "execve") ? "a process's environment or arguments"
						     : "syscall evidence";
	return "the evidence";
}

static int collect_keys(struct casedb *cdb, struct keyset *ks, struct strbuf *err)
{
	static const char sql[] =
		"SELECT id, ts, host, pid, proc_name, access_key_id, src_ip, source, type, cmdline, summary, fields"
		" FROM events WHERE (source != 'aws_cloudtrail' AND access_key_id IS NOT NULL)"
		" OR (source != 'aws_cloudtrail' AND (cmdline LIKE '%AKIA%' OR cmdline LIKE '%ASIA%'"
		"     OR fields LIKE '%AKIA%' OR fields LIKE '%ASIA%'))"
		" OR (source = 'aws_cloudtrail' AND type LIKE 'AssumeRole%')"
		" ORDER BY ts, id";
	sqlite3_stmt *st;
	int r;

	if (casedb_prepare(cdb, sql, &st, err) < 0)
		return -EIO;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *source = (const char *)sqlite3_column_text(st, 7);
		const char *type = (const char *)sqlite3_column_text(st, 8);
		const char *akid = (const char *)sqlite3_column_text(st, 5);
		const char *how = how_of(source ? source : "", type);
		char found[21];
		size_t pos;

		if (source && !strcmp(source, "aws_cloudtrail")) {
			/* AssumeRole: the issued key is in the response, not the caller's key */
			const char *fields = (const char *)sqlite3_column_text(st, 11);
			pos = 0;
			while (fields && next_key_id(fields, &pos, found))
				if (!akid || strcmp(found, akid) != 0)
					add_key(ks, found, st, how, true);
			continue;
		}
		if (akid && *akid)
			add_key(ks, akid, st, how, false);
		for (int col = 9; col <= 11; col += 2) {
			const char *text = (const char *)sqlite3_column_text(st, col);
			pos = 0;
			while (text && next_key_id(text, &pos, found))
				add_key(ks, found, st, how, false);
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		strbuf_addf(err, "reading evidence for access keys: %s", sqlite3_errmsg(cdb->db));
		return -EIO;
	}
	return 0;
}

int corr_address_is_internal(const char *a)
{
	if (!a || !*a)
		return 0;
	if (strstr(a, "amazonaws.com") || !strcmp(a, "AWS Internal"))
		return 1;
	if (!strncmp(a, "10.", 3) || !strncmp(a, "192.168.", 8) || !strncmp(a, "127.", 4) ||
	    !strncmp(a, "169.254.", 8))
		return 1;
	if (!strncmp(a, "172.", 4)) {
		int second = atoi(a + 4);
		return second >= 16 && second <= 31;
	}
	if (!strncasecmp(a, "fc", 2) || !strncasecmp(a, "fd", 2) || !strncasecmp(a, "fe80:", 5) || !strcmp(a, "::1"))
		return 1;
	return 0;
}

static bool in_list(const char *list, const char *addr);

/* The workload's own addresses: the client addresses of its syscall and network evidence, those
 * the case file lists for the host, and the first public address the key's role session called
 * from in CloudTrail (as the InstanceCredentialExfiltration rule has it: rule-gate.h). */
static void workload_addresses(struct casedb *cdb, const struct recovered *k, const json_t *hosts,
			       struct strbuf *out)
{
	static const char sql[] =
		"SELECT DISTINCT src_ip FROM events WHERE host IS ? AND source IN ('syscall', 'network')"
		" AND src_ip IS NOT NULL AND (source = 'syscall' OR dst_ip LIKE '169.254.%' OR src_ip = ?)"
		" ORDER BY src_ip";
	sqlite3_stmt *st;

	strbuf_reset(out);
	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (k->host)
		sqlite3_bind_text(st, 1, k->host, -1, SQLITE_STATIC);
	if (k->src_ip)
		sqlite3_bind_text(st, 2, k->src_ip, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		strbuf_addstr(out, out->len ? ", " : "");
		strbuf_addstr(out, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT principal FROM events WHERE source = 'aws_cloudtrail' AND access_key_id = ?"
			       " AND principal IS NOT NULL ORDER BY ts, id LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		struct strbuf egress = STRBUF_INIT;
		sqlite3_bind_text(st, 1, k->akid, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    corr_session_egress(cdb, (const char *)sqlite3_column_text(st, 0), &egress) == 0 && egress.len &&
		    !in_list(out->buf, egress.buf)) {
			strbuf_addstr(out, out->len ? ", " : "");
			strbuf_addstr(out, egress.buf);
		}
		sqlite3_finalize(st);
		strbuf_release(&egress);
	}
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(json_object_get(hosts, k->host ? k->host : ""), "addresses"), i, a) {
		const char *addr = json_string_value(a);
		if (addr && !in_list(out->buf, addr)) {
			strbuf_addstr(out, out->len ? ", " : "");
			strbuf_addstr(out, addr);
		}
	}
}

/* A private address (not an AWS service name): a call through a VPC endpoint. */
static bool private_address(const char *a)
{
	return a && corr_address_is_internal(a) && !strstr(a, "amazonaws.com") && strcmp(a, "AWS Internal") != 0;
}

static size_t product_len(const char *ua)
{
	return ua ? strcspn(ua, " \t") : 0;
}

int corr_session_egress(struct casedb *cdb, const char *principal, struct strbuf *ret)
{
	static const char sql[] = "SELECT src_ip, user_agent FROM events WHERE source = 'aws_cloudtrail'"
				  " AND principal = ? AND src_ip IS NOT NULL ORDER BY ts, id";
	struct strbuf inside = STRBUF_INIT, first_public = STRBUF_INIT; /* products, "\n"-separated */
	sqlite3_stmt *st;
	bool had_inside = false;
	int r;

	strbuf_reset(ret);
	if (!principal || !*principal)
		return 0;
	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, principal, -1, SQLITE_STATIC);
	/* the user agent products the session used from inside */
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ip = (const char *)sqlite3_column_text(st, 0);
		const char *ua = (const char *)sqlite3_column_text(st, 1);
		size_t n = product_len(ua);
		if (private_address(ip)) {
			had_inside = true;
			if (n) {
				strbuf_addch(&inside, '\n');
				strbuf_add(&inside, ua, n);
				strbuf_addch(&inside, '\n');
			}
		} else if (!corr_address_is_internal(ip) && !first_public.len) {
			strbuf_addstr(&first_public, ip);
		}
	}
	if (r == SQLITE_DONE && !had_inside) {
		strbuf_add(ret, first_public.buf, first_public.len);
	} else if (r == SQLITE_DONE && inside.len) {
		sqlite3_reset(st);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *ip = (const char *)sqlite3_column_text(st, 0);
			const char *ua = (const char *)sqlite3_column_text(st, 1);
			size_t n = product_len(ua);
			struct strbuf want = STRBUF_INIT;
			bool same;
			if (corr_address_is_internal(ip) || !n)
				continue;
			strbuf_addch(&want, '\n');
			strbuf_add(&want, ua, n);
			strbuf_addch(&want, '\n');
			same = strstr(inside.buf, want.buf) != NULL;
			strbuf_release(&want);
			if (same) {
				strbuf_addstr(ret, ip);
				break;
			}
		}
	}
	sqlite3_finalize(st);
	strbuf_release(&inside);
	strbuf_release(&first_public);
	return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : -EIO;
}

static bool in_list(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = list; (p = strstr(p, addr)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* The finding a host event belongs to, else the host's latest finding before it; 0 if none. */
static int64_t finding_for(struct casedb *cdb, const struct recovered *k)
{
	static const char sql[] =
		"SELECT coalesce("
		" (SELECT fa.finding_id FROM finding_alerts fa JOIN alerts a ON a.id = fa.alert_id"
		"  WHERE a.event_id = ?1 ORDER BY fa.finding_id LIMIT 1),"
		" (SELECT f.id FROM findings f WHERE f.resource = 'Instance:' || ?2 AND f.first_seen <= ?3"
		"  ORDER BY f.first_seen DESC, f.id DESC LIMIT 1), 0)";
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, k->event_id);
	if (k->host)
		sqlite3_bind_text(st, 2, k->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->ts);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

struct writer {
	struct casedb *cdb;
	sqlite3_stmt *ins;
	int64_t run_id;
	int count;
	const json_t *hosts;
};

static int put(struct writer *w, int64_t finding, int64_t event_id, int64_t ct_event_id, const char *kind,
	       const char *key, const char *reason)
{
	sqlite3_stmt *ins = w->ins;

	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, w->run_id);
	if (finding)
		sqlite3_bind_int64(ins, 2, finding);
	else
		sqlite3_bind_null(ins, 2);
	if (event_id > 0)
		sqlite3_bind_int64(ins, 3, event_id);
	else
		sqlite3_bind_null(ins, 3);
	sqlite3_bind_int64(ins, 4, ct_event_id);
	sqlite3_bind_text(ins, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return -EIO;
	w->count++;
	return 0;
}

static void describe_recovery(struct strbuf *sb, const struct recovered *k)
{
	char t[BS_TIME_MAX_LEN];

	bs_time_format(k->ts, t);
	strbuf_addf(sb, "key %s recovered from %s", k->akid, k->how);
	if (k->pid != BS_NONE)
		strbuf_addf(sb, " by pid %lld %s", (long long)k->pid, k->proc_name ? k->proc_name : "");
	strbuf_addf(sb, " on %s at %s (event %lld)", k->host ? k->host : "an unknown host", t, (long long)k->event_id);
}

/* The session name of an assumed-role ARN, or NULL. */
static const char *role_session(const char *principal, size_t *ret_len)
{
	const char *p = principal ? strstr(principal, ":assumed-role/") : NULL;
	if (!p)
		return NULL;
	p = strchr(p + 14, '/');
	if (!p || !p[1])
		return NULL;
	*ret_len = strlen(p + 1);
	return p + 1;
}

static const char *session_kind(const char *s)
{
	size_t n = strlen(s), hex = strspn(s, "0123456789abcdef");
	if (!strncmp(s, "i-", 2) && strspn(s + 2, "0123456789abcdef") == n - 2 && n > 2)
		return "an EC2 instance id";
	if (n == 32 && hex == 32)
		return "an ECS task id";
	return "a role session";
}

/* The host's aws-cli executions in time order, and the latest one at or before a time. */
struct cli_run {
	int64_t id, pid, ts;
};
struct cli_runs {
	struct cli_run *v;
	size_t n, cap;
};

static const struct cli_run *latest_run(const struct cli_runs *runs, int64_t until)
{
	size_t lo = 0, hi = runs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (runs->v[mid].ts <= until)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &runs->v[lo - 1] : NULL;
}

static int link_key(struct writer *w, const struct recovered *k, struct strbuf *err)
{
	static const char ct_sql[] =
		"SELECT id, ts, type, src_ip, user_agent, principal FROM events"
		" WHERE source = 'aws_cloudtrail' AND access_key_id = ? ORDER BY ts, id";
	static const char cli_sql[] =
		"SELECT id, pid, ts FROM events WHERE host = ? AND source = 'syscall' AND type = 'execve'"
		" AND (proc_name = 'aws' OR exe LIKE '%/aws') ORDER BY ts, id";
	static const char session_sql[] =
		"SELECT id, ts, type, access_key_id FROM events WHERE source = 'aws_cloudtrail'"
		" AND principal LIKE '%:assumed-role/%/' || ? AND coalesce(access_key_id, '') != ? ORDER BY ts, id";
	struct strbuf addrs = STRBUF_INIT, reason = STRBUF_INIT, session = STRBUF_INIT;
	struct cli_runs runs = { 0 };
	sqlite3_stmt *ct = NULL, *cli = NULL, *ses = NULL;
	int64_t finding = finding_for(w->cdb, k);
	int r = 0;

	workload_addresses(w->cdb, k, w->hosts, &addrs);
	if (sqlite3_prepare_v2(w->cdb->db, ct_sql, -1, &ct, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->cdb->db, cli_sql, -1, &cli, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->cdb->db, session_sql, -1, &ses, NULL) != SQLITE_OK) {
		strbuf_addf(err, "correlating: %s", sqlite3_errmsg(w->cdb->db));
		r = -EIO;
		goto out;
	}
	/* the host's aws-cli runs, once per key, searched per call below */
	if (k->host) {
		sqlite3_bind_text(cli, 1, k->host, -1, SQLITE_STATIC);
		while (sqlite3_step(cli) == SQLITE_ROW) {
			if (runs.n == runs.cap) {
				runs.cap = runs.cap ? runs.cap * 2 : 16;
				runs.v = realloc(runs.v, runs.cap * sizeof(*runs.v));
				if (!runs.v)
					abort();
			}
			runs.v[runs.n].id = sqlite3_column_int64(cli, 0);
			runs.v[runs.n].pid = sqlite3_column_int64(cli, 1);
			runs.v[runs.n].ts = sqlite3_column_int64(cli, 2);
			runs.n++;
		}
	}
	sqlite3_bind_text(ct, 1, k->akid, -1, SQLITE_STATIC);
	while (r == 0 && sqlite3_step(ct) == SQLITE_ROW) {
		int64_t ct_id = sqlite3_column_int64(ct, 0), ts = sqlite3_column_int64(ct, 1);
		const char *api = (const char *)sqlite3_column_text(ct, 2);
		const char *ip = (const char *)sqlite3_column_text(ct, 3);
		const char *ua = (const char *)sqlite3_column_text(ct, 4);
		const char *principal = (const char *)sqlite3_column_text(ct, 5);
		bool inside = !ip || in_list(addrs.buf, ip) || corr_address_is_internal(ip);
		size_t slen;
		const char *s = role_session(principal, &slen);

		if (s && !session.len)
			strbuf_add(&session, s, slen);
		strbuf_reset(&reason);
		describe_recovery(&reason, k);
		strbuf_addf(&reason, "; used for %s from %s", api ? api : "?", ip ? ip : "an unknown address");
		if (inside)
			strbuf_addstr(&reason, ip && in_list(addrs.buf, ip) ? " (the workload's own address)"
									  : " (an internal address)");
		else
			strbuf_addf(&reason, " (outside the workload's addresses: %s)", addrs.len ? addrs.buf : "none seen");
		r = put(w, finding, k->event_id, ct_id, "access_key", k->akid, reason.buf);
		if (r == 0 && !inside) {
			strbuf_reset(&reason);
			strbuf_addf(&reason, "%s used from %s, which is none of the workload's addresses (%s)", k->akid, ip,
				    addrs.len ? addrs.buf : "none seen");
			r = put(w, finding, k->event_id, ct_id, "source_ip", ip, reason.buf);
		}
		/* a call from outside cannot come from a process on the host */
		if (r == 0 && inside && ua && !strncmp(ua, "aws-cli/", 8)) {
			const struct cli_run *run = latest_run(&runs, ts + BS_NS_PER_SEC * 60);
			if (run && run->ts >= ts - CORR_UA_WINDOW_NS) {
				strbuf_reset(&reason);
				strbuf_addf(&reason, "%s call by %s matches aws-cli run as pid %lld on %s", api ? api : "?",
					    ua, (long long)run->pid, k->host ? k->host : "the host");
				r = put(w, finding, run->id, ct_id, "user_agent", ua, reason.buf);
			}
		}
	}
	if (r < 0)
		goto fail;
	if (session.len) {
		sqlite3_bind_text(ses, 1, session.buf, -1, SQLITE_STATIC);
		sqlite3_bind_text(ses, 2, k->akid, -1, SQLITE_STATIC);
		while (r == 0 && sqlite3_step(ses) == SQLITE_ROW) {
			const char *other = (const char *)sqlite3_column_text(ses, 3);
			strbuf_reset(&reason);
			strbuf_addf(&reason, "role session %s (%s) is the workload's: %s was recovered on %s; this %s used %s",
				    session.buf, session_kind(session.buf), k->akid, k->host ? k->host : "the host",
				    (const char *)sqlite3_column_text(ses, 2), other ? other : "no access key");
			r = put(w, finding, k->event_id, sqlite3_column_int64(ses, 0), "role_session", session.buf,
				reason.buf);
		}
	}
fail:
	if (r < 0)
		strbuf_addf(err, "writing correlation: %s", sqlite3_errmsg(w->cdb->db));
out:
	sqlite3_finalize(ct);
	sqlite3_finalize(cli);
	sqlite3_finalize(ses);
	free(runs.v);
	strbuf_release(&addrs);
	strbuf_release(&reason);
	strbuf_release(&session);
	return r;
}

/* The case file's workloads: the calls of the role session named by a host's ECS task id or
 * EC2 instance id, not already linked through a recovered key. */
static int link_sessions(struct writer *w, struct strbuf *err)
{
	static const char sql[] =
		"SELECT id, type, access_key_id FROM events WHERE source = 'aws_cloudtrail'"
		" AND principal LIKE '%:assumed-role/%/' || ?1"
		" AND id NOT IN (SELECT ct_event_id FROM correlations WHERE kind IN ('access_key', 'role_session'))"
		" ORDER BY ts, id";
	static const char finding_sql[] =
		"SELECT id FROM findings WHERE resource IN ('Instance:' || ?1) ORDER BY first_seen, id LIMIT 1";
	const char *host;
	json_t *h;
	int r = 0;

	json_object_foreach((json_t *)w->hosts, host, h) {
		const char *arn = json_string_value(json_object_get(h, "task_arn"));
		const char *sessions[2] = { json_string_value(json_object_get(h, "instance_id")),
					    arn && strrchr(arn, '/') ? strrchr(arn, '/') + 1 : NULL };
		for (int i = 0; i < 2 && r == 0; i++) {
			sqlite3_stmt *st = NULL, *fs = NULL;
			int64_t finding = 0;
			if (!sessions[i] || !*sessions[i])
				continue;
			if (sqlite3_prepare_v2(w->cdb->db, finding_sql, -1, &fs, NULL) == SQLITE_OK) {
				sqlite3_bind_text(fs, 1, host, -1, SQLITE_STATIC);
				if (sqlite3_step(fs) == SQLITE_ROW)
					finding = sqlite3_column_int64(fs, 0);
			}
			sqlite3_finalize(fs);
			if (sqlite3_prepare_v2(w->cdb->db, sql, -1, &st, NULL) != SQLITE_OK) {
				strbuf_addf(err, "correlating role sessions: %s", sqlite3_errmsg(w->cdb->db));
				return -EIO;
			}
			sqlite3_bind_text(st, 1, sessions[i], -1, SQLITE_STATIC);
			while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
				struct strbuf reason = STRBUF_INIT;
				const char *key = (const char *)sqlite3_column_text(st, 2);
				strbuf_addf(&reason, "role session %s is %s of %s in the case file; this %s used %s", sessions[i],
					    i ? "the ECS task" : "the EC2 instance", host,
					    (const char *)sqlite3_column_text(st, 1), key ? key : "no access key");
				r = put(w, finding, 0, sqlite3_column_int64(st, 0), "role_session", sessions[i], reason.buf);
				strbuf_release(&reason);
			}
			sqlite3_finalize(st);
			if (r < 0)
				strbuf_addf(err, "writing correlation: %s", sqlite3_errmsg(w->cdb->db));
		}
	}
	return r;
}

int corr_correlate(struct casedb *cdb, int64_t run_id, const json_t *hosts, struct strbuf *err)
{
	struct keyset ks = { 0 };
	struct writer w = { cdb, NULL, run_id, 0, hosts };
	int r;

	if (casedb_exec(cdb, "DELETE FROM correlations", err) < 0)
		return -EIO;
	r = collect_keys(cdb, &ks, err);
	if (r < 0)
		goto out;
	if (casedb_prepare(cdb,
			   "INSERT INTO correlations (run_id, finding_id, event_id, ct_event_id, kind, key, reason)"
			   " VALUES (?,?,?,?,?,?,?)",
			   &w.ins, err) < 0) {
		r = -EIO;
		goto out;
	}
	for (size_t i = 0; i < ks.n && r >= 0; i++)
		r = link_key(&w, &ks.k[i], err);
	if (r >= 0 && hosts)
		r = link_sessions(&w, err);
	if (r >= 0)
		r = w.count;
out:
	sqlite3_finalize(w.ins);
	keyset_release(&ks);
	return r;
}

/* headline ------------------------------------------------------------------------------- */

json_t *corr_headline(struct casedb *cdb)
{
	/* the key with the earliest outside use */
	static const char key_sql[] =
		"SELECT c.key, c.event_id FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
		" WHERE c.kind = 'source_ip' ORDER BY ct.ts, ct.id LIMIT 1";
	static const char akid_sql[] =
		"SELECT c.key FROM correlations c WHERE c.kind = 'access_key' AND c.ct_event_id IN"
		" (SELECT ct_event_id FROM correlations WHERE kind = 'source_ip' AND event_id IS ?)"
		" ORDER BY c.id LIMIT 1";
	static const char rec_sql[] = "SELECT id, ts, host, pid, proc_name, source, type, summary FROM events WHERE id = ?";
	static const char calls_sql[] =
		"SELECT ct.id, ct.ts, ct.type, ct.src_ip, ct.user_agent FROM correlations c JOIN events ct"
		" ON ct.id = c.ct_event_id WHERE c.kind = 'source_ip' AND c.event_id IS ? ORDER BY ct.ts, ct.id";
	static const char cli_sql[] =
		"SELECT count(*) FROM correlations WHERE kind = 'user_agent' AND ct_event_id IN"
		" (SELECT ct_event_id FROM correlations WHERE kind = 'source_ip' AND event_id IS ?)";
	sqlite3_stmt *st = NULL;
	json_t *h = NULL, *rec, *from, *apis, *calls;
	int64_t ev;
	struct strbuf text = STRBUF_INIT;
	char t1[BS_TIME_MAX_LEN], t2[BS_TIME_MAX_LEN];

	if (sqlite3_prepare_v2(cdb->db, key_sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	ev = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	h = json_object();
	if (sqlite3_prepare_v2(cdb->db, akid_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ev);
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(h, "key", json_string_nocheck((const char *)sqlite3_column_text(st, 0)));
	}
	sqlite3_finalize(st);
	rec = json_object();
	json_object_set_new(h, "recovered", rec);
	if (sqlite3_prepare_v2(cdb->db, rec_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ev);
		if (sqlite3_step(st) == SQLITE_ROW) {
			static const char *const names[] = { "event_id", "ts", "host", "pid", "proc_name", "source", "type",
							     "summary" };
			for (int i = 0; i < 8; i++) {
				if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
					json_object_set_new(rec, names[i], json_integer(sqlite3_column_int64(st, i)));
				else if (sqlite3_column_type(st, i) != SQLITE_NULL)
					json_object_set_new(rec, names[i],
							    json_string_nocheck((const char *)sqlite3_column_text(st, i)));
			}
			const char *src = (const char *)sqlite3_column_text(st, 5);
			json_object_set_new(rec, "how", json_string(how_of(src ? src : "", (const char *)sqlite3_column_text(st, 6))));
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!json_object_get(rec, "pid"))
		attribute_to_process(cdb, ev, rec);
	from = json_array();
	apis = json_array();
	calls = json_array();
	json_object_set_new(h, "used_from", from);
	json_object_set_new(h, "apis", apis);
	json_object_set_new(h, "calls", calls);
	if (sqlite3_prepare_v2(cdb->db, calls_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ev);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *api = (const char *)sqlite3_column_text(st, 2);
			const char *ip = (const char *)sqlite3_column_text(st, 3);
			const char *ua = (const char *)sqlite3_column_text(st, 4);
			int64_t ts = sqlite3_column_int64(st, 1);
			json_t *c = json_object();
			json_object_set_new(c, "event_id", json_integer(sqlite3_column_int64(st, 0)));
			json_object_set_new(c, "ts", json_integer(ts));
			json_object_set_new(c, "api", json_string_nocheck(api ? api : ""));
			json_object_set_new(c, "src_ip", json_string_nocheck(ip ? ip : ""));
			if (ua)
				json_object_set_new(c, "user_agent", json_string_nocheck(ua));
			json_array_append_new(calls, c);
			if (!json_object_get(h, "first_use"))
				json_object_set_new(h, "first_use", json_integer(ts));
			json_object_set_new(h, "last_use", json_integer(ts));
			bool seen = false;
			size_t i;
			json_t *v;
			json_array_foreach(apis, i, v) seen |= !strcmp(json_string_value(v), api ? api : "");
			if (!seen)
				json_array_append_new(apis, json_string_nocheck(api ? api : ""));
			seen = false;
			json_array_foreach(from, i, v) seen |= !strcmp(json_string_value(v), ip ? ip : "");
			if (!seen)
				json_array_append_new(from, json_string_nocheck(ip ? ip : ""));
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(cdb->db, cli_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ev);
		json_object_set_new(h, "aws_cli_on_host",
				    json_boolean(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0));
	}

	/* the workload, from the role session of the calls: an ECS task id or an EC2 instance id */
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(cdb->db,
			       "SELECT ct.principal FROM correlations c JOIN events ct ON ct.id = c.ct_event_id"
			       " WHERE c.kind = 'source_ip' AND c.event_id IS ? AND ct.principal IS NOT NULL"
			       " ORDER BY ct.ts, ct.id LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ev);
		size_t slen;
		const char *sess = sqlite3_step(st) == SQLITE_ROW
					   ? role_session((const char *)sqlite3_column_text(st, 0), &slen)
					   : NULL;
		if (sess) {
			const char *kind = session_kind(sess);
			json_object_set_new(h, "session", json_string_nocheck(sess));
			if (!strcmp(kind, "an ECS task id"))
				json_object_set_new(h, "ecs_task_id", json_string_nocheck(sess));
			else if (!strcmp(kind, "an EC2 instance id"))
				json_object_set_new(h, "instance_id", json_string_nocheck(sess));
		}
	}

	/* the one line */
	json_t *pid = json_object_get(rec, "pid"), *pname = json_object_get(rec, "proc_name");
	bs_time_format(json_integer_value(json_object_get(rec, "ts")), t1);
	bs_time_format(json_integer_value(json_object_get(h, "first_use")), t2);
	strbuf_addf(&text, "credentials %s fetched", json_string_value(json_object_get(h, "key")) ?: "?");
	if (pid)
		strbuf_addf(&text, " by pid %lld %s", (long long)json_integer_value(pid),
			    json_string_value(pname) ? json_string_value(pname) : "");
	if (json_object_get(h, "ecs_task_id"))
		strbuf_addf(&text, " in task %s", json_string_value(json_object_get(h, "ecs_task_id")));
	strbuf_addf(&text, " on %s at %s -> used from ", json_string_value(json_object_get(rec, "host")) ?: "?", t1);
	for (size_t i = 0; i < json_array_size(from); i++)
		strbuf_addf(&text, "%s%s", i ? ", " : "", json_string_value(json_array_get(from, i)));
	strbuf_addf(&text, " at %s for ", t2);
	for (size_t i = 0; i < json_array_size(apis); i++)
		strbuf_addf(&text, "%s%s", i ? ", " : "", json_string_value(json_array_get(apis, i)));
	json_object_set_new(h, "text", json_string_nocheck(text.buf));
out:
	sqlite3_finalize(st);
	strbuf_release(&text);
	return h;
}
