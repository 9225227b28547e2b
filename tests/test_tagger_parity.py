"""A tagger's per-step outputs, loss and every gradient against an independent
PyTorch model (tests/tagger_reference.py) holding the same weights: live when
torch is installed, and against its stored answers
(tests/fixtures/tagger_reference.npz) always. Ragged batches with a sequence of
length 1, bidirectional and stacked layers, softmax and CRF heads, forbidden
transitions, string tokens with the character CNN; 1e-9 in float64, 1e-5 in
float32."""
import os
import warnings

import numpy as np
import pytest

from rnnsk import RecurrentTagger
from tagger_reference import CASES, case_data, estimator_params, torch_tagger

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "tagger_reference.npz")


def fitted_tagger(case):
    X, y, weights = case_data(case["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RecurrentTagger(**estimator_params(case)).fit(X, y), X, y, weights


def named_gradients(model):
    gradients = {}
    if model.embedding is not None:
        # The embedding's gradient holds the rows used (SparseRows): as a table.
        gradients["embedding.weight"] = model._embedding_gradient.to_dense()
    if model.char_encoder is not None:
        gradients.update(model.char_encoder.gradients)
    for prefix, block in zip(model._block_prefixes(), model.blocks):
        gradients.update((prefix + name, value) for name, value in block.gradients.items())
    gradients.update(model.head.gradients)
    return gradients


def rnnsk_answers(tagger, X, y, weights):
    """What the tagger computes for one training step on (X, y), and the padded
    inputs the reference reads."""
    sequences = tagger._validate_sequences(X, reset=False)
    targets, _ = tagger._encode_targets(tagger._target_container(y, sequences), classes=None,
                                        reset=False, sample_weight=weights)
    scores = tagger.model_.forward(sequences, training=True)
    loss, d_scores = tagger._loss(scores, targets, weights)
    tagger.model_.backward(d_scores)
    outputs, _ = tagger.hidden_states(X)
    answers = dict(outputs=outputs, scores=scores, loss=np.array(loss),
                   **{"grad/" + k: v for k, v in named_gradients(tagger.model_).items()})
    inputs = dict(data=sequences.data, lengths=sequences.lengths, tags=targets.values,
                  weights=weights)
    return answers, inputs


def assert_match(answers, expected, lengths, dtype):
    tolerance = (dict(rtol=1e-9, atol=1e-11) if dtype == "float64"
                 else dict(rtol=1e-5, atol=1e-6))
    real = np.arange(max(lengths))[None, :] < np.asarray(lengths)[:, None]
    for i, length in enumerate(lengths):
        np.testing.assert_allclose(answers["outputs"][i], expected["outputs"][i, :length],
                                   **tolerance, err_msg="outputs")
    np.testing.assert_allclose(answers["scores"][real], expected["scores"][real], **tolerance,
                               err_msg="scores")
    np.testing.assert_allclose(answers["loss"], expected["loss"], **tolerance, err_msg="loss")
    names = {k for k in expected if k.startswith("grad/")}
    assert names == {k for k in answers if k.startswith("grad/")}
    for name in sorted(names):
        np.testing.assert_allclose(answers[name], expected[name], **tolerance, err_msg=name)


@pytest.mark.parametrize("name", list(CASES))
def test_tagger_matches_torch(name):
    torch = pytest.importorskip("torch")
    case = CASES[name]
    tagger, X, y, weights = fitted_tagger(case)
    answers, inputs = rnnsk_answers(tagger, X, y, weights)
    expected = torch_tagger(torch, tagger.state_dict(), case, inputs)
    assert_match(answers, expected, inputs["lengths"], case["dtype"])


def stored(name):
    with np.load(FIXTURE) as data:
        return {key.split("/", 1)[1]: data[key] for key in data.files
                if key.startswith(name + "/")}


@pytest.mark.parametrize("name", list(CASES))
def test_tagger_matches_stored_torch_answers(name):
    case = CASES[name]
    tagger, X, y, weights = fitted_tagger(case)
    expected = stored(name)
    state = {key[len("state/"):]: value for key, value in expected.items()
             if key.startswith("state/")}
    tagger.load_state_dict(state)
    answers, inputs = rnnsk_answers(tagger, X, y, weights)
    assert_match(answers, expected, inputs["lengths"], case["dtype"])


def test_predict_proba_is_the_softmax_or_the_crf_marginals():
    """predict_proba of the stored float64 cases against the torch scores: the
    softmax per step, or the marginals of the CRF by brute-force enumeration."""
    from crf_reference import brute_force
    for name in ("lstm-bi-stacked-softmax-f64", "gru-bi-stacked-crf-f64"):
        case = CASES[name]
        tagger, X, y, weights = fitted_tagger(case)
        expected = stored(name)
        tagger.load_state_dict({key[6:]: v for key, v in expected.items()
                                if key.startswith("state/")})
        probabilities = tagger.predict_proba(X)
        for i, p in enumerate(probabilities):
            scores = expected["scores"][i, :len(p)]
            if case["crf"]:
                state = tagger.state_dict()
                _, reference, best = brute_force(scores, state["crf.transitions"],
                                                 state["crf.start"], state["crf.end"])
                np.testing.assert_array_equal(tagger.predict([X[i]])[0],
                                              tagger.classes_[best])
            else:
                reference = np.exp(scores - scores.max(axis=1, keepdims=True))
                reference /= reference.sum(axis=1, keepdims=True)
            np.testing.assert_allclose(p, reference, rtol=1e-9, atol=1e-12)
