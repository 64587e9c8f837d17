#!/usr/bin/env bash
# Runs every test: engine unit tests, fuzzing of the text parsers, pg_regress
# and the documentation's examples in throwaway clusters, and the TAP tests.  The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
#   PG_CONFIG=...           test against another PostgreSQL (default: pg_config)
#   SNN_FUZZ_SECONDS=N      time for each fuzz target (default 30)
#   SNN_ONLY="unit regress" run only some suites (unit fuzz regress doc tap)
#   SNN_TAP="070_streams_basic" run only these TAP files (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PG_CONFIG=${PG_CONFIG:-pg_config}
ONLY=${SNN_ONLY:-unit fuzz regress doc tap}
pass=0
fail=0
failed_names=""

record() {						# record NAME STATUS
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
		echo "ok     $1"
	else
		fail=$((fail + 1))
		failed_names="$failed_names $1"
		echo "FAILED $1"
	fi
}

finish() {
	[ -n "$failed_names" ] && echo "failed:$failed_names"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit $?
}

wants() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

echo "== setup"
if ! bash test/setup.sh; then
	record setup 1
	finish
fi

if wants unit; then
	echo "== engine unit tests"
	make -s unit-bins PG_CONFIG="$PG_CONFIG" || record unit-build 1
	for t in test/unit/test_*.bin; do
		[ -x "$t" ] || continue
		"./$t"
		st=$?		# before the name's $(...), which would reset $?
		record "unit/$(basename "$t" .bin)" $st
	done
	# the folders of src/ depend one way, as doc/development.md draws them
	make -s depcheck PG_CONFIG="$PG_CONFIG"
	record unit/depcheck $?
fi

if wants fuzz; then
	echo "== fuzzing (${SNN_FUZZ_SECONDS:-30} s a target)"
	for f in test/fuzz/fuzz_*.c; do
		[ -f "$f" ] || continue
		bash test/fuzz/run.sh "$(basename "$f" .c)" "${SNN_FUZZ_SECONDS:-30}"
		st=$?		# before the name's $(...), which would reset $?
		record "fuzz/$(basename "$f" .c)" $st
	done
fi

if wants regress; then
	echo "== pg_regress"
	(
		. test/lib/cluster.sh
		snn_cluster_start || exit 2
		make -s installcheck PG_CONFIG="$PG_CONFIG" >regress.out 2>&1
		st=$?
		cat regress.out
		[ $st != 0 ] && [ -f regression.diffs ] && head -200 regression.diffs
		exit 0
	)
	# one result per regression test, parsed from pg_regress's report
	if [ -f regress.out ]; then
		while read -r name status; do
			record "regress/$name" "$status"
		done < <(sed -nE 's/^(test |ok [0-9]+ +- +| +)?([a-z0-9_]+) +\.\.\. (ok|FAILED|failed)( |$).*/\2 \3/p; s/^not ok [0-9]+ +- +([a-z0-9_]+).*/\1 FAILED/p' regress.out |
			awk '{print $1, ($2 == "ok" ? 0 : 1)}')
		grep -qE '\.\.\. (ok|FAILED|failed)|^(not )?ok [0-9]' regress.out || record regress/run 1
	else
		record regress/run 1
	fi
fi

if wants doc; then
	echo "== documentation examples and links"
	# one result a page, from test/doc-test.sh's "doc-result NAME STATUS" lines
	(
		. test/lib/cluster.sh
		snn_cluster_start || exit 2
		bash test/doc-test.sh >doc-test.out 2>&1
		grep -v '^doc-result ' doc-test.out
		exit 0
	)
	if grep -q '^doc-result ' doc-test.out 2>/dev/null; then
		while read -r _ name status; do
			record "$name" "$status"
		done < <(grep '^doc-result ' doc-test.out)
	else
		record doc/run 1
	fi
	rm -f doc-test.out
fi

if wants tap; then
	echo "== TAP tests"
	# The server runs as postgres, which must be able to write the test tree.
	tapdir=$(mktemp -d /tmp/snn-tap.XXXXXX)
	cp -a "$ROOT/test" "$tapdir/"
	cp -a "$ROOT/python" "$tapdir/"		# the psycopg adapter, for 110_python
	chmod -R a+rwX "$tapdir"
	chmod 755 "$tapdir"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$tapdir"
	bindir=$("$PG_CONFIG" --bindir)
	perl5=$("$PG_CONFIG" --pgxs | sed 's|/src/makefiles/pgxs.mk$|/src/test/perl|')
	for t in test/t/*.pl; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .pl)
		if [ -n "${SNN_TAP:-}" ]; then
			case " $SNN_TAP " in *" $name "*) ;; *) continue ;; esac
		fi
		mkdir -p "$tapdir/tmp_$name"
		[ "$(id -u)" = 0 ] && chown postgres: "$tapdir/tmp_$name"
		run=(env PATH="$bindir:$PATH" PERL5LIB="$perl5:$tapdir/test/t" PG_CONFIG="$PG_CONFIG"
			PG_REGRESS="${perl5%/perl}/regress/pg_regress" SNN_SRC="$tapdir" TESTDIR="$tapdir/tmp_$name" prove -v "$tapdir/test/t/$name.pl")
		if [ "$(id -u)" = 0 ]; then
			(cd "$tapdir" && runuser -u postgres -- "${run[@]}")
		else
			(cd "$tapdir" && "${run[@]}")
		fi
		st=$?
		if [ $st != 0 ]; then
			cat "$tapdir"/tmp_"$name"/tmp_check/log/*.log 2>/dev/null | tail -100
			tail -60 "$tapdir"/tmp_"$name"/tmp_check/log/regress_log_* 2>/dev/null
		fi
		record "tap/$name" $st
	done
	rm -rf "$tapdir"
fi

finish
