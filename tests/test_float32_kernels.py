"""The float32 products of the core against the float64 path, at sizes that cross
every block edge of its register kernel.

With AVX-512 float32 runs the core's own kernel for the recurrent products and
for the weight gradients of inputs up to 256 wide (blocks of 6 rows and 32
columns, chunks of 256 packed rows); wider inputs go to BLAS. float64 runs BLAS
throughout, and is itself checked against PyTorch and finite differences
(test_parity_*.py, test_gradcheck.py). Sizes here leave partial blocks
everywhere: 37 hidden units (a 32-column panel and 5 more; gate widths 37, 148
and 111 are no multiple of 6), inputs 40 wide and 257 wide, batches of over 256
rows, ragged or of full length (where backward reads the states entering each
step in place), two layers both ways.
"""

import numpy as np
import pytest

from rnnsk import RecurrentNetwork

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def run(cell, dtype, n_threads, accumulate_twice, *, inputs=40, hidden=37, batch=23,
        steps=30, full_length=False):
    rng = np.random.default_rng(5)
    net = RecurrentNetwork(cell, inputs, hidden, num_layers=2, bidirectional=True,
                           dtype=dtype, random_state=3, n_threads=n_threads)
    X = rng.standard_normal((batch, steps, inputs))
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    if full_length:
        lengths[:] = steps
    G = rng.standard_normal((batch, steps, 2 * hidden))
    out, *_ = net.forward(X, lengths=lengths, training=True)
    net.backward(G)
    if accumulate_twice:
        net.forward(X[::-1].copy(), lengths=lengths[::-1].copy(), training=True)
        net.backward(G, accumulate=True)
    return np.asarray(out, dtype=np.float64), np.array(net.flat_gradients, dtype=np.float64)


def assert_close_to_float64(result32, result64):
    out32, grads32 = result32
    out64, grads64 = result64
    np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-5)
    # Gradients are sums over hundreds of rows: compare against their own scale.
    scale = np.abs(grads64).max()
    assert scale > 1.0
    np.testing.assert_allclose(grads32, grads64, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("accumulate_twice", [False, True])
@pytest.mark.parametrize("full_length", [False, True])
def test_float32_matches_float64(cell, accumulate_twice, full_length):
    assert_close_to_float64(run(cell, np.float32, 1, accumulate_twice, full_length=full_length),
                            run(cell, np.float64, 1, accumulate_twice, full_length=full_length))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_float32_matches_float64_with_wide_inputs(cell):
    """Inputs 257 wide: W_ih's gradient goes to BLAS, the rest to the kernel."""
    assert_close_to_float64(run(cell, np.float32, 1, False, inputs=257, batch=9, steps=12),
                            run(cell, np.float64, 1, False, inputs=257, batch=9, steps=12))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("full_length", [False, True])
def test_float32_same_bits_on_one_two_and_three_threads(cell, full_length):
    """The kernel sums every element in one order whatever the thread count. About
    3,900 rows of 70 units: every region of every cell is above the 2^23
    multiply-adds from which the core shares work among threads."""
    results = [run(cell, np.float32, threads, True, hidden=70, batch=64, steps=120,
                   full_length=full_length)
               for threads in (1, 2, 3)]
    for out, grads in results[1:]:
        np.testing.assert_array_equal(out, results[0][0])
        np.testing.assert_array_equal(grads, results[0][1])
