"""Loader for the Box & Jenkins airline passengers series, shipped with the package."""

import gzip
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_airline_passengers"]

_DATA_FILE = "airline_passengers.csv.gz"

_DESCR = """\
.. _airline_passengers_dataset:

Airline passengers data set
---------------------------

**Data Set Characteristics:**

:Number of Instances: 1 univariate series of 144 monthly values
:Period: January 1949 to December 1960 (months '1949-01' to '1960-12')
:Values: monthly totals of international airline passengers, in thousands
         (whole numbers, 104 to 622)
:Missing Attribute Values: None
:Source: Box, Jenkins and Reinsel, "Time Series Analysis, Forecasting and
         Control", Series G
:Licence: no licence is attached to the numbers: they are published
          historical statistics, redistributed for decades with R
          (``datasets::AirPassengers``) and, among others, the BSD-3-Clause
          package aeon, whose copy rnnsk ships

The classic airline data: a clear upward trend, a yearly (12-month) seasonal
pattern, and seasonal swings that grow with the level (multiplicative
seasonality, which a logarithm makes roughly additive). It is the standard
first example of seasonal forecasting; the usual benchmarks are the naive
forecast (the last value) and the seasonal naive forecast (the value twelve
months earlier).

The values are exactly those of ``aeon/datasets/data/Airline/Airline.csv`` in
the aeon 1.6.0 wheel, checked to equal the 144 values of the independent
copy in pmdarima 2.1.1; see ``rnnsk/datasets/data/README.md`` in the source tree.

.. dropdown:: References

  - G. E. P. Box, G. M. Jenkins and G. C. Reinsel (1976). Time Series
    Analysis, Forecasting and Control. Third Edition. Holden-Day. Series G.
"""


def load_airline_passengers(*, as_frame=False, dtype=np.float64):
    """Load the airline passengers series (univariate forecasting).

    Monthly totals of international airline passengers (in thousands) from
    January 1949 to December 1960: the Box & Jenkins "Series G". The data ship
    with rnnsk; nothing is downloaded.

    =================   ==============================
    Series                                           1
    Length                              144 (monthly)
    Period                          1949-01 .. 1960-12
    Values                       104 .. 622 (thousands)
    =================   ==============================

    There is one series and no target, so there is no ``return_X_y``: turn
    the series into supervised windows with :func:`rnnsk.make_windows`.

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``frame`` is a pandas DataFrame with one column,
        ``passengers``, indexed by a monthly ``PeriodIndex`` named ``month``.
        pandas is not a dependency of rnnsk and must be installed for this.
    dtype : floating dtype, default=np.float64
        Dtype of ``data`` (and of the frame's column). The values are whole
        numbers, exact in float32 and float64.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : ndarray of shape (144,)
            The series, oldest month first.
        months : ndarray of shape (144,), dtype str
            The month of each value as an ISO string ``'YYYY-MM'``
            (``months.astype('datetime64[M]')`` gives numpy dates).
        feature_names : list of str
            ``['passengers']``.
        frame : DataFrame of shape (144, 1) or None
            The series as a DataFrame when ``as_frame=True``, else None.
        DESCR : str
            The full description of the data set: source, licence, citation.

    Raises
    ------
    ValueError
        If ``dtype`` is not a floating dtype.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    Examples
    --------
    >>> from rnnsk.datasets import load_airline_passengers
    >>> airline = load_airline_passengers()
    >>> airline.data.shape, airline.months[0], airline.months[-1]
    ((144,), np.str_('1949-01'), np.str_('1960-12'))
    >>> airline.data[:3]
    array([112., 118., 132.])
    """
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a floating dtype; got {dtype}.")
    if as_frame:
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("load_airline_passengers(as_frame=True) requires pandas, which "
                              "rnnsk does not depend on. Install it with `pip install pandas`, "
                              "or use as_frame=False (numpy arrays).") from error

    source = resources.files(__package__).joinpath("data", _DATA_FILE)
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as fh:
        header, *rows = fh.read().split()
    if header != "month,passengers":
        raise RuntimeError(f"{_DATA_FILE} is damaged: unexpected header {header!r}")
    months, values = zip(*(row.split(",") for row in rows))
    months = np.array(months, dtype="<U7")
    data = np.array([int(v) for v in values], dtype=dtype)

    frame = None
    if as_frame:
        frame = pd.DataFrame({"passengers": data},
                             index=pd.PeriodIndex(months, freq="M", name="month"))
    return Bunch(data=data, months=months, feature_names=["passengers"], frame=frame,
                 DESCR=_DESCR)
