"""snn from Python (psycopg 3), without a cast in any SQL text.

    python3 python/example.py "dbname=test"

The database needs CREATE EXTENSION snn (run here if missing) and, for the
runtime part, shared_preload_libraries = 'snn'.
"""

import json
import os
import sys

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snn_psycopg  # noqa: E402
from snn_psycopg import Spikes  # noqa: E402

conn = psycopg.connect(sys.argv[1] if len(sys.argv) > 1 else "", autocommit=True)
conn.execute("CREATE EXTENSION IF NOT EXISTS snn")
snn_psycopg.register(conn)

# patterns: a list of steps, None for a silent neuron
conn.execute("CREATE TEMP TABLE facts (id int PRIMARY KEY, pattern spikes(4))")
with conn.cursor() as cur:
    cur.executemany("INSERT INTO facts VALUES (%s, %s)",
                    [(i, [i % 7, i % 11, None if i % 5 == 0 else i % 13, i % 17])
                     for i in range(1, 201)])
rows = conn.execute("SELECT id, pattern, pattern <-> %s AS d FROM facts ORDER BY d, id LIMIT 3",
                    [Spikes([3, 4, 5, 6])]).fetchall()
for fact_id, pattern, distance in rows:
    print("fact %d %r at %.2f" % (fact_id, pattern, distance))

# a network: float lists in, int labels, the network value passed back as is
config = json.dumps({"kind": "feedforward", "inputs": 2, "seed": 3,
                     "layers": [{"size": 8}, {"size": 2}]})
x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
y = [0, 1, 1, 0]
net = conn.execute("SELECT snn_train(snn_create(%s), %s, %s, 'backprop', %s)",
                   [config, x, y, json.dumps({"epochs": 300, "seed": 7, "validation_split": 0})]
                   ).fetchone()[0]
print("xor:", [conn.execute("SELECT snn_predict(%s, %s)", [net, s]).fetchone()[0] for s in x])

# the runtime (needs shared_preload_libraries = 'snn'): an id is a Python int
try:
    nid = conn.execute("SELECT snn_spawn(%s::snn)", [net]).fetchone()[0]   # a str: else a type name
    print("live network", nid, "predicts", conn.execute("SELECT snn_predict(%s, %s)", [nid, [1.0, 0.0]]).fetchone()[0])
    conn.execute("SELECT snn_dispose(%s)", [nid])
except psycopg.errors.ObjectNotInPrerequisiteState as e:
    print("runtime skipped:", e)
