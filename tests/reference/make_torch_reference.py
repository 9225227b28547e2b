"""Regenerate tests/fixtures/torch_reference.npz, PyTorch's answers for the parity cases.

Run by hand when the cases change (needs torch; rnnsk is not used):

    python tests/reference/make_torch_reference.py

For every case the file holds, under the prefix ``caseNN/``:
    config                 json of the case config (see tests/parity_helpers.py)
    input/X, input/lengths, input/h0, input/c0     (lengths, h0, c0 only when used)
    upstream/d_output, upstream/d_h_n, upstream/d_c_n   (only the non-zero ones)
    param/<name>           torch's initial state_dict
    expected/out, expected/h_n, expected/c_n, expected/dX, expected/dh0, expected/dc0
    expected/grad/<name>   torch's gradient of every parameter
test_parity_stored.py replays them against rnnsk without torch.
"""

import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
sys.path.insert(0, TESTS_DIR)

from parity_helpers import config_id, config_to_json, make_config, make_inputs  # noqa: E402
from torch_reference import initial_parameters, run_torch  # noqa: E402

OUTPUT = os.path.join(TESTS_DIR, "fixtures", "torch_reference.npz")


def cases():
    """~24 small cases covering every cell, T=1, batch 1, ragged batches, 1-3 layers,
    bidirectional, hidden != input, with and without initial states, float64 and float32."""
    c = make_config
    f32 = "float32"
    specs = [
        # one layer, each cell
        c("rnn_tanh", input_size=4, hidden_size=3, batch=3, steps=5),
        c("rnn_relu", input_size=3, hidden_size=5, batch=2, steps=4, lengths=[2, 4],
          initial_state=True),
        c("lstm", input_size=4, hidden_size=3, batch=3, steps=5, lengths=[5, 2, 3],
          initial_state=True),
        c("gru", input_size=2, hidden_size=4, batch=3, steps=5),
        # T = 1 and batch 1
        c("rnn_tanh", input_size=3, hidden_size=4, batch=1, steps=1),
        c("lstm", input_size=2, hidden_size=3, batch=1, steps=1, initial_state=True),
        c("gru", input_size=5, hidden_size=2, batch=3, steps=1, initial_state=True),
        c("rnn_relu", input_size=3, hidden_size=3, bidirectional=True, batch=1, steps=1),
        c("gru", input_size=3, hidden_size=4, bidirectional=True, batch=1, steps=6,
          lengths=[4], initial_state=True),
        # stacked and bidirectional
        c("rnn_tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch=4,
          steps=5, lengths=[3, 5, 1, 4], initial_state=True),
        c("rnn_relu", input_size=5, hidden_size=3, num_layers=2, batch=3, steps=6,
          lengths=[6, 2, 4]),
        c("lstm", input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch=3,
          steps=5, lengths=[2, 5, 3], initial_state=True),
        c("lstm", input_size=4, hidden_size=3, num_layers=3, batch=2, steps=4),
        c("gru", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch=4,
          steps=5, lengths=[5, 1, 3, 2], initial_state=True),
        c("gru", input_size=2, hidden_size=3, num_layers=3, bidirectional=True, batch=3,
          steps=4, lengths=[1, 4, 2]),
        c("rnn_tanh", input_size=2, hidden_size=3, num_layers=3, bidirectional=True, batch=2,
          steps=4, upstream="output"),
        # only some upstream gradients, ties and length-1 sequences, hidden size 1
        c("lstm", input_size=3, hidden_size=2, bidirectional=True, batch=3, steps=4,
          lengths=[4, 1, 3], upstream="states"),
        c("lstm", input_size=2, hidden_size=4, num_layers=2, batch=5, steps=7,
          lengths=[7, 1, 4, 1, 6], initial_state=True, upstream="output"),
        c("rnn_relu", input_size=2, hidden_size=6, num_layers=2, bidirectional=True, batch=4,
          steps=6, lengths=[6, 3, 3, 6], initial_state=True),
        c("gru", input_size=6, hidden_size=1, batch=3, steps=5, lengths=[3, 5, 5],
          upstream="states", initial_state=True),
        # float32
        c("rnn_tanh", input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
          dtype=f32, batch=3, steps=5, lengths=[5, 2, 4], initial_state=True),
        c("lstm", input_size=4, hidden_size=3, num_layers=2, bidirectional=True, dtype=f32,
          batch=3, steps=5, lengths=[3, 5, 1], initial_state=True),
        c("gru", input_size=3, hidden_size=5, num_layers=2, dtype=f32, batch=4, steps=4,
          lengths=[4, 2, 3, 1]),
        c("rnn_relu", input_size=5, hidden_size=3, bidirectional=True, dtype=f32, batch=2,
          steps=3),
    ]
    for index, spec in enumerate(specs):
        spec["seed"] = 1000 + index
    return specs


def main():
    torch.set_num_threads(1)
    arrays = {"meta": np.array(json.dumps({"torch": torch.__version__,
                                           "script": "tests/reference/make_torch_reference.py"}))}
    for index, config in enumerate(cases()):
        prefix = f"case{index:02d}"
        inputs = make_inputs(config)
        parameters = initial_parameters(config, config["seed"])
        results = run_torch(config, parameters, inputs)
        arrays[f"{prefix}/config"] = np.array(config_to_json(config))
        for name, value in inputs.items():
            group = "upstream" if name.startswith("d_") else "input"
            arrays[f"{prefix}/{group}/{name}"] = value
        for name, value in parameters.items():
            arrays[f"{prefix}/param/{name}"] = value
        for name, value in results.items():
            arrays[f"{prefix}/expected/{name}"] = value
        print(prefix, config_id(config))
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    np.savez_compressed(OUTPUT, **arrays)
    print(f"wrote {OUTPUT}: {len(arrays)} arrays, {os.path.getsize(OUTPUT)} bytes")


if __name__ == "__main__":
    main()
