"""Inputs at the edges that used to give silent wrong results or unclear
errors: huge feature values in SequenceScaler, network sizes beyond the core's
int indices, complex targets, tampered pickles of a network, and the column
names of a DataFrame."""
import copyreg
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from estimator_data import assert_same_state
from rnnsk import (GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor,
                   RecurrentNetwork, RecurrentTagger, SequenceScaler)


def _data(n=12, steps=4, features=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


# ------------------------------------------------------------ scaler --

# (scikit-learn's finiteness check of 1.7e308 values warns of an overflow in its sum.)
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("magnitude", [1e200, 1e-200, 1.7e308])
def test_scaler_standardizes_values_whose_squares_overflow(magnitude):
    X, _ = _data(n=30)
    X[:, :, 1] += 3.0
    X /= np.abs(X).max()
    scaled = SequenceScaler().fit_transform(X * magnitude)
    # Independent reference: the standardization of the unscaled values.
    flat = X.reshape(-1, X.shape[2])
    reference = (X - flat.mean(axis=0)) / flat.std(axis=0)
    np.testing.assert_allclose(scaled, reference, rtol=1e-9, atol=1e-9)


# ------------------------------------------------- network index range --

@pytest.mark.parametrize("cell, hidden, bidirectional", [
    ("lstm", 2**30, False),          # 4 gates x 2**30 rows overflow an int
    ("gru", 2**30, False),
    ("rnn_tanh", 2**30, True),       # 2 directions x 2**30 outputs per step
])
def test_sizes_beyond_the_core_index_range_are_refused(cell, hidden, bidirectional):
    with pytest.raises(ValueError, match="exceed the core's index range"):
        RecurrentNetwork(cell, 3, hidden, bidirectional=bidirectional)


@pytest.mark.parametrize("name", ["input_size", "hidden_size", "num_layers"])
def test_sizes_beyond_a_c_int_are_refused(name):
    sizes = {"input_size": 3, "hidden_size": 4, "num_layers": 1, name: 2**31}
    with pytest.raises(ValueError, match=f"{name} must be at most 2147483647"):
        RecurrentNetwork("lstm", **sizes)


def test_estimator_with_an_overflowing_hidden_size_is_refused_and_unchanged():
    X, y = _data()
    clf = LSTMClassifier(hidden_size=2**30, max_iter=1)
    # Refused by the estimator's memory check where the machine's memory can be
    # read, else by the core's index check (tested on its own above).
    with pytest.raises((MemoryError, ValueError),
                       match="more than the .* GiB this machine has|exceed the core's index"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


# ------------------------------------------------------ complex targets --

@pytest.mark.parametrize("Estimator, y", [
    (LSTMRegressor, np.arange(12) + 0.5j),
    (LSTMRegressor, np.arange(12) + 0j),       # even with zero imaginary parts
    (LSTMClassifier, np.array([0, 1] * 6) + 0j),
])
def test_complex_targets_are_rejected(Estimator, y):
    X, _ = _data()
    est = Estimator(hidden_size=3, max_iter=1)
    with pytest.raises(ValueError, match="Complex data not supported"):
        est.fit(X, y)
    assert not hasattr(est, "model_")


# ---------------------------------------------------- tampered pickles --

class _Tampered:
    """Pickles as a RecurrentNetwork with the given state (what an edited file
    holds)."""

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return copyreg._reconstructor, (RecurrentNetwork, object, None), self.state


def _state():
    net = RecurrentNetwork("gru", 3, 4, random_state=0)
    state = net.__getstate__()
    state["config"] = dict(state["config"])
    return state


def _tampered(change):
    state = _state()
    change(state)
    return pickle.dumps(_Tampered(state))


@pytest.mark.parametrize("change, message", [
    (lambda s: s.__setitem__("flat_parameters", s["flat_parameters"].reshape(12, -1)),
     r"parameters are an array of shape \(12, 9\) and dtype float32; its configuration "
     r"needs numbers of shape \(108,\)"),
    (lambda s: s.__setitem__("flat_parameters", s["flat_parameters"][:-1]),
     r"shape \(107,\)"),
    (lambda s: s.__setitem__("flat_parameters", np.array(["a"] * 108)),
     "dtype <U1"),
    (lambda s: s.pop("flat_parameters"), "not the state of a pickled RecurrentNetwork"),
    (lambda s: s["config"].pop("hidden_size"), "not the state of a pickled RecurrentNetwork"),
    (lambda s: s["config"].__setitem__("extra", 1), "not the state of a pickled"),
    (lambda s: s["config"].__setitem__("cell", "transformer"),
     "configuration is invalid: cell must be one of"),
    (lambda s: s["config"].__setitem__("hidden_size", -4),
     "configuration is invalid: hidden_size must be at least 1"),
    (lambda s: s["config"].__setitem__("dtype", "<i4"),
     "configuration is invalid: dtype must be float32 or float64"),
    (lambda s: s.__setitem__("n_threads", "many"),
     "configuration is invalid: n_threads must be an integer"),
])
def test_tampered_network_pickles_fail_with_clear_messages(change, message):
    with pytest.raises(ValueError, match=message):
        pickle.loads(_tampered(change))


def test_an_untampered_state_loads():
    net = pickle.loads(_tampered(lambda s: None))
    np.testing.assert_array_equal(net.flat_parameters, _state()["flat_parameters"])


# ------------------------------------------------ DataFrame column names --

def _frame(X2d, columns):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X2d, columns=columns)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fitting_on_a_dataframe_sets_feature_names_in():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((20, 5))   # 20 univariate sequences of 5 steps
    columns = [f"t{i}" for i in range(5)]
    frame = _frame(values, columns)
    reg = GRURegressor(hidden_size=3, max_iter=2, random_state=0).fit(frame, values[:, -1])
    scaler = SequenceScaler().fit(frame)
    for est in (reg, scaler):
        np.testing.assert_array_equal(est.feature_names_in_, columns)
        assert est.n_features_in_ == 5
    # scikit-learn's rules: other names are an error, none a warning.
    renamed = _frame(values, [f"s{i}" for i in range(5)])
    for call in (reg.predict, scaler.transform):
        with pytest.raises(ValueError, match="feature names should match"):
            call(renamed)
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            call(values)
    np.testing.assert_array_equal(reg.predict(frame), GRURegressor(
        hidden_size=3, max_iter=2, random_state=0).fit(values, values[:, -1]).predict(values))
    # Without column names there is no such attribute (scikit-learn's rule).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert not hasattr(GRURegressor(hidden_size=3, max_iter=1).fit(values, values[:, 0]),
                           "feature_names_in_")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sequences_given_as_dataframes_keep_their_column_names():
    """One DataFrame per sequence, its columns the features: the names were
    dropped, and the columns swapped at predict were read silently (accuracy
    0.975 -> 0.525)."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((int(rng.integers(3, 7)), 2)) for _ in range(30)]
    frames = [pd.DataFrame(a, columns=["price", "volume"]) for a in arrays]
    y = np.array([a[:, 0].mean() for a in arrays])
    reg = GRURegressor(hidden_size=3, max_iter=2, random_state=0).fit(frames, y)
    scaler = SequenceScaler().fit(pd.Series(frames))
    for est, call in ((reg, reg.predict), (scaler, scaler.transform)):
        np.testing.assert_array_equal(est.feature_names_in_, ["price", "volume"])
        assert est.n_features_in_ == 2
        with pytest.raises(ValueError, match="same order as they were in fit"):
            call([f[["volume", "price"]] for f in frames])
        with pytest.raises(ValueError, match="feature names should match"):
            call([f.rename(columns={"volume": "count"}) for f in frames])
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            call(arrays)
    np.testing.assert_array_equal(reg.predict(frames), reg.predict(arrays))
    state = reg.state_dict()
    mixed = frames[:5] + [frames[5][["volume", "price"]]]
    with pytest.raises(ValueError, match=r"X\[5\] has the columns \['volume', 'price'\], "
                                         r"but X\[0\] has \['price', 'volume'\]"):
        reg.set_params(warm_start=True).fit(mixed, y[:6])
    assert_same_state(reg.state_dict(), state)
    # A named sequence after an unnamed first one is as much a mismatch.
    with pytest.raises(ValueError, match=r"X\[1\] has the columns \['price', 'volume'\], "
                                         r"but X\[0\] has \[\]"):
        reg.predict([arrays[0], frames[1]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_table_of_sequences_is_read_row_by_row():
    """sktime's and aeon's "nested" DataFrame (a Series in every cell, one
    column per channel) and an (n, 1) object column of sequences (what
    BaggingClassifier passes on) got numpy's "setting an array element with a
    sequence"."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((int(rng.integers(3, 7)), 2)) for _ in range(30)]
    y = (np.array([a[:, 0].mean() for a in arrays]) > 0).astype(int)
    nested = pd.DataFrame({"left": [pd.Series(a[:, 0]) for a in arrays],
                           "right": [pd.Series(a[:, 1]) for a in arrays]})
    column = np.empty((30, 1), dtype=object)
    for i, a in enumerate(arrays):
        column[i, 0] = a
    params = dict(hidden_size=3, max_iter=3, random_state=0)
    expected = LSTMClassifier(**params).fit(arrays, y).predict_proba(arrays)
    from_table = LSTMClassifier(**params).fit(nested, y)
    np.testing.assert_array_equal(from_table.predict_proba(nested), expected)
    np.testing.assert_array_equal(from_table.feature_names_in_, ["left", "right"])
    np.testing.assert_array_equal(LSTMClassifier(**params).fit(column, y).predict_proba(column),
                                  expected)
    scaled = SequenceScaler().fit_transform(nested)
    for got, want in zip(scaled, SequenceScaler().fit_transform(arrays)):
        np.testing.assert_array_equal(got, want)
    from sklearn.ensemble import BaggingClassifier
    bagged = BaggingClassifier(LSTMClassifier(**params), n_estimators=2, random_state=0)
    assert bagged.fit(column, y).predict(column).shape == (30,)
    uneven = pd.DataFrame({"left": [np.zeros(3)], "right": [np.zeros(4)]})
    with pytest.raises(ValueError, match=r"X\[0\] holds channels of shapes \[\(3,\), \(4,\)\]"):
        LSTMClassifier(**params).fit(uneven, [0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_column_of_dataframes_is_checked_as_a_list_of_them():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame(rng.standard_normal((4, 2)), columns=["p", "q"])
              for _ in range(20)]
    table = pd.DataFrame({"sequence": pd.Series(frames)})
    clf = LSTMClassifier(hidden_size=3, max_iter=2, random_state=0).fit(table, [0, 1] * 10)
    np.testing.assert_array_equal(clf.feature_names_in_, ["p", "q"])
    swapped = pd.DataFrame({"sequence": pd.Series([f[["q", "p"]] for f in frames])})
    with pytest.raises(ValueError, match="same order as they were in fit"):
        clf.predict(swapped)


@pytest.mark.parametrize("embedding_dim, expected", [(None, "sequences of numbers"),
                                                     (8, "token ids")])
@pytest.mark.parametrize("X", [
    ["good film", "bad film"] * 3, np.array(["good film", "bad film"] * 3),
    np.array(["good film", "bad film"] * 3, dtype=object),
    [["good", "film"], ["bad", "film"]] * 3])
def test_text_given_to_a_sequence_estimator_says_how_text_is_read(X, embedding_dim, expected):
    clf = LSTMClassifier(embedding_dim=embedding_dim, max_iter=1)
    with pytest.raises(ValueError, match=f"X holds text .str. where {expected} are expected: "
                                         ".*TextSequencer"):
        clf.fit(X, [0, 1] * 3)
    assert not hasattr(clf, "model_")


def test_a_dataframe_of_strings_is_text_and_one_of_numbers_is_not():
    text = _frame(np.array([["a", "b"], ["c", "d"]] * 3), ["x", "y"])
    with pytest.raises(ValueError, match="holds text"):
        LSTMClassifier(max_iter=1).fit(text, [0, 1] * 3)
    numbers = _frame(np.arange(12.0).reshape(6, 2), ["x", "y"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LSTMClassifier(hidden_size=2, max_iter=1).fit(numbers, [0, 1] * 3)


# ------------------------------------------- estimators' standardization --

@pytest.mark.parametrize("magnitude", [1e200, 1e-200])
def test_estimators_standardize_inputs_whose_squares_overflow(magnitude):
    """The standardization inside the estimator (and the step-to-step spread of
    input_noise='auto') of X * 1e200 is that of X: its squares would be inf."""
    X, _ = _data(n=30, steps=6)
    y = X[:, :, 0].mean(axis=1)
    params = dict(hidden_size=4, max_iter=3, random_state=0, dtype="float64",
                  sequence_standardize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = GRURegressor(**params).fit(X, y)
        huge = GRURegressor(**params).fit(X * magnitude, y)
    mean, scale = huge._input_scaling
    reference_mean, reference_scale = plain._input_scaling
    np.testing.assert_allclose(mean / magnitude, reference_mean, rtol=1e-12)
    np.testing.assert_allclose(scale / magnitude, reference_scale, rtol=1e-12)
    np.testing.assert_allclose(huge.predict(X * magnitude), plain.predict(X), rtol=1e-6)


@pytest.mark.parametrize("Estimator", [GRUClassifier, RecurrentTagger])
@pytest.mark.parametrize("offset, unit", [(1e6, 0.01), (0.0, 1e-50)])
def test_float64_inputs_are_standardized_before_float32_rounds_them(Estimator, offset, unit):
    """At the default float32, inputs the estimator standardizes are rounded
    only once standardized: 1e6 + 0.01 x (x lost in float32's 7 digits) and
    1e-50 x (below float32's range) train and predict as x itself does."""
    X, _ = _data(n=40, steps=6)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    if Estimator is RecurrentTagger:
        y = (X[:, :, 0] > 0).astype(int)
    params = dict(hidden_size=4, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = Estimator(**params).fit(X, y)
        shifted = Estimator(**params).fit(offset + unit * X, y)
    np.testing.assert_allclose(shifted.predict_proba(offset + unit * X),
                               plain.predict_proba(X), atol=1e-5)
