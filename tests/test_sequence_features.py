"""``sequence_standardize``: each sequence read beside its own statistics.

The four inputs per feature agree with a per-sequence numpy computation (ragged
sequences, constant ones, values whose squares overflow); a model reading them
learns shapes whose level and amplitude vary by orders of magnitude, where one
reading the globally standardized inputs alone does not; scaling a feature
leaves the fit as it was; token ids are read as before; pickles from before
the parameter read the inputs alone.
"""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRUClassifier, GRURegressor, LSTMClassifier
from rnnsk._input_noise import input_noise_of
from rnnsk._sequence_features import (FLOOR_SHARE, sequence_features_on_demand,
                                      with_sequence_features)
from rnnsk._validation import check_sequences
from test_persistence import pickle_with_state, without

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def reference_features(row, floor):
    """[x, (x - m) / s, m, log(max(s, floor))] of one sequence, in numpy."""
    m, s = row.mean(axis=0), row.std(axis=0)
    z = np.divide(row - m, s, out=np.zeros_like(row), where=s > 0)
    ones = np.ones((len(row), 1))
    return np.column_stack([row, z, m * ones, np.log(np.maximum(s, floor)) * ones])


@pytest.mark.parametrize("magnitude", [1.0, 1e200, 1e-200])
def test_features_are_those_of_each_sequence_over_its_real_steps(magnitude):
    rng = np.random.default_rng(0)
    rows = [magnitude * (rng.standard_normal((n, 2)) * [1.0, 30.0] + [5.0, -200.0])
            for n in (7, 1, 12, 3)]
    rows.append(np.full((5, 2), 4.0 * magnitude))  # constant: z-score 0, log(floor)
    floor = np.array([0.5, 2.0]) * magnitude
    sequences = check_sequences(rows, dtype=np.dtype("float64"))
    features = with_sequence_features(sequences, floor)
    assert features.data.shape == (5, 12, 8)
    np.testing.assert_array_equal(features.lengths, sequences.lengths)
    for row, computed, length in zip(rows, features.data, sequences.lengths):
        expected = reference_features(row / magnitude, floor / magnitude)
        expected[:, [0, 1, 4, 5]] *= magnitude  # x and m scale, z does not
        expected[:, 6:] += np.log(magnitude)
        np.testing.assert_allclose(computed[:length], expected, rtol=1e-12, atol=1e-12)
        assert np.all(np.isfinite(computed))


def shapes_at_any_scale(n, seed):
    """Sines against square waves, each sequence at its own offset and
    amplitude, both spread over six orders of magnitude."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    sine = np.sin(np.arange(40)[None, :] / 3 + rng.uniform(0, 2 * np.pi, n)[:, None])
    shapes = np.where(y[:, None] == 1, np.sign(sine), sine)
    amplitude = 10 ** rng.uniform(-3, 3, n)
    offset = 10 ** rng.uniform(-3, 3, n) * rng.choice([-1, 1], n)
    return (shapes * amplitude[:, None] + offset[:, None])[:, :, None], y


def test_shapes_at_any_scale_are_learned_with_the_sequence_statistics():
    X, y = shapes_at_any_scale(120, seed=0)
    X_test, y_test = shapes_at_any_scale(200, seed=1)
    params = dict(hidden_size=16, max_iter=30, random_state=0)
    with_statistics = GRUClassifier(**params).fit(X, y)
    alone = GRUClassifier(sequence_standardize=False, **params).fit(X, y)
    assert with_statistics.score(X_test, y_test) > 0.9
    assert alone.score(X_test, y_test) < with_statistics.score(X_test, y_test) - 0.2


def test_scaling_a_feature_leaves_the_fit_as_it_was():
    """The z-score does not see the scale, x and m are standardized, and log s
    is shifted by the log of the feature's scale: a model is scale-free."""
    X, y = shapes_at_any_scale(60, seed=2)
    params = dict(hidden_size=8, max_iter=5, random_state=0, dtype="float64", n_threads=1)
    plain = GRUClassifier(**params).fit(X, y)
    scaled = GRUClassifier(**params).fit(X * 1e6, y)
    np.testing.assert_allclose(scaled.predict_proba(X * 1e6), plain.predict_proba(X),
                               rtol=1e-6, atol=1e-9)


def test_token_ids_are_read_alone():
    X = np.array([[1, 2, 3, 0], [2, 3, 1, 1], [3, 1, 2, 2], [1, 1, 3, 3]] * 5)
    clf = LSTMClassifier(embedding_dim=4, hidden_size=4, max_iter=1).fit(X, np.arange(20) % 2)
    assert clf._sequence_floor is None and clf.model_.blocks[0].input_size == 4


def test_the_floor_is_a_share_of_each_features_spread():
    X, y = shapes_at_any_scale(30, seed=3)
    reg = GRURegressor(hidden_size=4, max_iter=1).fit(X, y.astype(float))
    # (of the float32 values the regressor reads)
    np.testing.assert_allclose(reg._sequence_floor, FLOOR_SHARE * X.reshape(-1, 1).std(axis=0),
                               rtol=1e-6)


def test_a_pickle_from_before_the_parameter_reads_the_inputs_alone():
    X, y = shapes_at_any_scale(30, seed=4)
    clf = GRUClassifier(hidden_size=4, max_iter=1, random_state=0,
                        sequence_standardize=False).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        loaded = pickle.loads(pickle_with_state(clf, without("sequence_standardize",
                                                             "_sequence_floor")))
    assert loaded.sequence_standardize is False
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_features_of_subnormal_magnitude_stay_finite():
    """0.001 of a spread of 1e-321 underflows to 0: the floor stays a normal float."""
    X, y = shapes_at_any_scale(20, seed=5)
    X = X / np.abs(X).max() * 1e-321
    clf = GRUClassifier(hidden_size=4, max_iter=2, dtype="float64").fit(X, y)
    assert np.all(clf._sequence_floor > 0)
    assert np.all(np.isfinite(clf.predict_proba(X)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inputs_are_read_chunk_by_chunk_as_the_stages_read_them_whole(dtype):
    # _as_read runs features, standardization and patches on chunks of
    # sequences (here four); each stage on the whole data gives the same bits.
    from rnnsk._base import _as_read
    from rnnsk._input_scaling import input_statistics, standardized
    from rnnsk._patches import patched
    from rnnsk._sequence_features import read_statistics, sequence_floor
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((int(rng.integers(40, 100)), 8)) * 10.0 ** rng.uniform(-3, 3)
         for _ in range(300)]
    sequences = check_sequences(X, dtype=np.dtype(dtype))
    statistics = input_statistics(sequences, np.ones(len(sequences)))
    floor, scaling = sequence_floor(statistics[1]), read_statistics(statistics)
    whole = patched(standardized(with_sequence_features(sequences, floor), scaling), 3, 16)
    chunked = _as_read(sequences, scaling, 3, floor, 16)
    assert chunked.data.dtype == whole.data.dtype
    np.testing.assert_array_equal(chunked.data, whole.data)
    np.testing.assert_array_equal(chunked.lengths, whole.lengths)


def test_features_on_demand_are_those_computed_whole():
    """The input noise reads the inputs beside their statistics a slice at a time
    (never all four per feature at once): the same values, and the same noise."""
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((n, 3)) * [1, 100, 1e-3] for n in rng.integers(2, 30, size=50)]
    sequences = check_sequences(X, dtype=np.float64)
    floor = np.full(3, 1e-6)
    whole = with_sequence_features(sequences, floor)
    lazy = sequence_features_on_demand(sequences, floor)
    assert lazy.data.shape == whole.data.shape and lazy.n_features == 12
    for rows in (slice(0, 7), slice(7, 50)):
        np.testing.assert_array_equal(lazy.data[rows], whole.data[rows])
    weights = rng.uniform(0.5, 2.0, size=50)
    np.testing.assert_array_equal(input_noise_of("auto", lazy, None, 1, 6, weights),
                                  input_noise_of("auto", whole, None, 1, 6, weights))
