#!/usr/bin/env bash
# Builds and runs test/bench/hnsw_island.c: the build's in-memory graph on
# hnsw_bench.py's clustered patterns, then how many stored patterns a search
# for themselves misses (islands of layer 0) and how often a jittered fact's
# exact nearest row comes first, at ef 40 and 100.  Prints figures; never
# pass/fail.  No server needed.
#   usage: test/bench/hnsw_island.sh [rows, default 300000] [facts, default 300] [self-searches, default 30000]
#          [repair ef, default 0: none; the build's repair of what greedy searches miss]
# 300,000 rows: about 40 MiB of data and one to six minutes of one core.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-300000}
facts=${2:-300}
out=$(mktemp -d /tmp/snn-island.XXXXXX)
trap 'rm -rf "$out"' EXIT
/usr/bin/python3 - "$rows" "$facts" "$out" <<'PY'
import sys
import numpy as np
sys.path.insert(0, "test/bench")
from hnsw_bench import generate, jittered
n, f, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
data = generate(n, 128, max(1, n // 100), rng)
jittered(data[rng.integers(0, n, size=f)], rng).tofile(out + "/facts.bin")
data.tofile(out + "/data.bin")
PY
CC=${CC:-gcc}
$CC -std=c11 -O2 -O3 -D_GNU_SOURCE -Isrc/engine -o "$out/hnsw_island" test/bench/hnsw_island.c \
	src/engine/snn_hnsw_graph.c src/engine/snn_status.c src/engine/snn_distance.c \
	src/engine/snn_distance_avx2.c src/engine/snn_interrupt.c -lm
"$out/hnsw_island" "$out/data.bin" "$out/facts.bin" "${3:-30000}" "${4:-0}"
