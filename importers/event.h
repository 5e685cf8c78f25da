/* event: one row of the timeline as an importer hands it over.
 *
 * An importer fills a struct bs_event on its stack and passes it to imp_emit(); every pointer in
 * it is borrowed and needs to live only for the duration of that call. A field the source does
 * not have is NULL (strings) or BS_NONE (integers); nothing is ever guessed. `fields` carries
 * the source's own detail as the text of a JSON object (the analyzer reads it through jansson).
 *
 * The typed columns are those that the rule engine, the correlation and the named queries use
 * most; schema/README.md says which source fills which.
 */
#ifndef BS_EVENT_H
#define BS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define BS_NONE INT64_MIN

/* Event sources, named as Falco names them where Falco has the source. */
#define BS_SOURCES(X)                                                                              \
	X(SRC_SYSCALL, "syscall", "system calls from auditd, strace and .scap captures")          \
	X(SRC_NETWORK, "network", "connections, DNS, TLS and HTTP from packet captures")          \
	X(SRC_CLOUDTRAIL, "aws_cloudtrail", "AWS CloudTrail management and data events")          \
	X(SRC_K8S_AUDIT, "k8s_audit", "Kubernetes API server audit events")                       \
	X(SRC_GUARDDUTY, "guardduty", "findings raised by Amazon GuardDuty")                      \
	X(SRC_OTHER, "other", "events re-imported from a timeline whose source backsight lacks")

enum bs_source {
#define X(id, name, desc) id,
	BS_SOURCES(X)
#undef X
	SRC__COUNT
};

const char *bs_source_name(enum bs_source s);
const char *bs_source_description(enum bs_source s);
/* Returns the source or -1 for an unknown name. */
int bs_source_from_name(const char *name);

/*
 * The typed columns, once: the struct, the INSERT, the timeline writers and the JSONL importer
 * all expand this list. X(kind, name, description) with kind INT (int64_t, BS_NONE when absent)
 * or STR (const char *, NULL when absent).
 */
#define BS_EVENT_COLUMNS(X)                                                                        \
	X(INT, pid, "process id (thread group id) of the actor")                                  \
	X(INT, ppid, "parent process id of the actor")                                            \
	X(INT, tid, "thread id of the actor")                                                     \
	X(INT, uid, "user id the actor ran as")                                                   \
	X(STR, user_name, "user name the actor ran as")                                           \
	X(STR, proc_name, "process name (comm) of the actor")                                     \
	X(STR, exe, "path of the actor's executable")                                             \
	X(STR, cmdline, "the actor's command line, arguments joined by spaces")                   \
	X(STR, cwd, "the actor's working directory")                                              \
	X(STR, container_id, "container the actor ran in")                                        \
	X(STR, fd_name, "file, socket or path the event acted on (Falco's fd.name)")             \
	X(STR, l4proto, "transport protocol: tcp, udp, icmp, icmp6, unix ...")                    \
	X(STR, src_ip, "source (client) address; for cloud events the caller's address")         \
	X(INT, src_port, "source (client) port")                                                  \
	X(STR, dst_ip, "destination (server) address")                                            \
	X(INT, dst_port, "destination (server) port")                                             \
	X(STR, principal, "cloud or cluster identity that acted (ARN, user name)")                \
	X(STR, access_key_id, "AWS access key id used or disclosed")                              \
	X(STR, user_agent, "user agent of the client")                                            \
	X(STR, result, "outcome: syscall return, error code, HTTP status, DNS rcode ...")

#define BS_COL_INT int64_t
#define BS_COL_STR const char *

struct bs_event {
	int64_t ts;           /* ns since the epoch, UTC */
	int64_t ts_precision; /* what the source really resolved, in ns (1e9: whole seconds) */
	enum bs_source source;
	const char *type;
	const char *host;
	const char *summary;

	/* Provenance: where the record is in the (decompressed) evidence stream, and its bytes. */
	uint64_t offset;
	const void *raw;
	size_t raw_len;

#define X(kind, name, desc) BS_COL_##kind name;
	BS_EVENT_COLUMNS(X)
#undef X
	const char *fields; /* JSON object text with the source's own detail, or NULL */
	/* The record's own identity within its source (CloudTrail eventID, k8s auditID+stage,
	 * GuardDuty finding id+updatedAt), or NULL. A case stores an event with a given (source,
	 * dedup_key) once: emitting it again (overlapping downloads) adds a provenance row to
	 * event_sources instead of a second event, and the sink answers 1 ("duplicate"). */
	const char *dedup_key;
	/* The actor, as the key of a struct bs_process this importer emitted (BS_NONE: none). The
	 * loader turns it into events.process_id, through which rules reach the process tree. */
	int64_t process_key;
};

enum bs_column_kind { BS_COLUMN_INT, BS_COLUMN_STR };

struct bs_event_column {
	const char *name;
	enum bs_column_kind kind;
	size_t offset; /* in struct bs_event */
	const char *description;
};

extern const struct bs_event_column bs_event_columns[];
extern const size_t bs_event_ncolumns;

static inline int64_t bs_event_int(const struct bs_event *ev, const struct bs_event_column *c)
{
	return *(const int64_t *)(const void *)((const char *)ev + c->offset);
}

static inline const char *bs_event_str(const struct bs_event *ev, const struct bs_event_column *c)
{
	return *(const char *const *)(const void *)((const char *)ev + c->offset);
}

/*
 * A process of the reconstructed tree, as an importer learns of it. `key` identifies the process
 * within one evidence file (the importer's choice: unique per process, not per pid, so that pid
 * reuse gives two keys). Emitting a process with a key already emitted updates that row (an exit
 * adds end_ts and exit_status); parent_key links to the parent's row when the parent is known.
 */
struct bs_process {
	int64_t key, parent_key;
	const char *host;
	int64_t pid, ppid;
	int64_t start_ts, end_ts;
	const char *exe, *name, *args_json, *cwd, *tty, *container_id;
	int64_t uid, euid, loginuid, sid, exit_status;
};

void bs_event_init(struct bs_event *ev);
void bs_process_init(struct bs_process *p);

#endif
