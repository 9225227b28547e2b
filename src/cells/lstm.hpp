// LSTM cell, PyTorch gate order i, f, g, o (equations in cell_math.hpp).
// Saved for backward: the activated gates and c_t (c_{t-1} is kept by the layer).
// Each gate block is its own __restrict parameter so the loop vectorizes.
#pragma once

#include "activations.hpp"
#include "cell_math.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T, bool Copied>
inline void lstm_forward_kernel(int H, T* __restrict a_i, T* __restrict a_f,
                                T* __restrict a_g, T* __restrict a_o,
                                const T* __restrict rec, const T* __restrict bias,
                                const T* __restrict c_prev,
                                T* __restrict c, T* __restrict out, T* __restrict copy) {
  for (int j = 0; j < H; ++j) {
    T i, f, g, o;
    shared_quotients(sigmoid_quotient(a_i[j] + rec[j] + bias[j]),
                     sigmoid_quotient(a_f[j] + rec[H + j] + bias[H + j]),
                     tanh_quotient(a_g[j] + rec[2 * H + j] + bias[2 * H + j]),
                     sigmoid_quotient(a_o[j] + rec[3 * H + j] + bias[3 * H + j]),
                     i, f, g, o);
    const cell_math::LstmState<T> state = cell_math::lstm_state(i, f, g, o, c_prev[j], FastTanh{});
    a_i[j] = i;
    a_f[j] = f;
    a_g[j] = g;
    a_o[j] = o;
    c[j] = state.c;
    out[j] = state.h;
    if constexpr (Copied) copy[j] = state.h;
  }
}

template <class T, bool Copied>
void lstm_forward_row(const StepForward<T>& s, int row) {
  const int H = s.hidden;
  T* a = s.gates + static_cast<long>(row) * 4 * H;
  const long h_base = static_cast<long>(row) * H;
  lstm_forward_kernel<T, Copied>(H, a, a + H, a + 2 * H, a + 3 * H,
                                 s.recurrent + static_cast<long>(row) * 4 * H, s.bias,
                                 s.c_prev + h_base, s.c_saved + h_base,
                                 s.h_out + static_cast<long>(row) * s.ld_out,
                                 copy_row(s, row, Copied));
}

template <class T, bool FromOutput>
inline void lstm_backward_kernel(int H, const T* __restrict gate_i, const T* __restrict gate_f,
                                 const T* __restrict gate_g, const T* __restrict gate_o,
                                 const T* __restrict c, const T* __restrict c_prev,
                                 const T* __restrict d_h, const T* __restrict d_out,
                                 T* __restrict dc_carry, T* __restrict da_i,
                                 T* __restrict da_f, T* __restrict da_g, T* __restrict da_o) {
  for (int j = 0; j < H; ++j) {
    const T dh = FromOutput ? d_h[j] + d_out[j] : d_h[j];
    const cell_math::LstmGradients<T> d = cell_math::lstm_gradients(
        gate_i[j], gate_f[j], gate_g[j], gate_o[j], c[j], c_prev[j], dh, dc_carry[j], FastTanh{});
    da_i[j] = d.i;
    da_f[j] = d.f;
    da_g[j] = d.g;
    da_o[j] = d.o;
    dc_carry[j] = d.c_prev;
  }
}

template <class T>
void lstm_backward_row(const StepBackward<T>& s, int row) {
  const int H = s.hidden;
  const long g_base = static_cast<long>(row) * 4 * H;
  const long h_base = static_cast<long>(row) * H;
  const T* gate = s.gates + g_base;
  T* da = s.d_ax + g_base;
  with_output_gradient(s, row, [&](auto from_output, const T* d_out) {
    lstm_backward_kernel<T, decltype(from_output)::value>(
        H, gate, gate + H, gate + 2 * H, gate + 3 * H, s.c + h_base, s.c_prev + h_base,
        s.d_h + h_base, d_out, s.d_c + h_base, da, da + H, da + 2 * H, da + 3 * H);
  });
}

}  // namespace rnnsk
