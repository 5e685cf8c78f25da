#!/usr/bin/env python3
"""Write N syscall events as backsight timeline JSONL, deterministically (seeded), for
bench-rules.sh. The mix is rule-heavy on purpose: a third of the events are opens, a tenth
execs, some connects and dup2s (what the upstream rules look at), the rest reads, writes and
closes that the evt.type index should skip. Fields follow the importer conventions: typed
columns for proc.name, exe, cmdline, fd.name ...; the rest in `fields` under Falco's names."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rnd = random.Random(20261122)
procs = [("bash", "/bin/bash", "bash"), ("nginx", "/usr/sbin/nginx", "nginx -g daemon off;"),
         ("python3", "/usr/bin/python3", "python3 app.py"), ("sshd", "/usr/sbin/sshd", "sshd -D"),
         ("java", "/usr/bin/java", "java -jar app.jar"), ("cat", "/bin/cat", "cat /etc/hosts"),
         ("sh", "/bin/sh", "sh -c ls"), ("curl", "/usr/bin/curl", "curl -s http://example.com")]
files = ["/etc/passwd", "/etc/shadow", "/tmp/x", "/var/log/syslog", "/home/alice/.bashrc", "/usr/lib/libc.so.6",
         "/proc/self/status", "/etc/ld.so.cache", "/root/.ssh/authorized_keys", "/dev/null"]
types = (["openat"] * 30 + ["open"] * 5 + ["execve"] * 10 + ["connect"] * 5 + ["dup2"] * 1 + ["read"] * 20 +
         ["write"] * 14 + ["close"] * 15)
out = sys.stdout
ts = 1700000000000000000
w = out.write
for i in range(n):
    ts += rnd.randrange(1000, 100000)
    t = types[rnd.randrange(len(types))]
    name, exe, cmd = procs[rnd.randrange(len(procs))]
    parent = procs[rnd.randrange(len(procs))][0]
    ev = {"ts_ns": ts, "source": "syscall", "type": t, "summary": t, "host": "bench",
          "pid": 1000 + i % 5000, "ppid": 1, "uid": rnd.choice((0, 1000, 33)), "user_name": "u",
          "proc_name": name, "exe": exe, "cmdline": cmd, "container_id": rnd.choice(("host", "0123456789ab"))}
    f = {"proc.pname": parent, "proc.aname": [parent, "systemd"]}
    if t in ("openat", "open"):
        ev["fd_name"] = files[rnd.randrange(len(files))]
        ev["result"] = "3"
        f["evt.arg.flags"] = rnd.choice(("O_RDONLY", "O_WRONLY|O_CREAT|O_TRUNC", "O_RDWR"))
        f["fd.num"] = 3
    elif t in ("connect", "dup2"):
        ev.update(src_ip="10.0.0.5", src_port=40000 + i % 20000, dst_ip=rnd.choice(("203.0.113.5", "10.0.0.9")),
                  dst_port=rnd.choice((443, 22, 4444, 8443)), l4proto="tcp", result=rnd.choice(("0", "1")))
        f["fd.typechar"] = "4"
    elif t == "execve":
        ev["result"] = "0"
        f["proc.tty"] = rnd.choice((0, 34816))
    ev["fields"] = f
    w(json.dumps(ev, separators=(",", ":")))
    w("\n")
