#!/usr/bin/python3
"""snn side of the network benchmark, with Brian2 C++ standalone beside it.

Called by test/bench/cuba_bench.sh inside a throwaway cluster (PGHOST etc.
set).  For each model it builds the network once (snn_create, not timed),
then runs snn_simulate_stats REPEATS times and keeps the best loop time
(the engine's step loop, timed inside the function, so planning, detoasting
the network, the state allocation and building the output value are not
counted; the spikes are collected into the output array as they happen,
like Brian2's SpikeMonitor).  Brian2 runs the same model in C++ standalone
mode (brian2_bench.py) and reports its own Network::run time.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, 'out')
os.makedirs(OUT, exist_ok=True)

CUBA = {"kind": "reservoir", "size": 4000, "connectivity": 0.02, "exc_ratio": 0.8,
        "weight_exc": 1.62, "weight_inh": -9, "dt": 0.1, "seed": 1,
        "neuron": {"model": "lif", "tau_m": 20, "v_rest": -49, "v_reset": -60, "v_th": -50,
                   "t_ref": 5, "tau_syn_exc": 5, "tau_syn_inh": 10,
                   "v_init_min": -60, "v_init_max": -50}}
RESERVOIR = {"kind": "reservoir", "inputs": 200, "size": 1000, "connectivity": 0.1,
             "exc_ratio": 0.8, "weight_exc": 0.5, "weight_inh": -2.5,
             "input_scaling": 8, "input_connectivity": 0.1, "dt": 0.1, "seed": 2,
             "neuron": {"model": "lif", "tau_m": 20, "v_rest": -65, "v_reset": -65,
                        "v_th": -50, "t_ref": 2, "tau_syn_exc": 5, "tau_syn_inh": 10}}
# delivery throughput: 100 inputs -> 1000 neurons, dense (100,000 synapses,
# 800 kB: fits in L2), every input fires every step, weights too small to
# make the neurons fire: the loop is almost only synaptic delivery.
DELIVERY = {"kind": "feedforward", "inputs": 100, "dt": 0.1, "seed": 3,
            "layers": [{"size": 1000, "weight_min": 0, "weight_max": 0.001}]}


def psql(sql, *args):
    return subprocess.run(['psql', '-X', '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', sql, *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def snn_runs(name, input_sql, steps):
    best = None
    for _ in range(REPEATS):
        st = json.loads(psql(f"SELECT snn_simulate_stats(net, {input_sql}, {steps}, 1) "
                             f"FROM bench_nets WHERE name = '{name}'"))
        if best is None or st['loop_ms'] < best['loop_ms']:
            best = st
    return best


def brian2(*args):
    r = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'brian2_bench.py'), *args],
                       capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith('{')]
    if r.returncode != 0 or not lines:
        sys.stderr.write(r.stdout[-2000:] + r.stderr[-2000:])
        return None
    return json.loads(lines[-1])


def row(label, s, b):
    eps = s['synaptic_events'] / (s['loop_ms'] / 1000.0)
    line = (f"{label:<10} snn: {s['loop_ms']:9.2f} ms  {s['spikes']:7d} spikes  "
            f"{s['synaptic_events']:10d} syn.events  {eps:10.3g} ev/s")
    if b:
        beps = b['synaptic_events'] / (b['loop_ms'] / 1000.0)
        line += (f"\n{'':<10} brian2: {b['loop_ms']:6.2f} ms  {b['spikes']:7d} spikes  "
                 f"{b['synaptic_events']:10d} syn.events  {beps:10.3g} ev/s"
                 f"\n{'':<10} ratio snn/brian2 loop time: {s['loop_ms'] / b['loop_ms']:.3f}"
                 f"   ({b['loop_ms'] / s['loop_ms']:.2f}x faster)")
    else:
        line += "\n           brian2: not available (python3-brian missing or build failed)"
    print(line, flush=True)


def main():
    psql("DROP TABLE IF EXISTS bench_nets; CREATE TABLE bench_nets (name text, net snn)")
    for name, cfg in (('cuba', CUBA), ('reservoir', RESERVOIR), ('delivery', DELIVERY)):
        psql(f"INSERT INTO bench_nets SELECT '{name}', snn_create('{json.dumps(cfg)}')")
    psql("DROP TABLE IF EXISTS bench_input; CREATE TABLE bench_input AS SELECT "
         "snn_encode_poisson(array_fill(1.0::float8, ARRAY[200]), 0, 1, 10000, 0.005, 42) AS train")
    csv = os.path.join(OUT, 'reservoir_input.csv')
    with open(csv, 'w') as f:
        f.write(psql("COPY (SELECT step, neuron FROM bench_input, spiketrain_unnest(train)) "
                     "TO STDOUT WITH (FORMAT csv)") + "\n")
    ver = subprocess.run(['/usr/bin/python3', '-c', 'import brian2; print(brian2.__version__)'],
                         capture_output=True, text=True).stdout.strip() or '?'
    print(f"snn_simulate best of {REPEATS}, Brian2 {ver} C++ standalone best of {REPEATS};"
          " loop times only", flush=True)

    s = snn_runs('cuba', 'NULL', 10000)
    b = brian2('cuba', str(REPEATS))
    row('CUBA', s, b)

    s = snn_runs('reservoir', '(SELECT train FROM bench_input)', 10000)
    b = brian2('reservoir', csv, str(REPEATS))
    row('reservoir', s, b)

    s = snn_runs('delivery', "(SELECT spiketrain(100, 2000, array_agg(t), array_agg(n)) FROM "
                 "generate_series(0, 1999) t, generate_series(0, 99) n)", 2000)
    print(
        f"delivery   snn: {s['loop_ms']:9.2f} ms  {s['synaptic_events']} syn.events "
        f"(100x1000 dense, L2-resident)  {s['synaptic_events'] / (s['loop_ms'] / 1000.0):10.3g} ev/s", flush=True)

    svg = psql("SELECT spiketrain_raster_svg(snn_simulate(net, NULL, 10000, 1), 1200, 700, "
               "'CUBA: 4000 LIF, 1 s (10000 steps of 0.1 ms), snn_simulate') FROM bench_nets WHERE name = 'cuba'")
    path = os.path.join(OUT, 'cuba_raster.svg')
    with open(path, 'w') as f:
        f.write(svg + "\n")
    print(f"raster: {path} ({len(svg)} bytes)")


if __name__ == '__main__':
    main()
