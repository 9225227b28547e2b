"""Which OpenMP wait policy keeps rnnsk fast on a loaded machine, and what it
costs a PyTorch imported after rnnsk (issue 18, item 8).

Usage::

    python benchmarks/omp_wait_policy.py            # about 4 minutes
    python benchmarks/omp_wait_policy.py --rounds 1 # a quicker look

rnnsk's core and torch's CPU build both link an OpenMP runtime named
``libgomp.so.1``; a process gets one, configured from the environment when it
is first loaded. Policies compared, each in fresh processes:

- ``passive``: what ``import rnnsk`` does (``OMP_WAIT_POLICY=PASSIVE`` while
  its core loads): idle threads sleep at once.
- ``default``: libgomp's own default (the runtime loaded before rnnsk, with no
  variable set): idle threads spin a while (``GOMP_SPINCOUNT``, 300,000), then sleep.
- ``spin10k``: a bounded spin (``GOMP_SPINCOUNT=10000``), then sleep.

Workloads, 2 threads, float32, shape M (batch 64, 100 steps, 32 inputs, 128
units): an rnnsk LSTM training step (forward + BPTT), on the machine as it is
and with two extra busy processes (one per core) running; and a torch GRU
training step with rnnsk imported first. Rounds alternate the policies; each
figure is the median over rounds of each process's median step time, and the
ratios are to ``passive`` measured in the same run.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from _process import restart_without_openblas_overrides

POLICIES = {
    "passive": {},
    "default": {"PRELOAD_GOMP": "1"},
    "spin10k": {"PRELOAD_GOMP": "1", "GOMP_SPINCOUNT": "10000"},
}

CHILD = r"""
import ctypes, json, os, statistics, sys, time
if os.environ.get("PRELOAD_GOMP"):
    # The runtime loads now, configured by the environment as it is (no
    # OMP_WAIT_POLICY); rnnsk's core then shares it.
    ctypes.CDLL("libgomp.so.1", mode=ctypes.RTLD_GLOBAL)
import numpy as np
import rnnsk
workload, steps = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
X = rng.standard_normal((64, 100, 32)).astype(np.float32)
times = []
if workload == "rnnsk":
    net = rnnsk.RecurrentNetwork("lstm", 32, 128, n_threads=2, random_state=0)
    d_out = np.ones((64, 100, 128), np.float32)
    for _ in range(steps + 3):
        started = time.perf_counter()
        net.forward(X, training=True)
        net.backward(d_out)
        times.append(time.perf_counter() - started)
else:
    import torch
    torch.set_num_threads(2)
    gru = torch.nn.GRU(32, 128, batch_first=True)
    x = torch.from_numpy(X)
    for _ in range(steps + 3):
        started = time.perf_counter()
        out, _ = gru(x)
        out.sum().backward()
        times.append(time.perf_counter() - started)
print(json.dumps(statistics.median(times[3:])))
"""


def run_child(policy, workload, steps):
    env = {key: value for key, value in os.environ.items()
           if key not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")}
    env.update(POLICIES[policy])
    done = subprocess.run([sys.executable, "-P", "-c", CHILD, workload, str(steps)],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def start_load(count):
    """Busy processes that keep ``count`` cores occupied."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(count)]


def stop_load(processes):
    for process in processes:
        process.kill()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()
    cases = [("rnnsk", 0), ("rnnsk", 2), ("torch", 0)]
    results = {(policy, *case): [] for policy in POLICIES for case in cases}
    started = time.time()
    for _ in range(args.rounds):
        for workload, load in cases:
            busy = start_load(load)
            try:
                for policy in POLICIES:
                    results[policy, workload, load].append(
                        run_child(policy, workload, args.steps))
            finally:
                stop_load(busy)
    print(f"{args.rounds} rounds in {time.time() - started:.0f} s; median ms per step "
          "(ratio to passive)")
    print(f"{'workload':<32}" + "".join(f"{policy:>20}" for policy in POLICIES))
    for workload, load in cases:
        medians = {policy: sorted(results[policy, workload, load])[args.rounds // 2]
                   for policy in POLICIES}
        label = f"{workload} step, {load} busy processes"
        print(f"{label:<32}" + "".join(
            f"{1e3 * medians[p]:>11.2f} ({medians[p] / medians['passive']:.2f}x)"
            for p in POLICIES))


if __name__ == "__main__":
    restart_without_openblas_overrides()
    main()
