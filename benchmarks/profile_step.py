"""Where rnnsk's time goes in a training step (LSTM by default).

Usage::

    python benchmarks/profile_step.py                    # lstm at S, M, L, 1 thread
    python benchmarks/profile_step.py --shapes M --threads 2 --cell gru --no-perf

Two views, written to ``benchmarks/results/profile-CELL-Nthr.md``:

1. Sections by clock: the step's forward, backward and Adam update as run.py
   times them (``RecurrentNetwork`` and the estimators' optimizer, whose update of
   a network the core runs), the fixed cost of a call (forward and backward of a
   1x1x1x1 problem: Python wrapper, binding and core set-up, no work), and the same
   sections of the torch step for comparison.
2. Samples by ``perf`` (when it is installed and allowed): a process running
   training steps only, sampled with ``perf record -g``, its flat self time summed
   by kind: BLAS sgemm kernels, BLAS packing, rnnsk cell kernels, the rest of the
   core, libc copies, OpenMP runtime, numpy, the Python interpreter, the OS.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from _process import import_torch_first, restart_without_openblas_overrides

restart_without_openblas_overrides()
import_torch_first()

import numpy as np  # noqa: E402
from rnnsk._optim import AdamOptimizer  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import _report  # noqa: E402
import _timing  # noqa: E402
import _workloads as work  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")

# (kind, test on (shared object, symbol)); the first that matches wins.
KINDS = (
    ("BLAS sgemm compute kernels", lambda dso, sym: "openblas" in dso and "kernel" in sym),
    ("BLAS packing (copies into panels)", lambda dso, sym: "openblas" in dso and "copy" in sym),
    ("BLAS other (drivers, thread server)", lambda dso, sym: "openblas" in dso),
    ("rnnsk register kernel (per-step products, weight gradients)",
     lambda dso, sym: "_core" in dso and re.search(r"panel_kernel|PackedMatrix", sym)),
    ("rnnsk cell kernels (gates, activations)",
     lambda dso, sym: "_core" in dso and re.search(r"_(forward|backward)_f(32|64)", sym)),
    ("rnnsk core, rest (packing, state copies, bias sums)", lambda dso, sym: "_core" in dso),
    ("libc (memcpy, memset, malloc)", lambda dso, sym: dso.startswith("libc")),
    ("OpenMP runtime (libgomp)", lambda dso, sym: "gomp" in dso),
    ("numpy (validation, host arrays)", lambda dso, sym: "numpy" in dso or "multiarray" in dso),
    ("Python interpreter", lambda dso, sym: "python" in dso),
    ("operating system", lambda dso, sym: "kernel" in dso),
)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", nargs="+", choices=list(work.SHAPES), default=["S", "M", "L"])
    parser.add_argument("--cell", choices=work.CELLS, default="lstm")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--perf-seconds", type=float, default=8.0)
    parser.add_argument("--no-perf", action="store_true")
    parser.add_argument("--loop", choices=list(work.SHAPES), help=argparse.SUPPRESS)
    return parser.parse_args()


# ------------------------------------------------------------- by clock --

def rnnsk_sections(net, x, d_output, cell, threads):
    """The step's three sections, then what they are compared with: forward/backward
    on a 1x1x1x1 problem, whose time is the fixed
    cost of a call (Python wrapper, binding, core set-up) rather than work."""
    optimizer = AdamOptimizer([], work.LEARNING_RATE, networks=[net])
    tiny = work.rnnsk_network(cell, (1, 1, 1, 1), threads)
    one = np.zeros((1, 1, 1), np.float32)
    return [
        ("forward(training=True)", lambda: net.forward(x, training=True)),
        ("backward(d_output)", lambda: net.backward(d_output, input_gradient=False)),
        ("Adam step (the core's, as the estimators run it)",
         lambda: optimizer.step([], [], [net])),
        ("fixed cost: forward of a 1x1x1x1 problem", lambda: tiny.forward(one, training=True)),
        ("fixed cost: backward of a 1x1x1x1 problem", lambda: tiny.backward(one)),
    ]


def torch_sections(torch, module, x, d_output):
    x, d_output = torch.from_numpy(x), torch.from_numpy(d_output)
    optimizer = torch.optim.Adam(module.parameters(), lr=work.LEARNING_RATE)
    taped = {}

    def forward():
        optimizer.zero_grad()
        output, _ = module(x)
        taped["loss"] = (output * d_output).sum()
    return [("forward", forward), ("backward", lambda: taped["loss"].backward()),
            ("Adam step", optimizer.step)]


def clock_table(torch, cell, shape_name, threads):
    shape = work.SHAPES[shape_name]
    x, d_output, module, net = work.same_model(torch, cell, shape, threads)
    reps = 5 if shape_name == "L" else 20
    measured = {"rnnsk": _timing.sections(rnnsk_sections(net, x, d_output, cell, threads),
                                          reps=reps)}
    if torch:
        measured["torch"] = _timing.sections(torch_sections(torch, module, x, d_output),
                                             reps=reps)
    lines = []
    for library, parts in measured.items():
        step = sum(seconds for name, seconds in list(parts.items())[:3])
        lines += [(library, name, f"{1e3 * seconds:.3f}",
                   f"{100 * seconds / step:.1f}" if i < 3 else "") for i, (name, seconds)
                  in enumerate(parts.items())]
    return _report.render(("library", "section", "ms", "% of step"), lines, markdown=True)


# -------------------------------------------------------------- by perf --

def loop(shape_name, cell, threads):
    """Child under perf: warm up, say 'ready', wait for 'go', run steps until EOF."""
    shape = work.SHAPES[shape_name]
    x, d_output = work.make_inputs(shape)
    step = work.rnnsk_train_step(work.rnnsk_network(cell, shape, threads), x, d_output)
    step()
    print("ready", flush=True)
    seconds = float(sys.stdin.readline())
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        step()
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown (a full garbage collection) in the samples


def perf_profile(shape_name, cell, threads, seconds):
    """Self-time shares (%) by (shared object, symbol) of a process running training steps."""
    with tempfile.TemporaryDirectory() as folder:
        return _perf_samples(os.path.join(folder, "perf.data"), shape_name, cell, threads,
                             seconds)


def _perf_samples(data, shape_name, cell, threads, seconds):
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--loop", shape_name,
                              "--cell", cell, "--threads", str(threads)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    recorder = subprocess.Popen(["perf", "record", "-g", "-F", "999", "-o", data,
                                 "-p", str(child.pid)], stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches
    child.stdin.write(f"{seconds}\n")
    child.stdin.flush()
    child.wait()
    recorder.wait()
    report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                             "-g", "none", "--sort", "dso,sym", "--percent-limit", "0"],
                            capture_output=True, text=True).stdout
    pattern = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.+?)\s*$")
    return [(float(m[1]), m[2], m[3]) for m in map(pattern.match, report.splitlines()) if m]


def kind_of(dso, symbol):
    return next((kind for kind, test in KINDS if test(dso, symbol)), "other")


def perf_tables(samples, top=12):
    shares = {}
    for percent, dso, symbol in samples:
        shares[kind_of(dso, symbol)] = shares.get(kind_of(dso, symbol), 0.0) + percent
    kinds = _report.render(("where", "% of samples"),
                           [(kind, f"{share:.1f}") for kind, share
                            in sorted(shares.items(), key=lambda item: -item[1])], markdown=True)
    symbols = _report.render(("%", "shared object", "symbol"),
                             [(f"{p:.1f}", dso, symbol[:90]) for p, dso, symbol in samples[:top]],
                             markdown=True)
    return kinds, symbols


def main():
    args = parse_arguments()
    if args.loop:
        return loop(args.loop, args.cell, args.threads)
    torch = work.load_torch()
    use_perf = not args.no_perf and shutil.which("perf")
    os.makedirs(RESULTS, exist_ok=True)
    parts = [f"# Profile of rnnsk's {args.cell} training step, {args.threads} thread(s)",
             f"Command: `python benchmarks/profile_step.py {' '.join(sys.argv[1:])}`; "
             f"load at start: `{os.getloadavg()[0]:.2f}`"]
    with threadpool_limits(limits=args.threads):
        if torch:
            torch.set_num_threads(args.threads)
        for shape_name in args.shapes:
            print(f"[profile] {shape_name}: sections", file=sys.stderr, flush=True)
            parts.append(f"## {shape_name} {work.SHAPES[shape_name]}\n\n### Sections by clock "
                         "(medians)\n\n" + clock_table(torch, args.cell, shape_name, args.threads))
            if use_perf:
                print(f"[profile] {shape_name}: perf", file=sys.stderr, flush=True)
                kinds, symbols = perf_tables(perf_profile(shape_name, args.cell, args.threads,
                                                          args.perf_seconds))
                parts += ["### perf: self time by kind\n\n" + kinds,
                          "### perf: top symbols\n\n" + symbols]
    path = os.path.join(RESULTS, f"profile-{args.cell}-{args.threads}thr.md")
    with open(path, "w") as out:
        out.write("\n\n".join(parts) + "\n")
    print("\n\n".join(parts))
    print(f"\nwritten: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
