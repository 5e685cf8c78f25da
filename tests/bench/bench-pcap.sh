#!/bin/sh
# bench-pcap: import speed of the pcap importer against tcpdump and tshark, on one generated file.
#
# Usage: tests/bench/bench-pcap.sh BUILD_DIR [PACKETS]
#
# Generates ~PACKETS (default 1,000,000) mixed packets with gen-pcap (deterministic: DNS, HTTP,
# TLS ClientHellos, ICMP, bulk TCP, IPv4 and IPv6), then times, one after the other:
#   backsight import CASE.db FILE            (the whole pipeline, into a fresh case database)
#   tcpdump -r FILE -w /dev/null             (libpcap reading alone), when installed
#   tshark -r FILE -T fields -e frame.time_epoch -e ip.src -e ip.dst -e dns.qry.name, when installed
# (and bench-decode: the importer alone into a sink that drops events, no case database)
# and prints packets/s, the ratios and the peak RSS of each (GNU time -v). Ratios are of
# CPU seconds (user + system, every thread), which a shared machine does not distort as much as
# wall time. Targets (issue 3): >= 1M packets/s, >= 30x tshark, within 5x of tcpdump, peak RSS
# < 256 MiB.
set -eu
build=${1:?usage: bench-pcap.sh BUILD_DIR [PACKETS]}
packets=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/bench.pcap

n=$("$build/tests/bench/gen-pcap" "$file" "$packets" 2>&1 | awk '/packets/ {print $2}')
echo "generated: $n packets"
ls -l "$file" | awk '{printf "capture: %s bytes\n", $5}'

# run NAME CMD...: time CMD; CPU seconds (user + system) in $secs, wall in $wall, peak RSS (KiB) in $rss
run() {
	name=$1; shift
	/usr/bin/time -v -o "$work/time.$name" "$@" > "$work/out.$name" 2>&1 || { echo "$name failed:"; tail -5 "$work/out.$name"; return 1; }
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.$name")
	user=$(awk -F': ' '/User time/ {print $2}' "$work/time.$name")
	sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.$name")
	secs=$(echo "$user + $sys" | bc -l)
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.$name")
	printf '%-10s %8.2f CPU s (%6.2f user %6.2f sys) %8.2f s wall  %10.0f packets/CPU s  peak RSS %6.1f MiB\n' \
		"$name" "$secs" "$user" "$sys" "$wall" "$(echo "$n / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

"$build/tests/bench/bench-decode" "$file"
run backsight "$build/analyzer/backsight" import --progress=never "$work/case.db" "$file"
bs_secs=$secs
grep -h "events" "$work/out.backsight" | head -2
if command -v tcpdump >/dev/null 2>&1; then
	run tcpdump tcpdump -r "$file" -w /dev/null
	printf 'backsight / tcpdump CPU time: %.2fx (target <= 5x)\n' "$(echo "$bs_secs / $secs" | bc -l)"
else
	echo "tcpdump: not installed"
fi
if command -v tshark >/dev/null 2>&1; then
	run tshark tshark -r "$file" -T fields -e frame.time_epoch -e ip.src -e ip.dst -e dns.qry.name
	printf 'tshark / backsight CPU time: %.1fx (target >= 30x)\n' "$(echo "$secs / $bs_secs" | bc -l)"
else
	echo "tshark: not installed"
fi
