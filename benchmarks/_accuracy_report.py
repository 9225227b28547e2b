"""Tables of the accuracy suite: the raw records of a run -> markdown, and two runs
side by side."""
import re
from collections import defaultdict

import numpy as np

# Table columns: rnnsk models first, then baselines; LogReg and Ridge share the
# linear column (a data set has one or the other).
COLUMNS = (("LSTM", ("LSTM",)), ("GRU", ("GRU",)), ("RNN", ("RNN",)),
           ("Dummy", ("Dummy",)), ("1-NN", ("1-NN",)), ("LogReg / Ridge", ("LogReg", "Ridge")),
           ("MLP", ("MLP",)), ("TF-IDF+LogReg", ("TF-IDF+LogReg",)))
DOCS_BEGIN = "<!-- accuracy-results:begin (written by benchmarks/accuracy.py --docs) -->"
DOCS_END = "<!-- accuracy-results:end -->"


def higher_is_better(metric):
    return metric == "accuracy"


def aggregate(records):
    """(data set, model) -> {metric, side, mean, std, n, seconds, n_iter,
    convergence_warnings}; std over seeds (0 for a model fitted once)."""
    groups = defaultdict(list)
    for record in records:
        groups[record["dataset"], record["model"]].append(record)
    summary = {}
    for key, group in groups.items():
        scores = np.array([r["score"] for r in group], dtype=float)
        epochs = [r["n_iter"] for r in group if r.get("n_iter") is not None]
        summary[key] = {
            "metric": group[0]["metric"], "side": group[0]["side"],
            "mean": float(scores.mean()), "std": float(scores.std()), "n": len(group),
            "seconds": float(np.mean([r["fit_seconds"] for r in group])),
            "n_iter": float(np.mean(epochs)) if epochs else None,
            "convergence_warnings": sum(bool(r.get("convergence_warning")) for r in group)}
    return summary


def best(summary, dataset, side):
    """The (model, entry) of ``side`` with the best mean score on ``dataset``."""
    entries = [(model, entry) for (name, model), entry in summary.items()
               if name == dataset and entry["side"] == side]
    if not entries:
        return None, None
    sign = 1 if higher_is_better(entries[0][1]["metric"]) else -1
    return max(entries, key=lambda item: sign * item[1]["mean"])


def _datasets_in_order(records):
    return list(dict.fromkeys(record["dataset"] for record in records))


def _cell(summary, dataset, models, show):
    for model in models:
        if (dataset, model) in summary:
            return show(summary[dataset, model])
    return ""


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _digits(entry):
    # RMSEs of targets well below 1 (Covid3Month) need a fourth decimal.
    return 3 if entry["metric"] == "accuracy" else 4


def _score(entry, seeds=None):
    digits = _digits(entry)
    text = f"{entry['mean']:.{digits}f}"
    if entry["n"] > 1:
        text += f" ± {entry['std']:.{digits}f}"
    if seeds and entry["side"] == "rnnsk" and entry["n"] < len(seeds):
        text += f" ({entry['n']} seed{'s' if entry['n'] > 1 else ''})"
    return text


def _seconds(entry):
    return f"{entry['seconds']:.2f}" if entry["seconds"] < 10 else f"{entry['seconds']:.0f}"


def render(results):
    """The markdown of a run: verdict, scores, seconds per fit, epochs."""
    records, datasets = results["records"], results["datasets"]
    summary = aggregate(records)
    order = _datasets_in_order(records)
    seeds = sorted({r["seed"] for r in records if r["seed"] is not None})
    metric = {d["name"]: ("accuracy" if d["task"] == "classification" else "RMSE")
              for d in datasets}
    columns = [(title, models) for title, models in COLUMNS
               if any((d, m) in summary for d in order for m in models)]

    verdict_rows = []
    for dataset in order:
        rnn_model, rnn = best(summary, dataset, "rnnsk")
        base_model, base = best(summary, dataset, "baseline")
        if rnn is None or base is None:
            verdict = "n/a"
        else:
            sign = 1 if higher_is_better(rnn["metric"]) else -1
            verdict = "yes" if sign * (rnn["mean"] - base["mean"]) >= 0 else "**no**"
        verdict_rows.append([dataset, metric[dataset],
                             f"{rnn_model} {_score(rnn, seeds)}" if rnn else "",
                             f"{base_model} {_score(base)}" if base else "", verdict])

    def model_table(show):
        return _table(["data set", "metric"] + [title for title, _ in columns],
                      [[d, metric[d]] + [_cell(summary, d, models, show)
                                          for _, models in columns] for d in order])

    def epochs(entry):
        if entry["n_iter"] is None:
            return ""
        return f"{entry['n_iter']:.0f} ({entry['convergence_warnings']}/{entry['n']})"

    epoch_columns = [(title, models) for title, models in columns if title in ("LSTM", "GRU",
                                                                                 "RNN")]
    epoch_table = _table(["data set"] + [title for title, _ in epoch_columns],
                         [[d] + [_cell(summary, d, models, epochs)
                                 for _, models in epoch_columns] for d in order])
    return "\n\n".join([
        "Best rnnsk model against best baseline (mean over seeds; accuracy: higher is "
        "better, RMSE: lower is better):",
        _table(["data set", "metric", "best rnnsk", "best baseline",
                "rnnsk ≥ baseline"], verdict_rows),
        f"Test score, mean ± std over seeds {seeds} (models fitted once, whose fit does "
        "not depend on the seed, have no std; a cell with fewer seeds says how many):",
        model_table(lambda entry: _score(entry, seeds)),
        "Seconds per fit (mean; wall clock on a shared machine):",
        model_table(_seconds),
        "Epochs run by the rnnsk models (mean `n_iter_`; in brackets, fits that ended with "
        "a ConvergenceWarning / fits):",
        epoch_table])


def render_header(meta):
    """Where and how a run was measured."""
    machine = meta["machine"]
    incomplete = "" if meta.get("complete", True) else (
        " **The run was stopped before its end: the records are those it had finished.**")
    return "\n".join([
        f"Measured at commit `{meta['commit']}` ({meta['date']} UTC) with:",
        "", "```bash", meta["command"], "```", "",
        f"Machine: {machine['cpu']['model']}, {machine['cpu']['cpus']} CPUs "
        f"(shared with other jobs; 1-min load {meta['load_before']['load_1min']:.1f} at the "
        f"start, {meta['load_after']['load_1min']:.1f} at the end), Python "
        f"{machine['python']}, numpy {machine['numpy']}, scikit-learn "
        f"{meta['sklearn']}, rnnsk {machine['rnnsk']}. Parameters given to every rnnsk "
        f"estimator: `{meta['params'] or 'none (defaults)'}`; text tokens: "
        f"`{meta['text_sequencer']}`. Total time {meta['total_seconds'] / 60:.1f} min."
        + incomplete])


def write_docs(path, markdown):
    """Replace the generated part of the docs page (between the markers)."""
    with open(path, encoding="utf-8") as handle:
        page = handle.read()
    pattern = re.compile(re.escape(DOCS_BEGIN) + ".*?" + re.escape(DOCS_END), re.S)
    if not pattern.search(page):
        raise ValueError(f"{path} has no {DOCS_BEGIN!r} ... {DOCS_END!r} section to fill")
    page = pattern.sub(lambda _: f"{DOCS_BEGIN}\n\n{markdown}\n\n{DOCS_END}", page)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(page)


def compare(old, new):
    """Two runs side by side: every (data set, model) of either, its mean score in
    each, the change (positive = better) and the seconds per fit."""
    before, after = aggregate(old["records"]), aggregate(new["records"])
    order = _datasets_in_order(old["records"] + new["records"])
    rows = []
    for dataset in order:
        models = dict.fromkeys(m for d, m in list(before) + list(after) if d == dataset)
        for model in models:
            a, b = before.get((dataset, model)), after.get((dataset, model))
            entry = a or b
            change = ""
            if a and b:
                sign = 1 if higher_is_better(entry["metric"]) else -1
                # + 0.0 turns the -0.0 of an unchanged RMSE into 0.0.
                change = f"{sign * (b['mean'] - a['mean']) + 0.0:+.{_digits(entry)}f}"
            rows.append([dataset, model, entry["metric"], _score(a) if a else "",
                         _score(b) if b else "", change, _seconds(a) if a else "",
                         _seconds(b) if b else ""])
    label = "{commit} {params}".format
    return "\n".join([
        f"old: {label(**old['meta']) if old['meta']['params'] else old['meta']['commit']}",
        f"new: {label(**new['meta']) if new['meta']['params'] else new['meta']['commit']}",
        "", _table(["data set", "model", "metric", "old", "new", "better by", "old s",
                    "new s"], rows)])
