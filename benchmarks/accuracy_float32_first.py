"""The accuracy suite with every series cast to float32 before the estimators
read it: what they computed before commit d53738b, which standardizes float64
inputs before rounding them to float32 (docs/accuracy.md, "Session 21").

Takes the arguments of ``accuracy.py``. At d53738b it reproduces the records
of ``accuracy-aec98b1-series.json`` (the build before) for every recurrent
fit, score for score; only the baselines, which read the cast data too, move
in the ninth digit.
"""
import dataclasses
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import accuracy  # noqa: E402


def as_float32(X):
    if isinstance(X, np.ndarray) and X.dtype.kind == "f":
        return X.astype(np.float32)
    if isinstance(X, list):
        return [as_float32(x) for x in X]
    return X


def fit_and_score_float32_first(estimator, dataset, fit_and_score=accuracy.fit_and_score):
    if dataset.kind != "text":
        dataset = dataclasses.replace(dataset, X_train=as_float32(dataset.X_train),
                                      X_test=as_float32(dataset.X_test))
    return fit_and_score(estimator, dataset)


if __name__ == "__main__":
    accuracy.fit_and_score = fit_and_score_float32_first
    accuracy.main(sys.argv[1:])
