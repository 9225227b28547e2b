// Matrix products through a BLAS handed in at run time.
//
// The core never links a BLAS: the Python layer passes pointers to the Fortran
// ?gemm routines exported by scipy.linalg.cython_blas, so the build needs no BLAS
// and the installed package uses whatever optimized BLAS scipy ships.
#pragma once

namespace rnnsk {

template <class T>
using FortranGemm = void (*)(char* transa, char* transb, int* m, int* n, int* k,
                             T* alpha, T* a, int* lda, T* b, int* ldb, T* beta,
                             T* c, int* ldc);

// Row-major GEMM: C (M x N, leading dimension ldc) = alpha * op(A) * op(B) + beta * C.
// A row-major matrix is the transpose of a column-major one, so C^T = op(B)^T op(A)^T
// is what the column-major routine is asked for.
template <class T>
class Gemm {
 public:
  explicit Gemm(FortranGemm<T> routine = nullptr) : routine_(routine) {}

  bool ready() const { return routine_ != nullptr; }

  void operator()(bool trans_a, bool trans_b, int m, int n, int k, T alpha,
                  const T* a, int lda, const T* b, int ldb, T beta, T* c,
                  int ldc) const {
    if (m <= 0 || n <= 0) return;
    char ta = trans_b ? 'T' : 'N';
    char tb = trans_a ? 'T' : 'N';
    routine_(&ta, &tb, &n, &m, &k, &alpha, const_cast<T*>(b), &ldb,
             const_cast<T*>(a), &lda, &beta, c, &ldc);
  }

 private:
  FortranGemm<T> routine_;
};

}  // namespace rnnsk
