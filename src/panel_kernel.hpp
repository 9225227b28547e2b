// The register-blocked AVX-512 micro-kernel behind the core's own float products
// (the per-step recurrent product and the weight gradients).
//
// One call computes a block of C of up to kBlockRows rows and kPanelWidth
// columns: C[r][j] (+)= sum over p < depth of A(r, p) B(p, j). The accumulators
// live in registers for the whole depth loop; each step loads one row of B and
// broadcasts one value of A per row. A and B are read through strides, so the
// same kernel streams packed weight panels, rows of a matrix, or columns of one.
#pragma once

namespace rnnsk {

constexpr int kPanelWidth = 32;  // columns: two AVX-512 vectors of floats
constexpr int kBlockRows = 6;    // rows: 12 accumulators of the 32 registers

struct PanelBlock {
  int rows = 0;                 // 1..kBlockRows
  int cols = 0;                 // 1..kPanelWidth; B and C are read only up to here
  long depth = 0;
  const float* a = nullptr;     // A(r, p) = a[r * a_row_step + p * a_depth_step]
  long a_row_step = 0;
  long a_depth_step = 0;
  const float* b = nullptr;     // B(p, j) = b[p * b_depth_step + j]
  long b_depth_step = 0;
  float* c = nullptr;           // C(r, j) = c[r * ldc + j]
  long ldc = 0;
  bool accumulate = false;      // add to C instead of overwriting it
};

// Whether this processor runs the kernel.
bool panel_kernel_available();

// Computes one block; only call when panel_kernel_available().
void multiply_panel_block(const PanelBlock& block);

}  // namespace rnnsk
