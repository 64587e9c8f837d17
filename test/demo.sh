#!/usr/bin/env bash
# Installs what is needed, builds snn, and runs the demo (test/demo.sql) in a
# throwaway cluster that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/setup.sh
. test/lib/cluster.sh
snn_cluster_start
"$SNN_BINDIR/psql" -X -v ON_ERROR_STOP=1 -e -f test/demo.sql
