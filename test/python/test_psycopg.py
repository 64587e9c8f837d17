"""snn from psycopg 3 without a cast in any SQL text (run by test/t/110_python.pl).

    python3 test_psycopg.py CONNINFO SRC

CONNINFO: a database with shared_preload_libraries = 'snn' (the extension is
created here); SRC: the top of the source tree (for python/snn_psycopg.py).
Prints one "ok - ..." or "not ok - ..." line a check; exits 1 on a failure.
"""

import json
import sys

import psycopg

sys.path.insert(0, sys.argv[2] + "/python")
import snn_psycopg  # noqa: E402
from snn_psycopg import Network, Spikes, SpikeTrain  # noqa: E402

failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print("ok - " + name)
    else:
        failures += 1
        print("not ok - %s %s" % (name, detail))


def q(cur, sql, *params):
    """Run sql (never with a cast) and return all rows."""
    assert "::" not in sql and "cast(" not in sql.lower(), "a cast in: " + sql
    cur.execute(sql, params)
    return cur.fetchall() if cur.description else None


def one(cur, sql, *params):
    return q(cur, sql, *params)[0][0]


conn = psycopg.connect(sys.argv[1], autocommit=True)
cur = conn.cursor()
q(cur, "CREATE EXTENSION IF NOT EXISTS snn")

# ---- what psycopg sends (checked, not assumed)
sent = q(cur, "SELECT pg_typeof(%s), pg_typeof(%s), pg_typeof(%s), pg_typeof(%s), pg_typeof(%s), pg_typeof(%s)",
         1, 3_000_000_000, [0, 3, None], [1, 40000], [0.5, 1.0], [[0, 1], [1, 0]])[0]
check("psycopg sends int, big int, int lists, float lists, nested lists as "
      "smallint, bigint, smallint[], integer[], double precision[], smallint[]",
      [str(t) for t in sent] == ["smallint", "bigint", "smallint[]", "integer[]",
                                 "double precision[]", "smallint[]"], repr(sent))

# ---- plain Python values, no adapter
ff = json.dumps({"kind": "feedforward", "inputs": 2, "seed": 3,
                 "layers": [{"size": 8}, {"size": 2}]})
xor_x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
xor_y = [0, 1, 1, 0]
opts = json.dumps({"epochs": 300, "patience": 300, "validation_split": 0, "seed": 7})

q(cur, "CREATE TABLE facts (id int PRIMARY KEY, pattern spikes(4))")
cur.executemany("INSERT INTO facts VALUES (%s, %s)",
                [(1, [0, 3, None, 12]), (2, [5, 5, 5, 5]), (3, [200, None, None, 254])])
check("lists of ints (None = silent) go into a spikes column",
      q(cur, "SELECT id, spikes_fired(pattern) FROM facts ORDER BY id") == [(1, 3), (2, 4), (3, 2)])
try:
    q(cur, "INSERT INTO facts VALUES (%s, %s)", 4, [0, 300, 1, 1])
    check("a step over 254 is refused", False)
except psycopg.errors.NumericValueOutOfRange as e:
    check("a step over 254 is refused (22003)", "out of range" in str(e))

net = one(cur, "SELECT snn_create(%s)", ff)
check("an snn value reads as its text form", isinstance(net, str) and net.startswith("{"))
trained = one(cur, "SELECT snn_train(%s, %s, %s, 'backprop', %s)", net, xor_x, xor_y, opts)
preds = [one(cur, "SELECT snn_predict(%s, %s)", trained, x) for x in xor_x]
check("snn_train with float lists and int labels, snn_predict on the text value",
      preds == xor_y, repr(preds))
check("features as a list of ints", one(cur, "SELECT snn_predict(%s, %s)", trained, [0, 1]) == 1)
try:
    q(cur, "SELECT snn_train(%s, %s, %s, 'backprop')", net, xor_x, [0, 1, 1, 3_000_000_000])
    check("a label beyond integer (bigint[]) is refused", False)
except psycopg.errors.NumericValueOutOfRange:
    check("a label beyond integer (bigint[]) is refused (22003)", True)
wta = one(cur, "SELECT snn_create(%s)",
          json.dumps({"kind": "feedforward", "inputs": 4, "layers": [{"size": 2}], "seed": 4}))
stdp = one(cur, "SELECT snn_train(%s, %s, %s, 'stdp', %s)", wta,
           [[1, 1, 0, 0] if i % 2 else [0, 0, 1, 1] for i in range(20)], None, json.dumps({"epochs": 2, "seed": 5}))
check("stdp with labels None", isinstance(stdp, str) and stdp != wta)
check("encoders take lists of ints and of floats",
      one(cur, "SELECT snn_encode_ttfs(%s, %s, %s)", [0, 10, 20], 0, 20) == "[_,127,0]"
      and one(cur, "SELECT snn_encode_ttfs(%s, %s, %s)", [0.0, 10.0, 20.0], 0.0, 20.0) == "[_,127,0]")

# snn_spawn also takes a network type's name as text, which an untyped str
# resolves to: a network as a str is taken for a type name, and the hint
# says to send it as snn (the adapter's Network does, below)
try:
    q(cur, "SELECT snn_spawn(%s)", trained)
    check("snn_spawn of a str network names the cast", False)
except psycopg.errors.UndefinedObject as e:
    check("snn_spawn of a str network names the cast",
          "cast the argument to snn" in (e.diag.message_hint or ""), repr(e.diag.message_hint))

# detectors take float lists
q(cur, "SELECT snn_detector_create(%s, %s)", "py",
  json.dumps({"reservoir": {"neurons": 16}, "scoring": {"warmup": 5}}))
scores = [one(cur, "SELECT snn_anomaly_score(%s, %s)", "py", [float(i % 3)]) for i in range(10)]
check("snn_anomaly_score with a float list", all(isinstance(s, float) for s in scores))

# ---- the adapter
snn_psycopg.register(conn)
cur = conn.cursor()          # cursors copy the adapters when they are made
rows = q(cur, "SELECT pattern FROM facts ORDER BY id")
check("spikes load as Spikes, None for silent",
      rows[0][0] == [0, 3, None, 12] and isinstance(rows[0][0], Spikes), repr(rows))
near = q(cur, "SELECT id FROM facts ORDER BY pattern <-> %s, id LIMIT 1", Spikes([1, 3, None, 12]))
check("a Spikes parameter in a distance query", near == [(1,)], repr(near))
check("spikes functions take Spikes", one(cur, "SELECT spikes_neurons(%s)", Spikes([None, None])) == 2)
train = one(cur, "SELECT spikes_to_spiketrain(pattern) FROM facts WHERE id = 1")
check("spiketrain loads as SpikeTrain",
      train == SpikeTrain(4, 255, [(0, 0), (1, 3), (3, 12)]), repr(train))
check("SpikeTrain as a parameter",
      one(cur, "SELECT spiketrain_to_spikes(%s)", SpikeTrain(2, 9, [(1, 8)])) == [None, 8])
bcur = conn.cursor(binary=True)
check("spikes load from binary results too", one(bcur, "SELECT pattern FROM facts WHERE id = 3")
      == [200, None, None, 254])
image = one(bcur, "SELECT snn_train(snn_create(%s), %s, %s, 'backprop', %s)", ff, xor_x, xor_y, opts)
check("a network loads as Network (bytes) from a binary cursor", isinstance(image, Network))
check("a Network parameter predicts",
      [one(cur, "SELECT snn_predict(%s, %s)", image, x) for x in xor_x] == xor_y)

# the runtime: a network id (a Python int) and a network value are told apart
nid = one(cur, "SELECT snn_spawn(%s)", image)
check("snn_predict on a network id (int)",
      [one(cur, "SELECT snn_predict(%s, %s)", nid, x) for x in xor_x] == xor_y)
check("snn_train on a network id with int labels returns the id",
      one(cur, "SELECT snn_train(%s, %s, %s, 'backprop', %s)", nid, xor_x, xor_y, opts) == nid)
row = q(cur, "SELECT train_epoch, train_epochs FROM pg_stat_snn_networks WHERE id = %s", nid)
check("pg_stat_snn_networks shows the last training's epochs", row == [(300, 300)], repr(row))
q(cur, "SELECT snn_dispose(%s)", nid)
try:
    Spikes([0, 255])
    check("Spikes refuses a step over 254", False)
except ValueError:
    check("Spikes refuses a step over 254", True)

q(cur, "DROP TABLE facts")
q(cur, "SELECT snn_detector_drop(%s)", "py")
conn.close()
print("%d failed" % failures)
sys.exit(1 if failures else 0)
