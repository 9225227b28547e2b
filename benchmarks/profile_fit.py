"""Where an estimator's fit spends its time, next to the bare training step.

Usage::

    python benchmarks/profile_fit.py                     # lstm, 2 threads
    python benchmarks/profile_fit.py --cell gru --threads 1 --fits 3

The fit is that of ``fit_processes.py`` and ``run.py``: ``LSTMClassifier`` at its
defaults but for size, batch, epochs and learning rate, 3 epochs over 2,048
sequences at the M shape. After one untimed fit, each timed fit runs with clocks
(wall time and the process's CPU time, all threads) around its sections: the
input checks, input statistics and standardization, the model's initialisation,
and per minibatch the batch copy, the core's forward and backward (the C++ call
alone, and with its Python wrapper), the head, the loss, weight decay, gradient
clipping and the optimizer. Then the bare step (``RecurrentNetwork`` forward and
backward with a numpy Adam, as ``run.py`` times it) runs as many times as the fit
took steps, in the same process, alternating with the fits. CPU time is the
steadier figure on a shared machine; on one thread it is the serial cost itself.
"""
import argparse
import functools
import os
import sys
import time
import warnings

from _process import restart_without_openblas_overrides

SECTIONS = (  # (label, module, owner, attribute): owner None = a module-level function
    ("fit, whole", "rnnsk._base", "BaseRecurrent", "_fit"),
    ("input checks and targets", "rnnsk._base", "BaseRecurrent", "_training_data"),
    ("input statistics", "rnnsk._base", "BaseRecurrent", "_input_statistics"),
    ("standardization", "rnnsk._base", None, "standardized"),
    ("model initialisation", "rnnsk._base", "BaseRecurrent", "_initialize"),
    ("step: batch copy", "rnnsk._validation", "Sequences", "take"),
    ("step: forward, wrapper + core", "rnnsk._network", "RecurrentNetwork", "forward"),
    ("step: head forward", "rnnsk._heads", "SequenceHead", "forward"),
    ("step: loss", "rnnsk._classes", "RecurrentClassifier", "_loss"),
    ("step: head backward", "rnnsk._heads", "SequenceHead", "backward"),
    ("step: backward, wrapper + core", "rnnsk._network", "RecurrentNetwork", "backward"),
    ("step: weight decay", "rnnsk._base", None, "add_weight_decay"),
    ("step: clipping", "rnnsk._base", None, "clip_by_global_norm"),
    ("step: optimizer", "rnnsk._optim", "AdamOptimizer", "step"),
)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cell", choices=["rnn_tanh", "lstm", "gru"], default="lstm")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fits", type=int, default=2, help="timed fits (default 2)")
    return parser.parse_args()


class Clocks:
    """Accumulated (calls, wall s, CPU s) per label, from wrapped callables."""

    def __init__(self):
        self.totals = {}

    def add(self, label, wall, cpu):
        entry = self.totals.setdefault(label, [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += wall
        entry[2] += cpu

    def wrap(self, label, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - wall, time.process_time() - cpu)
        return timed


def install(clocks):
    """Wrap every section; the core's own calls are timed through a proxy of each
    network's C++ object (an extension type, whose methods cannot be replaced)."""
    import importlib
    for label, module_name, owner_name, attribute in SECTIONS:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, attribute, clocks.wrap(label, getattr(owner, attribute)))

    from rnnsk._network import RecurrentNetwork

    class TimedCore:
        def __init__(self, core):
            self._core = core
            self.forward = clocks.wrap("step: forward, core alone", core.forward)
            self.backward = clocks.wrap("step: backward, core alone", core.backward)

        def __getattr__(self, name):
            return getattr(self._core, name)

    build = RecurrentNetwork._build

    def timed_build(self, *args, **kwargs):
        build(self, *args, **kwargs)
        self._core = TimedCore(self._core)
    RecurrentNetwork._build = timed_build


def main():
    args = parse_arguments()
    restart_without_openblas_overrides()
    from sklearn.exceptions import ConvergenceWarning

    import _workloads as work
    clocks = Clocks()
    install(clocks)
    shape = work.SHAPES["M"]
    x, y = work.make_fit_data(shape, work.FIT_SAMPLES)
    fit = work.rnnsk_fit(args.cell, shape, x, y, args.threads)
    net = work.rnnsk_network(args.cell, shape, args.threads)
    step = work.rnnsk_train_step(net, *work.make_inputs(shape))
    warnings.simplefilter("ignore", ConvergenceWarning)
    fit()
    step()
    fits, bare = Clocks(), Clocks()
    for _ in range(args.fits):
        clocks.totals.clear()
        fit()
        for label, (calls, wall, cpu) in clocks.totals.items():  # before the bare steps add
            entry = fits.totals.setdefault(label, [0, 0.0, 0.0])
            entry[:] = [entry[0] + calls, entry[1] + wall, entry[2] + cpu]
        steps = clocks.totals["step: optimizer"][0]
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        bare.add("bare steps (forward, backward, numpy Adam)", time.perf_counter() - wall,
                 time.process_time() - cpu)
    runs = args.fits
    lines = [f"{args.cell} fit at M, {args.threads} thread(s), {steps} steps per fit; totals "
             f"per fit, mean of {runs} fits; load {os.getloadavg()[0]:.1f}",
             "", "| section | calls | wall ms | CPU ms | CPU ms per step |",
             "|---|---|---|---|---|"]
    for label, (calls, wall, cpu) in [*fits.totals.items(), *bare.totals.items()]:
        lines.append(f"| {label} | {calls // runs} | {1e3 * wall / runs:.1f} | "
                     f"{1e3 * cpu / runs:.1f} | {1e3 * cpu / runs / steps:.2f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
