"""Statistics that do not overflow for values of any finite magnitude (squares
and sums of values such as 1e200 are infinite in float64)."""
import numpy as np

__all__ = ["magnitude_unit", "mean_and_std"]


def magnitude_unit(values, axis=None):
    """A power of two near the largest magnitude of ``values`` (along ``axis``,
    kept as a dimension of length 1): dividing by it is exact and leaves every
    value below 2 in magnitude."""
    _, exponents = np.frexp(np.max(np.abs(values), axis=axis, keepdims=True))
    return np.ldexp(1.0, exponents - 1)  # never inf


def mean_and_std(values, axis, weights=None):
    """Mean and standard deviation of ``values`` along ``axis`` (weighted by
    ``weights`` along it, if given), computed on the values divided by
    ``magnitude_unit``: deviations from the mean stay below 4 in magnitude."""
    unit = magnitude_unit(values, axis)
    scaled = values / unit
    mean = np.average(scaled, axis=axis, weights=weights, keepdims=True)
    variance = np.average((scaled - mean) ** 2, axis=axis, weights=weights, keepdims=True)
    return (np.squeeze(mean * unit, axis=axis),
            np.squeeze(np.sqrt(variance) * unit, axis=axis))
