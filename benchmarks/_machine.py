"""What the numbers were measured on: processor, libraries, load, source revision."""
import hashlib
import os
import platform
import subprocess
import sys

import numpy as np
import scipy
from threadpoolctl import threadpool_info

import rnnsk
from _process import openmp_runtimes

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def load():
    """The `uptime` line and the 1-minute load average."""
    return {"uptime": _run("uptime"), "load_1min": os.getloadavg()[0]}


def _cpu():
    fields = {}
    for line in _run("lscpu").splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = fields.get("Flags", "").split()
    return {"model": fields.get("Model name", platform.processor()),
            "cpus": os.cpu_count(),
            "cores_per_socket": fields.get("Core(s) per socket"),
            "threads_per_core": fields.get("Thread(s) per core"),
            "hypervisor": fields.get("Hypervisor vendor", "none"),
            "avx512": sorted(flag for flag in flags if flag.startswith("avx512"))}


def _blas():
    return [{key: entry.get(key) for key in ("prefix", "version", "architecture",
                                              "threading_layer")}
            | {"file": os.path.basename(entry["filepath"])}
            for entry in threadpool_info() if entry["user_api"] == "blas"]


def _torch(torch):
    if torch is None:
        return None
    return {"version": torch.__version__,
            "mkldnn_available": torch.backends.mkldnn.is_available(),
            "mkldnn_enabled": torch.backends.mkldnn.enabled,
            "mkl_available": torch.backends.mkl.is_available(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "cuda_available": torch.cuda.is_available()}


def _revision():
    commit = _run("git", "-C", REPOSITORY, "rev-parse", "--short", "HEAD")
    changed = _run("git", "-C", REPOSITORY, "status", "--porcelain", "--", "src", "rnnsk")
    return commit + (" + uncommitted changes in src/ or rnnsk/" if changed else "")


def source_fingerprint():
    """A short hash of the core's and the package's sources (src/, rnnsk/): equal at
    the start and the end of a run when nobody changed the code being measured (an
    editable install rebuilds on import, so the memory subprocesses would see a
    change)."""
    digest = hashlib.sha1()
    for folder in ("src", "rnnsk"):
        for root, _, files in sorted(os.walk(os.path.join(REPOSITORY, folder))):
            for name in sorted(files):
                if name.endswith((".py", ".pyx", ".pxd", ".cpp", ".hpp", ".h", "meson.build")):
                    with open(os.path.join(root, name), "rb") as source:
                        digest.update(name.encode() + source.read())
    return digest.hexdigest()[:12]


def describe(torch):
    """Everything about the machine and software that the results depend on."""
    return {"cpu": _cpu(), "blas": _blas(), "torch": _torch(torch),
            "python": sys.version.split()[0], "numpy": np.__version__,
            "scipy": scipy.__version__, "rnnsk": rnnsk.__version__,
            "rnnsk_revision": _revision(), "openmp_runtimes": openmp_runtimes(),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "unset"), "gpu_used": False}
