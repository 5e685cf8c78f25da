#!/bin/sh
# gen-hostlog: deterministic host evidence for the benchmarks (awk, no randomness), on stdout.
#
#   gen-hostlog.sh audit N    an auditd log of N multi-record events (execve with EXECVE/CWD/PATH/
#                             PROCTITLE, openat with CWD/PATH, connect with SOCKADDR, each ended by
#                             EOE; pids recycle so the process table stays realistic)
#   gen-hostlog.sh strace N   an `strace -f -tt -yy` dump of N lines (forks, execs, opens,
#                             reads/writes, connects, dup2, exits); import it with --date
#
# Used by bench-hostlog.sh (import throughput) and bench-rules.sh (detect over each source).
set -eu
case ${1:-} in
audit) n_audit=$2 ;;
strace) n_strace=$2 ;;
*) echo "usage: gen-hostlog.sh audit|strace N" >&2; exit 2 ;;
esac

gen_audit() {
	awk -v n="$n_audit" 'BEGIN {
		t = 1767225600; ser = 1000;
		for (i = 0; i < n; i++) {
			ms = i % 1000; if (ms == 0) t++;
			pid = 2000 + (i % 5000); ppid = 1000 + (i % 50); ser++;
			ts = sprintf("%d.%03d:%d", t, ms, ser);
			hdr = sprintf("arch=c000003e success=yes a1=7ffd4ac563d1 a2=5 a3=0 ppid=%d pid=%d auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts1 ses=3", ppid, pid);
			k = i % 4;
			if (k == 0) {
				printf "type=SYSCALL msg=audit(%s): syscall=59 exit=0 a0=55fdabf92380 items=2 %s comm=\"curl\" exe=\"/usr/bin/curl\" key=\"exec\"\n", ts, hdr;
				printf "type=EXECVE msg=audit(%s): argc=3 a0=\"curl\" a1=\"-s\" a2=\"http://10.0.%d.%d/x\"\n", ts, i % 200, i % 250;
				printf "type=CWD msg=audit(%s): cwd=\"/home/user\"\n", ts;
				printf "type=PATH msg=audit(%s): item=0 name=\"/usr/bin/curl\" inode=401923 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n", ts;
				printf "type=PROCTITLE msg=audit(%s): proctitle=6375726C002D7300687474703A2F2F31302E302E302E312F78\n", ts;
			} else if (k == 1 || k == 2) {
				printf "type=SYSCALL msg=audit(%s): syscall=257 exit=3 a0=ffffff9c items=1 %s comm=\"curl\" exe=\"/usr/bin/curl\" key=\"files\"\n", ts, hdr;
				printf "type=CWD msg=audit(%s): cwd=\"/home/user\"\n", ts;
				printf "type=PATH msg=audit(%s): item=0 name=\"/etc/ssl/certs/ca-%d.pem\" inode=%d dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n", ts, i % 300, 5000 + i % 300;
			} else {
				printf "type=SYSCALL msg=audit(%s): syscall=42 exit=0 a0=3 items=0 %s comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\"\n", ts, hdr;
				printf "type=SOCKADDR msg=audit(%s): saddr=02000050%02X%02X%02X%02X0000000000000000\n", ts, 10, 0, i % 200, i % 250;
			}
			printf "type=EOE msg=audit(%s): \n", ts;
		}
	}'
}

gen_strace() {
	awk -v n="$n_strace" 'BEGIN {
		lines = 0; sec = 0; us = 0; pid = 30000;
		while (lines < n) {
			us += 37; if (us >= 1000000) { us -= 1000000; sec++; }
			h = int(sec / 3600) % 24; m = int(sec / 60) % 60; s = sec % 60;
			t = sprintf("%02d:%02d:%02d.%06d", h, m, s, us);
			k = lines % 16;
			if (k == 0) { child = pid + 1; printf "%d %s clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1b) = %d\n", pid, t, child; }
			else if (k == 1) printf "%d %s execve(\"/usr/bin/cat\", [\"cat\", \"/etc/hosts\"], 0x5627 /* 37 vars */) = 0\n", child, t;
			else if (k == 2) printf "%d %s openat(AT_FDCWD</root>, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3</etc/hosts>\n", child, t;
			else if (k == 3) printf "%d %s read(3</etc/hosts>, \"127.0.0.1 localhost\\n\"..., 4096) = 180\n", child, t;
			else if (k == 4) printf "%d %s write(1</dev/pts/0>, \"127.0.0.1 localhost\\n\"..., 180) = 180\n", child, t;
			else if (k == 5) printf "%d %s close(3</etc/hosts>) = 0\n", child, t;
			else if (k == 6) printf "%d %s socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4<TCP:[%d]>\n", child, t, 40000 + lines % 9999;
			else if (k == 7) printf "%d %s connect(4<TCP:[%d]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"10.0.0.%d\")}, 16) = 0\n", child, t, 40000 + lines % 9999, lines % 250;
			else if (k == 8) printf "%d %s dup2(4<TCP:[10.0.0.9:%d->10.0.0.%d:443]>, 0</dev/pts/0>) = 0<TCP:[10.0.0.9:%d->10.0.0.%d:443]>\n", child, t, 30000 + lines % 30000, lines % 250, 30000 + lines % 30000, lines % 250;
			else if (k == 9) printf "%d %s wait4(-1,  <unfinished ...>\n", pid, t;
			else if (k == 10) printf "%d %s mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1b2c000000\n", child, t;
			else if (k == 11) printf "%d %s fstat(1</dev/pts/0>, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}) = 0\n", child, t;
			else if (k == 12) printf "%d %s exit_group(0)                   = ?\n", child, t;
			else if (k == 13) printf "%d %s +++ exited with 0 +++\n", child, t;
			else if (k == 14) printf "%d %s <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = %d\n", pid, t, child;
			else { printf "%d %s --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%d, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n", pid, t, child; pid += 2; if (pid > 60000) pid = 30000; }
			lines++;
		}
	}'
}

case $1 in
audit) gen_audit ;;
strace) gen_strace ;;
esac
