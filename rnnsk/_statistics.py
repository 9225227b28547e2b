"""Means and standard deviations that do not overflow for values of any finite
magnitude (squares of values such as 1e200 are infinite in float64)."""
import numpy as np

__all__ = ["mean_and_std"]


def mean_and_std(values, axis):
    """Mean and standard deviation of ``values`` along ``axis``, computed on the
    values divided by a power of two near their largest magnitude along that
    axis: the division is exact, and the squares stay below 4."""
    _, exponents = np.frexp(np.max(np.abs(values), axis=axis, keepdims=True))
    unit = np.ldexp(1.0, exponents - 1)  # |values| / unit < 2; never inf
    scaled = values / unit
    unit = np.squeeze(unit, axis=axis)
    return scaled.mean(axis=axis) * unit, scaled.std(axis=axis) * unit
