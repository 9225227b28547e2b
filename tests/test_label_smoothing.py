"""Label smoothing of the classifiers' cross-entropy: loss and gradient against
torch's CrossEntropyLoss(label_smoothing=...) (live, and replayed from
tests/fixtures/label_smoothing_reference.npz, made by
tests/reference/make_label_smoothing_reference.py, for runs without torch) and
against finite differences; then what the parameter does to a fit."""
import os
import warnings

import numpy as np
import pytest

from estimator_data import fast, multiclass_3d
from rnnsk import GRUClassifier, LSTMClassifier
from rnnsk._losses import cross_entropy

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "label_smoothing_reference.npz")
SMOOTHINGS = (0.0, 0.1, 0.35)


def loss_inputs(seed=0, n=7, k=4):
    """Logits, class indices and sample weights (one of them zero)."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 2.0, n)
    weights[2] = 0.0
    return rng.normal(0, 2, (n, k)), rng.integers(0, k, n), weights


def torch_answer(torch, logits, classes, weights, smoothing):
    """torch's smoothed cross-entropy as a weighted mean over samples, and its
    gradient by autograd."""
    logits = torch.tensor(logits, requires_grad=True)
    per_sample = torch.nn.CrossEntropyLoss(label_smoothing=smoothing, reduction="none")(
        logits, torch.tensor(classes))
    weights = torch.tensor(weights)
    loss = (per_sample * weights).sum() / weights.sum()
    loss.backward()
    return float(loss.detach()), logits.grad.numpy()


def test_stored_answers_cover_every_smoothing():
    with np.load(FIXTURE) as data:
        assert sorted(float(s) for s in data["smoothings"]) == sorted(SMOOTHINGS)


@pytest.mark.parametrize("index", range(len(SMOOTHINGS)))
def test_loss_and_gradient_match_the_stored_torch_answer(index):
    with np.load(FIXTURE) as data:
        smoothing = float(data["smoothings"][index])
        loss, gradient = cross_entropy(data["logits"], data["classes"], data["weights"],
                                       smoothing)
        np.testing.assert_allclose(loss, data["losses"][index], rtol=1e-12)
        np.testing.assert_allclose(gradient, data["gradients"][index], rtol=1e-10,
                                   atol=1e-15)


@pytest.mark.parametrize("n_classes", [2, 5])
@pytest.mark.parametrize("smoothing", SMOOTHINGS)
def test_loss_and_gradient_match_live_torch(smoothing, n_classes):
    torch = pytest.importorskip("torch")
    logits, classes, weights = loss_inputs(seed=1, k=n_classes)
    expected_loss, expected_gradient = torch_answer(torch, logits, classes, weights, smoothing)
    loss, gradient = cross_entropy(logits, classes, weights, smoothing)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-15)
    # float32 logits: computed in float64, the gradient returned in float32
    loss32, gradient32 = cross_entropy(logits.astype(np.float32), classes, weights, smoothing)
    assert gradient32.dtype == np.float32
    np.testing.assert_allclose(loss32, expected_loss, rtol=1e-6)
    np.testing.assert_allclose(gradient32, expected_gradient, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("smoothing", (0.1, 0.9))
def test_gradient_matches_finite_differences(smoothing):
    logits, classes, weights = loss_inputs(seed=2)
    _, gradient = cross_entropy(logits, classes, weights, smoothing)
    step = 1e-6
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        shifted = logits.copy()
        shifted[index] += step
        above = cross_entropy(shifted, classes, weights, smoothing)[0]
        shifted[index] -= 2 * step
        below = cross_entropy(shifted, classes, weights, smoothing)[0]
        numeric[index] = (above - below) / (2 * step)
    np.testing.assert_allclose(gradient, numeric, atol=1e-8)


def fitted(**params):
    X, y = multiclass_3d(n_classes=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GRUClassifier(**fast(max_iter=60, **params)).fit(X, y), X, y


def test_smoothing_bounds_the_confidence_that_training_seeks():
    # Plain cross-entropy pushes the training probabilities toward 1; smoothed
    # targets stop where the softmax matches 1 - e + e/K.
    plain, X, y = fitted(label_smoothing=0.0)
    smoothed, _, _ = fitted(label_smoothing=0.3)
    assert plain.score(X, y) > 0.9 and smoothed.score(X, y) > 0.9
    assert plain.predict_proba(X).max(axis=1).mean() > 0.95
    assert smoothed.predict_proba(X).max(axis=1).mean() < 0.85  # target 1 - 0.3 + 0.1


def test_the_loss_curve_is_the_smoothed_loss():
    smoothed, X, y = fitted(label_smoothing=0.3)
    # Its least value is the entropy of the smoothed target, not 0.
    target = np.array([0.8, 0.1, 0.1])
    assert min(smoothed.loss_curve_) > -(target * np.log(target)).sum() - 1e-9


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.1", None])
def test_invalid_smoothing_is_refused_before_anything_changes(value):
    X, y = multiclass_3d()
    clf = LSTMClassifier(**fast(label_smoothing=value))
    with pytest.raises((ValueError, TypeError), match="label_smoothing"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
