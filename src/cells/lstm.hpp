// LSTM cell, PyTorch gate order i, f, g, o:
//   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
// Saved for backward: the activated gates and c_t (c_{t-1} is kept by the layer).
#pragma once

#include "activations.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T>
void lstm_forward_row(const StepForward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 4 * H;
  const long h_base = static_cast<long>(row) * H;
  T* a = s.gates + g_base;
  const T* r = s.recurrent + g_base;
  const T* c_prev = s.c_prev + h_base;
  T* c = s.c_state + h_base;
  T* c_saved = s.c_saved + h_base;
  T* h = s.h_state + h_base;
  T* out = s.h_out + static_cast<long>(row) * s.ld_out;
  for (int j = 0; j < H; ++j) {
    const T i = sigmoid(a[j] + r[j] + s.b_ih[j] + s.b_hh[j]);
    const T f = sigmoid(a[H + j] + r[H + j] + s.b_ih[H + j] + s.b_hh[H + j]);
    const T g = tanh_act(a[2 * H + j] + r[2 * H + j] + s.b_ih[2 * H + j] + s.b_hh[2 * H + j]);
    const T o = sigmoid(a[3 * H + j] + r[3 * H + j] + s.b_ih[3 * H + j] + s.b_hh[3 * H + j]);
    const T c_new = f * c_prev[j] + i * g;
    const T h_new = o * tanh_act(c_new);
    a[j] = i;
    a[H + j] = f;
    a[2 * H + j] = g;
    a[3 * H + j] = o;
    c[j] = c_new;
    c_saved[j] = c_new;
    h[j] = h_new;
    out[j] = h_new;
  }
}

template <class T>
void lstm_backward_row(const StepBackward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 4 * H;
  const long h_base = static_cast<long>(row) * H;
  const T* gate = s.gates + g_base;
  const T* c = s.c + h_base;
  const T* c_prev = s.c_prev + h_base;
  const T* dh = s.d_h + h_base;
  T* dc_carry = s.d_c + h_base;
  T* da = s.d_ax + g_base;
  for (int j = 0; j < H; ++j) {
    const T i = gate[j], f = gate[H + j], g = gate[2 * H + j], o = gate[3 * H + j];
    const T tau = tanh_act(c[j]);
    const T dc = dc_carry[j] + dh[j] * o * (T(1) - tau * tau);
    da[j] = dc * g * i * (T(1) - i);
    da[H + j] = dc * c_prev[j] * f * (T(1) - f);
    da[2 * H + j] = dc * i * (T(1) - g * g);
    da[3 * H + j] = dh[j] * tau * o * (T(1) - o);
    dc_carry[j] = dc * f;
  }
}

}  // namespace rnnsk
