-- name: window
-- description: every event between two times (RFC 3339 or dates), all sources, in time order
-- params: since until
SELECT id, bs_rfc3339(ts) AS time, source, host, type, summary
FROM events
WHERE ts >= bs_time(?1) AND ts < bs_time(?2)
ORDER BY ts, id;
