#!/usr/bin/env bash
# Builds and runs the distance kernel benchmark: the spikes u8 kernels (SIMD
# and scalar) beside a float32 distance over the same data, for 64, 128,
# 256 and 1024 neurons.  Prints a table with ratios; never pass/fail on time.
#   usage: test/bench/distance.sh [MiB of u8 patterns per dimension, default 16]
# The float set is 4x that size; the default needs about 100 MiB of memory
# and under a minute on one core.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/snn-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
CC=${CC:-gcc}
# the engine as the extension builds it (-O2 from PostgreSQL, then -O3)
$CC -std=c11 -O2 -O3 -D_GNU_SOURCE -Isrc/engine -c src/engine/snn_distance.c -o "$out/snn_distance.o"
# the float peer with pgvector's auto-vectorisation flags
$CC -std=c11 -O3 -ftree-vectorize -fassociative-math -fno-signed-zeros -fno-trapping-math \
	-D_GNU_SOURCE -c test/bench/distance_bench_f32.c -o "$out/f32.o"
$CC -std=c11 -O2 -D_GNU_SOURCE -Isrc/engine -c test/bench/distance_bench.c -o "$out/bench.o"
$CC -o "$out/distance_bench" "$out/bench.o" "$out/f32.o" "$out/snn_distance.o" -lm
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $CC $($CC -dumpversion)"
"$out/distance_bench" "${1:-16}"
