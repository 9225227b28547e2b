"""rnnsk against a live PyTorch on freshly drawn cases (runs only where torch is installed).

The same comparison as test_parity_stored.py, on cases that are not in the fixture:
every cell, 1-3 layers, uni- and bidirectional, full and ragged batches, float64 and
float32; weights are torch's own initialisation copied into rnnsk.
"""

import itertools
import zlib

import numpy as np
import pytest

from rnnsk import RecurrentNetwork
from parity_helpers import (CELLS, assert_matches, assert_results_match, build_network,
                            config_id, make_config, make_inputs, run_rnnsk)

torch = pytest.importorskip("torch")
from torch_reference import build_module, initial_parameters, run_torch  # noqa: E402

# (num_layers, bidirectional, ragged, initial_state)
SHAPES = [(1, False, False, False), (2, True, True, True), (3, False, True, False)]
DTYPES = ["float64", "float32"]


def live_config(cell, num_layers, bidirectional, ragged, initial_state, dtype):
    label = f"{cell}-{num_layers}-{bidirectional}-{ragged}-{initial_state}-{dtype}"
    seed = zlib.crc32(label.encode())
    rng = np.random.default_rng(seed)
    batch, steps = int(rng.integers(2, 6)), int(rng.integers(2, 8))
    lengths = None
    if ragged:
        lengths = rng.integers(1, steps + 1, size=batch)
        lengths[rng.integers(batch)] = steps  # at least one full sequence
        lengths[rng.integers(batch)] = 1      # and, mostly, one of length 1
    return make_config(cell, input_size=int(rng.integers(1, 7)),
                       hidden_size=int(rng.integers(1, 7)), num_layers=num_layers,
                       bidirectional=bidirectional, dtype=dtype, batch=batch, steps=steps,
                       lengths=lengths, initial_state=initial_state, seed=seed)


CONFIGS = [live_config(cell, *shape, dtype)
           for cell, shape, dtype in itertools.product(CELLS, SHAPES, DTYPES)]


@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_matches_live_torch(config):
    parameters = initial_parameters(config, config["seed"])
    inputs = make_inputs(config)
    expected = run_torch(config, parameters, inputs)
    assert_results_match(config, run_rnnsk(config, parameters, inputs), expected)


@pytest.mark.parametrize("cell", CELLS)
def test_inference_with_dropout_matches_torch_eval(cell):
    """Dropout acts only in training: an inference forward equals torch in eval mode."""
    config = make_config(cell, input_size=3, hidden_size=4, num_layers=3, bidirectional=True,
                         batch=3, steps=5, lengths=[5, 2, 4], seed=7)
    parameters = initial_parameters(config, seed=11)
    inputs = make_inputs(config)
    module = build_module(config, seed=0)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in parameters.items()})
    module.dropout = 0.5
    module.eval()
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        torch.from_numpy(inputs["X"]), torch.from_numpy(inputs["lengths"]), batch_first=True,
        enforce_sorted=False)
    with torch.no_grad():
        packed_out, final = module(packed)
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True,
                                                   total_length=config["steps"])
    h_n = final[0] if cell == "lstm" else final

    net_dropout = RecurrentNetwork(cell, 3, 4, num_layers=3, bidirectional=True, dropout=0.5,
                                   dtype=np.float64)
    net_dropout.load_parameters(parameters)
    got_out, got_h_n, _ = net_dropout.forward(inputs["X"], inputs["lengths"], training=False)
    assert_matches(got_out, out.numpy(), "float64", "out")
    assert_matches(got_h_n, h_n.numpy(), "float64", "h_n")


@pytest.mark.parametrize("cell", CELLS)
def test_parameter_names_shapes_and_order_match_state_dict(cell):
    config = make_config(cell, input_size=3, hidden_size=5, num_layers=2, bidirectional=True,
                         batch=1, steps=1)
    module = build_module(config, seed=0)
    net = build_network(config, initial_parameters(config, seed=0))
    assert list(net.parameters) == list(module.state_dict())
    for name, value in module.state_dict().items():
        assert net.parameters[name].shape == tuple(value.shape), name
    # flat_parameters is the state_dict tensors laid end to end, in that order.
    flat = np.concatenate([v.numpy().ravel() for v in module.state_dict().values()])
    np.testing.assert_array_equal(net.flat_parameters, flat)


@pytest.mark.parametrize("lengths", [[1, 1, 1], [1, 4, 1], [4, 4, 4]],
                         ids=["all-length-1", "one-long", "all-full"])
@pytest.mark.parametrize("cell", CELLS)
def test_extreme_lengths_match_live_torch(cell, lengths):
    config = make_config(cell, input_size=2, hidden_size=3, num_layers=2, bidirectional=True,
                         batch=3, steps=4, lengths=lengths, initial_state=True, seed=5)
    parameters = initial_parameters(config, seed=3)
    inputs = make_inputs(config)
    assert_results_match(config, run_rnnsk(config, parameters, inputs),
                         run_torch(config, parameters, inputs))
