#!/bin/sh
# bench-rules: all upstream Falco syscall rules (stable + incubating + sandbox) over a case of
# >= N syscall events, per source, timing `backsight detect` end to end (not the import), beside
# SQLite alone running detect's scan query over the same case (bench-scan) and, for the .scap
# source, sysdig filtering the same capture when it is installed.
#
# usage: tests/bench/bench-rules.sh [BUILD_DIR] [N]     (defaults: build, 1000000)
#   env: RUNS=k (default 1): detect, bench-scan and sysdig run k times each; best and spread
#        SOURCES="synthetic scap strace auditd" (the default: all four, in that order)
#        SCAP_BENCH_SOURCE=FILE.scap  the corpus capture gen-scap.py repeats
# Needs ../shared/corpus/falco (and ../shared/corpus/scap for the scap source) beside the
# checkout. Every case holds at least N events:
#   synthetic  gen-syscalls.py N, timeline JSONL (rule-heavy mix, typed columns and fields)
#   scap       gen-scap.py: a corpus capture's event blocks repeated; `backsight import` merges
#              enter and exit blocks and keeps what sysdig shows (3 blocks per stored event for
#              the default capture, 8 for cat_write.scap: measured on a sample first)
#   strace     gen-hostlog.sh strace: 16-line cycles of which 15 become events
#   auditd     gen-hostlog.sh audit N: N multi-record events (execve, openat, connect)
# detect runs on a fresh copy of the case each time (it stores its alerts and its run). For each
# source it prints the detect run's own summary line, then one line: events in the case, events
# of a type some rule matches, rules evaluated, alerts, detect CPU-s (user + sys of the whole
# command, /usr/bin/time: loading the rules included), events per CPU-s, wall, peak RSS, and
# SQLite alone (bench-scan: the scan's own CPU time) as rows per CPU-s. The machine may be
# shared: CPU seconds are the fair figure.
#
# To profile one source (instruction counts are stable whatever the load), keep a case and run
#   valgrind --tool=callgrind --callgrind-out-file=cg.out build/analyzer/backsight detect -q \
#       COPY.db --rules .../falco_rules.yaml --rules .../falco-incubating_rules.yaml \
#       --rules .../falco-sandbox_rules.yaml
#   callgrind_annotate --inclusive=yes cg.out; callgrind_annotate --inclusive=yes --auto=yes \
#       cg.out analyzer/detect.c   (the scan's and the alert insert's sqlite3_step apart)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
bench=$here/tests/bench
build=$(cd "${1:-$here/build}" && pwd)
n=${2:-1000000}
runs=${RUNS:-1}
sources=${SOURCES:-synthetic scap strace auditd}
bin=$build/analyzer/backsight
scan=$build/tests/bench/bench-scan
falco=$here/../shared/corpus/falco
scap_src=${SCAP_BENCH_SOURCE:-$here/../shared/corpus/scap/falco-test-traces/psp_run_as_user_0_container.scap}
set -- --rules "$falco/falco_rules.yaml" --rules "$falco/falco-incubating_rules.yaml" \
	--rules "$falco/falco-sandbox_rules.yaml"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# the Falco macro open_read and a path prefix, the shape of "Read sensitive file untrusted"
sysdig_filter='evt.type in (open,openat,openat2) and evt.is_open_read=true and fd.typechar=f and fd.num>=0 and fd.name startswith /etc'

# best and spread of the whitespace-separated values in $1: "BEST SPREAD"
best() { echo "$1" | tr ' ' '\n' | awk 'NF { v = $1 + 0; if (n++ == 0 || v < lo) lo = v; if (v > hi) hi = v }
	END { printf "%.3f %.3f\n", lo, hi - lo }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# make SOURCE's case in $work/SOURCE.db from generated evidence; print what it took
make_case() {
	src=$1 db=$work/$1.db
	t0=$(date +%s.%N)
	case $src in
	synthetic)
		python3 "$bench/gen-syscalls.py" "$n" >"$work/in.jsonl"
		set -- "$work/in.jsonl" ;;
	scap)
		# blocks per stored event, from a small sample of the same capture
		python3 "$bench/gen-scap.py" "$scap_src" "$work/in.scap" 50000 >"$work/gen"
		"$bin" import -q "$work/sample.db" "$work/in.scap" >/dev/null
		blocks=$(sed -n 's/.*: \([0-9]*\) event blocks.*/\1/p' "$work/gen")
		per=$(sqlite3 "$work/sample.db" 'SELECT count(*) FROM events')
		rm -f "$work"/sample.db*
		python3 "$bench/gen-scap.py" "$scap_src" "$work/in.scap" \
			"$(awk -v n="$n" -v b="$blocks" -v e="$per" 'BEGIN { printf "%d", n * b / e * 1.01 + 1000 }')" >/dev/null
		set -- "$work/in.scap" ;;
	strace)
		sh "$bench/gen-hostlog.sh" strace $(((n * 16 + 14) / 15)) >"$work/in.strace"
		set -- -f strace --date 2026-01-01 "$work/in.strace" ;;
	auditd)
		sh "$bench/gen-hostlog.sh" audit "$n" >"$work/in.audit"
		set -- -f auditd "$work/in.audit" ;;
	esac
	t1=$(date +%s.%N)
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$bin" import -q "$db" "$@" >/dev/null
	sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	read -r iw iu is <"$work/time"
	inbytes=$(eval "stat -c %s \"\${$#}\"")
	awk -v s="$src" -v g="$(echo "$t1 - $t0" | bc)" -v w="$iw" -v c="$(echo "$iu + $is" | bc)" \
		-v ib="$inbytes" -v db="$(stat -c %s "$db")" 'BEGIN {
		printf "%s: generated %.1f MiB in %.1f s; imported in %.1f s wall, %.1f CPU-s; case %.1f MiB\n",
			s, ib / 1048576, g, w, c, db / 1048576 }'
	[ "$src" != scap ] || echo "scap: the capture is $(basename "$scap_src") repeated"
	[ "$src" = scap ] || rm -f "$work"/in.*
}

printf 'N=%s RUNS=%s; load average %s (2 shared cores: CPU seconds are the fair figure)\n' "$n" "$runs" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/table"
for src in $sources; do
	make_case "$src"
	db=$work/$src.db
	events=$(sqlite3 "$db" 'SELECT count(*) FROM events')
	[ "$events" -ge "$n" ] || echo "$src: only $events events in the case (wanted $n)"
	cpus='' walls='' scans='' rss=0 i=0
	while [ "$i" -lt "$runs" ]; do
		cp "$db" "$work/run.db"
		/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" detect -q "$work/run.db" "$@" >"$work/out" 2>&1 ||
			{ cat "$work/out"; exit 1; }
		read -r w u s m <"$work/time"
		cpus="$cpus $(echo "$u + $s" | bc)" walls="$walls $w"
		[ "$m" -gt "$rss" ] && rss=$m
		line=$(grep '^run [0-9]*:' "$work/out")
		echo "  detect: $line"
		rm -f "$work"/run.db*
		"$scan" "$db" "$@" >"$work/scan"
		read -r visited kept scpu swall <"$work/scan"
		scans="$scans $scpu"
		i=$((i + 1))
	done
	# "run N: E events (M of a type some rule matches), R rules evaluated, A alerts in S s (X events/s)"
	typed=$(echo "$line" | sed -n 's/.*(\([0-9]*\) of a type.*/\1/p')
	evaluated=$(echo "$line" | sed -n 's/.*, \([0-9]*\) rules evaluated.*/\1/p')
	alerts=$(echo "$line" | sed -n 's/.*, \([0-9]*\) alerts in.*/\1/p')
	[ "$kept" = "$typed" ] || echo "  note: bench-scan kept $kept rows, detect $typed: the scan shapes differ"
	best "$cpus" >"$work/best" && read -r cpu cspread <"$work/best"
	best "$walls" >"$work/best" && read -r wall wspread <"$work/best"
	best "$scans" >"$work/best" && read -r scpu sspread <"$work/best"
	ev_rate=$(rate "$events" "$cpu")
	scan_rate=$(rate "$visited" "$scpu")
	printf '%s: %s events, %s of a type some rule matches, %s rules evaluated, %s alerts; detect %s CPU-s (spread %s) = %s events/CPU-s, wall %s s, peak RSS %s MiB; SQLite alone %s CPU-s (spread %s) = %s rows/CPU-s\n' \
		"$src" "$events" "$typed" "$evaluated" "$alerts" "$cpu" "$cspread" "$ev_rate" "$wall" $((rss / 1024)) \
		"$scpu" "$sspread" "$scan_rate"
	echo "$src $events $typed $evaluated $alerts $cpu $ev_rate $wall $((rss / 1024)) $scpu $scan_rate" >>"$work/table"
	if [ "$src" = scap ]; then
		if command -v sysdig >/dev/null 2>&1; then
			ycpus='' i=0
			while [ "$i" -lt "$runs" ]; do
				/usr/bin/time -f '%e %U %S %M' -o "$work/time" sysdig -r "$work/in.scap" "$sysdig_filter" >"$work/sysdig.out"
				read -r w u s m <"$work/time"
				ycpus="$ycpus $(echo "$u + $s" | bc)"
				i=$((i + 1))
			done
			best "$ycpus" >"$work/best" && read -r ycpu yspread <"$work/best"
			blocks=$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(); o = n = 0
while o + 12 <= len(d):
    t, l = struct.unpack_from("<II", d, o); n += t in (0x204, 0x216, 0x221, 0x208, 0x217, 0x222); o += l
print(n)' "$work/in.scap")
			printf 'sysdig -r (same .scap, %s event blocks) with one rule-like filter: %s CPU-s (spread %s) = %s events/CPU-s (%s backsight events), %s block/CPU-s; %s matches printed, wall %s s, peak RSS %s MiB\n' \
				"$blocks" "$ycpu" "$yspread" "$(rate "$events" "$ycpu")" "$events" "$(rate "$blocks" "$ycpu")" \
				"$(wc -l <"$work/sysdig.out")" "$w" $((m / 1024))
			echo "  filter: $sysdig_filter"
		else
			echo "sysdig is not installed (apt-get install sysdig): no comparison"
		fi
		rm -f "$work/in.scap" "$work/sysdig.out"
	fi
	rm -f "$db" "$db"-*
done

printf '\n%-10s %9s %9s %9s %8s %8s %10s %11s %8s\n' source events typed alerts "cpu-s" "wall-s" "events/cpu" "sqlite/cpu" ratio
awk '{ printf "%-10s %9d %9d %9d %8.2f %8.2f %10d %11d %8.3f\n", $1, $2, $3, $5, $6, $8, $7, $11, ($11 > 0 ? $7 / $11 : 0) }' "$work/table"
echo "(typed: events of a type some rule matches; sqlite/cpu: bench-scan rows per CPU-s, its own scan time;"
echo " ratio: detect's events/CPU-s over SQLite alone's; the target is 1,000,000 events/CPU-s)"
