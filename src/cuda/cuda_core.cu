// Networks on CUDA GPUs: the device algorithm with the CUDA backend.
#include <string>

#include "cuda/cuda_backend.cuh"
#include "device/device_network.hpp"

namespace rnnsk {

int cuda_device_count() {
  int count = 0;
  // Without a driver or a GPU this reports an error: then no device is usable.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear it
    return 0;
  }
  return count;
}

template <class T>
std::unique_ptr<Core> make_cuda_core(const NetworkConfig& config, int device_index) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(std::string("no CUDA GPU is usable: ") +
                             cudaGetErrorString(status) + "; use device='cpu'");
  }
  if (device_index < 0 || device_index >= count)
    throw std::runtime_error("CUDA device " + std::to_string(device_index) +
                             " does not exist: this machine has " + std::to_string(count) +
                             " CUDA GPU(s)");
  return std::make_unique<device::DeviceNetwork<T, device::CudaBackend<T>>>(
      config, device::CudaBackend<T>(device_index));
}

template std::unique_ptr<Core> make_cuda_core<float>(const NetworkConfig&, int);
template std::unique_ptr<Core> make_cuda_core<double>(const NetworkConfig&, int);

}  // namespace rnnsk
