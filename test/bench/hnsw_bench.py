#!/usr/bin/python3
"""hnsw_bench.py: snn_hnsw beside an exact scan and hnswlib on the same data.

Generates clustered TTFS patterns (centres fire most neurons at a step in
0..200 and leave about a fifth silent; members jitter each spike by up to
+-20 steps and fire a silent neuron at a random step with probability 0.1),
loads them into a running server (PGHOST, PGPORT, PGUSER, PGDATABASE), and
prints in one run:

  - build time and index size: snn_hnsw (1 byte a neuron) and hnswlib
    (float32, same m and ef_construction, one thread like CREATE INDEX);
  - for each ef_search: recall@10 and queries per second of the index (one
    SQL query at a time over one connection), of hnswlib (one knn_query at a
    time), and of an exact scan (ORDER BY without the index);
  - filtered queries (WHERE grp ... at 10 % and 1 % selectivity) through
    iterative scans, beside hnswlib with post-filtering at growing k;
  - allocation with snn_allocate: accuracy (winner == exact nearest row) and
    latency percentiles, and how many novel patterns create a column.

Recall is tie-aware: a result counts when its distance is within the exact
10th distance.  Nothing passes or fails on time: it prints figures.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import hnswlib
import numpy as np
import psycopg


def generate(n, dim, nclusters, rng):
    """Clustered TTFS patterns as uint8 (255 = silent)."""
    centres = rng.integers(0, 201, size=(nclusters, dim))
    centres[rng.random((nclusters, dim)) < 0.2] = 255
    which = rng.integers(0, nclusters, size=n)
    x = centres[which].copy()
    silent = x == 255
    jitter = rng.integers(-20, 21, size=(n, dim))
    x = np.where(silent, 255, np.clip(x + jitter, 0, 254))
    refire = silent & (rng.random((n, dim)) < 0.1)
    x = np.where(refire, rng.integers(0, 255, size=(n, dim)), x)
    return x.astype(np.uint8)


def jittered(x, rng, amount=5):
    """Queries: rows with every spike moved by up to +-amount steps."""
    j = rng.integers(-amount, amount + 1, size=x.shape)
    return np.where(x == 255, 255, np.clip(x.astype(int) + j, 0, 254)).astype(np.uint8)


_TEXT = np.array([str(i) for i in range(255)] + ["_"])


def spikes_text(row):
    """The text form of a pattern: [0,3,_,12]."""
    return "[" + ",".join(_TEXT[row].tolist()) + "]"


def exact_knn(data, queries, k):
    """Exact k nearest (squared L2, integers) by blocks: ids and distances."""
    # float32 is exact while every partial sum stays below 2^24
    ftype = np.float32 if 2 * data.shape[1] * 255 * 255 < 2 ** 24 else np.float64
    d64 = data.astype(ftype)
    norms = (d64 * d64).sum(1)
    ids = np.empty((len(queries), k), dtype=np.int64)
    dists = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), 100):
        q = queries[s:s + 100].astype(ftype)
        d = norms[None, :] + (q * q).sum(1)[:, None] - 2.0 * q @ d64.T
        d = np.rint(d.astype(np.float64)).astype(np.int64)
        part = np.argpartition(d, k, axis=1)[:, :k]
        pd = np.take_along_axis(d, part, 1)
        order = np.lexsort((part, pd), axis=1)
        ids[s:s + 100] = np.take_along_axis(part, order, 1)
        dists[s:s + 100] = np.take_along_axis(pd, order, 1)
    return ids, dists


def recall(found_ids, data, queries, kth_dist):
    """Tie-aware recall@10 of a list of result id lists (0-based rows)."""
    hits = 0
    for q, ids, dk in zip(queries, found_ids, kth_dist):
        if len(ids) == 0:
            continue
        rows = data[np.asarray(ids, dtype=np.int64)].astype(np.int64)
        d = ((rows - q.astype(np.int64)) ** 2).sum(1)
        hits += min(10, int((d <= dk).sum()))
    return hits / (10 * len(queries))


def filtered_recall(found_ids, data, queries, exact_d):
    """Tie-aware recall@10 of filtered results against the exact filtered 10th distance."""
    hits = 0
    for q, ids, dk in zip(queries, found_ids, exact_d):
        if len(ids) == 0:
            continue
        rows = data[np.asarray(ids, dtype=np.int64)].astype(np.int64)
        d = ((rows - q.astype(np.int64)) ** 2).sum(1)
        hits += min(10, int((d <= dk).sum()))
    return hits / (10 * len(queries))


def filtered(conn, data, queries, grp, peer, fq, a):
    """WHERE grp ... ORDER BY pattern <-> q LIMIT 10 at 10 % and 1 % selectivity.

    snn: the index with an iterative scan (the executor filters rows and asks
    for more until it has 10), in one statement over all queries.  hnswlib
    0.6 has no filter function, so the peer asks for k = 10 / selectivity
    nearest and doubles k (and ef) until 10 pass the filter (post-filtering).
    Recall is against the exact filtered 10 nearest.
    """
    print()
    print("filtered queries (pgvector-style WHERE + ORDER BY + LIMIT 10), ef_search 40:")
    print(f"{'filter':>10} {'mode':>14} | {'snn recall':>10} {'rows':>5} {'server QPS':>10} | "
          f"{'hnswlib recall':>14} {'hnswlib QPS':>11} | {'server/hnswlib':>14}")
    conn.execute("SET snn.ef_search = 40")
    for where, mask, sel in (("grp < 10", grp < 10, 0.1), ("grp = 7", grp == 7, 0.01)):
        idx = np.nonzero(mask)[0]
        _, gd = exact_knn(data[idx], queries, 10)
        # peer: post-filtering at growing k
        t0 = time.perf_counter()
        pfound = []
        for q in fq:
            k = int(10 / sel)
            while True:
                k = min(k, a.rows)
                peer.set_ef(max(40, k))
                ids = peer.knn_query(q.reshape(1, -1), k=k, num_threads=1)[0][0]
                keep = ids[mask[ids]][:10]
                if len(keep) >= 10 or k >= a.rows:
                    break
                k *= 2
            pfound.append(keep)
        peer_qps = len(fq) / (time.perf_counter() - t0)
        peer_rec = filtered_recall(pfound, data, queries, gd[:, 9])
        for mode in ("strict_order", "relaxed_order"):
            conn.execute(f"SET snn.iterative_scan = {mode}")
            sql = (f"SELECT q.qid, s.id FROM bench_q q, LATERAL (SELECT id FROM bench_items "
                   f"WHERE {where} ORDER BY pattern <-> q.p LIMIT 10) s")
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql).fetchall())
            assert "bench_idx" in plan, plan
            t0 = time.perf_counter()
            res = conn.execute(sql).fetchall()
            qps = len(queries) / (time.perf_counter() - t0)
            byq = [[] for _ in range(len(queries))]
            for qid, rid in res:
                byq[qid].append(rid)
            rec = filtered_recall(byq, data, queries, gd[:, 9])
            print(f"{where:>10} {mode:>14} | {rec:>10.4f} {min(len(b) for b in byq):>5} {qps:>10.0f} | "
                  f"{peer_rec:>14.4f} {peer_qps:>11.0f} | {qps / peer_qps:>14.2f}")
    conn.execute("RESET snn.iterative_scan")


def backend_seconds(conn):
    """CPU seconds the connection's backend has run (Linux schedstat), or None."""
    try:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError):
        return None


def timed(conn, sql, n):
    """Run sql once: wall-clock QPS and backend-CPU QPS (None if unknown) for n queries."""
    c0 = backend_seconds(conn)
    t0 = time.perf_counter()
    rows = conn.execute(sql).fetchall()
    wall = n / (time.perf_counter() - t0)
    c1 = backend_seconds(conn)
    cpu = n / (c1 - c0) if c0 is not None and c1 is not None and c1 > c0 else None
    return wall, cpu, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--clusters", type=int, default=0, help="default rows/100")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--exact-queries", type=int, default=20)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--ef", default="10,20,40,80,160")
    ap.add_argument("--allocations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    efs = [int(e) for e in a.ef.split(",")]
    nclusters = a.clusters or max(1, a.rows // 100)
    rng = np.random.default_rng(a.seed)

    data = generate(a.rows, a.dim, nclusters, rng)
    queries = jittered(data[rng.integers(0, a.rows, size=a.queries)], rng)
    t0 = time.perf_counter()
    gt_ids, gt_d = exact_knn(data, queries, 10)
    print(f"data: {a.rows} x {a.dim} clustered TTFS patterns, {nclusters} clusters, "
          f"{a.queries} queries (ground truth in {time.perf_counter() - t0:.1f} s)")
    print(f"cpu: {os.cpu_count()} cores (shared with other work: figures are indicative)")

    conn = psycopg.connect(autocommit=True)
    conn.execute("SET maintenance_work_mem = '2GB'")
    conn.execute("DROP TABLE IF EXISTS bench_items")
    conn.execute(f"CREATE TABLE bench_items (id bigint GENERATED BY DEFAULT AS IDENTITY "
                 f"(START WITH {a.rows}) PRIMARY KEY, pattern spikes({a.dim}), grp int)")
    t0 = time.perf_counter()
    grp = (np.arange(a.rows) * 7919) % 100
    with conn.cursor().copy("COPY bench_items (id, pattern, grp) FROM STDIN") as cp:
        for i, row in enumerate(data):
            cp.write_row((i, spikes_text(row), int(grp[i])))
    conn.execute("VACUUM ANALYZE bench_items")
    print(f"load: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    conn.execute(f"CREATE INDEX bench_idx ON bench_items USING snn_hnsw (pattern) "
                 f"WITH (m = {a.m}, ef_construction = {a.ef_construction})")
    snn_build = time.perf_counter() - t0
    snn_size = conn.execute("SELECT pg_relation_size('bench_idx')").fetchone()[0]

    t0 = time.perf_counter()
    peer = hnswlib.Index(space="l2", dim=a.dim)
    peer.init_index(max_elements=a.rows, M=a.m, ef_construction=a.ef_construction, random_seed=a.seed)
    peer.set_num_threads(1)
    fdata = data.astype(np.float32)
    peer.add_items(fdata, np.arange(a.rows), num_threads=1)
    peer_build = time.perf_counter() - t0
    with tempfile.NamedTemporaryFile(suffix=".hnsw") as f:
        peer.save_index(f.name)
        peer_size = os.path.getsize(f.name)

    print()
    print(f"{'build':<28}{'snn_hnsw':>12}{'hnswlib f32':>14}{'ratio':>8}")
    print(f"{'  time (s)':<28}{snn_build:>12.1f}{peer_build:>14.1f}{snn_build / peer_build:>8.2f}")
    print(f"{'  size (MiB)':<28}{snn_size / 2**20:>12.1f}{peer_size / 2**20:>14.1f}"
          f"{snn_size / peer_size:>8.2f}")
    print(f"{'  raw vectors (MiB)':<28}{a.rows * a.dim / 2**20:>12.1f}"
          f"{a.rows * a.dim * 4 / 2**20:>14.1f}{0.25:>8.2f}")

    qtext = [spikes_text(q) for q in queries]
    sql = "SELECT id FROM bench_items ORDER BY pattern <-> %s::spikes LIMIT 10"
    cur = conn.cursor()
    # measure the index itself, whatever the planner would choose at large ef
    conn.execute("SET enable_seqscan = off")
    # warm the index and the statement
    for t in qtext[:50]:
        cur.execute(sql, (t,), prepare=True).fetchall()
    fq = queries.astype(np.float32)
    print()
    # the same queries as a table, for the in-server measurement (no round trips)
    conn.execute("DROP TABLE IF EXISTS bench_q")
    conn.execute(f"CREATE TABLE bench_q (qid int, p spikes({a.dim}))")
    with conn.cursor().copy("COPY bench_q FROM STDIN") as cp:
        for i, t in enumerate(qtext):
            cp.write_row((i, t))
    lateral = ("SELECT count(*) FROM bench_q q, LATERAL (SELECT id FROM bench_items "
               "ORDER BY pattern <-> q.p LIMIT 10) s")
    print("QPS: 'client' = one SQL query per round trip from Python; 'server' = all queries in one")
    print("statement (LATERAL over a table of queries), the AM and executor without the client;")
    print("'cpu' = the same queries per second of the backend's own CPU time (not of waiting for a")
    print("core on a shared machine); hnswlib 'cpu' is the Python process's CPU time.")
    # the executor's share: the same LATERAL over a 20-row table without an index
    conn.execute("DROP TABLE IF EXISTS bench_tiny")
    conn.execute("CREATE TABLE bench_tiny AS SELECT id, pattern FROM bench_items WHERE id < 20")
    conn.execute("SET enable_seqscan = on")
    fw, fc, _ = timed(conn, lateral.replace("bench_items", "bench_tiny"), len(qtext))
    conn.execute("SET enable_seqscan = off")
    print(f"executor floor (LATERAL over a 20-row table, no index, sort): {fw:.0f} QPS"
          + (f", cpu {fc:.0f} QPS ({1e6 / fc:.1f} us a query)" if fc else ""))
    print()
    print(f"{'ef_search':>9} | {'snn recall':>10} {'client QPS':>10} {'server QPS':>10} {'cpu QPS':>8} | "
          f"{'hnswlib recall':>14} {'hnswlib QPS':>11} {'cpu QPS':>8} | {'server/hnswlib':>14}")
    rows = []
    for ef in efs:
        conn.execute(f"SET snn.ef_search = {ef}")
        if ef == efs[0]:
            plan = conn.execute("EXPLAIN " + sql.replace("%s", "'" + qtext[0] + "'")).fetchall()
            assert any("bench_idx" in r[0] for r in plan), plan
        t0 = time.perf_counter()
        found = [[r[0] for r in cur.execute(sql, (t,), prepare=True).fetchall()] for t in qtext]
        snn_qps = len(qtext) / (time.perf_counter() - t0)
        snn_rec = recall(found, data, queries, gt_d[:, 9])
        server_qps, server_cpu, res = timed(conn, lateral, len(qtext))
        n = res[0][0]
        assert n >= 10 * len(qtext) * 0.9, n
        peer.set_ef(max(ef, 10))
        c0 = time.process_time()
        t0 = time.perf_counter()
        pfound = [peer.knn_query(q.reshape(1, -1), k=10, num_threads=1)[0][0] for q in fq]
        peer_qps = len(fq) / (time.perf_counter() - t0)
        peer_cpu = len(fq) / max(1e-9, time.process_time() - c0)
        peer_rec = recall(pfound, data, queries, gt_d[:, 9])
        rows.append((ef, snn_rec, server_qps, peer_rec, peer_qps))
        cpu_txt = f"{server_cpu:>8.0f}" if server_cpu else f"{'?':>8}"
        print(f"{ef:>9} | {snn_rec:>10.4f} {snn_qps:>10.0f} {server_qps:>10.0f} {cpu_txt} | "
              f"{peer_rec:>14.4f} {peer_qps:>11.0f} {peer_cpu:>8.0f} | {server_qps / peer_qps:>14.2f}")

    conn.execute("SET snn.ef_search = 40")
    for mode in ("off", "relaxed_order", "strict_order"):
        conn.execute(f"SET snn.iterative_scan = {mode}")
        t0 = time.perf_counter()
        conn.execute(lateral).fetchone()
        print(f"{'':>9}   snn.iterative_scan = {mode}: server {len(qtext) / (time.perf_counter() - t0):.0f} QPS "
              f"at ef_search 40, LIMIT 10")
    conn.execute("RESET snn.iterative_scan")
    filtered(conn, data, queries, grp, peer, fq, a)

    conn.execute("SET enable_indexscan = off")
    conn.execute("SET enable_seqscan = on")
    nq = min(a.exact_queries, len(qtext))
    t0 = time.perf_counter()
    exact_sql = sql.replace("SELECT id", "SELECT /* exact */ id")
    found = [[r[0] for r in cur.execute(exact_sql, (t,), prepare=False).fetchall()] for t in qtext[:nq]]
    exact_qps = nq / (time.perf_counter() - t0)
    exact_rec = recall(found, data, queries[:nq], gt_d[:nq, 9])
    conn.execute("RESET enable_indexscan")
    print(f"{'exact':>9} | {exact_rec:>10.4f} {exact_qps:>10.1f} {'':>10} | "
          f"(sequential scan + top-10 sort, {nq} queries)")

    # equal recall: hnswlib's best QPS among its settings with at least snn's recall
    print()
    for ef, srec, sqps, _, _ in rows:
        better = [r[4] for r in rows if r[3] >= srec]
        if better:
            print(f"snn ef_search {ef} (recall {srec:.4f}): server {sqps:.0f} QPS; hnswlib at "
                  f"equal or better recall {max(better):.0f} QPS; ratio {sqps / max(better):.2f}")

    # allocation: facts near existing rows; accuracy against the exact nearest
    conn.execute("SET snn.ef_search = 40")
    na = min(a.allocations, len(queries))
    lat = []
    correct = 0
    for i in range(na):
        t0 = time.perf_counter()
        key, dist, created = conn.execute(
            "SELECT * FROM snn_allocate('bench_items', %s::spikes, 1e6, 16)", (qtext[i],)).fetchone()
        lat.append(time.perf_counter() - t0)
        assert not created
        correct += int(round(dist * dist)) == int(gt_d[i, 0])
    lat.sort()
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    # novel facts (uniform random patterns) with a vigilance of the cluster scale
    novel = rng.integers(0, 255, size=(20, a.dim)).astype(np.uint8)
    vig = float(np.sqrt(np.median(gt_d[:, 0]))) * 2
    created = sum(conn.execute("SELECT created FROM snn_allocate('bench_items', %s::spikes, %s, 16)",
                               (spikes_text(r), vig)).fetchone()[0] for r in novel)
    again = sum(conn.execute("SELECT created FROM snn_allocate('bench_items', %s::spikes, %s, 16)",
                             (spikes_text(r), vig)).fetchone()[0] for r in novel)
    print()
    print(f"allocation over {a.rows} columns, k = 16, {na} facts near stored rows:")
    print(f"  accuracy (winner == exact nearest): {correct / na:.4f}")
    print(f"  latency p50 {p50:.3f} ms, p99 {p99:.3f} ms (one SQL call each, client side); "
          f"exact scan per query {1000 / exact_qps:.1f} ms")
    print(f"  novel patterns at vigilance {vig:.1f}: {created}/20 created a column, "
          f"{again}/20 created again on a second presentation")
    conn.execute("DROP TABLE bench_items, bench_q, bench_tiny")


if __name__ == "__main__":
    sys.exit(main())
