"""fit(X, y, X_val=, y_val=, sample_weight_val=): early stopping on validation
data given by the user (e.g. the end of a time series) instead of a random
fraction of X, as scikit-learn's HistGradientBoosting* accept."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score

from estimator_data import assert_same_state, multiclass_3d, ragged, regression_3d
from rnnsk import GRURegressor, LSTMClassifier

EARLY = dict(hidden_size=8, learning_rate_init=0.02, early_stopping=True, n_iter_no_change=3,
             max_iter=30, random_state=0, n_threads=1)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_regressor_scores_the_given_data_and_trains_on_all_of_x():
    X, y = regression_3d(n=90, n_targets=2)
    est = GRURegressor(**EARLY).fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:])
    assert est.t_ == 60 * est.n_iter_             # nothing of X held out
    assert len(est.validation_scores_) == est.n_iter_
    # The best weights are restored: their R^2 on the validation data is the
    # best score (computed on standardized targets, the same R^2).
    np.testing.assert_allclose(est.best_validation_score_,
                               r2_score(y[60:], est.predict(X[60:])), rtol=1e-4)


def test_classifier_scores_weighted_accuracy_of_the_given_data():
    X, y = multiclass_3d(n=90, seed=1)
    weights = np.linspace(0.5, 2.0, 30)
    clf = LSTMClassifier(**EARLY).fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:],
                                      sample_weight_val=weights)
    assert clf.best_validation_score_ == pytest.approx(
        accuracy_score(y[60:], clf.predict(X[60:]), sample_weight=weights))


def test_ragged_validation_data():
    X, _, _ = ragged(n=50)
    y = np.array([x[:, 0].sum() for x in X])
    est = GRURegressor(**EARLY).fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    assert len(est.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("change, match", [
    (dict(y_val=None), "X_val and y_val must be passed together"),
    (dict(X_val=None), "X_val and y_val must be passed together"),
    (dict(X_val=np.ones((30, 6, 2))),
     "X_val has 2 features per time step, but LSTMClassifier is expecting 3"),
    (dict(y_val=np.ones(29)), "X_val holds 30 sequences but y_val has 29"),
    (dict(y_val=np.full(30, 7)), "labels not seen before"),
    (dict(X_val=np.full((30, 6, 3), np.nan)), "NaN"),
    (dict(sample_weight_val=np.ones(3)), "sample_weight"),
])
def test_bad_validation_data_leaves_the_classifier_unchanged(change, match):
    X, y = multiclass_3d(n=90, seed=1)
    clf = LSTMClassifier(**EARLY).fit(X[:60], y[:60])
    before = clf.state_dict()
    arguments = {**dict(X_val=X[60:], y_val=y[60:]), **change}
    with pytest.raises(ValueError, match=match):
        clf.fit(X[:60], y[:60], **arguments)
    assert_same_state(clf.state_dict(), before)


def _frames(X, columns):
    return [pd.DataFrame(x, columns=columns) for x in X]


@pytest.mark.parametrize("columns, match", [
    (["b", "a", "c"], r"X_val's feature names \['b', 'a', 'c'\] are not X's"),
    (["a", "b", "z"], "are not X's"),
])
def test_validation_frames_with_other_columns_are_refused(columns, match):
    """Features are read by position: a swapped or renamed column of X_val would
    be scored as another feature, as predict refuses it."""
    X, y = multiclass_3d(n=90, seed=1)
    clf = LSTMClassifier(**EARLY)
    with pytest.raises(ValueError, match=match):
        clf.fit(_frames(X[:60], ["a", "b", "c"]), y[:60], X_val=_frames(X[60:], columns),
                y_val=y[60:])
    assert not hasattr(clf, "model_")
    with pytest.warns(UserWarning, match="X_val has no feature names, but X.s are named"):
        clf.fit(_frames(X[:60], ["a", "b", "c"]), y[:60], X_val=X[60:], y_val=y[60:])


def test_a_validation_table_of_other_width_is_refused():
    """A 2-D X holds univariate sequences whose columns are the features to
    scikit-learn: X_val must have as many, as at predict."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X.sum(axis=1)
    with pytest.raises(ValueError, match="X_val has 4 features, but GRURegressor is expecting 6"):
        GRURegressor(**EARLY).fit(X, y, X_val=X[:20, :4], y_val=y[:20])


def test_validation_data_overflowing_the_standardization_is_named():
    """X_val is read in float64 and standardized by X's statistics before the
    network's float32 rounds it: values too far from X's are named, not scored."""
    X, y = regression_3d(n=90, n_targets=2)
    est = GRURegressor(**EARLY)
    with pytest.raises(FloatingPointError, match="X_val overflows once standardized"):
        est.fit(X[:60], y[:60], X_val=X[60:] * 1e300, y_val=y[60:])
    assert not hasattr(est, "model_")


def test_validation_data_needs_early_stopping_and_matching_targets():
    X, y = regression_3d(n=90, n_targets=2)
    with pytest.raises(ValueError, match="pass early_stopping=True"):
        GRURegressor(**{**EARLY, "early_stopping": False}).fit(X[:60], y[:60], X_val=X[60:],
                                                                 y_val=y[60:])
    with pytest.raises(ValueError, match="y has 1 target columns"):
        GRURegressor(**EARLY).fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:, 0])


@pytest.mark.parametrize("Estimator, data", [(LSTMClassifier, multiclass_3d),
                                             (GRURegressor, regression_3d)])
@pytest.mark.parametrize("n_validation, patience", [(1000, 1), (999, 10)])
def test_auto_patience_is_one_epoch_on_a_thousand_held_out_sequences(
        Estimator, data, n_validation, patience, capsys):
    # With a tol no epoch can reach, every epoch is one without progress: the
    # adaptive rule cuts the rate once `patience` of them have passed, and says so.
    X, y = data(n=40 + n_validation)
    est = Estimator(hidden_size=2, tol=1e9, max_iter=patience + 2, verbose=True,
                    random_state=0, n_threads=1)
    assert est.n_iter_no_change == "auto"
    est.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    cuts = [line for line in capsys.readouterr().out.splitlines() if "Setting learning" in line]
    assert len(cuts) == 1
    assert f"for {patience} consecutive epochs" in cuts[0]


def test_auto_patience_watching_the_training_loss_is_mlps():
    X, y = regression_3d(n=40)
    est = GRURegressor(hidden_size=2, tol=1e9, max_iter=4, random_state=0, n_threads=1,
                       learning_rate="constant").fit(X, y)
    # Patience 1 would stop at epoch 3, after the second epoch without progress.
    assert est.n_iter_ == 4
    with pytest.raises(ValueError, match="n_iter_no_change"):
        GRURegressor(n_iter_no_change="never").fit(X, y)
