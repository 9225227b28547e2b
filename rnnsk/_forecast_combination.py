"""Combining the networks' forecast with a linear autoregression.

Forecast combinations beat their parts more often than not (Bates and Granger
1969; the best entries of the M4 competition combine models). The linear
autoregression reads the same scaled windows as the networks (a ridge
regression without intercept, see ``fit_autoregression``). The weights are equal by default; with
``combine_linear='held_out'`` the network's weight is chosen on the held-out
part at the end of each series, where both forecast from the same origins
before any refit: time-ordered validation inside the training data, as
auto-ARIMA chooses its orders.
"""
import numpy as np
from sklearn.linear_model import RidgeCV

__all__ = ["WEIGHTS", "combination_weight", "combine", "fit_autoregression"]

# The network's share of the forecast, from linear only to network only.
WEIGHTS = np.linspace(0.0, 1.0, 11)


def fit_autoregression(net_inputs, net_targets, rows):
    """Ridge (alpha by leave-one-out) from the flattened scaled windows to the
    scaled targets, on the windows ``rows``, without intercept.

    Why no intercept: each window is scaled by its own level, so an intercept
    is a drift in scaled units fitted over the whole history; on series whose
    drift changes (airline, lynx, nile, solar) it is stale at the end, and
    leave-one-out then picks the largest alpha to damp the lags that would
    correct it. Without it the forecast follows the window alone (benchmark
    MASE, geometric mean over the nine series: 0.978 with, 0.944 without; see
    docs/forecasting.md)."""
    flat = net_inputs.reshape(len(net_inputs), -1)
    return RidgeCV(alphas=np.logspace(-3, 3, 13), fit_intercept=False).fit(
        flat[rows], net_targets[rows])


def combination_weight(truth, network, linear, scale):
    """The network's weight (one of ``WEIGHTS``) whose combination has the
    least mean absolute error, each error divided by the scale of its input
    window, over the known held-out values (``truth`` NaN past a series' end).
    Ties go to the larger weight (the network)."""
    known = ~np.isnan(truth)
    errors = [np.mean(np.abs(truth - combine(network, linear, w))[known] / np.broadcast_to(
        scale[:, None], truth.shape)[known]) for w in WEIGHTS]
    return float(WEIGHTS[len(WEIGHTS) - 1 - int(np.argmin(errors[::-1]))])


def combine(network, linear, weight):
    """``weight * network + (1 - weight) * linear`` (the network alone when
    there is no linear forecast)."""
    if linear is None or weight == 1.0:
        return network
    return weight * network + (1.0 - weight) * linear
