// GRU cell, PyTorch gate order r, z, n, reset gate applied after the recurrent
// product (equations in cell_math.hpp).
// Saved for backward: r, z, n and W_hn h + b_hn (the layer keeps or finds h_{t-1}).
// Each gate block is its own __restrict parameter so the loop vectorizes.
#pragma once

#include "activations.hpp"
#include "cell_math.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T, bool Copied>
inline void gru_forward_kernel(int H, T* __restrict a_r, T* __restrict a_z, T* __restrict a_n,
                               const T* __restrict rec, const T* __restrict bias,
                               const T* __restrict b_ih, const T* __restrict b_hh,
                               const T* __restrict h_prev, T* __restrict ah_n,
                               T* __restrict out, T* __restrict copy) {
  for (int j = 0; j < H; ++j) {
    T r, z;
    shared_quotients(sigmoid_quotient(a_r[j] + rec[j] + bias[j]),
                     sigmoid_quotient(a_z[j] + rec[H + j] + bias[H + j]), r, z);
    const T hn = rec[2 * H + j] + b_hh[2 * H + j];
    const T n = cell_math::gru_candidate(a_n[j] + b_ih[2 * H + j], r, hn, FastTanh{});
    a_r[j] = r;
    a_z[j] = z;
    a_n[j] = n;
    ah_n[j] = hn;
    const T h = cell_math::gru_state(z, n, h_prev[j]);
    out[j] = h;
    if constexpr (Copied) copy[j] = h;
  }
}

template <class T, bool Copied>
void gru_forward_row(const StepForward<T>& s, int row) {
  const int H = s.hidden;
  T* a = s.gates + static_cast<long>(row) * 3 * H;
  const long h_base = static_cast<long>(row) * H;
  gru_forward_kernel<T, Copied>(H, a, a + H, a + 2 * H,
                                s.recurrent + static_cast<long>(row) * 3 * H, s.bias, s.b_ih,
                                s.b_hh, s.h_prev + static_cast<long>(row) * s.ld_h_prev,
                                s.ah_n_saved + h_base,
                                s.h_out + static_cast<long>(row) * s.ld_out,
                                copy_row(s, row, Copied));
}

template <class T, bool FromOutput>
inline void gru_backward_kernel(int H, const T* __restrict gate_r, const T* __restrict gate_z,
                                const T* __restrict gate_n, const T* __restrict h_prev,
                                const T* __restrict ah_n, const T* __restrict d_h,
                                const T* __restrict d_out, T* __restrict dax_r,
                                T* __restrict dax_z, T* __restrict dax_n, T* __restrict dah_r,
                                T* __restrict dah_z, T* __restrict dah_n,
                                T* __restrict dh_prev) {
  for (int j = 0; j < H; ++j) {
    const T dh = FromOutput ? d_h[j] + d_out[j] : d_h[j];
    const cell_math::GruGradients<T> d =
        cell_math::gru_gradients(gate_r[j], gate_z[j], gate_n[j], h_prev[j], ah_n[j], dh);
    dax_r[j] = d.r;
    dax_z[j] = d.z;
    dax_n[j] = d.n;
    dah_r[j] = d.r;
    dah_z[j] = d.z;
    dah_n[j] = d.hn;
    dh_prev[j] = d.h_prev;
  }
}

// d_h_prev must not be d_h: the layer gives this cell a copy of the carried
// gradient, since d_h_prev is where the next carried gradient is built.
template <class T>
void gru_backward_row(const StepBackward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 3 * H;
  const long h_base = static_cast<long>(row) * H;
  const T* gate = s.gates + g_base;
  T* dax = s.d_ax + g_base;
  T* dah = s.d_ah + g_base;
  with_output_gradient(s, row, [&](auto from_output, const T* d_out) {
    gru_backward_kernel<T, decltype(from_output)::value>(
        H, gate, gate + H, gate + 2 * H, s.h_prev + static_cast<long>(row) * s.ld_h_prev,
        s.ah_n + h_base, s.d_h + h_base,
        d_out, dax, dax + H, dax + 2 * H, dah, dah + H, dah + 2 * H, s.d_h_prev + h_base);
  });
}

}  // namespace rnnsk
