#include "column_sums.hpp"

#include <algorithm>

#include "isa_dispatch.hpp"

namespace rnnsk {
namespace {

// Row after row, each added to all the sums (which stay in L1). Taking a block
// of columns over all rows instead, to keep its sums in registers, made the bias
// gradients of a GRU at shape M twice as slow: six strided passes over 10 MB.
template <class T>
inline void sum_all_columns(const T* matrix, long rows, int cols, int ld, T* column_sums) {
  std::fill(column_sums, column_sums + cols, T(0));
  for (long r = 0; r < rows; ++r) {
    const T* row = matrix + r * ld;
    for (int j = 0; j < cols; ++j) column_sums[j] += row[j];
  }
}

RNNSK_DISPATCH void sum_rows_f32(const float* matrix, long rows, int cols, int ld,
                                 float* sums) {
  sum_all_columns(matrix, rows, cols, ld, sums);
}

RNNSK_DISPATCH void sum_rows_f64(const double* matrix, long rows, int cols, int ld,
                                 double* sums) {
  sum_all_columns(matrix, rows, cols, ld, sums);
}

}  // namespace

template <>
void sum_rows<float>(const float* matrix, long rows, int cols, int ld, float* column_sums) {
  sum_rows_f32(matrix, rows, cols, ld, column_sums);
}

template <>
void sum_rows<double>(const double* matrix, long rows, int cols, int ld,
                      double* column_sums) {
  sum_rows_f64(matrix, rows, cols, ld, column_sums);
}

}  // namespace rnnsk
