/* cmd-import: `backsight import` — take evidence files into a case database.
 *
 * usage: backsight import [OPTIONS] CASE.db PATH...
 *
 *   -f, --format NAME        read every PATH as this format instead of detecting it
 *       --host NAME          host name for evidence that does not name its host
 *       --date YYYY-MM-DD    date for evidence whose times have none (strace -t/-tt)
 *       --tz +HH:MM          zone of such times (default: UTC, recorded as an assumption)
 *       --progress WHEN      auto (a terminal), always or never
 *   -q, --quiet              print only errors
 *       --by NAME            who ran the import, for the custody log (default: the user name)
 *       --list-formats       list the evidence formats and exit
 *
 * PATH may be a file, a directory (read recursively, in name order) or - for standard input.
 * The per-process files of one `strace -ff -o prefix` run (prefix.PID), imported together or
 * one by one, end up as one process tree: each child file's process is linked to the process
 * whose clone/fork/vfork returned its pid in another file.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bstime.h"
#include "casedb.h"
#include "cli.h"
#include "custody.h"
#include "import.h"
#include "proclink.h"
#include "progress.h"
#include "termsafe.h"

static const char usage[] =
	"usage: backsight import [-f FORMAT] [--host NAME] [--date YYYY-MM-DD] [--tz +HH:MM]\n"
	"                        [--progress auto|always|never] [-q] [--by NAME] CASE.db PATH...\n"
	"       backsight import --list-formats\n";

#define MAX_DEPTH 64

struct file_list {
	char **paths;
	size_t n, cap;
};

static void list_add(struct file_list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->paths = realloc(l->paths, l->cap * sizeof(*l->paths));
		if (!l->paths)
			abort();
	}
	l->paths[l->n++] = strdup(path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files under a directory, in name order at each level. */
static int collect(const char *path, int depth, struct file_list *out)
{
	struct file_list here = { 0 };
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int r = 0;

	if (!strcmp(path, "-")) {
		list_add(out, path);
		return 0;
	}
	if (stat(path, &st) < 0) {
		error("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		list_add(out, path);
		return 0;
	}
	if (depth >= MAX_DEPTH) {
		error("%s: directories nested deeper than %d, not followed", path, MAX_DEPTH);
		return -ELOOP;
	}
	dir = opendir(path);
	if (!dir) {
		error("%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		struct strbuf child = STRBUF_INIT;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
		list_add(&here, child.buf);
		strbuf_release(&child);
	}
	closedir(dir);
	qsort(here.paths, here.n, sizeof(*here.paths), cmp_names);
	for (size_t i = 0; i < here.n; i++) {
		if (collect(here.paths[i], depth + 1, out) < 0)
			r = -1;
		free(here.paths[i]);
	}
	free(here.paths);
	return r;
}

int cli_parse_tz(const char *s, int *ret_offset)
{
	int h, m = 0;
	char sign;

	if (!strcmp(s, "UTC") || !strcmp(s, "Z")) {
		*ret_offset = 0;
		return 0;
	}
	if (sscanf(s, "%c%2d:%2d", &sign, &h, &m) < 2 || (sign != '+' && sign != '-') || h > 23 || m > 59)
		return -EINVAL;
	*ret_offset = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

static void print_formats(void)
{
	for (size_t i = 0; importers[i]; i++)
		printf("%-16s %s\n", importers[i]->name, importers[i]->summary);
}

static void print_result(const char *path, const struct import_result *res)
{
	struct strbuf line = STRBUF_INIT;
	char a[BS_TIME_MAX_LEN], b[BS_TIME_MAX_LEN];

	strbuf_add_termsafe(&line, path, strlen(path));
	switch (res->outcome) {
	case IMPORT_DUPLICATE:
		strbuf_addf(&line, ": %s, nothing changed", res->message.buf);
		break;
	case IMPORT_FAILED:
		break;
	case IMPORT_COMPLETE:
	case IMPORT_PARTIAL:
		strbuf_addf(&line, ": %s, %llu events, %llu skipped", res->format, (unsigned long long)res->events,
			    (unsigned long long)res->skipped);
		if (res->first_ts != BS_NONE) {
			bs_time_format(res->first_ts, a);
			bs_time_format(res->last_ts, b);
			strbuf_addf(&line, ", %s .. %s", a, b);
		}
		break;
	}
	if (res->outcome == IMPORT_FAILED) {
		error("%s", res->message.len ? res->message.buf : line.buf);
	} else {
		puts(line.buf);
		if (res->outcome == IMPORT_PARTIAL) {
			strbuf_reset(&line);
			strbuf_add_termsafe(&line, res->message.buf, res->message.len);
			warning("%s: imported up to the damage, marked partial: %s", path, line.buf);
		}
	}
	strbuf_release(&line);
}

/* Custody log: the file as the user named it, and the SHA-256 the ledger holds for it. */
static void custody_file_of(struct casedb *cdb, const char *path, int64_t evidence_id, struct custody_file *ret)
{
	sqlite3_stmt *st;

	ret->name = strdup(path);
	ret->sha256 = NULL;
	if (evidence_id <= 0 || sqlite3_prepare_v2(cdb->db, "SELECT sha256 FROM evidence WHERE id = ?1", -1, &st, NULL))
		return;
	sqlite3_bind_int64(st, 1, evidence_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		ret->sha256 = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "host", required_argument, NULL, 'H' },
		{ "date", required_argument, NULL, 'D' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "progress", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-formats", no_argument, NULL, 'L' },
		{ "by", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_options opts = { 0 };
	enum progress_mode pmode = PROGRESS_AUTO;
	struct file_list files = { 0 };
	struct progress prog;
	struct casedb *cdb = NULL;
	struct strbuf err = STRBUF_INIT;
	uint64_t events = 0, skipped = 0, bytes = 0, failed = 0, dups = 0, partial = 0;
	bool quiet = false, bulk;
	const char *by = NULL;
	struct custody_file *custody_in = NULL;
	int64_t started = bs_time_now(), ignored;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!importer_find(optarg))
				return usage_error(usage, "import: unknown format '%s' (see --list-formats)", optarg);
			opts.format = optarg;
			break;
		case 'H':
			opts.imp.host = optarg;
			break;
		case 'D':
			if (strlen(optarg) != 10 || bs_time_parse(optarg, 10, 1, &ignored, NULL) < 0)
				return usage_error(usage, "import: --date wants YYYY-MM-DD, not '%s'", optarg);
			opts.imp.date = optarg;
			break;
		case 'Z':
			if (cli_parse_tz(optarg, &opts.imp.tz_offset_sec) < 0)
				return usage_error(usage, "import: --tz wants +HH:MM, -HH:MM or UTC, not '%s'", optarg);
			opts.imp.tz_set = true;
			break;
		case 'P':
			if (progress_mode_parse(optarg, &pmode) < 0)
				return usage_error(usage, "import: --progress is auto, always or never, not '%s'", optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'B':
			by = optarg;
			break;
		case 'L':
			print_formats();
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "import: bad option");
		}
	}
	if (argc - optind < 2)
		return usage_error(usage, "import: need a case database and at least one evidence path");
	for (int i = optind + 1; i < argc; i++)
		if (collect(argv[i], 0, &files) < 0)
			rc = EXIT_RUNTIME;
	if (casedb_open(argv[optind], CASEDB_WRITE, &cdb, &err) < 0) {
		error("%s", err.buf);
		rc = EXIT_RUNTIME;
		goto out;
	}
	progress_init(&prog, quiet ? PROGRESS_NEVER : pmode);
	opts.progress = progress_update;
	opts.progress_userdata = &prog;

	/* Loading into an empty case: build the timeline indexes once, at the end. */
	bulk = casedb_count(cdb, "events") == 0 && files.n > 0;
	if (bulk && casedb_drop_event_indexes(cdb, &err) < 0)
		goto db_error;
	custody_in = calloc(files.n ? files.n : 1, sizeof(*custody_in));
	if (!custody_in)
		abort();
	for (size_t i = 0; i < files.n; i++) {
		struct import_result res;
		import_result_init(&res);
		prog.started = bs_time_now();
		if (import_file(cdb, files.paths[i], &opts, &res, &err) < 0) {
			progress_clear(&prog);
			import_result_release(&res);
			goto db_error;
		}
		progress_clear(&prog);
		if (!quiet || res.outcome == IMPORT_FAILED)
			print_result(files.paths[i], &res);
		events += res.events;
		skipped += res.skipped;
		bytes += res.bytes;
		failed += res.outcome == IMPORT_FAILED;
		dups += res.outcome == IMPORT_DUPLICATE;
		partial += res.outcome == IMPORT_PARTIAL;
		custody_file_of(cdb, files.paths[i], res.evidence_id, &custody_in[i]);
		import_result_release(&res);
	}
	if (bulk && casedb_build_event_indexes(cdb, &err) < 0)
		goto db_error;
	/* strace -ff: the per-process files of one run become one process tree (proclink.h) */
	{
		int linked = proclink_strace_ff(cdb, &err);
		if (linked < 0)
			goto db_error;
		if (linked && !quiet)
			printf("linked %d process%s of strace -ff files to their parents in other files\n", linked,
			       linked == 1 ? "" : "es");
	}
	/* --- custody log (issue 10): one entry per import command, the files with their SHA-256 --- */
	{
		char *cmdline = custody_command_line(argc, argv);
		int cr = custody_append(cdb, "import", custody_actor(by), cmdline, custody_in, files.n, NULL, 0, &err);
		free(cmdline);
		if (cr < 0)
			goto db_error;
	}
	/* --- end of custody log --- */
	if (!quiet) {
		char b[32];
		format_bytes(bytes, b);
		printf("imported %zu file%s (%llu partial, %llu duplicate, %llu failed): %llu events, %llu skipped, "
		       "%s in %.2f s\n",
		       files.n, files.n == 1 ? "" : "s", (unsigned long long)partial, (unsigned long long)dups,
		       (unsigned long long)failed, (unsigned long long)events, (unsigned long long)skipped, b,
		       (double)(bs_time_now() - started) / 1e9);
	}
	if (failed)
		rc = EXIT_RUNTIME;
	goto out;
db_error:
	error("%s", err.buf);
	rc = EXIT_RUNTIME;
out:
	casedb_free(cdb);
	for (size_t i = 0; i < files.n; i++) {
		free(files.paths[i]);
		if (custody_in) {
			free(custody_in[i].name);
			free(custody_in[i].sha256);
		}
	}
	free(files.paths);
	free(custody_in);
	strbuf_release(&err);
	return rc;
}
