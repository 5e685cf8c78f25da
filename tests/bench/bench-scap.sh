#!/bin/sh
# bench-scap.sh [BUILD_DIR] [MIN_EVENTS]: the .scap importer on a capture of >= 1,000,000 events,
# side by side with `sysdig -r FILE -q` (parse and filter only, no output), one core each, peak
# RSS from /usr/bin/time; then the importer alone, without the case database (bench-hostparse).
# The capture is built from a corpus capture by gen-scap.py (its event
# blocks repeated and re-timestamped); it needs ../shared beside the checkout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
want=${2:-1000000}
src=${SCAP_BENCH_SOURCE:-$root/../shared/corpus/scap/falco-test-traces/psp_run_as_user_0_container.scap}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 "$here/gen-scap.py" "$src" "$tmp/big.scap" "$want"
ls -l "$tmp/big.scap" | awk '{printf "capture: %.1f MiB\n", $5 / 1048576}'
blocks=$(python3 - "$tmp/big.scap" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read(); o = n = 0
while o + 12 <= len(d):
    t, l = struct.unpack_from('<II', d, o)
    n += t in (0x204, 0x216, 0x221, 0x208, 0x217, 0x222); o += l
print(n)
PY
)
echo "scap events (enter and exit): $blocks"

run() { # name command...
	name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" taskset -c 0 "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
	read -r secs user sys kb <"$tmp/time"
	awk -v n="$name" -v s="$secs" -v u="$user" -v y="$sys" -v k="$kb" -v e="$blocks" \
		'BEGIN { c = u + y; printf "%-10s wall %6.2f s (%9.0f events/s)  cpu %6.2f s (%9.0f events/s)  peak RSS %6.1f MiB\n",
			n, s, e / (s > 0 ? s : 0.01), c, e / (c > 0 ? c : 0.01), k / 1024 }'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: the cpu figures are the fair ones)"

run backsight "$build/analyzer/backsight" import -q "$tmp/case.db" "$tmp/big.scap"
merged=$(sqlite3 "$tmp/case.db" 'select events from evidence')
echo "backsight merged syscall events stored: $merged"
# the importer alone: stream (with the ledger's SHA-256 of the file), block and event decoding,
# the syscall model and every event's fields and summary, into a sink that drops them
if [ -x "$build/tests/bench/bench-hostparse" ]; then
	run importer "$build/tests/bench/bench-hostparse" scap "$tmp/big.scap"
fi
if command -v sysdig >/dev/null 2>&1; then
	run sysdig sysdig -r "$tmp/big.scap" -q
else
	echo "sysdig is not installed: no comparison"
fi
