"""The incremental step (rnnsk/_incremental.py, src/incremental.hpp) against
the core's full forward, which the parity tests hold to PyTorch."""
import numpy as np
import pytest

from rnnsk import RecurrentNetwork
from rnnsk._incremental import IncrementalState, IncrementalStep

CELLS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", CELLS)
def test_steps_reproduce_the_full_forward(cell, dtype):
    rng = np.random.RandomState(0)
    lower = RecurrentNetwork(cell, 5, 7, num_layers=2, random_state=0, dtype=dtype)
    upper = RecurrentNetwork(cell, 7, 4, num_layers=1, random_state=1, dtype=dtype)
    X = rng.randn(3, 6, 5).astype(dtype)
    h0 = rng.randn(2, 3, 7).astype(dtype)
    c0 = rng.randn(2, 3, 7).astype(dtype) if cell == "lstm" else None
    middle, h_n, c_n = lower.forward(X, h0=h0, c0=c0)
    expected, _, _ = upper.forward(middle)
    initial = [[h0] + ([c0] if c0 is not None else []), None]
    initial[1] = IncrementalStep(upper).zero_states(3)
    state = IncrementalState([lower, upper], initial)
    outputs = np.stack([state.advance(X[:, t]).copy() for t in range(6)], axis=1)
    tolerance = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(outputs, expected, atol=tolerance)
    np.testing.assert_allclose(state.states[0][0], h_n, atol=tolerance)
    if c_n is not None:
        np.testing.assert_allclose(state.states[0][1], c_n, atol=tolerance)


def test_select_keeps_and_repeats_streams():
    net = RecurrentNetwork("gru", 3, 4, random_state=0, dtype=np.float64)
    X = np.random.RandomState(1).randn(2, 2, 3)
    state = IncrementalState([net], batch=2)
    state.advance(X[:, 0])
    state.select([1, 1, 0])
    top = state.advance(X[[1, 1, 0], 1]).copy()
    expected, _, _ = net.forward(X[[1, 1, 0]])
    np.testing.assert_allclose(top, expected[:, 1], atol=1e-14)


def test_bidirectional_and_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="unidirectional"):
        IncrementalStep(RecurrentNetwork("lstm", 3, 4, bidirectional=True))
    step = IncrementalStep(RecurrentNetwork("lstm", 3, 4, random_state=0))
    h, c = step.zero_states(2)
    with pytest.raises(ValueError, match="shape"):
        step(np.zeros((2, 5), np.float32), h, c)
    with pytest.raises(ValueError, match="needs c"):
        step(np.zeros((2, 3), np.float32), h, None)
    with pytest.raises(TypeError, match="dtype"):
        step(np.zeros((2, 3)), h, c)
