/* detect: running a compiled rule set retroactively over a case — every enabled rule over every
 * event of its source in time order, every matching rule firing (Falco's rule_matching: all),
 * alerts stored in `alerts`, the run recorded in `runs`.
 *
 * Rules are indexed by the evt.type values their condition can match, so an event meets only
 * the rules that can match it; the process tree is loaded once per run; an event's `fields` JSON
 * is parsed at most once, and only when a rule reaches a field kept there.
 *
 * Ownership: detect_run borrows the case and the rule set; a detect_result owns its arrays and
 * is released with detect_result_release.
 */
#ifndef BS_DETECT_H
#define BS_DETECT_H

#include <stdint.h>

#include "casedb.h"
#include "rules.h"

struct detect_result {
	int64_t run_id;
	uint64_t events;             /* events in the case */
	uint64_t read;               /* events read: those of a type some rule can match */
	uint64_t evaluated;          /* rule evaluations */
	uint64_t alerts;
	uint64_t *rule_alerts;       /* per rule of the set, in load order */
	uint64_t source_events[SRC__COUNT];
	double seconds;              /* wall time of the evaluation pass */
};

int detect_run(struct casedb *cdb, struct ruleset *rs, const char *command_line, struct detect_result *ret,
	       struct strbuf *err);
void detect_result_release(struct detect_result *r);

/* The typed columns of `events` (bit c: bs_event_columns[c]) the rule reads directly, in its
 * condition (arguments of transformer calls included) and its output: those the scan selects. */
uint64_t detect_rule_columns(const struct rule *r);

/* The coverage line of one rule after a run: "ran (N alerts)", "ran, no match",
 * "could not run: <reason>", "disabled", "error: <reason>". */
void detect_coverage(const struct rule *r, const struct detect_result *res, size_t rule_index, struct strbuf *out);

#endif
