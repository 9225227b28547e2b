// What every core owns besides its algorithm: the parameters, their gradients
// and the optimizer's state, in its backend's memory as elements of type T, and
// the optimizer step over them (optimizer_math.hpp). The CPU core
// (cpu_core.cpp) and the device network (device/device_network.hpp) derive from
// it and add forward and backward on typed arguments.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core.hpp"
#include "device/device_array.hpp"
#include "optimizer_math.hpp"

namespace rnnsk {

// The arguments of forward and backward, read as elements of type T.
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

template <class T, class Backend>
class TrainedCore : public Core {
  using Array = device::DeviceArray<T, Backend>;

 public:
  TrainedCore(const NetworkConfig& config, Backend backend)
      : layout_(parameter_layout(config)), count_(parameter_count(config)),
        backend_(std::move(backend)), params_(backend_), grads_(backend_), first_(backend_),
        second_(backend_), new_params_(backend_), new_first_(backend_), new_second_(backend_),
        zeros_(backend_) {
    backend_.for_each(count_, Fill<T>{params_.grow(count_), T(0)});
    // Gradients start at zero: accumulate, clipping and reads before the first
    // backward see zeros.
    backend_.for_each(count_, Fill<T>{grads_.grow(count_), T(0)});
    // The optimizer's arrays are made on its first use: a network that only
    // predicts holds its parameters and gradients alone.
  }

  void forward(const ForwardArgs<void>& args) final { run_forward(typed<T>(args)); }
  void backward(const BackwardArgs<void>& args) final { run_backward(typed<T>(args)); }

  void upload_parameters(const void* host) override {
    params_.upload(static_cast<const T*>(host), count_);
    proposed_ = false;  // a proposal made from other parameters must not land
  }
  void download_parameters(void* host) override {
    params_.download(static_cast<T*>(host), count_);
  }
  void upload_gradients(const void* host) override {
    grads_.upload(static_cast<const T*>(host), count_);
  }
  void download_gradients(void* host) override {
    grads_.download(static_cast<T*>(host), count_);
  }
  void upload_optimizer_state(const void* first, const void* second) override {
    first_.upload(static_cast<const T*>(first), count_);
    second_.upload(static_cast<const T*>(second), count_);
  }
  void download_optimizer_state(void* first, void* second) override {
    if (first_.size() < count_) {  // never made: zero
      std::fill_n(static_cast<T*>(first), count_, T(0));
      std::fill_n(static_cast<T*>(second), count_, T(0));
      return;
    }
    first_.download(static_cast<T*>(first), count_);
    second_.download(static_cast<T*>(second), count_);
  }
  void reset_optimizer_state() override {
    if (first_.size() >= count_) {
      backend_.for_each(count_, Fill<T>{first_.data(), T(0)});
      backend_.for_each(count_, Fill<T>{second_.data(), T(0)});
    }
    proposed_ = false;
  }

  double gradient_sum_of_squares() override {
    return backend_.dot(grads_.data(), grads_.data(), count_);
  }
  void scale_gradients(double factor) override {
    backend_.for_each(count_, Scale<T>{grads_.data(), static_cast<T>(factor)});
  }
  double add_weight_decay(double scale) override {
    double squares = 0.0;
    for (const ParameterEntry& entry : layout_) {
      if (entry.cols == 0) continue;  // a bias
      const long size = static_cast<long>(entry.rows) * entry.cols;
      const T* weights = params_.data() + entry.offset;
      squares += backend_.dot(weights, weights, size);
      backend_.for_each(size, AddDecay<T>{grads_.data() + entry.offset, weights,
                                          static_cast<T>(scale)});
    }
    return squares;
  }
  bool propose_adam(double rate, double beta_1, double beta_2, double epsilon) override {
    prepare_moments();
    AdamProposal<T> proposal = adam_proposal<T>(rate, beta_1, beta_2, epsilon);
    proposal.params = params_.data();
    proposal.grads = grads_.data();
    proposal.first = first_.data();
    proposal.second = second_.data();
    proposal.new_params = new_params_.grow(count_);
    proposal.new_first = new_first_.grow(count_);
    proposal.new_second = new_second_.grow(count_);
    backend_.for_each(count_, proposal);
    return proposal_is_finite(true);
  }
  bool propose_sgd(double learning_rate, double momentum, bool nesterov) override {
    prepare_moments();
    SgdProposal<T> proposal = sgd_proposal<T>(learning_rate, momentum, nesterov);
    proposal.params = params_.data();
    proposal.grads = grads_.data();
    proposal.velocity = first_.data();
    proposal.new_params = new_params_.grow(count_);
    proposal.new_velocity = new_first_.grow(count_);
    backend_.for_each(count_, proposal);
    return proposal_is_finite(false);
  }
  // The parameters are copied, not swapped, so that their address (which the
  // CPU core hands to the host) never changes; the moments are swapped.
  void commit() override {
    if (!proposed_) throw std::logic_error("commit needs a proposed optimizer step");
    backend_.copy(params_.data(), new_params_.data(), sizeof(T) * static_cast<size_t>(count_));
    swap(first_, new_first_);
    if (proposed_second_) swap(second_, new_second_);
    proposed_ = false;
  }

 protected:
  // The algorithm's forward and backward, on arguments of type T.
  virtual void run_forward(const ForwardArgs<T>& args) = 0;
  virtual void run_backward(const BackwardArgs<T>& args) = 0;

  const std::vector<ParameterEntry>& layout() const { return layout_; }
  Backend& backend() { return backend_; }
  T* params() const { return params_.data(); }
  T* grads() const { return grads_.data(); }

 private:
  // Zero moments, made on first use (upload_optimizer_state makes them too).
  void prepare_moments() {
    if (first_.size() >= count_) return;
    backend_.for_each(count_, Fill<T>{first_.grow(count_), T(0)});
    backend_.for_each(count_, Fill<T>{second_.grow(count_), T(0)});
  }

  bool proposal_is_finite(bool adam) {
    proposed_ = true;
    proposed_second_ = adam;
    if (zeros_.size() < count_) backend_.for_each(count_, Fill<T>{zeros_.grow(count_), T(0)});
    // x * 0 is 0 for every finite x, NaN for NaN and infinity (a sum of
    // squares could overflow for large finite values).
    return backend_.dot(new_params_.data(), zeros_.data(), count_) == 0.0;
  }

  std::vector<ParameterEntry> layout_;
  long count_;
  Backend backend_;  // before every array: they release into it
  Array params_, grads_, first_, second_, new_params_, new_first_, new_second_, zeros_;
  bool proposed_ = false, proposed_second_ = false;
};

}  // namespace rnnsk
