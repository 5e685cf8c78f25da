-- name: commands
-- description: every program executed on the hosts (execve), with who ran it and from where
SELECT bs_rfc3339(ts) AS time, host, pid, ppid, user_name AS user, uid, cwd, cmdline, exe
FROM events
WHERE source = 'syscall' AND type IN ('execve', 'execveat')
ORDER BY ts, id;
