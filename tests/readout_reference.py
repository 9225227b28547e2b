"""PyTorch's answer for the readouts of HEADS.md, written independently of
rnnsk (one sequence at a time, on its real steps only), and gradients by autograd.

Imports torch: used by the live readout tests after ``pytest.importorskip`` and
by ``reference/make_readout_reference.py``, which stores the answers for runs
without torch.
"""
import numpy as np
import torch


def summarise(readout, outputs, final, lengths, parameters):
    """(B, D) summaries of ``outputs`` (B, T, D) tensors by the named readout;
    ``parameters`` holds the attention tensors by state_dict name."""
    rows = []
    for b, length in enumerate(lengths):
        real = outputs[b, :int(length)]
        if readout == "last":
            rows.append(final[b])
        elif readout == "mean":
            rows.append(real.sum(dim=0) / int(length))
        elif readout == "max":
            rows.append(real.max(dim=0).values)
        else:
            hidden = torch.tanh(real @ parameters["readout.weight"].T
                                + parameters["readout.bias"])
            weights = torch.softmax(hidden @ parameters["readout.context"], dim=0)
            rows.append(weights @ real)
    return torch.stack(rows)


def readout_answer(readout, outputs, final, lengths, parameters, d_summary):
    """Summary and the gradients of sum(summary * d_summary) with respect to
    outputs, final and every parameter, as numpy arrays."""
    outputs = torch.tensor(outputs, requires_grad=True)
    final = torch.tensor(final, requires_grad=True)
    tensors = {name: torch.tensor(value, requires_grad=True)
               for name, value in parameters.items()}
    summary = summarise(readout, outputs, final, lengths, tensors)
    (summary * torch.tensor(d_summary)).sum().backward()

    def gradient(tensor):
        return (np.zeros(tuple(tensor.shape), tensor.detach().numpy().dtype)
                if tensor.grad is None else tensor.grad.numpy().copy())

    answer = {"summary": summary.detach().numpy().copy(), "d_outputs": gradient(outputs),
              "d_final": gradient(final)}
    answer.update({f"grad/{name}": gradient(tensor) for name, tensor in tensors.items()})
    return answer


def readout_case(readout, dtype, seed, batch=4, steps=6, features=5):
    """Inputs of one readout case: a ragged batch with a length-1 sequence and
    large values in the padding (they must not matter), distinct values so that
    every maximum is unique."""
    rng = np.random.default_rng(seed)
    lengths = np.array([steps, 1, 3, steps - 1][:batch], dtype=np.int64)
    outputs = rng.permutation(batch * steps * features).reshape(batch, steps, features)
    outputs = (outputs / outputs.size - 0.5 + 0.01 * rng.standard_normal(outputs.shape))
    for b, length in enumerate(lengths):
        outputs[b, length:] = 1e3
    case = {"outputs": outputs.astype(dtype), "lengths": lengths,
            "final": rng.standard_normal((batch, features)).astype(dtype),
            "d_summary": rng.standard_normal((batch, features)).astype(dtype)}
    if readout == "attention":
        case["param/readout.weight"] = rng.standard_normal((features, features)).astype(dtype)
        case["param/readout.bias"] = rng.standard_normal(features).astype(dtype)
        case["param/readout.context"] = rng.standard_normal(features).astype(dtype)
    return case
