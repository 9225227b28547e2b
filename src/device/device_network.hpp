// The device implementation of Core for any backend (host_backend.hpp,
// src/cuda/cuda_backend.cuh): the GPU-shaped counterpart of network.cpp.
// Packing and the reordering of states happen on the host, around one upload
// of the inputs and one download of the results per call; everything between
// stays in backend memory.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "buffer.hpp"
#include "device/device_array.hpp"
#include "device/device_direction.hpp"
#include "dropout.hpp"
#include "trained_core.hpp"

namespace rnnsk::device {

template <class T, class Backend>
class DeviceNetwork final : public TrainedCore<T, Backend> {
  using Array = DeviceArray<T, Backend>;

 public:
  DeviceNetwork(const NetworkConfig& config, Backend backend)
      : TrainedCore<T, Backend>(config, std::move(backend)), config_(config),
        backend_(this->backend()), lengths_(backend_), offsets_(backend_), x_(backend_),
        h0_(backend_), c0_(backend_), hn_(backend_), cn_(backend_), d_upper_(backend_),
        d_lower_(backend_) {
    for (int layer = 0; layer < config.num_layers; ++layer) {
      for (int d = 0; d < config.directions(); ++d)
        directions_.emplace_back(backend_, config.cell, config.layer_input_size(layer),
                                 config.hidden_size, d == 1);
      outputs_.emplace_back(backend_);
      masks_.emplace_back(backend_);
      dropped_.emplace_back(backend_);
    }
  }

  // On the host: the staging of one transfer (the widest of the packed inputs,
  // outputs and states) and the caller's padded arrays. The tape is in device
  // memory.
  double host_bytes(long batch, long steps, long rows, bool training) const override {
    const long width = static_cast<long>(config_.directions()) * config_.hidden_size;
    const double staging = std::max(
        static_cast<double>(rows) * std::max<long>(config_.input_size, width),
        static_cast<double>(config_.num_layers) * config_.directions() * batch *
            config_.hidden_size);
    const double padded = static_cast<double>(batch) * steps *
                          (config_.input_size * (training ? 2 : 1) + width);
    return sizeof(T) * (staging + padded);
  }

  // Device memory is reached by upload and download only.
  void* host_parameters() override { return nullptr; }
  void* host_gradients() override { return nullptr; }

 protected:
  void run_forward(const ForwardArgs<T>& a) override {
    taped_ = false;
    packing_.build(a.lengths, a.batch, a.steps);
    upload_packing();
    const bool lstm = config_.cell == CellKind::lstm;
    const int H = config_.hidden_size, D = config_.directions(), width = D * H;
    const long rows = packing_.rows, block = static_cast<long>(a.batch) * H;
    const long states = block * config_.num_layers * D;

    packing_.pack(a.x, config_.input_size, grow(host_, rows * config_.input_size));
    x_.upload(host_.data(), rows * config_.input_size);
    upload_sorted_states(a.h0, h0_);
    if (lstm) upload_sorted_states(a.c0, c0_);
    hn_.grow(states);
    if (lstm) cn_.grow(states);

    dropout_applied_ = a.training && config_.dropout > 0.0;
    const DevicePacking p = device_packing();
    for (int layer = 0; layer < config_.num_layers; ++layer) {
      T* out = layer_outputs(layer, a.training).grow(rows * width);
      const T* below = layer_input(layer, a.training);
      for (int d = 0; d < D; ++d) {
        const long k = (layer * D + d) * block;
        DeviceDirection<T, Backend>& direction = directions_[layer * D + d];
        T* c0 = lstm ? c0_.data() + k : nullptr;
        T* cn = lstm ? cn_.data() + k : nullptr;
        if (a.training)
          direction.forward(backend_, p, weights(layer, d), below, h0_.data() + k, c0,
                            out + d * H, width, hn_.data() + k, cn);
        else
          direction.forward_inference(backend_, p, weights(layer, d), below, h0_.data() + k,
                                      c0, out + d * H, width, hn_.data() + k, cn);
      }
      if (dropout_applied_ && layer + 1 < config_.num_layers)
        backend_.for_each(rows * width, ApplyDropout<T>{
            dropout_stream(a.dropout_seed, layer), config_.dropout,
            static_cast<T>(1.0 / (1.0 - config_.dropout)), out,
            masks_[layer].grow(rows * width), dropped_[layer].grow(rows * width)});
    }
    if (a.out) {
      layer_outputs(config_.num_layers - 1, a.training)
          .download(grow(host_, rows * width), rows * width);
      packing_.unpack(host_.data(), width, a.out);
    }
    download_sorted_states(hn_, a.h_n);
    if (lstm) download_sorted_states(cn_, a.c_n);
    taped_ = a.training;
  }

  void run_backward(const BackwardArgs<T>& a) override {
    if (!taped_)
      throw std::runtime_error("backward needs a preceding forward with training=True");
    const bool lstm = config_.cell == CellKind::lstm;
    const int H = config_.hidden_size, D = config_.directions(), width = D * H;
    const long rows = packing_.rows, block = static_cast<long>(packing_.batch) * H;
    const long widest = rows * std::max(width, config_.input_size);

    d_upper_.grow(widest);
    d_lower_.grow(widest);
    if (a.d_out) {
      packing_.pack(a.d_out, width, grow(host_, rows * width));
      d_upper_.upload(host_.data(), rows * width);
    }
    // The final-state gradients come in, and the initial-state ones go out,
    // through the buffers forward used for the states.
    upload_sorted_states(a.d_h_n, hn_);
    if (lstm) upload_sorted_states(a.d_c_n, cn_);
    const DevicePacking p = device_packing();
    for (int layer = config_.num_layers - 1; layer >= 0; --layer) {
      const bool has_d_out = a.d_out || layer + 1 < config_.num_layers;
      for (int d = 0; d < D; ++d) {
        const long k = (layer * D + d) * block;
        directions_[layer * D + d].backward(
            backend_, p, weights(layer, d), layer_input(layer, true),
            has_d_out ? d_upper_.data() + d * H : nullptr, width, hn_.data() + k,
            lstm ? cn_.data() + k : nullptr, gradients(layer, d), a.accumulate,
            layer > 0 || a.d_x ? d_lower_.data() : nullptr, d > 0, h0_.data() + k,
            lstm ? c0_.data() + k : nullptr);
      }
      if (layer > 0) {
        if (dropout_applied_)
          backend_.for_each(rows * width,
                            MultiplyInPlace<T>{d_lower_.data(), masks_[layer - 1].data()});
        swap(d_upper_, d_lower_);
      }
    }
    if (a.d_x) {
      d_lower_.download(grow(host_, rows * config_.input_size), rows * config_.input_size);
      packing_.unpack(host_.data(), config_.input_size, a.d_x);
    }
    download_sorted_states(h0_, a.d_h0);
    if (lstm) download_sorted_states(c0_, a.d_c0);
  }

 private:
  const ParameterEntry* entries(int layer, int d) const {
    return &this->layout()[4 * (layer * config_.directions() + d)];
  }
  Weights<T> weights(int layer, int d) const {
    const ParameterEntry* e = entries(layer, d);
    const T* base = this->params();
    return {base + e[0].offset, base + e[1].offset, base + e[2].offset, base + e[3].offset};
  }
  WeightGradients<T> gradients(int layer, int d) const {
    const ParameterEntry* e = entries(layer, d);
    T* base = this->grads();
    return {base + e[0].offset, base + e[1].offset, base + e[2].offset, base + e[3].offset};
  }
  // Training keeps every layer's outputs (the tape backward reads); inference
  // only the latest two, alternating (a layer reads the one below it).
  Array& layer_outputs(int layer, bool training) {
    return outputs_[training ? layer : layer % 2];
  }
  // A layer's input: the network's, or the layer below's outputs (after dropout).
  const T* layer_input(int layer, bool training) {
    if (layer == 0) return x_.data();
    return dropout_applied_ ? dropped_[layer - 1].data()
                            : layer_outputs(layer - 1, training).data();
  }

  void upload_packing() {
    lengths_.upload(packing_.sorted_lengths.data(), packing_.batch);
    offsets_.upload(packing_.offsets.data(), packing_.steps);
  }
  DevicePacking device_packing() const { return {&packing_, lengths_.data(), offsets_.data()}; }

  // (layers * directions, batch, H) from the caller's order (zeros for null)
  // to sorted order on the device, and back.
  void upload_sorted_states(const T* original, Array& sorted) {
    const int count = config_.num_layers * config_.directions();
    const long size = static_cast<long>(count) * packing_.batch * config_.hidden_size;
    packing_.to_sorted(original, count, config_.hidden_size, grow(host_, size));
    sorted.upload(host_.data(), size);
  }
  void download_sorted_states(const Array& sorted, T* original) {
    const int count = config_.num_layers * config_.directions();
    const long size = static_cast<long>(count) * packing_.batch * config_.hidden_size;
    sorted.download(grow(host_, size), size);
    packing_.from_sorted(host_.data(), count, config_.hidden_size, original);
  }

  NetworkConfig config_;
  Backend& backend_;  // the base's: every array below releases into it

  std::vector<DeviceDirection<T, Backend>> directions_;
  Packing packing_;
  DeviceArray<int, Backend> lengths_;
  DeviceArray<long, Backend> offsets_;
  bool taped_ = false, dropout_applied_ = false;
  Array x_, h0_, c0_, hn_, cn_, d_upper_, d_lower_;
  std::vector<Array> outputs_, masks_, dropped_;
  std::vector<T> host_;  // staging for transfers
};

}  // namespace rnnsk::device
