"""Sample and class weights at their limits: zero, huge, denormal, invalid.

The loss is a weighted mean, computed on weights scaled to a largest value of 1
(only the L2 penalty, per unit of weight as in scikit-learn's MLP, reads their
magnitude), and a minibatch holding only zero-weight samples is skipped: none
of these may leave an untrained model behind a ConvergenceWarning.
"""
import warnings

import numpy as np
import pytest

from rnnsk import GRURegressor, LSTMClassifier


def _data(n=40, steps=5, features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int), X[:, :, 1].mean(axis=1)


def _classifier(**params):
    return LSTMClassifier(**{"hidden_size": 6, "max_iter": 4, "batch_size": 8,
                             "random_state": 0, "n_threads": 1, **params})


def _fit_quietly(est, *args, **kwargs):
    """Fit, failing on a divergence warning (the symptom of a 0/0 loss)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(*args, **kwargs)
    diverged = [w for w in caught if "diverged" in str(w.message)]
    assert not diverged, diverged[0].message
    return est


def _assert_same_model(a, b):
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[name], value, err_msg=name)


def test_minibatches_of_zero_weight_samples_are_skipped():
    X, y, _ = _data()
    weights = np.ones(len(y))
    weights[:16] = 0  # the first two minibatches (shuffle=False) hold only zeros
    weighted = _fit_quietly(_classifier(shuffle=False), X, y, sample_weight=weights)
    assert weighted.n_iter_ == 4 and np.all(np.isfinite(weighted.loss_curve_))
    # Skipping them is the same as leaving those samples out.
    without = _fit_quietly(_classifier(shuffle=False), X[16:], y[16:])
    _assert_same_model(weighted, without)
    np.testing.assert_allclose(weighted.loss_curve_, without.loss_curve_, rtol=1e-12)


def test_shuffled_minibatches_that_happen_to_hold_only_zero_weights():
    X, y, _ = _data()
    weights = np.zeros(len(y))
    weights[::5] = 1.0
    est = _fit_quietly(_classifier(batch_size=2, shuffle=True), X, y, sample_weight=weights)
    assert est.n_iter_ == 4 and np.all(np.isfinite(est.loss_curve_))
    assert est.t_ == 4 * len(y)


@pytest.mark.parametrize("value", [1e308, 1e-320, 3.5], ids=["huge", "denormal", "plain"])
def test_without_penalty_uniform_weights_of_any_magnitude_equal_no_weights(value):
    X, y, values = _data()
    weighted = _fit_quietly(_classifier(alpha=0), X, y, sample_weight=np.full(len(y), value))
    _assert_same_model(weighted, _fit_quietly(_classifier(alpha=0), X, y))
    params = dict(hidden_size=6, max_iter=3, random_state=0, n_threads=1, alpha=0)
    weighted = _fit_quietly(GRURegressor(**params), X, values,
                            sample_weight=np.full(len(y), value))
    plain = _fit_quietly(GRURegressor(**params), X, values)
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("value", [1e308, 1e300, 3.5])
def test_the_penalty_is_per_unit_of_weight_whatever_its_magnitude(value):
    """As in scikit-learn's MLP: alpha/2 |W|^2 per unit of sample weight, so
    uniform weights c are the same as no weights with alpha / c."""
    X, y, _ = _data()
    weighted = _fit_quietly(_classifier(alpha=0.5), X, y, sample_weight=np.full(len(y), value))
    _assert_same_model(weighted, _fit_quietly(_classifier(alpha=0.5 / value), X, y))


def test_weights_too_small_for_the_penalty_are_rejected_clearly():
    X, y, _ = _data()
    est = _classifier(alpha=1e-4)
    with pytest.raises(ValueError, match="alpha=0.0001 per unit of weight .* overflows"):
        est.fit(X, y, sample_weight=np.full(len(y), 1e-320))
    assert not hasattr(est, "model_")


def test_huge_sample_and_class_weights_together():
    X, y, _ = _data()
    est = _fit_quietly(_classifier(class_weight={0: 1e308, 1: 2e307}, alpha=0), X, y,
                       sample_weight=np.full(len(y), 1e308))
    same_ratios = _fit_quietly(_classifier(class_weight={0: 1.0, 1: 0.2}, alpha=0), X, y)
    _assert_same_model(est, same_ratios)


@pytest.mark.parametrize("class_weight", [{0: -1.0}, {0: np.nan}, {1: np.inf}, {0: "heavy"}])
def test_invalid_class_weight_is_rejected_and_nothing_changes(class_weight):
    X, y, _ = _data()
    est = _classifier(class_weight=class_weight)
    with pytest.raises(ValueError, match="class_weight must map classes to finite "
                                         "non-negative numbers"):
        est.fit(X, y)
    assert not hasattr(est, "model_")


def test_weights_that_leave_no_sample_to_learn_from_are_rejected():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="give every sample weight zero"):
        _classifier(class_weight={0: 0.0}).fit(X, y, sample_weight=(y == 0).astype(float))


@pytest.mark.parametrize("alpha", [0.0, 1e-2])
def test_class_weights_all_zero_are_rejected(alpha):
    # Not read as "no class weights": every sample would weigh nothing.
    X, y, _ = _data()
    est = _classifier(class_weight={0: 0.0, 1: 0.0}, alpha=alpha)
    with pytest.raises(ValueError, match="give every sample weight zero"):
        est.fit(X, y)
    assert not hasattr(est, "model_")


def test_early_stopping_split_without_weight_is_rejected():
    X, y, _ = _data()
    weights = np.zeros(len(y))
    weights[0] = 1.0
    est = _classifier(early_stopping=True, validation_fraction=0.2)
    with pytest.raises(ValueError, match="holds only samples of weight zero"):
        est.fit(X, y, sample_weight=weights)
    assert not hasattr(est, "model_")
