"""Reversible transforms of forecasting windows: differencing and window scaling.

Both are vectorized over a batch of series or windows (rows) and both are
undone exactly on the forecasts, so that the network only ever sees series that
are stationary-ish and of unit scale, whatever the level and trend of the data.
"""
import numpy as np

from ._statistics import magnitude_unit, mean_and_std

__all__ = ["difference_lags", "difference", "integrate", "history_tails", "scale_windows",
           "scale_floor"]


def difference_lags(differences, seasonal_differences, seasonal_period):
    """The lags applied in turn: seasonal ones first (as in SARIMA's (1 - B^m)^D
    (1 - B)^d, the order does not change the result)."""
    return [seasonal_period] * seasonal_differences + [1] * differences


def difference(series, lags):
    """``series`` (1-D) differenced at each lag in turn; returns the differenced
    series and every intermediate level (``levels[0]`` is the series itself)."""
    levels = [series]
    for lag in lags:
        series = series[lag:] - series[:-lag]
        levels.append(series)
    return series, levels


def history_tails(levels, lags, ends):
    """What :func:`integrate` needs to continue each level after the original
    time ``ends[i]`` (exclusive): the last ``lag`` values of every level before
    it was differenced at that lag, one row per origin."""
    tails, offset = [], 0
    for level, lag in zip(levels, lags):
        stop = np.asarray(ends) - offset  # index of time `end` in this level
        tails.append(level[stop[:, None] + np.arange(-lag, 0)])
        offset += lag
    return tails


def integrate(forecasts, tails, lags):
    """Undo :func:`difference` on forecasts ``(n, h)`` of the last level, given
    the ``tails`` of every level at the forecast origins."""
    for lag, tail in zip(reversed(lags), reversed(tails)):
        n, h = forecasts.shape
        blocks = -(-h // lag)
        padded = np.zeros((n, blocks * lag))
        padded[:, :h] = forecasts
        # y[t] = z[t] + y[t - lag]: a cumulative sum over blocks of `lag` steps.
        forecasts = (tail[:, None, :] + np.cumsum(padded.reshape(n, blocks, lag), axis=1)
                     ).reshape(n, -1)[:, :h]
    return forecasts


# A window's scale is at least this fraction of its series' typical step, so a
# flat stretch of a moving series is not divided by ~0 (its targets would be
# hundreds of units away and dominate the squared loss of every series).
FLOOR_FRACTION = 0.1


def scale_floor(series):
    """The least scale of the windows of a series (1-D): ``FLOOR_FRACTION``
    times its mean absolute step; for a constant series (no step), a tiny
    fraction of its level, or the smallest normal float when that is 0 too.
    Either way a flat window's scale is negligible beside its level, so what
    the network outputs for it (not 0) moves the forecast by nothing: a
    constant series, zero included, is forecast as that constant."""
    step = 0.0
    if len(series) > 1:  # steps of the series divided by a power of two: no overflow
        unit = magnitude_unit(series)[0]
        step = np.mean(np.abs(np.diff(series / unit))) * unit
    if step > 0:
        return FLOOR_FRACTION * step
    level = np.abs(series).max() if len(series) else 0.0
    return 1e-12 * level if level > 0 else np.finfo(np.float64).tiny


def scale_windows(windows, method, floor):
    """Location and scale of each window (rows of ``windows``): the window is
    then ``(window - loc) / scale`` and a forecast ``f`` maps back to
    ``f * scale + loc``.

    'standardize' is reversible instance normalisation (RevIN: the window's mean
    and standard deviation); 'last' takes the window's last value as location
    (and its standard deviation as scale); None keeps the series as they are.
    ``floor`` (a number, or one per window) bounds the scale below, for flat
    windows.
    """
    n = len(windows)
    if method is None:
        return np.zeros(n), np.ones(n)
    mean, std = mean_and_std(windows, axis=1)
    loc = windows[:, -1] if method == "last" else mean
    return loc, np.maximum(std, floor)
