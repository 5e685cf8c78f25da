/* cmd-package: `backsight package` — seal a case into an evidence package for auditors.
 *
 * usage: backsight package [OPTIONS] CASE.db -o DIR
 *
 *   -o, --output DIR         the bag to create (a new or empty directory; with --tar, the tar file)
 *       --include-evidence   copy the original evidence files into the bag, each checked
 *                            against its ledger SHA-256 while copied (a mismatch stops)
 *       --sign KEYFILE       sign the tag manifest with a minisign secret key (backsight keygen);
 *                            an encrypted key reads its password from BACKSIGHT_KEY_PASSWORD
 *       --by NAME            the investigator, for bag-info.txt and the custody log
 *       --org NAME           Source-Organization in bag-info.txt
 *       --case-id ID         External-Identifier (default: derived from the custody log)
 *       --tar                write the bag as one POSIX ustar file at the -o path
 *   -q, --quiet              print only errors
 *
 * The bag is a BagIt 1.0 bag (bagit.h) whose payload comes from the producers of package.h, with
 * the custody log (custody.h) as the tag file custody-log.jsonl and, when signed, the signer's
 * public key as signing-key.pub and a minisign signature of tagmanifest-sha256.txt beside it.
 * The package is recorded in the case's custody log after it is made (so the bag holds the log
 * as it was when packaged, and packaging the same case state twice gives the same bag apart from
 * Bagging-Date and the signature's timestamp).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bagit.h"
#include "bstime.h"
#include "casedb.h"
#include "cli.h"
#include "config.h"
#include "custody.h"
#include "minisig.h"
#include "package.h"
#include "redact.h"
#include "ustar.h"

static const char usage[] =
	"usage: backsight package [--include-evidence] [--sign KEYFILE] [--by NAME] [--org NAME]\n"
	"                         [--case-id ID] [--tar] [-q] CASE.db -o DIR\n";

struct package_opts {
	const char *out, *sign, *by, *org, *case_id;
	bool include_evidence, tar, quiet;
};

/* Command lines of the analysis runs (runs table), for bag-info. */
static void add_runs(struct bag_writer *bag, struct casedb *cdb)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(cdb->db, "SELECT id, kind, started, coalesce(status, ''), command_line FROM runs ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct strbuf line = STRBUF_INIT;
		const char *cmd = (const char *)sqlite3_column_text(st, 4);
		redact_secrets(cmd ? cmd : "", cmd ? strlen(cmd) : 0, &line);
		bag_info_add(bag, "Analysis-Run", "%lld %s %s %s: %s", (long long)sqlite3_column_int64(st, 0),
			     (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
			     (const char *)sqlite3_column_text(st, 3), line.buf);
		strbuf_release(&line);
	}
	sqlite3_finalize(st);
}

static void add_notes(struct bag_writer *bag, const struct strbuf *notes)
{
	char *copy = strdup(notes->buf), *p = copy, *line;

	while ((line = strsep(&p, "\n"))) {
		char *colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		bag_info_add(bag, line, "%s", colon + 2);
	}
	free(copy);
}

static int write_bag_info(struct bag_writer *bag, struct casedb *cdb, const struct package_opts *o,
			  const struct package_ctx *pc, const char *case_id, const char *actor,
			  const struct minisig_pubkey *signer, struct strbuf *err)
{
	struct custody_entry *entries = NULL;
	char ts[BS_TIME_MAX_LEN], keyid[MINISIG_KEYID_HEX_LEN + 1];
	size_t n = 0, files = 0;

	if (custody_read_all(cdb, &entries, &n, err) < 0)
		return -EIO;
	bs_time_format(bs_time_recorded(), ts);
	if (o->org)
		bag_info_add(bag, "Source-Organization", "%s", o->org);
	bag_info_add(bag, "Contact-Name", "%s", actor);
	bag_info_add(bag, "External-Identifier", "%s", case_id);
	bag_info_add(bag, "External-Description", "backsight evidence package of case %s: the case database, its exports%s",
		     case_id, o->include_evidence ? " and the original evidence files" : "");
	bag_info_add(bag, "Bagging-Date", "%.10s", ts);
	bag_info_add(bag, "Bag-Software-Agent", "backsight %s", BACKSIGHT_VERSION);
	bag_info_add(bag, "Case-Schema-Version", "%d", casedb_schema_version(cdb));
	bag_info_add(bag, "Custody-Log", "custody-log.jsonl, %zu entr%s, last hash %s", n, n == 1 ? "y" : "ies",
		     n ? entries[n - 1].hash : CUSTODY_GENESIS);
	for (size_t i = 0; i < n; i++) {
		struct strbuf line = STRBUF_INIT;
		/* a command line is text leaving the case like any export (the custody log keeps it as run) */
		redact_secrets(entries[i].command_line, strlen(entries[i].command_line), &line);
		bag_info_add(bag, "Command-Line", "%s %s by %s: %s", entries[i].time, entries[i].action, entries[i].actor,
			     line.buf);
		strbuf_release(&line);
	}
	custody_entries_free(entries, n);
	add_runs(bag, cdb);
	if (o->include_evidence)
		bag_info_add(bag, "Evidence-Included", "yes, %zu file(s) under data/evidence/, byte for byte", pc->evidence_files);
	else
		bag_info_add(bag, "Evidence-Included", "no (the ledger in data/exports/evidence.json names each file and its SHA-256)");
	add_notes(bag, &pc->notes);
	for (const char *p = pc->redacted_files.buf; *p; p = strchr(p, '\n') + 1)
		files++;
	bag_info_add(bag, "Redaction",
		     "AWS secret access keys and session tokens in exported text files are replaced by %s; access key "
		     "ids are kept; %zu values redacted in %zu files. Not altered: the original evidence files (byte for "
		     "byte by design), the case database copy (it holds what the importers stored; importers redact "
		     "the secrets of their own formats) and the custody log (its hash chain covers it).",
		     REDACTION_MARK, pc->redacted_values, files);
	for (const char *p = pc->redacted_files.buf; *p; p = strchr(p, '\n') + 1)
		bag_info_add(bag, "Redacted-File", "%.*s", (int)(strchr(p, '\n') - p), p);
	if (signer) {
		minisig_keyid_hex(signer->id, keyid);
		bag_info_add(bag, "Signing-Key-Id", "%s (minisign; signing-key.pub; signature in tagmanifest-sha256.txt.minisig)",
			     keyid);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct package_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "include-evidence", no_argument, NULL, 'E' },
		{ "sign", required_argument, NULL, 'S' },
		{ "by", required_argument, NULL, 'B' },
		{ "org", required_argument, NULL, 'O' },
		{ "case-id", required_argument, NULL, 'I' },
		{ "tar", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'E': o->include_evidence = true; break;
		case 'S': o->sign = optarg; break;
		case 'B': o->by = optarg; break;
		case 'O': o->org = optarg; break;
		case 'I': o->case_id = optarg; break;
		case 'T': o->tar = true; break;
		case 'q': o->quiet = true; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -usage_error(usage, "package: bad option");
		}
	}
	if (argc - optind != 1)
		return -usage_error(usage, "package: need exactly one case database");
	if (!o->out)
		return -usage_error(usage, "package: need -o DIR (where the bag goes)");
	return 0;
}

int cmd_package(int argc, char **argv)
{
	struct package_opts o = { 0 };
	struct package_ctx pc = { 0 };
	struct casedb *cdb = NULL;
	struct bag_writer *bag = NULL;
	struct minisig_pubkey signer;
	struct strbuf err = STRBUF_INIT, case_id = STRBUF_INIT, text = STRBUF_INIT, path = STRBUF_INIT;
	char *workdir = NULL, *bagdir = NULL, *top = NULL, *cmdline = NULL;
	char tm_hex[SHA256_HEX_LEN + 1], db_hex[SHA256_HEX_LEN + 1], out_hex[SHA256_HEX_LEN + 1];
	const char *case_path, *actor, *password = getenv("BACKSIGHT_KEY_PASSWORD");
	bool created = false;
	int r, rc = EXIT_RUNTIME;

	strbuf_init(&pc.redacted_files);
	strbuf_init(&pc.notes);
	r = parse_args(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : -r;
	case_path = argv[optind];
	actor = custody_actor(o.by);
	if (access(case_path, F_OK) != 0) {
		error("%s: no such case database", case_path);
		return EXIT_RUNTIME;
	}
	if (casedb_open(case_path, CASEDB_WRITE, &cdb, &err) < 0)
		goto fail;
	if (o.sign && minisig_seckey_public(o.sign, password, &signer, &err) < 0)
		goto fail;
	if (o.tar) {
		struct stat st;
		char *copy = strdup(o.out), *base;
		if (stat(o.out, &st) == 0) {
			strbuf_addf(&err, "%s: exists already, not overwritten", o.out);
			free(copy);
			goto fail;
		}
		base = basename(copy);
		top = strndup(base, strlen(base) > 4 && !strcmp(base + strlen(base) - 4, ".tar") ? strlen(base) - 4 : strlen(base));
		free(copy);
		copy = strdup(o.out);
		strbuf_addf(&path, "%s/.backsight-package-XXXXXX", dirname(copy));
		free(copy);
		workdir = strdup(path.buf);
		if (!mkdtemp(workdir)) {
			strbuf_addf(&err, "%s: %s", path.buf, strerror(errno));
			free(workdir);
			workdir = NULL;
			goto fail;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", workdir, top);
		bagdir = strdup(path.buf);
	} else {
		bagdir = strdup(o.out);
	}
	if (bag_writer_new(bagdir, &bag, &err) < 0)
		goto fail;
	created = true;

	pc.cdb = cdb;
	pc.bag = bag;
	pc.include_evidence = o.include_evidence;
	for (const struct package_producer *p = package_producers; p->name; p++)
		if (p->produce(&pc, &err) < 0) {
			strbuf_addf(&err, " (while packaging: %s)", p->name);
			goto fail;
		}

	if (o.case_id)
		strbuf_addstr(&case_id, o.case_id);
	else
		package_case_id(cdb, case_path, &case_id);
	if (custody_export_jsonl(cdb, &text, &err) < 0 || bag_add_tag(bag, "custody-log.jsonl", text.buf, text.len, &err) < 0)
		goto fail;
	if (o.sign) {
		strbuf_reset(&text);
		minisig_pubkey_format(&signer, &text);
		if (bag_add_tag(bag, "signing-key.pub", text.buf, text.len, &err) < 0)
			goto fail;
	}
	if (write_bag_info(bag, cdb, &o, &pc, case_id.buf, actor, o.sign ? &signer : NULL, &err) < 0)
		goto fail;
	if (bag_finish(bag, tm_hex, &err) < 0)
		goto fail;
	if (o.sign) {
		struct strbuf tm = STRBUF_INIT, sig = STRBUF_INIT, tc = STRBUF_INIT;
		strbuf_addf(&tm, "%s/tagmanifest-sha256.txt", bagdir);
		strbuf_addf(&sig, "%s.minisig", tm.buf);
		/* the trusted comment is signed: it binds the case id, the time and the tool to the bag */
		strbuf_addf(&tc, "case:%s\ttimestamp:%lld\ttool:backsight %s\tfile:tagmanifest-sha256.txt", case_id.buf,
			    (long long)(bs_time_recorded() / BS_NS_PER_SEC), BACKSIGHT_VERSION);
		for (size_t i = 0; i < tc.len; i++)
			if ((unsigned char)tc.buf[i] < 0x20 && tc.buf[i] != '\t')
				tc.buf[i] = '_';
		r = minisig_sign(o.sign, password, tm.buf, sig.buf, tc.buf, NULL, &err);
		strbuf_release(&tm);
		strbuf_release(&sig);
		strbuf_release(&tc);
		if (r < 0)
			goto fail;
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/data/" PACKAGE_CASE_DB, bagdir);
	if (bag_hash_file(path.buf, db_hex, NULL, &err) < 0)
		goto fail;
	if (o.tar) {
		if (ustar_write_dir(bagdir, top, o.out, &err) < 0)
			goto fail;
		bag_remove_tree(workdir);
		if (bag_hash_file(o.out, out_hex, NULL, &err) < 0)
			goto fail;
	} else {
		memcpy(out_hex, tm_hex, sizeof(out_hex));
	}

	/* custody: the package, recorded after it is made */
	{
		struct custody_file in = { (char *)case_path, db_hex };
		struct custody_file out;
		strbuf_reset(&path);
		if (o.tar)
			strbuf_addstr(&path, o.out);
		else
			strbuf_addf(&path, "%s/tagmanifest-sha256.txt", o.out);
		out.name = path.buf;
		out.sha256 = out_hex;
		cmdline = custody_command_line(argc, argv);
		if (custody_append(cdb, "package", actor, cmdline, &in, 1, &out, 1, &err) < 0)
			goto fail_recorded;
	}
	if (!o.quiet) {
		printf("packaged case %s into %s%s: tag manifest SHA-256 %s", case_id.buf, o.out, o.tar ? " (ustar)" : "", tm_hex);
		if (o.sign) {
			char id[MINISIG_KEYID_HEX_LEN + 1];
			minisig_keyid_hex(signer.id, id);
			printf(", signed by key %s", id);
		}
		if (pc.redacted_values)
			printf(", %zu secret values redacted", pc.redacted_values);
		putchar('\n');
	}
	rc = 0;
	goto out;
fail:
	if (created)
		bag_remove_tree(bagdir);
fail_recorded:
	error("%s", err.buf);
out:
	if (workdir) {
		bag_remove_tree(workdir);
		free(workdir);
	}
	bag_writer_free(bag);
	casedb_free(cdb);
	free(bagdir);
	free(top);
	free(cmdline);
	strbuf_release(&pc.redacted_files);
	strbuf_release(&pc.notes);
	strbuf_release(&err);
	strbuf_release(&case_id);
	strbuf_release(&text);
	strbuf_release(&path);
	return rc;
}
