// Scalar activations shared by the cell kernels.
#pragma once

#include <cmath>

namespace rnnsk {

// Logistic sigmoid without overflow: exp is only ever taken of a non-positive number.
template <class T>
inline T sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
inline T tanh_act(T x) {
  return std::tanh(x);
}

}  // namespace rnnsk
