#!/usr/bin/env bash
# Digits benchmark in a throwaway cluster: snn beside scikit-learn.
#   PG_CONFIG=... bash test/bench/digits_bench.sh
# Knobs: SNN_BENCH_SEED, SNN_BENCH_RESERVOIR, SNN_BENCH_LATENCY (see the .py).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/cluster.sh
snn_cluster_start
/usr/bin/python3 test/bench/digits_bench.py
