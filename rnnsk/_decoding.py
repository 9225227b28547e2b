"""Greedy and beam-search decoding of an :class:`EncoderDecoderModel` over a
batch of sources.

Both advance every unfinished output of the batch by one token per call of
the model's ``step`` (the loop below is over output tokens: each token depends
on the one before). The start token is never emitted.

Beam rule: each source keeps the ``width`` partial outputs of highest summed
log-probability (no length normalisation); an output that has emitted the end
token stays among the candidates with its score frozen, and decoding stops when
the best ``width`` outputs of every source have ended or after ``max_length``
tokens. The answer is the best of them. Ties go to the lower beam, then to the
lower token id, so ``width=1`` is greedy decoding.
"""
import numpy as np
from scipy.special import log_softmax

from ._seq2seq_model import END, START


def _until_end(outputs):
    """Rows of token ids (n, T) cut before their first end token."""
    ended = outputs == END
    lengths = np.where(ended.any(axis=1), np.argmax(ended, axis=1), outputs.shape[1])
    return [row[:length] for row, length in zip(outputs, lengths)]


def greedy_decode(model, sources, max_length):
    """The most likely next token at each step, for every source; a list of
    id arrays without the end token (at most ``max_length`` tokens)."""
    state = model.start(sources)
    # One column per step taken, not max_length of them up front: a limit of
    # 10**9 steps would ask for gigabytes that outputs ending early never use.
    columns = []
    rows = np.arange(len(sources))  # the source of each row still decoding
    tokens = np.full(len(sources), START, dtype=np.int64)
    for _ in range(max_length):
        scores, _, state = model.step(tokens, state)
        scores[:, START] = -np.inf
        tokens = np.argmax(scores, axis=1)
        columns.append(np.full(len(sources), END, dtype=np.int64))
        columns[-1][rows] = tokens
        going = tokens != END
        if not going.all():
            # Finished rows leave the batch.
            if not going.any():
                break
            kept = np.flatnonzero(going)
            rows, tokens, state = rows[kept], tokens[kept], state.take(kept)
    return _until_end(np.stack(columns, axis=1))


def beam_search(model, sources, max_length, width):
    """Beam search (rule in the module docstring); a list of id arrays."""
    n = len(sources)
    state = model.start(sources).take(np.repeat(np.arange(n), width))
    totals = np.full((n, width), -np.inf)
    totals[:, 0] = 0.0  # the first step expands a single beam
    history = np.empty((n, width, 0), dtype=np.int64)
    finished = np.zeros((n, width), dtype=bool)
    tokens = np.full(n * width, START, dtype=np.int64)
    for _ in range(max_length):
        scores, _, state = model.step(tokens, state)
        log_p = log_softmax(scores.astype(np.float64), axis=1)
        log_p[:, START] = -np.inf
        done = finished.reshape(-1)
        log_p[done] = -np.inf
        log_p[done, END] = 0.0
        vocabulary = log_p.shape[1]
        candidates = (totals.reshape(-1, 1) + log_p).reshape(n, width * vocabulary)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :width]
        origin, tokens = np.divmod(best, vocabulary)
        totals = np.take_along_axis(candidates, best, axis=1)
        history = np.concatenate([np.take_along_axis(history, origin[:, :, None], axis=1),
                                  tokens[:, :, None]], axis=2)
        finished = np.take_along_axis(finished, origin, axis=1) | (tokens == END)
        state = state.take((np.arange(n)[:, None] * width + origin).reshape(-1))
        tokens = tokens.reshape(-1)
        if finished.all():
            break
    return _until_end(history[:, 0])  # (the best beam of each source)
