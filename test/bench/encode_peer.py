"""encode_peer.py: the same encoders written with NumPy (vectorised), and
Brian2's PoissonGroup, as peers of test/bench/encode_bench.c.
    usage: encode_peer.py NEURONS STEPS REPEATS
Same inputs (values i / n), same formulas, events in (step, neuron) order."""
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
v = np.arange(n) / n


def timed(fn, k):
    fn()
    t0 = time.perf_counter()
    for _ in range(k):
        out = fn()
    return (time.perf_counter() - t0) / k, out


def ttfs():
    t = np.floor((1.0 - v) * 254 + 0.5)
    return np.where(v <= 0, 255, np.where(v >= 1, 0, t)).astype(np.uint8)


dt, pat = timed(ttfs, reps * 100)
print(f"ttfs      {n} values             {dt:.6f} s  {n / dt / 1e6:8.1f} M values/s")


def rate():
    r = np.floor(v * 0.5 * steps + 0.5).astype(np.int64)
    neuron = np.repeat(np.arange(n), r)
    j = np.arange(r.sum()) - np.repeat(np.cumsum(r) - r, r)
    step = (2 * j + 1) * steps // (2 * np.repeat(r, r))
    order = np.lexsort((neuron, step))
    return step[order], neuron[order]


dt, (s, _) = timed(rate, reps)
print(f"rate      {n} x {steps} -> {len(s)} events  {dt:.6f} s  {len(s) / dt / 1e6:8.1f} M events/s")

rng = np.random.default_rng(42)


def poisson():
    fire = rng.random((steps, n)) < v * 0.5
    return np.nonzero(fire)  # row-major: (step, neuron) order


dt, (s, _) = timed(poisson, reps)
print(f"poisson   {n} x {steps} -> {len(s)} events  {dt:.6f} s  {len(s) / dt / 1e6:8.1f} M events/s"
      f"  {n * steps / dt / 1e6:8.1f} M draws/s")

try:
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.log_level_error()

    def brian():
        b2.start_scope()
        g = b2.PoissonGroup(n, rates=v * 0.5 / b2.defaultclock.dt)
        m = b2.SpikeMonitor(g)
        b2.run(steps * b2.defaultclock.dt)
        return m.num_spikes

    dt, ns = timed(brian, max(1, reps // 5))
    print(f"brian2    {n} x {steps} -> {ns} events  {dt:.6f} s  {ns / dt / 1e6:8.1f} M events/s"
          f"  (PoissonGroup + SpikeMonitor, numpy target)")
except ImportError:
    print("brian2    not installed")
