#include "direction.hpp"

#include <algorithm>
#include <cstring>

#include "buffer.hpp"
#include "cells/cell.hpp"
#include "parallel.hpp"
#include "threaded_gemm.hpp"
#include "weight_gradient.hpp"

namespace rnnsk {

template <class T>
RecurrentDirection<T>::RecurrentDirection(CellKind cell, int input_size, int hidden_size,
                                          bool reverse)
    : cell_(cell),
      input_size_(input_size),
      hidden_(hidden_size),
      gate_width_(gate_count(cell) * hidden_size),
      reverse_(reverse) {}

template <class T>
typename RecurrentDirection<T>::Entering RecurrentDirection<T>::entering_rows(
    const Packing& packing, int s, long first, int n) const {
  if (s == 0) return {0, 0, 0};
  const int t_prev = step_at(s - 1, packing.steps);
  return {static_cast<int>(std::clamp<long>(packing.batch_sizes[t_prev] - first, 0, n)), t_prev,
          packing.offsets[t_prev] + first};
}

template <class T>
const T* RecurrentDirection<T>::entering_c(const Entering& entering, long first) const {
  return entering.carried > 0 ? c_.data() + entering.prev_row * hidden_
                              : initial_c_.data() + first * hidden_;
}

template <class T>
typename RecurrentDirection<T>::EnteringRows RecurrentDirection<T>::entering_h(
    const Entering& entering, const T* prev_h, int ld_prev, long first) const {
  if (entering.carried > 0) return {prev_h, ld_prev};
  return {initial_h_.data() + first * hidden_, hidden_};
}

template <class T>
void RecurrentDirection<T>::forward(const Gemm<T>& gemm, const Packing& packing,
                                    const DirectionWeights<T>& w, StepRows<const T> input,
                                    const T* h0, const T* c0, StepRows<T> out,
                                    StepRows<T> out_copy, T* h_final, T* c_final,
                                    bool keep_tape, int n_threads) {
  const int H = hidden_, GH = gate_width_;
  const long rows = packing.rows, batch_h = static_cast<long>(packing.batch) * H;
  const bool lstm = cell_ == CellKind::lstm, gru = cell_ == CellKind::gru;
  // With a tape, every buffer holds all packed rows; without one, a step's worth
  // (indexed by sample, like the state buffers), reused at every step.
  const long kept = keep_tape ? rows : packing.batch;

  T* gates = grow(gates_, kept * GH);
  // The states entering each step are read where they already are (the previous
  // step's outputs, the initial states), by the product, the GRU cell and
  // backward, except in training over a ragged batch: there backward's product
  // for W_hh's gradient needs them in one matrix, so they are copied into the
  // tape. Without a tape, the GRU cell also reads a copy at the steps where some
  // rows carry on and others join (the reverse direction of a ragged batch).
  const bool copy_entering = keep_tape && !packing.full_length();
  entering_in_place_ = keep_tape && !copy_entering;
  T* h_prev = copy_entering || (gru && !keep_tape) ? grow(h_prev_, kept * H) : nullptr;
  T* c_prev = lstm && keep_tape && !entering_in_place_ ? grow(c_prev_, rows * H) : nullptr;
  T* c_saved = lstm && keep_tape ? grow(c_, rows * H) : nullptr;
  T* cell_states = lstm && !keep_tape ? grow(cell_states_, 2 * batch_h) : nullptr;
  T* ah_n = gru ? grow(ah_n_, kept * H) : nullptr;
  T* initial_h = grow(initial_h_, batch_h);
  T* initial_c = lstm ? grow(initial_c_, batch_h) : nullptr;
  T* recurrent = grow(recurrent_, static_cast<long>(packing.batch) * GH);

  if (keep_tape) {
    // Input projection of every step at once; the biases are added in the cell kernel.
    threaded_gemm(gemm, n_threads, false, true, static_cast<int>(rows), GH, input_size_, T(1),
                  input.base, input.ld, w.w_ih, input_size_, T(0), gates, GH);
  } else {
    input_weights_.pack(w.w_ih, input_size_, GH, true);
  }

  // The initial states, for the rows that start from them.
  copy_or_zero(h0, batch_h, initial_h);
  if (lstm) copy_or_zero(c0, batch_h, initial_c);
  // W_hh^T, laid out once for all the steps' products.
  recurrent_weights_.pack(w.w_hh, H, GH, true);
  // The two biases, summed once for all the steps' cell kernels.
  T* bias = grow(bias_sums_, GH);
  for (int j = 0; j < GH; ++j) bias[j] = w.b_ih[j] + w.b_hh[j];

  // Sequences never interact, so each thread runs every step for its own samples
  // [first, last) of the sorted batch, with no barrier between steps.
  auto run_steps = [&](long first, long last) {
    for (int s = 0; s < packing.steps; ++s) {
      const int t = step_at(s, packing.steps);
      const int n = static_cast<int>(std::min<long>(packing.batch_sizes[t], last) - first);
      if (n <= 0) continue;
      const long row = packing.offsets[t] + first;
      // This step's rows of the buffers: by packed row with a tape, by sample without.
      const long at = keep_tape ? row : first;
      T* step_gates = gates + at * GH;
      T* step_h_prev = h_prev ? h_prev + at * H : nullptr;
      // The state entering this step: the previous step's output for the rows
      // that ran then (`carried`), the initial state for rows that join here (the
      // first step, and the reverse direction's shorter sequences).
      const Entering entering = entering_rows(packing, s, first, n);
      const int carried = entering.carried, joining = n - carried;
      const long prev_row = entering.prev_row;
      // The previous step's outputs of these rows, where they were written.
      const T* prev_h = s > 0 ? out.at(packing, entering.t_prev, first) : nullptr;
      const T* joining_h = initial_h + (first + carried) * H;
      // LSTM cell states: the tape's rows, or two buffers by sample that swap roles
      // at every step (the previous step's output is this step's input). Where
      // backward reads the entering c state in place, this step reads it there too.
      const T* step_c_prev = nullptr;
      T* step_c = keep_tape ? c_saved + row * H : nullptr;
      if (lstm) {
        T* gathered = nullptr;
        if (cell_states) {
          gathered = cell_states + (s % 2) * batch_h + first * H;
          step_c = cell_states + ((s + 1) % 2) * batch_h + first * H;
        } else if (entering_in_place_) {
          step_c_prev = entering_c(entering, first);
        } else {
          gathered = c_prev + row * H;
          std::memcpy(gathered, c_saved + prev_row * H, sizeof(T) * carried * H);
        }
        if (gathered) {
          std::memcpy(gathered + static_cast<long>(carried) * H,
                      initial_c + (first + carried) * H, sizeof(T) * joining * H);
          step_c_prev = gathered;
        }
      }
      if (!keep_tape)
        input_weights_.multiply(gemm, n, input.at(packing, t, first), input.ld, step_gates, GH,
                                false);
      T* step_recurrent = recurrent + first * GH;
      // h_{t-1} as the GRU cell reads it: the carried rows' or the joining rows'
      // where they are, or a copy of both.
      EnteringRows cell_h_prev{step_h_prev, H};
      if (copy_entering || (gru && carried > 0 && joining > 0)) {
        for (int i = 0; i < carried; ++i)
          std::memcpy(step_h_prev + static_cast<long>(i) * H,
                      prev_h + static_cast<long>(i) * out.ld, sizeof(T) * H);
        std::memcpy(step_h_prev + static_cast<long>(carried) * H, joining_h,
                    sizeof(T) * joining * H);
        recurrent_weights_.multiply(gemm, n, step_h_prev, H, step_recurrent, GH, false);
      } else {
        recurrent_weights_.multiply(gemm, carried, prev_h, out.ld, step_recurrent, GH, false);
        recurrent_weights_.multiply(gemm, joining, joining_h, H,
                                    step_recurrent + static_cast<long>(carried) * GH, GH, false);
        cell_h_prev = entering_h(entering, prev_h, out.ld, first);
      }

      StepForward<T> step;
      step.rows = n;
      step.hidden = H;
      step.gates = step_gates;
      step.recurrent = step_recurrent;
      step.bias = bias;
      step.b_ih = w.b_ih;
      step.b_hh = w.b_hh;
      step.h_prev = cell_h_prev.data;
      step.ld_h_prev = cell_h_prev.ld;
      step.h_out = out.at(packing, t, first);
      step.ld_out = out.ld;
      step.h_copy = out_copy.at(packing, t, first);
      step.ld_copy = out_copy.ld;
      step.c_prev = step_c_prev;
      step.c_saved = step_c;
      if (gru) step.ah_n_saved = ah_n + at * H;
      cell_forward_rows(cell_, step, 0, n);
    }
  };
  const long work = rows * GH * (H + (keep_tape ? 0 : input_size_));
  parallel_over(packing.balanced_bounds(shares_for(packing.batch, n_threads, work)), run_steps);
  // Each sequence's final state is its output at the last step it ran: its own
  // last step forward, the first step in reverse.
  for (int i = 0; i < packing.batch; ++i) {
    const int t_last = reverse_ ? 0 : packing.sorted_lengths[i] - 1;
    const long last_row = packing.offsets[t_last] + i;
    std::memcpy(h_final + static_cast<long>(i) * H, out.at(packing, t_last, i), sizeof(T) * H);
    if (!lstm) continue;
    // Without a tape, the buffer written by the sequence's last step s (no later
    // step touches its row): s = length - 1 forward, the last of all in reverse.
    const int last_step = reverse_ ? packing.steps - 1 : packing.sorted_lengths[i] - 1;
    const T* c_last = keep_tape ? c_saved + last_row * H
                                : cell_states + ((last_step + 1) % 2) * batch_h +
                                      static_cast<long>(i) * H;
    std::memcpy(c_final + static_cast<long>(i) * H, c_last, sizeof(T) * H);
  }
}

template <class T>
void RecurrentDirection<T>::backward(const Gemm<T>& gemm, const Packing& packing,
                                     const DirectionWeights<T>& w, const T* input,
                                     const T* out, int ld_out, StepRows<const T> d_out,
                                     const T* d_h_final,
                                     const T* d_c_final, const DirectionGradients<T>& grads,
                                     bool accumulate, T* d_input, bool add_to_d_input, T* d_h0,
                                     T* d_c0, int n_threads) {
  const int H = hidden_, GH = gate_width_;
  const long rows = packing.rows, batch_h = static_cast<long>(packing.batch) * H;
  const bool lstm = cell_ == CellKind::lstm, gru = cell_ == CellKind::gru;

  T* d_ax = grow(d_ax_, rows * GH);
  // RNN and LSTM gates see the same gradient through both products; GRU's n gate does not.
  T* d_ah = gru ? grow(d_ah_, rows * GH) : d_ax;
  T* d_state = grow(state_h_, batch_h);
  T* d_cell = lstm ? grow(state_c_, batch_h) : nullptr;
  T* d_h_copy = gru ? grow(d_h_, batch_h) : nullptr;

  copy_or_zero(d_h_final, batch_h, d_state);
  if (lstm) copy_or_zero(d_c_final, batch_h, d_cell);

  recurrent_weights_.pack(w.w_hh, GH, H, false);

  // As in forward, each thread carries the gradients of its own samples through
  // every step.
  auto run_steps = [&](long first, long last) {
    for (int s = packing.steps - 1; s >= 0; --s) {
      const int t = step_at(s, packing.steps);
      const int n = static_cast<int>(std::min<long>(packing.batch_sizes[t], last) - first);
      if (n <= 0) continue;
      const long row = packing.offsets[t] + first;
      T* d_state_rows = d_state + first * H;
      StepBackward<T> step;
      step.rows = n;
      step.hidden = H;
      // The cell adds the gradient carried from step t+1 and the output's as it
      // reads them; only the GRU cell, which builds the next carried gradient
      // where this one is, reads a copy.
      step.d_h = d_state_rows;
      step.d_out = d_out.at(packing, t, first);
      step.ld_d_out = d_out.ld;
      if (gru) {
        std::memcpy(d_h_copy + first * H, d_state_rows, sizeof(T) * n * H);
        step.d_h = d_h_copy + first * H;
      }
      step.gates = gates_.data() + row * GH;
      step.d_ax = d_ax + row * GH;
      const Entering entering = entering_rows(packing, s, first, n);
      if (lstm) {
        step.d_c = d_cell + first * H;
        step.c = c_.data() + row * H;
        step.c_prev =
            entering_in_place_ ? entering_c(entering, first) : c_prev_.data() + row * H;
      }
      if (gru) {
        const EnteringRows h_prev =
            entering_in_place_
                ? entering_h(entering, out + entering.prev_row * ld_out, ld_out, first)
                : EnteringRows{h_prev_.data() + row * H, H};
        step.h_prev = h_prev.data;
        step.ld_h_prev = h_prev.ld;
        step.ah_n = ah_n_.data() + row * H;
        step.d_ah = d_ah + row * GH;
        step.d_h_prev = d_state_rows;
      }
      cell_backward_rows(cell_, step, 0, n);
      // The only serial product of backward: the state gradient through W_hh.
      recurrent_weights_.multiply(gemm, n, d_ah + row * GH, GH, d_state_rows, H, gru);
    }
  };
  const long work = rows * GH * H;
  parallel_over(packing.balanced_bounds(shares_for(packing.batch, n_threads, work)), run_steps);
  std::memcpy(d_h0, d_state, sizeof(T) * batch_h);
  if (lstm) std::memcpy(d_c0, d_cell, sizeof(T) * batch_h);

  // The biases' gradients are the gates' gradients summed over all rows, which
  // the weight gradients' products take as the gates' gradients pass through
  // cache; RNN and LSTM gates see one gradient through both products, so both
  // sums are one.
  T* sums = grow(bias_sums_, GH);
  weight_gradient(gemm, n_threads, rows, GH, input_size_, d_ax, GH, input, input_size_,
                  accumulate, grads.w_ih, input_size_, sums);
  store_or_add(sums, GH, accumulate, grads.b_ih);
  if (!gru) store_or_add(sums, GH, accumulate, grads.b_hh);
  // W_hh's gradient, and the GRU's b_hh's from its own gates' gradients.
  auto add_recurrent_gradients = [&](long count, const T* d, const T* h, int ld_h, bool add) {
    weight_gradient(gemm, n_threads, count, GH, H, d, GH, h, ld_h, add, grads.w_hh, H,
                    gru ? sums : nullptr);
    if (gru) store_or_add(sums, GH, add, grads.b_hh);
  };
  if (entering_in_place_) {
    // Every step's rows continue those of the step before, `batch` packed rows
    // earlier (later in reverse): one product pairs the gradients of all steps but
    // the first with the outputs they started from, one the first step's with the
    // initial states.
    const long batch = packing.batch, later = rows - batch;
    add_recurrent_gradients(later, d_ah + (reverse_ ? 0 : batch) * GH,
                            out + (reverse_ ? batch : 0) * ld_out, ld_out, accumulate);
    add_recurrent_gradients(batch, d_ah + (reverse_ ? later : 0) * GH, initial_h_.data(), H,
                            true);
  } else {
    add_recurrent_gradients(rows, d_ah, h_prev_.data(), H, accumulate);
  }
  if (d_input)
    threaded_gemm(gemm, n_threads, false, false, static_cast<int>(rows), input_size_, GH, T(1),
                  d_ax, GH, w.w_ih, input_size_, add_to_d_input ? T(1) : T(0), d_input,
                  input_size_);
}

template class RecurrentDirection<float>;
template class RecurrentDirection<double>;

}  // namespace rnnsk
