#!/usr/bin/env bash
# Throughput of event ingestion with anomaly detection, in one run, beside
# its peers: N events inserted in bulk (one INSERT ... SELECT) into
#   (a) a table with no trigger
#   (b) a table with a no-op PL/pgSQL AFTER INSERT ... FOR EACH ROW trigger
#   (c) a table with snn_detect FOR EACH ROW
#   (d) a table with snn_detect FOR EACH STATEMENT (transition table)
# Events are spread over 10 streams.  Prints events per second and the cost
# per row against (b), both as overhead over (a) and as plain time.  The
# source table is read once before the runs so every case starts warm.  The
# four cases run in rounds (a b c d, a b c d, ...), each round on emptied
# tables, reset detectors and after a checkpoint, and each case's fastest
# round counts: one slow round (a WAL segment being created, another
# process) does not decide a ratio.  Figures only, never pass/fail.
#   SNN_BENCH_EVENTS=N     events per case (default 1000000)
#   SNN_BENCH_ROUNDS=N     rounds (default 3)
#   SNN_BENCH_CONFIG=json  detector configuration (default: a light one, see
#                          below; '{}' is the engine's NAB default)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${SNN_BENCH_EVENTS:-1000000}
ROUNDS=${SNN_BENCH_ROUNDS:-3}
CONFIG=${SNN_BENCH_CONFIG:-'{"reservoir": {"neurons": 32, "substeps": 2}, "scoring": {"signals": 1}}'}
export PG_CONFIG=${PG_CONFIG:-pg_config}
. test/lib/cluster.sh
snn_cluster_start "max_wal_size=4GB" "TimeZone=UTC"
PSQL=("$SNN_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<SQL
CREATE EXTENSION snn;
SELECT snn_detector_create('bench_row', '$CONFIG') \g /dev/null
SELECT snn_detector_create('bench_stmt', '$CONFIG') \g /dev/null
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NULL; END \$\$;
CREATE TABLE src AS SELECT i AS id, 'host' || (i % 10) AS host,
	50 + 10 * sin(i / 50.0) + (i % 7) AS v,
	timestamptz '2024-01-01' + i * interval '1 s' AS at
	FROM generate_series(1, $N) i;
CREATE TABLE ev_a (id bigint, host text, v float8, at timestamptz);
CREATE TABLE ev_b (LIKE ev_a);
CREATE TABLE ev_c (LIKE ev_a);
CREATE TABLE ev_d (LIKE ev_a);
CREATE TRIGGER t AFTER INSERT ON ev_b FOR EACH ROW EXECUTE FUNCTION noop();
CREATE TRIGGER t AFTER INSERT ON ev_c FOR EACH ROW
	EXECUTE FUNCTION snn_detect('bench_row', 'v', 'host', 'id', 'at');
CREATE TRIGGER t AFTER INSERT ON ev_d REFERENCING NEW TABLE AS n FOR EACH STATEMENT
	EXECUTE FUNCTION snn_detect('bench_stmt', 'v', 'host', 'id', 'at');
VACUUM ANALYZE src;
SQL
"${PSQL[@]}" -c "SELECT count(*) FROM src" >/dev/null
declare -A secs
for r in $(seq "$ROUNDS"); do
	for c in a b c d; do
		"${PSQL[@]}" -c "TRUNCATE ev_$c" -c "CHECKPOINT" >/dev/null
		case $c in
		c) "${PSQL[@]}" -c "SELECT snn_detector_reset('bench_row')" >/dev/null ;;
		d) "${PSQL[@]}" -c "SELECT snn_detector_reset('bench_stmt')" >/dev/null ;;
		esac
		t0=$(date +%s.%N)
		"${PSQL[@]}" -c "INSERT INTO ev_$c SELECT * FROM src ORDER BY id"
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		printf 'round %d case %s: %.3f s\n' "$r" "$c" "$t"
		secs[$c]=$(awk -v t="$t" -v m="${secs[$c]:-}" 'BEGIN { print (m == "" || t < m) ? t : m }')
	done
done
"${PSQL[@]}" -At -c "SELECT detector, events, anomalies, state_bytes FROM pg_stat_snn_detectors ORDER BY 1" |
	sed 's/^/detector|events|anomalies|state bytes: /'
printf '\n%d events, detector %s, fastest of %d rounds\n' "$N" "$CONFIG" "$ROUNDS"
printf '%-42s %10s %12s %14s\n' case seconds events/s "us/row over (a)"
declare -A label=([a]="(a) no trigger" [b]="(b) no-op PL/pgSQL trigger, per row" [c]="(c) snn_detect per row" [d]="(d) snn_detect per statement")
for c in a b c d; do
	awk -v l="${label[$c]}" -v s="${secs[$c]}" -v a="${secs[a]}" -v n="$N" \
		'BEGIN { printf "%-42s %10.3f %12.0f %14.2f\n", l, s, n / s, (s - a) * 1e6 / n }'
done
awk -v b="${secs[b]}" -v c="${secs[c]}" -v d="${secs[d]}" -v a="${secs[a]}" 'BEGIN {
	printf "\nper-row overhead over (a), ((x)-(a))/((b)-(a)): statement %.2fx, row %.2fx (goal: statement <= 2x)\n",
		(d - a) / (b - a), (c - a) / (b - a)
	printf "plain per-row time, x/(b): statement %.2fx, row %.2fx\n", d / b, c / b }'
