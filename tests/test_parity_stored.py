"""rnnsk against PyTorch's answers stored in tests/fixtures/torch_reference.npz.

Needs no torch: the fixture was made by tests/reference/make_torch_reference.py. Every
case compares forward outputs, final states and every gradient (parameters, X, h0,
c0) at 1e-10 (float64) / 1e-5 (float32) relative.
"""

import json
import os

import numpy as np
import pytest

from parity_helpers import (CELLS, assert_matches, assert_results_match, build_network,
                            config_id, run_rnnsk)

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "torch_reference.npz")


def load_cases():
    """{case prefix: (config, parameters, inputs, expected)} from the fixture."""
    cases = {}
    with np.load(FIXTURE) as data:
        for key in data.files:
            prefix, _, rest = key.partition("/")
            if not rest:
                continue
            entry = cases.setdefault(prefix, {"param": {}, "inputs": {}, "expected": {}})
            group, _, name = rest.partition("/")
            if group == "config":
                entry["config"] = json.loads(str(data[key]))
            elif group == "param":
                entry["param"][name] = data[key]
            elif group in ("input", "upstream"):
                entry["inputs"][name] = data[key]
            elif group == "expected":
                entry["expected"][name] = data[key]
            else:
                raise AssertionError(f"unexpected fixture key {key}")
    return {prefix: (e["config"], e["param"], e["inputs"], e["expected"])
            for prefix, e in sorted(cases.items())}


CASES = load_cases()


def test_fixture_covers_the_contract():
    """The fixture still holds the cases the parity contract needs."""
    configs = [config for config, *_ in CASES.values()]
    assert len(configs) >= 20
    assert {c["cell"] for c in configs} == set(CELLS)
    assert {c["dtype"] for c in configs} == {"float32", "float64"}
    assert {c["num_layers"] for c in configs} == {1, 2, 3}
    assert any(c["bidirectional"] for c in configs)
    assert any(c["batch"] == 1 for c in configs)
    assert any(c["steps"] == 1 for c in configs)
    assert any(c["input_size"] != c["hidden_size"] for c in configs)
    assert {c["initial_state"] for c in configs} == {True, False}
    for cell in CELLS:
        assert any(c["cell"] == cell and c["lengths"] is not None and c["bidirectional"]
                   for c in configs), cell


@pytest.mark.parametrize("prefix", list(CASES),
                         ids=[f"{p}-{config_id(CASES[p][0])}" for p in CASES])
def test_matches_stored_torch_reference(prefix):
    config, parameters, inputs, expected = CASES[prefix]
    # Every parameter of the network has a stored gradient, and nothing else is stored.
    assert {f"grad/{name}" for name in parameters} == {
        key for key in expected if key.startswith("grad/")}
    results = run_rnnsk(config, parameters, inputs)
    assert_results_match(config, results, expected)


@pytest.mark.parametrize("prefix", list(CASES),
                         ids=[f"{p}-{config_id(CASES[p][0])}" for p in CASES])
def test_device_algorithm_matches_stored_torch_reference(prefix, emulated_gpu):
    """The algorithm of the CUDA backend, run by its host emulator, meets the
    same contract (the GPU itself is checked in test_device.py, where one exists)."""
    config, parameters, inputs, expected = CASES[prefix]
    results = run_rnnsk(config, parameters, inputs, device="cuda")
    assert_results_match(config, results, expected)


@pytest.mark.parametrize("prefix", list(CASES),
                         ids=[f"{p}-{config_id(CASES[p][0])}" for p in CASES])
def test_inference_forward_matches_training_forward(prefix):
    """Without dropout, forward(training=False) computes what the training forward did."""
    config, parameters, inputs, expected = CASES[prefix]
    net = build_network(config, parameters)
    out, h_n, c_n = net.forward(inputs["X"], inputs.get("lengths"), inputs.get("h0"),
                                inputs.get("c0"), training=False)
    np.testing.assert_array_equal(out, run_rnnsk(config, parameters, inputs)["out"])
    assert_matches(h_n, expected["h_n"], config["dtype"], "h_n")
    if config["cell"] == "lstm":
        assert_matches(c_n, expected["c_n"], config["dtype"], "c_n")
    else:
        assert c_n is None
