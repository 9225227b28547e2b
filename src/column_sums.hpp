// Sums of a matrix's columns: the bias gradients, which are the gates' gradients
// summed over every packed row of a call.
#pragma once

namespace rnnsk {

// column_sums[j] += sum over r of matrix[r * ld + j] for j < cols, added row
// after row (a fixed order, so the result does not depend on the thread count
// or on how the rows are split into consecutive calls).
template <class T>
void add_rows(const T* matrix, long rows, int cols, int ld, T* column_sums);

// The same into sums that start from zero.
template <class T>
void sum_rows(const T* matrix, long rows, int cols, int ld, T* column_sums);

}  // namespace rnnsk
