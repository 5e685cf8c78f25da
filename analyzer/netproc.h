/* netproc: the process that made or accepted a network event's connection, found in host
 * evidence (DESIGN.md: network events are attributed to a process when a syscall source holds
 * the matching connect/accept, same 5-tuple, close in time).
 *
 * The match: a syscall connect, accept or accept4 on the same host, to the same server address
 * and port, from the same client port where the syscall source knows it (a .scap capture or
 * strace -yy does, auditd does not; a known port is preferred), from two minutes before the
 * traffic's first packet to one second after; the nearest in time wins.
 * queries/connection-processes.sql makes the same match for every connection of a case.
 */
#ifndef BS_NETPROC_H
#define BS_NETPROC_H

#include <stdint.h>

#include "casedb.h"

/* The syscall event that made network event `event_id`'s connection; 0 when none (or when the
 * event is not a network event with a server address), -EIO on a database error. */
int64_t netproc_syscall_event(struct casedb *cdb, int64_t event_id);

#endif
