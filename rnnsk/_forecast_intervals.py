"""Split-conformal half-widths of a forecaster's intervals, step by step.

The conformal scores are the absolute errors of the forecasts from the held-out
origins, each divided by the scale of its input window. Step ``k`` ahead gets
the finite-sample conformal quantile of its own scores, the
``ceil((n + 1) coverage)``-th smallest of n scores (Vovk et al.; Lei et al.
2018), which is infinite when ``ceil((n + 1) coverage) > n``: too
few scores for the coverage asked (fewer than 19 at 95%). Late steps have the
fewest (origins near the end of a series score their first steps only), so
a step short of scores borrows those of the steps before it, each step's scores
divided by its typical error (the mean, non-decreasing over the horizon) and
the quantile multiplied back by its own.
"""
import numpy as np

__all__ = ["step_half_widths"]


def step_half_widths(residuals, coverage):
    """Half-width of the interval of each step ahead, in units of the input
    window's scale, from ``residuals`` (n_origins, horizon), NaN where the
    truth is unknown; ``inf`` where even the scores of every step up to it are
    too few for ``coverage``."""
    errors = np.abs(residuals)
    known = ~np.isnan(errors)
    means = np.where(known, errors, 0).sum(axis=0) / np.maximum(known.sum(axis=0), 1)
    means[known.sum(axis=0) == 0] = np.nan  # a step never known borrows a typical error
    typical = np.fmax.accumulate(means)
    typical = np.where(typical > 0, typical, 1.0)
    scores = errors / typical
    widths = np.full(scores.shape[1], np.inf)
    for step in range(scores.shape[1]):  # the steps of the horizon, not of a series
        # The fewest steps, going back from this one, that hold enough scores.
        first = step
        while first > 0 and not _enough(_count(scores, first, step), coverage):
            first -= 1
        pooled = scores[:, first:step + 1]
        pooled = pooled[~np.isnan(pooled)]
        if _enough(pooled.size, coverage):
            rank = _rank(pooled.size, coverage)
            widths[step] = np.partition(pooled, rank - 1)[rank - 1] * typical[step]
    return widths


def _count(scores, first, last):
    return int(np.sum(~np.isnan(scores[:, first:last + 1])))


def _rank(n, coverage):
    """The conformal quantile of n scores is the ``ceil((n + 1) coverage)``-th
    smallest (the tolerance keeps 5 * 0.8 from rounding up to 5)."""
    return int(np.ceil((n + 1) * coverage - 1e-9))


def _enough(n, coverage):
    """Whether n scores give a finite conformal quantile at ``coverage``."""
    return n > 0 and _rank(n, coverage) <= n
