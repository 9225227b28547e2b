// One time step of any cell over a block of rows, in the cell's fused kernel
// (compiled for several instruction sets, picked at run time: see kernels.cpp).
#pragma once

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

}  // namespace rnnsk
