"""Seconds per epoch of the classifiers at their defaults with the sequence
statistics (sequence_standardize) read once per patch, as now, against read at
every step of a patch, as before session 13 (BaseRecurrent._constant_inputs_of
patched to 0 for the run), and against the inputs alone; alternating in one
process so that the three share the machine's state.

    python benchmarks/sequence_features_cost.py "(2048,100,8)" "(512,400,16)"

Each argument is a shape (sequences, steps, features) of random float32 data
with 4 classes; each cell is fitted for 8 epochs, best of 3.
"""
import ast
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import rnnsk
import rnnsk._base

EPOCHS, REPEATS = 8, 3
LAYOUTS = ("inputs alone", "every step", "once")


def seconds_per_epoch(estimator_class, layout, x, y):
    real = rnnsk._base.BaseRecurrent._constant_inputs_of
    if layout == "every step":
        rnnsk._base.BaseRecurrent._constant_inputs_of = lambda self, sequences: 0
    try:
        estimator = estimator_class(max_iter=EPOCHS, n_iter_no_change=EPOCHS + 1, n_threads=2,
                                    random_state=0,
                                    sequence_standardize=layout != "inputs alone")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, y)
        return (time.perf_counter() - start) / estimator.n_iter_, estimator.patch_length_
    finally:
        rnnsk._base.BaseRecurrent._constant_inputs_of = real


def main(shapes):
    rng = np.random.default_rng(0)
    for shape in shapes:
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.integers(0, 4, shape[0])
        for estimator_class in (rnnsk.GRUClassifier, rnnsk.LSTMClassifier):
            best = dict.fromkeys(LAYOUTS, np.inf)
            for _ in range(REPEATS):
                for layout in LAYOUTS:
                    seconds, patch = seconds_per_epoch(estimator_class, layout, x, y)
                    best[layout] = min(best[layout], seconds)
            print(shape, estimator_class.__name__, f"patches of {patch}:",
                  ", ".join(f"{layout} {value:.3f} s" for layout, value in best.items()),
                  f"| every step / once {best['every step'] / best['once']:.2f}", flush=True)


if __name__ == "__main__":
    main([tuple(ast.literal_eval(argument)) for argument in sys.argv[1:]] or [(2048, 100, 8)])
