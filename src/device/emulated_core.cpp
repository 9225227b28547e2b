// The host emulator of the device algorithm (see host_backend.hpp).
#include "device/device_network.hpp"
#include "device/host_backend.hpp"

namespace rnnsk {

template <class T>
std::unique_ptr<Core> make_emulated_core(const NetworkConfig& config,
                                                  FortranGemm<T> gemm) {
  if (!gemm) throw std::invalid_argument("no GEMM routine was given");
  return std::make_unique<device::DeviceNetwork<T, device::HostBackend<T>>>(
      config, device::HostBackend<T>(gemm));
}

template std::unique_ptr<Core> make_emulated_core(const NetworkConfig&,
                                                               FortranGemm<float>);
template std::unique_ptr<Core> make_emulated_core(const NetworkConfig&,
                                                                FortranGemm<double>);

}  // namespace rnnsk
