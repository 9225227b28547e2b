"""learning_rate='adaptive' (scikit-learn MLP's rule, for Adam and SGD) and
standardize=True (inputs standardized inside, folded into the exported weights)."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from estimator_data import fast, ragged, regression_3d
from rnnsk import (LSTMClassifier, RecurrentClassifier, RecurrentRegressor,
                   RecurrentStepRegressor, RecurrentTagger)
from rnnsk._input_scaling import input_statistics, standardized
from rnnsk._validation import Sequences


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_adaptive_divides_the_rate_by_5_on_each_plateau_then_stops(solver):
    X, y, _ = ragged(n=20)
    # With a tol no epoch can meet, every n_iter_no_change + 1 epochs after the
    # first (which improves on nothing) are a plateau.
    clf = RecurrentClassifier(**fast(solver=solver, learning_rate="adaptive", tol=100.0,
                                     n_iter_no_change=2, max_iter=100,
                                     learning_rate_init=0.02))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    # 0.02 / 5**k > 1e-6 for k = 0..6: seven reductions, then a stop.
    assert clf.n_iter_ == 1 + 3 * 8
    assert clf._optimizer.learning_rate == pytest.approx(0.02 / 5 ** 7)


def test_constant_rate_stops_at_the_first_plateau():
    X, y, _ = ragged(n=20)
    clf = RecurrentClassifier(**fast(learning_rate="constant", tol=100.0, n_iter_no_change=2,
                                     max_iter=100)).fit(X, y)
    assert clf.n_iter_ == 1 + 3
    assert clf._optimizer.learning_rate == clf.learning_rate_init


def test_adaptive_with_early_stopping_watches_the_validation_score(capsys):
    X, y, _ = ragged(n=40)
    clf = RecurrentClassifier(**fast(learning_rate="adaptive", early_stopping=True,
                                     tol=100.0, n_iter_no_change=1, max_iter=100,
                                     verbose=True)).fit(X, y)
    printed = capsys.readouterr().out
    assert "Validation score did not improve" in printed
    assert "Setting learning rate to" in printed
    assert clf.n_iter_ == 1 + 2 * 8


@pytest.mark.parametrize("Estimator", [RecurrentClassifier, RecurrentRegressor])
def test_standardize_makes_fits_blind_to_the_units_of_each_feature(Estimator):
    X, y, _ = ragged(n=30)
    if Estimator is RecurrentRegressor:
        y = np.array([x[:, 1].mean() for x in X])
    units = np.array([100.0, 0.01, 1.0])
    offsets = np.array([300.0, -5.0, 0.0])
    raw = [x * units + offsets for x in X]
    params = fast(dtype="float64", standardize=True, init="orthogonal", readout="mean")
    unit = Estimator(**params).fit(X, y)
    scaled = Estimator(**params).fit(raw, y)
    predict = "predict_proba" if Estimator is RecurrentClassifier else "predict"
    np.testing.assert_allclose(getattr(scaled, predict)(raw), getattr(unit, predict)(X),
                               rtol=1e-6, atol=1e-8)


def test_step_regressor_standardizes_its_inputs_by_default():
    # Its default since session 18 (raw sensor units learned worse; docs/tagging.md).
    X, _, _ = ragged(n=20)
    y = [np.cumsum(x[:, 0]) for x in X]
    raw = [x * np.array([100.0, 0.01, 1.0]) + np.array([300.0, -5.0, 0.0]) for x in X]
    params = fast(dtype="float64", max_iter=5)
    assert RecurrentStepRegressor().standardize is True
    unit = RecurrentStepRegressor(**params).fit(X, y)
    scaled = RecurrentStepRegressor(**params).fit(raw, y)
    for a, b in zip(scaled.predict(raw), unit.predict(X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("Estimator, targets", [
    (RecurrentStepRegressor, lambda x: np.arange(len(x), dtype=float)),
    (RecurrentTagger, lambda x: ["A" if token < "c" else "B" for token in x])])
def test_standardize_leaves_string_tokens_alone(Estimator, targets):
    # Documented "ignored with token inputs": string tokens are ids looked up
    # in an embedding, which scaling them would break (it did, at the step
    # regressor's default standardize=True).
    X = [["alpha", "beta", "gamma"], ["beta", "delta"], ["gamma", "alpha", "delta"]] * 6
    y = [targets(x) for x in X]
    params = fast(max_iter=2)
    on = Estimator(**params, standardize=True).fit(X, y)
    off = Estimator(**params, standardize=False).fit(X, y)
    for a, b in zip(on.predict(X), off.predict(X)):
        np.testing.assert_array_equal(a, b)


def test_standardize_folds_into_the_first_layer_of_the_state_dict():
    X, y = regression_3d(n=30, features=2)
    raw = X * np.array([50.0, 0.1]) + np.array([200.0, 3.0])
    reg = RecurrentRegressor(**fast(dtype="float64", standardize=True, hidden_size=(5, 4),
                                    bidirectional=True)).fit(raw, y)
    before = reg.predict(raw)
    state = reg.state_dict()
    mean, scale = reg._input_scaling
    internal = reg.model_.blocks[0].parameters
    for suffix in ("", "_reverse"):
        weight = state[f"rnn.0.weight_ih_l0{suffix}"]
        np.testing.assert_allclose(weight * scale, internal[f"weight_ih_l0{suffix}"],
                                   rtol=1e-12)
        np.testing.assert_allclose(state[f"rnn.0.bias_ih_l0{suffix}"] + weight @ mean,
                                   internal[f"bias_ih_l0{suffix}"], rtol=1e-9, atol=1e-12)
    # Later layers are not touched.
    np.testing.assert_array_equal(state["rnn.1.weight_ih_l0"],
                                  reg.model_.blocks[1].parameters["weight_ih_l0"])
    reg.load_state_dict(state)
    np.testing.assert_allclose(reg.predict(raw), before, rtol=1e-10)


def test_standardize_is_off_for_token_ids_and_kept_by_warm_start():
    X, y, _ = ragged(n=20)
    clf = LSTMClassifier(**fast(standardize=True, warm_start=True, max_iter=2)).fit(X, y)
    statistics = clf._input_scaling
    clf.fit([x * 10.0 for x in X], y)  # continues on the first fit's statistics
    assert clf._input_scaling is statistics
    tokens = [np.arange(len(x)) % 4 for x in X]
    clf = LSTMClassifier(**fast(standardize=True, embedding_dim=3, max_iter=2)).fit(tokens, y)
    assert clf._input_scaling is None


def test_constant_feature_is_left_unscaled():
    X, y, _ = ragged(n=20)
    X = [np.column_stack([x, np.full(len(x), 7.0)]) for x in X]
    clf = LSTMClassifier(**fast(standardize=True, sequence_standardize=False,
                                max_iter=2)).fit(X, y)
    mean, scale = clf._input_scaling
    assert mean[-1] == 7.0 and scale[-1] == 1.0
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_a_model_pickled_before_the_new_parameters_keeps_its_settings():
    import pickle
    X, y, _ = ragged(n=20)
    # Fitted as such a model was: its last state read, its inputs unstandardized.
    clf = LSTMClassifier(**fast(max_iter=2, readout="last", standardize=False)).fit(X, y)
    state = clf.__getstate__()
    for name in ("init", "readout", "learning_rate", "standardize", "_input_scaling"):
        del state[name]
    old = LSTMClassifier.__new__(LSTMClassifier)
    old.__setstate__(state)
    assert old.get_params()["readout"] == "last" and old.get_params()["standardize"] is False
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(old)).predict_proba(X),
                                  clf.predict_proba(X))


@pytest.mark.parametrize("n_features", [1, 3, 32])
def test_input_statistics_are_numpys_weighted_average_of_the_real_steps(n_features):
    # Computed chunk by chunk (several chunks here), they must be exactly those
    # of the definition over all real steps at once: fits depend on every bit.
    rng = np.random.default_rng(n_features)
    data = (rng.standard_normal((1000, 60, n_features)) * 10.0 ** rng.integers(-3, 4, n_features)
            + 50.0).astype(np.float32)
    lengths = rng.integers(1, 61, 1000)
    weights = rng.random(1000)
    steps = np.concatenate([row[:length] for row, length in zip(data, lengths)])
    step_weights = np.repeat(weights, lengths)
    mean = np.average(steps.astype(np.float64), axis=0, weights=step_weights)
    std = np.sqrt(np.average((steps - mean) ** 2, axis=0, weights=step_weights))

    sequences = Sequences(data, lengths, False)
    found_mean, found_scale = input_statistics(sequences, weights)
    np.testing.assert_array_equal(found_mean, mean)
    np.testing.assert_array_equal(found_scale, std)
    np.testing.assert_array_equal(standardized(sequences, (mean, std)).data,
                                  ((data - mean) / std).astype(np.float32))
