"""Regenerate tests/fixtures/tagger_reference.npz, PyTorch's answers for the
tagger parity cases (needs torch):

    python tests/reference/make_tagger_reference.py

Under each case name: state/<name> (the weights, drawn by rnnsk's
initialisation and then perturbed so that no value is rnnsk's own), and the
torch model's outputs, scores, loss and grad/<name> for them.
"""
import os
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from rnnsk import RecurrentTagger  # noqa: E402
from tagger_reference import CASES, case_data, estimator_params, torch_tagger  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "tagger_reference.npz")


def main():
    arrays = {}
    rng = np.random.default_rng(7)
    for name, case in CASES.items():
        X, y, weights = case_data(case["data"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tagger = RecurrentTagger(**estimator_params(case)).fit(X, y)
        state = {key: (value + rng.uniform(-0.3, 0.3, value.shape)).astype(value.dtype)
                 for key, value in tagger.state_dict().items()}
        if "char_embedding.weight" in state:
            state["char_embedding.weight"][0] = 0
        tagger.load_state_dict(state)
        sequences = tagger._validate_sequences(X, reset=False)
        targets, _ = tagger._encode_targets(tagger._target_container(y, sequences),
                                            classes=None, reset=False, sample_weight=weights)
        inputs = dict(data=sequences.data, lengths=sequences.lengths, tags=targets.values,
                      weights=weights)
        for key, value in torch_tagger(torch, state, case, inputs).items():
            arrays[f"{name}/{key}"] = value
        for key, value in state.items():
            arrays[f"{name}/state/{key}"] = value
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {OUTPUT}")


if __name__ == "__main__":
    main()
