"""Regenerate tests/fixtures/sparse_adam_reference.npz: the tables that PyTorch's
SparseAdam gives for the sparse gradients of test_embedding.sparse_steps().

Run by hand when those steps change (needs torch; rnnsk's optimizer is not used):

    python tests/reference/make_sparse_adam_reference.py

The file holds ``table`` (the initial table), ``rows{i}`` / ``values{i}`` (the
gradient of step i) and ``expected`` (the table after each step, stacked).
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from test_embedding import sparse_steps, torch_sparse_adam  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "sparse_adam_reference.npz")


def main():
    table, gradients = sparse_steps()
    expected = torch_sparse_adam(torch, table, gradients)
    arrays = {"table": table, "expected": np.stack(expected)}
    for i, (rows, values) in enumerate(gradients):
        arrays[f"rows{i}"], arrays[f"values{i}"] = rows, values
    np.savez(OUTPUT, **arrays)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
