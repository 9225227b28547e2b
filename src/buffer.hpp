// Workspace buffers that grow to the largest size asked for and are then reused.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

namespace rnnsk {

template <class T>
T* grow(std::vector<T>& buffer, long size) {
  if (static_cast<long>(buffer.size()) < size) buffer.resize(size);
  return buffer.data();
}

template <class T>
void copy_or_zero(const T* source, long count, T* destination) {
  if (source)
    std::memcpy(destination, source, sizeof(T) * count);
  else
    std::fill(destination, destination + count, T(0));
}

// destination = values, or destination += values with `accumulate`.
template <class T>
void store_or_add(const T* values, int count, bool accumulate, T* destination) {
  for (int j = 0; j < count; ++j)
    destination[j] = accumulate ? destination[j] + values[j] : values[j];
}

}  // namespace rnnsk
