#!/usr/bin/env bash
# NAB through SQL: for every data file of the NAB subset, one stream (key =
# the file) is loaded in file order into an event table with a statement-level
# snn_detect trigger; the trigger's scores (its optional score table) are
# written in NAB's result format and scored with NAB's scorer, printed beside
# the published detectors.  One detector configuration for every file (the
# NAB configuration of nab_config.sh, or the argument: a jsonb object), no
# per-file tuning, no look-ahead.  When the offline driver's results are given
# (SNN_NAB_OFFLINE=DIR from nab_offline.sh with SNN_NAB_OUT), it also checks
# that SQL reproduced them exactly.
#   PG_CONFIG=...      the PostgreSQL to use (snn installed in it)
#   SNN_NAB_DIR=...    the NAB folder (default ../shared/nab beside the repo)
#   SNN_NAB_OUT=...    keep the result CSVs here (default: a temp dir)
#   SNN_NAB_FILES=N    only the first N files (a quick run)
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
NAB=${SNN_NAB_DIR:-$ROOT/../shared/nab}
[ -d "$NAB/data" ] || NAB=/work/shared/nab
. test/bench/nab/nab_config.sh
CONFIG=${1:-$NAB_SQL_CONFIG}
export PG_CONFIG=${PG_CONFIG:-pg_config}
. "$ROOT/test/lib/cluster.sh"
snn_cluster_start "TimeZone=UTC"
if [ -n "${SNN_NAB_OUT:-}" ]; then OUT=$SNN_NAB_OUT; mkdir -p "$OUT"; else OUT=$SNN_CLUSTER_DIR/nab; fi
mkdir -p "$OUT/snn"; chmod -R a+rwx "$OUT"
PSQL=("$SNN_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<SQL
CREATE EXTENSION snn;
SELECT snn_detector_create('nab', '$CONFIG') \g /dev/null
CREATE TABLE staging (n bigserial, ts timestamp, value float8);
CREATE TABLE events (seq bigserial PRIMARY KEY, file text, ts timestamp, value float8);
CREATE TABLE scores (event_id text, score float8);
CREATE TRIGGER detect AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION snn_detect('nab', 'value', 'file', 'seq', 'ts', 'scores');
SQL
files=()
for d in "$NAB"/data/*/; do for f in "$d"*.csv; do files+=("${f#$NAB/data/}"); done; done
[ -n "${SNN_NAB_FILES:-}" ] && files=("${files[@]:0:$SNN_NAB_FILES}")
start=$(date +%s.%N)
for rel in "${files[@]}"; do
	"${PSQL[@]}" <<SQL
TRUNCATE staging;
\copy staging (ts, value) FROM '$NAB/data/$rel' WITH (FORMAT csv, HEADER true)
INSERT INTO events (file, ts, value) SELECT '$rel', ts, value FROM staging ORDER BY n;
SQL
done
end=$(date +%s.%N)
for rel in "${files[@]}"; do
	mkdir -p "$OUT/snn/$(dirname "$rel")"
	"${PSQL[@]}" -c "\\copy (SELECT e.ts AS timestamp, e.value, s.score AS anomaly_score FROM events e JOIN scores s ON s.event_id = e.seq::text WHERE e.file = '$rel' ORDER BY e.seq) TO '$OUT/snn/$rel' WITH (FORMAT csv, HEADER true)"
done
"${PSQL[@]}" -At -F ' ' -c "SELECT 'events', count(*) FROM events" \
	-c "SELECT 'anomalies recorded by the trigger', count(*) FROM snn_anomalies" \
	-c "SELECT 'state bytes a stream', max(state_bytes) FROM pg_stat_snn_detector_streams"
awk -v s="$start" -v e="$end" 'BEGIN { printf "loading with the trigger: %.1f s\n", e - s }'
if [ -n "${SNN_NAB_OFFLINE:-}" ]; then
	python3 - "$SNN_NAB_OFFLINE" "$OUT/snn" "${files[@]}" <<'PY'
import csv, sys
off, sql, files = sys.argv[1], sys.argv[2], sys.argv[3:]
worst, n = 0.0, 0
for f in files:
    a = [float(r['anomaly_score']) for r in csv.DictReader(open(f"{off}/{f}"))]
    b = [float(r['anomaly_score']) for r in csv.DictReader(open(f"{sql}/{f}"))]
    assert len(a) == len(b), f
    worst = max([worst] + [abs(x - y) for x, y in zip(a, b)])
    n += len(a)
print(f"SQL vs offline driver: {n} scores, largest difference {worst:g}" + (" (identical)" if worst == 0 else " MISMATCH"))
sys.exit(0 if worst == 0 else 1)
PY
fi
[ ${#files[@]} -lt 24 ] && { echo "(partial run: not scored)"; exit 0; }
python3 "$NAB/score.py" "$OUT/snn" > "$OUT/score.txt"
get() { awk -v p="$1" '$1 == p { print $3 }' "$OUT/score.txt"; }
printf '\n%-26s %9s %9s %9s\n' detector standard low_FP low_FN
printf '%-26s %9s %9s %9s\n' "snn reservoir (SQL trigger)" "$(get standard)" \
	"$(get reward_low_FP_rate)" "$(get reward_low_FN_rate)"
awk -F'|' '/^\| [A-Za-z]/ && !/detector/ {
	gsub(/^ +| +$/, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $5);
	printf "%-26s %9s %9s %9s\n", $2, $3, $4, $5 }' "$NAB/README.md"
