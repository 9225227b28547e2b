"""The training loop: warm start, partial_fit, early stopping with the best
weights restored, the convergence warning, and Ctrl-C."""
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning

import rnnsk._model
import rnnsk._optim
from estimator_data import (FAST, assert_same_state, fast, multiclass_3d,
                            regression_3d, sequences_3d, states_equal)
from rnnsk import GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor, RNNClassifier


def quietly(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(*args, **kwargs)


# ------------------------------------------------------------- warm start --

@pytest.mark.parametrize("Estimator", [LSTMClassifier, GRURegressor])
def test_warm_start_continues_where_the_first_fit_ended(Estimator):
    X, y = sequences_3d()
    if Estimator is GRURegressor:
        y = X[:, :, 0].mean(axis=1)
    # On clean inputs the training loss falls steadily, which the checks below read;
    # a noisy regressor's loss (on freshly jittered inputs each epoch) wavers.
    est = Estimator(**fast(max_iter=10, tol=0.0, input_noise=0.0), warm_start=True)
    quietly(est.fit, X, y)
    first_curve = list(est.loss_curve_)
    after_first = est.state_dict()
    quietly(est.fit, X, y)
    assert est.n_iter_ == 20 and len(est.loss_curve_) == 20
    assert est.t_ == 20 * 60
    assert est.loss_curve_[:10] == first_curve
    start, end, resumed = first_curve[0], first_curve[-1], est.loss_curve_[10]
    assert end < 0.8 * start
    assert abs(resumed - end) < 0.5 * (start - end)  # no restart from scratch
    assert est.loss_curve_[-1] < end
    assert not states_equal(est.state_dict(), after_first)


def test_without_warm_start_a_second_fit_starts_over():
    X, y = sequences_3d()
    est = LSTMClassifier(**FAST)
    quietly(est.fit, X, y)
    first_curve, first_state = list(est.loss_curve_), est.state_dict()
    quietly(est.fit, X, y)
    assert est.n_iter_ == 10
    assert est.loss_curve_ == first_curve  # random_state=0 again: the same fit
    assert_same_state(est.state_dict(), first_state)


def test_a_warm_start_stops_on_its_own_progress_not_the_fit_before():
    """The fit before (early stopping, R^2 0.99 on its data) left its best
    validation score and loss: a warm start on other targets beat neither,
    and restored the weights it began from (R^2 below 0 on its data)."""
    rng = np.random.default_rng(0)
    X, X_new = rng.standard_normal((2, 120, 6, 2))
    reg = GRURegressor(**fast(max_iter=15, early_stopping=True, input_noise=0.0))
    quietly(reg.fit, X, X[:, :, 0].mean(axis=1))
    first_best = reg.best_validation_score_
    before = reg.state_dict()
    y_new = -3 * X_new[:, :, 1].mean(axis=1)
    quietly(reg.set_params(warm_start=True).fit, X_new, y_new)
    assert not states_equal(reg.state_dict(), before)
    assert reg.score(X_new, y_new) > 0.5
    assert len(reg.validation_scores_) == reg.n_iter_  # the curves go on
    assert reg.best_validation_score_ == max(reg.validation_scores_[-(reg.n_iter_ - 15):])
    assert reg.best_validation_score_ != first_best
    assert reg.best_loss_ == min(reg.loss_curve_[15:])


def test_a_warm_start_that_only_gets_worse_keeps_the_weights_it_began_with():
    """Early stopping of a warm start begins from the starting weights' score on
    its held-out part (not from nothing): five epochs at a rate far too high
    ended with the best of five bad epochs (test R^2 0.99 -> 0.65)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 6, 2))
    y = X[:, :, 0].mean(axis=1) + 0.5 * X[:, :, 1].sum(axis=1)
    reg = GRURegressor(**fast(max_iter=60, early_stopping=True, input_noise=0.0))
    quietly(reg.fit, X, y)
    before = reg.state_dict()
    quietly(reg.set_params(warm_start=True, learning_rate_init=0.5, max_iter=5).fit, X, y)
    assert reg.n_iter_ == 65
    assert max(reg.validation_scores_[60:]) < reg.best_validation_score_
    assert_same_state(reg.state_dict(), before)


def test_warm_start_keeps_the_classes_and_rejects_new_labels():
    X, y = sequences_3d()
    est = LSTMClassifier(**FAST, warm_start=True)
    quietly(est.fit, X, y)
    before = est.state_dict()
    with pytest.raises(ValueError, match="y contains labels not seen before"):
        est.fit(X, np.where(y == 1, 7, 0))
    assert_same_state(est.state_dict(), before)


# ------------------------------------------------------------ partial_fit --

def test_partial_fit_trains_one_epoch_per_call():
    X, y = multiclass_3d(n=60)
    clf = GRUClassifier(**FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # never for partial_fit
        clf.partial_fit(X, y, classes=[0, 1, 2])
        for call in range(2, 16):
            clf.partial_fit(X, y)
            assert clf.n_iter_ == call and len(clf.loss_curve_) == call
    assert clf.t_ == 15 * 60
    curve = clf.loss_curve_
    assert curve[-1] < 0.5 * curve[0]
    assert np.mean(curve[-3:]) < np.mean(curve[:3])
    assert clf.score(X, y) > 0.8


def test_partial_fit_over_minibatches_sees_classes_declared_up_front():
    X, y = multiclass_3d(n=60)
    clf = LSTMClassifier(**FAST)
    first = y != 2
    clf.partial_fit(X[first], y[first], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (60, 3)
    clf.partial_fit(X[~first], y[~first])  # the third class arrives later
    assert clf.n_iter_ == 2


def test_partial_fit_needs_classes_on_the_first_call():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    for classes in ([], [0]):
        with pytest.raises(ValueError, match="classes must name at least 2 classes"):
            clf.partial_fit(X, np.zeros_like(y), classes=classes)
    assert not hasattr(clf, "model_")


def test_partial_fit_rejects_unknown_labels_and_changed_classes():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    before = clf.state_dict()
    with pytest.raises(ValueError, match=r"y contains labels not seen before: array\(\[3\]\)"):
        clf.partial_fit(X, np.where(y == 1, 3, 0))
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert_same_state(clf.state_dict(), before)
    assert clf.n_iter_ == 1


@pytest.mark.parametrize("bad", [dict(batch_size=-1), dict(alpha=-5.0),
                                 dict(label_smoothing=5.0), dict(class_weight="x")])
def test_partial_fit_checks_parameters_set_between_calls(bad):
    """scikit-learn checks partial_fit's parameters on the first call only;
    batch_size=-1 set afterwards trained nothing while n_iter_ counted epochs."""
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    before = clf.state_dict()
    clf.set_params(**bad)
    with pytest.raises(ValueError, match=f"The '{next(iter(bad))}' parameter of "
                                         "LSTMClassifier must be"):
        clf.partial_fit(X, y)
    assert_same_state(clf.state_dict(), before)
    assert clf.n_iter_ == 1


def test_partial_fit_checks_no_parameter_when_told_to_skip_validation():
    """As scikit-learn's _fit_context, which reads the global setting."""
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    clf.set_params(max_iter="not checked")  # read by fit, not by partial_fit
    with sklearn.config_context(skip_parameter_validation=True):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match="The 'max_iter' parameter of LSTMClassifier must be"):
        clf.partial_fit(X, y)


def test_partial_fit_after_a_converged_fit_still_learns():
    """The 'adaptive' rule ends a converged fit at a rate near zero (3.2e-7
    here); partial_fit calls after it learned nothing of new data."""
    X, y = sequences_3d(n=80)
    clf = quietly(LSTMClassifier(**fast(max_iter=200, n_iter_no_change=1, tol=10.0)).fit,
                  X, y)
    assert clf.n_iter_ < 200  # stopped: the rate was cut to its floor
    flipped = 1 - y
    assert clf.score(X, flipped) < 0.3
    for _ in range(15):
        clf.partial_fit(X, flipped)
    assert clf.score(X, flipped) > 0.8


def test_a_stream_of_partial_fit_calls_keeps_its_rate():
    """Each call reads other data, whose losses tell no plateau: the rate is
    never cut, so the model still follows a change of the stream."""
    rng = np.random.default_rng(0)
    clf = LSTMClassifier(**fast(n_iter_no_change=1, tol=10.0))  # 'adaptive' would cut each time
    for call in range(100):
        X = rng.standard_normal((20, 6, 3))
        labels = (X[:, :, 0].sum(axis=1) > 0).astype(np.int64)
        clf.partial_fit(X, labels if call < 30 else 1 - labels, classes=[0, 1])
    X = rng.standard_normal((200, 6, 3))
    assert clf.score(X, (X[:, :, 0].sum(axis=1) <= 0).astype(np.int64)) > 0.8


def test_partial_fit_reads_optimizer_parameters_set_between_calls():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    before = clf.state_dict()
    clf.set_params(learning_rate_init=1e-30)  # Adam's moments go on; the step is nothing
    clf.partial_fit(X, y)
    assert_same_state(clf.state_dict(), before)
    clf.set_params(solver="sgd", learning_rate_init=0.05)
    clf.partial_fit(X, y)
    assert type(clf._optimizer) is rnnsk._optim.SGDOptimizer
    assert not states_equal(clf.state_dict(), before)


def test_partial_fit_recovers_from_divergence_with_a_smaller_rate():
    """The divergence warning advises a smaller learning_rate_init: partial_fit
    kept the rate it was first given, and diverged on every call after."""
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(learning_rate_init=1e300))
    with pytest.warns(ConvergenceWarning, match="Training diverged"):
        clf.partial_fit(X, y, classes=[0, 1])
    clf.set_params(learning_rate_init=0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for _ in range(10):
            clf.partial_fit(X, y)
    assert clf.n_iter_ == 10 and clf.score(X, y) > 0.8


@pytest.mark.parametrize("early_stopping", ["auto", True, False])
def test_partial_fit_scores_no_validation(early_stopping):
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(early_stopping=early_stopping))
    clf.partial_fit(X, y, classes=[0, 1])
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None


def test_partial_fit_regressor():
    X, y = regression_3d()
    reg = LSTMRegressor(**FAST)
    for _ in range(15):
        reg.partial_fit(X, y)
    assert reg.loss_curve_[-1] < 0.5 * reg.loss_curve_[0]
    assert reg.score(X, y) > 0.5


def test_partial_fit_after_fit_continues():
    X, y = sequences_3d()
    clf = LSTMClassifier(**FAST)
    quietly(clf.fit, X, y)
    last = clf.loss_curve_[-1]
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 11
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] and abs(clf.loss_curve_[-1] - last) < 0.1


# --------------------------------------------------------- early stopping --

EARLY = dict(hidden_size=8, learning_rate_init=0.02, early_stopping=True, n_iter_no_change=3,
             validation_fraction=0.25, max_iter=300, random_state=0, n_threads=1)


@pytest.mark.parametrize("Estimator, data", [
    (LSTMClassifier, lambda: multiclass_3d(n=80, seed=1)),
    (GRURegressor, lambda: regression_3d(n=80)),
], ids=["classifier", "regressor"])
def test_early_stopping_restores_the_weights_of_the_best_epoch(Estimator, data):
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Estimator(**EARLY).fit(X, y)
    scores = est.validation_scores_
    assert est.n_iter_ < 300
    assert len(scores) == len(est.loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(scores)
    best = int(np.argmax(scores))
    assert 0 < best < est.n_iter_ - 1  # neither the first nor the last epoch
    # A fit stopped right after the best epoch (same split, shuffles and updates)
    # holds the weights the long fit restored.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = Estimator(**dict(EARLY, max_iter=best + 1)).fit(X, y)
    assert short.validation_scores_ == scores[:best + 1]
    assert_same_state(est.state_dict(), short.state_dict())


def test_early_stopping_score_is_accuracy_on_a_stratified_held_out_part():
    X, y = multiclass_3d(n=80, seed=1)
    clf = LSTMClassifier(**EARLY).fit(X, y)
    # 20 held-out sequences: every accuracy is a multiple of 1/20.
    np.testing.assert_allclose(np.asarray(clf.validation_scores_) * 20,
                               np.round(np.asarray(clf.validation_scores_) * 20), atol=1e-12)
    assert all(0 <= s <= 1 for s in clf.validation_scores_)


def test_without_early_stopping_there_are_no_validation_scores():
    X, y = sequences_3d()
    clf = quietly(LSTMClassifier(**FAST).fit, X, y)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)


@pytest.mark.parametrize("Estimator", [GRUClassifier, LSTMRegressor])
def test_auto_early_stopping_holds_out_data_above_ten_thousand_sequences(Estimator):
    # scikit-learn's HistGradientBoosting* rule: more than 10,000 sequences (or
    # X_val and y_val) turn early stopping on.
    X = np.random.default_rng(0).standard_normal((10_001, 1, 1))
    y = X[:, 0, 0] > 0 if Estimator is GRUClassifier else X[:, 0, 0]
    settings = dict(hidden_size=2, max_iter=1, batch_size=100, random_state=0)
    assert Estimator().early_stopping == "auto"
    large = quietly(Estimator(**settings).fit, X, y)
    assert len(large.validation_scores_) == 1
    assert large.t_ == 9000  # a tenth held out (validation_fraction=0.1)
    small = quietly(Estimator(**settings).fit, X[:10_000], y[:10_000])
    assert small.validation_scores_ is None and small.t_ == 10_000
    given = quietly(Estimator(**settings).fit, X[:100], y[:100], X_val=X[100:150],
                    y_val=y[100:150])
    assert len(given.validation_scores_) == 1 and given.t_ == 100
    incremental = Estimator(**settings)
    arguments = dict(classes=[False, True]) if Estimator is GRUClassifier else {}
    incremental.partial_fit(X, y, **arguments)
    assert incremental.t_ == 10_001 and not incremental.validation_scores_


def test_early_stopping_accepts_only_auto_or_a_bool():
    X, y = sequences_3d()
    with pytest.raises(ValueError, match="early_stopping"):
        GRUClassifier(early_stopping="yes").fit(X, y)


# ------------------------------------------------------ convergence warning --

def test_convergence_warning_when_max_iter_is_reached():
    X, y = sequences_3d()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(5\) reached"):
        clf = LSTMClassifier(**fast(max_iter=5)).fit(X, y)
    assert clf.n_iter_ == 5


@pytest.mark.parametrize("early_stopping", [False, True])
def test_no_warning_when_stopping_for_no_improvement(early_stopping):
    X, y = sequences_3d(n=80)
    # With tol=10 nothing ever improves enough after the first epoch.
    clf = RNNClassifier(**fast(max_iter=100), tol=10.0, n_iter_no_change=3,
                        early_stopping=early_stopping, learning_rate="constant")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 3 + 2


# ----------------------------------------------------------------- Ctrl-C --

def interrupt_on_call(monkeypatch, owner, name, call):
    """Make ``owner.name`` raise KeyboardInterrupt on its ``call``-th call."""
    original = getattr(owner, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_keyboard_interrupt_keeps_the_weights_of_the_last_complete_step(monkeypatch):
    X, y = sequences_3d(n=60)
    params = fast(batch_size=15, max_iter=5)  # 4 steps per epoch
    reference = quietly(LSTMClassifier(**dict(params, max_iter=1)).fit, X, y)  # 4 steps

    clf = LSTMClassifier(**params)
    interrupt_on_call(monkeypatch, rnnsk._model.SequenceModel, "backward", 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert "Training interrupted by user." in messages
    assert not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    state = clf.state_dict()
    assert all(np.all(np.isfinite(v)) for v in state.values())
    assert_same_state(state, reference.state_dict())
    assert clf.n_iter_ == 1 and clf.loss_curve_ == reference.loss_curve_
    assert clf.t_ == 60
    monkeypatch.undo()
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))
    clf.partial_fit(X, y)  # still trainable
    assert clf.n_iter_ == 2


def test_keyboard_interrupt_inside_an_optimizer_step_leaves_no_half_update(monkeypatch):
    """Ctrl-C lands wherever Python is; inside Adam's loop over the parameter
    arrays it must not leave some arrays updated and others not (the loop's
    comment promises the weights of the last completed step)."""
    X, y = sequences_3d(n=60)
    params = fast(batch_size=15, max_iter=5, hidden_size=(8, 4))  # 2 networks, 2 arrays
    reference = quietly(LSTMClassifier(**dict(params, max_iter=1)).fit, X, y)  # 4 steps

    # Interrupt the 5th step between the head's two arrays: zip() in
    # AdamOptimizer.step asks for the second moment just before updating it
    # (the recurrent blocks' steps are proposed and committed after the loop).
    original = rnnsk._optim.AdamOptimizer.step
    calls = []

    def step(self, parameters, gradients, networks=()):
        calls.append(1)
        if len(calls) != 5:
            return original(self, parameters, gradients, networks)
        moments = self.first_moments

        def interrupted():
            for i, moment in enumerate(moments):
                if i == 1:
                    raise KeyboardInterrupt
                yield moment

        self.first_moments = interrupted()
        try:
            return original(self, parameters, gradients, networks)
        finally:
            self.first_moments = moments

    monkeypatch.setattr(rnnsk._optim.AdamOptimizer, "step", step)
    clf = LSTMClassifier(**params)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        clf.fit(X, y)
    monkeypatch.undo()
    assert len(calls) == 5
    assert len(reference.model_.parameters) == 2 and len(reference.model_.networks) == 2
    assert_same_state(clf.state_dict(), reference.state_dict())


def test_keyboard_interrupt_with_early_stopping_restores_the_best_weights(monkeypatch):
    X, y = multiclass_3d(n=80, seed=1)
    full = LSTMClassifier(**EARLY).fit(X, y)
    best = int(np.argmax(full.validation_scores_))
    stop_after = best + 2  # interrupt during the epoch after the one after the best
    steps_per_epoch = int(np.ceil(60 / 32))
    clf = LSTMClassifier(**EARLY)
    interrupt_on_call(monkeypatch, rnnsk._model.SequenceModel, "backward",
                      stop_after * steps_per_epoch + 1)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.n_iter_ == stop_after
    assert clf.validation_scores_ == full.validation_scores_[:stop_after]
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = LSTMClassifier(**dict(EARLY, max_iter=best + 1)).fit(X, y)
    assert_same_state(clf.state_dict(), short.state_dict())


def test_keyboard_interrupt_in_partial_fit(monkeypatch):
    X, y = sequences_3d(n=60)
    clf = LSTMClassifier(**fast(batch_size=15))
    clf.partial_fit(X, y, classes=[0, 1])
    before = clf.state_dict()
    interrupt_on_call(monkeypatch, rnnsk._model.SequenceModel, "backward", 1)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        clf.partial_fit(X, y)
    monkeypatch.undo()
    assert clf.n_iter_ == 1
    assert_same_state(clf.state_dict(), before)


# ------------------------------------------------------------- minibatches --

@pytest.mark.parametrize("n_samples, batch_size, expected", [
    (36, "auto", [18, 18]),       # not 32 + 4
    (70, "auto", [23, 23, 24]),   # ceil(70 / 32) = 3 near-equal minibatches
    (20, "auto", [20]),
    (36, 32, [4, 32]),            # an integer is kept, with MLP's remainder
])
def test_minibatch_sizes(monkeypatch, n_samples, batch_size, expected):
    sizes = []
    original = LSTMClassifier._train_step

    def recording(self, batch, targets, weights):
        sizes.append(len(targets))
        return original(self, batch, targets, weights)

    monkeypatch.setattr(LSTMClassifier, "_train_step", recording)
    X, y = sequences_3d(n=n_samples)
    quietly(LSTMClassifier(**fast(batch_size=batch_size, max_iter=1)).fit, X, y)
    assert sorted(sizes) == expected


@pytest.mark.parametrize("change, named", [
    (dict(hidden_size=16), r"hidden_size, num_layers \(16,\) \(fitted with \(8,\)\)"),
    (dict(num_layers=2), r"hidden_size, num_layers \(8, 8\)"),
    (dict(hidden_size=(8, 8)), r"hidden_size, num_layers \(8, 8\)"),
    (dict(bidirectional=False), r"bidirectional False \(fitted with True\)"),
    (dict(readout="last"), r"readout 'last' \(fitted with 'max'\)"),
    (dict(dtype="float64"), r"dtype 'float64' \(fitted with 'float32'\)"),
    # built into the core: a new value was silently not used
    (dict(dropout=0.5), r"dropout 0.5 \(fitted with 0.0\)"),
    # bidirectional='auto' reads one way with bptt_steps: both change
    (dict(bptt_steps=3), r"bidirectional False \(from 'auto'; fitted with True\); "
                         r"bptt_steps 3 \(fitted with None\)")])
def test_a_warm_start_refuses_another_network_and_keeps_the_fitted_one(change, named):
    # Silently keeping the fitted network would leave get_params describing
    # a model that is not the one predicting.
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(hidden_size=8, max_iter=2, warm_start=True)).fit(X, y)
    fitted, before = clf.model_.state_dict(), clf.predict_proba(X)
    original = {name: clf.get_params()[name] for name in change}
    clf.set_params(**change)
    with pytest.raises(ValueError, match=f"cannot change: {named}"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="partial_fit always continues"):
        clf.partial_fit(X, y)
    assert_same_state(clf.model_.state_dict(), fitted)
    np.testing.assert_array_equal(clf.set_params(**original).predict_proba(X), before)
    clf.set_params(**change)
    clf.set_params(warm_start=False).fit(X, y)  # a fresh fit builds the new network
    clf.set_params(warm_start=True).fit(X, y)  # and continues it


@pytest.mark.parametrize("same", [dict(hidden_size=(8,)), dict(hidden_size=[8]),
                                  dict(num_layers=1), dict(hidden_size=np.int64(8)),
                                  dict(bidirectional=np.True_), dict(bidirectional=True),
                                  dict(dtype=np.float32)])
def test_a_warm_start_continues_the_same_network_however_it_is_written(same):
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(hidden_size=8, max_iter=1, warm_start=True)).fit(X, y)
    clf.set_params(**same).fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 3


@pytest.mark.parametrize("change", [dict(bptt_steps=3), dict(bptt_steps=None),
                                    dict(dtype="float64")])
@pytest.mark.parametrize("fitted_window", [None, 4])
def test_predict_reads_as_the_fit_did_whatever_the_parameters_say_now(change, fitted_window):
    # With readout='max' the head pools the last window of bptt_steps steps:
    # the window is part of the fitted model, as the precision is.
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(hidden_size=8, max_iter=2, bptt_steps=fitted_window,
                                bidirectional=False)).fit(X, y)
    before = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.set_params(**change).predict_proba(X), before)


def test_a_warm_start_of_an_estimator_fitted_before_the_check_continues():
    X, y = sequences_3d()
    clf = LSTMClassifier(**fast(hidden_size=8, max_iter=1, warm_start=True)).fit(X, y)
    del clf._structure  # as unpickled from before the check
    clf.fit(X, y)
    assert clf.n_iter_ == 2


def test_a_warm_start_refuses_another_set_of_classes_as_mlp_does():
    X, y = multiclass_3d(n_classes=3)
    clf = LSTMClassifier(**fast(max_iter=1, warm_start=True)).fit(X, y)
    fitted = clf.model_.state_dict()
    two = y < 2
    with pytest.raises(ValueError, match=r"same classes .* y has array\(\[0, 1\]\)"):
        clf.fit(X[two], y[two])
    assert_same_state(clf.model_.state_dict(), fitted)
    clf.partial_fit(X[two], y[two])  # partial_fit may see a subset
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


@pytest.mark.parametrize("Estimator, params, inputs, both_ways", [
    (LSTMClassifier, {}, "series", True),  # bidirectional='auto'
    (LSTMClassifier, dict(bptt_steps=3, bidirectional="auto"), "series", False),
    (LSTMClassifier, dict(embedding_dim=4), "tokens", False),
    (LSTMClassifier, dict(bidirectional=False), "series", False),
    (GRURegressor, {}, "series", False),
    (GRURegressor, dict(bidirectional=True), "series", True),
])
def test_bidirectional_says_how_the_fitted_network_reads(Estimator, params, inputs,
                                                          both_ways):
    X, y = sequences_3d()
    if inputs == "tokens":
        X = np.abs(np.round(X[:, :, 0] * 3)).astype(np.int64)
    est = quietly(Estimator(**fast(max_iter=1, **params)).fit, X, y)
    assert est.bidirectional_ is both_ways
    reverse = [name for name in est.state_dict() if name.endswith("_reverse")]
    assert bool(reverse) is both_ways
