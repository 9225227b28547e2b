// The CPU core: network.cpp's algorithm over the parameters, gradients and
// optimizer state of a TrainedCore in host memory. The optimizer's elementwise
// work runs in the emulator backend's host loop, the same functors a GPU runs.
#include <memory>
#include <stdexcept>

#include "core.hpp"
#include "device/host_backend.hpp"
#include "trained_core.hpp"

namespace rnnsk {

namespace {

template <class T>
class CpuCore final : public TrainedCore<T, device::HostBackend<T>> {
 public:
  CpuCore(const NetworkConfig& config, FortranGemm<T> gemm)
      : TrainedCore<T, device::HostBackend<T>>(config, device::HostBackend<T>(gemm)),
        config_(config), network_(config, gemm) {}

  double host_bytes(long batch, long steps, long rows, bool training) const override {
    return cpu_call_bytes(config_, sizeof(T), batch, steps, rows, training);
  }

  // Host memory: the binding shows these arrays to Python without copying.
  void* host_parameters() override { return this->params(); }
  void* host_gradients() override { return this->grads(); }

 protected:
  void run_forward(const ForwardArgs<T>& args) override {
    ForwardArgs<T> own = args;
    own.params = this->params();
    network_.forward(own);
  }
  void run_backward(const BackwardArgs<T>& args) override {
    BackwardArgs<T> own = args;
    own.params = this->params();
    own.grads = this->grads();
    network_.backward(own);
  }

 private:
  NetworkConfig config_;
  Network<T> network_;
};

}  // namespace

template <class T>
std::unique_ptr<Core> make_cpu_core(const NetworkConfig& config, FortranGemm<T> gemm) {
  if (!gemm) throw std::invalid_argument("no GEMM routine was given");
  return std::make_unique<CpuCore<T>>(config, gemm);
}

template std::unique_ptr<Core> make_cpu_core(const NetworkConfig&, FortranGemm<float>);
template std::unique_ptr<Core> make_cpu_core(const NetworkConfig&, FortranGemm<double>);

}  // namespace rnnsk
