"""Real Ctrl-C (SIGINT) during fit and predict.

A timer thread sends SIGINT to the process while the main thread trains. fit must
stop within about one minibatch, warn "Training interrupted by user.", restore
the SIGINT handler it found, and leave a usable model whose weights are those of
the steps that landed, every step landing whole.

While a test waits for its signal, SIGINT goes to a handler that raises
KeyboardInterrupt only while the test is "armed", so a late signal can never
interrupt the test session itself.
"""
import os
import signal
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import rnnsk._optim
from rnnsk import LSTMClassifier

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_kill"),
                                reason="needs POSIX signals (signal.pthread_kill)")

INTERRUPTED = "Training interrupted by user."


@contextmanager
def sigint_raises_while_armed():
    """Install a SIGINT handler that raises KeyboardInterrupt while armed[0] is
    True and only records the signal otherwise; yields (armed, received)."""
    assert threading.current_thread() is threading.main_thread()
    armed, received = [False], []

    def handler(signum, frame):
        received.append(time.perf_counter())
        if armed[0]:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield armed, received, handler
    finally:
        armed[0] = False
        signal.signal(signal.SIGINT, previous)


def send_sigint(how):
    if how == "pthread_kill":
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    else:
        os.kill(os.getpid(), signal.SIGINT)


def data(n, steps=30, features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


def never_converging(**changes):
    """Parameters of a fit that only stops at max_iter (or when interrupted)."""
    params = dict(hidden_size=32, batch_size=16, random_state=0, n_threads=1, tol=0.0,
                  n_iter_no_change=10**6, learning_rate_init=1e-3)
    params.update(changes)
    return params


def seconds_per_step(params, X, y):
    """Time of one optimizer step (forward, backward, update) of these parameters."""
    estimator = LSTMClassifier(**dict(params, max_iter=1))
    steps = int(np.ceil(len(X) / params["batch_size"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)  # warm-up
        started = time.perf_counter()
        LSTMClassifier(**dict(params, max_iter=2)).fit(X, y)
    return (time.perf_counter() - started) / (2 * steps)


def fit_interrupted(estimator, X, y, *, after, how, armed):
    """Fit, with SIGINT sent ``after`` seconds; returns (seconds from the signal
    to fit's return, estimator.t_ when the signal was sent, warnings)."""
    sent = {}

    def interrupt():
        sent["t_"] = getattr(estimator, "t_", 0)
        sent["time"] = time.perf_counter()
        send_sigint(how)

    timer = threading.Timer(after, interrupt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        armed[0] = True
        timer.start()
        try:
            estimator.fit(X, y)
        finally:
            armed[0] = False
            returned = time.perf_counter()
            timer.cancel()
            timer.join()
    assert "time" in sent, "fit ended before the signal was sent"
    return returned - sent["time"], sent["t_"], caught


@pytest.mark.parametrize("how", ["pthread_kill", "os.kill"])
def test_sigint_stops_a_long_fit_within_a_minibatch(how):
    X, y = data(96)
    params = never_converging()
    step = seconds_per_step(params, X, y)
    steps_per_epoch = int(np.ceil(len(X) / params["batch_size"]))
    # Enough epochs for ~30 s: far more than the 0.3 s before the signal.
    max_iter = int(30 / (step * steps_per_epoch)) + 10
    clf = LSTMClassifier(**dict(params, max_iter=max_iter))
    with sigint_raises_while_armed() as (armed, received, handler):
        latency, t_at_signal, caught = fit_interrupted(clf, X, y, after=0.3, how=how,
                                                       armed=armed)
        # Ours, or the one fit holds SIGINT back with while it writes an update.
        assert len(received) <= 1
        # fit put back the handler it found.
        assert signal.getsignal(signal.SIGINT) is handler
    messages = [(w.category, str(w.message)) for w in caught]
    assert messages.count((UserWarning, INTERRUPTED)) == 1, messages
    assert not any(issubclass(category, ConvergenceWarning) for category, _ in messages)
    # Within one minibatch: at most the step in flight (and one that started
    # while the signal was on its way) lands after it; a generous bound in time.
    assert clf.t_ - t_at_signal <= 2 * params["batch_size"]
    assert latency < 3 * step + 0.5, f"fit returned {latency:.3f} s after SIGINT " \
                                     f"(one step takes {step:.3f} s)"
    # A usable model.
    assert 0 < clf.t_ and clf.n_iter_ < max_iter
    assert clf.n_iter_ == len(clf.loss_curve_)
    assert all(np.all(np.isfinite(v)) for v in clf.state_dict().values())
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    n_iter = clf.n_iter_
    clf.partial_fit(X, y)
    assert clf.n_iter_ == n_iter + 1


def test_sigint_keeps_the_weights_of_whole_steps():
    """Full-batch training (one step per epoch): after the interrupt the weights
    are exactly those of an uninterrupted fit of n_iter_ epochs, or of n_iter_ + 1
    when the signal arrived while the last step was being written (it is then
    held back until the step is whole)."""
    X, y = data(64, steps=40)
    params = never_converging(batch_size=64, hidden_size=24)
    step = seconds_per_step(params, X, y)
    clf = LSTMClassifier(**dict(params, max_iter=int(20 / step) + 10))
    with sigint_raises_while_armed() as (armed, _, _handler):
        fit_interrupted(clf, X, y, after=0.3, how="pthread_kill", armed=armed)
    assert clf.n_iter_ >= 1, "the signal came before the first step"
    state = clf.state_dict()
    matches = []
    for epochs in (clf.n_iter_, clf.n_iter_ + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reference = LSTMClassifier(**dict(params, max_iter=epochs)).fit(X, y)
        expected = reference.state_dict()
        if all(np.array_equal(state[name], expected[name]) for name in expected):
            matches.append(epochs)
            assert clf.loss_curve_ == reference.loss_curve_[:clf.n_iter_]
    assert matches, "the weights are not those of a whole number of steps"


def test_sigint_during_an_optimizer_update_counts_the_step_that_landed(monkeypatch):
    """SIGINT raised (really, with signal.raise_signal) while an update is being
    written is held back until the update is whole; the step has then landed,
    so t_ (training samples seen) must count it, as the weights and the
    optimizer's state do."""
    X, y = data(60, steps=6, features=3)
    params = dict(hidden_size=8, batch_size=15, max_iter=5, random_state=0, n_threads=1)
    commit = rnnsk._optim._commit
    calls = []

    def commit_with_sigint(parameters, new_values, keep_state):
        calls.append(1)
        if len(calls) != 6:
            return commit(parameters, new_values, keep_state)

        def keep_state_after_sigint():
            signal.raise_signal(signal.SIGINT)  # arrives inside the held-back block
            keep_state()

        return commit(parameters, new_values, keep_state_after_sigint)

    monkeypatch.setattr(rnnsk._optim, "_commit", commit_with_sigint)
    clf = LSTMClassifier(**params)
    with sigint_raises_while_armed() as (armed, received, _handler):
        armed[0] = True
        with pytest.warns(UserWarning, match=INTERRUPTED):
            clf.fit(X, y)
        armed[0] = False
    monkeypatch.undo()
    # The signal went to the handler holding it back, not to ours.
    assert received == [] and len(calls) == 6

    # The 6th update landed whole: the weights are those after 6 steps, i.e.
    # after 1 epoch of 4 steps and 2 steps of the second epoch.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        six_steps = LSTMClassifier(**params)
        stop_at = []

        def commit_six(parameters, new_values, keep_state):
            stop_at.append(1)
            if len(stop_at) == 7:
                raise KeyboardInterrupt
            return commit(parameters, new_values, keep_state)

        monkeypatch.setattr(rnnsk._optim, "_commit", commit_six)
        six_steps.fit(X, y)
        monkeypatch.undo()
    expected = six_steps.state_dict()
    for name, value in clf.state_dict().items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    assert clf.n_iter_ == 1
    assert clf.t_ == 6 * 15, f"t_ = {clf.t_}: the step that landed is not counted"


def test_sigint_during_predict_leaves_the_estimator_usable():
    """Ctrl-C during a long predict raises KeyboardInterrupt (predict has nothing
    to keep); the estimator, its network's lock and BLAS settings stay usable."""
    X, y = data(32, steps=10)
    clf = LSTMClassifier(hidden_size=64, max_iter=1, random_state=0, n_threads=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    expected = clf.predict_proba(X)
    # Long enough that the signal, sent after three chunks' time, lands while
    # the predict of all twenty runs.
    big = np.random.default_rng(1).standard_normal((6000, 120, 4))
    started = time.perf_counter()
    clf.predict_proba(big[:300])
    per_chunk = time.perf_counter() - started
    assert per_chunk * 20 > 0.2, "predict too fast to interrupt"
    with sigint_raises_while_armed() as (armed, received, _handler):
        timer = threading.Timer(min(0.2, per_chunk * 3), send_sigint, args=("pthread_kill",))
        armed[0] = True
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                clf.predict_proba(big)
        finally:
            armed[0] = False
            timer.cancel()
            timer.join()
        assert len(received) == 1
    # The network's lock was released: a call from another thread finishes.
    result = []
    thread = threading.Thread(target=lambda: result.append(clf.predict_proba(X)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "predict from another thread blocked after the interrupt"
    np.testing.assert_array_equal(result[0], expected)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)
