"""to_torch and state_dict/load_state_dict: the PyTorch module computes what
the estimator predicts, and weights move both ways."""
import sys

import numpy as np
import pytest
from scipy.special import softmax

from estimator_data import assert_same_state, fast, ragged, regression_3d, tokens
from rnnsk import (GRURegressor, LSTMClassifier, LSTMRegressor, RecurrentClassifier,
                   RNNClassifier, to_torch)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def padded(X):
    """Right-padded batch and lengths of a ragged list (2-D items: features,
    1-D items: token ids)."""
    lengths = np.array([len(x) for x in X])
    shape = (len(X), lengths.max()) + np.shape(X[0])[1:]
    batch = np.zeros(shape, dtype=np.asarray(X[0]).dtype)
    for i, x in enumerate(X):
        batch[i, :len(x)] = x
    return batch, lengths


def module_outputs(module, X, dtype):
    torch = pytest.importorskip("torch")
    batch, lengths = padded(X)
    tensor = torch.from_numpy(batch if batch.dtype.kind in "iu" else batch.astype(dtype))
    module.eval()
    with torch.no_grad():
        return module(tensor, torch.from_numpy(lengths)).numpy()


def ragged_tokens(n=50, vocabulary=12, seed=0):
    X, _ = tokens(n=n, steps=7, vocabulary=vocabulary, seed=seed)
    X = [row[: 2 + i % 6] for i, row in enumerate(X)]
    y = np.array([int((row == 0).any()) for row in X])
    return X, y


CLASSIFIERS = {
    "lstm-float32": (lambda: LSTMClassifier(**fast()), "float32"),
    "lstm-float64-bidirectional-2-layers": (
        lambda: LSTMClassifier(**fast(dtype="float64", num_layers=2, dropout=0.2),
                               bidirectional=True), "float64"),
    "rnn-embedding-bidirectional-tuple": (
        lambda: RNNClassifier(**fast(dtype="float64", hidden_size=(8, 8, 4), dropout=0.3),
                              embedding_dim=5, bidirectional=True), "float64"),
    "gru-embedding-float32": (
        lambda: RecurrentClassifier(**fast(cell="gru", hidden_size=(6, 4)), embedding_dim=3),
        "float32"),
    "rnn-relu": (lambda: RecurrentClassifier(**fast(cell="rnn_relu", dtype="float64")),
                 "float64"),
}
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}


@pytest.mark.parametrize("case", list(CLASSIFIERS))
def test_torch_module_softmax_equals_predict_proba(case):
    pytest.importorskip("torch")
    make, dtype = CLASSIFIERS[case]
    clf = make()
    if clf.embedding_dim is None:
        X, y, _ = ragged(n=50)
    else:
        X, y = ragged_tokens()
    clf.fit(X, y)
    module = to_torch(clf)
    assert next(module.parameters()).dtype.itemsize == np.dtype(dtype).itemsize
    assert list(module.state_dict()) == list(clf.state_dict())
    proba = softmax(module_outputs(module, X, dtype).astype(np.float64), axis=1)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_torch_module_equals_predict_of_a_regressor(dtype):
    pytest.importorskip("torch")
    X, Y = regression_3d(n=50, n_targets=2)
    Y[:, 1] *= 1000.0  # the exported head predicts y in its own units
    reg = GRURegressor(**fast(dtype=dtype, hidden_size=(8, 4)), bidirectional=True).fit(X, Y)
    outputs = module_outputs(to_torch(reg), list(X), dtype)
    scale = np.abs(Y).max(axis=0)
    np.testing.assert_allclose(outputs / scale, reg.predict(X) / scale, rtol=0,
                               atol=TOLERANCE[dtype])


def test_torch_module_of_a_1d_regressor_without_lengths():
    torch = pytest.importorskip("torch")
    X, y = regression_3d(n=40)
    reg = LSTMRegressor(**fast(dtype="float64")).fit(X, y)
    module = to_torch(reg).eval()
    with torch.no_grad():
        outputs = module(torch.from_numpy(X)).numpy()
    assert outputs.shape == (40, 1)
    np.testing.assert_allclose(outputs[:, 0], reg.predict(X), rtol=1e-10)


def test_load_state_dict_from_a_changed_torch_module():
    torch = pytest.importorskip("torch")
    X, y = ragged_tokens()
    clf = RNNClassifier(**fast(dtype="float64", hidden_size=(6, 4)), embedding_dim=3,
                        bidirectional=True).fit(X, y)
    module = to_torch(clf)
    with torch.no_grad():
        generator = torch.Generator().manual_seed(0)
        for parameter in module.parameters():
            parameter.add_(0.1 * torch.randn(parameter.shape, generator=generator,
                                             dtype=parameter.dtype))
    before = clf.predict_proba(X)
    assert clf.load_state_dict(module.state_dict()) is clf
    for name, value in module.state_dict().items():
        np.testing.assert_array_equal(clf.state_dict()[name], value.numpy())
    proba = clf.predict_proba(X)
    assert np.abs(proba - before).max() > 1e-3
    np.testing.assert_allclose(proba, softmax(module_outputs(module, X, "float64"), axis=1),
                               rtol=0, atol=1e-10)


def test_regressor_state_dict_round_trip():
    X, Y = regression_3d(n=40, n_targets=2)
    reg = LSTMRegressor(**fast(dtype="float64")).fit(X, 100.0 * Y + 3.0)
    before = reg.predict(X)
    state = reg.state_dict()
    reg.load_state_dict(state)
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-12)
    for name, value in reg.state_dict().items():
        np.testing.assert_allclose(value, state[name], rtol=1e-12, atol=1e-14)
    # Another estimator's weights (same shapes) make it predict what that one does.
    other = LSTMRegressor(**fast(dtype="float64", random_state=1)).fit(X, Y)
    reg.load_state_dict(other.state_dict())
    np.testing.assert_allclose(reg.predict(X), other.predict(X), rtol=1e-10)


def test_state_dict_is_a_copy():
    X, y, _ = ragged(n=40)
    clf = LSTMClassifier(**fast()).fit(X, y)
    state = clf.state_dict()
    proba = clf.predict_proba(X)
    for value in state.values():
        value[...] = 0
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


BAD_STATES = {
    "renamed": (lambda s: {("rnn.weight_ih_l9" if k == "rnn.weight_ih_l0" else k): v
                           for k, v in s.items()},
                r"missing \['rnn.weight_ih_l0'\], unexpected \['rnn.weight_ih_l9'\]"),
    "missing": (lambda s: {k: v for k, v in s.items() if k != "head.bias"},
                r"missing \['head.bias'\]"),
    "extra": (lambda s: {**s, "extra.weight": np.zeros(3)}, r"unexpected \['extra.weight'\]"),
    "shape": (lambda s: {**s, "rnn.weight_hh_l0": np.zeros((32, 9))},
              r"rnn.weight_hh_l0 has shape \(32, 9\), this model needs \(32, 8\)"),
    "head-shape": (lambda s: {**s, "head.weight": np.zeros((3, 8))}, "head.weight"),
    "nan": (lambda s: {**s, "head.bias": np.full(2, np.nan)}, "NaN or infinity"),
}


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
@pytest.mark.parametrize("case", list(BAD_STATES))
def test_load_state_dict_with_a_wrong_name_or_shape_changes_nothing(case, Estimator):
    X, y, _ = ragged(n=40)
    if Estimator is LSTMRegressor:
        y = np.stack([y, 2.0 * y], axis=1)  # two outputs, as head.bias has
    est = Estimator(**fast()).fit(X, y)
    before = est.state_dict()
    predictions = est.predict(X)
    change, message = BAD_STATES[case]
    # Change every other array too, so that a partial load would show.
    state = change({k: v + 1.0 for k, v in before.items()})
    with pytest.raises(ValueError, match=message):
        est.load_state_dict(state)
    assert_same_state(est.state_dict(), before)
    np.testing.assert_array_equal(est.predict(X), predictions)


def test_load_state_dict_needs_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        LSTMClassifier().load_state_dict({})


def test_to_torch_without_torch_says_how_to_install_it(monkeypatch):
    X, y, _ = ragged(n=40)
    clf = LSTMClassifier(**fast()).fit(X, y)
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    with pytest.raises(ImportError, match="to_torch needs PyTorch.*pip install torch"):
        to_torch(clf)
