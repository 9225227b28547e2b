"""Store torch's loss and gradients of the language-model steps of
tests/lm_reference.py in tests/fixtures/lm_reference.npz, with the weights they
were computed for, so that test_language_model_parity.py checks them without
torch. Run from the repository root: python tests/reference/make_lm_reference.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from lm_reference import CASES, case_id, fitted_model, step_inputs, torch_step  # noqa: E402


def main():
    arrays = {}
    for cell, tied in CASES:
        lm = fitted_model(cell, tied)
        prefix = case_id(cell, tied)
        for name, value in lm.state_dict().items():
            arrays[f"{prefix}/state/{name}"] = value
        loss, gradients = torch_step(lm, *step_inputs(lm))
        arrays[f"{prefix}/loss"] = np.array(loss)
        for name, value in gradients.items():
            arrays[f"{prefix}/grad/{name}"] = value
    path = os.path.join(os.path.dirname(HERE), "fixtures", "lm_reference.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays to {path}")


if __name__ == "__main__":
    main()
