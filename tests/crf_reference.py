"""References for the linear-chain CRF, written from HEADS.md without rnnsk:
brute-force enumeration of all labellings (numpy) and the forward algorithm in
torch, whose autograd gives the gradients.

Shared by tests/test_crf_core.py and tests/reference/make_crf_reference.py.
"""
import itertools

import numpy as np


def labelling_score(emissions, transitions, start, end, labels):
    """S(y) of one sequence, emissions (L, K)."""
    labels = list(labels)
    score = start[labels[0]] + end[labels[-1]]
    score += sum(emissions[t, k] for t, k in enumerate(labels))
    score += sum(transitions[i, j] for i, j in zip(labels, labels[1:]))
    return score


def enumerate_labellings(emissions, transitions, start, end):
    """(every one of the K**L labellings of one sequence, their scores S, log Z)."""
    length, k = emissions.shape
    labellings = list(itertools.product(range(k), repeat=length))
    scores = np.array([labelling_score(emissions, transitions, start, end, y)
                       for y in labellings])
    finite = scores[np.isfinite(scores)]
    peak = finite.max()
    return labellings, scores, peak + np.log(np.sum(np.exp(finite - peak)))


def brute_force(emissions, transitions, start, end):
    """(log Z, marginals (L, K), best labelling) of one sequence by enumerating
    all K**L labellings; the best is the first of the highest in the order that
    compares the last step first (Viterbi's tie rule)."""
    length, k = emissions.shape
    labellings, scores, log_z = enumerate_labellings(emissions, transitions, start, end)
    probabilities = np.exp(scores - log_z)
    marginals = np.zeros((length, k))
    for y, p in zip(labellings, probabilities):
        marginals[np.arange(length), list(y)] += p
    best = max(range(len(labellings)),
               key=lambda i: (scores[i], tuple(-label for label in reversed(labellings[i]))))
    return log_z, marginals, np.array(labellings[best])


def transition_gradient(emissions, transitions, start, end, tags):
    """d(log Z - S(tags)) / d transitions of one sequence by enumeration: the
    expected count of every label pair under the CRF minus the gold labelling's
    (0 where a transition is forbidden: it is held fixed)."""
    labellings, scores, log_z = enumerate_labellings(emissions, transitions, start, end)
    gradient = np.zeros(transitions.shape)
    for y, p in zip(labellings, np.exp(scores - log_z)):
        np.add.at(gradient, (list(y[:-1]), list(y[1:])), p)
    np.add.at(gradient, (list(tags[:-1]), list(tags[1:])), -1)
    gradient[np.isneginf(transitions)] = 0
    return gradient


def torch_crf_nll(torch, emissions, lengths, tags, transitions, start, end):
    """Per-sequence log Z - S(tags) by the forward algorithm (a Python loop over
    steps: this is the reference, not the implementation)."""
    batch, steps, _ = emissions.shape
    lengths = torch.as_tensor(lengths)
    tags = torch.as_tensor(tags)
    alpha = start + emissions[:, 0]
    for t in range(1, steps):
        advanced = torch.logsumexp(alpha[:, :, None] + transitions[None], dim=1) + emissions[:, t]
        alpha = torch.where((t < lengths)[:, None], advanced, alpha)
    log_z = torch.logsumexp(alpha + end, dim=1)
    rows = torch.arange(batch)
    real = torch.arange(steps)[None, :] < lengths[:, None]
    safe_tags = torch.where(real, tags, torch.zeros_like(tags))
    emitted = emissions.gather(2, safe_tags[:, :, None])[:, :, 0]
    gold = start[safe_tags[:, 0]] + (emitted * real).sum(dim=1)
    moves = transitions[safe_tags[:, :-1], safe_tags[:, 1:]]
    gold = gold + torch.where(real[:, 1:], moves, torch.zeros_like(moves)).sum(dim=1)
    gold = gold + end[safe_tags[rows, lengths - 1]]
    return log_z - gold


def random_problem(rng, batch, steps, labels, dtype=np.float64, forbidden=()):
    """Emissions, ragged lengths (one sequence full length, one of length 1 when
    the batch allows), tags and CRF parameters; padding filled with NaN so that
    reading it shows. Tags avoid the forbidden (i, j) pairs."""
    emissions = rng.normal(size=(batch, steps, labels)).astype(dtype)
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    if batch > 1:
        lengths[1] = 1
    transitions = rng.normal(size=(labels, labels)).astype(dtype)
    for i, j in forbidden:
        transitions[i, j] = -np.inf
    start = rng.normal(size=labels).astype(dtype)
    end = rng.normal(size=labels).astype(dtype)
    tags = np.zeros((batch, steps), np.int64)
    for b in range(batch):
        for t in range(lengths[b]):
            choices = [k for k in range(labels)
                       if t == 0 or (tags[b, t - 1], k) not in set(forbidden)]
            tags[b, t] = rng.choice(choices)
    real = np.arange(steps)[None, :] < lengths[:, None]
    emissions[~real] = np.nan
    tags[~real] = -7
    return emissions, lengths.astype(np.int64), tags, transitions, start, end
