-- Secondary indexes on the timeline. Kept apart from the versioned schema because a bulk load
-- into an empty case drops them and builds them once at the end, which is several times faster
-- than maintaining them row by row. Every statement must be idempotent.
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE INDEX IF NOT EXISTS events_access_key ON events (access_key_id) WHERE access_key_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_host_pid ON processes (host, pid, start_ts);
