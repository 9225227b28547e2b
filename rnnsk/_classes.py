"""The recurrent estimators: a classifier and a regressor over any cell, and the
named classes (LSTMClassifier, GRURegressor, ...) that only fix the cell.

Every parameter's default is written in an ``__init__`` signature here; the
docstrings' Parameters and Attributes sections are written from those
signatures by ``_docstrings.numpydoc_sections``."""
from numbers import Real

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import PATCH_LENGTH_CONSTRAINT, PATIENCE_CONSTRAINT, BaseRecurrent
from ._input_noise import INPUT_NOISE_CONSTRAINT
from ._docstrings import TRAINING_ATTRIBUTES, numpydoc_sections
from ._losses import REGRESSION_LOSSES, cross_entropy
from ._parameters import partial_fit_context, store_parameters
from ._statistics import mean_and_std
from ._streamed_targets import StreamedTargetScaling, restandardized
from ._validation import check_r2_defined

# What a classifier and a regressor of sequences have after fit.
CLASSIFIER_ATTRIBUTES = ("classes_", *TRAINING_ATTRIBUTES, "patch_length_",
                         "bidirectional_", "feature_names_in_")
REGRESSOR_ATTRIBUTES = ("n_outputs_", *TRAINING_ATTRIBUTES, "patch_length_",
                        "bidirectional_", "feature_names_in_")

# 'auto' is scikit-learn's HistGradientBoosting* rule: long fits on large sets stop
# on held-out data, small sets keep every sequence for training.
EARLY_STOPPING = (
    "'auto' or bool",
    "True: hold out ``validation_fraction`` of the data (stratified for classifiers), "
    "stop when the validation score (see ``validation_scores_``) stops improving and "
    "restore the best weights. 'auto': the same when fit is given more than 10,000 "
    "sequences or ``X_val`` and ``y_val``, otherwise no early stopping (as scikit-learn's "
    "``HistGradientBoosting*``); ``partial_fit`` never stops early.")
N_ITER_NO_CHANGE = (
    "int or 'auto'",
    "Epochs without progress by ``tol`` (of the training loss, or of the validation score "
    "with early stopping) before the rate is cut (``learning_rate='adaptive'``) or "
    "training stops. 'auto': 1 when the validation score is that of at least 1,000 "
    "held-out sequences (as 'auto' early stopping always holds out), whose score is steady "
    "and whose epochs are long; 10 otherwise (scikit-learn MLP's patience: the training "
    "loss, or the score of a small held-out part, is noisy).")
# The documentation of the parameters the classifiers and regressors describe alike.
ONE_OUTPUT_DOCS = dict(early_stopping=EARLY_STOPPING, n_iter_no_change=N_ITER_NO_CHANGE)
# Both directions lifted the classifiers of series (ArrowHead +0.03-0.04 in every cell,
# OSULeaf +0.01-0.05), cost the regressors (Covid3Month) and left text level at twice
# the cost: docs/guide/defaults.md, "Reading both ways".
BIDIRECTIONAL_AUTO = (
    "'auto' or bool",
    "Also read every sequence backwards; the outputs (and final states) of the two "
    "directions are concatenated, at twice the computation of one direction. 'auto': "
    "both directions for series of numbers; one for token ids (``embedding_dim`` set) "
    "and with ``bptt_steps`` (a window read backwards would need the steps after it).")
CLASSIFIER_DOCS = dict(ONE_OUTPUT_DOCS, bidirectional=BIDIRECTIONAL_AUTO)


def _sorted_labels(values):
    """np.unique of labels, with a clear error when they cannot be sorted (a None
    or a number among strings)."""
    try:
        return np.unique(values)
    except TypeError as error:
        kinds = sorted({type(value).__name__ for value in np.asarray(values, dtype=object).ravel()})
        raise TypeError(f"y mixes labels of types {', '.join(kinds)}; labels must all be "
                        "strings or all numbers") from error


def _refuse_nan_labels(labels, name):
    """NaN is no class: np.unique would list it as one, unequal to itself."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError(f"{name} contains NaN: every label must be a class")


def encode_labels(estimator, y, classes, reset):
    """(indices of the labels y in the sorted labels, the labels): learned from
    ``classes`` or y on ``reset``, otherwise ``estimator.classes_``, which y
    must not go beyond."""
    _refuse_nan_labels(y, "y")
    if classes is not None:
        _refuse_nan_labels(classes, "classes")
    if reset:
        labels = _sorted_labels(classes if classes is not None else y)
        if classes is not None and len(labels) < 2:
            raise ValueError(f"classes must name at least 2 classes, got {list(labels)!r}")
        if len(labels) < 2:
            raise ValueError(f"{type(estimator).__name__} needs samples of at least 2 classes "
                             f"in the data, but the data contains only 1 class: "
                             f"{labels[0]!r}")
    else:
        labels = estimator.classes_
        if classes is not None and not np.array_equal(np.unique(classes), labels):
            raise ValueError(f"classes={np.unique(classes)!r} is not the same as on the "
                             f"first call to partial_fit, {labels!r}")
    unknown = np.setdiff1d(_sorted_labels(y), labels)
    if len(unknown):
        raise ValueError(f"y contains labels not seen before: {unknown!r}; the known "
                         f"classes are {labels!r}")
    return np.searchsorted(labels, y), labels


@numpydoc_sections(attributes=CLASSIFIER_ATTRIBUTES, **CLASSIFIER_DOCS)
class RecurrentClassifier(ClassifierMixin, BaseRecurrent):
    """Recurrent neural network classifier of sequences (RNN, LSTM or GRU).

    Each sequence is read by the recurrent layers; a readout summarises the top
    layer over the sequence (by default its maximum over time, see ``readout``)
    and goes through a linear layer and a softmax.
    Training minimizes the cross-entropy (of targets smoothed by ``label_smoothing``)
    with Adam or SGD on minibatches, with
    gradient clipping, as scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`
    does for tables: parameters shared with it have its names and meaning.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LSTMClassifier, GRUClassifier, RNNClassifier : This classifier with the cell fixed.
    RecurrentRegressor : The regressor of sequences.
    RecurrentTagger : One label per step instead of per sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import RecurrentClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 12, 2))  # 60 sequences of 12 steps, 2 features
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = RecurrentClassifier(cell="gru", hidden_size=8, max_iter=100,
    ...                           random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "bidirectional": [StrOptions({"auto"}), "boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        **PATCH_LENGTH_CONSTRAINT,
        **PATIENCE_CONSTRAINT,
        **INPUT_NOISE_CONSTRAINT,
        "sequence_standardize": ["boolean"],
    }

    def __init__(self, *, cell="lstm", hidden_size=64, num_layers=None, bidirectional="auto",
                 dropout=0.0, embedding_dim=None, vocabulary_size=None, embedding_dropout=0.0,
                 solver="adam", alpha=1e-2, batch_size="auto", learning_rate_init=0.005,
                 max_iter=200, max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping="auto", validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change="auto", n_threads=None, dtype="float32",
                 bptt_steps=None, device="cpu", init="orthogonal", readout="max",
                 patch_length="auto", learning_rate="adaptive", standardize=True,
                 sequence_standardize=True, input_noise="auto", class_weight=None,
                 label_smoothing=0.1):
        store_parameters(self, locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to sequences X and labels y.

        Parameters
        ----------
        X : array-like or list of array-like
            Array of shape (n_samples, n_timesteps, n_features), array of shape
            (n_samples, n_timesteps) (univariate), or list of arrays of shape
            (n_timesteps_i, n_features) of different lengths; integer token ids
            when ``embedding_dim`` is set.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        X_val, y_val : array-like, default=None
            Validation data for early stopping (``early_stopping=True``), used
            instead of a random ``validation_fraction`` of X: for example the
            last part of a time series, so that validation never precedes
            training (as scikit-learn's ``HistGradientBoosting*`` accept).
            Same formats as X and y.
        sample_weight_val : array-like of shape (n_val_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False,
                         validation_data=_validation_data(X_val, y_val, sample_weight_val))

    @partial_fit_context
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights, at
        ``learning_rate_init``.

        ``classes`` (every label that can ever occur) is required on the first
        call, which also fixes the standardization of the inputs: give it a
        representative sample.
        """
        if not hasattr(self, "model_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # Each call would balance its own chunk, not the classes of the data.
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: each call would "
                "balance the classes of its own chunk. Compute the weights on the whole "
                "training set, compute_class_weight('balanced', classes=classes, y=y), and "
                "pass them as a dict (as scikit-learn's SGDClassifier asks)")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Probability of each class, columns in the order of ``classes_``."""
        return softmax(self._forward(X), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow."""
        return log_softmax(self._forward(X), axis=1)

    def predict(self, X):
        """Predicted class of each sequence, one of ``classes_``."""
        outputs = self._forward(X)
        return self.classes_[np.argmax(outputs, axis=1)]

    # Hooks of the training loop -------------------------------------------

    def _encode_targets(self, y, *, classes, reset, sample_weight):
        y = column_or_1d(y, warn=True)
        _sorted_labels(y)  # labels of mixed types: named, before scikit-learn's bare TypeError
        check_classification_targets(y)
        return encode_labels(self, y, classes, reset)

    def _set_target_info(self, classes):
        self.classes_ = classes

    def _check_warm_start_targets(self, targets):
        present = np.unique(targets)
        if len(present) != len(self.classes_):
            raise ValueError("warm_start can only be used where y has the same classes as in "
                             f"the previous call to fit: previously got {self.classes_!r}, y "
                             f"has {self.classes_[present]!r} (partial_fit learns from "
                             "subsets of the classes)")

    @staticmethod
    def _n_outputs(classes):
        return len(classes)

    def _class_weights(self, targets, labels):
        if self.class_weight is None:
            return 1.0
        if isinstance(self.class_weight, dict):
            unknown = [label for label in self.class_weight if label not in labels]
            if unknown:
                raise ValueError(f"class_weight names labels {unknown!r} that are not classes "
                                 f"of y; the classes are {labels!r}")
            bad = {label: weight for label, weight in self.class_weight.items()
                   if not (isinstance(weight, Real) and np.isfinite(weight) and weight >= 0)}
            if bad:
                raise ValueError(f"class_weight must map classes to finite non-negative "
                                 f"numbers, got {bad!r}")
        return compute_sample_weight(self.class_weight, labels[targets])

    def _stratify(self, targets):
        return targets

    def _input_noise_setting(self, patch_length):
        # 'auto' jitters series read step by step (shorter than twice
        # _AUTO_PATCHED_STEPS, see _patches) and leaves those read in patches
        # clean: on the short ones it gained in nearly every cell, on long spiky
        # ones (appliance power) it cost up to 0.2 (docs/guide/defaults.md).
        if self.input_noise == "auto" and patch_length > 1:
            return 0.0
        return self.input_noise

    def _loss(self, outputs, targets, weights):
        return cross_entropy(outputs, targets, weights, float(self.label_smoothing))

    def _validation_score(self, sequences, targets, weights):
        predicted = np.argmax(self._outputs(sequences), axis=1)
        return accuracy_score(targets, predicted, sample_weight=weights)


@numpydoc_sections(attributes=REGRESSOR_ATTRIBUTES, **ONE_OUTPUT_DOCS)
class RecurrentRegressor(StreamedTargetScaling, RegressorMixin, BaseRecurrent):
    """Recurrent neural network regressor of sequences (RNN, LSTM or GRU).

    The ``readout`` summary of each sequence goes through a linear layer to one
    output per target column; ``y`` may be 2-D (several targets, e.g. a
    forecast horizon). Targets are standardized inside, so their scale does not
    matter. Training is that of :class:`RecurrentClassifier`, with a
    regression ``loss``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    LSTMRegressor, GRURegressor, RNNRegressor : This regressor with the cell fixed.
    RecurrentClassifier : The classifier of sequences.
    RecurrentStepRegressor : One value per step instead of per sequence.
    RecurrentForecaster : Forecasts of time series by a regressor on their windows.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import RecurrentRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(80, 10, 1))
    >>> y = X[:, :, 0].mean(axis=1)  # the mean of each sequence
    >>> reg = RecurrentRegressor(hidden_size=8, max_iter=60, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        **PATCH_LENGTH_CONSTRAINT,
        **PATIENCE_CONSTRAINT,
        **INPUT_NOISE_CONSTRAINT,
        "sequence_standardize": ["boolean"],
    }

    # Regression targets (amounts, levels, forecasts) depend on the whole sequence
    # more than on its peaks: mean pooling, where classifiers use max pooling
    # (docs/guide/defaults.md has the measurements). alpha=1e-2 for every classifier
    # and regressor, above MLP's 1e-4: measured in benchmarks/accuracy.py (same page).
    def __init__(self, *, cell="lstm", hidden_size=64, num_layers=None, bidirectional=False,
                 dropout=0.0, embedding_dim=None, vocabulary_size=None, embedding_dropout=0.0,
                 solver="adam", alpha=1e-2, batch_size="auto", learning_rate_init=0.005,
                 max_iter=200, max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping="auto", validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change="auto", n_threads=None, dtype="float32",
                 bptt_steps=None, device="cpu", init="orthogonal", readout="mean",
                 patch_length="auto", learning_rate="adaptive", standardize=True,
                 sequence_standardize=True, input_noise="auto", loss="squared_error"):
        store_parameters(self, locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to sequences X and targets y of shape (n_samples,) or
        (n_samples, n_targets). X, the optional early-stopping data ``X_val``,
        ``y_val``, ``sample_weight_val`` are as in :meth:`RecurrentClassifier.fit`."""
        return self._fit(X, y, sample_weight, incremental=False,
                         validation_data=_validation_data(X_val, y_val, sample_weight_val))

    @partial_fit_context
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights, at
        ``learning_rate_init``.

        The first call fixes the standardization of the inputs: give it a
        representative sample. The targets' mean and scale are those of every
        call so far (the output layer rescaled to predict as before).
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_targets) as y was."""
        # In one turn: a partial_fit between them rescales the outputs and the
        # scaling together (_streamed_targets).
        with self._turns():
            outputs = self._forward(X)
            mean, scale = self._target_scaling
        predictions = outputs * scale + mean
        if not np.all(np.isfinite(predictions)):
            raise FloatingPointError("predictions overflow float64: the targets the model "
                                     "was fitted on are too large to represent; rescale y")
        return predictions.ravel() if self._y_is_1d else predictions

    # Hooks of the training loop -------------------------------------------

    def _encode_targets(self, y, *, classes, reset, sample_weight):
        y = np.asarray(y)
        if y.dtype.kind not in "fiub":
            y = y.astype(np.float64)  # raises on non-numeric targets
        y = y.astype(np.float64)
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D, got {y.ndim}-D")
        if not np.all(np.isfinite(y)):
            raise ValueError("Input y contains NaN or infinity.")
        if y.ndim == 2 and y.shape[1] == 0:
            raise ValueError(f"y of shape {y.shape} has no target column")
        targets = y if y.ndim == 2 else y[:, None]
        if reset:
            # Weighted, so that a weight of 2 stays the same as a repeated sample.
            mean, scale = mean_and_std(targets, axis=0, weights=sample_weight)
            info = (mean, np.where(scale > 0, scale, 1.0), y.ndim == 1)
        else:
            if targets.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {targets.shape[1]} target columns, but "
                                 f"{type(self).__name__} was fitted with {self.n_outputs_}")
            info = (*self._target_scaling, self._y_is_1d)
        mean, scale, _ = info
        return (targets - mean) / scale, info

    def _set_target_info(self, info):
        mean, scale, self._y_is_1d = info
        self._target_scaling = (mean, scale)
        self.n_outputs_ = len(mean)

    @staticmethod
    def _target_rows(targets, weights):
        """The standardized targets as rows of one weight each (_streamed_targets)."""
        return targets, weights

    @staticmethod
    def _restandardized_targets(targets, old, new):
        return restandardized(targets, old, new)

    @staticmethod
    def _n_outputs(info):
        mean, _, _ = info
        return len(mean)

    def _class_weights(self, targets, info):
        return 1.0

    def _stratify(self, targets):
        return None

    def _loss(self, outputs, targets, weights):
        return REGRESSION_LOSSES[self.loss](outputs, targets, weights)

    def _check_validation_part(self, targets, weights, where):
        check_r2_defined(targets, weights, where)

    def _validation_score(self, sequences, targets, weights):
        return r2_score(targets, self._outputs(sequences), sample_weight=weights)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # The head predicts standardized targets; exported weights predict y itself.
    # They stay in float64 whatever the model's dtype: float32 cannot hold the
    # target's mean and scale folded in (y = 1e7 + noise would lose its noise,
    # |y| > 3.4e38 would become inf).
    def _export_head(self, state):
        mean, scale = self._target_scaling
        weight = state["head.weight"].astype(np.float64)
        bias = state["head.bias"].astype(np.float64)
        state["head.weight"] = weight * scale[:, None]
        state["head.bias"] = bias * scale + mean
        return state

    def _import_head(self, state):
        mean, scale = self._target_scaling
        state = dict(state)
        state["head.weight"] = np.asarray(state["head.weight"], np.float64) / scale[:, None]
        state["head.bias"] = (np.asarray(state["head.bias"], np.float64) - mean) / scale
        return state


def _validation_data(X_val, y_val, sample_weight_val):
    """The explicit early-stopping data of fit, or None when none was given."""
    if X_val is None and y_val is None and sample_weight_val is None:
        return None
    return X_val, y_val, sample_weight_val


def _without_cell(constraints):
    return {name: rule for name, rule in constraints.items() if name != "cell"}


class _FixedCellClassifier(RecurrentClassifier):
    """:class:`RecurrentClassifier` whose cell is fixed by the subclass (its
    class attribute ``cell``) instead of being a parameter."""

    _parameter_constraints = _without_cell(RecurrentClassifier._parameter_constraints)

    def __init__(self, *, hidden_size=64, num_layers=None, bidirectional="auto", dropout=0.0,
                 embedding_dim=None, vocabulary_size=None, embedding_dropout=0.0, solver="adam",
                 alpha=1e-2, batch_size="auto", learning_rate_init=0.005, max_iter=200,
                 max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4, verbose=False,
                 warm_start=False, momentum=0.9, nesterovs_momentum=True, early_stopping="auto",
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change="auto", n_threads=None, dtype="float32", bptt_steps=None,
                 device="cpu", init="orthogonal", readout="max", patch_length="auto",
                 learning_rate="adaptive", standardize=True, sequence_standardize=True,
                 input_noise="auto", class_weight=None, label_smoothing=0.1):
        store_parameters(self, locals())


class _FixedCellRegressor(RecurrentRegressor):
    """:class:`RecurrentRegressor` whose cell is fixed by the subclass (its
    class attribute ``cell``) instead of being a parameter."""

    _parameter_constraints = _without_cell(RecurrentRegressor._parameter_constraints)

    def __init__(self, *, hidden_size=64, num_layers=None, bidirectional=False, dropout=0.0,
                 embedding_dim=None, vocabulary_size=None, embedding_dropout=0.0, solver="adam",
                 alpha=1e-2, batch_size="auto", learning_rate_init=0.005, max_iter=200,
                 max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4, verbose=False,
                 warm_start=False, momentum=0.9, nesterovs_momentum=True, early_stopping="auto",
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change="auto", n_threads=None, dtype="float32", bptt_steps=None,
                 device="cpu", init="orthogonal", readout="mean", patch_length="auto",
                 learning_rate="adaptive", standardize=True, sequence_standardize=True,
                 input_noise="auto", loss="squared_error"):
        store_parameters(self, locals())


@numpydoc_sections(attributes=CLASSIFIER_ATTRIBUTES, **CLASSIFIER_DOCS)
class LSTMClassifier(_FixedCellClassifier):
    """Long short-term memory (LSTM) classifier of sequences.

    :class:`RecurrentClassifier` with ``cell='lstm'``: the same training,
    methods and attributes, and all its parameters but ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentClassifier : The classifier with the cell as a parameter.
    GRUClassifier, RNNClassifier : The classifier with the other cells.
    LSTMRegressor : The LSTM regressor of sequences.

    Examples
    --------
    Sequences of different lengths, as a list of (n_timesteps, n_features)
    arrays:

    >>> import numpy as np
    >>> from rnnsk import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal((n, 3)) for n in rng.integers(5, 15, size=60)]
    >>> y = [int(x[:, 1].max() > 1.5) for x in X]  # a peak in the second feature
    >>> clf = LSTMClassifier(hidden_size=8, max_iter=40, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    cell = "lstm"


@numpydoc_sections(attributes=CLASSIFIER_ATTRIBUTES, **CLASSIFIER_DOCS)
class GRUClassifier(_FixedCellClassifier):
    """Gated recurrent unit (GRU) classifier of sequences.

    :class:`RecurrentClassifier` with ``cell='gru'``: the same training,
    methods and attributes, and all its parameters but ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentClassifier : The classifier with the cell as a parameter.
    LSTMClassifier, RNNClassifier : The classifier with the other cells.
    GRURegressor : The GRU regressor of sequences.

    Examples
    --------
    Sequences of token ids, each replaced by a learned vector
    (``embedding_dim``):

    >>> import numpy as np
    >>> from rnnsk import GRUClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(1, 10, size=(80, 8))  # 80 sequences of 8 ids in 1..9
    >>> y = (X == 7).any(axis=1)  # whether token 7 occurs
    >>> clf = GRUClassifier(embedding_dim=4, hidden_size=8, max_iter=40,
    ...                     random_state=0).fit(X, y)
    >>> clf.classes_
    array([False,  True])
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    cell = "gru"


@numpydoc_sections(attributes=CLASSIFIER_ATTRIBUTES, **CLASSIFIER_DOCS)
class RNNClassifier(_FixedCellClassifier):
    """Elman recurrent neural network (tanh) classifier of sequences.

    :class:`RecurrentClassifier` with ``cell='rnn_tanh'``: the same training,
    methods and attributes, and all its parameters but ``cell``. (The ReLU
    Elman cell is ``RecurrentClassifier(cell='rnn_relu')``.)

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentClassifier : The classifier with the cell as a parameter.
    LSTMClassifier, GRUClassifier : The classifier with gated cells.
    RNNRegressor : The Elman RNN regressor of sequences.

    Examples
    --------
    Univariate sequences as the rows of a 2-D array:

    >>> import numpy as np
    >>> from rnnsk import RNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 20))  # 60 sequences of 20 values
    >>> y = X.mean(axis=1) > 0
    >>> clf = RNNClassifier(hidden_size=8, max_iter=100, readout="mean",
    ...                     random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    cell = "rnn_tanh"


@numpydoc_sections(attributes=REGRESSOR_ATTRIBUTES, **ONE_OUTPUT_DOCS)
class LSTMRegressor(_FixedCellRegressor):
    """Long short-term memory (LSTM) regressor of sequences.

    :class:`RecurrentRegressor` with ``cell='lstm'``: the same training,
    methods and attributes, and all its parameters but ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentRegressor : The regressor with the cell as a parameter.
    GRURegressor, RNNRegressor : The regressor with the other cells.
    LSTMClassifier : The LSTM classifier of sequences.

    Examples
    --------
    Sequences of different lengths, as a list of arrays; the target is each
    sequence's sum, which grows with its length:

    >>> import numpy as np
    >>> from rnnsk import LSTMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.uniform(size=(n, 1)) for n in rng.integers(2, 12, size=80)]
    >>> y = [x.sum() for x in X]
    >>> reg = LSTMRegressor(hidden_size=8, max_iter=60, readout="last",
    ...                     random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    cell = "lstm"


@numpydoc_sections(attributes=REGRESSOR_ATTRIBUTES, **ONE_OUTPUT_DOCS)
class GRURegressor(_FixedCellRegressor):
    """Gated recurrent unit (GRU) regressor of sequences.

    :class:`RecurrentRegressor` with ``cell='gru'``: the same training,
    methods and attributes, and all its parameters but ``cell``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentRegressor : The regressor with the cell as a parameter.
    LSTMRegressor, RNNRegressor : The regressor with the other cells.
    GRUClassifier : The GRU classifier of sequences.

    Examples
    --------
    Two targets per sequence (y of shape (n_samples, 2)): its mean and its
    largest value.

    >>> import numpy as np
    >>> from rnnsk import GRURegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(80, 10, 1))
    >>> y = np.column_stack([X.mean(axis=(1, 2)), X.max(axis=(1, 2))])
    >>> reg = GRURegressor(hidden_size=8, max_iter=60, random_state=0).fit(X, y)
    >>> reg.n_outputs_
    2
    >>> reg.predict(X[:3]).shape
    (3, 2)
    """

    cell = "gru"


@numpydoc_sections(attributes=REGRESSOR_ATTRIBUTES, **ONE_OUTPUT_DOCS)
class RNNRegressor(_FixedCellRegressor):
    """Elman recurrent neural network (tanh) regressor of sequences.

    :class:`RecurrentRegressor` with ``cell='rnn_tanh'``: the same training,
    methods and attributes, and all its parameters but ``cell``. (The ReLU
    Elman cell is ``RecurrentRegressor(cell='rnn_relu')``.)

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentRegressor : The regressor with the cell as a parameter.
    LSTMRegressor, GRURegressor : The regressor with gated cells.
    RNNClassifier : The Elman RNN classifier of sequences.

    Examples
    --------
    The last value of a noisy random walk, from its whole past:

    >>> import numpy as np
    >>> from rnnsk import RNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 15)).cumsum(axis=1)  # 80 walks of 15 steps
    >>> y = X[:, -1]
    >>> reg = RNNRegressor(hidden_size=8, max_iter=60, readout="last",
    ...                    random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    cell = "rnn_tanh"
