-- name: alerts
-- description: rule matches of the detection runs, newest run first, in event time order
SELECT a.run_id, bs_rfc3339(a.ts) AS time, a.priority, a.rule, a.source, a.event_id, a.output
FROM alerts a
ORDER BY a.run_id DESC, a.ts, a.id;
