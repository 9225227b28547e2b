#include "panel_kernel.hpp"

#include <cassert>
#include <cstdlib>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(RNNSK_NO_DISPATCH)
#define RNNSK_AVX512_KERNEL 1
#include <immintrin.h>
#endif

namespace rnnsk {

#ifdef RNNSK_AVX512_KERNEL

namespace {

// FullWidth: all kPanelWidth columns, read with plain loads; masked loads of B
// cost about a tenth of the per-step product's speed, so only the last, partial
// panel pays for them.
template <int R, bool FullWidth>
__attribute__((target("avx512f"))) void panel_kernel(const PanelBlock& block) {
  const int cols = block.cols;
  // Masked loads never touch memory past the last column, so B and C need no padding.
  const __mmask16 low = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 high =
      cols >= 32 ? 0xFFFF : cols > 16 ? static_cast<__mmask16>((1u << (cols - 16)) - 1) : 0;
  const float* a_rows[R];
  float* c_rows[R];
  __m512 sum_low[R], sum_high[R];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    a_rows[r] = block.a + r * block.a_row_step;
    c_rows[r] = block.c + r * block.ldc;
    sum_low[r] = block.accumulate ? _mm512_maskz_loadu_ps(low, c_rows[r]) : _mm512_setzero_ps();
    sum_high[r] =
        block.accumulate ? _mm512_maskz_loadu_ps(high, c_rows[r] + 16) : _mm512_setzero_ps();
  }
  const float* b = block.b;
  long a_at = 0;
  for (long p = 0; p < block.depth; ++p) {
    const __m512 b_low = FullWidth ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(low, b);
    const __m512 b_high =
        FullWidth ? _mm512_loadu_ps(b + 16) : _mm512_maskz_loadu_ps(high, b + 16);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m512 a_value = _mm512_set1_ps(a_rows[r][a_at]);
      sum_low[r] = _mm512_fmadd_ps(a_value, b_low, sum_low[r]);
      sum_high[r] = _mm512_fmadd_ps(a_value, b_high, sum_high[r]);
    }
    b += block.b_depth_step;
    a_at += block.a_depth_step;
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c_rows[r], low, sum_low[r]);
    _mm512_mask_storeu_ps(c_rows[r] + 16, high, sum_high[r]);
  }
}

using PanelKernel = void (*)(const PanelBlock&);

// By rows, then by whether the block spans the full panel width.
template <int R>
constexpr PanelKernel kByWidth[2] = {panel_kernel<R, false>, panel_kernel<R, true>};
constexpr const PanelKernel* kKernels[kBlockRows + 1] = {
    nullptr, kByWidth<1>, kByWidth<2>, kByWidth<3>, kByWidth<4>, kByWidth<5>, kByWidth<6>};

}  // namespace

bool panel_kernel_available() {
  static const bool available = __builtin_cpu_supports("avx512f");
  return available;
}

void multiply_panel_block(const PanelBlock& block) {
  assert(block.rows >= 1 && block.rows <= kBlockRows);
  assert(block.cols >= 1 && block.cols <= kPanelWidth);
  kKernels[block.rows][block.cols == kPanelWidth](block);
}

#else

bool panel_kernel_available() { return false; }

// Unreachable: callers use the kernel only where panel_kernel_available() is true.
void multiply_panel_block(const PanelBlock&) { std::abort(); }

#endif

}  // namespace rnnsk
