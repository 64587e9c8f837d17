#!/usr/bin/python3
"""Brian2 C++ standalone side of the network benchmark (test/bench/cuba_bench.sh).

usage: brian2_bench.py cuba [repeats]
       brian2_bench.py reservoir INPUT.csv [repeats]

Prints one JSON line: loop_ms (the best of `repeats` runs of the compiled
binary; each is Brian2's own timing of Network::run, results/last_run_info.txt,
which excludes compilation, initialisation and writing results), spikes,
synaptic_events (sum over spikes of the source's out-degree, like snn's
counter) and the compile time.  Same models and parameters as the snn side:

cuba:      Brian2's CUBA example (Vogels & Abbott 2005 benchmark): 4000 LIF,
           3200 excitatory, p = 0.02, we = 1.62 mV, wi = -9 mV, taum 20 ms,
           taue 5 ms, taui 10 ms, Vt -50, Vr -60, El -49 mV, refractory 5 ms,
           dt 0.1 ms, 1 s, exact integration, SpikeMonitor on.
reservoir: 1000 LIF, 800 excitatory, p = 0.1 (no autapses), we 0.5 mV,
           wi -2.5 mV, El = Vr = -65, Vt -50, refractory 2 ms, driven by the
           same 200 Poisson trains as snn (read from INPUT.csv: step,neuron),
           input p = 0.1, input weights uniform in [0, 8) mV, dt 0.1 ms, 1 s.
"""
import json
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np
from brian2 import (Network, NeuronGroup, Synapses, SpikeMonitor, SpikeGeneratorGroup,
                    set_device, device, defaultclock, run, ms, mV, second, prefs,
                    seed as brian_seed)
import brian2

brian2.BrianLogger.suppress_hierarchy('brian2')


def cuba():
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = NeuronGroup(4000, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                    method='exact')
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0 * mV
    P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV
    wi = (-20 * 4.5 / 10) * mV
    Ce = Synapses(P, P, on_pre='ge += we')
    Ci = Synapses(P, P, on_pre='gi += wi')
    Ce.connect('i<3200', p=0.02)
    Ci.connect('i>=3200', p=0.02)
    mon = SpikeMonitor(P)
    return P, [Ce, Ci], mon, {'El': El, 'Vt': Vt, 'Vr': Vr, 'taum': taum,
                              'taue': taue, 'taui': taui, 'we': we, 'wi': wi}


def reservoir(path):
    ev = np.loadtxt(path, delimiter=',', dtype=np.int64, ndmin=2)
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -65 * mV, -65 * mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = NeuronGroup(1000, eqs, threshold='v>Vt', reset='v = Vr', refractory=2 * ms,
                    method='exact')
    P.v = El
    G = SpikeGeneratorGroup(200, ev[:, 1], ev[:, 0] * 0.1 * ms)
    Sin = Synapses(G, P, 'w : volt', on_pre='ge += w')
    Sin.connect(p=0.1)
    Sin.w = 'rand() * 8 * mV'
    Ce = Synapses(P, P, on_pre='ge += 0.5*mV')
    Ci = Synapses(P, P, on_pre='gi += -2.5*mV')
    Ce.connect('i<800 and i != j', p=0.1)
    Ci.connect('i>=800 and i != j', p=0.1)
    mon = SpikeMonitor(P)
    gmon = SpikeMonitor(G)
    return P, [Sin, Ce, Ci], mon, {'El': El, 'Vt': Vt, 'Vr': Vr, 'taum': taum,
                                   'taue': taue, 'taui': taui}, gmon


def main():
    model = sys.argv[1]
    repeats = int(sys.argv[3 if model == 'reservoir' else 2]) if len(sys.argv) > (3 if model == 'reservoir' else 2) else 3
    outdir = tempfile.mkdtemp(prefix='snn-brian2-')
    set_device('cpp_standalone', directory=outdir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0
    defaultclock.dt = 0.1 * ms
    brian_seed(1)
    extra = None
    if model == 'cuba':
        P, syns, mon, ns = cuba()
    else:
        P, syns, mon, ns, extra = reservoir(sys.argv[2])
    # an explicit Network: objects inside lists are invisible to the magic run()
    net = Network(P, mon, *syns)
    if extra is not None:
        net.add(extra.source, extra)
    net.run(1 * second, namespace=ns)
    t0 = time.time()
    device.build(directory=outdir, compile=True, run=True, with_output=False)
    compile_s = time.time() - t0
    times = [device._last_run_time]
    for _ in range(repeats - 1):
        device.run(outdir, False, [])
        times.append(device._last_run_time)
    spikes = np.asarray(mon.i[:])
    syn_events = 0
    for S in syns:
        src = np.asarray(S.i[:])
        deg = np.bincount(src, minlength=S.source.N)
        if S.source is P:
            syn_events += int(deg[spikes].sum())
        else:
            syn_events += int(deg[np.asarray(extra.i[:])].sum())
    print(json.dumps({'loop_ms': min(times) * 1000.0, 'runs_ms': [t * 1000.0 for t in times],
                      'spikes': int(len(spikes)), 'synaptic_events': syn_events,
                      'synapses': int(sum(len(S) for S in syns)),
                      'build_and_first_run_s': compile_s}))


if __name__ == '__main__':
    main()
