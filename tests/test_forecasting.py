"""Tests of make_windows / last_window, and the airline forecasting example."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline

from rnnsk import GRURegressor, SequenceScaler, last_window, make_windows
from rnnsk.datasets import load_airline_passengers

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "docs", "examples", "forecast_airline.py")


# ------------------------------------------------------------ make_windows --

def test_univariate_windows_values():
    X, y = make_windows(np.arange(10.0), lookback=3, horizon=2)
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)
    assert X.dtype == np.float64 and y.dtype == np.float64
    for i in range(6):
        np.testing.assert_array_equal(X[i, :, 0], [i, i + 1, i + 2])
        np.testing.assert_array_equal(y[i], [i + 3, i + 4])


def test_horizon_defaults_to_one_and_y_stays_2d():
    X, y = make_windows([1.0, 2.0, 3.0, 4.0], lookback=2)
    assert X.shape == (2, 2, 1)
    np.testing.assert_array_equal(y, [[3.0], [4.0]])


@pytest.mark.parametrize("length, lookback, horizon, stride",
                         [(10, 3, 2, 1), (10, 3, 2, 2), (10, 3, 2, 3), (10, 5, 5, 4),
                          (37, 12, 12, 12), (5, 4, 1, 10)])
def test_stride_counts_and_starts(length, lookback, horizon, stride):
    X, y = make_windows(np.arange(float(length)), lookback=lookback, horizon=horizon,
                        stride=stride)
    n = (length - lookback - horizon) // stride + 1
    assert len(X) == len(y) == n
    # window i starts at i * stride, its targets follow its last input step
    np.testing.assert_array_equal(X[:, 0, 0], np.arange(n) * stride)
    np.testing.assert_array_equal(y[:, 0], np.arange(n) * stride + lookback)


def test_multivariate_keeps_every_feature_and_picks_target():
    T = 8
    series = np.column_stack([np.arange(T), 100 + np.arange(T), 200 + np.arange(T)])
    X, y = make_windows(series, lookback=3, horizon=2)
    assert X.shape == (4, 3, 3) and y.shape == (4, 2)
    np.testing.assert_array_equal(X[1], series[1:4])
    np.testing.assert_array_equal(y[1], [4, 5])  # column 0 by default
    _, y_last = make_windows(series, lookback=3, horizon=2, target=2)
    _, y_neg = make_windows(series, lookback=3, horizon=2, target=-1)
    np.testing.assert_array_equal(y_last, y_neg)
    np.testing.assert_array_equal(y_last[1], [204, 205])


def test_list_of_series_never_crosses_series():
    a, b = np.arange(6.0), 100 + np.arange(9.0)
    X, y = make_windows([a, b], lookback=3, horizon=1, stride=1)
    assert len(X) == (6 - 3) + (9 - 3)
    # first the windows of a, then those of b, none mixing the two
    np.testing.assert_array_equal(X[:3, 0, 0], [0, 1, 2])
    np.testing.assert_array_equal(X[3:, 0, 0], 100 + np.arange(6))
    np.testing.assert_array_equal(y[:3, 0], [3, 4, 5])
    assert np.all((X[:, :, 0] < 100).all(axis=1) | (X[:, :, 0] >= 100).all(axis=1))
    # a tuple is several series too; 2-D members are multivariate series
    X2, _ = make_windows((np.ones((5, 2)), np.zeros((7, 2))), lookback=4)
    assert X2.shape == (1 + 3, 4, 2)


def test_list_of_numbers_is_one_series_list_of_lists_is_several():
    X_one, _ = make_windows([1.0, 2.0, 3.0, 4.0], lookback=2, horizon=1)
    assert X_one.shape == (2, 2, 1)
    X_two, _ = make_windows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], lookback=2, horizon=1)
    assert X_two.shape == (2, 2, 1)  # one window from each 3-step series
    np.testing.assert_array_equal(X_two[:, :, 0], [[1, 2], [4, 5]])
    # the same nested list as an array is one 2-step series of 3 features
    with pytest.raises(ValueError, match="fewer than lookback"):
        make_windows(np.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), lookback=2, horizon=1)


def test_outputs_are_copies():
    series = np.arange(10.0)
    X, y = make_windows(series, lookback=3, horizon=2)
    X[:] = -1
    y[:] = -1
    np.testing.assert_array_equal(series, np.arange(10.0))
    assert X.flags.c_contiguous and y.flags.c_contiguous


def test_short_series_errors_name_the_series_and_the_need():
    with pytest.raises(ValueError, match=r"the series has 4 time steps, fewer than lookback "
                                         r"\+ horizon = 3 \+ 2 = 5"):
        make_windows(np.arange(4.0), lookback=3, horizon=2)
    with pytest.raises(ValueError, match=r"series\[1\] has 2 time steps.*leave that series "
                                         r"out"):
        make_windows([np.arange(6.0), np.arange(2.0)], lookback=2, horizon=1)
    # exactly lookback + horizon steps give one window
    X, y = make_windows(np.arange(5.0), lookback=3, horizon=2)
    assert X.shape == (1, 3, 1) and y.shape == (1, 2)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(lookback=0), ValueError, "lookback must be at least 1"),
    (dict(lookback=2.0), TypeError, "lookback must be an int"),
    (dict(lookback=True), TypeError, "lookback must be an int"),
    (dict(lookback=2, horizon=0), ValueError, "horizon must be at least 1"),
    (dict(lookback=2, stride=-1), ValueError, "stride must be at least 1"),
    (dict(lookback=2, target=1), ValueError, "target=1 is not a column"),
    (dict(lookback=2, target=-2), ValueError, "target=-2 is not a column"),
    (dict(lookback=2, target=0.0), TypeError, "target must be an int"),
])
def test_parameter_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(np.arange(10.0), **kwargs)


def test_series_errors():
    with pytest.raises(ValueError, match="NaN"):
        make_windows(np.array([1.0, np.nan, 3.0, 4.0]), lookback=2)
    with pytest.raises(ValueError, match="3-D.*list of arrays"):
        make_windows(np.zeros((2, 10, 1)), lookback=2)
    with pytest.raises(ValueError, match="different numbers of features"):
        make_windows([np.zeros((10, 1)), np.zeros((10, 2))], lookback=2)
    with pytest.raises(ValueError, match="empty"):
        make_windows([], lookback=2)


def test_last_window():
    series = np.arange(10.0)
    np.testing.assert_array_equal(last_window(series, lookback=3), [[[7.0], [8.0], [9.0]]])
    two = last_window([np.arange(5.0), 10 + np.arange(8.0)], lookback=2)
    assert two.shape == (2, 2, 1)
    np.testing.assert_array_equal(two[:, :, 0], [[3, 4], [16, 17]])
    multi = last_window(np.arange(12.0).reshape(6, 2), lookback=4)
    assert multi.shape == (1, 4, 2)
    with pytest.raises(ValueError, match=r"series\[0\] has 5 time steps, fewer than "
                                         r"lookback = 6"):
        last_window([np.arange(5.0), np.arange(8.0)], lookback=6)
    with pytest.raises(TypeError):
        last_window(series, 3)  # lookback is keyword-only


def test_last_window_continues_make_windows():
    # the window after the last training window of a horizon-1 model
    series = np.sin(np.arange(30.0))
    X, _ = make_windows(series, lookback=5, horizon=1)
    np.testing.assert_array_equal(last_window(series, lookback=5)[0, :-1], X[-1, 1:])


def test_windows_fit_a_pipeline_multi_step():
    # two-feature series (a sine and its cosine), 3 steps ahead of the sine
    t = np.arange(400) * 0.3
    series = np.column_stack([np.sin(t), np.cos(t)]) * 5 + 10
    X, y = make_windows(series, lookback=10, horizon=3, stride=2)
    X_train, y_train, X_test, y_test = X[:150], y[:150], X[150:], y[150:]
    model = make_pipeline(SequenceScaler(), GRURegressor(hidden_size=16, max_iter=60,
                                                         learning_rate_init=0.01,
                                                         random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    predicted = model.predict(X_test)
    assert predicted.shape == y_test.shape == (len(X_test), 3)
    assert r2_score(y_test, predicted) > 0.95


# ------------------------------------------------ worked example: airline --

def test_airline_forecast_beats_seasonal_naive():
    """Train on 1949-1958, forecast 1959 and 1960 twelve months ahead each.

    The same steps as docs/examples/forecast_airline.py. Numbers with
    random_state=0: GRU MAE 19.7, seasonal naive 47.6, naive 83.7 (thousands
    of passengers); seeds 0-2 gave 19.7, 20.4, 18.5 (the regressors' default mean
    readout; max pooling gave 46.0, 52.8, 33.8, the last state 28.2-28.8).
    """
    passengers = load_airline_passengers().data
    lookback, horizon, n_train = 24, 12, 120

    # log (multiplicative season -> additive), standardized on training months only
    log = np.log(passengers)
    mean, std = log[:n_train].mean(), log[:n_train].std()
    z = (log - mean) / std
    X_train, y_train = make_windows(z[:n_train], lookback=lookback, horizon=horizon)
    X_test, y_test = make_windows(z[n_train - lookback:], lookback=lookback,
                                  horizon=horizon, stride=horizon)
    assert X_train.shape == (85, 24, 1) and X_test.shape == (2, 24, 1)
    truth = passengers[n_train:].reshape(2, 12)
    np.testing.assert_allclose(np.exp(y_test * std + mean), truth)

    # each window relative to its last value: levels above the training range
    # become ordinary inputs
    # n_threads=1: this small model gains nothing from threads, and on cores
    # shared with other busy processes the OpenMP threads can make a fit tens
    # of times slower (same result with any thread count here)
    model = GRURegressor(hidden_size=32, learning_rate_init=0.01, max_iter=200,
                         random_state=0, n_threads=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train - X_train[:, -1:, :], y_train - X_train[:, -1:, 0])
    predicted = model.predict(X_test - X_test[:, -1:, :]) + X_test[:, -1:, 0]
    forecast = np.exp(predicted * std + mean)

    seasonal_naive = passengers[n_train - 12:n_train + 12].reshape(2, 12)
    naive = np.repeat(passengers[[n_train - 1, n_train + 11], None], 12, axis=1)
    mae_model = np.abs(forecast - truth).mean()
    mae_seasonal = np.abs(seasonal_naive - truth).mean()
    mae_naive = np.abs(naive - truth).mean()
    assert mae_seasonal == pytest.approx(47.583, abs=1e-3)
    assert mae_naive == pytest.approx(83.667, abs=1e-3)
    assert mae_model < 0.75 * mae_seasonal
    assert mae_model < mae_naive

    # beyond the end: 1961 from the last 24 months, a plausible next year
    window = last_window(z, lookback=lookback)
    beyond = np.exp((model.predict(window - window[:, -1:, :]) + window[:, -1:, 0])
                    * std + mean)[0]
    assert beyond.shape == (12,)
    assert np.argmax(beyond) in (6, 7)          # summer peak, as every year
    assert 0.9 < beyond.mean() / passengers[-12:].mean() < 1.3


def test_example_script_runs():
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # see the comment on n_threads above
    result = subprocess.run([sys.executable, "-W", "ignore", EXAMPLE], capture_output=True,
                            text=True, timeout=120, cwd=os.path.dirname(EXAMPLE), env=env)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: float(line.split()[-1]) for line in result.stdout.splitlines()
             if line.startswith("  ")}
    maes = {"GRU": lines["GRU"], "seasonal": lines["seasonal"], "naive": lines["naive"]}
    assert maes["seasonal"] == pytest.approx(47.58, abs=0.01)
    assert maes["GRU"] < maes["seasonal"] < maes["naive"]
    assert "Forecast of 1961" in result.stdout
