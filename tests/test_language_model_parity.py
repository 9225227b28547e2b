"""A language-model training step (embedding, stacked LSTM/GRU/RNN, decoder,
tied or not) against PyTorch autograd in float64, and the model's scores and
next-token probabilities against its exported torch module.

The torch tests skip without torch; test_matches_stored_reference checks the
same step against torch's answers stored in tests/fixtures/lm_reference.npz
(made by tests/reference/make_lm_reference.py).
"""
import os

import numpy as np
import pytest

from lm_reference import (CASES, TEXT, case_id, fitted_model, rnnsk_step, step_inputs,
                          torch_log_likelihood, torch_step)

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "lm_reference.npz")
IDS = [case_id(*case) for case in CASES]


def assert_step_matches(loss, gradients, expected_loss, expected_gradients):
    assert set(gradients) == set(expected_gradients)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-10)
    for name, expected in expected_gradients.items():
        np.testing.assert_allclose(gradients[name], expected, rtol=1e-9,
                                   atol=1e-10 * np.abs(expected).max(), err_msg=name)


@pytest.mark.parametrize("cell, tied", CASES, ids=IDS)
def test_training_step_matches_torch_autograd(cell, tied):
    pytest.importorskip("torch")
    lm = fitted_model(cell, tied)
    inputs = step_inputs(lm)
    expected_loss, expected = torch_step(lm, *inputs)
    if tied:
        # torch lists the tied matrix once, under the embedding's name.
        assert "head.weight" not in expected
    assert_step_matches(*rnnsk_step(lm, *inputs), expected_loss, expected)


@pytest.mark.parametrize("cell, tied", CASES, ids=IDS)
def test_matches_stored_reference(cell, tied):
    lm = fitted_model(cell, tied)
    prefix = case_id(cell, tied)
    with np.load(FIXTURE) as data:
        state = {key.split("/", 2)[2]: data[key] for key in data.files
                 if key.startswith(f"{prefix}/state/")}
        expected = {key.split("/", 2)[2]: data[key] for key in data.files
                    if key.startswith(f"{prefix}/grad/")}
        expected_loss = float(data[f"{prefix}/loss"])
    # The stored weights, so the check does not depend on this version's draws.
    lm.load_state_dict(state)
    assert_step_matches(*rnnsk_step(lm, *step_inputs(lm)), expected_loss, expected)


@pytest.mark.parametrize("cell, tied", CASES, ids=IDS)
def test_score_is_the_exported_modules_log_likelihood(cell, tied):
    pytest.importorskip("torch")
    lm = fitted_model(cell, tied)
    documents = TEXT + ["unseen: ZQ!", "a"]
    assert lm.score(documents) == pytest.approx(torch_log_likelihood(lm, documents),
                                                rel=1e-10)


def test_next_token_probabilities_match_the_exported_module():
    torch = pytest.importorskip("torch")
    from rnnsk import to_torch
    lm = fitted_model("lstm", True)
    module = to_torch(lm).eval()
    prefixes = ["the quick", "", "jugs"]
    end = len(lm.tokens_) - 1
    for prefix, row in zip(prefixes, lm.predict_proba(prefixes)):
        ids = torch.as_tensor([[end] + [lm.vocabulary_[t] for t in prefix]])
        with torch.no_grad():
            expected = torch.softmax(module(ids)[0, -1], dim=0).numpy()
        np.testing.assert_allclose(row, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_export_gives_the_same_probabilities():
    torch = pytest.importorskip("torch")
    from rnnsk import RecurrentLanguageModel, to_torch
    lm = RecurrentLanguageModel(hidden_size=8, bptt_steps=5, max_iter=2, random_state=0,
                                tie_weights=True).fit(TEXT)
    module = to_torch(lm).eval()
    end = len(lm.tokens_) - 1
    ids = torch.as_tensor([[end] + [lm.vocabulary_[t] for t in "the lazy"]])
    with torch.no_grad():
        expected = torch.softmax(module(ids)[0, -1], dim=0).numpy()
    np.testing.assert_allclose(lm.predict_proba(["the lazy"])[0], expected, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_weight_dropout_is_exact(cell, monkeypatch):
    """The W_hh gradients of a step with weight dropout equal torch autograd
    through the masked weights, with the masks rnnsk drew."""
    pytest.importorskip("torch")
    from lm_reference import torch_step_with_dropped_weights
    lm = fitted_model(cell, False)
    lm.set_params(weight_dropout=0.4)
    before = {name: value.copy() for name, value in lm.state_dict().items()}
    drawn = {}
    original = type(lm)._drop_recurrent_weights

    def recording(self, seed):
        dropped = original(self, seed)
        for (_, _, _, scale), name in zip(dropped, ["weight_hh_l0", "weight_hh_l1"]):
            drawn[name] = scale.copy()
        return dropped

    monkeypatch.setattr(type(lm), "_drop_recurrent_weights", recording)
    inputs = step_inputs(lm)
    loss, gradients = rnnsk_step(lm, *inputs)
    assert 0.2 < np.mean([(m == 0).mean() for m in drawn.values()]) < 0.6
    # The weights are back as they were.
    for name, value in lm.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    expected_loss, expected = torch_step_with_dropped_weights(lm, *inputs, drawn)
    assert loss == pytest.approx(expected_loss, rel=1e-10)
    for name, value in expected.items():
        np.testing.assert_allclose(gradients["rnn." + name], value, rtol=1e-9, atol=1e-12)
