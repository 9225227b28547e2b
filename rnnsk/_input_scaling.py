"""Standardization of input features inside an estimator (``standardize=True``).

The network is trained on (x - mean) / scale, each feature's statistics taken
over the real steps of the first fit's sequences. The map is affine, so it folds
exactly into the first recurrent layer: W (x - m) / s + b = (W / s) x + (b - W m / s).
``state_dict`` exports the folded weights, which read raw inputs as
PyTorch's module does, and ``load_state_dict`` unfolds them.
"""
import numpy as np

from ._scaler import _real_steps
from ._validation import Sequences


def input_statistics(sequences, sample_weight):
    """(mean, scale) of each feature over the real steps, each step weighted by
    its sequence's sample weight (so that a weight of 2 is a repeated sequence),
    in float64; scale is 1 for a constant feature."""
    steps = _real_steps(sequences).astype(np.float64)
    weights = np.repeat(sample_weight, sequences.lengths)
    mean = np.average(steps, axis=0, weights=weights)
    std = np.sqrt(np.average((steps - mean) ** 2, axis=0, weights=weights))
    return mean, np.where(std > 0, std, 1.0)


def standardized(sequences, statistics):
    """The sequences with every feature standardized by ``statistics``."""
    mean, scale = statistics
    data = ((sequences.data - mean) / scale).astype(sequences.data.dtype)
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
