#include "network.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <utility>

#include "buffer.hpp"
#include "dropout.hpp"
#include "parallel.hpp"

namespace rnnsk {

void NetworkConfig::validate() const {
  if (input_size < 1) throw std::invalid_argument("input_size must be at least 1");
  if (hidden_size < 1) throw std::invalid_argument("hidden_size must be at least 1");
  if (num_layers < 1) throw std::invalid_argument("num_layers must be at least 1");
  if (!(dropout >= 0.0 && dropout < 1.0))
    throw std::invalid_argument("dropout must be in [0, 1)");
  // Rows of the gate matrices (gates x hidden_size) and widths of a layer's
  // outputs (directions x hidden_size) are int throughout the core and BLAS.
  const long widest = static_cast<long>(std::max(gate_count(cell), directions())) * hidden_size;
  if (widest > INT_MAX)
    throw std::invalid_argument(
        "hidden_size " + std::to_string(hidden_size) + " is too large: the network's " +
        std::to_string(widest) + " gate rows exceed the core's index range (" +
        std::to_string(INT_MAX) + ")");
}

// Backpropagation through time keeps every step's activations, so memory grows
// with rows. Per layer and direction the tape holds the gate activations
// (rows x G*H), LSTM's cell states or GRU's extra product (rows x H), and a copy
// of the states entering each step (rows x H, LSTM two) unless backward reads
// them in place (sequences of full length); backward adds the gate gradients
// (rows x G*H, twice for GRU) and two gradient buffers of the widest layer.
// Inference keeps no tape: per layer and direction one step's gates, and GRU's
// h_{t-1} and extra product or LSTM's two alternating cell states; and of the
// layers' outputs only two, alternating (a layer reads the one below it).
// Inference over sequences of full length, which reads its inputs and writes
// its outputs in place, needs less than counted.
double cpu_call_bytes(const NetworkConfig& config, int element_size, long batch, long steps,
                      long rows, bool training) {
  const long H = config.hidden_size, D = config.directions(), G = gate_count(config.cell);
  const bool lstm = config.cell == CellKind::lstm, gru = config.cell == CellKind::gru;
  const long states = H * (lstm ? 2 : 1);  // h, and c for the LSTM
  const bool entering_in_place = rows == batch * steps;
  double per_row = 0, per_sequence = 0, weights = 0;
  for (int layer = 0; layer < config.num_layers; ++layer) {
    if (training) {
      const long tape = G * H + (lstm || gru ? H : 0) + (entering_in_place ? 0 : states);
      per_row += D * (tape + G * H * (gru ? 2 : 1));  // and the gate gradients
    } else {
      per_sequence += D * (G * H + (lstm || gru ? 2 * H : 0));  // one step's worth
    }
    if (training || layer < 2) per_row += D * H;  // the layer's output
    // A step's recurrent product, the initial states, and in backward the
    // gradients carried between steps (GRU: and a copy of them).
    const long carried = training ? states + (gru ? H : 0) : 0;
    per_sequence += D * (G * H + states + carried);
    // W_ih and W_hh laid out in panels of 32 columns, once per call.
    weights += static_cast<double>(D) * ((G * H + 31) / 32) * 32 *
               (config.layer_input_size(layer) + H);
  }
  // Initial and final states in sorted order, and the final states returned.
  per_sequence += (lstm ? 6 : 3) * config.num_layers * D * H;
  const long widest = std::max<long>(config.input_size, D * H);
  per_row += config.input_size + (training ? 2 * widest : 0);
  if (training && config.dropout > 0.0)
    per_row += 2 * (config.num_layers - 1) * D * H;  // masks and dropped outputs
  // The padded arrays the caller passes and receives.
  const double padded = static_cast<double>(batch) * steps *
                        (config.input_size * (training ? 2 : 1) + D * H);
  return element_size * (rows * per_row + batch * per_sequence + weights + padded);
}

std::vector<ParameterEntry> parameter_layout(const NetworkConfig& config) {
  config.validate();
  const int gh = gate_count(config.cell) * config.hidden_size;
  std::vector<ParameterEntry> layout;
  long offset = 0;
  auto add = [&](const std::string& name, int rows, int cols) {
    layout.push_back({name, offset, rows, cols});
    offset += static_cast<long>(rows) * std::max(cols, 1);
  };
  for (int layer = 0; layer < config.num_layers; ++layer) {
    for (int direction = 0; direction < config.directions(); ++direction) {
      const std::string suffix =
          "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      add("weight_ih" + suffix, gh, config.layer_input_size(layer));
      add("weight_hh" + suffix, gh, config.hidden_size);
      add("bias_ih" + suffix, gh, 0);
      add("bias_hh" + suffix, gh, 0);
    }
  }
  return layout;
}

long parameter_count(const NetworkConfig& config) {
  const auto layout = parameter_layout(config);
  const auto& last = layout.back();
  return last.offset + static_cast<long>(last.rows) * std::max(last.cols, 1);
}

namespace {

// Whether the cells can address rows `width` wide in the caller's padded
// batch-first array itself (StepRows with a step stride): every sequence runs
// every step, and a sample's rows, steps x width values, fit the int row stride.
bool batch_first_in_place(const Packing& packing, int width) {
  return packing.full_length() && static_cast<long>(packing.steps) * width <= INT_MAX;
}

}  // namespace

template <class T>
Network<T>::Network(const NetworkConfig& config, FortranGemm<T> gemm)
    : config_(config), gemm_(gemm), layout_(parameter_layout(config)) {
  if (!gemm_.ready()) throw std::invalid_argument("no GEMM routine was given");
  for (int layer = 0; layer < config.num_layers; ++layer)
    for (int direction = 0; direction < config.directions(); ++direction)
      directions_.emplace_back(config.cell, config.layer_input_size(layer), config.hidden_size,
                               direction == 1);
  outputs_.resize(config.num_layers);
  masks_.resize(config.num_layers - 1);
  dropped_.resize(config.num_layers - 1);
}

template <class T>
DirectionWeights<T> Network<T>::weights(const T* params, int layer, int direction) const {
  const ParameterEntry* e = &layout_[4 * (layer * config_.directions() + direction)];
  return {params + e[0].offset, params + e[1].offset, params + e[2].offset, params + e[3].offset};
}

template <class T>
DirectionGradients<T> Network<T>::gradients(T* grads, int layer, int direction) const {
  const ParameterEntry* e = &layout_[4 * (layer * config_.directions() + direction)];
  return {grads + e[0].offset, grads + e[1].offset, grads + e[2].offset, grads + e[3].offset};
}

template <class T>
typename Network<T>::SortedStates Network<T>::sorted_states(int layer, int direction) {
  const bool lstm = config_.cell == CellKind::lstm;
  const long k = (layer * config_.directions() + direction) * static_cast<long>(packing_.batch) *
                 config_.hidden_size;
  return {h0_sorted_.data() + k, lstm ? c0_sorted_.data() + k : nullptr, hn_sorted_.data() + k,
          lstm ? cn_sorted_.data() + k : nullptr};
}

template <class T>
const T* Network<T>::layer_input(int layer) const {
  if (layer == 0) return packed_x_.data();
  return dropout_applied_ ? dropped_[layer - 1].data() : outputs_[layer - 1].data();
}

template <class T>
void Network<T>::states_to_sorted(const T* original, std::vector<T>& sorted) const {
  const int count = config_.num_layers * config_.directions();
  T* dst = grow(sorted, static_cast<long>(count) * packing_.batch * config_.hidden_size);
  packing_.to_sorted(original, count, config_.hidden_size, dst);
}

template <class T>
void Network<T>::states_from_sorted(const std::vector<T>& sorted, T* original) const {
  packing_.from_sorted(sorted.data(), config_.num_layers * config_.directions(),
                       config_.hidden_size, original);
}

template <class T>
void Network<T>::forward(const ForwardArgs<T>& a) {
  FlushDenormals flush;
  taped_ = false;
  packing_.build(a.lengths, a.batch, a.steps);
  const bool lstm = config_.cell == CellKind::lstm;
  const long states = static_cast<long>(config_.num_layers) * config_.directions() * a.batch *
                      config_.hidden_size;
  // Both algorithms read the initial states and leave the final ones in sorted
  // order (see sorted_states).
  states_to_sorted(a.h0, h0_sorted_);
  if (lstm) states_to_sorted(a.c0, c0_sorted_);
  grow(hn_sorted_, states);
  if (lstm) grow(cn_sorted_, states);
  if (a.training)
    forward_training(a);
  else
    forward_inference(a);
  states_from_sorted(hn_sorted_, a.h_n);
  if (lstm) states_from_sorted(cn_sorted_, a.c_n);
  taped_ = a.training;
}

// Every layer's inputs and outputs stay in packed rows, as the tape and
// backward read them.
template <class T>
void Network<T>::forward_training(const ForwardArgs<T>& a) {
  const int H = config_.hidden_size, D = config_.directions(), width = D * H;
  const long rows = packing_.rows;
  packing_.pack(a.x, config_.input_size, grow(packed_x_, rows * config_.input_size),
                a.n_threads);
  dropout_applied_ = config_.dropout > 0.0;
  // The last layer's cells store each output row a second time, into the
  // caller's array, from registers, when they can address its rows.
  const bool out_copied = a.out && batch_first_in_place(packing_, width);
  for (int layer = 0; layer < config_.num_layers; ++layer) {
    const bool last = layer + 1 == config_.num_layers;
    T* out = grow(outputs_[layer], rows * width);
    const auto input =
        StepRows<const T>::packed(layer_input(layer), config_.layer_input_size(layer));
    for (int d = 0; d < D; ++d) {
      StepRows<T> out_copy{};
      if (last && out_copied)
        out_copy = StepRows<T>::batch_first(a.out + d * H, packing_, width);
      const SortedStates s = sorted_states(layer, d);
      directions_[layer * D + d].forward_training(
          gemm_, packing_, weights(a.params, layer, d), input, s.h_initial, s.c_initial,
          StepRows<T>::packed(out + d * H, width), out_copy, s.h_final, s.c_final, a.n_threads);
    }
    if (dropout_applied_ && !last) {
      T* mask = grow(masks_[layer], rows * width);
      T* dropped = grow(dropped_[layer], rows * width);
      fill_dropout_mask(a.dropout_seed, layer, config_.dropout, rows * width, mask);
      for (long i = 0; i < rows * width; ++i) dropped[i] = out[i] * mask[i];
    }
  }
  if (a.out && !out_copied) packing_.unpack(outputs_.back().data(), width, a.out, a.n_threads);
}

// A layer's outputs are read by the layer above alone, so the layers alternate
// between two buffers: layer l writes outputs_[l % 2] and reads the other.
template <class T>
void Network<T>::forward_inference(const ForwardArgs<T>& a) {
  const int I = config_.input_size, H = config_.hidden_size, D = config_.directions(),
            width = D * H;
  const long rows = packing_.rows;
  // Over a batch whose sequences all run every step, the first layer reads its
  // inputs and the last writes its outputs where the caller keeps them
  // (batch-first; the sorted order is then the original one) instead of
  // copying them to and from time-major order.
  const bool in_place = batch_first_in_place(packing_, std::max(I, width));
  auto input = StepRows<const T>::batch_first(a.x, packing_, I);
  if (!in_place) {
    packing_.pack(a.x, I, grow(packed_x_, rows * I), a.n_threads);
    input = StepRows<const T>::packed(packed_x_.data(), I);
  }
  const bool out_in_place = in_place && a.out;
  T* out = nullptr;
  for (int layer = 0; layer < config_.num_layers; ++layer) {
    const bool to_caller = out_in_place && layer + 1 == config_.num_layers;
    out = to_caller ? a.out : grow(outputs_[layer % 2], rows * width);
    for (int d = 0; d < D; ++d) {
      const auto out_rows = to_caller ? StepRows<T>::batch_first(out + d * H, packing_, width)
                                      : StepRows<T>::packed(out + d * H, width);
      const SortedStates s = sorted_states(layer, d);
      directions_[layer * D + d].forward_inference(
          gemm_, packing_, weights(a.params, layer, d), input, s.h_initial, s.c_initial,
          out_rows, s.h_final, s.c_final, a.n_threads);
    }
    input = StepRows<const T>::packed(out, width);
  }
  if (a.out && !out_in_place) packing_.unpack(out, width, a.out, a.n_threads);
}

template <class T>
void Network<T>::backward(const BackwardArgs<T>& a) {
  if (!taped_)
    throw std::runtime_error("backward needs a preceding forward with training=True");
  FlushDenormals flush;
  const bool lstm = config_.cell == CellKind::lstm;
  const int H = config_.hidden_size, D = config_.directions(), width = D * H;
  const long rows = packing_.rows;

  const long widest = rows * std::max(width, config_.input_size);
  grow(d_upper_, widest);
  // The top layer's cells read the output gradients where the caller keeps them
  // if they can (as inference reads its inputs), else a packed copy. Without
  // output gradients (a loss on the final states only) the top layer is told so
  // and skips adding zeros at every step.
  const bool d_out_in_place = a.d_out && batch_first_in_place(packing_, width);
  if (a.d_out && !d_out_in_place) packing_.pack(a.d_out, width, d_upper_.data(), a.n_threads);
  // The final-state gradients, sorted, and the initial-state gradients land in
  // the same scratch the forward states used.
  states_to_sorted(a.d_h_n, hn_sorted_);
  if (lstm) states_to_sorted(a.d_c_n, cn_sorted_);

  grow(d_lower_, widest);
  for (int layer = config_.num_layers - 1; layer >= 0; --layer) {
    const bool top = layer + 1 == config_.num_layers;
    // The first layer's input gradient is only computed when the caller wants d_x.
    T* d_input = layer > 0 || a.d_x ? d_lower_.data() : nullptr;
    for (int d = 0; d < D; ++d) {
      auto d_out_rows = StepRows<const T>::packed(d_upper_.data() + d * H, width);
      if (top && !a.d_out) d_out_rows = {};
      if (top && d_out_in_place)
        d_out_rows = StepRows<const T>::batch_first(a.d_out + d * H, packing_, width);
      const SortedStates s = sorted_states(layer, d);
      directions_[layer * D + d].backward(
          gemm_, packing_, weights(a.params, layer, d), layer_input(layer),
          outputs_[layer].data() + d * H, width, d_out_rows, s.h_final, s.c_final,
          gradients(a.grads, layer, d), a.accumulate, d_input, d > 0, s.h_initial,
          s.c_initial, a.n_threads);
    }
    if (layer > 0) {
      if (dropout_applied_) {
        const T* mask = masks_[layer - 1].data();
        for (long i = 0; i < rows * width; ++i) d_lower_[i] *= mask[i];
      }
      std::swap(d_upper_, d_lower_);
    }
  }
  if (a.d_x) packing_.unpack(d_lower_.data(), config_.input_size, a.d_x, a.n_threads);
  states_from_sorted(h0_sorted_, a.d_h0);
  if (lstm) states_from_sorted(c0_sorted_, a.d_c0);
}

template class Network<float>;
template class Network<double>;

}  // namespace rnnsk
