"""The per-step head and per-step losses: gradients of every parameter of a
model with a StepHead against central finite differences in float64, on a
ragged, bidirectional, stacked batch (padded steps must not count)."""
import numpy as np
import pytest

from rnnsk._heads import StepHead
from rnnsk._losses import PaddedSteps, cross_entropy, per_step, squared_error
from rnnsk._model import SequenceModel
from rnnsk._validation import Sequences


def _model(cell, n_outputs, seed=0):
    return SequenceModel(
        cell=cell, n_features=3, hidden_sizes=(4, 4), bidirectional=True, dropout=0.0,
        make_head=lambda n, rng: StepHead(n, n_outputs, rng, np.float64),
        vocabulary_size=None, embedding_dim=None, dtype=np.float64,
        random_state=np.random.RandomState(seed), n_threads=1)


def _batch(rng):
    lengths = np.array([5, 1, 3])
    data = rng.standard_normal((3, 5, 3))
    data[np.arange(5) >= lengths[:, None]] = 1e3  # padding: must never matter
    return Sequences(data, lengths, False)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("task", ["classes", "values"])
def test_step_head_gradients_match_finite_differences(cell, task):
    rng = np.random.default_rng(1)
    batch = _batch(rng)
    if task == "classes":
        targets = PaddedSteps(rng.integers(0, 3, (3, 5)), batch.lengths)
        row_loss, n_outputs = cross_entropy, 3
    else:
        targets = PaddedSteps(rng.standard_normal((3, 5, 2)), batch.lengths)
        row_loss, n_outputs = squared_error, 2
    weights = np.array([1.0, 2.0, 0.5])
    model = _model(cell, n_outputs)

    def loss():
        return per_step(row_loss, model.forward(batch), targets, weights)[0]

    scores = model.forward(batch, training=True)
    _, d_scores = per_step(row_loss, scores, targets, weights)
    assert np.all(d_scores[~targets.real()] == 0)
    model.backward(d_scores)
    for parameter, gradient in zip(model.parameters, model.gradients):
        analytic = gradient.copy()
        numeric = np.empty_like(analytic)
        flat = parameter.reshape(-1)
        for k in range(flat.size):
            kept = flat[k]
            flat[k] = kept + 1e-6
            plus = loss()
            flat[k] = kept - 1e-6
            minus = loss()
            flat[k] = kept
            numeric.reshape(-1)[k] = (plus - minus) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_padded_steps_index_like_samples():
    targets = PaddedSteps(np.arange(12).reshape(3, 4), [4, 1, 2])
    part = targets[np.array([1, 2])]
    assert len(part) == 2
    np.testing.assert_array_equal(part.values, [[4, 5], [8, 9]])
    np.testing.assert_array_equal(part.real(), [[True, False], [True, True]])
