"""Results do not depend on the thread count (DESIGN.md, Threads).

The batch is big enough for the core to split work among threads (its threshold is
2**23 multiply-adds per layer and direction: real steps x gates x hidden^2), ragged so
that the shares are uneven, and stacked bidirectional so that layers above the first
are threaded too.
"""

import numpy as np
import pytest

from rnnsk import RecurrentNetwork

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
TIGHT = {np.float64: 1e-13, np.float32: 1e-6}


def run(cell, dtype, n_threads, dropout=0.0):
    batch, steps, features, hidden = 64, 40, 16, 128
    rng = np.random.default_rng(0)
    net = RecurrentNetwork(cell, features, hidden, num_layers=2, bidirectional=True,
                           dropout=dropout, dtype=dtype, random_state=0, n_threads=n_threads)
    state = (4, batch, hidden)
    X = rng.standard_normal((batch, steps, features))
    lengths = rng.integers(1, steps + 1, size=batch)
    h0 = rng.standard_normal(state)
    c0 = rng.standard_normal(state) if cell == "lstm" else None
    d_out = rng.standard_normal((batch, steps, 2 * hidden))
    d_h_n = rng.standard_normal(state)
    d_c_n = rng.standard_normal(state) if cell == "lstm" else None
    out, h_n, c_n = net.forward(X, lengths, h0, c0, training=True, dropout_seed=3)
    dX, dh0, dc0 = net.backward(d_out, d_h_n, d_c_n)
    inference = net.forward(X, lengths, h0, c0)[0]
    results = {"out": out, "h_n": h_n, "dX": dX, "dh0": dh0, "grads": net.flat_gradients,
               "inference": inference}
    if cell == "lstm":
        results.update(c_n=c_n, dc0=dc0)
    return results


def assert_same(got, expected, dtype):
    assert sorted(got) == sorted(expected)
    tol = TIGHT[dtype]
    for key, value in expected.items():
        scale = max(1.0, float(np.abs(value).max()))
        np.testing.assert_allclose(got[key], value, rtol=tol, atol=tol * scale, err_msg=key)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("cell", CELLS)
def test_two_threads_match_one(cell, dtype):
    assert_same(run(cell, dtype, 2), run(cell, dtype, 1), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_dropout_mask_does_not_depend_on_thread_count(cell, dtype):
    single = run(cell, dtype, 1, dropout=0.5)
    # Dropout is active: the training output differs from the inference one.
    assert not np.allclose(single["out"], single["inference"])
    assert_same(run(cell, dtype, 2, dropout=0.5), single, dtype)
    assert_same(run(cell, dtype, 3, dropout=0.5), single, dtype)


def test_n_threads_is_a_settable_attribute():
    net = RecurrentNetwork("gru", 3, 4, n_threads=2)
    assert net.n_threads == 2
    net.n_threads = 1
    assert net.n_threads == 1
    with pytest.raises(ValueError, match="n_threads must be at least 1"):
        net.n_threads = 0
    with pytest.raises(TypeError, match="n_threads must be an integer"):
        net.n_threads = 1.5
    assert net.n_threads == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", CELLS)
def test_inference_over_full_length_batches_reads_and_writes_in_place(cell, dtype):
    """Inference over a batch whose sequences all run every step reads X and writes the
    output where the caller keeps them, with no copies to and from time-major order:
    it gives what the training forward (which computes in packed time-major rows and
    stores each output row a second time into the caller's array) gives, on 1, 2 and 3
    threads."""
    batch, steps, features, hidden = 64, 40, 16, 128
    rng = np.random.default_rng(1)
    X = rng.standard_normal((batch, steps, features)).astype(dtype)
    h0 = rng.standard_normal((4, batch, hidden)).astype(dtype)
    c0 = rng.standard_normal((4, batch, hidden)).astype(dtype) if cell == "lstm" else None
    inferred = []
    for threads in (1, 2, 3):
        net = RecurrentNetwork(cell, features, hidden, num_layers=2, bidirectional=True,
                               dtype=dtype, random_state=0, n_threads=threads)
        trained = net.forward(X, None, h0, c0, training=True)
        inferred.append(net.forward(X, None, h0, c0))
        for got, expected in zip(inferred[-1], trained):
            if expected is None:
                assert got is None
            else:
                np.testing.assert_allclose(got, expected, rtol=TIGHT[dtype] * 10,
                                           atol=TIGHT[dtype] * 10)
    for other in inferred[1:]:
        for got, expected in zip(other, inferred[0]):
            if expected is not None:
                np.testing.assert_array_equal(got, expected)
