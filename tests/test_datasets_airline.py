"""Tests of the shipped airline passengers series and its loader."""

import sys

import numpy as np
import pytest
from sklearn.utils import Bunch

from rnnsk.datasets import load_airline_passengers

# Box & Jenkins, Series G (identical in R's datasets::AirPassengers).
FIRST_YEAR = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118]
LAST_YEAR = [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]


def test_values_and_shape():
    bunch = load_airline_passengers()
    assert isinstance(bunch, Bunch)
    data = bunch.data
    assert isinstance(data, np.ndarray) and data.shape == (144,) and data.dtype == np.float64
    np.testing.assert_array_equal(data[:12], FIRST_YEAR)
    np.testing.assert_array_equal(data[-12:], LAST_YEAR)
    assert data.sum() == 40363 and data.min() == 104 and data.max() == 622
    assert np.all(data == np.round(data))  # whole numbers (thousands of passengers)


def test_months_are_consecutive_iso_strings():
    months = load_airline_passengers().months
    assert months.shape == (144,) and months.dtype.kind == "U"
    assert months[0] == "1949-01" and months[-1] == "1960-12"
    expected = [f"{y}-{m:02d}" for y in range(1949, 1961) for m in range(1, 13)]
    assert months.tolist() == expected
    as_dates = months.astype("datetime64[M]")
    assert np.all(np.diff(as_dates) == np.timedelta64(1, "M"))


def test_series_shape_trend_and_season():
    data = load_airline_passengers().data
    years = data.reshape(12, 12)
    assert np.all(np.diff(years.sum(axis=1)) > 0)             # every year busier
    assert set(np.argmax(years, axis=1)) <= {6, 7}            # peak in July or August
    # swings grow with the level (multiplicative season)
    assert np.ptp(years[-1]) > 3 * np.ptp(years[0])


def test_metadata():
    bunch = load_airline_passengers()
    assert bunch.frame is None
    assert bunch.feature_names == ["passengers"]
    descr = bunch.DESCR
    assert "Box" in descr and "Jenkins" in descr and "Series G" in descr
    assert "Licence" in descr and "thousands" in descr


def test_dtype():
    data32 = load_airline_passengers(dtype=np.float32).data
    assert data32.dtype == np.float32
    np.testing.assert_array_equal(data32, load_airline_passengers().data)
    with pytest.raises(ValueError, match="floating"):
        load_airline_passengers(dtype=np.int64)


def test_calls_do_not_share_memory():
    first = load_airline_passengers()
    first.data[0] = -1.0
    first.months[0] = "2000-01"
    second = load_airline_passengers()
    assert second.data[0] == 112.0 and second.months[0] == "1949-01"


def test_as_frame_without_pandas_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match="requires pandas.*as_frame=False"):
        load_airline_passengers(as_frame=True)


def test_as_frame():
    pd = pytest.importorskip("pandas")
    bunch = load_airline_passengers(as_frame=True)
    frame = bunch.frame
    assert isinstance(frame, pd.DataFrame) and frame.shape == (144, 1)
    assert list(frame.columns) == ["passengers"]
    assert isinstance(frame.index, pd.PeriodIndex) and frame.index.name == "month"
    assert str(frame.index[0]) == "1949-01" and str(frame.index[-1]) == "1960-12"
    np.testing.assert_array_equal(frame["passengers"].to_numpy(), bunch.data)


def test_keyword_only():
    with pytest.raises(TypeError):
        load_airline_passengers(True)
