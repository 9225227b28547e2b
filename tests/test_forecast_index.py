"""Forecasts of pandas series come back as pandas, indexed by the times they
forecast (they were bare arrays whatever the input's index)."""
import numpy as np
import pytest

from rnnsk import RecurrentForecaster

pd = pytest.importorskip("pandas")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(window_length=12, horizon=6, hidden_size=8, max_iter=5, random_state=0,
            n_threads=1, n_estimators=1)


def values(n=60, seed=0):
    t = np.arange(n)
    return 10 + 0.05 * t + np.sin(2 * np.pi * t / 12) + 0.05 * np.random.default_rng(
        seed).standard_normal(n)


def test_a_series_of_periods_is_forecast_for_the_periods_after_it():
    y = pd.Series(values(), index=pd.period_range("2001-01", periods=60, freq="M"),
                  name="sales")
    forecaster = RecurrentForecaster(**FAST).fit(y)
    forecast = forecaster.predict()
    plain = RecurrentForecaster(**FAST).fit(y.to_numpy()).predict()
    assert forecast.name == "sales"
    assert list(forecast.index) == list(pd.period_range("2006-01", periods=6, freq="M"))
    np.testing.assert_array_equal(forecast.to_numpy(), plain)
    some = forecaster.predict([2, 5])
    assert list(some.index) == [pd.Period("2006-02", "M"), pd.Period("2006-05", "M")]
    lower, upper = forecaster.predict_interval(3, coverage=0.8)
    assert list(lower.index) == list(upper.index) == list(forecast.index[:3])
    assert np.all(lower < forecast[:3]) and np.all(forecast[:3] < upper)


def test_aligned_series_with_dates_give_a_frame_of_their_columns():
    dates = pd.date_range("2000-01-31", periods=60, freq="ME")
    y = pd.DataFrame({"north": values(seed=1), "south": values(seed=2)},
                     index=pd.DatetimeIndex(list(dates)))  # no freq set: inferred
    forecast = RecurrentForecaster(**FAST).fit(y).predict(2)
    assert list(forecast.columns) == ["north", "south"]
    assert list(forecast.index) == [pd.Timestamp("2005-01-31"), pd.Timestamp("2005-02-28")]


@pytest.mark.parametrize("index, expected", [
    (np.arange(1000, 1120, 2), pd.Index([1120, 1122])),   # an integer step
    ([f"w{k}" for k in range(60)], pd.Index([1, 2], name="step")),  # no next label
])
def test_other_indices(index, expected):
    forecast = RecurrentForecaster(**FAST).fit(pd.Series(values(), index=index)).predict(2)
    pd.testing.assert_index_equal(forecast.index, expected)


def test_new_series_are_forecast_after_their_own_end():
    y = pd.Series(values(), index=pd.period_range("2001-01", periods=60, freq="M"))
    forecaster = RecurrentForecaster(**FAST).fit(y)
    later = pd.Series(values(seed=3)[:30], index=pd.period_range("2010-01", periods=30,
                                                                  freq="M"))
    assert forecaster.predict(1, series=later).index[0] == pd.Period("2012-07", "M")
    assert isinstance(forecaster.predict(1, series=later.to_numpy()), np.ndarray)


def test_times_out_of_order_are_indexed_by_steps():
    """Dates given newest first were forecast backwards in time."""
    dates = pd.date_range("2000-01-01", periods=60, freq="D")[::-1]
    forecast = RecurrentForecaster(**FAST).fit(pd.Series(values(), index=dates)).predict(2)
    pd.testing.assert_index_equal(forecast.index, pd.Index([1, 2], name="step"))


def test_an_empty_pandas_series_is_refused_clearly():
    with pytest.raises(ValueError, match="y is empty"):
        RecurrentForecaster(**FAST).fit(pd.Series([], dtype=float))


def test_a_second_fit_at_once_is_refused():
    import threading
    forecaster = RecurrentForecaster(**FAST)
    inside, release = threading.Event(), threading.Event()
    original = forecaster._fit

    def held(*args):
        inside.set()
        release.wait(30)
        return original(*args)

    forecaster._fit = held
    first = threading.Thread(target=forecaster.fit, args=(values(),), daemon=True)
    first.start()
    inside.wait(30)
    with pytest.raises(RuntimeError, match="being fitted in another thread"):
        forecaster.fit(values(seed=1))
    release.set()
    first.join(60)
    del forecaster._fit
    assert forecaster.predict().shape == (6,)


# ------------------------------------------------ exogenous rows by date --

def dated_exogenous(n=84, start="2001-01"):
    """A promotion flag and a temperature over ``n`` months (more than the
    60 of ``values()``), and the series driven by the flag."""
    t = np.arange(n)
    exogenous = pd.DataFrame({"promo": (t % 5 == 0).astype(float), "temp": np.sin(t / 4)},
                             index=pd.period_range(start, periods=n, freq="M"))
    y = pd.Series(values() + 2 * exogenous["promo"].to_numpy()[:60],
                  index=exogenous.index[:60], name="sales")
    return y, exogenous


def test_exogenous_tables_with_dates_are_read_at_the_series_dates():
    """A table of every date, past and future, serves fit and predict (as
    sktime reads X by date); the forecasts equal those of the rows sliced by
    position."""
    y, exogenous = dated_exogenous()
    by_date = RecurrentForecaster(**FAST).fit(y, X=exogenous)
    sliced = RecurrentForecaster(**FAST).fit(y, X=exogenous.iloc[:60].to_numpy())
    np.testing.assert_array_equal(by_date.predict(X=exogenous).to_numpy(),
                                  sliced.predict(X=exogenous.iloc[60:66].to_numpy()))
    shuffled = exogenous.sample(frac=1.0, random_state=0)  # rows matched, not positions
    np.testing.assert_array_equal(by_date.predict(X=shuffled).to_numpy(),
                                  sliced.predict(X=exogenous.iloc[60:66].to_numpy()))
    new = y.iloc[:40]
    np.testing.assert_array_equal(
        by_date.predict(series=new, X=exogenous).to_numpy(),
        sliced.predict(series=new.to_numpy(), X=exogenous.iloc[:46].to_numpy()))


@pytest.mark.parametrize("case, error, message", [
    ("dates short", ValueError, r"X has no row for 1 of the 6 dates needed \(the first: "
                                r"2006-06\)"),
    ("other kind", TypeError, "X is indexed by a DatetimeIndex but the series by a "
                              "PeriodIndex"),
    ("repeated", ValueError, "X has dates that repeat"),
])
def test_exogenous_dates_that_do_not_match_are_refused(case, error, message):
    y, exogenous = dated_exogenous()
    forecaster = RecurrentForecaster(**FAST).fit(y, X=exogenous)
    bad = {"dates short": exogenous.iloc[:65],
           "other kind": exogenous.set_axis(exogenous.index.to_timestamp()),
           "repeated": pd.concat([exogenous, exogenous.iloc[-1:]])}[case]
    with pytest.raises(error, match=message):
        forecaster.predict(X=bad)
    with pytest.raises(error, match=message.replace("6 dates", "60 dates")
                       .replace("2006-06", "2001-01")):
        RecurrentForecaster(**FAST).fit(y, X=bad.iloc[1:] if case == "dates short" else bad)


def test_exogenous_tables_without_dates_are_read_by_position():
    """Integer labels are as often positions: a fresh table of the future rows
    (labelled 0, 1, ...) is read as it comes."""
    y, exogenous = dated_exogenous()
    forecaster = RecurrentForecaster(**FAST).fit(y, X=exogenous.iloc[:60])
    future = exogenous.iloc[60:66].reset_index(drop=True)
    np.testing.assert_array_equal(forecaster.predict(X=future).to_numpy(),
                                  forecaster.predict(X=exogenous).to_numpy())


def test_exogenous_dates_in_another_time_zone_are_named():
    """(every date was there but in another zone: "no row for 60 of the 60 dates")"""
    dates = pd.date_range("2001-01-01", periods=66, freq="D")
    y = pd.Series(values(), index=dates[:60].tz_localize("UTC"))
    exogenous = pd.DataFrame({"flag": np.arange(66) % 7 == 0}, index=dates, dtype=float)
    with pytest.raises(ValueError, match="X's dates are in the time zone None but the "
                                         "series' in UTC"):
        RecurrentForecaster(**FAST).fit(y, X=exogenous)
