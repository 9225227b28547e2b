"""Checks of what a forecaster is given: the series, their exogenous inputs and
the horizon, each turned into one canonical form with a clear error otherwise.

Series come as one 1-D array, a 2-D array whose columns are aligned series
(rows are time steps, as a pandas DataFrame of series), or a list of 1-D
series of any lengths. Inside, they are always a list of 1-D float64 arrays
plus the kind of container, so that forecasts can be shaped like the input.
"""
from numbers import Integral

import numpy as np

__all__ = ["check_series", "check_exogenous", "check_steps"]


def check_series(y, name="y"):
    """``(list of 1-D float64 arrays, kind)`` with kind '1d', '2d' or 'list'."""
    if isinstance(y, (list, tuple)) and len(y) and any(_is_sequence(item) for item in y):
        kind, columns = "list", [_as_float(item, f"{name}[{i}]") for i, item in enumerate(y)]
        for i, column in enumerate(columns):
            if column.ndim != 1:
                raise ValueError(f"{name}[{i}] must be a 1-D series, got shape {column.shape}; "
                                 "a list holds one 1-D array per series")
    else:
        array = _as_float(y, name)
        if array.ndim == 1:
            kind, columns = "1d", [array]
        elif array.ndim == 2:
            kind, columns = "2d", list(array.T)
        else:
            raise ValueError(f"{name} must be one series (1-D), aligned series as the columns "
                             "of a 2-D array (n_timesteps, n_series), or a list of 1-D series; "
                             f"got {array.ndim}-D with shape {array.shape}")
    for i, column in enumerate(columns):
        where = _which(name, kind, i)
        if len(column) == 0:
            raise ValueError(f"{where} is empty")
        _check_finite(column, where)
    return [np.ascontiguousarray(column) for column in columns], kind


def check_exogenous(X, lengths, kind, n_exogenous, name="X"):
    """Exogenous inputs as one (length_i, n_exogenous) array per series, or None.

    ``lengths`` are the rows each series needs; a single 1-D or 2-D array is
    shared by all series (when ``kind`` is '1d' or '2d'), a list gives one array
    per series. ``n_exogenous`` is the column count seen in fit (None in fit).
    """
    if X is None:
        if n_exogenous:
            raise ValueError(f"this forecaster was fitted with {n_exogenous} exogenous "
                             f"input{'s' if n_exogenous > 1 else ''}: pass {name} with their "
                             "values")
        return None
    if n_exogenous == 0:
        raise ValueError(f"{name} was passed but the forecaster was fitted without exogenous "
                         "inputs")
    per_series = isinstance(X, (list, tuple))
    if per_series and len(X) != len(lengths):
        raise ValueError(f"{name} is a list of {len(X)} arrays, but there are {len(lengths)} "
                         "series: pass one exogenous array per series")
    if not per_series and kind == "list":
        raise ValueError(f"series given as a list need {name} as a list too, one 2-D array "
                         "per series")
    arrays = []
    for i, length in enumerate(lengths):
        where = f"{name}[{i}]" if per_series else name
        array = _as_float(X[i] if per_series else X, where)
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise ValueError(f"{where} must be 2-D (n_timesteps, n_exogenous), got "
                             f"{array.ndim}-D")
        if len(array) != length:
            raise ValueError(f"{where} has {len(array)} time steps but {length} are needed "
                             f"for {_which('the series', kind, i)}")
        if n_exogenous is not None and array.shape[1] != n_exogenous:
            raise ValueError(f"{where} has {array.shape[1]} exogenous columns, but the "
                             f"forecaster was fitted with {n_exogenous}")
        _check_finite(array, where)
        arrays.append(array)
    if n_exogenous is None and len({a.shape[1] for a in arrays}) > 1:
        raise ValueError(f"the arrays of {name} have different numbers of columns")
    return arrays


def check_steps(horizon, default, most=None, beyond=None):
    """The forecast steps (1 = the step after the series' end) as a sorted int
    array: ``horizon`` is a number of steps, or the steps themselves (as
    sktime's relative forecasting horizon ``fh``). A step past ``most`` (None:
    no limit) raises a ValueError whose message is ``beyond(step asked)``,
    before a number of steps is turned into the array of them (2**40 steps
    would be)."""
    if horizon is None:
        horizon = default
    if isinstance(horizon, Integral) and not isinstance(horizon, bool):
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1 step, got {horizon}")
        _refuse_beyond(int(horizon), most, beyond)
        return np.arange(1, int(horizon) + 1)
    steps = np.asarray(horizon)
    if steps.ndim != 1 or steps.size == 0 or steps.dtype.kind not in "iu":
        raise TypeError("horizon must be a positive int or a non-empty 1-D sequence of "
                        f"positive ints (steps ahead), got {horizon!r}")
    if np.any(steps < 1):
        raise ValueError(f"horizon steps must be at least 1 (the step after the end of the "
                         f"series), got {steps.min()}")
    _refuse_beyond(int(steps.max()), most, beyond)
    return np.unique(steps)


def _refuse_beyond(asked, most, beyond):
    if most is not None and asked > most:
        raise ValueError(beyond(asked))


def _as_float(value, name):
    try:
        array = np.asarray(value)
        if array.dtype.kind != "c":  # converting complex values would drop their imaginary part
            return array.astype(np.float64, copy=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must hold numbers: {error}") from None
    raise ValueError(f"Complex data not supported: {name} holds complex numbers")


def _is_sequence(item):
    try:
        return np.ndim(item) > 0
    except (TypeError, ValueError, AttributeError):
        return True  # ragged nesting: a sequence, which _as_float names as malformed


def _which(name, kind, i):
    return {"1d": name, "2d": f"column {i} of {name}", "list": f"{name}[{i}]"}[kind]


def _check_finite(array, where):
    bad = ~np.isfinite(array)
    if bad.any():
        step = int(np.argwhere(bad)[0][0])
        what = "NaN" if np.isnan(array[bad]).any() else "infinity"
        raise ValueError(f"{where} holds {what} (first at time step {step}): a forecaster needs "
                         "series without gaps; fill them (e.g. interpolate) or split the series "
                         "at the gap")
