"""Choosing the estimators' defaults by measurement.

Fits LSTM, GRU and Elman-RNN classifiers and regressors on real data sets
(standard train/test splits, see defaults_data.py) under candidate settings,
several seeds each, next to simple baselines (1-NN, logistic/ridge regression
on the flattened series, scikit-learn's MLP), and appends one JSON line per fit
to the output file: test accuracy (classification) or RMSE (regression), the
seconds of the fit, the epochs run and whether it ended with a
ConvergenceWarning. ``defaults_report.py`` turns the lines into tables.

    python benchmarks/defaults_search.py --out docs/data/defaults_search.jsonl \\
        --candidates old,orthogonal-last,orthogonal-mean,... --seeds 0,1,2

A candidate is a named set of estimator parameters (CANDIDATES below); 'now'
is the library's current defaults. Lines already in the output file are not
fitted again, so a run can be resumed or extended.
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from defaults_data import CLASSIFICATION, REGRESSION, load, padded_table  # noqa: E402

# The defaults before issue 17, and the candidates measured against them.
OLD = dict(init="pytorch", readout="last", learning_rate="constant", standardize=False)
NEW = dict(learning_rate="adaptive", standardize=True)
CANDIDATES = {"now": {}, "old": OLD}
for init in ("pytorch", "orthogonal"):
    for readout in ("last", "mean", "max", "attention"):
        CANDIDATES[f"{init}-{readout}"] = dict(NEW, init=init, readout=readout)
CANDIDATES["orthogonal-max-constant"] = dict(NEW, init="orthogonal", readout="max",
                                             learning_rate="constant")
CANDIDATES["orthogonal-max-early"] = dict(NEW, init="orthogonal", readout="max",
                                          early_stopping=True)
CANDIDATES["orthogonal-max-early20"] = dict(NEW, init="orthogonal", readout="max",
                                            early_stopping=True, n_iter_no_change=20)
CANDIDATES["orthogonal-max-raw"] = dict(NEW, init="orthogonal", readout="max",
                                        standardize=False)
CANDIDATES["orthogonal-mean-constant"] = dict(NEW, init="orthogonal", readout="mean",
                                              learning_rate="constant")
CANDIDATES["orthogonal-mean-raw"] = dict(NEW, init="orthogonal", readout="mean",
                                         standardize=False)
CANDIDATES["orthogonal-mean-patience20"] = dict(NEW, init="orthogonal", readout="mean",
                                                n_iter_no_change=20)
CANDIDATES["orthogonal-mean-lr0.01"] = dict(NEW, init="orthogonal", readout="mean",
                                            learning_rate_init=0.01)

CELLS = ("lstm", "gru", "rnn_tanh")


def rnnsk_fit(name, task, cell, params, seed, data):
    from rnnsk import RecurrentClassifier, RecurrentRegressor
    X_train, y_train, X_test, y_test = data
    estimator = (RecurrentClassifier if task == "classification" else RecurrentRegressor)(
        cell=cell, random_state=seed, n_threads=1, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        started = time.perf_counter()
        estimator.fit(X_train, y_train)
        seconds = time.perf_counter() - started
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return score(task, estimator, X_test, y_test), seconds, estimator.n_iter_, warned


def score(task, estimator, X_test, y_test):
    predicted = estimator.predict(X_test)
    if task == "classification":
        return float(np.mean(predicted == y_test))
    return float(np.sqrt(np.mean((predicted - y_test) ** 2)))


def baselines(task, seed):
    if task == "classification":
        return {"1-NN": KNeighborsClassifier(1),
                "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                "MLP": make_pipeline(StandardScaler(),
                                     MLPClassifier(max_iter=1000, random_state=seed))}
    return {"1-NN": KNeighborsRegressor(1),
            "ridge": make_pipeline(StandardScaler(), RidgeCV()),
            "MLP": make_pipeline(StandardScaler(), MLPRegressor(max_iter=1000,
                                                                random_state=seed))}


def baseline_fit(estimator, task, data):
    X_train, y_train, X_test, y_test = data
    steps = max(len(x) for x in X_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        estimator.fit(padded_table(X_train, steps), y_train)
        seconds = time.perf_counter() - started
    return score(task, estimator, padded_table(X_test, steps), y_test), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--candidates", default="now")
    parser.add_argument("--cells", default=",".join(CELLS))
    parser.add_argument("--datasets", default=",".join(CLASSIFICATION + REGRESSION))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--baselines", action="store_true")
    args = parser.parse_args()
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as lines:
            for line in lines:
                row = json.loads(line)
                done.add((row["dataset"], row["model"], row["candidate"], row["seed"]))
    seeds = [int(s) for s in args.seeds.split(",")]
    with open(args.out, "a") as out:
        def record(**row):
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(row, flush=True)

        for name in args.datasets.split(","):
            task = ("regression" if name.removesuffix("InRawUnits") in REGRESSION
                    else "classification")
            data = load(name)
            for seed in seeds:
                if args.baselines:
                    for model, estimator in baselines(task, seed).items():
                        if (name, model, "baseline", seed) in done:
                            continue
                        value, seconds = baseline_fit(estimator, task, data)
                        record(dataset=name, task=task, model=model, candidate="baseline",
                               seed=seed, score=value, seconds=seconds)
                for candidate in args.candidates.split(","):
                    for cell in args.cells.split(","):
                        if (name, cell, candidate, seed) in done:
                            continue
                        value, seconds, epochs, warned = rnnsk_fit(
                            name, task, cell, CANDIDATES[candidate], seed, data)
                        record(dataset=name, task=task, model=cell, candidate=candidate,
                               seed=seed, score=value, seconds=seconds, epochs=epochs,
                               warned=warned)


if __name__ == "__main__":
    main()
