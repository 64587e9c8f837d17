#!/usr/bin/env bash
# Offline NAB run of the engine's anomaly detector: builds nab_offline, runs
# one detector per data file (file order, same parameters for every file),
# scores the results with NAB's scorer and prints them beside the published
# detectors.  No PostgreSQL needed.
#   SNN_NAB_DIR=...   the NAB folder (default: ../shared/nab beside the repo)
#   SNN_NAB_OUT=...   keep the result CSVs here (default: a temp dir, removed)
#   SNN_NAB_ENSEMBLE  reservoirs of the ensemble (default 5, nab_config.sh)
#   extra arguments   field=value overrides (after the NAB configuration, so
#                     they win), preset=NAME, seed=N
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
. test/bench/nab/nab_config.sh
NAB=${SNN_NAB_DIR:-$ROOT/../shared/nab}
[ -d "$NAB/data" ] || NAB=/work/shared/nab
CC=${CC:-cc}
BIN=$ROOT/test/bench/nab/nab_offline.bin
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -Werror -Wno-format-truncation -Isrc/engine -o "$BIN" \
	test/bench/nab/nab_offline.c src/engine/*.c -lm
if [ -n "${SNN_NAB_OUT:-}" ]; then
	OUT=$SNN_NAB_OUT
	mkdir -p "$OUT"
else
	OUT=$(mktemp -d)
	trap 'rm -rf "$OUT"' EXIT
fi
"$BIN" "$NAB/data" "$OUT/snn" "${NAB_OFFLINE_ARGS[@]}" "$@"
python3 "$NAB/score.py" "$OUT/snn" ${SNN_NAB_SCORE_ARGS:-} > "$OUT/score.txt"
get() { awk -v p="$1" '$1 == p { print $3 }' "$OUT/score.txt"; }
[ -n "${SNN_NAB_SCORE_ARGS:-}" ] && cat "$OUT/score.txt"
printf '\n%-22s %9s %9s %9s\n' detector standard low_FP low_FN
printf '%-22s %9s %9s %9s\n' "snn reservoir (this)" "$(get standard)" \
	"$(get reward_low_FP_rate)" "$(get reward_low_FN_rate)"
# the published table of the subset's README
awk -F'|' '/^\| [A-Za-z]/ && !/detector/ {
	gsub(/^ +| +$/, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $5);
	printf "%-22s %9s %9s %9s\n", $2, $3, $4, $5 }' "$NAB/README.md"
