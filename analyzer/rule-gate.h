/* rule-gate: what a rule may ask of the whole case, beyond its one event — decided when the
 * rule has matched an event and before its alert is stored, by tags on the rule.
 *
 * A Falco condition sees one event. GuardDuty's anomaly types (reference/guardduty.md §2b, "AB")
 * and InstanceCredentialExfiltration compare an event with what the identity or the workload did
 * otherwise; offline, the honest approximation is "within the case". Three tags say it:
 *
 *   first_seen:F1+F2...   the rule fires on the first event (in time order) of each distinct
 *                         combination of the values its output printed for the fields F1, F2 ...
 *                         (e.g. `first_seen:ct.user.arn+ct.useragent`); an event where one of
 *                         them is missing does not fire (nothing to call first). FIELD@product
 *                         keeps only the value's first word: a user agent's product and version
 *                         ("aws-cli/2.22.4"), not the per-command details aws-cli appends.
 *   baseline:principal    with first_seen: only when the event's principal had already been seen
 *                         in an earlier event of the same source (strictly earlier time) — the
 *                         principal's first moments are its learning period, as GuardDuty has one.
 *                         The combination still counts as seen.
 *   outside_workload      the event's source address is none of the workload's own addresses
 *                         as the case shows them: the egress address of the event's principal
 *                         (its role session; corr_session_egress in correlate.h: its first public
 *                         address, or, when it also called through VPC endpoints, its first public
 *                         address with a user agent product it used from inside), and the local
 *                         addresses of the
 *                         hosts' syscall and network evidence (outbound connections, requests to
 *                         the instance and ECS credential endpoints).
 *
 * Each is documented for users in rules/README.md and backsight-rules(7). The passes are
 * deterministic: the same case and rules give the same alerts.
 *
 * Ownership: a rule_gate borrows the case; rule_gate_free accepts NULL.
 */
#ifndef BS_RULE_GATE_H
#define BS_RULE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casedb.h"
#include "rules.h"

struct rule_gate;

/* Are the rule's gate tags well formed, and does its output print every first_seen field? 0, or
 * -EINVAL with the reason in err. Run when the rule is compiled, so `rules check` reports it
 * and the rule alone does not run. */
int rule_gate_check(const struct rule *r, struct strbuf *err);
/* A gate for the rule set (rules that did not compile are left out); *ret is NULL when no rule carries a gate tag. 0 or a negative errno
 * (a malformed gate tag, named in err). */
int rule_gate_new(struct casedb *cdb, const struct ruleset *rs, struct rule_gate **ret, struct strbuf *err);
/* Forget what was seen (a detection pass restarted from the first event). */
void rule_gate_reset(struct rule_gate *g);
/* May rule rule_index's alert on this event be stored? ofields: the alert's output fields JSON. */
bool rule_gate_admit(struct rule_gate *g, size_t rule_index, int64_t event_id, int64_t ts, const char *ofields,
		     size_t ofields_len);
void rule_gate_free(struct rule_gate *g);

#endif
