"""The baselines of the forecasting benchmark. Each takes the training series
(a list of 1-D arrays), the season length and the horizon, and returns the
forecasts as an array (n_series, horizon).

Statistical models are fitted per series (statsmodels has no automatic ETS or
ARIMA: each picks the lowest AIC over a small set of candidates, as ets() and
auto.arima() of R's forecast package do over larger ones); Ridge is one global
linear model on the same windows as the recurrent forecaster.
"""
import warnings

import numpy as np
from sklearn.linear_model import RidgeCV

from rnnsk import make_windows


def naive(series, season, horizon):
    return np.stack([np.repeat(s[-1], horizon) for s in series])


def seasonal_naive(series, season, horizon):
    return np.stack([np.resize(s[-season:], horizon) for s in series])


def _per_series(fit_one):
    def forecast(series, season, horizon):
        rows = []
        for s in series:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    rows.append(np.asarray(fit_one(s, season, horizon), dtype=float))
                except (ValueError, np.linalg.LinAlgError):
                    rows.append(np.repeat(s[-1], horizon))  # the model cannot be fitted
            if not np.all(np.isfinite(rows[-1])):
                rows[-1] = np.repeat(s[-1], horizon)
        return np.stack(rows)
    return forecast


def _best_by_aic(candidates):
    best = None
    for make in candidates:
        try:
            result = make()
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(result.aic) and (best is None or result.aic < best.aic):
            best = result
    if best is None:
        raise ValueError("no candidate could be fitted")
    return best


@_per_series
def ets(s, season, horizon):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    seasonal = [None]
    if season > 1 and len(s) >= 2 * season:
        seasonal += ["add"] + (["mul"] if np.all(s > 0) else [])
    candidates = [
        (lambda trend=trend, kind=kind: ExponentialSmoothing(
            s, trend=trend, damped_trend=trend is not None, seasonal=kind,
            seasonal_periods=season if kind else None,
            initialization_method="estimated").fit())
        for trend in (None, "add") for kind in seasonal]
    return _best_by_aic(candidates).forecast(horizon)


@_per_series
def arima(s, season, horizon):
    from statsmodels.tsa.arima.model import ARIMA
    orders = [((1, 1, 0), "n"), ((0, 1, 1), "n"), ((1, 1, 1), "n"), ((0, 1, 1), "t"),
              ((2, 0, 0), "c"), ((1, 0, 1), "c")]
    candidates = [lambda o=order, t=trend: ARIMA(s, order=o, trend=t).fit()
                  for order, trend in orders]
    # Seasonal terms (the airline model's (0, 1, 1)_m among them) only for
    # short seasons: state spaces of 48 steps fit slowly.
    if 1 < season <= 12 and len(s) >= 3 * season:
        candidates += [lambda o=order, t=trend: ARIMA(
            s, order=o, seasonal_order=(0, 1, 1, season), trend=t).fit()
            for order, trend in [((0, 1, 1), "n"), ((1, 1, 0), "n"), ((1, 0, 0), "c")]]
    return _best_by_aic(candidates).forecast(horizon)


@_per_series
def theta(s, season, horizon):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    seasonal = season > 1 and len(s) >= 2 * season
    model = ThetaModel(s, period=season if seasonal else 1, deseasonalize=seasonal,
                       method="additive" if np.any(s <= 0) else "auto")
    return model.fit().forecast(horizon)


def ridge(series, season, horizon, *, window_length, fit_intercept=True):
    """RidgeCV (alpha by leave-one-out) on every window of every series, each
    window standardized by its own mean and standard deviation as the
    forecaster's are (one global linear model, direct multi-output). Without
    intercept it is the autoregression the forecaster combines its networks
    with, fitted on all windows."""
    usable = [s for s in series if len(s) >= window_length + horizon]
    X, y = make_windows(usable, lookback=window_length, horizon=horizon)
    X = X[:, :, 0]
    loc, scale = _standardize(X)
    model = RidgeCV(alphas=np.logspace(-3, 3, 13), fit_intercept=fit_intercept).fit(
        (X - loc) / scale, (y - loc) / scale)
    last = np.stack([s[-window_length:] for s in series])
    loc, scale = _standardize(last)
    return model.predict((last - loc) / scale).reshape(len(series), horizon) * scale + loc


def _standardize(windows):
    loc = windows.mean(axis=1, keepdims=True)
    scale = windows.std(axis=1, keepdims=True)
    return loc, np.where(scale > 1e-12, scale, 1.0)


BASELINES = {"naive": naive, "seasonal naive": seasonal_naive, "ETS": ets, "ARIMA": arima,
             "Theta": theta}
