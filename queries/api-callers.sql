-- name: api-callers
-- description: CloudTrail activity per identity and source address: calls, errors, user agents
SELECT principal, src_ip AS source_ip, count(*) AS calls,
       sum(result IS NOT NULL AND result != 'success') AS errors,
       count(DISTINCT type) AS distinct_apis, group_concat(DISTINCT user_agent) AS user_agents,
       bs_rfc3339(min(ts)) AS first, bs_rfc3339(max(ts)) AS last
FROM events
WHERE source = 'aws_cloudtrail'
GROUP BY principal, src_ip
ORDER BY calls DESC;
