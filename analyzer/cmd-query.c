/* cmd-query: `backsight query` — the named investigation queries of queries/, or any read-only
 * SQL, over a case.
 *
 * usage: backsight query [-F table|csv|json] CASE.db NAME [ARG...]
 *        backsight query [-F table|csv|json] CASE.db --sql 'SELECT ...'
 *        backsight query --list
 *
 * A named query is a queries/NAME.sql file whose header says `-- name:`, `-- description:`
 * and, when it takes arguments, `-- params:`; ARG i is bound to ?i. Queries (and --sql) may use
 * bs_time('2026-11-22T02:00:00Z') → ns and bs_rfc3339(ns) → text. The case is opened read-only.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "cli.h"
#include "embedded.h"
#include "resultset.h"

static const char usage[] = "usage: backsight query [-F table|csv|json] CASE.db NAME [ARG...]\n"
			    "       backsight query [-F table|csv|json] CASE.db --sql 'SELECT ...'\n"
			    "       backsight query --list\n";

/* The value of a `-- key:` header line of a query, copied into out (empty if absent). */
static void header_value(const char *text, const char *key, struct strbuf *out)
{
	size_t klen = strlen(key);

	strbuf_reset(out);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "--", 2))
			break; /* the header ends at the first line that is not a comment */
		const char *p = line + 2;
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1, *end = strchr(v, '\n');
			while (*v == ' ')
				v++;
			strbuf_add(out, v, end ? (size_t)(end - v) : strlen(v));
			return;
		}
	}
}

static const struct embedded_file *find_query(const char *name)
{
	struct strbuf qname = STRBUF_INIT;
	const struct embedded_file *found = NULL;

	for (const struct embedded_file *q = named_queries; q->name && !found; q++) {
		header_value(q->text, "name", &qname);
		if (!strcmp(qname.buf, name))
			found = q;
	}
	strbuf_release(&qname);
	return found;
}

static void list_queries(void)
{
	struct strbuf name = STRBUF_INIT, desc = STRBUF_INIT, params = STRBUF_INIT;

	for (const struct embedded_file *q = named_queries; q->name; q++) {
		header_value(q->text, "name", &name);
		header_value(q->text, "description", &desc);
		header_value(q->text, "params", &params);
		printf("%-24s %s%s%s%s\n", name.buf, desc.buf, params.len ? " (args: " : "", params.buf,
		       params.len ? ")" : "");
	}
	strbuf_release(&name);
	strbuf_release(&desc);
	strbuf_release(&params);
}

static int count_params(const char *text)
{
	struct strbuf params = STRBUF_INIT;
	int n = 0;

	header_value(text, "params", &params);
	for (char *p = params.buf; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ')
			p++;
	}
	strbuf_release(&params);
	return n;
}

int cmd_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "sql", required_argument, NULL, 'Q' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum resultset_format format = RESULTSET_TABLE;
	const char *sql = NULL, *tail = NULL;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	sqlite3_stmt *st = NULL;
	int c, rc = EXIT_RUNTIME, nargs;

	while ((c = getopt_long(argc, argv, "F:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (resultset_format_parse(optarg, &format) < 0)
				return usage_error(usage, "query: format is table, csv or json, not '%s'", optarg);
			break;
		case 'Q':
			sql = optarg;
			break;
		case 'l':
			list_queries();
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error(usage, "query: bad option");
		}
	}
	if (argc - optind < 1 + (sql == NULL))
		return usage_error(usage, "query: need a case database and a query name (or --sql)");
	nargs = argc - optind - 1 - (sql == NULL);
	if (!sql) {
		const struct embedded_file *q = find_query(argv[optind + 1]);
		if (!q)
			return usage_error(usage, "query: no query named '%s' (see 'backsight query --list')",
					   argv[optind + 1]);
		if (nargs != count_params(q->text))
			return usage_error(usage, "query: '%s' takes %d argument(s), %d given", argv[optind + 1],
					   count_params(q->text), nargs);
		sql = q->text;
	} else if (nargs) {
		return usage_error(usage, "query: --sql takes no further arguments");
	}
	if (casedb_open(argv[optind], CASEDB_READ, &cdb, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, &tail) != SQLITE_OK) {
		error("%s: %s", argv[optind], sqlite3_errmsg(cdb->db));
		goto out;
	}
	if (!st) {
		error("query: the SQL holds no statement");
		goto out;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		error("query: one statement at a time (found more after the first)");
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		error("query: only read-only SQL is allowed");
		goto out;
	}
	for (int i = 0; i < nargs; i++)
		sqlite3_bind_text(st, i + 1, argv[optind + 2 + i], -1, SQLITE_STATIC);
	if (resultset_print(stdout, st, format) < 0) {
		error("%s: %s", argv[optind], sqlite3_errmsg(cdb->db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	casedb_free(cdb);
	strbuf_release(&err);
	return rc;
}
