-- name: import-issues
-- description: every damaged, skipped or truncated record the importers reported, with its byte offset
SELECT v.name AS evidence, i.offset AS at_byte, i.severity, i.message
FROM evidence_issues i JOIN evidence v ON v.id = i.evidence_id
ORDER BY v.id, i.offset;
