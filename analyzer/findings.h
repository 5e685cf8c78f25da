/* findings: rule alerts aggregated into findings the way GuardDuty aggregates them.
 *
 * Alerts (the `alerts` table, filled by `backsight detect`) of the newest run that has any are
 * grouped by finding type, resource and identifying parameters:
 *
 *  - type: the rule's `guardduty:<Type>` tag where the rule reproduces a GuardDuty finding type,
 *    the rule name otherwise;
 *  - resource: an access key (or the principal) for CloudTrail alerts, the container for a
 *    containerised host event, the host (instance) otherwise;
 *  - identity: the executable for syscall alerts, the DNS name / SNI / HTTP host or the remote
 *    address for network alerts, the caller's source address for CloudTrail alerts.
 *
 * Alerts with the same key whose time falls within `window_ns` of the finding's first alert
 * become one finding (count, first and last seen); a later alert opens a new finding. With
 * `per_event` every alert is its own finding (as Sysdig forwards events). The finding id is
 * the first 32 hex digits of SHA-256(type, resource, identity, and the first alert's evidence
 * SHA-256, byte offset and time), so it is stable across re-imports in any order.
 *
 * Severity (1-10, GuardDuty's scale) comes from a `severity:N` tag, else from the Falco
 * priority: emergency 10, alert 9, critical 8, error 7, warning 5, notice 3, informational 2,
 * debug 1; the finding keeps the highest of its alerts. Labels follow GuardDuty's buckets:
 * Low < 4, Medium < 7, High < 9, Critical >= 9.
 *
 * Each finding's `detail` column is a JSON object: rule, priority, severity_label, tags,
 * mitre {tactics [{id,name}], techniques}, resource {type,id,host,container_id,...}, identity,
 * process {pid,ppid,name,exe,cmdline,cwd,uid,user,lineage[]} (lineage nearest first, from the
 * process tree or, lacking one, from the host's syscall events), context (the first alert's
 * output fields), evidence [{event_id,ts,source,type,host,summary,evidence,sha256,offset,
 * length}] (at most FINDING_MAX_EVIDENCE, evidence_total says how many) and alert_ids.
 *
 * Ownership: nothing is kept between calls; results are rows in the case database.
 */
#ifndef BS_FINDINGS_H
#define BS_FINDINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "casedb.h"
#include "strbuf.h"

#define FINDING_DEFAULT_WINDOW_NS (5LL * 60 * 1000000000LL)
#define FINDING_MAX_EVIDENCE 100
#define FINDING_MAX_LINEAGE 16

struct finding_options {
	int64_t window_ns; /* aggregation window per finding, from its first alert */
	bool per_event;    /* one finding per alert */
	int64_t run_id;    /* the runs row the findings belong to */
	/* The case file's hosts, or NULL: {"HOST": {"instance_id", "task_arn", "role",
	 * "addresses": [...]}}; borrowed. A finding's resource gets the host's identifiers. */
	const json_t *hosts;
	/* Suppression filters (suppress.h) applied after the aggregation, or NULL; borrowed. */
	const json_t *suppress;
};

void finding_options_init(struct finding_options *o);

/* Replace the case's findings by the aggregation of the newest alert run. Returns the number
 * of findings written, or a negative errno with err set. The caller holds the transaction. */
int finding_aggregate(struct casedb *cdb, const struct finding_options *opts, struct strbuf *err);

/* GuardDuty-scale severity of a Falco priority name (case-insensitive), 0 when unknown. */
double finding_severity_from_priority(const char *priority);
/* "Low", "Medium", "High" or "Critical". */
const char *finding_severity_label(double severity);

#endif
