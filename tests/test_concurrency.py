"""Python threads: shared estimators, simultaneous fits, and the GIL.

RecurrentNetwork serializes the calls made on one network (its C++ workspace and
tape are shared) and releases the GIL while C++ computes, so other Python
threads run meanwhile. The machine may have two cores and be busy: timing
assertions compare intervals and progress, never absolute speed-ups.
"""
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRURegressor, LSTMClassifier, RecurrentClassifier, RecurrentNetwork
from rnnsk._optim import AdamOptimizer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

JOIN_TIMEOUT = 120  # seconds; a deadlock fails the test instead of hanging the run


def run_in_threads(target, arguments):
    """Run target(*a) for each a in its own thread, all released at once by a
    barrier; returns the results in order and re-raises the first exception."""
    barrier = threading.Barrier(len(arguments))
    results = [None] * len(arguments)
    errors = []

    def work(index, args):
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[index] = target(*args)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i, a), daemon=True)
               for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread did not finish: deadlock?"
    if errors:
        raise errors[0]
    return results


def data(n=48, steps=6, features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int), X[:, :, 1].mean(axis=1)


# ------------------------------------------------------- estimators --

@pytest.mark.parametrize("n_threads", [1, 2])
def test_predict_from_four_threads_equals_serial(n_threads):
    X, y, _ = data()
    clf = LSTMClassifier(hidden_size=16, max_iter=3, random_state=0, n_threads=n_threads,
                         bidirectional=True).fit(X, y)
    rng = np.random.default_rng(1)
    # Different inputs per thread (ragged lists too), several calls each.
    inputs = [rng.standard_normal((40 + 10 * k, 6, 3)) for k in range(4)]
    inputs[3] = [x[: 1 + i % 6] for i, x in enumerate(inputs[3])]
    serial = [clf.predict_proba(X_k) for X_k in inputs]

    def predict_repeatedly(X_k):
        return [clf.predict_proba(X_k) for _ in range(15)]

    concurrent = run_in_threads(predict_repeatedly, [(X_k,) for X_k in inputs])
    for expected, results in zip(serial, concurrent):
        for result in results:
            np.testing.assert_array_equal(result, expected)


def test_predict_and_score_on_one_estimator_from_threads_of_different_kinds():
    X, _, values = data()
    reg = GRURegressor(hidden_size=8, max_iter=3, random_state=0, n_threads=1).fit(X, values)
    expected_predictions = reg.predict(X)
    expected_score = reg.score(X, values)
    expected_state = reg.state_dict()

    def predictions():
        return [reg.predict(X) for _ in range(10)]

    def scores():
        return [reg.score(X, values) for _ in range(10)]

    def states():
        return [reg.state_dict() for _ in range(10)]

    got = run_in_threads(lambda f: f(), [(predictions,), (scores,), (states,), (predictions,)])
    for result in got[0] + got[3]:
        np.testing.assert_array_equal(result, expected_predictions)
    assert got[1] == [expected_score] * 10
    for state in got[2]:
        for name, value in expected_state.items():
            np.testing.assert_array_equal(state[name], value)


@pytest.mark.parametrize("make", [
    lambda: LSTMClassifier(hidden_size=8, max_iter=4, random_state=0, n_threads=1),
    lambda: RecurrentClassifier(cell="rnn_relu", hidden_size=8, max_iter=4, random_state=3,
                                n_threads=1, solver="sgd", dropout=0.2, num_layers=2),
], ids=["lstm", "rnn_relu-sgd-dropout"])
def test_two_estimators_fitting_at_once_equal_their_serial_fits(make):
    X, y, _ = data(seed=0)
    X2, y2, _ = data(seed=1)
    serial = [make().fit(X, y), make().fit(X2, y2)]

    def fit(X_k, y_k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return make().fit(X_k, y_k)

    for _ in range(2):
        concurrent = run_in_threads(fit, [(X, y), (X2, y2)])
        for expected, got in zip(serial, concurrent):
            expected_state, state = expected.state_dict(), got.state_dict()
            assert list(state) == list(expected_state)
            for name in expected_state:
                np.testing.assert_array_equal(state[name], expected_state[name], err_msg=name)
            assert got.loss_curve_ == expected.loss_curve_
            np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))


def test_a_second_fit_of_one_estimator_at_once_is_refused_clearly():
    """It interleaved its steps with the first (a TypeError in the model's
    backward, reading the other step's tape)."""
    X, y, _ = data()
    clf = LSTMClassifier(hidden_size=4, max_iter=1, random_state=0, n_threads=1)
    started, release = threading.Event(), threading.Event()
    original = clf._fit_on_one_blas_thread

    def held(*args, **kwargs):
        started.set()
        release.wait(JOIN_TIMEOUT)
        return original(*args, **kwargs)

    clf._fit_on_one_blas_thread = held
    first = threading.Thread(target=clf.fit, args=(X, y), daemon=True)
    first.start()
    started.wait(JOIN_TIMEOUT)
    with pytest.raises(RuntimeError, match="being fitted in another thread: fit a clone"):
        clf.partial_fit(X, y, classes=[0, 1])
    release.set()
    first.join(JOIN_TIMEOUT)
    del clf._fit_on_one_blas_thread
    assert clf.n_iter_ == 1
    clf.partial_fit(X, y)  # the fit done, the estimator is free again
    assert clf.n_iter_ == 2


def test_fits_and_predictions_of_different_estimators_interleaved():
    """One thread fits while others predict with another fitted estimator."""
    X, y, values = data()
    fitted = GRURegressor(hidden_size=8, max_iter=2, random_state=0, n_threads=1).fit(X, values)
    expected = fitted.predict(X)
    reference = LSTMClassifier(hidden_size=8, max_iter=6, random_state=0, n_threads=1).fit(X, y)

    def fit():
        return LSTMClassifier(hidden_size=8, max_iter=6, random_state=0, n_threads=1).fit(X, y)

    def predict():
        return [fitted.predict(X) for _ in range(20)]

    got = run_in_threads(lambda f: f(), [(fit,), (predict,), (predict,)])
    for name, value in reference.state_dict().items():
        np.testing.assert_array_equal(got[0].state_dict()[name], value, err_msg=name)
    for results in got[1:]:
        for result in results:
            np.testing.assert_array_equal(result, expected)


# -------------------------------------------------------- networks --

def test_calls_on_one_network_from_threads_are_serialized_and_correct():
    """The lock around the shared C++ workspace: concurrent forwards of different
    batch shapes on one network each get exactly their serial result."""
    net = RecurrentNetwork("gru", 4, 32, num_layers=2, bidirectional=True,
                           dtype=np.float64, random_state=0, n_threads=1)
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((8 + 5 * k, 10 + k, 4)) for k in range(4)]
    lengths = [rng.integers(1, X.shape[1] + 1, size=len(X)) for X in batches]
    serial = [net.forward(X, L) for X, L in zip(batches, lengths)]

    def forward_repeatedly(X, L):
        return [net.forward(X, L) for _ in range(10)]

    concurrent = run_in_threads(forward_repeatedly, list(zip(batches, lengths)))
    for expected, results in zip(serial, concurrent):
        for result in results:
            for got, want in zip(result, expected):
                if want is not None:
                    np.testing.assert_array_equal(got, want)


def test_optimizer_steps_on_one_network_from_two_threads_land_whole():
    """An optimizer step is a transaction on the network (propose aside, then
    commit): steps from several threads through one optimizer each land whole,
    none lost or mixed with another's. With one gradient throughout, the
    parameters, moments and step count after them are those of as many serial
    steps."""
    threads, steps = 2, 1000

    def network_and_optimizer():
        net = RecurrentNetwork("gru", 3, 4, dtype=np.float64, random_state=0)
        net.flat_gradients = np.linspace(-1.0, 1.0, net.flat_gradients.size)
        return net, AdamOptimizer([], 0.01, networks=[net])

    serial, serial_optimizer = network_and_optimizer()
    for _ in range(threads * steps):
        serial_optimizer.step([], [], networks=[serial])
    net, optimizer = network_and_optimizer()

    def step_repeatedly():
        for _ in range(steps):
            optimizer.step([], [], networks=[net])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python can
    try:
        run_in_threads(step_repeatedly, [()] * threads)
    finally:
        sys.setswitchinterval(interval)
    assert optimizer.t == threads * steps
    np.testing.assert_array_equal(net.flat_parameters, serial.flat_parameters)
    for got, want in zip(net._core.optimizer_state(), serial._core.optimizer_state()):
        np.testing.assert_array_equal(got, want)


def test_a_transaction_holds_other_threads_off_until_its_step_is_committed():
    """A write of the parameters from another thread waits for the step held
    in a transaction (landing between proposal and commit, it would make the
    proposal stale), then lands on the stepped parameters."""
    net = RecurrentNetwork("rnn_tanh", 2, 3, dtype=np.float64, random_state=0)
    net.flat_gradients = np.ones(net.flat_gradients.size)
    written = np.full(net.flat_parameters.size, 0.5)
    writer = threading.Thread(target=lambda: setattr(net, "flat_parameters", written),
                              daemon=True)
    with net.transaction():
        assert net.propose_sgd(0.1, 0.0, False)
        writer.start()
        writer.join(0.2)
        assert writer.is_alive()  # waiting for the transaction
        net.commit()
        stepped = np.array(net.flat_parameters)
    writer.join(JOIN_TIMEOUT)
    assert not writer.is_alive()
    np.testing.assert_array_equal(net.flat_parameters, written)
    assert not np.array_equal(stepped, written)


def long_forward_setup(seed):
    """A network and a batch for a forward pass long enough to time (n_threads=1)."""
    net = RecurrentNetwork("lstm", 16, 96, dtype=np.float32, random_state=seed,
                           n_threads=1)
    X = np.random.default_rng(seed).standard_normal((48, 60, 16)).astype(np.float32)
    net.forward(X[:, :5])  # warm up: workspace allocation, BLAS initialisation
    started = time.perf_counter()
    net.forward(X)
    once = time.perf_counter() - started
    # Aim for calls of about 0.15 s, whatever the machine.
    steps = int(np.clip(60 * 0.15 / max(once, 1e-4), 60, 3000))
    X = np.random.default_rng(seed).standard_normal((48, steps, 16)).astype(np.float32)
    return net, X


def counter_share(call, attempts=3):
    """How far a pure-Python counting thread gets while ``call`` runs, relative to
    how far it gets while the main thread sleeps as long: near zero if ``call``
    held the GIL throughout. The best of a few attempts (the machine may be busy)."""
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    thread = threading.Thread(target=counter, daemon=True)
    thread.start()
    ratios = []
    try:
        for _ in range(attempts):
            start = count[0]
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
            during_compute = count[0] - start
            start = count[0]
            time.sleep(elapsed)
            ratios.append(during_compute / max(count[0] - start, 1))
            if ratios[-1] > 0.2:
                break
    finally:
        stop.set()
        thread.join(JOIN_TIMEOUT)
    return max(ratios)


def test_the_gil_is_released_during_forward():
    net, X = long_forward_setup(0)
    share = counter_share(lambda: net.forward(X))
    assert share > 0.2, f"the counter barely ran during C++ calls: {share}"


def test_the_gil_is_released_during_backward():
    net, X = long_forward_setup(1)
    out, _, _ = net.forward(X, training=True)
    d_out = np.ones_like(out)
    share = counter_share(lambda: net.backward(d_out))
    assert share > 0.2, f"the counter barely ran during C++ calls: {share}"


def test_forwards_on_two_networks_overlap_in_time():
    """Two threads, two networks: each call's interval overlaps the other's for
    most of its length (serialized by a held GIL, they would follow each other)."""
    setups = [long_forward_setup(0), long_forward_setup(1)]
    expected = [net.forward(X)[0] for net, X in setups]

    def timed_forward(net, X):
        started = time.perf_counter()
        out = net.forward(X)[0]
        return started, time.perf_counter(), out

    best = 0.0
    for _ in range(3):
        (s1, e1, out1), (s2, e2, out2) = run_in_threads(timed_forward, setups)
        np.testing.assert_array_equal(out1, expected[0])
        np.testing.assert_array_equal(out2, expected[1])
        overlap = min(e1, e2) - max(s1, s2)
        best = max(best, overlap / min(e1 - s1, e2 - s2))
        if best > 0.5:
            break
    assert best > 0.5, f"the two calls overlapped for only {best:.0%} of the shorter one"
