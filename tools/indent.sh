#!/usr/bin/env bash
# PostgreSQL layout (pgindent) for the C sources, with pg_bsd_indent
# (Debian: pg-bsd-indent).  PostgreSQL's own pgindent wrapper is a perl
# script in its source tree, not packaged; this does what it does:
#   - the same pg_bsd_indent options;
#   - a typedef list: pg_bsd_indent must know every type name, or it
#     mistakes declarations and casts for expressions (the artefacts seen
#     before: "p += n" -> "p +=n", "(float4 *) p" -> "(float4 *)p").  The
#     names come from the debug information of the objects built here (ours,
#     PostgreSQL's and libc's types, as PostgreSQL's buildfarm collects
#     them) and from the typedefs declared in this tree (for code not built);
#   - pgindent's pre- and post-processing of comments and return types.
#
#   tools/indent.sh [--check] [FILE...]   (default: every .c and .h of src/, test/unit/, test/fuzz/)
#   make indent                           (builds first, for the debug information)
# --check changes nothing: it prints the diff and exits 2 when a file would change.
set -euo pipefail
cd "$(dirname "$0")/.."
INDENT=${PG_BSD_INDENT:-pg_bsd_indent}
OPTS="-bad -bap -bbb -bc -bl -cli1 -cp33 -cdb -nce -d0 -di12 -nfc1 -i4 -l79 -lp -lpl -nip -npro -sac -tpg -ts4"

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
if ! command -v "$INDENT" >/dev/null; then
	echo "indent.sh: $INDENT not found (Debian: apt-get install pg-bsd-indent)" >&2
	exit 1
fi
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(ls src/*.[ch] src/*/*.[ch] test/unit/*.[ch] test/fuzz/*.[ch] 2>/dev/null)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# typedefs: DW_TAG_typedef names of the objects built, and "typedef ... name;",
# "} name;" and "typedef ... (*name)" in the sources; bool is a macro in C
# but a type to indent; minus pgindent's exclusions (names that are also
# variables).  Two lists, one a layer: the engine never sees PostgreSQL's
# types (its "text" is a variable); a file's own typedefs are added for that
# file alone ("rec" in a test is a variable elsewhere).
typedefs() {							# typedefs OBJECT_GLOB SOURCE_GLOB
	{
		for o in $1; do
			[ -f "$o" ] || continue
			objdump --dwarf=info "$o" 2>/dev/null |
				awk '/DW_TAG_typedef/ { want = 1; next }
					 want && /DW_AT_name/ { n = $NF; sub(/.*: /, "", n); print n; want = 0 }'
		done
		{ cat $2 2>/dev/null || true; } | source_typedefs	# a glob may match nothing
		echo bool
	} | grep -vxE 'ANY|FD_SET|U|abs|allocfunc|boolean|date|digit|ilist|interval|iterator|other|pointer|printfunc|reference|string|timestamp|type|wrap' |
		sort -u
}
source_typedefs() {
	sed -nE 's/^typedef[^(]*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*);.*/\1/p;
			 s/^\}[ \t]*([A-Za-z_][A-Za-z0-9_]*);.*/\1/p;
			 s/^typedef.*\(\*[ \t]*([A-Za-z_][A-Za-z0-9_]*)\).*/\1/p'
}
# a typedef local to a .c file is a type there only (count_fn is a function
# elsewhere): taken out of the shared lists, added back for its own file
cat src/*.c src/*/*.c | source_typedefs | sort -u >"$work/local"
typedefs "src/engine/*.o" "src/engine/*.h" | comm -23 - "$work/local" >"$work/typedefs.engine"
typedefs "src/*.o src/*/*.o" "src/*.h src/*/*.h" | comm -23 - "$work/local" >"$work/typedefs.pg"

status=0
for f in "${files[@]}"; do
	case "$f" in
		src/engine/* | test/unit/* | test/fuzz/*) layer=engine ;;
		*) layer=pg ;;
	esac
	{
		cat "$work/typedefs.$layer"
		source_typedefs <"$f"
	} | sort -u >"$work/typedefs.file"
	# pre: // comments to /* */, protect dash comments (as pgindent)
	sed -E 's!^([ \t]*)//(.*)$!\1/* \2 */!; s!/\* +---!/*---X_X!g' "$f" >"$work/src.c"
	if ! msg=$("$INDENT" $OPTS -U"$work/typedefs.file" "$work/src.c" "$work/out.c" 2>&1) || [ -n "$msg" ]; then
		echo "indent.sh: $f: $msg" >&2
		status=1
		continue
	fi
	# post: undo the dash protection, a tab between run-together comments,
	# one space before the * of a return type on its own line (as pgindent)
	sed -E 's!/\*---X_X!/* ---!g; s!\*/(/\*.*\*/)$!*/\t\1!; s!^([A-Za-z_][^ \t]*)[ \t]+\*$!\1 *!' \
		"$work/out.c" >"$work/post.c"
	if ! cmp -s "$f" "$work/post.c"; then
		if [ $check = 1 ]; then
			diff -u "$f" "$work/post.c" | sed "1,2s!$work/post.c!$f (indented)!" || true
			status=2
		else
			cp "$work/post.c" "$f"
			echo "indented $f"
		fi
	fi
done
exit $status
