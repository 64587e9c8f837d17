#!/usr/bin/env bash
# VACUUM of an snn_hnsw index, beside REINDEX of the same index as the peer
# (the one other way to clean an index), in a throwaway cluster.  Prints, on
# clustered TTFS patterns (default 100,000 rows of 128 neurons, 1,000
# clusters, m = 16, ef_construction = 64):
#   - VACUUM with nothing deleted: time and index pages read (should be 0);
#   - the time and pages of VACUUM after deleting 10 % of the rows;
#   - REINDEX of the same index, the peer;
#   - index size before, after the delete and after inserting as many rows
#     again (freed elements are reused), and the insert rate.
# Figures only, never pass/fail.  usage: hnsw_vacuum_bench.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-100000}
export PG_CONFIG=${PG_CONFIG:-pg_config}
SNN_SKIP_APT=${SNN_SKIP_APT:-0} bash test/setup.sh >/dev/null
. test/lib/cluster.sh
snn_cluster_start "shared_buffers=1GB" "maintenance_work_mem=1GB" "max_wal_size=4GB" \
	"jit=off" "autovacuum=off" "log_min_messages=debug1" >/dev/null
q() { "$SNN_BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }
# index pages read or hit so far (flushed statistics)
blocks() {
	q -c "SELECT pg_stat_force_next_flush()" >/dev/null
	q -c "SELECT idx_blks_read + idx_blks_hit FROM pg_statio_user_indexes WHERE indexrelname = 'items_idx'"
}
size() { q -c "SELECT pg_size_pretty(pg_relation_size('items_idx'))"; }
echo "postgres: $("$SNN_BINDIR/postgres" --version), snn $(git rev-parse --short HEAD 2>/dev/null || echo ?), $ROWS rows"

q -c "CREATE EXTENSION snn"
add_rows() {					# add_rows N: N clustered rows
	q -c "INSERT INTO items (pattern)
		SELECT ARRAY(SELECT CASE WHEN x IS NULL
		                         THEN CASE WHEN random() < 0.1 THEN (random() * 254)::int END
		                         ELSE greatest(0, least(254, x + (random() * 40)::int - 20)) END
		             FROM unnest(ctr) WITH ORDINALITY u(x, o) ORDER BY o)::spikes
		FROM generate_series(1, $1) i JOIN centres ON c = 1 + i % 1000"
}
q -c "SELECT setseed(0.5);
	CREATE TABLE centres AS SELECT c, ARRAY(SELECT CASE WHEN random() < 0.2 THEN NULL
	                                                   ELSE (random() * 200)::int END
	                                      FROM generate_series(1, 128)) ctr
	FROM generate_series(1, 1000) c;
	CREATE TABLE items (id bigserial PRIMARY KEY, pattern spikes(128));" >/dev/null
add_rows "$ROWS"
q -c "VACUUM ANALYZE items"

t0=$(now); q -c "CREATE INDEX items_idx ON items USING snn_hnsw (pattern)"; t1=$(now)
build=$(secs "$t0" "$t1")
size0=$(size)

b0=$(blocks); t0=$(now); q -c "VACUUM items"; t1=$(now); b1=$(blocks)
v_none=$(secs "$t0" "$t1"); v_none_b=$((b1 - b0))

ndel=$((ROWS / 10))
q -c "SELECT setseed(0.7); DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY random() LIMIT $ndel)" >/dev/null
b0=$(blocks); t0=$(now); q -c "VACUUM (INDEX_CLEANUP ON) items"; t1=$(now); b1=$(blocks)
v_del=$(secs "$t0" "$t1"); v_del_b=$((b1 - b0))
size1=$(size)

b0=$(blocks); t0=$(now); q -c "VACUUM items"; t1=$(now); b1=$(blocks)
v_none2=$(secs "$t0" "$t1"); v_none2_b=$((b1 - b0))

b0=$(blocks); t0=$(now); add_rows "$ndel"; t1=$(now); b1=$(blocks)
ins=$(secs "$t0" "$t1"); ins_b=$((b1 - b0))
size2=$(size)

t0=$(now); q -c "REINDEX INDEX items_idx"; t1=$(now)
reindex=$(secs "$t0" "$t1")
size3=$(size)

printf '\n%-52s %10s %14s\n' "operation" "time (s)" "index pages"
printf '%-52s %10s %14s\n' "CREATE INDEX" "$build" ""
printf '%-52s %10s %14s\n' "VACUUM, nothing deleted" "$v_none" "$v_none_b"
printf '%-52s %10s %14s\n' "VACUUM after deleting 10 % ($ndel rows)" "$v_del" "$v_del_b"
printf '%-52s %10s %14s\n' "VACUUM, nothing deleted since" "$v_none2" "$v_none2_b"
printf '%-52s %10s %14s\n' "REINDEX (peer: the other way to clean)" "$reindex" ""
printf '%-52s %10s %14s\n' "insert $ndel rows after the VACUUM (one statement)" "$ins" "$ins_b"
echo
echo "index size: built $size0; after delete + VACUUM $size1; after inserting $ndel rows again $size2; after REINDEX $size3"
grep "snn_hnsw vacuum of" "$SNN_CLUSTER_DIR/server.log" | sed "s/.*DEBUG: *//" || true
