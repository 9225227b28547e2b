"""Regenerate tests/fixtures/label_smoothing_reference.npz: torch's smoothed
cross-entropy (a weighted mean over samples) and its gradient for the inputs of
test_label_smoothing.loss_inputs(), at each of its SMOOTHINGS.

Run by hand when those inputs change (needs torch; rnnsk's loss is not used):

    python tests/reference/make_label_smoothing_reference.py
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from test_label_smoothing import SMOOTHINGS, loss_inputs, torch_answer  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "label_smoothing_reference.npz")


def main():
    logits, classes, weights = loss_inputs()
    answers = [torch_answer(torch, logits, classes, weights, s) for s in SMOOTHINGS]
    np.savez(OUTPUT, logits=logits, classes=classes, weights=weights,
             smoothings=np.array(SMOOTHINGS), losses=np.array([a[0] for a in answers]),
             gradients=np.stack([a[1] for a in answers]))
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
