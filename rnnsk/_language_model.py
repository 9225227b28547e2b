"""A recurrent language model over characters or words: fit on documents,
score held-out text, predict the next token, generate text.

Training reads all documents as one stream of token ids with an end-of-document
token before and after each, split into ``batch_size`` parallel streams that are
read in windows of ``bptt_steps`` tokens, the state carried from one window to
the next (truncated backpropagation through time, the classic Penn Treebank
setup of Zaremba et al. 2014). The training loop, optimizer and model are the
other estimators' (``_base.py``, ``_model.py``); this file says how text becomes
windows and targets, and how the model is read token by token.
"""
from numbers import Integral, Real

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrent, _to_numpy
from ._docstrings import TRAINING_ATTRIBUTES, numpydoc_sections
from ._incremental import IncrementalState
from ._memory import check_embedding_fits
from ._losses import PaddedSteps, cross_entropy, per_step
from ._model import _window
from ._network import single_threaded_blas
from ._parameters import check_parameters_as_fitted, partial_fit_context, store_parameters
from ._sampling import check_sampling, next_tokens
from ._text import TextSequencer, refuse_tokens_not_str
from ._token_head import TokenHead
from ._validation import Sequences, check_parameter_mapping

# Token ids: 0 is every token outside the vocabulary (TextSequencer's), the
# vocabulary's tokens follow, the end-of-document token is the last id.
UNKNOWN_ID = 0

# Scores held at once while scoring: rows x steps x vocabulary values.
_SCORE_BLOCK = 2**22

# (A language model has a per-step head, no readout, and reads token ids, which
# are never standardized.)
_NOT_LM = {"bidirectional", "vocabulary_size", "shuffle", "readout", "standardize"}
# How documents become tokens: fixed by the first fit (the vocabulary is made of
# its tokens), so a warm start refuses another and so do scoring and generating.
_TOKENIZATION = ("analyzer", "lowercase", "token_pattern", "tokenizer")


@numpydoc_sections(
    attributes=("tokens_", "vocabulary_", *TRAINING_ATTRIBUTES),
    dropout=("float",
             "Dropout on the outputs of every layer, the top one included (before the "
             "decoder), while training (Zaremba et al. 2014)."),
    embedding_dim=("int or None",
                   "Size of the token embedding; None uses the top layer's hidden size."),
    embedding_dropout=("float",
                       "Probability of dropping a word while training: every occurrence of "
                       "a dropped token in the minibatch reads a zero vector (AWD-LSTM's "
                       "embedding dropout)."),
    batch_size=("int or 'auto'",
                "Parallel streams of the training text; 'auto' is 32 (fewer when the text "
                "has fewer tokens)."),
    early_stopping=("bool",
                    "Hold out the last ``validation_fraction`` of every stream's windows, "
                    "stop when :meth:`score`'s measure on them stops improving and restore "
                    "the best weights."),
    bptt_steps=("int", "Tokens per training window."),
    analyzer=("{'char', 'word'}",
              "Tokens are characters, or words split as :class:`~rnnsk.TextSequencer` "
              "does (with ``lowercase``, ``token_pattern``, ``tokenizer``, "
              "``max_tokens`` and ``min_frequency``)."),
    lowercase=("bool", "Lowercase the documents before tokenizing."),
    token_pattern=("str",
                   "With ``analyzer='word'``, the regular expression of a word, as "
                   ":class:`~rnnsk.TextSequencer`'s."),
    max_tokens=("int or None",
                "Keep at most this many tokens in the vocabulary, the most frequent; the "
                "others become the unknown token ``'<unk>'``. None keeps all."),
    weight_dropout=("float",
                    "DropConnect on the recurrent weights ``W_hh`` of every layer "
                    "(AWD-LSTM, Merity et al. 2018): each minibatch draws one mask, held "
                    "over all its steps, and trains the masked, rescaled weights; the "
                    "gradient reaches the kept weights only. Exact; CPU only."),
    tie_weights=("bool",
                 "Use the embedding matrix as the decoder's weight (Press & Wolf 2017); "
                 "needs ``embedding_dim`` equal to the top layer's hidden size (no "
                 "projection is inserted)."),
    tokens_=("list of str",
             "The token of every id: ``tokens_[0]`` is ``'<unk>'``, the last is the "
             "end-of-document token ``'</d>'``; columns of :meth:`predict_proba`."),
    vocabulary_=("dict",
                 "Token -> id, for the vocabulary's tokens (ids 1 to "
                 "``len(tokens_) - 2``)."),
    loss_=("float or None", "Mean cross-entropy per token (in nats) of the last epoch "
                            "(None when no epoch completed: training diverged in the "
                            "first)."),
    validation_scores_=("list of float or None",
                        "Score (:meth:`score`'s measure) of the held-out windows after every "
                        "epoch with early stopping, else None."),
)
class RecurrentLanguageModel(BaseRecurrent):
    """Recurrent language model of text (characters or words): learns the
    probability of the next token, scores text and generates it.

    Tokens are characters (``analyzer='char'``) or words split as
    :class:`~rnnsk.TextSequencer` does (``analyzer='word'`` with its
    ``lowercase``, ``token_pattern``, ``tokenizer``, ``max_tokens`` and
    ``min_frequency``). Each document is read with an end-of-document token
    before it (the context a document starts from) and after it (the model
    learns where documents end).

    Training reads the documents of ``fit`` as one stream split into
    ``batch_size`` parallel streams (the last ``n_tokens mod batch_size`` tokens
    are left out), each read in windows of ``bptt_steps`` tokens; the state
    reached at the end of a window starts the next window of the same stream,
    and gradients stop at window borders (truncated backpropagation through
    time). Memory is therefore bounded by ``batch_size x bptt_steps`` however
    long the text. One epoch is one pass over the windows, in order (there is no
    shuffling: it would break the carried state).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TextSequencer : The tokenizer of ``analyzer='word'``.
    EncoderDecoder : Maps strings to strings.

    Notes
    -----
    ``score`` and ``perplexity`` read each document on its own from the
    end-of-document token, as :meth:`generate` does; training's documents see
    the previous ones through the carried state. Unknown tokens in scored text
    count as ``'<unk>'`` (improbable unless the vocabulary was cut by
    ``max_tokens`` or ``min_frequency``); a prefix or prompt with unknown tokens
    is an error. Generation never produces ``'<unk>'``.

    Examples
    --------
    >>> from rnnsk import RecurrentLanguageModel
    >>> documents = ["abcabcabcabc", "bcabcabcabca", "cabcabcabcab"] * 4
    >>> lm = RecurrentLanguageModel(hidden_size=16, num_layers=1, bptt_steps=10,
    ...                             max_iter=40, random_state=0).fit(documents)
    >>> lm.tokens_
    ['<unk>', 'a', 'b', 'c', '</d>']
    >>> lm.generate("ab", max_tokens=4, temperature=0)
    'cabc'
    """

    bidirectional = False  # a language model reads left to right
    unknown_token = "<unk>"
    end_token = "</d>"

    # bptt_steps is only the length of the training streams here (prediction
    # carries the state across windows, whatever their length): free to change.
    _structure_parameters = tuple(name for name in BaseRecurrent._structure_parameters
                                  if name != "bptt_steps") + ("tie_weights", *_TOKENIZATION)

    _parameter_constraints = {
        **{name: rule for name, rule in BaseRecurrent._parameter_constraints.items()
           if name not in _NOT_LM},
        "analyzer": [StrOptions({"char", "word"})],
        "lowercase": ["boolean"],
        "token_pattern": [str, None],
        "tokenizer": [callable, None],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "embedding_dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_dropout": [Interval(Real, 0, 1, closed="left")],
        "tie_weights": ["boolean"],
        "bptt_steps": [Interval(Integral, 1, None, closed="left")],
    }

    # The initialisation and schedule its tests and measurements were made with
    # (the sequence estimators' defaults were measured on whole sequences).
    # dropout=0.3: against 0.1, held-out bits per character level after the 20
    # epochs on 1.1 million characters of the Bible (1.318 both) and better on
    # 200,000 (1.665 -> 1.626) and 50,000 (2.448 -> 2.392), where 0.1 overfits
    # (docs/language_model.md).
    def __init__(self, *, cell="lstm", hidden_size=256, num_layers=2, dropout=0.3,
                 embedding_dim=None, embedding_dropout=0.0, solver="adam", alpha=0.0,
                 batch_size="auto", learning_rate_init=0.002, max_iter=20, max_grad_norm=1.0,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, n_threads=None,
                 dtype="float32", bptt_steps=100, device="cpu", init="pytorch",
                 learning_rate="constant", analyzer="char", lowercase=False,
                 token_pattern=r"(?u)\b\w\w+\b", tokenizer=None, max_tokens=None, min_frequency=1,
                 weight_dropout=0.0, tie_weights=False):
        store_parameters(self, locals())

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to the documents X (a list of str). y is ignored."""
        return self._fit(X, y, None, incremental=False)

    @partial_fit_context
    def partial_fit(self, X, y=None):
        """One epoch over the documents X, continuing from the current weights
        (the vocabulary is that of the first call)."""
        return self._fit(X, y, None, incremental=True)

    # ------------------------------------------------------------ the text --

    def _sequencer(self):
        """The tokenizer and vocabulary builder of ``analyzer``."""
        if self.analyzer == "char":
            return TextSequencer(max_tokens=self.max_tokens, min_frequency=self.min_frequency,
                                 lowercase=self.lowercase, token_pattern=None, tokenizer=list)
        return TextSequencer(max_tokens=self.max_tokens, min_frequency=self.min_frequency,
                             lowercase=self.lowercase, token_pattern=self.token_pattern,
                             tokenizer=self.tokenizer)

    def _tokenize(self, X, name="X"):
        if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
            raise ValueError(f"{name} must be a list of documents (str), got "
                             f"{type(X).__name__}; wrap a single text in a list")
        documents = list(X)
        for i, document in enumerate(documents):
            if not isinstance(document, str):
                raise TypeError(f"{name}[{i}] must be a str, got {type(document).__name__}")
        tokens = self._sequencer()._tokenize(documents)
        if self.tokenizer is not None and self.analyzer != "char":  # (generation joins them)
            for i, document in enumerate(tokens):
                refuse_tokens_not_str(document, f"{name}[{i}]")
        return tokens

    def _ids(self, tokens, vocabulary, *, strict=False, name="X"):
        """Token lists as id arrays (unknown tokens: UNKNOWN_ID, or an error
        with ``strict``)."""
        if strict:
            unknown = sorted({t for document in tokens for t in document} - set(vocabulary))
            if unknown:
                raise ValueError(f"{name} holds tokens the model has never seen: "
                                 f"{unknown[:10]!r}; the vocabulary is in tokens_")
        return [np.fromiter((vocabulary.get(t, UNKNOWN_ID) for t in document), np.int64,
                            count=len(document)) for document in tokens]

    def _end_id(self):
        return len(self.tokens_) - 1

    def _documents(self, ids, end):
        """Rows [end, document...] and their targets [document..., end]."""
        rows = [np.concatenate([[end], document]) for document in ids]
        lengths = np.array([len(row) for row in rows], np.int64)
        data = np.zeros((len(rows), int(lengths.max())), np.int64)
        targets = np.zeros_like(data)
        for i, (row, document) in enumerate(zip(rows, ids)):
            data[i, :len(row)] = row
            targets[i, :len(document)] = document
            targets[i, len(document)] = end
        return Sequences(data, lengths, False), PaddedSteps(targets, lengths)

    # ------------------------------------------------------------- training --

    def _training_data(self, X, y, sample_weight, *, reset, classes):
        tokens = self._tokenize(X)
        if not tokens:
            raise ValueError("X must hold at least one document")
        if not any(tokens):
            raise ValueError("X holds no text to learn from: every document is empty (or "
                             "has no token of token_pattern)")
        if reset:
            sequencer = self._sequencer()
            sequencer._fit(tokens)
            vocabulary = sequencer.vocabulary_
        else:
            vocabulary = self.vocabulary_
        end = len(vocabulary) + 1
        ids = self._ids(tokens, vocabulary)
        stream = np.concatenate([[end]] + [np.append(document, end) for document in ids])
        n_streams = min(32 if self.batch_size == "auto" else self.batch_size, len(stream) - 1)
        length = (len(stream) - 1) // n_streams
        columns = np.arange(n_streams)[:, None] * length + np.arange(length)
        inputs, targets = stream[columns], stream[columns + 1]
        # Window w of stream b is sample w * n_streams + b: each minibatch is a
        # window of every stream, and the windows come in reading order.
        window = self.bptt_steps
        n_windows = -(-length // window)
        width = n_windows * window
        padded = np.zeros((2, n_streams, width), np.int64)
        padded[0, :, :length], padded[1, :, :length] = inputs, targets
        windows = padded.reshape(2, n_streams, n_windows, window).transpose(0, 2, 1, 3)
        windows = windows.reshape(2, n_windows * n_streams, window)
        lengths = np.clip(length - np.repeat(np.arange(n_windows), n_streams) * window, 0,
                          window)
        self._n_streams = n_streams
        return (Sequences(np.ascontiguousarray(windows[0]), lengths, False),
                PaddedSteps(np.ascontiguousarray(windows[1]), lengths),
                np.ones(len(lengths)), vocabulary, 1.0)

    def _set_target_info(self, vocabulary):
        self.vocabulary_ = dict(vocabulary)
        self.tokens_ = ([self.unknown_token] + sorted(vocabulary, key=vocabulary.get)
                        + [self.end_token])

    def _vocabulary(self, sequences):
        # The end-of-document token has the largest id and is in every stream.
        size = int(sequences.data.max()) + 1
        check_embedding_fits(size, self._embedding_dim(), np.dtype(self.dtype),
                             f"a vocabulary of {size} tokens",
                             "Use a smaller embedding_dim, or max_tokens to keep fewer tokens.")
        return size

    def _embedding_dim(self):
        if self.embedding_dim is not None:
            return self.embedding_dim
        return self._hidden_sizes()[-1]

    def _input_options(self, vocabulary):
        if self.tie_weights and self._embedding_dim() != self._hidden_sizes()[-1]:
            raise ValueError(f"tie_weights=True needs embedding_dim ({self.embedding_dim}) "
                             f"equal to the top layer's hidden size "
                             f"({self._hidden_sizes()[-1]}), or embedding_dim=None")
        return dict(vocabulary_size=vocabulary, embedding_dim=self._embedding_dim())

    def _model_options(self):
        return dict(bidirectional=False)

    def _make_head(self, n_features, vocabulary, rng):
        # The vocabulary's tokens, the unknown and the end-of-document token.
        return TokenHead(n_features, len(vocabulary) + 2, rng, np.dtype(self.dtype),
                         dropout=self.dropout, tied=self.tie_weights)

    def _minibatches(self, n_samples, batch_size):
        # Every epoch starts every stream from zero states.
        self._carried = None
        streams = self._n_streams
        for first in range(0, n_samples, streams):
            yield np.arange(first, min(first + streams, n_samples))
        self._carried = None

    def _forward_backward(self, batch, targets, weights):
        model = self.model_
        seed = int(self._random_state.randint(2**31))
        dropped = self._drop_recurrent_weights(seed) if self.weight_dropout > 0 else []
        try:
            top, finals = model.run_blocks(batch, self._carried, training=True, seed=seed)
            scores = model.head.forward(top, True)
            loss, d_scores = per_step(cross_entropy, scores, targets, weights)
            model.backward(d_scores)
        finally:
            for weight, kept, _, _ in dropped:
                weight[...] = kept
        for _, _, gradient, scale in dropped:
            gradient *= scale
        self._carried = finals
        return loss

    def _drop_recurrent_weights(self, seed):
        """Every W_hh replaced in place by W_hh * mask / (1 - p) for this
        minibatch; returns (weight, original, gradient, mask / (1 - p)) so that
        the caller restores the weights and scales their gradients."""
        if self.model_.device != "cpu":
            raise ValueError("weight_dropout runs on the CPU only; use device='cpu'")
        rng = np.random.default_rng([seed, 1])
        dropped = []
        for block in self.model_.blocks:
            for name, weight in block.parameters.items():
                if name.startswith("weight_hh"):
                    keep = rng.random(weight.shape) >= self.weight_dropout
                    scale = (keep / (1 - self.weight_dropout)).astype(weight.dtype)
                    dropped.append((weight, weight.copy(), block.gradients[name], scale))
                    weight *= scale
        return dropped

    def _split(self, sequences, targets, weights, rng):
        """The last ``validation_fraction`` of every stream's windows held out."""
        n_windows = len(sequences) // self._n_streams
        held_out = max(1, int(round(n_windows * self.validation_fraction)))
        if held_out >= n_windows:
            raise ValueError(f"early_stopping needs at least 2 windows of bptt_steps="
                             f"{self.bptt_steps} tokens per stream, the text gives "
                             f"{n_windows}; give more text or lower bptt_steps or batch_size")
        train = np.arange((n_windows - held_out) * self._n_streams)
        rest = np.arange(len(train), len(sequences))
        return ((sequences.take_rows(train), targets[train], weights[train]),
                (sequences.take_rows(rest), targets[rest], weights[rest]))

    def _validation_score(self, sequences, targets, weights):
        total, count, states = 0.0, 0, None
        for batch in self._minibatches(len(sequences), None):
            part, states = self._sum_log_probs(sequences.take(batch), targets[batch], states)
            total += part
            count += int(targets[batch].lengths.sum())
        return total / count

    # ------------------------------------------------------------ inference --

    def _sum_log_probs(self, sequences, targets, initial):
        """Sum of the log-probabilities of the targets at the real steps of a
        padded batch read from ``initial`` states, and the final states."""
        top, finals = self.model_.run_blocks(sequences, initial)
        log_p = log_softmax(self.model_.head.scores(top.outputs).astype(np.float64), axis=2)
        picked = np.take_along_axis(log_p, targets.values[:, :log_p.shape[1], None], axis=2)
        return float(picked[..., 0][targets.real()].sum()), finals

    def _check_fitted(self):
        check_is_fitted(self, "model_")
        # Scoring and generating tokenize again: as the fit did, or not at all.
        check_parameters_as_fitted(self, self._fitted_structure(_TOKENIZATION))
        self.model_.n_threads = self._check_n_threads()

    def _document_log_likelihood(self, X):
        """(sum of log-probabilities, number of tokens) of the documents X."""
        self._check_fitted()
        ids = self._ids(self._tokenize(X), self.vocabulary_)
        if not ids:
            raise ValueError("X holds no documents to score")
        window = self.bptt_steps
        per_row = max(1, _SCORE_BLOCK // (window * len(self.tokens_)))
        order = np.argsort([-len(document) for document in ids], kind="stable")
        total, count = 0.0, 0
        for first in range(0, len(order), per_row):
            chunk = [ids[i] for i in order[first:first + per_row]]
            sequences, targets = self._documents(chunk, self._end_id())
            states = None
            # Window by window, the state carried (rows sorted by length: the
            # ones still reading are a prefix).
            for start in range(0, int(sequences.lengths.max()), window):
                lengths = np.clip(sequences.lengths - start, 0, window)
                reading = int(np.count_nonzero(lengths))
                rows = np.arange(reading)
                starts = np.full(reading, start)
                part, finals = self._sum_log_probs(
                    _window(sequences.take_rows(rows), starts, lengths[:reading]),
                    PaddedSteps(_window(Sequences(targets.values[:reading], sequences.lengths[
                        :reading], False), starts, lengths[:reading]).data, lengths[:reading]),
                    None if states is None else [[s[:, :reading] for s in block]
                                                 for block in states])
                states = finals
                total += part
            count += int(sequences.lengths.sum())
        return total, count

    def score(self, X, y=None):
        """Mean log-likelihood per token of the documents X, in nats (each
        document's tokens and its end count; higher is better). y is ignored."""
        with self._turns():
            total, count = self._document_log_likelihood(X)
        return total / count

    def perplexity(self, X):
        """``exp(-score(X))``: the model's average branching factor on X."""
        return float(np.exp(-self.score(X)))

    def _prompt_states(self, prefixes, name):
        """Every block's states after reading each prefix (from the
        end-of-document token) and the top layer's output there."""
        tokens = self._tokenize(prefixes, name)
        if len(tokens) == 0:
            raise ValueError(f"{name} holds no prefixes to predict the next token after")
        ids = self._ids(tokens, self.vocabulary_, strict=True, name=name)
        sequences, _ = self._documents(ids, self._end_id())
        states = self.model_._carry_state(sequences, sequences.lengths, self.bptt_steps)
        return states, states[-1][0][-1]

    def predict_proba(self, X):
        """Probability of every token (columns: ``tokens_``) coming next after
        each prefix in X (a list of str; '' is the start of a document)."""
        self._check_fitted()
        with self._turns():
            _, top = self._prompt_states(X, "X")
        return softmax(self.model_.head.scores(top).astype(np.float64), axis=1)

    def generate(self, prompt="", max_tokens=100, *, temperature=1.0, top_k=None, top_p=None,
                 n_samples=None, random_state=None):
        """Text that continues ``prompt`` (the continuation only).

        Samples one token at a time from the model, until the end-of-document
        token or ``max_tokens`` tokens. ``temperature`` (0 = greedy), ``top_k``
        and ``top_p`` shape the distribution (see Notes of the class);
        ``random_state`` fixes the draws. With ``n_samples``, returns a list of
        that many samples drawn together (one batched step per token).
        """
        self._check_fitted()
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, Integral) or max_tokens < 0:
            raise ValueError(f"max_tokens must be an int >= 0, got {max_tokens!r}")
        if n_samples is not None and (isinstance(n_samples, bool)
                                      or not isinstance(n_samples, Integral) or n_samples < 1):
            raise ValueError(f"n_samples must be a positive int or None, got {n_samples!r}")
        check_sampling(temperature, top_k, top_p)
        rng = check_random_state(random_state)
        batch = 1 if n_samples is None else int(n_samples)
        with self._turns():
            states, _ = self._prompt_states([prompt], "prompt")
            tokens = generate_tokens(
                self.model_,
                [[state.repeat(batch, axis=1) for state in block] for block in states],
                max_tokens, self._end_id(), rng, temperature=temperature, top_k=top_k,
                top_p=top_p, banned=[UNKNOWN_ID])
        separator = "" if self.analyzer == "char" else " "
        texts = [separator.join(self.tokens_[t] for t in row) for row in tokens]
        return texts[0] if n_samples is None else texts

    # With tie_weights, the decoder's weight is the embedding: exported under
    # both names, as torch's state_dict of a tied module lists it.
    def _export_head(self, state):
        if self.model_.head.ties_embedding:
            state["head.weight"] = state["embedding.weight"].copy()
        return state

    def load_state_dict(self, state_dict):
        check_is_fitted(self, "model_")
        state = dict(check_parameter_mapping(state_dict))
        if self.model_.head.ties_embedding and "head.weight" in state:
            decoder = np.asarray(_to_numpy(state.pop("head.weight")))
            embedding = np.asarray(_to_numpy(state.get("embedding.weight", decoder)))
            if decoder.shape != embedding.shape or not np.array_equal(decoder, embedding):
                raise ValueError("this model ties its weights: head.weight must equal "
                                 "embedding.weight (or be left out)")
        return super().load_state_dict(state)

    def __sklearn_tags__(self):
        tags = BaseEstimator.__sklearn_tags__(self)
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = False
        return tags


def generate_tokens(model, states, max_tokens, end, rng, *, banned=(), **sampling):
    """Token ids sampled from ``model`` (embedding, blocks, a head with
    ``scores``) for a batch of streams starting from ``states`` (per block
    [h] or [h, c]): one list per stream, ending before ``end`` or after
    ``max_tokens`` tokens."""
    batch = states[0][0].shape[1]
    # Grown step by step, not allocated for max_tokens: generation usually ends
    # at the end token long before a generous max_tokens.
    steps = []
    running = np.ones(batch, bool)
    if max_tokens == 0:
        return [[] for _ in range(batch)]
    stepper = IncrementalState(model.blocks, states)
    with single_threaded_blas():
        scores = model.head.scores(stepper.top)
        for i in range(max_tokens):
            tokens = next_tokens(scores, rng, banned=banned, **sampling)
            tokens[~running] = end
            steps.append(tokens)
            running &= tokens != end
            if not running.any() or i + 1 == max_tokens:
                break
            scores = model.head.scores(stepper.advance(model.embedding[tokens]))
    chosen = np.stack(steps, axis=1)
    return [list(row[:np.argmax(row == end)] if (row == end).any() else row)
            for row in chosen]
