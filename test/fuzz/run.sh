#!/usr/bin/env bash
# Builds one libFuzzer target (test/fuzz/NAME.c, linked with the engine) with
# address and undefined-behaviour sanitizers, and runs it for SECONDS on a
# scratch copy of its checked-in corpus (test/fuzz/corpus/NAME).  Any crash,
# sanitizer report or leak fails the run.
#   usage: test/fuzz/run.sh NAME [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
name=$1
secs=${2:-30}
bin=test/fuzz/$name.bin
clang -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Isrc/engine -o "$bin" "test/fuzz/$name.c" src/engine/*.c -lm
work=$(mktemp -d /tmp/snn-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -d "test/fuzz/corpus/$name" ] && cp -a "test/fuzz/corpus/$name/." "$work/"
"./$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/crash-" "$work" 2>&1 | tail -15
