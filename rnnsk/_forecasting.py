"""Supervised windows from time series, for forecasting with the recurrent
regressors.

A forecaster here is an ordinary regressor fitted on windows: each sample is
``lookback`` consecutive steps of a series (all its features), and its target
the next ``horizon`` values of one column. Windowing changes the number of
samples, which a scikit-learn transformer cannot do to ``y`` as well, so it is
a function applied before ``fit`` (like ``train_test_split``), not a step of a
``Pipeline``; everything after it (scaling of X, the estimator, grid search)
is ordinary scikit-learn.
"""
from numbers import Integral

import numpy as np
from sklearn.utils import check_array

__all__ = ["last_window", "make_windows"]


def make_windows(series, *, lookback, horizon=1, stride=1, target=0):
    """Cut one or several time series into (input window, future values) pairs.

    Window ``i`` of a series ``s`` of length ``T`` starts at ``t = i * stride``:
    its input is ``s[t : t + lookback]`` (every feature) and its target is
    ``s[t + lookback : t + lookback + horizon, target]``, the next ``horizon``
    values of the target column. Windows start at the first step and never
    cross from one series into the next; a series of length ``T`` gives
    ``(T - lookback - horizon) // stride + 1`` windows.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features), \
            or list of such arrays
        One series (a 1-D array is univariate; a 2-D array has time steps as
        rows), or a list or tuple of series of any lengths with the same
        number of features. A list of numbers is one univariate series; a list
        of lists or arrays is several series (to pass one 2-D series as
        nested lists, wrap it in ``np.asarray`` first).
    lookback : int
        Time steps in each input window.
    horizon : int, default=1
        Future values to predict after each window.
    stride : int, default=1
        Steps between the starts of consecutive windows. ``stride=horizon``
        gives targets that tile the series without overlapping.
    target : int, default=0
        Column of the series whose future values are the targets (negative
        values count from the last column). Univariate series have only 0.

    Returns
    -------
    X : ndarray of shape (n_windows, lookback, n_features)
        The input windows (float64), in the order of the series, then of
        time. A 3-D array is what the recurrent regressors take.
    y : ndarray of shape (n_windows, horizon)
        The targets (float64); 2-D even for ``horizon=1``, so that the shape
        never depends on a parameter's value (code written for any horizon
        works for 1, and code written before keeps working); use
        ``y.ravel()`` for a 1-D target. :class:`RecurrentForecaster` does the
        windowing itself.

    Raises
    ------
    ValueError
        If a series is shorter than ``lookback + horizon`` (it would give no
        window), holds NaN or infinity, is not 1-D or 2-D, if the series have
        different numbers of features, or if a parameter is out of range.

    See Also
    --------
    last_window : The most recent window of each series, to forecast beyond
        its end.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import make_windows
    >>> X, y = make_windows(np.arange(10.0), lookback=3, horizon=2, stride=2)
    >>> X.shape, y.shape
    ((3, 3, 1), (3, 2))
    >>> X[1, :, 0], y[1]
    (array([2., 3., 4.]), array([5., 6.]))
    """
    lookback = _check_positive_int(lookback, "lookback")
    horizon = _check_positive_int(horizon, "horizon")
    stride = _check_positive_int(stride, "stride")
    arrays, several = _check_series(series)
    n_features = arrays[0].shape[1]
    if not isinstance(target, Integral) or isinstance(target, bool):
        raise TypeError(f"target must be an int (a column index), got {target!r}")
    if not -n_features <= target < n_features:
        raise ValueError(f"target={target} is not a column of series with {n_features} "
                         f"feature{'s' if n_features > 1 else ''}; use 0"
                         + (f" to {n_features - 1}" if n_features > 1 else ""))
    width = lookback + horizon
    Xs, ys = [], []
    for i, array in enumerate(arrays):
        if len(array) < width:
            raise ValueError(
                f"{_which(i, several)} has {len(array)} time steps, fewer than lookback + "
                f"horizon = {lookback} + {horizon} = {width} needed for one window; use a "
                "shorter lookback or horizon" + (", or leave that series out" if several
                                                 else ""))
        # (n_windows, n_features, width) views, no copy until the slicing below.
        windows = np.lib.stride_tricks.sliding_window_view(array, width, axis=0)[::stride]
        Xs.append(windows[:, :, :lookback].transpose(0, 2, 1))
        ys.append(windows[:, target, lookback:])
    return (np.ascontiguousarray(np.concatenate(Xs)),
            np.ascontiguousarray(np.concatenate(ys)))


def last_window(series, *, lookback):
    """The last ``lookback`` steps of each series, shaped as model input.

    ``model.predict(last_window(series, lookback=L))`` forecasts the
    ``horizon`` values that follow the end of each series, for a model
    fitted on ``make_windows(..., lookback=L, horizon=horizon)``.

    Parameters
    ----------
    series : array-like or list of array-likes
        As in :func:`make_windows`.
    lookback : int
        Time steps in the window (the ``lookback`` of the fitted model).

    Returns
    -------
    X : ndarray of shape (n_series, lookback, n_features)
        One window per series (``n_series`` is 1 for a single series), float64.

    Raises
    ------
    ValueError
        If a series is shorter than ``lookback``, or as :func:`make_windows`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnsk import last_window
    >>> last_window(np.arange(10.0), lookback=3)[:, :, 0]
    array([[7., 8., 9.]])
    """
    lookback = _check_positive_int(lookback, "lookback")
    arrays, several = _check_series(series)
    for i, array in enumerate(arrays):
        if len(array) < lookback:
            raise ValueError(f"{_which(i, several)} has {len(array)} time steps, fewer than "
                             f"lookback = {lookback}")
    return np.stack([array[-lookback:] for array in arrays])


def _check_positive_int(value, name):
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def _is_collection(series):
    """A list or tuple of series (not a list of numbers, which is one series)."""
    return isinstance(series, (list, tuple)) and any(np.ndim(s) > 0 for s in series)


def _which(i, several):
    return f"series[{i}]" if several else "the series"


def _check_series(series):
    """Each series as a 2-D float64 array (n_timesteps, n_features); and whether
    a collection of series was given."""
    several = _is_collection(series)
    items = list(series) if several else [series]
    if isinstance(series, (list, tuple)) and len(series) == 0:
        raise ValueError("series is empty: pass one series or a non-empty list of series")
    arrays = []
    for i, item in enumerate(items):
        name = _which(i, several)
        array = np.asarray(item) if not hasattr(item, "ndim") else item
        if array.ndim not in (1, 2):
            raise ValueError(f"{name} must be 1-D (n_timesteps,) or 2-D (n_timesteps, "
                             f"n_features), got {array.ndim}-D with shape {array.shape}"
                             + ("; for several series pass a list of arrays" if
                                array.ndim == 3 else ""))
        if array.ndim == 1:
            array = np.asarray(array).reshape(-1, 1)
        arrays.append(check_array(array, dtype=np.float64,
                                  input_name=f"series[{i}]" if several else "series"))
    widths = sorted({a.shape[1] for a in arrays})
    if len(widths) > 1:
        raise ValueError(f"the series have different numbers of features: {widths}")
    return arrays, several
