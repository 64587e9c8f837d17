#!/usr/bin/env bash
# Runs the SQL examples of README.md and doc/*.md and checks their links.
# For each page: a fresh database in the running cluster (PGHOST, PGPORT,
# PGUSER from test/lib/cluster.sh), CREATE EXTENSION snn, then every ```sql
# block in order in one psql -X session; a ```text block right after a
# block must hold exactly what psql printed for it (test/doc_test.py says
# how), and a block without one must not raise an error.  Without a running
# cluster (no PGHOST) it starts a throwaway one.
#   bash test/doc-test.sh [page.md ...]     default: README.md doc/*.md
#   SNN_DOC_WRITE=1 ...   rewrite the text blocks with psql's output (=all:
#                         also add one after every block that printed rows)
# Prints "doc-result NAME STATUS" a page (NAME doc/<page>, the top README
# doc/README.md, doc/README.md itself doc/doc-README.md), and, for all pages,
# "doc-result doc/coverage" (every SQL function and view has an example);
# exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-pg_config}
if [ -z "${PGHOST:-}" ]; then
	. test/lib/cluster.sh
	snn_cluster_start || exit 2
fi
PATH="$("$PG_CONFIG" --bindir):$PATH"
pages=("$@")
[ ${#pages[@]} = 0 ] && pages=(README.md doc/*.md)
write=()
[ -n "${SNN_DOC_WRITE:-}" ] && write=(--write)
status=0
for page in "${pages[@]}"; do
	case "$page" in
		README.md) name=doc/README.md ;;
		doc/README.md) name=doc/doc-README.md ;;
		*) name=doc/$(basename "$page") ;;
	esac
	db=snn_doc_$(basename "$page" .md | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '_')
	st=0
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null &&
		psql -X -q -d postgres -c "CREATE DATABASE $db" &&
		psql -X -q -d "$db" -c "CREATE EXTENSION snn" || st=1
	if [ $st = 0 ]; then
		python3 test/doc_test.py "${write[@]}" "$page" "$db" || st=1
	fi
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	echo "doc-result $name $st"
	[ $st = 0 ] || status=1
done
# every function and view in some example (only when checking every page)
if [ $# = 0 ]; then
	st=0
	python3 test/doc_test.py --coverage "${pages[@]}" || st=1
	echo "doc-result doc/coverage $st"
	[ $st = 0 ] || status=1
fi
exit $status
