// Dropout masks from a counter-based generator: element k of a mask depends only
// on (seed, layer, k), never on which thread (or GPU thread) computes it, so a
// seed fixes the mask whatever the thread count and whichever backend runs.
#pragma once

#include <cstdint>

#include "host_device.hpp"

namespace rnnsk {

RNNSK_HOST_DEVICE inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The generator state of one layer's mask.
inline uint64_t dropout_stream(uint64_t seed, int layer) {
  return splitmix64(seed ^ (0xD1B54A32D192ED03ull * (layer + 1)));
}

// mask[k] = 0 with probability p, else keep_scale = 1 / (1 - p) (inverted
// dropout, as PyTorch).
template <class T>
RNNSK_HOST_DEVICE inline T dropout_mask_value(uint64_t stream, long k, double p, T keep_scale) {
  const double u = (splitmix64(stream + static_cast<uint64_t>(k)) >> 11) * 0x1.0p-53;
  return u < p ? T(0) : keep_scale;
}

template <class T>
void fill_dropout_mask(uint64_t seed, int layer, double p, long count, T* mask) {
  const uint64_t stream = dropout_stream(seed, layer);
  const T keep_scale = static_cast<T>(1.0 / (1.0 - p));
  for (long k = 0; k < count; ++k) mask[k] = dropout_mask_value(stream, k, p, keep_scale);
}

}  // namespace rnnsk
