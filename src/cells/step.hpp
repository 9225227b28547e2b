// What one time step's elementwise kernel reads and writes.
//
// The layer code runs the GEMMs (input projection for all steps, one recurrent
// product per step); a cell kernel then turns pre-activations into the new state
// (forward) or state gradients into gate gradients (backward) for `rows`
// sequences at once. Every matrix here is row-major with `hidden` (H) or
// `gates * hidden` (G*H) columns unless a leading dimension is given.
#pragma once

#include <type_traits>

namespace rnnsk {

template <class T>
struct StepForward {
  int rows = 0;
  int hidden = 0;
  T* gates = nullptr;            // in: x W_ih^T (no bias); out: saved activations
  const T* recurrent = nullptr;  // h_prev W_hh^T (no bias)
  const T* bias = nullptr;       // b_ih + b_hh, summed once per call
  const T* b_ih = nullptr;       // GRU: the n gate keeps its two biases apart
  const T* b_hh = nullptr;
  const T* h_prev = nullptr;     // GRU: h_{t-1}, row stride ld_h_prev (null where no cell reads it)
  int ld_h_prev = 0;
  T* h_out = nullptr;            // new hidden state, into the layer output
  int ld_out = 0;
  // Also the new hidden state, row stride ld_copy, or null: the caller's output
  // array in training, stored from registers instead of copied there afterwards
  // (kernels.cpp runs a kernel compiled with this second store where it is set).
  T* h_copy = nullptr;
  int ld_copy = 0;
  const T* c_prev = nullptr;     // LSTM: previous cell state
  T* c_saved = nullptr;          // LSTM: new cell state, kept for backward
  T* ah_n_saved = nullptr;       // GRU: W_hn h_prev + b_hn kept for backward
};

template <class T>
struct StepBackward {
  int rows = 0;
  int hidden = 0;
  // dL/dh_t = d_h + d_out: from step t+1, and from the output at this step (row
  // stride ld_d_out; null when the loss does not read the outputs). The kernels
  // add the two as they read them, so the layer keeps no sum of its own.
  const T* d_h = nullptr;
  const T* d_out = nullptr;
  int ld_d_out = 0;
  T* d_c = nullptr;              // LSTM: in dL/dc_t from step t+1, out dL/dc_{t-1}
  const T* gates = nullptr;      // saved activations of this step
  const T* c = nullptr;          // LSTM: c_t
  const T* c_prev = nullptr;     // LSTM: c_{t-1}
  const T* h_prev = nullptr;     // GRU: h_{t-1}, row stride ld_h_prev
  int ld_h_prev = 0;
  const T* ah_n = nullptr;       // GRU: saved W_hn h_{t-1} + b_hn
  T* d_ax = nullptr;             // gate gradients seen by the input product (rows, G*H)
  T* d_ah = nullptr;             // GRU: gate gradients seen by the recurrent product
  T* d_h_prev = nullptr;         // GRU: receives dh_t * z, the path that skips W_hh
};

// Row `row` of h_copy where the kernel was compiled to store there, else null.
template <class T>
inline T* copy_row(const StepForward<T>& s, int row, bool copied) {
  return copied ? s.h_copy + static_cast<long>(row) * s.ld_copy : nullptr;
}

// Calls kernel(from_output, d_out_row) with from_output a std::bool_constant
// telling whether row `row` has an output gradient, so each kernel is compiled
// once with the addition and once without, and never tests for it per element.
template <class T, class Kernel>
inline void with_output_gradient(const StepBackward<T>& s, int row, Kernel kernel) {
  if (s.d_out)
    kernel(std::true_type{}, s.d_out + static_cast<long>(row) * s.ld_d_out);
  else
    kernel(std::false_type{}, static_cast<const T*>(nullptr));
}

}  // namespace rnnsk
