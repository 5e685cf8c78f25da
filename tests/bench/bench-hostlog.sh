#!/bin/sh
# bench-hostlog: import throughput of the host importers on generated evidence.
#
# Generates with gen-hostlog.sh, deterministically (awk, no randomness), an auditd log of
# N_AUDIT multi-record events (execve with EXECVE/CWD/PATH/PROCTITLE, openat with CWD/PATH,
# connect with SOCKADDR, each ended by EOE; pids recycle so the process table stays realistic)
# and an `strace -f -tt -yy` dump of N_STRACE lines (forks, execs, opens, reads/writes,
# connects, dup2, exits), then
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

# the generators are shared with bench-rules.sh
gen=$(cd "$(dirname "$0")" && pwd)/gen-hostlog.sh
gen_audit() { sh "$gen" audit "$n_audit"; }
gen_strace() { sh "$gen" strace "$n_strace"; }

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
