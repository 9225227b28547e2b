// One network core of either precision behind one interface without a type
// parameter: the Python binding holds one of these. The precision (float or
// double, a template parameter everywhere inside the core) is chosen once,
// when the core is made; buffers cross this interface as untyped pointers to
// elements of that precision.
#pragma once

#include <memory>

#include "blas.hpp"
#include "network.hpp"

namespace rnnsk {

class AnyCore {
 public:
  virtual ~AnyCore() = default;

  // As Core<T> (core.hpp), for elements of the precision the core was made with.
  virtual void forward(const ForwardArgs<void>& args) = 0;
  virtual void backward(const BackwardArgs<void>& args) = 0;
  virtual void* host_parameters() = 0;
  virtual void* host_gradients() = 0;
  virtual void upload_parameters(const void* host) = 0;
  virtual void download_parameters(void* host) = 0;
  virtual void upload_gradients(const void* host) = 0;
  virtual void download_gradients(void* host) = 0;
  virtual void upload_optimizer_state(const void* first, const void* second) = 0;
  virtual void download_optimizer_state(void* first, void* second) = 0;
  virtual void reset_optimizer_state() = 0;
  virtual double gradient_sum_of_squares() = 0;
  virtual void scale_gradients(double factor) = 0;
  virtual double add_weight_decay(double scale) = 0;
  virtual bool propose_adam(double rate, double beta_1, double beta_2, double epsilon) = 0;
  virtual bool propose_sgd(double learning_rate, double momentum, bool nesterov) = 0;
  virtual void commit() = 0;
};

// Where a core runs: the CPU, the host emulator of the device algorithm (how
// the device code is tested without a GPU), or CUDA GPU number `device` >= 0.
constexpr int kCpuDevice = -2;
constexpr int kEmulatedDevice = -1;

std::unique_ptr<AnyCore> make_core(const NetworkConfig& config, bool double_precision,
                                   int device, FortranGemm<float> sgemm,
                                   FortranGemm<double> dgemm);

}  // namespace rnnsk
