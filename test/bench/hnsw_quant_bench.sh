#!/usr/bin/env bash
# Runs test/bench/hnsw_quant_bench.py in a throwaway cluster: snn_hnsw with
# quantize = none and 4bit, format = standard and compact, at m 16 and 8,
# beside hnswlib on the same clustered TTFS patterns: build time, bytes per
# row, recall@10, QPS and rows handed to the executor (heap rechecks) a
# query at ef_search 40, 100, 200.  Prints figures; never
# pass/fail on time.
#   usage: test/bench/hnsw_quant_bench.sh [hnsw_quant_bench.py options, e.g. --rows 20000]
# Default 100,000 x 128: about ten minutes on a shared 2-core machine.
# Builds and installs the extension first (PG_CONFIG as for the tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PG_CONFIG=${PG_CONFIG:-pg_config}
SNN_SKIP_APT=${SNN_SKIP_APT:-0} bash test/setup.sh >/dev/null
. test/lib/cluster.sh
snn_cluster_start "shared_buffers=1GB" "maintenance_work_mem=2GB" "max_wal_size=4GB" \
	"jit=off" >/dev/null
"$SNN_BINDIR/psql" -X -q -c "CREATE EXTENSION snn" >/dev/null
echo "postgres: $("$SNN_BINDIR/postgres" --version), snn $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
/usr/bin/python3 test/bench/hnsw_quant_bench.py "$@"
