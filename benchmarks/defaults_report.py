"""Tables (Markdown) from the JSON lines of defaults_search.py: per data set,
the mean test score over seeds of every baseline and of every cell under every
candidate, with seconds per fit, epochs and how many fits ended with a
ConvergenceWarning.

    python benchmarks/defaults_report.py docs/data/defaults_search.jsonl [--candidates a,b]
    python benchmarks/defaults_report.py FILE --summary old,orthogonal-max

With ``--summary``, one row per data set instead: the best baseline and each
cell under the named candidates (mean over seeds, and the number of seeds).
"""
import argparse
import json
from collections import defaultdict

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--candidates", default=None)
    parser.add_argument("--summary", default=None)
    args = parser.parse_args()
    rows = [json.loads(line) for name in args.files for line in open(name)]
    if args.summary:
        summary(rows, args.summary.split(","))
        return
    wanted = None if args.candidates is None else set(args.candidates.split(","))
    groups = defaultdict(list)
    for row in rows:
        if wanted is not None and row["candidate"] not in wanted | {"baseline"}:
            continue
        groups[(row["dataset"], row["task"], row["candidate"], row["model"])].append(row)
    datasets = sorted({(key[0], key[1]) for key in groups}, key=lambda d: (d[1], d[0]))
    for dataset, task in datasets:
        measure = "accuracy" if task == "classification" else "RMSE (lower is better)"
        print(f"\n### {dataset} ({measure})\n")
        print("| model | setting | seeds | mean | min | max | s / fit | epochs | warned |")
        print("|---|---|---|---|---|---|---|---|---|")
        keys = sorted((k for k in groups if k[0] == dataset),
                      key=lambda k: (k[2] != "baseline", k[2], k[3]))
        for key in keys:
            found = groups[key]
            scores = np.array([r["score"] for r in found])
            seconds = np.mean([r["seconds"] for r in found])
            epochs = (f"{np.mean([r['epochs'] for r in found]):.0f}" if "epochs" in found[0]
                      else "")
            warned = (f"{sum(r['warned'] for r in found)}/{len(found)}"
                      if "warned" in found[0] else "")
            print(f"| {key[3]} | {key[2]} | {len(found)} | {scores.mean():.3f} | "
                  f"{scores.min():.3f} | {scores.max():.3f} | {seconds:.1f} | {epochs} | "
                  f"{warned} |")


def summary(rows, candidates):
    scores = defaultdict(list)
    for row in rows:
        scores[(row["dataset"], row["task"], row["candidate"], row["model"])].append(row)
    columns = [(c, cell) for c in candidates for cell in ("lstm", "gru", "rnn_tanh")]
    print("| data set | best baseline | " + " | ".join(f"{cell} {c}" for c, cell in columns)
          + " |")
    print("|---" * (2 + len(columns)) + "|")
    datasets = sorted({(k[0], k[1]) for k in scores}, key=lambda d: (d[1], d[0]))
    for dataset, task in datasets:
        better = max if task == "classification" else min
        baselines = {k[3]: np.mean([r["score"] for r in v]) for k, v in scores.items()
                     if k[0] == dataset and k[2] == "baseline"}
        name = better(baselines, key=baselines.get)
        cells = []
        for candidate, cell in columns:
            found = scores.get((dataset, task, candidate, cell), [])
            cells.append(f"{np.mean([r['score'] for r in found]):.3f} ({len(found)}, "
                         f"{np.mean([r['seconds'] for r in found]):.0f} s)" if found else "")
        unit = "" if task == "classification" else " RMSE"
        print(f"| {dataset}{unit} | {baselines[name]:.3f} {name} | " + " | ".join(cells)
              + " |")


if __name__ == "__main__":
    main()
