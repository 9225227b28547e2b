"""Forecasting benchmark: RecurrentForecaster against statistical baselines.

Usage (needs the ``benchmark`` extra: statsmodels, aeon)::

    python benchmarks/forecasting.py                        # every data set, defaults
    python benchmarks/forecasting.py --datasets airline,lynx
    python benchmarks/forecasting.py --datasets elnino,co2   # series outside the issue's set
    python benchmarks/forecasting.py --variant last:window_scaling=last \\
        --variant lstm2:num_layers=2 --out docs/forecasting.md

Every data set (see ``_forecast_data.py``) is forecast from several rolling
origins: the last ``origins * horizon`` steps of each series, in consecutive
blocks of ``horizon`` steps, each forecast by models fitted on everything
before it. Errors are MASE (mean absolute error over that of the in-sample
seasonal naive forecast, the M4 competition's scale) and sMAPE (percent),
averaged over series and origins; Ridge is scored with and without intercept.
Every model runs in the same process on one thread; seconds are per fit (and
forecast) of one origin. The recurrent
forecaster is one global model over all series of a data set, fitted at its
defaults but for ``window_length``, ``horizon`` and ``seasonal_period`` (those
of the data set: the same windows as Ridge's, the season the statistical
models are given); ``--variant NAME:param=value,...`` adds columns with
other parameters. Its 80% and 95% conformal intervals are scored by the
fraction of true values they contain.
"""
import argparse
import ast
import json
import os
import re
import shlex
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _forecast_baselines import BASELINES, ridge  # noqa: E402
from _forecast_data import MULTI_SERIES, SPECS, load  # noqa: E402

from rnnsk import RecurrentForecaster  # noqa: E402

COVERAGES = (0.8, 0.95)
# The linear baselines on the forecaster's windows, by whether they fit an
# intercept: "Ridge" is the baseline; without intercept it is the
# autoregression inside the forecaster's default, reported so that the
# forecaster is also compared with its own linear part.
LINEAR = {"Ridge": True, "Ridge (no intercept)": False}


def mase(train, truth, forecast, season):
    lag = season if len(train) > season else 1
    scale = np.mean(np.abs(train[lag:] - train[:-lag]))
    return np.mean(np.abs(truth - forecast)) / scale if scale > 0 else np.nan


def smape(truth, forecast):
    denominator = np.abs(truth) + np.abs(forecast)
    ratio = np.divide(np.abs(truth - forecast), denominator,
                      out=np.zeros_like(denominator), where=denominator > 0)
    return 200 * np.mean(ratio)


def recurrent(params, seed):
    def forecast(series, season, horizon, *, window_length, intervals):
        # (a variant's parameters override these: window_length=auto among them)
        model = RecurrentForecaster(**{"window_length": window_length, "horizon": horizon,
                                       "seasonal_period": season if season > 1 else None,
                                       "random_state": seed, "n_threads": 1, **params})
        model.fit(series)
        point = model.predict().T
        for coverage in COVERAGES:
            if model.calibration_residuals_ is not None:
                lower, upper = model.predict_interval(coverage=coverage)
                intervals[coverage] = (lower.T, upper.T)
        return point
    return forecast


def origins(data):
    """(training series, test blocks) of each rolling origin."""
    for k in range(data.origins, 0, -1):
        cuts = [len(s) - k * data.horizon for s in data.series]
        yield ([s[:cut] for s, cut in zip(data.series, cuts)],
               np.stack([s[cut:cut + data.horizon] for s, cut in zip(data.series, cuts)]))


def evaluate(data, models):
    """Per model: mean MASE, mean sMAPE, seconds per fit, interval coverages."""
    scores = {name: {"mase": [], "smape": [], "seconds": [],
                     **{f"cover{c}": [] for c in COVERAGES}} for name in models}
    for train, truth in origins(data):
        for name, model in models.items():
            intervals = {}
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                forecast = model(train, data.season, data.horizon,
                                 window_length=data.window_length, intervals=intervals)
            scores[name]["seconds"].append(time.perf_counter() - started)
            for s, y, f in zip(train, truth, forecast):
                scores[name]["mase"].append(mase(s, y, f, data.season))
                scores[name]["smape"].append(smape(y, f))
            for coverage, (lower, upper) in intervals.items():
                scores[name][f"cover{coverage}"].append(np.mean((truth >= lower)
                                                                & (truth <= upper)))
    return {name: {key: float(np.nanmean(values)) if values else None
                   for key, values in result.items()} for name, result in scores.items()}


def without_window(baseline):
    return lambda series, season, horizon, **_: baseline(series, season, horizon)


def table(results, models, key, digits):
    lines = ["| data set | " + " | ".join(models) + " |",
             "|---" * (len(models) + 1) + "|"]
    for name, result in results.items():
        cells = [f"{result[m][key]:.{digits}f}" if result[m][key] is not None else "–"
                 for m in models]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(results, rnn):
    """Where the forecaster meets the issue's targets, with the margins."""
    lines = []
    for name, result in results.items():
        best = min(("naive", "seasonal naive", "Ridge"), key=lambda m: result[m]["mase"])
        margin = result[rnn]["mase"] - result[best]["mase"]
        line = (f"- {name}: {rnn} MASE {result[rnn]['mase']:.3f} vs best of naive, seasonal "
                f"naive, Ridge ({best}) {result[best]['mase']:.3f}: "
                + ("met" if margin <= 0 else f"NOT met (+{margin:.3f})"))
        part = result["Ridge (no intercept)"]["mase"]
        line += (f"; vs Ridge without intercept {part:.3f}: "
                 + ("at or below" if result[rnn]["mase"] <= part else "above"))
        if name in MULTI_SERIES:
            gap = result[rnn]["mase"] - result["ETS"]["mase"]
            line += (f"; vs ETS {result['ETS']['mase']:.3f}: "
                     + ("met" if gap <= 0 else f"NOT met (+{gap:.3f})"))
        for coverage in COVERAGES:
            measured = result[rnn][f"cover{coverage}"]
            if measured is not None:
                ok = abs(measured - coverage) <= 0.05
                line += (f"; {coverage:.0%} interval covers {measured:.1%}"
                         + ("" if ok else " (NOT within 5 points)"))
        lines.append(line)
    for coverage in COVERAGES:
        measured = [result[rnn][f"cover{coverage}"] for result in results.values()]
        if None not in measured:
            lines.append(f"- mean over the data sets: {coverage:.0%} interval covers "
                         f"{np.mean(measured):.1%}")
    return "\n".join(lines)


def parse_variant(text):
    name, _, assignments = text.partition(":")
    params = {}
    # A comma starts a new assignment only before `name=`: tuples stay whole.
    for item in filter(None, re.split(r",(?=\w+=)", assignments)):
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return name, params


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(SPECS))
    parser.add_argument("--variant", action="append", default=[],
                        help="NAME:param=value,... another forecaster column")
    parser.add_argument("--no-baselines", action="store_true",
                        help="only the forecaster columns (to compare variants quickly)")
    parser.add_argument("--models", help="comma-separated columns to keep (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the markdown report here")
    parser.add_argument("--json", help="write the raw results here")
    args = parser.parse_args()

    models = {}
    if not args.no_baselines:
        models.update({name: without_window(f) for name, f in BASELINES.items()})
        for name, fit_intercept in LINEAR.items():
            models[name] = (lambda series, season, horizon, window_length, fit_intercept=
                            fit_intercept, **_: ridge(series, season, horizon,
                                                      window_length=window_length,
                                                      fit_intercept=fit_intercept))
    models["RNN"] = recurrent({}, args.seed)
    for text in args.variant:
        name, params = parse_variant(text)
        models[name] = recurrent(params, args.seed)

    if args.models:
        models = {name: models[name] for name in args.models.split(",")}

    results = {}
    for name in args.datasets.split(","):
        data = load(name)
        results[name] = evaluate(data, models)
        print(name, {m: round(r["mase"], 3) for m, r in results[name].items()}, flush=True)

    forecasters = [m for m in models if m not in BASELINES and m not in LINEAR]
    command = "python benchmarks/forecasting.py " + " ".join(shlex.quote(a) for a in
                                                              sys.argv[1:])
    report = "\n\n".join([
        f"Command: `{command.strip()}`",
        "MASE (lower is better):\n\n" + table(results, list(models), "mase", 3),
        "sMAPE, percent:\n\n" + table(results, list(models), "smape", 2),
        "Seconds per fit and forecast (one origin, one thread):\n\n"
        + table(results, list(models), "seconds", 2),
        "Coverage of the forecaster's conformal intervals (nominal 80% / 95%):\n\n"
        + table(results, forecasters, "cover0.8", 3)
        + "\n\n" + table(results, forecasters, "cover0.95", 3),
    ] + (["Targets:\n\n" + targets(results, "RNN")]
         if {"naive", "seasonal naive", "ETS", "RNN", *LINEAR} <= set(models) else []))
    print(report)
    if args.out:
        with open(args.out, "w") as file:
            file.write(report + "\n")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=1)


if __name__ == "__main__":
    main()
