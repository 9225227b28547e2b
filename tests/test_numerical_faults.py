"""Diverging training and overflowing networks.

A training step whose loss is not finite, or that would make a weight NaN or
infinite, is refused whole: training stops with a ConvergenceWarning ("Training
diverged ...") and keeps the weights of the last finite step. Predictions are
finite or refused with FloatingPointError, never NaN or infinity returned. No
monkeypatching: the faults come from absurd learning rates, exploding inputs and
huge weights.
"""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRURegressor, LSTMClassifier, RecurrentClassifier, RecurrentRegressor
from estimator_data import assert_same_state

DIVERGED = "Training diverged in epoch"
MAX_ITER_REACHED = "Maximum iterations"

# The configurations below were made to diverge with PyTorch's initial draws, the
# final state as readout and inputs as given (standardizing would undo the
# exploding inputs), with MLP's weight decay (a larger alpha holds some of them
# back) and without input noise; the constant rate stops where they were made to stop.
DIVERGING = dict(init="pytorch", readout="last", standardize=False, learning_rate="constant",
                 alpha=1e-4, input_noise=0.0)


def data(n=20, steps=5, features=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int), X[:, :, 0].sum(axis=1)


def fit_recording(estimator, X, y, **kwargs):
    """Fit, returning the messages of the warnings raised; numpy's overflow
    warnings on the way are expected and silenced."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            estimator.fit(X, y, **kwargs)
    return [(w.category, str(w.message)) for w in caught
            if not issubclass(w.category, RuntimeWarning)]


def diverged_warning(caught):
    found = [message for category, message in caught if DIVERGED in message]
    assert len(found) == 1, caught
    assert [c for c, m in caught if m == found[0]] == [ConvergenceWarning]
    assert not any(MAX_ITER_REACHED in message for _, message in caught)
    return found[0]


def assert_finite_weights(estimator):
    state = estimator.state_dict()
    assert state
    for name, value in state.items():
        assert np.all(np.isfinite(value)), name


def assert_consistent_history(estimator, n_samples):
    """n_iter_ epochs completed, each with a finite loss in loss_curve_; t_
    counts the samples of the steps that landed, which end inside epoch
    n_iter_ + 1 when training stopped in the middle of one."""
    assert estimator.n_iter_ == len(estimator.loss_curve_)
    assert estimator.n_iter_ < estimator.max_iter
    assert all(np.isfinite(loss) for loss in estimator.loss_curve_), estimator.loss_curve_
    if estimator.loss_curve_:
        assert estimator.loss_ == estimator.loss_curve_[-1]
        assert estimator.best_loss_ == min(estimator.loss_curve_)
    else:  # diverged in the first epoch: no loss, not that of an earlier fit
        assert estimator.loss_ is None
    assert estimator.n_iter_ * n_samples <= estimator.t_ < (estimator.n_iter_ + 1) * n_samples


def assert_predictions_finite_or_refused(estimator, X):
    """Every prediction method returns finite values or raises FloatingPointError
    naming the overflow; returns whether predictions were refused."""
    if hasattr(estimator, "classes_"):
        y = estimator.classes_[np.arange(len(X)) % len(estimator.classes_)]
        calls = {"predict": lambda: estimator.predict(X),
                 "predict_proba": lambda: estimator.predict_proba(X),
                 "predict_log_proba": lambda: estimator.predict_log_proba(X),
                 "score": lambda: estimator.score(X, y)}
    else:
        y = np.arange(len(X), dtype=float)
        calls = {"predict": lambda: estimator.predict(X),
                 "score": lambda: estimator.score(X, y)}
    refused = []
    for name, call in calls.items():
        try:
            with np.errstate(all="ignore"):
                result = np.asarray(call())
        except FloatingPointError as error:
            assert "the network's outputs are not finite" in str(error)
            refused.append(name)
            continue
        if result.dtype.kind == "f":
            assert np.all(np.isfinite(result)), name
    # Either every method refuses or none does: they share one forward pass.
    assert refused in ([], list(calls)), refused
    return bool(refused)


# ------------------------------------------- absurd learning rates --

ABSURD = [
    # solver, learning rate, cell, regressor?
    ("sgd", 1e12, "lstm", False),
    ("sgd", 1e12, "gru", True),
    ("sgd", 1e6, "rnn_relu", False),
    ("sgd", 1e4, "rnn_tanh", True),
    ("adam", 1e30, "lstm", True),
    ("adam", 1e30, "gru", False),
    ("adam", 1e8, "rnn_relu", False),
    ("adam", 1e6, "rnn_relu", True),
    ("sgd", 1e300, "gru", False),
    ("adam", 1e300, "rnn_tanh", True),
]


@pytest.mark.parametrize("solver, rate, cell, regression", ABSURD,
                         ids=[f"{s}-{r:g}-{c}-{'reg' if g else 'clf'}"
                              for s, r, c, g in ABSURD])
def test_absurd_learning_rate_stops_with_finite_weights(solver, rate, cell, regression):
    X, labels, values = data()
    Estimator = RecurrentRegressor if regression else RecurrentClassifier
    estimator = Estimator(cell=cell, solver=solver, learning_rate_init=rate,
                          max_grad_norm=None, hidden_size=4, batch_size=5, max_iter=30,
                          random_state=0, n_threads=1, **DIVERGING)
    caught = fit_recording(estimator, X, values if regression else labels)
    message = diverged_warning(caught)
    assert f"{DIVERGED} {estimator.n_iter_ + 1}:" in message
    assert ("the loss of a minibatch is" in message
            or "a step would make some weights NaN or infinite" in message)
    assert "The weights of the last finite step are kept" in message
    assert_finite_weights(estimator)
    assert_consistent_history(estimator, len(X))
    assert_predictions_finite_or_refused(estimator, X)
    # Still an estimator: refitting with a sane learning rate works.
    estimator.set_params(learning_rate_init=1e-3, max_iter=2)
    caught = fit_recording(estimator, X, values if regression else labels)
    assert not any(DIVERGED in message for _, message in caught)
    assert np.all(np.isfinite(estimator.predict(X)))


# Full-batch fits (one step per epoch) that diverge after some finite epochs:
# absurd learning rates, and sane ones on exploding inputs (a ReLU network
# without gradient clipping).
FULL_BATCH = [
    # solver, learning rate, cell, regressor?, dtype, input scale
    ("sgd", 1e4, "lstm", True, "float32", 1.0),
    ("sgd", 1e3, "rnn_relu", False, "float32", 1.0),
    ("adam", 1e4, "rnn_relu", True, "float32", 1.0),
    ("sgd", 0.005, "rnn_relu", False, "float32", 1e6),
    ("sgd", 0.005, "rnn_relu", False, "float64", 1e30),
    ("sgd", 0.005, "rnn_relu", True, "float64", 1e10),
]


@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("solver, rate, cell, regression, dtype, scale", FULL_BATCH,
                         ids=[f"{s}-{r:g}-{c}-{'reg' if g else 'clf'}-{d}-x{x:g}"
                              for s, r, c, g, d, x in FULL_BATCH])
def test_kept_weights_are_those_of_the_last_finite_step(solver, rate, cell, regression,
                                                        dtype, scale, device, request):
    """With one step per epoch, a fit that diverges in epoch k + 1 must end with
    exactly the weights, history and predictions of the same fit run for k
    epochs; on the device too (its emulator), where the step is refused there."""
    if device == "cuda":
        request.getfixturevalue("emulated_gpu")
    X, labels, values = data()
    X = X * scale
    y = values if regression else labels
    Estimator = RecurrentRegressor if regression else RecurrentClassifier
    params = dict(cell=cell, solver=solver, learning_rate_init=rate, max_grad_norm=None,
                  hidden_size=4, batch_size=len(X), max_iter=30, random_state=0,
                  n_threads=1, dtype=dtype, device=device, **DIVERGING)
    diverging = Estimator(**params)
    diverged_warning(fit_recording(diverging, X, y))
    epochs = diverging.n_iter_
    assert 1 <= epochs < 30, "the configuration must diverge after a finite epoch"
    assert diverging.t_ == epochs * len(X)
    assert_finite_weights(diverging)
    assert_consistent_history(diverging, len(X))

    reference = Estimator(**dict(params, max_iter=epochs))
    caught = fit_recording(reference, X, y)
    assert any(MAX_ITER_REACHED in message for _, message in caught)
    assert_same_state(diverging.state_dict(), reference.state_dict())
    assert diverging.loss_curve_ == reference.loss_curve_
    assert diverging.t_ == reference.t_
    refused = assert_predictions_finite_or_refused(diverging, X)
    assert assert_predictions_finite_or_refused(reference, X) == refused
    if not refused:
        np.testing.assert_array_equal(diverging.predict(X), reference.predict(X))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRURegressor])
def test_a_refused_first_step_keeps_the_warm_started_weights(Estimator, solver):
    """Warm-starting a fitted estimator with a learning rate whose first step
    overflows float32 refuses that step: every weight, the history and the
    predictions stay exactly as they were."""
    X, labels, values = data(n=16)
    y = values if Estimator is GRURegressor else labels
    estimator = Estimator(hidden_size=4, max_iter=3, solver=solver, random_state=0,
                          n_threads=1)
    fit_recording(estimator, X, y)
    before = estimator.state_dict()
    predictions = estimator.predict(X)
    history = (estimator.n_iter_, estimator.t_, list(estimator.loss_curve_))
    estimator.set_params(warm_start=True, learning_rate_init=1e300, max_grad_norm=None)
    message = diverged_warning(fit_recording(estimator, X, y))
    assert message.startswith(f"{DIVERGED} 4: a step would make some weights NaN or "
                              "infinite")
    after = estimator.state_dict()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    assert (estimator.n_iter_, estimator.t_, estimator.loss_curve_) == history
    np.testing.assert_array_equal(estimator.predict(X), predictions)


# ----------------------------------------------------- exploding inputs --

@pytest.mark.parametrize("regression", [False, True], ids=["clf", "reg"])
def test_exploding_inputs_in_partial_fit_refuse_the_step(regression):
    """partial_fit on exploding inputs (ReLU, SGD, no clipping): one step lands
    with huge but finite weights, a later one diverges; the call that diverges
    leaves the estimator exactly as the previous call left it."""
    X, labels, values = data(n=12)
    y = values if regression else labels
    Estimator = RecurrentRegressor if regression else RecurrentClassifier
    estimator = Estimator(cell="rnn_relu", solver="sgd", hidden_size=4, max_grad_norm=None,
                          random_state=0, n_threads=1, **DIVERGING)
    estimator.partial_fit(X, y, **({} if regression else {"classes": [0, 1]}))
    huge = X * 1e10
    for _ in range(6):
        before = estimator.state_dict()
        history = (estimator.n_iter_, estimator.t_, list(estimator.loss_curve_))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="ignore"):
                estimator.partial_fit(huge, y)
        messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
        if messages:
            break
        assert estimator.n_iter_ == history[0] + 1
    else:
        pytest.fail("partial_fit on exploding inputs never diverged")
    assert len(messages) == 1 and messages[0].startswith(f"{DIVERGED} {history[0] + 1}:")
    after = estimator.state_dict()
    for name in before:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    assert (estimator.n_iter_, estimator.t_, estimator.loss_curve_) == history
    assert_finite_weights(estimator)
    assert_predictions_finite_or_refused(estimator, huge)
    assert_predictions_finite_or_refused(estimator, X)


@pytest.mark.parametrize("dtype, scale", [("float32", 1e10), ("float64", 1e30)])
def test_fit_on_exploding_inputs(dtype, scale):
    X = np.random.default_rng(1).standard_normal((12, 10, 2)) * scale
    y = np.arange(12) % 2
    estimator = RecurrentClassifier(cell="rnn_relu", solver="sgd", hidden_size=4,
                                    max_grad_norm=None, random_state=0, n_threads=1, **DIVERGING,
                                    dtype=dtype, max_iter=5, batch_size=4)
    message = diverged_warning(fit_recording(estimator, X, y))
    assert "the loss of a minibatch is nan" in message
    assert_finite_weights(estimator)
    assert_consistent_history(estimator, len(X))
    assert_predictions_finite_or_refused(estimator, X)
    assert_predictions_finite_or_refused(estimator, X / scale)


def test_early_stopping_then_divergence_restores_the_best_weights():
    X, labels, _ = data(n=40)
    params = dict(cell="rnn_relu", hidden_size=4, batch_size=36, solver="sgd",
                  learning_rate_init=1e6, max_grad_norm=None, early_stopping=True,
                  validation_fraction=0.1, max_iter=30, random_state=0, n_threads=1, **DIVERGING,
                  n_iter_no_change=50)
    estimator = RecurrentClassifier(**params)
    diverged_warning(fit_recording(estimator, X, labels))
    assert estimator.n_iter_ == len(estimator.loss_curve_) == len(estimator.validation_scores_)
    assert estimator.best_validation_score_ == max(estimator.validation_scores_, default=-np.inf)
    assert_finite_weights(estimator)
    assert not assert_predictions_finite_or_refused(estimator, X)


# ----------------------------------------------------- huge weights --

@pytest.mark.parametrize("Estimator", [RecurrentClassifier, RecurrentRegressor])
def test_predict_refuses_outputs_that_overflow(Estimator):
    """Finite but huge weights (loaded with load_state_dict) overflow a ReLU
    network: predict raises FloatingPointError instead of returning inf/NaN."""
    X, labels, values = data(n=8)
    regression = Estimator is RecurrentRegressor
    estimator = Estimator(cell="rnn_relu", hidden_size=4, max_iter=1, random_state=0,
                          n_threads=1)
    fit_recording(estimator, X, values if regression else labels)
    state = estimator.state_dict()
    huge = {name: np.full_like(value, 1e30) for name, value in state.items()}
    estimator.load_state_dict(huge)
    assert assert_predictions_finite_or_refused(estimator, X)
    with pytest.raises(FloatingPointError, match="standardize the inputs"):
        with np.errstate(all="ignore"):
            estimator.predict(X)
    estimator.load_state_dict(state)
    assert not assert_predictions_finite_or_refused(estimator, X)


@pytest.mark.parametrize("scale", [1e150, 1e200, 1e300])
def test_regressor_with_huge_finite_targets_never_returns_non_finite_predictions(scale):
    """y is finite, so fit accepts it; its standard deviation overflows float64
    above about 1e154. Predictions must then still be finite, or refused with
    FloatingPointError, never +-inf."""
    X, _, values = data(n=20)
    y = values / np.abs(values).max() * scale
    assert np.all(np.isfinite(y))
    estimator = GRURegressor(hidden_size=4, max_iter=2, random_state=0, n_threads=1, **DIVERGING)
    caught = fit_recording(estimator, X, y)
    try:
        with np.errstate(all="ignore"):
            predictions = estimator.predict(X)
    except FloatingPointError:
        return
    assert np.all(np.isfinite(predictions)), (
        f"predict returned {predictions[:3]} ... for finite targets of scale {scale:g}; "
        f"warnings: {[message for _, message in caught]}")


def test_an_overflowing_l2_penalty_is_a_non_finite_loss():
    """The L2 penalty (alpha > 0) is part of the loss. When huge but finite
    weights make it overflow, the loss is infinite: the step must be refused
    like any other non-finite loss, not recorded in loss_curve_ as inf."""
    X, labels, _ = data()
    params = dict(cell="lstm", solver="sgd", learning_rate_init=1e12, max_grad_norm=None,
                  hidden_size=4, batch_size=5, max_iter=30, random_state=0, n_threads=1,
                  **DIVERGING)
    plain = RecurrentClassifier(**dict(params, alpha=0.0))
    fit_recording(plain, X, labels)
    assert all(np.isfinite(plain.loss_curve_))  # the same fit without the penalty
    penalized = RecurrentClassifier(**dict(params, alpha=1e-4))
    diverged_warning(fit_recording(penalized, X, labels))
    assert all(np.isfinite(penalized.loss_curve_)), penalized.loss_curve_
    assert np.isfinite(penalized.best_loss_)


def test_weights_loaded_non_finite_are_refused():
    X, labels, _ = data(n=8)
    estimator = LSTMClassifier(hidden_size=4, max_iter=1, random_state=0, n_threads=1, **DIVERGING)
    fit_recording(estimator, X, labels)
    state = estimator.state_dict()
    predictions = estimator.predict_proba(X)
    for bad in (np.nan, np.inf):
        broken = dict(state)
        broken["rnn.weight_hh_l0"] = state["rnn.weight_hh_l0"].copy()
        broken["rnn.weight_hh_l0"][0, 0] = bad
        with pytest.raises(ValueError, match="rnn.weight_hh_l0 contains NaN or infinity"):
            estimator.load_state_dict(broken)
    # Finite values that a float32 model cannot hold, and complex ones, are named as such.
    large = dict(state, **{"rnn.weight_hh_l0": state["rnn.weight_hh_l0"].astype(np.float64)})
    large["rnn.weight_hh_l0"][0, 0] = 1e300
    with pytest.raises(ValueError, match=r"beyond the range of float32 \(largest .* 1e\+300"):
        estimator.load_state_dict(large)
    with pytest.raises(ValueError, match="Complex data not supported: head.bias"):
        estimator.load_state_dict(dict(state, **{"head.bias": state["head.bias"] + 1j}))
    np.testing.assert_array_equal(estimator.predict_proba(X), predictions)


def test_a_fit_diverging_in_its_first_epoch_has_no_loss_not_an_earlier_ones():
    X, labels, _ = data()
    params = dict(hidden_size=4, max_iter=2, random_state=0, n_threads=1)
    fresh = LSTMClassifier(learning_rate_init=1e300, **params)
    diverged_warning(fit_recording(fresh, X, labels))
    assert fresh.n_iter_ == 0 and fresh.loss_curve_ == [] and fresh.loss_ is None
    refitted = LSTMClassifier(**params).fit(X, labels)
    assert refitted.loss_ is not None
    refitted.set_params(learning_rate_init=1e300)
    diverged_warning(fit_recording(refitted, X, labels))
    assert refitted.n_iter_ == 0 and refitted.loss_ is None
