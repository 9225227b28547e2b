#include "max_pooling.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "isa_dispatch.hpp"

namespace rnnsk {

namespace {

// Step t's row against the largest values so far. A later value wins when it is
// larger, or NaN while the largest is not: !(value <= largest) holds for both,
// and (largest == largest) keeps a first NaN. Branch-free, so it vectorizes.
template <class T>
RNNSK_DISPATCH void take_larger(const T* row, int t, int features, T* largest, int* first) {
  for (int f = 0; f < features; ++f) {
    const T value = row[f];
    const bool later_wins = !(value <= largest[f]) && largest[f] == largest[f];
    largest[f] = later_wins ? value : largest[f];
    first[f] = later_wins ? t : first[f];
  }
}

}  // namespace

template <class T>
void argmax_over_steps(const T* values, const int64_t* lengths, int batch, int steps,
                       int features, int64_t* index) {
  for (int b = 0; b < batch; ++b)
    if (lengths[b] < 1 || lengths[b] > steps)
      throw std::invalid_argument("length of sequence " + std::to_string(b) + " is " +
                                  std::to_string(lengths[b]) + ", outside [1, " +
                                  std::to_string(steps) + "]");
  std::vector<T> largest(features);
  std::vector<int> first(features);
  for (int b = 0; b < batch; ++b) {
    const T* sequence = values + static_cast<long>(b) * steps * features;
    largest.assign(sequence, sequence + features);
    first.assign(features, 0);
    for (int t = 1; t < lengths[b]; ++t)
      take_larger(sequence + static_cast<long>(t) * features, t, features, largest.data(),
                  first.data());
    for (int f = 0; f < features; ++f) index[static_cast<long>(b) * features + f] = first[f];
  }
}

template void argmax_over_steps<float>(const float*, const int64_t*, int, int, int, int64_t*);
template void argmax_over_steps<double>(const double*, const int64_t*, int, int, int,
                                        int64_t*);

}  // namespace rnnsk
