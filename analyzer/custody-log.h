/* custody-log: the custody entry each analysis action appends (custody.h keeps the chain):
 * which files the action read and wrote, with their SHA-256, and the command line.
 *
 * Ownership: everything is borrowed. Each returns 0 or a negative errno with err set.
 */
#ifndef BS_CUSTODY_LOG_H
#define BS_CUSTODY_LOG_H

#include <stddef.h>

#include "casedb.h"
#include "indicators.h"
#include "rules.h"
#include "strbuf.h"

/* A detect run: the rule files it loaded and the indicator lists it matched (iocs may be NULL). */
int custody_log_detect(struct casedb *cdb, const struct ruleset *rs, const struct indicator_set *iocs,
		       const char *command_line, struct strbuf *err);
/* An analyze run: the case file, if one was given. */
int custody_log_analyze(struct casedb *cdb, const char *case_file, const char *command_line, struct strbuf *err);
/* Reports written: each file, hashed as it is on disk now. */
int custody_log_report(struct casedb *cdb, const char *const *files, size_t nfiles, const char *command_line,
		       struct strbuf *err);

#endif
