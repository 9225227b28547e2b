#include "packing.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "parallel.hpp"

namespace rnnsk {

void Packing::build(const int64_t* lengths, int batch_count, int step_count) {
  if (batch_count < 1) throw std::invalid_argument("the batch holds no sequence");
  if (step_count < 1) throw std::invalid_argument("sequences have no time step");
  for (int b = 0; b < batch_count; ++b) {
    if (lengths[b] < 1 || lengths[b] > step_count)
      throw std::invalid_argument("length of sequence " + std::to_string(b) + " is " +
                                  std::to_string(lengths[b]) + ", outside [1, " +
                                  std::to_string(step_count) + "]");
  }
  batch = batch_count;
  steps = step_count;
  order.resize(batch);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return lengths[a] > lengths[b]; });
  position.resize(batch);
  sorted_lengths.resize(batch);
  for (int i = 0; i < batch; ++i) {
    position[order[i]] = i;
    sorted_lengths[i] = static_cast<int>(lengths[order[i]]);
  }

  batch_sizes.assign(steps, 0);
  offsets.assign(steps, 0);
  // Sorted lengths are non-increasing, so the running count at step t is the
  // number of samples longer than t.
  int running = batch;
  rows = 0;
  for (int t = 0; t < steps; ++t) {
    while (running > 0 && lengths[order[running - 1]] <= t) --running;
    batch_sizes[t] = running;
    offsets[t] = rows;
    rows += running;
  }
}

std::vector<int> Packing::balanced_bounds(int shares) const {
  std::vector<int> bounds(shares + 1, batch);
  bounds[0] = 0;
  long taken = 0;
  int share = 1;
  for (int i = 0; i < batch && share < shares; ++i) {
    taken += sorted_lengths[i];
    // Close the share once it holds its part of the rows, leaving a sample for
    // every share still to come.
    if (taken * shares >= rows * share || batch - (i + 1) == shares - share)
      bounds[share++] = i + 1;
  }
  return bounds;
}

template <class T>
void Packing::pack(const T* padded, int width, T* packed, int n_threads) const {
  const int shares = shares_for_copy(steps, n_threads, rows * width);
  parallel_over(even_bounds(steps, shares), [&](int first_step, int last_step) {
    for (int t = first_step; t < last_step; ++t) {
      for (int i = 0; i < batch_sizes[t]; ++i) {
        const T* src = padded + (static_cast<long>(order[i]) * steps + t) * width;
        std::memcpy(packed + (offsets[t] + i) * width, src, sizeof(T) * width);
      }
    }
  });
}

template <class T>
void Packing::unpack(const T* packed, int width, T* padded, int n_threads) const {
  const int shares = shares_for_copy(batch, n_threads, static_cast<long>(batch) * steps * width);
  // Each share writes whole samples: their steps, then zeros over their padding.
  parallel_over(even_bounds(batch, shares), [&](int first, int last) {
    for (int i = first; i < last; ++i) {
      const int length = sorted_lengths[i];
      T* sample = padded + static_cast<long>(order[i]) * steps * width;
      for (int t = 0; t < length; ++t)
        std::memcpy(sample + static_cast<long>(t) * width, packed + (offsets[t] + i) * width,
                    sizeof(T) * width);
      std::memset(sample + static_cast<long>(length) * width, 0,
                  sizeof(T) * static_cast<size_t>(steps - length) * width);
    }
  });
}

template <class T>
void Packing::to_sorted(const T* original, int blocks, int width, T* sorted) const {
  const long block = static_cast<long>(batch) * width;
  if (!original) {
    std::fill(sorted, sorted + blocks * block, T(0));
    return;
  }
  for (long k = 0; k < blocks; ++k)
    for (int i = 0; i < batch; ++i)
      std::memcpy(sorted + k * block + static_cast<long>(i) * width,
                  original + k * block + static_cast<long>(order[i]) * width, sizeof(T) * width);
}

template <class T>
void Packing::from_sorted(const T* sorted, int blocks, int width, T* original) const {
  const long block = static_cast<long>(batch) * width;
  for (long k = 0; k < blocks; ++k)
    for (int i = 0; i < batch; ++i)
      std::memcpy(original + k * block + static_cast<long>(order[i]) * width,
                  sorted + k * block + static_cast<long>(i) * width, sizeof(T) * width);
}

#define RNNSK_INSTANTIATE_PACKING(T)                                     \
  template void Packing::pack<T>(const T*, int, T*, int) const;          \
  template void Packing::unpack<T>(const T*, int, T*, int) const;        \
  template void Packing::to_sorted<T>(const T*, int, int, T*) const;     \
  template void Packing::from_sorted<T>(const T*, int, int, T*) const;

RNNSK_INSTANTIATE_PACKING(float)
RNNSK_INSTANTIATE_PACKING(double)

}  // namespace rnnsk
