#!/bin/sh
# bench-pcap: import speed of the pcap importer against tcpdump and tshark, on one generated file.
#
# Usage: tests/bench/bench-pcap.sh BUILD_DIR [PACKETS]
#        (environment: RUNS=3 runs of each fast command, TSHARK_RUNS=1, since tshark takes minutes)
#
# Generates ~PACKETS (default 1,000,000) mixed packets with gen-pcap (deterministic: DNS, HTTP,
# TLS ClientHellos, ICMP, bulk TCP, IPv4 and IPv6), then, RUNS times, one after the other:
#   backsight import CASE.db FILE         the whole pipeline, into a fresh case database
#   bench-decode FILE                     the importer alone into a sink that drops events
#   bench-decode --sha256 FILE            the ledger's SHA-256 of the file alone (read + hash)
#   tcpdump -r FILE -w /dev/null          libpcap reading alone
# and TSHARK_RUNS times
#   tshark -r FILE -T fields -e frame.time_epoch -e ip.src -e ip.dst -e dns.qry.name
# Every figure is CPU seconds (user + system, every thread; GNU time), which a shared machine
# distorts less than wall time; each is the best of its runs, with the spread (worst - best).
# The ledger's SHA-256 runs on the stream's reader thread and costs more than all of tcpdump:
# the summary gives every ratio with it and without it ("excl. hash": the import's CPU minus the
# user CPU of the hash-only run).
# PROFILE=PACKETS (e.g. 100000) adds an instruction count of a capture that size under valgrind's
# callgrind (this VM has no hardware counters), which a busy machine cannot distort: the two
# threads of the import, the stages of the main one, and tcpdump, in instructions (Ir). Slow:
# about a minute per 100,000 packets.
# Targets (issue 3): >= 1M packets/s on one core, >= 30x tshark, within 5x of tcpdump, peak RSS
# < 256 MiB.
set -eu
build=${1:?usage: bench-pcap.sh BUILD_DIR [PACKETS]}
packets=${2:-1000000}
runs=${RUNS:-3}
tshark_runs=${TSHARK_RUNS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/bench.pcap

n=$("$build/tests/bench/gen-pcap" "$file" "$packets" 2>&1 | awk '/packets/ {print $2}')
echo "generated: $n packets, $(ls -l "$file" | awk '{print $5}') bytes"

# run NAME CMD...: time CMD once; appends "cpu user sys wall rss_kib" to $work/NAME.runs
run() {
	name=$1; shift
	/usr/bin/time -f '%U %S %e %M' -o "$work/time" "$@" > "$work/out.$name" 2>&1 ||
		{ echo "$name failed:"; tail -5 "$work/out.$name"; exit 1; }
	awk '{printf "%.2f %.2f %.2f %.2f %d\n", $1 + $2, $1, $2, $3, $4}' "$work/time" >> "$work/$name.runs"
}

i=1
while [ "$i" -le "$runs" ]; do
	rm -f "$work/case.db" "$work/case.db-wal" "$work/case.db-shm"
	run backsight "$build/analyzer/backsight" import --progress=never "$work/case.db" "$file"
	run decode "$build/tests/bench/bench-decode" "$file"
	# the importer's own thread, without the stream's reading and hashing thread
	awk '/importer thread/ {for (i = 1; i <= NF; i++) if ($i == "thread") print $(i + 1)}' "$work/out.decode" \
		>> "$work/thread.runs"
	run sha256 "$build/tests/bench/bench-decode" --sha256 "$file"
	if command -v tcpdump >/dev/null 2>&1; then
		run tcpdump tcpdump -r "$file" -w /dev/null
	fi
	i=$((i + 1))
done
i=1
if command -v tshark >/dev/null 2>&1; then
	while [ "$i" -le "$tshark_runs" ]; do
		run tshark tshark -r "$file" -T fields -e frame.time_epoch -e ip.src -e ip.dst -e dns.qry.name
		i=$((i + 1))
	done
fi
events=$(awk '/imported/ {for (i = 1; i <= NF; i++) if ($i ~ /^events/) print $(i - 1)}' "$work/out.backsight" |
	tr -d ,: | head -1)
echo "backsight: ${events:-?} events; $(grep -o 'importer thread.*' "$work/out.decode")"
echo

# best FILE COLUMN: lowest value of a column over the runs; spread FILE COLUMN: highest - lowest
best() { sort -n -k"$2" "$work/$1.runs" | head -1 | awk -v c="$2" '{print $c}'; }
spread() { sort -n -k"$2" "$work/$1.runs" | awk -v c="$2" 'NR == 1 {lo = $c} {hi = $c} END {printf "%.2f", hi - lo}'; }
worst() { sort -n -k"$2" "$work/$1.runs" | tail -1 | awk -v c="$2" '{print $c}'; }
# div A B: A / B, or 0 when B rounds to 0 (a run too short to time)
div() { awk -v a="$1" -v b="$2" 'BEGIN {print (b + 0 > 0) ? a / b : 0}'; }
have() { [ -s "$work/$1.runs" ]; }

printf '%-22s %8s %7s %8s %14s %14s %9s  %s\n' 'best of runs' 'CPU s' spread 'wall s' 'packets/CPU s' 'packets/wall s' \
	'peak RSS' runs
for name in backsight decode sha256 tcpdump tshark; do
	have "$name" || continue
	cpu=$(best "$name" 1); wall=$(best "$name" 4); rss=$(worst "$name" 5)
	case $name in
	backsight) label='backsight import' ;;
	decode) label='importer alone+hash' ;;
	sha256) label='SHA-256 alone' ;;
	tcpdump) label='tcpdump -w /dev/null' ;;
	tshark) label='tshark -T fields' ;;
	esac
	printf '%-22s %8.2f %7s %8.2f %14.0f %14.0f %9.1f  %d\n' "$label" "$cpu" "$(spread "$name" 1)" "$wall" \
		"$(div "$n" "$cpu")" "$(div "$n" "$wall")" "$(div "$rss" "1024")" \
		"$(wc -l < "$work/$name.runs")"
done

bs=$(best backsight 1)
hash=$(best sha256 2) # user CPU: the hashing; the reading is system time, which tcpdump pays too
bsx=$(echo "$bs - $hash" | bc -l)
echo
printf 'ledger SHA-256: %.2f user CPU s = %.0f MB/s\n' "$hash" "$(div "$(ls -l "$file" | awk '{print $5 / 1000000}')" "$hash")"
printf '%-34s %12s %12s\n' '' 'with hash' 'excl. hash'
printf '%-34s %12.2f %12.2f\n' 'backsight CPU s' "$bs" "$bsx"
printf '%-34s %12.0f %12.0f   (target >= 1,000,000)\n' 'packets per CPU s' "$(div "$n" "$bs")" \
	"$(div "$n" "$bsx")"
if have tcpdump; then
	td=$(best tcpdump 1)
	printf '%-34s %11.2fx %11.2fx   (target <= 5x)\n' 'backsight / tcpdump CPU' "$(div "$bs" "$td")" \
		"$(div "$bsx" "$td")"
else
	echo "tcpdump: not installed"
fi
if have tshark; then
	ts=$(best tshark 1)
	printf '%-34s %11.1fx %11.1fx   (target >= 30x)\n' 'tshark / backsight CPU' "$(div "$ts" "$bs")" \
		"$(div "$ts" "$bsx")"
elif command -v tshark >/dev/null 2>&1; then
	echo "tshark: not run (TSHARK_RUNS=0)"
else
	echo "tshark: not installed"
fi
th=$(best thread 1)
printf '%-34s %12.2f   (bench-decode: reader copy, decoders, flow table, building events)\n' \
	'importer thread CPU s' "$th"
printf '%-34s %12.2f   (import - importer thread - hash: SQLite rows, raw store, indexes, reading)\n' \
	'the rest: loading, reading' "$(echo "$bsx - $th" | bc -l)"
printf '%-34s %12.1f MiB   (target < 256)\n' 'backsight peak RSS' "$(div "$(worst backsight 5)" "1024")"

[ -n "${PROFILE:-}" ] || exit 0
command -v valgrind >/dev/null 2>&1 || { echo "PROFILE: valgrind not installed"; exit 0; }
pfile=$work/profile.pcap
pn=$("$build/tests/bench/gen-pcap" "$pfile" "$PROFILE" 2>&1 | awk '/packets/ {print $2}')
rm -f "$work/case.db" "$work/case.db-wal" "$work/case.db-shm"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.bs" \
	"$build/analyzer/backsight" import --progress=never "$work/case.db" "$pfile" > /dev/null 2>&1
# incl FUNCTION: inclusive Ir of a function, summed over the threads' profiles (0 when absent)
incl() {
	for f in "$work"/cg.bs-*; do
		callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
			awk -v f=":$1 " '!done && index($0, f) {gsub(",", "", $1); print $1; done = 1}'
	done | awk '{s += $1} END {print s + 0}'
}
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'; }
echo
echo "instructions (callgrind) importing $pn packets, per packet:"
pp() { printf '  %-52s %8.0f Ir/packet\n' "$1" "$(div "$2" "$pn")"; }
all=0
hash=0
for f in "$work"/cg.bs-*; do
	t=$(total "$f")
	all=$((all + t))
	if callgrind_annotate --inclusive=yes "$f" 2>/dev/null | grep -q ':producer '; then
		hash=$t
		pp 'thread: stream (read + ledger SHA-256)' "$t"
	elif callgrind_annotate --inclusive=yes "$f" 2>/dev/null | grep -q ':importer_main '; then
		pp 'thread: importer' "$t"
	else
		pp 'thread: main (case database writer)' "$t"
	fi
done
emit=$(incl imp_emit)
dict=$(incl settle_dict)
pp 'stage: importer (decode, flows, parsers, events)' "$(($(incl next) - emit))"
pp '  of which copying from the stream' "$(incl reader_fill)"
pp 'stage: handing events to the writer (imp_emit)' "$emit"
pp 'stage: loader: SQLite rows' "$(($(incl event_batch_add) + $(incl event_batch_flush)))"
pp 'stage: loader: raw store (zstd), without training' \
	"$(($(incl raw_writer_add) + $(incl raw_writer_flush) - dict))"
printf '  %-52s %8.0f Ir/packet here (%s Ir once per import)\n' 'stage: loader: dictionary training' \
	"$(div "$dict" "$pn")" "$dict"
pp 'stage: loader: secret scan' "$(incl redact_may_hold)"
pp 'stage: index build after the load' "$(incl casedb_build_event_indexes)"
main=$((all - hash))
if command -v tcpdump >/dev/null 2>&1; then
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.td" tcpdump -Z "$(id -un)" -r "$pfile" -w /dev/null \
		> /dev/null 2>&1
	td=$(total "$work/cg.td")
	pp 'tcpdump -r FILE -w /dev/null' "$td"
	printf '  backsight / tcpdump instructions: %.1fx with the hash, %.1fx without, %.1fx without the training too\n' \
		"$(div "$all" "$td")" "$(div "$main" "$td")" "$(div "$((main - dict))" "$td")"
fi
