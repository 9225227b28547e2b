#!/usr/bin/env bash
# Docs: install the `docs` extra and build the Sphinx site with warnings as
# errors (tests/test_docs_examples.py runs the same build when Sphinx is there).
# Output in ${DOCS_OUT:-/tmp/rnnsk-docs}.
set -euo pipefail
cd "$(dirname "$0")/.."

# -P: never import the source folder rnnsk/ of this clone (it has no compiled core).
if python -P -c "import rnnsk" 2>/dev/null; then
    # rnnsk is installed already (.ci/run installs it first; or an editable
    # install): add only the extra's requirements instead of compiling it again.
    python -P -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["docs"]))' \
        | xargs pip install
else
    pip install ".[docs]"
fi
python -P -m sphinx -W --keep-going -b html docs "${DOCS_OUT:-/tmp/rnnsk-docs}"
