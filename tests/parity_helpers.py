"""What the PyTorch parity checks share, without needing torch.

A *case* is a json-serialisable ``config`` dict plus the numpy arrays it runs on:

config keys
    cell, input_size, hidden_size, num_layers, bidirectional, dtype ("float32" or
    "float64"), batch, steps, lengths (list of ints, or None for full length),
    initial_state (bool: pass h0 / c0), upstream ("all", "output" or "states": which
    gradients of the loss with respect to forward's results are non-zero), seed.

inputs (``make_inputs``)
    X, lengths (only when ragged), h0, c0 (only with initial_state), and the upstream
    gradients d_output, d_h_n, d_c_n (each present only when non-zero).

results (``run_rnnsk`` here, ``torch_reference.run_torch`` for PyTorch)
    out, h_n, c_n (LSTM), dX, dh0, dc0 (LSTM) and ``grad/<name>`` for every parameter,
    the gradients being those of
    ``loss = sum(out * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n)``.
"""

import json

import numpy as np

from rnnsk import RecurrentNetwork

# Relative tolerance of the parity checks (DESIGN.md, numerics contract); the
# absolute tolerance is the same number scaled by the magnitude of the reference.
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def make_config(cell, *, input_size, hidden_size, num_layers=1, bidirectional=False,
                dtype="float64", batch, steps, lengths=None, initial_state=False,
                upstream="all", seed=0):
    if lengths is not None:
        lengths = [int(n) for n in lengths]
        assert len(lengths) == batch and all(1 <= n <= steps for n in lengths)
    assert upstream in ("all", "output", "states")
    return dict(cell=cell, input_size=input_size, hidden_size=hidden_size,
                num_layers=num_layers, bidirectional=bool(bidirectional), dtype=dtype,
                batch=batch, steps=steps, lengths=lengths, initial_state=bool(initial_state),
                upstream=upstream, seed=int(seed))


def config_id(config):
    """A short readable test id for a config."""
    parts = [config["cell"], f"L{config['num_layers']}",
             "bi" if config["bidirectional"] else "uni",
             f"B{config['batch']}T{config['steps']}F{config['input_size']}H{config['hidden_size']}",
             "ragged" if config["lengths"] is not None else "full",
             "h0" if config["initial_state"] else "noh0",
             config["upstream"], "f64" if config["dtype"] == "float64" else "f32"]
    return "-".join(parts)


def state_shape(config):
    directions = 2 if config["bidirectional"] else 1
    return (config["num_layers"] * directions, config["batch"], config["hidden_size"])


def make_inputs(config):
    """The arrays of a case, drawn from ``config['seed']``.

    Padded steps of X and of d_output hold random values on purpose: neither library
    may read them.
    """
    rng = np.random.default_rng(config["seed"])
    dtype = np.dtype(config["dtype"])
    batch, steps = config["batch"], config["steps"]
    directions = 2 if config["bidirectional"] else 1
    lstm = config["cell"] == "lstm"
    state = state_shape(config)

    def draw(shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    inputs = {"X": draw((batch, steps, config["input_size"]))}
    if config["lengths"] is not None:
        inputs["lengths"] = np.asarray(config["lengths"], dtype=np.int64)
    if config["initial_state"]:
        inputs["h0"] = draw(state, 0.5)
        if lstm:
            inputs["c0"] = draw(state, 0.5)
    if config["upstream"] in ("all", "output"):
        inputs["d_output"] = draw((batch, steps, directions * config["hidden_size"]))
    if config["upstream"] in ("all", "states"):
        inputs["d_h_n"] = draw(state)
        if lstm:
            inputs["d_c_n"] = draw(state)
    return inputs


def build_network(config, parameters, device="cpu"):
    net = RecurrentNetwork(config["cell"], config["input_size"], config["hidden_size"],
                           num_layers=config["num_layers"],
                           bidirectional=config["bidirectional"],
                           dtype=np.dtype(config["dtype"]), device=device)
    net.load_parameters(parameters)
    return net


def run_rnnsk(config, parameters, inputs, device="cpu"):
    """Forward (training) and backward of rnnsk on one case; results as documented above."""
    net = build_network(config, parameters, device)
    out, h_n, c_n = net.forward(inputs["X"], inputs.get("lengths"), inputs.get("h0"),
                                inputs.get("c0"), training=True)
    dX, dh0, dc0 = net.backward(inputs.get("d_output"), inputs.get("d_h_n"),
                                inputs.get("d_c_n"))
    results = {"out": out, "h_n": h_n, "dX": dX, "dh0": dh0}
    if config["cell"] == "lstm":
        results["c_n"] = c_n
        results["dc0"] = dc0
    else:
        assert c_n is None and dc0 is None
    for name, grad in net.gradients.items():
        results[f"grad/{name}"] = grad.copy()
    return results


def assert_matches(actual, reference, dtype, what):
    """``actual`` equals ``reference`` to the parity tolerance of ``dtype``."""
    tol = TOLERANCE[np.dtype(dtype).name]
    reference = np.asarray(reference)
    actual = np.asarray(actual)
    assert actual.dtype == np.dtype(dtype), f"{what}: dtype {actual.dtype}, expected {dtype}"
    assert actual.shape == reference.shape, (
        f"{what}: shape {actual.shape}, expected {reference.shape}")
    scale = max(1.0, float(np.max(np.abs(reference)))) if reference.size else 1.0
    np.testing.assert_allclose(actual, reference, rtol=tol, atol=tol * scale, err_msg=what)


def assert_results_match(config, actual, reference):
    """Every entry of two results dicts agrees; both hold the same entries."""
    assert sorted(actual) == sorted(reference)
    for key in sorted(reference):
        assert_matches(actual[key], reference[key], config["dtype"],
                       f"{key} of {config_id(config)}")


def config_to_json(config):
    return json.dumps(config, sort_keys=True)
