"""Where a network runs: ``'cpu'`` (the C++ core) or a CUDA GPU (``'cuda'``,
``'cuda:N'``, needing a build with ``-Csetup-args=-Dcuda=enabled``).

On every device the C++ core owns a network's parameters, gradients and
optimizer moments (on a GPU they stay in GPU memory across minibatches), and
the same binding, ``_core.NetworkCore``, reaches them.
"""
import re

_DEVICE_PATTERN = re.compile(r"cuda(?::(\d+))?")


def check_device(device):
    """``device`` in canonical form: ``'cpu'`` or ``'cuda:N'``."""
    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {device!r}")
    if device == "cpu":
        return device
    match = _DEVICE_PATTERN.fullmatch(device)
    if match is None:
        raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N' (N a GPU number), "
                         f"got {device!r}")
    return f"cuda:{int(match.group(1) or 0)}"


def core_device(device):
    """The core's code for a canonical device: its CPU constant, or the GPU number."""
    from rnnsk import _core
    return _core.CPU if device == "cpu" else int(device.split(":")[1])


def make_core(cell_code, input_size, hidden_size, num_layers, bidirectional, dropout, dtype,
              device):
    """The C++ network on a canonical ``device``; RuntimeError (from C++, saying
    why) for a GPU when rnnsk was built without CUDA, no GPU is usable or the
    number does not exist. The tests replace this function to run a GPU's
    algorithm on the host emulator."""
    from rnnsk import _core
    return _core.NetworkCore(cell_code, input_size, hidden_size, num_layers, bidirectional,
                             dropout, dtype, core_device(device))


def cuda_device_count():
    """Number of CUDA GPUs rnnsk can use: 0 without a GPU, without a driver, or
    when this build of rnnsk has no CUDA support."""
    from rnnsk import _core
    try:
        return _core.device_count()
    except RuntimeError:
        return 0
