"""Means and standard deviations that do not overflow for values of any finite
magnitude (squares of values such as 1e200 are infinite in float64)."""
import numpy as np

__all__ = ["mean_and_std"]


def mean_and_std(values, axis, weights=None):
    """Mean and standard deviation of ``values`` along ``axis`` (weighted by
    ``weights`` along it, if given), computed on the values divided by a power
    of two near their largest magnitude along that axis: the division is exact,
    and the squares stay below 4."""
    _, exponents = np.frexp(np.max(np.abs(values), axis=axis, keepdims=True))
    unit = np.ldexp(1.0, exponents - 1)  # |values| / unit < 2; never inf
    scaled = values / unit
    mean = np.average(scaled, axis=axis, weights=weights, keepdims=True)
    variance = np.average((scaled - mean) ** 2, axis=axis, weights=weights, keepdims=True)
    return (np.squeeze(mean * unit, axis=axis),
            np.squeeze(np.sqrt(variance) * unit, axis=axis))
