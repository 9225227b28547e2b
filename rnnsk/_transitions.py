"""Which label transitions a tagger's CRF may take: masks from the
``forbidden_transitions`` parameter, and the check that the training labels
never take a forbidden one."""
from collections.abc import Hashable

import numpy as np

# Word segmentation tags: what may follow each (b: begin, m: middle, e: end, s: single).
_BMES_NEXT = {"b": "me", "m": "me", "e": "bs", "s": "bs"}


def _bmes(labels):
    names = [str(label).lower() for label in labels]
    if not set(names) <= set("bmes"):
        raise ValueError(f"forbidden_transitions='bmes' needs labels among b, m, e, s; the "
                         f"classes are {list(labels)!r}")
    pairs = [(a, b) for a, name_a in zip(labels, names) for b, name_b in zip(labels, names)
             if name_b not in _BMES_NEXT[name_a]]
    pairs += [(None, label) for label, name in zip(labels, names) if name in "me"]
    pairs += [(label, None) for label, name in zip(labels, names) if name in "bm"]
    return pairs


def _bio(labels):
    def split(label):
        text = str(label)
        if text == "O":
            return "O", None
        if len(text) > 2 and text[:2] in ("B-", "I-"):
            return text[0], text[2:]
        raise ValueError(f"forbidden_transitions='bio' needs labels 'O', 'B-<type>' or "
                         f"'I-<type>'; got {label!r}")
    parts = [split(label) for label in labels]
    pairs = []
    for b, (kind_b, type_b) in zip(labels, parts):
        if kind_b != "I":
            continue
        pairs.append((None, b))
        pairs += [(a, b) for a, (kind_a, type_a) in zip(labels, parts)
                  if kind_a == "O" or type_a != type_b]
    return pairs


def allowed_transitions(spec, labels):
    """(transitions (K, K), start (K,), end (K,)) boolean masks, False where
    ``spec`` ('bmes', 'bio' or pairs of labels, None for start/end) forbids."""
    labels = list(labels)
    if isinstance(spec, str):
        pairs = {"bmes": _bmes, "bio": _bio}[spec](labels)
    else:
        pairs = list(spec)
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    transitions, start, end = np.ones((k, k), bool), np.ones(k, bool), np.ones(k, bool)
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"forbidden_transitions must hold pairs (from, to), got {pair!r}")
        a, b = pair
        unhashable = next((x for x in (a, b) if not isinstance(x, Hashable)), None)
        if unhashable is not None:
            raise TypeError(f"forbidden transition {pair!r} names {unhashable!r}, which is no "
                            "label: a pair holds two labels (or None), e.g. ('B-PER', 'I-LOC')")
        unknown = [x for x in (a, b) if x is not None and x not in index]
        if unknown or (a is None and b is None):
            raise ValueError(f"forbidden transition {pair!r} names {unknown or 'no'} label; "
                             f"the classes are {labels!r} (None marks the start or end)")
        if a is None:
            start[index[b]] = False
        elif b is None:
            end[index[a]] = False
        else:
            transitions[index[a], index[b]] = False
    if not start.any() or not end.any():
        raise ValueError("forbidden_transitions forbids every first or every last label")
    return transitions, start, end


def check_gold_transitions(targets, allowed, labels):
    """ValueError naming the first training sequence that takes a forbidden
    transition, start or end."""
    transitions, start, end = allowed
    codes, lengths = targets.values, targets.lengths
    rows = np.arange(len(lengths))
    bad = ~start[codes[:, 0]] | ~end[codes[rows, lengths - 1]]
    if codes.shape[1] > 1:
        moves = ~transitions[codes[:, :-1], codes[:, 1:]] & targets.real()[:, 1:]
        bad |= moves.any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"y[{i}] takes a transition that forbidden_transitions forbids "
                         f"(labels {list(labels[codes[i, :lengths[i]]])!r})")
