#include "packed_gemm.hpp"

#include <algorithm>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(RNNSK_NO_DISPATCH)
#define RNNSK_AVX512_KERNEL 1
#include <immintrin.h>
#endif

namespace rnnsk {

namespace {

constexpr int kPanel = 32;  // columns per panel: two AVX-512 vectors of floats
constexpr int kRows = 6;    // rows per block: 12 accumulators of the 32 registers

#ifdef RNNSK_AVX512_KERNEL

// C rows [0, R) x panel columns [0, cols) of one panel. The accumulators live
// in registers for the whole k loop; each step loads one row of the panel and
// broadcasts one value of each row of A.
template <int R>
__attribute__((target("avx512f"))) void panel_kernel(int k, const float* a, int lda,
                                                     const float* panel, float* c, int ldc,
                                                     int cols, bool accumulate) {
  const __mmask16 low = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 high =
      cols >= 32 ? 0xFFFF : cols > 16 ? static_cast<__mmask16>((1u << (cols - 16)) - 1) : 0;
  __m512 sum_low[R], sum_high[R];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    sum_low[r] = accumulate ? _mm512_maskz_loadu_ps(low, c + r * ldc) : _mm512_setzero_ps();
    sum_high[r] =
        accumulate ? _mm512_maskz_loadu_ps(high, c + r * ldc + 16) : _mm512_setzero_ps();
  }
  for (int p = 0; p < k; ++p) {
    const __m512 b_low = _mm512_loadu_ps(panel + p * kPanel);
    const __m512 b_high = _mm512_loadu_ps(panel + p * kPanel + 16);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m512 a_value = _mm512_set1_ps(a[r * lda + p]);
      sum_low[r] = _mm512_fmadd_ps(a_value, b_low, sum_low[r]);
      sum_high[r] = _mm512_fmadd_ps(a_value, b_high, sum_high[r]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c + r * ldc, low, sum_low[r]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, high, sum_high[r]);
  }
}

using PanelKernel = void (*)(int, const float*, int, const float*, float*, int, int, bool);
constexpr PanelKernel kKernels[kRows + 1] = {nullptr,          panel_kernel<1>, panel_kernel<2>,
                                             panel_kernel<3>, panel_kernel<4>, panel_kernel<5>,
                                             panel_kernel<6>};

#endif

template <class T>
bool uses_kernel() {
  return false;
}

template <>
bool uses_kernel<float>() {
  return packed_kernel_available();
}

}  // namespace

bool packed_kernel_available() {
#ifdef RNNSK_AVX512_KERNEL
  static const bool available = __builtin_cpu_supports("avx512f");
  return available;
#else
  return false;
#endif
}

template <class T>
void PackedMatrix<T>::pack(const T* source, int k, int n, bool transposed) {
  source_ = source;
  transposed_ = transposed;
  k_ = k;
  n_ = n;
  packed_ = uses_kernel<T>();
  if (!packed_) return;
  const int panels = (n + kPanel - 1) / kPanel;
  if (panels_.size() < static_cast<size_t>(panels) * k * kPanel)
    panels_.resize(static_cast<size_t>(panels) * k * kPanel);
  for (int q = 0; q < panels; ++q) {
    T* panel = panels_.data() + static_cast<long>(q) * k * kPanel;
    const int first = q * kPanel, cols = std::min(kPanel, n - first);
    for (int p = 0; p < k; ++p) {
      T* row = panel + static_cast<long>(p) * kPanel;
      for (int j = 0; j < cols; ++j)
        row[j] = transposed ? source[static_cast<long>(first + j) * k + p]
                            : source[static_cast<long>(p) * n + first + j];
      std::fill(row + cols, row + kPanel, T(0));
    }
  }
}

template <class T>
void PackedMatrix<T>::multiply(const Gemm<T>& gemm, int m, const T* a, int lda, T* c, int ldc,
                               bool accumulate) const {
  if (m <= 0) return;
  if (!packed_) {
    gemm(false, transposed_, m, n_, k_, T(1), a, lda, source_, transposed_ ? k_ : n_,
         accumulate ? T(1) : T(0), c, ldc);
    return;
  }
#ifdef RNNSK_AVX512_KERNEL
  if constexpr (std::is_same_v<T, float>) {
    const int panels = (n_ + kPanel - 1) / kPanel;
    for (int q = 0; q < panels; ++q) {
      const float* panel = panels_.data() + static_cast<long>(q) * k_ * kPanel;
      const int first = q * kPanel, cols = std::min(kPanel, n_ - first);
      for (int i = 0; i < m; i += kRows) {
        const int rows = std::min(kRows, m - i);
        kKernels[rows](k_, a + static_cast<long>(i) * lda, lda, panel,
                       c + static_cast<long>(i) * ldc + first, ldc, cols, accumulate);
      }
    }
  }
#endif
}

template class PackedMatrix<float>;
template class PackedMatrix<double>;

}  // namespace rnnsk
