"""Regenerate tests/fixtures/readout_reference.npz, PyTorch's answers for the
readouts (last, mean, max, attention) in float64 and float32.

Run by hand when the cases change (needs torch; rnnsk is not used):

    python tests/reference/make_readout_reference.py

Keys: ``<readout>-<dtype>/meta/readout``, ``.../meta/dtype``, ``.../input/<name>``
(outputs, final, lengths, d_summary, param/<name>) and ``.../expected/<name>``
(summary, d_outputs, d_final, grad/<name>). test_readouts.py replays them.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from readout_reference import readout_answer, readout_case  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "readout_reference.npz")


def main():
    arrays = {}
    for index, readout in enumerate(("last", "mean", "max", "attention")):
        for dtype in ("float64", "float32"):
            prefix = f"{readout}-{dtype}"
            case = readout_case(readout, dtype, seed=100 + index)
            parameters = {key[len("param/"):]: value for key, value in case.items()
                          if key.startswith("param/")}
            answer = readout_answer(readout, case["outputs"], case["final"], case["lengths"],
                                    parameters, case["d_summary"])
            arrays[f"{prefix}/meta/readout"] = np.array(readout)
            arrays[f"{prefix}/meta/dtype"] = np.array(dtype)
            arrays.update({f"{prefix}/input/{k}": v for k, v in case.items()})
            arrays.update({f"{prefix}/expected/{k}": v for k, v in answer.items()})
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {OUTPUT}: {len(arrays)} arrays, {os.path.getsize(OUTPUT)} bytes")


if __name__ == "__main__":
    main()
