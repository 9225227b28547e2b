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
typename RecurrentDirection<T>::ForwardStep RecurrentDirection<T>::forward_step(
    const Packing& packing, StepRows<T> out, int s, long first, long last) const {
  ForwardStep step;
  step.t = step_at(s, packing.steps);
  step.n = static_cast<int>(std::min<long>(packing.batch_sizes[step.t], last) - first);
  if (step.n <= 0) return step;
  step.row = packing.offsets[step.t] + first;
  step.entering = entering_rows(packing, s, first, step.n);
  step.prev_h = s > 0 ? out.at(packing, step.entering.t_prev, first) : nullptr;
  step.joining_h = initial_h_.data() + (first + step.entering.carried) * hidden_;
  return step;
}

template <class T>
const T* RecurrentDirection<T>::prepare_forward(const DirectionWeights<T>& w, long batch,
                                                const T* h0, const T* c0) {
  const int H = hidden_, GH = gate_width_;
  const long batch_h = batch * H;
  grow(recurrent_, batch * GH);
  // The initial states, for the rows that start from them.
  copy_or_zero(h0, batch_h, grow(initial_h_, batch_h));
  if (cell_ == CellKind::lstm) copy_or_zero(c0, batch_h, grow(initial_c_, batch_h));
  // W_hh^T, laid out once for all the steps' products.
  recurrent_weights_.pack(w.w_hh, H, GH, true);
  // The two biases, summed once for all the steps' cell kernels.
  T* bias = grow(bias_sums_, GH);
  for (int j = 0; j < GH; ++j) bias[j] = w.b_ih[j] + w.b_hh[j];
  return bias;
}

template <class T>
typename RecurrentDirection<T>::EnteringRows RecurrentDirection<T>::recurrent_product(
    const Gemm<T>& gemm, const ForwardStep& step, int ld_prev, long first, T* gathered_h) {
  const int H = hidden_, GH = gate_width_;
  const int carried = step.entering.carried, joining = step.n - carried;
  T* product = recurrent_.data() + first * GH;
  if (gathered_h) {
    for (int i = 0; i < carried; ++i)
      std::memcpy(gathered_h + static_cast<long>(i) * H,
                  step.prev_h + static_cast<long>(i) * ld_prev, sizeof(T) * H);
    std::memcpy(gathered_h + static_cast<long>(carried) * H, step.joining_h,
                sizeof(T) * joining * H);
    recurrent_weights_.multiply(gemm, step.n, gathered_h, H, product, GH, false);
    return {gathered_h, H};
  }
  recurrent_weights_.multiply(gemm, carried, step.prev_h, ld_prev, product, GH, false);
  recurrent_weights_.multiply(gemm, joining, step.joining_h, H,
                              product + static_cast<long>(carried) * GH, GH, false);
  return entering_h(step.entering, step.prev_h, ld_prev, first);
}

template <class T>
StepForward<T> RecurrentDirection<T>::cell_step(const ForwardStep& step, long first, T* gates,
                                                const T* bias, const DirectionWeights<T>& w,
                                                EnteringRows h_prev, T* h_out,
                                                int ld_out) const {
  StepForward<T> cell;
  cell.rows = step.n;
  cell.hidden = hidden_;
  cell.gates = gates;
  cell.recurrent = recurrent_.data() + first * gate_width_;
  cell.bias = bias;
  cell.b_ih = w.b_ih;
  cell.b_hh = w.b_hh;
  cell.h_prev = h_prev.data;
  cell.ld_h_prev = h_prev.ld;
  cell.h_out = h_out;
  cell.ld_out = ld_out;
  return cell;
}

// Each sequence's final state is its output at the last step it ran: its own
// last step forward, the first step in reverse. c_last(i, last_row, last_step)
// says where the forward left the LSTM's.
template <class T>
template <class CellStateOf>
void RecurrentDirection<T>::store_final_states(const Packing& packing, StepRows<T> out,
                                               T* h_final, T* c_final,
                                               CellStateOf c_last) const {
  const int H = hidden_;
  for (int i = 0; i < packing.batch; ++i) {
    const int t_last = reverse_ ? 0 : packing.sorted_lengths[i] - 1;
    std::memcpy(h_final + static_cast<long>(i) * H, out.at(packing, t_last, i), sizeof(T) * H);
    if (cell_ != CellKind::lstm) continue;
    const long last_row = packing.offsets[t_last] + i;
    const int last_step = reverse_ ? packing.steps - 1 : packing.sorted_lengths[i] - 1;
    std::memcpy(c_final + static_cast<long>(i) * H, c_last(i, last_row, last_step),
                sizeof(T) * H);
  }
}

template <class T>
void RecurrentDirection<T>::forward_training(const Gemm<T>& gemm, const Packing& packing,
                                             const DirectionWeights<T>& w,
                                             StepRows<const T> input, const T* h0, const T* c0,
                                             StepRows<T> out, StepRows<T> out_copy,
                                             T* h_final, T* c_final, int n_threads) {
  const int H = hidden_, GH = gate_width_;
  const long rows = packing.rows;
  const bool lstm = cell_ == CellKind::lstm, gru = cell_ == CellKind::gru;
  // The tape: every buffer holds all packed rows. The states entering each step
  // are read where they already are (the previous step's outputs and cell states,
  // the initial states) when every sequence runs every step; over a ragged batch
  // backward's product for W_hh's gradient needs them in one matrix, so they are
  // gathered into the tape.
  entering_in_place_ = packing.full_length();
  T* gates = grow(gates_, rows * GH);
  T* h_prev = entering_in_place_ ? nullptr : grow(h_prev_, rows * H);
  T* c_prev = lstm && !entering_in_place_ ? grow(c_prev_, rows * H) : nullptr;
  T* c = lstm ? grow(c_, rows * H) : nullptr;
  T* ah_n = gru ? grow(ah_n_, rows * H) : nullptr;

  // Input projection of every step at once; the biases are added in the cell kernel.
  threaded_gemm(gemm, n_threads, false, true, static_cast<int>(rows), GH, input_size_, T(1),
                input.base, input.ld, w.w_ih, input_size_, T(0), gates, GH);
  const T* bias = prepare_forward(w, packing.batch, h0, c0);

  // Sequences never interact, so each thread runs every step for its own samples
  // [first, last) of the sorted batch, with no barrier between steps.
  auto run_steps = [&](long first, long last) {
    for (int s = 0; s < packing.steps; ++s) {
      const ForwardStep step = forward_step(packing, out, s, first, last);
      if (step.n <= 0) continue;
      const long row = step.row;
      const EnteringRows cell_h_prev =
          recurrent_product(gemm, step, out.ld, first, h_prev ? h_prev + row * H : nullptr);
      StepForward<T> cell = cell_step(step, first, gates + row * GH, bias, w, cell_h_prev,
                                      out.at(packing, step.t, first), out.ld);
      cell.h_copy = out_copy.at(packing, step.t, first);
      cell.ld_copy = out_copy.ld;
      if (lstm) {
        cell.c_saved = c + row * H;
        if (entering_in_place_) {
          cell.c_prev = entering_c(step.entering, first);
        } else {
          const int carried = step.entering.carried;
          T* gathered = c_prev + row * H;
          std::memcpy(gathered, c + step.entering.prev_row * H, sizeof(T) * carried * H);
          std::memcpy(gathered + static_cast<long>(carried) * H,
                      initial_c_.data() + (first + carried) * H,
                      sizeof(T) * (step.n - carried) * H);
          cell.c_prev = gathered;
        }
      }
      if (gru) cell.ah_n_saved = ah_n + row * H;
      cell_forward_rows(cell_, cell, 0, step.n);
    }
  };
  parallel_over(packing.balanced_bounds(shares_for(packing.batch, n_threads, rows * GH * H)),
                run_steps);
  store_final_states(packing, out, h_final, c_final,
                     [&](long, long last_row, int) { return c + last_row * H; });
}

template <class T>
void RecurrentDirection<T>::forward_inference(const Gemm<T>& gemm, const Packing& packing,
                                              const DirectionWeights<T>& w,
                                              StepRows<const T> input, const T* h0,
                                              const T* c0, StepRows<T> out, T* h_final,
                                              T* c_final, int n_threads) {
  const int H = hidden_, GH = gate_width_;
  const long batch_h = static_cast<long>(packing.batch) * H;
  const bool lstm = cell_ == CellKind::lstm, gru = cell_ == CellKind::gru;
  // No tape: every buffer holds one step's rows, by sample like the states,
  // reused at every step. LSTM cell states live in two such buffers that swap
  // roles at every step (the previous step's output is this step's input). The
  // GRU cell reads h_{t-1} in one matrix, gathered at the steps where some rows
  // carry on and others join (the reverse direction of a ragged batch).
  T* gates = grow(gates_, static_cast<long>(packing.batch) * GH);
  T* h_prev = gru ? grow(h_prev_, batch_h) : nullptr;
  T* cell_states = lstm ? grow(cell_states_, 2 * batch_h) : nullptr;
  T* ah_n = gru ? grow(ah_n_, batch_h) : nullptr;

  input_weights_.pack(w.w_ih, input_size_, GH, true);
  const T* bias = prepare_forward(w, packing.batch, h0, c0);

  // As in training, each thread runs every step for its own samples; it also
  // projects their inputs step by step.
  auto run_steps = [&](long first, long last) {
    for (int s = 0; s < packing.steps; ++s) {
      const ForwardStep step = forward_step(packing, out, s, first, last);
      if (step.n <= 0) continue;
      const int carried = step.entering.carried, joining = step.n - carried;
      T* step_gates = gates + first * GH;
      input_weights_.multiply(gemm, step.n, input.at(packing, step.t, first), input.ld,
                              step_gates, GH, false);
      const bool gather = gru && carried > 0 && joining > 0;
      const EnteringRows cell_h_prev =
          recurrent_product(gemm, step, out.ld, first, gather ? h_prev + first * H : nullptr);
      StepForward<T> cell = cell_step(step, first, step_gates, bias, w, cell_h_prev,
                                      out.at(packing, step.t, first), out.ld);
      if (lstm) {
        T* entering = cell_states + (s % 2) * batch_h + first * H;
        std::memcpy(entering + static_cast<long>(carried) * H,
                    initial_c_.data() + (first + carried) * H, sizeof(T) * joining * H);
        cell.c_prev = entering;
        cell.c_saved = cell_states + ((s + 1) % 2) * batch_h + first * H;
      }
      if (gru) cell.ah_n_saved = ah_n + first * H;
      cell_forward_rows(cell_, cell, 0, step.n);
    }
  };
  const long work = packing.rows * GH * (H + input_size_);
  parallel_over(packing.balanced_bounds(shares_for(packing.batch, n_threads, work)), run_steps);
  // The buffer written by the sequence's last step s, which no later step
  // touches in its row: s = length - 1 forward, the last of all in reverse.
  store_final_states(packing, out, h_final, c_final, [&](long i, long, int last_step) {
    return cell_states + ((last_step + 1) % 2) * batch_h + i * H;
  });
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
