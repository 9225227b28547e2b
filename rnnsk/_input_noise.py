"""Noise on the real-valued inputs while training (``input_noise``).

Training on inputs perturbed by independent zero-mean noise of variance sigma^2,
drawn anew for every minibatch, is to first order a Tikhonov (smoothness)
penalty on the learned function (Bishop 1995, "Training with noise is
equivalent to Tikhonov regularization"); for time series it is the "jittering"
augmentation (Um et al. 2017). It keeps a network from fitting the small
wiggles of tens of noisy training series, where ``alpha`` acts only through the
size of the weights. Predictions read the clean inputs.
"""
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._input_scaling import feature_magnitude_units, sequence_chunks
from ._patches import patched_columns
from ._validation import Sequences

# input_noise='auto': each feature's noise is this fraction of the standard
# deviation of its changes from one step to the next. Noise of a fixed share of a
# feature's whole spread (0.3) regularized the noisy-target regression sets of
# the accuracy suite but blurred the shape of smooth profiles (Tecator's
# spectra: GRU RMSE 3.9 -> 6.6); at the scale of the steps' own changes the
# jitter is no larger than what a series does between neighbouring steps, so
# smooth profiles keep their shape and rough channels are regularized.
# docs/guide/defaults.md has the measurements.
AUTO_INPUT_NOISE = 0.3

INPUT_NOISE_CONSTRAINT = {
    "input_noise": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})]}


def input_noise_of(setting, sequences, scaling, patch_length, constant_inputs=0,
                   sample_weight=None):
    """The standard deviation of the noise on each input of the network (each
    feature of a patch) for the ``input_noise`` setting, or None for no noise.

    ``sequences`` are the training inputs before standardization and patches
    (real values, beside their sequence statistics with sequence_standardize,
    or token ids), ``scaling`` their (mean, scale) standardization or None,
    ``patch_length`` how many steps the network reads at once; the last
    ``constant_inputs`` inputs of a step are read once per patch (see
    _patches); ``sample_weight`` weighs each sequence's changes for 'auto', as
    the standardization weighs its values."""
    is_real = sequences.data.dtype.kind == "f"
    if setting == "auto":
        if not is_real:
            return None  # token ids: embedding_dropout is their regularizer
        per_feature = AUTO_INPUT_NOISE * step_change_spread(sequences, sample_weight)
        if scaling is not None:
            per_feature /= scaling[1]  # in the standardized units the network reads
    elif setting == 0:
        return None
    elif not is_real:
        raise ValueError(f"input_noise={setting} perturbs real-valued inputs, but X holds "
                         "token ids (embedding_dim); use embedding_dropout to regularize "
                         "an embedding, or leave input_noise=0")
    else:
        per_feature = np.full(sequences.n_features, float(setting))
    if not np.any(per_feature > 0):
        return None
    return patched_columns(per_feature, patch_length, constant_inputs)


def step_change_spread(sequences, sample_weight=None):
    """Each feature's standard deviation (float64) of its changes between
    consecutive real steps over all sequences, each change weighted by its
    sequence's ``sample_weight`` (a zero-weight sequence counts as absent); 0
    where no weighted sequence has two steps or the feature never changes.
    Computed on the values divided by a power of two near their largest
    magnitude, so that squares of changes stay finite."""
    n_features = sequences.n_features
    if sample_weight is None:
        sample_weight = np.ones(len(sequences))
    unit = feature_magnitude_units(sequences)
    count, total, squares = 0.0, np.zeros(n_features), np.zeros(n_features)
    for chunk in sequence_chunks(sequences):
        changes = np.diff(sequences.data[chunk] / unit, axis=1)
        # a change is real when both of its steps are
        real = np.arange(changes.shape[1]) < sequences.lengths[chunk, None] - 1
        weights = np.broadcast_to(sample_weight[chunk, None], real.shape)[real][:, None]
        changes = changes[real]
        count += weights.sum()
        total += (weights * changes).sum(axis=0)
        squares += (weights * np.square(changes)).sum(axis=0)
    if count == 0:
        return np.zeros(n_features)
    mean = total / count
    return np.sqrt(np.maximum(squares / count - mean ** 2, 0.0)) * unit


class InputNoise:
    """The noise of one fit: zero-mean, uniform with standard deviation ``std``
    per input of the network, drawn from a generator seeded by ``seed``.

    Uniform, not Gaussian: the penalty that noise adds to the expected loss
    depends, to first order, only on its variance (Bishop 1995), and numpy draws
    uniform float32 values about seven times as fast as normal ones, which made
    the noise half the cost of an epoch of a GRU at defaults on 2,048 sequences
    of 100 steps and 32 features (docs/guide/defaults.md)."""

    def __init__(self, std, seed):
        # U(-a, a) has standard deviation a / sqrt(3)
        self.width = 2 * np.sqrt(3.0) * std
        self._generator = np.random.default_rng(seed)

    def __call__(self, sequences):
        """``sequences`` with the noise added to every value (padding too, which
        the network does not read), in their dtype."""
        data = self._generator.random(sequences.data.shape, dtype=sequences.data.dtype)
        data -= 0.5
        data *= self.width.astype(data.dtype, copy=False)
        data += sequences.data
        return Sequences(data, sequences.lengths, sequences.is_table)
