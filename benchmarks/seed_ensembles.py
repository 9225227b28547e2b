"""Seed ensembles: several networks at the defaults, differing only by their seed,
averaged with scikit-learn's VotingClassifier (soft voting) or VotingRegressor,
against the same networks scored alone.

For each data set, cell and seed s, members have ``random_state`` 100 s + j
(j < --members), each at its defaults with one thread; one JSON line records the
ensemble's test score and the mean of its members' own test scores (the single
networks of the same run, so the comparison is paired). With ``--folds K`` the
scores are those of the K folds of the training split that defaults_cv.py uses
(seed s shuffles them), and the test split is never read.

    OMP_NUM_THREADS=1 python benchmarks/seed_ensembles.py --datasets JapaneseVowels \\
        ArrowHead CardanoSentiment --out /tmp/ensembles.jsonl
    OMP_NUM_THREADS=1 python benchmarks/seed_ensembles.py --datasets ArrowHead \\
        --seeds 0 1 --folds 3 --out /tmp/ensembles-cv.jsonl
"""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.ensemble import VotingClassifier, VotingRegressor
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _datasets  # noqa: E402
import _recurrent  # noqa: E402
from accuracy import score  # noqa: E402
from defaults_cv import TUNING, folds, take  # noqa: E402


def seed_ensemble(cell, task, seed, n_members):
    members = [(f"seed{100 * seed + j}", _recurrent.estimator_class(cell, task)(
        random_state=100 * seed + j, n_threads=1)) for j in range(n_members)]
    if task == "classification":
        return VotingClassifier(members, voting="soft")
    return VotingRegressor(members)


def splits(dataset, seed, n_folds):
    """(fold, X_fit, y_fit, X_scored, y_scored): the test split (fold None), or
    the folds of the training split when ``n_folds`` is given."""
    if n_folds is None:
        return [(None, dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test)]
    return [(fold, take(dataset.X_train, fit), dataset.y_train[fit],
             take(dataset.X_train, held_out), dataset.y_train[held_out])
            for fold, (fit, held_out) in enumerate(folds(dataset, n_folds, seed))]


def run(args):
    with open(args.out, "a") as out:
        for name in args.datasets:
            dataset = {**_datasets.LOADERS, **TUNING, **_datasets.OUTSIDE_SUITE}[name]()
            for seed in args.seeds:
                for fold, X_fit, y_fit, X_scored, y_scored in splits(dataset, seed, args.folds):
                    for cell in args.cells:
                        ensemble = seed_ensemble(cell, dataset.task, seed, args.members)
                        started = time.perf_counter()
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", ConvergenceWarning)
                            ensemble.fit(X_fit, y_fit)
                        seconds = time.perf_counter() - started
                        metric, value = score(dataset.task, y_scored, ensemble.predict(X_scored))
                        # The fitted members alone (for a classifier, estimators_ hold
                        # the members fitted on the encoded labels: decode them).
                        alone = [score(dataset.task, y_scored,
                                       _member_predictions(ensemble, member, X_scored))[1]
                                 for member in ensemble.estimators_]
                        key = [name, cell, seed] + ([] if fold is None else [fold])
                        row = dict(key=key, metric=metric, ensemble=value,
                                   members_mean=float(np.mean(alone)), members=alone,
                                   seconds=seconds)
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                        print(row, flush=True)


def _member_predictions(ensemble, member, X):
    predicted = member.predict(X)
    if isinstance(ensemble, VotingClassifier):
        return ensemble.le_.inverse_transform(predicted)
    return predicted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--cells", nargs="+", default=list(_recurrent.CELLS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--folds", type=int, default=None,
                        help="score on this many folds of the training split instead "
                             "of the test split")
    parser.add_argument("--out", required=True)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
