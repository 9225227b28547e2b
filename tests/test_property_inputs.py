"""Property-based input hardening (hypothesis) of the estimators and the binding.

Whatever shape, dtype, memory layout or value the input has, the answer is either a
clear error (ValueError/TypeError whose message names the problem) raised before
any C++ runs, or the result of the equivalent float64 C-contiguous input; never a
crash or a hang. A fit that fails leaves a fitted estimator exactly as it was.

Estimators: LSTMClassifier, GRURegressor and RecurrentClassifier(cell='rnn_relu'),
tiny (hidden_size=4, max_iter=2), fitted once per feature count and deep-copied
for every example so that examples cannot influence each other.
"""
import copy
import functools
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from rnnsk import GRURegressor, LSTMClassifier, RecurrentClassifier, RecurrentNetwork
from estimator_data import assert_same_state

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# No example database: nothing is written next to the tests or in the working
# directory, and every run draws the same examples (derandomize).
FEW = settings(max_examples=25, deadline=None, database=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow])
SOME = settings(FEW, max_examples=40)

SMALL = dict(hidden_size=4, max_iter=2, random_state=0, n_threads=1)
MAKERS = {
    "LSTMClassifier": lambda: LSTMClassifier(**SMALL),
    "GRURegressor": lambda: GRURegressor(**SMALL),
    "RecurrentClassifier-rnn_relu": lambda: RecurrentClassifier(cell="rnn_relu", **SMALL),
}
KINDS = sorted(MAKERS)
kinds = st.sampled_from(KINDS)


def targets(kind, X):
    """Labels 0/1 (both present when n >= 2) or real targets for X's samples."""
    n = len(X)
    if kind == "GRURegressor":
        return np.array([float(np.sum(np.asarray(x, dtype=np.float64)[:, 0])) for x in X])
    return np.arange(n) % 2


def reference_X(n, steps, features, seed=0):
    return np.random.default_rng(seed).standard_normal((n, steps, features))


@functools.lru_cache(maxsize=None)
def _fitted(kind, features):
    X = reference_X(12, 5, features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MAKERS[kind]().fit(X, targets(kind, X))


def fitted(kind, features):
    """A private copy of a fitted estimator for one example."""
    return copy.deepcopy(_fitted(kind, features))


def outputs(estimator, X):
    """What the estimator computes from X: probabilities or predicted targets."""
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def snapshot(estimator):
    """Everything a fit could change, for comparing before and after."""
    if estimator.embedding_dim is not None:
        vocabulary = estimator.state_dict()["embedding.weight"].shape[0]
        X = np.arange(28).reshape(7, 4) % vocabulary
    else:
        X = reference_X(7, 4, estimator.n_features_in_, seed=99)
    state = {
        "weights": estimator.state_dict(),
        "outputs": outputs(estimator, X),
        "n_iter_": estimator.n_iter_,
        "t_": estimator.t_,
        "loss_curve_": list(estimator.loss_curve_),
        "n_features_in_": estimator.n_features_in_,
    }
    if hasattr(estimator, "classes_"):
        state["classes_"] = estimator.classes_.copy()
    return state


def assert_unchanged(estimator, before):
    after = snapshot(estimator)
    assert list(after["weights"]) == list(before["weights"])
    for name, value in before["weights"].items():
        np.testing.assert_array_equal(after["weights"][name], value, err_msg=name)
    np.testing.assert_array_equal(after["outputs"], before["outputs"])
    for key in ("n_iter_", "t_", "loss_curve_", "n_features_in_"):
        assert after[key] == before[key], key
    if "classes_" in before:
        np.testing.assert_array_equal(after["classes_"], before["classes_"])


def assert_fit_fails_cleanly(estimator, X, y, error, message, method="fit", **kwargs):
    """``estimator.<method>(X, y)`` raises ``error`` matching ``message`` and
    leaves the fitted estimator as it was."""
    before = snapshot(estimator)
    with pytest.raises(error, match=message):
        getattr(estimator, method)(X, y, **kwargs)
    assert_unchanged(estimator, before)


# --------------------------------------------------- equivalent inputs --

def _strided(X):
    wide = np.zeros(X.shape[:2] + (2 * X.shape[2],), dtype=X.dtype)
    wide[:, :, ::2] = X
    view = wide[:, :, ::2]
    assert not view.flags.c_contiguous
    return view


def _reversed_strides(X):
    view = np.ascontiguousarray(X[::-1, ::-1])[::-1, ::-1]
    assert view.strides[0] < 0
    return view


def _transposed(X):
    view = np.ascontiguousarray(X.transpose(2, 1, 0)).transpose(2, 1, 0)
    assert not view.flags.c_contiguous
    return view


# name -> (values the conversion keeps exactly, conversion)
CONVERSIONS = {
    "float32": ("any", lambda X: X.astype(np.float32)),
    "float16": ("eighths", lambda X: X.astype(np.float16)),
    "int64": ("integers", lambda X: X.astype(np.int64)),
    "int8": ("integers", lambda X: X.astype(np.int8)),
    "uint8": ("naturals", lambda X: X.astype(np.uint8)),
    "bool": ("bits", lambda X: X.astype(bool)),
    "fortran": ("any", np.asfortranarray),
    "strided": ("any", _strided),
    "negative-strides": ("any", _reversed_strides),
    "transposed-view": ("any", _transposed),
    "read-only": ("any", lambda X: np.lib.stride_tricks.as_strided(X, writeable=False)),
    "object": ("any", lambda X: X.astype(object)),
    "numeric-strings": ("any", lambda X: X.astype(str)),
    "nested-lists": ("any", lambda X: X.tolist()),
    "list-of-arrays": ("any", list),
    "tuple-of-fortran-arrays": ("any", lambda X: tuple(np.asfortranarray(x) for x in X)),
}


def values(kind, n, steps, features, seed):
    """Values that ``kind`` of conversion represents exactly."""
    rng = np.random.default_rng(seed)
    shape = (n, steps, features)
    if kind == "eighths":
        return rng.integers(-16, 17, size=shape) / 8.0
    if kind == "integers":
        return rng.integers(-3, 4, size=shape).astype(np.float64)
    if kind == "naturals":
        return rng.integers(0, 4, size=shape).astype(np.float64)
    if kind == "bits":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    return rng.standard_normal(shape)


@SOME
@given(kind=kinds, features=st.integers(1, 3), n=st.integers(1, 6), steps=st.integers(1, 7),
       conversion=st.sampled_from(sorted(CONVERSIONS)), seed=st.integers(0, 2**16))
def test_equivalent_inputs_predict_the_same(kind, features, n, steps, conversion, seed):
    estimator = fitted(kind, features)
    value_kind, convert = CONVERSIONS[conversion]
    X = values(value_kind, n, steps, features, seed)
    expected = outputs(estimator, X)
    assert expected.shape[0] == n and np.all(np.isfinite(expected))
    np.testing.assert_array_equal(outputs(estimator, convert(X)), expected)


@FEW
@given(kind=kinds, n=st.integers(1, 5), steps=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_univariate_table_is_the_same_as_one_feature(kind, n, steps, seed):
    """A 2-D array (n, steps) is n univariate sequences: the same as (n, steps, 1)."""
    estimator = fitted(kind, 1)
    X = values("any", n, steps, 1, seed)
    np.testing.assert_array_equal(outputs(estimator, X[:, :, 0]), outputs(estimator, X))
    np.testing.assert_array_equal(outputs(estimator, np.asfortranarray(X[:, :, 0])),
                                  outputs(estimator, X))


@FEW
@given(kind=kinds, n=st.integers(2, 6), steps=st.integers(1, 5),
       conversion=st.sampled_from(["float16", "int64", "bool", "fortran", "strided",
                                   "negative-strides", "object", "list-of-arrays"]),
       seed=st.integers(0, 2**16))
def test_equivalent_inputs_fit_the_same(kind, n, steps, conversion, seed):
    value_kind, convert = CONVERSIONS[conversion]
    X = values(value_kind, n, steps, 2, seed)
    y = targets(kind, X)
    reference = MAKERS[kind]().fit(X, y)
    converted = MAKERS[kind]().fit(convert(X), y)
    assert_same_state(converted.state_dict(), reference.state_dict())
    assert converted.loss_curve_ == reference.loss_curve_


# ------------------------------------------------------- invalid dtypes --

def _with_none(X):
    bad = X.astype(object)
    bad[0, 0, 0] = None
    return bad


def _with_dict(X):
    bad = X.astype(object)
    bad[-1, -1, -1] = {}
    return bad


def _with_word(X):
    bad = X.astype(str)
    bad[-1, 0, 0] = "seven"
    return bad


BAD_DTYPES = {
    "complex": (lambda X: X + 0j, ValueError, "Complex data not supported"),
    "complex-imaginary": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "complex-ragged": (lambda X: [x.astype(complex) for x in X[:-1]] + [X[-1][:1]],
                       ValueError, "Complex data not supported"),
    "words": (_with_word, ValueError, "could not convert string to float: .*seven"),
    "bytes-words": (lambda X: _with_word(X).astype(bytes), ValueError,
                    "could not convert string to float"),
    "object-None": (_with_none, ValueError, "Input X contains NaN"),
    "object-dict": (_with_dict, TypeError, "float\\(\\) argument must be"),
}


@FEW
@given(kind=kinds, features=st.integers(1, 3), n=st.integers(2, 5), steps=st.integers(1, 5),
       case=st.sampled_from(sorted(BAD_DTYPES)), seed=st.integers(0, 2**16))
def test_non_real_inputs_raise_and_change_nothing(kind, features, n, steps, case, seed):
    estimator = fitted(kind, features)
    make, error, message = BAD_DTYPES[case]
    X = values("any", n, steps, features, seed)
    bad = make(X)
    with pytest.raises(error, match=message):
        estimator.predict(bad)
    assert_fit_fails_cleanly(estimator, bad, targets(kind, X), error, message)
    assert_fit_fails_cleanly(estimator, bad, targets(kind, X), error, message,
                             method="partial_fit")


# ---------------------------------------------------------- NaN and inf --

@SOME
@given(kind=kinds, features=st.integers(1, 3), n=st.integers(2, 5), steps=st.integers(1, 5),
       value=st.sampled_from([np.nan, np.inf, -np.inf, 1e39]),
       form=st.sampled_from(["3-d", "ragged", "table", "fortran"]), data=st.data())
def test_non_finite_values_raise_and_change_nothing(kind, features, n, steps, value, form,
                                                    data):
    """NaN and infinity are refused. 1e39 is a float64 number beyond float32, the
    estimators' dtype: they standardize in float64 before rounding, so a fit
    reads it (as an outlier of the training data), while predict names it as
    too far from the data seen in fit, where it would overflow float32."""
    if form == "table":
        features = 1
    estimator = fitted(kind, features)
    X = values("any", n, steps, features, 0)
    i = data.draw(st.integers(0, n - 1), label="sequence")
    t = data.draw(st.integers(0, steps - 1), label="step")
    f = data.draw(st.integers(0, features - 1), label="feature")
    y = targets(kind, X)
    X[i, t, f] = value
    if form == "3-d":
        bad = X
    elif form == "fortran":
        bad = np.asfortranarray(X)
    elif form == "table":
        bad = X[:, :, 0]
    else:  # ragged: sequence k keeps its first steps - k % steps steps, at least t + 1 for i
        lengths = [max(steps - k % steps, 1) for k in range(n)]
        lengths[i] = max(lengths[i], t + 1)
        bad = [X[k, :lengths[k]] for k in range(n)]
    if value == 1e39:
        with pytest.raises(FloatingPointError, match="X overflows once standardized"):
            estimator.predict(bad)
        outlier_fit = copy.deepcopy(estimator).fit(bad, y)
        assert np.all(np.isfinite(outlier_fit.predict(X)))
        return
    message = "Input X contains NaN" if np.isnan(value) else "Input X contains infinity"
    with pytest.raises(ValueError, match=message):
        estimator.predict(bad)
    assert_fit_fails_cleanly(estimator, bad, y, ValueError, message)


@FEW
@given(kind=st.sampled_from(["GRURegressor"]), position=st.integers(0, 5),
       value=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_targets_raise_and_change_nothing(kind, position, value):
    estimator = fitted(kind, 2)
    X = reference_X(6, 3, 2)
    y = targets(kind, X)
    y[position] = value
    assert_fit_fails_cleanly(estimator, X, y, ValueError, "Input y contains NaN or infinity")
    assert_fit_fails_cleanly(estimator, X, y, ValueError, "Input y contains NaN or infinity",
                             method="partial_fit")


@FEW
@given(kind=st.sampled_from(["LSTMClassifier", "RecurrentClassifier-rnn_relu"]),
       position=st.integers(0, 5))
def test_nan_label_raises_and_changes_nothing(kind, position):
    estimator = fitted(kind, 2)
    X = reference_X(6, 3, 2)
    y = targets(kind, X).astype(float)
    y[position] = np.nan
    assert_fit_fails_cleanly(estimator, X, y, ValueError, "Input y contains NaN|Unknown label")


# --------------------------------------------------------------- shapes --

@SOME
@given(kind=kinds, fitted_features=st.integers(1, 3), n=st.integers(0, 3),
       steps=st.integers(0, 3), features=st.integers(0, 4))
def test_3d_shapes_give_a_result_or_a_clear_error(kind, fitted_features, n, steps,
                                                   features):
    """0 samples, 0 steps, 0 features and another feature count than at fit are
    refused with a message naming the problem; everything else predicts."""
    estimator = fitted(kind, fitted_features)
    X = values("any", n, steps, features, 1)
    if n == 0:
        error, message = ValueError, r"Found array with 0 sample\(s\)"
    elif steps == 0 or features == 0:
        error, message = ValueError, (rf"X has shape \({n}, {steps}, {features}\): sequences "
                                      "need at least one time step and one feature")
    elif features != fitted_features:
        name = type(estimator).__name__
        error, message = ValueError, (rf"X has {features} features per time step, but {name} "
                                      rf"is expecting {fitted_features} features as input")
    else:
        error = None
    if error is None:
        result = outputs(estimator, X)
        assert result.shape[0] == n and np.all(np.isfinite(result))
        return
    with pytest.raises(error, match=message):
        estimator.predict(X)
    if n != 0 and steps != 0 and features != 0:
        # A shape a first fit accepts: partial_fit must refuse it (other features).
        assert_fit_fails_cleanly(estimator, X, targets(kind, X), error, message,
                                 method="partial_fit")
    else:
        assert_fit_fails_cleanly(estimator, X, np.arange(n) % 2, error, message)


@FEW
@given(kind=kinds, shape=st.sampled_from([(0,), (3,), (2, 0), (0, 3), (2, 3, 1, 1),
                                          (1, 1, 1, 1, 1), ()]))
def test_other_ranks_give_a_clear_error(kind, shape):
    estimator = fitted(kind, 1)
    X = np.ones(shape)
    messages = {
        0: "Expected 2D array, got scalar array",
        1: "Expected 2D array, got 1D array",
        2: r"Found array with 0 (sample|feature)\(s\)",
    }
    message = messages.get(len(shape), rf"got a {len(shape)}-D array of shape")
    with pytest.raises(ValueError, match=message):
        estimator.predict(X)
    y = np.arange(shape[0] if shape else 1) % 2
    assert_fit_fails_cleanly(estimator, X, y, ValueError, message)


@FEW
@given(kind=kinds, n=st.integers(1, 4), features=st.integers(1, 2),
       seed=st.integers(0, 2**16))
def test_length_one_sequences(kind, n, features, seed):
    estimator = fitted(kind, features)
    X = values("any", n, 1, features, seed)
    result = outputs(estimator, X)
    assert result.shape[0] == n and np.all(np.isfinite(result))
    # ... and the same as each sequence inside a longer-padded ragged batch.
    longer = values("any", 1, 3, features, seed + 1)[0]
    together = outputs(estimator, [longer] + list(X))
    np.testing.assert_allclose(together[1:], result, rtol=1e-5, atol=1e-5)
    fresh = MAKERS[kind]().fit(X if n >= 2 else np.concatenate([X, X]),
                               targets(kind, X if n >= 2 else np.concatenate([X, X])))
    assert np.all(np.isfinite(outputs(fresh, X)))


# ------------------------------------------------------------- targets --

@FEW
@given(kind=kinds, n=st.integers(2, 6), m=st.integers(2, 8))
def test_y_of_another_length_raises_and_changes_nothing(kind, n, m):
    if m == n:
        m = n + 1
    estimator = fitted(kind, 2)
    X = reference_X(n, 3, 2)
    y = targets(kind, reference_X(m, 3, 2))
    message = rf"X holds {n} sequences but y has {m} entries"
    assert_fit_fails_cleanly(estimator, X, y, ValueError, message)
    assert_fit_fails_cleanly(estimator, X, y, ValueError, message, method="partial_fit")
    # sample_weight of another length: named too.
    weights = np.ones(m)
    assert_fit_fails_cleanly(estimator, X, targets(kind, X), ValueError,
                             rf"sample_weight.shape == \({m},\), expected \({n},\)",
                             sample_weight=weights)


@FEW
@given(kind=st.sampled_from(["LSTMClassifier", "RecurrentClassifier-rnn_relu"]),
       unseen=st.sampled_from([2, -1, 7]), position=st.integers(0, 5),
       as_strings=st.booleans())
def test_partial_fit_refuses_labels_it_has_not_seen(kind, unseen, position, as_strings):
    X = reference_X(6, 3, 2)
    labels = np.array(["a", "b"]) if as_strings else np.array([0, 1])
    estimator = MAKERS[kind]().partial_fit(X, labels[np.arange(6) % 2], classes=labels)
    y = labels[np.arange(6) % 2].astype(object)
    y[position] = f"z{unseen}" if as_strings else unseen
    y = y.astype(labels.dtype if not as_strings else str)
    assert_fit_fails_cleanly(estimator, X, y, ValueError,
                             r"y contains labels not seen before: .*"
                             + re.escape(str(y[position])), method="partial_fit")
    assert_fit_fails_cleanly(estimator, X, labels[np.arange(6) % 2], ValueError,
                             "is not the same as on the first call to partial_fit",
                             method="partial_fit",
                             classes=np.append(labels, y[position]))
    # With warm_start, a new label is refused by fit too.
    estimator.set_params(warm_start=True)
    assert_fit_fails_cleanly(estimator, X, y, ValueError, "y contains labels not seen before")


@FEW
@given(kind=kinds, fitted_features=st.integers(1, 3), features=st.integers(1, 4),
       form=st.sampled_from(["3-d", "ragged"]))
def test_other_feature_count_after_fit(kind, fitted_features, features, form):
    if features == fitted_features:
        features += 1
    estimator = fitted(kind, fitted_features)
    X = reference_X(4, 3, features)
    bad = X if form == "3-d" else [X[0], X[1][:2], X[2][:1], X[3]]
    name = type(estimator).__name__
    message = (rf"X has {features} features per time step, but {name} is expecting "
               rf"{fitted_features} features as input")
    with pytest.raises(ValueError, match=message):
        estimator.predict(bad)
    assert_fit_fails_cleanly(estimator, bad, targets(kind, X), ValueError, message,
                             method="partial_fit")
    estimator.set_params(warm_start=True)
    assert_fit_fails_cleanly(estimator, bad, targets(kind, X), ValueError, message)


# --------------------------------------------------------- ragged lists --

@SOME
@given(kind=kinds, features=st.integers(1, 3),
       lengths=st.lists(st.integers(0, 4), min_size=1, max_size=6),
       univariate_1d=st.booleans())
def test_ragged_lists_with_empty_members(kind, features, lengths, univariate_1d):
    """A list of sequences predicts each as alone; an empty member is named."""
    if univariate_1d:
        features = 1
    estimator = fitted(kind, features)
    rng = np.random.default_rng(len(lengths))
    X = [rng.standard_normal((length, features)) for length in lengths]
    if univariate_1d:
        X = [x[:, 0] for x in X]
    if 0 in lengths:
        if len(set(lengths)) == 1 and univariate_1d:  # all empty: an (n, 0) table
            message = r"Found array with 0 feature\(s\)"
        elif len(set(lengths)) == 1:  # all empty: an (n, 0, F) array
            message = "sequences need at least one time step and one feature"
        else:
            message = rf"X\[{lengths.index(0)}\] is an empty sequence; every sequence needs"
        with pytest.raises(ValueError, match=message):
            estimator.predict(X)
        if len(X) >= 2:
            assert_fit_fails_cleanly(estimator, X, np.arange(len(X)) % 2, ValueError,
                                     message)
        return
    together = outputs(estimator, X)
    assert together.shape[0] == len(X) and np.all(np.isfinite(together))
    alone = np.concatenate([outputs(estimator, [x]) for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-5)


@FEW
@given(kind=kinds, member=st.sampled_from(["3-d", "scalar", "other-features"]),
       position=st.integers(0, 3))
def test_ragged_lists_with_malformed_members(kind, member, position):
    estimator = fitted(kind, 2)
    X = [np.ones((length, 2)) for length in (3, 1, 2, 4)]
    if member == "3-d":
        X[position] = np.ones((2, 2, 2))
        message = rf"X\[{position}\] must be a 1-D or 2-D array .*got 3-D"
    elif member == "scalar":
        X[position] = np.float64(1.0)
        message = rf"X\[{position}\] must be a 1-D or 2-D array .*got 0-D"
    else:
        X[position] = np.ones((5, 3))
        message = r"sequences in X have different numbers of features: \[2, 3\]"
    with pytest.raises(ValueError, match=message):
        estimator.predict(X)
    assert_fit_fails_cleanly(estimator, X, targets(kind, np.ones((4, 1, 1))), ValueError,
                             message)


# ------------------------------------------------------------ token ids --

VOCABULARY = 6


@functools.lru_cache(maxsize=None)
def _token_model():
    rng = np.random.default_rng(0)
    X = rng.integers(0, VOCABULARY, size=(12, 5))
    X[0] = np.arange(5)
    X[1, 0] = VOCABULARY - 1
    y = (X == 0).any(axis=1).astype(int)
    y[:2] = [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LSTMClassifier(embedding_dim=3, **SMALL).fit(X, y)


def token_model():
    return copy.deepcopy(_token_model())


@SOME
@given(n=st.integers(1, 4), steps=st.integers(1, 5),
       ids=st.data(), dtype=st.sampled_from(["int64", "int32", "int8", "uint16", "uint64",
                                             "float64", "float16"]),
       layout=st.sampled_from(["c", "fortran", "strided", "list"]))
def test_token_ids_in_and_out_of_the_vocabulary(n, steps, ids, dtype, layout):
    model = token_model()
    unsigned = dtype.startswith("u")
    low = 0 if unsigned else -3
    X = np.array(ids.draw(st.lists(st.lists(st.integers(low, VOCABULARY + 3),
                                            min_size=steps, max_size=steps),
                                   min_size=n, max_size=n)), dtype=np.int64)
    converted = X.astype(dtype)
    if layout == "fortran":
        converted = np.asfortranarray(converted)
    elif layout == "strided":
        wide = np.zeros((n, 2 * steps), dtype=converted.dtype)
        wide[:, ::2] = converted
        converted = wide[:, ::2]
    elif layout == "list":
        converted = converted.tolist()
    if X.min() < 0:
        error = rf"token ids in X must be non-negative, found {X.min()}"
    elif X.max() >= VOCABULARY:
        error = (rf"token id {X.max()} in X is outside the vocabulary of {VOCABULARY} "
                 "tokens the model was fitted with")
    else:
        error = None
    if error is None:
        np.testing.assert_array_equal(model.predict_proba(converted), model.predict_proba(X))
        return
    with pytest.raises(ValueError, match=error):
        model.predict(converted)
    y = np.arange(n) % 2
    assert_fit_fails_cleanly(model, converted, y, ValueError, error, method="partial_fit")


@FEW
@given(lengths=st.lists(st.integers(1, 4), min_size=2, max_size=5), data=st.data())
def test_ragged_token_lists(lengths, data):
    """Each sequence of a ragged list predicts as alone; an empty one is named."""
    model = token_model()
    rng = np.random.default_rng(sum(lengths))
    X = [rng.integers(0, VOCABULARY, size=length) for length in lengths]
    together = model.predict_proba(X)
    alone = np.concatenate([model.predict_proba([x]) for x in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    empty = data.draw(st.integers(0, len(X) - 1), label="empty member")
    X[empty] = X[empty][:0]
    message = (rf"X\[{empty}\] must be a non-empty 1-D array of token ids, got shape "
               r"\(0,\)")
    with pytest.raises(ValueError, match=message):
        model.predict(X)
    assert_fit_fails_cleanly(model, X, np.arange(len(X)) % 2, ValueError, message,
                             method="partial_fit")


@FEW
@given(lengths=st.lists(st.integers(1, 4), min_size=2, max_size=5),
       bad=st.sampled_from(["fraction", "bool", "nan", "2-d member"]))
def test_ragged_token_lists_of_non_ids(lengths, bad):
    model = token_model()
    rng = np.random.default_rng(sum(lengths))
    X = [rng.integers(0, VOCABULARY, size=length) for length in lengths]
    if bad == "fraction":
        X[-1] = X[-1] + 0.5
        message = "X must hold integer token ids when embedding_dim is set, got dtype float64"
    elif bad == "bool":
        X = [x > 2 for x in X]
        message = "X must hold integer token ids when embedding_dim is set, got dtype bool"
    elif bad == "nan":
        X[-1] = np.full(lengths[-1], np.nan)
        # a ragged list is checked for ids, an equal-length one as an array first
        message = "X must hold integer token ids|Input X contains NaN"
    else:
        X[0] = np.ones((2, 2), dtype=int)
        message = r"X\[0\] must be a non-empty 1-D array of token ids, got shape \(2, 2\)"
    with pytest.raises(ValueError, match=message):
        model.predict(X)
    assert_fit_fails_cleanly(model, X, np.arange(len(X)) % 2, ValueError, message,
                             method="partial_fit")


def test_token_id_outside_a_declared_vocabulary_fails_the_fit_cleanly():
    X = np.array([[0, 1, 2], [3, 4, 5], [1, 1, 1], [2, 2, 0]])
    y = np.array([0, 1, 0, 1])
    model = LSTMClassifier(embedding_dim=2, vocabulary_size=6, **SMALL).fit(X, y)
    bad = X.copy()
    bad[1, 2] = 6
    assert_fit_fails_cleanly(model, bad, y, ValueError,
                             "token id 6 in X is outside the vocabulary of vocabulary_size=6")
    assert_fit_fails_cleanly(model, bad, y, ValueError,
                             "token id 6 in X is outside the vocabulary of 6 tokens",
                             method="partial_fit")


@pytest.mark.parametrize("huge", [np.uint64(2**63), np.uint64(2**64 - 1), 1e19],
                         ids=["uint64-2**63", "uint64-max", "float-1e19"])
def test_token_ids_beyond_int64_are_named_as_outside_the_vocabulary(huge):
    """Ids that do not fit in int64 are still ids outside the vocabulary: the
    error must say so, not wrap them to a negative number."""
    model = token_model()
    X = np.array([[1, 2, 3]], dtype=np.asarray(huge).dtype)
    X[0, 1] = huge
    with pytest.raises(ValueError, match="outside the vocabulary"):
        model.predict(X)


def test_inferred_vocabulary_from_an_absurd_token_id_is_a_clear_error():
    """Without vocabulary_size the vocabulary is the largest id + 1; an id of
    10**12 must give an error naming the token id (or the vocabulary), not
    numpy's failure to allocate a 10**12-row embedding (smaller absurd ids, whose
    embedding does fit in virtual memory, would exhaust the machine instead)."""
    X = np.array([[0, 1, 2], [3, 10**12, 1]])
    model = LSTMClassifier(embedding_dim=3, **SMALL)
    with pytest.raises((ValueError, MemoryError), match=r"token id|vocabulary"):
        model.fit(X, [0, 1])
    assert not hasattr(model, "model_")


# --------------------------------------------------------------- binding --

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


@functools.lru_cache(maxsize=None)
def _network(cell, features, dtype_name, bidirectional):
    return RecurrentNetwork(cell, features, 3, num_layers=2 if bidirectional else 1,
                            bidirectional=bidirectional, dtype=np.dtype(dtype_name),
                            random_state=0, n_threads=1)


def network(cell, features, dtype_name="float64", bidirectional=False):
    return copy.deepcopy(_network(cell, features, dtype_name, bidirectional))


@SOME
@given(cell=st.sampled_from(CELLS), dtype=st.sampled_from(["float32", "float64"]),
       bidirectional=st.booleans(), batch=st.integers(0, 4), steps=st.integers(0, 6),
       features=st.integers(1, 3), given_features=st.integers(1, 3), data=st.data())
def test_network_forward_shapes(cell, dtype, bidirectional, batch, steps, features,
                                given_features, data):
    net = network(cell, features, dtype, bidirectional)
    X = np.random.default_rng(batch * 7 + steps).standard_normal((batch, steps, given_features))
    if given_features != features:
        with pytest.raises(ValueError, match=rf"X has {given_features} features per step, "
                                             rf"the network expects {features}"):
            net.forward(X)
        return
    if batch == 0 or steps == 0:
        with pytest.raises(ValueError, match=r"x must hold at least one sequence of one step, "
                                             rf"got shape \({batch}, {steps}, {features}\)"):
            net.forward(X)
        return
    lengths = np.array(data.draw(st.lists(st.integers(1, steps), min_size=batch,
                                          max_size=batch), label="lengths"))
    out, h_n, c_n = net.forward(X, lengths)
    directions = 2 if bidirectional else 1
    assert out.shape == (batch, steps, directions * 3) and out.dtype == np.dtype(dtype)
    assert h_n.shape == (net.num_layers * directions, batch, 3)
    assert (c_n is not None) == (cell == "lstm")
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(h_n))
    for i, length in enumerate(lengths):
        # Zero at padded steps; the forward direction's final state is its output
        # at the sequence's own last step, the reverse direction's at step 0.
        assert not out[i, length:].any()
        np.testing.assert_array_equal(h_n[-directions, i], out[i, length - 1, :3])
        if bidirectional:
            np.testing.assert_array_equal(h_n[-1, i], out[i, 0, 3:])


BINDING_CONVERSIONS = {
    "float16": ("eighths", lambda X: X.astype(np.float16)),
    "float32": ("eighths", lambda X: X.astype(np.float32)),
    "int32": ("integers", lambda X: X.astype(np.int32)),
    "uint8": ("naturals", lambda X: X.astype(np.uint8)),
    "fortran": ("any", np.asfortranarray),
    "strided": ("any", _strided),
    "negative-strides": ("any", _reversed_strides),
    "transposed-view": ("any", _transposed),
    "nested-lists": ("any", lambda X: X.tolist()),
}


@SOME
@given(cell=st.sampled_from(CELLS), dtype=st.sampled_from(["float32", "float64"]),
       conversion=st.sampled_from(sorted(BINDING_CONVERSIONS)), batch=st.integers(1, 4),
       steps=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_network_converts_equivalent_inputs_exactly(cell, dtype, conversion, batch, steps,
                                                    seed):
    net = network(cell, 2, dtype)
    value_kind, convert = BINDING_CONVERSIONS[conversion]
    X = values(value_kind, batch, steps, 2, seed)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, steps + 1, size=batch)
    h0 = rng.standard_normal((1, batch, 3))
    expected = net.forward(X, lengths, h0, training=True)
    d_out = rng.standard_normal(expected[0].shape)
    d_expected = net.backward(d_out)
    grads = net.flat_gradients.copy()
    got = net.forward(convert(X), lengths.astype(np.int32), np.asfortranarray(h0),
                      training=True)
    for a, b in zip(got, expected):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)
    d_got = net.backward(np.asfortranarray(d_out))
    for a, b in zip(d_got, d_expected):
        if b is not None:
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.flat_gradients, grads)


NON_REAL = {
    "bool": lambda X: X > 0,
    "object": lambda X: X.astype(object),
    "complex": lambda X: X.astype(complex),
    "str": lambda X: X.astype(str),
    "bytes": lambda X: X.astype(bytes),
    "datetime": lambda X: X.astype("datetime64[s]"),
}


@FEW
@given(cell=st.sampled_from(CELLS), case=st.sampled_from(sorted(NON_REAL)),
       where=st.sampled_from(["X", "h0", "d_output", "d_h_n"]))
def test_network_refuses_non_real_arrays_with_a_type_error(cell, case, where):
    net = network(cell, 2)
    X = np.random.default_rng(0).integers(-2, 3, size=(2, 3, 2)).astype(np.float64)
    reference = net.forward(X, training=True)
    expected_gradients = net.backward(np.ones((2, 3, 3)))
    grads = net.flat_gradients.copy()
    bad = NON_REAL[case]
    dtype = re.escape(str(np.asarray(bad(X)).dtype))
    if where == "X":
        with pytest.raises(TypeError, match=f"X must hold real numbers, got dtype {dtype}"):
            net.forward(bad(X))
    elif where == "h0":
        h0 = bad(np.zeros((1, 2, 3)))
        dtype = re.escape(str(h0.dtype))
        with pytest.raises(TypeError, match=f"h0 must hold real numbers, got dtype {dtype}"):
            net.forward(X, h0=h0)
    else:
        net.forward(X, training=True)
        shape = (2, 3, 3) if where == "d_output" else (1, 2, 3)
        gradient = bad(np.ones(shape))
        dtype = re.escape(str(gradient.dtype))
        with pytest.raises(TypeError, match=f"{where} must hold real numbers, got dtype {dtype}"):
            net.backward(**{where: gradient})
    # Nothing of the network changed: the tape of the last training forward is
    # still the one backward uses.
    again = net.backward(np.ones((2, 3, 3)))
    np.testing.assert_array_equal(again[0], expected_gradients[0])
    np.testing.assert_array_equal(net.flat_gradients, grads)
    np.testing.assert_array_equal(net.forward(X)[0], reference[0])


@FEW
@given(cell=st.sampled_from(CELLS), steps=st.integers(1, 5),
       lengths=st.lists(st.integers(-1, 7), min_size=1, max_size=4))
def test_network_lengths(cell, steps, lengths):
    net = network(cell, 2)
    batch = 3
    X = np.ones((batch, steps, 2))
    if len(lengths) != batch:
        with pytest.raises(ValueError, match=rf"lengths must have shape \({batch},\), one per "
                                             rf"sequence, got \({len(lengths)},\)"):
            net.forward(X, lengths)
    elif min(lengths) < 1 or max(lengths) > steps:
        with pytest.raises(ValueError, match=rf"lengths must be in \[1, {steps}\] \(the number "
                                             r"of time steps\)"):
            net.forward(X, lengths)
    else:
        out = net.forward(X, lengths)[0]
        for i, length in enumerate(lengths):
            assert not out[i, length:].any()
            # Same inputs, so the same outputs up to each sequence's length.
            np.testing.assert_allclose(out[i, :length], out[np.argmax(lengths), :length],
                                       rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="lengths must be integers, got dtype float64"):
        net.forward(X, np.full(batch, 1.0))


@SOME
@given(cell=st.sampled_from(CELLS), dtype=st.sampled_from(["float32", "float64"]),
       value=st.sampled_from([np.nan, np.inf, -np.inf]), batch=st.integers(2, 4),
       steps=st.integers(1, 5), data=st.data())
def test_network_non_finite_values_stay_in_their_sequence(cell, dtype, value, batch, steps,
                                                           data):
    """The core does not validate values: a NaN or infinity at a valid step only
    touches its own sequence, and one in the padding is never read."""
    net = network(cell, 2, dtype)
    rng = np.random.default_rng(batch * 10 + steps)
    X = rng.standard_normal((batch, steps, 2))
    lengths = np.array(data.draw(st.lists(st.integers(1, steps), min_size=batch,
                                          max_size=batch), label="lengths"))
    clean_out, clean_h, _ = net.forward(X, lengths)
    i = data.draw(st.integers(0, batch - 1), label="sequence")
    t = data.draw(st.integers(0, steps - 1), label="step")
    bad = X.copy()
    bad[i, t, data.draw(st.integers(0, 1), label="feature")] = value
    with np.errstate(all="ignore"):
        out, h_n, _ = net.forward(bad, lengths, training=True)
        net.backward(np.ones_like(out))
    others = np.arange(batch) != i
    np.testing.assert_array_equal(out[others], clean_out[others])
    np.testing.assert_array_equal(h_n[:, others], clean_h[:, others])
    if t >= lengths[i]:  # padding
        np.testing.assert_array_equal(out, clean_out)
        np.testing.assert_array_equal(h_n, clean_h)
    else:
        np.testing.assert_array_equal(out[i, :t], clean_out[i, :t])
        if np.isnan(value):
            assert np.isnan(out[i, t]).all() and np.isnan(h_n[:, i]).all()


@FEW
@given(cell=st.sampled_from(CELLS), where=st.sampled_from(["d_output", "d_h_n", "d_c_n"]),
       shape=st.lists(st.integers(0, 4), min_size=1, max_size=4))
def test_network_backward_gradients_of_another_shape(cell, where, shape):
    net = network(cell, 2)
    X = np.ones((2, 3, 2))
    net.forward(X, training=True)
    reference = net.backward(np.ones((2, 3, 3)))[0]
    expected = (2, 3, 3) if where == "d_output" else (1, 2, 3)
    shape = tuple(shape)
    if where == "d_c_n" and cell != "lstm":
        with pytest.raises(ValueError, match=f"d_c_n is only used by the LSTM cell, this "
                                             f"network is '{cell}'"):
            net.backward(d_c_n=np.ones(shape))
    elif shape != expected:
        with pytest.raises(ValueError, match=rf"{where} has shape \({', '.join(map(str, shape))}"
                                             rf",?\), expected \({expected[0]}, "):
            net.backward(**{where: np.ones(shape)})
    else:
        assert net.backward(**{where: np.ones(shape)})[0].shape == X.shape
    np.testing.assert_array_equal(net.backward(np.ones((2, 3, 3)))[0], reference)


def test_backward_before_any_training_forward():
    net = network("gru", 2)
    with pytest.raises(RuntimeError, match="backward needs a preceding forward with "
                                           "training=True"):
        net.backward(np.ones((1, 1, 3)))
    net.forward(np.ones((1, 1, 2)), training=True)
    net.forward(np.ones((1, 1, 2)))  # an inference forward drops the tape
    with pytest.raises(RuntimeError, match="backward needs a preceding forward"):
        net.backward(np.ones((1, 1, 3)))


# ------------------------------------------------------------ long T --

@pytest.mark.parametrize("cell", CELLS)
def test_network_long_sequence_with_one_feature(cell):
    steps = 2000
    net = network(cell, 1)
    X = np.sin(np.arange(steps) / 10.0)[None, :, None] * np.array([1.0, -0.5])[:, None, None]
    out, h_n, c_n = net.forward(X, [steps, steps // 2], training=True)
    assert out.shape == (2, steps, 3)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(h_n))
    np.testing.assert_array_equal(h_n[0, 0], out[0, -1])
    np.testing.assert_array_equal(h_n[0, 1], out[1, steps // 2 - 1])
    assert not out[1, steps // 2:].any()
    d_X, d_h0, _ = net.backward(np.ones_like(out))
    assert d_X.shape == X.shape and np.all(np.isfinite(d_X))
    assert np.all(np.isfinite(net.flat_gradients)) and net.flat_gradients.any()
    assert not d_X[1, steps // 2:].any()


@pytest.mark.parametrize("kind", KINDS)
def test_estimators_long_sequence_with_one_feature(kind):
    steps = 2000
    rng = np.random.default_rng(0)
    table = np.cumsum(rng.standard_normal((4, steps)), axis=1) / 30.0
    y = targets(kind, table[:, :, None])
    estimator = MAKERS[kind]().fit(table, y)
    assert estimator.n_features_in_ == steps
    result = outputs(estimator, table)
    assert result.shape[0] == 4 and np.all(np.isfinite(result))
    np.testing.assert_array_equal(outputs(estimator, np.asfortranarray(table)), result)
    # The same sequences as a 3-D array train and predict identically.
    as_3d = MAKERS[kind]().fit(table[:, :, None], y)
    np.testing.assert_array_equal(outputs(as_3d, table[:, :, None]), result)
