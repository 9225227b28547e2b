"""Standardization of input features inside an estimator (``standardize=True``).

The network is trained on (x - mean) / scale, each feature's statistics taken
over the real steps of the first fit's sequences. The map is affine, so it folds
exactly into the first recurrent layer: W (x - m) / s + b = (W / s) x + (b - W m / s).
``state_dict`` exports the folded weights, which read raw inputs as
PyTorch's module does, and ``load_state_dict`` unfolds them.
"""
import numpy as np

from ._statistics import magnitude_unit
from ._validation import Sequences


# Values of float64 work per chunk of sequences: 512 KiB, which stay in a core's
# cache between the passes over them. Whole-dataset float64 temporaries (50 MB for
# 2,048 sequences of 100 steps and 32 features) cost more in fresh pages than in
# arithmetic.
_CHUNK_VALUES = 1 << 16


def sequence_chunks(sequences):
    """Slices of whole sequences holding about _CHUNK_VALUES values each."""
    n, steps = sequences.data.shape[:2]
    per_chunk = max(1, _CHUNK_VALUES // (steps * sequences.n_features))
    return [slice(first, first + per_chunk) for first in range(0, n, per_chunk)]


def input_statistics(sequences, sample_weight):
    """(mean, scale) of each feature over the real steps, each step weighted by
    its sequence's sample weight (so that a weight of 2 is a repeated sequence),
    in float64; scale is 1 for a constant feature. The values are exactly those
    of ``np.average`` over all real steps at once, without its temporaries, and
    without its overflow: they are computed on each feature divided by a power
    of two near its largest magnitude (an exact division), so that the squares
    of values such as 1e200 stay finite."""
    unit = feature_magnitude_units(sequences)
    weights = np.repeat(sample_weight, sequences.lengths)[:, None]
    total = weights.sum(axis=0)
    mean = _sum_over_steps(sequences, weights, lambda steps: steps / unit) / total
    std = np.sqrt(_sum_over_steps(sequences, weights, lambda steps: (steps / unit - mean) ** 2)
                  / total)
    return mean * unit, np.where(std > 0, std * unit, 1.0)


def feature_magnitude_units(sequences):
    """Per feature, a power of two near its largest magnitude over the
    sequences (float64; see magnitude_unit): dividing by it is exact and leaves
    every value below 2 in magnitude."""
    largest = np.zeros(sequences.n_features)
    for chunk in sequence_chunks(sequences):
        np.maximum(largest, np.abs(sequences.data[chunk]).max(axis=(0, 1)), out=largest)
    return magnitude_unit(largest[None, :], axis=0)[0]


def _sum_over_steps(sequences, weights, values):
    """sum_i weights[i] * values(step_i) over the real steps, in float64, in the
    order of numpy's sum over the first axis of all the weighted rows at once:
    one step after the other, which chunks continue exactly, for several
    features; pairwise for a single one, which is summed whole."""
    real = np.arange(sequences.data.shape[1]) < sequences.lengths[:, None]
    chunks = sequence_chunks(sequences) if sequences.n_features > 1 else [slice(None)]
    largest = max(int(sequences.lengths[chunk].sum()) for chunk in chunks)
    # Row 0 carries the sum so far into the next chunk's sum.
    rows = np.empty((largest + 1, sequences.n_features))
    total, used = None, 0
    for chunk in chunks:
        # (float32 steps become float64 exactly in the products with float64 values.)
        steps = sequences.data[chunk][real[chunk]]
        chunk_weights = weights[used:used + len(steps)]
        used += len(steps)
        if total is None:
            total = np.multiply(values(steps), chunk_weights).sum(axis=0)
            continue
        rows[0] = total
        np.multiply(values(steps), chunk_weights, out=rows[1:len(steps) + 1])
        total = rows[:len(steps) + 1].sum(axis=0)
    return total


def standardized(sequences, statistics, dtype=None):
    """The sequences with every feature standardized by ``statistics``
    (computed in float64, chunk by chunk, and rounded to ``dtype``, by default
    the data's)."""
    mean, scale = statistics
    data = np.empty_like(sequences.data, dtype=dtype)
    for chunk in sequence_chunks(sequences):
        data[chunk] = (sequences.data[chunk] - mean) / scale
    return Sequences(data, sequences.lengths, sequences.is_table)


def _first_layer_names(state, prefix):
    """The input weight and bias names of the first layer, each direction."""
    if prefix is None:
        prefix = "rnn.0." if "rnn.0.weight_ih_l0" in state else "rnn."
    return [(f"{prefix}weight_ih_l0{suffix}", f"{prefix}bias_ih_l0{suffix}")
            for suffix in ("", "_reverse") if f"{prefix}weight_ih_l0{suffix}" in state]


def fold(state, statistics, prefix=None):
    """``state`` (state_dict names; a network's own names with ``prefix=""``)
    with the standardization folded into the first layer: weights that read raw
    inputs."""
    mean, scale = statistics
    state = dict(state)
    for weight_name, bias_name in _first_layer_names(state, prefix):
        weight = state[weight_name].astype(np.float64) / scale
        state[bias_name] = (state[bias_name] - weight @ mean).astype(state[bias_name].dtype)
        state[weight_name] = weight.astype(state[weight_name].dtype)
    return state


def unfold(state, statistics):
    """The inverse of :func:`fold`: first-layer weights that read standardized
    inputs (float64; the model casts them)."""
    mean, scale = statistics
    state = dict(state)
    for weight_name, bias_name in _first_layer_names(state, None):
        weight = np.asarray(state[weight_name], np.float64)
        state[bias_name] = np.asarray(state[bias_name], np.float64) + weight @ mean
        state[weight_name] = weight * scale
    return state
