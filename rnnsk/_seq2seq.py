"""EncoderDecoder: sequence-to-sequence learning (strings to strings of another
length) with a recurrent encoder, a recurrent decoder and global attention.

The training loop, optimizers, clipping, early stopping, warm start and
partial_fit are those of every recurrent estimator (``_base.py``); this file
says how strings become token ids, how teacher forcing feeds the decoder and
how outputs are decoded.
"""
import warnings
from collections.abc import Iterable, Mapping
from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (Interval, StrOptions,
                                            validate_parameter_constraints)
from sklearn.utils.validation import check_is_fitted

from ._base import _PREDICT_CHUNK, BaseRecurrent
from ._decoding import beam_search, greedy_decode
from ._docstrings import TRAINING_ATTRIBUTES, numpydoc_sections
from ._losses import PaddedSteps, cross_entropy, per_step
from ._network import single_threaded_blas
from ._seq2seq_model import END, START, EncoderDecoderModel
from ._parameters import check_parameters_as_fitted, partial_fit_context, store_parameters
from ._text import TextSequencer, refuse_tokens_not_str, tokens_of
from ._validation import Sequences

__all__ = ["EncoderDecoder"]

# Target ids 0 and 1 are the start and end tokens; the target vocabulary's
# tokens follow.
_FIRST_TARGET_ID = 2
# Parameters of decoding, read by predict (after fit): checked again there.
_READ_BY_PREDICT = ("handle_unknown", "beam_width", "max_output_length")
# How texts become tokens: fixed by the first fit (the vocabularies are made of
# its tokens), so a warm start refuses another and so does predict.
_TOKENIZATION = ("analyzer", "tokenizer")

# Parameters of the sequence estimators that an encoder-decoder does not have:
# readouts and input scaling do not apply to token sequences, and it draws its
# layers as PyTorch does.
_NOT_SEQ2SEQ = {"vocabulary_size", "bptt_steps", "device", "readout", "standardize", "init"}


class SourceSequences(Sequences):
    """Padded source ids with the vocabulary they were made with and their
    kind, 'text' or 'ids' (what the first fit records)."""

    def __init__(self, data, lengths, vocabulary, kind):
        super().__init__(data, lengths, is_table=False)
        self.vocabulary = vocabulary
        self.kind = kind


@numpydoc_sections(
    attributes=("source_tokens_", "target_tokens_", "max_output_length_",
                *TRAINING_ATTRIBUTES, "bidirectional_"),
    bidirectional_=("bool", "Whether the encoder reads each source both ways "
                            "(``bidirectional``)."),
    hidden_size=("int",
                 "State size of every layer of encoder and decoder (per direction in the "
                 "encoder)."),
    num_layers=("int", "Layers of the encoder and of the decoder."),
    bidirectional=("bool",
                   "Bidirectional encoder; its final states then reach the decoder "
                   "through a linear layer (``bridge``, and ``bridge_cell`` for the "
                   "LSTM)."),
    dropout=("float", "Dropout between stacked recurrent layers, while training."),
    embedding_dropout=("float",
                       "While training, drop each distinct source token of a minibatch "
                       "with this probability, as AWD-LSTM's embedding dropout."),
    early_stopping=("bool",
                    "Hold out ``validation_fraction`` of the pairs, stop when their exact "
                    "match stops improving and restore the best weights."),
    batch_size=("int or 'auto'",
                "Pairs per minibatch, the last one smaller; 'auto' is "
                "``min(64, n_samples)``, as scikit-learn's MLP (whose cap is 200)."),
    embedding_dim=("int", "Size of the source token embedding."),
    target_embedding_dim=("int or None",
                          "Size of the target token embedding; None means "
                          "``embedding_dim``."),
    attention=("{'luong', 'bahdanau'} or None",
               "Luong's ``general`` score d·(W_a e), Bahdanau's additive score "
               "v·tanh(W_d d + W_e e + b) (both computed from the decoder's current "
               "output), or no attention: the decoder's output goes straight to the "
               "output layer and the source reaches it only through the initial state."),
    beam_width=("int",
                "1 decodes greedily; more keeps that many partial outputs of highest "
                "summed log-probability (no length normalisation)."),
    max_output_length=("int or None",
                       "Longest output predicted, in tokens; None is twice the longest "
                       "target of the first fit."),
    analyzer=("{'char', 'word'}",
              "Tokens of string inputs and outputs: characters, or words (split on white "
              "space, or by ``tokenizer``; outputs are joined with spaces). Sequences of "
              "integers are used as token ids whatever this is."),
    handle_unknown=("{'warn', 'ignore', 'error'}",
                    "What ``predict``, ``score`` and ``attention_weights`` do with a source "
                    "token never seen in fit (nothing trained an embedding for it): 'warn' "
                    "leaves it out of the source and warns, naming it; 'ignore' leaves it "
                    "out silently (as ``CountVectorizer`` does with unseen words); 'error' "
                    "raises a ValueError naming it. A source left with no token is an error "
                    "of ``predict`` and ``attention_weights`` whatever this is, and a miss "
                    "of ``score`` (with a warning under 'warn'; 'error' raises); an unseen "
                    "token in ``partial_fit`` is always an error."),
    source_tokens_=("tuple",
                    "The source vocabulary (characters, words or ids), in id order."),
    target_tokens_=("tuple",
                    "The target vocabulary; target ids 0 and 1 are the start and end "
                    "tokens, ``target_tokens_[i]`` has id ``i + 2``."),
    max_output_length_=("int", "The output length limit in use."),
    validation_scores_=("list of float or None",
                        "Exact match on the held-out pairs after every epoch with early "
                        "stopping, else None."),
)
class EncoderDecoder(BaseRecurrent):
    """Recurrent encoder–decoder with attention: maps strings (or token-id
    sequences) to strings of another length.

    The encoder (an embedding and recurrent layers, optionally bidirectional)
    reads the source; the decoder (an embedding and recurrent layers) starts
    from the encoder's final states and writes the output one token at a time,
    each step attending to all encoder outputs (Luong et al. 2015, global
    attention). Training is teacher forcing: the decoder reads the true
    previous token, and the loss is the cross-entropy of every output token
    and of the end token. The exact model is in the user guide (Seq2seq).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    RecurrentLanguageModel : Learns and generates text of one kind.
    TextSequencer : Raw text to token ids.

    Notes
    -----
    Inputs: an empty source string is an error (the encoder needs one step);
    an empty target is allowed (the model learns to end at once). At predict,
    a source token never seen in fit is left out with a warning (see
    ``handle_unknown``).

    Examples
    --------
    >>> from rnnsk import EncoderDecoder
    >>> X = ["12", "7", "30"]
    >>> Y = ["twelve", "seven", "thirty"]
    >>> model = EncoderDecoder(batch_size=3, max_iter=300, random_state=0).fit(X, Y)
    >>> model.predict(["7", "30"])
    ['seven', 'thirty']
    """

    _structure_parameters = BaseRecurrent._structure_parameters + (
        "attention", "target_embedding_dim", *_TOKENIZATION)

    _parameter_constraints = {
        **{name: constraint for name, constraint in BaseRecurrent._parameter_constraints.items()
           if name not in _NOT_SEQ2SEQ},
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "target_embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "attention": [StrOptions({"luong", "bahdanau"}), None],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "max_output_length": [Interval(Integral, 1, None, closed="left"), None],
        "analyzer": [StrOptions({"char", "word"})],
        "tokenizer": [callable, None],
        "handle_unknown": [StrOptions({"warn", "ignore", "error"})],
    }

    # learning_rate="constant": the schedule its measurements (docs/guide/seq2seq.md)
    # were made with.
    def __init__(self, *, cell="lstm", hidden_size=128, num_layers=1, bidirectional=False,
                 dropout=0.0, embedding_dropout=0.0, solver="adam", alpha=0.0, batch_size="auto",
                 learning_rate_init=0.005, max_iter=200, max_grad_norm=1.0, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, n_threads=None,
                 dtype="float32", learning_rate="constant", embedding_dim=32,
                 target_embedding_dim=None, attention="luong", beam_width=1,
                 max_output_length=None, analyzer="char", tokenizer=None,
                 handle_unknown="warn"):
        store_parameters(self, locals())

    # Not parameters: what the shared training loop reads of every estimator.
    bptt_steps = None
    device = "cpu"
    # batch_size='auto' is MLP's: min(64, n_samples) pairs per minibatch and a
    # smaller last one, the rule of docs/guide/seq2seq.md's measurements (the
    # sequence estimators' near-equal split did worse on the number-words example:
    # see docs/guide/defaults.md).
    _auto_batch_size = 64
    _auto_batches_near_equal = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y, sample_weight=None):
        """Fit the model to sources X and targets Y.

        Parameters
        ----------
        X : list of str, or list of 1-D int sequences
        Y : list of str, or list of 1-D int sequences, as many as X
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, _as_objects(Y, "Y"), sample_weight, incremental=False)

    @partial_fit_context
    def partial_fit(self, X, Y, sample_weight=None):
        """One epoch over (X, Y), continuing from the current weights. The
        vocabularies are those of the first call."""
        return self._fit(X, _as_objects(Y, "Y"), sample_weight, incremental=True)

    def predict(self, X):
        """The output of every source: strings when fitted on strings, else
        arrays of token ids."""
        return self._outputs(self._prediction_sources(X))

    def score(self, X, Y, sample_weight=None):
        """Exact-match accuracy: the fraction of sources whose whole predicted
        output equals the target. A source that holds no token seen in fit
        (which ``predict`` cannot read) counts as a miss, unless
        ``handle_unknown='error'``, as a target token never seen in fit does."""
        Y, X = _as_objects(Y, "Y"), _as_objects(X, "X")
        check_is_fitted(self, "model_")
        unknown = self._checked_for_prediction()
        _, tokens = self._all_tokens(X, "X", self._source_kind)
        _refuse_empty_sources(tokens)
        if len(Y) != len(X):
            raise ValueError(f"X holds {len(X)} sources but Y has {len(Y)} entries")
        weights = self._check_sample_weight(sample_weight, len(X))
        truth = [self._tokenize(y, self._target_kind, "Y") for y in Y]
        known = set(self.source_tokens_)
        readable = np.array([unknown == "error" or any(t in known for t in sequence)
                             for sequence in tokens], dtype=bool)
        if unknown == "warn" and not readable.all():
            unread = np.flatnonzero(~readable)
            warnings.warn(f"{len(unread)} source(s) hold no token seen in fit and count as "
                          f"misses: X[{', '.join(map(str, unread[:10]))}"
                          f"{', ...' if len(unread) > 10 else ''}] "
                          f"({_shown([t for i in unread for t in tokens[i]])})",
                          UserWarning, stacklevel=2)
        matches = np.zeros(len(Y))
        if readable.any():
            # As predict, at the same depth: a warning names the user's line
            # (_without_unknown).
            predicted = self._outputs(self._prediction_sources(X[readable]))
            matches[readable] = [truth[i] == self._tokenize(p, self._target_kind, "Y")
                                 for i, p in zip(np.flatnonzero(readable), predicted)]
        return float(np.average(matches, weights=weights))

    def attention_weights(self, X, Y=None):
        """Attention weights of each source over its output.

        Returns one array per source, of shape (output tokens + 1, source
        tokens): row t holds the weights with which the decoder, emitting
        output token t (the last row: the end token), read each source token.
        The output is the prediction, or ``Y`` when given (teacher forcing).
        """
        check_is_fitted(self, "model_")
        if self.model_.attention is None:
            raise ValueError("this EncoderDecoder was fitted with attention=None: it has no "
                             "attention weights")
        sources = self._prediction_sources(X)
        if Y is None:
            outputs = self._decode_all(sources)
        else:
            outputs = self._target_ids(_as_objects(Y, "Y"), self.target_tokens_)
            if len(outputs) != len(sources):
                raise ValueError(f"X holds {len(sources)} sources but Y has {len(outputs)} "
                                 "entries")
        targets = _padded_targets(outputs)
        with self._turns():
            _, weights = self.model_.forward(sources, _decoder_inputs(targets), targets.lengths,
                                             return_weights=True)
        return [w[:n, :m].astype(np.float64)
                for w, n, m in zip(weights, targets.lengths, sources.lengths)]

    def source_tokens(self, x):
        """The tokens of one source as the model reads them (labels of plots):
        without those never seen in fit, unless ``handle_unknown='error'``
        (where predict refuses such a source)."""
        tokens = self._tokenize(x, self._source_kind, "X")
        if self._checked_for_prediction() != "error":
            tokens = _without_unknown([tokens], self.source_tokens_, warn=False)[0]
        return list(tokens)

    def output_tokens(self, y):
        """The tokens of one output (labels of plots)."""
        return list(self._tokenize(y, self._target_kind, "Y"))

    # --------------------------------------------------------------- tokens --

    def _tokenize(self, item, kind, name):
        """The tokens of one source or target; kind 'text' or 'ids'."""
        if kind == "text":
            if not isinstance(item, str):
                raise TypeError(f"{name} holds strings in this model, got {type(item).__name__}")
            if self.analyzer == "char":
                return tuple(item)
            sequencer = TextSequencer(lowercase=False, token_pattern=r"\S+",
                                      tokenizer=self.tokenizer)
            tokens = tuple(tokens_of(sequencer._analyzer(), item, f"an entry of {name}"))
            refuse_tokens_not_str(tokens, name)  # (outputs are the tokens joined by spaces)
            return tokens
        ids = np.asarray(item)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(f"{name} must hold strings or 1-D sequences of integer token ids, "
                            f"got {item!r}")
        return tuple(int(i) for i in ids)

    def _all_tokens(self, items, name, kind=None):
        """(kind, tokens of every item); the kind of the first item decides
        unless ``kind`` is given."""
        items = list(_as_objects(items, name))
        if not items:
            raise ValueError(f"{name} is empty: at least 1 sample is required")
        if kind is None:
            kind = "text" if isinstance(items[0], str) else "ids"
        return kind, [self._tokenize(item, kind, name) for item in items]

    def _validate_sequences(self, X, *, reset, unknown="error"):
        """Sources as padded ids; tokens never seen in fit are an error, or
        (``unknown`` 'warn' / 'ignore', at prediction) left out."""
        kind, tokens = self._all_tokens(X, "X", None if reset else self._source_kind)
        _refuse_empty_sources(tokens)
        if unknown != "error":
            tokens = _without_unknown(tokens, self.source_tokens_, warn=unknown == "warn")
        vocabulary = (tuple(sorted({t for sequence in tokens for t in sequence})) if reset
                      else self.source_tokens_)
        ids = _ids(tokens, vocabulary, 0, "X")
        data = np.zeros((len(ids), max(len(s) for s in ids)), dtype=np.int64)
        for i, sequence in enumerate(ids):
            data[i, :len(sequence)] = sequence
        sequences = SourceSequences(data, np.array([len(s) for s in ids], dtype=np.int64),
                                    vocabulary, kind)
        return sequences

    def _target_ids(self, Y, vocabulary, kind=None):
        _, tokens = self._all_tokens(Y, "Y", kind or self._target_kind)
        return _ids(tokens, vocabulary, _FIRST_TARGET_ID, "Y")

    def _output(self, ids):
        tokens = [self.target_tokens_[i - _FIRST_TARGET_ID] for i in ids]
        if self._target_kind == "ids":
            return np.array(tokens, dtype=np.int64)
        return ("" if self.analyzer == "char" else " ").join(tokens)

    # ----------------------------------------------------- training hooks --

    def _vocabulary(self, sequences):
        return sequences.vocabulary, sequences.kind

    def _encode_targets(self, y, *, classes, reset, sample_weight):
        if reset:
            kind, tokens = self._all_tokens(y, "Y")
            vocabulary = tuple(sorted({t for sequence in tokens for t in sequence}))
            longest = max(len(sequence) for sequence in tokens)
            info = (vocabulary, kind, longest)
        else:
            info = (self.target_tokens_, self._target_kind, None)
        return _padded_targets(self._target_ids(y, info[0], info[1])), info

    def _set_target_info(self, info):
        self.target_tokens_, self._target_kind, longest = info
        self._longest_target = max(longest, 1)

    def _class_weights(self, targets, info):
        return 1.0

    def _stratify(self, targets):
        return None

    def _make_model(self, sequences, target_info, vocabulary, hidden_sizes, n_threads, device,
                    rng):
        source_vocabulary, source_kind = vocabulary
        model = EncoderDecoderModel(
            cell=self.cell, source_vocabulary_size=len(source_vocabulary),
            target_vocabulary_size=len(target_info[0]) + _FIRST_TARGET_ID,
            hidden_size=self.hidden_size, num_layers=self.num_layers,
            bidirectional=self.bidirectional, dropout=self.dropout,
            source_embedding_dim=self.embedding_dim,
            target_embedding_dim=self.target_embedding_dim or self.embedding_dim,
            attention=self.attention, dtype=np.dtype(self.dtype), random_state=rng,
            n_threads=n_threads)
        self.source_tokens_, self._source_kind = source_vocabulary, source_kind
        return model

    def _forward_backward(self, batch, targets, weights):
        # Teacher forcing: the decoder reads the targets shifted right.
        scores = self.model_.forward(batch, _decoder_inputs(targets), targets.lengths,
                                     training=True,
                                     seed=int(self._random_state.randint(2**31)))
        loss, d_scores = per_step(cross_entropy, scores, targets, weights)
        self.model_.backward(d_scores)
        return loss

    def _validation_score(self, sequences, targets, weights):
        predicted = self._decode(sequences)
        truth = [row[:length - 1] for row, length in zip(targets.values, targets.lengths)]
        matches = [np.array_equal(p, t) for p, t in zip(predicted, truth)]
        return float(np.average(matches, weights=weights))

    # ------------------------------------------------------------- decoding --

    @property
    def max_output_length_(self):
        check_is_fitted(self, "model_")
        if self.max_output_length is not None:
            return self.max_output_length
        return 2 * self._longest_target

    def _decode(self, sources):
        """Output ids (without the end token) of validated sources."""
        limit = self.max_output_length_
        decoded = []
        for first in range(0, len(sources), _PREDICT_CHUNK):
            chunk = sources.take(np.arange(first, min(first + _PREDICT_CHUNK, len(sources))))
            if self.beam_width == 1:
                decoded += greedy_decode(self.model_, chunk, limit)
            else:
                decoded += beam_search(self.model_, chunk, limit, self.beam_width)
        return decoded

    def _prediction_sources(self, X):
        """The sources of predict and attention_weights, their unseen tokens
        handled as ``handle_unknown`` says."""
        check_is_fitted(self, "model_")
        return self._validate_sequences(X, reset=False, unknown=self._checked_for_prediction())

    def _checked_for_prediction(self):
        """handle_unknown, after checking what prediction reads of the
        parameters: fit checks them, but these are read after it and may have
        been set since. Decoding settings may change freely (validated here);
        the tokenization may not (the vocabularies are made of its tokens)."""
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in _READ_BY_PREDICT},
            {name: getattr(self, name) for name in _READ_BY_PREDICT},
            caller_name=type(self).__name__)
        check_parameters_as_fitted(self, self._fitted_structure(_TOKENIZATION))
        return self.handle_unknown

    def _outputs(self, sources):
        """The predicted output of every source, as ``predict`` returns them."""
        return [self._output(ids) for ids in self._decode_all(sources)]

    def _decode_all(self, sources):
        with self._turns(), single_threaded_blas():
            self.model_.n_threads = self._check_n_threads()
            return self._decode(sources)

    def __setstate__(self, state):
        # Pickled before handle_unknown existed: unseen tokens were errors then.
        state.setdefault("handle_unknown", "error")
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        return tags


def _as_objects(Y, name):
    """Y as a 1-D object array of its items (strings or id sequences of any
    lengths), which the training loop indexes like any target array."""
    if isinstance(Y, str):
        raise ValueError(f"{name} must be a list of strings or of token-id sequences, got one "
                         "string")
    if not isinstance(Y, Iterable) or isinstance(Y, Mapping):
        raise TypeError(f"{name} must be a list of strings or of token-id sequences, got "
                        f"{type(Y).__name__}")
    items = list(Y)
    objects = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        objects[i] = item
    return objects


def _refuse_empty_sources(tokens):
    for i, sequence in enumerate(tokens):
        if not sequence:
            raise ValueError(f"X[{i}] is empty; every source needs at least one token")


def _without_unknown(tokens, vocabulary, *, warn):
    """Each source without the tokens outside ``vocabulary`` (a warning names
    them when ``warn``); a source left with none is an error."""
    known = set(vocabulary)
    kept = [tuple(t for t in sequence if t in known) for sequence in tokens]
    for i, sequence in enumerate(kept):
        if not sequence:
            raise ValueError(f"X[{i}] holds no token seen in fit: {_shown(tokens[i])}")
    unknown = {t for sequence in tokens for t in sequence if t not in known}
    if warn and unknown:
        warnings.warn(f"X holds {len(unknown)} token(s) not seen in fit, left out of the "
                      f"sources: {_shown(unknown)} (handle_unknown='ignore' leaves them out "
                      "silently, 'error' raises)", UserWarning,
                      stacklevel=5)  # above _validate_sequences, _prediction_sources, the method
    return kept


def _shown(tokens):
    """Up to ten distinct tokens, for messages."""
    distinct = sorted(set(tokens), key=repr)
    return ", ".join(repr(t) for t in distinct[:10]) + (", ..." if len(distinct) > 10 else "")


def _ids(tokens, vocabulary, first_id, name):
    """Token sequences as id arrays (``first_id`` + position in vocabulary);
    a token outside the vocabulary is an error naming it."""
    index = {token: i + first_id for i, token in enumerate(vocabulary)}
    unknown = {t for sequence in tokens for t in sequence if t not in index}
    if unknown:
        raise ValueError(f"{name} holds {len(unknown)} token(s) not seen in fit: "
                         f"{_shown(unknown)}")
    return [np.array([index[t] for t in sequence], dtype=np.int64) for sequence in tokens]


def _padded_targets(ids):
    """Targets of the decoder: each output's ids then the end token, padded."""
    lengths = np.array([len(s) + 1 for s in ids], dtype=np.int64)
    values = np.full((len(ids), int(lengths.max())), END, dtype=np.int64)
    for i, sequence in enumerate(ids):
        values[i, :len(sequence)] = sequence
    return PaddedSteps(values, lengths)


def _decoder_inputs(targets):
    """The decoder's inputs under teacher forcing: the start token, then the
    targets shifted right by one."""
    inputs = np.empty_like(targets.values)
    inputs[:, 0] = START
    inputs[:, 1:] = targets.values[:, :-1]
    return inputs
