/* hostutil: run a host importer (auditd, strace) on a file or a string with a collecting sink,
 * for the tests of the syscall model. Events and processes are kept as jansson objects keyed
 * like the events/processes tables (fields parsed into an object under "fields"). */
#ifndef BS_HOSTUTIL_H
#define BS_HOSTUTIL_H

#include <jansson.h>

#include "importer.h"

struct host_run {
	json_t *events;    /* array of event objects */
	json_t *processes; /* object: key (as text) → process object, updates merged */
	uint64_t skipped;
	bool partial;
	int rc;            /* the importer's last return (0 end, <0 error) */
	char assumptions[1024];
	char issues[8192];  /* the damage messages, one per line */
};

/* Import `path` (or, when data is not NULL, the bytes data/len named `path`) with `importer`. */
void host_import(const char *importer, const char *path, const void *data, size_t len,
		 const struct imp_options *opts, struct host_run *run);
void host_run_release(struct host_run *run);

/* Field helpers: a column or fields member as text ("" when absent), and ints (-1 absent). */
const char *ev_str(json_t *ev, const char *name);
long long ev_int(json_t *ev, const char *name);
/* The first event whose `type` is type (and, if not NULL, whose summary contains `needle`). */
json_t *find_event(struct host_run *run, const char *type, const char *needle);
json_t *process_of(struct host_run *run, json_t *ev);

#endif
