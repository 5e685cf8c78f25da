/* rerun: the analysis runs one case records, run again over another case — the second half of
 * `verify --reproduce`, after the bag's evidence was re-imported.
 *
 * Every `detect` run is run again with the rule files the bag holds for it (data/rules/runN-*,
 * in the order the run loaded them) and every `analyze` run with the options and case hosts its
 * inputs recorded; runs of other kinds are copied. What a run derived — its coverage statement
 * and engine version — must equal the recorded one (a difference is a problem); what it only
 * records — command line, times, rule file paths — is then copied from the original, so that
 * the report rendered from the re-run case can be compared byte for byte with the bag's.
 *
 * Ownership: both cases are borrowed. Problems are appended to `problems`, one line each.
 */
#ifndef BS_RERUN_H
#define BS_RERUN_H

#include "casedb.h"
#include "strbuf.h"

/* Returns the number of runs re-run or copied, or a negative errno with err set (a run that
 * could not be re-run at all). `to` must have no runs yet. */
int rerun_analysis(struct casedb *from, struct casedb *to, const char *rules_dir, struct strbuf *problems,
		   struct strbuf *err);

#endif
