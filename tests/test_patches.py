"""patch_length: long sequences read in patches of consecutive steps."""
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from estimator_data import assert_same_state, fast
from rnnsk import GRUClassifier, LSTMRegressor, RecurrentClassifier, RecurrentRegressor
from rnnsk._patches import auto_patch_length, patched
from rnnsk._validation import check_sequences


def reference_patches(x, k):
    """One sequence in patches, written out plainly: pad by repeating the last
    step, then each patch's steps side by side."""
    rows = [list(step) for step in x]
    while len(rows) % k:
        rows.append(rows[-1])
    return np.array([sum(rows[i:i + k], []) for i in range(0, len(rows), k)])


def ragged_long(n=24, features=2, lengths=(1, 90), seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.standard_normal((int(length), features)) * 3.0 + 1.0
         for length in rng.integers(*lengths, size=n)]
    y = np.array([int(x[:, 0].mean() > 1.0) for x in X])
    return X, y


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_patches_of_ragged_sequences_repeat_the_last_step(k):
    X, _ = ragged_long(n=9, lengths=(1, 20))
    sequences = patched(check_sequences(X, dtype=np.dtype("float64")), k)
    for i, x in enumerate(X):
        expected = reference_patches(x, k)
        assert sequences.lengths[i] == len(expected) == -(-len(x) // k)
        np.testing.assert_array_equal(sequences.data[i, :len(expected)], expected)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_features_constant_over_a_sequence_are_read_once_per_patch(k):
    X, _ = ragged_long(n=9, lengths=(1, 20))
    # two varying features, then two that hold one value per sequence
    with_constants = [np.hstack([x, np.tile(x[0] * 10.0, (len(x), 1))]) for x in X]
    sequences = patched(check_sequences(with_constants, dtype=np.dtype("float64")), k,
                        constant_inputs=2)
    for i, x in enumerate(X):
        expected = reference_patches(x, k)
        if k > 1:
            expected = np.hstack([expected, np.tile(x[0] * 10.0, (len(expected), 1))])
        else:  # step by step, every step holds them
            expected = with_constants[i]
        np.testing.assert_array_equal(sequences.data[i, :len(expected)], expected)


def test_auto_reads_sequences_of_64_steps_and_more_in_patches():
    assert auto_patch_length([10, 63, 63]) == 1
    assert auto_patch_length([64]) == 2
    assert auto_patch_length([100, 251, 400]) == 7
    assert auto_patch_length([288]) == auto_patch_length([1460]) == 8
    X = np.random.default_rng(0).standard_normal((12, 100, 2))
    y = np.arange(12) % 2
    clf = GRUClassifier(**fast(max_iter=2)).fit(X, y)
    assert clf.patch_length_ == 3
    # patches of 3 steps of 2 features and their z-scores, then each feature's
    # sequence mean and log standard deviation once
    assert clf.model_.blocks[0].input_size == 3 * 2 * 2 + 2 * 2
    assert GRUClassifier(**fast(max_iter=2)).fit(X[:, :63], y).patch_length_ == 1
    tokens = [np.arange(100) % 5 for _ in range(12)]
    assert GRUClassifier(**fast(max_iter=2, embedding_dim=3)).fit(tokens, y).patch_length_ == 1


@pytest.mark.parametrize("Estimator", [RecurrentClassifier, RecurrentRegressor])
def test_a_patched_fit_is_a_step_by_step_fit_on_the_patches(Estimator):
    # Without standardization, input noise and sequence statistics (all per
    # feature of the raw steps), reading patches is exactly fitting on the
    # patched sequences.
    X, y = ragged_long()
    params = fast(dtype="float64", standardize=False, input_noise=0.0,
                  sequence_standardize=False, readout="mean", max_iter=5)
    inside = Estimator(patch_length=4, **params).fit(X, y)
    outside = Estimator(patch_length=1, **params).fit([reference_patches(x, 4) for x in X], y)
    predict = "predict_proba" if Estimator is RecurrentClassifier else "predict"
    np.testing.assert_array_equal(getattr(inside, predict)(X),
                                  getattr(outside, predict)([reference_patches(x, 4)
                                                             for x in X]))
    assert inside.n_features_in_ == 2


def test_standardization_folds_into_the_first_layer_of_a_patched_model():
    X, y = ragged_long()
    raw = [x * np.array([50.0, 0.1]) + np.array([200.0, 3.0]) for x in X]
    reg = LSTMRegressor(**fast(dtype="float64", patch_length=3, bidirectional=True)).fit(raw, y)
    state = reg.state_dict()
    mean, scale = reg._input_scaling
    internal = reg.model_.blocks[0].parameters
    # Per feature x, z-score, mean, log std: the first two at each of a patch's
    # 3 steps, the sequence's mean and log std once.
    def of_a_patch(values):
        return np.concatenate([np.tile(values[:4], 3), values[4:]])
    for suffix in ("", "_reverse"):
        weight = state[f"rnn.weight_ih_l0{suffix}"]
        assert weight.shape[1] == 3 * 2 * 2 + 2 * 2
        np.testing.assert_allclose(weight * of_a_patch(scale),
                                   internal[f"weight_ih_l0{suffix}"], rtol=1e-12)
        np.testing.assert_allclose(state[f"rnn.bias_ih_l0{suffix}"] + weight @ of_a_patch(mean),
                                   internal[f"bias_ih_l0{suffix}"], rtol=1e-9, atol=1e-12)
    before = reg.predict(raw)
    other = LSTMRegressor(**fast(dtype="float64", patch_length=3, bidirectional=True,
                                 random_state=1)).fit(raw, y)
    other.load_state_dict(state)
    np.testing.assert_allclose(other.predict(raw), before, rtol=1e-10)


def test_torch_module_makes_the_patches_itself():
    pytest.importorskip("torch")
    X, y = ragged_long()
    clf = GRUClassifier(**fast(dtype="float64", patch_length=5, bidirectional=True)).fit(X, y)
    assert_torch_module_reproduces_predict_proba(clf, X)


def assert_torch_module_reproduces_predict_proba(clf, X):
    """to_torch(clf) given the sequences step by step, padded, gives predict_proba."""
    import torch

    from rnnsk import to_torch
    lengths = np.array([len(x) for x in X])
    padded = np.zeros((len(X), lengths.max(), X[0].shape[1]))
    for i, x in enumerate(X):
        padded[i, :len(x)] = x
    logits = to_torch(clf)(torch.from_numpy(padded), torch.from_numpy(lengths))
    np.testing.assert_allclose(torch.softmax(logits, dim=1).detach().numpy(),
                               clf.predict_proba(X), rtol=1e-10, atol=1e-12)


def test_warm_start_keeps_the_first_fits_patch_length():
    X, y = ragged_long(lengths=(70, 90))
    clf = GRUClassifier(**fast(max_iter=2, warm_start=True)).fit(X, y)
    assert clf.patch_length_ == 2
    longer, y_longer = ragged_long(lengths=(300, 400))  # 'auto' would pick 8 afresh
    clf.fit(longer, y_longer)
    assert clf.patch_length_ == 2
    fitted = clf.model_.state_dict()
    with pytest.raises(ValueError, match=r"patch_length 5 \(fitted with 2\)"):
        clf.set_params(patch_length=5).fit(X, y)
    assert clf.patch_length_ == 2
    assert_same_state(clf.model_.state_dict(), fitted)
    clf.set_params(patch_length=2).fit(X, y)  # what 'auto' chose: the same network


def test_bad_patch_lengths_are_refused_and_change_nothing():
    X, y = ragged_long()
    with pytest.raises(InvalidParameterError, match="patch_length"):
        GRUClassifier(patch_length=0).fit(X, y)
    tokens = [np.arange(5) % 3 for _ in range(6)]
    clf = GRUClassifier(**fast(embedding_dim=3, max_iter=2)).fit(tokens, np.arange(6) % 2)
    fitted = clf.model_
    with pytest.raises(ValueError, match="token ids .* one per step"):
        clf.set_params(patch_length=2).fit(tokens, np.arange(6) % 2)
    assert clf.model_ is fitted


def test_partial_fit_fixes_the_patch_length_on_its_first_batch_and_pickles():
    import pickle
    X, y = ragged_long(lengths=(70, 90))
    clf = GRUClassifier(**fast())
    clf.partial_fit(X[:12], y[:12], classes=[0, 1])
    assert clf.patch_length_ == 2
    clf.partial_fit([x[:10] for x in X[12:]], y[12:])  # shorter batches keep it
    assert clf.patch_length_ == 2
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.patch_length_ == 2
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))


def fitted_with_the_statistics_at_every_step_of_a_patch(monkeypatch, **params):
    """An estimator as fitted before the sequence statistics were read once per
    patch (_constant_inputs_of was 0, in effect), restored from the state an
    earlier version saved (without ``_constant_inputs``), and the same
    estimator as fitted."""
    import rnnsk._base
    X, y = ragged_long(lengths=(70, 90))
    with monkeypatch.context() as patch:
        patch.setattr(rnnsk._base.BaseRecurrent, "_constant_inputs_of",
                      lambda self, sequences: 0)
        fitted = GRUClassifier(**fast(max_iter=2, **params)).fit(X, y)
    state = fitted.__getstate__()
    del state["_constant_inputs"]
    old = GRUClassifier.__new__(GRUClassifier)
    old.__setstate__(state)
    return old, fitted, X, y


def test_estimators_fitted_when_patches_repeated_the_statistics_still_read_them_so(
        monkeypatch):
    old, fitted, X, y = fitted_with_the_statistics_at_every_step_of_a_patch(monkeypatch)
    assert fitted.model_.blocks[0].input_size == 2 * 2 * 4  # patches of 2 steps, 4 inputs each
    np.testing.assert_array_equal(old.predict_proba(X), fitted.predict_proba(X))
    old.set_params(warm_start=True).fit(X, y)  # and trains on as it was built
    assert old.model_.blocks[0].input_size == 16
    assert GRUClassifier(**fast(max_iter=2)).fit(X, y).model_.blocks[0].input_size == 12


def test_estimators_fitted_when_patches_repeated_the_statistics_export_them_so(monkeypatch):
    pytest.importorskip("torch")
    old, _, X, _ = fitted_with_the_statistics_at_every_step_of_a_patch(
        monkeypatch, dtype="float64", bidirectional=True)
    assert_torch_module_reproduces_predict_proba(old, X)


def test_noise_and_statistics_of_a_patch_follow_its_inputs():
    from rnnsk._input_noise import input_noise_of
    from rnnsk._patches import patched_columns
    # per step: 2 varying inputs (a, b), then 2 constant ones (m, s)
    np.testing.assert_array_equal(patched_columns(np.array([1, 2, 30, 40]), 3, 2),
                                  [1, 2, 1, 2, 1, 2, 30, 40])
    np.testing.assert_array_equal(patched_columns(np.array([1, 2, 30, 40]), 3),
                                  np.tile([1, 2, 30, 40], 3))
    sequences = check_sequences(np.ones((2, 6, 4)), dtype=np.dtype("float64"))
    np.testing.assert_array_equal(input_noise_of(0.1, sequences, None, 3, 2), np.full(8, 0.1))


def test_a_patch_longer_than_every_sequence_is_refused():
    X, y = ragged_long(lengths=(5, 12))
    with pytest.raises(ValueError, match="longer than the longest training sequence"):
        GRUClassifier(**fast(patch_length=40)).fit(X, y)


def test_estimators_pickled_before_patch_length_read_every_step():
    from sklearn.base import clone

    from rnnsk import RecurrentForecaster
    X, y = ragged_long(n=12, lengths=(5, 12))
    clf = GRUClassifier(**fast(max_iter=2, patch_length=1)).fit(X, y)
    state = clf.__getstate__()
    del state["patch_length"], state["patch_length_"]  # as saved by an earlier version
    old = GRUClassifier.__new__(GRUClassifier)
    old.__setstate__(state)
    assert old.get_params()["patch_length"] == 1
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))
    clone(old).fit(X, y)
    state = RecurrentForecaster(window_length=3).__getstate__()
    del state["patch_length"]
    forecaster = RecurrentForecaster.__new__(RecurrentForecaster)
    forecaster.__setstate__(state)
    assert forecaster.get_params()["patch_length"] == 1
