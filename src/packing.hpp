// Packed sequences: the time-major layout the core computes in.
//
// Samples are sorted by decreasing length (stably), so at step t the samples
// still running form the prefix [0, batch_sizes[t]) and the step's rows sit
// contiguously at offsets[t]. Padding is never stored, read or computed, which is
// what PyTorch's PackedSequence does too.
#pragma once

#include <cstdint>
#include <vector>

namespace rnnsk {

struct Packing {
  int batch = 0;
  int steps = 0;
  long rows = 0;                 // sum of all lengths
  std::vector<int> order;        // sorted position -> original sample index
  std::vector<int> position;     // original sample index -> sorted position
  std::vector<int> batch_sizes;  // per step: how many samples are still running
  std::vector<long> offsets;     // per step: first packed row of that step
  std::vector<int> sorted_lengths;  // per sorted position

  // Whether every sequence runs every step (no padding): then each step's rows
  // continue the previous step's at a fixed distance of `batch` packed rows.
  bool full_length() const { return batch_sizes.back() == batch; }

  // Contiguous shares of the sorted samples with about equal numbers of rows, so
  // threads that each run whole sequences finish together.
  std::vector<int> balanced_bounds(int shares) const;

  // Validates lengths (each in [1, steps]) and builds the layout.
  void build(const int64_t* lengths, int batch, int steps);

  // (batch, steps, width) padded, batch-first -> (rows, width) packed; large
  // copies are shared among up to n_threads threads.
  template <class T>
  void pack(const T* padded, int width, T* packed, int n_threads = 1) const;

  // (rows, width) packed -> (batch, steps, width) padded, zeros at padding.
  template <class T>
  void unpack(const T* packed, int width, T* padded, int n_threads = 1) const;

  // States (blocks, batch, width), e.g. one block per layer and direction, in
  // original order <-> sorted order. A null original gives zeros.
  template <class T>
  void to_sorted(const T* original, int blocks, int width, T* sorted) const;
  template <class T>
  void from_sorted(const T* sorted, int blocks, int width, T* original) const;
};

// Where the rows of a layer's input, output or output gradient lie: packed
// (sample i of step t at row offsets[t] + i, `ld` values apart), or, for a batch
// whose sequences all run every step, the caller's padded batch-first array
// itself (sample i of step t at i * ld + t * step_stride, with ld = steps x width
// and step_stride = width), which spares the copies to and from time-major order.
template <class T>
struct StepRows {
  T* base = nullptr;  // null: there are no such rows
  int ld = 0;
  long step_stride = 0;  // 0: packed

  // Rows `width` values wide, packed.
  static StepRows packed(T* base, int width) { return {base, width, 0}; }
  // Rows `width` values wide in a padded batch-first array of packing.steps steps.
  static StepRows batch_first(T* base, const Packing& packing, int width) {
    return {base, packing.steps * width, width};
  }

  // Sample i of step t, or null where there are no rows.
  T* at(const Packing& packing, int t, long i) const {
    if (!base) return nullptr;
    const long step_start = step_stride ? t * step_stride : packing.offsets[t] * ld;
    return base + step_start + i * ld;
  }
};

}  // namespace rnnsk
