/* analyze: the analysis stage after detection — alerts aggregated into findings, findings and
 * host evidence correlated with CloudTrail — recorded as one `runs` row (kind "analyze").
 *
 * `backsight analyze` and `backsight investigate` call analyze_case; the report writers then
 * read only the case database.
 */
#ifndef BS_ANALYZE_H
#define BS_ANALYZE_H

#include <jansson.h>
#include <stdint.h>

#include "casedb.h"
#include "findings.h"
#include "strbuf.h"

struct analyze_result {
	int64_t run_id;
	int findings, correlations;
	int archived; /* findings the suppression filters archived */
};

/* Record a run of `kind` with the command line (argv joined, each argument shell-quoted when
 * needed) and optional inputs JSON; returns its id through ret_id. */
int analyze_run_begin(struct casedb *cdb, const char *kind, int argc, char **argv, const char *inputs,
		      int64_t *ret_id, struct strbuf *err);
int analyze_run_end(struct casedb *cdb, int64_t run_id, const char *status, struct strbuf *err);

/*
 * Read a case file, YAML or JSON (yamljson.h):
 *   {"hosts": {"HOST": {"instance_id": "i-...", "task_arn": "arn:aws:ecs:...:task/CLUSTER/ID",
 *                       "role": "...", "addresses": ["10.0.1.23", "54.1.2.3"]}}}
 * HOST is the host name the evidence uses. Returns the hosts object (a new reference).
 */
int analyze_load_case_file(const char *path, json_t **ret_hosts, struct strbuf *err);

/* Aggregate and correlate in one transaction, as a new run, then archive the findings the
 * suppression filters (opts->suppress, suppress.h) match. The run's inputs record the options
 * ({"window_ns", "per_event"}), the case file's hosts ("case_hosts") and the filters
 * ("suppress") when set, so that the run can be made again (rerun.h). */
int analyze_case(struct casedb *cdb, const struct finding_options *opts, int argc, char **argv,
		 struct analyze_result *ret, struct strbuf *err);

#endif
