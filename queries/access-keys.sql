-- name: access-keys
-- description: every AWS access key id seen in any evidence, where and when, and by whom it was used
SELECT access_key_id, count(*) AS events, group_concat(DISTINCT source) AS sources,
       group_concat(DISTINCT principal) AS principals, group_concat(DISTINCT src_ip) AS from_addresses,
       bs_rfc3339(min(ts)) AS first, bs_rfc3339(max(ts)) AS last
FROM events
WHERE access_key_id IS NOT NULL
GROUP BY access_key_id
ORDER BY min(ts);
