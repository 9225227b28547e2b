// The large products of a layer (input projection, weight gradients, input
// gradient), split by rows of C among the core's threads; each share calls the
// single-threaded BLAS. Rows of C are independent and each keeps its own
// reduction order, so the result does not depend on the thread count.
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
