#!/bin/sh
# bench-hostlog: import throughput of the host importers on generated evidence.
#
# Generates, deterministically (awk, no randomness), an auditd log of N_AUDIT multi-record
# events (execve with EXECVE/CWD/PATH/PROCTITLE, openat with CWD/PATH, connect with SOCKADDR,
# each ended by EOE; pids recycle so the process table stays realistic) and an `strace -f -tt
# -yy` dump of N_STRACE lines (forks, execs, opens, reads/writes, connects, dup2, exits), then
# times `backsight import` on each, `ausearch --raw -if` on the audit log when installed, and
# reports events/s, lines/s, peak RSS and case database size against input size.
#
# usage: tests/bench/bench-hostlog.sh [BUILD_DIR]   (env: N_AUDIT=500000 N_STRACE=1000000 RUNS=3)
set -eu
build=${1:-build}
bin=$(cd "$build" && pwd)/analyzer/backsight
n_audit=${N_AUDIT:-500000}
n_strace=${N_STRACE:-1000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-hostlog.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

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

# wall time, peak RSS and CPU time of a command: "SECONDS RSS_KIB CPU_SECONDS" (the machine may
# be shared: CPU seconds are the fairer comparison)
measure() {
	/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; return 1; }
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$dir/time"
}

echo "generating $n_audit auditd events and $n_strace strace lines in $dir ..."
gen_audit >"$dir/audit.log"
gen_strace >"$dir/strace.txt"
audit_bytes=$(stat -c %s "$dir/audit.log")
strace_bytes=$(stat -c %s "$dir/strace.txt")
audit_lines=$(wc -l <"$dir/audit.log")

set -- $(measure "$bin" import -q -f auditd "$dir/audit.db" "$dir/audit.log")
a_sec=$1 a_rss=$2 a_cpu=$3
a_events=$(sqlite3 "$dir/audit.db" 'SELECT count(*) FROM events')
a_db=$(stat -c %s "$dir/audit.db")
set -- $(measure "$bin" import -q -f strace --date 2026-01-01 "$dir/strace.db" "$dir/strace.txt")
s_sec=$1 s_rss=$2 s_cpu=$3
s_events=$(sqlite3 "$dir/strace.db" 'SELECT count(*) FROM events')
s_db=$(stat -c %s "$dir/strace.db")

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }

printf '\n%-26s %8s %8s %12s %12s %12s %8s %9s\n' what wall cpu items "items/s" "items/cpu-s" "rss MiB" "db/input"
printf '%-26s %8s %8s %12s %12s %12s %8s %9s\n' "backsight import auditd" "$a_sec" "$a_cpu" "$a_events" "$(rate "$a_events" "$a_sec")" \
	"$(rate "$a_events" "$a_cpu")" "$((a_rss / 1024))" "$(pct "$a_db" "$audit_bytes")%"
printf '%-26s %8s %8s %12s %12s %12s\n' "  (records)" "" "" "$audit_lines" "$(rate "$audit_lines" "$a_sec")" "$(rate "$audit_lines" "$a_cpu")"
if command -v ausearch >/dev/null 2>&1; then
	set -- $(measure ausearch --raw -if "$dir/audit.log")
	printf '%-26s %8s %8s %12s %12s %12s %8s\n' "ausearch --raw -if" "$1" "$3" "$n_audit" "$(rate "$n_audit" "$1")" \
		"$(rate "$n_audit" "$3")" "$(($2 / 1024))"
else
	echo "ausearch is not installed (apt-get install auditd): no comparison"
fi
if command -v laurel >/dev/null 2>&1; then
	echo "laurel is installed but runs as an auditd plugin only: not measured"
fi
printf '%-26s %8s %8s %12s %12s %12s %8s %9s\n' "backsight import strace" "$s_sec" "$s_cpu" "$n_strace" \
	"$(rate "$n_strace" "$s_sec")" "$(rate "$n_strace" "$s_cpu")" "$((s_rss / 1024))" "$(pct "$s_db" "$strace_bytes")%"
printf '%-26s %8s %8s %12s\n' "  (events from the lines)" "" "" "$s_events"
parse=$(dirname "$bin")/../tests/bench/bench-hostparse
# Side by side, RUNS rounds (each round: ausearch, then each importer alone): CPU seconds are
# inflated when the machine is shared, so the best round and the spread are reported.
runs=${RUNS:-3}
if [ -x "$parse" ] && [ "$runs" -gt 0 ]; then
	: >"$dir/rounds"
	i=0
	while [ "$i" -lt "$runs" ]; do
		if command -v ausearch >/dev/null 2>&1; then
			set -- $(measure ausearch --raw -if "$dir/audit.log")
			echo "ausearch $3" >>"$dir/rounds"
		fi
		set -- $("$parse" auditd "$dir/audit.log")
		echo "auditd-parse $4" >>"$dir/rounds"
		echo "auditd-importer $3" >>"$dir/rounds"
		set -- $("$parse" strace "$dir/strace.txt")
		echo "strace-parse $4" >>"$dir/rounds"
		echo "strace-importer $3" >>"$dir/rounds"
		i=$((i + 1))
	done
	printf '\nside by side, %s rounds (CPU seconds: best, spread = worst - best; rate at best)\n' "$runs"
	awk -v na="$n_audit" -v ns="$n_strace" '
		{ v = $2 + 0; if (!($1 in best) || v < best[$1]) best[$1] = v; if (!($1 in worst) || v > worst[$1]) worst[$1] = v; all[$1] = all[$1] " " $2 }
		END {
			split("ausearch auditd-importer auditd-parse strace-importer strace-parse", order, " ");
			for (k = 1; k <= 5; k++) {
				w = order[k]; if (!(w in best)) continue;
				n = (w ~ /^strace/) ? ns : na; unit = (w ~ /^strace/) ? "lines/s" : "events/s";
				printf "  %-18s best %6.2f s  spread %5.2f s  %10.0f %s   (runs:%s)\n", w, best[w], worst[w] - best[w], (best[w] > 0 ? n / best[w] : 0), unit, all[w];
			}
		}' "$dir/rounds"
	echo "  (auditd/strace-parse: the importer's own thread; -importer: with the reader thread that hashes)"
fi
if [ -x "$parse" ] && [ "$runs" -eq 0 ]; then
	set -- $("$parse" auditd "$dir/audit.log")
	printf '%-26s %8s %8s %12s %12s %12s\n' "  auditd importer only" "" "$3" "$1" "" "$(rate "$1" "$3")"
	printf '%-26s %8s %8s %12s %12s %12s\n' "   (its parsing thread)" "" "$4" "$1" "" "$(rate "$1" "$4")"
	set -- $("$parse" strace "$dir/strace.txt")
	printf '%-26s %8s %8s %12s %12s %12s\n' "  strace importer only" "" "$3" "$n_strace" "" "$(rate "$n_strace" "$3")"
	printf '%-26s %8s %8s %12s %12s %12s\n' "   (its parsing thread)" "" "$4" "$n_strace" "" "$(rate "$n_strace" "$4")"
fi
printf '\ninputs: audit.log %s MiB, strace.txt %s MiB; case dbs %s MiB and %s MiB\n' \
	"$((audit_bytes >> 20))" "$((strace_bytes >> 20))" "$((a_db >> 20))" "$((s_db >> 20))"
