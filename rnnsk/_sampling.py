"""Choosing the next token from scores, for a batch of streams at once:
temperature, top-k and nucleus (top-p) sampling, greedy decoding at
temperature 0. Shared by text generation and decoders."""
from numbers import Integral, Real

import numpy as np
from scipy.special import softmax


def check_sampling(temperature, top_k, top_p):
    """ValueError/TypeError for sampling options out of range."""
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not (
            np.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"temperature must be a finite number >= 0 (0: greedy), got "
                         f"{temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, Integral)
                              or top_k < 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, Real)
                              or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be a number in (0, 1] or None, got {top_p!r}")


def next_tokens(scores, rng, *, temperature=1.0, top_k=None, top_p=None, banned=()):
    """One token per row of ``scores`` (batch, n_tokens).

    Tokens in ``banned`` are never chosen. ``temperature`` divides the scores
    before the softmax; 0 takes the highest score (greedy; ties to the lowest
    index). ``top_k`` keeps the k highest-scoring tokens, ``top_p`` the
    smallest set of most probable tokens whose probability reaches p (Holtzman
    et al. 2020); both renormalise what they keep. One uniform draw per row from
    ``rng`` (a RandomState), so a fixed seed gives the same tokens.
    """
    scores = np.array(scores, dtype=np.float64)
    if len(banned):
        scores[:, list(banned)] = -np.inf
    if temperature == 0:
        return np.argmax(scores, axis=1)
    n_tokens = scores.shape[1]
    if top_k is not None and top_k < n_tokens:
        kth = np.partition(scores, n_tokens - top_k, axis=1)[:, n_tokens - top_k]
        scores[scores < kth[:, None]] = -np.inf
    probabilities = softmax(scores / temperature, axis=1)
    if top_p is not None and top_p < 1:
        order = np.argsort(-probabilities, axis=1, kind="stable")
        ranked = np.take_along_axis(probabilities, order, axis=1)
        # Keep a token while the mass before it is below p: the first always.
        before = np.cumsum(ranked, axis=1) - ranked
        drop = np.zeros_like(probabilities, dtype=bool)
        np.put_along_axis(drop, order, before >= top_p, axis=1)
        probabilities[drop] = 0
        probabilities /= probabilities.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random_sample(len(scores)) * cumulative[:, -1]
    chosen = (cumulative <= draws[:, None]).sum(axis=1)
    return np.minimum(chosen, n_tokens - 1)
