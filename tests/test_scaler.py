"""SequenceScaler: statistics over the real time steps only, output in the
input's own form, inverse_transform, errors."""
import numpy as np
import pytest
import sklearn
from sklearn.preprocessing import StandardScaler

from estimator_data import ragged, sequences_3d
from rnnsk import SequenceScaler


def shifted_ragged():
    X, _, lengths = ragged(n=30, features=3)
    return [x * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0] for x in X], lengths


def test_statistics_are_over_real_steps_only():
    X, lengths = shifted_ragged()
    scaler = SequenceScaler().fit(X)
    steps = np.concatenate(X)
    assert steps.shape[0] == lengths.sum()
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, steps.std(axis=0), rtol=1e-12)
    reference = StandardScaler().fit(steps)
    np.testing.assert_allclose(scaler.mean_, reference.mean_, rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, reference.scale_, rtol=1e-12)
    assert scaler.n_features_in_ == 3


def test_a_ragged_list_stays_a_list_of_the_same_lengths():
    X, lengths = shifted_ragged()
    Xt = SequenceScaler().fit_transform(X)
    assert isinstance(Xt, list)
    assert [len(x) for x in Xt] == list(lengths)
    steps = np.concatenate(Xt)
    np.testing.assert_allclose(steps.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(steps.std(axis=0), 1, atol=1e-12)
    reference = StandardScaler().fit(np.concatenate(X))
    for x, xt in zip(X, Xt):
        np.testing.assert_allclose(xt, reference.transform(x), atol=1e-12)


def test_a_3d_array_stays_3d_and_a_2d_array_stays_2d():
    X, _ = sequences_3d(n=20, steps=5, features=3)
    X = X * 4.0 + 2.0
    Xt = SequenceScaler().fit_transform(X)
    assert Xt.shape == X.shape
    np.testing.assert_allclose(Xt.reshape(-1, 3).mean(axis=0), 0, atol=1e-12)
    table = X[:, :, 0]
    scaler = SequenceScaler().fit(table)
    Tt = scaler.transform(table)
    assert Tt.shape == table.shape and scaler.n_features_in_ == 5
    # One feature: a single mean and scale over every entry (not per column).
    assert scaler.mean_.shape == (1,)
    np.testing.assert_allclose(Tt, (table - table.mean()) / table.std(), atol=1e-12)


@pytest.mark.parametrize("form", ["list", "3d", "2d"])
def test_inverse_transform_round_trip(form):
    X, _ = shifted_ragged()
    if form == "3d":
        X = np.stack([x[:2] for x in X])
    elif form == "2d":
        X = np.stack([x[:2, 1] for x in X])
    scaler = SequenceScaler().fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    if form == "list":
        assert isinstance(back, list)
        for x, b in zip(X, back):
            np.testing.assert_allclose(b, x, atol=1e-12)
    else:
        assert back.shape == X.shape
        np.testing.assert_allclose(back, X, atol=1e-12)


def test_without_mean_or_std_and_constant_features():
    X, _ = shifted_ragged()
    X = [np.column_stack([x, np.full(len(x), 7.0)]) for x in X]
    steps = np.concatenate(X)
    centred = SequenceScaler(with_std=False).fit(X)
    np.testing.assert_array_equal(centred.scale_, np.ones(4))
    np.testing.assert_allclose(np.concatenate(centred.transform(X)), steps - steps.mean(axis=0),
                               atol=1e-12)
    scaled = SequenceScaler(with_mean=False).fit(X)
    np.testing.assert_array_equal(scaled.mean_, np.zeros(4))
    assert scaled.scale_[3] == 1.0  # constant feature: not divided by zero
    Xt = np.concatenate(SequenceScaler().fit_transform(X))
    assert np.all(np.isfinite(Xt)) and np.all(Xt[:, 3] == 0)


def test_errors():
    X, _ = shifted_ragged()
    scaler = SequenceScaler().fit(X)
    with pytest.raises(ValueError, match="X has 2 features per time step, but SequenceScaler "
                                         "is expecting 3"):
        scaler.transform([x[:, :2] for x in X])
    bad = [x.copy() for x in X]
    bad[4][0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SequenceScaler().fit(bad)
    with pytest.raises(ValueError, match=r"X\[1\] is an empty sequence"):
        SequenceScaler().fit([X[0], X[1][:0], X[2]])
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        SequenceScaler().transform(X)


@pytest.mark.parametrize("case", ["equal-lengths", "univariate-1d-items"])
def test_a_list_of_sequences_stays_a_list_of_the_same_shapes(case):
    """The docstring: "a list of sequences stays a list of the same lengths";
    whether the lengths happen to be equal, or the items are 1-D (univariate),
    must not change the form of the output."""
    X, _ = shifted_ragged()
    if case == "equal-lengths":
        X = [x[:2] for x in X]  # every sequence 2 steps long
    else:
        X = [x[:, 0] for x in X]  # ragged 1-D sequences
    Xt = SequenceScaler().fit_transform(X)
    assert isinstance(Xt, list), type(Xt)
    assert [x.shape for x in Xt] == [x.shape for x in X]


def test_an_object_array_of_ragged_sequences_stays_one():
    X, _, _ = ragged(n=12)
    holder = np.empty(len(X), dtype=object)
    for i, x in enumerate(X):
        holder[i] = x
    scaler = SequenceScaler().fit(holder)
    out = scaler.transform(holder)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == (12,)
    for got, want in zip(out, scaler.transform(X)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(np.concatenate(out).mean(axis=0), 0, atol=1e-12)


@pytest.mark.parametrize("form", ["3-D", "list", "2-D"])
def test_pandas_output_leaves_sequences_as_they_are(form):
    """set_output's DataFrames hold tables: wrapping a 3-D array or a list of
    sequences failed inside pandas ("Must pass 2-d input"), so a pipeline
    under set_config(transform_output='pandas') could not be fitted."""
    X = np.random.default_rng(0).standard_normal((6, 5, 2))
    X = {"3-D": X, "list": [x[:4 - i % 2] for i, x in enumerate(X)], "2-D": X[:, :, 0]}[form]
    with sklearn.config_context(transform_output="pandas"):
        scaled = SequenceScaler().fit_transform(X)
    expected = SequenceScaler().fit_transform(X)
    assert type(scaled) is type(expected)
    for got, want in zip(scaled, expected):
        np.testing.assert_array_equal(got, want)


def test_a_pipeline_with_it_takes_set_output():
    """Without set_output of its own, every Pipeline.set_output call failed
    ("set_output is not available"), transform='default' too."""
    from sklearn.pipeline import make_pipeline
    X = np.random.default_rng(0).standard_normal((8, 5, 2))
    for transform in ("pandas", "default"):
        pipeline = make_pipeline(SequenceScaler()).set_output(transform=transform)
        np.testing.assert_array_equal(pipeline.fit_transform(X), SequenceScaler().fit_transform(X))


@pytest.mark.parametrize("form", ["3-D", "list"])
def test_float32_stays_float32(form):
    """float64 copies of float32 sequences doubled a pipeline's memory (the
    estimators read float32 by default); StandardScaler keeps float32 too."""
    X = np.random.default_rng(0).standard_normal((6, 5, 2)).astype(np.float32)
    X = X if form == "3-D" else [x[:3 + i % 2] for i, x in enumerate(X)]
    scaler = SequenceScaler().fit(X)
    scaled = scaler.transform(X)
    in_float64 = scaler.transform(X.astype(np.float64) if form == "3-D"
                                  else [x.astype(np.float64) for x in X])
    for got, want, original in zip(scaled, in_float64, X):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(scaler.inverse_transform([got])[0] if form == "list"
                                   else got * scaler.scale_ + scaler.mean_, original,
                                   rtol=1e-5, atol=1e-5)
