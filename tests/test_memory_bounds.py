"""Memory of backpropagation through time: estimated before the core runs, refused
with MemoryError when it cannot fit, and bounded with truncated BPTT."""
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from rnnsk import GRURegressor, LSTMClassifier, LSTMRegressor, RecurrentNetwork
from rnnsk._memory import core_bytes, total_bytes


def test_a_batch_that_cannot_fit_is_refused_before_anything_is_allocated():
    net = RecurrentNetwork("lstm", 1, 512)
    X = np.zeros((4, 2_000_000, 1), np.float32)  # 32 MB of input, ~230 GiB to train on
    with pytest.raises(MemoryError, match=r"needs about .* GiB .* more than the .* GiB "
                                          r"available.*bptt_steps"):
        net.forward(X, training=True)


@pytest.mark.skipif(total_bytes() is None, reason="the machine's memory cannot be read")
@pytest.mark.parametrize("change", [dict(hidden_size=10**6), dict(hidden_size=(8, 10**6)),
                                    dict(hidden_size=300_000, bidirectional=True)])
def test_a_network_that_cannot_fit_is_refused_naming_its_size(change):
    X, y = np.zeros((4, 3, 1)), [0, 1, 0, 1]
    clf = LSTMClassifier(max_iter=1, **change)
    with pytest.raises(MemoryError, match=r"hidden_size=\[.*\] needs at least .* GiB .* "
                                          r"more than the .* GiB this machine has"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


@pytest.mark.skipif(total_bytes() is None, reason="the machine's memory cannot be read")
@pytest.mark.parametrize("num_layers", [2**27, 2**31])
def test_a_depth_that_cannot_fit_is_refused_before_its_layers_are_listed(num_layers):
    """(hidden_size,) * 2**31 alone would take 16 GiB: the process was killed
    before the network's own check; the message names the depth, not every layer."""
    X, y = np.zeros((4, 3, 1)), [0, 1, 0, 1]
    clf = LSTMClassifier(hidden_size=64, num_layers=num_layers, max_iter=1)
    with pytest.raises(MemoryError, match=rf"hidden_size=64 and num_layers={num_layers} "
                                          r"needs at least .* GiB") as error:
        clf.fit(X, y)
    assert len(str(error.value)) < 300
    assert not hasattr(clf, "model_")


@pytest.mark.skipif(total_bytes() is None, reason="the machine's memory cannot be read")
def test_a_bare_network_that_cannot_fit_is_refused_naming_its_size():
    """(the core's std::bad_alloc reached the user as MemoryError('std::bad_alloc'))"""
    with pytest.raises(MemoryError, match=r"a gru network of input_size=1048576, "
                                          r"hidden_size=1048576 and num_layers=1 needs at "
                                          r"least .* GiB for its weights and their gradients"):
        RecurrentNetwork("gru", 2**20, 2**20)


def test_loading_weights_copies_them_out_of_the_core_at_most_once(monkeypatch):
    """load_parameters read every parameter view once per name, each read
    copying all weights out of the core: quadratic in the depth (a fit of 200
    layers took 20 s to start). It reads the layout instead."""
    net = RecurrentNetwork("lstm", 3, 4, num_layers=5)
    weights = {name: np.full_like(value, 0.5) for name, value in net.parameters.items()}
    reads = []
    flat = RecurrentNetwork.flat_parameters
    monkeypatch.setattr(RecurrentNetwork, "flat_parameters", property(
        lambda self: reads.append(1) or flat.fget(self), flat.fset))
    net.load_parameters(weights)
    assert len(reads) == 1
    monkeypatch.undo()
    assert all(np.all(value == 0.5) for value in net.parameters.values())


# Long sequences (the tape dominates) and short ones over many samples (the
# per-sequence buffers dominate), for training and inference.
SHAPES = [(16, 1500, True), (16, 1500, False), (50_000, 2, True), (50_000, 2, False)]


def _grown_and_estimate(cell, batch, steps, training, num_layers=2):
    """How much the high-water mark of a fresh process grows over one training
    step or one inference of a bidirectional network, and the estimate."""
    script = textwrap.dedent(f"""
        import numpy as np
        from rnnsk import RecurrentNetwork
        from rnnsk._memory import core_bytes, total_bytes

        def peak():
            status = open("/proc/self/status").read()
            return int(status.split("VmHWM:")[1].split()[0]) * 1024

        net = RecurrentNetwork("{cell}", 16, 64, num_layers={num_layers}, bidirectional=True)
        X = np.zeros(({batch}, {steps}, 16), np.float32)
        d_out = np.ones(({batch}, {steps}, 128), np.float32) if {training} else None
        before = peak()
        out, h_n, c_n = net.forward(X, training={training})
        if {training}:
            net.backward(d_out)
        grown = peak() - before
        print(grown, core_bytes(net, {batch}, {steps}, {batch * steps}, training={training}))
    """)
    # -P: the installed rnnsk, never the source folder of a clone in the working directory.
    result = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True, text=True,
                            check=True)
    grown, estimate = map(int, result.stdout.split())
    assert estimate > 0
    return grown, estimate


@pytest.mark.parametrize("batch, steps, training", SHAPES,
                         ids=[f"B{b}-T{t}-{'train' if tr else 'infer'}" for b, t, tr in SHAPES])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_measured_peak_memory_stays_within_the_estimate(cell, batch, steps, training):
    """The high-water mark grows by no more than the estimate (plus the test's
    own gradient array)."""
    grown, estimate = _grown_and_estimate(cell, batch, steps, training)
    assert grown <= 1.1 * estimate


def test_inference_keeps_two_layers_outputs_whatever_the_depth():
    """Inference alternates two buffers for the layers' outputs, so past two
    layers its memory per time step does not grow with depth; training keeps
    every layer's outputs for backward."""
    def per_step(num_layers, training):
        net = RecurrentNetwork("lstm", 16, 64, num_layers=num_layers, bidirectional=True)
        return (core_bytes(net, 16, 1500, 24_000, training=training)
                - core_bytes(net, 16, 1500, 12_000, training=training))

    assert per_step(4, training=False) == per_step(2, training=False)
    assert per_step(4, training=False) < per_step(4, training=True)
    net = RecurrentNetwork("lstm", 16, 64, num_layers=4, bidirectional=True)
    assert (core_bytes(net, 16, 1500, 24_000, training=False)
            < core_bytes(net, 16, 1500, 24_000, training=True))
    # Over sequences long enough for the outputs to dominate, four layers take one
    # buffer of outputs more than two (whose last layer writes the caller's
    # array), not one per layer.
    grown, estimate = _grown_and_estimate("lstm", 16, 1500, False, num_layers=4)
    assert grown <= 1.1 * estimate
    grown_two_layers, _ = _grown_and_estimate("lstm", 16, 1500, False, num_layers=2)
    layer_outputs = 16 * 1500 * 128 * np.dtype(np.float32).itemsize
    assert grown - grown_two_layers < 1.5 * layer_outputs


def test_estimate_grows_with_the_real_steps_not_the_padding():
    net = RecurrentNetwork("gru", 8, 32)
    assert (core_bytes(net, 10, 1000, 500, training=True)
            < core_bytes(net, 10, 1000, 10_000, training=True))
    assert (core_bytes(net, 10, 100, 1000, training=False)
            < core_bytes(net, 10, 100, 1000, training=True))


def _long_series(length, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((length, 1)).astype(np.float32)


def test_truncated_bptt_trains_on_a_sequence_of_100000_steps_in_bounded_memory():
    X = [_long_series(100_000, seed) for seed in range(2)]
    y = np.array([0.5, -0.5])
    model = GRURegressor(hidden_size=8, bptt_steps=200, max_iter=2, random_state=0,
                         n_threads=1)
    window_net = RecurrentNetwork("gru", 1, 8)
    full = core_bytes(window_net, 2, 100_000, 200_000, training=True)
    window = core_bytes(window_net, 2, 200, 400, training=True)
    assert window < full / 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert model.n_iter_ == 2 and np.all(np.isfinite(model.predict(X)))


def test_bptt_steps_longer_than_every_sequence_changes_nothing():
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((n, 2)) for n in rng.integers(3, 12, size=30)]
    y = rng.integers(0, 2, size=30)
    # (bptt_steps reads one way: so does the full reading compared)
    settings = dict(hidden_size=8, max_iter=3, random_state=0, n_threads=1, bidirectional=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = LSTMClassifier(**settings).fit(X, y)
        windowed = LSTMClassifier(bptt_steps=12, **settings).fit(X, y)
    for name, value in full.state_dict().items():
        np.testing.assert_array_equal(windowed.state_dict()[name], value)


def test_reading_by_windows_gives_the_same_predictions_as_one_pass():
    rng = np.random.default_rng(1)
    X = [rng.standard_normal((n, 3)) for n in rng.integers(1, 40, size=25)]
    y = rng.integers(0, 3, size=25)
    # The final state: readouts over all steps see only the last window.
    settings = dict(hidden_size=(8, 4), max_iter=2, random_state=0, dtype="float64",
                    n_threads=1, readout="last", bidirectional=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        windowed = LSTMClassifier(bptt_steps=5, **settings).fit(X, y)
        # The same weights in a model that predicts in one pass.
        one_pass = LSTMClassifier(**settings).fit(X, y)
    one_pass.load_state_dict(windowed.state_dict())
    np.testing.assert_allclose(windowed.predict_proba(X), one_pass.predict_proba(X),
                               rtol=1e-12, atol=1e-14)


def test_truncated_bptt_learns_what_its_window_can_see():
    rng = np.random.default_rng(2)
    X = [rng.standard_normal((n, 1)).astype(np.float32) for n in rng.integers(60, 200, 160)]
    y = np.array([int(x[-4:, 0].mean() > 0) for x in X])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LSTMClassifier(hidden_size=16, bptt_steps=10, max_iter=40, random_state=0,
                               n_threads=1, readout="last").fit(X, y)
    assert model.score(X, y) > 0.9


def test_bptt_steps_refuses_bidirectional_networks():
    X = np.zeros((4, 6, 2))
    with pytest.raises(ValueError, match="bptt_steps needs bidirectional=False"):
        LSTMClassifier(bidirectional=True, bptt_steps=3).fit(X, [0, 1, 0, 1])


def test_the_classifiers_read_series_both_ways_unless_bptt_steps_truncates_the_reading():
    X, y = np.random.default_rng(0).standard_normal((8, 6, 2)), [0, 1] * 4
    settings = dict(hidden_size=4, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = LSTMClassifier(**settings).fit(X, y)
        windowed = LSTMClassifier(bptt_steps=3, **settings).fit(X, y)
        tokens = LSTMClassifier(embedding_dim=3, **settings).fit(np.arange(48).reshape(8, 6), y)
        regressor = LSTMRegressor(**settings).fit(X, np.arange(8.0))
    assert both.get_params()["bidirectional"] == "auto"
    assert both.model_.directions == 2 and "rnn.weight_ih_l0_reverse" in both.state_dict()
    assert windowed.model_.directions == 1
    assert tokens.model_.directions == 1  # token ids are read one way
    assert regressor.model_.directions == 1  # the regressors read one way by default
