#include "column_sums.hpp"

#include <algorithm>

#include "isa_dispatch.hpp"

namespace rnnsk {
namespace {

// Row after row, each added to all the sums (which stay in L1). Taking a block
// of columns over all rows instead, to keep its sums in registers, made the bias
// gradients of a GRU at shape M twice as slow: six strided passes over 10 MB.
template <class T>
inline void add_all_rows(const T* matrix, long rows, int cols, int ld, T* column_sums) {
  for (long r = 0; r < rows; ++r) {
    const T* row = matrix + r * ld;
    for (int j = 0; j < cols; ++j) column_sums[j] += row[j];
  }
}

RNNSK_DISPATCH void add_rows_f32(const float* matrix, long rows, int cols, int ld,
                                 float* sums) {
  add_all_rows(matrix, rows, cols, ld, sums);
}

RNNSK_DISPATCH void add_rows_f64(const double* matrix, long rows, int cols, int ld,
                                 double* sums) {
  add_all_rows(matrix, rows, cols, ld, sums);
}

}  // namespace

template <>
void add_rows<float>(const float* matrix, long rows, int cols, int ld, float* column_sums) {
  add_rows_f32(matrix, rows, cols, ld, column_sums);
}

template <>
void add_rows<double>(const double* matrix, long rows, int cols, int ld,
                      double* column_sums) {
  add_rows_f64(matrix, rows, cols, ld, column_sums);
}

template <class T>
void sum_rows(const T* matrix, long rows, int cols, int ld, T* column_sums) {
  std::fill(column_sums, column_sums + cols, T(0));
  add_rows(matrix, rows, cols, ld, column_sums);
}

template void sum_rows<float>(const float*, long, int, int, float*);
template void sum_rows<double>(const double*, long, int, int, double*);

}  // namespace rnnsk
