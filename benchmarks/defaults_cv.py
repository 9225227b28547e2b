"""Candidate defaults measured by cross-validation inside the training splits.

The accuracy suite (``accuracy.py``) scores on each data set's test split; a default
chosen by looking at those scores would be tuned to the test sets. This script
compares candidate settings on the *training* split only: stratified K-fold (plain
K-fold for regression) on the training series of each suite data set (and of two sets
outside the suite, TUNING below), several seeds,
one JSON line per fit (validation accuracy or RMSE, seconds, epochs). The test splits
are never read.

    OMP_NUM_THREADS=1 python benchmarks/defaults_cv.py --datasets ArrowHead CardanoSentiment \\
        --candidates now updates8 --cells LSTM GRU --out /tmp/cv.jsonl
    python benchmarks/defaults_cv.py --report /tmp/cv.jsonl
    python benchmarks/defaults_cv.py --report /tmp/cv.jsonl --versus equal before

A candidate is a named rule (CANDIDATES below): a function of the number of
training series returning the estimator parameters, so that rules that scale with
the data (a batch size giving a number of updates per epoch) are measured as they
would act inside ``fit``. ``--label`` names the records of a run after the library's
code instead (when the code, not a parameter, is what differs). The stored records
(``results/defaults-cv.jsonl``) call the defaults before commit 21a9ba8 ``before`` and
those after it ``equal`` (batch_size='auto' as near-equal minibatches); ``batch32`` is
the earlier rule forced with an integer.
"""
import argparse
import json
import math
import os
import sys
import time
import warnings
from collections import defaultdict

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _baselines  # noqa: E402
import _datasets  # noqa: E402
import _recurrent  # noqa: E402
from accuracy import score  # noqa: E402


def updates_per_epoch(minimum):
    """Batches of at most 32 series, and at least ``minimum`` updates per epoch."""
    return lambda n: dict(batch_size=max(1, min(32, math.ceil(n / minimum))))


CANDIDATES = {
    "now": lambda n: {},
    "batch32": lambda n: dict(batch_size=32),
    "updates4": updates_per_epoch(4),
    "updates8": updates_per_epoch(8),
    "updates16": updates_per_epoch(16),
    "batch16": lambda n: dict(batch_size=16),
    "batch8": lambda n: dict(batch_size=8),
    "patience20": lambda n: dict(n_iter_no_change=20),
    "alpha0.03": lambda n: dict(alpha=0.03),
    "alpha0.1": lambda n: dict(alpha=0.1),
    "bidirectional": lambda n: dict(bidirectional=True),
    "last": lambda n: dict(readout="last"),
    "lr0.002": lambda n: dict(learning_rate_init=0.002),
    "hidden32": lambda n: dict(hidden_size=32),
    "long": lambda n: dict(max_iter=600, n_iter_no_change=30),
    "alpha1e-3": lambda n: dict(alpha=1e-3),
    "lr0.01": lambda n: dict(learning_rate_init=0.01),
    "alpha0.3": lambda n: dict(alpha=0.3),
    "alpha1": lambda n: dict(alpha=1.0),
    "alpha3": lambda n: dict(alpha=3.0),
    "early": lambda n: dict(early_stopping=True, validation_fraction=0.2),
    "patch1": lambda n: dict(patch_length=1),
    "patch2": lambda n: dict(patch_length=2),
    "patch3": lambda n: dict(patch_length=3),
    "max": lambda n: dict(readout="max"),
    # the public input_noise (the records named noise0.1 and noise0.3 came from a
    # private hook of session 6, at the code of their 'now-d54ea3d' records)
    "input-noise-0": lambda n: dict(input_noise=0.0),
    "input-noise-0.6": lambda n: dict(input_noise=0.6),
    "input-noise-1": lambda n: dict(input_noise=1.0),
    "input-noise-auto": lambda n: dict(input_noise="auto"),
}


# Sets of the aeon wheel outside the suite, for rules measured away from it too.
TUNING = {name: (lambda name=name: _datasets._ts_archive(name, "classification"))
          for name in ("GunPoint", "ItalyPowerDemand")}


def take(X, rows):
    return X[rows] if isinstance(X, np.ndarray) else [X[i] for i in rows]


def folds(dataset, n_folds, seed):
    """(train rows, validation rows) of the training split."""
    splitter = (StratifiedKFold if dataset.task == "classification" else KFold)(
        n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(dataset.y_train)), dataset.y_train))


def run(args):
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as lines:
            done = {tuple(json.loads(line)["key"]) for line in lines}
    with open(args.out, "a") as out:
        for name in args.datasets:
            dataset = {**_datasets.LOADERS, **TUNING, **_datasets.OUTSIDE_SUITE}[name]()
            for seed in args.seeds:
                for fold, (train, held_out) in enumerate(folds(dataset, args.folds, seed)):
                    X_fit, y_fit = take(dataset.X_train, train), dataset.y_train[train]
                    X_val, y_val = take(dataset.X_train, held_out), dataset.y_train[held_out]
                    if args.baselines:
                        for model_name, model in _baselines.baselines(
                                dataset.task, dataset.kind, seed).items():
                            key = (name, "baseline", model_name, seed, fold)
                            if key not in done:
                                fit_and_record(out, key, model, dataset.task, X_fit, y_fit,
                                               X_val, y_val, {})
                    for candidate in args.candidates:
                        for cell in args.cells:
                            key = (name, args.label or candidate, cell, seed, fold)
                            if key in done:
                                continue
                            params = CANDIDATES[candidate](len(y_fit))
                            model = _recurrent.estimator_class(cell, dataset.task)(
                                random_state=seed, n_threads=1, **params)
                            fit_and_record(out, key, model, dataset.task, X_fit, y_fit,
                                           X_val, y_val, params)


def fit_and_record(out, key, model, task, X_fit, y_fit, X_val, y_val, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        model.fit(X_fit, y_fit)
        seconds = time.perf_counter() - started
    metric, value = score(task, y_val, model.predict(X_val))
    row = dict(key=key, metric=metric, score=value, seconds=seconds,
               epochs=getattr(model, "n_iter_", None), params=params)
    out.write(json.dumps(row) + "\n")
    out.flush()
    print(row, flush=True)


def report(paths):
    """Mean validation score per (data set, candidate, cell), over seeds and folds."""
    scores = defaultdict(list)
    metrics = {}
    for path in paths:
        with open(path) as lines:
            for line in lines:
                row = json.loads(line)
                name, candidate, cell, _, _ = row["key"]
                scores[name, candidate, cell].append(row["score"])
                metrics[name] = row["metric"]
    for (name, candidate, cell), values in sorted(scores.items()):
        print(f"{name:24s} {metrics[name]:8s} {candidate:14s} {cell:5s} "
              f"{np.mean(values):.4f} ± {np.std(values):.4f} ({len(values)} fits)")


def versus(paths, new, old):
    """Mean scores of candidates ``new`` and ``old`` over the (seed, fold) pairs
    both were fitted on, per data set and cell: a paired comparison."""
    scores = {}
    for path in paths:
        with open(path) as lines:
            for line in lines:
                row = json.loads(line)
                scores[tuple(row["key"])] = row["score"]
    paired = defaultdict(list)
    for (name, candidate, cell, seed, fold), value in scores.items():
        if candidate == new and (name, old, cell, seed, fold) in scores:
            paired[name, cell].append((value, scores[name, old, cell, seed, fold]))
    for (name, cell), pairs in sorted(paired.items()):
        a, b = np.mean(pairs, axis=0)
        print(f"{name:24s} {cell:5s} {new} {a:.4f}  {old} {b:.4f}  ({len(pairs)} fits each)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=[])
    parser.add_argument("--candidates", nargs="+", default=["now"], choices=CANDIDATES)
    parser.add_argument("--cells", nargs="+", default=list(_recurrent.CELLS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--baselines", action="store_true",
                        help="also fit the suite's baselines on every fold")
    parser.add_argument("--label", help="name the records by this instead of the "
                        "candidate: the library's code under test when it, not a "
                        "parameter, is what differs")
    parser.add_argument("--out")
    parser.add_argument("--report", nargs="+", metavar="JSONL")
    parser.add_argument("--versus", nargs=2, metavar=("NEW", "OLD"),
                        help="with --report: the two candidates side by side, paired")
    args = parser.parse_args()
    if args.report and args.versus:
        versus(args.report, *args.versus)
    elif args.report:
        report(args.report)
    else:
        run(args)


if __name__ == "__main__":
    main()
