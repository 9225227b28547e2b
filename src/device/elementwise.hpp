// The elementwise work of the device backends, one functor per kernel.
//
// Each functor handles one element e of a flat index range; a backend runs it
// over the range, on the host in a loop (the emulator) or as one GPU thread per
// element (CUDA). Cells index elements as (row r, unit j) with e = r * H + j and
// do all gates of that unit, so a step is one launch. The cells' equations are
// those of the CPU kernels (cells/cell_math.hpp); layouts are those of
// device_direction.hpp.
#pragma once

#include <cmath>
#include <cstdint>

#include "cells/cell_math.hpp"
#include "dropout.hpp"
#include "host_device.hpp"
#include "optimizer_math.hpp"

namespace rnnsk::device {

RNNSK_HOST_DEVICE inline float exponential(float x) { return expf(x); }
RNNSK_HOST_DEVICE inline double exponential(double x) { return exp(x); }
RNNSK_HOST_DEVICE inline float hyperbolic_tangent(float x) { return tanhf(x); }
RNNSK_HOST_DEVICE inline double hyperbolic_tangent(double x) { return tanh(x); }

template <class T>
RNNSK_HOST_DEVICE inline T sigmoid(T x) {
  return T(1) / (T(1) + exponential(-x));
}

// The math library's tanh as the functor cell_math.hpp's equations take.
struct LibraryTanh {
  template <class T>
  RNNSK_HOST_DEVICE T operator()(T x) const {
    return hyperbolic_tangent(x);
  }
};

// Copies the state each running row enters a step with into the tape: the row's
// state after the previous step of this direction, or its initial state for rows
// that start here (all rows on the first step; later ones in reverse
// directions, where shorter sequences join as the walk goes back in time).
template <class T>
struct EnterState {
  int H;
  int previous_rows;       // rows that ran the previous step (0 on the first)
  const T* previous;       // their states, row stride ld_previous
  long ld_previous;
  const T* initial;        // (batch, H) sorted
  T* entering;             // this step's rows of the tape, (rows, H)
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const long r = e / H, j = e % H;
    entering[e] = r < previous_rows ? previous[r * ld_previous + j] : initial[e];
  }
};

// Final states: each sequence's state after its own last step (step 0 for a
// reverse direction).
template <class T>
struct GatherFinal {
  int H;
  bool reverse;
  const int* lengths;   // sorted, on the device
  const long* offsets;  // first packed row of every step, on the device
  const T* states;      // packed rows, row stride ld
  long ld;
  T* final_state;       // (batch, H)
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const long r = e / H, j = e % H;
    const int step = reverse ? 0 : lengths[r] - 1;
    final_state[e] = states[(offsets[step] + r) * ld + j];
  }
};

// ------------------------------------------------------------------ forward --

// Shared arguments of one forward step: rows [0, rows) of the step, whose packed
// rows start at the step's offset (the pointers below are already offset).
template <class T>
struct StepTape {
  int H;
  T* gates;             // in: x W_ih^T, out: activated gates; row stride G*H
  const T* recurrent;   // h_prev W_hh^T; row stride G*H
  const T* b_ih;
  const T* b_hh;
  const T* h_prev;      // row stride H
  T* h_out;             // row stride ld_out
  long ld_out;

  // Gate column k of row r: both products plus both biases.
  RNNSK_HOST_DEVICE T pre_activation(long r, long k, long gate_width) const {
    return gates[r * gate_width + k] + recurrent[r * gate_width + k] + b_ih[k] + b_hh[k];
  }
};

template <class T>
struct RnnForward {
  StepTape<T> s;
  bool relu;
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const long r = e / s.H, j = e % s.H;
    const T a = s.pre_activation(r, j, s.H);
    const T h = relu ? cell_math::rnn_state<true>(a, LibraryTanh{})
                     : cell_math::rnn_state<false>(a, LibraryTanh{});
    s.gates[e] = h;
    s.h_out[r * s.ld_out + j] = h;
  }
};

template <class T>
struct LstmForward {
  StepTape<T> s;
  const T* c_prev;  // row stride H
  T* c;             // row stride H
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const int H = s.H;
    const long r = e / H, j = e % H;
    const long G = 4 * H;
    const T i = sigmoid(s.pre_activation(r, j, G));
    const T f = sigmoid(s.pre_activation(r, H + j, G));
    const T g = hyperbolic_tangent(s.pre_activation(r, 2 * H + j, G));
    const T o = sigmoid(s.pre_activation(r, 3 * H + j, G));
    T* a = s.gates + r * G;
    const cell_math::LstmState<T> state = cell_math::lstm_state(i, f, g, o, c_prev[e],
                                                                LibraryTanh{});
    a[j] = i;
    a[H + j] = f;
    a[2 * H + j] = g;
    a[3 * H + j] = o;
    c[e] = state.c;
    s.h_out[r * s.ld_out + j] = state.h;
  }
};

template <class T>
struct GruForward {
  StepTape<T> s;
  T* ah_n;  // W_hn h_prev + b_hn, kept for backward; row stride H
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const int H = s.H;
    const long r = e / H, j = e % H;
    const long G = 3 * H;
    const T reset = sigmoid(s.pre_activation(r, j, G));
    const T update = sigmoid(s.pre_activation(r, H + j, G));
    T* a = s.gates + r * G;
    const T hidden_part = s.recurrent[r * G + 2 * H + j] + s.b_hh[2 * H + j];
    const T n = cell_math::gru_candidate(a[2 * H + j] + s.b_ih[2 * H + j], reset, hidden_part,
                                         LibraryTanh{});
    a[j] = reset;
    a[H + j] = update;
    a[2 * H + j] = n;
    ah_n[e] = hidden_part;
    s.h_out[r * s.ld_out + j] = cell_math::gru_state(update, n, s.h_prev[e]);
  }
};

// ----------------------------------------------------------------- backward --

// Shared arguments of one backward step (pointers offset to the step's rows).
template <class T>
struct StepGradients {
  int H;
  T* d_h;              // (rows, H): in, dL/dh_t carried from step t+1
  const T* d_out;      // gradient of this step's outputs, row stride ld_d_out, or null
  long ld_d_out;
  const T* gates;      // activated gates, row stride G*H
  T* d_ax;             // gate gradients seen by the input product, row stride G*H

  RNNSK_HOST_DEVICE T total(long e, long r, long j) const {
    return d_h[e] + (d_out ? d_out[r * ld_d_out + j] : T(0));
  }
};

template <class T>
struct RnnBackward {
  StepGradients<T> s;
  bool relu;
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const long r = e / s.H, j = e % s.H;
    const T h = s.gates[e];
    const T slope = relu ? cell_math::rnn_slope<true>(h) : cell_math::rnn_slope<false>(h);
    s.d_ax[e] = s.total(e, r, j) * slope;
  }
};

template <class T>
struct LstmBackward {
  StepGradients<T> s;
  const T* c;       // row stride H
  const T* c_prev;  // row stride H
  T* d_c;           // (rows, H): in dL/dc_t, out dL/dc_{t-1}
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const int H = s.H;
    const long r = e / H, j = e % H;
    const T* a = s.gates + r * 4 * H;
    T* da = s.d_ax + r * 4 * H;
    const cell_math::LstmGradients<T> d =
        cell_math::lstm_gradients(a[j], a[H + j], a[2 * H + j], a[3 * H + j], c[e], c_prev[e],
                                  s.total(e, r, j), d_c[e], LibraryTanh{});
    da[j] = d.i;
    da[H + j] = d.f;
    da[2 * H + j] = d.g;
    da[3 * H + j] = d.o;
    d_c[e] = d.c_prev;
  }
};

// Besides the gate gradients, writes dL/dh_t * z into d_h: the part of the
// previous state's gradient that skips W_hh (the product is added after).
template <class T>
struct GruBackward {
  StepGradients<T> s;
  const T* h_prev;  // row stride H
  const T* ah_n;    // row stride H
  T* d_ah;          // gate gradients seen by the recurrent product, row stride 3H
  RNNSK_HOST_DEVICE void operator()(long e) const {
    const int H = s.H;
    const long r = e / H, j = e % H;
    const T* a = s.gates + r * 3 * H;
    T* dax = s.d_ax + r * 3 * H;
    T* dah = d_ah + r * 3 * H;
    const cell_math::GruGradients<T> d = cell_math::gru_gradients(
        a[j], a[H + j], a[2 * H + j], h_prev[e], ah_n[e], s.total(e, r, j));
    dax[j] = d.r;
    dax[H + j] = d.z;
    dax[2 * H + j] = d.n;
    dah[j] = d.r;
    dah[H + j] = d.z;
    dah[2 * H + j] = d.hn;
    s.d_h[e] = d.h_prev;
  }
};

// ------------------------------------------------------------ between layers --

template <class T>
struct ApplyDropout {
  uint64_t stream;
  double p;
  T keep_scale;
  const T* input;
  T* mask;
  T* dropped;
  RNNSK_HOST_DEVICE void operator()(long e) const {
    mask[e] = dropout_mask_value(stream, e, p, keep_scale);
    dropped[e] = input[e] * mask[e];
  }
};

template <class T>
struct MultiplyInPlace {
  T* values;
  const T* factors;
  RNNSK_HOST_DEVICE void operator()(long e) const { values[e] *= factors[e]; }
};

}  // namespace rnnsk::device
