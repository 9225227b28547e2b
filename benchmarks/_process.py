"""Set-up of a benchmark process, before any numerical library is loaded.

Two things are decided when a library loads and cannot be changed afterwards:

- OpenBLAS reads ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` once, when it is
  loaded; the only way to drop them is to start the interpreter again without them
  (:func:`restart_without_openblas_overrides`).
- torch's OpenMP runtime (``libgomp.so.1``) is configured from the environment
  when it loads. :func:`import_torch_first` loads it before anything else, with
  torch's default settings, as torch runs in a program of its own. (rnnsk's core
  once shared that runtime and its import set ``OMP_WAIT_POLICY=PASSIVE``, which
  made torch's 2-thread steps up to 2x slower when rnnsk came first; the core now
  has threads of its own, so the order matters only to torch's own runtime.)
"""
import os
import sys

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def restart_without_openblas_overrides():
    """Re-exec the running script with the same arguments and a cleaned
    environment when any override is set; return normally otherwise."""
    found = [name for name in OPENBLAS_OVERRIDES if name in os.environ]
    if not found:
        return
    environment = {key: value for key, value in os.environ.items()
                   if key not in OPENBLAS_OVERRIDES}
    print(f"[benchmarks] unsetting {', '.join(found)} and restarting so that OpenBLAS "
          "picks the processor's own kernels", file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable, *sys.argv], environment)


def import_torch_first():
    """Import torch, if installed, before rnnsk is imported (see the module's text)."""
    if "rnnsk" in sys.modules:
        raise RuntimeError("rnnsk is already imported: torch would run on its OpenMP runtime")
    try:
        import torch  # noqa: F401
    except ImportError:
        pass


def openmp_runtimes():
    """Paths of the OpenMP runtimes this process has loaded."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps
                       if "gomp" in line or "libomp" in line or "libiomp" in line})
