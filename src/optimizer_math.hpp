// The optimizer's elementwise math, written once for every backend: the CPU
// core and the device emulator run these functors in a host loop, the CUDA
// backend as one GPU thread per element. The formulas are scikit-learn's MLP
// solvers; constants arrive already rounded to T, as numpy rounds a Python
// float that meets an array of T, so a float32 step is the one numpy computes.
#pragma once

#include <cmath>

#include "host_device.hpp"

namespace rnnsk {

RNNSK_HOST_DEVICE inline float square_root(float x) { return sqrtf(x); }
RNNSK_HOST_DEVICE inline double square_root(double x) { return sqrt(x); }

template <class T>
struct Fill {
  T* values;
  T value;
  RNNSK_HOST_DEVICE void operator()(long e) const { values[e] = value; }
};

template <class T>
struct Scale {
  T* values;
  T factor;
  RNNSK_HOST_DEVICE void operator()(long e) const { values[e] *= factor; }
};

// gradient += scale * weight (L2 on weights).
template <class T>
struct AddDecay {
  T* gradients;
  const T* weights;
  T scale;
  RNNSK_HOST_DEVICE void operator()(long e) const { gradients[e] += scale * weights[e]; }
};

// Adam, into separate output buffers so that a step can still be refused.
// one_minus_beta_* are 1 - beta_* computed in double, then rounded.
// Element `from` of the parameters and moments, with element `to` of the
// gradient, gives element `to` of the outputs: the same element in a dense
// step, a row of a table gathered into compact outputs in a lazy one
// (host_optimizer.cpp).
template <class T>
struct AdamProposal {
  const T* params;
  const T* grads;
  const T* first;
  const T* second;
  T* new_params;
  T* new_first;
  T* new_second;
  T rate, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2, epsilon;
  RNNSK_HOST_DEVICE void operator()(long e) const { (*this)(e, e); }
  RNNSK_HOST_DEVICE void operator()(long from, long to) const {
    const T g = grads[to];
    const T m = beta_1 * first[from] + one_minus_beta_1 * g;
    const T v = beta_2 * second[from] + one_minus_beta_2 * (g * g);
    new_first[to] = m;
    new_second[to] = v;
    new_params[to] = params[from] - rate * m / (square_root(v) + epsilon);
  }
};

// An AdamProposal's constants from the optimizer's (double) settings.
template <class T>
AdamProposal<T> adam_proposal(double rate, double beta_1, double beta_2, double epsilon) {
  AdamProposal<T> proposal{};
  proposal.rate = static_cast<T>(rate);
  proposal.beta_1 = static_cast<T>(beta_1);
  proposal.one_minus_beta_1 = static_cast<T>(1.0 - beta_1);
  proposal.beta_2 = static_cast<T>(beta_2);
  proposal.one_minus_beta_2 = static_cast<T>(1.0 - beta_2);
  proposal.epsilon = static_cast<T>(epsilon);
  return proposal;
}

// SGD with momentum (optionally Nesterov's); elements as in AdamProposal.
template <class T>
struct SgdProposal {
  const T* params;
  const T* grads;
  const T* velocity;
  T* new_params;
  T* new_velocity;
  T learning_rate, momentum;
  bool nesterov;
  RNNSK_HOST_DEVICE void operator()(long e) const { (*this)(e, e); }
  RNNSK_HOST_DEVICE void operator()(long from, long to) const {
    const T g = grads[to];
    const T v = momentum * velocity[from] - learning_rate * g;
    new_velocity[to] = v;
    new_params[to] = params[from] + (nesterov ? momentum * v - learning_rate * g : v);
  }
};

template <class T>
SgdProposal<T> sgd_proposal(double learning_rate, double momentum, bool nesterov) {
  SgdProposal<T> proposal{};
  proposal.learning_rate = static_cast<T>(learning_rate);
  proposal.momentum = static_cast<T>(momentum);
  proposal.nesterov = nesterov;
  return proposal;
}

}  // namespace rnnsk
