"""The estimators in scikit-learn's machinery (pipelines, grid search,
cross-validation, clone, pickling), determinism, threads, verbosity, layer
layouts and the shapes and meaning of their outputs."""
import copy
import pickle
import re

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from estimator_data import (FAST, assert_same_state, fast, multiclass_3d, ragged, regression_3d,
                            sequences_3d, states_equal)
from rnnsk import (GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor,
                   RecurrentClassifier, RecurrentRegressor, RNNClassifier, RNNRegressor,
                   SequenceScaler)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ------------------------------------------------------- scikit-learn tools --

def test_pipeline_scaler_then_lstm_equals_the_two_steps_by_hand():
    X, y, _ = ragged(n=60)
    X = [100.0 * x + 50.0 for x in X]  # badly scaled on purpose
    pipe = make_pipeline(SequenceScaler(), LSTMClassifier(**fast(max_iter=20))).fit(X, y)

    scaler = SequenceScaler().fit(X)
    by_hand = LSTMClassifier(**fast(max_iter=20)).fit(scaler.transform(X), y)
    assert_same_state(pipe[-1].state_dict(), by_hand.state_dict())
    np.testing.assert_array_equal(pipe.predict_proba(X),
                                  by_hand.predict_proba(scaler.transform(X)))
    assert pipe.score(X, y) >= 0.85


def test_grid_search_over_cell_and_hidden_size():
    X, y = sequences_3d(n=60)
    search = GridSearchCV(RecurrentClassifier(max_iter=5, random_state=0, n_threads=1),
                          {"cell": ["lstm", "gru"], "hidden_size": [4, 8]}, cv=3)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    best = search.best_estimator_
    assert best.get_params()["cell"] == search.best_params_["cell"]
    gates = {"lstm": 4, "gru": 3}[search.best_params_["cell"]]
    size = search.best_params_["hidden_size"]
    assert best.state_dict()["rnn.weight_hh_l0"].shape == (gates * size, size)
    # The refit best estimator is a fresh fit with the best parameters.
    again = RecurrentClassifier(max_iter=5, random_state=0, n_threads=1,
                                **search.best_params_).fit(X, y)
    assert_same_state(best.state_dict(), again.state_dict())


def test_cross_val_score_in_two_processes_equals_one_process():
    X, y = sequences_3d(n=60)
    clf = GRUClassifier(**fast(max_iter=15, n_threads=1))
    parallel = cross_val_score(clf, X, y, cv=3, n_jobs=2)
    serial = cross_val_score(clf, X, y, cv=3, n_jobs=1)
    assert parallel.shape == (3,)
    np.testing.assert_array_equal(parallel, serial)
    assert np.all((parallel >= 0) & (parallel <= 1))
    assert parallel.mean() > 0.6  # the label is learnable


def test_clone_gives_an_unfitted_copy_with_the_same_parameters():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST, bidirectional=True).fit(X, y)
    copy = clone(clf)
    assert not hasattr(copy, "model_")
    assert copy.get_params() == clf.get_params()
    assert "cell" not in copy.get_params()  # fixed by the class
    assert_same_state(copy.fit(X, y).state_dict(), clf.state_dict())


def test_set_params_changes_the_next_fit():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.state_dict()["rnn.weight_hh_l0"].shape == (32, 8)
    clf.set_params(hidden_size=4, bidirectional=True)
    state = clf.fit(X, y).state_dict()
    assert state["rnn.weight_hh_l0"].shape == (16, 4)
    assert "rnn.weight_hh_l0_reverse" in state
    with pytest.raises(ValueError, match="Invalid parameter 'cell'"):
        clf.set_params(cell="gru")
    generic = RecurrentClassifier(**FAST).set_params(cell="gru").fit(X, y)
    assert generic.state_dict()["rnn.weight_hh_l0"].shape == (24, 8)


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
@pytest.mark.parametrize("make", [
    lambda: LSTMClassifier(**FAST, bidirectional=True),
    lambda: GRURegressor(**fast(hidden_size=(6, 4))),
], ids=["LSTMClassifier", "GRURegressor"])
def test_pickle_and_joblib_round_trip(make, dump, tmp_path):
    X, y, _ = ragged(n=50)
    if isinstance(make(), GRURegressor):
        y = np.array([x[:, 1].sum() for x in X])
    est = make().fit(X, y)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    else:
        joblib.dump(est, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert_same_state(loaded.state_dict(), est.state_dict())
    assert loaded.loss_curve_ == est.loss_curve_


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
@pytest.mark.parametrize("dump", ["pickle", "deepcopy"])
def test_training_continues_identically_after_unpickling(dump, how):
    """A loaded estimator trains on as the original does: every weight moves."""
    X, y = sequences_3d()
    est = LSTMClassifier(**FAST, warm_start=how == "warm_start").fit(X, y)
    loaded = pickle.loads(pickle.dumps(est)) if dump == "pickle" else copy.deepcopy(est)
    before = loaded.state_dict()
    for model in (est, loaded):
        if how == "partial_fit":
            model.partial_fit(X, y)
        else:
            model.fit(X, y)
    after = loaded.state_dict()
    unchanged = [name for name in before if np.array_equal(before[name], after[name])]
    assert unchanged == [], f"weights that did not train after loading: {unchanged}"
    assert_same_state(after, est.state_dict())


# ------------------------------------------------------------ determinism --

@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRURegressor, RNNClassifier])
def test_same_random_state_is_bit_identical(Estimator):
    X, y = sequences_3d()
    if issubclass(Estimator, GRURegressor):
        y = X[:, :, 1].mean(axis=1)
    params = fast(dropout=0.3, hidden_size=(8, 8), n_threads=2)
    first = Estimator(**params).fit(X, y)
    second = Estimator(**params).fit(X, y)
    assert_same_state(first.state_dict(), second.state_dict())
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert first.loss_curve_ == second.loss_curve_
    other = Estimator(**dict(params, random_state=1)).fit(X, y)
    assert not states_equal(first.state_dict(), other.state_dict())


def test_one_and_two_threads_agree_to_rounding():
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((rng.integers(3, 9), 8)) for _ in range(128)]
    y = np.array([x[:, 0].sum() > 0 for x in X]).astype(int)
    params = dict(hidden_size=64, max_iter=2, random_state=0, dtype="float64")
    one = LSTMClassifier(**params, n_threads=1).fit(X, y)
    two = LSTMClassifier(**params, n_threads=2).fit(X, y)
    for name, value in one.state_dict().items():
        np.testing.assert_allclose(two.state_dict()[name], value, rtol=0, atol=1e-10)
    np.testing.assert_allclose(two.predict_proba(X), one.predict_proba(X), rtol=0, atol=1e-10)
    # Prediction alone with another thread count.
    one.set_params(n_threads=2)
    proba_two = one.predict_proba(X)
    one.set_params(n_threads=1)
    np.testing.assert_allclose(proba_two, one.predict_proba(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRUClassifier, RNNClassifier])
def test_float32_predictions_do_not_depend_on_the_batch(Estimator):
    X, y, _ = ragged(n=40)
    clf = Estimator(**FAST, bidirectional=True).fit(X, y)
    assert clf.model_.dtype == np.float32
    together = clf.predict_proba(X)
    alone = np.concatenate([clf.predict_proba([x]) for x in X])
    np.testing.assert_allclose(alone, together, rtol=0, atol=1e-5)


# ---------------------------------------------------------------- verbose --

LINE = re.compile(r"^Epoch (\d+): loss (\d+\.\d{5})(, validation score (\d\.\d{5}))?, "
                  r"(\d+\.\d{2}) s$")


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == clf.n_iter_ == 10
    for epoch, (line, loss) in enumerate(zip(lines, clf.loss_curve_), start=1):
        match = LINE.match(line)
        assert match, line
        assert int(match.group(1)) == epoch
        assert match.group(2) == f"{loss:.5f}"
        assert match.group(3) is None
        assert float(match.group(5)) < 10


def test_verbose_with_early_stopping_prints_validation_scores(capsys):
    X, y = sequences_3d(n=80)
    clf = LSTMClassifier(**fast(max_iter=100), verbose=1, early_stopping=True,
                         n_iter_no_change=2, validation_fraction=0.25).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert clf.n_iter_ < 100
    epoch_lines = [line for line in lines if line.startswith("Epoch")]
    assert len(epoch_lines) == clf.n_iter_
    for line, score in zip(epoch_lines, clf.validation_scores_):
        match = LINE.match(line)
        assert match, line
        assert match.group(4) == f"{score:.5f}"
    assert lines[-1].startswith("Validation score did not improve")
    assert lines[-2] == epoch_lines[-1]  # the last epoch is reported before stopping


def test_silent_by_default(capsys):
    X, y = sequences_3d()
    LSTMClassifier(**FAST).fit(X, y)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------- layer layouts --

def test_tuple_hidden_size_gives_one_size_per_layer():
    X, y = sequences_3d(features=3)
    clf = LSTMClassifier(**fast(hidden_size=(16, 8), bidirectional=False)).fit(X, y)
    state = clf.state_dict()
    assert list(state) == [
        "rnn.0.weight_ih_l0", "rnn.0.weight_hh_l0", "rnn.0.bias_ih_l0", "rnn.0.bias_hh_l0",
        "rnn.1.weight_ih_l0", "rnn.1.weight_hh_l0", "rnn.1.bias_ih_l0", "rnn.1.bias_hh_l0",
        "head.weight", "head.bias"]
    assert state["rnn.0.weight_ih_l0"].shape == (64, 4 * 3)  # with sequence statistics
    assert state["rnn.0.weight_hh_l0"].shape == (64, 16)
    assert state["rnn.1.weight_ih_l0"].shape == (32, 16)
    assert state["rnn.1.weight_hh_l0"].shape == (32, 8)
    assert state["head.weight"].shape == (2, 8)
    assert clf.score(X, y) > 0.7


def test_equal_sizes_in_a_tuple_share_one_torch_module():
    X, y = sequences_3d()
    clf = GRUClassifier(**fast(hidden_size=(8, 8, 4)), bidirectional=True).fit(X, y)
    state = clf.state_dict()
    assert "rnn.0.weight_ih_l1_reverse" in state and "rnn.0.weight_ih_l2" not in state
    assert state["rnn.1.weight_ih_l0"].shape == (12, 16)  # input: both directions of 8
    assert state["head.weight"].shape == (2, 8)  # both directions of 4


@pytest.mark.parametrize("num_layers", [1, 3])
def test_num_layers_with_an_int_hidden_size_gives_torch_names(num_layers):
    X, y = sequences_3d()
    clf = RNNClassifier(**FAST, num_layers=num_layers, bidirectional=False).fit(X, y)
    expected = [f"{kind}_l{layer}" for layer in range(num_layers)
                for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert list(clf.state_dict()) == [f"rnn.{n}" for n in expected] + ["head.weight",
                                                                         "head.bias"]
    assert clf.state_dict()[f"rnn.weight_ih_l{num_layers - 1}"].shape == (
        8, 4 * 3 if num_layers == 1 else 8)  # 3 features, each with its sequence statistics


# -------------------------------------------------- outputs and their meaning --

def test_binary_classification_with_string_labels():
    X, y = sequences_3d()
    labels = np.where(y == 1, "yes", "no")
    clf = LSTMClassifier(**fast(max_iter=20)).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    predicted = clf.predict(X)
    assert predicted.dtype == labels.dtype and set(predicted) <= {"no", "yes"}
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(predicted, clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-6)
    assert clf.score(X, labels) >= 0.9


@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRUClassifier, RNNClassifier])
def test_multiclass_learns_a_separable_problem(Estimator):
    X, y = multiclass_3d(n=60, n_classes=3)
    labels = np.array([10, 20, 30])[y]
    clf = Estimator(**fast(max_iter=20)).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, [10, 20, 30])
    assert clf.predict_proba(X).shape == (60, 3)
    assert clf.score(X, labels) >= 0.9
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor, RNNRegressor])
def test_regressor_with_1d_y(Estimator):
    X, y = regression_3d(n=60)
    reg = Estimator(**fast(max_iter=20)).fit(X, y)
    predicted = reg.predict(X)
    assert predicted.shape == (60,)
    assert reg.n_outputs_ == 1
    assert reg.score(X, y) > 0.7


def test_regressor_with_2d_y_predicts_every_column():
    X, Y = regression_3d(n=60, n_targets=3)
    # The targets read the last step: the final state sees it directly.
    reg = LSTMRegressor(**fast(max_iter=20, readout="last")).fit(X, Y)
    predicted = reg.predict(X)
    assert predicted.shape == (60, 3) and reg.n_outputs_ == 3
    assert reg.state_dict()["head.weight"].shape == (3, 8)
    assert reg.score(X, Y) > 0.7
    # Columns of very different scales are each fitted (targets are standardized).
    for k in range(3):
        assert np.corrcoef(predicted[:, k], Y[:, k])[0, 1] > 0.8
    one_column = LSTMRegressor(**FAST).fit(X, Y[:, :1])
    assert one_column.predict(X).shape == (60, 1)


def test_regressor_does_not_depend_on_the_scale_of_y():
    X, y = regression_3d(n=60)
    params = fast(dtype="float64", n_threads=1)
    small = RecurrentRegressor(**params).fit(X, y)
    large = RecurrentRegressor(**params).fit(X, 1000.0 * y - 7.0)
    np.testing.assert_allclose(small.loss_curve_, large.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(large.predict(X), 1000.0 * small.predict(X) - 7.0, rtol=1e-9)


def test_huber_resists_outliers_better_than_squared_error():
    X, y = regression_3d(n=80)
    corrupted = y.copy()
    corrupted[:4] += 60.0  # 4 gross outliers (the clean targets span about 6)
    clean = np.arange(80) >= 4
    errors = {}
    for loss in ("squared_error", "huber"):
        reg = LSTMRegressor(**fast(max_iter=20), loss=loss, dtype="float64")
        reg.fit(X, corrupted)
        assert reg.loss_curve_[-1] < reg.loss_curve_[0]
        errors[loss] = np.mean(np.abs(reg.predict(X)[clean] - y[clean]))
    assert errors["huber"] < 0.7 * errors["squared_error"], errors
