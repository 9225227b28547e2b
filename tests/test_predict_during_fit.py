"""Predictions from another thread while a fit runs (a notebook with a
background fit): training steps and predictions take turns on the model, so the
fit is never disturbed and every prediction comes from the weights between two
whole steps."""
import pickle
import threading
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRURegressor, LSTMClassifier

JOIN_TIMEOUT = 300


def _data(n=64, steps=12, features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int), X[:, :, 1].mean(axis=1)


def _fit_in_background(estimator, X, y):
    errors = []

    def fit():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                estimator.fit(X, y)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    thread = threading.Thread(target=fit, daemon=True)
    thread.start()
    return thread, errors


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_predict_from_another_thread_during_a_warm_start_fit(kind):
    X, labels, values = _data()
    if kind == "classifier":
        est = LSTMClassifier(hidden_size=8, max_iter=2, batch_size=4, random_state=0,
                             n_threads=1, warm_start=True)
        y, predict = labels, "predict_proba"
    else:
        est = GRURegressor(hidden_size=8, max_iter=2, batch_size=4, random_state=0,
                           n_threads=1, warm_start=True, dropout=0.0)
        y, predict = values, "predict"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    est.set_params(max_iter=25)
    thread, errors = _fit_in_background(est, X, y)
    predictions = 0
    while thread.is_alive():
        out = getattr(est, predict)(X[:7])
        assert np.all(np.isfinite(out))
        predictions += 1
    thread.join(JOIN_TIMEOUT)
    assert not errors, errors
    assert predictions > 0
    assert est.n_iter_ == 2 + 25
    assert len(est.loss_curve_) == 27 and np.all(np.isfinite(est.loss_curve_))


def test_the_lock_does_not_travel_with_pickles_or_clones():
    X, labels, _ = _data(n=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LSTMClassifier(hidden_size=4, max_iter=1, random_state=0, n_threads=1).fit(
            X, labels)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert copy._turns() is not clf._turns()  # each estimator takes its own turns
    assert clone(clf).get_params() == clf.get_params()
