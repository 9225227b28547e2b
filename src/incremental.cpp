#include "incremental.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "buffer.hpp"
#include "cells/cell.hpp"
#include "parallel.hpp"

namespace rnnsk {

template <class T>
IncrementalStep<T>::IncrementalStep(const NetworkConfig& config, FortranGemm<T> gemm)
    : config_(config), gemm_(gemm), layout_(parameter_layout(config)) {
  if (!gemm_.ready()) throw std::invalid_argument("no GEMM routine was given");
  if (config.bidirectional)
    throw std::invalid_argument(
        "an incremental step needs a unidirectional network: the reverse direction "
        "would need the tokens after this one");
  layers_.resize(config.num_layers);
}

template <class T>
void IncrementalStep<T>::prepare(const T* params) {
  if (!params) throw std::invalid_argument("no parameters were given");
  const int H = config_.hidden_size, GH = gate_count(config_.cell) * H;
  for (int l = 0; l < config_.num_layers; ++l) {
    const ParameterEntry* e = &layout_[4 * l];
    Layer& layer = layers_[l];
    layer.input.pack(params + e[0].offset, config_.layer_input_size(l), GH, true);
    layer.recurrent.pack(params + e[1].offset, H, GH, true);
    layer.b_ih = params + e[2].offset;
    layer.b_hh = params + e[3].offset;
    layer.bias.resize(GH);
    for (int j = 0; j < GH; ++j) layer.bias[j] = layer.b_ih[j] + layer.b_hh[j];
  }
  prepared_ = true;
}

template <class T>
void IncrementalStep<T>::step(const T* x, int batch, T* h, T* c) {
  if (!prepared_) throw std::logic_error("step needs a preceding prepare");
  if (batch < 1) throw std::invalid_argument("batch must be at least 1");
  if (!x || !h) throw std::invalid_argument("x and h must be given");
  const bool lstm = config_.cell == CellKind::lstm;
  if (lstm && !c) throw std::invalid_argument("the LSTM cell needs c");
  FlushDenormals flush;
  const int H = config_.hidden_size, GH = gate_count(config_.cell) * H;
  const long state = static_cast<long>(batch) * H;
  T* gates = grow(gates_, batch * static_cast<long>(GH));
  T* recurrent = grow(recurrent_, batch * static_cast<long>(GH));
  T* h_new = grow(h_new_, state);
  T* c_new = lstm ? grow(c_new_, state) : nullptr;
  T* ah_n = config_.cell == CellKind::gru ? grow(ah_n_, state) : nullptr;
  const T* input = x;
  for (int l = 0; l < config_.num_layers; ++l) {
    Layer& layer = layers_[l];
    T* h_l = h + l * state;
    T* c_l = lstm ? c + l * state : nullptr;
    const int I = config_.layer_input_size(l);
    layer.input.multiply(gemm_, batch, input, I, gates, GH, false);
    layer.recurrent.multiply(gemm_, batch, h_l, H, recurrent, GH, false);
    StepForward<T> s;
    s.rows = batch;
    s.hidden = H;
    s.gates = gates;
    s.recurrent = recurrent;
    s.bias = layer.bias.data();
    s.b_ih = layer.b_ih;
    s.b_hh = layer.b_hh;
    s.h_prev = h_l;
    s.ld_h_prev = H;
    s.h_out = h_new;
    s.ld_out = H;
    s.c_prev = c_l;
    s.c_saved = c_new;
    s.ah_n_saved = ah_n;
    cell_forward_rows(config_.cell, s, 0, batch);
    // The kernels read the old state while they write the new one: they get
    // separate buffers, copied back once the layer is done.
    std::memcpy(h_l, h_new, sizeof(T) * state);
    if (lstm) std::memcpy(c_l, c_new, sizeof(T) * state);
    input = h_l;
  }
}

template class IncrementalStep<float>;
template class IncrementalStep<double>;

}  // namespace rnnsk
