#!/usr/bin/python3
"""capacity.py: bytes per node and allocation latency of one shard.

For each size (default 100,000 and 1,000,000 clustered TTFS patterns of 128
neurons, the data of hnsw_bench.py), loads a table into the running server
(PGHOST, PGPORT, PGUSER, PGDATABASE), builds its snn_hnsw index and prints:

  - bytes per node: heap, primary key, snn_hnsw index, total;
  - allocation latency p50/p90/p99 (1,000 facts that are jittered stored
    rows, k = 16, one SQL call each, client side, warm cache; the three
    variants are interleaved fact by fact so that other load on the machine
    falls on all of them alike), side by side:
    snn_allocate on the table itself (the peer), and snn_shard_allocate over
    a partitioned table whose one foreign partition is the same table through
    a loopback postgres_fdw server (what one shard costs a coordinator);
    and the same over two loopback partitions (a fan-out of two, searched
    concurrently; both name the same table, so this measures time only).

With --json FILE it writes the figures and every latency sample, which
test/bench/capacity_model.py projects to 1 billion nodes.  Prints figures;
never pass/fail on time.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hnsw_bench import generate, jittered, spikes_text  # noqa: E402


def percentiles(lat):
    """p50, p90, p99 of a list of seconds, in ms."""
    s = sorted(lat)
    return [s[min(len(s) - 1, int(len(s) * q))] * 1000 for q in (0.5, 0.9, 0.99)]


def timed_calls(conn, sql, args_list):
    """Run one statement per argument tuple; per-call latency in seconds."""
    lat = []
    for args in args_list:
        t0 = time.perf_counter()
        conn.execute(sql, args).fetchone()
        lat.append(time.perf_counter() - t0)
    return lat


def load(conn, n, dim, rng):
    """Table cap_items with n clustered rows and its index; returns the data."""
    data = generate(n, dim, max(1, n // 100), rng)
    conn.execute("DROP TABLE IF EXISTS cap_items CASCADE")
    conn.execute(f"CREATE TABLE cap_items (id bigint PRIMARY KEY, pattern spikes({dim}))")
    t0 = time.perf_counter()
    with conn.cursor().copy("COPY cap_items (id, pattern) FROM STDIN") as cp:
        for i, row in enumerate(data):
            cp.write_row((i, spikes_text(row)))
    conn.execute("VACUUM ANALYZE cap_items")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("CREATE INDEX cap_idx ON cap_items USING snn_hnsw (pattern)")
    build_s = time.perf_counter() - t0
    return data, load_s, build_s


def sharded(conn, nparts):
    """cap_sharded<nparts>: nparts foreign partitions, each the loopback cap_items."""
    t = f"cap_sharded{nparts}"
    conn.execute(f"DROP TABLE IF EXISTS {t} CASCADE")
    conn.execute(f"CREATE TABLE {t} (id bigint, pattern spikes(128)) PARTITION BY HASH (id)")
    servers = ",".join(f"cap_loop{i}" for i in range(1, nparts + 1))
    conn.execute("SELECT * FROM snn_shard_attach(%s, %s::name[], 'public', 'cap_items')",
                 (t, "{" + servers + "}"))


def measure(conn, n, dim, nfacts, rng):
    """Sizes and latencies at one size, as a dict."""
    data, load_s, build_s = load(conn, n, dim, rng)
    heap, pkey, idx = conn.execute(
        "SELECT pg_table_size('cap_items'), pg_relation_size('cap_items_pkey'), "
        "pg_relation_size('cap_idx')").fetchone()
    facts = [(spikes_text(r),) for r in jittered(data[rng.integers(0, n, size=nfacts)], rng)]
    conn.execute("SELECT count(*) FROM cap_items")  # warm the heap
    res = {"rows": n, "dim": dim, "load_s": load_s, "build_s": build_s,
           "heap_bytes": heap, "pkey_bytes": pkey, "hnsw_bytes": idx}
    sharded(conn, 1)
    sharded(conn, 2)
    sql = {"local": "SELECT * FROM snn_allocate('cap_items', %s::spikes, 1e6, 16)",
           "fdw1": "SELECT * FROM snn_shard_allocate('cap_sharded1', %s::spikes, 1e6, 16)",
           "fdw2": "SELECT * FROM snn_shard_allocate('cap_sharded2', %s::spikes, 1e6, 16)"}
    for key in sql:  # warm-up pass: caches and connections
        timed_calls(conn, sql[key], facts)
    # interleaved, so that load from other work on the machine hits all three alike
    for key in sql:
        res[key] = []
    for f in facts:
        for key in sql:
            res[key] += timed_calls(conn, sql[key], [f])
    conn.execute("DROP TABLE cap_sharded1, cap_sharded2, cap_items")
    return res


def report(r):
    """Print one size's figures."""
    n = r["rows"]
    total = r["heap_bytes"] + r["pkey_bytes"] + r["hnsw_bytes"]
    print(f"\n{n} x {r['dim']} patterns: load {r['load_s']:.1f} s, index build {r['build_s']:.1f} s")
    print(f"  bytes a node: heap {r['heap_bytes'] / n:.0f}, primary key {r['pkey_bytes'] / n:.0f}, "
          f"snn_hnsw {r['hnsw_bytes'] / n:.0f}, total {total / n:.0f} "
          f"({total / 2 ** 20:.1f} MiB)")
    print("  allocation latency, ms        p50     p90     p99")
    for key, label in (("local", "snn_allocate (local, peer)"),
                       ("fdw1", "snn_shard_allocate, 1 shard"),
                       ("fdw2", "snn_shard_allocate, 2 shards")):
        p = percentiles(r[key])
        print(f"  {label:29s} {p[0]:6.3f}  {p[1]:6.3f}  {p[2]:6.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--facts", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the figures and latency samples here")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    conn = psycopg.connect(autocommit=True)
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
    host = os.environ.get("PGHOST", "/var/run/postgresql")
    port = int(os.environ.get("PGPORT", "5432"))
    db = conn.execute("SELECT current_database()").fetchone()[0]
    for i in (1, 2):
        if not conn.execute("SELECT 1 FROM pg_foreign_server WHERE srvname = %s",
                            (f"cap_loop{i}",)).fetchone():
            conn.execute("SELECT snn_shard_create(%s, %s, %s, %s)", (f"cap_loop{i}", host, port, db))
    conn.execute("SET maintenance_work_mem = '2GB'")
    print(f"cpu: {os.cpu_count()} cores (shared with other work: figures are indicative)")
    results = []
    for n in (int(s) for s in a.sizes.split(",")):
        r = measure(conn, n, a.dim, a.facts, rng)
        report(r)
        results.append(r)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cpu": os.cpu_count(), "results": results}, f)
        print(f"\nwrote {a.json}")


if __name__ == "__main__":
    main()
