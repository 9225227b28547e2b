"""Sequences of string tokens (words, characters) as the ids a tagger's
embedding and character encoder read.

A tagger fitted on string tokens learns a vocabulary: id 0 stands for every
token outside it (out of vocabulary, OOV), the others get ids 1..V by
decreasing frequency (ties in code-point order). With a character encoder each
token also carries the ids of its first MAX_TOKEN_CHARS characters (0 pads, 1
is any character not seen in fit), so an OOV token is still told apart by its
spelling.
"""
from collections import Counter

import numpy as np

from ._char_encoder import PAD_CHAR, UNKNOWN_CHAR
from ._validation import Sequences

OOV_ID = 0
# Longer tokens keep their first this many characters for the character encoder.
MAX_TOKEN_CHARS = 20


def is_string_tokens(X):
    """Whether X is a list of sequences of str (a str itself being the
    sequence of its characters)."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "UO" and X.ndim == 1:
        X = list(X)
    if not isinstance(X, (list, tuple)) or not X:
        return False
    first = X[0]
    if isinstance(first, str):
        return True
    if isinstance(first, np.ndarray):
        return first.dtype.kind == "U" or (first.dtype.kind == "O" and first.size > 0
                                           and isinstance(first.flat[0], str))
    return isinstance(first, (list, tuple)) and len(first) > 0 and isinstance(first[0], str)


def check_string_tokens(X, name="X"):
    """X as a list of lists of str, every sequence non-empty."""
    sequences = [list(sequence) for sequence in X]
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

    def __init__(self, sequences, min_frequency, with_chars):
        counts = Counter(token for sequence in sequences for token in sequence)
        kept = sorted((token for token, count in counts.items() if count >= min_frequency),
                      key=lambda token: (-counts[token], token))
        self.tokens = {token: i + 1 for i, token in enumerate(kept)}
        self.chars = None
        if with_chars:
            letters = sorted({char for token in counts for char in token[:MAX_TOKEN_CHARS]})
            self.chars = {char: i + 2 for i, char in enumerate(letters)}

    @property
    def size(self):
        """Number of token ids, OOV included."""
        return len(self.tokens) + 1

    @property
    def n_chars(self):
        return len(self.chars) + 2

    def encode(self, sequences):
        """Padded ids: (n, T) token ids, or (n, T, 1 + C) with the characters'."""
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        # Each distinct token is looked up once; its occurrences index the result.
        types = {}
        occurrences = np.fromiter((types.setdefault(token, len(types))
                                   for sequence in sequences for token in sequence),
                                  np.int64, int(lengths.sum()))
        ids = np.array([self.tokens.get(token, OOV_ID) for token in types], dtype=np.int64)
        if self.chars is not None:
            width = min(MAX_TOKEN_CHARS, max(len(token) for token in types))
            spelled = np.full((len(types), width), PAD_CHAR, dtype=np.int64)
            for row, token in enumerate(types):
                letters = [self.chars.get(char, UNKNOWN_CHAR) for char in token[:width]]
                spelled[row, :len(letters)] = letters
            ids = np.concatenate([ids[:, None], spelled], axis=1)
        ids = ids[occurrences]
        data = np.zeros((len(sequences), int(lengths.max())) + ids.shape[1:], dtype=np.int64)
        data[np.arange(data.shape[1]) < lengths[:, None]] = ids
        return Sequences(data, lengths, is_table=False)
