"""rnnsk inside sktime (skipped without sktime): the regressors in
make_reduction, and RecurrentForecaster behind sktime's fit/predict(fh)
interface through the small adapter the forecasting guide shows."""
import warnings

import numpy as np
import pytest

sktime = pytest.importorskip("sktime")
pd = pytest.importorskip("pandas")

from sklearn.base import clone  # noqa: E402
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon  # noqa: E402
from sktime.forecasting.compose import make_reduction  # noqa: E402

from rnnsk import GRURegressor, RecurrentForecaster  # noqa: E402

FAST = dict(hidden_size=8, max_iter=15, random_state=0, n_threads=1)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def monthly_series(n=96):
    t = np.arange(n)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(10 + 0.05 * t + np.sin(2 * np.pi * t / 12), index=index, name="y")


class RnnskForecaster(BaseForecaster):
    """sktime adapter of a RecurrentForecaster (as in docs/guide/forecasting.md)."""

    _tags = {"y_inner_mtype": "pd.Series", "X_inner_mtype": "pd.DataFrame",
             "requires-fh-in-fit": False, "capability:exogenous": True}

    def __init__(self, forecaster):
        self.forecaster = forecaster
        super().__init__()

    def _fit(self, y, X=None, fh=None):
        self.forecaster_ = clone(self.forecaster)
        self.name_ = y.name  # sktime may not keep y (remember_data=False)
        if fh is not None:  # the direct strategy forecasts as far as it is trained to
            self.forecaster_.set_params(horizon=int(np.max(fh.to_relative(self.cutoff))))
        self.forecaster_.fit(y.to_numpy(), None if X is None else X.to_numpy())
        return self

    def _predict(self, fh, X=None):
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        values = self.forecaster_.predict(
            steps, X=None if X is None else X.to_numpy()[:self.forecaster_.horizon])
        return pd.Series(values, index=fh.to_absolute_index(self.cutoff), name=self.name_)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_regressor_in_make_reduction(strategy):
    y = monthly_series()
    # Tabular windows (n_windows, window_length) are univariate sequences to rnnsk.
    forecaster = make_reduction(GRURegressor(**FAST), window_length=12, strategy=strategy)
    forecaster.fit(y[:-6], fh=np.arange(1, 7))
    forecast = forecaster.predict()
    assert len(forecast) == 6 and np.all(np.isfinite(forecast.to_numpy()))
    assert forecast.index.equals(y.index[-6:])


def test_forecaster_behind_the_sktime_interface():
    y = monthly_series()
    forecaster = RnnskForecaster(RecurrentForecaster(window_length=12, **FAST))
    forecaster.fit(y[:-6], fh=[1, 2, 3, 4, 5, 6])
    forecast = forecaster.predict()
    assert forecast.index.equals(y.index[-6:])
    np.testing.assert_allclose(forecast.to_numpy(), forecaster.forecaster_.predict(6))
    # A horizon of chosen steps, absolute or relative, as sktime allows.
    part = forecaster.predict(fh=ForecastingHorizon([2, 5]))
    np.testing.assert_allclose(part.to_numpy(), forecast.to_numpy()[[1, 4]])
    assert np.mean(np.abs(forecast.to_numpy() - y[-6:].to_numpy())) < 1.0


def test_forecaster_with_exogenous_inputs_behind_the_sktime_interface():
    y = monthly_series()
    X = pd.DataFrame({"x": np.arange(len(y), dtype=float) % 12}, index=y.index)
    forecaster = RnnskForecaster(RecurrentForecaster(window_length=12, **FAST))
    forecaster.fit(y[:-6], X=X[:-6], fh=np.arange(1, 7))
    forecast = forecaster.predict(X=X[-6:])
    assert len(forecast) == 6 and np.all(np.isfinite(forecast.to_numpy()))
