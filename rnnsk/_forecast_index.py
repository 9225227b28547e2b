"""Forecasts of pandas series come back as pandas, indexed by the times they
forecast, as statsmodels', sktime's and darts' forecasts are.

A Series (one series) gives a Series of its name, a DataFrame (aligned series
as columns) a DataFrame of its columns. The index continues the series' own:
a PeriodIndex by whole periods, a DatetimeIndex by its frequency (given, or
inferred from its dates), an integer index by its constant step. An index with
none of these (irregular dates, labels, times not increasing) has no next time:
the forecasts are then indexed by their steps, 1 being the step after the end,
named "step".
pandas is only imported for inputs that are pandas already.
"""
from typing import NamedTuple

import numpy as np


class TimeIndex(NamedTuple):
    """What the index of a forecast is made from."""

    last: object    # the series' last time
    step: object    # one step: a pandas offset, 1 for periods, an int; None if none
    labels: object  # the Series' name, or the DataFrame's columns


def time_index_of(y):
    """The TimeIndex of ``y`` if it is a pandas Series or DataFrame, else None."""
    if not type(y).__module__.startswith("pandas") or not hasattr(y, "index"):
        return None
    labels = y.columns if getattr(y, "ndim", 1) == 2 else y.name
    return TimeIndex(y.index[-1], _step_of(y.index), labels)


def _step_of(index):
    import pandas as pd

    if not (index.is_monotonic_increasing and index.is_unique):
        return None  # no next time after times out of order (a sorting slip)
    if isinstance(index, pd.PeriodIndex):
        return 1  # a Period plus k is k periods later
    if isinstance(index, pd.DatetimeIndex):
        frequency = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        return None if frequency is None else pd.tseries.frequencies.to_offset(frequency)
    if index.dtype.kind in "iu" and len(index) >= 2:
        steps = np.diff(np.asarray(index, dtype=np.int64))
        if steps[0] > 0 and np.all(steps == steps[0]):
            return int(steps[0])
    return None


def as_time_series(values, time_index, steps):
    """``values`` (n_steps,) or (n_steps, n_series) forecasts of ``steps`` as a
    Series or DataFrame indexed by the times of those steps."""
    import pandas as pd

    if time_index.step is None:
        index = pd.Index(steps, name="step")
    else:
        index = pd.Index([time_index.last + int(k) * time_index.step for k in steps])
    if np.ndim(values) == 1:
        return pd.Series(values, index=index, name=time_index.labels)
    return pd.DataFrame(values, index=index, columns=time_index.labels)


def dates_of(y):
    """The index of a pandas ``y`` indexed by dates (DatetimeIndex or
    PeriodIndex), else None: only dates say which rows of exogenous inputs
    belong to which time step (integer labels are as often positions)."""
    index = getattr(y, "index", None) if type(y).__module__.startswith("pandas") else None
    return index if _is_dated(index) else None


def future_dates(time_index, n_steps):
    """The dates of the ``n_steps`` steps after a series of ``time_index``
    (a TimeIndex), or None when the series has no dates or no next time."""
    if (time_index is None or time_index.step is None
            or type(time_index.last).__name__ not in ("Timestamp", "Period")):
        return None
    import pandas as pd

    return pd.Index([time_index.last + k * time_index.step for k in range(1, n_steps + 1)])


def exogenous_at(X, dates, name="X"):
    """Exogenous inputs matched by date: each pandas table of ``X`` (one, or a
    list of one per series) indexed by dates gives its rows at ``dates`` (an
    index, or a list of one per series; None: by position), as sktime reads
    them, so that a table of more dates than needed serves and one whose dates
    do not cover the steps is refused instead of being read by position."""
    if isinstance(X, (list, tuple)):
        if not isinstance(dates, list) or len(dates) != len(X):
            return X  # (check_exogenous names a list of the wrong length)
        return [_rows_at(x, d, f"{name}[{i}]") for i, (x, d) in enumerate(zip(X, dates))]
    return X if isinstance(dates, list) else _rows_at(X, dates, name)


def _rows_at(table, dates, name):
    index = dates_of(table)
    if dates is None or index is None:
        return table
    if type(index) is not type(dates):
        raise TypeError(f"{name} is indexed by a {type(index).__name__} but the series by a "
                        f"{type(dates).__name__}: exogenous rows are matched to the series' "
                        "steps by date, which needs the same kind of dates")
    if getattr(index, "tz", None) != getattr(dates, "tz", None):
        raise ValueError(f"{name}'s dates are in the time zone {getattr(index, 'tz', None)} "
                         f"but the series' in {getattr(dates, 'tz', None)}: exogenous rows are "
                         "matched to the series' steps by date; convert one (tz_localize, "
                         "tz_convert)")
    if not index.is_unique:
        raise ValueError(f"{name} has dates that repeat: exogenous rows are matched to the "
                         "series' steps by date, one row per date")
    positions = index.get_indexer(dates)
    missing = dates[positions < 0]
    if len(missing):
        raise ValueError(f"{name} has no row for {len(missing)} of the {len(dates)} dates "
                         f"needed (the first: {missing[0]}); exogenous rows are matched to "
                         "the series' steps by date")
    return table.iloc[positions]


def _is_dated(index):
    return type(index).__name__ in ("DatetimeIndex", "PeriodIndex")
