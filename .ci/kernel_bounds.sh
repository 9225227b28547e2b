#!/usr/bin/env bash
# The core's register kernel against a plain reference, every operand followed by
# an inaccessible page (AddressSanitizer does not see inside AVX-512 masked loads
# and stores, so the sanitizer job cannot catch an overrun there).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"${CXX:-g++}" -std=c++17 -O2 -pthread -I"$ROOT/src" \
  "$ROOT/tests/cpp/register_kernel_bounds.cpp" "$ROOT/src/panel_kernel.cpp" \
  "$ROOT/src/packed_gemm.cpp" "$ROOT/src/weight_gradient.cpp" \
  "$ROOT/src/column_sums.cpp" "$ROOT/src/thread_pool.cpp" -o "$OUT/register_kernel_bounds"
echo "== register kernel against a reference, operands at guard pages"
"$OUT/register_kernel_bounds"
