// Built instead of src/cuda/ when rnnsk is compiled without CUDA support: asking
// for a GPU then fails with an error that says how to get one.
#include <stdexcept>

#include "core.hpp"

namespace rnnsk {

namespace {
[[noreturn]] void no_cuda() {
  throw std::runtime_error(
      "this build of rnnsk has no CUDA support; reinstall it with "
      "pip install --no-build-isolation -Csetup-args=-Dcuda=enabled \".[cuda]\" from its "
      "source tree (needs nvcc and the nvidia-cublas wheel; docs/guide/gpu.md), or use "
      "device='cpu'");
}
}  // namespace

int cuda_device_count() { no_cuda(); }

template <class T>
std::unique_ptr<Core> make_cuda_core(const NetworkConfig&, int) {
  no_cuda();
}

template std::unique_ptr<Core> make_cuda_core<float>(const NetworkConfig&, int);
template std::unique_ptr<Core> make_cuda_core<double>(const NetworkConfig&, int);

}  // namespace rnnsk
