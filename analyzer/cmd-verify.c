/* cmd-verify: `backsight verify` — check an evidence package as an auditor would.
 *
 * usage: backsight verify [--pubkey KEY] [--reproduce] [-q] DIR|TAR
 *
 *       --pubkey KEY     the signer's public key (a minisign .pub file or its base64 line);
 *                        without it, a key shipped inside the bag is used and said to prove
 *                        integrity only, never who signed
 *       --reproduce      re-import the included evidence into a temporary case, make the recorded
 *                        analysis runs again with the bag's rules, and confirm that the ledger,
 *                        the timeline, the findings and the report are identical to the bag's
 *   -q, --quiet          print only the problems
 *
 * Checks, each problem printed on its own line as "PATH: what is wrong": the BagIt structure
 * (bagit.txt, bag-info.txt), every payload file against manifest-sha256.txt, every tag file
 * against tagmanifest-sha256.txt, Payload-Oxum, files present but in no manifest, the signature
 * over the tag manifest and its trusted comment, and the custody log's hash chain (in
 * custody-log.jsonl and in the bag's copy of the case database, which must agree). A tar file
 * (backsight package --tar) is extracted into a temporary directory first. Exit status 0 when
 * nothing is wrong, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bagit.h"
#include "casedb.h"
#include "cli.h"
#include "custody.h"
#include "import.h"
#include "minisig.h"
#include "package.h"
#include "redact.h"
#include "report.h"
#include "rerun.h"
#include "ustar.h"

static const char usage[] = "usage: backsight verify [--pubkey KEY] [--reproduce] [-q] DIR|TAR\n";

static const char *const extra_tags[] = { "tagmanifest-sha256.txt.minisig", NULL };

struct verify_state {
	const char *bagdir;
	struct strbuf problems; /* one line per problem */
	struct strbuf notes;    /* what was checked and how */
	int bad;
};

static void problem(struct verify_state *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct verify_state *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&v->problems, fmt, ap);
	va_end(ap);
	strbuf_addch(&v->problems, '\n');
	v->bad++;
}

static bool read_bag_file(const struct verify_state *v, const char *name, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f;

	strbuf_addf(&path, "%s/%s", v->bagdir, name);
	f = fopen(path.buf, "rb");
	strbuf_release(&path);
	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	return true;
}

/* The bag's case database, opened so that nothing is written beside it (immutable). */
static int open_bag_db(const struct verify_state *v, struct casedb *cdb)
{
	struct strbuf uri = STRBUF_INIT, path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s/data/" PACKAGE_CASE_DB, v->bagdir);
	if (access(path.buf, R_OK) != 0) {
		strbuf_release(&path);
		return -ENOENT;
	}
	strbuf_addstr(&uri, "file:");
	for (const char *p = path.buf; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%')
			strbuf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(&uri, *p);
	}
	strbuf_addstr(&uri, "?immutable=1");
	rc = sqlite3_open_v2(uri.buf, &cdb->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	strbuf_release(&uri);
	cdb->path = strbuf_detach(&path, NULL);
	cdb->writable = false;
	return rc == SQLITE_OK ? 0 : -EIO;
}

static void close_bag_db(struct casedb *cdb)
{
	sqlite3_close(cdb->db);
	free(cdb->path);
}

static void check_signature(struct verify_state *v, const char *pubkey_arg, const char *case_id)
{
	struct strbuf sig = STRBUF_INIT, tm = STRBUF_INIT, err = STRBUF_INIT, keytext = STRBUF_INIT;
	struct minisig_pubkey pub;
	char id[MINISIG_KEYID_HEX_LEN + 1], *tc = NULL;
	bool from_bag = false;

	strbuf_addf(&sig, "%s/tagmanifest-sha256.txt.minisig", v->bagdir);
	strbuf_addf(&tm, "%s/tagmanifest-sha256.txt", v->bagdir);
	if (access(sig.buf, F_OK) != 0) {
		if (pubkey_arg)
			problem(v, "tagmanifest-sha256.txt.minisig: missing: the bag is not signed");
		else
			strbuf_addstr(&v->notes, "signature: none (the bag is not signed)\n");
		goto out;
	}
	if (pubkey_arg) {
		if (minisig_pubkey_load(pubkey_arg, &pub, &err) < 0) {
			problem(v, "%s", err.buf);
			goto out;
		}
	} else if (read_bag_file(v, "signing-key.pub", &keytext) && minisig_pubkey_parse(keytext.buf, &pub, &err) == 0) {
		from_bag = true;
	} else {
		problem(v, "tagmanifest-sha256.txt.minisig: no key to check it with (pass --pubkey)");
		goto out;
	}
	minisig_keyid_hex(pub.id, id);
	if (minisig_verify(&pub, tm.buf, sig.buf, &tc, &err) < 0) {
		problem(v, "%s", err.buf + (strncmp(err.buf, v->bagdir, strlen(v->bagdir)) ? 0 : strlen(v->bagdir) + 1));
		goto out;
	}
	if (from_bag)
		strbuf_addf(&v->notes,
			    "signature: valid, by key %s shipped inside the bag (signing-key.pub): this shows the bag is "
			    "unchanged since it was signed, NOT who signed it; pass --pubkey with a key obtained "
			    "independently\n",
			    id);
	else
		strbuf_addf(&v->notes, "signature: valid, by key %s (given with --pubkey)\n", id);
	strbuf_addf(&v->notes, "trusted comment: %s\n", tc);
	if (case_id) {
		struct strbuf want = STRBUF_INIT;
		strbuf_addf(&want, "case:%s\t", case_id);
		if (strncmp(tc, want.buf, want.len))
			problem(v, "tagmanifest-sha256.txt.minisig: the signed case id does not match bag-info.txt's "
				   "External-Identifier %s", case_id);
		strbuf_release(&want);
	}
out:
	free(tc);
	strbuf_release(&sig);
	strbuf_release(&tm);
	strbuf_release(&err);
	strbuf_release(&keytext);
}

static void check_custody(struct verify_state *v, const char *info)
{
	char *recorded = bag_info_get(info, "Custody-Log");
	struct strbuf log = STRBUF_INIT, dblog = STRBUF_INIT, err = STRBUF_INIT;
	char last[SHA256_HEX_LEN + 1];
	struct casedb cdb = { 0 };
	size_t entries = 0;
	int bad;

	if (!read_bag_file(v, "custody-log.jsonl", &log)) {
		problem(v, "custody-log.jsonl: missing");
		goto out;
	}
	bad = custody_verify_jsonl(log.buf, log.len, "custody-log.jsonl", &v->problems, &entries, last);
	v->bad += bad;
	if (!bad)
		strbuf_addf(&v->notes, "custody log: %zu entr%s, chain intact, last hash %s\n", entries,
			    entries == 1 ? "y" : "ies", last);
	/* bag-info.txt names the log's last hash: entries cut from the end show here */
	if (recorded && (!strstr(recorded, last) || strlen(strstr(recorded, last)) != strlen(last)))
		problem(v, "custody-log.jsonl: its last hash is %s but bag-info.txt's Custody-Log says: %s", last, recorded);
	if (open_bag_db(v, &cdb) < 0) {
		if (cdb.db)
			close_bag_db(&cdb);
		goto out;
	}
	if (custody_export_jsonl(&cdb, &dblog, &err) < 0)
		problem(v, "data/" PACKAGE_CASE_DB ": custody log cannot be read: %s", err.buf);
	else if (dblog.len != log.len || memcmp(dblog.buf, log.buf, log.len))
		problem(v, "custody-log.jsonl: differs from the custody table in data/" PACKAGE_CASE_DB);
	close_bag_db(&cdb);
out:
	free(recorded);
	strbuf_release(&log);
	strbuf_release(&dblog);
	strbuf_release(&err);
}

/* 0 when the two files hold the same bytes (mine is rewound first), else the line (from 1) of
 * the first difference. */
static long same_stream(FILE *mine, FILE *theirs)
{
	long line = 1;
	int a, b;

	rewind(mine);
	do {
		a = getc(mine);
		b = getc(theirs);
		if (a != b)
			return line;
		line += a == '\n';
	} while (a != EOF);
	return 0;
}

/* The options the ledger recorded for a file (evidence.options), for its import again. The
 * strings stay owned by `given`. */
static void replay_options(const json_t *given, struct import_options *opts)
{
	const char *tz = json_string_value(json_object_get(given, "tz"));

	opts->imp.host = json_string_value(json_object_get(given, "host"));
	opts->imp.date = json_string_value(json_object_get(given, "date"));
	opts->imp.tz_set = tz && cli_parse_tz(tz, &opts->imp.tz_offset_sec) == 0;
}

/* Import one evidence file of the bag again, as the ledger row `row` recorded it, and compare
 * the new ledger row with it. Returns 1 when the file was imported. */
static int reimport(struct verify_state *v, struct casedb *cdb, sqlite3_stmt *row)
{
	static const char *const compared[] = { "sha256", "format", "status", "events", "skipped", "first_ts", "last_ts" };
	const char *name = (const char *)sqlite3_column_text(row, 1), *given_text = (const char *)sqlite3_column_text(row, 11);
	json_t *given = given_text ? json_loads(given_text, 0, NULL) : NULL;
	struct import_options opts = { .format = (const char *)sqlite3_column_text(row, 3) };
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, err = STRBUF_INIT;
	struct import_result res;
	sqlite3_stmt *q;
	int imported = 0;

	import_result_init(&res);
	replay_options(given, &opts);
	package_evidence_relpath(&rel, sqlite3_column_int64(row, 0), name);
	strbuf_addf(&path, "%s/data/%s", v->bagdir, rel.buf);
	if (access(path.buf, R_OK) != 0) {
		problem(v, "data/%s: needed by --reproduce but not in the bag (package with --include-evidence)", rel.buf);
		goto out;
	}
	if (import_file(cdb, path.buf, &opts, &res, &err) < 0 || res.outcome == IMPORT_FAILED ||
	    res.outcome == IMPORT_DUPLICATE) {
		problem(v, "data/%s: re-import failed: %s", rel.buf, err.len ? err.buf : res.message.buf);
		goto out;
	}
	imported = 1;
	/* the name and import times are records of the first import, not derived from the file */
	if (sqlite3_prepare_v2(cdb->db,
			       "UPDATE evidence SET name = ?1, import_started = ?3, import_finished = ?4 WHERE id = ?2 "
			       "RETURNING sha256, format, status, events, skipped, first_ts, last_ts",
			       -1, &q, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, res.evidence_id);
	sqlite3_bind_value(q, 3, sqlite3_column_value(row, 9));
	sqlite3_bind_value(q, 4, sqlite3_column_value(row, 10));
	if (sqlite3_step(q) == SQLITE_ROW) {
		for (int c = 0; c < 7; c++) {
			const char *a = (const char *)sqlite3_column_text(row, c + 2);
			const char *b = (const char *)sqlite3_column_text(q, c);
			if ((a || b) && (!a || !b || strcmp(a, b)))
				problem(v, "data/%s: re-imported %s is %s, the bag's ledger says %s", rel.buf, compared[c],
					b ? b : "NULL", a ? a : "NULL");
		}
	}
	sqlite3_finalize(q);
out:
	import_result_release(&res);
	json_decref(given);
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&err);
	return imported;
}

/* The first byte where two texts differ. */
static size_t first_difference(const struct strbuf *a, const struct strbuf *b)
{
	size_t i = 0;

	while (i < a->len && i < b->len && a->buf[i] == b->buf[i])
		i++;
	return i;
}

/*
 * The second half of --reproduce: the analysis runs the bag's case records, made again over the
 * re-imported case (rerun.h), then every analysis result the package holds rendered again from
 * it, redacted as the package redacts, and compared byte for byte. Returns the runs made again,
 * or -1.
 */
static int reproduce_analysis(struct verify_state *v, struct casedb *bagdb, struct casedb *cdb)
{
	struct strbuf rules = STRBUF_INIT, found = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf mine = STRBUF_INIT, clean = STRBUF_INIT, theirs = STRBUF_INIT, rel = STRBUF_INIT;
	json_t *model = NULL;
	int runs;

	strbuf_addf(&rules, "%s/data/rules", v->bagdir);
	runs = rerun_analysis(bagdb, cdb, rules.buf, &found, &err);
	for (char *line = found.buf, *nl; found.len && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		problem(v, "reproduce: %s", line);
	}
	if (runs < 0) {
		problem(v, "reproduce: the analysis could not be made again: %s", err.buf);
		goto out;
	}
	if (!(model = report_model(cdb, &err))) {
		problem(v, "reproduce: the report of the re-run analysis: %s", err.buf);
		runs = -1;
		goto out;
	}
	for (const struct package_report_file *f = package_report_files; f->relpath; f++) {
		strbuf_reset(&mine);
		strbuf_reset(&clean);
		strbuf_reset(&theirs);
		strbuf_reset(&rel);
		strbuf_addf(&rel, "data/%s", f->relpath);
		if (package_report_render(cdb, model, f, &mine, &err) < 0) {
			problem(v, "%s: cannot be rendered again: %s", rel.buf, err.buf);
			strbuf_reset(&err);
			continue;
		}
		redact_secrets(mine.buf, mine.len, &clean);
		if (!read_bag_file(v, rel.buf, &theirs))
			problem(v, "%s: missing, the re-run analysis cannot be compared", rel.buf);
		else if (clean.len != theirs.len || memcmp(clean.buf, theirs.buf, clean.len))
			problem(v, "%s: the re-run analysis gives different content (first difference at byte %zu)",
				rel.buf, first_difference(&clean, &theirs));
	}
out:
	json_decref(model);
	strbuf_release(&rules);
	strbuf_release(&found);
	strbuf_release(&err);
	strbuf_release(&mine);
	strbuf_release(&clean);
	strbuf_release(&theirs);
	strbuf_release(&rel);
	return runs;
}

/*
 * --reproduce: re-import every evidence file the bag holds, in ledger order and with the format
 * the ledger recorded, into a temporary case; give each ledger row its original name and import
 * times (a record of when, which the report shows, not something derived); then the
 * ledger's content columns and the timeline export must be identical to the bag's.
 */
static void reproduce(struct verify_state *v, const char *tmpdir)
{
	struct casedb bagdb = { 0 }, *cdb = NULL;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	FILE *mine_f = NULL, *theirs_f = NULL;
	sqlite3_stmt *st = NULL;
	size_t files = 0;
	int before = v->bad, runs;

	if (open_bag_db(v, &bagdb) < 0) {
		problem(v, "data/" PACKAGE_CASE_DB ": missing, nothing to reproduce");
		goto out;
	}
	strbuf_addf(&path, "%s/reproduce.db", tmpdir);
	if (casedb_open(path.buf, CASEDB_WRITE, &cdb, &err) < 0) {
		problem(v, "reproduce: %s", err.buf);
		goto out;
	}
	if (sqlite3_prepare_v2(bagdb.db,
			       "SELECT id, name, sha256, format, status, events, skipped, first_ts, last_ts, import_started,"
			       " import_finished, options FROM evidence "
			       "WHERE status != 'failed' ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		problem(v, "data/" PACKAGE_CASE_DB ": no evidence ledger");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		files += reimport(v, cdb, st);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/timeline.jsonl", tmpdir);
	if (!(mine_f = fopen(path.buf, "w+b")) || package_timeline_write(cdb, mine_f, NULL, &err) < 0) {
		problem(v, "reproduce: %s", err.len ? err.buf : strerror(errno));
		goto out;
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/data/" PACKAGE_TIMELINE, v->bagdir);
	if (!(theirs_f = fopen(path.buf, "rb"))) {
		problem(v, "data/" PACKAGE_TIMELINE ": missing, the timeline cannot be compared");
	} else {
		long line = same_stream(mine_f, theirs_f);
		if (line)
			problem(v, "data/" PACKAGE_TIMELINE ": the re-imported evidence gives a different timeline "
				   "(first difference at line %ld)", line);
	}
	if (v->bad == before)
		strbuf_addf(&v->notes, "reproduce: %zu evidence file(s) re-imported; ledger and timeline identical to the bag's\n",
			    files);
	before = v->bad;
	runs = reproduce_analysis(v, &bagdb, cdb);
	if (runs >= 0 && v->bad == before)
		strbuf_addf(&v->notes,
			    "reproduce: %d analysis run(s) made again with the bag's rules; findings, OCSF, coverage and "
			    "report identical to the bag's\n",
			    runs);
out:
	sqlite3_finalize(st);
	if (bagdb.db)
		close_bag_db(&bagdb);
	casedb_free(cdb);
	strbuf_release(&err);
	strbuf_release(&path);
	if (mine_f)
		fclose(mine_f);
	if (theirs_f)
		fclose(theirs_f);
}

/* A tar's single top-level directory, after extraction. */
static char *only_subdir(const char *dir, struct strbuf *err)
{
	struct dirent *de;
	char *found = NULL;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && n++ == 0)
			found = strdup(de->d_name);
	closedir(d);
	if (n != 1) {
		strbuf_addstr(err, "the archive does not hold exactly one bag directory");
		free(found);
		return NULL;
	}
	return found;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "reproduce", no_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_state v = { .problems = STRBUF_INIT, .notes = STRBUF_INIT };
	struct bag_facts facts = { .info = STRBUF_INIT };
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	const char *pubkey = NULL, *target;
	char tmpdir[] = "/tmp/backsight-verify-XXXXXX", *sub = NULL, *case_id;
	bool quiet = false, do_reproduce = false, have_tmp = false;
	struct stat st;
	int c, rc;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': pubkey = optarg; break;
		case 'R': do_reproduce = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(usage, "verify: bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error(usage, "verify: need exactly one bag (a directory or a tar file)");
	target = argv[optind];
	if (stat(target, &st) < 0) {
		error("%s: %s", target, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (S_ISREG(st.st_mode) || do_reproduce) {
		if (!mkdtemp(tmpdir)) {
			error("%s: %s", tmpdir, strerror(errno));
			return EXIT_RUNTIME;
		}
		have_tmp = true;
	}
	if (S_ISREG(st.st_mode)) {
		strbuf_addf(&path, "%s/bag", tmpdir);
		if (mkdir(path.buf, 0700) < 0 || ustar_extract(target, path.buf, &err) < 0 ||
		    !(sub = only_subdir(path.buf, &err))) {
			error("%s: %s", target, err.len ? err.buf : strerror(errno));
			rc = EXIT_RUNTIME;
			goto out;
		}
		strbuf_addf(&path, "/%s", sub);
		v.bagdir = path.buf;
	} else {
		v.bagdir = target;
	}

	v.bad += bag_verify(v.bagdir, extra_tags, &v.problems, &facts);
	case_id = bag_info_get(facts.info.buf, "External-Identifier");
	check_signature(&v, pubkey, case_id);
	check_custody(&v, facts.info.buf);
	if (do_reproduce)
		reproduce(&v, tmpdir);
	fputs(v.problems.buf, stdout);
	if (!quiet) {
		fputs(v.notes.buf, stdout);
		if (v.bad)
			printf("verify: %s: %d problem%s\n", target, v.bad, v.bad == 1 ? "" : "s");
		else
			printf("verify: %s: valid bag of case %s: %zu payload files, %llu bytes, every hash matches\n", target,
			       case_id ? case_id : "(no External-Identifier)", facts.payload_files,
			       (unsigned long long)facts.payload_bytes);
	}
	free(case_id);
	rc = v.bad ? EXIT_RUNTIME : 0;
out:
	if (have_tmp)
		bag_remove_tree(tmpdir);
	free(sub);
	strbuf_release(&v.problems);
	strbuf_release(&v.notes);
	strbuf_release(&facts.info);
	strbuf_release(&err);
	strbuf_release(&path);
	return rc;
}
