"""verbose=2: progress within each epoch, as Keras' fit (samples done, a bar,
time left, running loss): redrawn in place on a terminal, a plain line per
tenth of the epoch elsewhere. verbose=1 keeps one line per epoch."""
import io
import re
import sys

import numpy as np
import pytest

from rnnsk import GRURegressor, LSTMClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PROGRESS = re.compile(r"^Epoch (\d+): +(\d+)/(\d+) \[([=>.]{30})\] - (ETA: )?(\d+s|\d+:\d\d) "
                      r"- loss: (\d+\.\d{5})$")
SUMMARY = re.compile(r"^Epoch (\d+): loss (\d+\.\d{5}), \d+\.\d\d s$")


def _data(n=100):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 5, 2))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


def test_progress_lines_within_each_epoch_when_not_a_terminal(capsys):
    X, y = _data()
    clf = LSTMClassifier(hidden_size=4, max_iter=3, batch_size=8, verbose=2,
                         random_state=0, n_threads=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    epochs = [[]]
    for line in lines:
        summary = SUMMARY.match(line)
        if summary:
            assert summary.group(2) == f"{clf.loss_curve_[len(epochs) - 1]:.5f}"
            epochs.append([])
        else:
            match = PROGRESS.match(line)
            assert match, line
            epochs[-1].append(match)
    assert epochs.pop() == []
    assert len(epochs) == clf.n_iter_ == 3
    for epoch, progress in enumerate(epochs, start=1):
        # A line per tenth of the 100 samples in minibatches of 8: at most 10.
        assert 5 <= len(progress) <= 10
        done = [int(m.group(2)) for m in progress]
        assert done == sorted(done) and done[-1] == 100
        assert all(int(m.group(1)) == epoch and m.group(3) == "100" for m in progress)
        assert all(m.group(5) == "ETA: " for m in progress[:-1])
        assert progress[-1].group(5) is None and progress[-1].group(4) == "=" * 30
        # The running loss of the whole epoch is the epoch's loss.
        assert progress[-1].group(7) == f"{clf.loss_curve_[epoch - 1]:.5f}"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_redrawn_in_place_on_a_terminal(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    X, y = _data(n=60)
    reg = GRURegressor(hidden_size=3, max_iter=2, batch_size=6, verbose=2, random_state=0,
                       n_threads=1).fit(X, y.astype(float))
    text = terminal.getvalue()
    lines = text.split("\n")
    assert lines.pop() == ""
    assert len(lines) == reg.n_iter_ == 2  # only the epochs' summaries end lines
    for epoch, line in enumerate(lines, start=1):
        drawn = line.split("\r")
        assert PROGRESS.match(drawn[1].rstrip())
        # The last progress line (60/60) is cleared, then the summary is written.
        assert drawn[-2].strip() == "" and SUMMARY.match(drawn[-1])
        assert "60/60" in line and f"Epoch {epoch}:" in drawn[-1]


def test_verbose_1_prints_no_progress(capsys):
    X, y = _data()
    LSTMClassifier(hidden_size=4, max_iter=2, batch_size=8, verbose=1, random_state=0,
                   n_threads=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(SUMMARY.match(line) for line in lines)
