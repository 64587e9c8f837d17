#!/usr/bin/env bash
# Network benchmark: CUBA (4000 LIF, 80% excitatory, 2% connectivity, dt 0.1
# ms, 1 s) and a 1000-neuron reservoir (10% connectivity, 200 Poisson
# inputs), each through snn_simulate in PostgreSQL and through Brian2's C++
# standalone mode in the same run; plus the delivery throughput of an
# L2-resident synapse table.  Prints loop times, spikes, synaptic events per
# second and the ratios; writes a raster SVG (and PNG when rsvg-convert is
# installed) of the CUBA run to test/bench/out/.  Never fails on time.
#   usage: PG_CONFIG=... bash test/bench/cuba_bench.sh [repeats (3)]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PG_CONFIG=${PG_CONFIG:-pg_config}
repeats=${1:-3}
out=$PWD/test/bench/out
mkdir -p "$out"
make -s -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
. test/lib/cluster.sh
snn_cluster_start
psql -X -q -c "CREATE EXTENSION snn"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
/usr/bin/python3 test/bench/network_bench.py "$repeats" "$out"
if command -v rsvg-convert >/dev/null; then
	rsvg-convert -o "$out/cuba_raster.png" "$out/cuba_raster.svg" && echo "raster: $out/cuba_raster.png"
fi
