// The CUDA backend of the device algorithm (device_network.hpp): GPU memory,
// one kernel launch per elementwise functor, cuBLAS for every matrix product.
// All work of a network goes to its own stream, in order; downloads wait for it.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace rnnsk::device {

inline void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error in ") + what + ": " +
                             cudaGetErrorString(status));
}

inline void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLAS error in ") + what + ": " +
                             cublasGetStatusString(status));
}

// A grid-stride loop, so any element count fits a bounded grid.
template <class Functor>
__global__ void each_element(long count, Functor functor) {
  const long stride = static_cast<long>(blockDim.x) * gridDim.x;
  for (long e = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride)
    functor(e);
}

template <class T>
struct CublasRoutines;
template <>
struct CublasRoutines<float> {
  static constexpr auto gemm = cublasSgemm;
  static constexpr auto dot = cublasSdot;
};
template <>
struct CublasRoutines<double> {
  static constexpr auto gemm = cublasDgemm;
  static constexpr auto dot = cublasDdot;
};

template <class T>
class CudaBackend {
 public:
  explicit CudaBackend(int device) : device_(device) {
    select();
    check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    check_cublas(cublasCreate(&handle_), "cublasCreate");
    check_cublas(cublasSetStream(handle_, stream_), "cublasSetStream");
  }
  CudaBackend(CudaBackend&& other) noexcept
      : device_(other.device_), stream_(std::exchange(other.stream_, nullptr)),
        handle_(std::exchange(other.handle_, nullptr)) {}
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;
  ~CudaBackend() {
    if (handle_) cublasDestroy(handle_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  void* allocate(size_t bytes) {
    select();
    void* memory = nullptr;
    check_cuda(cudaMalloc(&memory, std::max<size_t>(bytes, 1)), "cudaMalloc");
    return memory;
  }
  void release(void* memory) {
    if (memory) cudaFree(memory);  // in a destructor: errors cannot be reported
  }
  void upload(void* device, const void* host, size_t bytes) {
    transfer(device, host, bytes, cudaMemcpyHostToDevice);
  }
  void download(void* host, const void* device, size_t bytes) {
    transfer(host, device, bytes, cudaMemcpyDeviceToHost);
  }
  void copy(void* to, const void* from, size_t bytes) {
    select();
    check_cuda(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, stream_),
               "cudaMemcpyAsync");
  }

  template <class Functor>
  void for_each(long count, const Functor& functor) {
    if (count <= 0) return;
    select();
    constexpr int threads = 256;
    const long blocks = std::min<long>((count + threads - 1) / threads, 65535);
    each_element<<<static_cast<unsigned>(blocks), threads, 0, stream_>>>(count, functor);
    check_cuda(cudaGetLastError(), "kernel launch");
  }

  // Row-major, as rnnsk::Gemm: cuBLAS is column-major, so C^T = op(B)^T op(A)^T.
  void gemm(bool trans_a, bool trans_b, int m, int n, int k, T alpha, const T* a, int lda,
            const T* b, int ldb, T beta, T* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    select();
    check_cublas(CublasRoutines<T>::gemm(handle_, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                         trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha,
                                         b, ldb, a, lda, &beta, c, ldc),
                 "gemm");
  }

  // Sum of x[i] * y[i] (accumulated in T by cuBLAS); waits for the result.
  double dot(const T* x, const T* y, long count) {
    select();
    T result = T(0);
    check_cublas(CublasRoutines<T>::dot(handle_, static_cast<int>(count), x, 1, y, 1, &result),
                 "dot");
    return static_cast<double>(result);
  }

 private:
  void select() { check_cuda(cudaSetDevice(device_), "cudaSetDevice"); }
  void transfer(void* to, const void* from, size_t bytes, cudaMemcpyKind kind) {
    select();
    check_cuda(cudaMemcpyAsync(to, from, bytes, kind, stream_), "cudaMemcpyAsync");
    // The host side is a reused staging buffer: wait until the copy is done.
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

  int device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t handle_ = nullptr;
};

}  // namespace rnnsk::device
