#!/bin/sh
# bench-rules: all upstream Falco syscall rules (stable + incubating + sandbox) over N syscall
# events from a case database, timing `backsight detect` only (not the import).
#
# usage: tests/bench/bench-rules.sh [BUILD_DIR] [N]     (defaults: build, 1000000)
# Needs ../shared/corpus/falco beside the checkout. Prints the detect run's own line
# ("N events ... in S s (E events/s)") and the wall and CPU time of the whole command.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
n=${2:-1000000}
bin=$build/analyzer/backsight
rules=$here/../shared/corpus/falco
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-rules.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 "$here/tests/bench/gen-syscalls.py" "$n" > "$work/events.jsonl"
"$bin" import -q "$work/case.db" "$work/events.jsonl"
start=$(date +%s.%N)
/usr/bin/time -f "detect: %e s wall, %U s user, %S s sys, %M KiB max RSS" \
	"$bin" detect -q "$work/case.db" --rules "$rules/falco_rules.yaml" \
	--rules "$rules/falco-incubating_rules.yaml" --rules "$rules/falco-sandbox_rules.yaml"
end=$(date +%s.%N)
echo "$n events; end to end $(echo "$end - $start" | bc) s: $(echo "$n / ($end - $start)" | bc) events/s"
