#!/usr/bin/env bash
# Runs test/bench/capacity.py in a throwaway cluster: bytes per node and
# allocation latency of one shard at 100,000 and 1,000,000 patterns of 128
# neurons (local snn_allocate beside snn_shard_allocate through a loopback
# postgres_fdw server), then test/bench/capacity_model.py projects 1 billion
# nodes over N shards from those figures.  Prints figures; never pass/fail.
#   usage: test/bench/capacity.sh [capacity.py options, e.g. --sizes 20000]
# Default sizes: about 10 minutes and 3 GiB of memory on 2 cores.
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
out=$(mktemp /tmp/snn-capacity.XXXXXX.json)
/usr/bin/python3 test/bench/capacity.py --json "$out" "$@"
echo
/usr/bin/python3 test/bench/capacity_model.py --measured "$out"
rm -f "$out"
