"""The estimator fit against the plain PyTorch loop, each in processes of its own.

Usage::

    python benchmarks/fit_processes.py                       # lstm gru rnn_tanh, 2 threads
    python benchmarks/fit_processes.py --cells lstm --threads 1 2 --repeats 5

``run.py`` times both libraries in one process with torch imported first. A user's
program is more often one library alone, or imports rnnsk before torch. Until the
core had threads of its own, both shared one OpenMP runtime in one process, set up by
whichever loaded it first; the set-ups below show that the order no longer matters.
So every fit here runs in a fresh interpreter, in one of four set-ups:

- ``torch``: the plain loop of ``_workloads.torch_fit``, torch imported first (the
  workload module then imports rnnsk, which leaves torch's runtime as torch set it);
- ``rnnsk``: rnnsk alone, ``LSTMClassifier(...).fit`` at its defaults;
- ``rnnsk, torch first``: rnnsk after ``import torch``;
- ``rnnsk, rnnsk first``: rnnsk imported before torch.

The set-ups take turns (a repeat runs each once, in rotated order), so load from
elsewhere hits them alike; each process fits twice and reports both, and the CPU
time of the second (all threads: the steadier figure on a shared machine). The
first fit pays the one-time costs of a fresh process (thread pools, first touches),
the second is a fit in a program that has fitted before. Ratios are torch's median time over
each rnnsk set-up's. Without torch only the ``rnnsk`` set-up runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _process import restart_without_openblas_overrides

SETUPS = {  # name: (library timed, modules imported first, in order)
    "torch": ("torch", ["torch"]),
    "rnnsk": ("rnnsk", ["rnnsk"]),
    "rnnsk, torch first": ("rnnsk", ["torch", "rnnsk"]),
    "rnnsk, rnnsk first": ("rnnsk", ["rnnsk", "torch"]),
}


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru", "rnn_tanh"],
                        choices=["rnn_tanh", "lstm", "gru"])
    parser.add_argument("--threads", type=int, nargs="+", default=[2])
    parser.add_argument("--repeats", type=int, default=3,
                        help="processes per set-up, cell and thread count (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: a small fit, one repeat")
    parser.add_argument("--child", nargs=3, metavar=("SETUP", "CELL", "THREADS"),
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child(setup, cell, threads, quick):
    """Import as the set-up says, fit twice, print the two times as JSON."""
    library, imports = SETUPS[setup]
    for module in imports:
        __import__(module)
    import _workloads as work
    from threadpoolctl import threadpool_limits

    shape = work.SHAPES["M"]
    samples, epochs = (256, 1) if quick else (work.FIT_SAMPLES, work.FIT_EPOCHS)
    x, y = work.make_fit_data(shape, samples)
    with threadpool_limits(limits=threads):
        if library == "torch":
            torch = sys.modules["torch"]
            torch.set_num_threads(threads)
            fit = work.torch_fit(torch, cell, shape, x, y, epochs)
        else:
            fit = work.rnnsk_fit(cell, shape, x, y, threads, epochs)
        seconds = []
        for _ in range(2):
            started, cpu = time.perf_counter(), time.process_time()
            fit()
            seconds.append(time.perf_counter() - started)
        seconds.append(time.process_time() - cpu)  # of the second fit, all threads
    print(json.dumps(seconds))


def run_child(setup, cell, threads, quick):
    command = [sys.executable, os.path.abspath(__file__), "--child", setup, cell, str(threads)]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{setup} {cell} {threads} thr failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def torch_installed():
    from importlib.util import find_spec
    return find_spec("torch") is not None


def measure(cells, threads_list, repeats, quick):
    setups = list(SETUPS) if torch_installed() else ["rnnsk"]
    times = {}  # (cell, threads, setup) -> list of [first, second]
    for repeat in range(repeats):
        for cell in cells:
            for threads in threads_list:
                shift = repeat % len(setups)
                for setup in setups[shift:] + setups[:shift]:
                    seconds = run_child(setup, cell, threads, quick)
                    times.setdefault((cell, threads, setup), []).append(seconds)
                    print(f"[{time.strftime('%H:%M:%S')}] {cell} {threads} thr {setup}: "
                          f"{seconds[0]:.2f} s, then {seconds[1]:.2f} s "
                          f"({seconds[2]:.2f} s CPU)",
                          file=sys.stderr, flush=True)
    return times


def table(times):
    lines = ["| cell | threads | set-up | first fit (s) | second fit (s) | second fit, CPU (s) "
             "| torch / this (second) |",
             "|---|---|---|---|---|---|---|"]
    for (cell, threads, setup), runs in times.items():
        first, second, cpu = (statistics.median(run[i] for run in runs) for i in range(3))
        torch_runs = times.get((cell, threads, "torch"))
        ratio = (f"{statistics.median(run[1] for run in torch_runs) / second:.2f}"
                 if torch_runs and setup != "torch" else "")
        lines.append(f"| {cell} | {threads} | {setup} | {first:.2f} | {second:.2f} | {cpu:.2f} "
                     f"| {ratio} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_arguments(argv)
    if args.child:
        setup, cell, threads = args.child
        child(setup, cell, int(threads), args.quick)
        return
    restart_without_openblas_overrides()
    repeats = 1 if args.quick else args.repeats
    times = measure(args.cells, args.threads, repeats, args.quick)
    print(f"Medians of {repeats} processes per row; M shape, "
          f"{'a quick fit' if args.quick else '3 epochs over 2,048 sequences'}; "
          f"load {os.getloadavg()[0]:.1f} at the end.")
    print(table(times))


if __name__ == "__main__":
    main()
