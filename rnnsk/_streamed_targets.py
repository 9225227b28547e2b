"""The regressors' target standardization over a stream of ``partial_fit`` calls.

A regressor's network predicts standardized targets (y - mean) / scale. Fixed
by the first call, a stream begun on one sequence (no spread to measure: scale
1) or on a few close targets trained every later call on targets far from unit
scale (a stream of targets in the thousands: test R² -0.21, where a first call
of 20 sequences gave 0.94). Each ``partial_fit`` call now merges the weighted
mean and variance of its targets into those of the calls before (the pairwise
update of Chan, Golub & LeVeque 1979) and rescales the output layer so that
its predictions, in the units of y, are what they were: with the old (m, s)
and the new (m', s'), W' = W s / s' and b' = (s b + m - m') / s' ("Pop-Art",
van Hasselt et al. 2016, "Learning values across many orders of magnitude").
The optimizer's moments of the output layer are kept as they are, as there.
"""
from typing import NamedTuple

import numpy as np

from ._statistics import mean_and_std


class TargetMoments(NamedTuple):
    """Weighted moments of the targets of every call so far, per column."""

    weight: float
    mean: np.ndarray
    variance: np.ndarray


def moments_of(values, weights):
    """The moments of ``values`` (rows of targets in the units of y) with one
    weight per row."""
    mean, std = mean_and_std(values, axis=0, weights=weights)
    return TargetMoments(float(weights.sum()), mean, np.square(std))


def merged(before, now):
    """The moments of the targets of ``before`` and ``now`` together."""
    total = before.weight + now.weight
    share = now.weight / total
    delta = now.mean - before.mean
    mean = before.mean + share * delta
    variance = ((1 - share) * before.variance + share * now.variance
                + share * (1 - share) * np.square(delta))
    return TargetMoments(total, mean, variance)


def scaling_of(moments):
    """The (mean, scale) that standardize targets of these moments; a column
    that does not vary keeps the scale 1, as the first call's does."""
    scale = np.sqrt(moments.variance)
    return moments.mean, np.where(scale > 0, scale, 1.0)


def restandardized(values, old, new):
    """Standardized ``values`` of the scaling ``old`` in that of ``new``."""
    (mean, scale), (new_mean, new_scale) = old, new
    return values * (scale / new_scale) + (mean - new_mean) / new_scale


def rescale_output_layer(linear, old, new):
    """Change the output layer (a ``Linear`` of one row per target column) in
    place so that it predicts in the scaling ``new`` what it predicted in
    ``old``."""
    (mean, scale), (new_mean, new_scale) = old, new
    dtype = linear.weight.dtype
    linear.weight *= (scale / new_scale)[:, None].astype(dtype)
    linear.bias[...] = ((scale * linear.bias + mean - new_mean) / new_scale).astype(dtype)


class StreamedTargetScaling:
    """The regressors' hooks of the training loop (BaseRecurrent) that keep
    their target scaling over calls. A regressor gives ``_target_rows`` and
    ``_restandardized_targets`` for its layout of targets."""

    def _stream_target_scaling(self, targets, info, weights, merge):
        """(targets, info, moments) of a first call (``merge`` False: the
        moments of its targets) or of a partial_fit call after it (its targets
        merged into the moments so far, and restandardized by them); moments
        None to keep the scaling as it is."""
        mean, scale, is_1d = info
        rows, row_weights = self._target_rows(targets, weights)
        moments = moments_of(rows * scale + mean, row_weights)
        if not merge:
            return targets, info, moments
        before = getattr(self, "_target_moments", None)
        if before is None:  # fitted before the moments were kept
            return targets, info, None
        moments = merged(before, moments)
        new = scaling_of(moments)
        if not all(np.all(np.isfinite(part)) for part in (*new, moments.variance)):
            return targets, info, None  # beyond float64: the scaling stays
        return (self._restandardized_targets(targets, (mean, scale), new), (*new, is_1d),
                moments)

    def _keep_target_scaling(self, info, moments):
        """Adopt the scaling ``info`` of this call, the output layer rescaled to
        predict as before (nothing changes on a first call: its scaling is
        already the fitted one)."""
        if moments is None:
            return
        old, new = self._target_scaling, tuple(info[:2])
        if not all(np.array_equal(a, b) for a, b in zip(old, new)):
            rescale_output_layer(self.model_.head.linear, old, new)
            self._target_scaling = new
        self._target_moments = moments
