// Elman RNN cell: h_t = phi(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), phi = tanh or relu.
// The saved "gate" is h_t itself: phi' is a function of it.
#pragma once

#include "activations.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T, bool Relu>
void rnn_forward_row(const StepForward<T>& s, int row) {
  const int H = s.hidden;
  T* a = s.gates + static_cast<long>(row) * H;
  const T* r = s.recurrent + static_cast<long>(row) * H;
  T* h = s.h_state + static_cast<long>(row) * H;
  T* out = s.h_out + static_cast<long>(row) * s.ld_out;
  for (int j = 0; j < H; ++j) {
    const T pre = a[j] + s.b_ih[j] + r[j] + s.b_hh[j];
    const T value = Relu ? (pre > T(0) ? pre : T(0)) : tanh_act(pre);
    a[j] = value;
    h[j] = value;
    out[j] = value;
  }
}

template <class T, bool Relu>
void rnn_backward_row(const StepBackward<T>& s, int row) {
  const int H = s.hidden;
  const long base = static_cast<long>(row) * H;
  const T* h = s.gates + base;
  const T* dh = s.d_h + base;
  T* da = s.d_ax + base;
  for (int j = 0; j < H; ++j) {
    const T slope = Relu ? (h[j] > T(0) ? T(1) : T(0)) : T(1) - h[j] * h[j];
    da[j] = dh[j] * slope;
  }
}

}  // namespace rnnsk
