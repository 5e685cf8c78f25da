/* correlate: host and network evidence joined to CloudTrail — the `correlations` table.
 *
 * The joins, strongest first (shared/reference/guardduty.md §7):
 *
 *  - access_key: an AWS access key id recovered from the evidence — any non-CloudTrail event's
 *    access_key_id (credential-endpoint responses in captures, AWS_ACCESS_KEY_ID in an
 *    environment or argv), a key id (AKIA/ASIA + 16) in a syscall event's command line or
 *    fields, or the key an AssumeRole record issued — linked to every CloudTrail event made
 *    with that key. The reason says where the key was found and whether the call came from
 *    the workload's own address or from outside.
 *  - source_ip: a call with a recovered key from an address that is none of the workload's
 *    (the host's own addresses seen in its syscall and network evidence, private ranges and
 *    AWS service names count as inside) — GuardDuty's credential-exfiltration logic.
 *  - role_session: the role session of a recovered key (`assumed-role/ROLE/SESSION`: an ECS
 *    task id, an EC2 instance id) linked to that session's calls made with other keys.
 *  - user_agent: an `aws-cli/` call from the workload's side (not from outside) linked to an
 *    `aws` process executed on the host in the ten minutes before it.
 *
 * Each row names the host-side event (event_id), the CloudTrail event, the finding the host
 * event belongs to (or the host's latest finding before it), the key and a one-line reason.
 *
 * corr_headline computes the incident's headline chain from those rows: the key, where and by
 * what it was recovered, the addresses it was then used from outside the workload, when, and
 * the API calls, as a JSON object (see the function).
 *
 * Ownership: corr_headline returns a new reference the caller must json_decref.
 */
#ifndef BS_CORRELATE_H
#define BS_CORRELATE_H

#include <jansson.h>
#include <stdint.h>

#include "casedb.h"
#include "strbuf.h"

#define CORR_UA_WINDOW_NS (10LL * 60 * 1000000000LL)

/* With a case file (hosts → instance_id, task_arn, addresses; see findings.h), a host's listed
 * addresses count as its own, and the calls of the role session named by its ECS task id or
 * EC2 instance id are linked to it (role_session) even when no key was recovered.
 *
 * Replace the correlations of the case. Returns the number of rows written or a negative
 * errno with err set. The caller holds the transaction. */
int corr_correlate(struct casedb *cdb, int64_t run_id, const json_t *hosts, struct strbuf *err);

/*
 * The headline chain, or NULL when no recovered key was used from outside the workload:
 * {key, recovered {event_id, ts, host, pid, proc_name, how, summary, process_event}, used_from
 *  [addresses],
 *  first_use, last_use, apis [distinct names in time order], calls [{event_id, ts, api,
 *  src_ip, user_agent}], aws_cli_on_host (bool), session, ecs_task_id or instance_id (from the
 *  calls' role session), text (the one-line statement)}. A key recovered from network evidence
 * gets the pid and name of the process whose syscall connect made that connection
 * (process_event), when a syscall source on the host has it.
 */
json_t *corr_headline(struct casedb *cdb);

/* Whether an address belongs to private, link-local or loopback space, or is an AWS service
 * name as CloudTrail writes it in sourceIPAddress. */
int corr_address_is_internal(const char *addr);

/*
 * The public address a role session's workload calls AWS from (its NAT gateway or public IP), as
 * its own CloudTrail calls show it, into ret (left empty when the case does not show one):
 * when the session also called from private addresses (through VPC endpoints, so certainly from
 * inside its network), the address of its first public call made with a user agent product it
 * used from inside ("aws-sdk-php/3.325.1"; none when those calls name no user agent); when it
 * never did, the address of its first public
 * call (the workload fetches and uses its own credentials before anyone can steal them). 0, or
 * -EIO.
 */
int corr_session_egress(struct casedb *cdb, const char *principal, struct strbuf *ret);

#endif
