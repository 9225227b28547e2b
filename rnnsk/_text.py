"""Raw text to sequences of token ids, for the estimators' embedding input."""
from collections import Counter
from numbers import Integral, Number

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._validation import SequenceOutputMixin

__all__ = ["TextSequencer", "TokenIds"]

# The id of every token outside the vocabulary.
OOV_ID = 0


class TokenIds(list):
    """What TextSequencer returns: a list of 1-D int64 arrays of token ids,
    marked as such so that an estimator without an embedding (whose inputs are
    numbers) can refuse it instead of reading ids as magnitudes."""


def tokens_of(analyzer, document, where):
    """The tokens ``analyzer`` makes of ``document``, or a TypeError naming the
    document ``where`` it stands instead of the AttributeError ('list' object has
    no attribute 'lower') or TypeError (a tokenizer returning None) from inside."""
    try:
        return list(analyzer(document))
    except (AttributeError, TypeError) as error:
        shown = repr(document)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise TypeError(f"{where}, {shown}, could not be tokenized ({type(error).__name__}: "
                        f"{error}): "
                        "documents are texts (str), or what a given tokenizer reads, and a "
                        "tokenizer returns an iterable of tokens") from error


def refuse_tokens_not_str(tokens, where):
    """A TypeError for a token that is not a str: models whose outputs are
    their tokens joined into text (generation, decoding) need strings, and a
    given tokenizer may return anything."""
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(f"tokenizer must return strings, got {token!r} (a "
                            f"{type(token).__name__}) among the tokens of {where}")


class TextSequencer(SequenceOutputMixin, TransformerMixin, BaseEstimator):
    """Turn raw documents into sequences of integer token ids.

    Each document is split into tokens exactly as
    :class:`~sklearn.feature_extraction.text.CountVectorizer` does (same
    ``analyzer``, ``lowercase``, ``token_pattern`` and ``tokenizer``), but
    instead of counting the tokens it keeps their order: the output is one 1-D
    array of ids per document, the input the recurrent estimators take when
    ``embedding_dim`` is set.

    Text without spaces between words (Chinese, Japanese) is read either
    character by character (``analyzer='char'``) or in words cut by a
    segmenter passed as ``tokenizer`` (for example ``jieba.lcut``).

    Ids: ``0`` stands for every token outside the vocabulary (out of
    vocabulary, OOV: unseen in ``fit``, too rare, or beyond ``max_tokens``);
    the vocabulary's ``V`` tokens get ids ``1`` to ``V``, the most frequent
    first. So every id that ``transform`` can produce is below
    ``vocabulary_size_ = V + 1``, whatever the documents.

    Parameters
    ----------
    analyzer : {'word', 'char'}, default='word'
        Tokens are words (found by ``token_pattern`` or ``tokenizer``) or
        single characters. With ``'char'``, as CountVectorizer's character
        analyzer, every character is a token, spaces and punctuation
        included, runs of white space counting as one space.
    max_tokens : int, default=None
        Keep at most this many tokens in the vocabulary, the most frequent in
        the training documents (the OOV id 0 is not counted). None keeps all
        that pass ``min_frequency``.
    min_frequency : int, default=1
        Leave out tokens that occur fewer times than this in all training
        documents together (total occurrences, not documents).
    lowercase : bool, default=True
        Lowercase the documents before tokenizing.
    token_pattern : str, default=``r"(?u)\\b\\w\\w+\\b"``
        Regular expression of a token (CountVectorizer's default: runs of 2 or
        more word characters; punctuation is dropped). If it has one capturing
        group, the group is the token. Ignored when ``tokenizer`` is given or
        ``analyzer='char'``.
    tokenizer : callable, default=None
        A function from a (lowercased) document to its list of tokens, used
        instead of ``token_pattern``: for example a word segmenter such as
        ``jieba.lcut``. Only with ``analyzer='word'``.

    Attributes
    ----------
    vocabulary_ : dict
        Token -> id, ids ``1`` to ``V``. Tokens are ordered by decreasing
        frequency in the training documents; ties are broken by the tokens'
        alphabetical (code point) order, so the ids depend neither on the
        order of the documents nor on hashing.
    vocabulary_size_ : int
        ``V + 1``: the number of ids, OOV included. Pass it as an estimator's
        ``vocabulary_size``.

    Notes
    -----
    A document with no token at all (empty, only punctuation or only one-letter
    words with the default pattern) becomes ``[0]``, one OOV token, rather than
    an empty array: the estimators need at least one time step per sequence
    (there is no final hidden state to classify otherwise), and "nothing known
    was said" is exactly what the OOV id means. Documents whose tokens are all
    unknown also become runs of 0.

    The vocabulary size of an estimator: left at ``vocabulary_size=None`` it is
    inferred in ``fit`` as the largest id it sees plus one. When the
    TextSequencer is fitted on the same documents, as in a Pipeline, every id
    ``1..V`` occurs in them, so the inferred size is ``vocabulary_size_`` and
    any later document (unknown tokens map to 0) stays inside it. Passing
    ``vocabulary_size=sequencer.vocabulary_size_`` explicitly is needed only
    when the estimator is fitted on other documents than the sequencer.

    The output is a list of arrays of different lengths (ragged), so there are
    no feature names (no ``get_feature_names_out``).

    See Also
    --------
    RecurrentClassifier : Classifies the sequences of ids, with ``embedding_dim``.
    RecurrentLanguageModel : Tokenizes its documents the same way.

    Examples
    --------
    >>> from rnnsk import TextSequencer
    >>> docs = ["the cat sat", "the dog sat down", "the cat ran"]
    >>> seq = TextSequencer().fit(docs)
    >>> seq.vocabulary_
    {'the': 1, 'cat': 2, 'sat': 3, 'dog': 4, 'down': 5, 'ran': 6}
    >>> seq.transform(["The cat chased the dog", "!!"])
    [array([1, 2, 0, 1, 4]), array([0])]
    >>> TextSequencer(analyzer="char").fit(["好看", "不好看"]).transform(["很好看"])
    [array([0, 1, 2])]
    """

    _parameter_constraints = {
        "analyzer": [StrOptions({"word", "char"})],
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "token_pattern": [str, None],
        "tokenizer": [callable, None],
    }

    def __init__(self, *, analyzer="word", max_tokens=None, min_frequency=1, lowercase=True,
                 token_pattern=r"(?u)\b\w\w+\b", tokenizer=None):
        self.analyzer = analyzer
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary of the documents X (an iterable of str)."""
        self._fit(self._tokenize(X))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return the id sequences (tokenizing once)."""
        documents = self._tokenize(X)
        self._fit(documents)
        return self._encode(documents)

    def transform(self, X):
        """Documents X as a list of 1-D int64 arrays of token ids (0 = OOV)."""
        check_is_fitted(self, "vocabulary_")
        return self._encode(self._tokenize(X))

    # ----------------------------------------------------------------------

    def _tokenize(self, X):
        if isinstance(X, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object "
                             "received.")
        if getattr(X, "ndim", 1) != 1:
            raise ValueError(f"X must be a 1-D iterable of documents, got an array of shape "
                             f"{X.shape}")
        documents = list(X)
        for i, document in enumerate(documents):
            # None or NaN: a missing text (a list of tokens is a document that
            # a tokenizer such as `lambda tokens: tokens` reads as it is).
            if document is None or isinstance(document, Number):
                raise TypeError(f"document {i} of X is {document!r}, not a text; fill or drop "
                                "missing texts first")
        analyzer = self._analyzer()
        return [tokens_of(analyzer, document, f"X[{i}]") for i, document in enumerate(documents)]

    def _analyzer(self):
        """CountVectorizer's function from a document to its tokens."""
        if self.analyzer == "char":
            if self.tokenizer is not None:
                raise ValueError("tokenizer is used only with analyzer='word'; "
                                 "analyzer='char' makes every character a token")
            return CountVectorizer(lowercase=self.lowercase, analyzer="char",
                                   ngram_range=(1, 1)).build_analyzer()
        if self.tokenizer is None and self.token_pattern is None:
            raise ValueError("token_pattern=None needs a tokenizer; give one or the other")
        return CountVectorizer(lowercase=self.lowercase, token_pattern=self.token_pattern,
                               tokenizer=self.tokenizer, analyzer="word").build_analyzer()

    def _fit(self, documents):
        if not documents:
            raise ValueError("TextSequencer needs at least one document to fit")
        counts = Counter(token for tokens in documents for token in tokens)
        ranked = sorted((token for token, count in counts.items()
                         if count >= self.min_frequency),
                        key=lambda token: (-counts[token], token))
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens]
        if not ranked:
            raise ValueError("empty vocabulary: no token occurs at least "
                             f"min_frequency={self.min_frequency} times in the documents"
                             if counts else "empty vocabulary: the documents hold no token "
                             "(check token_pattern or tokenizer)")
        self.vocabulary_ = {token: i for i, token in enumerate(ranked, start=1)}
        self.vocabulary_size_ = len(ranked) + 1

    def _encode(self, documents):
        vocabulary = self.vocabulary_
        sequences = []
        for tokens in documents:
            ids = np.fromiter((vocabulary.get(token, OOV_ID) for token in tokens),
                              dtype=np.int64, count=len(tokens))
            sequences.append(ids if len(ids) else np.full(1, OOV_ID, dtype=np.int64))
        return TokenIds(sequences)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
