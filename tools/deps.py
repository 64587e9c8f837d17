#!/usr/bin/env python3
"""The dependency picture of src/ and its check (python3, standard library).

Reads every #include "..." of src/**/*.c and *.h, resolves it the way the
build does (the including file's folder, then each folder of SRC_DIRS and
src/engine; anything else is PostgreSQL's or the C library's), and maps each
file to its folder: src/ itself is "core" (the entry point), src/shared is
"shared", src/engine is "engine", the others by their name.

  tools/deps.py            print the folder picture and the edge list
  tools/deps.py --check    exit 1 on a cycle between folders, a cycle between
                           files (a .c and its .h count as one unit), an
                           engine file that includes anything but the engine
                           and the C library, or a picture in
                           doc/development.md that differs from the code's
  tools/deps.py --write    put the picture into doc/development.md
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "doc", "development.md")
BEGIN = "<!-- deps.py: begin (tools/deps.py --write) -->"
END = "<!-- deps.py: end -->"

# the system headers the engine may use: C11, libm, SIMDe and intrinsics
ENGINE_SYSTEM = re.compile(
    r"^(assert|ctype|errno|float|inttypes|limits|math|stdarg|stdbool|stddef|"
    r"stdint|stdio|stdlib|string|time|[a-z]*intrin)\.h$|^simde/")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)


def folder_of(rel):
    """The folder (node of the picture) of a path relative to src/."""
    parts = rel.split("/")
    if len(parts) == 1:
        return "core"
    return parts[0]


def include_dirs():
    """SRC_DIRS of the Makefile, then src/engine: the build's -I order."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        m = re.search(r"^SRC_DIRS\s*=\s*(.*)$", f.read(), re.M)
    dirs = m.group(1).split() if m else ["src"]
    return [os.path.join(ROOT, d) for d in dirs] + [os.path.join(ROOT, "src", "engine")]


def read_sources():
    """{path relative to src/: [(kind, included name)]} of every .c and .h."""
    src = os.path.join(ROOT, "src")
    files = {}
    for dirpath, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                p = os.path.join(dirpath, n)
                with open(p, errors="replace") as f:
                    files[os.path.relpath(p, src)] = INCLUDE.findall(f.read())
    return files


def resolve(rel, name, dirs, files):
    """The file (relative to src/) a quoted include names, or None."""
    src = os.path.join(ROOT, "src")
    for d in [os.path.join(src, os.path.dirname(rel))] + dirs:
        cand = os.path.relpath(os.path.normpath(os.path.join(d, name)), src)
        if cand in files:
            return cand
    return None


def graphs(files):
    """File edges, folder edges and the engine's forbidden includes."""
    dirs = include_dirs()
    file_edges = {f: set() for f in files}
    folder_edges = {}
    engine_bad = []
    for rel, incs in sorted(files.items()):
        fo = folder_of(rel)
        folder_edges.setdefault(fo, set())
        for kind, name in incs:
            target = resolve(rel, name, dirs, files) if kind == '"' else None
            if fo == "engine":
                if kind == '"' and (target is None or folder_of(target) != "engine"):
                    engine_bad.append("%s includes \"%s\"" % (rel, name))
                elif kind == "<" and not ENGINE_SYSTEM.search(name):
                    engine_bad.append("%s includes <%s>" % (rel, name))
            if target is None or target == rel:
                continue
            file_edges[rel].add(target)
            if folder_of(target) != fo:
                folder_edges[fo].add(folder_of(target))
    return file_edges, folder_edges, engine_bad


def cycles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def unit_edges(file_edges):
    """The file graph with each .c and its .h as one unit."""
    unit = lambda f: os.path.splitext(f)[0]
    edges = {}
    for f, ts in file_edges.items():
        edges.setdefault(unit(f), set())
        for t in ts:
            if unit(t) != unit(f):
                edges[unit(f)].add(unit(t))
    return edges


def layers(edges):
    """Each node's layer: 0 for the top, else one below its lowest user."""
    layer = {}

    def depth(v, seen=()):
        if v in layer:
            return layer[v]
        users = [u for u in edges if v in edges[u] and u not in seen]
        layer[v] = 1 + max((depth(u, seen + (v,)) for u in users), default=-1)
        return layer[v]

    for v in edges:
        depth(v)
    return layer


LABEL = {"core": "src/", "engine": "src/engine/", "shared": "src/shared/"}


def picture(edges):
    """Folders as boxes, one a row by layer; each user's arrows run down a lane."""
    layer = layers(edges)
    order = sorted(edges, key=lambda v: (layer[v], v))
    row = {v: i for i, v in enumerate(order)}
    names = {v: "%-8s %s" % (v, LABEL.get(v, "src/%s/" % v)) for v in order}
    width = max(len(n) for n in names.values()) + 4
    users = [v for v in order if edges[v]]
    # the topmost user gets the outermost lane, so lanes rarely cross
    lane = {v: width + 3 + 3 * (len(users) - 1 - i) for i, v in enumerate(users)}
    cols = width + 3 + 3 * len(users)
    grid = [[" "] * cols for _ in range(4 * len(order))]

    def put(y, x, ch):
        cur = grid[y][x]
        if ch == "-" and cur == "|":
            return                      # a crossing keeps the lane
        grid[y][x] = ch

    for v in order:
        y = 4 * row[v]
        bar = "+" + "-" * (width - 2) + "+"
        for x, ch in enumerate(bar):
            grid[y][x] = ch
            grid[y + 2][x] = ch
        for x, ch in enumerate("| " + names[v].ljust(width - 4) + " |"):
            grid[y + 1][x] = ch
    for v in users:
        x = lane[v]
        y0 = 4 * row[v] + 2
        y1 = max(4 * row[t] + 1 for t in edges[v])
        for y in range(y0 + 1, y1 + 1):
            put(y, x, "|")
        for xx in range(width, x):
            put(y0, xx, "-")
        grid[y0][x] = "+"
        for t in edges[v]:
            yt = 4 * row[t] + 1
            grid[yt][width] = "<"
            for xx in range(width + 1, x):
                put(yt, xx, "-")
            grid[yt][x] = "+"
    lines = ["".join(r).rstrip() for r in grid]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def edge_list(edges):
    """One line a folder: what it uses (its arrows), in picture order."""
    layer = layers(edges)
    order = sorted(edges, key=lambda v: (layer[v], v))
    out = []
    for v in order:
        ts = sorted(edges[v], key=lambda t: (layer[t], t))
        out.append("%-8s uses %s" % (v, ", ".join(ts) if ts else "nothing"))
    return out


def render(edges):
    return (["```"] + picture(edges) + [""] + edge_list(edges) + ["```"])


def doc_block():
    """The lines between the markers in doc/development.md, or None."""
    with open(DOC) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        return None, text
    inner = text.split(BEGIN, 1)[1].split(END, 1)[0]
    return inner.strip("\n").split("\n"), text


def declared_edges(lines):
    """The edges the doc's list declares: {folder: {folders}}."""
    out = {}
    for ln in lines or []:
        m = re.match(r"^(\w+)\s+uses\s+(.*)$", ln)
        if m:
            ts = [] if m.group(2).strip() == "nothing" else m.group(2).split(",")
            out[m.group(1)] = {t.strip() for t in ts if t.strip()}
    return out


def main(argv):
    files = read_sources()
    file_edges, edges, engine_bad = graphs(files)
    fcycles = cycles(edges)
    ucycles = cycles(unit_edges(file_edges))
    if "--write" in argv:
        block, text = doc_block()
        if block is None:
            print("deps.py: no %s ... %s in %s" % (BEGIN, END, DOC), file=sys.stderr)
            return 1
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(DOC, "w") as f:
            f.write(head + BEGIN + "\n" + "\n".join(render(edges)) + "\n" + END + tail)
        return 0
    if "--check" not in argv:
        print("\n".join(render(edges)[1:-1]))
        for c in fcycles:
            print("cycle between folders: " + " <-> ".join(c))
        return 0
    bad = []
    for c in fcycles:
        bad.append("cycle between folders: " + " <-> ".join(c))
    for c in ucycles:
        bad.append("cycle between files: " + " <-> ".join(c))
    if edges.get("engine"):
        bad.append("engine uses " + ", ".join(sorted(edges["engine"])))
    bad.extend("engine: " + b for b in engine_bad)
    block, _ = doc_block()
    if block is None:
        bad.append("doc/development.md has no dependency picture")
    else:
        declared = declared_edges(block)
        for v in sorted(edges):
            for t in sorted(edges[v] - declared.get(v, set())):
                bad.append("%s uses %s, which doc/development.md does not declare" % (v, t))
            for t in sorted(declared.get(v, set()) - edges[v]):
                bad.append("doc/development.md declares %s uses %s, which it does not" % (v, t))
        for v in sorted(set(declared) - set(edges)):
            bad.append("doc/development.md names a folder %s that src/ does not have" % v)
        if block != render(edges):
            bad.append("the picture in doc/development.md is not the code's (tools/deps.py --write)")
    for b in bad:
        print("deps.py: " + b, file=sys.stderr)
    if not bad:
        print("deps.py: %d folders, %d files, no cycles, the picture matches" %
              (len(edges), len(files)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
