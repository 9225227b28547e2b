"""The embedding's sparse gradient, its lazy optimizer updates and embedding
dropout.

References: finite differences and PyTorch autograd (``nn.Embedding`` under the
module ``to_torch`` builds) for the gradient rows, ``np.add.at`` for the
accumulation, and PyTorch's ``SparseAdam`` for the lazy Adam update (its answers
also stored in tests/fixtures/sparse_adam_reference.npz, made by
tests/reference/make_sparse_adam_reference.py, for runs without torch).
"""
import os
import signal
import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRUClassifier, LSTMClassifier, to_torch
from rnnsk._optim import (AdamOptimizer, Diverged, InterruptedAfterStep, RowWrite,
                          SGDOptimizer, add_weight_decay, clip_by_global_norm)
from rnnsk._sparse import SparseRows

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "sparse_adam_reference.npz")


def token_data(n=24, vocabulary=12, seed=0):
    """Ragged id sequences with repeated ids, and a label depending on them."""
    rng = np.random.default_rng(seed)
    X = [rng.integers(0, vocabulary, rng.integers(1, 7)) for _ in range(n)]
    y = np.array([int(np.sum(x % 3 == 0) > len(x) / 3) for x in X])
    return X, y


def fitted(X, y, **changes):
    params = dict(embedding_dim=3, hidden_size=4, max_iter=1, dtype="float64",
                  random_state=0, vocabulary_size=15)
    params.update(changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LSTMClassifier(**params).fit(X, y)


def dense(gradient):
    table = np.zeros(gradient.shape, gradient.values.dtype)
    table[gradient.indices] = gradient.values
    return table


def embedding_gradient(clf, sequences, d_scores, seed=0):
    """rnnsk's sparse gradient of sum(scores * d_scores) for the embedding."""
    model = clf.model_
    model.forward(sequences, training=True, seed=seed)
    model.backward(d_scores)
    return model.gradients[0]


def scores_objective(clf, sequences, d_scores, seed=0):
    return float(np.sum(clf.model_.forward(sequences, training=True, seed=seed) * d_scores))


# --------------------------------------------------------------- gradient --

@pytest.mark.parametrize("embedding_dropout", [0.0, 0.5])
def test_embedding_rows_match_finite_differences(embedding_dropout):
    X, y = token_data()
    clf = fitted(X, y, embedding_dropout=embedding_dropout)
    sequences = clf._validate_sequences(X[:8], reset=False)
    d_scores = np.random.default_rng(1).standard_normal((8, 2))
    gradient = embedding_gradient(clf, sequences, d_scores, seed=3)
    table = clf.model_.embedding
    numeric = np.zeros_like(table)
    step = 1e-6
    for row in range(table.shape[0]):
        for column in range(table.shape[1]):
            saved = table[row, column]
            table[row, column] = saved + step
            plus = scores_objective(clf, sequences, d_scores, seed=3)
            table[row, column] = saved - step
            minus = scores_objective(clf, sequences, d_scores, seed=3)
            table[row, column] = saved
            numeric[row, column] = (plus - minus) / (2 * step)
    np.testing.assert_allclose(dense(gradient), numeric, rtol=1e-6, atol=1e-9)
    # Exactly the rows with a gradient, sorted and unique; ids only in padding
    # or dropped have none.
    assert np.all(np.diff(gradient.indices) > 0)
    used = np.unique(np.concatenate(X[:8]))
    assert set(gradient.indices) <= set(used)
    if embedding_dropout == 0:
        np.testing.assert_array_equal(gradient.indices, used)
    else:
        assert 0 < len(gradient.indices) < len(used)
        assert np.all(numeric[np.setdiff1d(used, gradient.indices)] == 0)


@pytest.mark.parametrize("classifier", [LSTMClassifier, GRUClassifier])
def test_embedding_rows_match_torch_autograd(classifier):
    torch = pytest.importorskip("torch")
    X, y = token_data(n=30, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = classifier(embedding_dim=4, hidden_size=5, max_iter=2, dtype="float64",
                         random_state=0, bidirectional=True).fit(X, y)
    sequences = clf._validate_sequences(X, reset=False)
    d_scores = np.random.default_rng(0).standard_normal((len(X), 2))
    gradient = embedding_gradient(clf, sequences, d_scores)

    module = to_torch(clf)
    # Padded positions hold id 0, a real id: they must add nothing to its row.
    scores = module(torch.from_numpy(sequences.data), torch.from_numpy(sequences.lengths))
    (scores * torch.from_numpy(d_scores)).sum().backward()
    expected = module.embedding.weight.grad.numpy()
    np.testing.assert_allclose(dense(gradient), expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(gradient.indices, np.flatnonzero(np.any(expected, axis=1)))

    # nn.Embedding(sparse=True) gives the same rows once coalesced.
    sparse = torch.nn.Embedding(*clf.model_.embedding.shape, sparse=True).double()
    sparse.weight.data.copy_(module.embedding.weight.data)
    module.embedding = sparse
    module(torch.from_numpy(sequences.data),
           torch.from_numpy(sequences.lengths)).mul(torch.from_numpy(d_scores)).sum().backward()
    coalesced = sparse.weight.grad.coalesce()
    real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
    used = np.isin(coalesced.indices()[0].numpy(), sequences.data[real])
    np.testing.assert_array_equal(coalesced.indices()[0].numpy()[used], gradient.indices)
    np.testing.assert_allclose(coalesced.values().numpy()[used], gradient.values,
                               rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_summed_rows_equal_dense_accumulation(dtype):
    """The sparse accumulation (sort, reduceat) against np.add.at into a dense
    table: the same sums, up to rounding (reduceat may add in another order)."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 40, 500)
    rows = rng.standard_normal((500, 6)).astype(dtype)
    expected = np.zeros((50, 6), dtype)
    np.add.at(expected, ids, rows)
    gradient = SparseRows.from_rows(ids, rows, (50, 6))
    np.testing.assert_array_equal(gradient.indices, np.unique(ids))
    np.testing.assert_allclose(dense(gradient), expected,
                               rtol=1e-12 if dtype == np.float64 else 1e-5, atol=1e-6)
    assert gradient.values.dtype == dtype
    empty = SparseRows.from_rows(ids[:0], rows[:0], (50, 6))
    assert empty.indices.shape == (0,) and empty.values.shape == (0, 6)


# -------------------------------------------------------------- optimizer --

def sparse_steps(n_rows=10, dim=3, steps=6, seed=0):
    """A table and the sparse gradients of a few steps, with repeated rows."""
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((n_rows, dim))
    gradients = []
    for _ in range(steps):
        rows = np.sort(rng.choice(n_rows, size=rng.integers(1, 5), replace=False))
        gradients.append((rows, rng.standard_normal((len(rows), dim))))
    return table, gradients


def lazy_adam(table, gradients, learning_rate=0.1):
    optimizer = AdamOptimizer([table], learning_rate)
    tables = []
    for rows, values in gradients:
        optimizer.step([table], [SparseRows(rows, values.copy(), table.shape)])
        tables.append(table.copy())
    return tables


def torch_sparse_adam(torch, table, gradients, learning_rate=0.1):
    weight = torch.nn.Parameter(torch.from_numpy(table.copy()))
    optimizer = torch.optim.SparseAdam([weight], lr=learning_rate)
    tables = []
    for rows, values in gradients:
        weight.grad = torch.sparse_coo_tensor(torch.from_numpy(rows)[None],
                                              torch.from_numpy(values), table.shape,
                                              check_invariants=True)
        optimizer.step()
        tables.append(weight.detach().numpy().copy())
    return tables


def test_lazy_adam_matches_torch_sparse_adam():
    torch = pytest.importorskip("torch")
    table, gradients = sparse_steps()
    expected = torch_sparse_adam(torch, table, gradients)
    for got, want in zip(lazy_adam(table.copy(), gradients), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_lazy_adam_matches_stored_sparse_adam_reference():
    with np.load(FIXTURE) as data:
        table, expected = data["table"], data["expected"]
        gradients = [(data[f"rows{i}"], data[f"values{i}"]) for i in range(len(expected))]
    table_now, generated = sparse_steps()
    np.testing.assert_array_equal(table, table_now)  # the fixture's inputs are these
    for got, want in zip(lazy_adam(table.copy(), gradients), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_lazy_adam_leaves_unused_rows_and_their_moments_alone():
    """Dense Adam would keep moving a row by its momentum after it leaves the
    minibatch; the lazy rule leaves it exactly as it was."""
    table = np.arange(12.0).reshape(4, 3)
    optimizer = AdamOptimizer([table], 0.1)
    optimizer.step([table], [SparseRows(np.array([0, 2]), np.ones((2, 3)), table.shape)])
    after_first = table.copy()
    moments = optimizer.first_moments[0].copy(), optimizer.second_moments[0].copy()
    optimizer.step([table], [SparseRows(np.array([2]), np.ones((1, 3)), table.shape)])
    np.testing.assert_array_equal(table[[0, 1, 3]], after_first[[0, 1, 3]])
    np.testing.assert_array_equal(optimizer.first_moments[0][[0, 1, 3]], moments[0][[0, 1, 3]])
    np.testing.assert_array_equal(optimizer.second_moments[0][[0, 1, 3]], moments[1][[0, 1, 3]])
    assert not np.array_equal(table[2], after_first[2])


@pytest.mark.parametrize("nesterov", [True, False])
def test_lazy_sgd_is_dense_sgd_on_the_used_rows(nesterov):
    """Written out independently: the momentum rule on the used rows only."""
    table, gradients = sparse_steps(seed=1)
    expected, velocity = table.copy(), np.zeros_like(table)
    optimizer = SGDOptimizer([table], 0.1, momentum=0.9, nesterov=nesterov)
    for rows, values in gradients:
        optimizer.step([table], [SparseRows(rows, values.copy(), table.shape)])
        velocity[rows] = 0.9 * velocity[rows] - 0.1 * values
        expected[rows] += (0.9 * velocity[rows] - 0.1 * values) if nesterov else velocity[rows]
        np.testing.assert_allclose(table, expected, rtol=1e-14, atol=1e-15)


def test_clipping_counts_the_sparse_rows_in_the_global_norm():
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((3, 4))
    sparse = SparseRows(np.array([1, 5]), rng.standard_normal((2, 4)), (8, 4))
    whole = np.concatenate([weights.ravel(), dense(sparse).ravel()])
    expected_norm = np.linalg.norm(whole)
    values_before, weights_before = sparse.values.copy(), weights.copy()
    norm = clip_by_global_norm([weights, sparse], 1.0)
    assert norm == pytest.approx(expected_norm, rel=1e-12)
    scale = 1.0 / (expected_norm + 1e-6)
    np.testing.assert_allclose(sparse.values, values_before * scale, rtol=1e-12)
    np.testing.assert_allclose(weights, weights_before * scale, rtol=1e-12)
    assert np.linalg.norm(np.concatenate([weights.ravel(), sparse.values.ravel()])) < 1.0


def test_embedding_gets_no_weight_decay():
    table = np.ones((5, 2))
    weights = np.ones((2, 2))
    sparse = SparseRows(np.array([3]), np.zeros((1, 2)), table.shape)
    d_weights = np.zeros((2, 2))
    squares = add_weight_decay([table, weights], [sparse, d_weights],
                               [None, np.ones((2, 2))], 0.5)
    assert squares == 4.0  # |weights|^2 only
    np.testing.assert_array_equal(sparse.values, 0.0)
    np.testing.assert_array_equal(d_weights, 0.5)


def test_rows_of_ids_never_seen_keep_their_initial_values():
    """Through the public API: ids the training data never holds are never
    updated (no momentum, no L2 shrinking), whatever alpha."""
    X, y = token_data(vocabulary=10)
    initial = fitted(X, y, max_iter=1, learning_rate_init=1e-12).state_dict()
    trained = fitted(X, y, max_iter=5, alpha=1.0).state_dict()
    np.testing.assert_array_equal(trained["embedding.weight"][10:],
                                  initial["embedding.weight"][10:])
    assert not np.allclose(trained["embedding.weight"][:10], initial["embedding.weight"][:10])


# ------------------------------------------------------------ transaction --

def test_a_sparse_step_that_would_leave_a_nan_is_refused_whole():
    table = np.ones((4, 2))
    weights = np.ones(3)
    optimizer = AdamOptimizer([table, weights], 0.1)
    before = table.copy(), weights.copy()
    bad = SparseRows(np.array([1, 2]), np.array([[1.0, np.nan], [1.0, 1.0]]), table.shape)
    with np.errstate(invalid="ignore"), pytest.raises(Diverged):
        optimizer.step([table, weights], [bad, np.ones(3)])
    np.testing.assert_array_equal(table, before[0])
    np.testing.assert_array_equal(weights, before[1])
    assert optimizer.t == 0
    assert not np.any(optimizer.first_moments[0]) and not np.any(optimizer.second_moments[0])


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs POSIX signals")
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_ctrl_c_during_a_sparse_commit_lands_the_step_whole(monkeypatch, solver):
    table, gradients = sparse_steps(seed=2)
    reference = table.copy()
    make = ((lambda t: AdamOptimizer([t], 0.1)) if solver == "adam"
            else (lambda t: SGDOptimizer([t], 0.1)))
    expected_optimizer = make(reference)
    rows, values = gradients[0]
    expected_optimizer.step([reference], [SparseRows(rows, values.copy(), table.shape)])

    original = RowWrite.write
    calls = []

    def write(self):
        calls.append(1)
        if len(calls) == 1:  # SIGINT arrives in the middle of the commit
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        original(self)

    monkeypatch.setattr(RowWrite, "write", write)
    optimizer = make(table)
    with pytest.raises(InterruptedAfterStep):
        optimizer.step([table], [SparseRows(rows, values.copy(), table.shape)])
    np.testing.assert_array_equal(table, reference)
    if solver == "adam":
        assert optimizer.t == 1
        np.testing.assert_array_equal(optimizer.first_moments[0],
                                      expected_optimizer.first_moments[0])
        np.testing.assert_array_equal(optimizer.second_moments[0],
                                      expected_optimizer.second_moments[0])
    else:
        np.testing.assert_array_equal(optimizer.velocities[0], expected_optimizer.velocities[0])


# -------------------------------------------------------------- estimator --

def test_embedding_dropout_fits_are_bit_identical_with_a_seed():
    X, y = token_data(n=40)
    a = fitted(X, y, max_iter=3, embedding_dropout=0.3, dtype="float32")
    b = fitted(X, y, max_iter=3, embedding_dropout=0.3, dtype="float32")
    plain = fitted(X, y, max_iter=3, dtype="float32")
    assert a.loss_curve_ == b.loss_curve_
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(value, b.state_dict()[name])
    assert a.loss_curve_ != plain.loss_curve_
    # Dropout is for training only.
    np.testing.assert_array_equal(a.predict_proba(X), a.predict_proba(X))


def test_embedding_dropout_drops_whole_words():
    """Every occurrence of a dropped id reads a zero vector; kept ones are
    scaled by 1 / (1 - p); about p of the distinct ids are dropped."""
    X, y = token_data(n=200, vocabulary=14)
    clf = fitted(X, y, embedding_dropout=0.4)
    scale = clf.model_._word_scale(clf._validate_sequences(X, reset=False).data, seed=5)
    data = clf._validate_sequences(X, reset=False).data
    for word in np.unique(data):
        values = np.unique(scale[data == word])
        assert len(values) == 1 and values[0] in (0.0, 1 / 0.6)
    dropped = np.mean([scale[data == word][0] == 0 for word in np.unique(data)])
    assert 0.1 < dropped < 0.7


def test_embedding_dropout_needs_an_embedding():
    X = np.random.default_rng(0).standard_normal((10, 4, 2))
    clf = LSTMClassifier(embedding_dropout=0.2, max_iter=1)
    with pytest.raises(ValueError, match="embedding_dropout=0.2 needs an embedding"):
        clf.fit(X, np.arange(10) % 2)
    assert not hasattr(clf, "model_")
    with pytest.raises(ValueError, match="embedding_dropout"):
        LSTMClassifier(embedding_dim=2, embedding_dropout=1.0).fit([[1, 2]] * 4, [0, 1] * 2)


def test_embedding_dropout_with_a_character_encoder():
    """The tagger reads words and their characters: only the word vectors are
    dropped, and fits stay bit-identical with a seed."""
    from rnnsk import RecurrentTagger
    from test_tagger import words_task
    X, y = words_task()
    params = dict(hidden_size=8, max_iter=3, random_state=0, embedding_dropout=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = RecurrentTagger(**params).fit(X, y)
        b = RecurrentTagger(**params).fit(X, y)
        plain = RecurrentTagger(**dict(params, embedding_dropout=0.0)).fit(X, y)
    assert a.model_.char_encoder is not None
    assert a.loss_curve_ == b.loss_curve_ and a.loss_curve_ != plain.loss_curve_
    for name, value in a.state_dict().items():
        np.testing.assert_array_equal(value, b.state_dict()[name])
