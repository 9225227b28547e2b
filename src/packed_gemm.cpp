#include "packed_gemm.hpp"

#include <algorithm>
#include <type_traits>

#include "panel_kernel.hpp"

namespace rnnsk {

namespace {

template <class T>
bool uses_kernel() {
  return false;
}

template <>
bool uses_kernel<float>() {
  return panel_kernel_available();
}

}  // namespace

template <class T>
void PackedMatrix<T>::pack(const T* source, int k, int n, bool transposed) {
  source_ = source;
  transposed_ = transposed;
  k_ = k;
  n_ = n;
  packed_ = uses_kernel<T>();
  if (!packed_) return;
  const int panels = (n + kPanelWidth - 1) / kPanelWidth;
  if (panels_.size() < static_cast<size_t>(panels) * k * kPanelWidth)
    panels_.resize(static_cast<size_t>(panels) * k * kPanelWidth);
  for (int q = 0; q < panels; ++q) {
    T* panel = panels_.data() + static_cast<long>(q) * k * kPanelWidth;
    const int first = q * kPanelWidth, cols = std::min(kPanelWidth, n - first);
    for (int p = 0; p < k; ++p) {
      T* row = panel + static_cast<long>(p) * kPanelWidth;
      for (int j = 0; j < cols; ++j)
        row[j] = transposed ? source[static_cast<long>(first + j) * k + p]
                            : source[static_cast<long>(p) * n + first + j];
      std::fill(row + cols, row + kPanelWidth, T(0));
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
  if constexpr (std::is_same_v<T, float>) {
    const int panels = (n_ + kPanelWidth - 1) / kPanelWidth;
    PanelBlock block;
    block.depth = k_;
    block.a_row_step = lda;
    block.a_depth_step = 1;
    block.b_depth_step = kPanelWidth;
    block.ldc = ldc;
    block.accumulate = accumulate;
    for (int q = 0; q < panels; ++q) {
      const int first = q * kPanelWidth;
      block.b = panels_.data() + static_cast<long>(q) * k_ * kPanelWidth;
      block.cols = std::min(kPanelWidth, n_ - first);
      for (int i = 0; i < m; i += kBlockRows) {
        block.rows = std::min(kBlockRows, m - i);
        block.a = a + static_cast<long>(i) * lda;
        block.c = c + static_cast<long>(i) * ldc + first;
        multiply_panel_block(block);
      }
    }
  }
}

template class PackedMatrix<float>;
template class PackedMatrix<double>;

}  // namespace rnnsk
