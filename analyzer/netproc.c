/* netproc: a network event's process, from host evidence; see netproc.h. */
#include "netproc.h"

#include <errno.h>

int64_t netproc_syscall_event(struct casedb *cdb, int64_t event_id)
{
	static const char sql[] =
		"SELECT s.id FROM events n JOIN events s ON s.host = n.host AND s.source = 'syscall'"
		" AND s.type IN ('connect', 'accept', 'accept4') AND s.dst_ip = n.dst_ip AND s.dst_port = n.dst_port"
		" AND (s.src_port IS NULL OR s.src_port = n.src_port) AND s.pid IS NOT NULL"
		" AND s.ts BETWEEN n.ts - 120000000000 AND n.ts + 1000000000"
		" WHERE n.id = ? AND n.source = 'network' AND n.dst_ip IS NOT NULL"
		" ORDER BY s.src_port IS NULL, abs(n.ts - s.ts), s.id LIMIT 1";
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(cdb->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, event_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		id = -EIO;
	sqlite3_finalize(st);
	return id;
}
