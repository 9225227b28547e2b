#include "host_optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "optimizer_math.hpp"

namespace rnnsk {

namespace {

// Runs `proposal` over the elements; true when every new parameter is finite.
template <class T, class Proposal>
bool propose(const HostElements& elements, const Proposal& proposal) {
  if (!elements.rows) {
#pragma omp simd
    for (long e = 0; e < elements.count; ++e) proposal(e);
  } else {
    const long width = elements.width;
    const long n_rows = width > 0 ? elements.count / width : 0;
    for (long r = 0; r < n_rows; ++r) {
      const int64_t row = elements.rows[r];
      if (row < 0 || row >= elements.table_rows)
        throw std::out_of_range("row " + std::to_string(row) + " is outside a table of " +
                                std::to_string(elements.table_rows) + " rows");
      const long from = static_cast<long>(row) * width, to = r * width;
#pragma omp simd
      for (long c = 0; c < width; ++c) proposal(from + c, to + c);
    }
  }
  bool finite = true;
  for (long e = 0; e < elements.count; ++e) finite &= std::isfinite(proposal.new_params[e]);
  return finite;
}

template <class T>
bool adam(const HostElements& elements, const HostArrays& arrays, double rate, double beta_1,
          double beta_2, double epsilon) {
  AdamProposal<T> proposal = adam_proposal<T>(rate, beta_1, beta_2, epsilon);
  proposal.params = static_cast<const T*>(arrays.params);
  proposal.grads = static_cast<const T*>(arrays.grads);
  proposal.first = static_cast<const T*>(arrays.state[0]);
  proposal.second = static_cast<const T*>(arrays.state[1]);
  proposal.new_params = static_cast<T*>(arrays.new_params);
  proposal.new_first = static_cast<T*>(arrays.new_state[0]);
  proposal.new_second = static_cast<T*>(arrays.new_state[1]);
  return propose<T>(elements, proposal);
}

template <class T>
bool sgd(const HostElements& elements, const HostArrays& arrays, double learning_rate,
         double momentum, bool nesterov) {
  SgdProposal<T> proposal = sgd_proposal<T>(learning_rate, momentum, nesterov);
  proposal.params = static_cast<const T*>(arrays.params);
  proposal.grads = static_cast<const T*>(arrays.grads);
  proposal.velocity = static_cast<const T*>(arrays.state[0]);
  proposal.new_params = static_cast<T*>(arrays.new_params);
  proposal.new_velocity = static_cast<T*>(arrays.new_state[0]);
  return propose<T>(elements, proposal);
}

}  // namespace

bool propose_adam_on_host(const HostElements& elements, const HostArrays& arrays, double rate,
                          double beta_1, double beta_2, double epsilon) {
  return elements.double_precision
             ? adam<double>(elements, arrays, rate, beta_1, beta_2, epsilon)
             : adam<float>(elements, arrays, rate, beta_1, beta_2, epsilon);
}

bool propose_sgd_on_host(const HostElements& elements, const HostArrays& arrays,
                         double learning_rate, double momentum, bool nesterov) {
  return elements.double_precision
             ? sgd<double>(elements, arrays, learning_rate, momentum, nesterov)
             : sgd<float>(elements, arrays, learning_rate, momentum, nesterov);
}

}  // namespace rnnsk
