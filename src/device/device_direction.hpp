// One direction of one recurrent layer on a device backend: the GPU-shaped
// version of src/direction.cpp. The host walks the time steps and issues, per
// step, one GEMM for the recurrent product of the rows still running and one
// elementwise launch for the cell; everything it touches stays in backend
// memory. Rows are packed time-major and sorted by length (packing.hpp), so a
// step's rows are the contiguous prefix [offsets[t], offsets[t] + batch_sizes[t]).
#pragma once

#include <algorithm>
#include <vector>

#include "cells/cell_kind.hpp"
#include "device/device_array.hpp"
#include "device/elementwise.hpp"
#include "packing.hpp"

namespace rnnsk::device {

template <class T>
struct Weights {
  const T* w_ih;  // (G*H, input_size)
  const T* w_hh;  // (G*H, H)
  const T* b_ih;
  const T* b_hh;
};

template <class T>
struct WeightGradients {
  T* w_ih;
  T* w_hh;
  T* b_ih;
  T* b_hh;
};

// The packing's per-sequence facts, mirrored in backend memory for kernels.
struct DevicePacking {
  const Packing* host;
  const int* sorted_lengths;
  const long* offsets;
};

template <class T, class Backend>
class DeviceDirection {
 public:
  DeviceDirection(Backend& backend, CellKind cell, int input_size, int hidden, bool reverse)
      : cell_(cell), input_size_(input_size), hidden_(hidden),
        gate_width_(gate_count(cell) * hidden), reverse_(reverse), gates_(backend),
        h_prev_(backend), c_prev_(backend), c_(backend), ah_n_(backend), recurrent_(backend),
        d_ax_(backend), d_ah_(backend), carry_h_(backend), carry_c_(backend), ones_(backend),
        gates_of_step_(backend), entering_(backend), carried_c_(backend),
        ah_n_of_step_(backend) {}

  // input: (rows, input_size). h0/c0: (batch, H) sorted. Writes every step's
  // state into out (row stride ld_out) and the final states (sorted).
  void forward(Backend& b, const DevicePacking& p, const Weights<T>& w, const T* input,
               const T* h0, const T* c0, T* out, long ld_out, T* h_final, T* c_final) {
    const Packing& packing = *p.host;
    const int H = hidden_, GH = gate_width_;
    const long rows = packing.rows;
    const bool lstm = cell_ == CellKind::lstm;
    T* gates = gates_.grow(rows * GH);
    T* h_prev = h_prev_.grow(rows * H);
    T* c_prev = lstm ? c_prev_.grow(rows * H) : nullptr;
    T* c = lstm ? c_.grow(rows * H) : nullptr;
    T* ah_n = cell_ == CellKind::gru ? ah_n_.grow(rows * H) : nullptr;
    T* recurrent = recurrent_.grow(static_cast<long>(packing.batch) * GH);

    b.gemm(false, true, rows, GH, input_size_, T(1), input, input_size_, w.w_ih, input_size_,
           T(0), gates, GH);
    int previous_rows = 0;
    long previous_offset = 0;
    for (int s = 0; s < packing.steps; ++s) {
      const auto [n, off, elements] = step_rows(packing, s);
      b.for_each(elements, EnterState<T>{H, previous_rows, out + previous_offset * ld_out,
                                         ld_out, h0, h_prev + off * H});
      if (lstm)
        b.for_each(elements, EnterState<T>{H, previous_rows, c + previous_offset * H, H, c0,
                                           c_prev + off * H});
      b.gemm(false, true, n, GH, H, T(1), h_prev + off * H, H, w.w_hh, H, T(0), recurrent, GH);
      run_cell(b, elements,
               StepTape<T>{H, gates + off * GH, recurrent, w.b_ih, w.b_hh, h_prev + off * H,
                           out + off * ld_out, ld_out},
               lstm ? c_prev + off * H : nullptr, lstm ? c + off * H : nullptr,
               ah_n ? ah_n + off * H : nullptr);
      previous_rows = n;
      previous_offset = off;
    }
    const long finals = static_cast<long>(packing.batch) * H;
    b.for_each(finals, GatherFinal<T>{H, reverse_, p.sorted_lengths, p.offsets, out, ld_out,
                                      h_final});
    if (lstm)
      b.for_each(finals, GatherFinal<T>{H, reverse_, p.sorted_lengths, p.offsets, c, H,
                                        c_final});
  }

  // Forward for inference: the same steps, arguments and results, with no
  // tape. Nothing is kept per packed row: each step multiplies its own rows'
  // inputs, and the gates, entering states and GRU term live in buffers of one
  // batch, reused by every step. The LSTM's cell state is carried in place, so
  // a row that stops running keeps its final value there.
  void forward_inference(Backend& b, const DevicePacking& p, const Weights<T>& w,
                         const T* input, const T* h0, const T* c0, T* out, long ld_out,
                         T* h_final, T* c_final) {
    const Packing& packing = *p.host;
    const int H = hidden_, GH = gate_width_;
    const long state = static_cast<long>(packing.batch) * H;
    const bool lstm = cell_ == CellKind::lstm;
    T* gates = gates_of_step_.grow(static_cast<long>(packing.batch) * GH);
    T* recurrent = recurrent_.grow(static_cast<long>(packing.batch) * GH);
    T* h_prev = entering_.grow(state);
    T* c = lstm ? carried_c_.grow(state) : nullptr;
    T* ah_n = cell_ == CellKind::gru ? ah_n_of_step_.grow(state) : nullptr;

    int previous_rows = 0;
    long previous_offset = 0;
    for (int s = 0; s < packing.steps; ++s) {
      const auto [n, off, elements] = step_rows(packing, s);
      b.for_each(elements, EnterState<T>{H, previous_rows, out + previous_offset * ld_out,
                                         ld_out, h0, h_prev});
      // (In place: the rows that ran keep their state, rows joining take c0.)
      if (lstm) b.for_each(elements, EnterState<T>{H, previous_rows, c, H, c0, c});
      b.gemm(false, true, n, GH, input_size_, T(1), input + off * input_size_, input_size_,
             w.w_ih, input_size_, T(0), gates, GH);
      b.gemm(false, true, n, GH, H, T(1), h_prev, H, w.w_hh, H, T(0), recurrent, GH);
      run_cell(b, elements,
               StepTape<T>{H, gates, recurrent, w.b_ih, w.b_hh, h_prev, out + off * ld_out,
                           ld_out},
               c, c, ah_n);
      previous_rows = n;
      previous_offset = off;
    }
    b.for_each(state, GatherFinal<T>{H, reverse_, p.sorted_lengths, p.offsets, out, ld_out,
                                     h_final});
    if (lstm) b.copy(c_final, c, sizeof(T) * state);
  }

  // d_out: gradient of this direction's outputs (row stride ld_d_out) or null.
  // d_h_final/d_c_final (sorted, never null: zeros for none) are read first;
  // d_h0/d_c0 (sorted) are written last and may be the same memory. Weight
  // gradients are written (or added, with accumulate); d_input is written, or
  // added to with add_to_d_input, unless it is null (not wanted).
  void backward(Backend& b, const DevicePacking& p, const Weights<T>& w, const T* input,
                const T* d_out, long ld_d_out, const T* d_h_final, const T* d_c_final,
                const WeightGradients<T>& g, bool accumulate, T* d_input, bool add_to_d_input,
                T* d_h0, T* d_c0) {
    const Packing& packing = *p.host;
    const int H = hidden_, GH = gate_width_;
    const long rows = packing.rows, state = static_cast<long>(packing.batch) * H;
    const bool lstm = cell_ == CellKind::lstm, gru = cell_ == CellKind::gru;
    T* d_ax = d_ax_.grow(rows * GH);
    T* d_ah = gru ? d_ah_.grow(rows * GH) : d_ax;
    T* carry_h = carry_h_.grow(state);
    T* carry_c = lstm ? carry_c_.grow(state) : nullptr;
    b.copy(carry_h, d_h_final, sizeof(T) * state);
    if (lstm) b.copy(carry_c, d_c_final, sizeof(T) * state);

    for (int s = packing.steps - 1; s >= 0; --s) {
      const auto [n, off, elements] = step_rows(packing, s);
      const StepGradients<T> step{H, carry_h, d_out ? d_out + off * ld_d_out : nullptr,
                                  ld_d_out, gates_.data() + off * GH, d_ax + off * GH};
      switch (cell_) {
        case CellKind::rnn_tanh:
        case CellKind::rnn_relu:
          b.for_each(elements, RnnBackward<T>{step, cell_ == CellKind::rnn_relu});
          break;
        case CellKind::lstm:
          b.for_each(elements, LstmBackward<T>{step, c_.data() + off * H,
                                               c_prev_.data() + off * H, carry_c});
          break;
        case CellKind::gru:
          b.for_each(elements, GruBackward<T>{step, h_prev_.data() + off * H,
                                              ah_n_.data() + off * H, d_ah + off * GH});
          break;
      }
      // The GRU kernel left the path that skips W_hh in carry_h; the others
      // leave it to the product alone.
      b.gemm(false, false, n, H, GH, T(1), d_ah + off * GH, GH, w.w_hh, H, gru ? T(1) : T(0),
             carry_h, H);
    }
    b.copy(d_h0, carry_h, sizeof(T) * state);
    if (lstm) b.copy(d_c0, carry_c, sizeof(T) * state);

    const T keep = accumulate ? T(1) : T(0);
    b.gemm(true, false, GH, input_size_, rows, T(1), d_ax, GH, input, input_size_, keep, g.w_ih,
           input_size_);
    b.gemm(true, false, GH, H, rows, T(1), d_ah, GH, h_prev_.data(), H, keep, g.w_hh, H);
    T* ones = ones_.grow(rows);
    b.for_each(rows, Fill<T>{ones, T(1)});
    b.gemm(false, false, 1, GH, rows, T(1), ones, rows, d_ax, GH, keep, g.b_ih, GH);
    b.gemm(false, false, 1, GH, rows, T(1), ones, rows, d_ah, GH, keep, g.b_hh, GH);
    if (d_input)
      b.gemm(false, false, rows, input_size_, GH, T(1), d_ax, GH, w.w_ih, input_size_,
             add_to_d_input ? T(1) : T(0), d_input, input_size_);
  }

 private:
  int step_at(int s, int steps) const { return reverse_ ? steps - 1 - s : s; }

  // The rows of the walk's step s: how many run (a prefix of the sorted
  // batch), the first one's packed row, and their elements (rows * H).
  struct StepRows {
    int n;
    long offset;
    long elements;
  };
  StepRows step_rows(const Packing& packing, int s) const {
    const int t = step_at(s, packing.steps);
    const int n = packing.batch_sizes[t];
    return {n, packing.offsets[t], static_cast<long>(n) * hidden_};
  }

  // The cell of one step over its rows' `elements` (rows * H); c_prev and c
  // for the LSTM (may be the same memory), ah_n for the GRU.
  void run_cell(Backend& b, long elements, const StepTape<T>& tape, const T* c_prev, T* c,
                T* ah_n) const {
    switch (cell_) {
      case CellKind::rnn_tanh:
      case CellKind::rnn_relu:
        b.for_each(elements, RnnForward<T>{tape, cell_ == CellKind::rnn_relu});
        break;
      case CellKind::lstm:
        b.for_each(elements, LstmForward<T>{tape, c_prev, c});
        break;
      case CellKind::gru:
        b.for_each(elements, GruForward<T>{tape, ah_n});
        break;
    }
  }

  CellKind cell_;
  int input_size_;
  int hidden_;
  int gate_width_;
  bool reverse_;

  // Tape, one row per packed row.
  DeviceArray<T, Backend> gates_, h_prev_, c_prev_, c_, ah_n_;
  // Scratch.
  DeviceArray<T, Backend> recurrent_, d_ax_, d_ah_, carry_h_, carry_c_, ones_;
  // Inference's scratch, one batch of rows (forward_inference).
  DeviceArray<T, Backend> gates_of_step_, entering_, carried_c_, ah_n_of_step_;
};

}  // namespace rnnsk::device
