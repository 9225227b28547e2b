"""Shared set-up of the test suite.

The suite runs with ``--import-mode=importlib`` (see pyproject.toml), which keeps the
source folder off ``sys.path`` so that ``import rnnsk`` always finds the installed
package. The helper modules that live beside the tests (``parity_helpers``, shared
by the stored and live parity tests, and ``torch_reference``, shared by the live
test and the fixture script) are importable through pytest's ``pythonpath``
setting, which adds this folder alone.
"""

import pytest


@pytest.fixture
def emulated_gpu(monkeypatch):
    """Makes device='cuda' run the CUDA backend's algorithm on its host emulator
    (same C++ network code, host memory and the CPU's BLAS instead of CUDA
    kernels and cuBLAS), so the device path is tested on machines without a GPU."""
    from rnnsk import _core, _device

    make_core = _device.make_core

    def emulated(cell, input_size, hidden_size, num_layers, bidirectional, dropout, dtype,
                 device):
        if device == "cpu":
            return make_core(cell, input_size, hidden_size, num_layers, bidirectional,
                             dropout, dtype, device)
        return _core.NetworkCore(cell, input_size, hidden_size, num_layers, bidirectional,
                                 dropout, dtype, _core.EMULATED)

    monkeypatch.setattr(_device, "make_core", emulated)
