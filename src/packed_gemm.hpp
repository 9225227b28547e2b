// Products with a matrix that stays fixed across many calls: the recurrent
// weights, multiplied once per time step.
//
// A BLAS repacks both operands on every call; for a step's product the weights
// are by far the larger one, so packing them again at every step costs about a
// fifth of a training step at moderate sizes. Here they are laid out once per
// forward or backward call, in panels of kPanelWidth columns, and the AVX-512
// kernel of panel_kernel.hpp streams them from there. Where that kernel cannot run (double precision, a
// processor without AVX-512) the products go to BLAS as before.
#pragma once

#include <vector>

#include "blas.hpp"

namespace rnnsk {

template <class T>
class PackedMatrix {
 public:
  // B (k x n) = source (k x n, row-major, leading dimension n), or its transpose
  // when `transposed`: then source is (n x k) with leading dimension k.
  void pack(const T* source, int k, int n, bool transposed);

  // C (m x n, leading dimension ldc) = A (m x k, leading dimension lda) B, or
  // C += A B with `accumulate`.
  void multiply(const Gemm<T>& gemm, int m, const T* a, int lda, T* c, int ldc,
                bool accumulate) const;

 private:
  const T* source_ = nullptr;
  bool transposed_ = false;
  int k_ = 0;
  int n_ = 0;
  bool packed_ = false;
  std::vector<T> panels_;
};

}  // namespace rnnsk
