"""RecurrentStepRegressor (and RecurrentTagger) on three per-step tasks of real data,
against a linear model of the 11 steps around each step, in one run.

Usage::

    python -P benchmarks/step_regression.py                      # the defaults
    python -P benchmarks/step_regression.py --params standardize=False
    python -P benchmarks/step_regression.py --task tagging       # RecurrentTagger

The data ship with the package and aeon (``pip install ".[benchmark]"``):

- Daphnet S06R02E0 (aeon): the trunk's vertical acceleration at every step from the six
  ankle and leg channels (raw accelerometer counts), 128-step segments, the first 70% of
  the recording for training and the rest for testing;
- JapaneseVowels (rnnsk): the 12th cepstrum coefficient from the other 11, the
  standard train and test speakers;
- BasicMotions (aeon): the first gyroscope channel from the three accelerometer
  channels and the other two gyroscope channels, the standard split.

R² over every test step, mean over the seeds. With ``--task tagging`` the same data
are a per-step labelling for ``RecurrentTagger``: is the target above its training
median at this step ('high' or 'low')? Token accuracy, against a logistic regression
on the 11 steps around each step.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _datasets import LOADERS  # noqa: E402
from _recurrent import call_text, parse_params  # noqa: E402

from rnnsk import RecurrentStepRegressor, RecurrentTagger  # noqa: E402

SEGMENT = 128
HALF_WINDOW = 5


def daphnet():
    import aeon
    import pandas as pd
    folder = os.path.join(os.path.dirname(aeon.__file__), "datasets", "data", "Daphnet_S06R02E0")
    frame = pd.read_csv(os.path.join(folder, "S06R02E0.csv"))
    inputs = frame[["ankle_horiz_fwd", "ankle_vert", "ankle_horiz_lateral", "leg_horiz_fwd",
                    "leg_vert", "leg_horiz_lateral"]].to_numpy(float)
    target = frame["trunk_vert"].to_numpy(float)
    starts = range(0, len(frame) - SEGMENT + 1, SEGMENT)
    X = [inputs[i:i + SEGMENT] for i in starts]
    y = [target[i:i + SEGMENT] for i in starts]
    cut = int(0.7 * len(X))
    return X[:cut], y[:cut], X[cut:], y[cut:]


def one_channel_from_the_others(loader, channel):
    def load():
        data = LOADERS[loader]()
        splits = []
        for X in (data.X_train, data.X_test):
            X = [np.asarray(x, dtype=float) for x in X]
            others = [c for c in range(X[0].shape[1]) if c != channel]
            splits += [[x[:, others] for x in X], [x[:, channel] for x in X]]
        return splits
    return load


DATA = {"Daphnet trunk_vert": daphnet,
        "JapaneseVowels coefficient 12": one_channel_from_the_others("JapaneseVowels", 11),
        "BasicMotions gyroscope x": one_channel_from_the_others("BasicMotions", 3)}


def around_each_step(x):
    """The inputs of the steps t-5..t+5 side by side (the ends repeated)."""
    padded = np.pad(x, ((HALF_WINDOW, HALF_WINDOW), (0, 0)), mode="edge")
    return np.concatenate([padded[j:j + len(x)] for j in range(2 * HALF_WINDOW + 1)], axis=1)


def header(estimator, params, seeds, score, baseline):
    print(f"{call_text(estimator.__name__, params)}, seeds {seeds}; {score}")
    print(f"| data set | sequences | {baseline}, 11 steps | rnnsk | seconds per fit |")
    print("|---|---|---|---|---|")


def regression(params, seeds):
    header(RecurrentStepRegressor, params, seeds, "R² over the test steps", "ridge")
    for name, load in DATA.items():
        X, y, X_test, y_test = load()
        ridge = RidgeCV(alphas=np.logspace(-3, 3, 13))
        baseline = r2_score(np.concatenate(y_test), windowed(ridge, X, y, X_test))
        report(name, (X, y, X_test, y_test), baseline, seeds,
               lambda seed: RecurrentStepRegressor(random_state=seed, n_threads=1, **params),
               lambda model, X_test, y_test: r2_score(np.concatenate(y_test),
                                                      np.concatenate(model.predict(X_test))))


def tagging(params, seeds):
    """The same tasks as labelling: is the target above its training median?"""
    header(RecurrentTagger, params, seeds,
           "token accuracy, each step labelled 'high' or 'low'", "logistic regression")
    for name, load in DATA.items():
        X, y, X_test, y_test = load()
        median = np.median(np.concatenate(y))
        y, y_test = ([np.where(t > median, "high", "low") for t in part] for part in (y, y_test))
        logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        baseline = np.mean(windowed(logistic, X, y, X_test) == np.concatenate(y_test))
        report(name, (X, y, X_test, y_test), baseline, seeds,
               lambda seed: RecurrentTagger(random_state=seed, n_threads=1, **params),
               lambda model, X_test, y_test: model.score(X_test, y_test))


def windowed(model, X, y, X_test):
    """``model``'s predictions of every test step from the 11 steps around it."""
    model.fit(np.concatenate([around_each_step(x) for x in X]), np.concatenate(y))
    return model.predict(np.concatenate([around_each_step(x) for x in X_test]))


def report(name, data, baseline, seeds, make, score):
    """A table row: the mean test score of ``make(seed)`` fitted on ``data``."""
    X, y, X_test, y_test = data
    scores, started = [], time.perf_counter()
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores.append(score(make(seed).fit(X, y), X_test, y_test))
    seconds = (time.perf_counter() - started) / len(seeds)
    print(f"| {name} | {len(X)} | {baseline:.3f} | {np.mean(scores):.3f} | {seconds:.1f} |",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=["regression", "tagging"], default="regression")
    parser.add_argument("--params", nargs="*", default=[],
                        help="name=value given to the rnnsk estimator")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    {"regression": regression, "tagging": tagging}[args.task](parse_params(args.params),
                                                               args.seeds)


if __name__ == "__main__":
    main()
