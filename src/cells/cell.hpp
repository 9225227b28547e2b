// One time step of any cell over a block of rows: split the rows among threads
// when the work pays for it, and run the cell's kernel (compiled for several
// instruction sets, picked at run time: see kernels.cpp) on each share.
#pragma once

#include "../parallel.hpp"
#include "cell_kind.hpp"
#include "step.hpp"

namespace rnnsk {

// Rows [begin, end) of one step, in the best instruction set this processor has.
template <class T>
void cell_forward_rows(CellKind cell, const StepForward<T>& s, int begin, int end);
template <class T>
void cell_backward_rows(CellKind cell, const StepBackward<T>& s, int begin, int end);

// The instruction set the kernels were dispatched to ("avx512f", "avx2", "default").
const char* kernel_isa();

template <class T>
void cell_step_forward(CellKind cell, const StepForward<T>& s, int n_threads) {
  const long work = static_cast<long>(s.rows) * s.hidden * gate_count(cell);
  parallel_ranges(s.rows, n_threads, work,
                  [&](int begin, int end) { cell_forward_rows(cell, s, begin, end); });
}

template <class T>
void cell_step_backward(CellKind cell, const StepBackward<T>& s, int n_threads) {
  const long work = static_cast<long>(s.rows) * s.hidden * gate_count(cell);
  parallel_ranges(s.rows, n_threads, work,
                  [&](int begin, int end) { cell_backward_rows(cell, s, begin, end); });
}

}  // namespace rnnsk
