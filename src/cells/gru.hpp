// GRU cell, PyTorch gate order r, z, n, reset gate applied after the recurrent product:
//   n = tanh(ax_n + b_in + r * (W_hn h + b_hn)),   h_t = (1 - z) * n + z * h_{t-1}
// Saved for backward: r, z, n and W_hn h + b_hn (h_{t-1} is kept by the layer).
#pragma once

#include "activations.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T>
void gru_forward_row(const StepForward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 3 * H;
  const long h_base = static_cast<long>(row) * H;
  T* a = s.gates + g_base;
  const T* r_in = s.recurrent + g_base;
  const T* h_prev = s.h_prev + h_base;
  T* ah_n = s.ah_n_saved + h_base;
  T* h = s.h_state + h_base;
  T* out = s.h_out + static_cast<long>(row) * s.ld_out;
  for (int j = 0; j < H; ++j) {
    const T r = sigmoid(a[j] + s.b_ih[j] + r_in[j] + s.b_hh[j]);
    const T z = sigmoid(a[H + j] + s.b_ih[H + j] + r_in[H + j] + s.b_hh[H + j]);
    const T hn = r_in[2 * H + j] + s.b_hh[2 * H + j];
    const T n = tanh_act(a[2 * H + j] + s.b_ih[2 * H + j] + r * hn);
    const T h_new = (T(1) - z) * n + z * h_prev[j];
    a[j] = r;
    a[H + j] = z;
    a[2 * H + j] = n;
    ah_n[j] = hn;
    h[j] = h_new;
    out[j] = h_new;
  }
}

template <class T>
void gru_backward_row(const StepBackward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 3 * H;
  const long h_base = static_cast<long>(row) * H;
  const T* gate = s.gates + g_base;
  const T* h_prev = s.h_prev + h_base;
  const T* ah_n = s.ah_n + h_base;
  const T* dh = s.d_h + h_base;
  T* dax = s.d_ax + g_base;
  T* dah = s.d_ah + g_base;
  T* dh_prev = s.d_h_prev + h_base;
  for (int j = 0; j < H; ++j) {
    const T r = gate[j], z = gate[H + j], n = gate[2 * H + j];
    const T dan = dh[j] * (T(1) - z) * (T(1) - n * n);
    const T dar = dan * ah_n[j] * r * (T(1) - r);
    const T daz = dh[j] * (h_prev[j] - n) * z * (T(1) - z);
    dax[j] = dar;
    dax[H + j] = daz;
    dax[2 * H + j] = dan;
    dah[j] = dar;
    dah[H + j] = daz;
    dah[2 * H + j] = dan * r;
    dh_prev[j] = dh[j] * z;
  }
}

}  // namespace rnnsk
