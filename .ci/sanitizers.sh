#!/usr/bin/env bash
# CI: build the C++ core and its Cython binding with AddressSanitizer and
# UndefinedBehaviorSanitizer into a throwaway prefix, and run the core and binding
# tests against that build. Any sanitizer report fails the job.
#
#   .ci/sanitizers.sh [more pytest arguments, e.g. further test files]
#
# Environment:
#   RNNSK_SAN_DIR  directory for the build tree, the install and the log; kept
#                  (and reused: incremental rebuilds). Default: a fresh temporary
#                  directory, removed when the run is clean.
#   PYTHON         interpreter to build and test with (default: python).
#   ASAN_OPTIONS, UBSAN_OPTIONS
#                  appended to the script's own settings, so they win; e.g.
#                  UBSAN_OPTIONS=halt_on_error=0:abort_on_error=0 lists every
#                  finding of a run instead of stopping at the first.
#
# Python itself is not instrumented, so the sanitizer runtimes are preloaded
# (ASan must come first in the process). Leak detection is off: CPython keeps
# interned objects and arenas alive until exit by design.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The interpreter itself, not a wrapper script: a pyenv shim is a bash script,
# which the preloaded runtimes would instrument (and report leaks in) too.
PYTHON=$("${PYTHON:-python}" -c 'import sys; print(sys.executable)')

ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
for lib in "$ASAN_LIB" "$UBSAN_LIB"; do
  if [[ ! -e $lib ]]; then
    echo "sanitizers.sh: $lib not found (install the compiler's sanitizer runtimes)" >&2
    exit 2
  fi
done

if [[ -n ${RNNSK_SAN_DIR:-} ]]; then
  WORK=$RNNSK_SAN_DIR
  KEEP=1
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/rnnsk-san.XXXXXX")
  KEEP=0
fi
BUILD=$WORK/build
SITE=$WORK/site
LOG=$WORK/pytest.log
rm -rf "$SITE" "$LOG"
mkdir -p "$BUILD" "$SITE"

# 0. The build requirements (pyproject.toml's build-system.requires, and ninja):
#    a CI environment where rnnsk was installed with build isolation may lack
#    them; only what is missing is installed.
mapfile -t MISSING < <("$PYTHON" - "$ROOT/pyproject.toml" <<'EOF'
import shutil, sys, tomllib
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement

with open(sys.argv[1], "rb") as f:
    requires = tomllib.load(f)["build-system"]["requires"]
if shutil.which("ninja") is None:
    requires.append("ninja")
for text in requires:
    requirement = Requirement(text)
    try:
        if requirement.specifier.contains(version(requirement.name), prereleases=True):
            continue
    except PackageNotFoundError:
        pass
    print(text)
EOF
)
if (( ${#MISSING[@]} )); then
  echo "== installing the build requirements ${MISSING[*]}"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "${MISSING[@]}"
fi

# 1. Build and install. No build isolation and no dependencies: the environment's
#    meson-python, Cython and numpy build it; rnnsk's own dependencies are
#    the environment's too.
#    -Db_lundef=false: the extension refers to the sanitizer runtimes, which the
#    interpreter does not link. debugoptimized (-O2 -g) and frame pointers make
#    reports name files and lines.
echo "== building rnnsk with -fsanitize=address,undefined in $BUILD"
"$PYTHON" -m pip install --no-build-isolation --no-deps --no-cache-dir --quiet \
  --disable-pip-version-check --root-user-action=ignore \
  --target "$SITE" \
  -Cbuild-dir="$BUILD" \
  -Csetup-args=-Db_sanitize=address,undefined \
  -Csetup-args=-Db_lundef=false \
  -Csetup-args=-Dbuildtype=debugoptimized \
  -Csetup-args=-Dcpp_args=-fno-omit-frame-pointer \
  "$ROOT"

CORE_SO=$(ls "$SITE"/rnnsk/_core*.so)
UNDEFINED_SYMBOLS=$(nm -D --undefined-only "$CORE_SO")
for runtime in asan ubsan; do
  if ! grep -q "__${runtime}_" <<<"$UNDEFINED_SYMBOLS"; then
    echo "sanitizers.sh: $CORE_SO is not instrumented ($runtime)" >&2
    exit 2
  fi
done

# 2. Run the tests against that install:
#    - PYTHONPATH puts the sanitized rnnsk ahead of an installed one;
#    - MESONPY_EDITABLE_SKIP turns off the import hook of an editable install of
#      rnnsk, which sits ahead of sys.path and would rebuild and import the
#      uninstrumented tree;
#    - pytest runs from an empty directory with --import-mode=importlib, so the
#      source folder rnnsk/ is never imported.
EDITABLE_BUILDS=$(env -u PYTHONPATH "$PYTHON" -c '
import sys
paths = [getattr(f, "_build_path", None) for f in sys.meta_path
         if "rnnsk" in getattr(f, "_top_level_modules", ())]
print(":".join(p for p in paths if p))')
export MESONPY_EDITABLE_SKIP=${EDITABLE_BUILDS}${MESONPY_EDITABLE_SKIP:+:$MESONPY_EDITABLE_SKIP}
export PYTHONPATH=$SITE
export PYTHONDONTWRITEBYTECODE=1

# Reports go to stderr (UBSan's runtime ignores log_path next to ASan's), which is
# kept in $LOG and searched afterwards: that also catches the reports of any
# subprocess a test starts.
ASAN_SETTINGS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
ASAN_SETTINGS+=":detect_stack_use_after_return=1:check_initialization_order=1"
ASAN_SETTINGS+=":strict_init_order=1"
# A request larger than memory (e.g. the MemoryError tests) fails as it does
# without ASan (malloc returns NULL, numpy raises MemoryError), instead of
# aborting: such a request is not a memory error of the code under test.
ASAN_SETTINGS+=":allocator_may_return_null=1"
UBSAN_SETTINGS="halt_on_error=1:print_stacktrace=1:abort_on_error=1"
# Suppressions, each with its reason, live beside this script if ever needed.
if [[ -s $ROOT/.ci/asan.supp ]]; then
  ASAN_SETTINGS+=":suppressions=$ROOT/.ci/asan.supp"
fi
if [[ -s $ROOT/.ci/ubsan.supp ]]; then
  UBSAN_SETTINGS+=":suppressions=$ROOT/.ci/ubsan.supp"
fi
SANITIZED_ENV=(
  "LD_PRELOAD=$ASAN_LIB $UBSAN_LIB"
  "ASAN_OPTIONS=$ASAN_SETTINGS${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  "UBSAN_OPTIONS=$UBSAN_SETTINGS${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
)

RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/rnnsk-san-run.XXXXXX")
trap 'rm -rf "$RUNDIR"' EXIT
cd "$RUNDIR"

echo "== checking that the sanitized build is the one imported"
env "${SANITIZED_ENV[@]}" "$PYTHON" -c '
import os, sys
site = os.path.realpath(sys.argv[1])
import numpy as np
import rnnsk, rnnsk._core
for module in (rnnsk, rnnsk._core):
    where = os.path.realpath(module.__file__)
    print(f"{module.__name__}: {where}")
    if not where.startswith(site + os.sep):
        sys.exit(f"sanitizers.sh: {module.__name__} was imported from {where}, "
                 f"not from the sanitized install in {site}")
# A smoke run through the core: forward and backward of every cell.
x = np.random.default_rng(0).standard_normal((3, 4, 2))
for cell in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
    net = rnnsk.RecurrentNetwork(cell, 2, 3, num_layers=2, bidirectional=True,
                                 dropout=0.5, random_state=0, n_threads=2)
    out, _, _ = net.forward(x, [4, 1, 2], training=True, dropout_seed=1)
    net.backward(out)
' "$SITE"

TESTS=(
  "$ROOT/tests/test_core_errors.py"
  "$ROOT/tests/test_device.py"
  "$ROOT/tests/test_float32_kernels.py"
  "$ROOT/tests/test_gradcheck.py"
  "$ROOT/tests/test_parity_stored.py"
  "$ROOT/tests/test_threads.py"
  "$ROOT/tests/test_thread_pool.py"
)
echo "== running ${TESTS[*]##*/} $* under ASan+UBSan"
# --capture=sys: pytest captures Python's sys.stdout/stderr only, so what the
# runtimes write to file descriptor 2 reaches the log even when they abort.
status=0
env "${SANITIZED_ENV[@]}" "$PYTHON" -m pytest -q -p no:cacheprovider --capture=sys \
  --import-mode=importlib --rootdir "$ROOT" -c "$ROOT/pyproject.toml" \
  "${TESTS[@]}" "$@" 2>&1 | tee "$LOG" || status=${PIPESTATUS[0]}

# 3. Any report fails the job, whatever pytest's exit status.
FINDING='runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: [A-Za-z]+Sanitizer'
if grep -E -q "$FINDING" "$LOG"; then
  echo "== sanitizer findings (count, first line):" >&2
  grep -E -o '[[:alnum:]_./+-]+:[0-9]+(:[0-9]+)?: runtime error: .*|ERROR: AddressSanitizer: .*' "$LOG" \
    | sed -E 's#^[./]+##; s/0x[0-9a-f]+/0x…/g; s/[0-9]{6,}/N/g' | sort | uniq -c >&2 || true
  if (( status == 0 )); then status=1; fi
fi
if (( status != 0 )); then
  echo "sanitizers.sh: FAILED (exit $status); build, install and log kept in $WORK" >&2
  exit "$status"
fi
echo "sanitizers.sh: clean, no sanitizer findings"
if (( ! KEEP )); then
  rm -rf "$WORK"
fi
