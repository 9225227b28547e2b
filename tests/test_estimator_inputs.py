"""The forms of X the estimators accept (3-D arrays, 2-D univariate arrays,
ragged lists, token ids), sample and class weights, and the errors bad inputs
and parameters give, which leave a fitted estimator unchanged."""
import numpy as np
import pandas as pd
import pytest
import sklearn
from scipy import sparse
from sklearn.utils.class_weight import compute_sample_weight

from estimator_data import (FAST, assert_same_state, fast, multiclass_3d, ragged,
                            regression_3d, sequences_3d, states_equal, tokens)
from rnnsk import (GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor,
                   RecurrentClassifier, RecurrentStepRegressor, RecurrentTagger,
                   RNNClassifier, SequenceScaler)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ------------------------------------------------------------ forms of X --

@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRUClassifier, RNNClassifier])
def test_padding_is_never_read_in_a_ragged_batch(Estimator):
    X, y, lengths = ragged(n=40)
    assert len(set(lengths)) > 3
    clf = Estimator(**fast(bidirectional=True, dtype="float64")).fit(X, y)
    together = clf.predict_proba(X)
    for i in np.argsort(lengths)[:5]:  # the shortest are padded the most in a batch
        np.testing.assert_allclose(clf.predict_proba([X[i]])[0], together[i], rtol=0,
                                   atol=1e-12)


def test_3d_array_and_list_of_its_sequences_are_the_same_input():
    X, y = sequences_3d()
    as_list = [x for x in X]
    from_array = LSTMClassifier(**FAST).fit(X, y)
    from_list = LSTMClassifier(**FAST).fit(as_list, y)
    assert_same_state(from_array.state_dict(), from_list.state_dict())
    np.testing.assert_array_equal(from_array.predict_proba(X), from_list.predict_proba(X))
    np.testing.assert_array_equal(from_array.predict_proba(as_list),
                                  from_array.predict_proba(X))


def test_2d_array_is_read_as_univariate_sequences():
    X, y = sequences_3d(features=1)
    table = X[:, :, 0]
    from_table = LSTMClassifier(**FAST).fit(table, y)
    assert from_table.n_features_in_ == 6  # scikit-learn's view: columns
    from_3d = LSTMClassifier(**FAST).fit(X, y)
    assert from_3d.n_features_in_ == 1
    assert_same_state(from_table.state_dict(), from_3d.state_dict())
    # one feature: x, its sequence's z-score, mean and log standard deviation
    assert from_table.state_dict()["rnn.weight_ih_l0"].shape == (32, 4)
    np.testing.assert_array_equal(from_table.predict(table), from_3d.predict(X))
    with pytest.raises(ValueError, match="X has 5 features, but LSTMClassifier is expecting 6"):
        from_table.predict(table[:, :5])


def test_ragged_univariate_1d_sequences():
    X, y, _ = ragged(n=40, features=1)
    flat = [x[:, 0] for x in X]
    a = RNNClassifier(**FAST).fit(flat, y)
    b = RNNClassifier(**FAST).fit(X, y)
    assert_same_state(a.state_dict(), b.state_dict())


def _objects(rows):
    holder = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        holder[i] = row
    return holder


@pytest.mark.parametrize("holder", [_objects, pd.Series], ids=["object-array", "series"])
def test_object_array_of_ragged_sequences_is_the_list(holder):
    X, y, _ = ragged(n=40)
    from_list = GRUClassifier(**FAST).fit(X, y)
    from_objects = GRUClassifier(**FAST).fit(holder(X), y)
    assert_same_state(from_list.state_dict(), from_objects.state_dict())
    np.testing.assert_array_equal(from_objects.predict_proba(holder(X[:3])),
                                  from_list.predict_proba(X[:3]))
    ids = [np.arange(1, 2 + i % 4) for i in range(12)]
    tokens_fit = LSTMClassifier(**fast(embedding_dim=4)).fit(holder(ids), [0, 1] * 6)
    assert_same_state(tokens_fit.state_dict(),
                      LSTMClassifier(**fast(embedding_dim=4)).fit(ids, [0, 1] * 6).state_dict())


@pytest.mark.parametrize("ragged_lengths", [False, True])
def test_pandas_sequences_of_nullable_dtypes_read_pd_na_as_nan(ragged_lengths):
    # numpy cannot turn pd.NA into a float: such sequences raised a bare TypeError
    # where check_array names the NaN of a DataFrame.
    X, y = ragged(n=20, features=2)[:2] if ragged_lengths else sequences_3d(n=20, features=2)
    frames = [pd.DataFrame(x).astype("Float64") for x in X]
    plain = RNNClassifier(**FAST).fit(list(X), y)
    nullable = RNNClassifier(**FAST).fit(frames, y)
    assert_same_state(plain.state_dict(), nullable.state_dict())
    frames[3].iloc[0, 1] = pd.NA
    with pytest.raises(ValueError, match="Input X contains NaN"):
        RNNClassifier(**FAST).fit(frames, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        plain.predict(frames)
    series = [pd.Series(np.round(10 * x[:, 0]), dtype="Int64") for x in X]
    series[0].iloc[1] = pd.NA
    with pytest.raises(ValueError, match="Input X contains NaN"):
        RNNClassifier(**FAST).fit(series, y)


@pytest.mark.parametrize("as_list", [False, True], ids=["2d-array", "ragged-list"])
def test_token_ids_with_embedding(as_list):
    X, y = tokens(n=60, steps=6, vocabulary=10)
    if as_list:
        X = [row[: 3 + i % 4] for i, row in enumerate(X)]  # lengths 3..6
        y = np.array([int((row == 0).any()) for row in X])
    clf = LSTMClassifier(**fast(max_iter=20), embedding_dim=4).fit(X, y)
    state = clf.state_dict()
    assert state["embedding.weight"].shape == (10, 4)  # inferred: largest id + 1
    assert state["rnn.weight_ih_l0"].shape == (32, 4)
    assert clf.score(X, y) >= 0.9
    with pytest.raises(ValueError, match="token id 10 in X is outside the vocabulary of 10"):
        clf.predict([np.array([1, 2, 10])] if as_list else np.array([[1, 2, 10, 0, 0, 0]]))
    with pytest.raises(ValueError, match="non-negative"):
        clf.predict(np.array([[1, -1, 2, 0, 0, 0]]))


def test_token_ids_vocabulary_size():
    X, y = tokens(vocabulary=10)
    clf = GRUClassifier(**FAST, embedding_dim=3, vocabulary_size=15).fit(X, y)
    assert clf.state_dict()["embedding.weight"].shape == (15, 3)
    clf.predict(np.array([[14, 1, 2, 3, 4, 5]]))  # inside the declared vocabulary
    with pytest.raises(ValueError, match="outside the vocabulary of vocabulary_size=5"):
        GRUClassifier(**FAST, embedding_dim=3, vocabulary_size=5).fit(X, y)


def test_token_ids_must_be_integers():
    X, y = tokens()
    with pytest.raises(ValueError, match="must hold integer token ids"):
        LSTMClassifier(**FAST, embedding_dim=3).fit(X + 0.5, y)
    with pytest.raises(ValueError, match=r"must hold integer token ids when embedding_dim is "
                                         r"set: .* got a 3-D array of shape \(.*\) \(sequences "
                                         r"of feature vectors: leave embedding_dim=None\)"):
        LSTMClassifier(**FAST, embedding_dim=3).fit(np.stack([X, X], axis=2) + 0.5, y)
    # Floats holding whole numbers are token ids.
    a = LSTMClassifier(**FAST, embedding_dim=3).fit(X.astype(float), y)
    b = LSTMClassifier(**FAST, embedding_dim=3).fit(X, y)
    assert_same_state(a.state_dict(), b.state_dict())


# --------------------------------------------------------------- weights --

def full_batch(n, **changes):
    # No input noise: its draws follow the rows of X, which duplicating changes.
    return fast(batch_size=n, shuffle=False, dtype="float64", n_threads=1, input_noise=0.0,
                **changes)


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRURegressor])
def test_sample_weight_two_equals_duplicating_on_one_full_batch(Estimator):
    X, y = sequences_3d(n=40)
    if Estimator is GRURegressor:
        y = X[:, :, 1].mean(axis=1)
    weights = np.where(np.arange(40) % 3 == 0, 2.0, 1.0)
    repeated = np.repeat(np.arange(40), weights.astype(int))
    weighted = Estimator(**full_batch(40)).fit(X, y, sample_weight=weights)
    duplicated = Estimator(**full_batch(len(repeated))).fit(X[repeated], y[repeated])
    np.testing.assert_allclose(weighted.loss_curve_, duplicated.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(weighted.predict(X) if Estimator is GRURegressor
                               else weighted.predict_proba(X),
                               duplicated.predict(X) if Estimator is GRURegressor
                               else duplicated.predict_proba(X), rtol=0, atol=1e-6)
    unweighted = Estimator(**full_batch(40)).fit(X, y)
    assert abs(unweighted.loss_curve_[-1] - weighted.loss_curve_[-1]) > 1e-4


def test_sample_weight_of_numeric_strings_is_read_as_numbers_as_scikit_learn_does():
    X, y = sequences_3d(n=20)
    weights = np.arange(1, 21)
    expected = RNNClassifier(**FAST).fit(X, y, sample_weight=weights)
    given = RNNClassifier(**FAST).fit(X, y, sample_weight=weights.astype(str))
    assert_same_state(given.state_dict(), expected.state_dict())
    with pytest.raises(TypeError, match=r"sample_weight must hold numbers, got <U1 values "
                                        r"such as \['a'\]"):
        RNNClassifier(**FAST).fit(X, y, sample_weight=["a"] * 20)


def test_sample_weight_zero_drops_a_sample():
    X, y = sequences_3d(n=40)
    weights = np.ones(40)
    weights[:10] = 0
    weighted = LSTMClassifier(**full_batch(40)).fit(X, y, sample_weight=weights)
    dropped = LSTMClassifier(**full_batch(30)).fit(X[10:], y[10:])
    np.testing.assert_allclose(weighted.loss_curve_, dropped.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("weights, message", [
    (np.zeros(40), "sample_weight sums to zero"),
    (np.r_[-1.0, np.ones(39)], "finite and non-negative"),
    (np.r_[np.nan, np.ones(39)], "finite and non-negative"),
    (np.ones(39), r"sample_weight.shape == \(39,\), expected \(40,\)"),
])
def test_bad_sample_weight(weights, message):
    X, y = sequences_3d(n=40)
    with pytest.raises(ValueError, match=message):
        LSTMClassifier(**FAST).fit(X, y, sample_weight=weights)


def test_partial_fit_refuses_balanced_class_weights():
    """Each call would balance its own chunk (scikit-learn's SGDClassifier refuses
    it too); a dict computed on the whole set is the way, and is accepted."""
    from sklearn.utils.class_weight import compute_class_weight
    X, y = sequences_3d(n=40)
    y[:30], y[30:] = 0, 1  # imbalanced: 30 of class 0
    clf = LSTMClassifier(**FAST, class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported by "
                                         "partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "model_")
    weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    clf.set_params(class_weight=dict(enumerate(weights))).partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 1


def test_class_weight_balanced_is_the_balanced_sample_weight():
    X, y = sequences_3d(n=40)
    y[:30] = 0  # imbalanced: 30 of class 0
    y[30:] = 1
    balanced = LSTMClassifier(**FAST, class_weight="balanced").fit(X, y)
    by_hand = LSTMClassifier(**FAST).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    plain = LSTMClassifier(**FAST).fit(X, y)
    assert_same_state(balanced.state_dict(), by_hand.state_dict())
    assert not states_equal(balanced.state_dict(), plain.state_dict())
    assert balanced.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_class_weight_dict_is_keyed_by_label():
    X, y = sequences_3d(n=40)
    labels = np.where(y == 1, "b", "a")
    weighted = LSTMClassifier(**FAST, class_weight={"a": 1.0, "b": 5.0}).fit(X, labels)
    by_hand = LSTMClassifier(**FAST).fit(X, labels, sample_weight=np.where(y == 1, 5.0, 1.0))
    assert_same_state(weighted.state_dict(), by_hand.state_dict())
    ones = LSTMClassifier(**FAST, class_weight={"a": 1.0, "b": 1.0}).fit(X, labels)
    none = LSTMClassifier(**FAST).fit(X, labels)
    assert_same_state(ones.state_dict(), none.state_dict())
    assert not states_equal(weighted.state_dict(), none.state_dict())


def test_class_weight_for_a_label_not_in_y_is_not_given_to_another_class():
    """scikit-learn raises for a class_weight key that is not a class; it must
    never silently weigh another class (here label 1 would land on label 2)."""
    X, y = sequences_3d(n=40)
    y = np.where(y == 1, 2, 0)  # classes 0 and 2
    try:
        fitted = LSTMClassifier(**FAST, class_weight={1: 10.0}).fit(X, y)
    except ValueError as error:
        assert "class" in str(error)
        return
    wrongly = LSTMClassifier(**FAST).fit(X, y, sample_weight=np.where(y == 2, 10.0, 1.0))
    assert not states_equal(fitted.state_dict(), wrongly.state_dict()), \
        "class_weight={1: 10} silently weighted class 2 by 10"
    pytest.fail("class_weight with a key that is not a class of y must raise ValueError")


# ----------------------------------------------------------------- errors --

def fitted_classifier():
    X, y = sequences_3d(n=40)
    return LSTMClassifier(**FAST).fit(X, y), X, y


def with_nan(X):
    X = X.copy()
    X[3, 2, 1] = np.nan
    return X


def with_inf(X):
    X = X.copy()
    X[3, 2, 1] = np.inf
    return X


BAD_FITS = {
    "nan": (lambda X, y: (with_nan(X), y), "Input X contains NaN"),
    "inf": (lambda X, y: (with_inf(X), y), "Input X contains infinity"),
    "nan-in-list": (lambda X, y: ([with_nan(X)[3]] + list(X[1:]), y), "Input X contains NaN"),
    "empty-sequence": (lambda X, y: ([X[0][:0]] + [x[:4] for x in X[1:]], y),
                       r"X\[0\] is an empty sequence"),
    "different-features": (lambda X, y: ([X[0][:, :2]] + [x[:4] for x in X[1:]], y),
                           r"different numbers of features: \[2, 3\]"),
    "4-d": (lambda X, y: (X[..., None], y), r"X must be a 2-D array .* got a 4-D array of shape"),
    "empty-list": (lambda X, y: ([], []), "X is empty: at least 1 sequence is required"),
    "y-too-short": (lambda X, y: (X, y[:-1]), "X holds 40 sequences but y has 39 entries"),
    "y-none": (lambda X, y: (X, None), "requires y to be passed"),
    "one-class": (lambda X, y: (X, np.zeros_like(y)), "at least 2 classes"),
    "empty-X": (lambda X, y: (X[:0], y[:0]), "0 sample"),
    "mixed-label-types": (lambda X, y: (X, np.array(["up" if v else 0 for v in y], object)),
                          "y mixes labels of types int, str; labels must all be strings or all "
                          "numbers"),
}


@pytest.mark.parametrize("case", list(BAD_FITS))
def test_bad_input_to_fit_raises_and_changes_nothing(case):
    clf, X, y = fitted_classifier()
    before = clf.state_dict()
    proba = clf.predict_proba(X)
    make, message = BAD_FITS[case]
    bad_X, bad_y = make(X, y)
    with pytest.raises((ValueError, TypeError), match=message):
        clf.fit(bad_X, bad_y)
    assert_same_state(clf.state_dict(), before)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_sample_weight_per_step_is_refused_by_name():
    X, y = sequences_3d(n=6)
    with pytest.raises(ValueError, match="sample_weight must hold one number per sequence"):
        LSTMClassifier(**FAST).fit(list(X), y, sample_weight=[[1.0] * len(x) for x in X[:-1]]
                                   + [[1.0, 1.0]])


def test_token_ids_that_are_all_empty_sequences_are_named():
    clf = LSTMClassifier(**fast(embedding_dim=3)).fit(np.array([[1, 2], [2, 1]] * 2), [0, 1] * 2)
    with pytest.raises(ValueError, match="X holds only empty sequences; every sequence needs "
                                         "at least one token id"):
        clf.predict([np.array([], dtype=np.int64)])


def test_inputs_overflowing_the_fitted_standardization_are_named():
    X, y = regression_3d(n=12)
    regressor = LSTMRegressor(**fast(dtype="float64")).fit(X * 1e-300, y)
    with pytest.raises(FloatingPointError, match="X overflows once standardized by the "
                                                 "statistics of the training inputs"):
        regressor.predict(X * 1e10)


@pytest.mark.parametrize("method", ["fit", "predict", "X_val"])
def test_nan_passed_under_assume_finite_is_named_not_called_an_overflow(method):
    """assume_finite=True skips scikit-learn's NaN check; the standardized
    inputs' own check must then name the NaN, and a fit must not train on it."""
    clf, X, y = fitted_classifier()
    before = clf.state_dict()
    bad = X.copy()
    bad[1, 2, 0] = np.nan
    calls = {"fit": lambda: clf.fit(bad, y), "predict": lambda: clf.predict(bad),
             "X_val": lambda: clf.fit(X, y, X_val=bad, y_val=y)}
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match=r"Input (X|X_val) contains NaN or infinity "
                                             r"\(scikit-learn's assume_finite=True"):
            calls[method]()
    assert_same_state(clf.state_dict(), before)


def test_a_single_value_as_y_is_named():
    X, _ = sequences_3d(n=6)
    with pytest.raises(ValueError, match=r"y is the single value 1: it needs one "
                                         r"entry per sequence of X \(6\)"):
        LSTMClassifier(**FAST).fit(X, 1)


def test_a_zero_weight_sample_far_from_the_others_still_trains():
    """Statistics are weighted: a sample of weight 0 may overflow float32 once
    standardized by them without stopping the fit (only NaN given under
    assume_finite=True is refused in fit)."""
    X, y = regression_3d(n=10)
    X = X.astype(np.float64)
    X[0] *= 1e300
    weights = np.r_[0.0, np.ones(9)]
    regressor = LSTMRegressor(**FAST).fit(X, y, sample_weight=weights)
    assert np.all(np.isfinite(regressor.predict(X[1:])))


def test_a_sparse_dok_matrix_gets_the_sparse_error_not_the_mapping_one():
    X, y = sequences_3d(n=8)
    with pytest.raises(TypeError, match="Sparse data was passed"):
        LSTMClassifier(**FAST).fit(sparse.dok_matrix(X[:, :, 0]), y)


def test_column_names_of_mixed_types_are_refused_before_a_fit_changes_anything():
    """scikit-learn refuses names of mixed types; the check ran once the new
    network had replaced the fitted one (and left an unfitted estimator fitted)."""
    clf, X, y = fitted_classifier()
    before, proba = clf.state_dict(), clf.predict_proba(X)
    mixed = [pd.DataFrame(x, columns=["a", 1][:x.shape[1]] + [f"c{j}" for j in
                                                            range(2, x.shape[1])]) for x in X]
    with pytest.raises(TypeError, match="Feature names are only supported if all input "
                                        "features have string names"):
        clf.fit(mixed, y)
    assert_same_state(clf.state_dict(), before)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    for fresh in (LSTMClassifier(**FAST), SequenceScaler()):
        with pytest.raises(TypeError, match="string names"):
            fresh.fit(mixed, y)
        assert not [name for name in vars(fresh) if name.endswith("_")
                    and not name.startswith("_")]


def test_a_fit_failing_on_the_validation_split_changes_nothing():
    """early_stopping's stratified split fails for a class with one member;
    the fitted estimator must stay what it was (classes_ and weights)."""
    clf, X, y = fitted_classifier()
    before = clf.state_dict()
    y_bad = y.copy()
    y_bad[0] = 5  # a class with a single sample
    clf.set_params(early_stopping=True)
    with pytest.raises(ValueError, match="least populated class"):
        clf.fit(X, y_bad)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert_same_state(clf.state_dict(), before)


@pytest.mark.parametrize("bad_X, message", [
    (lambda X: X[:, :, :2], "X has 2 features per time step, but LSTMClassifier is "
                            "expecting 3 features as input"),
    (lambda X: X[:, :, 0], "X has 1 features per time step, but LSTMClassifier is "
                           "expecting 3"),
    (lambda X: [x[:, :2] for x in X], "X has 2 features per time step"),
    (lambda X: X[0], r"expecting 3 features as input\. A 2-D X is read as univariate "
                     r"sequences; to pass one sequence of 3 features, wrap it"),
    (with_nan, "Input X contains NaN"),
    (lambda X: [], "X is empty: at least 1 sequence is required"),  # not "reshape your data"
])
def test_bad_input_to_predict(bad_X, message):
    clf, X, _ = fitted_classifier()
    with pytest.raises(ValueError, match=message):
        clf.predict(bad_X(X))


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError
    X, _ = sequences_3d()
    with pytest.raises(NotFittedError):
        LSTMClassifier().predict(X)
    with pytest.raises(NotFittedError):
        LSTMClassifier().state_dict()


@pytest.mark.parametrize("Estimator", [RecurrentStepRegressor, RecurrentTagger, GRURegressor])
@pytest.mark.parametrize("method", ["predict", "score"])
def test_every_estimator_says_it_is_not_fitted(Estimator, method):
    """The step regressor's predict read its target scaling first: an
    AttributeError naming a private attribute."""
    from sklearn.exceptions import NotFittedError
    X = [np.zeros((3, 2)), np.ones((4, 2))]
    y = [np.zeros(3), np.ones(4)]
    call = getattr(Estimator(), method)
    with pytest.raises(NotFittedError):
        call(X) if method == "predict" else call(X, y if Estimator is not GRURegressor
                                                 else [0.0, 1.0])


@pytest.mark.parametrize("params, message", [
    ({"hidden_size": 0}, "hidden_size"),
    ({"hidden_size": (8, 0)}, "hidden_size must be a positive int or a non-empty sequence"),
    ({"hidden_size": ()}, "hidden_size must be a positive int or a non-empty sequence"),
    ({"hidden_size": (8, 4), "num_layers": 3}, "hidden_size gives 2 layer sizes but "
                                               "num_layers is 3"),
    ({"num_layers": 0}, "num_layers"),
    ({"dropout": 1.5}, "dropout"),
    ({"dropout": 1.0}, "dropout"),
    ({"solver": "lbfgs"}, "solver"),
    ({"max_iter": 0}, "max_iter"),
    ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ({"dtype": "float16"}, "dtype"),
    ({"class_weight": "auto"}, "class_weight"),
    ({"n_threads": 0}, "n_threads must be a positive number of threads"),
])
def test_bad_parameters_raise_and_change_nothing(params, message):
    clf, X, y = fitted_classifier()
    before = clf.state_dict()
    clf.set_params(**params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert_same_state(clf.state_dict(), before)


def test_unknown_cell_raises_and_changes_nothing():
    X, y = sequences_3d()
    clf = RecurrentClassifier(**FAST).fit(X, y)
    before = clf.state_dict()
    clf.set_params(cell="transformer")
    with pytest.raises(ValueError, match="'cell' parameter of RecurrentClassifier must be"):
        clf.fit(X, y)
    assert_same_state(clf.state_dict(), before)


def test_n_threads_zero_at_predict():
    clf, X, _ = fitted_classifier()
    clf.set_params(n_threads=0)
    with pytest.raises(ValueError, match="n_threads must be a positive number"):
        clf.predict(X)
    clf.set_params(n_threads=-1)  # all cores
    assert clf.predict(X).shape == (40,)


def test_regressor_bad_targets():
    X, y = regression_3d(n=40)
    reg = LSTMRegressor(**FAST).fit(X, y)
    before = reg.state_dict()
    bad = y.copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN or infinity"):
        reg.fit(X, bad)
    with pytest.raises(ValueError, match="y must be 1-D or 2-D"):
        reg.fit(X, y[:, None, None])
    with pytest.raises(ValueError):
        reg.fit(X, np.array(["a"] * 40))
    assert_same_state(reg.state_dict(), before)
    reg.set_params(warm_start=True)
    with pytest.raises(ValueError, match="y has 2 target columns, but LSTMRegressor was "
                                         "fitted with 1"):
        reg.fit(X, np.stack([y, y], axis=1))


def test_multiclass_data_with_2d_y_column_is_accepted_with_a_warning():
    X, y = multiclass_3d(n=30)
    from sklearn.exceptions import DataConversionWarning
    with pytest.warns(DataConversionWarning):
        clf = GRUClassifier(**FAST).fit(X, y[:, None])
    assert clf.classes_.tolist() == [0, 1, 2]


def test_early_stopping_on_too_few_samples_says_so_and_changes_nothing():
    X, y = regression_3d(n=9)
    regressor = LSTMRegressor(**fast(early_stopping=True))
    with pytest.raises(ValueError, match=r"held-out part \(validation_fraction=0\.1: 1 of 9 "
                                         r"sequences\) holds 1 target\(s\) of positive weight, "
                                         r"but early stopping's score, R², needs at least 2"):
        regressor.fit(X, y)
    assert not hasattr(regressor, "model_")
    X, _ = sequences_3d(n=6)
    classifier = LSTMClassifier(**fast(early_stopping=True))
    with pytest.raises(ValueError, match=r"early_stopping cannot hold out validation_fraction="
                                         r"0\.1 of 6 samples: The test_size = 1"):
        classifier.fit(X, [0, 1] * 3)
    assert not hasattr(classifier, "model_")


@pytest.mark.parametrize("y_val, message", [
    ([1.0], r"X_val, y_val holds 1 target\(s\) of positive weight, but early stopping's "
            r"score, R², needs at least 2"),
    ([2.0, 2.0, 2.0], r"X_val, y_val holds targets that do not vary, so early stopping's "
                      r"score, R², is undefined"),
])
def test_validation_data_r2_cannot_score_is_refused_and_changes_nothing(y_val, message):
    """Before, every epoch's score was NaN (or noise of float rounding) and the
    fit ended on its initial weights without a word."""
    X, y = regression_3d(n=12)
    regressor = LSTMRegressor(**fast(early_stopping=True)).fit(X, y)
    before = {name: np.copy(value) for name, value in regressor.state_dict().items()}
    with pytest.raises(ValueError, match=message):
        regressor.fit(X, y, X_val=X[:len(y_val)], y_val=y_val)
    assert_same_state(regressor.state_dict(), before)
    # two columns, one constant: R² averages the varying one with 0 (scikit-learn's
    # score of a constant column), so early stopping has a score to follow
    two = LSTMRegressor(**fast(early_stopping=True)).fit(
        X, np.column_stack([y, y]), X_val=X[:3], y_val=[[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    assert np.all(np.isfinite(two.validation_scores_))
    # a weight of zero takes a target out of the count
    with pytest.raises(ValueError, match=r"holds 1 target\(s\) of positive weight"):
        LSTMRegressor(**fast(early_stopping=True)).fit(
            X, y, X_val=X[:2], y_val=[0.0, 1.0], sample_weight_val=[1.0, 0.0])


def test_targets_without_a_column_are_refused():
    X, _ = regression_3d(n=10)
    with pytest.raises(ValueError, match=r"y of shape \(10, 0\) has no target column"):
        GRURegressor(**FAST).fit(X, np.empty((10, 0)))


def test_complex_sample_weights_are_refused():
    X, y = regression_3d(n=10)
    with pytest.raises(ValueError, match="Complex data not supported: sample_weight"):
        GRURegressor(**FAST).fit(X, y, sample_weight=np.r_[np.ones(9), -1j])
