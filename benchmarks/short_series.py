"""Short series at the forecaster's defaults: ``window_length='auto'`` against the
earlier fixed 24, with the naive forecast and ETS beside them, in one run.

Usage::

    python -P benchmarks/short_series.py --seeds 0 1 --json benchmarks/results/short-series.json
    python -P benchmarks/short_series.py --params "window_scaling='last'"

Every series ships with statsmodels or aeon (``pip install ".[benchmark]"``): the
quarterly Danish money-demand data (5 series of 55 quarters), German interest and
inflation (2 of 107 quarters), world copper consumption and price (25 years), Longley's
employment and GNP (16 years), industrial production of the strikes data (62 quarters),
the 10 firms of Grunfeld's investment data (20 years each; one global model per
variable) and shampoo sales (36 months). None of them is in ``forecasting.py``'s
benchmark but shampoo, which that one fits with a window of 6 chosen by hand.

Two rolling origins: the last ``2 * horizon`` steps of each series are forecast in two
blocks, each by models fitted on everything before it. MASE is scaled by the in-sample
mean absolute one-step change (no season is given to any model). A forecaster that
refuses the series (too short for its window) is not scored; where it refuses one
origin only, the other models are also given on the origin it forecast.
"""
import argparse
import json
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _forecast_baselines import ets, naive  # noqa: E402
from _recurrent import parse_params  # noqa: E402
from forecasting import mase  # noqa: E402

from rnnsk import RecurrentForecaster  # noqa: E402

ORIGINS = 2
WINDOWS = {"window 24": 24, "'auto'": "auto"}


def short_series():
    """(name, list of series, horizon) of every data set."""
    import statsmodels.api as sm
    danish = sm.datasets.danish_data.load_pandas().data
    for column in danish.columns:
        yield f"danish {column}", [danish[column].to_numpy(float)], 8
    rates = sm.datasets.interest_inflation.load_pandas().data
    for column in ("Dp", "R"):
        yield f"interest_inflation {column}", [rates[column].to_numpy(float)], 8
    copper = sm.datasets.copper.load_pandas().data
    for column in ("WORLDCONSUMPTION", "COPPERPRICE"):
        yield f"copper {column}", [copper[column].to_numpy(float)], 4
    longley = sm.datasets.longley.load_pandas().data
    for column in ("TOTEMP", "GNP"):
        yield f"longley {column}", [longley[column].to_numpy(float)], 3
    yield "strikes iprod", [sm.datasets.strikes.load_pandas().data["iprod"].to_numpy(float)], 6
    grunfeld = sm.datasets.grunfeld.load_pandas().data
    for column in ("invest", "value"):
        yield (f"grunfeld {column} (10 firms)",
               [firm[column].to_numpy(float) for _, firm in grunfeld.groupby("firm")], 3)
    import aeon.datasets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated loader, still shipped
        shampoo = np.asarray(aeon.datasets.load_shampoo_sales(), dtype=float).ravel()
    yield "shampoo", [shampoo], 6


def evaluate(series, horizon, seeds, params):
    """MASE of every model per origin (None where the forecaster refused
    the series), and the windows 'auto' chose."""
    scores = {name: {} for name in ("naive", "ETS", *WINDOWS)}
    chosen = set()
    for k in range(ORIGINS, 0, -1):
        train = [s[:len(s) - k * horizon] for s in series]
        truth = [s[len(s) - k * horizon:len(s) - (k - 1) * horizon] for s in series]
        for name, baseline in (("naive", naive), ("ETS", ets)):
            forecasts = baseline(train, 1, horizon)
            scores[name][k] = np.mean([mase(*parts, 1) for parts in zip(train, truth, forecasts)])
        for name, window in WINDOWS.items():
            errors = []
            for seed in seeds:
                model = RecurrentForecaster(window_length=window, horizon=horizon,
                                            random_state=seed, n_threads=1, **params)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model.fit(train)
                except ValueError:
                    break  # too short for this window: every seed refuses it
                forecasts = np.asarray(model.predict()).T.reshape(len(train), horizon)
                errors.append(np.mean([mase(*parts, 1)
                                      for parts in zip(train, truth, forecasts)]))
                if window == "auto":
                    chosen.add(model.window_length_)
            scores[name][k] = float(np.mean(errors)) if errors else None
    return scores, sorted(chosen)


def mean_over(origins, per_origin):
    return float(np.mean([per_origin[k] for k in origins])) if origins else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--params", nargs="*", default=[],
                        help="name=value given to RecurrentForecaster in both columns")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    params = parse_params(args.params)
    print(f"RecurrentForecaster({', '.join(args.params)}), seeds {args.seeds}")
    print(f"| series | steps | horizon | naive | ETS | {' | '.join(WINDOWS)} | 'auto' chose |")
    print("|---" * (6 + len(WINDOWS)) + "|")
    results = {}
    for name, series, horizon in short_series():
        scores, chosen = evaluate(series, horizon, args.seeds, params)
        results[name] = dict(scores, chosen=chosen, steps=len(series[0]), horizon=horizon)
        every = list(range(ORIGINS, 0, -1))
        cells = [f"{mean_over(every, scores[m]):.3f}" for m in ("naive", "ETS")]
        for window in WINDOWS:
            fitted = [k for k in every if scores[window][k] is not None]
            if not fitted:
                cells.append("refused")
                continue
            cells.append(f"{mean_over(fitted, scores[window]):.3f}")
            if len(fitted) < len(every):  # the others on the same origins, for comparison
                same = ", ".join(f"{m} {mean_over(fitted, scores[m]):.3f}"
                                 for m in ("naive", *WINDOWS) if m != window)
                cells[-1] += f" (last origin only: {same})"
        print(f"| {name} | {len(series[0])} | {horizon} | {' | '.join(cells)} | "
              f"{', '.join(map(str, chosen))} |", flush=True)
    every = list(range(ORIGINS, 0, -1))
    means = {m: float(np.exp(np.mean([np.log(mean_over(every, result[m]))
                                      for result in results.values()])))
             for m in ("naive", "ETS", "'auto'")}
    print("\nGeometric mean over the sets (every origin): "
          + ", ".join(f"{m} {value:.3f}" for m, value in means.items()))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"seeds": args.seeds, "origins": ORIGINS, "params": args.params,
                       "results": results, "geometric_means": means}, handle, indent=1)


if __name__ == "__main__":
    main()
