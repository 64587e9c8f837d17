#!/usr/bin/env bash
# Development aid: make a private, relocated copy of the system PostgreSQL
# under DIR so that several work trees can install and test snn side by side
# without overwriting each other's snn.so.  Prints the PG_CONFIG to use:
#   export PG_CONFIG=$(test/dev-private-pg.sh /opt/pg-mine)
#   bash test/run-all.sh
set -euo pipefail
dir=$1
if [ ! -x "$dir/lib/postgresql/15/bin/pg_config" ]; then
	mkdir -p "$dir/lib" "$dir/share" "$dir/include"
	cp -a /usr/lib/postgresql "$dir/lib/"
	cp -a /usr/share/postgresql "$dir/share/"
	cp -a /usr/include/postgresql "$dir/include/"
	chmod 755 "$dir"
fi
echo "$dir/lib/postgresql/15/bin/pg_config"
