-- backsight case database, version 1: the ledger, the timeline, the process tree, raw records
-- and the tables the analysis fills. Every table and column is described in schema/README.md.

CREATE TABLE evidence (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL,
  sha256           TEXT,
  size             INTEGER,
  compression      TEXT NOT NULL DEFAULT 'none',
  stream_sha256    TEXT,
  stream_size      INTEGER,
  head_sha256      TEXT,
  format           TEXT,
  importer         TEXT,
  importer_version TEXT,
  import_started   TEXT NOT NULL,
  import_finished  TEXT,
  first_ts         INTEGER,
  last_ts          INTEGER,
  events           INTEGER NOT NULL DEFAULT 0,
  skipped          INTEGER NOT NULL DEFAULT 0,
  status           TEXT NOT NULL CHECK (status IN ('importing', 'complete', 'partial', 'failed')),
  status_reason    TEXT,
  status_offset    INTEGER,
  assumptions      TEXT,
  options          TEXT
);
CREATE INDEX evidence_sha256 ON evidence (sha256);
CREATE INDEX evidence_head ON evidence (size, head_sha256);

CREATE TABLE evidence_issues (
  evidence_id INTEGER NOT NULL REFERENCES evidence (id),
  offset      INTEGER,
  severity    TEXT NOT NULL CHECK (severity IN ('warning', 'skipped', 'truncated', 'error')),
  message     TEXT NOT NULL
);
CREATE INDEX evidence_issues_evidence ON evidence_issues (evidence_id);

CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  ts            INTEGER NOT NULL,
  ts_precision  INTEGER NOT NULL,
  source        TEXT NOT NULL,
  type          TEXT NOT NULL,
  host          TEXT,
  summary       TEXT NOT NULL,
  evidence_id   INTEGER NOT NULL REFERENCES evidence (id),
  raw_offset    INTEGER,
  raw_length    INTEGER,
  pid           INTEGER,
  ppid          INTEGER,
  tid           INTEGER,
  uid           INTEGER,
  user_name     TEXT,
  proc_name     TEXT,
  exe           TEXT,
  cmdline       TEXT,
  cwd           TEXT,
  container_id  TEXT,
  fd_name       TEXT,
  l4proto       TEXT,
  src_ip        TEXT,
  src_port      INTEGER,
  dst_ip        TEXT,
  dst_port      INTEGER,
  principal     TEXT,
  access_key_id TEXT,
  user_agent    TEXT,
  result        TEXT,
  fields        TEXT,
  process_id    INTEGER REFERENCES processes (id),
  dedup_key     TEXT
);
-- A record with its own identity (CloudTrail eventID ...) is stored once per case.
CREATE UNIQUE INDEX events_dedup ON events (source, dedup_key) WHERE dedup_key IS NOT NULL;

-- Further copies of a deduplicated event: where else the same record was read.
CREATE TABLE event_sources (
  event_id    INTEGER NOT NULL REFERENCES events (id),
  evidence_id INTEGER NOT NULL REFERENCES evidence (id),
  raw_offset  INTEGER,
  raw_length  INTEGER
);
CREATE INDEX event_sources_event ON event_sources (event_id);

-- Documents of the evidence that are not events (CloudTrail digest files), as JSON.
CREATE TABLE evidence_documents (
  evidence_id INTEGER NOT NULL REFERENCES evidence (id),
  kind        TEXT NOT NULL,
  offset      INTEGER,
  body        TEXT NOT NULL
);
CREATE INDEX evidence_documents_kind ON evidence_documents (kind);

CREATE TABLE processes (
  id           INTEGER PRIMARY KEY,
  host         TEXT,
  pid          INTEGER NOT NULL,
  start_ts     INTEGER,
  end_ts       INTEGER,
  ppid         INTEGER,
  parent_id    INTEGER REFERENCES processes (id),
  exe          TEXT,
  name         TEXT,
  args         TEXT,
  cwd          TEXT,
  uid          INTEGER,
  euid         INTEGER,
  loginuid     INTEGER,
  tty          TEXT,
  sid          INTEGER,
  container_id TEXT,
  exit_status  INTEGER,
  evidence_id  INTEGER NOT NULL REFERENCES evidence (id)
);

CREATE TABLE dicts (
  id          INTEGER PRIMARY KEY,
  format      TEXT NOT NULL,
  evidence_id INTEGER NOT NULL REFERENCES evidence (id),
  samples     INTEGER NOT NULL,
  dict        BLOB NOT NULL
);

CREATE TABLE raw (
  first_event_id INTEGER PRIMARY KEY REFERENCES events (id),
  count          INTEGER NOT NULL,
  dict_id        INTEGER REFERENCES dicts (id),
  lengths        BLOB NOT NULL,
  data           BLOB NOT NULL
);

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  command_line TEXT NOT NULL,
  inputs       TEXT,
  started      TEXT NOT NULL,
  finished     TEXT,
  status       TEXT
);

CREATE TABLE alerts (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id),
  rule          TEXT NOT NULL,
  priority      TEXT NOT NULL,
  source        TEXT NOT NULL,
  event_id      INTEGER NOT NULL REFERENCES events (id),
  ts            INTEGER NOT NULL,
  output        TEXT NOT NULL,
  output_fields TEXT,
  tags          TEXT
);
CREATE INDEX alerts_event ON alerts (event_id);
CREATE INDEX alerts_rule ON alerts (rule);

CREATE TABLE findings (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs (id),
  finding_id  TEXT NOT NULL,
  type        TEXT NOT NULL,
  severity    REAL NOT NULL,
  title       TEXT NOT NULL,
  description TEXT,
  resource    TEXT,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  archived    INTEGER NOT NULL DEFAULT 0,
  detail      TEXT
);

CREATE TABLE finding_alerts (
  finding_id INTEGER NOT NULL REFERENCES findings (id),
  alert_id   INTEGER NOT NULL REFERENCES alerts (id),
  PRIMARY KEY (finding_id, alert_id)
) WITHOUT ROWID;

CREATE TABLE correlations (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs (id),
  finding_id INTEGER REFERENCES findings (id),
  event_id   INTEGER REFERENCES events (id),
  ct_event_id INTEGER NOT NULL REFERENCES events (id),
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  reason     TEXT NOT NULL
);

-- The custody log: every action taken on the case, append-only and hash-chained (custody.h;
-- the canonical serialisation each hash covers is in schema/README.md).
CREATE TABLE custody (
  seq          INTEGER PRIMARY KEY,
  time         TEXT NOT NULL,
  action       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  command_line TEXT NOT NULL,
  inputs       TEXT NOT NULL,
  outputs      TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody
BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
