"""The float32 products of the core against the float64 path, at sizes that cross
every block edge of its register kernel.

With AVX-512 float32 runs the core's own kernel for the recurrent products and
the weight gradients (blocks of 6 rows and 32 columns, chunks of 256 packed rows);
float64 runs BLAS, and is itself checked against PyTorch and finite differences
(test_parity_*.py, test_gradcheck.py). Sizes here leave partial blocks everywhere:
37 hidden units (a 32-column panel and 5 more; gate widths 37, 148 and 111 are no
multiple of 6), 40 inputs, over 256 rows per call, ragged, two layers both ways.
"""

import numpy as np
import pytest

from rnnsk import RecurrentNetwork

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def run(cell, dtype, n_threads, accumulate_twice):
    rng = np.random.default_rng(5)
    batch, steps, inputs, hidden = 23, 30, 40, 37
    net = RecurrentNetwork(cell, inputs, hidden, num_layers=2, bidirectional=True,
                           dtype=dtype, random_state=3, n_threads=n_threads)
    X = rng.standard_normal((batch, steps, inputs))
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    G = rng.standard_normal((batch, steps, 2 * hidden))
    out, *_ = net.forward(X, lengths=lengths, training=True)
    net.backward(G)
    if accumulate_twice:
        net.forward(X[::-1].copy(), lengths=lengths[::-1].copy(), training=True)
        net.backward(G, accumulate=True)
    return np.asarray(out, dtype=np.float64), np.array(net.flat_gradients, dtype=np.float64)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("accumulate_twice", [False, True])
def test_float32_matches_float64(cell, n_threads, accumulate_twice):
    out64, grads64 = run(cell, np.float64, 1, accumulate_twice)
    out32, grads32 = run(cell, np.float32, n_threads, accumulate_twice)
    np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-5)
    # Gradients sum up to ~600 rows: compare against the gradients' own scale.
    scale = np.abs(grads64).max()
    assert scale > 1.0
    np.testing.assert_allclose(grads32, grads64, rtol=0, atol=2e-5 * scale)
