-- name: processes
-- description: the reconstructed process tree: each process with its parent, image and lifetime
SELECT p.id, p.host, p.pid, p.ppid, parent.exe AS parent_exe, p.exe, p.args,
       bs_rfc3339(p.start_ts) AS started, bs_rfc3339(p.end_ts) AS ended, p.uid, p.exit_status
FROM processes p LEFT JOIN processes parent ON parent.id = p.parent_id
ORDER BY p.host, p.start_ts, p.pid;
