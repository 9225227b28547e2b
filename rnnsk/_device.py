"""Where a network runs: ``'cpu'`` (the C++ core) or a CUDA GPU (``'cuda'``,
``'cuda:N'``, needing a build with ``-Csetup-args=-Dcuda=enabled``).

On a GPU a network's parameters, gradients and optimizer moments stay in GPU
memory across minibatches. Python sees them through `DeviceParameters` and
`DeviceGradients`: array-like handles whose reads download a copy and whose
assignments upload, so code written for the CPU's arrays (optimizers, early
stopping, ``state_dict``) works unchanged.
"""
import re

import numpy as np

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


def device_index(device):
    """The GPU number of a canonical device, None for the CPU."""
    return None if device == "cpu" else int(device.split(":")[1])


def make_device_core(cell_code, input_size, hidden_size, num_layers, bidirectional, dropout,
                     dtype, index):
    """The C++ network on GPU ``index``; RuntimeError (from C++, saying why) when
    rnnsk was built without CUDA, no GPU is usable or ``index`` does not exist.
    The tests replace this function to run the same algorithm on the host."""
    from rnnsk import _core
    return _core.DeviceNetworkCore(cell_code, input_size, hidden_size, num_layers,
                                   bidirectional, dropout, dtype, index)


def cuda_device_count():
    """Number of CUDA GPUs rnnsk can use: 0 without a GPU, without a driver, or
    when this build of rnnsk has no CUDA support."""
    from rnnsk import _core
    try:
        return _core.device_count()
    except RuntimeError:
        return 0


class _DeviceVector:
    """A flat vector in device memory, read as a host copy. Every call into the
    core takes the network's lock, as its forward and backward do: one call at a
    time per network, whichever thread makes it."""

    _download = None  # name of the core method that copies the vector out

    def __init__(self, core, lock):
        self.core = core
        self.lock = lock

    def _call(self, method, *arguments):
        with self.lock:
            return getattr(self.core, method)(*arguments)

    @property
    def dtype(self):
        return self.core.dtype

    @property
    def shape(self):
        return (self.core.parameter_size,)

    @property
    def size(self):
        return self.core.parameter_size

    @property
    def ndim(self):
        return 1

    def __len__(self):
        return self.size

    def copy(self):
        """A host copy (ndarray) of the vector."""
        host = np.empty(self.shape, self.dtype)
        self._call(self._download, host)
        return host

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(f"{type(self).__name__} lives in device memory: it can only be "
                             "read as a copy")
        host = self.copy()
        return host if dtype is None else host.astype(dtype)

    def __getitem__(self, key):
        return self.copy()[key]

    def __repr__(self):
        return f"{type(self).__name__}({self.copy()!r})"


class DeviceParameters(_DeviceVector):
    """A network's flat parameters on a device. Assignment (``p[...] = values``,
    or to any index) uploads; optimizers step them on the device."""

    _download = "download_parameters"

    def __setitem__(self, key, value):
        # Assigning the whole vector (p[...] = v, p[:] = v) needs no download first.
        whole = key is Ellipsis or (isinstance(key, slice) and key == slice(None))
        host = np.empty(self.shape, self.dtype) if whole else self.copy()
        host[key] = value
        self._call("upload_parameters", host)

    def _update(self, operation, other):
        host = self.copy()
        operation(host, other)
        self._call("upload_parameters", host)
        return self

    # In place, as on the CPU's array (net.flat_parameters *= 0.5).
    def __iadd__(self, other):
        return self._update(np.ndarray.__iadd__, other)

    def __isub__(self, other):
        return self._update(np.ndarray.__isub__, other)

    def __imul__(self, other):
        return self._update(np.ndarray.__imul__, other)

    def __itruediv__(self, other):
        return self._update(np.ndarray.__itruediv__, other)

    def reset_optimizer_state(self):
        self._call("reset_optimizer_state")

    def propose_adam(self, rate, beta_1, beta_2, epsilon):
        return self._call("propose_adam", rate, beta_1, beta_2, epsilon)

    def propose_sgd(self, learning_rate, momentum, nesterov):
        return self._call("propose_sgd", learning_rate, momentum, nesterov)

    def commit(self):
        self._call("commit")


class DeviceGradients(_DeviceVector):
    """A network's flat gradients on a device (written by backward)."""

    _download = "download_gradients"

    def sum_of_squares(self):
        return float(self._call("gradient_sum_of_squares"))

    def __imul__(self, factor):
        self._call("scale_gradients", float(factor))
        return self

    def add_weight_decay(self, scale):
        """Adds ``scale * W`` to the weight matrices' gradients (not the biases');
        returns ``|W|^2``."""
        return float(self._call("add_weight_decay", float(scale)))
