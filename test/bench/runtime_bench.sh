#!/usr/bin/env bash
# runtime_bench.sh: latency of the ephemeral-network lifecycle (spawn, infer,
# train, save, dispose) with 1 and 16 clients, beside the non-pooled path
# (the same work on an snn value read from a table), and the largest number
# of networks held at once by 64 clients.  Prints figures; never pass/fail.
#
#   SNN_BENCH_SECONDS   seconds per pgbench run (default 10)
#   SNN_BENCH_HOLD      networks each of the 64 clients spawns and keeps (default 128)
#   PG_CONFIG           the PostgreSQL to use
#
# Two kinds of figures:
#   server  p50/p99 of the runtime function itself, from pg_stat_snn_lifecycle
#           (log-scale histogram, within ~12%)
#   client  p50/p99 of the whole pgbench transaction (round trip included),
#           from pgbench's per-transaction log
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${SNN_BENCH_SECONDS:-10}
HOLD=${SNN_BENCH_HOLD:-128}
export PG_CONFIG=${PG_CONFIG:-pg_config}
BIN=$("$PG_CONFIG" --bindir)

. test/lib/cluster.sh
snn_cluster_start "max_connections=100" "snn.max_memory=2GB" "snn.max_networks=100000" \
	"snn.worker_naptime=10ms" "snn.acquire_timeout=0" >/dev/null
WORK=$(mktemp -d /tmp/snn-bench.XXXXXX)
chmod 777 "$WORK"
trap 'rm -rf "$WORK"; snn_cluster_stop' EXIT

q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

DIGITS='{"kind":"feedforward","inputs":64,"layers":[{"size":64},{"size":10}],"wta":true,"seed":7}'
q "CREATE EXTENSION snn"
q "SELECT snn_type_create('digits', '$DIGITS', 64, 100000)"
q "CREATE TABLE nets (id int PRIMARY KEY, net snn)"
q "INSERT INTO nets SELECT 1, snn_create('$DIGITS')"
HAS_INFER=$(q "SELECT coalesce(to_regprocedure('snn_infer(snn,double precision[])'), to_regprocedure('snn_infer(snn,real[])')) IS NOT NULL")
HAS_TRAIN=$(q "SELECT to_regprocedure('snn_train_query(snn,text,text,jsonb)') IS NOT NULL")
IMG=$(q "SELECT snn_info(net)->>'bytes' FROM nets")

# the digits data set (scikit-learn's, shipped by Debian) for training
if [ "$HAS_TRAIN" = t ] && /usr/bin/python3 test/bench/digits_csv.py "$WORK/digits" >/dev/null 2>&1; then
	chmod -R a+rX "$WORK/digits"
	q "CREATE TABLE d_csv (label int, $(seq -f 'f%g real' -s ', ' 1 64))"
	"$BIN/psql" -X -q -c "\\copy d_csv FROM '$WORK/digits/train.csv' CSV"
	q "CREATE TABLE digits AS SELECT row_number() OVER () AS id, label, ARRAY[$(seq -f 'f%g' -s ', ' 1 64)]::real[] AS f FROM d_csv"
	TRAIN_SQL="SELECT f, label FROM digits"
else
	HAS_TRAIN=f
fi
[ "$HAS_TRAIN" = t ] && FEAT="'$(q "SELECT f FROM digits WHERE id = 1")'::real[]"

# client p50 p99 (microseconds) from pgbench per-transaction logs
pct() {
	cat "$WORK"/log."$1"* | awk '{print $3}' | sort -n | awk '
		{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit }
		  i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1;
		  printf "%d %d\n", v[i50], v[i99] }'
}

# run NAME CLIENTS SCRIPT: pgbench, then print client and server figures
run() {
	local name=$1 clients=$2 script=$3
	printf '%s\n' "$script" >"$WORK/$name.sql"
	q "SELECT snn_stat_reset()"
	rm -f "$WORK"/log.*
	(cd "$WORK" && "$BIN/pgbench" -n -M prepared -c "$clients" -j "$((clients < 2 ? 1 : 2))" -T "$SECS" \
		-l --log-prefix="log.$name" -f "$name.sql" >"$WORK/$name.out" 2>&1) ||
		{ echo "pgbench $name failed:"; tail -5 "$WORK/$name.out"; return; }
	local tps c
	tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$WORK/$name.out" | head -1)
	c=$(pct "$name")
	printf '%-28s %3d clients  tps %9.0f  client p50/p99 %6s/%-6s us\n' "$name" "$clients" "$tps" ${c% *} ${c#* }
	q "SELECT format('    server %-8s n=%-8s p50 %6s us  p99 %6s us  mean %6s us', phase, count, round(p50_us::numeric, 1), round(p99_us::numeric, 1), round(mean_us::numeric, 1))
	   FROM pg_stat_snn_lifecycle ORDER BY array_position(ARRAY['spawn','train','infer','save','dispose'], phase), type" | sed '/^$/d'
}

echo "== snn runtime benchmark: digits-shaped network (64-64-10, $IMG bytes), $SECS s a run"
echo "   $(nproc) cores, shared with other work: compare figures within this run only"
ID=$(q "SELECT snn_spawn('digits', 'bench')")
if [ "$HAS_TRAIN" = t ]; then
	q "SELECT snn_train_query($ID, '$TRAIN_SQL', 'backprop')" >/dev/null
	q "UPDATE nets SET net = snn_save($ID)"
	echo "   trained network $ID on $(q "SELECT count(*) FROM digits") digits: training accuracy $(q "SELECT round(avg((snn_predict($ID, f) = label)::int), 3) FROM digits")"
fi
for c in 1 16; do
	run "spawn+dispose (pool)" $c "SELECT snn_dispose(snn_spawn('digits'));"
	run "load+dispose (value)" $c "SELECT snn_dispose(snn_spawn(net)) FROM nets WHERE id = 1;"
	run "save (id -> value)" $c "SELECT snn_save($ID) IS NOT NULL;"
	run "peer: read value from table" $c "SELECT net IS NOT NULL FROM nets WHERE id = 1;"
	if [ "$HAS_INFER" = t ] && [ "$HAS_TRAIN" = t ]; then
		run "infer on id (in place)" $c "SELECT predicted FROM snn_infer($ID, $FEAT);"
		run "peer: infer on table value" $c "SELECT i.predicted FROM nets, snn_infer(nets.net, $FEAT) i WHERE nets.id = 1;"
	else
		echo "infer: snn_infer(snn, real[]) or the digits data are not available: not measured"
	fi
	if [ "$HAS_TRAIN" = t ]; then
		run "spawn+train+dispose" $c "SELECT snn_spawn('digits') AS t \\gset
SELECT snn_train_query(:t::bigint, '$TRAIN_SQL', 'backprop');
SELECT snn_dispose(:t);"
		run "peer: train table value" $c "SELECT snn_train_query(net, '$TRAIN_SQL', 'backprop') IS NOT NULL FROM nets WHERE id = 1;"
	else
		echo "train: snn_train_query(snn, ...) is not available: not measured"
	fi
done
q "SELECT snn_dispose($ID)"

echo "== live networks held at once: 64 clients each spawn $HOLD and keep them"
q "SELECT snn_stat_reset()"
printf "SELECT snn_spawn('digits');\n" >"$WORK/hold.sql"
(cd "$WORK" && "$BIN/pgbench" -n -c 64 -j 2 -t "$HOLD" -f hold.sql >"$WORK/hold.out" 2>&1) || true
q "SELECT format('live networks: %s (asked for %s), networks memory %s, high-water %s, limit %s',
	(SELECT count(*) FROM pg_stat_snn_networks), 64 * $HOLD,
	pg_size_pretty((SELECT bytes FROM pg_stat_snn_memory WHERE category = 'networks')),
	pg_size_pretty((SELECT bytes FROM pg_stat_snn_memory WHERE category = 'high_water')),
	pg_size_pretty((SELECT bytes FROM pg_stat_snn_memory WHERE category = 'limit')))"
q "SELECT format('    server spawn p50 %s us  p99 %s us over %s spawns', round(p50_us::numeric, 1), round(p99_us::numeric, 1), count) FROM pg_stat_snn_lifecycle WHERE phase = 'spawn'"
grep -E "failed|aborted" "$WORK/hold.out" | head -3 || true
