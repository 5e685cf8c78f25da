-- name: evidence
-- description: the evidence ledger: every file, its hash, format, counts, span and status
SELECT id, status, format, events, skipped, sha256, size, compression,
       bs_rfc3339(first_ts) AS first, bs_rfc3339(last_ts) AS last, name,
       status_reason AS reason, status_offset AS at_byte, assumptions
FROM evidence
ORDER BY id;
