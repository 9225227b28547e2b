"""Turns measured rows into the results table, the target checks and the files
benchmarks/results/latest.{json,md}.

A row is a dict: shape, cell, task ('train' | 'infer' | 'fit' | 'fit-defaults'), threads, flops,
gemm_gflops (scipy sgemm at that thread count), seconds {'torch': [...],
'rnnsk': [...]} and, for training steps, memory {'torch': {...}, 'rnnsk': {...}}.
"""
import json
import os
import statistics

LIBRARIES = ("torch", "rnnsk")
COLUMNS = ("shape", "cell", "task", "thr", "torch ms", "rnnsk ms", "ratio",
           "torch GF/s", "rnnsk GF/s", "torch %GEMM", "rnnsk %GEMM", "torch MiB", "rnnsk MiB",
           "others")


def seconds(row, library):
    samples = row["seconds"].get(library)
    return statistics.median(samples) if samples else None


def ratio(row):
    """torch time / rnnsk time: above 1 rnnsk is faster."""
    torch_s, rnnsk_s = seconds(row, "torch"), seconds(row, "rnnsk")
    return torch_s / rnnsk_s if torch_s and rnnsk_s else None


def gflops(row, library):
    value = seconds(row, library)
    return row["flops"] / value / 1e9 if value and row["flops"] else None


def gemm_share(row, library):
    rate = gflops(row, library)
    return 100 * rate / row["gemm_gflops"] if rate else None


def peak_mib(row, library):
    measured = (row.get("memory") or {}).get(library)
    return measured["peak_mib"] if measured else None


def _number(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def _cells(row):
    ms = {library: seconds(row, library) for library in LIBRARIES}
    return (row["shape"], row["cell"], row["task"], str(row["threads"]),
            *(_number(ms[lib] and 1e3 * ms[lib], 2) for lib in LIBRARIES),
            _number(ratio(row), 2),
            *(_number(gflops(row, lib)) for lib in LIBRARIES),
            *(_number(gemm_share(row, lib)) for lib in LIBRARIES),
            *(_number(peak_mib(row, lib)) for lib in LIBRARIES),
            _number(row.get("other_cores"), 2))


def render(header, lines, markdown=False):
    """A table as aligned text, or as a Markdown table."""
    if markdown:
        rule = "|" + "|".join("---" for _ in header) + "|"
        return "\n".join(["| " + " | ".join(header) + " |", rule,
                          *("| " + " | ".join(line) + " |" for line in lines)])
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
    return "\n".join("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths))
                     for line in [header, *lines])


def results_table(rows, markdown=False):
    return render(COLUMNS, [_cells(row) for row in rows], markdown)


# ----------------------------------------------------------------- targets --

def _check(target, case, value, required, ceiling=None):
    return {"target": target, "case": case, "value": value, "required": required,
            "met": None if value is None else value >= required, "ceiling": ceiling}


def ceiling(row):
    """The ratio rnnsk would reach running all its FLOPs at the full sgemm rate:
    what a speed target can hope for at best on this machine."""
    torch_s = seconds(row, "torch")
    return torch_s * row["gemm_gflops"] * 1e9 / row["flops"] if torch_s else None


def _case(row):
    return f"{row['shape']} {row['cell']} {row['task']} {row['threads']}thr"


def _speed_checks(rows):
    for row in rows:
        large = row["shape"] == "L"
        if row["task"] == "train" and not large:
            yield _check("training step >= 2.0x torch at S, M", _case(row), ratio(row), 2.0,
                         ceiling(row))
        elif row["task"] == "train":
            required = 1.0 if row["cell"] == "lstm" else 1.5
            yield _check("training step at L >= 1.5x (GRU, RNN), 1.0x (LSTM)", _case(row),
                         ratio(row), required, ceiling(row))
        elif row["task"] == "infer":
            yield _check("inference >= 2.0x torch", _case(row), ratio(row), 2.0, ceiling(row))
        elif row["task"] == "fit":
            yield _check("estimator fit >= 2.0x the plain torch loop", _case(row), ratio(row),
                         2.0, ceiling(row))
        else:
            # Another model than the torch loop's (patches, sequence features):
            # no FLOP ceiling, but a user's fit should not be slower.
            yield _check("estimator fit at its defaults >= 1.0x the plain torch loop",
                         _case(row), ratio(row), 1.0)
        if large and row["task"] not in ("fit", "fit-defaults"):
            yield _check("at L >= 60% of the GEMM rate", _case(row), gemm_share(row, "rnnsk"),
                         60.0)


def _memory_checks(rows):
    for row in rows:
        torch_mib, rnnsk_mib = peak_mib(row, "torch"), peak_mib(row, "rnnsk")
        if torch_mib is not None and rnnsk_mib is not None:
            # Met when rnnsk's peak is at most torch's: torch/rnnsk >= 1.
            yield _check("peak memory of a training step <= torch's", _case(row),
                         torch_mib / max(rnnsk_mib, 1e-3), 1.0)


def _scaling_checks(rows):
    by_case = {_key(row): row for row in rows}
    for (shape, cell, task, threads), row in by_case.items():
        single = by_case.get((shape, cell, task, 1))
        if shape in ("M", "L") and threads == 2 and single:
            one, two = seconds(single, "rnnsk"), seconds(row, "rnnsk")
            yield _check("rnnsk 1 -> 2 threads speed-up >= 1.6x at M, L",
                         f"{shape} {cell} {task}", one / two if one and two else None, 1.6)


def check_targets(rows):
    return [*_speed_checks(rows), *_memory_checks(rows), *_scaling_checks(rows)]


def targets_summary(checks, markdown=False):
    """One line per target: how many cases meet it, and the worst case."""
    lines = []
    for target in dict.fromkeys(check["target"] for check in checks):
        mine = [c for c in checks if c["target"] == target and c["met"] is not None]
        if not mine:
            continue
        worst = min(mine, key=lambda c: c["value"] / c["required"])
        met = sum(c["met"] for c in mine)
        verdict = "MET" if met == len(mine) else "MISSED"
        lines.append((target, verdict, f"{met}/{len(mine)}",
                      f"{worst['case']}: {worst['value']:.2f} (needs {worst['required']:g})"))
    return render(("target", "verdict", "cases met", "worst case"), lines, markdown)


def targets_detail(checks, markdown=False):
    lines = [(c["target"], c["case"], _number(c["value"], 2), f"{c['required']:g}",
              {True: "met", False: "missed", None: "-"}[c["met"]],
              _number(c.get("ceiling"), 2)) for c in checks]
    return render(("target", "case", "value", "needs", "verdict", "ceiling"), lines, markdown)


# ------------------------------------------------------------------ files --

def gemm_lines(gemm):
    return [f"- {threads} thread(s), {rates.get('size', 4096)}^2: scipy sgemm "
            f"{rates['scipy']:.1f} GFLOP/s"
            + (f", torch.mm {rates['torch']:.1f} GFLOP/s" if rates.get("torch") else "")
            + (f" (others busy: {rates['other_cores']:.2f} cores)"
               if rates.get("other_cores") is not None else "")
            for threads, rates in gemm.items()]


def _source_line(source):
    if source.get("before") == source.get("after"):
        return ("Sources of src/ and rnnsk/ unchanged during the run (fingerprint "
                f"{source.get('before')}).")
    return (f"**Sources of src/ or rnnsk/ changed during the run** ({source.get('before')} -> "
            f"{source.get('after')}): the numbers may mix revisions.")


def markdown(results):
    load = results["load"]
    checks = check_targets(results["rows"])
    return "\n\n".join([
        "# rnnsk vs torch.nn on CPU: latest run",
        f"Command: `{results['command']}`  \nStarted {results['started']}, took "
        f"{results['wall_seconds'] / 60:.1f} min. Nothing ran on a GPU.",
        f"Load before: `{load['before']['uptime']}`  \nLoad after: `{load['after']['uptime']}`",
        _source_line(results.get("source", {})),
        "## Machine\n\n```json\n" + json.dumps(results["machine"], indent=1) + "\n```",
        "## GEMM rate (float32, same run)\n\n" + "\n".join(
            gemm_lines(results["gemm"])),
        "## Results\n\nratio = torch time / rnnsk time (above 1: rnnsk faster); "
        "medians of interleaved repetitions; %GEMM against scipy's sgemm at the same thread "
        "count; MiB = peak extra resident memory of a training step; others = cores kept busy "
        "by other processes during the case (quietest of up to 3 attempts).\n\n"
        + results_table(results["rows"], markdown=True),
        "## Targets\n\n" + targets_summary(checks, markdown=True),
        "### Every case\n\nceiling = the ratio rnnsk would reach if all its FLOPs ran at "
        "the sgemm rate of the same thread count (torch time x GEMM rate / FLOPs): a target "
        "above its ceiling cannot be met on this machine without doing less work than the "
        "FLOP count assumes.\n\n" + targets_detail(checks, markdown=True),
    ]) + "\n"


def _key(row):
    return row["shape"], row["cell"], row["task"], row["threads"]


def merge(paths):
    """Results of several runs as one: the first run's description, every run's
    load, GEMM rates and command, rows by (shape, cell, task, threads) with later
    runs replacing earlier ones."""
    runs = []
    for path in paths:
        with open(path) as earlier:
            runs.append(json.load(earlier))
    if len(runs) == 1:
        return runs[0]
    merged = dict(runs[0], runs=[{key: run.get(key) for key in
                                  ("command", "started", "load", "source", "gemm")}
                                 for run in runs])
    rows = {}
    for run in runs:
        merged["gemm"] = dict(merged["gemm"], **run["gemm"])
        rows.update((_key(row), row) for row in run["rows"])
    merged["rows"] = list(rows.values())
    merged["command"] = " ; ".join(run["command"] for run in runs)
    merged["wall_seconds"] = sum(run["wall_seconds"] for run in runs)
    merged["load"] = {"before": runs[0]["load"]["before"], "after": runs[-1]["load"]["after"]}
    return merged


def write(results, directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "latest.json"), "w") as out:
        json.dump(results, out, indent=1)
    with open(os.path.join(directory, "latest.md"), "w") as out:
        out.write(markdown(results))
