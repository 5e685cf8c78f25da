/* cmd-verify-trail: `backsight verify-trail` — check imported CloudTrail log files against the
 * digest files imported with them (CloudTrail log file integrity validation, userguide
 * cloudtrail-log-file-validation-intro; reference/guardduty.md §6).
 *
 * usage: backsight verify-trail CASE.db
 *
 * For each `cloudtrail-digest` document in the case (kept by the CloudTrail importer), every
 * entry of its logFiles[] is matched by file name (the last component of s3Object) to the
 * evidence ledger, and the SHA-256 CloudTrail recorded (of the uncompressed log) is compared
 * with the SHA-256 of the decompressed stream backsight read. The chain is checked the same
 * way: a digest's previousDigestHashValue against the imported previous digest file.
 *
 * Reported per file: ok, ALTERED (hash differs), MISSING (named by a digest, not in the case);
 * per digest: chain ok, chain BROKEN (previous digest differs) or previous digest not in the
 * case; and CloudTrail log files in the case that no digest covers. Exit status 0 when nothing
 * is altered, missing or broken, 1 otherwise.
 *
 * Not done: the RSA signature of each digest (SHA256withRSA over digestEndTime, bucket/object,
 * the digest's hash and the previous signature). It lives in S3 object metadata, which a plain
 * download loses, and needs the trail's public key; this command does not check it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casedb.h"
#include "cli.h"
#include "termsafe.h"

static const char usage[] = "usage: backsight verify-trail CASE.db\n";

/* The last component of a path without a ".gz" suffix: a downloaded log may be kept either way.
 * Points into a static buffer. */
static const char *base_name(const char *path)
{
	static char buf[1024];
	const char *slash = path ? strrchr(path, '/') : NULL;
	size_t n;

	if (!path)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", slash ? slash + 1 : path);
	n = strlen(buf);
	if (n > 3 && !strcmp(buf + n - 3, ".gz"))
		buf[n - 3] = '\0';
	return buf;
}

/* The decompressed SHA-256 of the evidence whose file name is `name`, or NULL (copied to out). */
static bool find_hash(sqlite3_stmt *by_name, const char *name, char out[65])
{
	bool found = false;

	sqlite3_bind_text(by_name, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(by_name) == SQLITE_ROW && sqlite3_column_text(by_name, 0)) {
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(by_name, 0));
		found = true;
	}
	sqlite3_reset(by_name);
	return found;
}

static void print_name(const char *label, const char *name, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_termsafe(&sb, name, strlen(name));
	printf("%-8s %s%s%s\n", label, sb.buf, detail ? "  " : "", detail ? detail : "");
	strbuf_release(&sb);
}

int cmd_verify_trail(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	sqlite3_stmt *docs = NULL, *by_name = NULL, *logs = NULL, *covered = NULL;
	unsigned long ok = 0, altered = 0, missing = 0, broken = 0, uncovered = 0, digests = 0;
	int status = EXIT_RUNTIME;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2)
		return usage_error(usage, "verify-trail: expected one case database");
	if (casedb_open(argv[1], CASEDB_READ, &cdb, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	if (casedb_exec(cdb, "CREATE TEMP TABLE covered (name TEXT PRIMARY KEY)", &err) < 0 ||
	    casedb_prepare(cdb,
			   "SELECT d.body, e.name FROM evidence_documents d JOIN evidence e ON e.id = d.evidence_id"
			   " WHERE d.kind = 'cloudtrail-digest' ORDER BY json_extract(d.body, '$.digestEndTime'), e.id",
			   &docs, &err) < 0 ||
	    /* Evidence names are paths as given: match their last component. */
	    casedb_prepare(cdb,
			   "SELECT coalesce(stream_sha256, sha256) FROM evidence WHERE status <> 'failed'"
			   " AND (name IN (?1, ?1 || '.gz') OR substr(name, -length(?1) - 1) = '/' || ?1"
			   " OR substr(name, -length(?1) - 4) = '/' || ?1 || '.gz') ORDER BY id LIMIT 1",
			   &by_name, &err) < 0 ||
	    casedb_prepare(cdb, "INSERT OR IGNORE INTO temp.covered VALUES (?)", &covered, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	while (sqlite3_step(docs) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(docs, 0);
		char dname[1024];
		json_t *d = json_loads(body, 0, NULL), *files = json_object_get(d, "logFiles");
		const char *prev_obj = json_string_value(json_object_get(d, "previousDigestS3Object"));
		const char *prev_hash = json_string_value(json_object_get(d, "previousDigestHashValue"));
		char have[65];
		snprintf(dname, sizeof(dname), "%s", base_name((const char *)sqlite3_column_text(docs, 1)));
		digests++;
		printf("digest   %s (%s .. %s)\n", dname, json_string_value(json_object_get(d, "digestStartTime")) ?: "?",
		       json_string_value(json_object_get(d, "digestEndTime")) ?: "?");
		for (size_t i = 0; i < json_array_size(files); i++) {
			json_t *lf = json_array_get(files, i);
			char obj[1024];
			const char *want = json_string_value(json_object_get(lf, "hashValue"));
			if (!json_string_value(json_object_get(lf, "s3Object")) || !want)
				continue;
			snprintf(obj, sizeof(obj), "%s", base_name(json_string_value(json_object_get(lf, "s3Object"))));
			sqlite3_bind_text(covered, 1, obj, -1, SQLITE_TRANSIENT);
			sqlite3_step(covered);
			sqlite3_reset(covered);
			if (!find_hash(by_name, obj, have)) {
				missing++;
				print_name("MISSING", obj, "named by the digest, not in the case");
			} else if (strcasecmp(have, want)) {
				altered++;
				print_name("ALTERED", obj, "SHA-256 differs from the digest");
			} else {
				ok++;
				print_name("ok", obj, NULL);
			}
		}
		if (prev_obj && prev_hash && *prev_hash) {
			char pname[1024];
			snprintf(pname, sizeof(pname), "%s", base_name(prev_obj));
			if (!find_hash(by_name, pname, have))
				print_name("chain", pname, "previous digest not in the case: chain not checked");
			else if (strcasecmp(have, prev_hash)) {
				broken++;
				print_name("BROKEN", pname, "previous digest's SHA-256 differs from previousDigestHashValue");
			} else
				print_name("chain", pname, "previous digest ok");
		}
		json_decref(d);
	}
	/* CloudTrail log files in the case that no digest covers. */
	if (digests && casedb_prepare(cdb,
				      "SELECT name FROM evidence WHERE importer = 'aws_cloudtrail' AND events > 0 ORDER BY id",
				      &logs, &err) == 0) {
		while (sqlite3_step(logs) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(logs, 0);
			sqlite3_stmt *q;
			bool seen = false;
			if (sqlite3_prepare_v2(cdb->db, "SELECT 1 FROM temp.covered WHERE name = ?", -1, &q, NULL) == SQLITE_OK) {
				sqlite3_bind_text(q, 1, base_name(name), -1, SQLITE_TRANSIENT);
				seen = sqlite3_step(q) == SQLITE_ROW;
				sqlite3_finalize(q);
			}
			if (!seen) {
				uncovered++;
				print_name("nodigest", name, "imported, but no digest in the case covers it");
			}
		}
	}
	printf("%lu digest(s): %lu log file(s) ok, %lu altered, %lu missing, %lu chain link(s) broken, "
	       "%lu imported log file(s) not covered; signatures not checked\n",
	       digests, ok, altered, missing, broken, uncovered);
	status = altered || missing || broken ? EXIT_RUNTIME : 0;
out:
	sqlite3_finalize(docs);
	sqlite3_finalize(by_name);
	sqlite3_finalize(logs);
	sqlite3_finalize(covered);
	casedb_free(cdb);
	strbuf_release(&err);
	return status;
}
