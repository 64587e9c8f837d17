#!/usr/bin/python3
"""allocate_bench.py: snn_allocate accuracy and latency beside its peers.

Loads N clustered TTFS patterns of 128 neurons (the data of hnsw_bench.py:
N / 100 clusters) into the running server (PGHOST, PGPORT, PGUSER,
PGDATABASE), builds an snn_hnsw index (m = 16, ef_construction = 64) and
presents 1,000 facts that are stored rows with every spike moved by up to 5
steps (k = 16, vigilance 1e6, so every fact finds a column).  For each
allocation candidate list size (snn.allocate_ef; 'user' = 0, which follows
snn.ef_search = 40, the behaviour before the setting) it prints:

  - accuracy: how often the winner is the exact nearest row (by distance,
    so a tie counts);
  - in candidates: how often the exact nearest row is among the k rows the
    index returned (the same query, the same ef), and WTA picks: how often
    the winner is the nearest of those candidates (the winner-take-all's own
    correctness, which must be 1);
  - latency p50 / p90 / p99 of one SQL call (client side, warm cache; the
    settings interleaved fact by fact so other load falls on all alike);
  - the backend's CPU time of one call, p50 / p99 (from the kernel's
    /proc/PID/schedstat, in ns, when the server runs on this machine): what
    a call costs without the time it waited for a core on a loaded machine.

Peers in the same run: the exact allocation (snn_allocate with the index
disabled: a sequential scan and a top-k sort, on fewer facts), and hnswlib
(float32, same m and ef_construction) knn at the same ef followed by the
same LIF winner-take-all in Python (--no-hnswlib skips it, e.g. at 1M).
With --insert-built the index is created on the empty table first and the
rows go in through the index's inserts (COPY in batches of 10,000 rows), the
way a table that snn_allocate fills column by column gets its graph; the
load line then gives the time of those inserts.
Prints figures; never pass/fail.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hnsw_bench import exact_knn, generate, jittered, spikes_text  # noqa: E402


def wta_winner(dist, vigilance):
    """The winner of snn_wta.c's LIF race over distances (defaults), or -1."""
    tau, thr, dt, t_max, gain, margin = 10.0, 1.0, 0.05, 100.0, 4.0, 0.05
    cur = [0.0 if d > vigilance else thr * (1 + margin) + gain * (1 - d / vigilance)
           for d in dist]
    v = [0.0] * len(cur)
    decay = math.exp(-dt / tau)
    for _ in range(int(math.ceil(t_max / dt))):
        best = -1
        for i, c in enumerate(cur):
            v[i] = c + (v[i] - c) * decay
            if v[i] >= thr and (best < 0 or v[i] > v[best]):
                best = i
        if best >= 0:
            return best
    return -1


def pct(lat):
    """p50, p90, p99 of seconds, in ms."""
    s = sorted(lat)
    return [s[min(len(s) - 1, int(len(s) * q))] * 1000 for q in (0.5, 0.9, 0.99)]


def backend_cpu(conn):
    """A function returning the backend's CPU seconds so far, or None."""
    path = f"/proc/{conn.execute('SELECT pg_backend_pid()').fetchone()[0]}/schedstat"

    def read():
        with open(path) as f:
            return int(f.read().split()[0]) / 1e9
    try:
        read()
    except (OSError, ValueError):
        return None
    return read


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--facts", type=int, default=1000)
    ap.add_argument("--exact-facts", type=int, default=20)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--ef", default="0,40,64,100,160", help="snn.allocate_ef values (0: snn.ef_search)")
    ap.add_argument("--no-hnswlib", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--insert-built", action="store_true",
                    help="CREATE INDEX on the empty table, then load through the index's inserts")
    a = ap.parse_args()
    efs = [int(e) for e in a.ef.split(",")]
    rng = np.random.default_rng(a.seed)
    data = generate(a.rows, a.dim, max(1, a.rows // 100), rng)
    facts = jittered(data[rng.integers(0, a.rows, size=a.facts)], rng)
    gt_ids, gt_d = exact_knn(data, facts, a.k)
    ftext = [spikes_text(f) for f in facts]
    print(f"data: {a.rows} x {a.dim} clustered TTFS patterns, {a.rows // 100} clusters; "
          f"{a.facts} facts (jittered stored rows), k = {a.k}")
    print(f"cpu: {os.cpu_count()} cores (shared with other work: figures are indicative)")

    conn = psycopg.connect(autocommit=True)
    conn.execute("SET maintenance_work_mem = '2GB'")
    conn.execute("DROP TABLE IF EXISTS alloc_items")
    conn.execute(f"CREATE TABLE alloc_items (id bigint PRIMARY KEY, pattern spikes({a.dim}))")
    index_sql = ("CREATE INDEX alloc_idx ON alloc_items USING snn_hnsw (pattern) "
                 "WITH (m = 16, ef_construction = 64)")
    if a.insert_built:
        conn.execute(index_sql)
    t0 = time.perf_counter()
    batch = 10000 if a.insert_built else len(data)
    for start in range(0, len(data), batch):
        with conn.cursor().copy("COPY alloc_items (id, pattern) FROM STDIN") as cp:
            for i in range(start, min(start + batch, len(data))):
                cp.write_row((i, spikes_text(data[i])))
    conn.execute("VACUUM ANALYZE alloc_items")
    load_s = time.perf_counter() - t0
    if a.insert_built:
        print(f"insert-built: index created first, load through the index's inserts {load_s:.1f} s")
    else:
        t0 = time.perf_counter()
        conn.execute(index_sql)
        print(f"load {load_s:.1f} s, snn_hnsw build {time.perf_counter() - t0:.1f} s")
    has_setting = conn.execute(
        "SELECT count(*) FROM pg_settings WHERE name = 'snn.allocate_ef'").fetchone()[0] == 1

    alloc = f"SELECT key, distance FROM snn_allocate('alloc_items', %s::spikes, 1e6, {a.k})"
    cand = f"SELECT pattern <-> %s::spikes FROM alloc_items ORDER BY 1 LIMIT {a.k}"
    lat = {e: [] for e in efs}
    cpu = {e: [] for e in efs}
    cpu_now = backend_cpu(conn)
    acc = {e: 0 for e in efs}
    incand = {e: 0 for e in efs}
    wta_ok = {e: 0 for e in efs}

    def set_ef(e):
        if has_setting:
            conn.execute(f"SET snn.allocate_ef = {e}")
        elif e:
            conn.execute(f"SET snn.ef_search = {e}")
        else:
            conn.execute("RESET snn.ef_search")

    for e in efs:  # warm-up: caches and prepared statements
        set_ef(e)
        for t in ftext[:100]:
            conn.execute(alloc, (t,)).fetchone()
    for i, t in enumerate(ftext):
        best = math.sqrt(gt_d[i, 0])
        for e in efs:
            set_ef(e)
            c0 = cpu_now() if cpu_now else 0.0
            t0 = time.perf_counter()
            key, dist = conn.execute(alloc, (t,)).fetchone()
            lat[e].append(time.perf_counter() - t0)
            if cpu_now:
                cpu[e].append(cpu_now() - c0)
            acc[e] += abs(dist - best) < 1e-9
    # the candidates themselves, at the same candidate list size
    for e in efs:
        conn.execute(f"SET snn.ef_search = {e if e else 40}")
        set_ef(e)
        for i, t in enumerate(ftext):
            d = [r[0] for r in conn.execute(cand, (t,)).fetchall()]
            dist = conn.execute(alloc, (t,)).fetchone()[1]
            incand[e] += abs(min(d) - math.sqrt(gt_d[i, 0])) < 1e-9
            wta_ok[e] += abs(dist - min(d)) < 1e-9
    conn.execute("RESET snn.ef_search")

    print()
    print(f"{'snn_allocate':<26}{'accuracy':>9}{'in cands':>9}{'WTA picks':>10}"
          f"{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'cpu p50':>9}{'cpu p99':>9}")
    for e in efs:
        p = pct(lat[e])
        c = pct(cpu[e]) if cpu[e] else [float('nan')] * 3
        label = f"allocate_ef {e}" if e else "allocate_ef 0 (ef_search 40)"
        print(f"{label:<26}{acc[e] / a.facts:>9.4f}{incand[e] / a.facts:>9.4f}"
              f"{wta_ok[e] / a.facts:>10.4f}{p[0]:>8.3f}{p[1]:>8.3f}{p[2]:>8.3f}"
              f"{c[0]:>9.3f}{c[2]:>9.3f}")

    # peer: the exact allocation (no index), in a new session: snn_allocate
    # keeps its plan for the session, so the setting must precede its first call
    exact_conn = psycopg.connect(autocommit=True)
    exact_conn.execute("SET enable_indexscan = off")
    exact_conn.execute("SET enable_bitmapscan = off")
    ne = min(a.exact_facts, a.facts)
    elat, eacc = [], 0
    for i, t in enumerate(ftext[:ne]):
        t0 = time.perf_counter()
        dist = exact_conn.execute(alloc, (t,)).fetchone()[1]
        elat.append(time.perf_counter() - t0)
        eacc += abs(dist - math.sqrt(gt_d[i, 0])) < 1e-9
    exact_conn.close()
    p = pct(elat)
    print(f"{'exact (seq scan), peer':<26}{eacc / ne:>9.4f}{'':>9}{'':>10}"
          f"{p[0]:>8.3f}{p[1]:>8.3f}{p[2]:>8.3f}   ({ne} facts)")

    if not a.no_hnswlib:
        import hnswlib
        t0 = time.perf_counter()
        peer = hnswlib.Index(space="l2", dim=a.dim)
        peer.init_index(max_elements=a.rows, M=16, ef_construction=64, random_seed=a.seed)
        peer.set_num_threads(1)
        peer.add_items(data.astype(np.float32), np.arange(a.rows), num_threads=1)
        print(f"hnswlib build {time.perf_counter() - t0:.1f} s")
        ff = facts.astype(np.float32)
        for e in efs:
            ef = max(e if e else 40, a.k)
            peer.set_ef(ef)
            plat, pacc = [], 0
            for i, q in enumerate(ff):
                t0 = time.perf_counter()
                _, d2 = peer.knn_query(q.reshape(1, -1), k=a.k, num_threads=1)
                d = np.sqrt(d2[0]).tolist()
                w = wta_winner(d, 1e6)
                plat.append(time.perf_counter() - t0)
                pacc += abs(d[w] - math.sqrt(gt_d[i, 0])) < 1e-3
            p = pct(plat)
            print(f"{'hnswlib + WTA, ef ' + str(ef):<26}{pacc / a.facts:>9.4f}{'':>9}{'':>10}"
                  f"{p[0]:>8.3f}{p[1]:>8.3f}{p[2]:>8.3f}   (Python WTA)")
    conn.execute("DROP TABLE alloc_items")


if __name__ == "__main__":
    sys.exit(main())
