-- name: connection-processes
-- description: network connections with the process that made or accepted each: a syscall connect (or accept) on the same host, same server address and port, same client port where the syscall source knows it, up to two minutes before the first packet
WITH sockets AS MATERIALIZED (
  SELECT e.id, e.ts, e.host, e.src_port, e.dst_ip, e.dst_port, e.pid,
         coalesce(e.proc_name, p.name) AS proc_name, e.cmdline
  FROM events e LEFT JOIN processes p ON p.id = e.process_id
  WHERE e.source = 'syscall' AND e.type IN ('connect', 'accept', 'accept4') AND e.dst_ip IS NOT NULL
    AND e.pid IS NOT NULL
), ranked AS (
  SELECT n.id, n.ts, n.host, n.l4proto, n.src_ip, n.src_port, n.dst_ip, n.dst_port, s.pid, s.proc_name, s.cmdline,
         s.id AS syscall_event,
         row_number() OVER (PARTITION BY n.id ORDER BY s.src_port IS NULL, abs(n.ts - s.ts), s.id) AS rank
  FROM events n
  LEFT JOIN sockets s ON s.host = n.host AND s.dst_ip = n.dst_ip AND s.dst_port = n.dst_port
       AND (s.src_port IS NULL OR s.src_port = n.src_port)
       AND s.ts BETWEEN n.ts - 120000000000 AND n.ts + 1000000000
  WHERE n.source = 'network' AND n.type = 'conn'
)
SELECT id AS event, bs_rfc3339(ts) AS time, host, l4proto, src_ip, src_port, dst_ip, dst_port, pid, proc_name,
       cmdline, syscall_event
FROM ranked
WHERE rank = 1
ORDER BY ts, id;
