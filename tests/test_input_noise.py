"""``input_noise``: noise on the real-valued inputs while training.

The noise has the asked standard deviation in the units the network reads;
'auto' is a share of each feature's step-to-step changes; a seed still gives
bit-identical fits; prediction reads clean inputs; token ids refuse it; pickles
from before the parameter load as trained (without noise).
"""
import pickle

import numpy as np
import pytest
from sklearn.metrics import r2_score

from rnnsk import (GRURegressor, LSTMClassifier, RecurrentClassifier, RecurrentForecaster,
                   RecurrentRegressor)
from rnnsk._input_noise import AUTO_INPUT_NOISE, InputNoise, input_noise_of
from rnnsk._validation import Sequences, check_sequences
from test_persistence import pickle_with_state, without


def regression_data(n=120, steps=12, seed=0):
    """Sequences in raw units (a level near 500) whose target is their mean."""
    rng = np.random.default_rng(seed)
    X = 500 + 40 * rng.standard_normal((n, steps, 2))
    y = X[:, :, 0].mean(axis=1) - 0.5 * X[:, -3:, 1].mean(axis=1)
    return X, y


def fit_parameters(estimator):
    return {name: np.asarray(value) for name, value in estimator.state_dict().items()}


def assert_same_fit(first, second):
    a, b = fit_parameters(first), fit_parameters(second)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def assert_different_fit(first, second):
    a, b = fit_parameters(first), fit_parameters(second)
    assert any(not np.array_equal(a[name], b[name]) for name in a)


def test_noise_has_the_asked_spread_and_keeps_the_data():
    clean = Sequences(np.zeros((200, 50, 3), np.float32), np.full(200, 50), False)
    noisy = InputNoise(np.array([0.1, 0.3, 1.0]), seed=0)(clean)
    assert noisy.data.dtype == np.float32 and noisy.data.shape == clean.data.shape
    np.testing.assert_allclose(noisy.data.std(axis=(0, 1)), [0.1, 0.3, 1.0], rtol=0.02)
    assert np.all(np.abs(noisy.data.mean(axis=(0, 1))) < 0.02)
    # uniform: bounded by sqrt(3) standard deviations, and reaching near the bound
    bound = np.sqrt(3) * np.array([0.1, 0.3, 1.0])
    assert np.all(np.abs(noisy.data) <= bound * (1 + 1e-6))
    assert np.all(np.abs(noisy.data).max(axis=(0, 1)) > 0.99 * bound)
    assert np.all(clean.data == 0)  # the training data itself is not touched
    # independent features: correlations within 5 standard errors (1 / sqrt(10,000)) of 0
    flat = noisy.data.reshape(-1, 3)
    assert np.all(np.abs(np.corrcoef(flat.T)[np.triu_indices(3, 1)]) < 0.05)


def test_auto_is_a_share_of_each_features_step_to_step_changes():
    """Padding is not a step: the changes are those within each sequence."""
    rng = np.random.default_rng(0)
    steps = np.arange(40)
    # feature 0 smooth (a slow sine around 100), feature 1 white noise, feature 2 constant
    rows = [np.column_stack([100 + np.sin(steps[:n] / 6 + phase),
                             rng.standard_normal(n), np.full(n, 7.0)])
            for n, phase in zip(rng.integers(5, 41, size=30), rng.uniform(0, 6, size=30))]
    sequences = check_sequences(rows, dtype=np.dtype("float64"))
    changes = np.concatenate([np.diff(row, axis=0) for row in rows])
    expected = AUTO_INPUT_NOISE * changes.std(axis=0)
    np.testing.assert_allclose(input_noise_of("auto", sequences, None, 1), expected,
                               rtol=1e-12, atol=1e-15)
    assert expected[0] < 0.1 * expected[1] and expected[2] == 0
    # in the standardized units the network reads, tiled over the features of a patch
    scale = np.array([2.0, 4.0, 1.0])
    np.testing.assert_allclose(input_noise_of("auto", sequences, (None, scale), 3),
                               np.tile(expected / scale, 3), rtol=1e-12)
    np.testing.assert_array_equal(input_noise_of(0.25, sequences, None, 2), np.full(6, 0.25))
    assert input_noise_of(0.0, sequences, None, 1) is None
    constant = check_sequences([np.ones((9, 2))] * 3, dtype=np.dtype("float64"))
    assert input_noise_of("auto", constant, None, 1) is None  # nothing to jitter


def test_auto_weighs_each_sequences_changes_by_its_sample_weight():
    """Weight 2 counts a sequence twice, weight 0 as absent: as the
    standardization weighs the values."""
    rng = np.random.default_rng(1)
    rows = [rng.standard_normal((n, 2)) * scale for n, scale in [(6, 1.0), (9, 5.0), (4, 0.1)]]
    weighted = input_noise_of("auto", check_sequences(rows, dtype=np.dtype("float64")),
                              None, 1, sample_weight=np.array([2.0, 0.0, 1.0]))
    repeated = input_noise_of("auto", check_sequences([rows[0], rows[0], rows[2]],
                                                      dtype=np.dtype("float64")), None, 1)
    np.testing.assert_allclose(weighted, repeated, rtol=1e-12)


@pytest.mark.parametrize("Estimator", [GRURegressor, LSTMClassifier])
@pytest.mark.parametrize("standardize", [True, False])
def test_auto_trains_as_the_explicit_noise_of_its_rule(Estimator, standardize):
    """One feature: 'auto' is the number 0.3 * std(changes) (/ std(values) when
    standardized), computed here with numpy; no noise is a different fit."""
    X, y = regression_data()
    X = X[:, :, :1]
    if Estimator is LSTMClassifier:
        y = (y > np.median(y)).astype(int)
    params = dict(hidden_size=8, max_iter=3, random_state=0, n_threads=1,
                  dtype="float64", standardize=standardize, sequence_standardize=False)
    share = AUTO_INPUT_NOISE * np.diff(X, axis=1).std()
    explicit = Estimator(input_noise=share / X.std() if standardize else share,
                         **params).fit(X, y)
    auto = Estimator(input_noise="auto", **params).fit(X, y)
    for name, value in fit_parameters(explicit).items():
        np.testing.assert_allclose(fit_parameters(auto)[name], value, rtol=1e-7,
                                   atol=1e-9, err_msg=name)
    assert_different_fit(Estimator(input_noise=0.0, **params).fit(X, y), explicit)


def test_defaults_auto_but_the_forecaster():
    assert RecurrentRegressor().input_noise == "auto" == GRURegressor().input_noise
    assert RecurrentClassifier().input_noise == "auto" == LSTMClassifier().input_noise
    assert RecurrentForecaster().input_noise == 0.0


@pytest.mark.parametrize("Estimator", [GRURegressor, LSTMClassifier])
def test_auto_on_patches_jitters_regressors_only(Estimator):
    """Read in patches, a classifier at 'auto' trains on clean inputs (as at
    input_noise=0); a regressor still jitters them."""
    X, y = regression_data(n=60)
    if Estimator is LSTMClassifier:
        y = (y > np.median(y)).astype(int)
    params = dict(hidden_size=8, max_iter=3, random_state=0, n_threads=1, dtype="float64",
                  patch_length=2)
    auto = Estimator(input_noise="auto", **params).fit(X, y)
    clean = Estimator(input_noise=0.0, **params).fit(X, y)
    if Estimator is LSTMClassifier:
        assert_same_fit(auto, clean)
        # read step by step, the same classifier is jittered
        assert_different_fit(Estimator(input_noise="auto", **{**params, "patch_length": 1})
                             .fit(X, y),
                             Estimator(input_noise=0.0, **{**params, "patch_length": 1})
                             .fit(X, y))
    else:
        assert_different_fit(auto, clean)


def test_a_seed_gives_bit_identical_noisy_fits_and_clean_predictions():
    X, y = regression_data()
    params = dict(hidden_size=8, max_iter=4, random_state=3, n_threads=1, input_noise=0.5)
    first = GRURegressor(**params).fit(X, y)
    assert_same_fit(first, GRURegressor(**params).fit(X, y))
    # prediction draws no noise: repeated calls agree (test_torch_interop checks
    # that a regressor fitted at the default 'auto' predicts what its torch module does)
    np.testing.assert_array_equal(first.predict(X), first.predict(X))


def test_noise_keeps_a_signal_learned():
    """The default noise does not wash out a regression with a signal."""
    X, y = regression_data(n=400, seed=1)
    X_test, y_test = regression_data(n=200, seed=2)
    noisy = GRURegressor(hidden_size=16, max_iter=60, random_state=0).fit(X, y)
    assert r2_score(y_test, noisy.predict(X_test)) > 0.8


def test_token_ids_refuse_noise_and_auto_leaves_them_clean():
    X = np.array([[1, 2, 3, 0], [2, 3, 1, 1], [3, 1, 2, 2], [1, 1, 3, 3]] * 5)
    y = np.arange(len(X), dtype=float)
    reg = GRURegressor(embedding_dim=4, hidden_size=4, max_iter=1, input_noise=0.2)
    with pytest.raises(ValueError, match=r"input_noise=0.2 perturbs real-valued inputs, but "
                                         r"X holds token ids"):
        reg.fit(X, y)
    assert not hasattr(reg, "model_")
    params = dict(embedding_dim=4, hidden_size=4, max_iter=2, random_state=0, n_threads=1)
    assert_same_fit(GRURegressor(**params).fit(X, y),
                    GRURegressor(input_noise=0.0, **params).fit(X, y))


@pytest.mark.parametrize("value", [-0.1, "gaussian", None])
def test_invalid_input_noise_is_refused(value):
    X, y = regression_data(n=10)
    with pytest.raises(ValueError, match="input_noise"):
        GRURegressor(input_noise=value, max_iter=1).fit(X, y)


def test_a_pickle_from_before_the_parameter_loads_without_noise():
    X, y = regression_data(n=20)
    reg = GRURegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle_with_state(reg, without("input_noise")))
    assert loaded.input_noise == 0.0
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
