"""Tests of TrainingCurveDisplay (matplotlib, Agg backend)."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline

from rnnsk import (GRUClassifier, GRURegressor, RecurrentStepRegressor, RecurrentTagger,
                   SequenceScaler, TrainingCurveDisplay)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 6, 2)
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    return X, y


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def test_from_estimator_with_early_stopping(data):
    X, y = data
    clf = fit_quietly(GRUClassifier(hidden_size=8, max_iter=15, early_stopping=True,
                                    validation_fraction=0.25, random_state=0), X, y)
    display = TrainingCurveDisplay.from_estimator(clf)
    assert isinstance(display.ax_, matplotlib.axes.Axes)
    assert display.figure_ is display.ax_.figure
    assert len(display.lines_) == 2
    loss_line, score_line = display.lines_
    n = clf.n_iter_
    np.testing.assert_array_equal(loss_line.get_xdata(), np.arange(1, n + 1))
    np.testing.assert_allclose(loss_line.get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(score_line.get_ydata(), clf.validation_scores_)
    # loss on the left axes, validation score on a twin sharing x
    assert loss_line.axes is display.ax_
    assert score_line.axes is display.validation_ax_ is not display.ax_
    assert display.validation_ax_.get_shared_x_axes().joined(display.ax_,
                                                              display.validation_ax_)
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Training loss"
    assert display.validation_ax_.get_ylabel() == "Validation accuracy"
    assert display.ax_.get_title() == "GRUClassifier"
    assert loss_line.get_color() != score_line.get_color()
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["Training loss", "Validation accuracy"]


def test_per_step_estimators_name_their_validation_score():
    # The tagger is no scikit-learn classifier (is_classifier is False) but still
    # scores token accuracy; the step regressor R^2.
    X = [np.arange(n, dtype=float)[:, None] % 3 for n in (5, 6, 7, 8) * 8]
    labels = [(x[:, 0] > 0).astype(int) for x in X]
    for estimator, score_name in [(RecurrentTagger(crf=False), "Validation accuracy"),
                                  (RecurrentStepRegressor(), "Validation R$^2$")]:
        estimator.set_params(hidden_size=4, num_layers=1, max_iter=3, early_stopping=True,
                             validation_fraction=0.25, random_state=0)
        fit_quietly(estimator, X, labels)
        display = TrainingCurveDisplay.from_estimator(estimator)
        assert display.validation_ax_.get_ylabel() == score_name


def test_without_early_stopping_only_the_loss(data):
    X, y = data
    clf = fit_quietly(GRUClassifier(hidden_size=8, max_iter=5, random_state=0), X, y)
    assert clf.validation_scores_ is None
    display = TrainingCurveDisplay.from_estimator(clf)
    assert len(display.lines_) == 1 and display.validation_ax_ is None
    assert len(display.figure_.axes) == 1
    np.testing.assert_allclose(display.lines_[0].get_ydata(), clf.loss_curve_)


def test_pipeline_regressor_given_ax_and_styles(data):
    X, y = data
    model = fit_quietly(make_pipeline(SequenceScaler(), GRURegressor(
        hidden_size=8, max_iter=12, early_stopping=True, random_state=0)), X, y.astype(float))
    fig, (left, right) = plt.subplots(1, 2)
    display = TrainingCurveDisplay.from_estimator(
        model, ax=right, name="my model", loss_kw={"color": "black", "linestyle": "--"},
        validation_kw={"color": "red"})
    assert display.ax_ is right and display.figure_ is fig
    assert display.ax_.get_title() == "my model"
    assert display.validation_ax_.get_ylabel() == "Validation R$^2$"
    assert display.lines_[0].get_linestyle() == "--"
    assert matplotlib.colors.same_color(display.lines_[0].get_color(), "black")
    assert matplotlib.colors.same_color(display.lines_[1].get_color(), "red")
    np.testing.assert_allclose(display.lines_[1].get_ydata(), model[-1].validation_scores_)
    assert not left.lines  # nothing drawn on the other axes


def test_plot_from_curves_and_replot():
    display = TrainingCurveDisplay(loss_curve=[3.0, 2.0, 1.5], validation_scores=[0.5, 0.7, 0.8],
                                   estimator_name="net", score_name="Validation F1")
    assert not hasattr(display, "ax_")  # nothing drawn before plot
    display.plot()
    first_ax = display.ax_
    assert display.ax_.get_title() == "net"
    assert display.validation_ax_.get_ylabel() == "Validation F1"
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), [1, 2, 3])
    # plotting again on new axes moves the attributes there
    _, ax = plt.subplots()
    display.plot(ax=ax, name="again")
    assert display.ax_ is ax is not first_ax and ax.get_title() == "again"
    with pytest.raises(ValueError, match="loss_curve is empty"):
        TrainingCurveDisplay(loss_curve=[]).plot()
    with pytest.raises(ValueError, match="one of each per epoch"):
        TrainingCurveDisplay(loss_curve=[1.0], validation_scores=[0.1, 0.2]).plot()


def test_scores_of_a_warm_started_fit_align_with_the_last_epochs(data):
    X, y = data
    clf = fit_quietly(GRUClassifier(hidden_size=4, max_iter=4, random_state=0), X, y)
    clf.set_params(warm_start=True, early_stopping=True, max_iter=3)
    fit_quietly(clf, X, y)
    n_scores = len(clf.validation_scores_)
    assert 0 < n_scores < len(clf.loss_curve_)
    display = TrainingCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(display.lines_[1].get_xdata(),
                                  np.arange(len(clf.loss_curve_) - n_scores,
                                            len(clf.loss_curve_)) + 1)


def test_works_with_sklearn_mlp():
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 3), rng.randn(60)
    mlp = fit_quietly(MLPRegressor(max_iter=20, early_stopping=True, random_state=0), X, y)
    display = TrainingCurveDisplay.from_estimator(mlp)
    assert len(display.lines_) == 2
    np.testing.assert_allclose(display.lines_[0].get_ydata(), mlp.loss_curve_)


def test_errors(data):
    X, y = data
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(GRUClassifier())
    with pytest.raises(TypeError, match="has no loss_curve_"):
        TrainingCurveDisplay.from_estimator(LogisticRegression().fit(X[:, :, 0], y))


def test_clear_error_without_matplotlib(monkeypatch, data):
    X, y = data
    clf = fit_quietly(GRUClassifier(hidden_size=4, max_iter=2, random_state=0), X, y)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match="requires matplotlib.*pip install matplotlib"):
        TrainingCurveDisplay.from_estimator(clf)
    with pytest.raises(ImportError, match="TrainingCurveDisplay.plot requires matplotlib"):
        TrainingCurveDisplay(loss_curve=[1.0]).plot()
