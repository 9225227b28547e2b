"""Each sequence standardized by its own statistics, read beside the inputs
(``sequence_standardize=True``).

Real series differ between sequences by orders of magnitude in level and
amplitude (appliance currents, spectra with their baselines, gestures): a
standardization over the whole training set leaves most of them nearly
constant, and what tells them apart is their shape. For every feature x the
network reads four inputs per step: x, the sequence's z-score
(x - m) / s (0 where the sequence is constant), and, at every step, the
sequence's mean m and log(max(s, floor)), with m and s the mean and standard
deviation over the sequence's real steps. The z-score is the "standard normal
variate" of spectroscopy and the z-normalization of the UCR archive; keeping m
and log s as inputs keeps what it removes.

The map from x to these four is fixed: the estimator's global standardization
(``standardize``) then acts on them as on any inputs, through statistics made
from the features' own (:func:`read_statistics`), and ``state_dict`` folds
those into the first layer as before: exported weights read the four
unstandardized inputs, which :func:`~rnnsk.to_torch`'s module computes. In
patches of several steps, m and log s come once per patch (see _patches).
"""
import numpy as np

from ._input_scaling import sequence_chunks
from ._statistics import magnitude_unit
from ._validation import Sequences

# Inputs the network reads per feature of the data.
INPUTS_PER_FEATURE = 4
# Of those, the last two blocks (the sequence's mean and log standard
# deviation) hold one value over the whole sequence: patches read them once.
CONSTANT_INPUTS_PER_FEATURE = 2

# The floor of a sequence's standard deviation in its log, as a share of the
# feature's standard deviation over the training set: a constant sequence reads
# log(floor), a little below any that varies.
FLOOR_SHARE = 1e-3


def sequence_floor(scale):
    """Per feature, the floor of log(s): FLOOR_SHARE of the feature's global
    standard deviation ``scale`` (1 for a constant feature, see input_statistics),
    and never below the smallest normal float64, whose log is finite."""
    return np.maximum(FLOOR_SHARE * np.asarray(scale, np.float64), np.finfo(np.float64).tiny)


def with_sequence_features(sequences, floor):
    """``sequences`` (real values, F features) as the 4F inputs the network reads:
    [x, z-score, mean, log(max(std, floor))] per step, each block F wide.
    Statistics in float64 over each sequence's real steps, chunk by chunk; the
    z-score is 0 at padding."""
    data = sequences.data
    n, steps, n_features = data.shape
    features = np.empty((n, steps, INPUTS_PER_FEATURE * n_features), data.dtype)
    real = np.arange(steps) < sequences.lengths[:, None]
    for chunk in sequence_chunks(sequences):
        mask = real[chunk][:, :, None]
        counts = sequences.lengths[chunk][:, None].astype(np.float64)
        # In float64 (a float64 zero promotes float32 data), divided by a power
        # of two near each sequence's largest magnitude, so that squares of
        # values such as 1e200 stay finite (an exact division).
        scaled = np.where(mask, data[chunk], np.float64(0.0))
        unit = magnitude_unit(scaled, axis=1)
        scaled /= unit
        mean = scaled.sum(axis=1) / counts
        deviations = np.where(mask, scaled - mean[:, None, :], 0.0)
        std = np.sqrt(np.square(deviations).sum(axis=1) / counts)
        z_scores = np.divide(deviations, std[:, None, :], out=np.zeros_like(deviations),
                             where=std[:, None, :] > 0)
        unit = unit[:, 0, :]
        block = features[chunk]
        block[:, :, :n_features] = data[chunk]
        block[:, :, n_features:2 * n_features] = z_scores
        block[:, :, 2 * n_features:3 * n_features] = (mean * unit)[:, None, :]
        block[:, :, 3 * n_features:] = np.log(np.maximum(std * unit, floor))[:, None, :]
    return Sequences(features, sequences.lengths, sequences.is_table)


class _FeaturesOnDemand:
    """What :func:`with_sequence_features` would return as ``data``, computed
    for the rows asked for only: an array-like of its shape and dtype whose
    row slices are real arrays."""

    ndim = 3

    def __init__(self, sequences, floor):
        self._sequences, self._floor = sequences, floor
        n, steps, n_features = sequences.data.shape
        self.shape = (n, steps, INPUTS_PER_FEATURE * n_features)
        self.dtype = sequences.data.dtype

    def __getitem__(self, rows):
        return with_sequence_features(self._sequences.take_rows(rows), self._floor).data


def sequence_features_on_demand(sequences, floor):
    """``with_sequence_features(sequences, floor)`` for readers that take it a
    slice of sequences at a time (the input noise's statistics): each slice is
    computed when read, so the inputs beside their statistics (four times as
    wide as the data) are never held whole."""
    return Sequences(_FeaturesOnDemand(sequences, floor), sequences.lengths,
                     sequences.is_table)


def read_statistics(statistics):
    """The (mean, scale) standardizing the 4F inputs, from each feature's global
    (mean, scale): x and its sequences' means as the feature itself, the
    z-score as it is, log(s) shifted by log(scale) (s in units of the feature's
    spread). All four maps are affine, so they fold into the first layer."""
    mean, scale = (np.asarray(value, np.float64) for value in statistics)
    return (np.concatenate([mean, np.zeros_like(mean), mean, np.log(scale)]),
            np.concatenate([scale, np.ones_like(scale), scale, np.ones_like(scale)]))
