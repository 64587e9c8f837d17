#!/usr/bin/env bash
# Held-out NAB scores (issue 15 item 2): runs the offline driver once per
# candidate configuration and seed over the 24 development files, then
# nab_loco.py chooses the configuration and the threshold on three of the
# four categories, scores the fourth with them, and combines the four
# held-out categories into one NAB score, printed beside the in-sample one
# (configuration and threshold chosen on all 24 files).  A second protocol
# scores the detector's own alarms (the NAB threshold is the configuration's
# alarm threshold, score_threshold, chosen held out as part of it), and the
# per-file held-out contributions are printed for both profiles.
#   SNN_NAB_DETAIL=1         also write the details (cause of each score), so
#                            the false positives are counted by signal
#   SNN_LOCO_SEEDS="1 2 3"   seeds (default 1 2 3 4 5)
#   SNN_LOCO_OUT=DIR         keep the result CSVs here (default: a temp dir);
#                            a configuration and seed already there is reused
#   SNN_LOCO_CONFIGS=FILE    candidate grid, one "name field=value ..." a line
#                            (default: the grid below)
#   SNN_NAB_DIR=...          the NAB folder (default: ../shared/nab)
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
NAB=${SNN_NAB_DIR:-$ROOT/../shared/nab}
[ -d "$NAB/data" ] || NAB=/work/shared/nab
SEEDS=${SNN_LOCO_SEEDS:-1 2 3 4 5}
CC=${CC:-cc}
BIN=$ROOT/test/bench/nab/nab_offline.bin
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -Werror -Wno-format-truncation -Isrc/engine -o "$BIN" \
	test/bench/nab/nab_offline.c src/engine/*.c -lm
if [ -n "${SNN_LOCO_OUT:-}" ]; then
	OUT=$SNN_LOCO_OUT
	mkdir -p "$OUT"
else
	OUT=$(mktemp -d)
	trap 'rm -rf "$OUT"' EXIT
fi
# The candidate grid: a handful of configurations, each with a reason to
# generalise, not per-file wins.  The default, the NAB ensemble, the presets
# and a few principled variants of the warm-up, the calibration and STDP.
GRID=${SNN_LOCO_CONFIGS:-$OUT/grid.txt}
if [ -z "${SNN_LOCO_CONFIGS:-}" ]; then
	cat >"$GRID" <<'GRID_END'
default
ensemble5 res_ensemble=5
security preset=security
business preset=business
sensor preset=sensor
warmup150 score_warmup=150
calib2000 score_calibration=2000
ens5_nostdp res_ensemble=5 learn_stdp=0
ens5_warmup150 res_ensemble=5 score_warmup=150
GRID_END
fi
while read -r name args; do
	[ -z "$name" ] && continue
	for s in $SEEDS; do
		d=$OUT/$name/s$s
		[ -f "$d/done" ] && continue
		rm -rf "$d"
		# shellcheck disable=SC2086
		"$BIN" "$NAB/data" "$d" $args seed=$s >"$OUT/$name.s$s.log"
		touch "$d/done"
	done
done <"$GRID"
python3 test/bench/nab/nab_loco.py --nab "$NAB" --out "$OUT" --grid "$GRID" --seeds "$SEEDS"
