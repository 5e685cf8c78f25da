/* suppress: suppression rules in GuardDuty's filter form, applied to a case's findings.
 *
 * A suppression file is what GuardDuty's CreateFilter takes (shared/reference/guardduty.md §3,
 * the API's FindingCriteria): one filter object, or an array of them,
 *   {"Name": "...", "Action": "ARCHIVE",
 *    "FindingCriteria": {"Criterion": {"<attribute path>": {"Eq": ["a", "b"]}, ...}}}
 * (camelCase keys accepted too). An attribute path is a dotted path into the finding in its
 * GuardDuty shape (`backsight report --format guardduty`): type, severity,
 * resource.instanceDetails.instanceId, service.runtimeDetails.process.name ...; an array on the
 * way matches when any element does. Operators: Eq/Equals, Neq/NotEquals, Gt/GreaterThan,
 * Gte/GreaterThanOrEqual, Lt/LessThan, Lte/LessThanOrEqual (numbers; a time attribute compares
 * as epoch milliseconds, as GuardDuty's do), Matches/NotMatches (wildcards * and ?). Values of
 * one operator are OR-ed, operators and attributes AND-ed; a negative operator (Neq,
 * NotMatches) holds when the attribute is absent. A filter whose Action is NOOP is ignored.
 *
 * Suppressed findings are kept and marked archived (findings.archived = 1), as GuardDuty does.
 */
#ifndef BS_SUPPRESS_H
#define BS_SUPPRESS_H

#include <jansson.h>
#include <stdbool.h>

#include "casedb.h"
#include "strbuf.h"

/* Read and check a suppression file; *ret_filters gets an array of filter objects (a new
 * reference). Errors name the file, the filter and what is wrong. */
int suppress_load(const char *path, json_t **ret_filters, struct strbuf *err);
/* Check filters given as JSON text (the same checks; for tests and callers with text). */
int suppress_parse(const char *text, const char *name, json_t **ret_filters, struct strbuf *err);

/* Does one FindingCriteria.Criterion object match a finding in GuardDuty's shape? */
bool suppress_match(const json_t *criterion, const json_t *finding);

/* Mark archived every finding of the case that a filter matches; *ret_archived (optional) gets
 * how many. Returns 0 or a negative errno with err set. */
int suppress_apply(struct casedb *cdb, const json_t *filters, int *ret_archived, struct strbuf *err);

#endif
