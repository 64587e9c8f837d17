#!/usr/bin/env bash
# Encoder throughput: the engine (C, one core) beside NumPy doing the same
# formulas vectorised and Brian2's PoissonGroup.  Prints both tables and the
# ratios; never pass/fail on time.
#   usage: test/bench/encoders.sh [NEURONS, default 1000] [STEPS, default 1000] [REPEATS, default 5]
# The default takes about half a minute and under 100 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
steps=${2:-1000}
reps=${3:-5}
out=$(mktemp -d /tmp/snn-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
CC=${CC:-gcc}
$CC -std=c11 -O2 -O3 -D_GNU_SOURCE -Isrc/engine -o "$out/encode_bench" \
	test/bench/encode_bench.c src/engine/snn_encode.c src/engine/snn_events.c src/engine/snn_interrupt.c src/engine/snn_status.c -lm
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $CC $($CC -dumpversion)"
echo "== snn engine"
"$out/encode_bench" "$n" "$steps" "$reps" | tee "$out/snn.txt"
echo "== NumPy / Brian2 peers"
/usr/bin/python3 test/bench/encode_peer.py "$n" "$steps" "$reps" | tee "$out/peer.txt"
echo "== ratio (snn / peer, higher is faster)"
for k in ttfs rate poisson; do
	a=$(grep "^$k " "$out/snn.txt" | sed -E 's/.* s +([0-9.]+) M .*/\1/')
	b=$(grep "^$k " "$out/peer.txt" | sed -E 's/.* s +([0-9.]+) M .*/\1/')
	awk -v k="$k" -v a="$a" -v b="$b" 'BEGIN { printf "%-9s %8.1f vs %8.1f  x%.1f\n", k, a, b, a / b }'
done
a=$(grep "^poisson " "$out/snn.txt" | sed -E 's/.* s +([0-9.]+) M events.*/\1/')
b=$(grep "^brian2 " "$out/peer.txt" | sed -E 's/.* s +([0-9.]+) M events.*/\1/' || true)
[ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%-9s %8.1f vs %8.1f  x%.1f (Poisson vs Brian2 PoissonGroup)\n", "poisson", a, b, a / b }'
