// Elman RNN cell: h_t = phi(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), phi = tanh or relu
// (cell_math.hpp); the kernel takes b_ih + b_hh as one bias.
// The saved "gate" is h_t itself: phi' is a function of it.
//
// Row kernels take every row as a __restrict parameter: GCC trusts restrict on
// parameters (also once inlined), which is what lets it vectorize these loops.
#pragma once

#include "activations.hpp"
#include "cell_math.hpp"
#include "step.hpp"

namespace rnnsk {

template <class T, bool Relu, bool Copied>
inline void rnn_forward_kernel(int H, T* __restrict a, const T* __restrict rec,
                               const T* __restrict bias, T* __restrict out,
                               T* __restrict copy) {
  for (int j = 0; j < H; ++j) {
    const T value = cell_math::rnn_state<Relu>(a[j] + rec[j] + bias[j], FastTanh{});
    a[j] = value;
    out[j] = value;
    if constexpr (Copied) copy[j] = value;
  }
}

template <class T, bool Relu, bool Copied>
void rnn_forward_row(const StepForward<T>& s, int row) {
  const long base = static_cast<long>(row) * s.hidden;
  rnn_forward_kernel<T, Relu, Copied>(s.hidden, s.gates + base, s.recurrent + base, s.bias,
                                      s.h_out + static_cast<long>(row) * s.ld_out,
                                      copy_row(s, row, Copied));
}

template <class T, bool Relu, bool FromOutput>
inline void rnn_backward_kernel(int H, const T* __restrict h, const T* __restrict dh,
                                const T* __restrict d_out, T* __restrict da) {
  for (int j = 0; j < H; ++j) {
    da[j] = (FromOutput ? dh[j] + d_out[j] : dh[j]) * cell_math::rnn_slope<Relu>(h[j]);
  }
}

template <class T, bool Relu>
void rnn_backward_row(const StepBackward<T>& s, int row) {
  const long base = static_cast<long>(row) * s.hidden;
  with_output_gradient(s, row, [&](auto from_output, const T* d_out) {
    rnn_backward_kernel<T, Relu, decltype(from_output)::value>(
        s.hidden, s.gates + base, s.d_h + base, d_out, s.d_ax + base);
  });
}

}  // namespace rnnsk
