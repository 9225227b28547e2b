"""The recurrent estimators: a classifier and a regressor over any cell, and the
named classes (LSTMClassifier, GRURegressor, ...) that only fix the cell."""
from numbers import Real

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import SHARED_DEFAULTS, BaseRecurrent
from ._losses import REGRESSION_LOSSES, cross_entropy
from ._signature import init_storing


def encode_labels(estimator, y, classes, reset):
    """(indices of the labels y in the sorted labels, the labels): learned from
    ``classes`` or y on ``reset``, otherwise ``estimator.classes_``, which y
    must not go beyond."""
    if reset:
        labels = np.unique(classes if classes is not None else y)
        if len(labels) < 2:
            raise ValueError(f"{type(estimator).__name__} needs samples of at least 2 classes "
                             f"in the data, but the data contains only 1 class: "
                             f"{labels[0]!r}")
    else:
        labels = estimator.classes_
        if classes is not None and not np.array_equal(np.unique(classes), labels):
            raise ValueError(f"classes={np.unique(classes)!r} is not the same as on the "
                             f"first call to partial_fit, {labels!r}")
    unknown = np.setdiff1d(y, labels)
    if len(unknown):
        raise ValueError(f"y contains labels not seen before: {unknown!r}; the known "
                         f"classes are {labels!r}")
    return np.searchsorted(labels, y), labels


class RecurrentClassifier(ClassifierMixin, BaseRecurrent):
    """Recurrent neural network classifier of sequences (RNN, LSTM or GRU).

    Each sequence is read by the recurrent layers; a readout summarises the top
    layer over the sequence (by default its maximum over time, see ``readout``)
    and goes through a linear layer and a softmax.
    Training minimizes the cross-entropy with Adam or SGD on minibatches, with
    gradient clipping, as scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`
    does for tables: parameters shared with it have its names and meaning.

    Parameters
    ----------
    cell : {'lstm', 'gru', 'rnn_tanh', 'rnn_relu'}, default='lstm'
        The recurrent cell (the named classes such as ``LSTMClassifier`` fix it).
    hidden_size : int or tuple of int, default=64
        Size of the hidden state of each layer (per direction). A tuple gives one
        size per layer.
    num_layers : int, default=None
        Number of stacked layers: 1, or ``len(hidden_size)`` for a tuple.
    bidirectional : bool, default=False
        Also read every sequence backwards; the two final states are concatenated.
    dropout : float, default=0.0
        Dropout on the outputs of every layer but the last, while training.
    embedding_dim : int, default=None
        When set, X holds integer token ids, each replaced by a learned vector of
        this size (PyTorch's ``nn.Embedding``).
    vocabulary_size : int, default=None
        Number of distinct token ids; None infers it as the largest id in the
        first ``fit`` plus one.
    embedding_dropout : float, default=0.0
        While training, drop each distinct token id of a minibatch with this
        probability (its vector is zero wherever it occurs; the others are scaled
        by ``1 / (1 - embedding_dropout)``), as AWD-LSTM's embedding dropout.
        Needs ``embedding_dim``.
    solver : {'adam', 'sgd'}, default='adam'
    alpha : float, default=1e-2
        Strength of the L2 penalty on the weights (not the biases, nor the
        embedding: see the text guide), as scikit-learn MLP's ``alpha``; its
        default is larger than MLP's 1e-4 (see the user guide's page on
        defaults).
    batch_size : int or 'auto', default='auto'
        Sequences per minibatch; 'auto' is ``min(32, n_samples)``.
    learning_rate_init : float, default=0.005
    max_iter : int, default=200
        Maximum number of epochs.
    max_grad_norm : float or None, default=1.0
        Gradients are rescaled so that their global L2 norm is at most this
        (PyTorch's ``clip_grad_norm_``); None turns clipping off.
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, dropout and the validation split. With
        the same value and thread count, fits are bit-identical.
    tol : float, default=1e-4
    verbose : bool or int, default=False
        1 (or True): print one line per epoch (loss, validation score, seconds).
        2: also progress within each epoch, as Keras' ``fit``: samples done, a
        bar, the time left and the running loss, redrawn in place on a terminal
        and printed at every tenth of the epoch otherwise.
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified), stop when its
        accuracy stops improving and restore the best weights.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's parameters.
    n_iter_no_change : int, default=10
    n_threads : int or None, default=None
        Threads of the C++ core; None uses every core (or ``OMP_NUM_THREADS``).
    dtype : {'float32', 'float64'}, default='float32'
        Precision of the weights and of the computation.
    bptt_steps : int or None, default=None
        Truncated backpropagation through time: read sequences in windows of this
        many steps, carrying the state across, and backpropagate through each
        sequence's last window only. Memory then stays bounded however long the
        sequences are (predict also reads by windows). Unidirectional only.
    device : {'cpu', 'cuda', 'cuda:N'}, default='cpu'
        Where the recurrent layers train and predict. On a GPU their weights and
        optimizer state stay in GPU memory across minibatches (the embedding and
        the linear head stay on the host). Needs rnnsk built with CUDA support
        (see the GPU guide); otherwise fit raises a RuntimeError saying why.
        A fitted model moves when ``device`` is changed with ``set_params``
        (its optimizer moments then restart).
    init : {'orthogonal', 'pytorch'}, default='orthogonal'
        Initial weights. 'orthogonal': Glorot-uniform input weights, an
        orthogonal matrix per gate for the recurrent weights (the identity for
        ``rnn_relu``), zero biases but the LSTM forget gate's (1), Glorot-uniform
        head (Keras's defaults). 'pytorch': ``torch.nn``'s uniform draws.
        See the user guide's page on defaults.
    readout : {'max', 'mean', 'last', 'attention'}, default='max'
        How each sequence is summarised for the output layer: the top layer's
        maximum over time of each unit, its mean over time, its final state
        (both directions' when bidirectional), or learned attention pooling over
        the steps. All ignore padding: only each sequence's real steps count.
    learning_rate : {'adaptive', 'constant'}, default='adaptive'
        'adaptive' (scikit-learn MLP's rule, here for Adam too): each time the
        training loss (the validation score with ``early_stopping``) has not
        improved by ``tol`` for ``n_iter_no_change`` consecutive epochs, the
        learning rate is divided by 5; training stops once it is below 1e-6.
        'constant': training stops at the first such plateau.
    standardize : bool, default=True
        Standardize each input feature inside the estimator (mean and standard
        deviation over the real steps of the first fit's sequences), so that
        inputs in any units train alike. ``state_dict`` and :func:`~rnnsk.to_torch`
        fold the map into the first layer's ``weight_ih``/``bias_ih``: exported
        weights read raw inputs. Ignored with ``embedding_dim``.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss, as in scikit-learn's classifiers
        (finite and non-negative). Only ratios of weights matter: sample and
        class weights are each divided by their largest value at fit, and a
        minibatch whose samples all have weight zero is skipped.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Features per time step (for a 2-D X, its number of columns).
    loss_ : float
        Training loss of the last epoch.
    loss_curve_ : list of float
        Training loss of every epoch.
    best_loss_ : float
    validation_scores_ : list of float or None
        Accuracy on the held-out fraction after every epoch (early stopping).
    best_validation_score_ : float or None
    n_iter_ : int
        Epochs run.
    t_ : int
        Training samples seen.
    model_ : object
        The fitted network; see :meth:`state_dict` for its weights.

    Examples
    --------
    >>> from rnnsk import LSTMClassifier
    >>> from rnnsk.datasets import load_japanese_vowels
    >>> X, y = load_japanese_vowels(return_X_y=True)
    >>> clf = LSTMClassifier(random_state=0).fit(X, y)  # doctest: +SKIP
    """

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    # A stronger L2 penalty than MLP's 1e-4: 64 recurrent units overfit the tens to
    # thousands of sequences of typical sets (docs/guide/defaults.md).
    __init__ = init_storing({**SHARED_DEFAULTS, "alpha": 1e-2, "class_weight": None})

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

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights.

        ``classes`` (every label that can ever occur) is required on the first call.
        """
        if not hasattr(self, "model_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
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
        check_classification_targets(y)
        return encode_labels(self, y, classes, reset)

    def _set_target_info(self, classes):
        self.classes_ = classes

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

    def _loss(self, outputs, targets, weights):
        return cross_entropy(outputs, targets, weights)

    def _validation_score(self, sequences, targets, weights):
        predicted = np.argmax(self._outputs(sequences), axis=1)
        return accuracy_score(targets, predicted, sample_weight=weights)


class RecurrentRegressor(RegressorMixin, BaseRecurrent):
    """Recurrent neural network regressor of sequences (RNN, LSTM or GRU).

    The ``readout`` summary of each sequence goes through a linear layer to one
    output per target column; ``y`` may be 2-D (several
    targets, e.g. a forecast horizon). Targets are standardized inside, so their
    scale does not matter. Parameters are those of :class:`RecurrentClassifier`
    (without ``class_weight``), plus ``loss``; attributes are those of
    :class:`RecurrentClassifier` but ``classes_``, plus ``n_outputs_``.

    Parameters
    ----------
    loss : {'squared_error', 'huber'}, default='squared_error'
        Half the mean squared error (as MLPRegressor), or the Huber loss with
        threshold 1 on standardized targets, which resists outliers.
    readout : {'mean', 'max', 'last', 'attention'}, default='mean'
        As for the classifier, but the mean over time by default.

    Attributes
    ----------
    n_outputs_ : int
        Number of target columns.
    validation_scores_ : list of float or None
        R^2 on the held-out fraction after every epoch (early stopping).
    """

    _parameter_constraints = {
        **BaseRecurrent._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
    }

    # Regression targets (amounts, levels, forecasts) depend on the whole sequence
    # more than on its peaks: mean pooling, where classifiers use max pooling
    # (docs/guide/defaults.md has the measurements). alpha: see the classifier.
    __init__ = init_storing({**SHARED_DEFAULTS, "loss": "squared_error", "readout": "mean",
                             "alpha": 1e-2})

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to sequences X and targets y of shape (n_samples,) or
        (n_samples, n_targets). X, the optional early-stopping data ``X_val``,
        ``y_val``, ``sample_weight_val`` are as in :meth:`RecurrentClassifier.fit`."""
        return self._fit(X, y, sample_weight, incremental=False,
                         validation_data=_validation_data(X_val, y_val, sample_weight_val))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted targets, shape (n_samples,) or (n_samples, n_targets) as y was."""
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
        targets = y.reshape(len(y), -1)
        if reset:
            # Weighted, so that a weight of 2 stays the same as a repeated sample;
            # computed on targets divided by their largest magnitude so that huge
            # values do not overflow when squared.
            magnitude = np.max(np.abs(targets), axis=0)
            magnitude = np.where(magnitude > 0, magnitude, 1.0)
            unit = targets / magnitude
            mean = np.average(unit, axis=0, weights=sample_weight)
            spread = np.sqrt(np.average((unit - mean) ** 2, axis=0, weights=sample_weight))
            mean, scale = mean * magnitude, spread * magnitude
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
    def _n_outputs(info):
        mean, _, _ = info
        return len(mean)

    def _class_weights(self, targets, info):
        return 1.0

    def _stratify(self, targets):
        return None

    def _loss(self, outputs, targets, weights):
        return REGRESSION_LOSSES[self.loss](outputs, targets, weights)

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


def _fixed_cell(generic, cell, summary):
    """A subclass of ``generic`` whose cell is ``cell``: the same parameters
    but ``cell``."""
    defaults = {name: value for name, value in generic.__init__.defaults.items()
                if name != "cell"}
    name = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN"}[cell] + generic.__name__[9:]
    doc = (f"{summary}\n\n    :class:`{generic.__name__}` with ``cell='{cell}'``; see it "
           "for parameters, attributes and methods.\n")
    return type(name, (generic,), {"__init__": init_storing(defaults), "_fixed_cell": cell,
                                   "__doc__": doc, "__module__": "rnnsk"})


LSTMClassifier = _fixed_cell(RecurrentClassifier, "lstm", "Long short-term memory classifier.")
GRUClassifier = _fixed_cell(RecurrentClassifier, "gru", "Gated recurrent unit classifier.")
RNNClassifier = _fixed_cell(RecurrentClassifier, "rnn_tanh", "Elman RNN (tanh) classifier.")
LSTMRegressor = _fixed_cell(RecurrentRegressor, "lstm", "Long short-term memory regressor.")
GRURegressor = _fixed_cell(RecurrentRegressor, "gru", "Gated recurrent unit regressor.")
RNNRegressor = _fixed_cell(RecurrentRegressor, "rnn_tanh", "Elman RNN (tanh) regressor.")
