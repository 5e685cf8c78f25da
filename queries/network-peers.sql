-- name: network-peers
-- description: remote endpoints contacted, by address, port and protocol, busiest first
SELECT dst_ip, dst_port, l4proto, count(*) AS events, count(DISTINCT src_ip) AS clients,
       group_concat(DISTINCT host) AS hosts, bs_rfc3339(min(ts)) AS first, bs_rfc3339(max(ts)) AS last
FROM events
WHERE dst_ip IS NOT NULL
GROUP BY dst_ip, dst_port, l4proto
ORDER BY events DESC;
