"""The cell kernels' activations against numpy's float64 tanh and sigmoid, in
units in the last place (ulp) of the result's own precision.

float32 tanh is a rational function (src/cells/activations.hpp); sigmoid, and
tanh in float64, are built on exp. Each is read through the public network with
one unit, one step and weights that make a state equal to the activation itself,
so the test sees exactly what the kernels compute, through every path that
divides: tanh alone (RNN), tanh sharing its division with three sigmoids (the
LSTM's g gate), two sigmoids sharing one (the GRU's r and z).
"""

import numpy as np
import pytest
from scipy.special import expit

from rnnsk import RecurrentNetwork


def dense_arguments(low, high):
    """Evenly spaced points, and tiny to large magnitudes of both signs."""
    magnitudes = np.geomspace(1e-30, max(abs(low), high), 200_000)
    both_signs = np.concatenate([magnitudes[magnitudes <= high], -magnitudes[magnitudes <= -low]])
    return np.concatenate([np.linspace(low, high, 400_000), both_signs, [0.0]])


def one_step_network(cell, dtype, weight_ih):
    net = RecurrentNetwork(cell, 1, 1, dtype=dtype)
    net.load_parameters({
        "weight_ih_l0": np.asarray(weight_ih, dtype=float)[:, None],
        "weight_hh_l0": np.zeros((len(weight_ih), 1)),
        "bias_ih_l0": np.zeros(len(weight_ih)),
        "bias_hh_l0": np.zeros(len(weight_ih)),
    })
    return net


def ulp_errors(values, exact, dtype):
    values = np.asarray(values, dtype=np.float64).ravel()
    unit = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    return np.abs(values - exact) / unit


# Most ulp each path may be off; the float32 tanh's own bound is 6 ulp, the LSTM
# path adds the roundings of the shared division.
TANH_BOUNDS = {np.float32: 6.0, np.float64: 4.0}
SHARED_BOUNDS = {np.float32: 8.0, np.float64: 6.0}
SATURATED_FROM = {np.float32: 9.1, np.float64: 19.1}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_of_the_rnn_cell(dtype):
    x = dense_arguments(-20.0, 20.0).astype(dtype)
    net = one_step_network("rnn_tanh", dtype, [1.0])
    _, h_n, _ = net.forward(x[:, None, None])
    exact = np.tanh(x.astype(np.float64))
    errors = ulp_errors(h_n, exact, dtype)
    assert errors.max() <= TANH_BOUNDS[dtype], (errors.max(), x[errors.argmax()])
    # Never beyond +-1; exactly +-1 from where the kernels saturate (float32's
    # rational function at |x| >= 9.1, float64's tanh where it rounds to +-1); 0 at
    # 0 (the one appended).
    h = h_n.ravel()
    assert np.abs(h).max() == 1.0
    saturated = np.abs(x) >= SATURATED_FROM[dtype]
    assert saturated.sum() > 1000
    assert np.array_equal(h[saturated], np.sign(x[saturated]))
    assert np.array_equal(h[x == 0], [0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_sharing_a_division_with_the_lstm_sigmoids(dtype):
    # Gates i, f, g, o: only g reads the input, so i = f = o = sigmoid(0) = 1/2 and,
    # from c_0 = 0, c_1 = tanh(x) / 2.
    x = dense_arguments(-12.0, 12.0).astype(dtype)
    net = one_step_network("lstm", dtype, [0.0, 0.0, 1.0, 0.0])
    _, _, c_n = net.forward(x[:, None, None])
    errors = ulp_errors(c_n, np.tanh(x.astype(np.float64)) / 2, dtype)
    assert errors.max() <= SHARED_BOUNDS[dtype], (errors.max(), x[errors.argmax()])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_the_gru_update_gate(dtype):
    # Gates r, z, n: only z reads the input and n = tanh(0) = 0, so from h_0 = 1,
    # h_1 = (1 - z) n + z h_0 = sigmoid(x), down to the far negative tail.
    x = dense_arguments(-80.0, 20.0).astype(dtype)
    net = one_step_network("gru", dtype, [0.0, 1.0, 0.0])
    h0 = np.ones((1, x.size, 1), dtype=dtype)
    _, h_n, _ = net.forward(x[:, None, None], h0=h0)
    errors = ulp_errors(h_n, expit(x.astype(np.float64)), dtype)
    assert errors.max() <= SHARED_BOUNDS[dtype], (errors.max(), x[errors.argmax()])
