#!/usr/bin/env bash
# Runs test/bench/allocate_bench.py in a throwaway cluster: snn_allocate
# accuracy (winner == exact nearest row) and latency at several allocation
# candidate list sizes, beside the exact allocation and hnswlib + the same
# winner-take-all.  Prints figures; never pass/fail on time.
#   usage: test/bench/allocate_bench.sh [allocate_bench.py options, e.g. --rows 1000000 --no-hnswlib]
# Default 100,000 x 128: a few minutes and about 1 GiB of memory.
# Builds and installs the extension first (PG_CONFIG as for the tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PG_CONFIG=${PG_CONFIG:-pg_config}
SNN_SKIP_APT=${SNN_SKIP_APT:-0} bash test/setup.sh >/dev/null
. test/lib/cluster.sh
snn_cluster_start "shared_buffers=2GB" "maintenance_work_mem=2GB" "max_wal_size=4GB" \
	"jit=off" >/dev/null
"$SNN_BINDIR/psql" -X -q -c "CREATE EXTENSION snn" >/dev/null
echo "postgres: $("$SNN_BINDIR/postgres" --version), snn $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
/usr/bin/python3 test/bench/allocate_bench.py "$@"
