#!/usr/bin/env python3
"""Leave-one-category-out NAB scores for a grid of detector configurations.

For every held-out category C of the development subset and every NAB
profile: the configuration (by its mean over the seeds) and, per seed, the
threshold are chosen on the other categories' files only (NAB's threshold
sweep, maximising the raw score there), then C's files are scored at that
threshold.  The held-out raw scores of the four categories add up to one
corpus raw score, normalised as NAB does (null = every window missed,
perfect = every window found).  Beside it: the in-sample figure (the same
choice made on all 24 files, NAB's own protocol) and each configuration's
plain NAB score and threshold-only held-out score.

Standard library only; the scoring functions are those of NAB's score.py.
"""
import argparse
import importlib.util
import os
import statistics
import sys

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def load_scorer(nab):
    spec = importlib.util.spec_from_file_location("nab_score", os.path.join(nab, "score.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def category(rel):
    return rel.split("/")[0]


class Run(object):
    """The scorable points of one (configuration, seed), split by category."""

    def __init__(self, sc, corpus, results_dir):
        pts, sw = sc.load_points(corpus, results_dir)
        self.by_cat = {}
        for p in pts:
            self.by_cat.setdefault(category(p[4]), []).append(p)
        self.sw = sw
        # a window belongs to the category of its file
        self.sw_cat = {}
        for p in pts:
            if p[3] is not None:
                self.sw_cat.setdefault(category(p[4]), set()).add(p[3])

    def points(self, cats):
        out = []
        for c in cats:
            out.extend(self.by_cat.get(c, []))
        out.sort(key=lambda p: p[0], reverse=True)
        return out

    def windows(self, cats):
        out = set()
        for c in cats:
            out |= self.sw_cat.get(c, set())
        return out


def best_threshold(sc, run, cats, cm):
    """NAB's sweep on the files of cats: (threshold, raw), highest threshold
    among equal raw scores, as score.py does."""
    res = sc.sweep(run.points(cats), run.windows(cats), cm)
    raw = max(r[1] for r in res)
    for r in res:
        if r[1] == raw:
            return r[0], raw
    raise AssertionError("empty sweep")


def raw_at(sc, run, cats, cm, thr):
    return sc.score_at(run.points(cats), run.windows(cats), cm, thr)[1]


def normalise(raw, cm, n_scorable, n_windows):
    null = -cm["fnWeight"] * n_scorable
    perfect = cm["tpWeight"] * n_windows
    return 100.0 * (raw - null) / (perfect - null)


def alarm_threshold(out, name, seed):
    """The alarm stage's threshold of a run (nab_offline's alarm_threshold)."""
    with open(os.path.join(out, name, "s" + seed, "alarm_threshold")) as f:
        return float(f.read())


def alarm_protocol(sc, corpus, runs, cats, seeds, names, profiles, n_scorable, out):
    """The detector's own alarms scored: the rows at or over the alarm
    stage's threshold are the detections (no threshold sweep; the threshold
    is a setting of the configuration, so it is chosen, held out, with it).
    The alarm stage's refractory period is tied to that threshold, which is
    why a swept threshold just above or below it does worse."""
    thr = {(n, s): alarm_threshold(out, n, s) for n in names for s in seeds}
    print("\nthe detector's own alarms (NAB threshold = the configuration's alarm threshold)")
    res = {}
    for prof in PROFILES:
        cm = profiles[prof]["CostMatrix"]
        mean_raw = {}
        for n in names:
            for c in cats:
                mean_raw[(n, c)] = statistics.mean(
                    raw_at(sc, runs[(n, s)], [c], cm, thr[(n, s)]) for s in seeds)
        held = 0.0
        picks = {}
        for c in cats:
            others = [x for x in cats if x != c]
            pick = max(names, key=lambda n: (sum(mean_raw[(n, x)] for x in others), -names.index(n)))
            picks[c] = pick
            held += mean_raw[(pick, c)]
        ipick = max(names, key=lambda n: (sum(mean_raw[(n, x)] for x in cats), -names.index(n)))
        ins = sum(mean_raw[(ipick, x)] for x in cats)
        fixed = {n: normalise(sum(mean_raw[(n, x)] for x in cats), cm, n_scorable, corpus.n_windows)
                 for n in names}
        bycat = {c: (mean_raw[(picks[c], c)], mean_raw[(ipick, c)]) for c in cats}
        res[prof] = (normalise(held, cm, n_scorable, corpus.n_windows),
                     normalise(ins, cm, n_scorable, corpus.n_windows), picks, ipick, fixed, bycat)
    print("%-22s %10s %10s %10s" % ("", "standard", "low FP", "low FN"))
    print("%-22s %10.2f %10.2f %10.2f" % ("held-out (LOCO)", *[res[p][0] for p in PROFILES]))
    print("%-22s %10.2f %10.2f %10.2f" % ("in-sample (24 files)", *[res[p][1] for p in PROFILES]))
    for p in PROFILES:
        print("  %s: held-out picks %s; in-sample pick %s" % (
            p, ", ".join("%s->%s" % (c, res[p][2][c]) for c in cats), res[p][3]))
    # where the held-out figure comes from: each category's raw score
    print("raw score by category, held-out pick / in-sample pick (mean over seeds)")
    for p in PROFILES:
        print("  %s: %s" % (p, ", ".join("%s %.3f / %.3f" % (c, *res[p][5][c]) for c in cats)))
    print("per configuration, no choice at all (its own alarms on the 24 files, mean over seeds)")
    for n in names:
        print("%-16s %10.2f %10.2f %10.2f" % (n, *[res[p][4][n] for p in PROFILES]))


CAUSES = {"0": "prediction", "1": "novelty", "2": "range", "3": "level"}


def fp_causes(sc, corpus, results_dir, rel, thr):
    """Scored false-positive rows of one file at thr, counted by the signal
    that raised them (when the driver wrote the details: SNN_NAB_DETAIL=1)."""
    path = sc.find_result_file(results_dir, rel)
    try:
        score, cause = sc.read_csv_columns(path, ["anomaly_score", "cause"])
    except ValueError:
        return {}
    out = {}
    for (inw, _, _, prob), s, c in zip(corpus.row_structure(rel), score, cause):
        if not prob and not inw and sc.to_float(s) >= thr:
            k = CAUSES.get(c, c)
            out[k] = out.get(k, 0) + 1
    return out


def diagnose(sc, corpus, runs, cats, seeds, picks, cm, prof, out):
    """Where the held-out points go: per held-out category and file, the raw
    score at the threshold chosen on the other categories (configuration as
    the protocol picked it), against the file's best (in-sample) raw score,
    windows hit, false-positive rows and the signals that raised them."""
    print("\nheld-out contributions, %s (protocol's pick per category; means over seeds)" % prof)
    print("%-52s %8s %8s %6s %7s %s" % ("category / file", "held", "in-samp", "hit", "FP rows", "FP causes"))
    tot_h = tot_i = 0.0
    for c in cats:
        others = [x for x in cats if x != c]
        pick = picks[c]
        rows = {}
        for s in seeds:
            run = runs[(pick, s)]
            thr_h = best_threshold(sc, run, others, cm)[0]
            thr_i = best_threshold(sc, run, cats, cm)[0]
            ph = {r[0]: r for r in sc.per_file(run.points([c]), corpus, cm, thr_h)}
            pi = {r[0]: r for r in sc.per_file(run.points([c]), corpus, cm, thr_i)}
            for rel in corpus.files:
                if rel.split("/")[0] != c:
                    continue
                a = rows.setdefault(rel, [0.0, 0.0, 0, 0, 0, {}])
                a[0] += ph[rel][1] / len(seeds)
                a[1] += pi[rel][1] / len(seeds)
                a[2] += ph[rel][2]
                a[3] = ph[rel][3]
                a[4] += ph[rel][5]
                for k, v in fp_causes(sc, corpus, os.path.join(out, pick, "s" + s), rel, thr_h).items():
                    a[5][k] = a[5].get(k, 0) + v
        ch = sum(r[0] for r in rows.values())
        ci = sum(r[1] for r in rows.values())
        tot_h += ch
        tot_i += ci
        print("%-52s %8.3f %8.3f %6s %7s   (config %s)" % (c, ch, ci, "", "", pick))
        for rel in sorted(rows, key=lambda r: rows[r][0] - rows[r][1]):
            a = rows[rel]
            print("  %-50s %8.3f %8.3f %3.1f/%d %7.1f %s" % (
                rel.split("/")[1], a[0], a[1], a[2] / len(seeds), a[3], a[4] / len(seeds),
                " ".join("%s=%.1f" % (k, v / len(seeds)) for k, v in sorted(a[5].items()))))
    print("%-52s %8.3f %8.3f" % ("all (raw)", tot_h, tot_i))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nab", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--grid", required=True)
    ap.add_argument("--seeds", required=True)
    a = ap.parse_args()
    sc = load_scorer(a.nab)
    import json
    with open(os.path.join(a.nab, "config", "profiles.json")) as f:
        profiles = json.load(f)
    corpus = sc.Corpus(os.path.join(a.nab, "data"),
                       os.path.join(a.nab, "labels", "combined_windows.json"))
    cats = sorted(set(category(r) for r in corpus.files))
    seeds = a.seeds.split()
    configs = []
    with open(a.grid) as f:
        for line in f:
            parts = line.split(None, 1)
            if parts:
                configs.append((parts[0], parts[1].strip() if len(parts) > 1 else ""))
    runs = {}
    for name, _ in configs:
        for s in seeds:
            runs[(name, s)] = Run(sc, corpus, os.path.join(a.out, name, "s" + s))
    n_scorable = len(runs[(configs[0][0], seeds[0])].sw)
    names = [c[0] for c in configs]

    # per configuration: plain NAB (in-sample threshold) and threshold-only held out
    table = {}
    for name in names:
        row = {}
        for prof in PROFILES:
            cm = profiles[prof]["CostMatrix"]
            ins, held = [], []
            for s in seeds:
                run = runs[(name, s)]
                ins.append(normalise(best_threshold(sc, run, cats, cm)[1], cm, n_scorable, corpus.n_windows))
                tot = 0.0
                for c in cats:
                    others = [x for x in cats if x != c]
                    thr, _ = best_threshold(sc, run, others, cm)
                    tot += raw_at(sc, run, [c], cm, thr)
                held.append(normalise(tot, cm, n_scorable, corpus.n_windows))
            row[prof] = (statistics.mean(ins), statistics.mean(held), ins, held)
        table[name] = row

    # the full protocol: configuration and threshold chosen on the training side
    choice = {}
    final = {}
    for prof in PROFILES:
        cm = profiles[prof]["CostMatrix"]
        held_seed = []
        picks = {}
        for s in seeds:
            held_seed.append(0.0)
        for c in cats:
            others = [x for x in cats if x != c]
            # configuration: best mean over seeds of the training raw score
            train = {n: statistics.mean(best_threshold(sc, runs[(n, s)], others, cm)[1] for s in seeds)
                     for n in names}
            pick = max(names, key=lambda n: (train[n], -names.index(n)))
            picks[c] = pick
            for i, s in enumerate(seeds):
                thr, _ = best_threshold(sc, runs[(pick, s)], others, cm)
                held_seed[i] += raw_at(sc, runs[(pick, s)], [c], cm, thr)
        held = [normalise(r, cm, n_scorable, corpus.n_windows) for r in held_seed]
        # in-sample: the same choice made on all 24 files
        allmean = {n: statistics.mean(best_threshold(sc, runs[(n, s)], cats, cm)[1] for s in seeds)
                   for n in names}
        ipick = max(names, key=lambda n: (allmean[n], -names.index(n)))
        ins = [normalise(best_threshold(sc, runs[(ipick, s)], cats, cm)[1], cm, n_scorable, corpus.n_windows)
               for s in seeds]
        choice[prof] = (picks, ipick)
        final[prof] = (statistics.mean(held), held, statistics.mean(ins), ins)

    print("seeds: %s; categories: %s" % (" ".join(seeds), ", ".join(cats)))
    print("\nheld-out protocol (configuration and threshold chosen on the other three categories)")
    print("%-22s %10s %10s %10s" % ("", "standard", "low FP", "low FN"))
    print("%-22s %10.2f %10.2f %10.2f" % ("held-out (LOCO)", *[final[p][0] for p in PROFILES]))
    print("%-22s %10.2f %10.2f %10.2f" % ("in-sample (24 files)", *[final[p][2] for p in PROFILES]))
    for p in PROFILES:
        picks, ipick = choice[p]
        print("  %s: held-out picks %s; in-sample pick %s; held-out per seed %s" % (
            p, ", ".join("%s->%s" % (c, picks[c]) for c in cats), ipick,
            " ".join("%.2f" % x for x in final[p][1])))
    print("\nper configuration (mean over seeds): in-sample NAB score | threshold held out by category")
    print("%-16s %17s %17s %17s" % ("configuration", "standard", "low FP", "low FN"))
    for name in names:
        r = table[name]
        print("%-16s %s" % (name, " ".join("%8.2f %8.2f" % (r[p][0], r[p][1]) for p in PROFILES)))
    print("\nheld-out raw score by category, standard, threshold chosen on the other three (mean over seeds)")
    cm = profiles["standard"]["CostMatrix"]
    print("%-16s %s" % ("configuration", " ".join("%22s" % c for c in cats)))
    for name in names:
        per = []
        for c in cats:
            others = [x for x in cats if x != c]
            per.append(statistics.mean(
                raw_at(sc, runs[(name, s)], [c], cm, best_threshold(sc, runs[(name, s)], others, cm)[0])
                for s in seeds))
        print("%-16s %s" % (name, " ".join("%22.3f" % x for x in per)))
    print("\nper configuration and seed, standard: in-sample / held-out threshold")
    for name in names:
        r = table[name]["standard"]
        print("%-16s %s" % (name, " ".join("%.2f/%.2f" % (x, y) for x, y in zip(r[2], r[3]))))
    alarm_protocol(sc, corpus, runs, cats, seeds, names, profiles, n_scorable, a.out)
    for prof in ("standard", "reward_low_FP_rate"):
        diagnose(sc, corpus, runs, cats, seeds, choice[prof][0], profiles[prof]["CostMatrix"],
                 prof, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
