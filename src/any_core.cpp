#include "any_core.hpp"

#include <utility>

#include "core.hpp"

namespace rnnsk {

namespace {

template <class T>
ForwardArgs<T> typed(const ForwardArgs<void>& a) {
  ForwardArgs<T> t;
  t.x = static_cast<const T*>(a.x);
  t.lengths = a.lengths;
  t.batch = a.batch;
  t.steps = a.steps;
  t.h0 = static_cast<const T*>(a.h0);
  t.c0 = static_cast<const T*>(a.c0);
  t.training = a.training;
  t.dropout_seed = a.dropout_seed;
  t.n_threads = a.n_threads;
  t.out = static_cast<T*>(a.out);
  t.h_n = static_cast<T*>(a.h_n);
  t.c_n = static_cast<T*>(a.c_n);
  return t;  // params: the core's own
}

template <class T>
BackwardArgs<T> typed(const BackwardArgs<void>& a) {
  BackwardArgs<T> t;
  t.d_out = static_cast<const T*>(a.d_out);
  t.d_h_n = static_cast<const T*>(a.d_h_n);
  t.d_c_n = static_cast<const T*>(a.d_c_n);
  t.accumulate = a.accumulate;
  t.n_threads = a.n_threads;
  t.d_x = static_cast<T*>(a.d_x);
  t.d_h0 = static_cast<T*>(a.d_h0);
  t.d_c0 = static_cast<T*>(a.d_c0);
  return t;  // params, grads: the core's own
}

template <class T>
class TypedCore final : public AnyCore {
 public:
  explicit TypedCore(std::unique_ptr<Core<T>> core) : core_(std::move(core)) {}

  void forward(const ForwardArgs<void>& args) override { core_->forward(typed<T>(args)); }
  void backward(const BackwardArgs<void>& args) override { core_->backward(typed<T>(args)); }
  void* host_parameters() override { return core_->host_parameters(); }
  void* host_gradients() override { return core_->host_gradients(); }
  void upload_parameters(const void* host) override {
    core_->upload_parameters(static_cast<const T*>(host));
  }
  void download_parameters(void* host) override {
    core_->download_parameters(static_cast<T*>(host));
  }
  void upload_gradients(const void* host) override {
    core_->upload_gradients(static_cast<const T*>(host));
  }
  void download_gradients(void* host) override {
    core_->download_gradients(static_cast<T*>(host));
  }
  void upload_optimizer_state(const void* first, const void* second) override {
    core_->upload_optimizer_state(static_cast<const T*>(first), static_cast<const T*>(second));
  }
  void download_optimizer_state(void* first, void* second) override {
    core_->download_optimizer_state(static_cast<T*>(first), static_cast<T*>(second));
  }
  void reset_optimizer_state() override { core_->reset_optimizer_state(); }
  double gradient_sum_of_squares() override { return core_->gradient_sum_of_squares(); }
  void scale_gradients(double factor) override { core_->scale_gradients(factor); }
  double add_weight_decay(double scale) override { return core_->add_weight_decay(scale); }
  bool propose_adam(double rate, double beta_1, double beta_2, double epsilon) override {
    return core_->propose_adam(rate, beta_1, beta_2, epsilon);
  }
  bool propose_sgd(double learning_rate, double momentum, bool nesterov) override {
    return core_->propose_sgd(learning_rate, momentum, nesterov);
  }
  void commit() override { core_->commit(); }

 private:
  std::unique_ptr<Core<T>> core_;
};

template <class T>
std::unique_ptr<AnyCore> make_typed(const NetworkConfig& config, int device,
                                    FortranGemm<T> gemm) {
  std::unique_ptr<Core<T>> core;
  if (device == kCpuDevice)
    core = make_cpu_core<T>(config, gemm);
  else if (device == kEmulatedDevice)
    core = make_emulated_core<T>(config, gemm);
  else
    core = make_cuda_core<T>(config, device);
  return std::make_unique<TypedCore<T>>(std::move(core));
}

}  // namespace

std::unique_ptr<AnyCore> make_core(const NetworkConfig& config, bool double_precision,
                                   int device, FortranGemm<float> sgemm,
                                   FortranGemm<double> dgemm) {
  config.validate();
  if (double_precision) return make_typed<double>(config, device, dgemm);
  return make_typed<float>(config, device, sgemm);
}

}  // namespace rnnsk
