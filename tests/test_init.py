"""The initialisation schemes (``init``): what the 'orthogonal' scheme draws,
checked on networks, and what ``init`` changes in the estimators."""
import numpy as np
import pytest

from estimator_data import fast, ragged
from rnnsk import RecurrentClassifier
from rnnsk._init import glorot_uniform, initialize_orthogonal
from rnnsk._network import RecurrentNetwork


def network(cell, input_size=3, hidden_size=5, num_layers=2, bidirectional=True,
            dtype=np.float64):
    net = RecurrentNetwork(cell, input_size, hidden_size, num_layers=num_layers,
                           bidirectional=bidirectional, dtype=dtype, random_state=0)
    initialize_orthogonal(net, np.random.RandomState(1))
    return net


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_orthogonal_recurrent_blocks(cell):
    net = network(cell)
    hidden = net.hidden_size
    recurrent = [name for name in net.parameters if name.startswith("weight_hh")]
    assert len(recurrent) == 4  # 2 layers x 2 directions
    for name in recurrent:
        for gate in np.split(net.parameters[name], net.gate_count):
            np.testing.assert_allclose(gate @ gate.T, np.eye(hidden), atol=1e-12)
    blocks = [net.parameters[name] for name in recurrent]
    assert not np.allclose(blocks[0], blocks[1])  # independent draws


def test_rnn_relu_recurrent_weights_are_the_identity():
    net = network("rnn_relu")
    for name, value in net.parameters.items():
        if name.startswith("weight_hh"):
            np.testing.assert_array_equal(value, np.eye(net.hidden_size))


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_glorot_input_weights_and_biases(cell):
    net = network(cell, input_size=3, hidden_size=5)
    rows = net.gate_count * 5
    for name, value in net.parameters.items():
        if name.startswith("weight_ih"):
            fan_in = 3 if "_l0" in name else 10
            bound = np.sqrt(6.0 / (fan_in + rows))
            assert np.abs(value).max() <= bound
            assert np.abs(value).max() > 0.8 * bound  # drawn over the whole range
        elif name.startswith("bias"):
            expected = np.zeros(rows)
            if cell == "lstm" and name.startswith("bias_ih"):
                expected[5:10] = 1.0  # the forget gate (i, f, g, o)
            np.testing.assert_array_equal(value, expected)


def test_glorot_uniform_bound():
    values = glorot_uniform(np.random.RandomState(0), (300, 100), np.float64)
    assert np.abs(values).max() <= np.sqrt(6.0 / 400)
    assert abs(values.var() - 2.0 / 400) < 0.1 * 2.0 / 400


def fitted(**params):
    X, y, _ = ragged(n=20)
    return RecurrentClassifier(**fast(**{"max_iter": 1, **params})).fit(X, y)


def test_init_changes_only_the_initial_draws():
    pytorch = fitted(init="pytorch")
    orthogonal = fitted(init="orthogonal")
    assert set(pytorch.state_dict()) == set(orthogonal.state_dict())
    assert not np.allclose(pytorch.state_dict()["rnn.weight_hh_l0"],
                           orthogonal.state_dict()["rnn.weight_hh_l0"])


@pytest.mark.parametrize("init", ["pytorch", "orthogonal"])
@pytest.mark.parametrize("readout", ["last", "attention"])
def test_a_seed_gives_bit_identical_fits(init, readout):
    first = fitted(init=init, readout=readout, max_iter=3)
    second = fitted(init=init, readout=readout, max_iter=3)
    for name, value in first.state_dict().items():
        np.testing.assert_array_equal(value, second.state_dict()[name])


def test_orthogonal_head_starts_with_zero_biases():
    X, y, _ = ragged(n=20)
    clf = RecurrentClassifier(**fast(init="orthogonal", readout="attention"))
    clf.partial_fit(X[:2], y[:2], classes=[0, 1])
    # One step of Adam moves every bias by at most the learning rate.
    assert np.abs(clf.state_dict()["head.bias"]).max() <= 1.01 * clf.learning_rate_init
    assert np.abs(clf.state_dict()["readout.bias"]).max() <= 1.01 * clf.learning_rate_init
