"""What the estimators with one answer per step share (RecurrentTagger,
RecurrentStepRegressor): inputs that may be string tokens, targets that are one
sequence per input sequence, and the top layer's states for new X."""
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrent, not_finite_error
from ._char_encoder import CharCNN
from ._char_lstm import CharLSTM
from ._memory import check_embedding_fits
from ._network import single_threaded_blas
from ._tokens import TokenVocabulary, check_string_tokens, is_string_tokens
from ._validation import as_sequence_list

# The embedding size of string tokens when embedding_dim is None.
DEFAULT_TOKEN_EMBEDDING = 64


class BaseStepEstimator(BaseRecurrent):
    """Shared implementation of the per-step estimators."""

    _structure_parameters = BaseRecurrent._structure_parameters + (
        "char_encoder", "char_features", "token_bigrams")

    # (A per-step head has no readout.)
    _parameter_constraints = {
        **{name: rule for name, rule in BaseRecurrent._parameter_constraints.items()
           if name != "readout"},
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "char_encoder": [StrOptions({"cnn", "lstm"}), None],
        "char_features": [Interval(Integral, 1, None, closed="left")],
        "token_bigrams": [StrOptions({"both", "next"}), None],
    }

    # ---------------------------------------------------------------- input --

    def _validate_sequences(self, X, *, reset):
        strings = is_string_tokens(X)
        if reset or strings != hasattr(self, "vocabulary_"):
            _check_not_empty(X)  # [] and [[]] are neither kind: say what is empty
        if not reset and strings != hasattr(self, "vocabulary_"):
            fitted = "string tokens" if hasattr(self, "vocabulary_") else "numbers or token ids"
            raise ValueError(f"{type(self).__name__} was fitted on {fitted}; X must be the same")
        if not strings:
            return super()._validate_sequences(X, reset=reset)
        sequences = check_string_tokens(X)
        if reset:
            # Kept aside until the estimator is initialised: a later error in
            # fit must leave the estimator unchanged.
            self._new_vocabulary = TokenVocabulary(sequences, self.min_frequency,
                                                   with_chars=self.char_encoder is not None,
                                                   bigrams=self.token_bigrams)
            vocabulary = self._new_vocabulary
        else:
            vocabulary = self._tokens
        return vocabulary.encode(sequences)

    def _vocabulary(self, sequences):
        new = self.__dict__.get("_new_vocabulary")
        if new is None:
            return super()._vocabulary(sequences)
        check_embedding_fits(new.size, self._token_embedding_dim(), np.dtype(self.dtype),
                             f"a vocabulary of {new.size} tokens (X's strings)",
                             "Use a smaller embedding_dim, or a min_frequency that keeps fewer "
                             "tokens.")
        return new.size

    def _token_embedding_dim(self):
        return self.embedding_dim or DEFAULT_TOKEN_EMBEDDING

    def _input_options(self, vocabulary):
        new = self.__dict__.get("_new_vocabulary")
        if new is None:
            return super()._input_options(vocabulary)
        options = dict(vocabulary_size=vocabulary, embedding_dim=self._token_embedding_dim(),
                       token_channels=new.token_channels)
        if new.chars is not None:
            encoder = CharCNN if self.char_encoder == "cnn" else CharLSTM
            options["make_char_encoder"] = lambda rng: encoder(new.n_chars, self.char_features,
                                                               rng, np.dtype(self.dtype))
        return options

    def _initialize(self, sequences, target_info, vocabulary, hidden_sizes, n_threads, device,
                    rng):
        super()._initialize(sequences, target_info, vocabulary, hidden_sizes, n_threads, device,
                            rng)
        new = self.__dict__.pop("_new_vocabulary", None)
        if new is None:
            self.__dict__.pop("_tokens", None)
            self.__dict__.pop("vocabulary_", None)
        else:
            self._tokens = new
            self.vocabulary_ = dict(new.tokens)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        if self.bptt_steps is not None:
            raise ValueError(f"{type(self).__name__} needs bptt_steps=None: an answer at "
                             "every step needs the outputs of every step, and truncated "
                             "BPTT keeps only the last window's")
        try:
            return super()._fit(X, y, sample_weight, incremental=incremental, classes=classes)
        finally:
            self.__dict__.pop("_new_vocabulary", None)

    def _target_container(self, y, sequences):
        if (isinstance(y, np.ndarray) and y.ndim >= 2) or as_sequence_list(y) is not y:
            y = list(y)  # a 2-D array, or an object array or pandas Series of sequences
        if not isinstance(y, (list, tuple)):
            raise TypeError(f"{type(self).__name__} needs y as one sequence of targets per "
                            f"sequence of X (a list of arrays), got {type(y).__name__}")
        for i, entry in enumerate(y):
            if isinstance(entry, str) or np.ndim(entry) == 0:
                # A str is refused rather than read as its characters: a label such as
                # 'NOUN' would otherwise become four labels without a word said.
                raise ValueError(f"y[{i}] is the single value {entry!r}, but "
                                 f"{type(self).__name__} needs one target per step of each "
                                 "sequence (a list or array of them, e.g. list(y[i]) for one "
                                 "character per step); for one label per sequence use "
                                 "RecurrentClassifier or RecurrentRegressor")
        for i, entry in enumerate(y):
            if not (isinstance(entry, np.ndarray) and entry.dtype.kind in "fiub"):
                # A list such as ['N', nan] would become the strings 'N' and 'nan'.
                values = np.asarray(entry, dtype=object)
                if ((values == None) | (values != values)).any():  # noqa: E711 (elementwise)
                    raise ValueError(f"y[{i}] contains a missing value (NaN or None): every "
                                     "step needs a target")
        targets = [np.asarray(entry) for entry in y]
        for i, entry in enumerate(targets):
            if entry.dtype.kind == "c":  # never silently drop the imaginary part
                raise ValueError(f"Complex data not supported: y[{i}] has dtype {entry.dtype}")
        if len(targets) == len(sequences):
            for i, (entry, length) in enumerate(zip(targets, sequences.lengths)):
                found = len(entry)
                if found != length:
                    raise ValueError(f"y[{i}] has {found} targets but sequence {i} of X has "
                                     f"{length} steps; every sequence needs one target per "
                                     "step")
        return targets

    def _stratify(self, targets):
        return None

    def _class_weights(self, targets, info):
        return 1.0

    # ------------------------------------------------------------ inference --

    def _step_outputs(self, X, per_chunk):
        """``per_chunk(sequences, scores)`` -> padded (B, T, ...) array, for the
        head's scores of every chunk of X, as one array per sequence."""
        result = []
        # As in fit (see _base.py): the head's products are small for BLAS threads.
        with self._turns(), single_threaded_blas():
            for chunk in self._inference_chunks(X):
                scores = self.model_.forward(chunk)
                if not np.all(np.isfinite(scores[np.arange(scores.shape[1]) <
                                                 chunk.lengths[:, None]])):
                    raise not_finite_error()
                padded = per_chunk(chunk, scores)
                result.extend(row[:length] for row, length in zip(padded, chunk.lengths))
        return result

    def token_ids(self, X):
        """The padded ids the network reads for string tokens X: what the
        module of ``rnnsk.to_torch`` takes.

        Returns
        -------
        ids : ndarray of shape (n_samples, max_length) or (n_samples, max_length, K)
            int64 ids; per step: the token's id in ``vocabulary_`` (0 for any
            other token), then with ``token_bigrams`` the ids of its pairs
            with the previous token (``'both'``) and with the next token, then
            with a character encoder its characters' ids
            (0 pads). 2-D when the token's id is all there is.
        lengths : ndarray of shape (n_samples,)
            The number of tokens of each sequence (the rest is padding).
        """
        check_is_fitted(self)
        if not hasattr(self, "vocabulary_"):
            raise ValueError(f"{type(self).__name__} was fitted on numbers or token ids, "
                             "which it reads as they are; token_ids is for string tokens")
        sequences = self._validate_sequences(X, reset=False)
        return sequences.data, sequences.lengths

    def hidden_states(self, X):
        """The top recurrent layer's states for sequences X: what Keras's
        ``return_sequences=True, return_state=True`` and PyTorch's
        ``output, h_n`` give.

        Returns
        -------
        outputs : list of ndarray of shape (n_timesteps_i, D)
            The top layer's output at every step of each sequence; D is
            ``hidden_size`` (of the last layer), doubled when bidirectional
            (forward half first, as torch concatenates them).
        final : ndarray of shape (n_samples, D)
            Each sequence's final state: the forward direction's after its last
            step, the reverse direction's after reading back to its first
            (torch's ``h_n`` of the top layer, both directions concatenated).
        """
        outputs, finals = [], []
        with self._turns():
            chunks = self._inference_chunks(X)
            tops = [self.model_.run_blocks(chunk)[0] for chunk in chunks]
        for chunk, top in zip(chunks, tops):
            outputs.extend(row[:length].astype(np.float64)
                           for row, length in zip(top.outputs, chunk.lengths))
            finals.append(top.final.astype(np.float64))
        return outputs, np.concatenate(finals)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y is one sequence per sample, not a column.
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = False
        tags.target_tags.two_d_labels = False
        tags.input_tags.string = True
        return tags


def _check_not_empty(X):
    """A ValueError naming an empty X or its first empty sequence, if any."""
    if not isinstance(X, (list, tuple)):
        return
    if not X:
        raise ValueError("X is empty: at least 1 sequence is required")
    for i, sequence in enumerate(X):
        if hasattr(sequence, "__len__") and len(sequence) == 0:
            raise ValueError(f"X[{i}] is an empty sequence; every sequence needs at least "
                             "one step (token)")
