// Weight gradients: G = D^T X summed over every packed row of a call, where D
// holds the gates' gradients (rows x n) and X the inputs or previous states
// (rows x k).
//
// With thousands of rows against a few hundred columns, a BLAS spends much of
// this product copying D into its transposed panels, and runs well below its
// rate on square products (docs/benchmarks.md has the figures).
// For float with AVX-512 the register kernel reads D and X in place instead,
// a chunk of rows at a time so that the chunk stays in cache while every block
// of G takes its turn; elsewhere, and for wide X where
// BLAS's panels pay off, the product goes to BLAS. X narrower than the kernel's
// 32-column panels (a few input features) is computed the other way round,
// G^T = X^T D, so that the vectors run along G's n units instead.
#pragma once

#include "blas.hpp"

namespace rnnsk {

// G (n x k, leading dimension ldg) = D^T X, or G += D^T X with `accumulate`;
// D is rows x n (leading dimension ldd), X rows x k (leading dimension ldx).
// With column_sums (n values; a bias gradient), also stores the sums of D's
// columns, added row after row, while D passes through cache for the product.
// On the kernel's path each element of G is summed in the same order whatever the
// thread count (BLAS's own blocking may differ by a rounding).
template <class T>
void weight_gradient(const Gemm<T>& gemm, int n_threads, long rows, int n, int k, const T* d,
                     int ldd, const T* x, int ldx, bool accumulate, T* g, int ldg,
                     T* column_sums = nullptr);

}  // namespace rnnsk
