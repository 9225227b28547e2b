# Declarations of the C++ core (src/network.hpp) for the Cython binding.
from libc.stdint cimport int64_t, uint64_t
from libcpp cimport bool
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector

ctypedef void (*sgemm_routine)(char*, char*, int*, int*, int*, float*, float*, int*,
                               float*, int*, float*, float*, int*) noexcept nogil
ctypedef void (*dgemm_routine)(char*, char*, int*, int*, int*, double*, double*, int*,
                               double*, int*, double*, double*, int*) noexcept nogil

cdef extern from "network.hpp" namespace "rnnsk" nogil:
    cdef enum class CellKind(int):
        pass
    CellKind cell_from_int(int) except +
    int rnnsk_gate_count "rnnsk::gate_count"(CellKind) except +

    cdef cppclass NetworkConfig:
        CellKind cell
        int input_size
        int hidden_size
        int num_layers
        bool bidirectional
        double dropout

    cdef cppclass ParameterEntry:
        string name
        long offset
        int rows
        int cols

    vector[ParameterEntry] parameter_layout(const NetworkConfig&) except +
    long parameter_count(const NetworkConfig&) except +

    cdef cppclass ForwardArgs[T]:
        T* params
        T* x
        int64_t* lengths
        int batch
        int steps
        T* h0
        T* c0
        bool training
        uint64_t dropout_seed
        int n_threads
        T* out
        T* h_n
        T* c_n

    cdef cppclass BackwardArgs[T]:
        T* params
        T* d_out
        T* d_h_n
        T* d_c_n
        T* grads
        bool accumulate
        int n_threads
        T* d_x
        T* d_h0
        T* d_c0

    cdef cppclass Network[T]:
        Network(const NetworkConfig&, sgemm_routine) except +
        Network(const NetworkConfig&, dgemm_routine) except +
        void forward(const ForwardArgs[T]&) except +
        void backward(const BackwardArgs[T]&) except +

cdef extern from "device/device_core.hpp" namespace "rnnsk" nogil:
    cdef cppclass DeviceCore[T]:
        void forward(const ForwardArgs[T]&) except +
        void backward(const BackwardArgs[T]&) except +
        void upload_parameters(const T*) except +
        void download_parameters(T*) except +
        void download_gradients(T*) except +
        void upload_optimizer_state(const T*, const T*) except +
        void download_optimizer_state(T*, T*) except +
        void reset_optimizer_state() except +
        double gradient_sum_of_squares() except +
        void scale_gradients(double) except +
        double add_weight_decay(double) except +
        bool propose_adam(double, double, double, double) except +
        bool propose_sgd(double, double, bool) except +
        void commit() except +

    int cuda_device_count() except +

# The factories, one name per precision (Cython cannot pick a function template
# from a function-pointer argument).
cdef extern from "device/device_core.hpp" nogil:
    unique_ptr[DeviceCore[float]] make_emulated_single "rnnsk::make_emulated_core<float>" (
        const NetworkConfig&, sgemm_routine) except +
    unique_ptr[DeviceCore[double]] make_emulated_double "rnnsk::make_emulated_core<double>" (
        const NetworkConfig&, dgemm_routine) except +
    unique_ptr[DeviceCore[float]] make_cuda_single "rnnsk::make_cuda_core<float>" (
        const NetworkConfig&, int) except +
    unique_ptr[DeviceCore[double]] make_cuda_double "rnnsk::make_cuda_core<double>" (
        const NetworkConfig&, int) except +

cdef extern from "incremental.hpp" namespace "rnnsk" nogil:
    cdef cppclass IncrementalStep[T]:
        IncrementalStep(const NetworkConfig&, sgemm_routine) except +
        IncrementalStep(const NetworkConfig&, dgemm_routine) except +
        void prepare(const T*) except +
        void step(const T*, int, T*, T*) except +

cdef extern from "crf.hpp" namespace "rnnsk" nogil:
    cdef cppclass CrfBatch[T]:
        const T* emissions
        const int64_t* lengths
        int batch
        int steps
        int labels
        const T* transitions
        const T* start
        const T* end
        int n_threads

    cdef cppclass CrfGradients[T]:
        const T* scale
        T* emissions
        T* transitions
        T* start
        T* end

    void crf_negative_log_likelihood[T](const CrfBatch[T]&, const int64_t*, T*,
                                        const CrfGradients[T]*) except +
    void crf_marginals[T](const CrfBatch[T]&, T*) except +
    void crf_viterbi[T](const CrfBatch[T]&, int64_t*, T*) except +

cdef extern from "max_pooling.hpp" namespace "rnnsk" nogil:
    void argmax_over_steps[T](const T*, const int64_t*, int, int, int, int64_t*) except +
