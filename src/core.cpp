#include "core.hpp"

namespace rnnsk {

namespace {

template <class T>
std::unique_ptr<Core> make_typed(const NetworkConfig& config, int device, FortranGemm<T> gemm) {
  if (device == kCpuDevice) return make_cpu_core<T>(config, gemm);
  if (device == kEmulatedDevice) return make_emulated_core<T>(config, gemm);
  return make_cuda_core<T>(config, device);
}

}  // namespace

std::unique_ptr<Core> make_core(const NetworkConfig& config, bool double_precision, int device,
                                FortranGemm<float> sgemm, FortranGemm<double> dgemm) {
  config.validate();
  if (double_precision) return make_typed<double>(config, device, dgemm);
  return make_typed<float>(config, device, sgemm);
}

}  // namespace rnnsk
