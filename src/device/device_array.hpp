// A buffer in a backend's memory (GPU memory for CUDA, host memory for the
// emulator) that grows to the largest size asked for and is then reused, so
// repeated calls allocate nothing.
#pragma once

#include <cstddef>
#include <utility>

namespace rnnsk::device {

template <class E, class Backend>
class DeviceArray {
 public:
  explicit DeviceArray(Backend& backend) : backend_(&backend) {}
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept
      : backend_(other.backend_), data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  ~DeviceArray() { backend_->release(data_); }

  // Contents are not kept when the buffer grows.
  E* grow(long size) {
    if (size > size_) {
      backend_->release(data_);
      data_ = nullptr;
      size_ = 0;
      data_ = static_cast<E*>(backend_->allocate(sizeof(E) * static_cast<size_t>(size)));
      size_ = size;
    }
    return data_;
  }

  E* data() const { return data_; }
  long size() const { return size_; }

  void upload(const E* host, long count) {
    backend_->upload(grow(count), host, sizeof(E) * static_cast<size_t>(count));
  }
  void download(E* host, long count) const {
    backend_->download(host, data_, sizeof(E) * static_cast<size_t>(count));
  }

  friend void swap(DeviceArray& a, DeviceArray& b) noexcept {
    std::swap(a.data_, b.data_);
    std::swap(a.size_, b.size_);
  }

 private:
  Backend* backend_;
  E* data_ = nullptr;
  long size_ = 0;
};

}  // namespace rnnsk::device
