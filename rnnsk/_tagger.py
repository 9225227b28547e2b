"""Estimators with one answer per step: the sequence tagger (optionally with a
CRF output layer) and the per-step regressor."""

import numpy as np
from scipy.special import softmax
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import NOISY_PATIENCE, PATIENCE_CONSTRAINT, VALIDATED_PATIENCE
from ._classes import RecurrentRegressor, encode_labels
from ._crf import CrfHead
from ._docstrings import TRAINING_ATTRIBUTES, numpydoc_sections
from ._heads import StepHead
from ._losses import REGRESSION_LOSSES, PaddedSteps, cross_entropy, per_step
from ._parameters import partial_fit_context, store_parameters
from ._statistics import mean_and_std
from ._step_estimators import BaseStepEstimator
from ._streamed_targets import StreamedTargetScaling, restandardized
from ._transitions import allowed_transitions, check_gold_transitions
from ._validation import check_parameter_mapping, check_r2_defined

# What the per-step estimators' parameters mean where it differs from the
# sequence estimators' (_docstrings.PARAMETERS).
_STEP_PARAMETERS = dict(
    bidirectional=("bool",
                   "A per-step model sees the whole sequence: each step's output joins a "
                   "forward and a backward reading."),
    embedding_dim=("int or None",
                   "For token ids, the embedding size (required). For string tokens, the "
                   "embedding size of the learned vocabulary; None means 64."),
    char_encoder=("{'cnn', 'lstm'} or None",
                  "For string tokens: add to each token's embedding a vector built from "
                  "its characters, so that unseen tokens still get an informative "
                  "representation: ``'cnn'``, a character CNN with max-pooling (Ma & Hovy "
                  "2016); ``'lstm'``, the final states of a character BiLSTM (Lample et al. "
                  "2016). None uses the token embedding alone."),
    char_features=("int", "Size of the character embedding, and number of CNN filters or "
                   "LSTM units per direction (the character vector has twice as many "
                   "values with ``'lstm'``)."),
    token_bigrams=("{'both', 'next'} or None",
                   "For string tokens: add to each token's embedding those of its pairs with "
                   "its neighbours, from the same vocabulary table: ``'next'``, its pair with "
                   "the next token (the last token's with the sequence's end); ``'both'``, "
                   "also its pair with the previous token (the first token's with the "
                   "sequence's start). For characters, the bigrams c_i-1 c_i and c_i c_i+1 "
                   "that Chinese word segmentation relies on. Pairs seen fewer than "
                   "max(2, min_frequency) times in fit share one id, which is thus trained "
                   "for unseen pairs."),
)
# What they have after fit, besides their targets' attribute.
_STEP_ATTRIBUTES = ("vocabulary_", *TRAINING_ATTRIBUTES, "bidirectional_")
# The tagger's embedding dropout with embedded inputs, chosen on held-out
# sentences of the segmentation corpus's train split (docs/tagging.md).
TAGGER_EMBEDDING_DROPOUT = 0.2
# early_stopping='auto' also holds out a tenth of the sequences above this many
# steps: the token accuracy of 10,000 held-out steps is steady, where the
# sequences' count (scikit-learn's rule, 10,000) let a fit on a few thousand
# sentences run 200 epochs of its training loss (docs/tagging.md, session 21).
_AUTO_EARLY_STOPPING_STEPS = 100_000
_VOCABULARY = ("dict", "For string tokens: token -> id (1..V; id 0 is every other token).")


def _is_text(labels):
    """Labels of str (an object array: if any of them is one)."""
    if labels.dtype.kind == "O":
        return any(isinstance(label, str) for label in labels)
    return labels.dtype.kind in "US"


def _check_label_kinds(sequences, text, reference):
    """A ValueError naming the first sequence of labels that are not text when
    ``text`` (numbers when not), as accuracy_score refuses a mix of strings and
    numbers: concatenated with text, 1 would silently become the label '1'. A
    sequence mixing both arrives as strings and cannot be told apart.
    ``reference`` says where the expected kind comes from."""
    for i, labels in enumerate(sequences):
        if len(labels) and _is_text(labels) != text:
            raise ValueError(f"y[{i}] holds {'numeric' if text else 'text'} labels, but "
                             f"{reference} {'text' if text else 'numeric'} ones; give every "
                             "label of y in that one kind")


def _real_steps(lengths, steps):
    return np.arange(steps) < np.asarray(lengths)[:, None]


@numpydoc_sections(attributes=("classes_", *_STEP_ATTRIBUTES), vocabulary_=_VOCABULARY,
          validation_scores_=("list of float or None",
                              "Token accuracy on the held-out sequences after every epoch "
                              "with early stopping, else None."),
          crf=("bool", "Put a linear-chain CRF on the per-step scores."),
          early_stopping=(
              "'auto' or bool",
              "True: hold out ``validation_fraction`` of the sequences, cut the rate (with "
              "``learning_rate='adaptive'``) and at last stop when the token accuracy on "
              "them stops improving, and restore the best weights. 'auto': the same when "
              "fit is given more than 10,000 sequences (scikit-learn's "
              "``HistGradientBoosting*`` rule) or more than 100,000 steps (each step "
              "is scored, so a tenth of them is a steady score: 1,200 sentences of a "
              "Chinese corpus), otherwise no early stopping; ``partial_fit`` never "
              "stops early."),
          embedding_dropout=(
              "float or 'auto'",
              "While training, drop each distinct token id of a minibatch with this "
              "probability (its vector is zero wherever it occurs; the others are scaled "
              "by ``1 / (1 - embedding_dropout)``), as AWD-LSTM's embedding dropout; needs "
              "an embedding. ``'auto'``: 0.2 for string tokens and token ids, 0 for "
              "numeric sequences."),
          n_iter_no_change=(
              "int or 'auto'",
              "Epochs without progress by ``tol`` (of the training loss, or of the "
              "validation score with early stopping) before the rate is cut "
              "(``learning_rate='adaptive'``) or training stops. 'auto': 1 with early "
              "stopping (an epoch over more than 10,000 sequences is long, and the token "
              "accuracy on a tenth of them held out is a steady signal), 10 without (the "
              "training loss of a small fit is noisy)."),
          forbidden_transitions=(
              "{'bmes', 'bio'}, list of pairs or None",
              "Label transitions the CRF never takes (their score is -inf, held fixed; "
              "needs ``crf=True``). A pair ``(a, b)`` forbids label ``b`` right after "
              "``a``; ``(None, b)`` forbids starting with ``b`` and ``(a, None)`` ending "
              "with ``a``. ``'bmes'`` forbids what word segmentation tags cannot do "
              "(labels ``b``, ``m``, ``e``, ``s``, any case: e.g. ``b`` then ``s``, or "
              "starting with ``m``); ``'bio'`` what BIO tags cannot (``I-X`` after "
              "anything but ``B-X``/``I-X``, or first)."),
          **_STEP_PARAMETERS)
# Not a ClassifierMixin, as sklearn-crfsuite's CRF is not: scikit-learn would
# then try to stratify cross-validation folds by y, which for a tagger is one
# sequence of labels per sample (never stratifiable), and its check of the type
# of y refuses them outright when given as lists of lists, a documented form.
class RecurrentTagger(BaseStepEstimator):
    """Recurrent sequence tagger: one label per step (BiLSTM, BiLSTM-CRF).

    Every step's output of the top recurrent layer goes through a linear layer
    to one score per label: a softmax per step (``crf=False``, trained by the
    cross-entropy averaged over real steps), or the emissions of a linear-chain
    CRF (``crf=True``, trained by its exact negative log-likelihood averaged
    over sequences, decoded by Viterbi; Huang et al. 2015, Lample et al. 2016).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentStepRegressor : One real value per step instead of a label.
    RecurrentClassifier : One label per sequence.

    Notes
    -----
    X is one sequence per sample, in any of three forms: numeric (a list of
    ``(T_i, F)`` arrays, or a 3-D array), token ids (a list of 1-D int arrays,
    with ``embedding_dim``), or string tokens (a list of lists of str; a
    plain ``str`` is the sequence of its characters, so ``["我爱北京", ...]``
    tags characters). y is one sequence of labels per sequence, of the same
    length; ``predict`` and ``predict_proba`` return one array per sequence.

    Examples
    --------
    Tag every character of strings as a digit or a letter:

    >>> import random
    >>> from rnnsk import RecurrentTagger
    >>> rng = random.Random(0)
    >>> X = ["".join(rng.choice("abc123") for _ in range(rng.randint(3, 8)))
    ...      for _ in range(60)]
    >>> y = [["digit" if c.isdigit() else "letter" for c in x] for x in X]
    >>> tagger = RecurrentTagger(hidden_size=8, max_iter=20, random_state=0).fit(X, y)
    >>> tagger.predict(["a1b2"])
    [array(['letter', 'digit', 'letter', 'digit'], dtype='<U6')]
    """

    # The CRF's allowed transitions are built with the head.
    _structure_parameters = BaseStepEstimator._structure_parameters + (
        "crf", "forbidden_transitions")

    _parameter_constraints = {
        **BaseStepEstimator._parameter_constraints,
        "crf": ["boolean"],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        **PATIENCE_CONSTRAINT,
        "forbidden_transitions": [StrOptions({"bmes", "bio"}), list, tuple, None],
        "embedding_dropout": [*BaseStepEstimator._parameter_constraints["embedding_dropout"],
                              StrOptions({"auto"})],
    }

    # init, learning_rate, token_bigrams, crf, embedding_dropout, the two layers with
    # dropout between them, early_stopping and n_iter_no_change were chosen on
    # held-out sentences of the segmentation corpus's train split (docs/tagging.md);
    # standardize reads numeric inputs only (tokens are left alone), as every
    # estimator reading numbers does: on three per-step labellings of raw sensor
    # and speech features it was better on two (docs/tagging.md).
    def __init__(self, *, cell="lstm", hidden_size=64, num_layers=2,
                 bidirectional=True, dropout=0.2, embedding_dim=None, vocabulary_size=None,
                 embedding_dropout="auto", solver="adam", alpha=1e-4, batch_size="auto",
                 learning_rate_init=0.005, max_iter=200, max_grad_norm=1.0, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping="auto", validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change="auto", n_threads=None,
                 dtype="float32", bptt_steps=None, device="cpu", init="orthogonal",
                 learning_rate="adaptive", standardize=True, min_frequency=1,
                 char_encoder="cnn", char_features=30, token_bigrams="next", crf=True,
                 forbidden_transitions=None):
        store_parameters(self, locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the tagger to sequences X and label sequences y (one label per
        step); ``sample_weight`` weighs whole sequences."""
        return self._fit(X, y, sample_weight, incremental=False)

    @partial_fit_context
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights;
        ``classes`` (every label that can ever occur) is required on the first
        call."""
        if not hasattr(self, "model_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X):
        """The labels of every step: one array of ``classes_`` per sequence
        (Viterbi's best labelling with ``crf=True``)."""
        if self._decodes_with_crf():
            decode = lambda chunk, scores: self.model_.head.decode(  # noqa: E731
                scores, chunk.lengths, self.model_.n_threads)
        else:
            decode = lambda chunk, scores: np.argmax(scores, axis=2)  # noqa: E731
        return [self.classes_[codes] for codes in self._step_outputs(X, decode)]

    def predict_proba(self, X):
        """P(label | X) of every step: one (n_timesteps_i, n_classes) array per
        sequence, columns in the order of ``classes_`` (the CRF's marginals with
        ``crf=True``)."""
        return self._step_outputs(X, self._probabilities)

    def _probabilities(self, chunk, scores):
        if self._decodes_with_crf():
            return self.model_.head.marginals(scores, chunk.lengths,
                                              self.model_.n_threads).astype(np.float64)
        return softmax(scores.astype(np.float64), axis=2)

    def score(self, X, y, sample_weight=None):
        """Token accuracy: the fraction of real steps labelled right (each step
        weighted by its sequence's ``sample_weight``). A label not seen in fit
        is never predicted, so its steps count as wrong, as scikit-learn's
        ``accuracy_score`` counts them (a rare tag of a test corpus is no error)."""
        predicted = self.predict(X)
        truth = self._targets_of(y, self._validate_sequences(X, reset=False))
        _check_label_kinds(truth, _is_text(self.classes_),
                           f"the tagger was fitted ({self.classes_[:5]!r}) on")
        weights = self._check_sample_weight(sample_weight, len(truth))
        right = [np.sum(p == t) * w for p, t, w in zip(predicted, truth, weights)]
        steps = [len(t) * w for t, w in zip(truth, weights)]
        return float(np.sum(right) / np.sum(steps))

    # Hooks of the training loop -------------------------------------------

    def _encode_targets(self, y, *, classes, reset, sample_weight):
        first = next((i for i, labels in enumerate(y) if len(labels)), None)
        if first is not None:
            _check_label_kinds(y, _is_text(y[first]), f"y[{first}] holds")
        flat = np.concatenate(y) if y else np.array([])
        if flat.ndim != 1:
            raise ValueError("every entry of y must be a 1-D sequence of labels")
        indices, labels = encode_labels(self, flat, classes, reset)
        lengths = np.array([len(entry) for entry in y], dtype=np.int64)
        codes = np.zeros((len(y), int(lengths.max())), dtype=np.int64)
        codes[_real_steps(lengths, codes.shape[1])] = indices
        targets = PaddedSteps(codes, lengths)
        allowed = self._allowed(labels)
        if allowed is not None:
            check_gold_transitions(targets, allowed, labels)
        return targets, labels

    def _stops_early(self, sequences):
        if (isinstance(self.early_stopping, str)
                and sequences.lengths.sum() > _AUTO_EARLY_STOPPING_STEPS):
            return True
        return super()._stops_early(sequences)

    def _embedding_dropout(self, sequences):
        if self.embedding_dropout != "auto":
            return self.embedding_dropout
        return 0.0 if sequences.data.dtype.kind == "f" else TAGGER_EMBEDDING_DROPOUT

    def _allowed(self, labels):
        if self.forbidden_transitions is None:
            return None
        if not self.crf:
            raise ValueError("forbidden_transitions needs crf=True: without a CRF, labels "
                             "are chosen step by step")
        return allowed_transitions(self.forbidden_transitions, labels)

    def _patience(self, n_validation):
        # 'auto': every held-out sentence scores each of its tokens, so even a
        # few hundred of them give a steady token accuracy (chosen on held-out
        # sentences, docs/tagging.md).
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        return VALIDATED_PATIENCE if n_validation else NOISY_PATIENCE

    def _set_target_info(self, classes):
        self.classes_ = classes

    def _structure_settings(self):
        """As every estimator's, with the forbidden transitions as a set of
        pairs: [("O", "I-X")] and (("O", "I-X"),) forbid the same."""
        settings = super()._structure_settings()
        transitions = settings.get("forbidden_transitions")
        if isinstance(transitions, (list, tuple)):
            settings["forbidden_transitions"] = frozenset(map(tuple, transitions))
        return settings

    def _decodes_with_crf(self):
        """Whether the fitted model has a CRF head: what predict and the loss
        read, so that set_params(crf=...) after fit changes nothing until the
        next fit (which builds the head ``crf`` asks for)."""
        check_is_fitted(self, "model_")
        return isinstance(self.model_.head, CrfHead)

    def _make_head(self, n_features, classes, rng):
        dtype = np.dtype(self.dtype)
        if not self.crf:
            return StepHead(n_features, len(classes), rng, dtype)
        allowed = self._allowed(classes)
        if allowed is None:
            everything = np.ones((len(classes), len(classes)), bool)
            allowed = (everything, everything[0], everything[0])
        return CrfHead(n_features, len(classes), rng, dtype, allowed)

    def _loss(self, scores, targets, weights):
        if self._decodes_with_crf():
            return self.model_.head.loss(scores, targets, weights, self.model_.n_threads)
        return per_step(cross_entropy, scores, targets, weights)

    def _validation_score(self, sequences, targets, weights):
        scores = self.model_.forward(sequences)
        if self._decodes_with_crf():
            predicted = self.model_.head.decode(scores, sequences.lengths, self.model_.n_threads)
        else:
            predicted = np.argmax(scores, axis=2)
        real = targets.real()
        step_weights = np.broadcast_to(weights[:, None], real.shape)[real]
        right = predicted[:, :real.shape[1]][real] == targets.values[real]
        return float(np.dot(right, step_weights) / step_weights.sum())

    # The CRF's forbidden scores are -inf in the state_dict, 0 in the optimizer.
    def _export_head(self, state):
        if self._decodes_with_crf():
            state = self.model_.head.state_scores(state)
        return state

    def load_state_dict(self, state_dict):
        check_parameter_mapping(state_dict)
        if hasattr(self, "model_") and self._decodes_with_crf():
            state_dict = self.model_.head.finite_scores(
                {name: np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach")
                                  else value) for name, value in state_dict.items()})
        return super().load_state_dict(state_dict)

    load_state_dict.__doc__ = BaseStepEstimator.load_state_dict.__doc__


@numpydoc_sections(attributes=("n_outputs_", *_STEP_ATTRIBUTES), vocabulary_=_VOCABULARY,
          n_outputs_=("int", "Values per step."),
          validation_scores_=("list of float or None",
                              "R^2 over the held-out sequences' steps after every epoch "
                              "with early stopping, else None."),
          **_STEP_PARAMETERS)
class RecurrentStepRegressor(StreamedTargetScaling, RegressorMixin, BaseStepEstimator):
    """Recurrent per-step regressor: one real value (or vector) per step, i.e.
    equal-length sequence-to-sequence regression (denoising a trace, a value
    per frame).

    The name says what differs from :class:`RecurrentRegressor`, which answers
    once per sequence: this one answers at every step, as the tagger does for
    labels. Each step's output of the top layer goes through a linear layer;
    training minimizes the loss averaged over real steps. Targets are
    standardized inside (over all real steps). X is as for
    :class:`RecurrentTagger`; y is one ``(T_i,)`` or ``(T_i, k)`` array per
    sequence, and ``predict`` returns the same shapes.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentTagger : One label per step instead of a value.
    RecurrentRegressor : One value per sequence.

    Examples
    --------
    The running sum of each sequence, at every step:

    >>> import numpy as np
    >>> from rnnsk import RecurrentStepRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.uniform(-1, 1, size=(n, 1)) for n in rng.integers(4, 12, size=60)]
    >>> y = [x[:, 0].cumsum() for x in X]
    >>> reg = RecurrentStepRegressor(hidden_size=8, max_iter=40, random_state=0).fit(X, y)
    >>> [p.shape for p in reg.predict(X[:2])] == [t.shape for t in y[:2]]
    True
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseStepEstimator._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
    }

    # Its defaults are the settings its parity tests were made with (torch's
    # initialisation, a constant rate, no token bigrams), but for standardize and
    # alpha: on three per-step regressions of real data (docs/tagging.md)
    # standardized inputs were better or level (raw accelerometer counts: R^2
    # 0.49 -> 0.61), and the sequence regressors' alpha=1e-2 better on each, over
    # four seeds (those counts 0.61 -> 0.66, a gyroscope channel 0.24 -> 0.32).
    def __init__(self, *, cell="lstm", hidden_size=64, num_layers=None, bidirectional=True,
                 dropout=0.0, embedding_dim=None, vocabulary_size=None, embedding_dropout=0.0,
                 solver="adam", alpha=1e-2, batch_size="auto", learning_rate_init=0.005,
                 max_iter=200, max_grad_norm=1.0, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, n_threads=None, dtype="float32",
                 bptt_steps=None, device="cpu", init="pytorch", learning_rate="constant",
                 standardize=True, min_frequency=1, char_encoder="cnn", char_features=30,
                 token_bigrams=None, loss="squared_error"):
        store_parameters(self, locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit to sequences X and per-step targets y (one (T_i,) or (T_i, k)
        array per sequence)."""
        return self._fit(X, y, sample_weight, incremental=False)

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
        """Predicted targets of every step: one array per sequence, shaped as
        the targets of fit were."""
        check_is_fitted(self, "model_")  # before the scaling only a fit gives
        # In one turn: a partial_fit between them rescales the outputs and the
        # scaling together (_streamed_targets).
        with self._turns():
            mean, scale = self._target_scaling
            predictions = self._step_outputs(X, lambda chunk, scores: scores * scale + mean)
        return [p[:, 0] if self._y_is_1d else p for p in predictions]

    def score(self, X, y, sample_weight=None):
        """R^2 over all real steps (and target columns, averaged uniformly)."""
        predicted = self.predict(X)
        truth = self._targets_of(y, self._validate_sequences(X, reset=False))
        weights = self._check_sample_weight(sample_weight, len(truth))
        step_weights = np.repeat(weights, [len(t) for t in truth])
        return float(r2_score(np.concatenate(truth), np.concatenate(predicted),
                              sample_weight=step_weights))

    def _encode_targets(self, y, *, classes, reset, sample_weight):
        entries = [np.asarray(entry, dtype=np.float64) for entry in y]
        ndims = {entry.ndim for entry in entries}
        if not ndims <= {1, 2} or len(ndims) > 1:
            raise ValueError("every entry of y must be a (T_i,) array, or every one a (T_i, k) "
                             "array")
        if ndims == {2} and entries[0].shape[1] == 0:
            raise ValueError(f"y[0] of shape {entries[0].shape} has no target column")
        columns = [entry if entry.ndim == 2 else entry[:, None] for entry in entries]
        widths = {c.shape[1] for c in columns}
        if len(widths) > 1:
            raise ValueError(f"entries of y have different numbers of columns: {sorted(widths)}")
        flat = np.concatenate(columns)
        if not np.all(np.isfinite(flat)):
            raise ValueError("Input y contains NaN or infinity.")
        lengths = np.array([len(c) for c in columns], dtype=np.int64)
        if reset:
            mean, scale = mean_and_std(flat, axis=0, weights=np.repeat(sample_weight, lengths))
            info = (mean, np.where(scale > 0, scale, 1.0), ndims == {1})
        else:
            if flat.shape[1] != self.n_outputs_:
                raise ValueError(f"y has {flat.shape[1]} values per step, but "
                                 f"{type(self).__name__} was fitted with {self.n_outputs_}")
            info = (*self._target_scaling, self._y_is_1d)
        mean, scale, _ = info
        values = np.zeros((len(columns), int(lengths.max()), flat.shape[1]))
        values[_real_steps(lengths, values.shape[1])] = (flat - mean) / scale
        return PaddedSteps(values, lengths), info

    def _set_target_info(self, info):
        mean, scale, self._y_is_1d = info
        self._target_scaling = (mean, scale)
        self.n_outputs_ = len(mean)

    @staticmethod
    def _target_rows(targets, weights):
        """The standardized targets of every real step, each of its sequence's
        weight (_streamed_targets)."""
        real = _real_steps(targets.lengths, targets.values.shape[1])
        return targets.values[real], np.repeat(weights, targets.lengths)

    @staticmethod
    def _restandardized_targets(targets, old, new):
        values = np.zeros_like(targets.values)
        real = _real_steps(targets.lengths, values.shape[1])
        values[real] = restandardized(targets.values[real], old, new)
        return PaddedSteps(values, targets.lengths)

    def _make_head(self, n_features, info, rng):
        return StepHead(n_features, len(info[0]), rng, np.dtype(self.dtype))

    def _loss(self, scores, targets, weights):
        return per_step(REGRESSION_LOSSES[self.loss], scores, targets, weights)

    def _check_validation_part(self, targets, weights, where):
        real = targets.real()
        check_r2_defined(targets.values[real],
                         np.broadcast_to(weights[:, None], real.shape)[real], where)

    def _validation_score(self, sequences, targets, weights):
        real = targets.real()
        scores = self.model_.forward(sequences)[:, :real.shape[1]]
        step_weights = np.broadcast_to(weights[:, None], real.shape)[real]
        return r2_score(targets.values[real], scores[real], sample_weight=step_weights)

    # The head predicts standardized targets, as RecurrentRegressor's does.
    _export_head = RecurrentRegressor._export_head
    _import_head = RecurrentRegressor._import_head
