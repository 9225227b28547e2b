"""Sphinx configuration of the rnnsk documentation.

Build (CI does it with warnings as errors, see .ci/docs.sh)::

    pip install -e ".[docs]"    # or: pip install ".[docs]"
    python -m sphinx -W --keep-going -b html docs /tmp/rnnsk-docs

The API reference is read from the installed rnnsk's numpydoc docstrings;
the guide pages are Markdown (MyST). No extension fetches anything from the
network, so the build works offline.
"""
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# `python -m sphinx` run from the repository root puts the root first on
# sys.path, where the source folder rnnsk/ (without its compiled core) would
# shadow the installed package: the docs describe the installed rnnsk.
sys.path[:] = [entry for entry in sys.path
               if Path(entry or ".").resolve() != DOCS.parent]

import rnnsk  # noqa: E402

project = "rnnsk"
author = "the rnnsk developers"
copyright = "the rnnsk developers, BSD-3-Clause"
version = release = rnnsk.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# Scripts (examples/, data/) are shown with literalinclude, never parsed as pages.
exclude_patterns = ["_build", "examples", "data", "**/.ipynb_checkpoints"]

# -- API reference -----------------------------------------------------------
# Pages are written by hand in api/ (autosummary only draws the summary tables,
# it generates no files), so a build never writes into the source tree. Classes
# list their members with :members: and :inherited-members: there.
autosummary_generate = False
autodoc_member_order = "groupwise"
autodoc_typehints = "none"  # types are in the numpydoc docstrings
numpydoc_show_class_members = False  # autodoc lists the members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Methods inherited from scikit-learn that are part of an estimator's everyday
# interface. The others (metadata routing, set_output...) are scikit-learn's
# machinery, documented there; their docstrings point into scikit-learn's own
# docs, which are not part of this site.
_SKLEARN_INHERITED = {"get_params", "set_params", "score", "fit_transform",
                      "get_feature_names_out"}


_REF_WITH_TITLE = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`")
_REF_BARE = re.compile(r":ref:`([^`<]+)`")


def _skip_sklearn_machinery(app, what, name, obj, skip, options):
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and module.startswith("sklearn.") and name not in _SKLEARN_INHERITED:
        return True
    return None


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    """Inherited scikit-learn docstrings point with :ref: into scikit-learn's
    user guide, which is not part of this site: keep the words, drop the link."""
    if (getattr(obj, "__module__", None) or "").startswith("sklearn."):
        for i, line in enumerate(lines):
            line = _REF_WITH_TITLE.sub(r"\1", line)
            lines[i] = _REF_BARE.sub(r"``\1``", line)


# -- Markdown ----------------------------------------------------------------
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# -- HTML --------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"rnnsk {release}"
html_theme_options = {"description": "RNN, LSTM and GRU estimators for scikit-learn, "
                                     "with a C++ core",
                      "fixed_sidebar": True,
                      # Room for the examples' 95-character lines.
                      "page_width": "1240px", "body_max_width": "none"}
html_static_path = []

# -- The benchmark page --------------------------------------------------------
# benchmarks.md is written separately from the rest of the docs (by the benchmark
# runs). Until it exists the site builds without it, instead of failing on a
# toctree entry to a missing page.
BENCHMARK_ENTRY = "\n   benchmarks\n"


def _drop_missing_benchmarks(app, docname, source):
    if docname == root_doc and not (DOCS / "benchmarks.md").exists():
        source[0] = source[0].replace(BENCHMARK_ENTRY, "\n")


# -- Markdown written for reading on GitHub ---------------------------------------
# Pages such as benchmarks.md link to files elsewhere in the repository
# (benchmarks/results/*.md, scripts). Sphinx knows only the pages under docs/:
# such a link to an existing file outside docs/ becomes a download link (MyST's
# "path:" scheme), in memory; the file itself is left as it is.
_MD_LINK = re.compile(r"(?<!!)(\[[^\]\n]*\]\()([^()\s#:]+)(#[^()\s]*)?\)")


def _link_files_outside_docs(app, docname, source):
    page = Path(app.env.doc2path(docname))
    if page.suffix != ".md":
        return

    def download_link(match):
        target = (page.parent / match.group(2)).resolve()
        if target.is_file() and DOCS not in target.parents:
            return f"{match.group(1)}path:{match.group(2)})"
        return match.group(0)

    source[0] = _MD_LINK.sub(download_link, source[0])


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_machinery)
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs)
    app.connect("source-read", _drop_missing_benchmarks)
    app.connect("source-read", _link_files_outside_docs)
