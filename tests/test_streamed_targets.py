"""The regressors' target scaling over a stream of partial_fit calls: the mean
and variance of every target so far, the output layer rescaled so that each
update leaves the predictions as they were (Pop-Art)."""
import numpy as np
import pytest

from rnnsk import LSTMRegressor, RecurrentStepRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=8, random_state=0, n_threads=1, learning_rate="constant")


def chunk(seed, n=20, level=5000.0):
    """Sequences whose target is a mean of their first feature, in thousands."""
    X = np.random.default_rng(seed).standard_normal((n, 6, 2))
    return X, X[:, :, 0].mean(axis=1) * 1000 + level


def steps_chunk(seed, n=10):
    rng = np.random.default_rng(seed)
    X = [rng.standard_normal((int(rng.integers(3, 7)), 2)) for _ in range(n)]
    return X, [300 * x[:, 0] - 40 for x in X]


def test_the_scaling_is_that_of_every_target_so_far_with_its_weight():
    """Against numpy's weighted mean and standard deviation of all targets."""
    reg = LSTMRegressor(**FAST)
    seen, weights = [], []
    for call, (n, level) in enumerate([(1, 0.0), (2, 100.0), (15, -3e3), (7, 50.0)]):
        X, y = chunk(call, n=n, level=level)
        w = np.random.default_rng(call).uniform(0.5, 3.0, size=n)
        reg.partial_fit(X, y, sample_weight=w)
        seen.append(y)
        weights.append(w)
    y, w = np.concatenate(seen), np.concatenate(weights)
    mean = np.average(y, weights=w)
    std = np.sqrt(np.average((y - mean) ** 2, weights=w))
    np.testing.assert_allclose(reg._target_scaling[0], [mean], rtol=1e-12)
    np.testing.assert_allclose(reg._target_scaling[1], [std], rtol=1e-10)


def test_an_update_of_the_scaling_leaves_the_predictions_as_they_were():
    X, y = chunk(0)
    reg = LSTMRegressor(**FAST).partial_fit(X, y)
    before = reg.predict(X)
    # Targets far from the first ones move the scaling; a rate of 1e-30 moves no weight.
    reg.set_params(learning_rate_init=1e-30).partial_fit(*chunk(1, level=-2e4))
    assert abs(reg._target_scaling[0][0] - y.mean()) > 1e3
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-5)


def test_a_stream_started_on_one_sequence_learns():
    """Fixed by the first call, the scale was 1 and the stream's targets, in
    the thousands, were never learned (test R² -0.21)."""
    X_test, y_test = chunk(9999, n=200)
    reg = LSTMRegressor(**FAST)
    X, y = chunk(1)
    reg.partial_fit(X[:1], y[:1])
    for call in range(40):
        reg.partial_fit(*chunk(100 + call))
    assert reg.score(X_test, y_test) > 0.5


def test_a_partial_fit_after_fit_counts_the_fits_targets():
    X, y = chunk(0, n=30)
    reg = LSTMRegressor(**FAST, max_iter=2).fit(X, y)
    X_more, y_more = chunk(1, n=10, level=8000.0)
    reg.partial_fit(X_more, y_more)
    every = np.concatenate([y, y_more])
    np.testing.assert_allclose(reg._target_scaling[0], [every.mean()], rtol=1e-12)
    np.testing.assert_allclose(reg._target_scaling[1], [every.std()], rtol=1e-10)


def test_a_warm_start_fit_keeps_the_first_fits_scaling():
    X, y = chunk(0, n=30)
    reg = LSTMRegressor(**FAST, max_iter=2, warm_start=True).fit(X, y)
    scaling = reg._target_scaling
    reg.fit(*chunk(1, n=30, level=8000.0))
    assert reg._target_scaling is scaling


def test_the_step_regressor_counts_every_real_step():
    reg = RecurrentStepRegressor(hidden_size=4, random_state=0, n_threads=1)
    X, y = steps_chunk(0, n=1)
    reg.partial_fit(X, y)
    X_more, y_more = steps_chunk(1)
    before = reg.set_params(learning_rate_init=1e-30).predict(X_more)
    reg.partial_fit(X_more, y_more)
    every = np.concatenate(y + y_more)
    np.testing.assert_allclose(reg._target_scaling[0], [every.mean()], rtol=1e-10)
    np.testing.assert_allclose(reg._target_scaling[1], [every.std()], rtol=1e-10)
    for now, then in zip(reg.predict(X_more), before):
        np.testing.assert_allclose(now, then, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kind", ["sequences", "steps"])
def test_a_prediction_during_a_rescale_reads_one_scaling(kind):
    """predict read the outputs and the target scaling in two turns: a
    partial_fit between them rescaled one but not the other (predictions off
    by thousands)."""
    import threading
    if kind == "sequences":
        X, y = chunk(0)
        X_new, y_new = chunk(1, level=-2e4)
        reg = LSTMRegressor(**FAST).partial_fit(X, y)
        slow = "_forward"
    else:
        X, y = steps_chunk(0)
        X_new, y_new = steps_chunk(1)
        y_new = [100 * values + 1e4 for values in y_new]
        reg = RecurrentStepRegressor(hidden_size=4, random_state=0, n_threads=1)
        reg.partial_fit(X, y)
        slow = "_step_outputs"
    expected = reg.predict(X)
    inside, got = threading.Event(), []
    original = getattr(reg, slow)

    def waiting(*args):
        # The window another thread's partial_fit used: after the outputs, before
        # the scaling was read (sequences); after it, before the outputs (steps).
        outputs = original(*args) if kind == "sequences" else None
        inside.set()
        threading.Event().wait(0.5)
        return outputs if kind == "sequences" else original(*args)

    setattr(reg, slow, waiting)
    predicting = threading.Thread(target=lambda: got.append(reg.predict(X)))
    predicting.start()
    inside.wait(5)
    reg.set_params(learning_rate_init=1e-30).partial_fit(X_new, y_new)  # moves the scaling
    predicting.join(10)
    delattr(reg, slow)
    for during, before in zip(got[0], expected):
        np.testing.assert_allclose(during, before, rtol=1e-5, atol=1e-3)
