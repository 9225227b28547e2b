"""Clocks: interleaved repetitions of competing functions, and the GEMM rate that
serves as the machine's practical float32 peak.

The machine is shared, so no time is meaningful alone: the competitors run in
turns (A B, B A, A B, ...) so that a burst of load from elsewhere hits both, and
each keeps the median of its repetitions. Every turn starts with a short pause,
which lets the thread pools of the previous turn (OpenMP, OpenBLAS, MKL) stop
spinning so that neither library pays for the other's idle threads, then, for
calls shorter than SETTLE_BELOW, one untimed call that brings the library's code,
data and threads back into use; the timed calls follow back to back, as the steps
of a training loop do.
"""
import math
import os
import statistics
import time

import numpy as np
from scipy.linalg import blas as scipy_blas
from threadpoolctl import threadpool_limits

PAUSE_SECONDS = 0.02
SETTLE_BELOW = 0.05   # seconds: shorter calls get an untimed call at the start of a turn
TURN_SECONDS = 0.05   # timed calls per turn: as many as fill this, at most MAX_PER_TURN
MAX_PER_TURN = 8


def _turn(function, calls, settle, clock=time.perf_counter):
    time.sleep(PAUSE_SECONDS)
    if settle:
        function()
    seconds = []
    for _ in range(calls):
        started = clock()
        function()
        seconds.append(clock() - started)
    return seconds


def interleaved(functions, *, warmup=2, budget=3.0, min_reps=5, max_reps=40,
                clock=time.perf_counter):
    """Time every function of the dict ``functions`` (name -> callable).

    After ``warmup`` untimed calls each, the number of timed calls is chosen so that
    all of them take about ``budget`` seconds, within [min_reps, max_reps]; the
    functions take turns, the order reversing every round. Returns name -> list of
    seconds of ``clock`` (``time.process_time`` counts only this process's CPU
    time: steadier than wall time on a loaded machine, for single-threaded calls).
    """
    names = list(functions)
    for name in names:
        for _ in range(warmup):
            functions[name]()
    one_call = {name: _turn(functions[name], 1, False)[0] for name in names}
    reps = int(min(max_reps, max(min_reps, budget // max(sum(one_call.values()), 1e-9))))
    slowest = max(one_call.values())
    per_turn = max(1, min(MAX_PER_TURN, reps, int(TURN_SECONDS // slowest)))
    samples = {name: [] for name in names}
    for round_ in range(math.ceil(reps / per_turn)):
        for name in (names if round_ % 2 == 0 else names[::-1]):
            samples[name] += _turn(functions[name], per_turn, one_call[name] < SETTLE_BELOW,
                                   clock)
    return samples


class OtherLoad:
    """Cores kept busy by other processes while the block runs (``with OtherLoad() as
    load: ...; load.cores``): busy time of the whole machine from /proc/stat, less
    this process's own CPU time, over the wall time. None where /proc/stat is absent."""

    def __enter__(self):
        self._start = self._sample()
        return self

    def __exit__(self, *exc_info):
        end = self._sample()
        self.cores = None
        if self._start and end:
            wall, machine, own = (b - a for a, b in zip(self._start, end))
            self.cores = max(0.0, (machine - own) / wall)
        return False

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat") as stat:
                fields = [int(value) for value in stat.readline().split()[1:]]
        except OSError:
            return None
        idle = fields[3] + fields[4]  # idle + iowait
        busy = (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
        times = os.times()
        return time.perf_counter(), busy, times.user + times.system


def median(samples):
    return statistics.median(samples)


def sections(parts, *, warmup=2, reps=10):
    """Median seconds of each part of a sequence that must run in order (e.g.
    forward, backward, update): ``parts`` is a list of (name, callable), all run
    once per repetition, back to back, each timed on its own."""
    for _ in range(warmup):
        for _, function in parts:
            function()
    samples = {name: [] for name, _ in parts}
    for _ in range(reps):
        for name, function in parts:
            started = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - started)
    return {name: median(values) for name, values in samples.items()}


def _best_rate(size, function, reps):
    """GFLOP/s of the fastest of ``reps`` calls of a size x size x size product: the
    practical peak, least disturbed by other processes."""
    seconds = interleaved({"gemm": function}, warmup=1, budget=0.0, min_reps=reps,
                          max_reps=reps)["gemm"]
    return 2 * size ** 3 / min(seconds) / 1e9


def scipy_sgemm_rate(threads, size=4096, reps=5):
    """GFLOP/s of scipy's sgemm (the BLAS rnnsk calls) on size x size matrices."""
    rng = np.random.default_rng(0)
    a = np.asfortranarray(rng.standard_normal((size, size), dtype=np.float32))
    b = np.asfortranarray(rng.standard_normal((size, size), dtype=np.float32))
    with threadpool_limits(limits=threads, user_api="blas"):
        return _best_rate(size, lambda: scipy_blas.sgemm(1.0, a, b), reps)


def torch_sgemm_rate(torch, size=4096, reps=5):
    """GFLOP/s of torch.mm in float32 with torch's current thread count."""
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=generator)
    b = torch.randn(size, size, generator=generator)
    return _best_rate(size, lambda: torch.mm(a, b), reps)
