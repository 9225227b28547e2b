// A recurrent network with everything it trains: parameters, gradients and
// optimizer state, owned by the core on every device (the CPU, a GPU, or the
// host emulator of the GPU algorithm), behind one interface. The Python binding
// holds one of these.
//
// The precision (float or double, a template parameter everywhere inside the
// core) is chosen once, when a core is made; buffers cross this interface as
// untyped pointers to elements of that precision. Inputs and outputs of
// forward/backward are host arrays in the layouts of network.hpp (their
// params/grads members are not read: the core holds them).
//
// An optimizer step is two calls: propose_* computes the new parameters and
// optimizer state aside and says whether they are all finite; commit() then
// makes them current. A refused step simply is not committed, so a caller can
// make a step of several cores (and its own host arrays) all or nothing.
#pragma once

#include <memory>

#include "blas.hpp"
#include "network.hpp"

namespace rnnsk {

class Core {
 public:
  virtual ~Core() = default;

  virtual void forward(const ForwardArgs<void>& args) = 0;
  virtual void backward(const BackwardArgs<void>& args) = 0;
  // Bytes of host memory a forward (and backward when training) over `batch`
  // sequences padded to `steps` with `rows` real steps takes, so that a caller
  // can refuse a call that cannot fit before anything is allocated.
  virtual double host_bytes(long batch, long steps, long rows, bool training) const = 0;

  // The parameters and gradients where the host may read and write them in
  // place (the CPU core's own arrays, whose addresses never change); null
  // where they live in device memory, reached by upload and download only.
  virtual void* host_parameters() = 0;
  virtual void* host_gradients() = 0;

  virtual void upload_parameters(const void* host) = 0;
  virtual void download_parameters(void* host) = 0;
  virtual void upload_gradients(const void* host) = 0;
  virtual void download_gradients(void* host) = 0;
  // Optimizer moments (Adam: first, second; SGD: velocity, second unused).
  virtual void upload_optimizer_state(const void* first, const void* second) = 0;
  virtual void download_optimizer_state(void* first, void* second) = 0;
  virtual void reset_optimizer_state() = 0;

  virtual double gradient_sum_of_squares() = 0;
  virtual void scale_gradients(double factor) = 0;
  // Adds scale * W to the gradients of the weight matrices (not the biases);
  // returns the sum of their squares, |W|^2.
  virtual double add_weight_decay(double scale) = 0;
  virtual bool propose_adam(double rate, double beta_1, double beta_2, double epsilon) = 0;
  virtual bool propose_sgd(double learning_rate, double momentum, bool nesterov) = 0;
  virtual void commit() = 0;
};

// Where a core runs: the CPU, the host emulator of the device algorithm (how
// the device code is tested without a GPU), or CUDA GPU number `device` >= 0.
constexpr int kCpuDevice = -2;
constexpr int kEmulatedDevice = -1;

std::unique_ptr<Core> make_core(const NetworkConfig& config, bool double_precision, int device,
                                FortranGemm<float> sgemm, FortranGemm<double> dgemm);

// The three kinds, for elements of type T (gemm: the CPU's BLAS).
template <class T>
std::unique_ptr<Core> make_cpu_core(const NetworkConfig& config, FortranGemm<T> gemm);
template <class T>
std::unique_ptr<Core> make_emulated_core(const NetworkConfig& config, FortranGemm<T> gemm);
// Throws std::runtime_error when rnnsk was built without CUDA, no GPU is
// present, or the index is out of range.
template <class T>
std::unique_ptr<Core> make_cuda_core(const NetworkConfig& config, int device_index);

// Number of CUDA GPUs usable; throws std::runtime_error, saying why, when
// rnnsk was built without CUDA support.
int cuda_device_count();

}  // namespace rnnsk
