#!/usr/bin/python3
"""Reference network for test/t/050_network_brian2.pl, simulated by Brian2.

A feed-forward network (50 Poisson inputs -> 40 LIF -> 10 LIF, dense random
weights of both signs, current-based synapses with exponential decay, 2 ms
refractory period, dt 0.1 ms, 500 ms) run with Brian2's runtime (numpy)
target and exact integration.  Prints one JSON object: "config" (for
snn_create), "input" (spiketrain text) and "counts" (Brian2's spikes per
neuron, hidden then output).  Exit status 3 when Brian2 is not importable.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
try:
    import numpy as np
    import brian2
    from brian2 import (Network, NeuronGroup, Synapses, SpikeGeneratorGroup, SpikeMonitor,
                        defaultclock, prefs, ms, mV)
except Exception as e:  # noqa: BLE001
    print(f"brian2 not importable: {e}")
    sys.exit(3)

brian2.BrianLogger.suppress_hierarchy('brian2')
prefs.codegen.target = 'numpy'
DT, STEPS, N_IN, N_H, N_OUT = 0.1, 5000, 50, 40, 10
rng = np.random.default_rng(2024)
# inputs: 50 Hz Poisson (Bernoulli per step), as (step, neuron) events
fire = rng.random((STEPS, N_IN)) < 50.0 * DT / 1000.0
steps, neurons = np.nonzero(fire)
w_h = rng.uniform(-4.0, 8.0, (N_IN, N_H)).astype(np.float32)
w_o = rng.uniform(-3.0, 9.0, (N_H, N_OUT)).astype(np.float32)

neuron = {"model": "lif", "tau_m": 20, "v_rest": -65, "v_reset": -65, "v_th": -50,
          "t_ref": 2, "tau_syn_exc": 5, "tau_syn_inh": 10}
config = {"kind": "feedforward", "inputs": N_IN, "dt": DT, "neuron": neuron,
          "layers": [{"size": N_H, "weights": w_h.tolist()},
                     {"size": N_OUT, "weights": w_o.tolist()}]}

defaultclock.dt = DT * ms
eqs = '''
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
'''
ns = {'El': -65 * mV, 'Vt': -50 * mV, 'Vr': -65 * mV, 'taum': 20 * ms, 'taue': 5 * ms,
      'taui': 10 * ms}
G = SpikeGeneratorGroup(N_IN, neurons, steps * DT * ms)
H = NeuronGroup(N_H, eqs, threshold='v>Vt', reset='v = Vr', refractory=2 * ms,
                method='exact', namespace=ns)
O = NeuronGroup(N_OUT, eqs, threshold='v>Vt', reset='v = Vr', refractory=2 * ms,
                method='exact', namespace=ns)
H.v = -65 * mV
O.v = -65 * mV
objs = [G, H, O]
for src, dst, w in ((G, H, w_h), (H, O, w_o)):
    for sign, var in ((1, 'ge'), (-1, 'gi')):
        S = Synapses(src, dst, 'w : volt', on_pre=f'{var} += w')
        i, j = np.nonzero(w * sign > 0)
        S.connect(i=i, j=j)
        S.w = w[i, j].astype(np.float64) * mV
        objs.append(S)
mh, mo = SpikeMonitor(H), SpikeMonitor(O)
net = Network(*objs, mh, mo)
net.run(STEPS * DT * ms)

events = ",".join(f"{n}@{s}" for s, n in zip(steps.tolist(), neurons.tolist()))
print(json.dumps({"config": config,
                  "input": f"{{neurons:{N_IN},steps:{STEPS},events:[{events}]}}",
                  "counts": [int(c) for c in mh.count[:]] + [int(c) for c in mo.count[:]]}))
