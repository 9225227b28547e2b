// A stack of recurrent layers, optionally bidirectional, over batches of
// variable-length sequences: the unit the Python layer calls, once per minibatch.
//
// Parameters live in one flat array owned by the caller, laid out tensor after
// tensor in PyTorch's state_dict order (see parameter_layout); gradients use the
// same layout. Inputs and outputs are batch-first and padded; inside, everything
// is packed (see packing.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blas.hpp"
#include "cells/cell_kind.hpp"
#include "direction.hpp"
#include "packing.hpp"

namespace rnnsk {

struct NetworkConfig {
  CellKind cell = CellKind::lstm;
  int input_size = 1;
  int hidden_size = 1;
  int num_layers = 1;
  bool bidirectional = false;
  double dropout = 0.0;

  int directions() const { return bidirectional ? 2 : 1; }
  int layer_input_size(int layer) const {
    return layer == 0 ? input_size : directions() * hidden_size;
  }
  void validate() const;
};

struct ParameterEntry {
  std::string name;  // PyTorch's: weight_ih_l0, bias_hh_l1_reverse, ...
  long offset;       // into the flat parameter array
  int rows;
  int cols;          // 0 for a bias vector
};

std::vector<ParameterEntry> parameter_layout(const NetworkConfig& config);
long parameter_count(const NetworkConfig& config);

template <class T>
struct ForwardArgs {
  const T* params = nullptr;
  const T* x = nullptr;            // (batch, steps, input_size)
  const int64_t* lengths = nullptr;  // (batch)
  int batch = 0;
  int steps = 0;
  const T* h0 = nullptr;           // (layers * directions, batch, H) or null
  const T* c0 = nullptr;           // LSTM, same shape, or null
  bool training = false;           // keep the tape for backward, apply dropout
  uint64_t dropout_seed = 0;
  int n_threads = 1;
  T* out = nullptr;                // (batch, steps, directions * H), or null: not wanted
  T* h_n = nullptr;                // (layers * directions, batch, H)
  T* c_n = nullptr;                // LSTM only
};

template <class T>
struct BackwardArgs {
  const T* params = nullptr;       // the same parameters forward used
  const T* d_out = nullptr;        // each gradient may be null (zero)
  const T* d_h_n = nullptr;
  const T* d_c_n = nullptr;
  T* grads = nullptr;              // flat, parameter layout
  bool accumulate = false;
  int n_threads = 1;
  T* d_x = nullptr;                // (batch, steps, input_size), or null: not wanted
  T* d_h0 = nullptr;               // (layers * directions, batch, H)
  T* d_c0 = nullptr;               // LSTM only
};

// Bytes of host memory network.cpp's algorithm takes for one forward (and
// backward when training) over `batch` sequences padded to `steps` with `rows`
// real steps, elements of `element_size` bytes: the tape, the workspace, the
// weights laid out in panels and the caller's padded arrays. In double, which
// does not overflow for absurd sizes (the caller refuses those).
double cpu_call_bytes(const NetworkConfig& config, int element_size, long batch, long steps,
                      long rows, bool training);

template <class T>
class Network {
 public:
  Network(const NetworkConfig& config, FortranGemm<T> gemm);

  void forward(const ForwardArgs<T>& args);
  void backward(const BackwardArgs<T>& args);

 private:
  // The two algorithms forward runs between sorting the initial states and
  // returning the final ones. Training keeps the tape backward reads and
  // applies dropout; inference keeps nothing for backward.
  void forward_training(const ForwardArgs<T>& args);
  void forward_inference(const ForwardArgs<T>& args);

  DirectionWeights<T> weights(const T* params, int layer, int direction) const;
  DirectionGradients<T> gradients(T* grads, int layer, int direction) const;
  // One direction's rows of the states in sorted order: forward reads the
  // initial states and writes the final ones; backward reads the final states'
  // gradients and writes the initial states' in the same places.
  struct SortedStates {
    T* h_initial;
    T* c_initial;  // LSTM only, else null
    T* h_final;
    T* c_final;    // LSTM only, else null
  };
  SortedStates sorted_states(int layer, int direction);
  // A layer's input in the last forward(training=true): the network's, or the
  // outputs of the layer below (after dropout).
  const T* layer_input(int layer) const;
  // Reorders (layers * directions, batch, H) states between caller and sorted order.
  void states_to_sorted(const T* original, std::vector<T>& sorted) const;
  void states_from_sorted(const std::vector<T>& sorted, T* original) const;

  NetworkConfig config_;
  Gemm<T> gemm_;
  std::vector<ParameterEntry> layout_;
  std::vector<RecurrentDirection<T>> directions_;  // index layer * directions + direction

  // Kept from the last forward(training=true) for backward.
  Packing packing_;
  bool taped_ = false;
  bool dropout_applied_ = false;
  std::vector<T> packed_x_;
  // Per layer: (rows, directions * H). Inference uses the first two alone,
  // alternating.
  std::vector<std::vector<T>> outputs_;
  std::vector<std::vector<T>> masks_;    // per layer but the last: dropout mask
  std::vector<std::vector<T>> dropped_;  // per layer but the last: output * mask

  // Scratch.
  std::vector<T> h0_sorted_, c0_sorted_, hn_sorted_, cn_sorted_;
  std::vector<T> d_upper_, d_lower_;
};

}  // namespace rnnsk
