"""EncoderDecoder's loss and gradients against PyTorch's, stored in
tests/fixtures/seq2seq_reference.npz by tests/reference/make_seq2seq_reference.py
(no torch needed). The inputs are remade from each case's config and seed."""
import json
import os

import numpy as np
import pytest

from seq2seq_helpers import assert_close, make_inputs, make_model, run_rnnsk

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "seq2seq_reference.npz")


def load_cases():
    cases = {}
    with np.load(FIXTURE) as data:
        for key in data.files:
            prefix, group, *name = key.split("/")
            case = cases.setdefault(prefix, {"param": {}, "grad": {}})
            if group in ("param", "grad"):
                case[group][name[0]] = data[key]
            elif group == "config":
                case["config"] = json.loads(str(data[key]))
            else:
                case[group] = float(data[key])
    return cases


CASES = load_cases()


def test_fixture_covers_the_variants():
    configs = [case["config"] for case in CASES.values()]
    assert {c["attention"] for c in configs} == {"luong", "bahdanau", None}
    assert {c["dtype"] for c in configs} == {"float32", "float64"}
    assert any(c["bidirectional"] for c in configs)
    assert any(c["num_layers"] == 2 for c in configs)


@pytest.mark.parametrize("prefix", sorted(CASES))
def test_loss_and_gradients_match_stored_torch(prefix):
    case = CASES[prefix]
    config = case["config"]
    model = make_model(config)
    model.assign_state(model.checked_state(case["param"]))
    loss, gradients = run_rnnsk(model, make_inputs(config))
    assert sorted(gradients) == sorted(case["grad"])
    assert_close(loss, case["loss"], config["dtype"], "loss")
    for name, expected in case["grad"].items():
        assert_close(gradients[name], expected, config["dtype"], name)
