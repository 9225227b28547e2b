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
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const T g = grads[e];
    const T m = beta_1 * first[e] + one_minus_beta_1 * g;
    const T v = beta_2 * second[e] + one_minus_beta_2 * (g * g);
    new_first[e] = m;
    new_second[e] = v;
    new_params[e] = params[e] - rate * m / (square_root(v) + epsilon);
  }
};

// SGD with momentum (optionally Nesterov's).
template <class T>
struct SgdProposal {
  const T* params;
  const T* grads;
  const T* velocity;
  T* new_params;
  T* new_velocity;
  T learning_rate, momentum;
  bool nesterov;
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const T g = grads[e];
    const T v = momentum * velocity[e] - learning_rate * g;
    new_velocity[e] = v;
    new_params[e] = params[e] + (nesterov ? momentum * v - learning_rate * g : v);
  }
};

}  // namespace rnnsk
