#include "weight_gradient.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "column_sums.hpp"
#include "panel_kernel.hpp"
#include "parallel.hpp"
#include "threaded_gemm.hpp"

namespace rnnsk {

namespace {

// Rows of D and X per pass over G: a chunk of X (256 rows of k <= 256 values, at
// most 256 KiB) stays in L2 while every block of G runs over it.
constexpr long kChunkRows = 256;

// Above this many columns of X, BLAS's packed panels amortise their copy and
// win; up to here the register kernel reading D and X in place does (the
// crossover was measured at the benchmark shapes; see docs/benchmarks.md).
constexpr int kMaxKernelColumns = 256;

// One call's operands (see weight_gradient).
struct Operands {
  long rows;
  int n, k;
  const float* d;
  int ldd;
  const float* x;
  int ldx;
  bool accumulate;
  float* g;
  int ldg;
  float* column_sums;  // or null
};

// With column sums wanted: adds the chunk's rows of D to the sums of units
// [n_first, n_last), row after row, as the chunk comes into cache for the
// products (summed in a pass of their own, the gates' gradients came from
// memory twice).
void add_chunk_to_sums(const Operands& o, long chunk, long depth, int n_first, int n_last) {
  if (!o.column_sums) return;
  if (chunk == 0) std::fill(o.column_sums + n_first, o.column_sums + n_last, 0.0f);
  add_rows(o.d + chunk * o.ldd + n_first, depth, n_last - n_first, o.ldd,
           o.column_sums + n_first);
}

// C(r, j) (+)= sum over the rows p of A(r, p) B(p, j) for r in [row_first,
// row_last), j in [col_first, col_last), where A and B each read a row of D or
// of X: the product behind both orientations of the weight gradient, one chunk
// of rows at a time. A's block of rows (one cache line per row of the chunk)
// stays in L1 while it runs over every panel of B.
struct ChunkedProduct {
  const float* a;
  long a_depth_step;
  int row_first, row_last, block_rows;
  const float* b;
  long b_depth_step;
  int col_first, col_last;
  float* c;
  long ldc;
  bool accumulate;
};

void run_chunks(const Operands& o, const ChunkedProduct& p, int n_first, int n_last) {
  PanelBlock block;
  block.a_row_step = 1;
  block.a_depth_step = p.a_depth_step;
  block.b_depth_step = p.b_depth_step;
  block.ldc = p.ldc;
  for (long chunk = 0; chunk < o.rows; chunk += kChunkRows) {
    block.depth = std::min(kChunkRows, o.rows - chunk);
    block.accumulate = p.accumulate || chunk > 0;
    add_chunk_to_sums(o, chunk, block.depth, n_first, n_last);
    for (int row = p.row_first; row < p.row_last; row += p.block_rows) {
      block.rows = std::min(p.block_rows, p.row_last - row);
      block.a = p.a + chunk * p.a_depth_step + row;
      for (int col = p.col_first; col < p.col_last; col += kPanelWidth) {
        block.cols = std::min(kPanelWidth, p.col_last - col);
        block.b = p.b + chunk * p.b_depth_step + col;
        block.c = p.c + row * p.ldc + col;
        multiply_panel_block(block);
      }
    }
  }
}

// Rows [n_first, n_last) of G = D^T X from the kernel.
void kernel_share(const Operands& o, int n_first, int n_last) {
  run_chunks(o, {o.d, o.ldd, n_first, n_last, kBlockRows, o.x, o.ldx, 0, o.k, o.g, o.ldg,
                 o.accumulate},
             n_first, n_last);
}

// Rows [n_first, n_last) of G from G^T = X^T D: its columns [n_first, n_last)
// into `scratch` (k x n), then stored or added transposed into G.
void kernel_share_transposed(const Operands& o, int n_first, int n_last, float* scratch) {
  // Blocks of about equal size (8 features: two of 4, not 6 and 2): a block of
  // few rows has too few accumulators to hide the latency of its multiply-adds.
  const int blocks = (o.k + kBlockRows - 1) / kBlockRows;
  const int block_rows = (o.k + blocks - 1) / blocks;
  run_chunks(o, {o.x, o.ldx, 0, o.k, block_rows, o.d, o.ldd, n_first, n_last, scratch, o.n,
                 false},
             n_first, n_last);
  for (int unit = n_first; unit < n_last; ++unit) {
    float* g_row = o.g + static_cast<long>(unit) * o.ldg;
    for (int feature = 0; feature < o.k; ++feature) {
      const float sum = scratch[static_cast<long>(feature) * o.n + unit];
      g_row[feature] = o.accumulate ? g_row[feature] + sum : sum;
    }
  }
}

// The share of a vector's lanes a product keeps busy when `width` columns are
// spread over panels of kPanelWidth.
double lanes_busy(int width) {
  const int panels = (width + kPanelWidth - 1) / kPanelWidth;
  return static_cast<double>(width) / (panels * kPanelWidth);
}

}  // namespace

template <class T>
void weight_gradient(const Gemm<T>& gemm, int n_threads, long rows, int n, int k, const T* d,
                     int ldd, const T* x, int ldx, bool accumulate, T* g, int ldg,
                     T* column_sums) {
  if constexpr (std::is_same_v<T, float>) {
    // No rows go to BLAS too: an empty sum there is zero (or leaves G with accumulate).
    if (panel_kernel_available() && k <= kMaxKernelColumns && rows > 0) {
      const Operands o{rows, n, k, d, ldd, x, ldx, accumulate, g, ldg, column_sums};
      const int shares = shares_for(n, n_threads, rows * n * k);
      // X narrower than its panels (few input features: 8 at shape S fill a
      // quarter of the lanes) leaves most of each vector idle; D's rows, G*H
      // wide, fill them, so G^T = X^T D is computed instead, into scratch of
      // k x n values (one small allocation per call).
      if (lanes_busy(n) > lanes_busy(k)) {
        std::vector<float> scratch(static_cast<size_t>(k) * n);
        parallel_over(even_bounds(n, shares), [&](int n_first, int n_last) {
          kernel_share_transposed(o, n_first, n_last, scratch.data());
        });
      } else {
        parallel_over(even_bounds(n, shares),
                      [&](int n_first, int n_last) { kernel_share(o, n_first, n_last); });
      }
      return;
    }
  }
  threaded_gemm(gemm, n_threads, true, false, n, k, static_cast<int>(rows), T(1), d, ldd, x, ldx,
                accumulate ? T(1) : T(0), g, ldg);
  if (column_sums) sum_rows(d, rows, n, ldd, column_sums);
}

template void weight_gradient<float>(const Gemm<float>&, int, long, int, int, const float*, int,
                                     const float*, int, bool, float*, int, float*);
template void weight_gradient<double>(const Gemm<double>&, int, long, int, int, const double*,
                                      int, const double*, int, bool, double*, int, double*);

}  // namespace rnnsk
