"""A/B of two builds of the core: inference and a training step (forward and
backward) of ``RecurrentNetwork`` at the S/M/L shapes, LSTM and GRU, one and two
layers, each build in processes of its own, alternating A, B, A, B, ...

A change of the core must not make these slower (issue 16). The two builds are
two Python interpreters with rnnsk installed, e.g. a venv holding a
``pip install`` of the parent commit and the development venv::

    python benchmarks/core_ab.py --a /venvs/before/bin/python --b /venvs/after/bin/python

Each round runs each build once; the per-case time of a build is the least of
its rounds' medians (the quietest), so other load on the machine inflates
both less. Prints one row per case with the ratio B / A.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

from _workloads import SHAPES  # the standard shapes every benchmark times

REPEATS = {"S": 30, "M": 10, "L": 3}

# Run by each build's interpreter: prints {case: median milliseconds}.
CHILD = """
import json, sys, time
import numpy as np
from rnnsk import RecurrentNetwork
shapes, repeats, threads = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
times = {}
for shape, (batch, steps, inputs, hidden) in shapes.items():
    x = np.random.default_rng(0).standard_normal((batch, steps, inputs)).astype(np.float32)
    for cell in ("lstm", "gru"):
        for layers in (1, 2):
            net = RecurrentNetwork(cell, inputs, hidden, num_layers=layers, n_threads=threads,
                                   random_state=0, dtype=np.float32)
            def infer():
                net.forward(x, training=False)
            def train():
                out = net.forward(x, training=True)[0]
                net.backward(np.ones_like(out))
            for task, run in (("infer", infer), ("train", train)):
                run()  # warm-up: buffers, panels
                runs = []
                for _ in range(repeats[shape]):
                    started = time.perf_counter()
                    run()
                    runs.append(time.perf_counter() - started)
                times[f"{shape} {cell} {layers}L {task}"] = 1e3 * float(np.median(runs))
print(json.dumps(times))
"""


def measure(python, shapes, threads):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}  # they slow OpenBLAS
    done = subprocess.run(
        [python, "-P", "-c", CHILD, json.dumps({s: SHAPES[s] for s in shapes}),
         json.dumps(REPEATS), str(threads)],
        capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="interpreter of build A (before)")
    parser.add_argument("--b", default=sys.executable, help="interpreter of build B (after)")
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", help="write the per-round times here")
    args = parser.parse_args()

    rounds = {"A": [], "B": []}
    for _ in range(args.rounds):
        for build, python in (("A", args.a), ("B", args.b)):
            rounds[build].append(measure(python, args.shapes, args.threads))
    print(f"| case ({args.threads} thread{'s' if args.threads > 1 else ''}) | A ms | B ms "
          "| B / A |\n|---|---|---|---|")
    ratios = []
    for case in rounds["A"][0]:
        a = min(r[case] for r in rounds["A"])
        b = min(r[case] for r in rounds["B"])
        ratios.append(b / a)
        print(f"| {case} | {a:.2f} | {b:.2f} | {b / a:.3f} |")
    print(f"\nB / A: median {np.median(ratios):.3f}, geometric mean "
          f"{np.exp(np.mean(np.log(ratios))):.3f}, worst {max(ratios):.3f}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(dict(vars(args), rounds=rounds), file, indent=1)


if __name__ == "__main__":
    main()
