"""Writes tests/fixtures/seq2seq_reference.npz: PyTorch's loss and gradients of the
encoder-decoder (the module of rnnsk.to_torch, rnnsk/_seq2seq_torch.py) for a few
configurations, so that tests/test_seq2seq_parity_stored.py checks rnnsk without torch.

Run from the repository root: python tests/reference/make_seq2seq_reference.py
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from seq2seq_helpers import (config_id, make_config, make_inputs, make_model,  # noqa: E402
                             run_torch)

CONFIGS = [make_config("lstm", attention="luong", dtype="float64"),
           make_config("lstm", attention="bahdanau", bidirectional=True, dtype="float32"),
           make_config("gru", attention=None, bidirectional=True, num_layers=2,
                       dtype="float64"),
           make_config("rnn_tanh", attention="bahdanau", num_layers=2, dtype="float32")]


def main():
    arrays = {}
    for config in CONFIGS:
        prefix = config_id(config)
        state = make_model(config).state_dict()
        inputs = make_inputs(config)
        loss, gradients = run_torch(config, state, inputs)
        arrays[f"{prefix}/config"] = np.array(json.dumps(config))
        arrays[f"{prefix}/loss"] = np.array(loss)
        arrays.update({f"{prefix}/param/{name}": value for name, value in state.items()})
        arrays.update({f"{prefix}/grad/{name}": value for name, value in gradients.items()})
    np.savez_compressed(os.path.join(os.path.dirname(HERE), "fixtures",
                                     "seq2seq_reference.npz"), **arrays)


if __name__ == "__main__":
    main()
