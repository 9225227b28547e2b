"""A clear error instead of a circular import when rnnsk's compiled core is missing.

That happens, above all, when Python imports rnnsk from its source tree (a git
clone) instead of the installed package: ``python -m pytest`` and ``python``
started in the clone put the current folder first on ``sys.path``, and the
source folder has no compiled ``_core``. numpy and scikit-learn say so in the
same situation.
"""
import os
from importlib.util import find_spec


def check_core_is_built():
    """Raise an ImportError saying what to do when ``rnnsk._core`` cannot be found."""
    if find_spec("rnnsk._core") is not None:
        return
    package = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(package)
    if os.path.exists(os.path.join(package, "_core.pyx")) and os.path.exists(
            os.path.join(root, "meson.build")):
        raise ImportError(
            f"you are importing rnnsk from its source tree ({package}), which holds no "
            "compiled core (rnnsk._core). Install rnnsk (`pip install .`, or "
            "`pip install --no-build-isolation -e .` for development) and run Python "
            f"from another folder than {root}: `python -m pytest` and `python` put the "
            "current folder first on sys.path; `pytest` or `python -P -m pytest` do not.")
    raise ImportError(
        f"rnnsk at {package} has no compiled core (rnnsk._core): the installation is "
        "incomplete; reinstall it (`pip install --force-reinstall rnnsk`).")
