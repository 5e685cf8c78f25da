/* cmd-verify-trail: `backsight verify-trail` — check imported CloudTrail log files against the
 * digest files imported with them (what is checked: trail-verify.h).
 *
 * usage: backsight verify-trail [--public-key FILE]... [--signatures FILE] CASE.db
 *
 *   --public-key FILE   the trail's public key(s): PEM, DER, base64 DER, or the JSON of
 *                       `aws cloudtrail list-public-keys`; repeatable
 *   --signatures FILE   digest signatures recorded at acquisition, lines "NAME HEX"
 *
 * Exit status 0 when nothing is altered, missing, broken or badly signed, 1 otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "cli.h"
#include "trail-verify.h"

static const char usage[] = "usage: backsight verify-trail [--public-key FILE]... [--signatures FILE] CASE.db\n";

int cmd_verify_trail(int argc, char **argv)
{
	struct trail_keys *keys = trail_keys_new();
	struct trail_counts c;
	struct strbuf err = STRBUF_INIT;
	struct casedb *cdb = NULL;
	const char *sigfile = NULL, *case_path = NULL;
	int status = EXIT_RUNTIME;

	if (!keys)
		abort();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (!strcmp(argv[i], "--public-key") && i + 1 < argc) {
			if (trail_keys_load(keys, argv[++i], &err) < 0) {
				error("%s", err.buf);
				status = EXIT_USAGE;
				goto out;
			}
		} else if (!strcmp(argv[i], "--signatures") && i + 1 < argc) {
			sigfile = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = usage_error(usage, "verify-trail: unknown option or missing value '%s'", argv[i]);
			goto out;
		} else if (case_path) {
			status = usage_error(usage, "verify-trail: expected one case database");
			goto out;
		} else {
			case_path = argv[i];
		}
	}
	if (!case_path) {
		status = usage_error(usage, "verify-trail: expected one case database");
		goto out;
	}
	if (casedb_open(case_path, CASEDB_READ, &cdb, &err) < 0 || trail_verify(cdb, keys, sigfile, stdout, &c, &err) < 0) {
		error("%s", err.buf);
		goto out;
	}
	status = c.altered || c.missing || c.broken || c.sig_bad ? EXIT_RUNTIME : 0;
out:
	trail_keys_free(keys);
	casedb_free(cdb);
	strbuf_release(&err);
	return status;
}
