# cluster.sh: start and stop a throwaway PostgreSQL cluster for tests.
# Source it, then: snn_cluster_start [extra postgres -c settings...]
# It exports PGHOST (a private socket directory), PGPORT, PGUSER and
# SNN_CLUSTER_DIR, and stops and removes the cluster on exit.
# PostgreSQL refuses to run as root, so as root the server runs as postgres.

PG_CONFIG=${PG_CONFIG:-pg_config}
SNN_BINDIR=$("$PG_CONFIG" --bindir)

# Run a command as the server's owner.
snn_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

snn_cluster_stop() {
	if [ -n "${SNN_CLUSTER_DIR:-}" ] && [ -d "$SNN_CLUSTER_DIR/data" ]; then
		snn_as_owner "$SNN_BINDIR/pg_ctl" -D "$SNN_CLUSTER_DIR/data" -m immediate stop >/dev/null 2>&1 || true
		rm -rf "$SNN_CLUSTER_DIR"
	fi
	SNN_CLUSTER_DIR=
}

snn_cluster_start() {
	local opts="-c listen_addresses='' -c shared_preload_libraries=snn -c fsync=off"
	local s
	for s in "$@"; do opts="$opts -c $s"; done
	SNN_CLUSTER_DIR=$(mktemp -d /tmp/snn-cluster.XXXXXX)
	chmod 755 "$SNN_CLUSTER_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$SNN_CLUSTER_DIR"
	trap snn_cluster_stop EXIT
	snn_as_owner "$SNN_BINDIR/initdb" -D "$SNN_CLUSTER_DIR/data" -U postgres \
		--auth=trust -E UTF8 --locale=C >"$SNN_CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$SNN_CLUSTER_DIR/initdb.log" >&2; return 1; }
	export PGHOST=$SNN_CLUSTER_DIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	snn_as_owner "$SNN_BINDIR/pg_ctl" -D "$SNN_CLUSTER_DIR/data" -l "$SNN_CLUSTER_DIR/server.log" \
		-w -o "-p $PGPORT -k $SNN_CLUSTER_DIR $opts" start >/dev/null ||
		{ cat "$SNN_CLUSTER_DIR/server.log" >&2; return 1; }
}
