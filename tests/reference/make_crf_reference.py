"""Regenerate tests/fixtures/crf_reference.npz, torch autograd's answers for the
CRF cases of tests/test_crf_core.py (needs torch; no answer comes from rnnsk):

    python tests/reference/make_crf_reference.py

Under each case name: the emissions (to check that the test draws the same
problem), nll, d_emissions, d_transitions, d_start, d_end.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from test_crf_core import torch_answers, torch_cases  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "crf_reference.npz")


def main():
    arrays = {}
    for name, problem, scale in torch_cases():
        arrays[f"{name}/emissions"] = problem[0]
        for key, value in torch_answers(torch, problem, scale).items():
            arrays[f"{name}/{key}"] = value
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUTPUT}")


if __name__ == "__main__":
    main()
