// The emulator backend: runs the device algorithm (device_network.hpp) on the
// host, one element after another, with the BLAS the CPU core uses. It is how
// the CUDA backend's algorithm — layouts, step order, tape, transfers, the
// elementwise math, the optimizer — is tested on machines without a GPU: the
// CUDA backend (src/cuda/) differs only in where memory lives, how a functor is
// launched and which GEMM runs.
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>

#include "blas.hpp"

namespace rnnsk::device {

template <class T>
class HostBackend {
 public:
  explicit HostBackend(FortranGemm<T> routine) : gemm_(routine) {}

  void* allocate(size_t bytes) {
    void* memory = std::malloc(bytes ? bytes : 1);
    if (!memory) throw std::bad_alloc();
    return memory;
  }
  void release(void* memory) { std::free(memory); }
  void upload(void* device, const void* host, size_t bytes) { std::memcpy(device, host, bytes); }
  void download(void* host, const void* device, size_t bytes) {
    std::memcpy(host, device, bytes);
  }
  void copy(void* to, const void* from, size_t bytes) { std::memcpy(to, from, bytes); }

  // Elements are independent (each functor writes element e alone), which
  // lets the compiler use vector instructions across them.
  template <class Functor>
  void for_each(long count, const Functor& functor) {
#pragma omp simd
    for (long e = 0; e < count; ++e) functor(e);
  }

  // Row-major, as rnnsk::Gemm.
  void gemm(bool trans_a, bool trans_b, int m, int n, int k, T alpha, const T* a, int lda,
            const T* b, int ldb, T beta, T* c, int ldc) {
    gemm_(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  // Sum of x[i] * y[i], accumulated in double, in eight partial sums: one
  // running sum would wait on every addition before the next.
  double dot(const T* x, const T* y, long count) {
    constexpr int kLanes = 8;
    double partial[kLanes] = {};
    long i = 0;
    for (; i + kLanes <= count; i += kLanes)
      for (int k = 0; k < kLanes; ++k) partial[k] += static_cast<double>(x[i + k]) * y[i + k];
    double sum = 0.0;
    for (; i < count; ++i) sum += static_cast<double>(x[i]) * y[i];
    for (double value : partial) sum += value;
    return sum;
  }

 private:
  Gemm<T> gemm_;
};

}  // namespace rnnsk::device
