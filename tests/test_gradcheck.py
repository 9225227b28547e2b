"""Backward against central finite differences of forward, in float64, without torch.

loss = sum(out * G_out) + sum(h_n * G_h) + sum(c_n * G_c) for fixed random G; the
analytic gradients come from one backward(G_out, G_h, G_c). Also: dropout with a fixed
seed (so every evaluation uses the same mask) and its semantics, padding invariance,
and backward(accumulate=True).
"""

import numpy as np
import pytest

from rnnsk import RecurrentNetwork

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
EPS = 1e-6
RTOL, ATOL = 1e-6, 1e-8


class Problem:
    """A network, a ragged batch with initial states, and fixed upstream gradients."""

    def __init__(self, cell, *, batch=3, steps=4, input_size=3, hidden_size=3,
                 num_layers=2, bidirectional=True, dropout=0.0, dropout_seed=0, seed=0):
        rng = np.random.default_rng(seed)
        self.net = RecurrentNetwork(cell, input_size, hidden_size, num_layers=num_layers,
                                    bidirectional=bidirectional, dropout=dropout,
                                    dtype=np.float64, random_state=seed)
        # Wider than PyTorch's default init so that no gate sits in a flat region.
        self.net.flat_parameters[:] = rng.uniform(-0.8, 0.8, self.net.flat_parameters.size)
        self.lstm = cell == "lstm"
        self.dropout_seed = dropout_seed
        state = (num_layers * self.net.num_directions, batch, hidden_size)
        self.X = rng.standard_normal((batch, steps, input_size))
        self.lengths = np.array([steps, 1, steps - 1][:batch] + [steps] * (batch - 3))
        self.h0 = 0.5 * rng.standard_normal(state)
        self.c0 = 0.5 * rng.standard_normal(state) if self.lstm else None
        self.g_out = rng.standard_normal((batch, steps, self.net.num_directions * hidden_size))
        self.g_h = rng.standard_normal(state)
        self.g_c = rng.standard_normal(state) if self.lstm else None

    def forward(self, X=None, h0=None, c0=None):
        X = self.X if X is None else X
        h0 = self.h0 if h0 is None else h0
        c0 = self.c0 if c0 is None else c0
        return self.net.forward(X, self.lengths, h0, c0, training=True,
                                dropout_seed=self.dropout_seed)

    def loss(self, **kwargs):
        out, h_n, c_n = self.forward(**kwargs)
        total = np.sum(h_n * self.g_h)
        if self.g_out is not None:
            total += np.sum(out * self.g_out)
        if self.lstm:
            total += np.sum(c_n * self.g_c)
        return total

    def analytic(self):
        """(flat parameter gradients, dX, dh0, dc0) from one backward."""
        self.forward()
        dX, dh0, dc0 = self.net.backward(self.g_out, self.g_h, self.g_c)
        return self.net.flat_gradients.copy(), dX, dh0, dc0

    def numeric_parameters(self, indices):
        flat = self.net.flat_parameters
        grads = []
        for i in indices:
            saved = flat[i]
            flat[i] = saved + EPS
            plus = self.loss()
            flat[i] = saved - EPS
            minus = self.loss()
            flat[i] = saved
            grads.append((plus - minus) / (2 * EPS))
        return np.array(grads)

    def numeric_array(self, name, indices):
        """Central differences of the loss in the entries ``indices`` of X, h0 or c0."""
        base = getattr(self, name)
        grads = []
        for index in indices:
            values = []
            for step in (EPS, -EPS):
                moved = base.copy()
                moved[index] += step
                values.append(self.loss(**{name: moved}))
            grads.append((values[0] - values[1]) / (2 * EPS))
        return np.array(grads)

    def valid_x_indices(self):
        return [(b, t, f) for b, t, f in np.ndindex(self.X.shape) if t < self.lengths[b]]


def sampled_parameter_indices(net, rng, count):
    """At least one coordinate of every tensor, the rest drawn at random: ~count in all."""
    offsets = np.cumsum([0] + [a.size for a in net.parameters.values()])
    picks = {int(rng.integers(lo, hi)) for lo, hi in zip(offsets[:-1], offsets[1:])}
    extra = rng.choice(net.flat_parameters.size, size=count, replace=False)
    picks.update(int(i) for i in extra[:max(0, count - len(picks))])
    return sorted(picks)


def check_gradients(problem, parameter_indices):
    flat, dX, dh0, dc0 = problem.analytic()
    np.testing.assert_allclose(flat[parameter_indices],
                               problem.numeric_parameters(parameter_indices),
                               rtol=RTOL, atol=ATOL, err_msg="parameters")
    valid = problem.valid_x_indices()
    np.testing.assert_allclose([dX[i] for i in valid], problem.numeric_array("X", valid),
                               rtol=RTOL, atol=ATOL, err_msg="dX")
    padded = np.ones(dX.shape, bool)
    for index in valid:
        padded[index] = False
    assert padded.any() or (problem.lengths == problem.X.shape[1]).all()
    np.testing.assert_array_equal(dX[padded], 0.0)
    states = list(np.ndindex(problem.h0.shape))
    np.testing.assert_allclose(dh0.ravel(), problem.numeric_array("h0", states),
                               rtol=RTOL, atol=ATOL, err_msg="dh0")
    if problem.lstm:
        np.testing.assert_allclose(dc0.ravel(), problem.numeric_array("c0", states),
                                   rtol=RTOL, atol=ATOL, err_msg="dc0")
    else:
        assert dc0 is None
    # The check is not vacuous: the gradients are far from zero.
    assert np.abs(flat).max() > 1e-2 and np.abs(dX).max() > 1e-2 and np.abs(dh0).max() > 1e-2


def assert_same_optional_arrays(got, expected):
    """Equal arrays pairwise; None (a gradient the cell has not) only where expected."""
    for got_array, expected_array in zip(got, expected):
        if expected_array is None:
            assert got_array is None
        else:
            np.testing.assert_array_equal(got_array, expected_array)


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_two_layers_bidirectional_ragged(cell):
    problem = Problem(cell, seed=1)
    rng = np.random.default_rng(2)
    check_gradients(problem, sampled_parameter_indices(problem.net, rng, 30))


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_of_sequences_of_full_length(cell):
    """Every sequence runs every step: backward then reads the states entering each
    step where forward left them, not from a copy."""
    problem = Problem(cell, batch=4, seed=7)
    problem.lengths = np.full(4, problem.X.shape[1])
    check_gradients(problem, sampled_parameter_indices(problem.net, np.random.default_rng(7), 30))


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_of_a_loss_on_the_final_states_only(cell):
    """No output gradient (d_output=None), as for a classifier reading h_n: the top
    layer's cells see only the carried gradient, the lower layers both."""
    problem = Problem(cell, seed=5)
    problem.g_out = None
    check_gradients(problem, sampled_parameter_indices(problem.net, np.random.default_rng(5), 30))


@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("cell", CELLS)
def test_forward_without_the_output(cell, device, request):
    """return_output=False returns no output and changes nothing else: the same
    final states, and backward gives the same gradients."""
    if device == "cuda":
        request.getfixturevalue("emulated_gpu")
    problem = Problem(cell, seed=6)
    net = problem.net.to_device(device)
    results = []
    for wanted in (True, False):
        output, *states = net.forward(problem.X, problem.lengths, problem.h0, problem.c0,
                                      training=True, return_output=wanted)
        assert (output is not None) == wanted
        gradients = net.backward(problem.g_out, problem.g_h, problem.g_c)
        results.append((*states, *gradients, np.array(net.flat_gradients)))
    assert_same_optional_arrays(results[1], results[0])


@pytest.mark.parametrize("cell", CELLS)
def test_every_parameter_gradient_of_a_tiny_network(cell):
    problem = Problem(cell, batch=3, steps=3, input_size=2, hidden_size=2, seed=3)
    check_gradients(problem, list(range(problem.net.flat_parameters.size)))


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_with_dropout_and_a_fixed_seed(cell):
    problem = Problem(cell, num_layers=3, dropout=0.4, dropout_seed=12345, seed=4)
    # Dropout is really applied: the training forward differs from the inference one.
    out_train = problem.forward()[0]
    out_eval = problem.net.forward(problem.X, problem.lengths, problem.h0, problem.c0)[0]
    assert not np.allclose(out_train, out_eval)
    rng = np.random.default_rng(5)
    check_gradients(problem, sampled_parameter_indices(problem.net, rng, 30))


def test_dropout_is_inverted_dropout_between_layers():
    """Layer 2 made the identity (relu of I x) shows the mask applied to layer 1's output:
    each element is zeroed with probability p or scaled by 1 / (1 - p), and a seed fixes it."""
    p, hidden = 0.3, 6
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5, 4))
    lengths = rng.integers(1, 6, size=200)
    one = RecurrentNetwork("rnn_relu", 4, hidden, dtype=np.float64, random_state=0)
    two = RecurrentNetwork("rnn_relu", 4, hidden, num_layers=2, dropout=p, dtype=np.float64)
    for name, value in one.parameters.items():
        two.parameters[name][...] = value
    two.parameters["weight_ih_l1"][...] = np.eye(hidden)
    for name in ("weight_hh_l1", "bias_ih_l1", "bias_hh_l1"):
        two.parameters[name][...] = 0.0

    first, _, _ = one.forward(X, lengths)
    np.testing.assert_allclose(two.forward(X, lengths)[0], first, rtol=1e-15, atol=0)
    dropped, _, _ = two.forward(X, lengths, training=True, dropout_seed=99)
    positive = first > 1e-3
    ratio = dropped[positive] / first[positive]
    kept = np.isclose(ratio, 1 / (1 - p), rtol=1e-12)
    zeroed = ratio == 0.0
    assert np.all(kept | zeroed)
    assert positive.sum() > 1000
    assert abs(zeroed.mean() - p) < 0.06
    np.testing.assert_array_equal(dropped[~positive & (first == 0)], 0.0)
    again, _, _ = two.forward(X, lengths, training=True, dropout_seed=99)
    np.testing.assert_array_equal(again, dropped)
    other, _, _ = two.forward(X, lengths, training=True, dropout_seed=100)
    assert not np.array_equal(other, dropped)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("filler", [1e3, np.nan, np.inf])
def test_padded_positions_of_X_are_never_read(cell, filler):
    problem = Problem(cell, seed=6)
    reference = problem.forward()
    flat, dX, dh0, dc0 = problem.analytic()

    X = problem.X.copy()
    for b, length in enumerate(problem.lengths):
        X[b, length:] = filler
    assert np.isnan(X).any() or np.isinf(X).any() or np.abs(X).max() == 1e3
    problem.X = X
    assert_same_optional_arrays(problem.forward(), reference)
    assert_same_optional_arrays(problem.analytic(), (flat, dX, dh0, dc0))


@pytest.mark.parametrize("cell", CELLS)
def test_backward_accumulate_adds_and_default_overwrites(cell):
    problem = Problem(cell, seed=7)
    first = problem.analytic()
    g_first = first[0]
    problem.g_out = problem.g_out[::-1].copy()
    problem.g_h = 2.0 * problem.g_h
    second = problem.analytic()
    g_second = second[0]
    assert not np.allclose(g_first, g_second)

    # accumulate=True adds to what is in flat_gradients; dX, dh0, dc0 are not accumulated.
    problem.net.flat_gradients[:] = g_first
    problem.forward()
    dX, dh0, dc0 = problem.net.backward(problem.g_out, problem.g_h, problem.g_c,
                                        accumulate=True)
    np.testing.assert_allclose(problem.net.flat_gradients, g_first + g_second,
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(dX, second[1])
    np.testing.assert_array_equal(dh0, second[2])

    # The default overwrites whatever was there.
    problem.net.flat_gradients[:] = 1e6
    problem.net.backward(problem.g_out, problem.g_h, problem.g_c)
    np.testing.assert_array_equal(problem.net.flat_gradients, g_second)
    # The gradients dict views the same memory.
    for name, view in problem.net.gradients.items():
        assert np.shares_memory(view, problem.net.flat_gradients), name


@pytest.mark.parametrize("cell", CELLS)
def test_backward_twice_after_one_forward_gives_the_same_gradients(cell):
    problem = Problem(cell, seed=8)
    problem.forward()
    once = problem.net.backward(problem.g_out, problem.g_h, problem.g_c)
    grads_once = problem.net.flat_gradients.copy()
    twice = problem.net.backward(problem.g_out, problem.g_h, problem.g_c)
    np.testing.assert_array_equal(problem.net.flat_gradients, grads_once)
    assert_same_optional_arrays(once, twice)


@pytest.mark.parametrize("cell", CELLS)
def test_a_network_reused_across_batch_shapes_computes_what_a_fresh_one_does(cell):
    """The core keeps its workspace and tape between calls; growing, shrinking and
    re-taping it must not leak anything from one batch into the next."""
    rng = np.random.default_rng(9)

    def make():
        return RecurrentNetwork(cell, 3, 4, num_layers=2, bidirectional=True, dropout=0.3,
                                dtype=np.float64, random_state=0)

    net = make()
    for batch, steps in [(5, 7), (2, 3), (6, 2), (1, 1), (4, 7)]:
        X = rng.standard_normal((batch, steps, 3))
        lengths = rng.integers(1, steps + 1, size=batch)
        g_out = rng.standard_normal((batch, steps, 8))
        out = net.forward(X, lengths, training=True, dropout_seed=4)[0]
        dX = net.backward(g_out)[0]
        fresh = make()
        np.testing.assert_array_equal(
            out, fresh.forward(X, lengths, training=True, dropout_seed=4)[0])
        np.testing.assert_array_equal(dX, fresh.backward(g_out)[0])
        np.testing.assert_array_equal(net.flat_gradients, fresh.flat_gradients)


@pytest.mark.parametrize("cell", CELLS)
def test_dropout_does_nothing_in_a_single_layer_network(cell):
    """Dropout acts between layers only (as in PyTorch): one layer has nowhere to apply it."""
    problem = Problem(cell, num_layers=1, dropout=0.5, dropout_seed=1, seed=10)
    trained = problem.forward()
    inferred = problem.net.forward(problem.X, problem.lengths, problem.h0, problem.c0)
    for a, b in zip(trained, inferred):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("cell", CELLS)
def test_backward_without_the_input_gradient(cell, device, request):
    """input_gradient=False skips d X and changes no other gradient."""
    if device == "cuda":
        request.getfixturevalue("emulated_gpu")
    problem = Problem(cell)
    net = problem.net.to_device(device)
    results = []
    for wanted in (True, False):
        net.forward(problem.X, problem.lengths, problem.h0, problem.c0, training=True)
        d_X, d_h0, d_c0 = net.backward(problem.g_out, problem.g_h, problem.g_c,
                                       input_gradient=wanted)
        results.append((d_X, d_h0, d_c0, np.array(net.flat_gradients)))
    (full_dX, *full), (none_dX, *rest) = results
    assert full_dX.shape == problem.X.shape and none_dX is None
    for expected, got in zip(full, rest):
        np.testing.assert_array_equal(got, expected)
