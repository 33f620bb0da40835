#!/usr/bin/python3
"""Dendrite's default CSV training against scikit-learn on the UCI wine data set.

For each seed, runs `dendrite train --model mlp:64 --data data/wine/wine.csv --target class
--test-split 0.2 --seed S` with no other option, reads the rows it held out (test-rows.txt in its run
directory) and trains scikit-learn's MLPClassifier(hidden_layer_sizes=(64,)) on StandardScaler'd features
of the same 80/20 stratified split (random_state=S). Prints both test accuracies per seed and the medians
recorded in docs/training.md. Needs /usr/bin/python3 with scikit-learn and a built CLI
(dotnet build -c Release src/Dendrite.Cli); run from the repository root:

    /usr/bin/python3 tools/parity/wine_sklearn.py [--seeds 0 1 2 3 4]
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import tempfile
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

DATA = "data/wine/wine.csv"
DENDRITE = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "src/Dendrite.Cli", "--"]


def load():
    with open(DATA, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    target = header.index("class")
    x = [[float(v) for i, v in enumerate(r) if i != target] for r in rows]
    y = [r[target] for r in rows]
    return x, y


def dendrite(seed, out):
    result = subprocess.run(DENDRITE + ["train", "--model", "mlp:64", "--data", DATA, "--target", "class",
                                        "--test-split", "0.2", "--seed", str(seed), "--out", out],
                            check=True, capture_output=True, text=True)
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", result.stdout).group(1))
    with open(os.path.join(out, "test-rows.txt")) as f:
        test_rows = [int(line) for line in f if line.strip()]
    return accuracy, test_rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    x, y = load()
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            accuracy, test_rows = dendrite(seed, os.path.join(tmp, str(seed)))
            held = set(test_rows)
            train = [i for i in range(len(x)) if i not in held]
            model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), random_state=seed))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # its default 200 iterations, as a user gets them
                model.fit([x[i] for i in train], [y[i] for i in train])
            sk = model.score([x[i] for i in test_rows], [y[i] for i in test_rows])
            ours.append(accuracy)
            theirs.append(sk)
            print(f"seed {seed}: {len(train)} train / {len(test_rows)} test rows  dendrite {accuracy:.4f}  sklearn {sk:.4f}")
    print(f"median over {len(args.seeds)} seeds: dendrite {statistics.median(ours):.4f}  sklearn {statistics.median(theirs):.4f}")


if __name__ == "__main__":
    main()
