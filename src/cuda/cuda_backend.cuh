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

// Makes `device` current for the guard's lifetime, then restores the caller's
// current device (which PyTorch or CuPy code in the same thread relies on).
// Never throws: destructors use it too.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    if (cudaGetDevice(&previous_) != cudaSuccess) previous_ = -1;
    if (previous_ != device) cudaSetDevice(device);
  }
  ~DeviceGuard() {
    if (previous_ >= 0) cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

// A grid-stride loop, so any element count fits a bounded grid.
template <class Functor>
__global__ void each_element(long count, Functor functor) {
  const long stride = static_cast<long>(blockDim.x) * gridDim.x;
  for (long e = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride)
    functor(e);
}

constexpr int kThreadsPerBlock = 256;
constexpr int kDotBlocks = 256;

// Per block, the sum of x[e] * y[e] over its grid-stride elements, accumulated
// in double (cuBLAS's float dot accumulates in float): the gradient norm, the
// L2 term and the finiteness check of a step then agree with the CPU's.
template <class T>
__global__ void partial_dots(const T* x, const T* y, long count, double* partial) {
  __shared__ double sums[kThreadsPerBlock];
  double sum = 0.0;
  const long stride = static_cast<long>(blockDim.x) * gridDim.x;
  for (long e = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride)
    sum += static_cast<double>(x[e]) * static_cast<double>(y[e]);
  sums[threadIdx.x] = sum;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = sums[0];
}

template <class T>
struct CublasGemm;
template <>
struct CublasGemm<float> {
  static constexpr auto routine = cublasSgemm;
};
template <>
struct CublasGemm<double> {
  static constexpr auto routine = cublasDgemm;
};

template <class T>
class CudaBackend {
 public:
  explicit CudaBackend(int device) : device_(device) {
    DeviceGuard guard(device_);
    check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    try {
      check_cublas(cublasCreate(&handle_), "cublasCreate");
      check_cublas(cublasSetStream(handle_, stream_), "cublasSetStream");
      check_cuda(cudaMalloc(&partial_sums_, sizeof(double) * kDotBlocks), "cudaMalloc");
    } catch (...) {
      destroy();
      throw;
    }
  }
  CudaBackend(CudaBackend&& other) noexcept
      : device_(other.device_), stream_(std::exchange(other.stream_, nullptr)),
        handle_(std::exchange(other.handle_, nullptr)),
        partial_sums_(std::exchange(other.partial_sums_, nullptr)) {}
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;
  ~CudaBackend() { destroy(); }

  void* allocate(size_t bytes) {
    DeviceGuard guard(device_);
    void* memory = nullptr;
    check_cuda(cudaMalloc(&memory, std::max<size_t>(bytes, 1)), "cudaMalloc");
    return memory;
  }
  void release(void* memory) {
    if (!memory) return;
    DeviceGuard guard(device_);  // the memory's own GPU, whichever thread frees it
    cudaFree(memory);            // from destructors: errors cannot be reported
  }
  void upload(void* device, const void* host, size_t bytes) {
    transfer(device, host, bytes, cudaMemcpyHostToDevice);
  }
  void download(void* host, const void* device, size_t bytes) {
    transfer(host, device, bytes, cudaMemcpyDeviceToHost);
  }
  void copy(void* to, const void* from, size_t bytes) {
    DeviceGuard guard(device_);
    check_cuda(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, stream_),
               "cudaMemcpyAsync");
  }

  template <class Functor>
  void for_each(long count, const Functor& functor) {
    if (count <= 0) return;
    DeviceGuard guard(device_);
    const long blocks = std::min<long>((count + kThreadsPerBlock - 1) / kThreadsPerBlock, 65535);
    each_element<<<static_cast<unsigned>(blocks), kThreadsPerBlock, 0, stream_>>>(count,
                                                                                 functor);
    check_cuda(cudaGetLastError(), "kernel launch");
  }

  // Row-major, as rnnsk::Gemm: cuBLAS is column-major, so C^T = op(B)^T op(A)^T.
  void gemm(bool trans_a, bool trans_b, int m, int n, int k, T alpha, const T* a, int lda,
            const T* b, int ldb, T beta, T* c, int ldc) {
    if (m <= 0 || n <= 0) return;
    DeviceGuard guard(device_);
    check_cublas(CublasGemm<T>::routine(handle_, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                         trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha,
                                         b, ldb, a, lda, &beta, c, ldc),
                 "gemm");
  }

  // Sum of x[i] * y[i], accumulated in double; waits for the result. The block
  // sums are added on the host in a fixed order, so the result is reproducible.
  double dot(const T* x, const T* y, long count) {
    if (count <= 0) return 0.0;
    DeviceGuard guard(device_);
    const long blocks =
        std::min<long>((count + kThreadsPerBlock - 1) / kThreadsPerBlock, kDotBlocks);
    partial_dots<<<static_cast<unsigned>(blocks), kThreadsPerBlock, 0, stream_>>>(
        x, y, count, partial_sums_);
    check_cuda(cudaGetLastError(), "kernel launch");
    double partial[kDotBlocks];
    transfer(partial, partial_sums_, sizeof(double) * blocks, cudaMemcpyDeviceToHost);
    double sum = 0.0;
    for (long b = 0; b < blocks; ++b) sum += partial[b];
    return sum;
  }

 private:
  void transfer(void* to, const void* from, size_t bytes, cudaMemcpyKind kind) {
    DeviceGuard guard(device_);
    check_cuda(cudaMemcpyAsync(to, from, bytes, kind, stream_), "cudaMemcpyAsync");
    // The host side is a reused staging buffer: wait until the copy is done.
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }
  // Errors are ignored: this runs from destructors, and at interpreter exit the
  // CUDA runtime may already be unloading.
  void destroy() noexcept {
    if (!handle_ && !stream_ && !partial_sums_) return;
    DeviceGuard guard(device_);
    if (partial_sums_) cudaFree(partial_sums_);
    if (handle_) cublasDestroy(handle_);
    if (stream_) cudaStreamDestroy(stream_);
    partial_sums_ = nullptr;
    handle_ = nullptr;
    stream_ = nullptr;
  }

  int device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t handle_ = nullptr;
  double* partial_sums_ = nullptr;  // kDotBlocks block sums of dot()
};

}  // namespace rnnsk::device
