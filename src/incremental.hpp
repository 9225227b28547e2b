// One step of a unidirectional stack of layers for a batch of states, with no
// tape: what text generation and decoders run once per token.
//
// Network::forward lays out every weight matrix for its products on each call,
// which for a single step costs as much as the products themselves. Here the
// weights are laid out once (prepare) and every step then does, per layer, one
// product with W_ih, one with W_hh and the cell's kernel, advancing the states
// in place.
#pragma once

#include <vector>

#include "blas.hpp"
#include "network.hpp"
#include "packed_gemm.hpp"

namespace rnnsk {

template <class T>
class IncrementalStep {
 public:
  IncrementalStep(const NetworkConfig& config, FortranGemm<T> gemm);

  // Lays out the weights of `params` (flat, parameter_layout) for the steps;
  // `params` must stay alive and unchanged until the next prepare.
  void prepare(const T* params);

  // x: (batch, input_size); h and c (LSTM only, else null): (layers, batch, H),
  // replaced by the states after reading x.
  void step(const T* x, int batch, T* h, T* c);

 private:
  struct Layer {
    PackedMatrix<T> input;      // W_ih^T
    PackedMatrix<T> recurrent;  // W_hh^T
    std::vector<T> bias;        // b_ih + b_hh
    const T* b_ih = nullptr;
    const T* b_hh = nullptr;
  };

  NetworkConfig config_;
  Gemm<T> gemm_;
  std::vector<ParameterEntry> layout_;
  std::vector<Layer> layers_;
  bool prepared_ = false;
  // Scratch of one step: gate pre-activations, recurrent product, new states.
  std::vector<T> gates_, recurrent_, h_new_, c_new_, ah_n_;
};

}  // namespace rnnsk
