-- name: events-per-source
-- description: how many events each source and type holds, with their time span
SELECT source, type, count(*) AS events,
       strftime('%Y-%m-%dT%H:%M:%SZ', min(ts) / 1000000000, 'unixepoch') AS first,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(ts) / 1000000000, 'unixepoch') AS last
FROM events
GROUP BY source, type
ORDER BY source, events DESC;
