/* scap-events: the event table of the sysdig / Falco .scap format, and its parameter decoders.
 *
 * Follows falcosecurity/libs driver/ppm_events_public.h and driver/event_table.c (facts
 * summarised in reference/falco.md §d). The table itself is generated from scap-events.in: for
 * each event code its name (evt.type), direction, flags and parameters with their
 * enum ppm_param_type. Current and old (EF_OLD_VERSION) versions of a syscall share one name,
 * so `execve` is codes 12/13, 172/173 ... 292/293.
 *
 * The decoders read one parameter's bytes (a borrowed slice of an event) through a cursor and
 * never read outside it: integers of the declared width (a shorter value reads as absent),
 * socket addresses and tuples in the PPM_AF_* encodings, and PPM_O_* open flags converted to
 * Linux O_* bits for the syscall model.
 */
#ifndef BS_SCAP_EVENTS_H
#define BS_SCAP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys-model.h"

#define SCAP_EVENT_MAX 454
#define SCAP_MAX_PARAMS 32

enum scap_param_type {
	SCAP_PT_NONE, SCAP_PT_INT8, SCAP_PT_INT16, SCAP_PT_INT32, SCAP_PT_INT64, SCAP_PT_UINT8,
	SCAP_PT_UINT16, SCAP_PT_UINT32, SCAP_PT_UINT64, SCAP_PT_CHARBUF, SCAP_PT_BYTEBUF,
	SCAP_PT_ERRNO, SCAP_PT_SOCKADDR, SCAP_PT_SOCKTUPLE, SCAP_PT_FD, SCAP_PT_PID, SCAP_PT_FDLIST,
	SCAP_PT_FSPATH, SCAP_PT_SYSCALLID, SCAP_PT_SIGTYPE, SCAP_PT_RELTIME, SCAP_PT_ABSTIME,
	SCAP_PT_PORT, SCAP_PT_L4PROTO, SCAP_PT_SOCKFAMILY, SCAP_PT_BOOL, SCAP_PT_IPV4ADDR,
	SCAP_PT_DYN, SCAP_PT_FLAGS8, SCAP_PT_FLAGS16, SCAP_PT_FLAGS32, SCAP_PT_UID, SCAP_PT_GID,
	SCAP_PT_DOUBLE, SCAP_PT_SIGSET, SCAP_PT_CHARBUFARRAY, SCAP_PT_CHARBUF_PAIR_ARRAY,
	SCAP_PT_IPV4NET, SCAP_PT_IPV6ADDR, SCAP_PT_IPV6NET, SCAP_PT_IPADDR, SCAP_PT_IPNET,
	SCAP_PT_MODE, SCAP_PT_FSRELPATH, SCAP_PT_ENUMFLAGS8, SCAP_PT_ENUMFLAGS16,
	SCAP_PT_ENUMFLAGS32, SCAP_PT_FD32, SCAP_PT_PID32,
};

enum scap_event_flags {
	SCAP_EF_OLD = 1 << 0,
	SCAP_EF_LARGE = 1 << 1,
	SCAP_EF_UNUSED = 1 << 2,
	SCAP_EF_CREATES_FD = 1 << 3,
	SCAP_EF_DESTROYS_FD = 1 << 4,
	SCAP_EF_USES_FD = 1 << 5,
};

struct scap_param_info {
	const char *name;
	uint8_t type; /* enum scap_param_type */
};

struct scap_event_info {
	const char *name; /* NULL for a code the table does not define */
	uint8_t is_exit;
	uint8_t flags;
	uint8_t nparams;
	const struct scap_param_info *params;
};

extern const struct scap_event_info scap_events[SCAP_EVENT_MAX];

/* The table row of `code`, or NULL for a code out of range, undefined or unused. */
const struct scap_event_info *scap_event_info(uint32_t code);

/* True when `code` is an enter event whose exit (code + 1) completes it. */
bool scap_event_has_exit(uint32_t code);

/* Index of the parameter called `name` in event `code`, or -1 (a linear search: cache it). */
int scap_param_find(uint32_t code, const char *name);

/* A signed integer parameter of any integer type (sign-extended by its declared type);
 * false when the value is shorter than the type. */
bool scap_param_int(uint8_t type, const uint8_t *p, size_t len, int64_t *ret);

/* PT_SOCKADDR into a model address (family 0 when unknown or damaged). */
void scap_param_sockaddr(const uint8_t *p, size_t len, struct sys_sockaddr *ret);
/* PT_SOCKTUPLE into its two ends: src (the caller's side for connect) and dst. */
void scap_param_socktuple(const uint8_t *p, size_t len, struct sys_sockaddr *src, struct sys_sockaddr *dst);

/* PPM_O_* open flags as Linux O_* bits (x86_64 values). */
int64_t scap_open_flags_linux(uint32_t ppm_flags);
/* Falco's text of PPM_O_* flags ("O_WRONLY|O_CREAT|O_TRUNC"), written to buf. */
void scap_open_flags_text(uint32_t ppm_flags, char *buf, size_t size);

/* PPM_CL_CLONE_THREAD */
#define SCAP_CLONE_THREAD (1u << 13)

#endif
