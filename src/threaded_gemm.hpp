// The large products of a layer that go to BLAS (input projection, input
// gradient, weight gradients where the register kernel does not run), split by
// rows of C among the core's threads; each share calls the single-threaded
// BLAS. Rows of C are independent; a share's size may change how BLAS blocks its
// sums, so results differ between thread counts by a rounding at most.
#pragma once

#include "blas.hpp"
#include "parallel.hpp"

namespace rnnsk {

template <class T>
void threaded_gemm(const Gemm<T>& gemm, int n_threads, bool trans_a, bool trans_b, int m, int n,
                   int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta, T* c,
                   int ldc) {
  const int shares = shares_for(m, n_threads, static_cast<long>(m) * n * k);
  parallel_over(even_bounds(m, shares), [&](int begin, int end) {
    // Row `begin` of op(A) is a row of A, or a column of A when A is transposed.
    const T* a_share = trans_a ? a + begin : a + static_cast<long>(begin) * lda;
    gemm(trans_a, trans_b, end - begin, n, k, alpha, a_share, lda, b, ldb, beta,
         c + static_cast<long>(begin) * ldc, ldc);
  });
}

}  // namespace rnnsk
