"""rnnsk against torch.nn on the CPU, side by side in one process.

Usage::

    python benchmarks/run.py                        # everything: 1 and 2 threads, S M L
    python benchmarks/run.py --threads 1 --shapes M # a part
    python benchmarks/run.py --quick                # smoke test: S only, few repetitions

For each thread count, shape (S, M, L of docs/DESIGN.md) and cell (rnn_tanh, lstm,
gru), in float32 with the same weights in both libraries, it times

- train: one training step (forward, BPTT, Adam update);
- infer: one forward pass (torch under ``inference_mode``);
- fit:   an estimator fit (3 epochs over 2,048 sequences at M, 4 classes) against the
         plain PyTorch training loop for the same model;

interleaving the two libraries' repetitions and keeping medians, measures a large
sgemm as the machine's practical peak, and the peak memory of a training step of
each library in a fresh process. It prints the table and writes
``benchmarks/results/latest.json`` and ``latest.md``. Without torch installed the
torch columns stay empty. ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` are removed
from the environment first (the script restarts itself without them), and torch is
imported before rnnsk, which once decided the settings of the OpenMP runtime
both shared (see ``_process.py``).
"""
import argparse
import os
import shlex
import sys
import time

from _process import import_torch_first, restart_without_openblas_overrides

restart_without_openblas_overrides()
import_torch_first()

from threadpoolctl import threadpool_limits  # noqa: E402

import _machine  # noqa: E402
import _memory  # noqa: E402
import _report  # noqa: E402
import _timing  # noqa: E402
import _workloads as work  # noqa: E402

QUIET_CORES = 0.25  # other processes' load (in cores) above which a case is timed again
RETRY_PAUSE = 10
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shapes", nargs="+", choices=list(work.SHAPES), default=["S", "M", "L"])
    parser.add_argument("--cells", nargs="+", choices=work.CELLS, default=list(work.CELLS))
    parser.add_argument("--tasks", nargs="+",
                        choices=["train", "infer", "fit", "fit-defaults", "memory"],
                        default=["train", "infer", "fit", "fit-defaults", "memory"])
    parser.add_argument("--budget", type=float, default=4.0,
                        help="seconds of timed repetitions per case and library (default 4)")
    parser.add_argument("--attempts", type=int, default=3,
                        help="times a case is timed at most while other processes load the "
                             "machine; the quietest attempt is kept (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: shape S only, few repetitions, a small fit")
    parser.add_argument("--out", default=RESULTS, help="folder for latest.json / latest.md")
    parser.add_argument("--render", metavar="JSON", nargs="+",
                        help="measure nothing: rewrite latest.md/json (and print the tables) "
                             "from earlier results; with several files, their rows are "
                             "merged, a later file's row replacing an earlier one's")
    args = parser.parse_args(argv)
    if args.quick:
        args.shapes, args.budget, args.attempts = ["S"], 0.3, 1
    return args


def timing_options(args, shape_name):
    if args.quick:
        return {"warmup": 1, "budget": args.budget, "min_reps": 3, "max_reps": 5}
    if shape_name == "L":  # seconds per call: fewer repetitions, never fewer than 5
        return {"warmup": 1, "budget": args.budget, "min_reps": 5, "max_reps": 9}
    return {"warmup": 2, "budget": args.budget, "min_reps": 7, "max_reps": 41}


def progress(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def quietest(measure, attempts):
    """Run ``measure()`` until other processes kept at most QUIET_CORES busy meanwhile,
    at most ``attempts`` times, pausing in between; return (their load, the result)
    of the quietest attempt. Other users of this shared machine distort a
    measurement, most of all with 2 threads on 2 cores."""
    results = []
    for attempt in range(attempts):
        with _timing.OtherLoad() as load:
            results.append((load, measure()))
        if (load.cores or 0.0) <= QUIET_CORES or attempt + 1 == attempts:
            break
        progress(f"other processes kept {load.cores:.2f} cores busy; measuring again in "
                 f"{RETRY_PAUSE} s")
        time.sleep(RETRY_PAUSE)
    load, result = min(results, key=lambda attempt: attempt[0].cores or 0.0)
    return load.cores, result


def time_case(row, functions, options, attempts):
    """Fill row['seconds'] by timing the available libraries' functions in turns."""
    available = {name: function for name, function in functions.items() if function}
    row["other_cores"], row["seconds"] = quietest(
        lambda: _timing.interleaved(available, **options), attempts)
    ms = {name: 1e3 * _timing.median(samples) for name, samples in row["seconds"].items()}
    progress(f"{row['shape']} {row['cell']} {row['task']} {row['threads']} thr: "
             + ", ".join(f"{name} {value:.2f} ms" for name, value in ms.items())
             + f" (others busy: {row['other_cores'] or 0.0:.2f} cores)")


def step_and_inference_rows(torch, args, shape_name, cell, threads, gemm_rate):
    shape = work.SHAPES[shape_name]
    x, d_output, module, net = work.same_model(torch, cell, shape, threads)
    base = {"shape": shape_name, "cell": cell, "threads": threads, "gemm_gflops": gemm_rate}
    # Checked before training changes the weights: both compute the same model.
    difference = work.max_output_difference(torch, module, net, x) if torch else None
    rows = []
    for task, flops, functions in (
            ("train", work.train_flops(cell, shape),
             {"torch": torch and work.torch_train_step(torch, module, x, d_output),
              "rnnsk": work.rnnsk_train_step(net, x, d_output)}),
            ("infer", work.forward_flops(cell, shape),
             {"torch": torch and work.torch_inference(torch, module, x),
              "rnnsk": work.rnnsk_inference(net, x)})):
        if task not in args.tasks:
            continue
        row = dict(base, task=task, flops=flops, max_output_difference=difference)
        time_case(row, functions, timing_options(args, shape_name), args.attempts)
        rows.append(row)
    return rows


def fit_rows(torch, args, threads, gemm_rate):
    # The fit is defined at M; a quick run makes a small one at its own shape.
    shape_name = "M" if "M" in args.shapes else args.shapes[0]
    shape = work.SHAPES[shape_name]
    samples, epochs = (256, 1) if args.quick else (work.FIT_SAMPLES, work.FIT_EPOCHS)
    x, y = work.make_fit_data(shape, samples)
    options = ({"warmup": 0, "budget": 0, "min_reps": 2, "max_reps": 2} if args.quick else
               {"warmup": 1, "budget": 0, "min_reps": 3, "max_reps": 3})
    rows = []
    # 'fit': the torch loop's model; 'fit-defaults': patches and sequence
    # features at their defaults, another model, whose FLOPs are not counted.
    for task in (task for task in ("fit", "fit-defaults") if task in args.tasks):
        for cell in args.cells:
            row = {"shape": shape_name, "cell": cell, "task": task, "threads": threads,
                   "gemm_gflops": gemm_rate, "fit_samples": samples, "fit_epochs": epochs,
                   "flops": (work.fit_flops(cell, shape, samples, epochs, work.FIT_BATCH)
                             if task == "fit" else None)}
            rnnsk_fit = work.rnnsk_fit(cell, shape, x, y, threads, epochs,
                                       same_model=task == "fit")
            time_case(row, {"torch": torch and work.torch_fit(torch, cell, shape, x, y, epochs),
                            "rnnsk": rnnsk_fit}, options, args.attempts)
            rows.append(row)
    return rows


def measure_thread_count(torch, args, threads, gemm):
    """Every timed row at one thread count: BLAS, OpenMP and torch all limited to it."""
    rows = []
    with threadpool_limits(limits=threads):
        if torch:
            torch.set_num_threads(threads)
        size = 2048 if args.quick else 4096
        others, rates = quietest(lambda: {
            "scipy": _timing.scipy_sgemm_rate(threads, size),
            "torch": torch and _timing.torch_sgemm_rate(torch, size)}, args.attempts)
        gemm[threads] = dict(rates, other_cores=others, size=size)
        progress(f"{threads} thr: sgemm {rates['scipy']:.1f} GFLOP/s (scipy)")
        for shape_name in args.shapes:
            for cell in args.cells:
                rows += step_and_inference_rows(torch, args, shape_name, cell, threads,
                                                rates["scipy"])
        if {"fit", "fit-defaults"} & set(args.tasks):
            rows += fit_rows(torch, args, threads, rates["scipy"])
    return rows


def add_memory(rows, torch):
    for row in rows:
        if row["task"] == "train":
            shape = work.SHAPES[row["shape"]]
            row["memory"] = {library: _memory.peak_training_memory(library, row["cell"], shape,
                                                                   row["threads"])
                             for library in ("torch", "rnnsk") if library == "rnnsk" or torch}
            progress(f"memory {row['shape']} {row['cell']} {row['threads']} thr: " + ", ".join(
                f"{lib} {m['peak_mib']:.1f} MiB" for lib, m in row["memory"].items() if m))


def finish(results, directory):
    print(_report.results_table(results["rows"]))
    print()
    print(_report.targets_summary(_report.check_targets(results["rows"])))
    _report.write(results, directory)
    print(f"\nwritten: {os.path.join(directory, 'latest.md')} and latest.json")


def main(argv=None):
    args = parse_arguments(argv)
    if args.render:
        return finish(_report.merge(args.render), args.out)
    torch = work.load_torch()
    if torch is None:
        progress("torch is not installed: only rnnsk is measured")
    started = time.time()
    results = {"command": shlex.join(["python", "benchmarks/run.py", *sys.argv[1:]]),
               "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
               "load": {"before": _machine.load()},
               "source": {"before": _machine.source_fingerprint()},
               "machine": _machine.describe(torch), "gemm": {}, "rows": []}
    progress(f"load before: {results['load']['before']['uptime']}")
    for threads in args.threads:
        results["rows"] += measure_thread_count(torch, args, threads, results["gemm"])
    if "memory" in args.tasks:
        add_memory(results["rows"], torch)
    results["load"]["after"] = _machine.load()
    results["source"]["after"] = _machine.source_fingerprint()
    if results["source"]["after"] != results["source"]["before"]:
        progress("WARNING: src/ or rnnsk/ changed during the run; the numbers mix revisions")
    results["wall_seconds"] = time.time() - started
    progress(f"load after: {results['load']['after']['uptime']}")

    finish(results, args.out)


if __name__ == "__main__":
    main()
