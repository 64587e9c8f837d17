"""psycopg 3 adapters for the snn PostgreSQL extension.

Standard library and psycopg only.  Without this module plain Python values
already work without casts (lists of ints arrive as smallint[]/int[]/bigint[]
and are assigned to spikes columns, lists of floats as double precision[],
networks read as text go back as untyped values); register() adds Python
types for the values themselves:

    Spikes       a list of int | None, one a neuron: the step of its first
                 spike (0..254) or None for a silent neuron  <->  spikes
    SpikeTrain   neurons, steps and (neuron, step) events  <->  spiketrain
    Network      the binary image of a network (bytes)  <->  snn, read with
                 a binary cursor (conn.cursor(binary=True))

    import psycopg, snn_psycopg
    conn = psycopg.connect(...)
    snn_psycopg.register(conn)
    conn.execute("SELECT id FROM facts ORDER BY pattern <-> %s LIMIT 3",
                 [snn_psycopg.Spikes([0, 3, None, 12])])
"""

import re
import struct

from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

__all__ = ["Spikes", "SpikeTrain", "Network", "register"]

SILENT = 255                # the step byte of a silent neuron
MAX_STEP = 254


class Spikes(list):
    """A time-to-first-spike pattern: per neuron a step 0..254 or None."""

    def __init__(self, steps=()):
        super().__init__(steps)
        for i, t in enumerate(self):
            if t is not None and (not isinstance(t, int) or isinstance(t, bool)
                                  or t < 0 or t > MAX_STEP):
                raise ValueError("spike step %r at neuron %d is not None or an int 0..%d"
                                 % (t, i, MAX_STEP))

    def __repr__(self):
        return "Spikes(%s)" % list.__repr__(self)


class SpikeTrain:
    """Many spikes: neurons, steps and a sorted list of (neuron, step)."""

    __slots__ = ("neurons", "steps", "events")

    def __init__(self, neurons, steps, events=()):
        self.neurons = int(neurons)
        self.steps = int(steps)
        self.events = sorted((int(n), int(t)) for n, t in events)

    def __eq__(self, other):
        return (isinstance(other, SpikeTrain) and self.neurons == other.neurons
                and self.steps == other.steps and self.events == other.events)

    def __repr__(self):
        return "SpikeTrain(%d, %d, %r)" % (self.neurons, self.steps, self.events)


class Network(bytes):
    """The binary image of an snn network (what snn_network_send writes)."""

    def __repr__(self):
        return "Network(%d bytes)" % len(self)


# ---- spikes: text "[0,3,_,12]"

def _spikes_text(obj):
    return ("[" + ",".join("_" if t is None else str(t) for t in obj) + "]").encode()


def _parse_spikes(text):
    body = text.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise ValueError("not a spikes value: %r" % text)
    body = body[1:-1].strip()
    if not body:
        return Spikes()
    return Spikes(None if p.strip() == "_" else int(p) for p in body.split(","))


# ---- spiketrain: text "{neurons:4,steps:20,events:[1@0,3@0,0@7]}"

_TRAIN = re.compile(r"^\{\s*neurons\s*:\s*(\d+)\s*,\s*steps\s*:\s*(\d+)\s*,\s*events\s*:\s*\[(.*)\]\s*\}$",
                    re.S)


def _spiketrain_text(obj):
    ev = ",".join("%d@%d" % e for e in obj.events)
    return ("{neurons:%d,steps:%d,events:[%s]}" % (obj.neurons, obj.steps, ev)).encode()


def _parse_spiketrain(text):
    m = _TRAIN.match(text.strip())
    if not m:
        raise ValueError("not a spiketrain value: %r" % text)
    events = []
    for part in m.group(3).split(","):
        if part.strip():
            n, t = part.split("@")
            events.append((int(n), int(t)))
    return SpikeTrain(int(m.group(1)), int(m.group(2)), events)


def register(context):
    """Register the snn types on a connection or cursor (after CREATE EXTENSION snn)."""
    conn = getattr(context, "connection", context)
    infos = {}
    for name in ("spikes", "spiketrain", "snn"):
        info = TypeInfo.fetch(conn, name)
        if info is None:
            raise LookupError("type %s not found: is the snn extension installed?" % name)
        info.register(context)
        infos[name] = info
    spikes_oid = infos["spikes"].oid
    train_oid = infos["spiketrain"].oid
    snn_oid = infos["snn"].oid

    class SpikesDumper(Dumper):
        oid = spikes_oid

        def dump(self, obj):
            return _spikes_text(obj)

    class SpikesLoader(Loader):
        def load(self, data):
            return _parse_spikes(bytes(data).decode())

    class SpikesBinaryLoader(Loader):
        format = Format.BINARY

        def load(self, data):
            data = bytes(data)
            version, n = struct.unpack("!BH", data[:3])
            if version != 1 or len(data) != 3 + n:
                raise ValueError("unknown binary spikes (version %d)" % version)
            return Spikes(None if b == SILENT else b for b in data[3:])

    class SpikeTrainDumper(Dumper):
        oid = train_oid

        def dump(self, obj):
            return _spiketrain_text(obj)

    class SpikeTrainLoader(Loader):
        def load(self, data):
            return _parse_spiketrain(bytes(data).decode())

    class NetworkBinaryDumper(Dumper):
        format = Format.BINARY
        oid = snn_oid

        def dump(self, obj):
            return bytes(obj)

    class NetworkBinaryLoader(Loader):
        format = Format.BINARY

        def load(self, data):
            return Network(bytes(data))

    adapters = context.adapters
    adapters.register_dumper(Spikes, SpikesDumper)
    adapters.register_loader(spikes_oid, SpikesLoader)
    adapters.register_loader(spikes_oid, SpikesBinaryLoader)
    adapters.register_dumper(SpikeTrain, SpikeTrainDumper)
    adapters.register_loader(train_oid, SpikeTrainLoader)
    adapters.register_dumper(Network, NetworkBinaryDumper)
    adapters.register_loader(snn_oid, NetworkBinaryLoader)
    return infos
