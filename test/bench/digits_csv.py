#!/usr/bin/python3
"""Write the scikit-learn digits data set (shipped by Debian's python3-sklearn)
as two CSV files, split 75/25 with a fixed seed: label,f1..f64 per line.

usage: digits_csv.py OUTDIR [SEED]
"""
import os
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    d = load_digits()
    xtr, xte, ytr, yte = train_test_split(d.data, d.target, test_size=0.25,
                                          random_state=seed, stratify=d.target)
    os.makedirs(out, exist_ok=True)
    for name, x, y in (("train", xtr, ytr), ("test", xte, yte)):
        with open(os.path.join(out, name + ".csv"), "w") as f:
            for row, label in zip(x, y):
                f.write("%d,%s\n" % (label, ",".join("%g" % v for v in row)))


if __name__ == "__main__":
    main()
