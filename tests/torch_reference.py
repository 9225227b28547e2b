"""PyTorch's answer for a parity case (see parity_helpers for what a case is).

Imports torch: only the live parity test (after ``pytest.importorskip("torch")``) and
the fixture script ``reference/make_torch_reference.py`` use this module, so the two
compute the reference in exactly the same way.
"""

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from parity_helpers import state_shape

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def build_module(config, seed):
    """The torch.nn RNN / LSTM / GRU of ``config``, initialised by torch from ``seed``."""
    kwargs = dict(input_size=config["input_size"], hidden_size=config["hidden_size"],
                  num_layers=config["num_layers"], bidirectional=config["bidirectional"],
                  batch_first=True)
    torch.manual_seed(seed)
    cell = config["cell"]
    if cell == "lstm":
        module = torch.nn.LSTM(**kwargs)
    elif cell == "gru":
        module = torch.nn.GRU(**kwargs)
    else:
        module = torch.nn.RNN(nonlinearity=cell.removeprefix("rnn_"), **kwargs)
    return module.to(TORCH_DTYPES[config["dtype"]])


def initial_parameters(config, seed):
    """A fresh torch initialisation as a numpy state_dict (name -> array)."""
    module = build_module(config, seed)
    return {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}


def _tensor(array, requires_grad=False):
    return torch.tensor(np.asarray(array), requires_grad=requires_grad)


def run_torch(config, parameters, inputs):
    """Forward and backward of torch on one case: the same results dict as
    ``parity_helpers.run_rnnsk``.

    Ragged batches go through pack_padded_sequence(enforce_sorted=False) and
    pad_packed_sequence(total_length=steps). Initial states are always passed as
    leaf tensors (zeros when the case has none) so that dh0 / dc0 exist.
    """
    module = build_module(config, seed=0)
    module.load_state_dict({name: _tensor(value) for name, value in parameters.items()})
    dtype = TORCH_DTYPES[config["dtype"]]
    lstm = config["cell"] == "lstm"
    state = state_shape(config)

    X = _tensor(inputs["X"], requires_grad=True)
    h0 = (_tensor(inputs["h0"], True) if "h0" in inputs
          else torch.zeros(state, dtype=dtype, requires_grad=True))
    c0 = None
    if lstm:
        c0 = (_tensor(inputs["c0"], True) if "c0" in inputs
              else torch.zeros(state, dtype=dtype, requires_grad=True))
    hx = (h0, c0) if lstm else h0

    if "lengths" in inputs:
        lengths = torch.as_tensor(np.asarray(inputs["lengths"]), dtype=torch.int64)
        packed = pack_padded_sequence(X, lengths, batch_first=True, enforce_sorted=False)
        packed_out, final = module(packed, hx)
        out, _ = pad_packed_sequence(packed_out, batch_first=True,
                                     total_length=config["steps"])
    else:
        out, final = module(X, hx)
    h_n, c_n = final if lstm else (final, None)

    loss = out.new_zeros(())
    if "d_output" in inputs:
        loss = loss + (out * _tensor(inputs["d_output"])).sum()
    if "d_h_n" in inputs:
        loss = loss + (h_n * _tensor(inputs["d_h_n"])).sum()
    if "d_c_n" in inputs:
        loss = loss + (c_n * _tensor(inputs["d_c_n"])).sum()
    parameter_tensors = dict(module.named_parameters())
    leaves = [X, h0] + ([c0] if lstm else []) + list(parameter_tensors.values())
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)

    def as_numpy(tensor, like):
        if tensor is None:  # unused by the loss: a zero gradient
            return np.zeros(tuple(like.shape), dtype=config["dtype"])
        return tensor.detach().numpy().copy()

    results = {"out": out.detach().numpy().copy(), "h_n": h_n.detach().numpy().copy(),
               "dX": as_numpy(grads[0], X), "dh0": as_numpy(grads[1], h0)}
    if lstm:
        results["c_n"] = c_n.detach().numpy().copy()
        results["dc0"] = as_numpy(grads[2], c0)
    offset = 3 if lstm else 2
    for (name, tensor), grad in zip(parameter_tensors.items(), grads[offset:]):
        results[f"grad/{name}"] = as_numpy(grad, tensor)
    return results
