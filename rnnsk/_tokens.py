"""Sequences of string tokens (words, characters) as the ids a tagger's
embedding and character encoder read.

A tagger fitted on string tokens learns a vocabulary: id 0 stands for every
token outside it (out of vocabulary, OOV), the others get ids 1..V by
decreasing frequency (ties in code-point order). With a character encoder each
token also carries the ids of its first MAX_TOKEN_CHARS characters (0 pads, 1
is any character not seen in fit), so an OOV token is still told apart by its
spelling. With bigrams each token also carries the id of its pair with the
previous token (the first token's pair is with START; only with bigrams='both')
and of its pair with the next one (the last token's is with END), looked up in
the same embedding table after the tokens: the c_{i-1} c_i and c_i c_{i+1}
features of Chinese word segmentation.
"""
from collections import Counter
from collections.abc import Iterable

import numpy as np

from ._char_encoder import PAD_CHAR, UNKNOWN_CHAR
from ._validation import Sequences, is_text

OOV_ID = 0
# Longer tokens keep their first this many characters for the character encoder.
MAX_TOKEN_CHARS = 20
# A pair seen fewer times than this in fit shares the unknown pair's id: test
# text has many unseen pairs, and that id's vector is trained only if some
# training pairs take it.
MIN_BIGRAM_FREQUENCY = 2
# What precedes a sequence's first token and follows its last one in their pairs
# (empty tokens are refused in X, and the side within the pair tells them apart).
START = END = ""
# The pairs of every token with its neighbours, per value of the bigrams option:
# 'next' pairs each token with the next one, 'both' also with the previous one.
BIGRAM_CHANNELS = {None: 0, "next": 1, "both": 2}


def is_string_tokens(X):
    """Whether X is a list of sequences of str (a str itself being the
    sequence of its characters), or a table (2-D array or DataFrame) of words
    (not numbers written as strings, which check_array reads as numbers)."""
    if getattr(X, "ndim", None) == 2 and not isinstance(X, (list, tuple)):
        return is_text(X)
    if not isinstance(X, (list, tuple)) and getattr(X, "ndim", None) == 1:
        X = list(np.asarray(X, dtype=object))  # arrays and pandas Series of sequences
    if not isinstance(X, (list, tuple)) or not X:
        return False
    return _holds_strings(X[0])


def _holds_strings(sequence):
    """Whether a first sequence is one of string tokens: a str, or any str
    among its items (so that a None or a number beside them is named by
    check_string_tokens rather than read as a number)."""
    if isinstance(sequence, str):
        return True
    if isinstance(sequence, np.ndarray):
        return sequence.dtype.kind == "U" or (sequence.dtype.kind == "O" and any(
            isinstance(token, str) for token in sequence.flat))
    return isinstance(sequence, (list, tuple)) and any(isinstance(t, str) for t in sequence)


def check_string_tokens(X, name="X"):
    """X as a list of lists of str, every sequence non-empty."""
    if hasattr(X, "columns"):  # a DataFrame of words, whose iteration gives its column names
        X = X.to_numpy()
    sequences = []
    for i, sequence in enumerate(X):
        if not isinstance(sequence, Iterable):
            raise TypeError(f"{name}[{i}] is {sequence!r}, not a sequence of string tokens")
        sequences.append(list(sequence))
    for i, sequence in enumerate(sequences):
        if not sequence:
            raise ValueError(f"{name}[{i}] is an empty sequence; every sequence needs at "
                             "least one token")
        for token in sequence:
            if not isinstance(token, str):
                raise TypeError(f"{name}[{i}] mixes string tokens with "
                                f"{type(token).__name__} {token!r}; string tokens must all "
                                "be str")
            if not token:
                raise ValueError(f"{name}[{i}] contains an empty string token")
    return sequences


class TokenVocabulary:
    """Token and character ids learned from training sequences of str tokens."""

    # (Vocabularies pickled before the previous-token pairs had only the next ones.)
    bigram_sides = "next"

    def __init__(self, sequences, min_frequency, with_chars, bigrams=None):
        counts = Counter(token for sequence in sequences for token in sequence)
        self.tokens = _ids_by_frequency(counts, min_frequency, first=1)
        self.bigrams = None
        self.bigram_sides = bigrams
        if bigrams is not None:
            pairs = Counter(pair for sequence in sequences
                            for pair in self._pairs(sequence))
            # The unknown pair's id comes right after the tokens'.
            self.bigrams = _ids_by_frequency(pairs, max(min_frequency, MIN_BIGRAM_FREQUENCY),
                                             first=len(self.tokens) + 2)
        self.chars = None
        if with_chars:
            letters = sorted({char for token in counts for char in token[:MAX_TOKEN_CHARS]})
            self.chars = {char: i + 2 for i, char in enumerate(letters)}

    @property
    def size(self):
        """Number of embedding rows: token ids (OOV included), then pair ids
        (the unknown pair's included)."""
        pairs = 0 if self.bigrams is None else len(self.bigrams) + 1
        return len(self.tokens) + 1 + pairs

    @property
    def token_channels(self):
        """Embedding ids per step: the token's, then its pairs' with bigrams."""
        return 1 + (0 if self.bigrams is None else BIGRAM_CHANNELS[self.bigram_sides])

    @property
    def n_chars(self):
        return len(self.chars) + 2

    def encode(self, sequences):
        """Padded ids: (n, T) token ids, or (n, T, K): the token id, its pairs'
        ids with bigrams (the previous token's pair first), then the characters'
        ids with a character encoder."""
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        # Each distinct token is looked up once; its occurrences index the result.
        types = {}
        occurrences = np.fromiter((types.setdefault(token, len(types))
                                   for sequence in sequences for token in sequence),
                                  np.int64, int(lengths.sum()))
        columns = [np.array([self.tokens.get(token, OOV_ID) for token in types],
                            dtype=np.int64)[occurrences, None]]
        if self.bigrams is not None:
            columns.append(self._pair_ids(sequences, lengths))
        if self.chars is not None:
            width = min(MAX_TOKEN_CHARS, max(len(token) for token in types))
            spelled = np.full((len(types), width), PAD_CHAR, dtype=np.int64)
            for row, token in enumerate(types):
                letters = [self.chars.get(char, UNKNOWN_CHAR) for char in token[:width]]
                spelled[row, :len(letters)] = letters
            columns.append(spelled[occurrences])
        ids = columns[0][:, 0] if len(columns) == 1 else np.concatenate(columns, axis=1)
        data = np.zeros((len(sequences), int(lengths.max())) + ids.shape[1:], dtype=np.int64)
        data[np.arange(data.shape[1]) < lengths[:, None]] = ids
        return Sequences(data, lengths, is_table=False)

    def _pairs(self, sequence):
        """The pairs the steps of a sequence read: each token with the next one
        (the last with END), and with 'both' first the first token with START."""
        if self.bigram_sides == "both":
            return zip([START, *sequence], [*sequence, END])
        return zip(sequence, [*sequence[1:], END])

    def _pair_ids(self, sequences, lengths):
        """(total steps, 1 or 2) pair ids, every step's previous pair (with
        'both') then its next pair; the unknown pair's id for pairs not kept."""
        unknown = len(self.tokens) + 1
        both = self.bigram_sides == "both"
        ids = np.fromiter((self.bigrams.get(pair, unknown) for sequence in sequences
                           for pair in self._pairs(sequence)),
                          np.int64, int(lengths.sum()) + both * len(sequences))
        if not both:
            return ids[:, None]
        # Each sequence has one pair more than steps: step i reads pairs i and i + 1.
        ends = np.cumsum(lengths + 1)
        last = np.zeros(len(ids), dtype=bool)
        last[ends - 1] = True
        first = np.zeros(len(ids), dtype=bool)
        first[ends - lengths - 1] = True
        return np.stack([ids[~last], ids[~first]], axis=1)


def _ids_by_frequency(counts, min_frequency, first):
    """Ids first, first + 1, ... for the entries counted at least min_frequency
    times, by decreasing count (ties in code-point order)."""
    kept = sorted((entry for entry, count in counts.items() if count >= min_frequency),
                  key=lambda entry: (-counts[entry], entry))
    return {entry: i + first for i, entry in enumerate(kept)}
