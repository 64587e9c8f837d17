#!/usr/bin/env bash
# Installs what snn needs on Debian 12 (when run as root and something is
# missing), then builds and installs the extension.  Idempotent.
#   PG_CONFIG=...   build against another PostgreSQL (default: pg_config)
#   SNN_SKIP_APT=1  never call apt-get
set -euo pipefail
cd "$(dirname "$0")/.."

# build and test needs, then the peers the benchmarks and comparison tests use
PKGS="postgresql-15 postgresql-server-dev-15 libsimde-dev libipc-run-perl
      build-essential clang libclang-rt-14-dev llvm
      python3 python3-brian python3-hnswlib python3-sklearn python3-psycopg"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ] && [ "${SNN_SKIP_APT:-0}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PG_CONFIG=${PG_CONFIG:-pg_config}
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
echo "setup: snn built and installed into $("$PG_CONFIG" --pkglibdir)"
