"""Print where cuBLAS is (include directory, then library file), for meson.

Looks in the nvidia-cublas wheel first (CUDA 13 and CUDA 12 layouts), then in
the CUDA toolkit (CUDA_HOME, CUDA_PATH or /usr/local/cuda). Exits non-zero with
a message when cuBLAS is nowhere.
"""
import glob
import importlib.util
import os
import sys


def candidates():
    spec = importlib.util.find_spec("nvidia")
    for root in (spec.submodule_search_locations or []) if spec else []:
        for package in ("cu13", "cublas"):
            yield os.path.join(root, package)
    toolkit = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"
    yield toolkit


for root in candidates():
    header = os.path.join(root, "include", "cublas_v2.h")
    libraries = sorted(glob.glob(os.path.join(root, "lib*", "libcublas.so*")), key=len)
    if os.path.exists(header) and libraries:
        print(os.path.join(root, "include"))
        print(libraries[0])
        sys.exit(0)
sys.exit("cuBLAS was not found: pip install nvidia-cublas (or install the CUDA toolkit's "
         "cuBLAS) before building with -Dcuda=enabled")
