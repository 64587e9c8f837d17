#!/usr/bin/env bash
# Check that NAB through SQL (a statement-level snn_detect trigger) gives
# exactly the offline driver's scores: both on the first SNN_NAB_FILES (2)
# data files; exits 1 on any difference.  Needs PG_CONFIG (snn installed).
set -euo pipefail
cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
NAB=${SNN_NAB_DIR:-$PWD/../shared/nab}
[ -d "$NAB/data" ] || NAB=/work/shared/nab
export SNN_NAB_DIR=$NAB
n=${SNN_NAB_FILES:-2}
# the same first n files for both drivers
mkdir -p "$tmp/nab/data"
cp -r "$NAB/README.md" "$NAB/score.py" "$NAB/labels" "$NAB/config" "$tmp/nab/"
count=0
for d in "$NAB"/data/*/; do for f in "$d"*.csv; do
	[ $count -lt "$n" ] || break 2
	c=$(basename "$d"); mkdir -p "$tmp/nab/data/$c"; cp "$f" "$tmp/nab/data/$c/"; count=$((count + 1))
done; done
chmod -R a+rX "$tmp"
CC=${CC:-cc}
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -Wall -Wextra -Werror -Wno-format-truncation -Isrc/engine \
	-o "$tmp/nab_offline" test/bench/nab/nab_offline.c src/engine/*.c -lm
. test/bench/nab/nab_config.sh
"$tmp/nab_offline" "$tmp/nab/data" "$tmp/offline" "${NAB_OFFLINE_ARGS[@]}" >/dev/null
SNN_NAB_DIR=$tmp/nab SNN_NAB_OFFLINE=$tmp/offline bash test/bench/nab/nab_sql.sh | grep 'SQL vs offline'
