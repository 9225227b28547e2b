// One time step of any cell over a block of rows: dispatch on the cell kind once,
// then run the cell's row kernel over all rows (in parallel when worth it).
#pragma once

#include "../parallel.hpp"
#include "cell_kind.hpp"
#include "gru.hpp"
#include "lstm.hpp"
#include "rnn.hpp"

namespace rnnsk {

template <class T>
void cell_step_forward(CellKind cell, const StepForward<T>& s, int n_threads) {
  const long work = static_cast<long>(s.rows) * s.hidden * gate_count(cell);
  switch (cell) {
    case CellKind::rnn_tanh:
      parallel_for(s.rows, n_threads, work, [&](int r) { rnn_forward_row<T, false>(s, r); });
      break;
    case CellKind::rnn_relu:
      parallel_for(s.rows, n_threads, work, [&](int r) { rnn_forward_row<T, true>(s, r); });
      break;
    case CellKind::lstm:
      parallel_for(s.rows, n_threads, work, [&](int r) { lstm_forward_row<T>(s, r); });
      break;
    case CellKind::gru:
      parallel_for(s.rows, n_threads, work, [&](int r) { gru_forward_row<T>(s, r); });
      break;
  }
}

template <class T>
void cell_step_backward(CellKind cell, const StepBackward<T>& s, int n_threads) {
  const long work = static_cast<long>(s.rows) * s.hidden * gate_count(cell);
  switch (cell) {
    case CellKind::rnn_tanh:
      parallel_for(s.rows, n_threads, work, [&](int r) { rnn_backward_row<T, false>(s, r); });
      break;
    case CellKind::rnn_relu:
      parallel_for(s.rows, n_threads, work, [&](int r) { rnn_backward_row<T, true>(s, r); });
      break;
    case CellKind::lstm:
      parallel_for(s.rows, n_threads, work, [&](int r) { lstm_backward_row<T>(s, r); });
      break;
    case CellKind::gru:
      parallel_for(s.rows, n_threads, work, [&](int r) { gru_backward_row<T>(s, r); });
      break;
  }
}

}  // namespace rnnsk
