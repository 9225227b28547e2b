"""Bad input gets a clear error, odd but valid input is converted, nothing crashes.

Covers RecurrentNetwork (constructor, forward, backward, load_parameters, pickling) and
the low-level binding rnnsk._core, which checks every buffer it hands to C++.
"""

import copy
import pickle

import numpy as np
import pytest

from rnnsk import RecurrentNetwork, _core

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def make_net(cell="lstm", dtype=np.float64, **kwargs):
    kwargs.setdefault("num_layers", 2)
    kwargs.setdefault("bidirectional", True)
    return RecurrentNetwork(cell, 3, 4, dtype=dtype, random_state=0, **kwargs)


@pytest.fixture
def X():
    return np.random.default_rng(0).standard_normal((2, 5, 3))


def state(net, batch=2):
    return np.random.default_rng(1).standard_normal(
        (net.num_layers * net.num_directions, batch, net.hidden_size))


# --- constructor -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(cell="LSTM"), ValueError, r"cell must be one of \['gru', 'lstm', 'rnn_relu', "
                                    r"'rnn_tanh'\], got 'LSTM'"),
    (dict(cell="transformer"), ValueError, "cell must be one of"),
    (dict(cell=None), ValueError, "cell must be one of"),
    (dict(cell=["lstm"]), ValueError, "cell must be one of"),
    (dict(hidden_size=0), ValueError, "hidden_size must be at least 1, got 0"),
    (dict(hidden_size=-3), ValueError, "hidden_size must be at least 1, got -3"),
    (dict(hidden_size=2.0), TypeError, "hidden_size must be an integer"),
    (dict(input_size=0), ValueError, "input_size must be at least 1"),
    (dict(input_size="3"), TypeError, "input_size must be an integer"),
    (dict(num_layers=0), ValueError, "num_layers must be at least 1, got 0"),
    (dict(num_layers=True), TypeError, "num_layers must be an integer"),
    (dict(dropout=1.0), ValueError, r"dropout must be a number in \[0, 1\), got 1.0"),
    (dict(dropout=-0.1), ValueError, r"dropout must be a number in \[0, 1\)"),
    (dict(dropout=float("nan")), ValueError, r"dropout must be a number in \[0, 1\)"),
    (dict(dropout="0.1"), ValueError, r"dropout must be a number in \[0, 1\)"),
    (dict(dtype=np.int32), TypeError, "dtype must be float32 or float64, got int32"),
    (dict(dtype=np.float16), TypeError, "dtype must be float32 or float64, got float16"),
    (dict(dtype="not a dtype"), TypeError, "not understood"),
    (dict(n_threads=0), ValueError, "n_threads must be at least 1"),
])
def test_constructor_rejects_bad_arguments(kwargs, error, message):
    arguments = dict(cell="lstm", input_size=3, hidden_size=4)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        RecurrentNetwork(**arguments)


def test_constructor_accepts_numpy_integers_and_dtype_names():
    net = RecurrentNetwork("gru", np.int64(3), np.int32(4), num_layers=np.int8(2),
                           dtype="float64")
    assert (net.input_size, net.hidden_size, net.num_layers) == (3, 4, 2)
    assert net.dtype == np.float64 and net.flat_parameters.dtype == np.float64
    assert net.gate_count == 3 and net.num_directions == 1


@pytest.mark.parametrize("cell, gates", [("rnn_tanh", 1), ("rnn_relu", 1), ("lstm", 4),
                                         ("gru", 3)])
def test_attributes_and_parameter_layout(cell, gates):
    net = RecurrentNetwork(cell, 3, 5, num_layers=2, bidirectional=True, dtype=np.float32)
    assert net.gate_count == gates and net.num_directions == 2
    assert net.flat_parameters.dtype == np.float32 and net.flat_parameters.ndim == 1
    assert net.flat_gradients.shape == net.flat_parameters.shape
    expected = {}
    for layer, inputs in ((0, 3), (1, 10)):
        for suffix in ("", "_reverse"):
            expected[f"weight_ih_l{layer}{suffix}"] = (gates * 5, inputs)
            expected[f"weight_hh_l{layer}{suffix}"] = (gates * 5, 5)
            expected[f"bias_ih_l{layer}{suffix}"] = (gates * 5,)
            expected[f"bias_hh_l{layer}{suffix}"] = (gates * 5,)
    assert {k: v.shape for k, v in net.parameters.items()} == expected
    assert list(net.parameters) == list(expected)  # state_dict order
    assert sum(v.size for v in net.parameters.values()) == net.flat_parameters.size
    for views, flat in ((net.parameters, net.flat_parameters),
                        (net.gradients, net.flat_gradients)):
        for name, view in views.items():
            assert np.shares_memory(view, flat), name


def test_reset_parameters_draws_pytorch_default_in_place():
    net = RecurrentNetwork("lstm", 3, 16, num_layers=2, random_state=0)
    flat = net.flat_parameters
    bound = 1 / np.sqrt(16)
    assert np.abs(flat).max() <= bound and np.abs(flat).max() > 0.9 * bound
    before = flat.copy()
    net.reset_parameters(random_state=0)
    np.testing.assert_array_equal(flat, before)  # a seed reproduces the draw
    net.reset_parameters(random_state=1)
    assert net.flat_parameters is flat  # updated in place: views stay valid
    assert not np.array_equal(flat, before)
    np.testing.assert_array_equal(net.parameters["weight_ih_l0"].ravel(), flat[:4 * 16 * 3])


def test_in_place_update_of_flat_parameters_is_what_forward_uses(X):
    net = make_net("gru")
    before = net.forward(X)[0]
    net.flat_parameters *= 0.5  # what an optimizer does
    after = net.forward(X)[0]
    assert not np.allclose(before, after)
    fresh = make_net("gru")
    fresh.flat_parameters[:] = net.flat_parameters
    np.testing.assert_array_equal(fresh.forward(X)[0], after)


# --- forward: X ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad, error, message", [
    (np.zeros((5, 3)), ValueError, r"X must be 3-D \(batch, steps, features\), got 2-D"),
    (np.zeros((1, 2, 5, 3)), ValueError, "X must be 3-D .* got 4-D"),
    (np.zeros(3), ValueError, "got 1-D"),
    (np.zeros((2, 5, 4)), ValueError, "X has 4 features per step, the network expects 3"),
    (np.full((2, 5, 3), "a"), TypeError, "X must hold real numbers, got dtype <U1"),
    (np.zeros((2, 5, 3), dtype=object), TypeError, "X must hold real numbers, got dtype object"),
    (np.zeros((2, 5, 3), dtype=complex), TypeError, "X must hold real numbers"),
    (np.zeros((2, 5, 3), dtype=bool), TypeError, "X must hold real numbers, got dtype bool"),
    (np.zeros((0, 5, 3)), ValueError, "at least one sequence of one step"),
    (np.zeros((2, 0, 3)), ValueError, "at least one sequence of one step"),
    ([[[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], ValueError, "inhomogeneous"),
])
@pytest.mark.parametrize("training", [False, True])
def test_forward_rejects_bad_X(bad, error, message, training):
    net = make_net()
    with pytest.raises(error, match=message):
        net.forward(bad, training=training)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("convert", [
    pytest.param(np.asfortranarray, id="fortran"),
    pytest.param(lambda a: np.repeat(a, 2, axis=1)[:, ::2], id="strided"),
    pytest.param(lambda a: np.ascontiguousarray(a.transpose(2, 1, 0)).transpose(2, 1, 0),
                 id="transposed-view"),
    pytest.param(lambda a: a.astype(np.float16), id="float16"),
    pytest.param(lambda a: np.round(4 * a).astype(np.int64), id="int64"),
    pytest.param(lambda a: np.round(4 * a).astype(np.int8), id="int8"),
    pytest.param(lambda a: (np.abs(np.round(4 * a))).astype(np.uint16), id="uint16"),
    pytest.param(lambda a: a.tolist(), id="nested-list"),
    pytest.param(lambda a: a.astype(np.float32), id="float32"),
])
def test_forward_and_backward_convert_X(convert, dtype, X):
    """Any real array-like X is used as np.ascontiguousarray(X, dtype=net.dtype)."""
    net = make_net("lstm", dtype=dtype)
    lengths = [5, 3]
    given = convert(X)
    reference = np.ascontiguousarray(np.asarray(given), dtype=dtype)
    assert reference.flags.c_contiguous
    d_out = np.random.default_rng(2).standard_normal((2, 5, 8))
    expected = net.forward(reference, lengths, training=True)
    expected_grads = net.backward(d_out)
    expected_flat = net.flat_gradients.copy()
    got = net.forward(given, lengths, training=True)
    got_grads = net.backward(d_out)
    for a, b in zip(got + got_grads, expected + expected_grads):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.flat_gradients, expected_flat)


def test_non_contiguous_states_and_gradients_are_converted(X):
    net = make_net("lstm")
    h0, c0 = state(net), state(net)
    h0_f = np.asfortranarray(h0)
    c0_strided = np.repeat(c0, 2, axis=2)[:, :, ::2]
    d_out = np.random.default_rng(3).standard_normal((2, 5, 8))
    d_h_n = state(net)
    expected = net.forward(X, None, h0, c0, training=True)
    expected_grads = net.backward(d_out, d_h_n)
    got = net.forward(X, None, h0_f, c0_strided.tolist(), training=True)
    got_grads = net.backward(np.asfortranarray(d_out), d_h_n.tolist())
    for a, b in zip(got + got_grads, expected + expected_grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cell", CELLS)
def test_missing_initial_states_are_zeros(cell, X):
    net = make_net(cell)
    zeros = np.zeros_like(state(net))
    c0 = zeros if cell == "lstm" else None
    for a, b in zip(net.forward(X, [5, 2]), net.forward(X, [5, 2], zeros, c0)):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)
    if cell == "lstm":  # c0 alone, h0 alone
        c0 = state(net)
        np.testing.assert_array_equal(net.forward(X, None, None, c0)[0],
                                      net.forward(X, None, zeros, c0)[0])
        h0 = state(net)
        np.testing.assert_array_equal(net.forward(X, None, h0, None)[2],
                                      net.forward(X, None, h0, zeros)[2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell", CELLS)
def test_nan_in_X_propagates_to_its_own_sequence_only(cell, dtype, X):
    """The core does not validate values (the estimators' validation rejects NaN before
    any C++ runs): a NaN at a valid step gives NaN outputs for that sequence from that
    step on, as in PyTorch, leaves every other sequence untouched, and never crashes."""
    net = make_net(cell, dtype=dtype, num_layers=1, bidirectional=False)
    clean_out, clean_h_n, _ = net.forward(X, [5, 4])
    bad = X.copy()
    bad[0, 2, 1] = np.nan
    out, h_n, c_n = net.forward(bad, [5, 4], training=True)
    np.testing.assert_array_equal(out[0, :2], clean_out[0, :2])
    assert np.isnan(out[0, 2:]).all()
    assert np.isnan(h_n[:, 0]).all()
    np.testing.assert_array_equal(out[1], clean_out[1])
    np.testing.assert_array_equal(h_n[:, 1], clean_h_n[:, 1])
    dX, dh0, _ = net.backward(np.ones_like(out))
    assert dX.shape == X.shape and dh0.shape == h_n.shape


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm", "gru"])
def test_saturating_cells_stay_finite_on_huge_inputs(cell, dtype, X):
    net = make_net(cell, dtype=dtype)
    huge = X * np.float32(1e30)
    out, h_n, c_n = net.forward(huge, training=True)
    assert np.isfinite(out).all() and np.abs(out).max() <= 1.0
    assert np.isfinite(h_n).all()
    dX, dh0, _ = net.backward(np.ones_like(out), np.ones_like(h_n))
    assert np.isfinite(net.flat_gradients).all() and np.isfinite(dh0).all()


# --- forward: lengths, states, seed -------------------------------------------------------

@pytest.mark.parametrize("lengths, error, message", [
    ([0, 5], ValueError, r"lengths must be in \[1, 5\] \(the number of time steps\), "
                         r"got values from 0 to 5"),
    ([6, 5], ValueError, r"lengths must be in \[1, 5\].* from 5 to 6"),
    ([-1, 3], ValueError, r"lengths must be in \[1, 5\].* from -1 to 3"),
    (np.array([2**40, 3]), ValueError, r"lengths must be in \[1, 5\]"),
    ([5, 5, 5], ValueError, r"lengths must have shape \(2,\), one per sequence, got \(3,\)"),
    ([5], ValueError, r"lengths must have shape \(2,\)"),
    ([[5, 5]], ValueError, r"lengths must have shape \(2,\).* got \(1, 2\)"),
    (5, ValueError, r"lengths must have shape \(2,\).* got \(\)"),
    ([5.0, 3.0], TypeError, "lengths must be integers, got dtype float64"),
    ([True, True], TypeError, "lengths must be integers, got dtype bool"),
    (["5", "3"], TypeError, "lengths must be integers"),
])
def test_forward_rejects_bad_lengths(lengths, error, message, X):
    net = make_net()
    with pytest.raises(error, match=message):
        net.forward(X, lengths)


def test_lengths_of_any_integer_type_are_accepted(X):
    net = make_net()
    expected = net.forward(X, np.array([5, 2], dtype=np.int64))[0]
    for lengths in ([5, 2], (5, 2), np.array([5, 2], np.uint8), np.array([5, 2], np.int32)):
        np.testing.assert_array_equal(net.forward(X, lengths)[0], expected)


@pytest.mark.parametrize("name", ["h0", "c0"])
@pytest.mark.parametrize("shape", [(4, 3, 4), (2, 2, 4), (4, 2, 5), (4, 2), (4, 2, 4, 1)])
def test_forward_rejects_states_of_the_wrong_shape(name, shape, X):
    net = make_net("lstm")  # states are (4, 2, 4)
    with pytest.raises(ValueError, match=rf"{name} has shape \(.*\), expected \(4, 2, 4\)"):
        net.forward(X, **{name: np.zeros(shape)})


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru"])
def test_c0_is_rejected_for_cells_without_a_cell_state(cell, X):
    net = make_net(cell)
    with pytest.raises(ValueError, match=f"c0 is only used by the LSTM cell, this network "
                                         f"is '{cell}'"):
        net.forward(X, c0=np.zeros((4, 2, 4)))


@pytest.mark.parametrize("name", ["h0", "c0"])
def test_states_must_be_real(name, X):
    net = make_net("lstm")
    with pytest.raises(TypeError, match=f"{name} must hold real numbers"):
        net.forward(X, **{name: np.full((4, 2, 4), "x")})


@pytest.mark.parametrize("seed", [-1, 1.5, "3", None])
def test_dropout_seed_must_be_a_non_negative_integer(seed, X):
    net = make_net(dropout=0.3)
    with pytest.raises(ValueError, match="dropout_seed must be a non-negative integer"):
        net.forward(X, training=True, dropout_seed=seed)


def test_dropout_seed_beyond_64_bits_wraps_around(X):
    net = make_net(dropout=0.3)
    wrapped = net.forward(X, training=True, dropout_seed=5)[0]
    np.testing.assert_array_equal(net.forward(X, training=True, dropout_seed=2**64 + 5)[0],
                                  wrapped)


# --- backward -----------------------------------------------------------------------------

def test_backward_needs_a_training_forward(X):
    net = make_net()
    with pytest.raises(RuntimeError, match="backward needs a preceding forward with "
                                           "training=True"):
        net.backward()
    net.forward(X)
    with pytest.raises(RuntimeError, match="preceding forward with training=True"):
        net.backward(d_h_n=np.ones((4, 2, 4)))
    net.forward(X, training=True)
    net.backward(d_h_n=np.ones((4, 2, 4)))
    net.forward(X, training=False)  # an inference forward drops the tape
    with pytest.raises(RuntimeError, match="preceding forward with training=True"):
        net.backward(d_h_n=np.ones((4, 2, 4)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(d_output=np.zeros((2, 5, 4))), r"d_output has shape \(2, 5, 4\), expected \(2, 5, 8\)"),
    (dict(d_output=np.zeros((2, 4, 8))), r"d_output has shape .*, expected \(2, 5, 8\)"),
    (dict(d_output=np.zeros((3, 5, 8))), r"d_output has shape .*, expected \(2, 5, 8\)"),
    (dict(d_h_n=np.zeros((2, 2, 4))), r"d_h_n has shape \(2, 2, 4\), expected \(4, 2, 4\)"),
    (dict(d_h_n=np.zeros((4, 2))), r"d_h_n has shape \(4, 2\), expected \(4, 2, 4\)"),
    (dict(d_c_n=np.zeros((4, 2, 5))), r"d_c_n has shape \(4, 2, 5\), expected \(4, 2, 4\)"),
])
def test_backward_rejects_gradients_of_the_wrong_shape(kwargs, message, X):
    net = make_net("lstm")
    net.forward(X, training=True)
    net.flat_gradients[:] = 7.0
    with pytest.raises(ValueError, match=message):
        net.backward(**kwargs)
    np.testing.assert_array_equal(net.flat_gradients, 7.0)  # nothing was written
    # The tape survives the rejected call.
    assert net.backward(d_h_n=np.ones((4, 2, 4)))[0].shape == X.shape


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru"])
def test_backward_rejects_d_c_n_for_cells_without_a_cell_state(cell, X):
    net = make_net(cell)
    net.forward(X, training=True)
    with pytest.raises(ValueError, match=f"d_c_n is only used by the LSTM cell, this network "
                                         f"is '{cell}'"):
        net.backward(d_c_n=np.zeros((4, 2, 4)))


def test_backward_rejects_non_numeric_gradients(X):
    net = make_net()
    net.forward(X, training=True)
    with pytest.raises(TypeError, match="d_output must hold real numbers"):
        net.backward(d_output=np.full((2, 5, 8), "x"))


def test_backward_with_no_upstream_gradient_is_zero(X):
    net = make_net("lstm")
    net.forward(X, [5, 2], training=True)
    net.flat_gradients[:] = 3.0
    dX, dh0, dc0 = net.backward()
    for array in (dX, dh0, dc0, net.flat_gradients):
        np.testing.assert_array_equal(array, 0.0)


# --- load_parameters ----------------------------------------------------------------------

def shifted_parameters(net, shift=1.0):
    return {name: value + shift for name, value in net.parameters.items()}


@pytest.mark.parametrize("change, error, message", [
    (lambda p: p.pop("weight_hh_l1_reverse"), ValueError,
     r"parameter names do not match: missing \['weight_hh_l1_reverse'\], unexpected \[\]"),
    (lambda p: p.update(weight_hh_l2=np.zeros((16, 4)), bias_ih_l0=p["bias_ih_l0"] + 1),
     ValueError, r"missing \[\], unexpected \['weight_hh_l2'\]"),
    (lambda p: p.update(bias_ih_l0=p.pop("bias_ih_l0")[:-1]), ValueError,
     r"bias_ih_l0 has shape \(15,\), expected \(16,\)"),
    (lambda p: p.update(weight_ih_l1=p["weight_ih_l1"].T), ValueError,
     r"weight_ih_l1 has shape \(8, 16\), expected \(16, 8\)"),
    (lambda p: p.update(bias_hh_l1_reverse=np.full(16, "x")), TypeError,
     "bias_hh_l1_reverse must hold real numbers"),
])
def test_load_parameters_rejects_bad_mappings_and_changes_nothing(change, error, message):
    net = make_net("lstm")
    before = net.flat_parameters.copy()
    mapping = shifted_parameters(net)
    # Every good entry differs from the net's, so a copy made while checking would show.
    change(mapping)
    with pytest.raises(error, match=message):
        net.load_parameters(mapping)
    np.testing.assert_array_equal(net.flat_parameters, before)


def test_load_parameters_copies_and_converts():
    net = make_net("gru", dtype=np.float32)
    source = make_net("gru", dtype=np.float64)
    source.reset_parameters(random_state=5)
    mapping = {name: np.asfortranarray(value) for name, value in source.parameters.items()}
    flat = net.flat_parameters
    net.load_parameters(mapping)
    assert net.flat_parameters is flat
    np.testing.assert_array_equal(net.flat_parameters,
                                  source.flat_parameters.astype(np.float32))
    mapping["weight_ih_l0"][...] = 0.0  # the net holds a copy
    assert np.abs(net.parameters["weight_ih_l0"]).max() > 0
    net.load_parameters({name: value.tolist() for name, value in source.parameters.items()})
    np.testing.assert_array_equal(net.flat_parameters,
                                  source.flat_parameters.astype(np.float32))


# --- pickling -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell", CELLS)
def test_pickle_round_trip_gives_identical_forward(cell, dtype, X):
    net = make_net(cell, dtype=dtype, dropout=0.25, n_threads=2)
    net.forward(X, training=True)
    clone = pickle.loads(pickle.dumps(net))
    for attribute in ("cell", "input_size", "hidden_size", "num_layers", "bidirectional",
                      "num_directions", "dropout", "dtype", "gate_count", "n_threads"):
        assert getattr(clone, attribute) == getattr(net, attribute), attribute
    assert clone.flat_parameters is not net.flat_parameters
    np.testing.assert_array_equal(clone.flat_parameters, net.flat_parameters)
    for name, view in clone.parameters.items():
        assert np.shares_memory(view, clone.flat_parameters), name
    for a, b in zip(clone.forward(X, [5, 3]), net.forward(X, [5, 3])):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)
    train_a = clone.forward(X, training=True, dropout_seed=9)[0]
    np.testing.assert_array_equal(train_a, net.forward(X, training=True, dropout_seed=9)[0])
    # The copies are independent.
    clone.flat_parameters[:] = 0.0
    assert np.abs(net.flat_parameters).max() > 0
    deep = copy.deepcopy(net)
    np.testing.assert_array_equal(deep.forward(X)[0], net.forward(X)[0])


def test_pickle_keeps_the_optimizer_moments_the_core_holds(X):
    net = make_net("gru")
    assert "optimizer_state" not in net.__getstate__()  # never trained: none to keep
    d_out = np.ones((X.shape[0], X.shape[1], net.num_directions * net.hidden_size))

    def adam_step(network):
        network.forward(X, training=True)
        network.backward(d_out)
        assert network.propose_adam(0.01, 0.9, 0.999, 1e-8)
        network.commit()

    adam_step(net)
    assert "optimizer_state" in net.__getstate__()
    clone = pickle.loads(pickle.dumps(net))
    for network in (net, clone):
        adam_step(network)
    np.testing.assert_array_equal(clone.flat_parameters, net.flat_parameters)
    # Without the moments the second step would differ.
    fresh = pickle.loads(pickle.dumps(net))
    fresh.reset_optimizer_state()
    adam_step(fresh)
    adam_step(net)
    assert not np.array_equal(fresh.flat_parameters, net.flat_parameters)


def test_unpickled_network_has_no_tape(X):
    net = make_net()
    net.forward(X, training=True)
    clone = pickle.loads(pickle.dumps(net))
    with pytest.raises(RuntimeError, match="preceding forward with training=True"):
        clone.backward()


# --- the low-level binding rnnsk._core ---------------------------------------------------

LSTM = 2


class LowLevel:
    """One float64 LSTM core (input 3, hidden 4) holding random parameters, and
    valid buffers for a (2, 5) batch."""

    def __init__(self):
        self.core = _core.NetworkCore(LSTM, 3, 4, 1, False, 0.0, np.float64)
        size = self.core.parameter_size
        rng = np.random.default_rng(0)
        self.params = rng.standard_normal(size)
        self.core.set_parameters(self.params)
        self.forward_args = dict(x=rng.standard_normal((2, 5, 3)),
                                 lengths=np.array([5, 3], np.int64), h0=None, c0=None,
                                 training=True, dropout_seed=0, n_threads=1,
                                 out=np.empty((2, 5, 4)), h_n=np.empty((1, 2, 4)),
                                 c_n=np.empty((1, 2, 4)))
        self.backward_args = dict(d_out=np.ones((2, 5, 4)), d_h_n=None, d_c_n=None,
                                  accumulate=False, n_threads=1,
                                  d_x=np.empty((2, 5, 3)), d_h0=np.empty((1, 2, 4)),
                                  d_c0=np.empty((1, 2, 4)))

    def forward(self, **changes):
        args = dict(self.forward_args, **changes)
        return self.core.forward(*args.values())

    def backward(self, **changes):
        args = dict(self.backward_args, **changes)
        return self.core.backward(*args.values())


def test_low_level_core_rejects_a_list_as_x():
    with pytest.raises(TypeError, match="x must be a numpy array, got list"):
        LowLevel().forward(x=[[[0.0, 0.0, 0.0]]])


def test_low_level_core_runs_and_matches_the_network():
    low = LowLevel()
    low.forward()
    net = RecurrentNetwork("lstm", 3, 4, dtype=np.float64)
    net.flat_parameters[:] = low.params
    out, h_n, c_n = net.forward(low.forward_args["x"], [5, 3])
    np.testing.assert_array_equal(low.forward_args["out"], out)
    np.testing.assert_array_equal(low.forward_args["h_n"], h_n)
    np.testing.assert_array_equal(low.forward_args["c_n"], c_n)
    assert _core.layout(LSTM, 3, 4, 1, False) == [
        ("weight_ih_l0", 0, (16, 3)), ("weight_hh_l0", 48, (16, 4)),
        ("bias_ih_l0", 112, (16,)), ("bias_hh_l0", 128, (16,))]
    assert low.core.parameter_size == 144


@pytest.mark.parametrize("arguments, error, message", [
    ((7, 3, 4, 1, False, 0.0, np.float64), ValueError, "unknown cell code 7"),
    ((-1, 3, 4, 1, False, 0.0, np.float64), ValueError, "unknown cell code -1"),
    ((LSTM, 3, 0, 1, False, 0.0, np.float64), ValueError, "hidden_size must be at least 1"),
    ((LSTM, 0, 4, 1, False, 0.0, np.float64), ValueError, "input_size must be at least 1"),
    ((LSTM, 3, 4, 0, False, 0.0, np.float64), ValueError, "num_layers must be at least 1"),
    ((LSTM, 3, 4, 1, False, 1.0, np.float64), ValueError, r"dropout must be in \[0, 1\)"),
    ((LSTM, 3, 4, 1, False, 0.0, np.int32), TypeError, "dtype must be float32 or float64"),
])
def test_low_level_core_constructor_rejects_bad_configs(arguments, error, message):
    with pytest.raises(error, match=message):
        _core.NetworkCore(*arguments)


def _fortran(shape):
    return np.asfortranarray(np.zeros(shape))


@pytest.mark.parametrize("kind", ["parameters", "gradients"])
@pytest.mark.parametrize("bad, error, message", [
    (np.zeros(144, np.float32), TypeError, "{} must have dtype float64, got float32"),
    (np.zeros(143), ValueError, r"{} has shape \(143,\), expected \(144,\)"),
    ([0.0] * 144, TypeError, "{} must be a numpy array, got list"),
    (np.zeros(288)[::2], ValueError, "{} must be C-contiguous"),
])
def test_low_level_core_rejects_bad_parameter_vectors(kind, bad, error, message):
    low = LowLevel()
    before = np.array(getattr(low.core, kind)())
    with pytest.raises(error, match=message.format(kind)):
        getattr(low.core, "set_" + kind)(bad)
    np.testing.assert_array_equal(getattr(low.core, kind)(), before)


@pytest.mark.parametrize("changes, error, message", [
    (dict(x=np.zeros((2, 5, 3), np.float32)), TypeError, "x must have dtype float64"),
    (dict(x=_fortran((2, 5, 3))), ValueError, "x must be C-contiguous"),
    (dict(x=np.zeros((2, 10, 3))[:, ::2]), ValueError, "x must be C-contiguous"),
    (dict(x=np.zeros((2, 5, 4))), ValueError, r"x has shape \(2, 5, 4\), expected \(2, 5, 3\)"),
    (dict(x=np.zeros((2, 5))), ValueError, r"x must be 3-D .* got 2-D"),
    (dict(x=np.zeros((0, 5, 3))), ValueError, "at least one sequence of one step"),
    (dict(lengths=np.array([5, 3], np.int32)), TypeError,
     "lengths must have dtype int64, got int32"),
    (dict(lengths=None), TypeError, "lengths must be a numpy array, got NoneType"),
    (dict(lengths=np.array([5, 3, 1])), ValueError, r"lengths has shape \(3,\), expected \(2,\)"),
    (dict(lengths=np.array([0, 5])), ValueError, r"length of sequence 0 is 0, outside \[1, 5\]"),
    (dict(lengths=np.array([5, 6])), ValueError, r"length of sequence 1 is 6, outside \[1, 5\]"),
    (dict(lengths=np.array([5, -2])), ValueError, r"length of sequence 1 is -2"),
    (dict(h0=np.zeros((1, 3, 4))), ValueError, r"h0 has shape \(1, 3, 4\), expected \(1, 2, 4\)"),
    (dict(h0=np.zeros((1, 2, 4), np.float32)), TypeError, "h0 must have dtype float64"),
    (dict(c0=_fortran((1, 2, 4))), ValueError, "c0 must be C-contiguous"),
    (dict(out=np.empty((2, 5, 5))), ValueError, r"out has shape \(2, 5, 5\), expected \(2, 5, 4\)"),
    (dict(h_n=np.empty((2, 2, 4))), ValueError, r"h_n has shape \(2, 2, 4\), expected"),
    (dict(c_n=None), TypeError, "c_n must be a numpy array, got NoneType"),
])
def test_low_level_forward_rejects_bad_buffers(changes, error, message):
    low = LowLevel()
    with pytest.raises(error, match=message):
        low.forward(**changes)
    # A rejected call leaves no tape behind it, and a good call still works.
    with pytest.raises(RuntimeError, match="preceding forward with training=True"):
        low.backward()
    low.forward()
    low.backward()


@pytest.mark.parametrize("changes, error, message", [
    (dict(d_out=np.zeros((2, 5, 5))), ValueError,
     r"d_output has shape \(2, 5, 5\), expected \(2, 5, 4\)"),
    (dict(d_out=np.zeros((2, 5, 4), np.float32)), TypeError, "d_output must have dtype float64"),
    (dict(d_out=np.zeros((2, 5, 4)).tolist()), TypeError, "d_output must be a numpy array"),
    (dict(d_h_n=_fortran((1, 2, 4))), ValueError, "d_h_n must be C-contiguous"),
    (dict(d_c_n=np.zeros((1, 2, 5))), ValueError, r"d_c_n has shape \(1, 2, 5\)"),
    (dict(d_x=np.empty((2, 4, 3))), ValueError, r"d_x has shape \(2, 4, 3\), expected \(2, 5, 3\)"),
    (dict(d_h0=np.empty((1, 2, 4), np.float32)), TypeError, "d_h0 must have dtype float64"),
    (dict(d_c0=None), TypeError, "d_c0 must be a numpy array, got NoneType"),
])
def test_low_level_backward_rejects_bad_buffers(changes, error, message):
    low = LowLevel()
    low.forward()
    with pytest.raises(error, match=message):
        low.backward(**changes)
    low.backward()
    assert np.abs(low.core.gradients()).max() > 0
