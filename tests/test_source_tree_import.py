"""Importing rnnsk from a source tree (a fresh clone, where `python -m pytest`
puts the current folder first on sys.path) fails with a message saying what to
do, as numpy and scikit-learn do, instead of a circular-import error."""
import os
import shutil
import subprocess
import sys



def _fresh_clone(tmp_path):
    """The package's Python and Cython sources and the build files, as a clone
    holds them: nothing compiled."""
    # The repository's sources (an installed package leaves out _core.pyx).
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rnnsk")
    shutil.copytree(source, tmp_path / "rnnsk",
                    ignore=lambda folder, names: [n for n in names
                                                  if n.endswith((".so", ".pyd"))
                                                  or n == "__pycache__"])
    (tmp_path / "meson.build").write_text("project('rnnsk')\n")
    return tmp_path


def _import_from(folder):
    # Without site (-S), no editable-install hook runs; the folder goes first and
    # the libraries rnnsk needs stay reachable through the rest of sys.path.
    code = ("import sys; sys.path[:0] = sys.argv[1:]; import rnnsk")
    return subprocess.run([sys.executable, "-S", "-c", code, str(folder),
                           *[p for p in sys.path if p and os.path.isdir(p)]],
                          capture_output=True, text=True, timeout=300, cwd=folder)


def test_importing_the_source_tree_says_how_to_fix_it(tmp_path):
    done = _import_from(_fresh_clone(tmp_path))
    assert done.returncode != 0
    assert "ImportError: you are importing rnnsk from its source tree" in done.stderr
    assert "circular import" not in done.stderr.splitlines()[-1]
    assert "pip install" in done.stderr and "python -P -m pytest" in done.stderr


def test_an_installation_without_its_core_says_so(tmp_path):
    clone = _fresh_clone(tmp_path)
    (clone / "meson.build").unlink()
    done = _import_from(clone)
    assert "has no compiled core (rnnsk._core): the installation is incomplete" in done.stderr
