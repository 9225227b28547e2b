"""The series of the forecasting benchmark, all shipped inside pip packages
(rnnsk, statsmodels, aeon): nothing is downloaded.

Each data set is a list of 1-D series with its season length ``m`` (used by the
seasonal naive forecast, the statistical models and the MASE scale), the
forecast horizon, the window length given to the window-based models, and the
number of rolling origins (the last ``origins * horizon`` steps are forecast in
consecutive blocks of ``horizon`` steps).
"""
import glob
import os
import warnings
from dataclasses import dataclass

import numpy as np


@dataclass
class DataSet:
    name: str
    series: list
    season: int
    horizon: int
    window_length: int
    origins: int
    source: str


def _airline():
    from rnnsk.datasets import load_airline_passengers
    return [load_airline_passengers().data.astype(float)]


def _aeon(loader):
    def load():
        import aeon.datasets
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [np.asarray(getattr(aeon.datasets, loader)(), dtype=float)]
    return load


def _statsmodels(name, column):
    def load():
        import statsmodels.api as sm
        return [getattr(sm.datasets, name).load_pandas().data[column].to_numpy(float)]
    return load


def _macrodata():
    import statsmodels.api as sm
    frame = sm.datasets.macrodata.load_pandas().data.drop(columns=["year", "quarter"])
    return [frame[column].to_numpy(float) for column in frame.columns]


def _uschange():
    import aeon.datasets
    return [np.asarray(row, dtype=float) for row in aeon.datasets.load_uschange()]


def _m1_yearly():
    import aeon.datasets
    from aeon.datasets import load_from_tsf_file
    folder = os.path.join(os.path.dirname(aeon.datasets.__file__), "data", "m1_yearly_dataset")
    frame, _ = load_from_tsf_file(glob.glob(os.path.join(folder, "*.tsf"))[0])
    return [np.asarray(values, dtype=float) for values in frame["series_value"]]


def _elnino():
    import statsmodels.api as sm
    frame = sm.datasets.elnino.load_pandas().data.drop(columns=["YEAR"])
    return [frame.to_numpy(float).ravel()]  # the rows are years, the columns months


def _co2_monthly():
    import statsmodels.api as sm
    weekly = sm.datasets.co2.load_pandas().data["co2"]
    # 59 of its 2,284 weeks are missing: interpolated, then averaged by month.
    return [weekly.interpolate().resample("MS").mean().to_numpy(float)]


def _fertility():
    import statsmodels.api as sm
    rates = sm.datasets.fertility.load_pandas().data.loc[:, "1960":"2011"].to_numpy(float)
    return list(rates[~np.isnan(rates).any(axis=1)])  # the 192 countries without a gap


def _package_csv(package, path, column, every=1, steps=None):
    """A column of a CSV file shipped inside ``package`` (read without importing
    the package), every ``every``-th value of its first ``steps``."""
    def load():
        import importlib.util

        import pandas as pd
        folder = os.path.dirname(importlib.util.find_spec(package).origin)
        values = pd.read_csv(os.path.join(folder, path))[column].to_numpy(float)
        return [values[:steps:every]]
    return load


# name: (loader, season, horizon, window length, origins, source)
SPECS = {
    "airline": (_airline, 12, 12, 24, 3, "rnnsk (Box & Jenkins), monthly 1949-1960"),
    "lynx": (_aeon("load_lynx"), 10, 8, 20, 3, "aeon, annual lynx trappings 1821-1934"),
    "nile": (_statsmodels("nile", "volume"), 1, 10, 20, 3,
             "statsmodels, annual Nile flow 1871-1970"),
    "shampoo": (_aeon("load_shampoo_sales"), 12, 6, 6, 2, "aeon, monthly sales, 36 months"),
    "solar": (_aeon("load_solar"), 48, 24, 48, 3, "aeon, half-hourly solar power, 6 days"),
    "pbs": (_aeon("load_PBS_dataset"), 12, 12, 24, 3,
            "aeon, monthly PBS prescriptions (counts, 44% zeros) 1991-2008"),
    "sunspots": (_statsmodels("sunspots", "SUNACTIVITY"), 11, 11, 33, 3,
                 "statsmodels, annual sunspots 1700-2008"),
    "macrodata": (_macrodata, 4, 8, 16, 3, "statsmodels, 12 quarterly US macro series"),
    "uschange": (_uschange, 4, 8, 16, 3, "aeon, 5 quarterly US growth series"),
    "m1_yearly": (_m1_yearly, 1, 6, 6, 1, "aeon, 181 yearly series of the M1 competition"),
}
MULTI_SERIES = ("macrodata", "uschange", "m1_yearly", "fertility")
# Series outside issue 22's benchmark, to check that the defaults chosen on it
# forecast other series as well; run only when named (--datasets elnino,co2).
OUTSIDE = {
    "elnino": (_elnino, 12, 12, 24, 3,
               "statsmodels, monthly Pacific sea surface temperature 1950-2010"),
    "co2": (_co2_monthly, 12, 12, 24, 3,
            "statsmodels, Mauna Loa CO2 1958-2001, weekly averaged by month"),
    "fertility": (_fertility, 1, 6, 12, 2,
                  "statsmodels, yearly fertility rates of 192 countries 1960-2011"),
    # Seasons longer than 24 steps (docs/forecasting.md, session 21).
    "bleeding": (_package_csv("aeon", "datasets/data/KDD-TSAD_135/"
                              "135_UCR_Anomaly_InternalBleeding16_TEST.csv", "value",
                              every=4, steps=4000), 46, 24, 46, 3,
                 "aeon, InternalBleeding16 physiological signal, every 4th of the first "
                 "4,000 steps (a period of about 46)"),
    "yahoo": (_package_csv("sktime", "datasets/data/yahoo/yahoo.csv", "data"), 24, 12, 24, 3,
              "sktime, Yahoo S5 web traffic series, 1,000 hourly steps"),
}


def load(name):
    loader, season, horizon, window_length, origins, source = {**SPECS, **OUTSIDE}[name]
    return DataSet(name, loader(), season, horizon, window_length, origins, source)
