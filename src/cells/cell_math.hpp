// The equations of each cell for one unit, written once for the CPU kernels
// (cells/*.hpp, vectorized loops over a row's units) and the device functors
// (device/elementwise.hpp, one unit per call, compiled by nvcc for CUDA).
//
// They start from activated gates: the CPU activates a cell's gates together,
// sharing one division among them (see activations.hpp), which a per-gate
// function would prevent. The activations a cell applies after its gates come
// as a functor `tanh`: the CPU's branch-free approximation, which vectorizes, or
// the math library's on the device. Formulas and gate orders are PyTorch's
// (see BPTT.md); every function is inlined into its caller's loop.
#pragma once

#include "host_device.hpp"

namespace rnnsk::cell_math {

// ------------------------------------------------------------------ Elman --

// max(x, 0), written so that NaN passes through (NaN < 0 is false), as PyTorch's relu.
template <class T>
RNNSK_HOST_DEVICE inline T relu(T x) {
  return x < T(0) ? T(0) : x;
}

// h_t = phi(pre), phi = relu or tanh.
template <bool Relu, class T, class Tanh>
RNNSK_HOST_DEVICE inline T rnn_state(T pre, Tanh tanh) {
  if constexpr (Relu) {
    return relu(pre);
  } else {
    return tanh(pre);
  }
}

// phi'(pre) from h_t = phi(pre) itself.
template <bool Relu, class T>
RNNSK_HOST_DEVICE inline T rnn_slope(T h) {
  if constexpr (Relu) {
    return h > T(0) ? T(1) : T(0);
  } else {
    return T(1) - h * h;
  }
}

// ------------------------------------------------------------------- LSTM --

template <class T>
struct LstmState {
  T c;  // c_t = f c_{t-1} + i g
  T h;  // h_t = o tanh(c_t)
};

template <class T, class Tanh>
RNNSK_HOST_DEVICE inline LstmState<T> lstm_state(T i, T f, T g, T o, T c_prev, Tanh tanh) {
  const T c = f * c_prev + i * g;
  return {c, o * tanh(c)};
}

// Gradients of the gates' pre-activations, and dL/dc_{t-1}.
template <class T>
struct LstmGradients {
  T i, f, g, o;
  T c_prev;
};

// dh: dL/dh_t (from step t+1 and this step's output); dc: dL/dc_t from step t+1.
template <class T, class Tanh>
RNNSK_HOST_DEVICE inline LstmGradients<T> lstm_gradients(T i, T f, T g, T o, T c, T c_prev,
                                                         T dh, T dc, Tanh tanh) {
  const T tau = tanh(c);
  const T dc_total = dc + dh * o * (T(1) - tau * tau);
  return {dc_total * g * i * (T(1) - i), dc_total * c_prev * f * (T(1) - f),
          dc_total * i * (T(1) - g * g), dh * tau * o * (T(1) - o), dc_total * f};
}

// -------------------------------------------------------------------- GRU --

// The candidate n = tanh(x_n + r (W_hn h_{t-1} + b_hn)), from x_n = x W_in^T + b_in
// and hn = W_hn h_{t-1} + b_hn (the reset gate acts after the recurrent product).
template <class T, class Tanh>
RNNSK_HOST_DEVICE inline T gru_candidate(T x_n, T r, T hn, Tanh tanh) {
  return tanh(x_n + r * hn);
}

// h_t = (1 - z) n + z h_{t-1}.
template <class T>
RNNSK_HOST_DEVICE inline T gru_state(T z, T n, T h_prev) {
  return (T(1) - z) * n + z * h_prev;
}

// Gradients of the pre-activations: r, z and n as the input product sees them,
// hn the n gate's as the recurrent product sees it (times r), and h_prev =
// dL/dh_t z, the part of dL/dh_{t-1} that skips W_hh.
template <class T>
struct GruGradients {
  T r, z, n;
  T hn;
  T h_prev;
};

// dh: dL/dh_t (from step t+1 and this step's output); hn as in gru_candidate.
template <class T>
RNNSK_HOST_DEVICE inline GruGradients<T> gru_gradients(T r, T z, T n, T h_prev, T hn, T dh) {
  const T d_n = dh * (T(1) - z) * (T(1) - n * n);
  return {d_n * hn * r * (T(1) - r), dh * (h_prev - n) * z * (T(1) - z), d_n, d_n * r, dh * z};
}

}  // namespace rnnsk::cell_math
