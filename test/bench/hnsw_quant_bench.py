#!/usr/bin/python3
"""hnsw_quant_bench.py: snn_hnsw quantize and format variants beside hnswlib.

The same clustered TTFS patterns as hnsw_bench.py (its generator), loaded
into a running server (PGHOST, PGPORT, PGUSER, PGDATABASE); prints in one run,
for each index variant (--configs: format-quantize:m, default standard none
and 4bit at m 16, compact 4bit at m 16 and 8, compact none at m 8; quantize
may also be 2bit, e.g. compact-2bit:8,compact-2bit:6) and for
hnswlib at each m used (float32, same ef_construction, one thread):

  - build time, index size, index bytes per row, and (index + heap) bytes
    per row (the heap holds the exact patterns the recheck reads);
  - for each ef_search: tie-aware recall@10 against exact search, server
    QPS (all queries in one LATERAL statement, snn.iterative_scan =
    strict_order, the default), and the rows the index hands the executor a
    query (pg_stat_get_xact_tuples_returned: 10 for exact distances, more
    with codes, each a heap fetch and an exact recheck).

Nothing passes or fails on time: it prints figures.
"""
import argparse
import os
import sys
import tempfile
import time

import hnswlib
import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hnsw_bench import exact_knn, generate, jittered, recall, spikes_text  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--configs",
                    default="standard-none:16,standard-4bit:16,compact-4bit:16,compact-4bit:8,compact-none:8",
                    help="comma-separated format-quantize:m")
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--ef", default="40,100,200")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    efs = [int(e) for e in a.ef.split(",")]
    configs = []
    for c in a.configs.split(","):
        name, m = c.split(":")
        fmt, quant = name.split("-")
        configs.append((c, fmt, quant, int(m)))
    rng = np.random.default_rng(a.seed)
    data = generate(a.rows, a.dim, max(1, a.rows // 100), rng)
    queries = jittered(data[rng.integers(0, a.rows, size=a.queries)], rng)
    _, gt_d = exact_knn(data, queries, 10)
    print(f"data: {a.rows} x {a.dim} clustered TTFS patterns, {a.queries} queries, "
          f"ef_construction {a.ef_construction}")
    print(f"cpu: {os.cpu_count()} cores (shared with other work: figures are indicative)")

    conn = psycopg.connect(autocommit=True)
    conn.execute("SET maintenance_work_mem = '2GB'")
    conn.execute("DROP TABLE IF EXISTS qb_items, qb_q")
    conn.execute(f"CREATE TABLE qb_items (id bigint PRIMARY KEY, pattern spikes({a.dim}))")
    with conn.cursor().copy("COPY qb_items (id, pattern) FROM STDIN") as cp:
        for i, row in enumerate(data):
            cp.write_row((i, spikes_text(row)))
    conn.execute(f"CREATE TABLE qb_q (qid int, p spikes({a.dim}))")
    with conn.cursor().copy("COPY qb_q FROM STDIN") as cp:
        for i, q in enumerate(queries):
            cp.write_row((i, spikes_text(q)))
    conn.execute("VACUUM ANALYZE qb_items")
    conn.execute("VACUUM ANALYZE qb_q")
    heap = conn.execute("SELECT pg_relation_size('qb_items')").fetchone()[0]
    conn.execute("SET enable_seqscan = off")
    lateral = ("SELECT q.qid, s.id FROM qb_q q, LATERAL (SELECT id FROM qb_items "
               "ORDER BY pattern <-> q.p LIMIT 10) s")

    tuples_sql = "SELECT pg_stat_get_xact_tuples_returned('qb_idx'::regclass)"
    results = {}
    for label, fmt, quant, m in configs:
        t0 = time.perf_counter()
        conn.execute(f"CREATE INDEX qb_idx ON qb_items USING snn_hnsw (pattern) WITH "
                     f"(m = {m}, ef_construction = {a.ef_construction}, quantize = '{quant}', "
                     f"format = {fmt})")
        build = time.perf_counter() - t0
        size = conn.execute("SELECT pg_relation_size('qb_idx')").fetchone()[0]
        conn.execute("SET snn.ef_search = 40")
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + lateral).fetchall())
        assert "qb_idx" in plan, plan
        conn.execute(lateral).fetchall()  # warm the cache
        per_ef = []
        for ef in efs:
            conn.execute(f"SET snn.ef_search = {ef}")
            t0 = time.perf_counter()
            res = conn.execute(lateral).fetchall()
            qps = len(queries) / (time.perf_counter() - t0)
            byq = [[] for _ in range(len(queries))]
            for qid, rid in res:
                byq[qid].append(rid)
            with conn.transaction():
                n0 = conn.execute(tuples_sql).fetchone()[0]
                conn.execute(lateral).fetchall()
                fetched = (conn.execute(tuples_sql).fetchone()[0] - n0) / len(queries)
            per_ef.append((recall(byq, data, queries, gt_d[:, 9]), qps, fetched))
        results[label] = (build, size, per_ef)
        conn.execute("DROP INDEX qb_idx")

    fq = queries.astype(np.float32)
    for m in sorted({c[3] for c in configs}, reverse=True):
        t0 = time.perf_counter()
        peer = hnswlib.Index(space="l2", dim=a.dim)
        peer.init_index(max_elements=a.rows, M=m, ef_construction=a.ef_construction, random_seed=a.seed)
        peer.set_num_threads(1)
        peer.add_items(data.astype(np.float32), np.arange(a.rows), num_threads=1)
        pbuild = time.perf_counter() - t0
        with tempfile.NamedTemporaryFile(suffix=".hnsw") as f:
            peer.save_index(f.name)
            psize = os.path.getsize(f.name)
        pef = []
        for ef in efs:
            peer.set_ef(max(ef, 10))
            t0 = time.perf_counter()
            found = [peer.knn_query(q.reshape(1, -1), k=10, num_threads=1)[0][0] for q in fq]
            pef.append((recall(found, data, queries, gt_d[:, 9]), len(fq) / (time.perf_counter() - t0), None))
        results[f"hnswlib:{m}"] = (pbuild, psize, pef)

    cols = list(results)
    w = 22
    print()
    print(f"{'':<28}" + "".join(f"{c:>{w}}" for c in cols))
    print(f"{'build time (s)':<28}" + "".join(f"{results[c][0]:>{w}.1f}" for c in cols))
    print(f"{'index size (MiB)':<28}" + "".join(f"{results[c][1] / 2**20:>{w}.1f}" for c in cols))
    print(f"{'index bytes per row':<28}" + "".join(f"{results[c][1] / a.rows:>{w}.0f}" for c in cols))
    print(f"{'index + heap bytes per row':<28}"
          + "".join(f"{(results[c][1] + heap) / a.rows:>{w}.0f}" if not c.startswith("hnswlib")
                    else f"{'(no heap)':>{w}}" for c in cols))
    print(f"heap (exact patterns, read by the recheck): {heap / 2**20:.1f} MiB, {heap / a.rows:.0f} bytes per row")
    print()
    print("recall@10 / QPS (snn: server, LATERAL over all queries; hnswlib: one knn_query at a time)")
    print(f"{'ef_search':<28}" + "".join(f"{c:>{w}}" for c in cols))
    for i, ef in enumerate(efs):
        print(f"{ef:<28}" + "".join(f"{results[c][2][i][0]:>{w - 7}.4f}/{results[c][2][i][1]:<6.0f}"
                                    for c in cols))
    print()
    print("rows the index hands the executor a query (heap fetches and exact rechecks; 10 without codes)")
    print(f"{'ef_search':<28}" + "".join(f"{c:>{w}}" for c in cols if not c.startswith("hnswlib")))
    for i, ef in enumerate(efs):
        print(f"{ef:<28}" + "".join(f"{results[c][2][i][2]:>{w}.1f}" for c in cols
                                    if not c.startswith("hnswlib")))
    conn.execute("DROP TABLE qb_items, qb_q")


if __name__ == "__main__":
    sys.exit(main())
